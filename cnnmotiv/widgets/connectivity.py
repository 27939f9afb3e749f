"""Slider app: a dense layer and a convolutional layer, seen from one unit.

Move the kernel size and watch the convolution's lines thin out while the
dense layer keeps all of them; pick a unit and a view to see one column
("from below": what an input feeds) or one row ("from above": what an output
sees) of each layer's matrix.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from cnnmotiv.validation import check_choice, check_int
from cnnmotiv.budget import check_bytes
from cnnmotiv.matrices import VIEWS, layer_matrices
from cnnmotiv.plotting.connectivity import draw_dense_vs_conv, output_centres, units_xlim
from cnnmotiv.plotting.style import new_figure
from cnnmotiv.widgets.figure_app import FigureApp

__all__ = ["connectivity_app"]

_VIEW_LABELS = (("from above: an output's inputs", "above"),
                ("from below: an input's outputs", "below"))


def connectivity_app(n: int = 9, *, kernel_size: int = 3, max_kernel_size: int = 7,
                     view: str = "above", unit: int | None = None, mode: str = "same",
                     dpi: float = 72) -> FigureApp:
    """Dense vs convolutional connections of one 1-D layer, with sliders.

    Parameters
    ----------
    n : int
        Number of input units (at least 2).
    kernel_size : int
        Initial kernel size.
    max_kernel_size : int
        Largest kernel the slider offers (at most ``n``).
    view : {'above', 'below'}
        Initial view.
    unit : int, optional
        Initial highlighted unit; default: the middle one.
    mode : {'valid', 'same', 'full'}
        Output size rule. With ``'same'`` (default) both layers map ``n``
        inputs to ``n`` outputs.
    dpi : float
        Resolution of the rendered image.

    Returns
    -------
    FigureApp
        Controls ``kernel_size``, ``unit``, ``view``. ``app.result`` is a dict:
        ``n``, ``n_out``, ``kernel_size``, ``dense_connections`` (non-zeros of
        the dense matrix, ``n_out * n``), ``conv_connections`` (non-zeros of the
        convolution matrix), ``k_times_n_out`` (the estimate ``k * n_out``),
        ``ratio`` (dense / conv), ``unit`` (the index actually used, clipped
        to the layer), ``view``, ``dense_touched`` and ``conv_touched`` (the
        indices the highlighted unit is joined to).

    Raises
    ------
    ValueError, TypeError
        For invalid ``n``, kernel sizes, ``view``, ``unit`` or ``mode``.
    cnnmotiv.budget.BudgetError
        If the two ``n x n`` matrices would exceed the memory budget.

    Examples
    --------
    >>> app = connectivity_app(9, kernel_size=3)
    >>> app.result["dense_connections"], app.result["conv_connections"]
    (81, 25)
    >>> app.controls["kernel_size"].value = 5
    >>> app.result["conv_connections"]
    39
    """
    n = check_int(n, "n", minimum=2)
    max_kernel_size = check_int(max_kernel_size, "max_kernel_size")
    if max_kernel_size > n:
        raise ValueError(f"max_kernel_size must be at most n={n}; got {max_kernel_size}")
    kernel_size = check_int(kernel_size, "kernel_size")
    if kernel_size > max_kernel_size:
        raise ValueError(f"kernel_size must be in 1..max_kernel_size={max_kernel_size}; "
                         f"got {kernel_size}")
    view = check_choice(view, "view", VIEWS)
    check_bytes(2 * 8 * n * n, what=f"the dense and convolution ({n} x {n}) float64 matrices",
                parameter="n")
    layer_matrices(n, kernel_size, mode=mode)  # validates mode before any widget is built
    start_unit = n // 2 if unit is None else check_int(unit, "unit", minimum=0)
    if start_unit >= n:
        raise ValueError(f"unit must be in 0..{n - 1}; got {start_unit}")

    drawing = DenseConvDrawing(n, kernel_size, max_kernel_size, view, mode)
    controls = {
        "kernel_size": widgets.IntSlider(value=kernel_size, min=1, max=max_kernel_size,
                                         description="kernel size k",
                                         style={"description_width": "initial"}),
        "unit": widgets.IntSlider(value=start_unit, min=0, max=n - 1, description="unit"),
        "view": widgets.ToggleButtons(options=_VIEW_LABELS, value=view, description="view",
                                      style={"button_width": "auto"}),
    }
    return FigureApp(drawing.figure, drawing.update, controls, dynamic=drawing.artists,
                     dpi=dpi, caption=_caption,
                     alt=lambda r: (f"Two rows of {r['n']} inputs x joined to outputs y: a "
                                    f"dense layer (every pair) above a convolution with "
                                    f"kernel size {r['kernel_size']}, unit {r['unit']} seen "
                                    f"{r['view']} highlighted."))


class DenseConvDrawing:
    """The figure of :func:`connectivity_app`: a dense layer above a convolution.

    :meth:`update` redraws both for a kernel size, unit and view, and
    returns the connection counts (see :func:`connectivity_app`).
    """

    def __init__(self, n: int, kernel_size: int, max_kernel_size: int, view: str, mode: str):
        self.n, self.mode = n, mode
        self.figure = new_figure((6.0, 4.0))
        _, self.dense, self.conv = draw_dense_vs_conv(
            n, kernel_size, view, None, mode, 1, 1, self.figure,
            conv_label="Convolution (kernel size: slider)")
        # One x range for every kernel size (outputs sit half a unit to the right for even
        # kernels), so that a move never changes the axes and only the connections are redrawn.
        positions = np.concatenate([output_centres(n, k, mode=mode)
                                    for k in range(1, max_kernel_size + 1)])
        for drawing in (self.dense, self.conv):
            drawing.xlim = units_xlim(n, positions)
            drawing.ax.set_xlim(drawing.xlim)
        # Text is the slowest artist to draw: the dense count is left in the background
        # when it cannot change (mode 'same': n_out = n for every kernel size).
        self.artists = [artist for drawing in (self.dense, self.conv)
                        for artist in (drawing.lines, drawing.highlight, drawing.inputs,
                                       drawing.outputs)]
        self.artists += [self.conv.count] + ([self.dense.count] if mode != "same" else [])

    def update(self, kernel_size: int, unit: int, view: str) -> dict:
        """Redraw for one kernel size, highlighted unit (clipped to the layer) and view."""
        n, mode = self.n, self.mode
        mats = layer_matrices(n, kernel_size, mode=mode)
        positions = output_centres(n, kernel_size, mode=mode)
        n_out = mats["conv"].shape[0]
        unit = min(unit, (n_out if view == "above" else n) - 1)
        d = self.dense.update(mats["dense"], view=view, unit=unit, positions=positions)
        c = self.conv.update(mats["conv"], view=view, unit=unit, positions=positions)
        return {
            "n": n, "n_out": n_out, "kernel_size": kernel_size,
            "dense_connections": d["connections"], "conv_connections": c["connections"],
            "k_times_n_out": kernel_size * n_out,
            "ratio": d["connections"] / c["connections"],
            "unit": unit, "view": view,
            "dense_touched": d["touched"], "conv_touched": c["touched"],
        }


def _caption(r: dict) -> str:
    n, n_out, k = r["n"], r["n_out"], r["kernel_size"]
    return (f"<b>Connections</b> (non-zero weights = multiplications per input vector): "
            f"dense {n_out}&times;{n} = {r['dense_connections']}; "
            f"convolution {r['conv_connections']} (k&middot;n<sub>out</sub> = {k}&times;"
            f"{n_out} = {k * n_out}, minus taps that fall on zero padding); "
            f"ratio {r['ratio']:.2f}.")
