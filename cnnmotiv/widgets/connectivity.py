"""Slider app: a dense layer and a convolutional layer, seen from one unit.

Move the kernel size and watch the convolution's lines thin out while the
dense layer keeps all of them; pick a unit and a view to see one column
("from below": what an input feeds) or one row ("from above": what an output
sees) of each layer's matrix.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg

from cnnmotiv._validation import check_choice, check_int
from cnnmotiv.plotting.connectivity import (VIEWS, draw_dense_vs_conv, layer_matrices,
                                            output_centres, units_xlim)
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
    layer_matrices(n, kernel_size, mode=mode)  # validates mode before any widget is built
    start_unit = n // 2 if unit is None else check_int(unit, "unit", minimum=0)
    if start_unit >= n:
        raise ValueError(f"unit must be in 0..{n - 1}; got {start_unit}")

    fig = new_figure((6.0, 4.0))
    fig, dense, conv = draw_dense_vs_conv(n, kernel_size, view, None, mode, 1, 1, fig,
                                      conv_label="Convolution (kernel size: slider)")
    # One x range for every kernel size (outputs sit half a unit to the right for even
    # kernels), so that a move never changes the axes and only the connections are redrawn.
    positions = np.concatenate([output_centres(n, k, mode=mode)
                                for k in range(1, max_kernel_size + 1)])
    for drawing in (dense, conv):
        drawing.xlim = units_xlim(n, positions)
        drawing.ax.set_xlim(drawing.xlim)
    # Lay the figure out once, then freeze it: slider moves only change artists.
    FigureCanvasAgg(fig).draw()
    fig.set_layout_engine("none")

    controls = {
        "kernel_size": widgets.IntSlider(value=kernel_size, min=1, max=max_kernel_size,
                                         description="kernel size k",
                                         style={"description_width": "initial"}),
        "unit": widgets.IntSlider(value=start_unit, min=0, max=n - 1, description="unit"),
        "view": widgets.ToggleButtons(options=_VIEW_LABELS, value=view, description="view",
                                      style={"button_width": "auto"}),
    }
    caption = widgets.HTML()
    caption.add_class("cnnmotiv-caption")

    def update(kernel_size: int, unit: int, view: str) -> dict:
        mats = layer_matrices(n, kernel_size, mode=mode)
        positions = output_centres(n, kernel_size, mode=mode)
        n_out = mats["conv"].shape[0]
        count = n_out if view == "above" else n
        unit = min(unit, count - 1)
        d = dense.update(mats["dense"], view=view, unit=unit, positions=positions)
        c = conv.update(mats["conv"], view=view, unit=unit, positions=positions)
        result = {
            "n": n, "n_out": n_out, "kernel_size": kernel_size,
            "dense_connections": d["connections"], "conv_connections": c["connections"],
            "k_times_n_out": kernel_size * n_out,
            "ratio": d["connections"] / c["connections"],
            "unit": unit, "view": view,
            "dense_touched": d["touched"], "conv_touched": c["touched"],
        }
        caption.value = (
            f"<b>Connections</b> (non-zero weights = multiplications per input vector): "
            f"dense {n_out}&times;{n} = {d['connections']}; "
            f"convolution {c['connections']} (k&middot;n<sub>out</sub> = {kernel_size}&times;"
            f"{n_out} = {kernel_size * n_out}, minus taps that fall on zero padding); "
            f"ratio {result['ratio']:.2f}.")
        return result

    # Text is the slowest artist to draw: the dense count is left in the background
    # when it cannot change (mode 'same': n_out = n for every kernel size).
    dynamic = [artist for drawing in (dense, conv)
               for artist in (drawing.lines, drawing.highlight, drawing.inputs, drawing.outputs)]
    dynamic += [conv.count] + ([dense.count] if mode != "same" else [])
    return FigureApp(fig, update, controls, dynamic=dynamic, dpi=dpi, caption=caption)
