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

from cnnmotiv.validation import check_choice, check_int, check_shape
from cnnmotiv.budget import check_bytes, format_bytes
from cnnmotiv.counting import LAYER_FORMS, layer_costs
from cnnmotiv.plotting.efficiency import (EDGE_KERNELS, KIND_LABELS, METRICS, edge_map,
                                          format_count, plot_cost_bars, robust_limit)
from cnnmotiv.plotting.style import DIVERGING_CMAP, PALETTE, new_figure
from cnnmotiv.widgets.figure_app import FigureApp

__all__ = ["IMAGES", "edge_detection_app", "cost_app"]

#: The images the edge app offers, by the name shown on its toggle.
IMAGES = ("photo", "shapes")

_KERNEL_GRID = 3  # the kernel panel shows up to 3 x 3 weights


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
        additions), ``edges`` (the edge map), ``max_abs`` and
        ``colour_limit`` (the colour bar's end: the 98th percentile of
        ``|edges|``; the map is drawn divided by it).

    Raises
    ------
    ValueError
        Unknown kernel or image name, or a shape smaller than 3 x 3.
    """
    check_choice(kernel, "kernel", EDGE_KERNELS)
    check_choice(image, "image", IMAGES)

    shape = check_shape(shape, "shape", ndim=2, minimum=3)
    # Two images, the edge map and the canvas' copies of them, in float64.
    check_bytes(6 * 8 * shape[0] * shape[1], what=f"the {shape[0]} x {shape[1]} edge app",
                parameter="shape")

    drawing = EdgeDrawing(image, shape)
    controls = {
        "kernel": widgets.Dropdown(options=list(EDGE_KERNELS), value=kernel,
                                   description="kernel", layout=widgets.Layout(width="22em")),
        "image": widgets.ToggleButtons(options=list(IMAGES), value=image, description="image"),
    }
    return FigureApp(drawing.figure, drawing.update, controls, dynamic=drawing.artists,
                     caption=_edge_caption,
                     alt=lambda r: (f"The {r['image']} ({r['input_shape'][0]}×"
                                    f"{r['input_shape'][1]}), the {r['weights'].shape[0]}×"
                                    f"{r['weights'].shape[1]} kernel's weights and its edge "
                                    f"map, red where brightness rises along the kernel, blue "
                                    f"where it falls, with a colour bar of the response."))


class EdgeDrawing:
    """The figure of :func:`edge_detection_app`: input, kernel weights, signed edge map.

    :meth:`update` filters the image (:func:`cnnmotiv.plotting.efficiency.edge_map`)
    and redraws; the edge map's colour bar follows its symmetric scale.
    """

    def __init__(self, image: str, shape: tuple[int, int]):
        self.shape, self.images = shape, {}
        self.figure = fig = new_figure((7.6, 3.0), dpi=72)
        fig.set_layout_engine("none")
        ax_in = fig.add_axes((0.01, 0.05, 0.37, 0.80))
        ax_k = fig.add_axes((0.395, 0.28, 0.12, 0.34))
        ax_out = fig.add_axes((0.53, 0.05, 0.37, 0.80))
        self.im_in = ax_in.imshow(self._image(image), cmap="gray", vmin=0, vmax=1,
                                  interpolation="antialiased")
        self.im_out = ax_out.imshow(np.zeros(shape), cmap=DIVERGING_CMAP, vmin=-1, vmax=1,
                                    interpolation="antialiased")
        ax_out.set_xlim(-0.5, shape[1] - 0.5)
        ax_out.set_ylim(shape[0] - 0.5, -0.5)
        self.im_k = ax_k.imshow(np.ma.masked_all((_KERNEL_GRID, _KERNEL_GRID)),
                                cmap=DIVERGING_CMAP, vmin=-2, vmax=2)
        ax_k.set_xlim(-0.5, _KERNEL_GRID - 0.5)
        ax_k.set_ylim(_KERNEL_GRID - 0.5, -0.5)
        self.weight_texts = [[ax_k.text(c, r, "", ha="center", va="center", fontsize=10)
                              for c in range(_KERNEL_GRID)] for r in range(_KERNEL_GRID)]
        for ax in (ax_in, ax_k, ax_out):
            ax.set_xticks([])
            ax.set_yticks([])
        for side in ax_k.spines.values():
            side.set_color(PALETTE["grey"])
        ax_in.set_title(f"input image ({shape[0]}×{shape[1]})", fontsize=10)
        ax_k.set_title("kernel", fontsize=10)
        ax_out.set_title("edge map (valid)", fontsize=10)
        # The map is drawn divided by its colour limit, so the bar's axes never change
        # (no full redraw): its three tick labels are texts that show the scale.
        cax = fig.add_axes((0.905, 0.12, 0.015, 0.66))
        self.colorbar = fig.colorbar(self.im_out, cax=cax, ticks=[-1, 0, 1])
        self.colorbar.ax.set_yticklabels([])
        self.scale = [cax.text(1.6, y, "", transform=cax.get_yaxis_transform(), fontsize=9,
                               va="center") for y in (-1, 0, 1)]
        fig.text(0.995, 0.85, "response", ha="right", va="bottom", fontsize=9)
        self.artists = [self.im_in, self.im_out, self.im_k, *self.scale,
                        *[t for row in self.weight_texts for t in row]]

    def _image(self, name: str) -> np.ndarray:
        from cnnmotiv import data

        if name not in self.images:
            self.images[name] = (data.photo(self.shape) if name == "photo"
                                 else data.shapes(self.shape))
        return self.images[name]

    def update(self, kernel: str, image: str) -> dict:
        """Filter ``image`` with ``EDGE_KERNELS[kernel]`` and redraw the three panels."""
        weights, x = EDGE_KERNELS[kernel], self._image(image)
        edges = edge_map(x, weights)
        limit = robust_limit(edges)
        self.im_in.set_data(x)
        self.im_out.set_data(edges / limit)
        for text, value in zip(self.scale, (-limit, 0.0, limit)):
            text.set_text(f"{value:+.2g}" if value else "0")
        kh, kw = weights.shape
        # Output (i, j) is drawn over the centre of the input patch it reads, so
        # the axes keep the input's limits (no re-layout) whatever the kernel.
        top, left = (kh - 1) / 2 - 0.5, (kw - 1) / 2 - 0.5
        self.im_out.set_extent((left, left + edges.shape[1], top + edges.shape[0], top))
        self._show_weights(weights)
        outputs = edges.size
        return {"kernel": kernel, "weights": weights, "image": image,
                "input_shape": self.shape, "output_shape": edges.shape, "outputs": outputs,
                "macs_per_output": weights.size, "macs": outputs * weights.size,
                "flops": outputs * (2 * weights.size - 1),
                "edges": edges, "max_abs": float(np.abs(edges).max()), "colour_limit": limit}

    def _show_weights(self, weights: np.ndarray) -> None:
        kh, kw = weights.shape
        shown = np.ma.masked_all((_KERNEL_GRID, _KERNEL_GRID))
        shown[:kh, :kw] = weights
        self.im_k.set_data(shown)
        for r in range(_KERNEL_GRID):
            for c in range(_KERNEL_GRID):
                inside = r < kh and c < kw
                text = self.weight_texts[r][c]
                text.set_text(f"{weights[r, c]:g}" if inside else "")
                text.set_color("white" if inside and abs(weights[r, c]) > 1.2 else "black")


def _edge_caption(r: dict) -> str:
    (kh, kw), (h, w), (oh, ow) = r["weights"].shape, r["input_shape"], r["output_shape"]
    taps = r["macs_per_output"]
    return (f"<b>{kh}×{kw} kernel</b> on the {h}×{w} {r['image']}: "
            f"{oh}×{ow} = {r['outputs']:,} outputs × {taps} "
            f"multiply-adds = <b>{r['macs']:,} MACs</b> ({r['flops']:,} flops counting "
            f"{taps} multiplications + {taps - 1} additions per output). "
            f"Red: brighter along the kernel's direction; blue: darker.")


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
        :func:`cnnmotiv.counting.layer_costs`), ``shape``,
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

    drawing = CostDrawing(height, width, kernel_size, max_side)
    controls = {
        "height": _slider(height, max_kernel + 1, max_side, "height H"),
        "width": _slider(width, max_kernel + 1, max_side, "width W"),
        "kernel_size": _slider(kernel_size, 1, max_kernel, "kernel k×k"),
    }
    return FigureApp(drawing.figure, drawing.update, controls, dynamic=drawing.artists,
                     caption=lambda r: _cost_table(r["costs"], r["shape"], r["kernel_shape"],
                                                   r["output_shape"], r["mac_ratio"],
                                                   r["dense_bytes"]),
                     alt="Log-scale bars of the parameters, stored numbers and "
                         "multiply-accumulates of one layer as a dense matrix, a locally "
                         "connected layer, the convolution's sparse matrix and the "
                         "convolution, each bar labelled with its count.")


def _slider(value, lo, hi, description) -> widgets.IntSlider:
    return widgets.IntSlider(value=value, min=lo, max=hi, description=description,
                             continuous_update=True)


class CostDrawing:
    """The figure of :func:`cost_app`: log-scale cost bars, each carrying its count.

    :meth:`update` recomputes :func:`cnnmotiv.counting.layer_costs`
    and moves the bars and their labels.
    """

    def __init__(self, height: int, width: int, kernel_size: int, max_side: int):
        self.figure = fig = new_figure((6.6, 3.9), dpi=72)
        ax = fig.add_subplot()
        initial = layer_costs((height, width), kernel_size)
        top = float(max_side) ** 4 * 30  # room for the legend above the largest bar
        # Each bar carries its count (3 significant digits): on a log axis one slider step
        # moves a bar by a hair, but its number changes visibly.
        plot_cost_bars(initial, ax=ax, ylim=(0.5, top), labels=True)
        self.counts = list(ax.texts)  # one per bar, in the order of the bars
        for text in self.counts:
            text.set_fontsize(max(text.get_fontsize(), 9))
        ax.tick_params(labelsize=9)
        ax.legend(fontsize=9, loc="upper right", frameon=False, ncols=2)
        self.containers = list(ax.containers)
        self.kinds = [k for k in LAYER_FORMS if k in initial[METRICS[0]]]
        self.artists = [bar for bars in self.containers for bar in bars.patches] + self.counts

    def update(self, height: int, width: int, kernel_size: int) -> dict:
        """Recount for an ``(height, width)`` image and a ``kernel_size`` square kernel."""
        from cnnmotiv.matrices import dense_matrix_nbytes

        shape, kshape = (height, width), (kernel_size, kernel_size)
        costs = layer_costs(shape, kshape)
        texts = iter(self.counts)
        for kind, bars in zip(self.kinds, self.containers):
            for metric, bar in zip(METRICS, bars.patches):
                value = costs[metric][kind]
                bar.set_height(value)
                text = next(texts)
                text.set_text(format_count(value))
                text.set_y(value * 1.4)
        out = (height - kernel_size + 1, width - kernel_size + 1)
        return {"costs": costs, "shape": shape, "kernel_shape": kshape, "output_shape": out,
                "mac_ratio": costs["MACs"]["dense"] / costs["MACs"]["conv"],
                "dense_bytes": dense_matrix_nbytes(shape, kshape)}


def _cost_table(costs, shape, kshape, out, ratio, nbytes) -> str:
    """The numbers behind the bars, as an HTML table with exact values."""
    head = "".join(f"<th style='padding:0 8px'>{KIND_LABELS[k]}</th>" for k in LAYER_FORMS)
    rows = "".join(
        f"<tr><td>{metric}</td>"
        + "".join(f"<td style='text-align:right;padding:0 8px'>{costs[metric][k]:,}</td>"
                  for k in LAYER_FORMS) + "</tr>" for metric in METRICS)
    return (f"<b>{shape[0]}×{shape[1]} image, {kshape[0]}×{kshape[1]} kernel → "
            f"{out[0]}×{out[1]} outputs</b> (valid). Dense needs H·W/k² = "
            f"<b>{ratio:,.1f}×</b> the MACs of the convolution; its float64 matrix would "
            f"take <b>{format_bytes(nbytes)}</b>."
            f"<table><tr><th></th>{head}</tr>{rows}</table>")
