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
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.patches import Rectangle

from cnnmotiv._validation import check_int
from cnnmotiv.counting import count_layer, growth_counts
from cnnmotiv.matrices import correlation_matrix_1d, locally_connected_matrix, weight_taps
from cnnmotiv.plotting.sharing import (KIND_LABELS, KINDS, SECTION_IMAGE_SHAPE, TAP_COLOURS,
                                       _diagram_geometry, _highlight_points, _parameter_image,
                                       _style_diagram, parameter_colours,
                                       plot_parameter_growth)
from cnnmotiv.plotting.style import PALETTE, ROLE, new_figure
from cnnmotiv.widgets.figure_app import FigureApp

_KIND_COLOURS = {"dense": ROLE["dense"], "locally_connected": ROLE["local"], "conv": ROLE["conv"]}

__all__ = ["sharing_app", "sharing_numbers", "parameter_growth_app", "growth_numbers",
           "KERNEL_RANGE", "INPUT_RANGE", "GROWTH_KERNEL_RANGE", "SIDE_RANGE"]

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
    counts = {kind: count_layer(kind, (1, n), (1, k)) for kind in KINDS}
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

    n_max = INPUT_RANGE[1]
    fig = new_figure(figsize=(9.6, 5.0))
    grid = fig.add_gridspec(3, 3, height_ratios=[0.16, 0.75, 1.3])
    axes = np.array([[fig.add_subplot(grid[r, c]) for c in range(3)] for r in (1, 2)])
    header = fig.add_subplot(grid[0, :2])
    header.set_axis_off()
    header.text(0, 0.5, "Colour = the parameter a connection multiplies by.\n"
                "Thick lines and dots: kernel offset t (output i reads input i+t).",
                fontsize=8.5, va="center", linespacing=1.4).set_in_layout(False)
    lines, inputs, outputs, images, dots, frames = {}, {}, {}, {}, {}, {}
    for col, kind in enumerate(KINDS):
        top, bottom = axes[0, col], axes[1, col]
        lines[kind] = top.add_collection(LineCollection([], capstyle="round", zorder=1))
        # Line2D markers draw several times faster than scatter collections.
        inputs[kind], = top.plot([], [], "o", ms=6.5, mfc="white", mec=PALETTE["black"],
                                 mew=1.0, zorder=3)
        outputs[kind], = top.plot([], [], "o", ms=6.5, mfc="white", mec=PALETTE["black"],
                                  mew=1.0, zorder=3)
        _style_diagram(top, n_max)
        # Fixed limits for the largest input: the matrix grows inside a grey field as
        # the sliders move, and the axes never need redrawing (blitting).
        images[kind] = bottom.imshow(np.ones((1, 1, 4)), interpolation="nearest",
                                     extent=(-0.5, 0.5, 0.5, -0.5))
        bottom.set_facecolor("#ececec")
        bottom.set_xlim(-0.5, n_max - 0.5)
        bottom.set_ylim(n_max - 0.5, -0.5)
        bottom.set_xticks([])
        bottom.set_yticks([])
        bottom.set_xlabel("input unit j →", fontsize=8)
        dots[kind], = bottom.plot([], [], "o", ms=2.5, color=PALETTE["black"], zorder=3)
        frames[kind] = bottom.add_patch(Rectangle((-0.5, -0.5), 1, 1, fill=False, lw=0.8,
                                                  edgecolor=PALETTE["black"], zorder=4))
        top.set_title(KIND_LABELS[kind], fontsize=9, color=_KIND_COLOURS[kind],
                      fontweight="bold")
        bottom.set_title(f"{KIND_LABELS[kind]} matrix", fontsize=8.5)
    axes[1, 0].set_ylabel("← output unit i", fontsize=8)
    # The kernel key: all taps drawn once (static); a white mask hides taps >= k.
    k_max = KERNEL_RANGE[1]
    key_ax = fig.add_subplot(grid[0, 2])
    key_ax.imshow(parameter_colours("conv", k_max)[None], interpolation="nearest",
                  extent=(-0.5, k_max - 0.5, 0.5, -0.5))
    key_ax.set_xlim(-2.6, k_max - 0.4)     # room on the left for the label
    key_ax.set_ylim(0.6, -0.6)
    key_ax.set_aspect("auto")
    key_ax.set_axis_off()
    for i in range(k_max):
        key_ax.text(i, 0, f"w{i}", ha="center", va="center", fontsize=7.5,
                    color="white" if i % len(TAP_COLOURS) in (0, 3, 4, 8) else "black")
    key_ax.text(-0.7, 0, "kernel", ha="right", va="center", fontsize=8.5)
    key_mask = key_ax.add_patch(Rectangle((k0 - 0.5, -0.6), k_max, 1.2, facecolor="white",
                                          edgecolor="none", zorder=5, clip_on=False))

    caption = widgets.HTML()

    def update(kernel_size, n, highlight):
        k, t = kernel_size, min(highlight, kernel_size - 1)
        numbers = sharing_numbers(k, n, t)
        shift = (n_max - n) / 2  # centre the diagram in its fixed limits
        taps = weight_taps((1, k), (1, n))          # the connections, computed once per move
        for col, kind in enumerate(KINDS):
            segments, colours, widths, _, _, centre = _diagram_geometry(kind, k, n, t, taps)
            segments = segments + np.array([shift, 0.0])
            lines[kind].set_segments(segments)
            lines[kind].set_color(colours)
            lines[kind].set_linewidth(widths)
            inputs[kind].set_data(np.arange(n) + shift, np.zeros(n))
            outputs[kind].set_data(centre + shift, np.ones(len(centre)))
            ids, rgba = _parameter_image(kind, (1, k), (1, n), taps)
            n_out = ids.shape[0]
            images[kind].set_data(rgba)
            images[kind].set_extent((-0.5, n - 0.5, n_out - 0.5, -0.5))
            frames[kind].set_width(n)
            frames[kind].set_height(n_out)
            xs, ys = _highlight_points(kind, (1, k), (1, n), t, taps)
            dots[kind].set_data(xs, ys)
        key_mask.set_x(k - 0.5)
        caption.value = _sharing_caption(numbers)
        return numbers

    dynamic = [*lines.values(), *inputs.values(), *outputs.values(), *images.values(),
               *dots.values(), *frames.values(), key_mask]
    initial = dict(kernel_size=k0, n=n0, highlight=t0)
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
    _freeze_layout(fig, dpi, update, initial)
    return FigureApp(fig, update, {"kernel_size": k_slider, "n": n_slider, "highlight": t_slider},
                     dynamic=dynamic, dpi=dpi, caption=caption)


def _freeze_layout(fig, dpi, update, values):
    """Run ``update`` once, lay the figure out (constrained) for it, and keep that layout.

    Re-running the layout engine on every slider move costs about as much as
    drawing the figure; the axes do not need to move when numbers change.
    """
    fig.set_dpi(dpi)
    update(**values)
    FigureCanvasAgg(fig)
    fig.get_layout_engine().execute(fig)   # positions only, no rendering
    fig.set_layout_engine("none")


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
    section = {kind: count_layer(kind, SECTION_IMAGE_SHAPE, (k, k)) for kind in KINDS}
    params = {kind: int(g[kind]["parameters"][0]) for kind in KINDS}
    macs = {kind: int(g[kind]["macs"][0]) for kind in KINDS}
    return {
        "kernel_size": k, "side": side, "inputs": side * side,
        "parameters": params, "macs": macs,
        "sparsity": params["dense"] / params["locally_connected"],
        "sharing": params["locally_connected"] / params["conv"],
        "mac_ratio_sharing": macs["locally_connected"] / macs["conv"],
        "section": {kind: int(c.parameters) for kind, c in section.items()},
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
    sides = np.unique(np.geomspace(GROWTH_KERNEL_RANGE[1], 2048, 40).round().astype(int))
    fig = new_figure(figsize=(9.0, 3.6))
    left, right = fig.subplots(1, 2)
    curves, section_dots, pick_dots, pick_lines, pick_labels = {}, {}, {}, {}, {}
    x_section = SECTION_IMAGE_SHAPE[0] * SECTION_IMAGE_SHAPE[1]
    for ax, quantity in ((left, "parameters"), (right, "macs")):
        plot_parameter_growth(k0, quantity=quantity, sides=sides, mark=None, ax=ax)
        curves[quantity] = ax.lines[:3]
        ax.axvline(x_section, color=PALETTE["grey"], ls=":", lw=1.0, zorder=0)
        ax.annotate(f"{SECTION_IMAGE_SHAPE[0]}×{SECTION_IMAGE_SHAPE[1]}", (x_section, 1),
                    xycoords=("data", "axes fraction"), xytext=(3, -10),
                    textcoords="offset points", fontsize=7, color=PALETTE["grey"])
        section_dots[quantity] = ax.scatter([x_section] * 3, [1, 1, 1], s=22, zorder=4,
                                            c=[ROLE["dense"], ROLE["local"], ROLE["conv"]])
        pick_lines[quantity] = ax.axvline(1, color=ROLE["highlight"], lw=1.0, zorder=0)
        pick_labels[quantity] = ax.text(1, 0.02, "", transform=ax.get_xaxis_transform(),
                                        fontsize=7, color=ROLE["highlight"], ha="left")
        pick_dots[quantity] = ax.scatter([1] * 3, [1, 1, 1], s=40, marker="D", zorder=5,
                                         c=[ROLE["dense"], ROLE["local"], ROLE["conv"]],
                                         edgecolors=ROLE["highlight"])
        ax.set_ylim(0.5, 1e15)
        ax.set_xlim(sides[0] ** 2 * 0.8, sides[-1] ** 2 * 1.25)
    left.set_title("parameters", fontsize=9)
    right.set_title("multiply-accumulates (conv dashed over locally connected)", fontsize=9)
    caption = widgets.HTML()

    def update(kernel_size, side):
        numbers = growth_numbers(kernel_size, side)
        g = growth_counts(sides, (kernel_size, kernel_size))
        for quantity in ("parameters", "macs"):
            for line, kind in zip(curves[quantity], KINDS):
                line.set_ydata(g[kind][quantity])
            sec = [getattr(count_layer(kind, SECTION_IMAGE_SHAPE, (kernel_size, kernel_size)),
                           quantity) for kind in KINDS]
            section_dots[quantity].set_offsets(np.column_stack([[x_section] * 3, sec]))
            x = side * side
            pick_lines[quantity].set_xdata([x, x])
            pick_labels[quantity].set_x(x * 1.15)
            pick_labels[quantity].set_text(f"{side}×{side}")
            pick_dots[quantity].set_offsets(
                np.column_stack([[x] * 3, [numbers[quantity][kind] for kind in KINDS]]))
        p, m = numbers["parameters"], numbers["macs"]
        caption.value = (
            f"<b>{side}×{side} image, {kernel_size}×{kernel_size} kernel (valid).</b> "
            f"Parameters: dense {p['dense']:,}, locally connected {p['locally_connected']:,}, "
            f"convolution {p['conv']:,}. Sparsity divides by {numbers['sparsity']:,.1f}, "
            f"sharing by {numbers['sharing']:,.0f}. Multiply-accumulates: dense {m['dense']:,}, "
            f"locally connected {m['locally_connected']:,}, convolution {m['conv']:,} "
            f"(sharing saves none).")
        return numbers

    k_slider = widgets.IntSlider(value=k0, min=GROWTH_KERNEL_RANGE[0],
                                 max=GROWTH_KERNEL_RANGE[1], description="kernel k×k",
                                 style=_WIDE)
    s_slider = widgets.IntSlider(value=s0, min=SIDE_RANGE[0], max=SIDE_RANGE[1], step=16,
                                 description="image side", style=_WIDE)
    _freeze_layout(fig, dpi, update, dict(kernel_size=k0, side=s0))
    dynamic = [*curves["parameters"], *curves["macs"], *section_dots.values(),
               *pick_lines.values(), *pick_labels.values(), *pick_dots.values()]
    return FigureApp(fig, update, {"kernel_size": k_slider, "side": s_slider}, dpi=dpi,
                     dynamic=dynamic, caption=caption)
