"""Measure how long a layer takes, fit how the time scales, and extrapolate.

A convolution and the dense matrix that computes the same map do the same
arithmetic on every output, but the dense form does it for every pair of input
and output pixels. This module times three ways of applying one 2-D
cross-correlation to an image of shape ``(H, W)``:

* ``"dense"``: the full matrix of :func:`cnnmotiv.matrices.correlation_matrix`
  times the flattened image (one multiply-accumulate, MAC, per matrix entry,
  zeros included);
* ``"locally_connected"``: the CSR matrix of a locally connected layer
  (:func:`cnnmotiv.matrices.locally_connected_matrix`, random unshared
  weights, same sparsity as the convolution) times the flattened image;
* ``"sparse"``: the CSR matrix of
  :func:`cnnmotiv.matrices.sparse_correlation_matrix` times the flattened image
  (one MAC per stored entry, that is per weight use);
* ``"conv"``: :func:`cnnmotiv.convolution.correlate2d` (one MAC per weight use,
  with the kernel's weights read again at every position).

The dense matrix of a real photograph does not fit in memory, so its time can
only be predicted. A dense matrix-vector product does one MAC per matrix entry
and reads every entry once, from main memory once the matrix is larger than the
cache; so what limits it is the memory's streaming bandwidth.
:func:`measure_bandwidth` measures that bandwidth (a sum over a large array) and
:func:`extrapolate_dense` predicts ``seconds = traffic / bandwidth``, where the
*traffic* is the bytes one product moves (the matrix, the input and the
output) - not to be confused with the *footprint*, the bytes the matrix holds.
As a check, :func:`fit_power_law` fits ``t = c * m**p`` to the times measured
on small images (``m = H * W`` input pixels) and the fit's prediction is
reported beside it; :func:`dense_conclusion` states the one conclusion.

Every timing goes through :class:`timeit.Timer`: :meth:`~timeit.Timer.autorange`
picks the calls per measurement, :meth:`~timeit.Timer.repeat` takes the
measurements, round-robin over the sizes, and the median is kept; building the
matrices is not timed.
"""

from __future__ import annotations

import contextlib
import math
import time
import timeit
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import stats

from cnnmotiv.validation import as_float_array, check_choice, check_int, check_pair
from cnnmotiv.budget import (BudgetError, MatrixTooLargeError, check_bytes, check_work,
                             format_bytes)
from cnnmotiv.counting import LAYER_FORMS

__all__ = [
    "MAX_MEASUREMENTS",
    "METHODS",
    "Bandwidth",
    "Timings",
    "PowerLawFit",
    "DenseExtrapolation",
    "DenseConclusion",
    "dense_conclusion",
    "measure_bandwidth",
    "median_time",
    "time_dense_matvec",
    "time_sparse_matvec",
    "time_convolution",
    "time_method",
    "fit_power_law",
    "extrapolate_dense",
    "last_level_cache_bytes",
    "ScalingStudy",
    "scaling_study",
]

#: The ways of applying the layer that this module can time.
METHODS = LAYER_FORMS

#: Most measurements (``repeats`` times the number of sizes) one call may take.
MAX_MEASUREMENTS = 10_000

#: Longest a single measurement may be asked to last (``min_seconds``), in seconds.
MAX_MIN_SECONDS = 10.0

_MODES = ("valid", "same", "full")


@dataclass(frozen=True)
class Timings:
    """Median run times of one method at several image sizes.

    Attributes
    ----------
    method : str
        ``"dense"``, ``"locally_connected"``, ``"sparse"`` or ``"conv"``.
    shapes : tuple of (int, int)
        The image shapes ``(H, W)``, in the order measured.
    kernel_shape : (int, int)
        The kernel shape ``(kh, kw)``.
    mode : str
        Output size convention (``"valid"``, ``"same"`` or ``"full"``).
    pixels : ndarray of int, shape (n,)
        Input pixels ``H * W`` per shape.
    macs : ndarray of int, shape (n,)
        Multiply-accumulates one application performs: matrix entries for
        ``"dense"``, stored entries for ``"locally_connected"`` and
        ``"sparse"``, outputs times kernel entries for ``"conv"``.
    nbytes : ndarray of int, shape (n,)
        *Traffic*: bytes of the operands one application reads: the matrix
        (values, and for CSR its index arrays) plus the image for the matrix
        forms; image plus kernel for ``"conv"``.
    seconds : ndarray of float, shape (n,)
        Median seconds per application.
    footprint : ndarray of int, shape (n,), optional
        *Footprint*: bytes the operator holds while it is applied (the matrix
        with its index arrays, or the kernel for ``"conv"``); ``None`` if not
        recorded.
    """

    method: str
    shapes: tuple
    kernel_shape: tuple
    mode: str
    pixels: np.ndarray
    macs: np.ndarray
    nbytes: np.ndarray
    seconds: np.ndarray
    footprint: np.ndarray | None = None

    def __repr__(self) -> str:
        sizes = ", ".join(f"{h}x{w}" for h, w in self.shapes)
        times = ", ".join(_format_seconds(t) for t in self.seconds)
        return f"Timings({self.method}, {len(self.shapes)} sizes [{sizes}]: {times})"

    @property
    def macs_per_second(self) -> np.ndarray:
        """Achieved multiply-accumulates per second, shape (n,)."""
        return self.macs / self.seconds

    @property
    def bytes_per_mac(self) -> np.ndarray:
        """Operand bytes read per multiply-accumulate, shape (n,)."""
        return self.nbytes / self.macs


@dataclass(frozen=True)
class PowerLawFit:
    """The least-squares line ``log y = log c + p log x``, i.e. ``y = c * x**p``.

    Attributes
    ----------
    exponent : float
        ``p``, the slope on a log-log plot.
    prefactor : float
        ``c``, the value of the fit at ``x = 1``.
    x, y : ndarray of float
        The points the line was fitted to.
    """

    exponent: float
    prefactor: float
    x: np.ndarray
    y: np.ndarray

    def __repr__(self) -> str:
        return (f"PowerLawFit(y = {self.prefactor:.3g} * x^{self.exponent:.3f} on "
                f"{self.x.size} points, R^2 = {self.r_squared:.4f})")

    def predict(self, x) -> np.ndarray:
        """Evaluate ``c * x**p`` at positive ``x`` (scalar or array).

        Raises
        ------
        ValueError
            If ``x`` holds a non-positive value.
        """
        x = as_float_array(x, "x", ndim=(0, 1))
        if np.any(x <= 0):
            raise ValueError("x must be positive to evaluate a power law")
        value = self.prefactor * x ** self.exponent
        return value if value.ndim else float(value)

    @property
    def r_squared(self) -> float:
        """Coefficient of determination of the line in log-log coordinates."""
        lx, ly = np.log(self.x), np.log(self.y)
        residual = ly - (math.log(self.prefactor) + self.exponent * lx)
        total = ly - ly.mean()
        denom = float(total @ total)
        return 1.0 if denom == 0 else 1.0 - float(residual @ residual) / denom


@dataclass(frozen=True)
class DenseExtrapolation:
    """What a dense matrix-vector product would cost at a size never run.

    Attributes
    ----------
    shape : (int, int)
        Image shape ``(H, W)``.
    kernel_shape : (int, int)
        Kernel shape ``(kh, kw)``.
    pixels : int
        ``H * W``.
    macs : int
        Entries of the dense matrix, one multiply-accumulate each.
    nbytes : int
        *Footprint*: bytes the dense matrix holds at ``dtype``.
    seconds : float
        The prediction: ``traffic / bandwidth`` when a bandwidth was given,
        else the power-law fit at ``pixels`` (see ``basis``).
    fit : PowerLawFit
        The power law fitted on small sizes (the check).
    traffic : int
        Bytes one product moves: the matrix and the input read, the output
        written.
    fit_seconds : float
        The power-law fit evaluated at ``pixels``.
    bandwidth : float or None
        Streaming bandwidth in bytes per second the prediction used.
    basis : {'bandwidth', 'fit'}
        What ``seconds`` rests on.
    """

    shape: tuple
    kernel_shape: tuple
    pixels: int
    macs: int
    nbytes: int
    seconds: float
    fit: PowerLawFit
    traffic: int = 0
    fit_seconds: float = math.nan
    bandwidth: float | None = None
    basis: str = "fit"

    def __repr__(self) -> str:
        h, w = self.shape
        rate = "" if self.bandwidth is None else f" at {format_bytes(self.bandwidth)}/s"
        return (f"DenseExtrapolation({h}x{w}: {_format_seconds(self.seconds)} from the "
                f"{self.basis}{rate}; fit {_format_seconds(self.fit_seconds)}; holds "
                f"{format_bytes(self.nbytes)}, moves {format_bytes(self.traffic)})")


@dataclass(frozen=True)
class Bandwidth:
    """Streaming read bandwidth of this machine's main memory, as measured.

    Attributes
    ----------
    bytes_per_second : float
        ``nbytes / seconds``.
    nbytes : int
        Bytes read by one measurement (the array summed).
    seconds : float
        Median seconds of one pass.
    """

    bytes_per_second: float
    nbytes: int
    seconds: float

    def __repr__(self) -> str:
        return (f"Bandwidth({format_bytes(self.bytes_per_second)}/s, reading "
                f"{format_bytes(self.nbytes)} in {_format_seconds(self.seconds)})")


def _format_seconds(t: float) -> str:
    if not math.isfinite(t):
        return str(t)
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if abs(t) >= scale:
            return f"{t / scale:.3g} {unit}"
    return f"{t / 1e-9:.3g} ns"


def median_time(func: Callable[[], object], *, repeats: int = 5, number: int = 1) -> float:
    """Median wall time of ``func()`` in seconds, over ``repeats`` measurements.

    Parameters
    ----------
    func : callable
        Called with no arguments; its result is discarded.
    repeats : int, optional
        Measurements to take the median of (at least 1).
    number : int, optional
        Calls per measurement; each measurement is divided by ``number``, so
        that very short calls are timed well above the clock's resolution.

    Returns
    -------
    float
        Median seconds per call.

    Raises
    ------
    TypeError
        If ``func`` is not callable or ``repeats``/``number`` are not integers.
    ValueError
        If ``repeats`` or ``number`` is below 1.

    Notes
    -----
    ``timeit.Timer(func, timer=time.perf_counter).repeat(repeats, number)``,
    divided by ``number``. The median, not the mean or the minimum: one
    interruption by the operating system spoils one measurement, not the
    result.

    Examples
    --------
    >>> t = median_time(lambda: sum(range(100)), repeats=3, number=10)
    >>> isinstance(t, float)
    True
    """
    if not callable(func):
        raise TypeError(f"func must be callable; got {type(func).__name__}")
    repeats = check_int(repeats, "repeats")
    number = check_int(number, "number")
    check_work(repeats * number, what=f"median_time with repeats={repeats}, number={number}",
               parameter="repeats", max_work=MAX_MEASUREMENTS * 1000, unit="calls")
    samples = _timer(func).repeat(repeat=repeats, number=number)
    return float(np.median(samples)) / number


def _timer(func: Callable[[], object]) -> timeit.Timer:
    # The clock is looked up at each call, so tests can substitute a fake one.
    return timeit.Timer(func, timer=time.perf_counter)


class _LongEnough(Exception):
    """Raised by the autorange callback once a trial lasts ``min_seconds``."""


def _calls_for(func: Callable[[], object], min_seconds: float) -> int:
    """Calls per measurement so that one measurement lasts at least about ``min_seconds``.

    :meth:`timeit.Timer.autorange` tries 1, 2, 5, 10, 20, 50, ... calls; its
    callback stops it at the first count whose trial lasts ``min_seconds``
    (autorange itself stops at 0.2 s). The first trial also warms caches.
    """
    def enough(number, seconds):
        if seconds >= min_seconds:
            raise _LongEnough(number)

    try:
        number, _ = _timer(func).autorange(enough)
    except _LongEnough as stop:
        number = stop.args[0]
    return int(number)


def _check_shapes(shapes, name: str = "shapes") -> list[tuple[int, int]]:
    if isinstance(shapes, (str, bytes)) or not isinstance(shapes, Iterable):
        raise TypeError(f"{name} must be a sequence of image shapes (H, W) or sides; "
                        f"got {shapes!r}")
    out = [check_pair(s, f"{name}[{i}]") for i, s in enumerate(shapes)]
    if not out:
        raise ValueError(f"{name} must hold at least one image shape (H, W)")
    return out


def _operator_bytes(method, shape, kernel_shape, mode) -> tuple[int, int]:
    """(footprint of the operator, bytes of the image and output) for one shape, before building."""
    from cnnmotiv import convolution, matrices

    out = convolution.output_shape(shape, kernel_shape, mode=mode)
    n_out = int(out[0]) * int(out[1])
    arrays = 8 * (shape[0] * shape[1] + n_out)
    k = kernel_shape[0] * kernel_shape[1]
    if method == "dense":
        return int(matrices.dense_matrix_nbytes(shape, kernel_shape, mode=mode)), arrays
    if method == "conv":
        return 8 * k, arrays
    # CSR: values (8) and column indices (4 or 8) per stored entry, plus row pointers
    return 16 * k * n_out + 8 * (n_out + 1), arrays


def _check_sizes(method, shapes, kernel_shape, mode, max_bytes, name: str) -> None:
    """Refuse, before building anything, a size whose operator would exceed ``max_bytes``."""
    for i, shape in enumerate(shapes):
        footprint, arrays = _operator_bytes(method, shape, kernel_shape, mode)
        what = (f"the {method} operator for {name}[{i}] = {shape[0]} x {shape[1]} "
                f"(kernel {kernel_shape[0]} x {kernel_shape[1]}, mode {mode!r})")
        try:
            check_bytes(footprint + arrays, what=what, parameter=name, max_bytes=max_bytes,
                        advice=f"use smaller {name}, or pass a larger max_bytes")
        except BudgetError as err:
            if method != "dense":
                raise
            raise MatrixTooLargeError(str(err), nbytes=err.nbytes, parameter=name) from None


def _check_rng(rng) -> np.random.Generator:
    """``np.random.default_rng(rng)`` for a seed (int >= 0), a Generator or None; else TypeError."""
    if isinstance(rng, np.random.Generator) or rng is None:
        return np.random.default_rng(rng)
    if isinstance(rng, bool) or not isinstance(rng, (int, np.integer)):
        raise TypeError(f"rng must be an integer seed, a numpy.random.Generator or None; got "
                        f"{rng!r} of type {type(rng).__name__}")
    if rng < 0:
        raise ValueError(f"rng must be a seed >= 0; got {rng}")
    return np.random.default_rng(rng)


def _check_min_seconds(min_seconds) -> float:
    if isinstance(min_seconds, bool) or not isinstance(min_seconds, (int, float)) \
            or not math.isfinite(min_seconds) or not 0 < min_seconds <= MAX_MIN_SECONDS:
        raise ValueError(f"min_seconds must be a positive number of seconds, at most "
                         f"{MAX_MIN_SECONDS:g}; got {min_seconds!r}")
    return float(min_seconds)


@contextlib.contextmanager
def _limit_threads(threads):
    if threads is None:
        yield
        return
    threads = check_int(threads, "threads")
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        warnings.warn("threadpoolctl is not installed, so BLAS keeps its own number of "
                      f"threads instead of threads={threads}; install threadpoolctl to pin it",
                      UserWarning, stacklevel=4)
        yield
        return
    with threadpool_limits(limits=threads):
        yield


def time_method(method: str, shapes: Sequence, kernel_shape=(3, 3), *, mode: str = "valid",
                repeats: int = 5, min_seconds: float = 2e-3, threads: int | None = 1,
                rng=0, max_bytes: int | None = None) -> Timings:
    """Time one way of applying a random ``kernel_shape`` kernel at each image shape.

    Parameters
    ----------
    method : {"dense", "locally_connected", "sparse", "conv"}
        Dense matrix times vector, locally connected CSR matrix times vector,
        the convolution's CSR matrix times vector, or
        :func:`cnnmotiv.convolution.correlate2d`.
    shapes : sequence of int or (int, int)
        Image shapes ``(H, W)``; an int ``n`` means ``(n, n)``.
    kernel_shape : int or (int, int), optional
        Kernel shape ``(kh, kw)``; must fit in every image in ``"valid"`` mode.
    mode : {"valid", "same", "full"}, optional
        Output size convention, with zero padding.
    repeats : int, optional
        Measurements per shape; the median is kept. At most
        :data:`MAX_MEASUREMENTS` measurements in all.
    min_seconds : float, optional
        Each measurement repeats the call until it lasts about this long
        (at most :data:`MAX_MIN_SECONDS`).
    threads : int or None, optional
        Limit BLAS/OpenMP threads (via ``threadpoolctl``) while timing, so that
        every method runs on the same number of cores; ``None`` leaves them.
        Without ``threadpoolctl`` installed, a warning says the threads could
        not be pinned and the timing goes ahead.
    rng : int or numpy.random.Generator, optional
        Seed or generator for the random image and kernel.
    max_bytes : int, optional
        Memory budget for the operator and the image at each shape (default
        :data:`cnnmotiv.budget.DEFAULT_MAX_BYTES`).

    Returns
    -------
    Timings

    Raises
    ------
    ValueError
        For an unknown ``method`` or ``mode``, an empty ``shapes``, a
        non-positive size, ``repeats`` or ``min_seconds``, or a kernel larger
        than an image in ``"valid"`` mode.
    TypeError
        For non-integer sizes.
    cnnmotiv.budget.BudgetError
        If ``repeats`` asks for more than :data:`MAX_MEASUREMENTS`
        measurements, or an operator would exceed ``max_bytes`` (a
        :class:`~cnnmotiv.budget.MatrixTooLargeError` for a dense matrix);
        checked for every shape before anything is built or timed.

    Examples
    --------
    >>> t = time_method("conv", [8, (12, 16)], 3, repeats=2, min_seconds=1e-4)
    >>> t.shapes, t.pixels.tolist(), t.macs.tolist()
    (((8, 8), (12, 16)), [64, 192], [324, 1260])
    """
    method = check_choice(method, "method", METHODS)
    mode = check_choice(mode, "mode", _MODES)
    shapes = _check_shapes(shapes)
    kernel_shape = check_pair(kernel_shape, "kernel_shape")
    repeats = check_int(repeats, "repeats")
    check_work(repeats * len(shapes), what=f"timing {len(shapes)} size(s) {repeats:,} times each",
               parameter="repeats", max_work=MAX_MEASUREMENTS, unit="measurements")
    min_seconds = _check_min_seconds(min_seconds)
    if threads is not None:
        check_int(threads, "threads")
    kh, kw = kernel_shape
    if mode == "valid":
        for i, (h, w) in enumerate(shapes):
            if kh > h or kw > w:
                raise ValueError(
                    f"kernel_shape {kernel_shape} is larger than shapes[{i}] = {(h, w)}; "
                    "in 'valid' mode the kernel must fit in the image")

    # Refuse before building anything: the budget applies to every shape.
    _check_sizes(method, shapes, kernel_shape, mode, max_bytes, "shapes")

    generator = _check_rng(rng)
    kernel = generator.standard_normal(kernel_shape)
    # Build every operator first; building is not timed.
    ops = [_operator(method, generator.standard_normal(shape), kernel, mode, generator,
                     max_bytes) for shape in shapes]
    calls = [op[0] for op in ops]
    macs, held, nbytes = ([op[i] for op in ops] for i in (1, 2, 3))
    pixels = [shape[0] * shape[1] for shape in shapes]
    samples = np.empty((repeats, len(shapes)))
    with _limit_threads(threads):
        numbers = [_calls_for(func, min_seconds) for func in calls]
        # Round-robin over the sizes: a slow drift of the machine's load then
        # shifts every size alike instead of bending the fitted slope.
        for r in range(repeats):
            for i, (func, number) in enumerate(zip(calls, numbers)):
                samples[r, i] = median_time(func, repeats=1, number=number)
    return Timings(method=method, shapes=tuple(shapes), kernel_shape=kernel_shape, mode=mode,
                   pixels=np.array(pixels, dtype=np.int64), macs=np.array(macs, dtype=np.int64),
                   nbytes=np.array(nbytes, dtype=np.int64), seconds=np.median(samples, axis=0),
                   footprint=np.array(held, dtype=np.int64))


def _operator(method: str, image: np.ndarray, kernel: np.ndarray, mode: str, generator,
              max_bytes):
    """``(call, MACs, bytes held, bytes moved)`` of one layer form on one image."""
    from cnnmotiv import convolution, matrices

    x = image.ravel()
    if method == "dense":
        matrix = matrices.correlation_matrix(kernel, image.shape, mode=mode, max_bytes=max_bytes)
        return (lambda: matrix @ x), matrix.size, matrix.nbytes, matrix.nbytes + x.nbytes
    if method in ("locally_connected", "sparse"):
        if method == "locally_connected":
            matrix = matrices.locally_connected_matrix(kernel.shape, image.shape, rng=generator,
                                                       mode=mode)
        else:
            matrix = matrices.sparse_correlation_matrix(kernel, image.shape, mode=mode)
        held = matrix.data.nbytes + matrix.indices.nbytes + matrix.indptr.nbytes
        return (lambda: matrix @ x), matrix.nnz, held, held + x.nbytes
    out = convolution.output_shape(image.shape, kernel.shape, mode=mode)
    return ((lambda: convolution.correlate2d(image, kernel, mode=mode)),
            int(out[0]) * int(out[1]) * kernel.size, kernel.nbytes, image.nbytes + kernel.nbytes)


def time_dense_matvec(shapes: Sequence, kernel_shape=(3, 3), **options) -> Timings:
    """Time the dense matrix of the layer times the flattened image.

    Same as ``time_method("dense", shapes, kernel_shape, **options)``; see
    :func:`time_method` for the options and errors. The matrix has
    ``H_out * W_out`` rows and ``H * W`` columns, so its time grows about as
    ``(H * W) ** 2``.

    Examples
    --------
    >>> t = time_dense_matvec([6, 8], (3, 3), repeats=2, min_seconds=1e-4)
    >>> t.macs.tolist()  # (H-2)(W-2) rows times H*W columns
    [576, 2304]
    """
    return time_method("dense", shapes, kernel_shape, **options)


def time_sparse_matvec(shapes: Sequence, kernel_shape=(3, 3), **options) -> Timings:
    """Time the CSR matrix of the layer times the flattened image.

    Same as ``time_method("sparse", shapes, kernel_shape, **options)``; see
    :func:`time_method`. One stored entry per weight use, so the work grows as
    ``H * W``.

    Examples
    --------
    >>> t = time_sparse_matvec([8], (3, 3), repeats=2, min_seconds=1e-4)
    >>> t.macs.tolist()  # 6 * 6 outputs times 9 taps
    [324]
    """
    return time_method("sparse", shapes, kernel_shape, **options)


def time_convolution(shapes: Sequence, kernel_shape=(3, 3), **options) -> Timings:
    """Time :func:`cnnmotiv.convolution.correlate2d` of the image with the kernel.

    Same as ``time_method("conv", shapes, kernel_shape, **options)``; see
    :func:`time_method`.

    Examples
    --------
    >>> t = time_convolution([(280, 320)], (1, 2), repeats=2, min_seconds=1e-4)
    >>> t.macs.tolist()  # 280 * 319 outputs, 2 taps each
    [178640]
    """
    return time_method("conv", shapes, kernel_shape, **options)


def fit_power_law(x, y) -> PowerLawFit:
    """Fit ``y = c * x**p`` by least squares on ``log y`` against ``log x``.

    Parameters
    ----------
    x, y : array_like, shape (n,)
        Positive, finite values; at least two distinct ``x``.

    Returns
    -------
    PowerLawFit
        ``exponent`` is the slope ``p`` of the line on a log-log plot.

    Raises
    ------
    ValueError
        If the arrays are not 1-D of the same length, hold fewer than two
        points, a non-positive or non-finite value, or ``x`` has only one
        distinct value.
    TypeError
        If they are not numeric.

    Notes
    -----
    :func:`scipy.stats.linregress` of ``log y`` on ``log x``, so each point
    weighs the same whatever its magnitude: a relative error of 10% at a tiny
    size counts as much as one at a large size.

    Examples
    --------
    >>> fit = fit_power_law([10, 100, 1000], [3e-6, 3e-4, 3e-2])
    >>> round(fit.exponent, 6), round(fit.prefactor, 12)
    (2.0, 3e-08)
    >>> float(fit.predict(10_000))  # doctest: +NUMBER
    3.0
    """
    x = as_float_array(x, "x", ndim=1)
    y = as_float_array(y, "y", ndim=1)
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same length; got {x.size} and {y.size}")
    if x.size < 2:
        raise ValueError(f"x and y must hold at least two points; got {x.size}")
    if np.any(x <= 0) or np.any(y <= 0):
        raise ValueError("x and y must be positive for a log-log fit")
    if np.unique(x).size < 2:
        raise ValueError("x must hold at least two distinct values to fit a slope")
    line = stats.linregress(np.log(x), np.log(y))
    return PowerLawFit(exponent=float(line.slope), prefactor=float(np.exp(line.intercept)),
                       x=x.astype(np.float64), y=y.astype(np.float64))


def extrapolate_dense(fit: PowerLawFit, shape=(280, 320), kernel_shape=(3, 3), *,
                      bandwidth=None, mode: str = "valid",
                      dtype=np.float64) -> DenseExtrapolation:
    """Predict a dense mat-vec's time at ``shape`` and state the memory it holds and moves.

    Parameters
    ----------
    fit : PowerLawFit
        Seconds against input pixels ``H * W``, from :func:`fit_power_law`.
    shape : int or (int, int), optional
        Image shape ``(H, W)``; default the section's 280-by-320 photograph.
    kernel_shape : int or (int, int), optional
        Kernel shape ``(kh, kw)``.
    bandwidth : float, Bandwidth or None, optional
        Streaming bandwidth in bytes per second (or a :class:`Bandwidth` from
        :func:`measure_bandwidth`). Given, the prediction is ``traffic /
        bandwidth``: the product reads each matrix entry once from memory,
        which is what limits it. ``None``: the fit's value is used.
    mode : {"valid", "same", "full"}, optional
        Output size convention.
    dtype : numpy dtype, optional
        Entry type of the matrix (8 bytes for float64).

    Returns
    -------
    DenseExtrapolation
        ``seconds`` (the prediction), ``fit_seconds`` (the check), the
        footprint ``nbytes`` and the ``traffic``.

    Raises
    ------
    TypeError
        If ``fit`` is not a :class:`PowerLawFit`, or sizes are not integers.
    ValueError
        For non-positive sizes, an unknown ``mode``, or a bandwidth that is
        not a positive finite number.

    Examples
    --------
    >>> fit = fit_power_law([100, 1000], [1e-5, 1e-3])
    >>> e = extrapolate_dense(fit, (280, 320), (3, 3))
    >>> e.pixels, e.macs, e.nbytes, e.basis
    (89600, 7920998400, 63367987200, 'fit')
    >>> round(e.seconds, 6)
    8.028
    >>> e = extrapolate_dense(fit, (280, 320), (3, 3), bandwidth=16e9)
    >>> e.traffic == e.nbytes + 8 * (89_600 + 88_404), round(e.seconds, 3), e.basis
    (True, 3.961, 'bandwidth')
    """
    if not isinstance(fit, PowerLawFit):
        raise TypeError(f"fit must be a PowerLawFit from fit_power_law; got {type(fit).__name__}")
    shape = check_pair(shape, "shape")
    kernel_shape = check_pair(kernel_shape, "kernel_shape")
    mode = check_choice(mode, "mode", _MODES)
    from cnnmotiv import convolution, matrices

    out = convolution.output_shape(shape, kernel_shape, mode=mode)
    pixels = shape[0] * shape[1]
    macs = int(out[0]) * int(out[1]) * pixels
    nbytes = int(matrices.dense_matrix_nbytes(shape, kernel_shape, mode=mode, dtype=dtype))
    rate = _check_bandwidth(bandwidth)
    itemsize = np.dtype(dtype).itemsize
    traffic = nbytes + itemsize * (pixels + int(out[0]) * int(out[1]))
    fit_seconds = float(fit.predict(pixels))
    seconds = fit_seconds if rate is None else traffic / rate
    return DenseExtrapolation(shape=shape, kernel_shape=kernel_shape, pixels=pixels, macs=macs,
                              nbytes=nbytes, seconds=seconds, fit=fit, traffic=traffic,
                              fit_seconds=fit_seconds, bandwidth=rate,
                              basis="fit" if rate is None else "bandwidth")


def _check_bandwidth(bandwidth) -> float | None:
    if bandwidth is None:
        return None
    if isinstance(bandwidth, Bandwidth):
        return bandwidth.bytes_per_second
    if isinstance(bandwidth, bool) or not isinstance(bandwidth, (int, float)) \
            or not math.isfinite(bandwidth) or bandwidth <= 0:
        raise ValueError(f"bandwidth must be a positive number of bytes per second, a "
                         f"Bandwidth, or None; got {bandwidth!r}")
    return float(bandwidth)


def measure_bandwidth(nbytes: int = 2**27, *, repeats: int = 5,
                      max_bytes: int | None = None) -> Bandwidth:
    """Measure the streaming read bandwidth: the median time to sum a large array.

    Summing reads every byte once and does one addition per 8 bytes, far less
    than memory can feed, so the time is that of streaming the array in from
    main memory - the same limit as a dense matrix-vector product.

    Parameters
    ----------
    nbytes : int, optional
        Size of the float64 array summed (default 128 MiB, many times a
        last-level cache).
    repeats : int, optional
        Passes to take the median of.
    max_bytes : int, optional
        Memory budget for the array (default
        :data:`cnnmotiv.budget.DEFAULT_MAX_BYTES`), checked before allocating.

    Returns
    -------
    Bandwidth

    Raises
    ------
    TypeError, ValueError
        Non-integer or non-positive ``nbytes`` or ``repeats``.
    cnnmotiv.budget.BudgetError
        If ``nbytes`` exceeds ``max_bytes``, or ``repeats`` exceeds
        :data:`MAX_MEASUREMENTS`.

    Examples
    --------
    >>> bw = measure_bandwidth(2**20, repeats=2)
    >>> bw.nbytes
    1048576
    """
    nbytes = check_int(nbytes, "nbytes", minimum=8)
    repeats = check_int(repeats, "repeats")
    check_bytes(nbytes, what=f"an array of {nbytes:,} bytes to stream", parameter="nbytes",
                max_bytes=max_bytes)
    check_work(repeats, what=f"{repeats:,} passes", parameter="repeats",
               max_work=MAX_MEASUREMENTS, unit="measurements")
    array = np.ones(nbytes // 8)
    array.sum()                                   # first touch: pages mapped, not timed
    seconds = median_time(array.sum, repeats=repeats)
    return Bandwidth(bytes_per_second=array.nbytes / seconds, nbytes=int(array.nbytes),
                     seconds=seconds)


def last_level_cache_bytes() -> int | None:
    """Size of this machine's largest CPU cache in bytes, or ``None`` if unknown.

    Read from Linux's ``/sys/devices/system/cpu/cpu0/cache``; elsewhere it
    returns ``None``. Used to tell matrices that fit in cache from those that
    stream from main memory.

    Examples
    --------
    >>> size = last_level_cache_bytes()
    >>> size is None or size > 0
    True
    """
    base = Path("/sys/devices/system/cpu/cpu0/cache")
    best = None
    try:
        for index in base.glob("index*"):
            text = (index / "size").read_text().strip()
            kind = (index / "type").read_text().strip()
            if kind == "Instruction" or not text:
                continue
            units = {"K": 1024, "M": 1024**2, "G": 1024**3}
            value = int(text[:-1]) * units[text[-1]] if text[-1] in units else int(text)
            best = value if best is None else max(best, value)
    except (OSError, ValueError):
        return None
    return best


@dataclass(frozen=True)
class ScalingStudy:
    """Dense times at small sizes, their fitted law, and the other methods at full size.

    Attributes
    ----------
    dense : Timings
        Dense mat-vec times at the small sizes.
    others : dict of str to Timings
        The other methods (``"locally_connected"``, ``"sparse"``, ``"conv"``) at the same
        small sizes and, last, at ``target``.
    fitted : ndarray of bool
        Which dense sizes the fit used: those whose matrix (its footprint) is
        larger than ``cache_bytes`` (all of them if the cache size is unknown or fewer
        than two are larger).
    fit : PowerLawFit
        Dense seconds against input pixels on the ``fitted`` sizes.
    extrapolation : DenseExtrapolation
        The prediction at ``target`` (from the bandwidth when measured), with
        the fit's value and the bytes the matrix would hold and move.
    cache_bytes : int or None
        The last-level cache size used to split the sizes.
    bandwidth : Bandwidth or None
        The measured streaming bandwidth, if any.
    """

    dense: Timings
    others: dict
    fitted: np.ndarray
    fit: PowerLawFit
    extrapolation: DenseExtrapolation
    cache_bytes: int | None
    bandwidth: Bandwidth | None = None

    def __repr__(self) -> str:
        h, w = self.target
        return (f"ScalingStudy(dense on {len(self.dense.shapes)} sizes, p = "
                f"{self.fit.exponent:.2f} on {int(self.fitted.sum())}; at {h}x{w}: dense "
                f"{_format_seconds(self.extrapolation.seconds)} ({self.extrapolation.basis}), "
                f"conv {_format_seconds(float(self.others['conv'].seconds[-1]))})")

    @property
    def target(self) -> tuple:
        """The full image shape ``(H, W)``."""
        return self.extrapolation.shape

    def target_seconds(self) -> dict:
        """Seconds per application at ``target`` by method; dense is extrapolated."""
        out = {"dense": self.extrapolation.seconds}
        out.update({m: float(t.seconds[-1]) for m, t in self.others.items()})
        return out

    @property
    def mac_ratio(self) -> float:
        """Dense MACs over convolution MACs at ``target``: ``H * W / (kh * kw)``."""
        kh, kw = self.extrapolation.kernel_shape
        return self.extrapolation.pixels / (kh * kw)

    @property
    def time_ratio(self) -> float:
        """Extrapolated dense seconds over measured convolution seconds at ``target``."""
        return self.extrapolation.seconds / float(self.others["conv"].seconds[-1])


@dataclass(frozen=True)
class DenseConclusion:
    """The one conclusion of a :class:`ScalingStudy`: how long the dense product would take.

    Attributes
    ----------
    shape : (int, int)
        The full image shape.
    seconds : float
        Predicted dense seconds: bytes moved over the measured bandwidth.
    fit_seconds : float
        What the power law fitted on small sizes predicts (the check).
    bandwidth : float
        Measured streaming bandwidth, bytes per second.
    traffic, footprint : int
        Bytes one product moves; bytes the matrix holds.
    conv_seconds : float
        Measured convolution seconds at ``shape``.
    mac_ratio, time_ratio : float
        Dense over convolution MACs; predicted dense over measured convolution seconds.
    """

    shape: tuple
    seconds: float
    fit_seconds: float
    bandwidth: float
    traffic: int
    footprint: int
    conv_seconds: float
    mac_ratio: float
    time_ratio: float

    def __str__(self) -> str:
        h, w = self.shape
        return (f"At {h} x {w} the dense product must read a {format_bytes(self.footprint)} "
                f"matrix; at the measured {format_bytes(self.bandwidth)}/s that takes about "
                f"{_format_seconds(self.seconds)} (the power law fitted on small sizes says "
                f"{_format_seconds(self.fit_seconds)}), against "
                f"{_format_seconds(self.conv_seconds)} for the convolution: "
                f"{self.time_ratio:,.0f} times longer for {self.mac_ratio:,.0f} times the MACs.")

    def __repr__(self) -> str:
        return (f"DenseConclusion({_format_seconds(self.seconds)} from bandwidth, "
                f"fit {_format_seconds(self.fit_seconds)}, conv "
                f"{_format_seconds(self.conv_seconds)})")


def dense_conclusion(study: ScalingStudy) -> DenseConclusion:
    """One statement of what the dense product would cost at the study's full size.

    Parameters
    ----------
    study : ScalingStudy
        From :func:`scaling_study` with a measured (or given) bandwidth.

    Returns
    -------
    DenseConclusion
        ``seconds = traffic / bandwidth`` and the fit's ``fit_seconds`` beside
        it; ``str()`` of it is one sentence.

    Raises
    ------
    TypeError
        If ``study`` is not a :class:`ScalingStudy`.
    ValueError
        If the study has no bandwidth (``scaling_study(..., bandwidth=None)``).
    """
    if not isinstance(study, ScalingStudy):
        raise TypeError(f"study must be a ScalingStudy from scaling_study; got "
                        f"{type(study).__name__}")
    e = study.extrapolation
    if e.bandwidth is None:
        raise ValueError("study has no bandwidth to base the prediction on; run scaling_study "
                         "with bandwidth='measure' (the default) or a number of bytes/s")
    conv = float(study.others["conv"].seconds[-1])
    return DenseConclusion(shape=e.shape, seconds=e.seconds, fit_seconds=e.fit_seconds,
                           bandwidth=e.bandwidth, traffic=e.traffic, footprint=e.nbytes,
                           conv_seconds=conv, mac_ratio=study.mac_ratio,
                           time_ratio=e.seconds / conv)


def scaling_study(sides: Sequence = (16, 24, 32, 40, 48, 56, 64), kernel_shape=(3, 3), *,
                  target=(280, 320),
                  methods: Sequence[str] = ("locally_connected", "sparse", "conv"),
                  repeats: int = 5, min_seconds: float = 2e-3, threads: int | None = 1,
                  cache_bytes: int | None | str = "auto", bandwidth="measure",
                  rng=0) -> ScalingStudy:
    """Time the dense product where it fits, predict it at full size; time the rest there.

    Parameters
    ----------
    sides : sequence of int or (int, int), optional
        Small image shapes for the dense product (an int ``n`` is ``(n, n)``).
    kernel_shape : int or (int, int), optional
    target : int or (int, int), optional
        The full image shape, default the 280 x 320 photograph.
    methods : sequence of str, optional
        Methods besides ``"dense"`` to time at ``sides`` and ``target``;
        must include ``"conv"``.
    repeats, min_seconds, threads, rng
        As :func:`time_method`.
    cache_bytes : int, None or "auto", optional
        Matrices up to this size are left out of the fit (they run from
        cache, not from main memory); ``"auto"`` reads
        :func:`last_level_cache_bytes`, ``None`` fits every size.
    bandwidth : "measure", float, Bandwidth or None, optional
        Streaming bandwidth the dense prediction is based on:
        ``"measure"`` runs :func:`measure_bandwidth`; a number is bytes per
        second; ``None`` falls back to the fit alone.

    Returns
    -------
    ScalingStudy

    Raises
    ------
    ValueError
        Unknown or missing methods, and everything :func:`time_method` raises
        (naming ``sides`` or ``target``, the arguments passed here).
    cnnmotiv.budget.BudgetError
        If a size in ``sides`` or ``target`` would exceed the memory budget,
        checked before anything is timed.

    Examples
    --------
    >>> s = scaling_study([6, 8, 10], 3, target=(20, 24), repeats=1, min_seconds=1e-4,
    ...                   cache_bytes=None, bandwidth=10e9)
    >>> s.fitted.tolist(), s.extrapolation.nbytes, s.mac_ratio
    ([True, True, True], 1520640, 53.333...)
    >>> s.extrapolation.seconds == s.extrapolation.traffic / 10e9
    True
    >>> sorted(s.target_seconds())
    ['conv', 'dense', 'locally_connected', 'sparse']
    """
    if isinstance(methods, str) or not isinstance(methods, Iterable):
        raise TypeError(f"methods must be a sequence of method names; got {methods!r}")
    methods = [check_choice(m, "methods", METHODS[1:]) for m in methods]
    if "conv" not in methods:
        raise ValueError(f"methods must include 'conv'; got {methods!r}")
    target = check_pair(target, "target")
    kshape = check_pair(kernel_shape, "kernel_shape")
    small = _check_shapes(sides, "sides")
    _check_sizes("dense", small, kshape, "valid", None, "sides")
    for m in methods:
        _check_sizes(m, small, kshape, "valid", None, "sides")
        _check_sizes(m, [target], kshape, "valid", None, "target")
    if isinstance(cache_bytes, str):
        check_choice(cache_bytes, "cache_bytes", ("auto",))
        cache_bytes = last_level_cache_bytes()
    elif cache_bytes is not None:
        cache_bytes = check_int(cache_bytes, "cache_bytes")
    options = dict(repeats=repeats, min_seconds=min_seconds, threads=threads, rng=rng)
    dense = time_method("dense", sides, kernel_shape, **options)
    others = {m: time_method(m, list(dense.shapes) + [target], kernel_shape, **options)
              for m in methods}
    held = dense.nbytes if dense.footprint is None else dense.footprint
    fitted = held > cache_bytes if cache_bytes else np.ones(len(dense.shapes), bool)
    if fitted.sum() < 2:
        fitted = np.ones(len(dense.shapes), bool)
    fit = fit_power_law(dense.pixels[fitted], dense.seconds[fitted])
    if isinstance(bandwidth, str):
        check_choice(bandwidth, "bandwidth", ("measure",))
        bandwidth = measure_bandwidth()
    rate = _check_bandwidth(bandwidth)
    extrapolation = extrapolate_dense(fit, target, kernel_shape, bandwidth=rate, mode=dense.mode)
    return ScalingStudy(dense=dense, others=others, fitted=fitted, fit=fit,
                        extrapolation=extrapolation, cache_bytes=cache_bytes,
                        bandwidth=bandwidth if isinstance(bandwidth, Bandwidth) else None)
