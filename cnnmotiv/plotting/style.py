"""The shared palette and small drawing helpers used by every figure module.

Colours are the Okabe-Ito palette, which stays distinguishable under the common
forms of colour blindness. Nothing here touches global rcParams.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["PALETTE", "ROLE", "DIVERGING_CMAP", "SEQUENTIAL_CMAP", "enlarge_small_text",
           "new_axes", "new_figure"]

#: Okabe-Ito colours by name.
PALETTE = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#999999",
}

#: What each colour means across the notebooks, so a reader learns it once.
ROLE = {
    "conv": PALETTE["green"],          # convolution / shared kernel
    "dense": PALETTE["vermillion"],    # fully connected
    "locally_connected": PALETTE["orange"],        # locally connected (sparse, unshared)
    "sparse": PALETTE["sky"],          # sparse matrix form
    "highlight": PALETTE["blue"],      # the unit the reader picked
    "muted": PALETTE["grey"],          # everything else
    "theory": PALETTE["purple"],       # closed-form predictions
}

#: Colour maps: diverging for signed maps (edges, differences), sequential otherwise.
DIVERGING_CMAP = "RdBu_r"
SEQUENTIAL_CMAP = "viridis"


def new_figure(figsize=(6.4, 4.0), **kwargs) -> Figure:
    """A new Figure that is not registered with pyplot's state machine.

    In a notebook with the inline backend, pyplot figures are shown and closed
    after each cell; a detached Figure is shown only when it is the cell's
    value or is passed to ``display``, and does not leak between cells.
    """
    return Figure(figsize=figsize, layout="constrained", **kwargs)


def new_axes(ax: Axes | None = None, figsize=(6.4, 4.0)) -> Axes:
    """Return ``ax``, or the single Axes of a new detached Figure."""
    if ax is not None:
        return ax
    return new_figure(figsize).add_subplot()


def enlarge_small_text(fig: Figure, min_points: float) -> Figure:
    """Raise every font of ``fig`` smaller than ``min_points`` to ``min_points``.

    Covers texts, titles, labels, legend entries and tick labels (through
    ``tick_params``, so ticks made at the next draw follow). A slider app
    calls it with ``min_points = 9 * 72 / dpi`` so that no label is smaller
    than 9 pixels on screen.

    Examples
    --------
    >>> fig = new_figure()
    >>> ax = fig.add_subplot()
    >>> ax.set_title("t", fontsize=6).get_fontsize()
    6.0
    >>> _ = enlarge_small_text(fig, 9)
    >>> ax.title.get_fontsize()
    9.0
    """
    for ax in fig.axes:
        for axis, name in ((ax.xaxis, "x"), (ax.yaxis, "y")):
            for which in ("major", "minor"):
                ticks = axis.get_major_ticks() if which == "major" else axis.get_minor_ticks()
                if ticks and ticks[0].label1.get_fontsize() < min_points:
                    ax.tick_params(axis=name, which=which, labelsize=min_points)
    for text in fig.findobj(lambda a: hasattr(a, "get_fontsize") and hasattr(a, "set_fontsize")):
        if text.get_fontsize() < min_points:
            text.set_fontsize(min_points)
    return fig


# ``plt`` is imported only so that the backend is configured before Figures are made.
del plt
