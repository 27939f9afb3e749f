"""Figures for notebook 5, "What the three properties buy": what training measured.

* :func:`plot_kernel` and :func:`edge_fit_figure`: the Sobel kernel learned
  from the photo's top half, beside the true one, and the bottom-half errors
  of the convolution and the locally connected layer;
* :func:`plot_seed_accuracies` and :func:`accuracy_figure`: test accuracy of
  the four MNIST-1D models over seeds, ordered and shuffled, against the
  published table;
* :func:`plot_size_sweep` and :func:`size_sweep_figure`: test accuracy and
  the train-test gap against the training-set size;
* :func:`plot_kernel_rows` and :func:`first_layer_figure`: the CNN's first
  layer kernels at initialisation and after training;
* :func:`plot_erf`: the effective receptive field of one unit before and
  after training;
* :func:`plot_training_curves`: test accuracy against the step.

Every number drawn comes from :mod:`cnnmotiv.learning.experiments`; these
functions only draw.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cnnmotiv.learning.experiments import MODEL_LABELS, MODELS, EdgeFit, SeedStats, SizeSweep
from cnnmotiv.plotting.style import DIVERGING_CMAP, PALETTE, ROLE, SEQUENTIAL_CMAP, new_axes, new_figure

__all__ = ["MODEL_COLOURS", "MODEL_MARKERS", "plot_kernel", "edge_fit_figure",
           "plot_seed_accuracies", "accuracy_figure", "plot_size_sweep", "size_sweep_figure",
           "plot_kernel_rows", "first_layer_figure", "plot_erf", "plot_training_curves"]

#: One colour per model: the dense ones in the dense colour (logistic regression darker).
MODEL_COLOURS = {"logreg": PALETTE["purple"], "mlp": ROLE["dense"], "local": ROLE["locally_connected"],
                 "cnn": ROLE["conv"]}
#: And one marker each, so that the models stay apart without colour.
MODEL_MARKERS = {"logreg": "s", "mlp": "D", "local": "^", "cnn": "o"}
_FONT = 8.5


def plot_kernel(kernel, *, ax: Axes | None = None, title: str = "", vmax: float | None = None
                ) -> Axes:
    """A small kernel as a diverging image with its values written in the cells."""
    ax = new_axes(ax, figsize=(2.2, 2.2))
    k = np.asarray(kernel, dtype=float)
    if k.ndim != 2:
        raise ValueError(f"kernel must be 2-D; got shape {k.shape}")
    if vmax is None:
        vmax = float(np.abs(k).max()) or 1.0
    ax.imshow(k, cmap=DIVERGING_CMAP, vmin=-vmax, vmax=vmax, interpolation="nearest")
    if k.size <= 25:
        for (i, j), v in np.ndenumerate(k):
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=_FONT,
                    color="white" if abs(v) > 0.6 * vmax else "black")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=9)
    return ax


def _error_image(ax, fit: EdgeFit, vmax, title):
    err = np.abs(fit.prediction - fit.target)
    im = ax.imshow(err, cmap=SEQUENTIAL_CMAP, vmin=0, vmax=vmax, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=9)
    ax.set_xlabel(f"RMSE {fit.test_rmse:.3f} (edge map RMS {fit.target_rms:.2f})",
                  fontsize=_FONT)
    return im


def edge_fit_figure(true_kernel, conv: EdgeFit, local: EdgeFit, dense: EdgeFit | None = None, *,
                    fig: Figure | None = None) -> Figure:
    """True and learned kernels, and the bottom-half error of each fitted layer.

    Parameters
    ----------
    true_kernel : array_like, shape (3, 3)
    conv, local : EdgeFit
        From :func:`~cnnmotiv.learning.experiments.learn_edge_kernel` and
        :func:`~cnnmotiv.learning.experiments.learn_edge_local`.
    dense : EdgeFit, optional
        From :func:`~cnnmotiv.learning.experiments.learn_edge_dense`: its
        centre output's weights over the input window are drawn last.
    fig : Figure, optional

    Returns
    -------
    Figure
    """
    if conv.kernel is None or conv.layer != "conv" or local.layer != "locally_connected":
        raise ValueError("conv and local must be the fits of the convolution and the locally "
                         "connected layer")
    n = 4 + (dense is not None)
    fig = new_figure((2.25 * n + 0.6, 3.0)) if fig is None else fig
    axes = fig.subplots(1, n, width_ratios=[1, 1, 1.6, 1.6] + [1.1] * (dense is not None))
    true_kernel = np.asarray(true_kernel, dtype=float)
    vmax = float(np.abs(true_kernel).max())
    plot_kernel(true_kernel, ax=axes[0], title="true kernel (Sobel x)", vmax=vmax)
    plot_kernel(conv.kernel, ax=axes[1], title=f"learned ({conv.parameters} parameters)",
                vmax=vmax)
    emax = float(np.quantile(np.abs(local.prediction - local.target), 0.99))
    _error_image(axes[2], conv, emax, "|error|, bottom half: conv")
    im = _error_image(axes[3], local, emax,
                      f"locally connected ({local.parameters:,} par.)")
    fig.colorbar(im, ax=axes[2:4], shrink=0.8, label="|prediction − target|")
    if dense is not None:
        w = dense.kernel
        m = float(np.abs(w).max())
        axes[4].imshow(w, cmap=DIVERGING_CMAP, vmin=-m, vmax=m, interpolation="nearest")
        axes[4].set_xticks([])
        axes[4].set_yticks([])
        axes[4].set_title(f"dense on {w.shape[0]}×{w.shape[1]} crops:\none output's weights",
                          fontsize=9)
        axes[4].set_xlabel(f"test RMSE {dense.test_rmse:.3f}", fontsize=_FONT)
    return fig


def plot_seed_accuracies(stats: Mapping[str, SeedStats], *, ax: Axes | None = None,
                         offset: float = 0.0, filled: bool = True, label: str = "",
                         published: Mapping[str, float] | None = None) -> Axes:
    """One column per model: each seed's test accuracy (dots), the mean (a bar), the published value.

    Parameters
    ----------
    stats : mapping of str to SeedStats
        From :func:`~cnnmotiv.learning.experiments.seed_study`.
    ax : Axes, optional
    offset : float
        Horizontal shift of this group (to put ordered and shuffled side by side).
    filled : bool
        Filled markers (else open).
    label : str
        Legend label of the group.
    published : mapping of str to float, optional
        Published accuracies, drawn as black diamonds' outlines.
    """
    ax = new_axes(ax, figsize=(6.0, 3.4))
    names = [m for m in MODELS if m in stats]
    for i, name in enumerate(names):
        s = stats[name]
        x = MODELS.index(name) + offset
        colour = MODEL_COLOURS[name]
        jitter = np.linspace(-0.06, 0.06, s.test.size) if s.test.size > 1 else np.zeros(1)
        ax.scatter(x + jitter, s.test, s=22, marker=MODEL_MARKERS[name],
                   facecolors=colour if filled else "white", edgecolors=colour, zorder=3,
                   label=label if i == 0 else None)
        ax.hlines(s.mean, x - 0.14, x + 0.14, color=colour, lw=2.2, zorder=2)
        ax.annotate(f"{s.mean:.0%}", (x + 0.15, s.mean), fontsize=_FONT, va="center",
                    color=PALETTE["black"])
        if published and name in published:
            ax.scatter([x], [published[name]], s=70, marker="*", color=PALETTE["black"],
                       zorder=4, linewidths=0)
    ax.set_xticks(range(len(MODELS)), [MODEL_LABELS[m] for m in MODELS], fontsize=9)
    ax.set_ylabel("test accuracy")
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_ylim(0, 1)
    ax.grid(axis="y", alpha=0.3)
    return ax


def accuracy_figure(ordered: Mapping[str, SeedStats],
                    shuffled: Mapping[str, SeedStats] | None = None, *,
                    published: Mapping[str, float] | None = None,
                    published_shuffled: Mapping[str, float] | None = None,
                    fig: Figure | None = None) -> Figure:
    """Ordered (filled) and shuffled (open) test accuracies per model, with the published stars."""
    fig = new_figure((7.4, 3.6)) if fig is None else fig
    ax = fig.add_subplot()
    plot_seed_accuracies(ordered, ax=ax, offset=-0.2 if shuffled else 0.0, filled=True,
                         published=published)
    if shuffled:
        plot_seed_accuracies(shuffled, ax=ax, offset=0.2, filled=False,
                             published=published_shuffled)
    for text, face in (("ordered positions", PALETTE["grey"]), ("shuffled positions", "white")):
        ax.scatter([], [], s=22, marker="o", facecolors=face, edgecolors=PALETTE["grey"],
                   label=text)
    ax.scatter([], [], s=70, marker="*", color=PALETTE["black"], label="published (paper)")
    ax.legend(fontsize=_FONT, loc="lower right", frameon=False)
    ax.set_title("MNIST-1D test accuracy: each dot one seed, bar the mean", fontsize=9.5)
    return fig


def plot_size_sweep(sweep: SizeSweep, *, quantity: str = "test", ax: Axes | None = None,
                    names: Sequence[str] | None = None) -> Axes:
    """Test accuracy (``quantity='test'``) or train-test gap (``'gap'``) against the training-set size."""
    ax = new_axes(ax, figsize=(4.2, 3.2))
    if quantity not in ("test", "gap"):
        raise ValueError(f"quantity must be 'test' or 'gap'; got {quantity!r}")
    names = [m for m in MODELS if m in sweep.test] if names is None else list(names)
    for name in names:
        y = sweep.test[name] if quantity == "test" else sweep.gap(name)
        ax.plot(sweep.sizes, y, marker=MODEL_MARKERS[name], color=MODEL_COLOURS[name], lw=1.5,
                ms=5, label=MODEL_LABELS[name])
    ax.set_xscale("log")
    ax.set_xticks(sweep.sizes, [f"{n:,}" for n in sweep.sizes], fontsize=_FONT)
    ax.minorticks_off()
    ax.set_xlabel("training-set size")
    ax.set_ylabel("test accuracy" if quantity == "test" else "train − test accuracy")
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.grid(alpha=0.3)
    return ax


def size_sweep_figure(sweep: SizeSweep, *, fig: Figure | None = None) -> Figure:
    """:func:`plot_size_sweep` of the test accuracy (left) and the gap (right)."""
    fig = new_figure((8.4, 3.2)) if fig is None else fig
    left, right = fig.subplots(1, 2)
    plot_size_sweep(sweep, quantity="test", ax=left)
    plot_size_sweep(sweep, quantity="gap", ax=right)
    left.set_title("test accuracy", fontsize=9.5)
    right.set_title("overfitting: train minus test accuracy", fontsize=9.5)
    left.legend(fontsize=_FONT, frameon=False)
    return fig


def plot_kernel_rows(kernels, *, ax: Axes | None = None, title: str = "",
                     dc_fraction=None) -> Axes:
    """Kernels as rows of a diverging image (each row scaled to its own largest tap)."""
    ax = new_axes(ax, figsize=(2.4, 4.0))
    k = np.asarray(kernels, dtype=float)
    scaled = k / np.abs(k).max(axis=1, keepdims=True)
    ax.imshow(scaled, cmap=DIVERGING_CMAP, vmin=-1, vmax=1, aspect="auto",
              interpolation="nearest")
    ax.set_xticks(range(k.shape[1]), [str(i - k.shape[1] // 2) for i in range(k.shape[1])],
                  fontsize=_FONT)
    ax.set_xlabel("tap offset", fontsize=_FONT)
    ax.set_yticks([])
    ax.set_ylabel(f"{k.shape[0]} channels", fontsize=_FONT)
    if dc_fraction is not None:
        title = f"{title}\nmean share in the average: {float(np.mean(dc_fraction)):.2f}"
    ax.set_title(title, fontsize=9)
    return ax


def first_layer_figure(initial, trained, *, dc_initial=None, dc_trained=None,
                       fig: Figure | None = None) -> Figure:
    """The first layer's kernels before and after training, rows sorted the same way."""
    fig = new_figure((5.4, 3.8)) if fig is None else fig
    a, b = fig.subplots(1, 2)
    plot_kernel_rows(initial, ax=a, title="at initialisation", dc_fraction=dc_initial)
    plot_kernel_rows(trained, ax=b, title="after training", dc_fraction=dc_trained)
    return fig


def plot_erf(profiles: Mapping[str, np.ndarray], *, ax: Axes | None = None,
             widths: Mapping[str, float] | None = None) -> Axes:
    """Normalised effective receptive fields (one line per label) over the input positions."""
    ax = new_axes(ax, figsize=(5.6, 3.0))
    styles = [(PALETTE["grey"], "--"), (ROLE["conv"], "-"), (ROLE["highlight"], ":")]
    for (label, p), (colour, ls) in zip(profiles.items(), styles):
        text = label if not widths else f"{label} (width {widths[label]:.1f} positions)"
        ax.plot(np.arange(len(p)), p, color=colour, ls=ls, lw=1.8, drawstyle="steps-mid",
                label=text)
    ax.set_xlabel("input position")
    ax.set_ylabel("share of mean |gradient|")
    ax.legend(fontsize=_FONT, frameon=False, loc="upper right")
    ax.grid(alpha=0.3)
    return ax


def plot_training_curves(runs: Mapping[str, object], *, ax: Axes | None = None) -> Axes:
    """Test accuracy against the step for runs by label (``TrainingRun``-like objects)."""
    ax = new_axes(ax, figsize=(5.0, 3.0))
    for label, run in runs.items():
        name = label if label in MODEL_COLOURS else None
        ax.plot(run.steps, run.test_accuracy, lw=1.6,
                color=MODEL_COLOURS.get(name, PALETTE["black"]),
                label=MODEL_LABELS.get(label, label))
    ax.set_xlabel("training step")
    ax.set_ylabel("test accuracy")
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=_FONT, frameon=False)
    return ax
