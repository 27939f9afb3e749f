"""Slider apps: receptive fields growing with depth, and the effective field inside them.

:func:`receptive_field_app` shows a stack of 1-D layers (drawn from their
matrices) beside the photo with the square each layer's unit sees; the depth,
kernel size, stride and dilation sliders change both. :func:`erf_app` shows
the effective receptive field as a heatmap inside the theoretical square.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import Rectangle

from cnnmotiv.validation import check_choice, check_int
from cnnmotiv.budget import check_bytes
from cnnmotiv.plotting.receptive_fields import draw_receptive_fields
from cnnmotiv.receptive_fields import ERF_INITS, field_layers, layer_stack, uniform_erf_std
from cnnmotiv.plotting.style import ROLE, SEQUENTIAL_CMAP, new_figure
from cnnmotiv.widgets.figure_app import FigureApp

__all__ = ["erf_app", "receptive_field_app"]


def receptive_field_app(depth: int = 3, kernel_size: int = 3, stride: int = 1,
                        dilation: int = 1, *, max_depth: int = 5, max_kernel_size: int = 5,
                        max_stride: int = 2, max_dilation: int = 2, image=None, point=None,
                        dpi: float = 72, max_bytes: int | None = None) -> FigureApp:
    """A 1-D stack and the photo's squares, both following depth, kernel, stride, dilation.

    Parameters
    ----------
    depth, kernel_size, stride, dilation : int
        Initial values of the sliders.
    max_depth, max_kernel_size, max_stride, max_dilation : int
        Ranges of the sliders (depth at most 8: one colour per layer). The
        defaults keep the widest field (depth 5, k 5, stride 2, dilation 2:
        249 pixels) inside the photo and the 1-D stack legible.
    image : array_like, shape (H, W), optional
        Default: :func:`cnnmotiv.data.photo`.
    point : (float, float), optional
        Where on the image the units are chosen (row, col); default: centre.
    dpi : float
        Resolution of the rendered image.
    max_bytes : int, optional
        Memory budget for the widest stack the sliders allow; default
        :data:`cnnmotiv.budget.DEFAULT_MAX_BYTES`.

    Returns
    -------
    FigureApp
        Controls ``depth``, ``kernel_size``, ``stride``, ``dilation``.
        ``app.result`` is a dict: the four values; ``sizes`` (closed-form
        field size of each layer, (rows, cols), from
        :func:`cnnmotiv.receptive_fields.receptive_field`); ``regions``
        (input rows and columns read by the chosen unit of each layer);
        ``stack_field`` (width of the top unit's field traced through the 1-D
        layer matrices) and ``stack_n`` (input length of the 1-D stack).

    Raises
    ------
    ValueError, TypeError
        For initial values outside the slider ranges, or an initial stack
        that leaves no output unit on the image.
    cnnmotiv.budget.BudgetError
        If the 1-D stack at the sliders' maxima would need more memory than
        the budget (:func:`cnnmotiv.budget.check_bytes`).

    Notes
    -----
    A setting whose stack leaves no output unit on the image (its field is
    wider than the image) is not drawn: the caption says so and the sliders
    return to the last setting that has one.

    Examples
    --------
    >>> app = receptive_field_app(3, 3)
    >>> app.result["sizes"]
    [(3, 3), (5, 5), (7, 7)]
    >>> app.controls["depth"].value = 4
    >>> app.result["stack_field"]
    9
    """
    max_depth = check_int(max_depth, "max_depth", minimum=1, maximum=8)
    max_kernel_size = check_int(max_kernel_size, "max_kernel_size")
    max_stride = check_int(max_stride, "max_stride")
    max_dilation = check_int(max_dilation, "max_dilation")
    depth = check_int(depth, "depth", minimum=1, maximum=max_depth)
    kernel_size = check_int(kernel_size, "kernel_size", minimum=1, maximum=max_kernel_size)
    stride = check_int(stride, "stride", minimum=1, maximum=max_stride)
    dilation = check_int(dilation, "dilation", minimum=1, maximum=max_dilation)
    _check_stack_budget(max_depth, max_kernel_size, max_stride, max_dilation, max_bytes)

    drawing = ReceptiveFieldDrawing(depth, kernel_size, stride, dilation, image, point,
                                    max_depth)
    controls = {
        "depth": widgets.IntSlider(value=depth, min=1, max=max_depth, description="depth"),
        "kernel_size": widgets.IntSlider(value=kernel_size, min=1, max=max_kernel_size,
                                         description="kernel size",
                                         style={"description_width": "initial"}),
        "stride": widgets.IntSlider(value=stride, min=1, max=max_stride, description="stride"),
        "dilation": widgets.IntSlider(value=dilation, min=1, max=max_dilation,
                                      description="dilation"),
    }
    return FigureApp(drawing.figure, drawing.update, controls, dynamic=drawing.artists,
                     dpi=dpi, caption=_field_caption,
                     alt="Left: a 1-D stack of layers, the lines from the top unit down to the "
                         "inputs it reads. Right: the photo with the square of input pixels "
                         "each layer's unit sees, and a zoom on them.")


def _check_stack_budget(depth: int, kernel_size: int, stride: int, dilation: int,
                        max_bytes: int | None) -> None:
    """Refuse slider maxima whose widest 1-D stack would exceed the memory budget.

    The stack's input is the top unit's field plus two top-layer strides (as
    :func:`cnnmotiv.receptive_fields.layer_stack`); its matrices hold one
    float64 per pair of adjacent units.
    """
    from cnnmotiv.receptive_fields import LayerSpec, layer_lengths, receptive_field

    spec = [LayerSpec(kernel_size, stride=stride, dilation=dilation)] * depth
    top = receptive_field(spec)[-1]
    n = top.size[0] + 2 * top.jump[0]
    lengths = [h for h, _ in layer_lengths(spec, (n, 1))]
    check_bytes(8 * sum(a * b for a, b in zip(lengths[:-1], lengths[1:])),
                what=f"the widest 1-D stack of the sliders (depth {depth}, kernel size "
                     f"{kernel_size}, stride {stride}, dilation {dilation}; n={n})",
                parameter="max_depth, max_kernel_size, max_stride or max_dilation",
                max_bytes=max_bytes)


class ReceptiveFieldDrawing:
    """The figure of :func:`receptive_field_app`: the 1-D stack beside the photo's squares.

    :meth:`update` redraws both for one depth, kernel size, stride and
    dilation and returns the numbers (see :func:`receptive_field_app`).
    """

    def __init__(self, depth, kernel_size, stride, dilation, image, point, max_depth):
        self.point = point
        self.figure = new_figure((8.0, 3.4))
        _, self.stack, self.squares = draw_receptive_fields(
            depth, kernel_size, stride, dilation, image, point, max_depth, self.figure, app=True)
        # The layer labels and the colour key are fixed (fixed_rows / key_only): background.
        self.artists = [self.stack.lines, self.stack.highlight, self.stack.units,
                        self.stack.count, self.squares.image, *self.squares.squares,
                        self.squares.marker, self.squares.window_box]

    def update(self, depth: int, kernel_size: int, stride: int, dilation: int) -> dict:
        """Redraw for one stack; raises ValueError if it leaves no output unit."""
        st = layer_stack(depth, kernel_size, stride=stride, dilation=dilation)
        drawn = self.stack.update(st)
        found = self.squares.update(field_layers(depth, kernel_size, stride=stride,
                                                 dilation=dilation, same=True), point=self.point)
        return {"depth": depth, "kernel_size": kernel_size, "stride": stride,
                "dilation": dilation, "sizes": found["sizes"], "regions": found["regions"],
                "units": found["units"], "stack_field": drawn["field_size"],
                "stack_n": drawn["n"]}


def _field_caption(r: dict) -> str:
    return ("<b>Receptive field</b> (input pixels from first to last row read, per side): "
            + ", ".join(f"layer {l + 1}: {a}&times;{b}" for l, (a, b) in enumerate(r["sizes"]))
            + f". Each layer adds (k&minus;1)&middot;dilation = "
              f"{(r['kernel_size'] - 1) * r['dilation']} times the product of the strides "
              "below it.")


def erf_app(depth: int = 4, kernel_size: int = 3, init: str = "uniform", *,
            max_depth: int = 10, max_kernel_size: int = 5, dpi: float = 72) -> FigureApp:
    """The effective receptive field (heatmap) inside the theoretical square, with sliders.

    Parameters
    ----------
    depth, kernel_size : int
        Initial values of the sliders.
    init : {'uniform', 'random'}
        Initial weights of the layers (a dropdown): box kernels, or random
        weights (``init`` of :func:`~cnnmotiv.receptive_fields.effective_receptive_field`).
    max_depth, max_kernel_size : int
        Ranges of the sliders.
    dpi : float

    Returns
    -------
    FigureApp
        Controls ``depth``, ``kernel_size``, ``init``. ``app.result``:
        ``theory_size`` (side of the theoretical square, ``1 + depth*(k-1)``),
        ``spread`` (measured standard deviation (rows, cols) by
        :func:`cnnmotiv.receptive_fields.erf_spread`), ``uniform_std`` (the
        square-root law, :func:`~cnnmotiv.receptive_fields.uniform_erf_std`),
        ``mass_inside`` (share of the map inside the square: 1 up to rounding),
        ``size`` (side of the map).

    Examples
    --------
    >>> app = erf_app(4, 3)
    >>> app.result["theory_size"]
    9
    """

    max_depth = check_int(max_depth, "max_depth")
    max_kernel_size = check_int(max_kernel_size, "max_kernel_size", minimum=2, maximum=15)
    depth = check_int(depth, "depth", minimum=1, maximum=max_depth)
    kernel_size = check_int(kernel_size, "kernel_size", minimum=2, maximum=max_kernel_size)
    init = check_choice(init, "init", ERF_INITS)
    size = 1 + max_depth * (max_kernel_size - 1) + 6
    # The random-kernel path keeps one (size, size) map per layer.
    check_bytes(8 * size * size * (max_depth + 2), parameter="max_depth",
                what=f"the effective-field maps of a depth-{max_depth} stack ({size} x {size})")

    drawing = ErfDrawing(size)
    controls = {
        "depth": widgets.IntSlider(value=depth, min=1, max=max_depth, description="depth"),
        "kernel_size": widgets.IntSlider(value=kernel_size, min=2, max=max_kernel_size,
                                         description="kernel size",
                                         style={"description_width": "initial"}),
        "init": widgets.Dropdown(options=list(ERF_INITS), value=init, description="weights"),
    }
    return FigureApp(drawing.figure, drawing.update, controls, dynamic=drawing.artists,
                     dpi=dpi,
                     alt=lambda r: (f"Heatmap of the effective receptive field of a depth "
                                    f"{r['depth']} stack of {r['kernel_size']}-tap "
                                    f"{r['init']} kernels inside its theoretical "
                                    f"{r['theory_size']}×{r['theory_size']} square (dashed); "
                                    f"spread σ = {r['spread'][1]:.2f} px."))


class ErfDrawing:
    """The figure of :func:`erf_app`: the effective field as a heatmap in its square.

    :meth:`update` computes the field
    (:func:`cnnmotiv.receptive_fields.effective_receptive_field`) and
    redraws it; it returns the numbers described in :func:`erf_app`.
    """

    def __init__(self, size: int):
        self.size = size
        self.figure = fig = new_figure((4.4, 3.6))
        ax = fig.add_subplot()
        self.image = ax.imshow(np.zeros((size, size)), cmap=SEQUENTIAL_CMAP,
                               interpolation="nearest", vmin=0.0, vmax=1.0)
        fig.colorbar(self.image, ax=ax, shrink=0.85, label="share of the gradient (÷ peak)")
        self.square = ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor=ROLE["theory"],
                                             linewidth=2, linestyle="--"))
        ax.set_xticks([])
        ax.set_yticks([])
        # No legend inside the axes: the heatmap is redrawn over the static background.
        ax.set_title("Effective field (heatmap) in the\ntheoretical square (dashed)",
                     fontsize=10, loc="left")
        self.label = ax.text(0.02, 0.03, "", transform=ax.transAxes, color="white",
                             fontsize=10)
        self.artists = [self.image, self.square, self.label]

    def update(self, depth: int, kernel_size: int, init: str) -> dict:
        """Compute and draw the field of ``depth`` layers of ``kernel_size`` taps."""
        from cnnmotiv.receptive_fields import effective_receptive_field, erf_spread

        size = self.size
        erf = effective_receptive_field(depth, kernel_size, init=init, rng=0, size=size)
        self.image.set_data(erf / erf.max())
        width = 1 + depth * (kernel_size - 1)
        c = (size - 1) / 2
        self.square.set_bounds(c - width / 2, c - width / 2, width, width)
        lo, hi = int(round(c - (width - 1) / 2)), int(round(c + (width - 1) / 2)) + 1
        inside = float(erf[lo:hi, lo:hi].sum() / erf.sum())
        spread = tuple(float(v) for v in erf_spread(erf))
        self.label.set_text(f"field {width}×{width}, spread σ = {spread[1]:.2f} px")
        return {"depth": depth, "kernel_size": kernel_size, "init": init,
                "theory_size": width, "spread": spread,
                "uniform_std": uniform_erf_std(depth, kernel_size),
                "mass_inside": inside, "size": size}
