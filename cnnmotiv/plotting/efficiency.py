"""Figures for the computational-efficiency part: edge maps, cost bars, dense scaling.

* :func:`plot_edge_detection`: a photograph and its edge maps under small kernels;
* :func:`plot_cost_bars` and :func:`plot_time_bars`: parameters, stored numbers,
  multiply-accumulates (MACs) and run time of one layer in four forms (dense,
  locally connected, the convolution's sparse matrix, the convolution), on log
  scales; :func:`plot_cost_comparison` puts both side by side;
* :func:`plot_dense_scaling`: measured dense mat-vec times on a log-log plot,
  the fitted power law and its extrapolation to the full photograph.

Colours follow :data:`cnnmotiv.plotting.style.ROLE` (dense vermillion, locally
connected orange, sparse sky blue, convolution green).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import EngFormatter, FuncFormatter, LogLocator, NullFormatter

from cnnmotiv.validation import as_float_array, check_pair
from cnnmotiv.counting import LAYER_FORMS, layer_costs
from cnnmotiv.plotting.style import DIVERGING_CMAP, PALETTE, ROLE, new_axes, new_figure

__all__ = [
    "EDGE_KERNELS",
    "KIND_LABELS",
    "METRICS",
    "FIGURES",
    "edge_map",
    "plot_image",
    "plot_edge_map",
    "plot_edge_detection",
    "plot_cost_bars",
    "plot_time_bars",
    "plot_cost_comparison",
    "plot_dense_scaling",
    "format_count",
    "format_seconds",
    "COUNT_FORMATTER",
    "SECONDS_FORMATTER",
]

#: Edge-detecting kernels by name (cross-correlation weights, rows x cols).
EDGE_KERNELS: dict[str, np.ndarray] = {
    "[-1, 1] (2-tap, horizontal change)": np.array([[-1.0, 1.0]]),
    "[-1, 1]ᵀ (2-tap, vertical change)": np.array([[-1.0], [1.0]]),
    "Sobel x (3×3, horizontal change)": np.array([[-1.0, 0.0, 1.0],
                                                  [-2.0, 0.0, 2.0],
                                                  [-1.0, 0.0, 1.0]]),
    "Sobel y (3×3, vertical change)": np.array([[-1.0, -2.0, -1.0],
                                                [0.0, 0.0, 0.0],
                                                [1.0, 2.0, 1.0]]),
    "Laplacian (3×3, all directions)": np.array([[0.0, 1.0, 0.0],
                                                 [1.0, -4.0, 1.0],
                                                 [0.0, 1.0, 0.0]]),
}
for _k in EDGE_KERNELS.values():
    _k.flags.writeable = False


#: How each form is named in legends.
KIND_LABELS = {
    "dense": "dense matrix",
    "locally_connected": "locally connected",
    "sparse": "sparse matrix of the conv",
    "conv": "convolution",
}

#: The counted quantities, in the order of the bar groups.
METRICS = ("parameters", "stored numbers", "MACs")

_COLOURS = {"dense": ROLE["dense"], "locally_connected": ROLE["locally_connected"],
            "sparse": ROLE["sparse"], "conv": ROLE["conv"]}


def format_count(value: float) -> str:
    """Short label for a count: ``9``, ``795.6k``, ``7.92G``.

    >>> format_count(9), format_count(795_636), format_count(7_920_998_400)
    ('9', '796k', '7.92G')
    """
    value = float(value)
    for unit, size in (("T", 1e12), ("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= size:
            scaled = value / size
            return f"{scaled:.3g}{unit}"
    return f"{value:.3g}"


def format_seconds(value: float) -> str:
    """Short label for a duration: ``'5,210 s'``, ``'8.03 s'``, ``'0.41 ms'``, ``'35 µs'``.

    >>> format_seconds(5210.4), format_seconds(8.03), format_seconds(4.1e-4)
    ('5,210 s', '8.03 s', '0.41 ms')
    >>> format_seconds(3.5e-5)
    '35 µs'
    """
    value = float(value)
    if value >= 100:
        return f"{value:,.0f} s"
    if value >= 1:
        return f"{value:.3g} s"
    if value >= 1e-4:
        return f"{value * 1e3:.2g} ms"
    return f"{value * 1e6:.2g} µs"


def edge_map(image, kernel) -> np.ndarray:
    """The valid cross-correlation of ``image`` with ``kernel``, shape ``(H-kh+1, W-kw+1)``.

    A thin wrapper on :func:`cnnmotiv.convolution.correlate2d` so that every
    figure and widget computes edges the same way.

    >>> edge_map(np.array([[0., 0., 1., 1.]]), [[-1, 1]])
    array([[0., 1., 0.]])
    """
    from cnnmotiv.convolution import correlate2d

    return correlate2d(image, kernel, mode="valid")


def robust_limit(values: np.ndarray) -> float:
    """Symmetric colour limit: 98th percentile of |values| (never zero)."""
    limit = float(np.percentile(np.abs(values), 98))
    return limit if limit > 0 else max(float(np.abs(values).max()), 1.0)


def plot_image(image, *, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Show a grayscale image ``(H, W)`` with values in ``[0, 1]``, without ticks.

    Returns
    -------
    Axes
        Its first image is the :class:`~matplotlib.image.AxesImage` shown.
    """
    image = as_float_array(image, "image", ndim=2)
    ax = new_axes(ax, figsize=(3.2, 3.0))
    ax.imshow(image, cmap="gray", vmin=0, vmax=1, interpolation="antialiased")
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title, fontsize=10)
    return ax


def plot_edge_map(image, kernel, *, ax: Axes | None = None, title: str | None = None,
                  colorbar: bool = False) -> Axes:
    """Show the edge map of ``image`` under ``kernel`` in a diverging colour map.

    Red marks where the image gets brighter along the kernel's direction,
    blue where it gets darker, white no change. The colour limits are
    symmetric, at the 98th percentile of ``|edge map|``, so a few extreme
    pixels do not wash out the rest.

    Parameters
    ----------
    image : array_like, shape (H, W)
    kernel : array_like, shape (kh, kw)
    ax : Axes, optional
    title : str, optional
        Default: the output shape and the MACs per output.
    colorbar : bool, optional
        Add a colour bar next to the map.

    Returns
    -------
    Axes
    """
    image = as_float_array(image, "image", ndim=2)
    kernel = as_float_array(kernel, "kernel", ndim=2)
    edges = edge_map(image, kernel)
    ax = new_axes(ax, figsize=(3.2, 3.0))
    limit = robust_limit(edges)
    im = ax.imshow(edges, cmap=DIVERGING_CMAP, vmin=-limit, vmax=limit,
                   interpolation="antialiased")
    ax.set_xticks([])
    ax.set_yticks([])
    if title is None:
        title = f"{edges.shape[0]}×{edges.shape[1]} outputs, {kernel.size} MACs each"
    ax.set_title(title, fontsize=10)
    if colorbar:
        ax.figure.colorbar(im, ax=ax, shrink=0.8)
    return ax


def plot_edge_detection(image=None, kernels: Mapping[str, np.ndarray] | None = None, *,
                        fig: Figure | None = None) -> Figure:
    """The photograph and its edge map under each kernel, side by side.

    Parameters
    ----------
    image : array_like, shape (H, W), optional
        Default :func:`cnnmotiv.data.photo` (280 x 320).
    kernels : mapping of str to array_like, optional
        Titles and kernels; default the 2-tap ``[-1, 1]`` and Sobel x.
    fig : Figure, optional

    Returns
    -------
    Figure
    """
    if image is None:
        from cnnmotiv.data import photo

        image = photo()
    image = as_float_array(image, "image", ndim=2)
    if kernels is None:
        names = ("[-1, 1] (2-tap, horizontal change)", "Sobel x (3×3, horizontal change)")
        kernels = {name: EDGE_KERNELS[name] for name in names}
    if not kernels:
        raise ValueError("kernels must hold at least one kernel")
    fig = fig if fig is not None else new_figure((3.1 * (1 + len(kernels)), 3.2))
    axes = fig.subplots(1, 1 + len(kernels))
    plot_image(image, ax=axes[0], title=f"input {image.shape[0]}×{image.shape[1]}")
    for ax, (name, kernel) in zip(axes[1:], kernels.items()):
        kernel = as_float_array(kernel, "kernel", ndim=2)
        out = (image.shape[0] - kernel.shape[0] + 1, image.shape[1] - kernel.shape[1] + 1)
        plot_edge_map(image, kernel, ax=ax,
                      title=f"{name.split(' (')[0]}: {out[0]}×{out[1]},\n"
                            f"{kernel.size} MACs per output")
    return fig


def _power_label(value: float, units) -> str:
    """Label a power of ten with a unit prefix, e.g. 1e6 -> '1M', 1e-3 s -> '1 ms'."""
    if value <= 0:
        return ""
    exponent = int(round(np.log10(value)))
    for scale_exp, unit in units:
        if exponent >= scale_exp:
            return f"{10 ** (exponent - scale_exp):g}{unit}"
    scale_exp, unit = units[-1]
    return f"{10.0 ** (exponent - scale_exp):g}{unit}"


_SECOND_UNITS = ((0, " s"), (-3, " ms"), (-6, " µs"), (-9, " ns"))

#: Tick label formatters: plain text (no mathtext), so drawing stays fast. Counts use
#: Matplotlib's engineering prefixes (1k, 1M, 1G); durations keep seconds above 1 s
#: ("1000 s", not EngFormatter's "1 ks").
COUNT_FORMATTER = EngFormatter(places=0, sep="")
SECONDS_FORMATTER = FuncFormatter(lambda v, _: _power_label(v, _SECOND_UNITS))


def _log_axis(ax: Axes, formatter=COUNT_FORMATTER, axis: str = "y") -> None:
    """Log scale with one labelled tick per decade (or fewer), plain-text labels."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    (ax.set_yscale if axis == "y" else ax.set_xscale)("log")
    target.set_major_locator(LogLocator(base=10, numticks=14))
    target.set_major_formatter(formatter)
    target.set_minor_formatter(NullFormatter())
    ax.grid(axis=axis, which="major", color=PALETTE["grey"], alpha=0.3, linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def plot_cost_bars(costs: Mapping[str, Mapping[str, float]], *, ax: Axes | None = None,
                   labels: bool = True, ylim: tuple[float, float] | None = None) -> Axes:
    """Grouped log-scale bars: one group per metric, one bar per form of the layer.

    Parameters
    ----------
    costs : mapping
        ``costs[metric][kind]``, as returned by :func:`layer_costs`; groups in
        the mapping's order, bars in the order of :data:`LAYER_FORMS` (kinds that are
        missing are skipped).
    ax : Axes, optional
    labels : bool, optional
        Write each bar's value above it.
    ylim : (float, float), optional
        Fixed y limits (a widget keeps them fixed so bars move, not the axis).

    Returns
    -------
    Axes
        ``ax.containers`` holds one BarContainer per kind, in :data:`LAYER_FORMS`
        order; with ``labels`` the value texts are ``ax.texts`` in the same
        order (kind-major).

    Raises
    ------
    ValueError
        If ``costs`` is empty or names an unknown kind.
    """
    if not isinstance(costs, Mapping) or not costs:
        raise ValueError("costs must be a non-empty mapping metric -> {kind: value}")
    metrics = list(costs)
    unknown = sorted({k for m in metrics for k in costs[m]} - set(LAYER_FORMS))
    if unknown:
        raise ValueError(f"costs: unknown kind(s) {unknown}; allowed: {list(LAYER_FORMS)}")
    ax = new_axes(ax, figsize=(6.0, 3.6))
    kinds = [k for k in LAYER_FORMS if any(k in costs[m] for m in metrics)]
    width = 0.84 / len(kinds)
    x = np.arange(len(metrics))
    for i, kind in enumerate(kinds):
        values = [float(costs[m].get(kind, np.nan)) for m in metrics]
        pos = x - 0.42 + width * (i + 0.5)
        ax.bar(pos, values, width * 0.9, color=_COLOURS[kind], label=KIND_LABELS[kind],
               edgecolor="white", linewidth=0.5)
        if labels:
            for p, v in zip(pos, values):
                ax.text(p, v * 1.4, format_count(v), ha="center", va="bottom", fontsize=7)
    _log_axis(ax)
    ax.set_xticks(x, metrics)
    ax.tick_params(axis="x", length=0)
    finite = [float(costs[m][k]) for m in metrics for k in kinds if k in costs[m]]
    if ylim is None:
        ylim = (0.5, max(finite) * 100)
    ax.set_ylim(*ylim)
    ax.set_ylabel("count (log scale)")
    return ax


def plot_time_bars(seconds: Mapping[str, float], *, extrapolated=(), ax: Axes | None = None,
                   ylim: tuple[float, float] | None = None) -> Axes:
    """Log-scale bars of the time one application takes in each form.

    Parameters
    ----------
    seconds : mapping of kind to float
        Seconds per application, by kind (:data:`LAYER_FORMS` order).
    extrapolated : iterable of str, optional
        Kinds whose time was not measured but predicted; their bars are
        hatched and labelled so.
    ax : Axes, optional
    ylim : (float, float), optional

    Returns
    -------
    Axes

    Raises
    ------
    ValueError
        If ``seconds`` is empty or names an unknown kind.
    """
    if not isinstance(seconds, Mapping) or not seconds:
        raise ValueError("seconds must be a non-empty mapping kind -> seconds")
    extrapolated = set(extrapolated)
    unknown = sorted((set(seconds) | extrapolated) - set(LAYER_FORMS))
    if unknown:
        raise ValueError(f"seconds: unknown kind(s) {unknown}; allowed: {list(LAYER_FORMS)}")
    ax = new_axes(ax, figsize=(3.6, 3.6))
    kinds = [k for k in LAYER_FORMS if k in seconds]
    for i, kind in enumerate(kinds):
        value = float(seconds[kind])
        guess = kind in extrapolated
        ax.bar(i, value, 0.75, facecolor="white" if guess else _COLOURS[kind],
               edgecolor=_COLOURS[kind], hatch="////" if guess else None,
               linewidth=1.2 if guess else 0.5)
        label = format_seconds(value) + ("\nextrapolated" if guess else "")
        ax.text(i, value * 1.4, label, ha="center", va="bottom", fontsize=7)
    _log_axis(ax, SECONDS_FORMATTER)
    ax.set_xticks(range(len(kinds)), [_SHORT[k] for k in kinds], fontsize=8)
    ax.tick_params(axis="x", length=0)
    values = [float(v) for v in seconds.values()]
    ax.set_ylim(*(ylim or (min(values) / 4, max(values) * 60)))
    ax.set_ylabel("time per application (log scale)")
    return ax


_SHORT = {"dense": "dense", "locally_connected": "locally\nconnected", "sparse": "sparse\n(conv)",
          "conv": "conv"}


def plot_cost_comparison(shape=(280, 320), kernel_shape=(3, 3), *, seconds=None,
                         extrapolated=("dense",), fig: Figure | None = None) -> Figure:
    """Counts and (if given) times of one layer in four forms, side by side.

    Parameters
    ----------
    shape, kernel_shape : int or (int, int), optional
        Image and kernel shapes; valid mode.
    seconds : mapping of kind to float, optional
        Times per application (e.g. ``ScalingStudy.target_seconds()``); if
        omitted only the counts are drawn.
    extrapolated : iterable of str, optional
        Kinds in ``seconds`` that were predicted rather than measured.
    fig : Figure, optional

    Returns
    -------
    Figure
    """
    shape = check_pair(shape, "shape")
    kernel_shape = check_pair(kernel_shape, "kernel_shape")
    costs = layer_costs(shape, kernel_shape)
    own = fig is None
    if own:
        # Fixed margins instead of constrained layout: the many log-axis labels
        # make the layout solver the slowest part of drawing this figure.
        fig = new_figure((6.4, 4.0) if seconds is None else (9.6, 4.2))
        fig.set_layout_engine(None)
        fig.subplots_adjust(left=0.08 if seconds is not None else 0.12, right=0.98,
                            bottom=0.17, top=0.86, wspace=0.28)
    if seconds is None:
        left = fig.add_subplot()
    else:
        left, right = fig.subplots(1, 2, width_ratios=[2.1, 1])
        plot_time_bars(seconds, extrapolated=extrapolated, ax=right)
        right.set_title("time per application", fontsize=10)
    plot_cost_bars(costs, ax=left)
    left.set_title("counted", fontsize=10)
    constrained = fig.get_layout_engine() is not None
    fig.legend(*left.get_legend_handles_labels(), ncols=4, fontsize=8, frameon=False,
               loc="outside lower center" if constrained else "lower center")
    fig.suptitle(f"One {kernel_shape[0]}×{kernel_shape[1]} filter on a "
                 f"{shape[0]}×{shape[1]} image (valid mode)", fontsize=11)
    return fig


def plot_dense_scaling(study, *, ax: Axes | None = None) -> Axes:
    """Measured seconds against input pixels on log-log axes, with the fitted law.

    Parameters
    ----------
    study : cnnmotiv.timing.ScalingStudy
        Dense times (filled markers: fitted, matrix larger than the cache;
        hollow: fits in cache), the fitted line (solid over the measured
        range, dashed out to the target), the extrapolated point (a hollow
        star with its time and memory) and the other methods' measured times.
    ax : Axes, optional

    Returns
    -------
    Axes
    """
    from cnnmotiv.validation import format_bytes

    ax = new_axes(ax, figsize=(6.4, 4.0))
    dense, fit, e = study.dense, study.fit, study.extrapolation
    colour = _COLOURS["dense"]
    used = np.asarray(study.fitted)
    ax.loglog(dense.pixels[used], dense.seconds[used], "o", color=colour, ms=6,
              label="dense, measured (fitted)")
    if (~used).any():
        ax.loglog(dense.pixels[~used], dense.seconds[~used], "o", mfc="white", color=colour,
                  ms=6, label="dense, matrix fits in cache (not fitted)")
    lo, hi = float(np.min(fit.x)), float(np.max(fit.x))
    xs = np.geomspace(lo, hi, 50)
    ax.loglog(xs, fit.predict(xs), "-", color=colour, lw=1.5,
              label=rf"fit: $t \propto m^{{{fit.exponent:.2f}}}$")
    xe = np.geomspace(hi, e.pixels, 50)
    ax.loglog(xe, fit.predict(xe), "--", color=colour, lw=1.2)
    ax.loglog([e.pixels], [e.seconds], "*", ms=15, mfc="white", mec=colour, mew=1.5)
    ax.annotate(f"{e.shape[0]}×{e.shape[1]}: ≈ {format_seconds(e.seconds)}\n"
                f"the matrix would need {format_bytes(e.nbytes)}",
                (e.pixels, e.seconds), xytext=(-14, 0), textcoords="offset points",
                ha="right", va="center", fontsize=8, color=colour)
    for method, timings in study.others.items():
        ax.loglog(timings.pixels, timings.seconds, "s-", color=_COLOURS[method], ms=3.5, lw=1,
                  label=f"{KIND_LABELS[method]}, measured")
    _log_axis(ax, COUNT_FORMATTER, axis="x")
    _log_axis(ax, SECONDS_FORMATTER, axis="y")
    ax.set_xlabel("input pixels m = H·W (log scale)")
    ax.set_ylabel("time per application (log scale)")
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    return ax


def _figure_cost() -> Figure:
    from cnnmotiv.timing import scaling_study

    study = scaling_study()
    return plot_cost_comparison(study.target, study.extrapolation.kernel_shape,
                                seconds=study.target_seconds())


def _figure_edges() -> Figure:
    return plot_edge_detection()


def _figure_scaling() -> Figure:
    from cnnmotiv.timing import scaling_study

    fig = new_figure((6.4, 4.2))
    plot_dense_scaling(scaling_study(), ax=fig.add_subplot())
    return fig


#: Figure builders for ``python -m cnnmotiv figures``, main figure first.
FIGURES = {
    "3-cost": _figure_cost,
    "3-edge-detection": _figure_edges,
    "3-dense-scaling": _figure_scaling,
}
