"""FigureApp: one Matplotlib figure redrawn in place by a set of controls.

The figure is built once; a slider move calls ``update(**values)``, which
changes the existing artists (``set_data``, ``set_xy`` ...) and returns the
numbers it computed; the figure is then rendered to PNG bytes and pushed into
an :class:`ipywidgets.Image`. No new figure is created per move, and nothing
depends on the notebook's Matplotlib backend.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Mapping

import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["FigureApp"]


class FigureApp(widgets.VBox):
    """Controls above a figure that they redraw.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        The figure to redraw; build it once, before the app.
    update : callable
        ``update(**values) -> result``. Called with the current value of every
        control (by its name) on construction and after every change. It must
        update ``figure``'s artists in place; its return value is kept in
        :attr:`result`.
    controls : mapping of str to ipywidgets.ValueWidget
        The sliders, dropdowns and toggles, by the keyword ``update`` takes.
    dpi : float, optional
        Resolution of the rendered image.
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
                 controls: Mapping[str, widgets.ValueWidget], *, dpi: float = 80,
                 caption: widgets.Widget | None = None):
        self.figure = figure
        self._canvas = FigureCanvasAgg(figure)
        self._update = update
        self._dpi = dpi
        self.controls = dict(controls)
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.image.add_class("cnnmotiv-figure")
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
        self.result = self._update(**self.values())
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=self._dpi)
        self.png = buffer.getvalue()
        self.image.value = self.png
        self.callback_seconds = time.perf_counter() - start

    def _on_change(self, change) -> None:
        self.refresh()
