"""The shared palette and small drawing helpers used by every figure module.

Colours are the Okabe-Ito palette, which stays distinguishable under the common
forms of colour blindness. Nothing here touches global rcParams.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["PALETTE", "ROLE", "DIVERGING_CMAP", "SEQUENTIAL_CMAP", "new_axes", "new_figure"]

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
    "local": PALETTE["orange"],        # locally connected (sparse, unshared)
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


# ``plt`` is imported only so that the backend is configured before Figures are made.
del plt
