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

The dense matrix of a real photograph does not fit in memory, so its time is
measured only on small images; :func:`fit_power_law` fits ``t = c * m**p`` to
those times (a straight line on a log-log plot, ``m = H * W`` input pixels) and
:func:`extrapolate_dense` evaluates the fit at the full size and states how many
bytes that matrix would need.

Every timing is the median of ``repeats`` measurements with
:func:`time.perf_counter`, taken round-robin over the sizes; building the
matrices is not timed.
"""

from __future__ import annotations

import contextlib
import math
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cnnmotiv._validation import (as_float_array, check_choice, check_int, check_pair,
                                  check_memory)
from cnnmotiv.counting import LAYER_FORMS

__all__ = [
    "METHODS",
    "Timings",
    "PowerLawFit",
    "DenseExtrapolation",
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
        Bytes of the operands one application reads: the matrix (values, and
        for CSR its index arrays) plus the image for the matrix forms; image
        plus kernel for ``"conv"``.
    seconds : ndarray of float, shape (n,)
        Median seconds per application.
    """

    method: str
    shapes: tuple
    kernel_shape: tuple
    mode: str
    pixels: np.ndarray
    macs: np.ndarray
    nbytes: np.ndarray
    seconds: np.ndarray

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
        Bytes the dense matrix needs at ``dtype``.
    seconds : float
        The power-law fit evaluated at ``pixels``.
    fit : PowerLawFit
        The fit that was used.
    """

    shape: tuple
    kernel_shape: tuple
    pixels: int
    macs: int
    nbytes: int
    seconds: float
    fit: PowerLawFit


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
    The median, not the mean or the minimum: one interruption by the operating
    system spoils one measurement, not the result.

    Examples
    --------
    >>> t = median_time(lambda: sum(range(100)), repeats=3, number=10)
    >>> 0 < t < 1
    True
    """
    if not callable(func):
        raise TypeError(f"func must be callable; got {type(func).__name__}")
    repeats = check_int(repeats, "repeats")
    number = check_int(number, "number")
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            func()
        samples.append((time.perf_counter() - start) / number)
    return float(np.median(samples))


def _calls_for(func: Callable[[], object], min_seconds: float) -> int:
    """Calls per measurement so that one measurement lasts about ``min_seconds``."""
    start = time.perf_counter()
    func()  # also warms caches and lazy initialisation
    once = time.perf_counter() - start
    if once <= 0:
        return 1000
    return max(1, min(1000, math.ceil(min_seconds / once)))


def _check_shapes(shapes) -> list[tuple[int, int]]:
    if isinstance(shapes, (str, bytes)) or not isinstance(shapes, Iterable):
        raise TypeError("shapes must be a sequence of image shapes (H, W) or sides; "
                        f"got {shapes!r}")
    out = [check_pair(s, f"shapes[{i}]") for i, s in enumerate(shapes)]
    if not out:
        raise ValueError("shapes must hold at least one image shape (H, W)")
    return out


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
        Measurements per shape; the median is kept.
    min_seconds : float, optional
        Each measurement repeats the call until it lasts about this long.
    threads : int or None, optional
        Limit BLAS/OpenMP threads (via ``threadpoolctl``) while timing, so that
        every method runs on the same number of cores; ``None`` leaves them.
        Without ``threadpoolctl`` installed, a warning says the threads could
        not be pinned and the timing goes ahead.
    rng : int or numpy.random.Generator, optional
        Seed or generator for the random image and kernel.
    max_bytes : int, optional
        Memory budget for a dense matrix (default
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
    cnnmotiv.budget.MatrixTooLargeError
        If a dense matrix would exceed ``max_bytes``; checked for every shape
        before anything is built or timed.

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
    if isinstance(min_seconds, bool) or not isinstance(min_seconds, (int, float)) \
            or not math.isfinite(min_seconds) or min_seconds <= 0:
        raise ValueError(f"min_seconds must be a positive number of seconds; got {min_seconds!r}")
    if threads is not None:
        check_int(threads, "threads")
    kh, kw = kernel_shape
    if mode == "valid":
        for i, (h, w) in enumerate(shapes):
            if kh > h or kw > w:
                raise ValueError(
                    f"kernel_shape {kernel_shape} is larger than shapes[{i}] = {(h, w)}; "
                    "in 'valid' mode the kernel must fit in the image")

    from cnnmotiv import convolution, matrices

    if method == "dense":
        # Refuse before building anything: the budget applies to every shape.
        for shape in shapes:
            check_memory(matrices.dense_matrix_nbytes(shape, kernel_shape, mode=mode),
                         f"the dense matrix for an image of shape {shape}", max_bytes)

    generator = np.random.default_rng(rng)
    kernel = generator.standard_normal(kernel_shape)
    calls, pixels, macs, nbytes = [], [], [], []
    for shape in shapes:  # build every operator first; building is not timed
        image = generator.standard_normal(shape)
        x = image.ravel()
        if method == "dense":
            matrix = matrices.correlation_matrix(kernel, shape, mode=mode, max_bytes=max_bytes)
            func = lambda m=matrix, v=x: m @ v  # noqa: E731
            n_macs = matrix.size
            n_bytes = matrix.nbytes + x.nbytes
        elif method in ("locally_connected", "sparse"):
            if method == "locally_connected":
                matrix = matrices.locally_connected_matrix(kernel_shape, shape, rng=generator,
                                                           mode=mode)
            else:
                matrix = matrices.sparse_correlation_matrix(kernel, shape, mode=mode)
            func = lambda m=matrix, v=x: m @ v  # noqa: E731
            n_macs = matrix.nnz
            n_bytes = matrix.data.nbytes + matrix.indices.nbytes + matrix.indptr.nbytes + x.nbytes
        else:
            func = lambda a=image: convolution.correlate2d(a, kernel, mode=mode)  # noqa: E731
            out = convolution.output_shape(shape, kernel_shape, mode=mode)
            n_macs = int(out[0]) * int(out[1]) * kernel.size
            n_bytes = image.nbytes + kernel.nbytes
        calls.append(func)
        pixels.append(shape[0] * shape[1])
        macs.append(n_macs)
        nbytes.append(n_bytes)
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
                   nbytes=np.array(nbytes, dtype=np.int64), seconds=np.median(samples, axis=0))


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
    Uses :func:`numpy.polyfit` with degree 1 on the logarithms, so each point
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
    slope, intercept = np.polyfit(np.log(x), np.log(y), 1)
    return PowerLawFit(exponent=float(slope), prefactor=float(np.exp(intercept)),
                       x=x.astype(np.float64), y=y.astype(np.float64))


def extrapolate_dense(fit: PowerLawFit, shape=(280, 320), kernel_shape=(3, 3), *,
                      mode: str = "valid", dtype=np.float64) -> DenseExtrapolation:
    """Predict a dense mat-vec's time at ``shape`` and state the memory it needs.

    Parameters
    ----------
    fit : PowerLawFit
        Seconds against input pixels ``H * W``, from :func:`fit_power_law`.
    shape : int or (int, int), optional
        Image shape ``(H, W)``; default the section's 280-by-320 photograph.
    kernel_shape : int or (int, int), optional
        Kernel shape ``(kh, kw)``.
    mode : {"valid", "same", "full"}, optional
        Output size convention.
    dtype : numpy dtype, optional
        Entry type of the matrix (8 bytes for float64).

    Returns
    -------
    DenseExtrapolation

    Raises
    ------
    TypeError
        If ``fit`` is not a :class:`PowerLawFit`, or sizes are not integers.
    ValueError
        For non-positive sizes or an unknown ``mode``.

    Examples
    --------
    >>> fit = fit_power_law([100, 1000], [1e-5, 1e-3])
    >>> e = extrapolate_dense(fit, (280, 320), (3, 3))
    >>> e.pixels, e.macs, e.nbytes
    (89600, 7920998400, 63367987200)
    >>> round(e.seconds, 6)
    8.028
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
    nbytes = matrices.dense_matrix_nbytes(shape, kernel_shape, mode=mode, dtype=dtype)
    return DenseExtrapolation(shape=shape, kernel_shape=kernel_shape, pixels=pixels, macs=macs,
                              nbytes=int(nbytes), seconds=float(fit.predict(pixels)), fit=fit)


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
        Which dense sizes the fit used: those whose matrix is larger than
        ``cache_bytes`` (all of them if the cache size is unknown or fewer
        than two are larger).
    fit : PowerLawFit
        Dense seconds against input pixels on the ``fitted`` sizes.
    extrapolation : DenseExtrapolation
        The fit evaluated at ``target``, with the bytes the matrix would need.
    cache_bytes : int or None
        The last-level cache size used to split the sizes.
    """

    dense: Timings
    others: dict
    fitted: np.ndarray
    fit: PowerLawFit
    extrapolation: DenseExtrapolation
    cache_bytes: int | None

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


def scaling_study(sides: Sequence = (16, 24, 32, 40, 48, 56, 64), kernel_shape=(3, 3), *,
                  target=(280, 320),
                  methods: Sequence[str] = ("locally_connected", "sparse", "conv"),
                  repeats: int = 5, min_seconds: float = 2e-3, threads: int | None = 1,
                  cache_bytes: int | None | str = "auto", rng=0) -> ScalingStudy:
    """Time the dense product where it fits, fit its law, extrapolate; time the rest at full size.

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

    Returns
    -------
    ScalingStudy

    Raises
    ------
    ValueError
        Unknown or missing methods, and everything :func:`time_method` raises.

    Examples
    --------
    >>> s = scaling_study([6, 8, 10], 3, target=(20, 24), repeats=1, min_seconds=1e-4,
    ...                   cache_bytes=None)
    >>> s.fitted.tolist(), s.extrapolation.nbytes, s.mac_ratio
    ([True, True, True], 1520640, 53.333...)
    >>> sorted(s.target_seconds())
    ['conv', 'dense', 'locally_connected', 'sparse']
    """
    methods = [check_choice(m, "methods", METHODS[1:]) for m in methods]
    if "conv" not in methods:
        raise ValueError(f"methods must include 'conv'; got {methods!r}")
    target = check_pair(target, "target")
    if isinstance(cache_bytes, str):
        check_choice(cache_bytes, "cache_bytes", ("auto",))
        cache_bytes = last_level_cache_bytes()
    elif cache_bytes is not None:
        cache_bytes = check_int(cache_bytes, "cache_bytes")
    options = dict(repeats=repeats, min_seconds=min_seconds, threads=threads, rng=rng)
    dense = time_method("dense", sides, kernel_shape, **options)
    others = {m: time_method(m, list(dense.shapes) + [target], kernel_shape, **options)
              for m in methods}
    fitted = dense.nbytes > cache_bytes if cache_bytes else np.ones(len(dense.shapes), bool)
    if fitted.sum() < 2:
        fitted = np.ones(len(dense.shapes), bool)
    fit = fit_power_law(dense.pixels[fitted], dense.seconds[fitted])
    extrapolation = extrapolate_dense(fit, target, kernel_shape, mode=dense.mode)
    return ScalingStudy(dense=dense, others=others, fitted=fitted, fit=fit,
                        extrapolation=extrapolation, cache_bytes=cache_bytes)
