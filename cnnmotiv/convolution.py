"""Discrete convolution and cross-correlation of signals and images.

Deep-learning libraries call *cross-correlation* "convolution": the kernel
slides over the input without being flipped,

.. math:: y[i, j] = \\sum_{a, b} k[a, b] \\, x[s_r i + d_r a - p_r,\\; s_c j + d_c b - p_c],

where ``s`` is the stride, ``d`` the dilation and ``p`` the padding before the
first sample. *True* convolution flips the kernel first
(``k[a, b] -> k[kh-1-a, kw-1-b]``). This module offers both, in 1-D and 2-D,
for a single channel, and :func:`conv_layer` for many channels.

Output modes (names as in :func:`scipy.signal.correlate2d`):

``'valid'``
    no padding; the kernel stays inside the input.
``'same'``
    padding so that (at stride 1) the output has the input's shape.
``'full'``
    every placement that overlaps the input by at least one sample.

Padding (what the samples outside the input are):

``'zeros'``
    zero outside the input.
``'circular'``
    the input repeats periodically (index taken modulo the length).
``'reflect'``
    mirror image about the edge sample, *excluding* the edge sample itself:
    ``[a, b, c]`` padded by 2 is ``[c, b, a, b, c, b, a]``. This is
    :func:`numpy.pad`'s ``mode='reflect'`` and PyTorch's ``'reflect'``.

All of them run on one engine, :func:`correlate_channels`: a Python loop over
the kernel taps (and over blocks of output rows), never over pixels; each
tap adds its weight times a shifted view of the input (see
:func:`correlate2d`, Notes).

Every function checks its arguments before any work (a ValueError or
TypeError naming the parameter), refuses a request whose buffers would exceed
the memory budget of :mod:`cnnmotiv.budget` before allocating them (a
:class:`~cnnmotiv.budget.BudgetError` with the bytes it would need), and never
returns a silent infinity: a finite input whose sums overflow is refused with
that reason.
"""

from __future__ import annotations

import math
import numbers
from typing import NamedTuple

import numpy as np

from .budget import check_bytes
from .validation import (all_finite, as_float_array, check_choice, check_int, check_pair,
                          check_shape)

__all__ = [
    "MODES",
    "PADDINGS",
    "padding_amounts",
    "output_length",
    "output_shape",
    "AxisGeometry",
    "axis_geometry",
    "pad",
    "correlate1d",
    "convolve1d",
    "correlate2d",
    "convolve2d",
    "conv_layer",
    "correlate_channels",
]

#: Output modes, as in :func:`scipy.signal.correlate2d`.
MODES = ("valid", "same", "full")
#: Ways to fill the samples outside the input.
PADDINGS = ("zeros", "circular", "reflect")

# ----------------------------------------------------------------------------
# Geometry
# ----------------------------------------------------------------------------

def _extent(kernel_size: int, dilation: int) -> int:
    """Number of input samples a dilated kernel spans."""
    return dilation * (kernel_size - 1) + 1


def _amounts(extent: int, mode: str) -> tuple[int, int]:
    """Correlation padding (before, after) for a kernel spanning ``extent``."""
    if mode == "valid":
        return 0, 0
    if mode == "full":
        return extent - 1, extent - 1
    before = (extent - 1) // 2
    return before, extent - 1 - before


def padding_amounts(kernel_size, *, mode: str = "valid", dilation=1) -> tuple[int, int]:
    """Zero-padding ``(before, after)`` that a mode adds along one axis.

    Parameters
    ----------
    kernel_size : int
        Number of kernel taps along the axis, at least 1.
    mode : {'valid', 'same', 'full'}, optional
        Output mode (see the module docstring).
    dilation : int, optional
        Spacing between kernel taps, at least 1. The kernel then spans
        ``dilation * (kernel_size - 1) + 1`` input samples (its *extent*).

    Returns
    -------
    before, after : int
        Samples added before the first and after the last input sample.

    Raises
    ------
    TypeError
        If ``kernel_size`` or ``dilation`` is not an integer.
    ValueError
        If ``kernel_size`` or ``dilation`` is below 1, or ``mode`` is unknown.

    Notes
    -----
    With extent ``e``: ``'valid'`` adds nothing, ``'full'`` adds ``e - 1`` on
    both sides and ``'same'`` adds ``e - 1`` in total, the odd sample (even
    extents) *after* the input: ``before = (e - 1) // 2``. That is where
    :func:`scipy.signal.correlate2d` centres its ``'same'`` output (and
    PyTorch's ``padding='same'``). For true convolution
    (:func:`convolve2d`) the two amounts swap, as in
    :func:`scipy.signal.convolve2d` and :func:`numpy.convolve`.

    Examples
    --------
    >>> padding_amounts(3, mode="same")
    (1, 1)
    >>> padding_amounts(2, mode="same")
    (0, 1)
    >>> padding_amounts(3, mode="full", dilation=2)
    (4, 4)
    """
    k = check_int(kernel_size, "kernel_size")
    check_choice(mode, "mode", MODES)
    d = check_int(dilation, "dilation")
    return _amounts(_extent(k, d), mode)


class AxisGeometry(NamedTuple):
    """Padding and output length of a correlation along one axis.

    Returned by :func:`axis_geometry`; a tuple, so it unpacks as
    ``before, after, n_out = axis_geometry(...)``.
    """

    #: Samples of padding before the first input sample (correlation).
    before: int
    #: Samples of padding after the last input sample (correlation).
    after: int
    #: Number of output samples along the axis.
    output_length: int


def _reflect_error(need: int, n: int, what: str, axis: str) -> ValueError:
    """The error for 'reflect' padding that needs more than ``n - 1`` samples."""
    return ValueError(
        f"padding='reflect' {what} needs {need} samples along {axis}, but an input of "
        f"length {n} can reflect at most {n - 1} (the edge sample is not repeated); use "
        f"padding 'zeros' or 'circular', a smaller kernel, or a larger input")


def _axis_geometry(n: int, k: int, mode: str, padding: str, stride: int, dilation: int,
                   name: str = "kernel_size", input_name: str = "the input",
                   axis: str = "", advice: str = "use mode 'same' or 'full', or a smaller "
                   "kernel or dilation") -> tuple[int, int, int]:
    """:func:`axis_geometry` for validated arguments, as a plain tuple (fast path)."""
    e = dilation * (k - 1) + 1  # _extent, inlined: this runs on every correlate2d call
    before, after = _amounts(e, mode)
    span = n + before + after - e
    if span < 0:  # only possible in 'valid' mode
        where = f" along {axis}" if axis else ""
        raise ValueError(
            f"{name} is larger than the input{where} in mode 'valid': the kernel spans "
            f"dilation*(size-1)+1 = {dilation}*({k}-1)+1 = {e} samples but the input has "
            f"{n}. {name} must fit inside {input_name}{where} in mode 'valid'; otherwise "
            f"{advice}")
    if padding == "reflect" and max(before, after) > n - 1:
        raise _reflect_error(max(before, after), n, f"with mode={mode!r} and kernel extent {e}",
                             axis or "the signal")
    return before, after, span // stride + 1


def axis_geometry(n, kernel_size, *, mode: str = "valid", padding: str = "zeros", stride=1,
                  dilation=1, name: str = "kernel_size", input_name: str = "the input",
                  axis: str = "") -> AxisGeometry:
    """Check that a correlation is possible along one axis; return its geometry.

    The one place where the package decides whether a (dilated) kernel fits
    an input in a mode, whether ``'reflect'`` padding can supply the samples
    the mode needs, and how much padding and how many outputs there are.
    :func:`correlate2d` and its relatives, :mod:`cnnmotiv.matrices` and
    :mod:`cnnmotiv.counting` all use it, so they accept and refuse the same
    requests with the same messages.

    Parameters
    ----------
    n : int
        Input length along the axis, at least 1.
    kernel_size : int
        Kernel taps along the axis, at least 1.
    mode : {'valid', 'same', 'full'}, optional
        Output mode (:func:`padding_amounts`).
    padding : {'zeros', 'circular', 'reflect'}, optional
        What the samples outside the input are; only ``'reflect'`` limits
        the padding (to ``n - 1`` samples per side).
    stride : int, optional
        Step between successive kernel placements, at least 1.
    dilation : int, optional
        Spacing between kernel taps, at least 1.
    name : str, optional
        Name of the caller's kernel parameter, used in error messages.
    input_name : str, optional
        What the caller calls the input, used in error messages.
    axis : str, optional
        Name of the axis (e.g. ``"rows"``) for error messages; empty for a
        1-D signal.

    Returns
    -------
    AxisGeometry
        ``(before, after, output_length)``: the correlation padding of
        :func:`padding_amounts` and the length of :func:`output_length`.

    Raises
    ------
    TypeError
        If an integer argument is not an integer.
    ValueError
        If an integer argument is below 1; ``mode`` or ``padding`` is
        unknown; in ``'valid'`` mode the dilated kernel spans more than ``n``
        samples; or ``padding='reflect'`` needs more than ``n - 1`` samples
        on one side.

    Notes
    -----
    With extent ``e = dilation * (kernel_size - 1) + 1`` the output length is
    ``floor((n + before + after - e) / stride) + 1``. For true convolution the
    padding amounts swap (see :func:`padding_amounts`); the length does not.

    Examples
    --------
    >>> axis_geometry(320, 2)
    AxisGeometry(before=0, after=0, output_length=319)
    >>> before, after, n_out = axis_geometry(7, 4, mode="same", stride=2)
    >>> before, after, n_out
    (1, 2, 4)
    >>> axis_geometry(2, 3, mode="full", padding="reflect")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    ValueError: padding='reflect' with mode='full' and kernel extent 3 needs 2 samples along ...
    """
    n = check_int(n, "n")
    k = check_int(kernel_size, "kernel_size")
    check_choice(mode, "mode", MODES)
    check_choice(padding, "padding", PADDINGS)
    s = check_int(stride, "stride")
    d = check_int(dilation, "dilation")
    return AxisGeometry(*_axis_geometry(n, k, mode, padding, s, d, name, input_name, axis))


def output_length(n, kernel_size, *, mode: str = "valid", stride=1, dilation=1) -> int:
    """Number of output samples along one axis.

    Parameters
    ----------
    n : int
        Input length, at least 1.
    kernel_size : int
        Kernel taps along the axis, at least 1.
    mode : {'valid', 'same', 'full'}, optional
        Output mode; sets the padding ``p = before + after``
        (:func:`padding_amounts`).
    stride : int, optional
        Step between successive kernel placements, at least 1.
    dilation : int, optional
        Spacing between kernel taps, at least 1.

    Returns
    -------
    int
        ``floor((n + p - dilation * (kernel_size - 1) - 1) / stride) + 1``.

    Raises
    ------
    TypeError
        If an integer argument is not an integer.
    ValueError
        If an argument is below 1, ``mode`` is unknown, or in ``'valid'`` mode
        the dilated kernel spans more than ``n`` samples.

    Examples
    --------
    The section's 2-tap edge detector on a 320-pixel row:

    >>> output_length(320, 2)
    319
    >>> output_length(320, 3, mode="same", stride=2)
    160
    >>> output_length(7, 3, mode="full", dilation=2)
    11
    """
    n = check_int(n, "n")
    k = check_int(kernel_size, "kernel_size")
    check_choice(mode, "mode", MODES)
    s = check_int(stride, "stride")
    d = check_int(dilation, "dilation")
    return _axis_geometry(n, k, mode, "zeros", s, d)[2]


def output_shape(shape, kernel_shape, *, mode: str = "valid", stride=1,
                 dilation=1) -> tuple[int, int]:
    """Shape ``(H_out, W_out)`` of a 2-D correlation or convolution.

    Parameters
    ----------
    shape : tuple of int
        Input shape ``(H, W)``.
    kernel_shape : tuple of int
        Kernel shape ``(kh, kw)``.
    mode : {'valid', 'same', 'full'}, optional
        Output mode.
    stride, dilation : int or (int, int), optional
        Per axis ``(rows, cols)``, or one integer for both; each at least 1.

    Returns
    -------
    (H_out, W_out) : tuple of int
        :func:`output_length` along each axis.

    Raises
    ------
    TypeError, ValueError
        As :func:`output_length`, naming the offending argument.

    Examples
    --------
    >>> output_shape((280, 320), (3, 3))
    (278, 318)
    >>> output_shape((280, 320), (3, 3), mode="same", stride=(1, 2))
    (280, 160)
    """
    h, w = check_shape(shape, "shape", ndim=2)
    kh, kw = check_shape(kernel_shape, "kernel_shape", ndim=2)
    check_choice(mode, "mode", MODES)
    sr, sc = check_pair(stride, "stride")
    dr, dc = check_pair(dilation, "dilation")
    return (_axis_geometry(h, kh, mode, "zeros", sr, dr, "kernel_shape", axis="rows")[2],
            _axis_geometry(w, kw, mode, "zeros", sc, dc, "kernel_shape", axis="columns")[2])


# ----------------------------------------------------------------------------
# Padding
# ----------------------------------------------------------------------------

def _check_reflect(widths, shape, what: str) -> None:
    """Refuse 'reflect' widths that reach past the opposite edge."""
    for axis, ((before, after), n) in enumerate(zip(widths, shape)):
        if max(before, after) > n - 1:
            axis_name = ("rows", "columns")[axis] if len(shape) == 2 else "the signal"
            raise _reflect_error(max(before, after), n, what, axis_name)


def _pad(x: np.ndarray, widths, padding: str) -> np.ndarray:
    """Pad a validated array; always returns a C-contiguous array."""
    if not any(b or a for b, a in widths):
        return x if x.flags.c_contiguous else np.ascontiguousarray(x)
    if padding == "zeros":
        out = np.zeros(tuple(n + b + a for n, (b, a) in zip(x.shape, widths)), dtype=x.dtype)
        out[tuple(slice(b, b + n) for n, (b, _) in zip(x.shape, widths))] = x
        return out
    return np.pad(x, widths, mode="wrap" if padding == "circular" else "reflect")


def _padded_shape(shape, widths) -> tuple[int, ...]:
    """Shape of an array of ``shape`` padded by ``widths`` (pairs per axis)."""
    return tuple(n + b + a for n, (b, a) in zip(shape, widths))


def _check_work_buffers(x: np.ndarray, widths, out_shape, names, dilated: bool, *,
                        input_copies: int = 1, output_copies: int = 2) -> None:
    """Refuse (:class:`~cnnmotiv.budget.BudgetError`) a correlation whose buffers exceed the budget.

    The buffers are ``input_copies`` padded copies of ``x`` (none without
    padding, unless a copy is made anyway) and ``output_copies`` arrays of the
    output's size (the output, the engine's scratch rows, at most as large,
    and any reordered copy). The message names the caller's argument that
    made them large: the padding (``mode`` and the kernel's dilated extent)
    or the input itself.
    """
    padded = math.prod(_padded_shape(x.shape, widths)) * x.itemsize
    if not any(b or a for b, a in widths) and input_copies == 1:
        padded = 0  # no padding: the engine reads x itself
    out = math.prod(out_shape) * x.itemsize
    image, kernel = names
    if padded > 4 * x.nbytes:
        parameter = "dilation" if dilated else kernel
        advice = (f"use mode='valid', a smaller dilation or fewer taps in {kernel}: modes "
                  f"'same' and 'full' pad by the kernel's dilated extent")
    else:
        parameter, advice = image, f"use a smaller {image}"
    check_bytes(input_copies * padded + output_copies * out,
                what=f"the padded input and the output (shape {tuple(out_shape)})",
                parameter=parameter, advice=advice)


def _check_widths(widths, ndim: int):
    """Normalise ``widths`` of :func:`pad` to ``ndim`` pairs of ints >= 0."""
    if isinstance(widths, numbers.Integral) and not isinstance(widths, (bool, np.bool_)):
        w = check_int(widths, "widths", minimum=0)
        return ((w, w),) * ndim
    pairs = [widths] if ndim == 1 else widths
    if (isinstance(pairs, (tuple, list)) and len(pairs) == ndim
            and all(isinstance(p, (tuple, list)) and len(p) == 2 for p in pairs)):
        return tuple((check_int(b, "widths", minimum=0), check_int(a, "widths", minimum=0))
                     for b, a in pairs)
    form = "(before, after)" if ndim == 1 else "((top, bottom), (left, right))"
    raise ValueError(f"widths must be an integer >= 0 or {form} for a {ndim}-D input; "
                     f"got {widths!r}")


def pad(x, widths, *, padding: str = "zeros") -> np.ndarray:
    """Pad a 1-D signal or a 2-D image.

    Parameters
    ----------
    x : array_like, shape (n,) or (H, W)
        Finite real input.
    widths : int or tuple
        Samples to add: one integer for every side, ``(before, after)`` for a
        1-D input, ``((top, bottom), (left, right))`` for a 2-D input.
    padding : {'zeros', 'circular', 'reflect'}, optional
        What the new samples are (see the module docstring).

    Returns
    -------
    ndarray, shape (n + before + after,) or (H + top + bottom, W + left + right)
        float32 if ``x`` is float32, else float64.

    Raises
    ------
    TypeError
        If ``x`` is not a real numeric array or a width is not an integer.
    ValueError
        If ``x`` is not 1-D or 2-D, empty or not finite, a width is negative,
        ``padding`` is unknown, or a ``'reflect'`` width exceeds the input
        length minus one.
    BudgetError
        If the padded array would need more than
        :data:`cnnmotiv.budget.DEFAULT_MAX_BYTES`; raised before allocating,
        naming ``widths``.

    Notes
    -----
    ``'circular'`` widths may exceed the input: the input repeats as often as
    needed, so padded sample ``i`` is ``x[(i - before) mod n]``.

    Examples
    --------
    >>> pad([1, 2, 3], 2, padding="reflect")
    array([3., 2., 1., 2., 3., 2., 1.])
    >>> pad([1, 2, 3], (1, 4), padding="circular")
    array([3., 1., 2., 3., 1., 2., 3., 1.])
    >>> pad([[1, 2]], ((1, 0), (0, 1)))
    array([[0., 0., 0.],
           [1., 2., 0.]])
    """
    x = as_float_array(x, "x", ndim=(1, 2))
    widths = _check_widths(widths, x.ndim)
    check_choice(padding, "padding", PADDINGS)
    if padding == "reflect":
        _check_reflect(widths, x.shape, f"with widths {widths}")
    shape = _padded_shape(x.shape, widths)
    check_bytes(math.prod(shape) * x.itemsize,
                what=f"the padded array (shape {shape}, {x.dtype})", parameter="widths",
                advice="use smaller widths")
    out = _pad(x, widths, padding)
    return out.copy() if out is x else out  # always a new array, like np.pad


# ----------------------------------------------------------------------------
# Argument checks shared by the single-channel functions
# ----------------------------------------------------------------------------

def _positive(value, name: str, pair: bool):
    """``check_pair`` / ``check_int`` with a shortcut for plain positive ints."""
    if type(value) is int and value >= 1:  # the common case, ~10x faster
        return (value, value) if pair else value
    return check_pair(value, name) if pair else check_int(value, name)


def _validate(image, kernel, ndim: int, names, mode, padding, stride, dilation):
    """Validate the arguments of the single-channel functions."""
    image = as_float_array(image, names[0], ndim=ndim)
    kernel = as_float_array(kernel, names[1], ndim=ndim, dtype=image.dtype)
    check_choice(mode, "mode", MODES)
    check_choice(padding, "padding", PADDINGS)
    if ndim == 1:
        stride = (1, _positive(stride, "stride", False))
        dilation = (1, _positive(dilation, "dilation", False))
        image, kernel = image[np.newaxis], kernel[np.newaxis]
    else:
        stride = _positive(stride, "stride", True)
        dilation = _positive(dilation, "dilation", True)
    return image, kernel, stride, dilation


def _geometry(in_shape, kernel_shape, mode, padding, stride, dilation, flip, name, ndim):
    """Padding widths per axis (:func:`axis_geometry`); raises for impossible requests."""
    # 1-D signals are (1, n) here: axis 0 (one sample, one tap) always fits.
    axes = ("rows", "columns") if ndim == 2 else ("", "")
    widths = []
    for n, k, s, d, axis in zip(in_shape, kernel_shape, stride, dilation, axes):
        before, after, _ = _axis_geometry(n, k, mode, padding, s, d, name, "the input", axis)
        widths.append((after, before) if flip else (before, after))
    return tuple(widths)


def _correlate(image, kernel, mode, padding, stride, dilation, *, flip, ndim, names):
    """Shared body of the four single-channel functions: pad, then run the engine."""
    image, kernel, stride, dilation = _validate(image, kernel, ndim, names, mode, padding,
                                                stride, dilation)
    widths = _geometry(image.shape, kernel.shape, mode, padding, stride, dilation, flip,
                       names[1], ndim)
    out_shape = [(n + b + a - d * (k - 1) - 1) // s + 1
                 for n, (b, a), k, s, d in zip(image.shape, widths, kernel.shape, stride, dilation)]
    _check_work_buffers(image, widths, out_shape[-ndim:], names, dilation != (1, 1))
    if flip:
        kernel = kernel[::-1, ::-1]
    xp = _pad(image, widths, padding)
    # one image, one channel in, one out: (1, H, W, 1) and (kh, kw, 1, 1), views
    out = _correlate_valid(xp[np.newaxis, :, :, np.newaxis],
                           kernel[:, :, np.newaxis, np.newaxis], stride, dilation, names)
    out = out[0, :, :, 0]
    return out[0] if ndim == 1 else out

# ----------------------------------------------------------------------------
# Public single-channel functions
# ----------------------------------------------------------------------------

def correlate2d(image, kernel, *, mode: str = "valid", padding: str = "zeros", stride=1,
                dilation=1) -> np.ndarray:
    """Cross-correlate an image with a kernel (deep learning's "convolution").

    Parameters
    ----------
    image : array_like, shape (H, W)
        Finite real input image.
    kernel : array_like, shape (kh, kw)
        Finite real kernel (weights).
    mode : {'valid', 'same', 'full'}, optional
        Output mode (see the module docstring and :func:`padding_amounts`).
    padding : {'zeros', 'circular', 'reflect'}, optional
        What the samples outside the image are; irrelevant in ``'valid'`` mode.
    stride : int or (int, int), optional
        Step between kernel placements, per axis ``(rows, cols)``; at least 1.
    dilation : int or (int, int), optional
        Spacing between kernel taps, per axis; at least 1.

    Returns
    -------
    ndarray, shape (H_out, W_out)
        ``y[i, j] = sum_{a, b} kernel[a, b] * xpad[s_r i + d_r a, s_c j + d_c b]``
        with ``xpad`` the padded image and ``(H_out, W_out)`` given by
        :func:`output_shape`. float32 if ``image`` is float32 (the kernel is
        then rounded to float32), else float64.

    Raises
    ------
    TypeError
        If ``image`` or ``kernel`` is not a real numeric array, or ``stride``
        or ``dilation`` is not an integer (pair).
    ValueError
        If ``image`` or ``kernel`` is not 2-D, is empty or holds NaN/inf;
        ``mode`` or ``padding`` is unknown; ``stride`` or ``dilation`` is
        below 1; in ``'valid'`` mode the dilated kernel is larger than the
        image; ``'reflect'`` padding would need more than ``n - 1`` samples;
        or the result overflows float64 (float32): a finite image and kernel
        whose sums of products exceed the largest representable number.
    BudgetError
        If the padded image and the output would need more than
        :data:`cnnmotiv.budget.DEFAULT_MAX_BYTES` (2 GiB), e.g.
        ``mode='full', dilation=40000`` (76.8 GB); raised before allocating,
        with the bytes needed and the parameter to change. It is a
        ValueError too.

    See Also
    --------
    convolve2d : true convolution (flipped kernel).
    scipy.signal.correlate2d : same values for ``padding='zeros'``,
        ``stride=1``, ``dilation=1`` in every mode.

    Notes
    -----
    The definition, read as a loop over the taps: tap ``(a, b)`` multiplies
    the shifted, strided window ``xpad[d_r a :: s_r, d_c b :: s_c]`` (cut to
    ``(H_out, W_out)``) by ``kernel[a, b]`` and adds it to the output, so the
    only Python loop runs over the ``kh * kw`` taps (and over blocks of output
    rows that stay in the cache), never over pixels. Padding is done first
    (a padded copy). The engine is :func:`correlate_channels` with one channel
    in and one out.

    ``'same'`` puts the odd padding sample of even-sized kernels after the
    image, like :func:`scipy.signal.correlate2d`.

    Examples
    --------
    The section's edge detector ``[-1, 1]``: each output is a pixel minus its
    left neighbour.

    >>> image = [[0, 0, 1, 1],
    ...          [0, 1, 1, 1]]
    >>> correlate2d(image, [[-1, 1]])
    array([[0., 1., 0.],
           [1., 0., 0.]])
    >>> correlate2d(image, [[1, 0], [0, 1]], mode="same", padding="circular")
    array([[1., 1., 2., 1.],
           [1., 2., 1., 1.]])
    >>> correlate2d(np.ones((5, 5)), np.ones((2, 2)), stride=2, dilation=(1, 2)).shape
    (2, 2)
    """
    return _correlate(image, kernel, mode, padding, stride, dilation, flip=False, ndim=2,
                      names=("image", "kernel"))


def convolve2d(image, kernel, *, mode: str = "valid", padding: str = "zeros", stride=1,
               dilation=1) -> np.ndarray:
    """Convolve an image with a kernel (true convolution: the kernel is flipped).

    Parameters
    ----------
    image : array_like, shape (H, W)
        Finite real input image.
    kernel : array_like, shape (kh, kw)
        Finite real kernel.
    mode : {'valid', 'same', 'full'}, optional
        Output mode.
    padding : {'zeros', 'circular', 'reflect'}, optional
        What the samples outside the image are; irrelevant in ``'valid'`` mode.
    stride : int or (int, int), optional
        Step between kernel placements, per axis; at least 1.
    dilation : int or (int, int), optional
        Spacing between kernel taps, per axis; at least 1.

    Returns
    -------
    ndarray, shape (H_out, W_out)
        ``correlate2d`` with ``kernel[::-1, ::-1]``, see Notes for ``'same'``.
        float32 if ``image`` is float32, else float64.

    Raises
    ------
    TypeError, ValueError, BudgetError
        As :func:`correlate2d`.

    See Also
    --------
    correlate2d
    scipy.signal.convolve2d : same values for ``padding='zeros'``,
        ``stride=1``, ``dilation=1`` in every mode.

    Notes
    -----
    ``y[i, j] = sum_{a, b} kernel[a, b] * xpad[i - d_r a, j - d_c b]`` (up to
    the index offset of the padding). In ``'same'`` mode the kernel's anchor
    is tap ``((kh - 1) // 2, (kw - 1) // 2)`` of the *unflipped* kernel, as in
    :func:`scipy.signal.convolve2d` and :func:`numpy.convolve`, so the
    padding amounts of :func:`padding_amounts` swap sides. For odd kernel
    extents (and in 'valid' and 'full' mode always) this is exactly
    ``correlate2d(image, kernel[::-1, ::-1], ...)``; for even extents in
    'same' mode the two differ by a one-sample shift.

    Examples
    --------
    >>> convolve2d([[1, 2, 3]], [[1, 10]], mode="full")
    array([[ 1., 12., 23., 30.]])
    >>> correlate2d([[1, 2, 3]], [[10, 1]], mode="full")
    array([[ 1., 12., 23., 30.]])
    """
    return _correlate(image, kernel, mode, padding, stride, dilation, flip=True, ndim=2,
                      names=("image", "kernel"))


def correlate1d(x, kernel, *, mode: str = "valid", padding: str = "zeros", stride=1,
                dilation=1) -> np.ndarray:
    """Cross-correlate a 1-D signal with a kernel.

    Parameters
    ----------
    x : array_like, shape (n,)
        Finite real signal.
    kernel : array_like, shape (k,)
        Finite real kernel.
    mode : {'valid', 'same', 'full'}, optional
        Output mode.
    padding : {'zeros', 'circular', 'reflect'}, optional
        What the samples outside the signal are; irrelevant in ``'valid'`` mode.
    stride : int, optional
        Step between kernel placements; at least 1.
    dilation : int, optional
        Spacing between kernel taps; at least 1.

    Returns
    -------
    ndarray, shape (n_out,)
        ``y[i] = sum_a kernel[a] * xpad[stride * i + dilation * a]``, with
        ``n_out`` from :func:`output_length`. float32 if ``x`` is float32,
        else float64.

    Raises
    ------
    TypeError, ValueError, BudgetError
        As :func:`correlate2d`, for 1-D inputs.

    Notes
    -----
    Equals ``correlate2d(x[None, :], kernel[None, :], ...)[0]``. In 'valid'
    and 'full' mode (and 'same' with odd kernels) it equals
    :func:`numpy.correlate`. For even kernels in 'same' mode numpy puts the
    extra zero *before* the signal; this module follows
    :func:`scipy.signal.correlate2d` and puts it after, so there
    ``y[:-1] == np.correlate(x, kernel, 'same')[1:]``.

    Examples
    --------
    >>> correlate1d([1, 2, 4, 7], [-1, 1])
    array([1., 2., 3.])
    >>> correlate1d([1, 2, 4, 7], [-1, 1], mode="same")
    array([ 1.,  2.,  3., -7.])
    >>> correlate1d(np.arange(9), [1, 1], stride=3, dilation=2)
    array([ 2.,  8., 14.])
    """
    return _correlate(x, kernel, mode, padding, stride, dilation, flip=False, ndim=1,
                      names=("x", "kernel"))


def convolve1d(x, kernel, *, mode: str = "valid", padding: str = "zeros", stride=1,
               dilation=1) -> np.ndarray:
    """Convolve a 1-D signal with a kernel (true convolution: flipped kernel).

    Parameters
    ----------
    x : array_like, shape (n,)
        Finite real signal.
    kernel : array_like, shape (k,)
        Finite real kernel.
    mode : {'valid', 'same', 'full'}, optional
        Output mode; equals :func:`numpy.convolve` in every mode.
    padding : {'zeros', 'circular', 'reflect'}, optional
        What the samples outside the signal are; irrelevant in ``'valid'`` mode.
    stride : int, optional
        Step between kernel placements; at least 1.
    dilation : int, optional
        Spacing between kernel taps; at least 1.

    Returns
    -------
    ndarray, shape (n_out,)
        float32 if ``x`` is float32, else float64.

    Raises
    ------
    TypeError, ValueError, BudgetError
        As :func:`correlate2d`, for 1-D inputs.

    Notes
    -----
    ``convolve2d(x[None, :], kernel[None, :], ...)[0]``; see
    :func:`convolve2d` for the anchor of even kernels in 'same' mode.

    Examples
    --------
    >>> convolve1d([1, 2, 3], [1, 10], mode="full")
    array([ 1., 12., 23., 30.])
    >>> np.convolve([1, 2, 3], [1, 10], mode="full")
    array([ 1, 12, 23, 30])
    """
    return _correlate(x, kernel, mode, padding, stride, dilation, flip=True, ndim=1,
                      names=("x", "kernel"))


# ----------------------------------------------------------------------------
# Multi-channel layer
# ----------------------------------------------------------------------------

def conv_layer(x, weights, bias=None, *, mode: str = "valid", padding: str = "zeros",
               stride=1, dilation=1) -> np.ndarray:
    """A multi-channel convolutional layer (cross-correlation, as in deep learning).

    Parameters
    ----------
    x : array_like, shape (C_in, H, W)
        Input feature maps.
    weights : array_like, shape (C_out, C_in, kh, kw)
        One kernel per (output channel, input channel) pair.
    bias : array_like, shape (C_out,), optional
        Added to every pixel of each output channel; default none.
    mode : {'valid', 'same', 'full'}, optional
        Output mode.
    padding : {'zeros', 'circular', 'reflect'}, optional
        What the samples outside the input are; irrelevant in ``'valid'`` mode.
    stride, dilation : int or (int, int), optional
        As in :func:`correlate2d`.

    Returns
    -------
    ndarray, shape (C_out, H_out, W_out)
        ``y[o] = sum_c correlate2d(x[c], weights[o, c], ...) + bias[o]``.
        float32 if ``x`` is float32, else float64.

    Raises
    ------
    TypeError
        If an array is not real numeric, or ``stride``/``dilation`` not integer.
    ValueError
        As :func:`correlate2d`, and if ``x`` is not 3-D, ``weights`` not 4-D,
        ``weights.shape[1] != x.shape[0]`` or ``bias`` is not of shape ``(C_out,)``.
    BudgetError
        As :func:`correlate2d`: the padded input (two copies: padded, then
        channels last) and the output would exceed the budget.

    Notes
    -----
    The input is padded once, moved to channels-last order ``(1, H, W,
    C_in)`` and passed to :func:`correlate_channels` with the weights as one
    ``(C_in, C_out)`` matrix per tap.

    Examples
    --------
    Two input channels summed by one output channel, plus a bias:

    >>> x = np.stack([np.eye(3), 2 * np.eye(3)])
    >>> conv_layer(x, np.ones((1, 2, 2, 2)), bias=[0.5])
    array([[[6.5, 3.5],
            [3.5, 6.5]]])
    """
    x = as_float_array(x, "x", ndim=3)
    weights = as_float_array(weights, "weights", ndim=4, dtype=x.dtype)
    c_out, c_in, kh, kw = weights.shape
    if c_in != x.shape[0]:
        raise ValueError(f"weights must have shape (C_out, C_in, kh, kw) with C_in = "
                         f"x.shape[0] = {x.shape[0]}; got weights of shape {weights.shape}")
    if bias is not None:
        bias = as_float_array(bias, "bias", ndim=1, dtype=x.dtype)
        if bias.shape != (c_out,):
            raise ValueError(f"bias must have shape (C_out,) = ({c_out},); got {bias.shape}")
    check_choice(mode, "mode", MODES)
    check_choice(padding, "padding", PADDINGS)
    stride = _positive(stride, "stride", True)
    dilation = _positive(dilation, "dilation", True)
    widths = ((0, 0),) + _geometry(x.shape[1:], (kh, kw), mode, padding, stride, dilation,
                                   False, "weights", 2)
    out_shape = [c_out] + [(n + b + a - d * (k - 1) - 1) // s + 1 for n, (b, a), k, s, d
                           in zip(x.shape[1:], widths[1:], (kh, kw), stride, dilation)]
    # the padded copy and its channels-last copy; the output, scratch and transposed copy
    _check_work_buffers(x, widths, out_shape, ("x", "weights"), dilation != (1, 1),
                        input_copies=2, output_copies=3)
    xp = _pad(x, widths, padding)
    channels_last = np.ascontiguousarray(xp.transpose(1, 2, 0))[np.newaxis]  # (1, H, W, C_in)
    y = _correlate_valid(channels_last, weights.transpose(2, 3, 1, 0), stride, dilation,
                         ("x", "weights"))
    y = np.ascontiguousarray(y[0].transpose(2, 0, 1))                       # (C_out, H, W)
    if bias is not None:
        y += bias[:, np.newaxis, np.newaxis]
    return y


# ----------------------------------------------------------------------------
# The engine: one tap loop for every correlation in the package
# ----------------------------------------------------------------------------

#: Bytes of output computed at a time. A block of output rows this size, the
#: scratch buffer beside it and the input rows it reads stay in the core's L2
#: cache while every tap passes over them, instead of streaming the whole
#: image from memory once per tap.
_BLOCK_BYTES = 256 * 1024


def correlate_channels(x, weights, *, stride=1, dilation=1, check_finite=True) -> np.ndarray:
    """'valid' cross-correlation of a batch of channels-last signals or images.

    The one engine behind every correlation in the package (single-channel,
    multi-channel and the layers of :mod:`cnnmotiv.learning`): a loop over
    the kernel taps, each adding one shifted (strided) view of the input times
    that tap's weight matrix.

    Parameters
    ----------
    x : array_like, shape (N, L, C_in) or (N, H, W, C_in)
        A batch of already padded inputs, channels last.
    weights : array_like, shape (k, C_in, C_out) or (kh, kw, C_in, C_out)
        One ``(C_in, C_out)`` matrix per kernel tap.
    stride, dilation : int or tuple of int, optional
        Per spatial axis (an int applies to every axis); default 1.
    check_finite : bool, optional
        Check that the inputs hold no NaN/inf and that the result did not
        overflow (as :func:`scipy.linalg.solve`'s ``check_finite``). Only a
        caller that has checked its arrays should pass False (the layers of
        :mod:`cnnmotiv.learning`, whose batches are checked once and whose
        loss refuses NaN/inf logits); a NaN or inf then passes through.

    Returns
    -------
    ndarray, shape (N, L_out, C_out) or (N, H_out, W_out, C_out)
        ``y[n, i, o] = sum_{a, c} x[n, s i + d a, c] w[a, c, o]`` (and the same
        with two spatial indices), with ``L_out = (L - d (k - 1) - 1) // s + 1``.
        float32 if both inputs are float32, else float64.

    Raises
    ------
    TypeError
        If an array is not real numeric, ``stride``/``dilation`` not integer,
        or ``check_finite`` not a bool.
    ValueError
        If the dimensions do not match, ``C_in`` differs, an array holds
        NaN/inf, the dilated kernel is longer than the input, or the result
        overflows the floating-point type (the last two: unless
        ``check_finite`` is False).
    BudgetError
        If the output (and the scratch rows beside it) would need more than
        :data:`cnnmotiv.budget.DEFAULT_MAX_BYTES`; raised before allocating,
        naming ``x``.

    Notes
    -----
    Tap ``a`` reads the input samples ``d a, d a + s, d a + 2 s, ...``: a
    strided view, no copy. The view's last axis (``C_in``) times the tap's
    ``(C_in, C_out)`` matrix is one matrix product, and the sum over taps is
    the correlation::

        y = sum over taps a of  x[:, d a : d a + s (L_out - 1) + 1 : s, :] @ w[a]

    With one channel in and one out, the matrix product is a scalar times the
    view. In 2-D, tap ``(a, b)`` reads the input shifted by ``(d_r a, d_c b)``:
    for a 3x3 kernel on a 4x6 image (output 2x4, stride 1), tap ``(1, 1)``
    reads the window ``#`` and adds ``k[1, 1]`` times it to all eight outputs::

        . . . . . .
        . # # # # .      y[i, j] += k[1, 1] * x[1 + i, 1 + j]
        . # # # # .      for i in 0..1, j in 0..3
        . . . . . .

    The loop runs over blocks of output rows (about 256 kB each) and, inside a
    block, over the taps, so the rows being summed stay in the cache.

    Examples
    --------
    One channel in, one out: the 1-D correlation with ``[-1, 1]``.

    >>> x = np.array([1., 2., 4., 7.]).reshape(1, 4, 1)
    >>> correlate_channels(x, np.array([-1., 1.]).reshape(2, 1, 1))[0, :, 0]
    array([1., 2., 3.])

    Two channels in, three out, on a batch of two 5x5 images:

    >>> rng = np.random.default_rng(0)
    >>> y = correlate_channels(rng.standard_normal((2, 5, 5, 2)),
    ...                        rng.standard_normal((3, 3, 2, 3)), stride=2)
    >>> y.shape
    (2, 2, 2, 3)
    """
    if not isinstance(check_finite, (bool, np.bool_)):
        raise TypeError(f"check_finite must be True or False; got {check_finite!r}")
    if check_finite:
        x = as_float_array(x, "x", ndim=(3, 4))
        weights = as_float_array(weights, "weights", ndim=x.ndim)
    else:
        x, weights = _as_float_unchecked(x, "x", (3, 4)), _as_float_unchecked(weights, "weights",
                                                                              (x.ndim,))
    if x.dtype != weights.dtype:
        x, weights = x.astype(np.float64, copy=False), weights.astype(np.float64, copy=False)
    if weights.shape[-2] != x.shape[-1]:
        raise ValueError(f"weights must have shape (*kernel, C_in, C_out) with C_in = "
                         f"x.shape[-1] = {x.shape[-1]}; got weights of shape {weights.shape}")
    spatial = x.ndim - 2
    return _correlate_valid(x, weights, _per_axis(stride, "stride", spatial),
                            _per_axis(dilation, "dilation", spatial), ("x", "weights"),
                            check_finite=bool(check_finite))


def _as_float_unchecked(value, name: str, ndims: tuple[int, ...]) -> np.ndarray:
    """``value`` as a float32/float64 array of one of ``ndims`` dimensions, values not inspected."""
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be a real numeric array (bool, int or float); "
                        f"got dtype {arr.dtype}")
    if arr.ndim not in ndims:
        want = " or ".join(f"{d}-D" for d in ndims)
        raise ValueError(f"{name} must be {want}; got a {arr.ndim}-D array of shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty; got shape {arr.shape}")
    return arr if arr.dtype in (np.float32, np.float64) else arr.astype(np.float64)


def _correlate_valid(x: np.ndarray, weights: np.ndarray, strides, dilations,
                     names: tuple[str, str], *, check_finite: bool = True) -> np.ndarray:
    """:func:`correlate_channels` for validated arrays of one dtype (no copies of ``x``).

    ``names`` are the caller's names of the input and the kernel, for messages;
    ``check_finite=False`` skips the overflow check of the result.
    """
    out_shape = tuple(
        _axis_geometry(n, k, "valid", "zeros", s, d, "weights", "x", f"spatial axis {axis}",
                       advice="pad x first, or use a smaller kernel or dilation")[2]
        for axis, (n, k, s, d) in enumerate(zip(x.shape[1:-1], weights.shape[:-2], strides,
                                                dilations)))
    c_in, c_out = weights.shape[-2:]
    out_bytes = x.shape[0] * math.prod(out_shape) * c_out * x.itemsize
    check_bytes(2 * out_bytes, what=f"the output (shape {(x.shape[0], *out_shape, c_out)}) "
                f"and its scratch rows", parameter=names[0],
                advice=f"use a smaller {names[0]} (or a smaller batch), or fewer output channels")
    out = np.empty((x.shape[0], *out_shape, c_out), dtype=x.dtype)
    taps = list(np.ndindex(*weights.shape[:-2]))
    single = c_in == c_out == 1
    if single:
        # one channel in and out: each tap's weight is a number; drop the channel axes
        product, x, result = np.multiply, x[..., 0], out[..., 0]
        weights = {tap: float(weights[tap][0, 0]) for tap in taps}
        taps = [tap for tap in taps if weights[tap] != 0.0] or taps[:1]  # zeros add nothing
    else:
        product, result = np.matmul, out
    rows_per_block = max(1, _BLOCK_BYTES // (out[:, :1].nbytes or 1))
    scratch = np.empty_like(result[:, :rows_per_block])
    finite = True
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported below
        for start in range(0, out_shape[0], rows_per_block):
            rows = range(start, min(start + rows_per_block, out_shape[0]))
            y, term = result[:, rows.start:rows.stop], scratch[:, :len(rows)]
            for number, tap in enumerate(taps):
                window, w = x[_tap_window(tap, rows, out_shape, strides, dilations)], weights[tap]
                if number == 0:
                    product(window, w, out=y)     # y  = w * window
                elif single and w in (1.0, -1.0):  # y += window or y -= window: no product
                    (np.add if w > 0 else np.subtract)(y, window, out=y)
                else:
                    product(window, w, out=term)  # y += w * window
                    y += term
            finite = finite and (not check_finite or all_finite(y))  # while y is in the cache
    if not finite:  # finite inputs: only an overflow gives inf or NaN
        raise ValueError(f"the correlation overflows {x.dtype}: a sum of products of {names[0]} "
                         f"and {names[1]} exceeds the largest {x.dtype} "
                         f"({np.finfo(x.dtype).max:.4g}); scale {names[0]} or {names[1]} down")
    return out


def _tap_window(tap, rows: range, out_shape, strides, dilations) -> tuple[slice, ...]:
    """Index of the input samples that ``tap`` multiplies, for the output ``rows``.

    Along an axis, output ``i`` reads input ``s i + d a`` through tap ``a``:
    outputs ``i0 .. i1 - 1`` read ``slice(s i0 + d a, s (i1 - 1) + d a + 1, s)``.
    Rows are a block of the first spatial axis; the other axes are whole.
    """
    spans = [(rows.start, rows.stop)] + [(0, m) for m in out_shape[1:]]
    return (slice(None),) + tuple(slice(s * i0 + d * a, s * (i1 - 1) + d * a + 1, s)
                                  for a, (i0, i1), s, d in zip(tap, spans, strides, dilations))


def _per_axis(value, name: str, ndim: int) -> tuple[int, ...]:
    """An int or a tuple of ``ndim`` positive ints, as a tuple."""
    if isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)):
        return (check_int(value, name),) * ndim
    if isinstance(value, (tuple, list)) and len(value) == ndim:
        return tuple(check_int(v, f"{name}[{i}]") for i, v in enumerate(value))
    raise TypeError(f"{name} must be an integer or a tuple of {ndim} integers; got {value!r}")
