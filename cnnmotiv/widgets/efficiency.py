"""Slider apps for the computational-efficiency part.

* :func:`edge_detection_app`: pick an edge kernel and an image; see the kernel's
  weights, the input and its edge map, with the outputs and operations counted.
* :func:`cost_app`: move the image and kernel sizes; log-scale bars of the
  parameters, stored numbers and multiply-accumulates of the layer as a dense
  matrix, a locally connected layer, the convolution's sparse matrix and the
  convolution itself move with them.

Both return a :class:`~cnnmotiv.widgets.figure_app.FigureApp` without showing it.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from cnnmotiv._validation import check_choice, check_int, format_bytes
from cnnmotiv.plotting.efficiency import (EDGE_KERNELS, KIND_LABELS, KINDS, METRICS,
                                          format_count,
                                          robust_limit, edge_map, layer_costs, plot_cost_bars)
from cnnmotiv.plotting.style import DIVERGING_CMAP, PALETTE, new_figure
from cnnmotiv.widgets.figure_app import FigureApp

__all__ = ["IMAGES", "edge_detection_app", "cost_app"]

#: The images the edge app offers, by the name shown on its toggle.
IMAGES = ("photo", "shapes")

_KERNEL_GRID = 3  # the kernel panel shows up to 3 x 3 weights


def _image(name: str, shape: tuple[int, int]) -> np.ndarray:
    from cnnmotiv import data

    return data.photo(shape) if name == "photo" else data.shapes(shape)


def _control_class(control: widgets.Widget, name: str) -> widgets.Widget:
    control.add_class(f"cnnmotiv-control-{name.replace('_', '-')}")
    return control


def edge_detection_app(*, kernel: str = "[-1, 1] (2-tap, horizontal change)",
                       image: str = "photo", shape=(280, 320)) -> FigureApp:
    """An app: a dropdown of edge kernels and a photo/synthetic toggle.

    The figure shows the input image, the kernel's weights and the edge map
    (the valid cross-correlation, :func:`cnnmotiv.convolution.correlate2d`).

    Parameters
    ----------
    kernel : str, optional
        Initial kernel, a key of :data:`cnnmotiv.plotting.efficiency.EDGE_KERNELS`.
    image : {"photo", "shapes"}, optional
        Initial image: the photograph (:func:`cnnmotiv.data.photo`) or the
        synthetic square, disc and triangle (:func:`cnnmotiv.data.shapes`).
    shape : (int, int), optional
        Image shape ``(H, W)``, at least 3 x 3.

    Returns
    -------
    FigureApp
        Controls ``"kernel"`` (Dropdown) and ``"image"`` (ToggleButtons).
        ``app.result`` is a dict: ``kernel`` (name), ``weights`` (the kernel
        array), ``image`` (name), ``input_shape``, ``output_shape``,
        ``outputs``, ``macs_per_output``, ``macs`` (outputs times taps),
        ``flops`` (per output: one multiplication per tap and one fewer
        additions), ``edges`` (the edge map) and ``max_abs``.

    Raises
    ------
    ValueError
        Unknown kernel or image name, or a shape smaller than 3 x 3.
    """
    check_choice(kernel, "kernel", EDGE_KERNELS)
    check_choice(image, "image", IMAGES)
    from cnnmotiv._validation import check_shape

    shape = check_shape(shape, "shape", ndim=2, minimum=3)

    fig = new_figure((7.6, 3.0), dpi=72)
    fig.set_layout_engine("none")
    ax_in = fig.add_axes((0.01, 0.05, 0.40, 0.80))
    ax_k = fig.add_axes((0.43, 0.28, 0.14, 0.34))
    ax_out = fig.add_axes((0.59, 0.05, 0.40, 0.80))

    first = _image(image, shape)
    im_in = ax_in.imshow(first, cmap="gray", vmin=0, vmax=1, interpolation="antialiased")
    im_out = ax_out.imshow(np.zeros(shape), cmap=DIVERGING_CMAP, vmin=-1, vmax=1,
                           interpolation="antialiased")
    ax_out.set_xlim(-0.5, shape[1] - 0.5)
    ax_out.set_ylim(shape[0] - 0.5, -0.5)
    grid = np.ma.masked_all((_KERNEL_GRID, _KERNEL_GRID))
    im_k = ax_k.imshow(grid, cmap=DIVERGING_CMAP, vmin=-2, vmax=2)
    ax_k.set_xlim(-0.5, _KERNEL_GRID - 0.5)
    ax_k.set_ylim(_KERNEL_GRID - 0.5, -0.5)
    weight_texts = [[ax_k.text(c, r, "", ha="center", va="center", fontsize=10)
                     for c in range(_KERNEL_GRID)] for r in range(_KERNEL_GRID)]
    for ax in (ax_in, ax_k, ax_out):
        ax.set_xticks([])
        ax.set_yticks([])
    for side in ax_k.spines.values():
        side.set_color(PALETTE["grey"])
    ax_in.set_title(f"input image ({shape[0]}×{shape[1]})", fontsize=10)
    ax_k.set_title("kernel", fontsize=10)
    ax_out.set_title("edge map (valid)", fontsize=10)
    caption = widgets.HTML()
    caption.add_class("cnnmotiv-readout")
    images = {}

    def update(kernel: str, image: str) -> dict:
        weights = EDGE_KERNELS[kernel]
        if image not in images:
            images[image] = _image(image, shape)
        x = images[image]
        # No BLAS pinning needed here: correlate2d keeps its BLAS calls short
        # unless BLAS already runs on one thread.
        edges = edge_map(x, weights)
        limit = robust_limit(edges)
        im_in.set_data(x)
        im_out.set_data(edges)
        im_out.set_clim(-limit, limit)
        kh, kw = weights.shape
        # Output (i, j) is drawn over the centre of the input patch it reads, so
        # the axes keep the input's limits (no re-layout) whatever the kernel.
        top, left = (kh - 1) / 2 - 0.5, (kw - 1) / 2 - 0.5
        im_out.set_extent((left, left + edges.shape[1], top + edges.shape[0], top))
        shown = np.ma.masked_all((_KERNEL_GRID, _KERNEL_GRID))
        shown[:kh, :kw] = weights
        im_k.set_data(shown)
        for r in range(_KERNEL_GRID):
            for c in range(_KERNEL_GRID):
                inside = r < kh and c < kw
                text = weight_texts[r][c]
                text.set_text(f"{weights[r, c]:g}" if inside else "")
                text.set_color("white" if inside and abs(weights[r, c]) > 1.2 else "black")
        outputs = edges.size
        macs = outputs * weights.size
        flops = outputs * (2 * weights.size - 1)
        caption.value = (
            f"<b>{kh}×{kw} kernel</b> on the {shape[0]}×{shape[1]} {image}: "
            f"{edges.shape[0]}×{edges.shape[1]} = {outputs:,} outputs × {weights.size} "
            f"multiply-adds = <b>{macs:,} MACs</b> ({flops:,} flops counting "
            f"{weights.size} multiplications + {weights.size - 1} additions per output). "
            f"Red: brighter along the kernel's direction; blue: darker.")
        return {"kernel": kernel, "weights": weights, "image": image,
                "input_shape": shape, "output_shape": edges.shape, "outputs": outputs,
                "macs_per_output": weights.size, "macs": macs, "flops": flops,
                "edges": edges, "max_abs": float(np.abs(edges).max())}

    controls = {
        "kernel": _control_class(widgets.Dropdown(options=list(EDGE_KERNELS), value=kernel,
                                                  description="kernel",
                                                  layout=widgets.Layout(width="22em")),
                                 "kernel"),
        "image": _control_class(widgets.ToggleButtons(options=list(IMAGES), value=image,
                                                      description="image"), "image"),
    }
    dynamic = [im_in, im_out, im_k, *[t for row in weight_texts for t in row]]
    return FigureApp(fig, update, controls, dynamic=dynamic, caption=caption)


def cost_app(*, height: int = 280, width: int = 320, kernel_size: int = 3,
             max_side: int = 512, max_kernel: int = 15) -> FigureApp:
    """An app: sliders for the image and kernel size, log-scale cost bars that follow.

    Parameters
    ----------
    height, width : int, optional
        Initial image shape ``(H, W)``, between ``max_kernel + 1`` and
        ``max_side``.
    kernel_size : int, optional
        Initial side ``k`` of the ``k x k`` kernel, between 1 and
        ``max_kernel``.
    max_side : int, optional
        Largest image side the sliders allow.
    max_kernel : int, optional
        Largest kernel side the slider allows; the image sliders start above
        it so that the kernel always fits (valid mode).

    Returns
    -------
    FigureApp
        Controls ``"height"``, ``"width"``, ``"kernel_size"`` (IntSliders).
        ``app.result`` is a dict: ``costs`` (``costs[metric][kind]`` as
        :func:`cnnmotiv.plotting.efficiency.layer_costs`), ``shape``,
        ``kernel_shape``, ``output_shape``, ``mac_ratio`` (dense MACs over
        convolution MACs, which equals ``H * W / k**2``) and
        ``dense_bytes`` (float64 dense matrix).

    Raises
    ------
    ValueError, TypeError
        Non-integer or out-of-range sizes.
    """
    max_kernel = check_int(max_kernel, "max_kernel")
    max_side = check_int(max_side, "max_side", minimum=max_kernel + 1)
    kernel_size = check_int(kernel_size, "kernel_size")
    if kernel_size > max_kernel:
        raise ValueError(f"kernel_size must be <= max_kernel = {max_kernel}; got {kernel_size}")
    for name, value in (("height", height), ("width", width)):
        check_int(value, name, minimum=max_kernel + 1)
        if value > max_side:
            raise ValueError(f"{name} must be <= max_side = {max_side}; got {value}")

    from cnnmotiv.matrices import dense_matrix_nbytes

    fig = new_figure((6.6, 3.7), dpi=72)
    ax = fig.add_subplot()
    initial = layer_costs((height, width), kernel_size)
    top = float(max_side) ** 4 * 30  # room for the legend above the largest bar
    # Each bar carries its count (3 significant digits): on a log axis one slider step
    # moves a bar by a hair, but its number changes visibly.
    plot_cost_bars(initial, ax=ax, ylim=(0.5, top), labels=True)
    counts = list(ax.texts)  # one per bar, in the order of the bars
    ax.legend(fontsize=8, loc="upper right", frameon=False, ncols=2)
    containers = list(ax.containers)
    kinds = [k for k in KINDS if k in initial[METRICS[0]]]
    caption = widgets.HTML()
    caption.add_class("cnnmotiv-readout")

    def update(height: int, width: int, kernel_size: int) -> dict:
        shape, kshape = (height, width), (kernel_size, kernel_size)
        costs = layer_costs(shape, kshape)
        texts = iter(counts)
        for kind, bars in zip(kinds, containers):
            for metric, bar in zip(METRICS, bars.patches):
                value = costs[metric][kind]
                bar.set_height(value)
                text = next(texts)
                text.set_text(format_count(value))
                text.set_y(value * 1.4)
        out = (height - kernel_size + 1, width - kernel_size + 1)
        ratio = costs["MACs"]["dense"] / costs["MACs"]["conv"]
        nbytes = dense_matrix_nbytes(shape, kshape)
        caption.value = _cost_table(costs, shape, kshape, out, ratio, nbytes)
        return {"costs": costs, "shape": shape, "kernel_shape": kshape, "output_shape": out,
                "mac_ratio": ratio, "dense_bytes": nbytes}

    def slider(name, value, lo, hi, description, step=1):
        return _control_class(widgets.IntSlider(value=value, min=lo, max=hi, step=step,
                                                description=description,
                                                continuous_update=True), name)

    controls = {
        "height": slider("height", height, max_kernel + 1, max_side, "height H"),
        "width": slider("width", width, max_kernel + 1, max_side, "width W"),
        "kernel_size": slider("kernel_size", kernel_size, 1, max_kernel, "kernel k×k"),
    }
    dynamic = [bar for bars in containers for bar in bars.patches] + counts
    return FigureApp(fig, update, controls, dynamic=dynamic, caption=caption)


def _cost_table(costs, shape, kshape, out, ratio, nbytes) -> str:
    """The numbers behind the bars, as an HTML table with exact values."""
    head = "".join(f"<th style='padding:0 8px'>{KIND_LABELS[k]}</th>" for k in KINDS)
    rows = "".join(
        f"<tr><td>{metric}</td>"
        + "".join(f"<td style='text-align:right;padding:0 8px'>{costs[metric][k]:,}</td>"
                  for k in KINDS) + "</tr>" for metric in METRICS)
    return (f"<b>{shape[0]}×{shape[1]} image, {kshape[0]}×{kshape[1]} kernel → "
            f"{out[0]}×{out[1]} outputs</b> (valid). Dense needs H·W/k² = "
            f"<b>{ratio:,.1f}×</b> the MACs of the convolution; its float64 matrix would "
            f"take <b>{format_bytes(nbytes)}</b>."
            f"<table><tr><th></th>{head}</tr>{rows}</table>")
