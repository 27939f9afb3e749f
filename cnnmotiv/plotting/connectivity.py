"""Connection diagrams of one 1-D layer: every line is a non-zero of its matrix.

A layer that maps ``n`` inputs to ``n_out`` outputs is a matrix ``M`` of shape
``(n_out, n)``; input ``j`` feeds output ``i`` exactly when ``M[i, j] != 0``.
The diagrams here draw one line per non-zero entry, so what the reader sees is
the matrix itself, not a picture of it drawn by hand:

* a *dense* (fully connected) layer has every entry non-zero: ``n_out * n``
  lines;
* a *convolutional* layer's matrix (:func:`cnnmotiv.matrices.correlation_matrix_1d`)
  has at most ``k`` non-zeros per row: about ``k * n_out`` lines.

Two views pick one unit and colour its lines. *From below*: an input unit and
the outputs it touches (a column of ``M``). *From above*: an output unit and
the inputs it sees, its receptive field (a row of ``M``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.text import Text

from cnnmotiv.validation import as_float_array, check_choice, check_int
from cnnmotiv.matrices import VIEWS, layer_matrices, touched_units  # the numbers drawn here
from cnnmotiv.plotting.style import PALETTE, ROLE, new_axes, new_figure

__all__ = [
    "FIGURES",
    "ConnectivityDrawing",
    "draw_connectivity",
    "output_centres",
    "plot_connectivity",
    "plot_dense_vs_conv",
    "units_xlim",
]


_MUTED_EDGE = (0.6, 0.6, 0.6, 0.35)
_EMPTY_FACE = "white"
_UNIT_EDGE = PALETTE["grey"]


def output_centres(n: int, kernel_size: int, *, mode: str = "same", stride: int = 1,
                   dilation: int = 1) -> np.ndarray:
    """Input coordinate of the centre of each output unit's window.

    Output ``i`` reads inputs ``i*stride - before + t*dilation`` for taps
    ``t = 0 .. k-1`` (``before`` is the zero padding added on the left), so its
    window is centred at ``i*stride - before + dilation*(k-1)/2``. The diagrams
    draw output ``i`` there, above the middle of what it sees.

    Parameters
    ----------
    n, kernel_size : int
        Input length and kernel size.
    mode : {'valid', 'same', 'full'}
    stride, dilation : int

    Returns
    -------
    numpy.ndarray
        Shape ``(n_out,)``, float.

    Examples
    --------
    >>> output_centres(6, 3, mode="valid")
    array([1., 2., 3., 4.])
    >>> output_centres(5, 3, mode="same")
    array([0., 1., 2., 3., 4.])
    """
    from cnnmotiv.convolution import output_length, padding_amounts

    n = check_int(n, "n")
    kernel_size = check_int(kernel_size, "kernel_size")
    before, _ = padding_amounts(kernel_size, mode=mode, dilation=dilation)
    n_out = output_length(n, kernel_size, mode=mode, stride=stride, dilation=dilation)
    stride = check_int(stride, "stride")
    dilation = check_int(dilation, "dilation")
    return np.arange(n_out) * stride - before + dilation * (kernel_size - 1) / 2


@dataclass
class ConnectivityDrawing:
    """The artists of one connection diagram, redrawn in place by :meth:`update`.

    Attributes
    ----------
    ax : matplotlib.axes.Axes
    lines : LineCollection
        One segment per non-zero that does not touch the chosen unit (muted).
    highlight : LineCollection
        One segment per non-zero that touches the chosen unit.
    inputs, outputs : PathCollection
        The unit markers (inputs on the bottom row, outputs on the top row).
    title : Text
        The label (left title), drawn once.
    count : Text
        The number of connections (right title), updated on every call.
    color : str
        Colour of the highlighted lines and of the units they reach.
    xlim : tuple of float, optional
        Fixed x limits. By default :meth:`update` fits the limits to the units
        drawn; a slider app fixes them so that a move never changes the axes
        (which would force a full redraw instead of blitting).
    """

    ax: Axes
    lines: LineCollection
    highlight: LineCollection
    inputs: PathCollection
    outputs: PathCollection
    title: Text
    count: Text
    color: str
    counts: dict = field(default_factory=dict)
    xlim: tuple[float, float] | None = None

    def update(self, matrix, *, view: str = "above", unit: int | None = None,
               positions=None) -> dict:
        """Redraw for a new matrix, view or unit; return the counts drawn.

        Parameters
        ----------
        matrix : array_like, shape (n_out, n)
        view : {'below', 'above'}
        unit : int, optional
            The input (``view="below"``) or output (``view="above"``) to
            highlight; default: the middle one.
        positions : array_like, shape (n_out,), optional
            x coordinate of each output; default: centred over the inputs.

        Returns
        -------
        dict
            ``connections`` (non-zeros = segments drawn), ``highlighted``
            (segments touching the unit), ``touched`` (the indices reached),
            ``unit`` and ``view``.
        """
        matrix = as_float_array(matrix, "matrix", ndim=2)
        view = check_choice(view, "view", VIEWS)
        n_out, n = matrix.shape
        if unit is None:
            unit = (n_out if view == "above" else n) // 2
        touched = touched_units(matrix, view, unit)  # checks unit
        if positions is None:
            positions = np.arange(n_out) + (n - n_out) / 2
        positions = as_float_array(positions, "positions", ndim=1)
        if positions.shape != (n_out,):
            raise ValueError(f"positions must have shape ({n_out},), one per output; "
                             f"got {positions.shape}")
        rows, cols = np.nonzero(matrix)
        segments = np.stack([np.stack([cols, np.zeros_like(cols)], axis=1),
                             np.stack([positions[rows], np.ones_like(rows)], axis=1)],
                            axis=1).astype(float)
        chosen = (rows == unit) if view == "above" else (cols == unit)
        self.lines.set_segments(segments[~chosen])
        self.highlight.set_segments(segments[chosen])

        in_face = np.full(n, _EMPTY_FACE, dtype=object)
        out_face = np.full(n_out, _EMPTY_FACE, dtype=object)
        if view == "above":
            in_face[touched] = self.color
            out_face[unit] = ROLE["highlight"]
        else:
            out_face[touched] = self.color
            in_face[unit] = ROLE["highlight"]
        self.inputs.set_offsets(np.column_stack([np.arange(n), np.zeros(n)]))
        self.inputs.set_facecolors(list(in_face))
        self.outputs.set_offsets(np.column_stack([positions, np.ones(n_out)]))
        self.outputs.set_facecolors(list(out_face))
        limits = self.xlim if self.xlim is not None else units_xlim(n, positions)
        if self.ax.get_xlim() != limits:
            self.ax.set_xlim(limits)
        self.counts = {"connections": int(rows.size), "highlighted": int(chosen.sum()),
                       "touched": touched, "unit": unit, "view": view,
                       "shape": (n_out, n)}
        self.count.set_text(f"{rows.size} connections")
        return self.counts


def units_xlim(n: int, positions) -> tuple[float, float]:
    """x limits showing ``n`` inputs at ``0 .. n-1`` and outputs at ``positions``.

    Parameters
    ----------
    n : int
        Number of inputs.
    positions : array_like, shape (n_out,)
        x coordinate of each output.

    Returns
    -------
    tuple of float
        ``(left, right)``, a margin of 0.6 around every unit.

    Examples
    --------
    >>> units_xlim(9, [0.5, 8.5])
    (-0.6, 9.1)
    """
    positions = as_float_array(positions, "positions", ndim=1)
    return (min(0.0, float(positions.min())) - 0.6, max(n - 1.0, float(positions.max())) + 0.6)


def draw_connectivity(matrix, *, view: str = "above", unit: int | None = None,
                      positions=None, color: str | None = None, label: str = "layer",
                      ax: Axes | None = None) -> ConnectivityDrawing:
    """Draw a layer's connections and return the artists, to be updated in place.

    Parameters are those of :func:`plot_connectivity`.

    Returns
    -------
    ConnectivityDrawing
    """
    matrix = as_float_array(matrix, "matrix", ndim=2)
    ax = new_axes(ax, figsize=(6.0, 2.2))
    color = ROLE["conv"] if color is None else color
    lines = LineCollection([], colors=[_MUTED_EDGE], linewidths=0.8, zorder=1)
    highlight = LineCollection([], colors=[color], linewidths=2.2, zorder=2)
    ax.add_collection(lines)
    ax.add_collection(highlight)
    kw = dict(s=90, edgecolors=_UNIT_EDGE, linewidths=1.0, zorder=3)
    inputs = ax.scatter([], [], **kw)
    outputs = ax.scatter([], [], marker="s", **kw)
    title = ax.set_title(label, fontsize=10, loc="left")
    count = ax.set_title("", fontsize=10, loc="right", color=color, fontweight="bold")
    ax.set_ylim(-0.35, 1.35)
    ax.set_yticks([0, 1], ["inputs x", "outputs y"])
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel("unit index (inputs)")
    ax.xaxis.get_major_locator().set_params(integer=True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    drawing = ConnectivityDrawing(ax, lines, highlight, inputs, outputs, title, count, color)
    drawing.update(matrix, view=view, unit=unit, positions=positions)
    return drawing


def plot_connectivity(matrix, *, view: str = "above", unit: int | None = None,
                      positions=None, color: str | None = None, label: str = "layer",
                      ax: Axes | None = None) -> Axes:
    """Draw one line for every non-zero of a layer's matrix.

    Inputs are the bottom row (circles, at x = their index), outputs the top
    row (squares). The chosen unit is blue; its lines and the units they reach
    are drawn in ``color``; every other connection is grey.

    Parameters
    ----------
    matrix : array_like, shape (n_out, n)
        The layer: output ``i`` is joined to input ``j`` when ``matrix[i, j] != 0``.
    view : {'below', 'above'}
        ``"below"``: ``unit`` is an input, highlight the outputs it feeds.
        ``"above"``: ``unit`` is an output, highlight its receptive field.
    unit : int, optional
        Index of the unit to highlight; default: the middle one.
    positions : array_like, shape (n_out,), optional
        x coordinate of each output (see :func:`output_centres`).
    color : str, optional
        Colour of the highlighted connections (default: the convolution colour).
    label : str
        The title (left); the number of connections is written on the right.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default: a new detached figure.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError, TypeError
        If ``matrix`` is not a finite non-empty 2-D numeric array, ``view`` is
        unknown, ``unit`` is out of range or ``positions`` has the wrong shape.

    Examples
    --------
    >>> m = layer_matrices(7, 3)["conv"]
    >>> ax = plot_connectivity(m, view="above", unit=3)
    >>> n_lines = sum(len(c.get_segments()) for c in ax.collections[:2])
    >>> bool(n_lines == np.count_nonzero(m))
    True
    """
    return draw_connectivity(matrix, view=view, unit=unit, positions=positions, color=color,
                             label=label, ax=ax).ax


def draw_dense_vs_conv(n: int, kernel_size: int, view: str, unit, mode: str, stride: int,
                   dilation: int, fig: Figure | None, conv_label: str | None = None):
    mats = layer_matrices(n, kernel_size, mode=mode, stride=stride, dilation=dilation)
    positions = output_centres(n, kernel_size, mode=mode, stride=stride, dilation=dilation)
    fig = new_figure((6.0, 4.2)) if fig is None else fig
    axes = fig.subplots(2, 1, sharex=True)
    dense = draw_connectivity(mats["dense"], view=view, unit=unit, positions=positions,
                              color=ROLE["dense"], label="Dense (fully connected)", ax=axes[0])
    conv = draw_connectivity(mats["conv"], view=view, unit=unit, positions=positions,
                             color=ROLE["conv"],
                             label=f"Convolution, k = {kernel_size}" if conv_label is None
                             else conv_label,
                             ax=axes[1])
    axes[0].set_xlabel("")
    axes[0].tick_params(axis="x", length=0)
    axes[0].spines["bottom"].set_visible(False)
    return fig, dense, conv


def plot_dense_vs_conv(n: int = 9, kernel_size: int = 3, *, view: str = "above",
                       unit: int | None = None, mode: str = "same", stride: int = 1,
                       dilation: int = 1, fig: Figure | None = None) -> Figure:
    """A dense layer above a convolutional layer with the same input and output sizes.

    Both panels come from real matrices (:func:`layer_matrices`): one line per
    non-zero entry, so the dense panel has ``n_out * n`` lines and the
    convolutional one at most ``k * n_out``.

    Parameters
    ----------
    n : int
        Number of inputs.
    kernel_size : int
    view : {'below', 'above'}
    unit : int, optional
        The highlighted input (``"below"``) or output (``"above"``).
    mode : {'valid', 'same', 'full'}
    stride, dilation : int
    fig : matplotlib.figure.Figure, optional
        An empty figure to draw into.

    Returns
    -------
    matplotlib.figure.Figure
        Two Axes: dense (top), convolution (bottom).

    Examples
    --------
    >>> fig = plot_dense_vs_conv(9, 3)
    >>> [len(ax.collections[0].get_segments()) + len(ax.collections[1].get_segments())
    ...  for ax in fig.axes]
    [81, 25]
    """
    return draw_dense_vs_conv(n, kernel_size, view, unit, mode, stride, dilation, fig)[0]


#: Figures of this module by file stem, built with default parameters.
FIGURES: dict[str, Callable[[], Figure]] = {
    "1-connectivity-from-above": lambda: plot_dense_vs_conv(view="above"),
    "1-connectivity-from-below": lambda: plot_dense_vs_conv(view="below"),
}
