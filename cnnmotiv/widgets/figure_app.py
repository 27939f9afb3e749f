"""FigureApp: one Matplotlib figure redrawn in place by a set of controls.

The figure is built once; a slider move calls ``update(**values)``, which
changes the existing artists (``set_data``, ``set_xy`` ...) and returns the
numbers it computed; the figure is then rendered to PNG bytes and pushed into
an :class:`ipywidgets.Image`. No new figure is created per move, and nothing
depends on the notebook's Matplotlib backend.

Rendering is the slow part of a slider move, and most of it is text (tick
labels). Pass the artists that ``update`` changes as ``dynamic``: the rest of
the figure is then drawn once into a background that is reused, and a move
redraws only those artists (blitting). The background is redrawn
automatically when an axes' view limits change.
"""

from __future__ import annotations

import contextlib
import struct
import time
import zlib
from collections.abc import Callable, Iterable, Mapping

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["FigureApp", "render_png"]


def render_png(canvas: FigureCanvasAgg) -> bytes:
    """Encode what ``canvas`` last drew as PNG (8-bit RGB, no alpha).

    Written directly: rows unfiltered (PNG filter type 0) and deflated at
    zlib level 1. For figures (large flat areas, thin lines) this is about
    twice as fast as Pillow's encoder with its adaptive row filters and gives
    a file of similar or smaller size; speed matters because it runs on every
    slider move.

    Parameters
    ----------
    canvas : FigureCanvasAgg
        A canvas that has been drawn.

    Returns
    -------
    bytes
        A complete PNG file, ``canvas.get_width_height()`` pixels.
    """
    rgba = np.asarray(canvas.buffer_rgba())
    height, width = rgba.shape[:2]
    raw = np.zeros((height, 1 + 3 * width), dtype=np.uint8)  # column 0: filter type 0
    raw[:, 1:].reshape(height, width, 3)[...] = rgba[..., :3]
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit truecolour
    return b"".join((_PNG_SIGNATURE, _png_chunk(b"IHDR", header),
                     _png_chunk(b"IDAT", zlib.compress(raw.tobytes(), 1)),
                     _png_chunk(b"IEND", b"")))


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_chunk(tag: bytes, body: bytes) -> bytes:
    return (struct.pack(">I", len(body)) + tag + body
            + struct.pack(">I", zlib.crc32(tag + body)))


class FigureApp(widgets.VBox):
    """Controls above a figure that they redraw.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        The figure to redraw; build it once, before the app. Its ``dpi`` is
        the resolution of the image shown.
    update : callable
        ``update(**values) -> result``. Called with the current value of every
        control (by its name) on construction and after every change. It must
        update ``figure``'s artists in place; its return value is kept in
        :attr:`result`.
    controls : mapping of str to ipywidgets.ValueWidget
        The sliders, dropdowns and toggles, by the keyword ``update`` takes.
    dynamic : iterable of Artist, optional
        The artists ``update`` changes. When given, only these are redrawn on a
        move, over a cached background holding everything else (they are drawn
        on top of it, so keep them above the static artists of their axes).
        When omitted, the whole figure is redrawn every time.
    dpi : float, optional
        Resolution of the image shown; default: the figure's own.
    caption : ipywidgets.Widget, optional
        Shown under the figure (for example an HTML readout of the numbers).

    Attributes
    ----------
    controls : dict
        The controls, by name; set ``controls[name].value`` to drive the app.
    result : object
        What the last call to ``update`` returned.
    png : bytes
        The figure as last rendered.
    callback_seconds : float
        Wall time of the last update plus render, in seconds.
    """

    def __init__(self, figure: Figure, update: Callable[..., object],
                 controls: Mapping[str, widgets.ValueWidget], *,
                 dynamic: Iterable[Artist] = (), dpi: float | None = None,
                 caption: widgets.Widget | None = None):
        self.figure = figure
        if dpi is not None:
            figure.set_dpi(dpi)
        self._canvas = FigureCanvasAgg(figure)
        self._update = update
        self._dynamic = list(dynamic)
        for artist in self._dynamic:
            artist.set_animated(True)
        self._background = None
        self._view_limits = None
        self.controls = dict(controls)
        for name, control in self.controls.items():
            control.add_class(f"cnnmotiv-control-{name.replace('_', '-')}")
        # Shown at its own pixel size (a flex column would stretch it, blurring it),
        # shrinking only when the page is narrower.
        width, _ = self._canvas.get_width_height()
        self.image = widgets.Image(format="png", layout=widgets.Layout(
            width=f"{width}px", max_width="100%", height="auto", align_self="flex-start"))
        self.image.add_class("cnnmotiv-figure")
        self.caption = caption
        self.result = None
        self.png = b""
        self.callback_seconds = 0.0
        box = widgets.HBox(list(self.controls.values()),
                           layout=widgets.Layout(flex_flow="row wrap"))
        children = [box, self.image] + ([caption] if caption is not None else [])
        super().__init__(children)
        self.add_class("cnnmotiv-app")
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.refresh()

    def values(self) -> dict:
        """The current value of every control, by name."""
        return {name: c.value for name, c in self.controls.items()}

    def refresh(self) -> None:
        """Run ``update`` with the current values and re-render the image."""
        start = time.perf_counter()
        # A caption changed by ``update`` is sent to the page after the new image, so
        # the browser decodes the figure before it lays out the new text.
        held = (self.caption.hold_sync() if self.caption is not None
                else contextlib.nullcontext())
        with held:
            self.result = self._update(**self.values())
            self._draw()
            self.png = render_png(self._canvas)
            self.image.value = self.png
        self.callback_seconds = time.perf_counter() - start

    def _draw(self) -> None:
        if not self._dynamic:
            self._canvas.draw()
            return
        limits = [tuple(ax.viewLim.bounds) for ax in self.figure.axes]
        if self._background is None or limits != self._view_limits:
            self._canvas.draw()  # everything but the animated artists
            if self.figure.get_layout_engine() is not None:
                self.figure.set_layout_engine("none")  # keep the layout found once
            self._background = self._canvas.copy_from_bbox(self.figure.bbox)
            self._view_limits = limits
        else:
            self._canvas.restore_region(self._background)
        for artist in self._dynamic:
            self.figure.draw_artist(artist)

    def _on_change(self, change) -> None:
        self.refresh()
