"""The experiments of notebook 5, "What the three properties buy": runs, sweeps, measurements.

Everything the notebook reports is computed here, from :mod:`cnnmotiv.learning`:

* :func:`learn_edge_kernel`, :func:`learn_edge_local`, :func:`learn_edge_dense` and
  :func:`dense_edge_refusal`: recover the Sobel kernel of the 280 x 320 photo by
  gradient descent, training on the top half and testing on the bottom half;
* :func:`trained_run` (cached for the session), :func:`seed_study` and
  :func:`size_sweep`: the four MNIST-1D models of the paper, over seeds, on
  ordered or shuffled positions, and against the training-set size;
* :func:`first_layer_kernels`, :func:`kernel_dc_fraction`,
  :func:`measured_erf` and :func:`erf_width`: what the trained CNN learned.

The recipe (Adam, batch 100, cosine decay, float32) is :data:`RECIPE`; the notebook's
time budget decides its number of steps. Runs are deterministic: the model's
initialisation is seeded by ``seed`` and the order of the training samples by
``seed`` as well.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from cnnmotiv.validation import as_float_array, check_choice, check_int
from cnnmotiv.budget import BudgetError
from cnnmotiv.convolution import correlate2d
from cnnmotiv.learning.datasets import Dataset, mnist1d
from cnnmotiv.learning.layers import Conv2d, Dense, LocallyConnected2d
from cnnmotiv.learning.losses import mean_squared_error
from cnnmotiv.learning.models import (Sequential, locally_connected_net, logistic_regression,
                                      mlp, paper_cnn)
from cnnmotiv.learning.optim import SGD, Adam, cosine_decay
from cnnmotiv.learning.training import TrainingRun, train

__all__ = [
    "SOBEL_X", "MODELS", "MODEL_LABELS", "PUBLISHED", "RECIPE", "TRAINING_DTYPE", "SWEEP_SIZES",
    "EdgeFit", "DenseRefusal", "SeedStats", "SizeSweep",
    "edge_target", "learn_edge_kernel", "learn_edge_local", "learn_edge_dense",
    "dense_edge_refusal",
    "build_model", "mnist1d_data", "trained_run", "cached_runs", "clear_runs", "seed_study",
    "size_sweep",
    "first_layer_kernels", "kernel_dc_fraction", "measured_erf", "erf_width",
]

#: The edge detector to recover: Sobel's horizontal-change kernel (a correlation kernel).
SOBEL_X = np.array([[-1.0, 0.0, 1.0],
                    [-2.0, 0.0, 2.0],
                    [-1.0, 0.0, 1.0]])
SOBEL_X.flags.writeable = False

#: The four models, in the order dense -> locally connected -> convolutional.
MODELS = ("logreg", "mlp", "local", "cnn")
MODEL_LABELS = {"logreg": "logistic regression", "mlp": "MLP",
                "local": "locally connected", "cnn": "CNN"}
_BUILDERS: dict[str, Callable[..., Sequential]] = {
    "logreg": logistic_regression, "mlp": mlp,
    "local": locally_connected_net, "cnn": paper_cnn}

#: Published test accuracies. ``paper``: Greydanus & Kobak, "Scaling Down Deep
#: Learning with MNIST-1D", Table 1 (the numbers this notebook compares with);
#: ``repository``: the dataset repository's own quick-start notebook.
PUBLISHED = {
    "paper": {"logreg": 0.32, "mlp": 0.68, "cnn": 0.94},
    "paper_shuffled": {"mlp": 0.68, "cnn": 0.56},
    "repository": {"mlp": 0.65, "cnn": 0.92},
}

#: The training recipe of every MNIST-1D run (``steps`` is the notebook's choice). Over three
#: seeds it gives the CNN 92 % and the MLP 64 % (batch 50, 1,500 steps, lr 0.01: 91 % and 65 %,
#: in a third more time: the same samples in twice the number of smaller steps).
RECIPE = {"steps": 750, "batch_size": 100, "optimizer": "adam", "lr": 2e-2,
          "schedule": "cosine"}

#: Type of the parameters and data of every MNIST-1D run: float32, as PyTorch trains, about
#: a third faster than float64 here (the accuracies agree within the seeds' spread).
TRAINING_DTYPE = np.float32

#: Training-set sizes of the sweep; the largest is the full set (the main runs).
SWEEP_SIZES = (250, 500, 1000, 2000, 4000)


# ----------------------------------------------------------------------------
# 1. Learning an edge kernel from the photo
# ----------------------------------------------------------------------------

@dataclass(frozen=True)
class EdgeFit:
    """One layer fitted to the photo's edge map on the top half, tested on the bottom.

    Attributes
    ----------
    layer : str
        ``'conv'``, ``'locally_connected'`` or ``'dense'``.
    parameters : int
        Trainable numbers (weights and biases).
    prediction : ndarray
        The fitted layer's output on the test region, shape of ``target``.
    target : ndarray
        The true edge map of the test region.
    train_rmse, test_rmse : float
        Root-mean-square error on the training (top) and test (bottom) region.
    target_rms : float
        Root-mean-square of the test target (what predicting 0 would score).
    kernel : ndarray or None
        The learned 3 x 3 kernel (convolution), or one output's weights over its
        input crop (dense), else None.
    losses : ndarray
        Training loss (mean squared error) at every step.
    seconds : float
    untouched_fraction : float
        Share of the parameters that training never changed (exactly equal to
        their initial value).
    """

    layer: str
    parameters: int
    prediction: np.ndarray
    target: np.ndarray
    train_rmse: float
    test_rmse: float
    target_rms: float
    kernel: np.ndarray | None
    losses: np.ndarray
    seconds: float
    untouched_fraction: float


def edge_target(image, kernel=SOBEL_X) -> np.ndarray:
    """The edge map the layers learn to reproduce: ``correlate2d(image, kernel)`` (valid)."""
    return correlate2d(as_float_array(image, "image", ndim=2), kernel)


def _rmse(a, b) -> float:
    return float(np.sqrt(np.mean((np.asarray(a) - np.asarray(b)) ** 2)))


def _one_blas_thread():
    """BLAS on one thread while training: these matrices are small, and on a busy machine a
    second BLAS thread waiting for a core makes each product many times slower."""
    return threadpool_limits(limits=1, user_api="blas")


def _fit_steps(layer, params_grads, batches, steps, lr, loss_and_grad):
    """Adam with cosine decay on mean squared error: the shared loop of the edge fits."""
    with _one_blas_thread():
        return _fit_loop(layer, params_grads, batches, steps, lr, loss_and_grad)


def _fit_loop(layer, params_grads, batches, steps, lr, loss_and_grad):
    opt = Adam(lr)
    losses = np.empty(steps)
    for t in range(steps):
        x, target, mask = batches(t)
        y = layer.forward(x)
        loss, g = loss_and_grad(y, target, mask)
        layer.backward(g)
        opt.lr = max(cosine_decay(t, steps, lr), 1e-300)
        opt.step(*params_grads)
        losses[t] = loss
    return losses


def _check_image(image):
    image = as_float_array(image, "image", ndim=2)
    if min(image.shape) < 8:
        raise ValueError(f"image must be at least 8 x 8; got shape {image.shape}")
    return image


def learn_edge_kernel(image, kernel=SOBEL_X, *, steps=300, batch_size=16, crop=18, lr=0.05,
                      seed=0) -> EdgeFit:
    """Learn a 3 x 3 kernel (a ``Conv2d(1, 1, 3)``: 9 weights and a bias) from the top half.

    Each step draws ``batch_size`` random ``crop x crop`` windows from the top
    half of ``image``; the target is their edge map (valid). The learned layer is
    then applied to the whole bottom half and compared with its true edge map.

    Parameters
    ----------
    image : array_like, shape (H, W)
    kernel : array_like, shape (3, 3)
        The true kernel (defines the target).
    steps, batch_size, crop : int
    lr : float
        Adam's peak learning rate (cosine decay to 0).
    seed : int
        Seeds the initial weights and the crops.

    Returns
    -------
    EdgeFit
        ``kernel`` is the learned ``(3, 3)`` kernel.

    Raises
    ------
    ValueError, TypeError
        If the image is too small for ``crop`` in its top half, or a number is
        out of range.

    Examples
    --------
    >>> from cnnmotiv.data import photo
    >>> fit = learn_edge_kernel(photo((64, 64)), steps=150)
    >>> fit.parameters, bool(fit.test_rmse < 0.2 * fit.target_rms)
    (10, True)
    """
    image = _check_image(image)
    k = np.asarray(kernel, dtype=float)
    if k.shape != (3, 3):
        raise ValueError(f"kernel must have shape (3, 3); got {k.shape}")
    steps = check_int(steps, "steps")
    batch_size = check_int(batch_size, "batch_size")
    crop = check_int(crop, "crop", minimum=4)
    half = image.shape[0] // 2
    if crop > half or crop > image.shape[1]:
        raise ValueError(f"crop must fit in the top half {half} x {image.shape[1]}; got {crop}")
    rng = np.random.default_rng(check_int(seed, "seed", minimum=0))
    layer = Conv2d(1, 1, 3, rng=rng)

    # a window's edge map (valid) is the same window of the whole image's edge map
    edges = edge_target(image, k)
    out = crop - k.shape[0] + 1

    def batches(t):
        rows = rng.integers(0, half - crop + 1, batch_size)
        cols = rng.integers(0, image.shape[1] - crop + 1, batch_size)
        x = np.stack([image[r:r + crop, c:c + crop] for r, c in zip(rows, cols)])[..., None]
        target = np.stack([edges[r:r + out, c:c + out] for r, c in zip(rows, cols)])[..., None]
        return x, target, None

    start = time.perf_counter()
    w0 = {key: p.copy() for key, p in layer.params.items()}
    losses = _fit_steps(layer, (layer.params, layer.grads), batches, steps, lr,
                        lambda y, t, m: mean_squared_error(y, t))
    seconds = time.perf_counter() - start
    target = edges
    top, bottom = image[:half + 1], image[half - 1:]      # outputs of rows [0, half-1), [half-1, ...)
    pred_top = layer.forward(top[None, ..., None])[0, ..., 0]
    pred_bottom = layer.forward(bottom[None, ..., None])[0, ..., 0]
    t_top, t_bottom = target[:half - 1], target[half - 1:]
    return EdgeFit("conv", layer.n_parameters, pred_bottom, t_bottom,
                   _rmse(pred_top, t_top), _rmse(pred_bottom, t_bottom),
                   float(np.sqrt(np.mean(t_bottom ** 2))),
                   layer.params["weight"][:, :, 0, 0].copy(), losses, seconds,
                   _untouched(w0, layer.params))


def _untouched(before, after) -> float:
    same = sum(int(np.count_nonzero(before[key] == after[key])) for key in before)
    return same / sum(p.size for p in before.values())


def learn_edge_local(image, kernel=SOBEL_X, *, steps=12, lr=0.09, seed=0) -> EdgeFit:
    """Fit a ``LocallyConnected2d(1, 1, 3)`` over the whole image, with the loss on the top half.

    The layer has its own 3 x 3 weights and bias at each of the
    ``(H - 2) x (W - 2)`` output positions. The loss, the *sum* of squared
    errors of the outputs that read only the top half, makes every position
    its own small least-squares problem; plain gradient descent (:class:`SGD`,
    constant ``lr``) solves them all at once. The gradient of every bottom-half
    weight is exactly 0, so those weights keep their random initial values.

    Parameters
    ----------
    lr : float
        Step size; gradient descent is stable for ``lr < 1 / (9 + 1)`` on
        pixels in [0, 1] (a window's squared norm plus the bias's 1).

    Returns
    -------
    EdgeFit
        ``prediction`` and ``target`` on the bottom half; ``kernel`` None;
        ``untouched_fraction`` the share of weights never changed.

    Examples
    --------
    >>> from cnnmotiv.data import photo
    >>> fit = learn_edge_local(photo((32, 32)))
    >>> bool(fit.train_rmse < 0.2 * fit.target_rms < fit.test_rmse), fit.untouched_fraction > 0.45
    (True, True)
    """
    image = _check_image(image)
    k = np.asarray(kernel, dtype=float)
    steps = check_int(steps, "steps")
    rng = np.random.default_rng(check_int(seed, "seed", minimum=0))
    layer = LocallyConnected2d(1, 1, k.shape, image.shape, rng=rng)
    target = edge_target(image, k)
    half = image.shape[0] // 2 - 1                      # output rows that read only the top half
    mask = np.zeros(target.shape, dtype=bool)
    mask[:half] = True
    x, t4, m4 = image[None, ..., None], target[None, ..., None], mask[None, ..., None]
    n = int(mask.sum())
    w0 = {key: p.copy() for key, p in layer.params.items()}
    opt = SGD(lr)
    losses = np.empty(steps)
    start = time.perf_counter()
    with _one_blas_thread():
        for t in range(steps):
            losses[t], grad = mean_squared_error(layer.forward(x), t4, mask=m4)
            layer.backward(n * grad)                # the gradient of the *sum* of squares
            opt.step(layer.params, layer.grads)
    seconds = time.perf_counter() - start
    pred = layer.forward(x)[0, ..., 0]
    return EdgeFit("locally_connected", layer.n_parameters, pred[half:], target[half:],
                   _rmse(pred[:half], target[:half]), _rmse(pred[half:], target[half:]),
                   float(np.sqrt(np.mean(target[half:] ** 2))), None, losses, seconds,
                   _untouched(w0, layer.params))


@dataclass(frozen=True)
class DenseRefusal:
    """A dense layer from the whole image to its edge map, refused before it was allocated."""

    in_features: int
    out_features: int
    nbytes: int
    message: str


def dense_edge_refusal(shape=(280, 320), kernel_shape=(3, 3)) -> DenseRefusal:
    """Try to build ``Dense(H*W, H_out*W_out)`` and return the budget's refusal.

    Raises
    ------
    AssertionError
        If the layer was *not* refused (the budget allows it): then there is
        nothing to report.

    Examples
    --------
    >>> r = dense_edge_refusal()
    >>> r.in_features, r.out_features, r.nbytes
    (89600, 88404, 126735974400)
    """
    h, w = (check_int(s, "shape") for s in shape)
    kh, kw = (check_int(s, "kernel_shape") for s in kernel_shape)
    n_in, n_out = h * w, (h - kh + 1) * (w - kw + 1)
    try:
        Dense(n_in, n_out, rng=0)
    except BudgetError as err:
        return DenseRefusal(n_in, n_out, int(err.nbytes), str(err))
    raise AssertionError(f"Dense({n_in}, {n_out}) fitted the budget; use a larger shape")


def learn_edge_dense(image, kernel=SOBEL_X, *, crop=12, n_train=100, steps=300, lr=0.01,
                     seed=0) -> EdgeFit:
    """Fit a dense layer from a ``crop x crop`` window to its edge map, on windows of the top half.

    ``n_train`` windows from the top half are the training set (full batch);
    as many windows from the bottom half are the test set. Every output has
    its own weight for every input pixel: ``crop**2 * (crop - 2)**2`` weights.

    Returns
    -------
    EdgeFit
        ``prediction``/``target`` for the test windows, shape
        ``(n_train, crop - 2, crop - 2)``; ``kernel`` the weights of the centre
        output over its input window, ``(crop, crop)``.

    Examples
    --------
    >>> from cnnmotiv.data import photo
    >>> fit = learn_edge_dense(photo((64, 64)), crop=8, n_train=20, steps=100)
    >>> fit.parameters, fit.kernel.shape
    (2340, (8, 8))
    """
    image = _check_image(image)
    k = np.asarray(kernel, dtype=float)
    crop = check_int(crop, "crop", minimum=4)
    n_train = check_int(n_train, "n_train")
    steps = check_int(steps, "steps")
    half = image.shape[0] // 2
    if crop > half:
        raise ValueError(f"crop must fit in the top half ({half} rows); got {crop}")
    rng = np.random.default_rng(check_int(seed, "seed", minimum=0))

    def windows(r0, r1):
        rows = rng.integers(r0, r1 - crop + 1, n_train)
        cols = rng.integers(0, image.shape[1] - crop + 1, n_train)
        x = np.stack([image[r:r + crop, c:c + crop] for r, c in zip(rows, cols)])
        return x, np.stack([correlate2d(w, k) for w in x])

    x_tr, t_tr = windows(0, half)
    x_te, t_te = windows(half, image.shape[0])
    out = (crop - 2) ** 2
    layer = Dense(crop * crop, out, rng=rng)
    flat = (x_tr.reshape(n_train, -1), t_tr.reshape(n_train, -1))
    w0 = {key: p.copy() for key, p in layer.params.items()}
    start = time.perf_counter()
    losses = _fit_steps(layer, (layer.params, layer.grads), lambda t: (*flat, None), steps, lr,
                        lambda y, t, m: mean_squared_error(y, t))
    seconds = time.perf_counter() - start
    pred_tr = layer.forward(flat[0])
    pred = layer.forward(x_te.reshape(n_train, -1)).reshape(t_te.shape)
    centre = (crop - 2) // 2 * (crop - 2) + (crop - 2) // 2
    return EdgeFit("dense", layer.n_parameters, pred, t_te, _rmse(pred_tr, flat[1]),
                   _rmse(pred, t_te), float(np.sqrt(np.mean(t_te ** 2))),
                   layer.params["weight"][:, centre].reshape(crop, crop).copy(), losses,
                   seconds, _untouched(w0, layer.params))


# ----------------------------------------------------------------------------
# 2-4. MNIST-1D runs, cached for the session
# ----------------------------------------------------------------------------

def build_model(name: str, *, seed: int = 0, dtype=np.float64) -> Sequential:
    """A fresh model by name (one of :data:`MODELS`), initialised from ``seed``.

    ``dtype`` is the parameters' type (:class:`~cnnmotiv.learning.Sequential`);
    the runs of :func:`trained_run` use :data:`TRAINING_DTYPE`.

    Examples
    --------
    >>> {name: build_model(name).n_parameters for name in MODELS}
    {'logreg': 410, 'mlp': 15210, 'local': 32610, 'cnn': 5210}
    """
    check_choice(name, "name", MODELS)
    return _BUILDERS[name](rng=check_int(seed, "seed", minimum=0), dtype=dtype)


def mnist1d_data(*, shuffled: bool = False, n_train: int | None = None) -> Dataset:
    """MNIST-1D as published (seed 42), ordered or shuffled, optionally a prefix of the training set."""
    return mnist1d(shuffled=shuffled, n_train=n_train)


_RUNS: dict[tuple, TrainingRun] = {}


def _run_key(name, n_train, shuffled, seed, steps):
    check_choice(name, "name", MODELS)
    n_train = None if n_train is None else check_int(n_train, "n_train", minimum=1, maximum=4000)
    if not isinstance(shuffled, (bool, np.bool_)):
        raise TypeError(f"shuffled must be True or False; got {shuffled!r}")
    return (name, 4000 if n_train is None else n_train, bool(shuffled),
            check_int(seed, "seed", minimum=0), check_int(steps, "steps"))


def trained_run(name: str, *, n_train: int | None = None, shuffled: bool = False, seed: int = 0,
                steps: int = RECIPE["steps"], callback=None) -> TrainingRun:
    """Train model ``name`` with :data:`RECIPE`, once per session per setting.

    The result is cached by ``(name, n_train, shuffled, seed, steps)``: a
    second call returns the same :class:`~cnnmotiv.learning.TrainingRun`
    at once (``callback`` is then not called), so a slider can switch
    between runs without training.

    Parameters
    ----------
    name : str
        One of :data:`MODELS`.
    n_train : int, optional
        Training-set size (the first ``n_train`` signals; default all 4,000). A
        training set smaller than the recipe's batch is used whole at every step.
    shuffled : bool
        Positions permuted (the "database table" variant).
    seed : int
        Initialisation and sample order.
    steps : int
    callback : callable, optional
        Passed to :func:`~cnnmotiv.learning.train` (progress display).

    Examples
    --------
    >>> run = trained_run("logreg", steps=100)
    >>> trained_run("logreg", steps=100) is run
    True
    """
    key = _run_key(name, n_train, shuffled, seed, steps)
    run = _RUNS.get(key)
    if run is None:
        data = mnist1d_data(shuffled=key[2], n_train=key[1])
        config = dict(RECIPE, steps=key[4], batch_size=min(RECIPE["batch_size"], key[1]))
        with _one_blas_thread():
            run = train(build_model(name, seed=key[3], dtype=TRAINING_DTYPE), data, seed=key[3],
                        eval_every=max(1, key[4] // 5), callback=callback, **config)
        _RUNS[key] = run
    return run


def cached_runs() -> dict[tuple, TrainingRun]:
    """A copy of the session's cache: ``(name, n_train, shuffled, seed, steps) -> run``."""
    return dict(_RUNS)


def clear_runs() -> None:
    """Forget every cached run (the next :func:`trained_run` trains again)."""
    _RUNS.clear()


@dataclass(frozen=True)
class SeedStats:
    """Final accuracies of one model over several seeds.

    Attributes
    ----------
    name : str
    seeds : tuple of int
    test, train : ndarray, shape (n_seeds,)
        Final test and training accuracy per seed.
    parameters : int
    seconds : float
        Training time summed over the seeds.
    """

    name: str
    seeds: tuple
    test: np.ndarray
    train: np.ndarray
    parameters: int
    seconds: float

    @property
    def mean(self) -> float:
        """Mean test accuracy."""
        return float(self.test.mean())

    @property
    def spread(self) -> float:
        """Sample standard deviation of the test accuracy (0 for one seed)."""
        return float(self.test.std(ddof=1)) if self.test.size > 1 else 0.0

    @property
    def gap(self) -> float:
        """Mean training minus mean test accuracy."""
        return float(self.train.mean() - self.test.mean())


def _check_names(names) -> tuple[str, ...]:
    names = tuple(names)
    for name in names:
        check_choice(name, "names", MODELS)
    if not names:
        raise ValueError("names must list at least one model")
    return names


def _check_seeds(seeds) -> tuple[int, ...]:
    seeds = tuple(check_int(s, "seeds", minimum=0) for s in seeds)
    if not seeds or len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct, at least one; got {seeds}")
    return seeds


def seed_study(names: Iterable[str] = MODELS, *, seeds: Sequence[int] = (0, 1, 2),
               shuffled: bool = False, n_train: int | None = None,
               steps: int = RECIPE["steps"], callback=None) -> dict[str, SeedStats]:
    """Final accuracies of each model over ``seeds`` (cached runs, see :func:`trained_run`).

    ``callback(name, seed, run)`` is called during training, after every
    evaluation, for progress displays.

    Examples
    --------
    >>> s = seed_study(["logreg"], seeds=(0, 1), steps=100)["logreg"]
    >>> s.test.shape, s.parameters
    ((2,), 410)
    """
    names, seeds = _check_names(names), _check_seeds(seeds)
    out = {}
    for name in names:
        runs = [trained_run(name, n_train=n_train, shuffled=shuffled, seed=s, steps=steps,
                            callback=_bind(callback, name, s)) for s in seeds]
        out[name] = SeedStats(name, seeds, np.array([r.final_test_accuracy for r in runs]),
                              np.array([r.final_train_accuracy for r in runs]),
                              runs[0].model.n_parameters, float(sum(r.seconds for r in runs)))
    return out


def _bind(callback, name, seed):
    if callback is None:
        return None
    return lambda run: callback(name, seed, run)


@dataclass(frozen=True)
class SizeSweep:
    """Final accuracies against the training-set size, one seed per model and size.

    Attributes
    ----------
    sizes : ndarray of int
    test, train : dict of str to ndarray, shape (len(sizes),)
    shuffled : bool
    seed : int
    """

    sizes: np.ndarray
    test: dict
    train: dict
    shuffled: bool
    seed: int

    def gap(self, name: str) -> np.ndarray:
        """Training minus test accuracy of ``name`` at every size."""
        return self.train[name] - self.test[name]


def size_sweep(names: Iterable[str] = ("mlp", "local", "cnn"), sizes: Sequence[int] = SWEEP_SIZES,
               *, seed: int = 0, shuffled: bool = False, steps: int = RECIPE["steps"],
               callback=None) -> SizeSweep:
    """Train each model on the first ``n`` training signals for every ``n`` in ``sizes``.

    The runs are :func:`trained_run`'s, so the size 4,000 with ``seed`` is the
    same run as :func:`seed_study`'s and is not trained twice.
    ``callback(name, n, run)`` reports progress.

    Examples
    --------
    >>> sw = size_sweep(["logreg"], [100, 400], steps=100)
    >>> sw.sizes.tolist(), sw.test["logreg"].shape
    ([100, 400], (2,))
    """
    names = _check_names(names)
    sizes = np.array(sorted({check_int(n, "sizes", minimum=1, maximum=4000) for n in sizes}))
    test, tr = {}, {}
    for name in names:
        runs = [trained_run(name, n_train=int(n), shuffled=shuffled, seed=seed, steps=steps,
                            callback=_bind(callback, name, int(n))) for n in sizes]
        test[name] = np.array([r.final_test_accuracy for r in runs])
        tr[name] = np.array([r.final_train_accuracy for r in runs])
    return SizeSweep(sizes, test, tr, bool(shuffled), int(seed))


# ----------------------------------------------------------------------------
# 5. What was learned
# ----------------------------------------------------------------------------

def _first_conv(model: Sequential):
    for layer in model.layers:
        if "weight" in layer.params and layer.params["weight"].ndim == 3:
            return layer
    raise ValueError("model must have a 1-D convolution (weight of shape (k, C_in, C_out))")


def first_layer_kernels(model: Sequential) -> np.ndarray:
    """The first convolution's kernels, one row per output channel: ``(C_out, k)`` (one input channel).

    Examples
    --------
    >>> first_layer_kernels(build_model("cnn")).shape
    (25, 5)
    """
    w = _first_conv(model).params["weight"]
    if w.shape[1] != 1:
        raise ValueError(f"the first convolution must have one input channel; got {w.shape[1]}")
    return w[:, 0, :].T.copy()


def kernel_dc_fraction(kernels) -> np.ndarray:
    """Share of each kernel's energy in its mean: ``k * mean(w)**2 / sum(w**2)``, per row.

    0 for a kernel whose taps sum to zero (a pure slope or edge detector, it
    ignores a constant offset), 1 for a constant (smoothing) kernel. For
    kernels with independent random taps the expected value is about ``1/k``.

    Examples
    --------
    >>> kernel_dc_fraction([[-1.0, 0.0, 1.0], [1.0, 1.0, 1.0]]).tolist()
    [0.0, 1.0]
    """
    w = as_float_array(kernels, "kernels", ndim=2)
    energy = np.sum(w ** 2, axis=1)
    if np.any(energy == 0):
        raise ValueError("kernels must not contain an all-zero row")
    return w.shape[1] * w.mean(axis=1) ** 2 / energy


def measured_erf(model: Sequential, x, *, layer: int | None = None,
                 position: int | None = None) -> np.ndarray:
    """Effective receptive field: mean ``|d unit / d input|`` over the samples ``x``, normalised.

    The unit is ``position`` (default the middle) of the last convolution's
    (or the given ``layer``'s) output, summed over its channels: each
    channel's gradient is taken separately and the absolute values added.

    Returns
    -------
    ndarray, shape (input length,)
        Non-negative, summing to 1.

    Examples
    --------
    >>> erf = measured_erf(build_model("cnn"), np.random.default_rng(0).normal(size=(8, 40)))
    >>> erf.shape, bool(np.isclose(erf.sum(), 1.0))
    ((40,), True)
    """
    # in the model's type (float32 for a trained run): no mixed-type products
    x = as_float_array(x, "x", ndim=2).astype(model.parameter_vector().dtype, copy=False)
    convs = [i for i, lay in enumerate(model.layers)
             if "weight" in lay.params and lay.params["weight"].ndim == 3]
    if layer is None:
        if not convs:
            raise ValueError("model has no 1-D convolution; pass layer")
        layer = convs[-1] + 1 if convs[-1] + 1 < len(model.layers) else convs[-1]  # after ReLU
    h = x
    for lay in model.layers[:layer + 1]:
        h = lay.forward(h)
    if h.ndim != 3:
        raise ValueError(f"layer {layer}'s output must be (N, L, C); got shape {h.shape}")
    length, channels = h.shape[1:]
    position = length // 2 if position is None else check_int(position, "position", minimum=0,
                                                              maximum=length - 1)
    # one forward pass (above) serves every channel: each backward pass below starts from
    # the layers' state of that pass (what input_gradient computes, without its forward)
    total = np.zeros(x.shape[1])
    with _one_blas_thread():
        for c in range(channels):
            seed = np.zeros_like(h)
            seed[:, position, c] = 1.0
            for lay in reversed(model.layers[:layer + 1]):
                seed = lay.backward(seed)
            total += np.abs(seed).mean(axis=0)
    s = total.sum()
    if not s > 0:
        raise ValueError("the unit's gradient is zero for every sample (a dead unit); "
                         "choose another position or more samples")
    return total / s


def erf_width(erf) -> float:
    """Standard deviation (in input positions) of a normalised receptive-field profile.

    Examples
    --------
    >>> erf_width([0.0, 0.5, 0.0, 0.5, 0.0])
    1.0
    """
    p = as_float_array(erf, "erf", ndim=1)
    if np.any(p < 0) or not math.isclose(float(p.sum()), 1.0, rel_tol=1e-9):
        raise ValueError("erf must be non-negative and sum to 1")
    i = np.arange(p.size)
    mean = float(np.sum(i * p))
    return float(np.sqrt(np.sum((i - mean) ** 2 * p)))
