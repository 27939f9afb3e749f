"""Training progress and a switch between trained runs, for notebook 5.

* :func:`training_progress`: a progress bar and a live test-accuracy curve
  that :func:`~cnnmotiv.learning.experiments.seed_study` and
  :func:`~cnnmotiv.learning.experiments.size_sweep` update through their
  ``callback`` while they train;
* :func:`runs_app`: toggles for the model and the positions (ordered or
  shuffled) and a slider for the training-set size, switching between runs
  trained once and cached for the session. A move never trains: it only
  looks a run up and moves lines, so it is as fast as any other slider.

Both builders return the widget without displaying it.
"""

from __future__ import annotations

import html
import time
from collections.abc import Mapping

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg

from cnnmotiv.learning.experiments import MODEL_LABELS, MODELS, RECIPE, cached_runs
from cnnmotiv.plotting.learning import MODEL_COLOURS, MODEL_MARKERS
from cnnmotiv.plotting.style import PALETTE, new_figure
from cnnmotiv.widgets.figure_app import FigureApp, render_png

__all__ = ["TrainingProgress", "training_progress", "runs_app", "run_numbers", "POSITIONS"]

#: The positions toggle: label -> ``shuffled``.
POSITIONS = {"ordered": False, "shuffled": True}
_WIDE = {"description_width": "initial"}


class TrainingProgress(widgets.VBox):
    """A progress bar over all runs and a live test-accuracy curve of the current run.

    Pass :meth:`callback` as the ``callback`` of
    :func:`~cnnmotiv.learning.experiments.seed_study` or
    :func:`~cnnmotiv.learning.experiments.size_sweep`. The curve is
    re-rendered at most every ``min_interval`` seconds (and at the end of
    every run), so drawing never slows training noticeably.

    Attributes
    ----------
    bar : ipywidgets.IntProgress
        Steps trained so far, over ``total_runs * steps``.
    label : ipywidgets.HTML
        Which run is training, its latest test accuracy, runs done.
    image : ipywidgets.Image
        The live curve.
    runs_done : int
    renders : int
        How many times the curve was drawn.
    """

    def __init__(self, total_runs: int, *, steps: int = RECIPE["steps"],
                 min_interval: float = 0.5, dpi: float = 72):
        if isinstance(total_runs, bool) or not isinstance(total_runs, (int, np.integer)) \
                or total_runs < 0:
            raise ValueError(f"total_runs must be a whole number >= 0; got {total_runs!r}")
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
            raise ValueError(f"steps must be a whole number >= 1; got {steps!r}")
        self.total_runs, self.steps = int(total_runs), int(steps)
        self.min_interval = float(min_interval)
        self.bar = widgets.IntProgress(value=0, min=0, max=max(1, self.total_runs * self.steps),
                                       description="training", style=_WIDE)
        self.label = widgets.HTML("waiting to start")
        self.figure = new_figure((5.0, 2.4), dpi=dpi)
        ax = self.figure.add_subplot()
        ax.set_xlim(0, self.steps)
        ax.set_ylim(0, 1)
        ax.set_xlabel("step", fontsize=10)
        ax.set_ylabel("test accuracy", fontsize=10)
        ax.tick_params(labelsize=9.5)
        ax.grid(alpha=0.3)
        self._line, = ax.plot([], [], lw=1.6, color=PALETTE["black"])
        self._canvas = FigureCanvasAgg(self.figure)
        self.image = widgets.Image(format="png")
        self.runs_done = 0
        self.renders = 0
        self._last_render = 0.0
        self._seen: set[int] = set()
        super().__init__([widgets.HBox([self.bar, self.label]), self.image])
        self._render()

    def _render(self) -> None:
        self._canvas.draw()
        self.image.value = render_png(self._canvas)
        self.renders += 1
        self._last_render = time.perf_counter()

    def callback(self, name: str, key, run) -> None:
        """Record progress of ``run`` (model ``name``; ``key`` a seed or a size)."""
        try:
            step = run.steps[-1] if run.steps else 0
            done = run.final_test_accuracy is not None
            if done and id(run) not in self._seen:
                self._seen.add(id(run))
                self.runs_done += 1
            current = 0 if done else step
            self.bar.value = min(self.bar.max, self.runs_done * self.steps + current)
            acc = run.test_accuracy[-1] if run.test_accuracy else float("nan")
            self.label.value = (f"{html.escape(MODEL_LABELS.get(name, str(name)))} ({key}): "
                                f"step {step:,}/{run.total_steps:,}, test accuracy {acc:.1%}; "
                                f"{self.runs_done}/{self.total_runs} runs done")
            self._line.set_data(run.steps, run.test_accuracy)
            self._line.set_color(MODEL_COLOURS.get(name, PALETTE["black"]))
            if done or time.perf_counter() - self._last_render >= self.min_interval:
                self._render()
        except Exception as err:  # a display must never stop training
            self.label.value = f"progress display error: {html.escape(repr(err))}"


def training_progress(total_runs: int, *, steps: int = RECIPE["steps"],
                      min_interval: float = 0.5) -> TrainingProgress:
    """A :class:`TrainingProgress` for ``total_runs`` runs of ``steps`` steps (not displayed).

    Examples
    --------
    >>> p = training_progress(2, steps=100)
    >>> p.bar.max
    200
    """
    return TrainingProgress(total_runs, steps=steps, min_interval=min_interval)


def _setting_runs(runs, seed, steps):
    """``(name, n_train, shuffled) -> run`` for one seed and number of steps."""
    return {(name, n, shuffled): run for (name, n, shuffled, s, st), run in runs.items()
            if s == seed and st == steps}


def run_numbers(runs: Mapping[tuple, object], model: str, shuffled: bool, n_train: int) -> dict:
    """What :func:`runs_app` shows for one setting.

    Parameters
    ----------
    runs : mapping
        ``(name, n_train, shuffled) -> TrainingRun``.
    model, shuffled, n_train
        The setting.

    Returns
    -------
    dict
        ``available`` (whether that run exists), and if so ``test``, ``train``,
        ``gap`` (train minus test accuracy), ``parameters`` and ``seconds``;
        ``sizes``: the training-set sizes trained for this model and positions.
    """
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}; got {model!r}")
    sizes = sorted(n for (name, n, sh) in runs if name == model and sh == bool(shuffled))
    out = {"model": model, "shuffled": bool(shuffled), "n_train": int(n_train),
           "sizes": sizes, "available": False}
    run = runs.get((model, int(n_train), bool(shuffled)))
    if run is not None and run.final_test_accuracy is not None:
        out.update(available=True, test=float(run.final_test_accuracy),
                   train=float(run.final_train_accuracy),
                   gap=float(run.final_train_accuracy - run.final_test_accuracy),
                   parameters=int(run.model.n_parameters), seconds=float(run.seconds))
    return out


def runs_app(runs: Mapping[tuple, object] | None = None, *, seed: int = 0,
             steps: int = RECIPE["steps"], model: str = "cnn", shuffled: bool = False,
             n_train: int | None = None, dpi: float = 72) -> FigureApp:
    """Switch between the session's trained runs: model, positions and training-set size.

    Parameters
    ----------
    runs : mapping, optional
        ``(name, n_train, shuffled, seed, steps) -> TrainingRun``; default
        :func:`~cnnmotiv.learning.experiments.cached_runs`. Only those with
        ``seed`` and ``steps`` are offered.
    seed, steps : int
    model : str
        Initial model, one of :data:`~cnnmotiv.learning.experiments.MODELS`.
    shuffled : bool
        Initial positions.
    n_train : int, optional
        Initial training-set size (default the largest trained).
    dpi : float

    Returns
    -------
    FigureApp
        Controls ``model`` (toggles), ``positions`` (toggles ``'ordered'`` /
        ``'shuffled'``) and ``n_train`` (a slider over the sizes trained);
        ``app.result`` is :func:`run_numbers` of the setting (plus ``error``
        if something went wrong: it is shown in the caption, never raised).

    Raises
    ------
    ValueError
        If no run matches ``seed`` and ``steps`` or an initial value is invalid.
    """
    table = _setting_runs(cached_runs() if runs is None else runs, seed, steps)
    if not table:
        raise ValueError(f"runs holds no finished run with seed={seed} and steps={steps}; "
                         "train some first (seed_study, size_sweep)")
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}; got {model!r}")
    sizes = sorted({n for (_, n, _) in table})
    n0 = sizes[-1] if n_train is None else n_train
    if n0 not in sizes:
        raise ValueError(f"n_train must be one of the trained sizes {sizes}; got {n_train!r}")

    fig, curves, (test_line, train_line, pick) = _runs_figure(sizes, steps, dpi)
    def update(model, positions, n_train):
        shuffled = POSITIONS[positions]
        numbers = run_numbers(table, model, shuffled, n_train)
        for name, line in curves.items():
            run = table.get((name, n_train, shuffled))
            xs, ys = (run.steps, run.test_accuracy) if run is not None else ([], [])
            line.set_data(xs, ys)
            line.set_linewidth(2.6 if name == model else 1.0)
            line.set_alpha(1.0 if name == model else 0.45)
        ns = numbers["sizes"]
        runs_here = [table[(model, n, shuffled)] for n in ns]
        colour, marker = MODEL_COLOURS[model], MODEL_MARKERS[model]
        test_line.set_data(ns, [r.final_test_accuracy for r in runs_here])
        train_line.set_data(ns, [r.final_train_accuracy for r in runs_here])
        for line in (test_line, train_line):
            line.set_color(colour)
            line.set_marker(marker)
        pick.set_data([n_train], [numbers["test"]] if numbers["available"] else [np.nan])
        return numbers

    model_toggle = widgets.ToggleButtons(options=[(MODEL_LABELS[m], m) for m in MODELS],
                                         value=model, description="model", style=_WIDE)
    positions_toggle = widgets.ToggleButtons(options=list(POSITIONS),
                                             value="shuffled" if shuffled else "ordered",
                                             description="positions", style=_WIDE)
    size_slider = widgets.SelectionSlider(options=[(f"{n:,}", n) for n in sizes], value=n0,
                                          description="training signals", style=_WIDE)
    dynamic = [*curves.values(), test_line, train_line, pick]
    return FigureApp(fig, update, {"model": model_toggle, "positions": positions_toggle,
                                   "n_train": size_slider},
                     dynamic=dynamic, dpi=dpi, caption=_caption, alt=_ALT)


def _runs_figure(sizes, steps: int, dpi: float):
    """The runs app's figure: accuracy curves (left), accuracy against size (right)."""
    fig = new_figure((9.2, 3.5), dpi=dpi)
    left, right = fig.subplots(1, 2, width_ratios=[1.25, 1])
    curves = {}
    for name in MODELS:
        curves[name], = left.plot([], [], lw=1.2, color=MODEL_COLOURS[name],
                                  label=MODEL_LABELS[name])
    left.set_xlim(0, steps)
    left.set_ylim(0, 1)
    left.set_xlabel("training step", fontsize=10)
    left.set_ylabel("test accuracy", fontsize=10)
    left.grid(alpha=0.3)
    left.legend(fontsize=9.5, frameon=False, loc="lower right", ncols=2)
    left.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    left.tick_params(labelsize=9.5)
    test_line, = right.plot([], [], "-", lw=1.6, ms=5)
    train_line, = right.plot([], [], "--", lw=1.2, ms=5, mfc="white")
    pick, = right.plot([], [], "o", ms=11, mfc="none", mec=PALETTE["blue"], mew=1.6)
    right.set_xscale("log")
    right.set_xlim(sizes[0] / 1.4, sizes[-1] * 1.4)
    right.set_xticks(sizes, [f"{n:,}" for n in sizes], fontsize=9.5)
    right.minorticks_off()
    right.set_ylim(0, 1.02)
    right.set_xlabel("training-set size", fontsize=10)
    right.set_ylabel("final accuracy", fontsize=10)
    right.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    right.tick_params(labelsize=9.5)
    right.grid(alpha=0.3)
    right.plot([], [], "-", color=PALETTE["grey"], label="test")
    right.plot([], [], "--", color=PALETTE["grey"], label="train")
    right.legend(fontsize=9.5, frameon=False, loc="lower right")
    return fig, curves, (test_line, train_line, pick)


_ALT = ("Left: test accuracy against training step for the four models, the chosen one "
        "drawn bold. Right: final test (solid) and training (dashed) accuracy of the chosen "
        "model against training-set size, the chosen size circled.")


def _caption(r) -> str:
    where = "shuffled" if r["shuffled"] else "ordered"
    head = f"<b>{MODEL_LABELS[r['model']]}, {where} positions, {r['n_train']:,} training signals</b>"
    if not r["available"]:
        return (f"{head}: not trained in this session (trained sizes for this model and "
                f"positions: {', '.join(f'{n:,}' for n in r['sizes']) or 'none'}).")
    return (f"{head}: test accuracy {r['test']:.1%}, training accuracy {r['train']:.1%} "
            f"(gap {100 * r['gap']:.1f} points); {r['parameters']:,} parameters; "
            f"trained in {r['seconds']:.1f} s.")
