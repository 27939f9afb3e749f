"""Slider apps for parameter sharing.

* :func:`sharing_app`: a dense, a locally connected and a convolutional 1-D
  layer side by side, as diagrams and as weight matrices, every connection
  coloured by the parameter it uses; sliders for the kernel size, the input
  size and the kernel offset to highlight.
* :func:`parameter_growth_app`: parameters and multiply-accumulates of the
  three layers against image size, with the section's 280 x 320 example and
  an image size the reader picks.

Both build their figure once; a slider move updates the existing artists and
returns the numbers it computed (``app.result``).
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.patches import Rectangle

from cnnmotiv.validation import check_int
from cnnmotiv.counting import LAYER_KINDS, count_layer, growth_counts
from cnnmotiv.matrices import correlation_matrix_1d, locally_connected_matrix, weight_taps
from cnnmotiv.plotting.sharing import (KIND_LABELS, SECTION_IMAGE_SHAPE, TAP_COLOURS,
                                       diagram_geometry, highlight_points,
                                       parameter_colours, parameter_image_from_taps,
                                       plot_parameter_growth, style_diagram)
from cnnmotiv.plotting.style import PALETTE, ROLE, new_figure
from cnnmotiv.widgets.figure_app import FigureApp

_KIND_COLOURS = {kind: ROLE[kind] for kind in LAYER_KINDS}

__all__ = ["sharing_app", "sharing_numbers", "parameter_growth_app", "growth_numbers"]

#: Slider ranges (inclusive) of :func:`sharing_app`.
KERNEL_RANGE = (1, 7)
INPUT_RANGE = (7, 16)
#: Slider style whose description is never truncated.
_WIDE = {"description_width": "initial"}
#: Slider ranges (inclusive) of :func:`parameter_growth_app`.
GROWTH_KERNEL_RANGE = (1, 11)
SIDE_RANGE = (16, 1024)


def _unique_nonzero(matrix) -> int:
    """Number of distinct non-zero values of a dense or scipy.sparse matrix."""
    values = matrix.data if hasattr(matrix, "tocsr") else np.asarray(matrix).ravel()
    return int(np.unique(values[values != 0]).size)


def sharing_numbers(kernel_size: int, n: int, highlight: int = 0) -> dict:
    """The numbers :func:`sharing_app` shows for one setting of its sliders.

    Parameters
    ----------
    kernel_size : int
        Kernel length ``k``.
    n : int
        Input length (``n >= k``); the layers have ``n - k + 1`` outputs.
    highlight : int
        Kernel offset in ``range(k)``.

    Returns
    -------
    dict
        ``parameters`` and ``macs`` of each layer (from :mod:`cnnmotiv.counting`);
        ``distinct_values``: distinct non-zero values in the conv matrix
        (:func:`~cnnmotiv.matrices.correlation_matrix_1d` of the kernel
        ``1, 2, ..., k``) and in a locally connected matrix with random
        weights (:func:`~cnnmotiv.matrices.locally_connected_matrix`);
        ``nnz``: stored entries of those two matrices; ``highlight_uses``:
        connections at the highlighted offset (one per output), and
        ``highlight_parameters``: how many distinct parameters they use in
        each layer (1 for the convolution, one per output otherwise).

    Raises
    ------
    ValueError
        If ``kernel_size > n`` or ``highlight`` is outside the kernel.

    Examples
    --------
    >>> r = sharing_numbers(3, 8, 1)
    >>> r["parameters"], r["distinct_values"]
    ({'dense': 48, 'locally_connected': 18, 'conv': 3}, {'conv': 3, 'locally_connected': 18})
    """
    k = check_int(kernel_size, "kernel_size")
    n = check_int(n, "n")
    if k > n:
        raise ValueError(f"kernel_size must be <= n in 'valid' mode; got kernel_size={k}, n={n}")
    t = check_int(highlight, "highlight", minimum=0)
    if t >= k:
        raise ValueError(f"highlight must be a kernel offset in range({k}); got {t}")
    n_out = n - k + 1
    counts = {kind: count_layer(kind, (1, n), (1, k)) for kind in LAYER_KINDS}
    conv_m = correlation_matrix_1d(np.arange(1.0, k + 1.0), n)
    local_m = locally_connected_matrix((1, k), (1, n), rng=0)
    return {
        "kernel_size": k, "n": n, "n_out": n_out, "highlight": t,
        "parameters": {kind: int(c.parameters) for kind, c in counts.items()},
        "macs": {kind: int(c.macs) for kind, c in counts.items()},
        "distinct_values": {"conv": _unique_nonzero(conv_m),
                            "locally_connected": _unique_nonzero(local_m)},
        "nnz": {"conv": int(np.count_nonzero(conv_m)),
                "locally_connected": int(local_m.nnz)},
        "highlight_uses": n_out,
        "highlight_parameters": {"dense": n_out, "locally_connected": n_out, "conv": 1},
    }


def sharing_app(kernel_size: int = 3, n: int = 10, highlight: int = 1, *,
                dpi: float = 72) -> FigureApp:
    """Dense vs locally connected vs convolution, driven by sliders.

    Parameters
    ----------
    kernel_size : int
        Initial kernel length, in :data:`KERNEL_RANGE`.
    n : int
        Initial input length, in :data:`INPUT_RANGE`.
    highlight : int
        Initial kernel offset to highlight, ``0 <= highlight < kernel_size``.
    dpi : float
        Resolution of the rendered image.

    Returns
    -------
    FigureApp
        Controls ``kernel_size``, ``n`` and ``highlight``; ``app.result`` is
        :func:`sharing_numbers` of the current values. The highlight slider's
        maximum follows the kernel size (its value is clamped when the kernel
        shrinks).

    Raises
    ------
    ValueError
        If an initial value is outside its slider's range.

    Examples
    --------
    >>> app = sharing_app(3, 8)
    >>> app.controls["kernel_size"].value = 5
    >>> app.result["parameters"]["conv"], app.result["nnz"]["locally_connected"]
    (5, 20)
    """
    k0 = check_int(kernel_size, "kernel_size", minimum=KERNEL_RANGE[0], maximum=KERNEL_RANGE[1])
    n0 = check_int(n, "n", minimum=INPUT_RANGE[0], maximum=INPUT_RANGE[1])
    t0 = check_int(highlight, "highlight", minimum=0, maximum=k0 - 1)
    drawing = SharingDrawing(k0)
    k_slider = widgets.IntSlider(value=k0, min=KERNEL_RANGE[0], max=KERNEL_RANGE[1],
                                 description="kernel size", style=_WIDE)
    n_slider = widgets.IntSlider(value=n0, min=INPUT_RANGE[0], max=INPUT_RANGE[1],
                                 description="input size", style=_WIDE)
    t_slider = widgets.IntSlider(value=t0, min=0, max=k0 - 1, description="highlight",
                                 style=_WIDE)

    def follow_kernel(change):
        # Registered before the app's own observer: clamp the highlight first.
        t_slider.max = change["new"] - 1

    k_slider.observe(follow_kernel, names="value")
    return FigureApp(drawing.figure, drawing.update,
                     {"kernel_size": k_slider, "n": n_slider, "highlight": t_slider},
                     dynamic=drawing.artists, dpi=dpi, caption=_sharing_caption,
                     alt=_SHARING_ALT)


_SHARING_ALT = ("Three 1-D layers side by side (dense, locally connected, convolution), as "
                "line diagrams from inputs x to outputs y and as weight matrices, every "
                "connection coloured by the parameter it multiplies by.")


class SharingDrawing:
    """The figure of :func:`sharing_app`: three layer diagrams over their weight matrices.

    Built once for the largest input (:data:`INPUT_RANGE`); :meth:`update`
    redraws the connections, units and matrices for one setting and returns
    :func:`sharing_numbers` of it. ``artists`` are the artists it changes.
    """

    def __init__(self, kernel_size: int):
        self.n_max = INPUT_RANGE[1]
        self.figure = fig = new_figure(figsize=(9.6, 5.2))
        grid = fig.add_gridspec(3, 3, height_ratios=[0.18, 0.75, 1.3])
        self.axes = np.array([[fig.add_subplot(grid[r, c]) for c in range(3)] for r in (1, 2)])
        header = fig.add_subplot(grid[0, :2])
        header.set_axis_off()
        header.text(0, 0.5, "Colour = the parameter a connection multiplies by.\n"
                    "Thick lines and dots: kernel offset t (output i reads input i+t).",
                    fontsize=9, va="center", linespacing=1.4).set_in_layout(False)
        self.lines, self.inputs, self.outputs = {}, {}, {}
        self.images, self.dots, self.frames = {}, {}, {}
        for col, kind in enumerate(LAYER_KINDS):
            self._diagram(kind, self.axes[0, col])
            self._matrix(kind, self.axes[1, col])
        self.axes[1, 0].set_ylabel("← output unit i", fontsize=9)
        self.key_mask = self._kernel_key(fig.add_subplot(grid[0, 2]), kernel_size)
        self.artists = [*self.lines.values(), *self.inputs.values(), *self.outputs.values(),
                        *self.images.values(), *self.dots.values(), *self.frames.values(),
                        self.key_mask]

    def _diagram(self, kind: str, ax) -> None:
        self.lines[kind] = ax.add_collection(LineCollection([], capstyle="round", zorder=1))
        # Line2D markers draw several times faster than scatter collections.
        marker = dict(ms=6.5, mfc="white", mec=PALETTE["black"], mew=1.0, zorder=3)
        self.inputs[kind], = ax.plot([], [], "o", **marker)
        self.outputs[kind], = ax.plot([], [], "o", **marker)
        style_diagram(ax, self.n_max)
        ax.set_title(KIND_LABELS[kind], fontsize=10, color=_KIND_COLOURS[kind],
                     fontweight="bold")

    def _matrix(self, kind: str, ax) -> None:
        # Fixed limits for the largest input: the matrix grows inside a grey field as
        # the sliders move, and the axes never need redrawing (blitting).
        self.images[kind] = ax.imshow(np.ones((1, 1, 4)), interpolation="nearest",
                                      extent=(-0.5, 0.5, 0.5, -0.5))
        ax.set_facecolor("#ececec")
        ax.set_xlim(-0.5, self.n_max - 0.5)
        ax.set_ylim(self.n_max - 0.5, -0.5)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("input unit j →", fontsize=9)
        self.dots[kind], = ax.plot([], [], "o", ms=2.5, color=PALETTE["black"], zorder=3)
        self.frames[kind] = ax.add_patch(Rectangle((-0.5, -0.5), 1, 1, fill=False, lw=0.8,
                                                   edgecolor=PALETTE["black"], zorder=4))
        ax.set_title(f"{KIND_LABELS[kind]} matrix", fontsize=9)

    @staticmethod
    def _kernel_key(ax, kernel_size: int) -> Rectangle:
        """All taps drawn once (static); the returned white mask hides taps >= k."""
        k_max = KERNEL_RANGE[1]
        ax.imshow(parameter_colours("conv", k_max)[None], interpolation="nearest",
                  extent=(-0.5, k_max - 0.5, 0.5, -0.5))
        ax.set_xlim(-2.6, k_max - 0.4)     # room on the left for the label
        ax.set_ylim(0.6, -0.6)
        ax.set_aspect("auto")
        ax.set_axis_off()
        for i in range(k_max):
            ax.text(i, 0, f"w{i}", ha="center", va="center", fontsize=9,
                    color="white" if i % len(TAP_COLOURS) in (0, 3, 4, 8) else "black")
        ax.text(-0.7, 0, "kernel", ha="right", va="center", fontsize=9)
        return ax.add_patch(Rectangle((kernel_size - 0.5, -0.6), k_max, 1.2, facecolor="white",
                                      edgecolor="none", zorder=5, clip_on=False))

    def update(self, kernel_size: int, n: int, highlight: int) -> dict:
        """Redraw for kernel ``kernel_size``, input ``n``, offset ``highlight`` (clamped)."""
        k, t = kernel_size, min(highlight, kernel_size - 1)
        numbers = sharing_numbers(k, n, t)
        shift = (self.n_max - n) / 2  # centre the diagram in its fixed limits
        taps = weight_taps((1, k), (1, n))          # the connections, computed once per move
        for kind in LAYER_KINDS:
            self._update_diagram(kind, k, n, t, taps, shift)
            self._update_matrix(kind, k, n, t, taps)
        self.key_mask.set_x(k - 0.5)
        return numbers

    def _update_diagram(self, kind, k, n, t, taps, shift) -> None:
        segments, colours, widths, _, _, centre = diagram_geometry(kind, k, n, t, taps)
        self.lines[kind].set_segments(segments + np.array([shift, 0.0]))
        self.lines[kind].set_color(colours)
        self.lines[kind].set_linewidth(widths)
        self.inputs[kind].set_data(np.arange(n) + shift, np.zeros(n))
        self.outputs[kind].set_data(centre + shift, np.ones(len(centre)))

    def _update_matrix(self, kind, k, n, t, taps) -> None:
        ids, rgba = parameter_image_from_taps(kind, (1, k), (1, n), taps)
        n_out = ids.shape[0]
        self.images[kind].set_data(rgba)
        self.images[kind].set_extent((-0.5, n - 0.5, n_out - 0.5, -0.5))
        self.frames[kind].set_width(n)
        self.frames[kind].set_height(n_out)
        self.dots[kind].set_data(*highlight_points(kind, (1, k), (1, n), t, taps))


def _sharing_caption(r) -> str:
    p, n, n_out, k, t = r["parameters"], r["n"], r["n_out"], r["kernel_size"], r["highlight"]
    rows = "".join(
        f"<tr><td style='color:{_KIND_COLOURS[kind]}'><b>{KIND_LABELS[kind]}</b></td>"
        f"<td style='text-align:right'>{p[kind]:,}</td><td>{formula}</td>"
        f"<td style='text-align:right'>{r['macs'][kind]:,}</td>"
        f"<td style='text-align:right'>{r['highlight_parameters'][kind]}</td></tr>"
        for kind, formula in (("dense", f"= {n} inputs × {n_out} outputs"),
                              ("locally_connected", f"= {n_out} outputs × {k} taps"),
                              ("conv", f"= {k} taps")))
    return ("<table style='font-size:90%'><tr><th></th><th>parameters</th><th></th>"
            "<th>multiply-accumulates</th>"
            f"<th>weights behind the {r['highlight_uses']} thick lines (offset {t})</th></tr>"
            f"{rows}</table>")


def growth_numbers(kernel_size: int, side: int) -> dict:
    """Counts of the three layers on a ``side x side`` image and on the section's image.

    Parameters
    ----------
    kernel_size : int
        Side ``k`` of the ``k x k`` kernel.
    side : int
        Side of the square image (``side >= k``).

    Returns
    -------
    dict
        ``parameters`` and ``macs`` by kind for the ``(side, side)`` image
        (valid mode, ``kernel_size x kernel_size`` kernel, dense layer to the
        conv's output grid), the ratios ``sparsity`` (dense / locally
        connected parameters) and ``sharing`` (locally connected / conv
        parameters), ``mac_ratio_sharing`` (locally connected / conv MACs,
        always 1), and ``section``: the same parameter counts for 280 x 320.

    Raises
    ------
    ValueError, TypeError
        If a size is not a positive integer or the kernel is larger than
        the image.

    Examples
    --------
    >>> r = growth_numbers(3, 64)
    >>> r["parameters"]["conv"], r["sharing"], r["mac_ratio_sharing"]
    (9, 3844.0, 1.0)
    """
    k = check_int(kernel_size, "kernel_size")
    side = check_int(side, "side")
    g = growth_counts([side], (k, k))
    section = {kind: count_layer(kind, SECTION_IMAGE_SHAPE, (k, k)) for kind in LAYER_KINDS}
    params = {kind: int(g[kind]["parameters"][0]) for kind in LAYER_KINDS}
    macs = {kind: int(g[kind]["macs"][0]) for kind in LAYER_KINDS}
    return {
        "kernel_size": k, "side": side, "inputs": side * side,
        "parameters": params, "macs": macs,
        "sparsity": params["dense"] / params["locally_connected"],
        "sharing": params["locally_connected"] / params["conv"],
        "mac_ratio_sharing": macs["locally_connected"] / macs["conv"],
        "section": {kind: int(c.parameters) for kind, c in section.items()},
        "section_macs": {kind: int(c.macs) for kind, c in section.items()},
    }


def parameter_growth_app(kernel_size: int = 3, side: int = 64, *, dpi: float = 72) -> FigureApp:
    """Parameters and multiply-accumulates against image size, with sliders.

    Parameters
    ----------
    kernel_size : int
        Initial kernel side ``k`` (a ``k x k`` kernel), in :data:`GROWTH_KERNEL_RANGE`.
    side : int
        Initial side of the square image the reader picks, in :data:`SIDE_RANGE`.
    dpi : float

    Returns
    -------
    FigureApp
        Controls ``kernel_size`` and ``side``; ``app.result`` is
        :func:`growth_numbers` of the current values.

    Raises
    ------
    ValueError
        If an initial value is outside its slider's range.

    Examples
    --------
    >>> app = parameter_growth_app(3, 64)
    >>> app.controls["side"].value = 128
    >>> app.result["parameters"]["locally_connected"] == 126 * 126 * 9
    True
    """
    k0 = check_int(kernel_size, "kernel_size", minimum=GROWTH_KERNEL_RANGE[0],
                   maximum=GROWTH_KERNEL_RANGE[1])
    s0 = check_int(side, "side", minimum=SIDE_RANGE[0], maximum=SIDE_RANGE[1])
    drawing = GrowthDrawing(k0)
    k_slider = widgets.IntSlider(value=k0, min=GROWTH_KERNEL_RANGE[0],
                                 max=GROWTH_KERNEL_RANGE[1], description="kernel k×k",
                                 style=_WIDE)
    s_slider = widgets.IntSlider(value=s0, min=SIDE_RANGE[0], max=SIDE_RANGE[1], step=16,
                                 description="image side", style=_WIDE)
    return FigureApp(drawing.figure, drawing.update, {"kernel_size": k_slider, "side": s_slider},
                     dpi=dpi, dynamic=drawing.artists, caption=_growth_caption,
                     alt="Two log-log plots against the number of inputs: parameters (left) "
                         "and multiply-accumulates (right) of a dense, a locally connected "
                         "and a convolutional layer, with the section's 280×320 image and "
                         "the image size picked marked.")


class GrowthDrawing:
    """The figure of :func:`parameter_growth_app`: counts against image size, two panels.

    :meth:`update` moves the curves (kernel size), the section's points and
    the picked image's points, and returns :func:`growth_numbers`.
    """

    def __init__(self, kernel_size: int):
        self.sides = np.unique(np.geomspace(GROWTH_KERNEL_RANGE[1], 2048, 40).round()
                               .astype(int))
        self.figure = fig = new_figure(figsize=(9.0, 3.8))
        self.x_section = SECTION_IMAGE_SHAPE[0] * SECTION_IMAGE_SHAPE[1]
        self.curves, self.section_dots, self.pick_dots = {}, {}, {}
        self.pick_lines, self.pick_labels = {}, {}
        for ax, quantity in zip(fig.subplots(1, 2), ("parameters", "macs")):
            self._panel(ax, quantity, kernel_size)
        fig.axes[0].set_title("parameters", fontsize=10)
        fig.axes[1].set_title("multiply-accumulates (conv dashed over locally connected)",
                              fontsize=10)
        self.artists = [*self.curves["parameters"], *self.curves["macs"],
                        *self.section_dots.values(), *self.pick_lines.values(),
                        *self.pick_labels.values(), *self.pick_dots.values()]

    def _panel(self, ax, quantity: str, kernel_size: int) -> None:
        colours = [ROLE["dense"], ROLE["locally_connected"], ROLE["conv"]]
        plot_parameter_growth(kernel_size, quantity=quantity, sides=self.sides, mark=None, ax=ax)
        self.curves[quantity] = ax.lines[:3]
        ax.axvline(self.x_section, color=PALETTE["grey"], ls=":", lw=1.0, zorder=0)
        ax.annotate(f"{SECTION_IMAGE_SHAPE[0]}×{SECTION_IMAGE_SHAPE[1]}", (self.x_section, 1),
                    xycoords=("data", "axes fraction"), xytext=(3, -11),
                    textcoords="offset points", fontsize=9, color=PALETTE["grey"])
        self.section_dots[quantity] = ax.scatter([self.x_section] * 3, [1, 1, 1], s=22,
                                                 zorder=4, c=colours)
        self.pick_lines[quantity] = ax.axvline(1, color=ROLE["highlight"], lw=1.0, zorder=0)
        self.pick_labels[quantity] = ax.text(1, 0.02, "", transform=ax.get_xaxis_transform(),
                                             fontsize=9, color=ROLE["highlight"], ha="left")
        self.pick_dots[quantity] = ax.scatter([1] * 3, [1, 1, 1], s=40, marker="D", zorder=5,
                                              c=colours, edgecolors=ROLE["highlight"])
        ax.set_ylim(0.5, 1e15)
        ax.set_xlim(self.sides[0] ** 2 * 0.8, self.sides[-1] ** 2 * 1.25)

    def update(self, kernel_size: int, side: int) -> dict:
        """Redraw for a ``kernel_size`` square kernel and a ``side x side`` image."""
        numbers = growth_numbers(kernel_size, side)
        g = growth_counts(self.sides, (kernel_size, kernel_size))
        section = {"parameters": numbers["section"], "macs": numbers["section_macs"]}
        x = side * side
        for quantity in ("parameters", "macs"):
            for line, kind in zip(self.curves[quantity], LAYER_KINDS):
                line.set_ydata(g[kind][quantity])
            self.section_dots[quantity].set_offsets(np.column_stack(
                [[self.x_section] * 3, [section[quantity][kind] for kind in LAYER_KINDS]]))
            self.pick_lines[quantity].set_xdata([x, x])
            self.pick_labels[quantity].set_x(x * 1.15)
            self.pick_labels[quantity].set_text(f"{side}×{side}")
            self.pick_dots[quantity].set_offsets(
                np.column_stack([[x] * 3, [numbers[quantity][kind] for kind in LAYER_KINDS]]))
        return numbers


def _growth_caption(numbers: dict) -> str:
    p, m, side, k = (numbers["parameters"], numbers["macs"], numbers["side"],
                     numbers["kernel_size"])
    return (f"<b>{side}×{side} image, {k}×{k} kernel (valid).</b> "
            f"Parameters: dense {p['dense']:,}, locally connected {p['locally_connected']:,}, "
            f"convolution {p['conv']:,}. Sparsity divides by {numbers['sparsity']:,.1f}, "
            f"sharing by {numbers['sharing']:,.0f}. Multiply-accumulates: dense {m['dense']:,}, "
            f"locally connected {m['locally_connected']:,}, convolution {m['conv']:,} "
            f"(sharing saves none).")
