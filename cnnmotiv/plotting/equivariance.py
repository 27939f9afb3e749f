"""Figures for translation equivariance and the approximate invariance of pooling.

* :class:`EquivariancePanels` / :func:`equivariance_figure`: the two paths
  round the square ``x -> f(x) -> g(f(x))`` and ``x -> g(x) -> f(g(x))`` side
  by side, with the difference of their ends and the measured error;
* :func:`equivariance_cases_figure`: the same comparison for circular padding,
  zero padding and stride 2, one row each;
* :func:`edge_example_figure`: the section's example, an edge found at
  (10, 20) and, after a shift by (5, 3), at (15, 23);
* :class:`PoolingPanels` / :func:`pooling_figure` and
  :func:`plot_invariance_curve`: how many detector values and how many
  max-pooled values change when the input moves;
* :func:`aliasing_figure`, :func:`plot_stripe_sampling` and
  :func:`plot_subsampling_curve`: why a stride-2 layer fails (aliasing), and
  how much blurring before subsampling (MaxBlurPool) helps.

Every number drawn is computed by :mod:`cnnmotiv.equivariance`. The panel
classes build their artists once and change them in place in ``update``, so
the slider apps of :mod:`cnnmotiv.widgets.equivariance` reuse them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from cnnmotiv.validation import as_float_array, check_choice, check_int, check_pair
from cnnmotiv.convolution import correlate2d
from cnnmotiv.data import photo
from cnnmotiv.equivariance import (
    COMPARED_PADDINGS,
    EDGE_KERNEL,
    EquivarianceReport,
    InvarianceCurve,
    PoolingChange,
    SubsamplingCurve,
    blur_subsample,
    equivariance_error,
    invariance_curve,
    peak_position,
    pooling_change,
    shift,
    short_edge,
    stripes,
    subsampling_curve,
)
from cnnmotiv.plotting.style import DIVERGING_CMAP, PALETTE, ROLE, new_axes, new_figure

__all__ = [
    "FIGURES",
    "CHANGED_CMAP",
    "DEFAULT_SHAPE",
    "EquivariancePanels",
    "PoolingPanels",
    "aliasing_figure",
    "default_image",
    "edge_example_figure",
    "equivariance_cases_figure",
    "equivariance_figure",
    "plot_invariance_curve",
    "plot_stripe_sampling",
    "plot_subsampling_curve",
    "pooling_figure",
    "pooling_readout",
    "readout",
]

#: Side of the demo image: the photo downsampled to 64 x 64 keeps a slider move fast.
DEFAULT_SHAPE = (64, 64)

#: Sequential map for the size of a change (0: unchanged).
CHANGE_SIZE_CMAP = "magma_r"
#: Two colours for "unchanged" / "changed" maps.
CHANGED_CMAP = ListedColormap(["#f2f2f2", PALETTE["vermillion"]])

_MARKER = dict(marker="o", markersize=11, markeredgewidth=1.8, markerfacecolor="none",
               markeredgecolor=PALETTE["green"], linestyle="none")


def default_image(shape=DEFAULT_SHAPE) -> np.ndarray:
    """The photograph of :func:`cnnmotiv.data.photo`, downsampled to ``shape`` (default 64 x 64)."""
    return photo(tuple(check_pair(shape, "shape")))


def _image_axes(ax: Axes, title: str) -> None:
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=9)


def _extent(shape_out, stride, shape_in):
    """Extent in input pixels: output cell ``i`` is centred on input position ``i * stride``."""
    (h, w), (sr, sc) = shape_out, stride
    return (-sc / 2, w * sc - sc / 2, h * sr - sr / 2, -sr / 2)


def readout(report: EquivarianceReport) -> str:
    """Two lines for a figure: the setting, then the measured error."""
    sr, sc = report.stride
    stride = f"{sr}" if sr == sc else f"{report.stride}"
    return (f"{report.padding} padding, stride {stride}, shift {report.offset}\n"
            + report.summary().replace("; ", ";\n", 1).split("\n")[0]
            + ("" if report.exact_offset else
               f"\n(stride does not divide the shift: compared with output shift "
               f"{report.output_offset})"))


class EquivariancePanels:
    """Six image panels for ``f(g(x))`` against ``g(f(x))``, updated in place.

    Top row, *filter then shift*: ``x``, ``f(x)``, ``g(f(x))``. Bottom row,
    *shift then filter*: ``g(x)``, ``f(g(x))``, and their difference
    ``f(g(x)) - g(f(x))``, which sits next to one end and under the other.
    ``f`` is the ``mode="same"`` correlation with ``kernel``; ``g`` the
    circular shift. All four signed maps share one colour scale, so a
    difference is as visible as the response it spoils. A green circle
    follows the strongest response of ``f(x)`` and where the shift takes it.

    Parameters
    ----------
    fig : Figure
        An empty figure to draw on.
    x : array_like, shape (H, W)
        The input image.
    kernel : array_like, shape (kh, kw)
    readout : bool, optional
        Write the setting and the measured error (:func:`readout`) as the
        figure's title, and the shift into the panel titles. A slider app
        passes False and shows the readout as HTML under the figure instead:
        text is the slowest thing to render.

    Attributes
    ----------
    images : dict of str to AxesImage
        ``"x"``, ``"fx"``, ``"gfx"``, ``"gx"``, ``"fgx"``, ``"diff"``.
    text : matplotlib.text.Text or None
        The readout (figure suptitle), if ``readout``.
    artists : list
        Everything :meth:`update` changes.
    """

    def __init__(self, fig: Figure, x, kernel, *, readout: bool = True):
        self.readout = bool(readout)
        self.x = as_float_array(x, "x", ndim=2)
        self.kernel = as_float_array(kernel, "kernel", ndim=2)
        self.fig = fig
        h, w = self.x.shape
        scale = max(float(np.abs(correlate2d(self.x, self.kernel, mode="same",
                                             padding=p)).max()) for p in COMPARED_PADDINGS)
        self.scale = scale if scale > 0 else 1.0
        self._peak = peak_position(np.abs(correlate2d(self.x, self.kernel, mode="same",
                                                      padding="circular")))
        axes = fig.subplots(2, 3, sharex=True, sharey=True)
        self.axes = axes
        titles = {"x": "input x", "fx": "f(x): feature map", "gfx": "g(f(x)): shifted f(x)",
                  "gx": "g(x): shifted input", "fgx": "f(g(x))",
                  "diff": "f(g(x)) \u2212 g(f(x))"}
        where = {"x": (0, 0), "fx": (0, 1), "gfx": (0, 2), "gx": (1, 0), "fgx": (1, 1),
                 "diff": (1, 2)}
        self.images = {}
        for key, (i, j) in where.items():
            ax = axes[i, j]
            signed = key not in ("x", "gx")
            self.images[key] = ax.imshow(
                np.zeros((h, w)), cmap=DIVERGING_CMAP if signed else "gray",
                vmin=-self.scale if signed else 0.0, vmax=self.scale if signed else 1.0,
                interpolation="nearest", extent=(-0.5, w - 0.5, h - 0.5, -0.5))
            _image_axes(ax, titles[key])
        self.images["x"].set_data(self.x)
        self.images["x"].set_clim(min(0.0, self.x.min()), max(1.0, self.x.max()))
        self.images["gx"].set_clim(*self.images["x"].get_clim())
        axes[0, 0].set_xlim(-0.5, w - 0.5)
        axes[0, 0].set_ylim(h - 0.5, -0.5)
        axes[0, 0].set_ylabel("filter, then shift", fontsize=9, color=ROLE["conv"])
        axes[1, 0].set_ylabel("shift, then filter", fontsize=9, color=ROLE["highlight"])
        fig.colorbar(self.images["diff"], ax=axes[:, 2], shrink=0.8, label="response")
        self.markers = {}
        for key in ("x", "fx", "gx", "fgx", "gfx"):
            i, j = where[key]
            (self.markers[key],) = axes[i, j].plot([], [], **_MARKER)
        # the input and its marker never change: they stay in the cached background
        self.artists = ([im for key, im in self.images.items() if key != "x"]
                        + [m for key, m in self.markers.items() if key != "x"])
        self.text = None
        if self.readout:
            self.text = fig.suptitle("\n\n", fontsize=9, x=0.02, ha="left")
            self.artists += [self.text, axes[1, 0].title, axes[0, 2].title]

    def update(self, offset=(5, 3), padding: str = "zeros", stride=1) -> EquivarianceReport:
        """Show the comparison for one shift, padding and stride; return the report."""
        rep = equivariance_error(self.x, self.kernel, offset, padding=padding, stride=stride)
        st = rep.stride
        fx = correlate2d(self.x, self.kernel, mode="same", padding=padding, stride=st)
        maps = {"gx": shift(self.x, rep.offset), "fx": fx, "gfx": rep.filtered_then_shifted,
                "fgx": rep.shifted_then_filtered, "diff": rep.difference}
        for key, arr in maps.items():
            self.images[key].set_data(arr)
            if key != "gx":
                self.images[key].set_extent(_extent(arr.shape, st, self.x.shape))
        h, w = self.x.shape
        (pr, pc), (dr, dc) = self._peak, rep.offset
        moved = ((pr + dr) % h, (pc + dc) % w)
        for key, (r, c) in (("x", (pr, pc)), ("fx", (pr, pc)), ("gx", moved), ("fgx", moved),
                            ("gfx", moved)):
            self.markers[key].set_data([c], [r])
        if self.readout:
            (mr, mc) = rep.output_offset
            self.axes[1, 0].set_title(f"g(x): x shifted by {rep.offset}", fontsize=9)
            unit = "px" if st == (1, 1) else "cells"
            self.axes[0, 2].set_title(f"g(f(x)): f(x) shifted by ({mr}, {mc}) {unit}", fontsize=9)
            self.text.set_text(readout(rep))
        return rep


def equivariance_figure(x=None, kernel=EDGE_KERNEL, offset=(5, 3), *, padding: str = "zeros",
                        stride=1, fig: Figure | None = None) -> Figure:
    """The six-panel comparison of ``f(g(x))`` and ``g(f(x))`` for one setting.

    Parameters
    ----------
    x : array_like, shape (H, W), optional
        Default: :func:`default_image` (the photo at 64 x 64).
    kernel : array_like, optional
        Default :data:`cnnmotiv.equivariance.EDGE_KERNEL`.
    offset : (int, int), optional
    padding : {"circular", "zeros"}, optional
    stride : int, optional
    fig : Figure, optional
        An empty figure to draw on; default a new 7.2 x 5 in figure.

    Returns
    -------
    Figure
    """
    x = default_image() if x is None else x
    fig = new_figure((7.2, 5.0)) if fig is None else fig
    EquivariancePanels(fig, x, kernel).update(offset, padding, stride)
    return fig


CASES = (("circular", 1, (5, 3)), ("zeros", 1, (5, 3)), ("circular", 2, (5, 3)),
         ("circular", 2, (4, 2)))


def equivariance_cases_figure(x=None, kernel=EDGE_KERNEL, cases=CASES, *,
                              fig: Figure | None = None) -> Figure:
    """One row per (padding, stride, shift): ``f(g(x))``, ``g(f(x))`` and their difference.

    Parameters
    ----------
    x : array_like, shape (H, W), optional
        Default: :func:`default_image`.
    kernel : array_like, optional
    cases : sequence of (padding, stride, offset)
        Default: circular / zeros / stride 2 with an odd shift / stride 2
        with an even shift.
    fig : Figure, optional

    Returns
    -------
    Figure
    """
    x = default_image() if x is None else as_float_array(x, "x", ndim=2)
    cases = list(cases)
    if not cases:
        raise ValueError("cases must hold at least one (padding, stride, offset) triple")
    fig = new_figure((6.8, 1.55 * len(cases) + 0.7)) if fig is None else fig
    axes = fig.subplots(len(cases), 4, squeeze=False,
                        gridspec_kw={"width_ratios": (1, 1, 1, 0.95)})
    scale = max(float(np.abs(correlate2d(x, kernel, mode="same", padding=p)).max())
                for p in COMPARED_PADDINGS)
    h, w = x.shape
    for row, (padding, stride, offset) in enumerate(cases):
        check_choice(padding, "padding", COMPARED_PADDINGS)
        rep = equivariance_error(x, kernel, offset, padding=padding, stride=stride)
        for col, (arr, title) in enumerate(((rep.shifted_then_filtered, "f(g(x))"),
                                            (rep.filtered_then_shifted, "g(f(x))"),
                                            (rep.difference, "f(g(x)) \u2212 g(f(x))"))):
            ax = axes[row, col]
            im = ax.imshow(arr, cmap=DIVERGING_CMAP, vmin=-scale, vmax=scale,
                           interpolation="nearest", extent=_extent(arr.shape, rep.stride, x.shape))
            ax.set_xlim(-0.5, w - 0.5)
            ax.set_ylim(h - 0.5, -0.5)
            _image_axes(ax, title if row == 0 else "")
        axes[row, 0].set_ylabel(f"{padding}\nstride {rep.stride[0]}", fontsize=8)
        if rep.equivariant:
            note = "max |difference| = 0:\nexactly equivariant"
        else:
            where = ("everywhere" if 2 * rep.border >= min(rep.mask.shape)
                     else f"all within {rep.border} px\nof the edge")
            note = (f"max |difference| = {rep.max_abs:.2f}\n"
                    f"{rep.fraction_different:.0%} of values differ,\n{where}")
        note = f"shift {rep.offset}\n" + note
        axes[row, 3].axis("off")
        axes[row, 3].text(0.0, 0.5, note, transform=axes[row, 3].transAxes, fontsize=8,
                          va="center", ha="left")
    fig.colorbar(im, ax=axes[:, :3], shrink=0.6, label="response", location="bottom",
                 aspect=40)
    return fig


def edge_example_figure(shape=(32, 40), position=(10, 20), offset=(5, 3), *,
                        fig: Figure | None = None) -> Figure:
    """The section's example: an edge detector's peak moves with the edge.

    Four panels: the image with a short vertical edge whose left end is at
    ``position``, its :data:`~cnnmotiv.equivariance.EDGE_KERNEL` response, the
    image shifted by ``offset`` (zeros entering, nothing wraps) and that
    response. The peaks are found by :func:`~cnnmotiv.equivariance.peak_position`
    and marked.

    Parameters
    ----------
    shape, position : (int, int), optional
        As for :func:`cnnmotiv.equivariance.short_edge`.
    offset : (int, int), optional
        The shift.
    fig : Figure, optional

    Returns
    -------
    Figure
    """
    x = short_edge(shape, position)
    gx = shift(x, offset, boundary="zeros")
    fx = correlate2d(x, EDGE_KERNEL, mode="same", padding="zeros")
    fgx = correlate2d(gx, EDGE_KERNEL, mode="same", padding="zeros")
    fig = new_figure((5.6, 4.4)) if fig is None else fig
    axes = fig.subplots(2, 2, sharex=True, sharey=True)
    lim = float(np.abs(fx).max())
    (r0, c0), (dr, dc) = tuple(position), tuple(offset)
    for ax, arr, title, signed in ((axes[0, 0], x, f"input: edge begins at ({r0}, {c0})", False),
                                   (axes[0, 1], fx, "edge detector response", True),
                                   (axes[1, 0], gx, f"input shifted by ({dr}, {dc})", False),
                                   (axes[1, 1], fgx, "response to the shifted input", True)):
        ax.imshow(arr, cmap=DIVERGING_CMAP if signed else "gray",
                  vmin=-lim if signed else 0, vmax=lim if signed else 1, interpolation="nearest")
        ax.set_title(title, fontsize=9)
        if signed:
            r, c = peak_position(arr)
            ax.plot([c], [r], marker="o", markersize=12, markerfacecolor="none",
                    markeredgecolor=PALETTE["black"], markeredgewidth=1.5)
            ax.annotate(f"peak at ({r}, {c})", (c, r), xytext=(-8, 10), textcoords="offset points",
                        fontsize=9, ha="right",
                        bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.85))
    for ax in axes[:, 0]:
        ax.set_ylabel("row")
    for ax in axes[1]:
        ax.set_xlabel("column")
    return fig


class PoolingPanels:
    """Which detector values and which max-pooled values a shift changes, and a curve.

    Left: how much each detector value changed when the input moved ``shift``
    columns, ``|f(shift(x)) - f(x)|`` divided by the largest ``|f(x)|``, with
    its colour bar (a map of *which* values changed would be a solid square:
    nearly all of them change a little). Middle: the max-pooled values that changed, drawn over
    the input area each pooled value covers. Right: the share of values that
    changed against the shift, for the detector (black) and for pool sizes
    ``pool_sizes`` (grey), with the current pool size in blue and a dot at the
    current shift.

    Parameters
    ----------
    fig : Figure
    x : array_like, shape (H, W)
    kernel : array_like
    shifts : sequence of int, optional
        Column shifts tabulated for the curve (the slider's range).
    pool_sizes : sequence of int, optional
        Pool sizes drawn as grey reference curves (those above ``max_pool``
        are left out).
    max_pool : int, optional
        Largest pool size the caller will ask for (the curve of every size up
        to it is computed once, here).
    readout : bool, optional
        Write the measured shares (:func:`pooling_readout`) as the figure's
        title; a slider app passes False and shows them as HTML instead.

    Attributes
    ----------
    curve : InvarianceCurve
        Fraction changed, for pool sizes ``1 .. max_pool``.
    artists : list
        Everything :meth:`update` changes.
    """

    def __init__(self, fig: Figure, x, kernel, *, shifts: Sequence[int] = range(0, 13),
                 pool_sizes: Sequence[int] = (2, 4, 8), max_pool: int = 8,
                 readout: bool = True):
        self.readout = bool(readout)
        self.x = as_float_array(x, "x", ndim=2)
        self.kernel = as_float_array(kernel, "kernel", ndim=2)
        self.shifts = tuple(check_int(s, "shifts", minimum=0) for s in shifts)
        max_pool = check_int(max_pool, "max_pool")
        self.curve = invariance_curve(self.x, self.kernel, [(0, s) for s in self.shifts],
                                      range(1, max_pool + 1))
        h, w = self.x.shape
        self.axes = fig.subplots(1, 3, gridspec_kw={"width_ratios": (1, 1, 1.5)})
        a_det, a_pool, a_curve = self.axes
        self.det_image = a_det.imshow(np.zeros((h, w)), cmap=CHANGE_SIZE_CMAP, vmin=0, vmax=1,
                                      interpolation="nearest")
        self.pool_image = a_pool.imshow(np.zeros((1, 1)), cmap=CHANGED_CMAP, vmin=0, vmax=1,
                                        interpolation="nearest")
        for ax in (a_det, a_pool):
            ax.set_xlim(-0.5, w - 0.5)
            ax.set_ylim(h - 0.5, -0.5)
            _image_axes(ax, "")
        a_det.set_title("detector: size of change", fontsize=9)
        a_pool.set_title("max-pooled map", fontsize=9)
        bar = fig.colorbar(self.det_image, ax=a_det, location="right", shrink=0.8, pad=0.02,
                           ticks=[0, 0.5, 1])
        bar.set_label("|change| ÷ max |f(x)|", fontsize=9, labelpad=1)
        bar.ax.tick_params(labelsize=9)
        a_pool.set_xlabel("orange: changed by the shift", fontsize=9)
        plot_invariance_curve(self.curve, ax=a_curve,
                              pool_sizes=[p for p in pool_sizes if p <= max_pool])
        (self.current_line,) = a_curve.plot([], [], color=ROLE["highlight"], lw=2.2,
                                            marker="o", markersize=3, label="current pool size")
        (self.dot,) = a_curve.plot([], [], marker="o", markersize=9, color=ROLE["highlight"],
                                   markeredgecolor="white", linestyle="none")
        a_curve.legend(fontsize=9, loc="lower right", frameon=False)
        self.artists = [self.det_image, self.pool_image, self.current_line, self.dot]
        self.text = None
        if self.readout:
            self.text = fig.suptitle("\n", fontsize=9, x=0.02, ha="left")
            self.artists.append(self.text)

    def update(self, pool_size: int = 4, shift: int = 1) -> PoolingChange:
        """Show one pool size and column shift; return the measured change."""
        pool_size = check_int(pool_size, "pool_size")
        if pool_size > self.curve.pool_sizes[-1]:
            raise ValueError(f"pool_size must be at most {self.curve.pool_sizes[-1]}; "
                             f"got {pool_size}")
        ch = pooling_change(self.x, self.kernel, (0, shift), pool_size=pool_size)
        peak = float(np.abs(ch.detector).max())
        change = np.abs(ch.detector_shifted - ch.detector)
        self.det_image.set_data(change / peak if peak > 0 else change)
        pooled = ch.pooled_changed.astype(float)
        self.pool_image.set_data(pooled)
        p = pool_size
        self.pool_image.set_extent((-0.5, pooled.shape[1] * p - 0.5, pooled.shape[0] * p - 0.5,
                                    -0.5))
        self.current_line.set_data(self.shifts, self.curve.pooled[pool_size - 1])
        self.dot.set_data([shift], [ch.pooled_fraction])
        if self.readout:
            self.text.set_text(pooling_readout(ch))
        return ch


def pooling_readout(change: PoolingChange) -> str:
    """Two lines: the share of detector and of pooled values a shift changed."""
    (pr, pc), (dr, dc) = change.pool_size, change.offset
    moved = f"shift ({dr}, {dc})" if dr else f"shift {dc} px to the right"
    return (f"{moved}: {change.detector_fraction:.0%} of detector values change,\n"
            f"{change.pooled_fraction:.0%} of {pr}x{pc} max-pooled values change "
            f"(relative change {change.detector_relative:.2f} vs {change.pooled_relative:.2f})")


def plot_invariance_curve(curve: InvarianceCurve, *, ax: Axes | None = None,
                          pool_sizes: Sequence[int] | None = None) -> Axes:
    """Share of values changed (or relative change) against shift.

    Parameters
    ----------
    curve : InvarianceCurve
        From :func:`cnnmotiv.equivariance.invariance_curve`; the x axis is the
        length of each offset's larger component.
    ax : Axes, optional
    pool_sizes : sequence of int, optional
        Which of ``curve.pool_sizes`` to draw; default all of them.

    Returns
    -------
    Axes
    """
    ax = new_axes(ax, figsize=(4.8, 3.2))
    xs = [max(abs(r), abs(c)) for r, c in curve.offsets]
    sizes = curve.pool_sizes if pool_sizes is None else tuple(pool_sizes)
    for p in sizes:
        if p not in curve.pool_sizes:
            raise ValueError(f"pool_sizes: {p} is not in the curve's sizes {curve.pool_sizes}")
    greys = np.linspace(0.75, 0.35, max(1, len(sizes)))
    ax.plot(xs, curve.detector, color=PALETTE["black"], lw=1.8, label="detector (no pooling)")
    for g, p in zip(greys, sizes):
        row = curve.pooled[curve.pool_sizes.index(p)]
        ax.plot(xs, row, color=str(g), lw=1.2, label=f"max pool {p}x{p}")
        ax.annotate(f"{p}", (xs[min(p, len(xs) - 1)], row[min(p, len(xs) - 1)]),
                    xytext=(3, -9), textcoords="offset points", fontsize=7, color=str(g))
    ax.set_xlabel("shift (pixels)")
    ax.legend(fontsize=7, loc="lower right", frameon=False)
    if curve.measure == "fraction":
        ax.set_ylabel("share of values changed")
        ax.set_ylim(-0.03, 1.05)
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    else:
        ax.set_ylabel("relative change")
    ax.set_xlim(min(xs) - 0.3, max(xs) + 0.3)
    ax.grid(alpha=0.3)
    return ax


def pooling_figure(x=None, kernel=EDGE_KERNEL, *, pool_size: int = 4, shift: int = 1,
                   fig: Figure | None = None) -> Figure:
    """:class:`PoolingPanels` for one pool size and shift (default 4 and 1)."""
    x = default_image() if x is None else x
    fig = new_figure((8.4, 3.2)) if fig is None else fig
    PoolingPanels(fig, x, kernel).update(pool_size, shift)
    return fig


def _invariance_curve_figure() -> Figure:
    curve = invariance_curve(default_image(), EDGE_KERNEL, [(0, s) for s in range(13)],
                             (2, 4, 8))
    ax = plot_invariance_curve(curve)
    return ax.figure


#: Colours and markers of the two sample phases of a stride-2 grid, and of the pooling kinds.
_PHASES = ((PALETTE["orange"], "o", "even"), (PALETTE["blue"], "s", "odd"))
_POOLING_STYLE = {"max": (PALETTE["vermillion"], "o", "max pooling"),
                  "max_blur": (PALETTE["green"], "s", "MaxBlurPool")}


def plot_stripe_sampling(image, *, stride: int = 2, blur_size: int = 1,
                         ax: Axes | None = None) -> Axes:
    """One row of an image and its samples on a coarse grid, at two phases of the grid.

    The row (blurred first by :func:`~cnnmotiv.equivariance.blur_subsample`
    when ``blur_size > 1``) is drawn in grey; the samples a stride-``stride``
    grid keeps are drawn twice, connected: at positions ``0, s, 2s, ...``
    (:func:`~cnnmotiv.equivariance.blur_subsample` of the image) and at
    ``1, s + 1, ...`` (the same, of the image shifted one pixel to the left).
    When the two coarse patterns differ, a one-pixel shift of the input
    changes the subsampled output: aliasing.

    Parameters
    ----------
    image : array_like, shape (H, W)
        Row 0 is drawn, e.g. :func:`~cnnmotiv.equivariance.stripes`.
    stride : int, optional
    blur_size : int, optional
        1 (default): plain subsampling.
    ax : Axes, optional

    Returns
    -------
    Axes
    """
    ax = new_axes(ax, figsize=(4.8, 2.4))
    x = as_float_array(image, "image", ndim=2)
    s = check_int(stride, "stride", minimum=2)
    fine = blur_subsample(x, 1, blur_size=blur_size)[0]
    ax.plot(np.arange(fine.size), fine, color=PALETTE["grey"], lw=1.0, marker=".",
            markersize=3, label="blurred row" if blur_size > 1 else "row")
    for phase, (colour, marker, label) in enumerate(_PHASES):
        coarse = blur_subsample(shift(x, (0, -phase)), s, blur_size=blur_size)[0]
        ax.plot(phase + s * np.arange(coarse.size), coarse, color=colour, lw=1.8,
                marker=marker, markersize=4, label=f"{label} samples")
    ax.set_xlim(-0.5, fine.size - 0.5)
    ax.set_ylim(-1.1, 1.5)
    ax.set_xlabel("column (pixels)", fontsize=9)
    ax.tick_params(labelsize=9)
    ax.grid(alpha=0.3)
    return ax


def plot_subsampling_curve(curve: SubsamplingCurve, *, ax: Axes | None = None) -> Axes:
    """Relative change of each pooled map against the shift, two ways.

    Solid: against the pooled map moved by ``offset / stride`` cells (0 means
    exactly equivariant); dashed: at fixed positions (0 would be invariant).
    One colour per pooling kind of ``curve``.

    Parameters
    ----------
    curve : SubsamplingCurve
        From :func:`cnnmotiv.equivariance.subsampling_curve`; the x axis is
        the length of each offset's larger component.
    ax : Axes, optional

    Returns
    -------
    Axes
    """
    ax = new_axes(ax, figsize=(4.8, 3.2))
    xs = [max(abs(r), abs(c)) for r, c in curve.offsets]
    for i, kind in enumerate(curve.poolings):
        colour, marker, label = _POOLING_STYLE[kind]
        ax.plot(xs, curve.moved_relative[i], color=colour, lw=1.8, marker=marker, markersize=5,
                label=f"{label}: vs output moved by shift / stride")
        ax.plot(xs, curve.relative[i], color=colour, lw=1.2, ls="--", marker=marker,
                markersize=4, markerfacecolor="white", label=f"{label}: at fixed positions")
    ax.set_xlabel("shift (pixels)", fontsize=9)
    ax.set_ylabel("relative change", fontsize=9)
    ax.set_xlim(min(xs) - 0.3, max(xs) + 0.3)
    top = max(1.0, float(np.nanmax(np.where(np.isfinite(curve.relative), curve.relative, 0))))
    ax.set_ylim(-0.05, 1.55 * top)               # room for the legend above the curves
    ax.tick_params(labelsize=9)
    ax.legend(fontsize=9, loc="upper left", frameon=False)
    ax.grid(alpha=0.3)
    return ax


def aliasing_figure(x=None, kernel=EDGE_KERNEL, *, shifts: Sequence[int] = range(9),
                    blur_size: int = 3, fig: Figure | None = None) -> Figure:
    """Aliasing in a stride-2 layer, and how much MaxBlurPool reduces it.

    Left: a row of :func:`~cnnmotiv.equivariance.stripes` (period 24 px plus
    fine stripes of period 2.4 px, finer than a stride-2 grid holds) sampled
    at every second pixel, at even and at odd positions, without blur (top)
    and after the binomial blur (bottom). Right:
    :func:`plot_subsampling_curve` for column shifts ``shifts`` of the
    detector map of ``x``: plain 2x2 max pooling with stride 2 against
    MaxBlurPool.

    Parameters
    ----------
    x : array_like, shape (H, W), optional
        Default: :func:`default_image` (the photo at 64 x 64).
    kernel : array_like, optional
        The detector; default :data:`~cnnmotiv.equivariance.EDGE_KERNEL`.
    shifts : sequence of int, optional
        Column shifts for the curve.
    blur_size : int, optional
        The binomial blur's side, odd.
    fig : Figure, optional

    Returns
    -------
    Figure
    """
    x = default_image() if x is None else x
    curve = subsampling_curve(x, kernel, [(0, check_int(d, "shifts", minimum=0))
                                          for d in shifts], blur_size=blur_size)
    fig = new_figure((8.4, 5.0)) if fig is None else fig
    grid = fig.add_gridspec(2, 2, width_ratios=(1.15, 1))
    a_plain = fig.add_subplot(grid[0, 0])
    a_blur = fig.add_subplot(grid[1, 0], sharex=a_plain)
    a_curve = fig.add_subplot(grid[:, 1])
    signal = stripes()
    plot_stripe_sampling(signal, blur_size=1, ax=a_plain)
    plot_stripe_sampling(signal, blur_size=curve.blur_size, ax=a_blur)
    a_plain.set_title("(a) stripes sampled every 2nd pixel: two patterns", fontsize=9,
                      loc="left")
    a_blur.set_title(f"blurred first ({curve.blur_size} binomial taps): nearly one",
                     fontsize=9, loc="left")
    a_plain.legend(fontsize=9, loc="upper center", ncols=3, frameon=False, handlelength=1.5,
                   columnspacing=0.8)
    a_plain.set_xlabel("")
    plot_subsampling_curve(curve, ax=a_curve)
    (pr, pc), (sr, sc) = curve.pool_size, curve.pool_stride
    a_curve.set_title(f"(b) edge map of the photo, pooled {pr}x{pc}, stride {sr}"
                      + ("" if sr == sc else f", {sc}") + f", blur {curve.blur_size}",
                      fontsize=9, loc="left")
    return fig


#: Figure builders for ``python -m cnnmotiv figures``; the notebook's main figure first.
FIGURES: dict[str, Callable[[], Figure]] = {
    "4-equivariance": equivariance_figure,
    "4-equivariance-cases": equivariance_cases_figure,
    "4-edge-example": edge_example_figure,
    "4-pooling": pooling_figure,
    "4-invariance-curve": _invariance_curve_figure,
    "4-aliasing": aliasing_figure,
}
