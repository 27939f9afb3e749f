"""Held-out error of a convolution and a locally connected layer on a signal and on a table.

Notebook 2's question: what does sharing cost when the positions of the data
mean different things? The study answers it with the smallest model that
shows it, a linear layer fitted in closed form by least squares:

* inputs: rows ``x`` of ``n_columns`` columns, every entry drawn from
  ``N(0, 1)``; outputs: one value per window of ``kernel_size`` adjacent
  columns, ``n_windows = n_columns - kernel_size + 1`` of them (valid mode);
* two kinds of truth (how the targets were made), both stored as one row of
  weights per window, shape ``(n_windows, kernel_size)``:
  ``"shared"`` (a signal: the same kernel at every window, ``y`` is the valid
  cross-correlation of ``x`` with it) and ``"per_position"`` (a table: every
  window has weights of its own, drawn independently), plus Gaussian noise;
* two models, fitted on the training rows and scored on a large held-out test
  set: ``"conv"`` (one kernel for all windows, ``kernel_size`` parameters)
  and ``"locally_connected"`` (each window its own weights,
  ``kernel_size * n_windows`` parameters).

For ``x ~ N(0, I)`` the held-out error of any weights has a closed form: the
expected squared error of weights ``v`` at window ``j`` is
``noise**2 + ||w_j - v||**2``. No model beats the *noise floor* ``noise**2``,
and a shared kernel ``v`` pays ``mean_j ||w_j - v||**2`` on top of it, which is
smallest at ``v = mean_j w_j``: that is :func:`conv_floor`, the best a
convolution can do on per-position truth however many rows it is given.

>>> study = sharing_study(train_sizes=(10, 1000), repeats=5)
>>> study.parameters
{'conv': 2, 'locally_connected': 14}
>>> bool(study.test_errors["per_position"]["conv"][-1] > 10 * study.noise_floor)
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnnmotiv.budget import check_bytes
from cnnmotiv.counting import count_conv, count_locally_connected
from cnnmotiv.validation import as_float_array, check_choice, check_int, check_real

__all__ = [
    "TRUTHS",
    "MODELS",
    "DEFAULT_TRAIN_SIZES",
    "SharingStudy",
    "windows",
    "true_weights",
    "predict_conv",
    "predict_locally_connected",
    "fit_conv",
    "fit_locally_connected",
    "conv_floor",
    "sharing_study",
]

#: How the targets were made: one kernel at every window, or weights of their own per window.
TRUTHS = ("shared", "per_position")

#: The two fitted models (two of :data:`cnnmotiv.counting.LAYER_KINDS`).
MODELS = ("conv", "locally_connected")

#: Training-set sizes (rows) of :func:`sharing_study`.
DEFAULT_TRAIN_SIZES = (5, 10, 20, 50, 100, 200, 500, 1000)

_BYTES = 8  # float64


# --------------------------------------------------------------------------- checks

def _check_kernel_fits(kernel_size, n_columns) -> None:
    if kernel_size > n_columns:
        raise ValueError(f"kernel_size must be at most n_columns (valid mode: every window "
                         f"inside the row); got kernel_size={kernel_size} for "
                         f"n_columns={n_columns}")


def _check_rows(x) -> np.ndarray:
    return as_float_array(x, "x", ndim=2, dtype=np.float64)


def _check_outputs(y, x, kernel_size) -> np.ndarray:
    y = as_float_array(y, "y", ndim=2, dtype=np.float64)
    expected = (x.shape[0], x.shape[1] - kernel_size + 1)
    if y.shape != expected:
        raise ValueError(f"y must have shape (N, n_columns - kernel_size + 1) = {expected} for x "
                         f"of shape {x.shape} and kernel_size={kernel_size}; got {y.shape}")
    return y


def _check_train_sizes(train_sizes) -> tuple[int, ...]:
    if isinstance(train_sizes, (str, bytes)) or not isinstance(train_sizes,
                                                                (Sequence, np.ndarray)):
        raise TypeError(f"train_sizes must be a sequence of integers; got {train_sizes!r}")
    if len(train_sizes) == 0:
        raise ValueError("train_sizes must not be empty")
    sizes = tuple(check_int(n, "train_sizes") for n in train_sizes)
    if any(b <= a for a, b in zip(sizes, sizes[1:])):
        raise ValueError(f"train_sizes must be increasing; got {sizes}")
    return sizes


# --------------------------------------------------------------------------- the layers

def windows(x, kernel_size: int) -> np.ndarray:
    """Every window of ``kernel_size`` adjacent columns of every row, as a read-only view.

    Parameters
    ----------
    x : array_like, shape (N, C)
        Inputs, one row per example, ``C`` columns.
    kernel_size : int
        Window length ``k``, at most ``C``.

    Returns
    -------
    ndarray, shape (N, C - k + 1, k)
        ``windows(x, k)[i, j] == x[i, j:j + k]``; a view of ``x`` (no copy).

    Raises
    ------
    ValueError, TypeError
        If ``x`` is not a finite 2-D array or ``kernel_size`` is not an
        integer in ``1..C``.

    Examples
    --------
    >>> windows([[1, 2, 3]], 2)
    array([[[1., 2.],
            [2., 3.]]])
    """
    x = _check_rows(x)
    kernel_size = check_int(kernel_size, "kernel_size")
    _check_kernel_fits(kernel_size, x.shape[1])
    return sliding_window_view(x, kernel_size, axis=1)


def true_weights(truth: str, *, n_columns: int = 8, kernel_size: int = 2,
                 rng: np.random.Generator) -> np.ndarray:
    """The weights that make the targets: one row per window, every entry ``N(0, 1)``.

    Parameters
    ----------
    truth : {'shared', 'per_position'}
        ``'shared'``: one kernel, repeated in every row; ``'per_position'``:
        every row drawn independently.
    n_columns, kernel_size : int
        Columns of the inputs and window length (``kernel_size <= n_columns``).
    rng : numpy.random.Generator
        The source of the draws.

    Returns
    -------
    ndarray, shape (n_columns - kernel_size + 1, kernel_size)

    Raises
    ------
    ValueError, TypeError
        Unknown ``truth``, sizes that are not positive integers, a kernel
        larger than the row, or an ``rng`` that is not a Generator.

    Examples
    --------
    >>> w = true_weights("shared", n_columns=4, kernel_size=2, rng=np.random.default_rng(0))
    >>> w.shape, bool((w == w[0]).all())
    ((3, 2), True)
    """
    truth = check_choice(truth, "truth", TRUTHS)
    n_columns = check_int(n_columns, "n_columns")
    kernel_size = check_int(kernel_size, "kernel_size")
    _check_kernel_fits(kernel_size, n_columns)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator; got {type(rng).__name__}")
    n_windows = n_columns - kernel_size + 1
    if truth == "shared":
        return np.tile(rng.normal(size=kernel_size), (n_windows, 1))
    return rng.normal(size=(n_windows, kernel_size))


def predict_conv(x, kernel) -> np.ndarray:
    """A convolution's outputs: the same kernel applied to every window (valid cross-correlation).

    Parameters
    ----------
    x : array_like, shape (N, C)
        Inputs.
    kernel : array_like, shape (k,)
        The shared weights, ``k <= C``.

    Returns
    -------
    ndarray, shape (N, C - k + 1)
        ``y[i, j] = sum_t kernel[t] * x[i, j + t]``.

    Raises
    ------
    ValueError, TypeError
        If ``x`` or ``kernel`` is not a finite array of the right dimension,
        or the kernel is longer than a row.

    Examples
    --------
    >>> predict_conv([[1.0, 2.0, 4.0]], [-1.0, 1.0])
    array([[1., 2.]])
    """
    kernel = as_float_array(kernel, "kernel", ndim=1, dtype=np.float64)
    return windows(x, kernel.size) @ kernel


def predict_locally_connected(x, weights) -> np.ndarray:
    """A locally connected layer's outputs: window ``j`` times its own weights ``weights[j]``.

    Parameters
    ----------
    x : array_like, shape (N, C)
        Inputs.
    weights : array_like, shape (C - k + 1, k)
        One row of weights per window.

    Returns
    -------
    ndarray, shape (N, C - k + 1)
        ``y[i, j] = sum_t weights[j, t] * x[i, j + t]``.

    Raises
    ------
    ValueError, TypeError
        If an array is not finite or of the right dimension, or ``weights``
        does not have one row per window of ``x``.

    Examples
    --------
    >>> predict_locally_connected([[1.0, 2.0, 4.0]], [[-1.0, 1.0], [0.0, 1.0]])
    array([[1., 4.]])
    """
    x = _check_rows(x)
    weights = as_float_array(weights, "weights", ndim=2, dtype=np.float64)
    kernel_size = weights.shape[1]
    _check_kernel_fits(kernel_size, x.shape[1])
    n_windows = x.shape[1] - kernel_size + 1
    if weights.shape[0] != n_windows:
        raise ValueError(f"weights must have one row per window: shape ({n_windows}, "
                         f"{kernel_size}) for x with {x.shape[1]} columns; got {weights.shape}")
    return np.einsum("njk,jk->nj", windows(x, kernel_size), weights)


def fit_conv(x, y, kernel_size: int) -> np.ndarray:
    """Least-squares kernel of a convolution: every window of every row is one equation.

    Minimises ``sum_{i,j} (y[i, j] - windows(x)[i, j] @ kernel)**2`` over the
    ``k`` weights: ``N * (C - k + 1)`` equations for ``k`` unknowns.

    Parameters
    ----------
    x : array_like, shape (N, C)
        Training inputs.
    y : array_like, shape (N, C - k + 1)
        Training outputs, one per window.
    kernel_size : int
        ``k``, at most ``C``.

    Returns
    -------
    ndarray, shape (k,)
        The fitted kernel (the minimum-norm one if the equations do not
        determine it).

    Raises
    ------
    ValueError, TypeError
        If an array is not finite or of the right shape, or ``kernel_size``
        is not an integer in ``1..C``.
    BudgetError
        If the stacked equations would not fit in the memory budget.

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(3, 5))
    >>> fit_conv(x, predict_conv(x, [2.0, -1.0]), 2).round(6)
    array([ 2., -1.])
    """
    x = _check_rows(x)
    win = windows(x, kernel_size)
    y = _check_outputs(y, x, kernel_size)
    n, n_windows, k = win.shape
    check_bytes(_BYTES * n * n_windows * (k + 1), what=f"the {n * n_windows:,} stacked "
                f"equations of a convolution fit", parameter="x")
    design = win.reshape(n * n_windows, k)   # one row per (example, window)
    kernel, *_ = np.linalg.lstsq(design, y.reshape(-1), rcond=None)
    return kernel


def fit_locally_connected(x, y, kernel_size: int) -> np.ndarray:
    """Least-squares weights of a locally connected layer: one small problem per window.

    Window ``j`` minimises ``sum_i (y[i, j] - x[i, j:j + k] @ weights[j])**2``
    on its own: ``N`` equations for its ``k`` unknowns.

    Parameters
    ----------
    x : array_like, shape (N, C)
        Training inputs.
    y : array_like, shape (N, C - k + 1)
        Training outputs, one per window.
    kernel_size : int
        ``k``, at most ``C``.

    Returns
    -------
    ndarray, shape (C - k + 1, k)
        The fitted weights of each window (minimum-norm where ``N < k``).

    Raises
    ------
    ValueError, TypeError
        As :func:`fit_conv`.

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(3, 4))
    >>> w = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    >>> fit_locally_connected(x, predict_locally_connected(x, w), 2).round(6)
    array([[1., 2.],
           [3., 4.],
           [5., 6.]])
    """
    x = _check_rows(x)
    win = windows(x, kernel_size)
    y = _check_outputs(y, x, kernel_size)
    return np.stack([np.linalg.lstsq(win[:, j], y[:, j], rcond=None)[0]
                     for j in range(win.shape[1])])


def conv_floor(weights, noise: float) -> float:
    """The smallest expected held-out error of any shared kernel, for inputs ``x ~ N(0, I)``.

    Window ``j`` with true weights ``w_j`` and a kernel ``v`` scores
    ``noise**2 + ||w_j - v||**2``; averaged over the windows this is smallest
    at ``v = mean_j w_j``.

    Parameters
    ----------
    weights : array_like, shape (n_windows, k)
        The true weights of each window (:func:`true_weights`).
    noise : float
        Standard deviation of the targets' noise, ``>= 0``.

    Returns
    -------
    float
        ``noise**2 + mean_j ||w_j - mean(w)||**2``: the noise floor for shared
        truth, more for per-position truth.

    Raises
    ------
    ValueError, TypeError
        If ``weights`` is not a finite 2-D array or ``noise`` is negative,
        NaN or not a number.

    Examples
    --------
    >>> conv_floor([[1.0, 0.0], [1.0, 0.0]], 0.1)          # one rule: only the noise
    0.01...
    >>> conv_floor([[1.0, 0.0], [-1.0, 0.0]], 0.0)         # two opposite rules: best is 0
    1.0
    """
    w = as_float_array(weights, "weights", ndim=2, dtype=np.float64)
    noise = check_real(noise, "noise", minimum=0)
    spread = np.sum((w - w.mean(axis=0)) ** 2, axis=1)
    return noise ** 2 + float(spread.mean())


# --------------------------------------------------------------------------- the study

@dataclass(frozen=True)
class SharingStudy:
    """Held-out and training error of both models on both truths, against the training rows.

    Attributes
    ----------
    train_sizes : tuple of int
        Training rows of each fit, increasing.
    test_errors, train_errors : dict of str to dict of str to ndarray, shape (len(train_sizes),)
        ``test_errors[truth][model]``: mean squared error on the held-out test
        set, averaged over the repeats; ``train_errors`` the same on the
        rows each model was fitted on.
    weights : dict of str to ndarray, shape (n_windows, kernel_size)
        The true weights of each truth (:func:`true_weights`).
    noise : float
        Standard deviation of the targets' noise.
    noise_floor : float
        ``noise**2``: the expected held-out error of the true weights.
    conv_floor : dict of str to float
        :func:`conv_floor` of each truth's weights: the best expected held-out
        error of any shared kernel.
    parameters : dict of str to int
        Number of weights of each model (from :mod:`cnnmotiv.counting`).
    n_columns, kernel_size, n_test, repeats, seed : int
        The study's settings.
    """

    train_sizes: tuple
    test_errors: dict
    train_errors: dict
    weights: dict
    noise: float
    noise_floor: float
    conv_floor: dict
    parameters: dict
    n_columns: int
    kernel_size: int
    n_test: int
    repeats: int
    seed: int

    @property
    def n_windows(self) -> int:
        """Outputs per row: ``n_columns - kernel_size + 1``."""
        return self.n_columns - self.kernel_size + 1


_FIT = {"conv": fit_conv, "locally_connected": fit_locally_connected}
_PREDICT = {"conv": predict_conv, "locally_connected": predict_locally_connected}


def _mse(x, y, model, fitted) -> float:
    return float(np.mean((y - _PREDICT[model](x, fitted)) ** 2))


def _targets(x, weights, noise, rng) -> np.ndarray:
    return predict_locally_connected(x, weights) + noise * rng.normal(size=(x.shape[0],
                                                                            weights.shape[0]))


def sharing_study(*, train_sizes: Sequence[int] = DEFAULT_TRAIN_SIZES, n_columns: int = 8,
                  kernel_size: int = 2, noise: float = 0.1, n_test: int = 5_000,
                  repeats: int = 20, seed: int = 0) -> SharingStudy:
    """Fit both models to both truths at every training size and score them on held-out rows.

    The true weights of each truth are drawn once; then one test set of
    ``n_test`` rows; then, for every repeat and training size, fresh training
    rows (the same inputs serve both truths, each with its own noise). Every
    draw comes from ``numpy.random.default_rng(seed)``.

    Parameters
    ----------
    train_sizes : sequence or 1-D array of int
        Training rows, increasing, each ``>= 1`` (with fewer rows than
        ``kernel_size`` the locally connected fit is the minimum-norm one).
    n_columns : int
        Columns of each input row.
    kernel_size : int
        Window length, at most ``n_columns``.
    noise : float
        Standard deviation of the Gaussian noise added to every target, ``>= 0``.
    n_test : int
        Rows of the held-out test set.
    repeats : int
        Independent training draws averaged at each size.
    seed : int
        Seed of all draws, ``>= 0``.

    Returns
    -------
    SharingStudy

    Raises
    ------
    ValueError, TypeError
        Sizes that are not positive integers, ``train_sizes`` empty or not
        increasing, a kernel larger than the row, ``noise`` negative or not
        finite, a negative seed.
    BudgetError
        If the test set or the largest training set would not fit in the
        memory budget.

    Examples
    --------
    >>> s = sharing_study(train_sizes=(20, 200), repeats=3)
    >>> s.n_windows, s.noise_floor
    (7, 0.01...)
    >>> s.test_errors["shared"]["conv"].shape
    (2,)
    """
    sizes = _check_train_sizes(train_sizes)
    n_columns = check_int(n_columns, "n_columns")
    kernel_size = check_int(kernel_size, "kernel_size")
    _check_kernel_fits(kernel_size, n_columns)
    noise = check_real(noise, "noise", minimum=0)
    n_test = check_int(n_test, "n_test")
    repeats = check_int(repeats, "repeats")
    seed = check_int(seed, "seed", minimum=0)
    n_windows = n_columns - kernel_size + 1
    # per row: the inputs, and targets, predictions, residuals and noise for each window
    per_row = _BYTES * (n_columns + 4 * n_windows)
    check_bytes(per_row * n_test, what=f"a test set of {n_test:,} rows", parameter="n_test")
    check_bytes(per_row * sizes[-1] + _BYTES * sizes[-1] * n_windows * (kernel_size + 1),
                what=f"a training set of {sizes[-1]:,} rows", parameter="train_sizes")

    rng = np.random.default_rng(seed)
    weights = {truth: true_weights(truth, n_columns=n_columns, kernel_size=kernel_size, rng=rng)
               for truth in TRUTHS}
    x_test = rng.normal(size=(n_test, n_columns))
    y_test = {truth: _targets(x_test, w, noise, rng) for truth, w in weights.items()}

    test = {t: {m: np.zeros((repeats, len(sizes))) for m in MODELS} for t in TRUTHS}
    train = {t: {m: np.zeros((repeats, len(sizes))) for m in MODELS} for t in TRUTHS}
    for r in range(repeats):
        for s, n in enumerate(sizes):
            x = rng.normal(size=(n, n_columns))
            for truth, w in weights.items():
                y = _targets(x, w, noise, rng)
                for model in MODELS:
                    fitted = _FIT[model](x, y, kernel_size)
                    test[truth][model][r, s] = _mse(x_test, y_test[truth], model, fitted)
                    train[truth][model][r, s] = _mse(x, y, model, fitted)

    shape = ((1, n_columns), (1, kernel_size))
    return SharingStudy(
        train_sizes=sizes,
        test_errors={t: {m: e.mean(axis=0) for m, e in by_model.items()}
                     for t, by_model in test.items()},
        train_errors={t: {m: e.mean(axis=0) for m, e in by_model.items()}
                      for t, by_model in train.items()},
        weights=weights,
        noise=noise,
        noise_floor=noise ** 2,
        conv_floor={t: conv_floor(w, noise) for t, w in weights.items()},
        parameters={"conv": count_conv(*shape).parameters,
                    "locally_connected": count_locally_connected(*shape).parameters},
        n_columns=n_columns, kernel_size=kernel_size, n_test=n_test, repeats=repeats, seed=seed,
    )
