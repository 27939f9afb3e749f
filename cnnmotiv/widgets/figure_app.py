"""FigureApp: one Matplotlib figure redrawn in place by a set of controls.

Every slider app of the notebooks is three parts:

* a **drawing**: an object that builds its figure once and has an
  ``update(**values)`` method that changes the existing artists
  (``set_data``, ``set_xy`` ...) and returns what it computed;
* a **numbers function** in a core module (or beside the drawing), which the
  drawing calls to get what it shows;
* the **controls**: sliders, dropdowns and toggles, by the keyword ``update``
  takes.

:class:`FigureApp` owns the mechanics they share: it lays the figure out once
and keeps that layout, renders it to PNG bytes (Pillow) pushed into an
:class:`ipywidgets.Image`, writes the caption, and catches a setting that has
no result: the message goes into the caption, the controls go back to the
last setting that had one, so controls, picture and :attr:`FigureApp.result`
always agree. No new figure is created per move, and nothing depends on the
notebook's Matplotlib backend.

Rendering is the slow part of a slider move, and most of it is text (tick
labels). Pass the artists that ``update`` changes as ``dynamic``: the rest of
the figure is then drawn once into a background that is reused, and a move
redraws only those artists (blitting). The background is redrawn
automatically when an axes' view limits change.
"""

from __future__ import annotations

import contextlib
import html
import io
import time
from collections.abc import Callable, Iterable, Mapping

import ipywidgets as widgets
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from cnnmotiv.plotting.style import enlarge_small_text

__all__ = ["FigureApp", "MIN_TEXT_PX", "render_png", "text_pixel_sizes"]

#: Smallest text an app shows, in screen pixels (its PNG is shown at its own size).
MIN_TEXT_PX = 9.0


def render_png(canvas: FigureCanvasAgg) -> bytes:
    """Encode what ``canvas`` last drew as PNG (8-bit RGB, no alpha), through Pillow.

    Deflate level 1 (``compress_level=1``): this runs on every slider move,
    and for figures (large flat areas, thin lines) higher levels cost more
    time than they save bytes.

    Parameters
    ----------
    canvas : FigureCanvasAgg
        A canvas that has been drawn.

    Returns
    -------
    bytes
        A complete PNG file, ``canvas.get_width_height()`` pixels.
    """
    rgba = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(),
                            "raw", "RGBA", 0, 1)
    out = io.BytesIO()
    rgba.convert("RGB").save(out, format="png", compress_level=1)
    return out.getvalue()


def text_pixel_sizes(figure: Figure) -> list[tuple[float, str]]:
    """Height on screen, in pixels, of every visible text of ``figure``.

    A font of ``pt`` points drawn at ``figure.dpi`` is ``pt * dpi / 72``
    pixels; the apps show their PNG at its own pixel size.

    Returns
    -------
    list of (float, str)
        ``(pixels, text)`` for each non-empty visible text (titles, labels,
        tick labels, annotations, legend entries).
    """
    canvas = figure.canvas if isinstance(figure.canvas, FigureCanvasAgg) \
        else FigureCanvasAgg(figure)
    canvas.draw()   # tick labels exist only once drawn
    found = []
    for text in figure.findobj(lambda a: hasattr(a, "get_fontsize") and hasattr(a, "get_text")):
        if text.get_visible() and text.get_text().strip() and _shown(text):
            found.append((text.get_fontsize() * figure.dpi / 72, text.get_text()))
    return found


def _shown(text) -> bool:
    """Whether ``text`` and the axes holding it (if any) are visible."""
    return text.axes is None or text.axes.get_visible()


class FigureApp(widgets.VBox):
    """Controls above a figure that they redraw, and a caption under it.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        The figure to redraw; build it once, before the app. Its ``dpi`` is
        the resolution of the image shown. Fonts smaller than
        :data:`MIN_TEXT_PX` pixels at that resolution are enlarged to it.
        Its layout engine (if any) runs
        once, on the first render, and is then switched off: a move changes
        artists, never the layout.
    update : callable
        ``update(**values) -> result``. Called with the current value of every
        control (by its name) on construction and after every change. It must
        update ``figure``'s artists in place; its return value is kept in
        :attr:`result`. An exception it raises for a setting (a stack with no
        output unit, an image too small ...) is shown in the caption and the
        controls return to the last setting that had a result; on
        construction it propagates (the builder refuses its initial values).
    controls : mapping of str to ipywidgets.ValueWidget
        The sliders, dropdowns and toggles, by the keyword ``update`` takes.
    dynamic : iterable of Artist, optional
        The artists ``update`` changes. When given, only these are redrawn on a
        move, over a cached background holding everything else (they are drawn
        on top of it, so keep them above the static artists of their axes).
        When omitted, the whole figure is redrawn every time.
    dpi : float, optional
        Resolution of the image shown; default: the figure's own.
    caption : callable, optional
        ``caption(result) -> str``: the HTML shown under the figure (for
        example the numbers behind it).
    alt : str or callable, optional
        A short text alternative of the figure, for screen readers, written at
        the start of the caption as visually hidden text (ipywidgets' Image
        view cannot carry a ``title``); a callable gets the result. The
        caption's text, if any, follows it in :attr:`alt`.

    Attributes
    ----------
    controls : dict
        The controls, by name; set ``controls[name].value`` to drive the app.
    result : object
        What the last successful call to ``update`` returned.
    error : str or None
        The message of the last refused setting, until the next good one.
    png : bytes
        The figure as last rendered.
    caption : ipywidgets.HTML
        The text under the figure.
    callback_seconds : float
        Wall time of the last update plus render, in seconds.
    """

    def __init__(self, figure: Figure, update: Callable[..., object],
                 controls: Mapping[str, widgets.ValueWidget], *,
                 dynamic: Iterable[Artist] = (), dpi: float | None = None,
                 caption: Callable[[object], str] | None = None,
                 alt: str | Callable[[object], str] = ""):
        self.figure = figure
        if dpi is not None:
            figure.set_dpi(dpi)
        enlarge_small_text(figure, MIN_TEXT_PX * 72 / figure.dpi)
        self._canvas = FigureCanvasAgg(figure)
        self._update, self._describe, self._alt = update, caption, alt
        self._dynamic = list(dynamic)
        for artist in self._dynamic:
            artist.set_animated(True)
        self._background = self._view_limits = None
        self._good: dict | None = None
        self._restoring = False
        self.controls = dict(controls)
        self.result, self.error, self.png, self.callback_seconds = None, None, b"", 0.0
        self._caption_markup = ""
        self.image = self._image_widget()
        self.caption = widgets.HTML()
        self.caption.add_class("cnnmotiv-caption")
        box = widgets.HBox(list(self.controls.values()),
                           layout=widgets.Layout(flex_flow="row wrap"))
        super().__init__([box, self.image, self.caption])
        self.add_class("cnnmotiv-app")
        for name, control in self.controls.items():
            control.add_class(f"cnnmotiv-control-{name.replace('_', '-')}")
            control.observe(self._on_change, names="value")
        self._render(self.values())

    def _image_widget(self) -> widgets.Image:
        # Shown at its own pixel size (a flex column would stretch it, blurring it),
        # shrinking only when the page is narrower.
        width, _ = self._canvas.get_width_height()
        image = widgets.Image(format="png", layout=widgets.Layout(
            width=f"{width}px", max_width="100%", height="auto", align_self="flex-start"))
        image.add_class("cnnmotiv-figure")
        return image

    @property
    def alt(self) -> str:
        """The figure's text alternative: what it shows, then the caption's text."""
        head = self._alt(self.result) if callable(self._alt) else self._alt
        return " ".join(p for p in (head, _plain(self._caption_markup)) if p)

    def values(self) -> dict:
        """The current value of every control, by name."""
        return {name: c.value for name, c in self.controls.items()}

    def refresh(self) -> None:
        """Run ``update`` with the current values and re-render the image.

        A setting without a result leaves the picture and :attr:`result` as
        they were, puts the controls back and shows why in the caption.
        """
        values = self.values()
        try:
            self._render(values)
        except Exception as exc:  # any refusal of a setting: show it, never raise it
            self._refuse(values, exc)

    def _render(self, values: dict) -> None:
        start = time.perf_counter()
        missing = [name for name, v in values.items() if v is None]
        if missing:
            raise ValueError(f"{', '.join(missing)} has no value (None); pick one")
        # A caption changed by ``update`` is sent to the page after the new image, so
        # the browser decodes the figure before it lays out the new text.
        with self.caption.hold_sync():
            result = self._update(**values)
            self._draw()
            self.png = render_png(self._canvas)
            self.image.value = self.png
            self.result, self.error, self._good = result, None, values
            self._set_caption(self._describe(result) if self._describe else "")
        self.callback_seconds = time.perf_counter() - start

    def _refuse(self, values: dict, exc: Exception) -> None:
        """Show why ``values`` has no result and put the controls back to the last good ones."""
        changed = [name for name in values if self._good is None
                   or values[name] != self._good[name]]
        self.error = f"{', '.join(changed) or 'this setting'}: {exc}"
        if self._good is not None:
            with self._quiet():
                for name, value in self._good.items():
                    if self.controls[name].value != value:
                        self.controls[name].value = value
            with contextlib.suppress(Exception):  # artists a failed update half changed
                self._update(**self._good)
        shown = self._describe(self.result) if self._describe else ""
        self._set_caption(f"<div class='cnnmotiv-error' style='color:#D55E00'><b>Not "
                          f"shown</b> ({html.escape(self.error)}); the controls are back "
                          f"at the last setting that has a result.</div>{shown}")

    def _set_caption(self, markup: str) -> None:
        """Show ``markup`` under the figure, after the figure's text alternative.

        The alternative is in the caption as visually hidden text (read by screen
        readers, not shown): ipywidgets' Image view cannot carry a ``title``.
        """
        self._caption_markup = markup
        head = self._alt(self.result) if callable(self._alt) else self._alt
        hidden = (f"<span class='cnnmotiv-alt' style='{_SCREEN_READER_ONLY}'>Figure: "
                  f"{html.escape(head)}.</span>" if head else "")
        self.caption.value = hidden + markup

    @contextlib.contextmanager
    def _quiet(self):
        self._restoring = True
        try:
            yield
        finally:
            self._restoring = False

    def _draw(self) -> None:
        limits = [tuple(ax.viewLim.bounds) for ax in self.figure.axes]
        if not self._dynamic or self._background is None or limits != self._view_limits:
            self._canvas.draw()  # with blitting: everything but the animated artists
            if self.figure.get_layout_engine() is not None:
                self.figure.set_layout_engine("none")  # keep the layout found once
            if not self._dynamic:
                return
            self._background = self._canvas.copy_from_bbox(self.figure.bbox)
            self._view_limits = limits
        else:
            self._canvas.restore_region(self._background)
        for artist in self._dynamic:
            self.figure.draw_artist(artist)

    def _on_change(self, change) -> None:
        if not self._restoring:
            self.refresh()


#: Inline style of text for screen readers only (the usual "visually hidden" pattern).
_SCREEN_READER_ONLY = ("position:absolute;width:1px;height:1px;margin:-1px;padding:0;"
                       "overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0")


def _plain(markup: str) -> str:
    """The text of an HTML fragment, tags dropped and entities decoded."""
    import re

    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup or "")).split())
