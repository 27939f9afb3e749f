"""Translation equivariance of convolution, and the approximate invariance pooling adds.

A translation ``g`` moves every pixel of an image by the same offset; a
convolution ``f`` applies the same kernel at every position. Equivariance is
the law ``f(g(x)) = g'(f(x))``: shifting the input and then filtering gives the
same feature map as filtering and then shifting the feature map. ``g'`` is the
same translation expressed on the output grid (for stride ``s`` an input shift
of ``d`` pixels is ``d / s`` output cells).

This module measures how exactly that law holds for the layers of
:mod:`cnnmotiv.convolution`:

* :func:`shift` is ``g`` (circular, like :func:`numpy.roll`, or with zeros
  entering from the edge);
* :func:`equivariance_error` computes both sides and their difference, with
  where and how large it is (:class:`EquivarianceReport`);
  :func:`mismatch_mask` and :func:`mismatch_border` say, without any image,
  exactly where the two sides can differ (the border, the seam of a wrapped
  shift, the band a zero-filling shift leaves);
* :func:`max_pool2d`, :func:`global_max_pool`, :func:`pooling_change` and
  :func:`invariance_curve` measure how much a max-pooled map changes when the
  input moves (local windows, or ``"global"``: exactly invariant to circular
  shifts), next to the detector map it pools (:class:`PoolingChange`,
  :class:`InvarianceCurve`);
* :func:`binomial_kernel`, :func:`blur_subsample`, :func:`max_blur_pool2d`
  and :func:`subsampling_curve` compare plain stride-2 max pooling with
  blurring before subsampling (Zhang 2019, "MaxBlurPool"), which reduces the
  aliasing that makes a strided layer change so much under a one-pixel shift
  (:class:`SubsamplingCurve`); :func:`stripes` is a test signal for it;
* :func:`short_edge`, :data:`EDGE_KERNEL` and :func:`peak_position` make the
  "an edge at (10, 20) moved by (5, 3) is found at (15, 23)" example
  computable.

Offsets are ``(rows, cols)``; a positive offset moves content down and to the
right, as in ``np.roll(x, offset, axis=(0, 1))``. Every convolution here is a
cross-correlation in ``mode="same"`` (what deep-learning libraries call
convolution), so the output has the input's shape when the stride is 1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cnnmotiv.validation import (as_float_array, check_choice, check_int, check_pair, check_real,
                                 check_shape)
from cnnmotiv.convolution import PADDINGS, correlate2d, pad, padding_amounts

__all__ = [
    "BOUNDARIES",
    "COMPARED_PADDINGS",
    "EDGE_KERNEL",
    "EquivarianceReport",
    "InvarianceCurve",
    "POOLINGS",
    "PoolingChange",
    "SubsamplingCurve",
    "binomial_kernel",
    "blur_subsample",
    "border_width",
    "detector_map",
    "equivariance_error",
    "global_max_pool",
    "invariance_curve",
    "max_blur_pool2d",
    "max_pool2d",
    "mismatch_border",
    "mismatch_mask",
    "output_offset",
    "peak_position",
    "pooling_change",
    "shift",
    "short_edge",
    "stripes",
    "subsampling_curve",
]

#: How :func:`shift` treats pixels pushed over the edge: ``"circular"`` wraps
#: them round to the other side (nothing is lost), ``"zeros"`` drops them and
#: fills the vacated rows and columns with zeros.
BOUNDARIES = ("circular", "zeros")

#: The two paddings the figures and apps compare: ``"circular"`` (exactly
#: equivariant) and ``"zeros"`` (equivariant away from the border). Every
#: function here accepts all of :data:`cnnmotiv.convolution.PADDINGS`.
COMPARED_PADDINGS = ("circular", "zeros")

#: A 3x3 vertical-edge detector: the difference of a pixel and its left-hand
#: neighbour, ``x[i, j] - x[i, j-1]``, weighted (1, 2, 1) down three rows. It
#: responds most, with value 4, where a dark-to-bright step begins at column ``j``.
EDGE_KERNEL = np.array([[-1.0, 1.0, 0.0],
                        [-2.0, 2.0, 0.0],
                        [-1.0, 1.0, 0.0]])
EDGE_KERNEL.flags.writeable = False

#: The pooling kinds :func:`subsampling_curve` compares: ``"max"`` is
#: :func:`max_pool2d` (the window's maximum, keeping every stride-th window);
#: ``"max_blur"`` is :func:`max_blur_pool2d` (the maximum at every position,
#: then a binomial blur before keeping every stride-th sample).
POOLINGS = ("max", "max_blur")

def _check_offset(offset, name: str = "offset") -> tuple[int, int]:
    """An int or a pair of ints of any sign and size, as ``(rows, cols)`` (exact Python ints)."""
    return check_pair(offset, name, minimum=-math.inf)


def _as_2d(value, name: str) -> np.ndarray:
    """A finite 2-D float array; masked arrays are refused (their mask would be dropped)."""
    if np.ma.isMaskedArray(value):
        raise TypeError(f"{name} must be a plain array, not a masked array (its mask would be "
                        f"ignored); fill it first, e.g. {name}.filled(0)")
    return as_float_array(value, name, ndim=2)


def _readonly(arr: np.ndarray) -> np.ndarray:
    arr.flags.writeable = False
    return arr


def _correlate_same(x: np.ndarray, kernel: np.ndarray, *, padding: str,
                    stride: tuple[int, int] = (1, 1)) -> np.ndarray:
    return correlate2d(x, kernel, mode="same", padding=padding, stride=stride)


def _shift(x: np.ndarray, offset: tuple[int, int], boundary: str) -> np.ndarray:
    (dr, dc), (h, w) = offset, x.shape
    if boundary == "circular":          # reduce exactly in Python ints: any offset is a roll
        return np.roll(x, (dr % h, dc % w), axis=(0, 1))
    if abs(dr) >= h or abs(dc) >= w:    # everything leaves the image
        return np.zeros_like(x)
    from scipy.ndimage import shift as ndimage_shift

    # |dr| < h and |dc| < w: exact as floats; order 0 copies pixels, zeros enter
    return ndimage_shift(x, (dr, dc), order=0, mode="constant", cval=0.0)


def shift(x, offset, *, boundary: str = "circular") -> np.ndarray:
    """Translate an image by a whole number of pixels: the map ``g``.

    Parameters
    ----------
    x : array_like, shape (H, W)
        The image; any real numeric dtype, finite.
    offset : int or (int, int)
        ``(rows, cols)`` to move the content by; positive moves down / right,
        negative up / left. A single int moves both axes by that amount.
    boundary : {"circular", "zeros"}, optional
        ``"circular"`` (default) wraps pixels leaving one edge round to the
        opposite edge, exactly ``np.roll(x, offset, axis=(0, 1))``.
        ``"zeros"`` drops them and fills the pixels left empty with 0, like a
        camera that moved over a black background.

    Returns
    -------
    numpy.ndarray, shape (H, W)
        float64 (float32 stays float32), a new array.

    Raises
    ------
    TypeError
        If ``x`` is not numeric or ``offset`` is not an int or pair of ints.
    ValueError
        If ``x`` is not 2-D, is empty or not finite, or ``boundary`` is unknown.

    Notes
    -----
    With ``"circular"`` the shift is invertible, ``shift(shift(x, d), -d) == x``,
    and shifts compose, ``shift(shift(x, a), b) == shift(x, a + b)``: the
    shifts form a group, which is what makes exact equivariance possible.
    With ``"zeros"`` content that leaves is lost.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(6).reshape(2, 3)
    >>> shift(x, (0, 1))
    array([[2., 0., 1.],
           [5., 3., 4.]])
    >>> shift(x, (0, 1), boundary="zeros")
    array([[0., 0., 1.],
           [0., 3., 4.]])
    """
    arr = _as_2d(x, "x")
    off = _check_offset(offset)
    check_choice(boundary, "boundary", BOUNDARIES)
    return _shift(arr, off, boundary)


def output_offset(offset, stride=1) -> tuple[tuple[int, int], bool]:
    """The shift ``g'`` of a layer's output that corresponds to an input shift.

    A layer with stride ``s`` keeps every ``s``-th position, so its output
    grid has one cell per ``s`` input pixels and an input shift of ``d``
    pixels is ``d / s`` output cells. When ``s`` does not divide ``d`` that is
    not a whole number of cells; the nearest whole number is returned
    (halves rounded away from zero) and the flag says the shift was not exact.

    Parameters
    ----------
    offset : int or (int, int)
        Input shift ``(rows, cols)``, any sign.
    stride : int or (int, int), optional
        The layer's stride, each >= 1.

    Returns
    -------
    (int, int), bool
        The output shift, and whether ``stride`` divides ``offset`` on both axes.

    Raises
    ------
    TypeError
        If ``offset`` or ``stride`` are not ints or pairs of ints.
    ValueError
        If a stride is below 1.

    Examples
    --------
    >>> output_offset((4, -6), 2)
    ((2, -3), True)
    >>> output_offset((3, -1), 2)
    ((2, -1), False)
    """
    off = _check_offset(offset)
    st = check_pair(stride, "stride", minimum=1)
    return tuple(_round_div(d, s) for d, s in zip(off, st)), all(d % s == 0
                                                                for d, s in zip(off, st))


def _round_div(d: int, s: int) -> int:
    """``d / s`` rounded to the nearest int, halves away from zero, in exact integers."""
    q, r = divmod(abs(d), s)
    q += 2 * r >= s
    return q if d >= 0 else -q


def border_width(mask) -> int:
    """Width of the thinnest frame along the edges that holds every True entry.

    Parameters
    ----------
    mask : array_like of bool, shape (H, W)

    Returns
    -------
    int
        The smallest ``b`` such that every True entry lies within ``b`` rows
        of the top or bottom edge or within ``b`` columns of the left or right
        edge; 0 when there is no True entry. A value of
        ``ceil(min(H, W) / 2)`` means the entries reach the centre.

    Raises
    ------
    TypeError, ValueError
        If ``mask`` is not a non-empty 2-D numeric/bool array.

    Examples
    --------
    >>> import numpy as np
    >>> m = np.zeros((6, 6), dtype=bool)
    >>> m[0, 3] = m[4, 2] = True
    >>> border_width(m)
    2
    >>> border_width(np.zeros((3, 3), dtype=bool))
    0
    """
    arr = _as_2d(mask, "mask") != 0
    rows, cols = np.nonzero(arr)
    if rows.size == 0:
        return 0
    h, w = arr.shape
    dist = np.minimum(np.minimum(rows, h - 1 - rows), np.minimum(cols, w - 1 - cols))
    return int(dist.max()) + 1


def _padded_index(p: np.ndarray, n: int, padding: str) -> np.ndarray:
    """Input index that padded position ``p`` reads, or -1 where it reads a zero."""
    if padding == "circular":
        return p % n
    if padding == "reflect":                   # np.pad's "reflect": mirror, edge not repeated
        m = p % (2 * (n - 1)) if n > 1 else np.zeros_like(p)
        return np.where(m >= n, 2 * (n - 1) - m, m)
    return np.where((p >= 0) & (p < n), p, -1)


def _axis_reads(n, k, d, s, padding, boundary):
    """Per output index and tap, what each side of the law reads on one axis.

    Returns ``(left, right)``, int arrays of shape ``(n_out, k)``: the input
    index read by tap ``t`` of output ``i`` in ``f(g(x))`` and in
    ``g'(f(x))``, or -1 where that tap reads a zero.
    """
    before, _ = padding_amounts(k, mode="same")
    n_out = (n - 1) // s + 1
    d_out = _round_div(d, s)
    if boundary == "circular":               # exact integer reduction of any offset
        d, d_out = d % n, d_out % n_out
    else:
        d, d_out = max(-n, min(n, d)), max(-n_out, min(n_out, d_out))
    i, t = np.arange(n_out)[:, None], np.arange(k)[None, :]
    # f(g(x)): tap t of output i reads g(x) at p, which is x at p - d (or a zero)
    gx = _padded_index(i * s + t - before, n, padding)
    src = gx - d
    src = src % n if boundary == "circular" else np.where((src >= 0) & (src < n), src, -1)
    left = np.where(gx >= 0, src, -1)
    # g'(f(x)): output i is f(x) at q = i - d_out (or a zero), whose tap t reads x at ...
    q = i - d_out
    if boundary == "circular":
        q = q % n_out
    right = _padded_index(q * s + t - before, n, padding)
    right = np.where((q >= 0) & (q < n_out), right, -1)
    return left, right


def mismatch_mask(shape, kernel, offset, *, padding: str = "circular", stride=1,
                  boundary: str = "circular", max_bytes: int | None = None) -> np.ndarray:
    """Where ``f(g(x))`` and ``g'(f(x))`` can differ, for any image of ``shape``.

    The two sides of :func:`equivariance_error` are, at every output
    position, weighted sums of input pixels. This function compares those
    sums term by term, without any image: a position is ``True`` when the two
    sides read different pixels (or the same pixels with different weights),
    so that some input makes them differ. Everywhere else the law holds
    exactly for every input.

    Parameters
    ----------
    shape : (int, int)
        ``(H, W)`` of the input image.
    kernel : array_like, shape (kh, kw)
        The filter; only which taps are non-zero, and their values, matter.
    offset : int or (int, int)
        The input shift, any sign and size (exact integer arithmetic).
    padding, stride, boundary
        As for :func:`equivariance_error`.
    max_bytes : int, optional
        Memory budget (:func:`cnnmotiv.budget.check_bytes`).

    Returns
    -------
    numpy.ndarray of bool, shape (H_out, W_out)
        For every input ``x``, ``equivariance_error(x, ...).mask`` is False
        wherever this is False; for a generic input (random values) the two
        masks are equal.

    Raises
    ------
    TypeError, ValueError
        As :func:`equivariance_error`.
    cnnmotiv.budget.BudgetError
        If the comparison would need more than ``max_bytes``.

    Notes
    -----
    With ``padding="zeros"`` and the zero-filling shift
    (``boundary="zeros"``), stride 1 and a shift ``d > 0`` along rows, a
    kernel reaching ``a`` rows above and ``b`` rows below its centre
    (``a = (kh - 1) // 2``, ``b = kh - 1 - a``): the two sides differ only in
    rows ``d - b <= i < d`` (where the zero-filled band ends: ``g(f(x))`` is
    still zero but ``f(g(x))``'s window reaches the moved content) and in the
    last ``b`` rows (``f(g(x))`` sees padding where the content pushed out of
    the image used to be, ``g(f(x))`` still sees it). So the law holds
    exactly at every position farther than ``max(|d|, a, b)`` rows (and
    likewise columns) from the edges: :func:`mismatch_border`. With a
    circular shift and zero padding the mismatch sits at the edges and
    around the seam where the shift wrapped content round (rows ``d - b``
    to ``d + a``). With circular padding and shift (and a stride that divides
    the offset and the image) the mask is empty.

    Examples
    --------
    >>> import numpy as np
    >>> m = mismatch_mask((8, 8), np.ones((3, 3)), (3, 0), padding="zeros", boundary="zeros")
    >>> np.flatnonzero(m.any(axis=1)).tolist()          # rows d - 1 = 2 and the last row
    [2, 7]
    >>> bool(mismatch_mask((8, 8), np.ones((3, 3)), (3, 5)).any())
    False
    """
    from cnnmotiv.budget import check_bytes

    h, w = check_shape(shape, "shape", ndim=2)
    ker = _as_2d(kernel, "kernel")
    off = _check_offset(offset)
    check_choice(padding, "padding", PADDINGS)
    st = check_pair(stride, "stride", minimum=1)
    check_choice(boundary, "boundary", BOUNDARIES)
    kh, kw = ker.shape
    if kh > h or kw > w:
        raise ValueError(f"kernel of shape {ker.shape} must not be larger than shape {(h, w)} "
                         f"on either axis")
    for n, k, axis in ((h, kh, "rows"), (w, kw, "cols")):   # reflect must be able to pad
        need = max(padding_amounts(k, mode="same"))
        if padding == "reflect" and need > n - 1:
            raise ValueError(f"padding='reflect' needs {need} samples along {axis} but shape "
                             f"has {n}; use a smaller kernel or another padding")
    n_out = ((h - 1) // st[0] + 1, (w - 1) // st[1] + 1)
    check_bytes(8 * 8 * n_out[0] * n_out[1] * kh * kw, what=f"comparing both sides on a "
                f"{h:,} x {w:,} image with a {kh} x {kw} kernel", parameter="shape",
                max_bytes=max_bytes)
    lr, rr = _axis_reads(h, kh, off[0], st[0], padding, boundary)
    lc, rc = _axis_reads(w, kw, off[1], st[1], padding, boundary)
    taps = ker.ravel() != 0
    weights = ker.ravel()[taps]

    def pixel_ids(rows, cols):                 # (H_out, W_out, taps): r * W + c, or -1
        r, c = rows[:, None, :, None], cols[None, :, None, :]
        ids = np.where((r >= 0) & (c >= 0), r * w + c, -1)
        return ids.reshape(n_out[0], n_out[1], kh * kw)[:, :, taps]

    left, right = pixel_ids(lr, lc), pixel_ids(rr, rc)
    candidate = (left != right).any(axis=2)   # reads differ tap by tap: may still cancel
    out = np.zeros(n_out, dtype=bool)
    where = np.flatnonzero(candidate)
    if where.size:
        ids = np.concatenate([left.reshape(-1, weights.size)[where],
                              right.reshape(-1, weights.size)[where]], axis=1)
        wts = np.concatenate([weights, -weights])
        keep = ids >= 0
        keys = (np.arange(where.size)[:, None] * (h * w) + ids)[keep]
        uniq, inverse = np.unique(keys, return_inverse=True)
        sums = np.bincount(inverse, weights=np.broadcast_to(wts, ids.shape)[keep])
        tol = 1e-12 * float(np.abs(weights).max())
        bad = np.unique(uniq[np.abs(sums) > tol] // (h * w))
        out.flat[where[bad]] = True
    return out


def mismatch_border(shape, kernel, offset, *, padding: str = "circular", stride=1,
                    boundary: str = "circular") -> int:
    """Width of the frame along the edges outside which the law holds exactly.

    :func:`border_width` of :func:`mismatch_mask`: for every image of
    ``shape``, every entry where ``f(g(x))`` and ``g'(f(x))`` differ lies
    within this many rows of the top or bottom edge or columns of the left or
    right edge (0: the law holds everywhere).

    Parameters
    ----------
    shape, kernel, offset, padding, stride, boundary
        As for :func:`mismatch_mask`.

    Returns
    -------
    int

    Raises
    ------
    TypeError, ValueError, cnnmotiv.budget.BudgetError
        As :func:`mismatch_mask`.

    Examples
    --------
    >>> import numpy as np
    >>> k = np.ones((3, 3))
    >>> [mismatch_border((40, 40), k, (0, d), padding="zeros", boundary="zeros")
    ...  for d in (1, 5, 12)]
    [1, 5, 12]
    >>> mismatch_border((40, 40), k, (0, 5), padding="circular", boundary="circular")
    0
    """
    return border_width(mismatch_mask(shape, kernel, offset, padding=padding, stride=stride,
                                      boundary=boundary))


@dataclass(frozen=True, eq=False)
class EquivarianceReport:
    """Both sides of ``f(g(x)) = g'(f(x))`` and how far apart they are.

    Attributes
    ----------
    offset : (int, int)
        The input shift ``g``.
    output_offset : (int, int)
        The output shift ``g'`` that was applied to ``f(x)``: ``offset / stride``,
        rounded to the nearest whole cell when the stride does not divide it.
    exact_offset : bool
        True when the stride divides the offset on both axes, so ``g'`` is
        exactly the input shift seen on the output grid.
    padding, boundary : str
        The convolution's padding and the shift's boundary rule.
    stride : (int, int)
    shifted_then_filtered : numpy.ndarray, shape (H_out, W_out)
        ``f(g(x))``.
    filtered_then_shifted : numpy.ndarray, shape (H_out, W_out)
        ``g'(f(x))``.
    difference : numpy.ndarray, shape (H_out, W_out)
        ``f(g(x)) - g'(f(x))``.
    max_abs : float
        ``max |difference|``; 0.0 means the two sides agree exactly.
    atol : float
        Entries with ``|difference| > atol`` count as different.
    mask : numpy.ndarray of bool, shape (H_out, W_out)
        Where ``|difference| > atol``.
    border : int
        :func:`border_width` of ``mask``: every differing entry lies within
        this many rows or columns of the output's edge (0 if none differ).

    All arrays are read-only.
    """

    offset: tuple[int, int]
    output_offset: tuple[int, int]
    exact_offset: bool
    padding: str
    boundary: str
    stride: tuple[int, int]
    shifted_then_filtered: np.ndarray
    filtered_then_shifted: np.ndarray
    difference: np.ndarray
    max_abs: float
    atol: float
    mask: np.ndarray
    border: int

    @property
    def n_different(self) -> int:
        """How many output entries differ (``mask.sum()``)."""
        return int(self.mask.sum())

    @property
    def fraction_different(self) -> float:
        """The share of output entries that differ, in [0, 1]."""
        return self.n_different / self.mask.size

    @property
    def equivariant(self) -> bool:
        """True when no entry differs by more than ``atol``."""
        return self.n_different == 0

    def summary(self) -> str:
        """One line for a readout, e.g. ``'max |f(g(x)) - g(f(x))| = 0 (exact)'``."""
        text = "max |f(g(x)) - g(f(x))| = "
        if self.equivariant:
            text += "0 (exact)" if self.max_abs == 0 else f"{self.max_abs:.1e} (rounding only)"
        else:
            text += f"{self.max_abs:.3g} at {self.n_different:,} of {self.mask.size:,} positions"
            if 2 * self.border >= min(self.mask.shape):
                text += ", across the whole map"
            else:
                text += f", all within {self.border} rows or columns of the edge"
        if not self.exact_offset:
            text += (f"; stride {self.stride} does not divide shift {self.offset}: "
                     f"compared with output shift {self.output_offset}")
        return text

    def __repr__(self) -> str:
        return (f"EquivarianceReport(offset={self.offset}, padding={self.padding!r}, "
                f"boundary={self.boundary!r}, stride={self.stride}, "
                f"shape={self.mask.shape}): {self.summary()}")


def equivariance_error(x, kernel, offset, *, padding: str = "circular", stride=1,
                       boundary: str = "circular", atol: float | None = None
                       ) -> EquivarianceReport:
    """Measure how exactly a convolution commutes with a shift.

    ``f`` is :func:`cnnmotiv.convolution.correlate2d` with ``mode="same"``,
    the given padding and stride; ``g`` is :func:`shift` by ``offset``; ``g'``
    is :func:`shift` of the output by :func:`output_offset` (``offset / stride``),
    with the same boundary rule. The report holds ``f(g(x))``, ``g'(f(x))`` and
    their difference.

    Parameters
    ----------
    x : array_like, shape (H, W)
        The input image.
    kernel : array_like, shape (kh, kw)
        The filter; ``kh <= H`` and ``kw <= W``.
    offset : int or (int, int)
        The input shift ``(rows, cols)``, any sign.
    padding : {"circular", "zeros"}, optional
        How the convolution treats positions outside the image.
    stride : int or (int, int), optional
        The convolution's stride, each >= 1.
    boundary : {"circular", "zeros"}, optional
        How the shifts treat the edge (see :func:`shift`). The default,
        ``"circular"``, is the ``np.roll`` translation.
    atol : float, optional
        Differences above this count as non-zero in ``mask``. Default
        ``1e-12 * max(1, max |f(x)|)``, which only absorbs rounding.

    Returns
    -------
    EquivarianceReport

    Raises
    ------
    TypeError
        If an array is not numeric, or ``offset``/``stride`` are not ints.
    ValueError
        If an array is not 2-D, empty or not finite; if the kernel is larger
        than ``x``; if ``padding`` or ``boundary`` is unknown; if a stride is
        below 1 or ``atol`` is negative.

    Notes
    -----
    What is compared, case by case:

    * ``padding="circular"``, ``boundary="circular"``, stride 1: the image is
      treated as a torus by both ``f`` and ``g``; the law holds exactly, every
      entry of the difference is 0.
    * ``padding="zeros"``: ``f`` sees zeros beyond the edge, while the shifted
      image brings other content (wrapped round, or zeros) next to the edge.
      The two sides differ only in a frame along the edges, within
      ``|offset| + kernel size`` of them (``border`` reports the width); the
      interior agrees exactly. :func:`mismatch_mask` gives the exact set of
      positions that can differ, for any shift (with ``boundary="zeros"``:
      two bands one kernel reach wide, see its notes).
    * ``stride = s``: ``f(x)`` keeps positions ``0, s, 2s, ...``. If ``s``
      divides the offset, ``f(g(x))`` is ``f(x)`` moved by ``offset / s``
      cells (exactly, with circular padding, when ``s`` also divides ``H`` and
      ``W``). Otherwise the shifted input is sampled between the old sample
      positions: no shift of the output grid reproduces it, and the report
      compares ``f(g(x))`` with ``f(x)`` moved by the nearest whole number of
      cells (``output_offset``, ``exact_offset=False``). The difference is
      then spread over the whole map, not just the border.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).random((8, 8))
    >>> k = np.array([[1.0, -1.0], [2.0, 0.5]])
    >>> equivariance_error(x, k, (2, 3)).max_abs
    0.0
    >>> rep = equivariance_error(x, k, (2, 3), padding="zeros")
    >>> rep.max_abs > 0, rep.border <= 3 + 2
    (True, True)
    >>> rep = equivariance_error(x, k, (0, 1), stride=2)
    >>> rep.exact_offset, rep.output_offset, rep.max_abs > 0
    (False, (0, 1), True)
    """
    arr = _as_2d(x, "x")
    ker = _as_2d(kernel, "kernel")
    off = _check_offset(offset)
    check_choice(padding, "padding", PADDINGS)
    st = check_pair(stride, "stride", minimum=1)
    check_choice(boundary, "boundary", BOUNDARIES)
    if ker.shape[0] > arr.shape[0] or ker.shape[1] > arr.shape[1]:
        raise ValueError(f"kernel of shape {ker.shape} must not be larger than x of shape "
                         f"{arr.shape} on either axis")
    if atol is not None:
        atol = check_real(atol, "atol", minimum=0)
    out_off, exact = output_offset(off, st)

    filtered = _correlate_same(arr, ker, padding=padding, stride=st)
    left = _correlate_same(_shift(arr, off, boundary), ker, padding=padding, stride=st)
    right = _shift(filtered, out_off, boundary)
    diff = left - right
    tol = 1e-12 * max(1.0, float(np.abs(filtered).max())) if atol is None else float(atol)
    mask = np.abs(diff) > tol
    return EquivarianceReport(
        offset=off, output_offset=out_off, exact_offset=exact, padding=padding,
        boundary=boundary, stride=st, shifted_then_filtered=_readonly(left),
        filtered_then_shifted=_readonly(right), difference=_readonly(diff),
        max_abs=float(np.abs(diff).max()), atol=tol, mask=_readonly(mask),
        border=border_width(mask))


def max_pool2d(x, size, *, stride=None) -> np.ndarray:
    """Max pooling: the largest value in each ``size`` window.

    Parameters
    ----------
    x : array_like, shape (H, W)
    size : int or (int, int)
        Window ``(rows, cols)``, each >= 1 and at most the image's side.
    stride : int or (int, int), optional
        Step between windows; default ``size`` (windows tile without overlap).

    Returns
    -------
    numpy.ndarray, shape (H_out, W_out)
        ``H_out = (H - size_r) // stride_r + 1`` (windows that fit; no
        padding), likewise ``W_out``. Entry ``[i, j]`` is
        ``max(x[i*sr : i*sr + size_r, j*sc : j*sc + size_c])``.

    Raises
    ------
    TypeError
        If ``x`` is not numeric or ``size``/``stride`` are not ints.
    ValueError
        If ``x`` is not 2-D, empty or not finite, or a size or stride is
        below 1, or the window is larger than the image.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[1, 5, 2, 0],
    ...               [3, 4, 8, 1],
    ...               [0, 0, 1, 1]])
    >>> max_pool2d(x, 2)
    array([[5., 8.]])
    >>> max_pool2d(x, 2, stride=1)
    array([[5., 8., 8.],
           [4., 8., 8.]])
    """
    arr = _as_2d(x, "x")
    win = check_pair(size, "size", minimum=1)
    st = win if stride is None else check_pair(stride, "stride", minimum=1)
    if win[0] > arr.shape[0] or win[1] > arr.shape[1]:
        raise ValueError(f"size {win} must not be larger than x of shape {arr.shape}")
    windows = np.lib.stride_tricks.sliding_window_view(arr, win)
    return windows[::st[0], ::st[1]].max(axis=(-2, -1))


def global_max_pool(x) -> float:
    """Global max pooling: the largest value of the whole map (one number).

    The "is there a cat anywhere?" pooling: it forgets *where*, so it is
    exactly invariant to every circular shift of its input (a shift only
    permutes the values), and with a zero-filling shift it changes only if
    the largest value leaves the image. Local pooling (:func:`max_pool2d`)
    keeps a coarse map and is only approximately invariant.

    Parameters
    ----------
    x : array_like, shape (H, W)

    Returns
    -------
    float
        ``x.max()``; equal to ``max_pool2d(x, x.shape)[0, 0]``.

    Raises
    ------
    TypeError, ValueError
        If ``x`` is not a finite, non-empty 2-D numeric array.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).random((6, 7))
    >>> global_max_pool(shift(x, (2, -3))) == global_max_pool(x)
    True
    """
    return float(_as_2d(x, "x").max())


def binomial_kernel(size) -> np.ndarray:
    """A normalised 2-D binomial low-pass filter: the outer product of a binomial row.

    The row holds the binomial coefficients ``C(size - 1, k)``, ``k = 0 ..
    size - 1`` (Pascal's triangle: ``[1, 2, 1]`` for size 3, ``[1, 4, 6, 4, 1]``
    for size 5), divided by their sum ``2 ** (size - 1)``. It is ``[1, 1] / 2``
    convolved with itself ``size - 1`` times, a discrete Gaussian; the blur
    Zhang (2019) puts before subsampling.

    Parameters
    ----------
    size : int
        Taps per side, >= 1 (1 is the identity, ``[[1.0]]``).

    Returns
    -------
    numpy.ndarray, shape (size, size)
        float64, non-negative, symmetric, summing to 1 (exactly for the
        small sizes a blur uses, within rounding for larger ones).

    Raises
    ------
    TypeError
        If ``size`` is not an integer.
    ValueError
        If ``size`` is below 1.
    cnnmotiv.budget.BudgetError
        If the kernel would need more than the memory budget.

    Examples
    --------
    >>> binomial_kernel(3) * 16
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    >>> float(binomial_kernel(5).sum())
    1.0
    """
    from cnnmotiv.budget import check_bytes

    n = check_int(size, "size", minimum=1)
    check_bytes(8 * n * n, what=f"a {n:,} x {n:,} binomial kernel", parameter="size")
    # exact integers, one correctly rounded division each: no overflow for large sizes
    row = np.array([math.comb(n - 1, k) / 2 ** (n - 1) for k in range(n)])
    return np.outer(row, row)


def _check_blur_size(value) -> int:
    """An odd number of taps >= 1, so the blur is centred on each sample."""
    b = check_int(value, "blur_size", minimum=1)
    if b % 2 == 0:
        raise ValueError(f"blur_size must be odd (a blur centred on each sample); got {b}")
    return b


def _check_fits(window: tuple[int, int], shape: tuple[int, int], name: str) -> None:
    if window[0] > shape[0] or window[1] > shape[1]:
        raise ValueError(f"{name} {window} must not be larger than x of shape {shape}")


def _blur_subsample(x: np.ndarray, stride: tuple[int, int], blur_size: int) -> np.ndarray:
    return _correlate_same(x, binomial_kernel(blur_size), padding="circular", stride=stride)


def blur_subsample(x, stride=2, *, blur_size: int = 3) -> np.ndarray:
    """Low-pass filter, then keep every ``stride``-th sample: subsampling without aliasing.

    The image is blurred with :func:`binomial_kernel` (``mode="same"``,
    circular padding, so the image is a torus) and then sampled at rows
    ``0, s_r, 2 s_r, ...`` and columns ``0, s_c, ...``. The blur removes
    most of the detail finer than the coarse grid can hold (above its Nyquist
    frequency, a period shorter than ``2 * stride`` pixels), which plain
    subsampling, ``x[::s_r, ::s_c]``, would fold onto coarser patterns.

    Parameters
    ----------
    x : array_like, shape (H, W)
    stride : int or (int, int), optional
        Keep every ``stride``-th row and column, each >= 1.
    blur_size : int, optional
        Side of the binomial kernel, odd, >= 1; 1 means no blur (plain
        subsampling). A blur wider than the image wraps round it (circular
        padding).

    Returns
    -------
    numpy.ndarray, shape (ceil(H / s_r), ceil(W / s_c))
        Entry ``[i, j]`` is the blurred image at ``(i * s_r, j * s_c)``.
        float64 (float32 stays float32).

    Raises
    ------
    TypeError
        If ``x`` is not numeric or ``stride``/``blur_size`` are not integers.
    ValueError
        If ``x`` is not 2-D, empty or not finite, a stride is below 1, or
        ``blur_size`` is even or below 1.

    Notes
    -----
    The binomial weights sum to 1, so with ``stride=1`` the blur keeps the
    image's mean (circular padding loses nothing at the border). A circular
    shift by a multiple of the stride, ``(s_r m, s_c n)``, moves the output by
    ``(m, n)`` cells exactly when the stride divides the image's sides.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.tile([1.0, 0.0], (2, 3))          # stripes one pixel wide
    >>> x[::2, ::2], x[::2, 1::2]                # plain subsampling: all bright, or all dark
    (array([[1., 1., 1.]]), array([[0., 0., 0.]]))
    >>> blur_subsample(x), blur_subsample(shift(x, (0, -1)))   # blurred first: the same
    (array([[0.5, 0.5, 0.5]]), array([[0.5, 0.5, 0.5]]))
    """
    arr = _as_2d(x, "x")
    st = check_pair(stride, "stride", minimum=1)
    b = _check_blur_size(blur_size)
    return _blur_subsample(arr, st, b)


def _circular_max(x: np.ndarray, window: tuple[int, int]) -> np.ndarray:
    """Max over ``x[i:i+wr, j:j+wc]`` at every position, wrapping round the edges."""
    (wr, wc) = window
    wrapped = pad(x, ((0, wr - 1), (0, wc - 1)), padding="circular")
    return np.lib.stride_tricks.sliding_window_view(wrapped, window).max(axis=(-2, -1))


def max_blur_pool2d(x, size=2, *, stride=None, blur_size: int = 3) -> np.ndarray:
    """Zhang's (2019) MaxBlurPool: max pooling at stride 1, then :func:`blur_subsample`.

    Plain max pooling, :func:`max_pool2d` with stride ``s``, takes each
    window's maximum and keeps every ``s``-th window in one step. MaxBlurPool
    splits that step: the maximum is taken at *every* position (stride 1, the
    windows wrapping round the edges), the resulting map is blurred with
    :func:`binomial_kernel`, and only then is every ``s``-th sample kept.

    Parameters
    ----------
    x : array_like, shape (H, W)
    size : int or (int, int), optional
        Max-pooling window ``(rows, cols)``, each >= 1 and at most the image's side.
    stride : int or (int, int), optional
        Keep every ``stride``-th sample; default ``size``, like :func:`max_pool2d`.
    blur_size : int, optional
        Side of the binomial blur, odd, >= 1; 1 means no blur.

    Returns
    -------
    numpy.ndarray, shape (ceil(H / s_r), ceil(W / s_c))
        ``blur_subsample(m, stride, blur_size=blur_size)`` where ``m[i, j]`` is
        the maximum of the window of ``size`` that starts at ``(i, j)``,
        indices taken modulo ``(H, W)``.

    Raises
    ------
    TypeError
        If ``x`` is not numeric or a size or stride is not an integer.
    ValueError
        If ``x`` is not 2-D, empty or not finite, a size or stride is below 1,
        the window is larger than the image, or ``blur_size`` is even or below 1.

    Notes
    -----
    With ``blur_size=1`` and ``stride == size`` dividing the image's sides it
    equals ``max_pool2d(x, size)``: the windows starting at multiples of the
    stride are exactly the tiles. Like every circular operation here it is
    exactly equivariant for circular shifts by multiples of the stride; what
    the blur changes is how much an odd shift changes the output.

    Examples
    --------
    A bright pixel moves one column to the left, half a pooled cell. Plain
    max pooling jumps a whole cell; MaxBlurPool moves part of the weight:

    >>> import numpy as np
    >>> x = np.array([[0., 0., 4., 0.],
    ...               [0., 0., 0., 0.]])
    >>> max_pool2d(x, 2), max_pool2d(shift(x, (0, -1)), 2)
    (array([[0., 4.]]), array([[4., 0.]]))
    >>> max_blur_pool2d(x, 2), max_blur_pool2d(shift(x, (0, -1)), 2)
    (array([[1., 3.]]), array([[3., 1.]]))
    >>> max_blur_pool2d(x, 2, blur_size=1)                # no blur: max pooling
    array([[0., 4.]])
    """
    arr = _as_2d(x, "x")
    win = check_pair(size, "size", minimum=1)
    st = win if stride is None else check_pair(stride, "stride", minimum=1)
    b = _check_blur_size(blur_size)
    _check_fits(win, arr.shape, "size")
    return _blur_subsample(_circular_max(arr, win), st, b)


def detector_map(x, kernel, *, padding: str = "circular", rectify: bool = False) -> np.ndarray:
    """The detector stage: ``correlate2d(x, kernel, mode="same")``, optionally ReLU'd.

    Parameters
    ----------
    x : array_like, shape (H, W)
    kernel : array_like, shape (kh, kw)
        At most the image's size.
    padding : {"circular", "zeros"}, optional
    rectify : bool, optional
        Apply ``max(0, .)`` (a ReLU) after the convolution.

    Returns
    -------
    numpy.ndarray, shape (H, W)

    Raises
    ------
    TypeError, ValueError
        As for :func:`equivariance_error`; ``rectify`` must be a bool.

    Examples
    --------
    >>> import numpy as np
    >>> detector_map(np.array([[0, 0, 1, 1]]), [[-1, 1, 0]], padding="zeros")
    array([[0., 0., 1., 0.]])
    """
    arr, ker = _check_detector_args(x, kernel, padding, "circular", rectify)
    return _detect(arr, ker, padding, rectify)


def _relative(before: np.ndarray, after: np.ndarray) -> float:
    return _relative_to(before, before, after)


def _relative_to(scale: np.ndarray, expected: np.ndarray, got: np.ndarray) -> float:
    """``||got - expected|| / ||scale||``: 0 when both are zero, ``inf`` when only the scale is."""
    norm = float(np.linalg.norm(scale))
    change = float(np.linalg.norm(got - expected))
    if norm == 0.0:
        return 0.0 if change == 0.0 else math.inf
    return change / norm


@dataclass(frozen=True, eq=False)
class PoolingChange:
    """How much a shift of the input changes the detector map and its max-pooled map.

    Values are compared at the same positions (this is invariance: does the
    value at position ``[i, j]`` stay the same when the input moves?).

    Attributes
    ----------
    offset : (int, int)
    pool_size, pool_stride : (int, int)
    detector, detector_shifted : numpy.ndarray, shape (H, W)
        The detector map of ``x`` and of ``shift(x, offset)``.
    pooled, pooled_shifted : numpy.ndarray, shape (H_p, W_p)
        Their max pooling.
    atol : float
        Values that differ by more than this count as changed.
    detector_changed, pooled_changed : numpy.ndarray of bool
        Where the values changed.
    detector_fraction, pooled_fraction : float
        Share of values that changed, in [0, 1].
    detector_relative, pooled_relative : float
        ``||after - before|| / ||before||`` (Frobenius norms); 0 when both are
        zero, ``inf`` when only ``before`` is.
    """

    offset: tuple[int, int]
    pool_size: tuple[int, int]
    pool_stride: tuple[int, int]
    detector: np.ndarray
    detector_shifted: np.ndarray
    pooled: np.ndarray
    pooled_shifted: np.ndarray
    atol: float
    detector_changed: np.ndarray
    pooled_changed: np.ndarray
    detector_fraction: float
    pooled_fraction: float
    detector_relative: float
    pooled_relative: float

    def __repr__(self) -> str:
        size = "global" if self.pooled.size == 1 and self.pool_size == self.detector.shape \
            else f"{self.pool_size[0]}x{self.pool_size[1]} stride {self.pool_stride}"
        return (f"PoolingChange(offset={self.offset}, pool {size}): "
                f"{self.detector_fraction:.0%} of {self.detector.size:,} detector values and "
                f"{self.pooled_fraction:.0%} of {self.pooled.size:,} pooled values changed")


def _check_detector_args(x, kernel, padding, boundary, rectify):
    arr = _as_2d(x, "x")
    ker = _as_2d(kernel, "kernel")
    check_choice(padding, "padding", PADDINGS)
    check_choice(boundary, "boundary", BOUNDARIES)
    if not isinstance(rectify, (bool, np.bool_)):
        raise TypeError(f"rectify must be True or False; got {rectify!r}")
    if ker.shape[0] > arr.shape[0] or ker.shape[1] > arr.shape[1]:
        raise ValueError(f"kernel of shape {ker.shape} must not be larger than x of shape "
                         f"{arr.shape} on either axis")
    return arr, ker


def _check_pool(size, stride, shape, name="pool_size"):
    """A pooling window and stride; ``"global"`` is one window over the whole map."""
    if isinstance(size, str):
        check_choice(size, name, ("global",))
        return tuple(shape), tuple(shape)
    win = check_pair(size, name, minimum=1)
    st = win if stride is None else check_pair(stride, "pool_stride", minimum=1)
    if win[0] > shape[0] or win[1] > shape[1]:
        raise ValueError(f"{name} {win} must not be larger than x of shape {shape}")
    return win, st


def _detect(arr, ker, padding, rectify):
    out = _correlate_same(arr, ker, padding=padding)
    return np.maximum(out, 0.0) if rectify else out


def pooling_change(x, kernel, offset, *, pool_size, pool_stride=None, padding: str = "circular",
                   boundary: str = "circular", rectify: bool = False) -> PoolingChange:
    """Compare how a shift changes a detector map and the same map after max pooling.

    The detector is :func:`detector_map` (convolution, optional ReLU); the
    pooled map is :func:`max_pool2d` of it. Both are computed for ``x`` and
    for ``shift(x, offset)`` and compared position by position.

    Parameters
    ----------
    x : array_like, shape (H, W)
    kernel : array_like, shape (kh, kw)
    offset : int or (int, int)
        The input shift, any sign.
    pool_size : int, (int, int) or "global"
        The pooling window, each >= 1, at most the image's side;
        ``"global"``: one window over the whole map (:func:`global_max_pool`).
    pool_stride : int or (int, int), optional
        Default ``pool_size`` (non-overlapping windows); ignored for "global".
    padding : {"circular", "zeros"}, optional
    boundary : {"circular", "zeros"}, optional
        The shift's boundary rule (see :func:`shift`).
    rectify : bool, optional
        Apply a ReLU to the detector map before pooling.

    Returns
    -------
    PoolingChange
        A value counts as changed when it moved by more than
        ``1e-9 * max(1, max |detector|)``, which ignores rounding only.

    Raises
    ------
    TypeError, ValueError
        For bad arrays, names, sizes or strides (see :func:`equivariance_error`
        and :func:`max_pool2d`).

    Notes
    -----
    Max pooling is approximately invariant to small shifts because a window's
    maximum survives as long as the largest value stays inside the window; a
    one-pixel shift changes a pooled value only where the largest value
    crosses a window boundary, or a new, larger value enters. The detector
    itself is equivariant, not invariant: at a fixed position almost every
    value changes.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(1).random((16, 16))
    >>> ch = pooling_change(x, [[1.0, -1.0]], (0, 1), pool_size=4)
    >>> ch.detector_fraction > ch.pooled_fraction
    True
    >>> pooling_change(x, [[1.0, -1.0]], 0, pool_size=4).pooled_fraction
    0.0
    """
    arr, ker = _check_detector_args(x, kernel, padding, boundary, rectify)
    off = _check_offset(offset)
    win, st = _check_pool(pool_size, pool_stride, arr.shape)
    before = _detect(arr, ker, padding, rectify)
    after = _detect(_shift(arr, off, boundary), ker, padding, rectify)
    pooled = max_pool2d(before, win, stride=st)
    pooled_after = max_pool2d(after, win, stride=st)
    atol = 1e-9 * max(1.0, float(np.abs(before).max()))
    d_changed = np.abs(after - before) > atol
    p_changed = np.abs(pooled_after - pooled) > atol
    return PoolingChange(
        offset=off, pool_size=win, pool_stride=st,
        detector=_readonly(before), detector_shifted=_readonly(after),
        pooled=_readonly(pooled), pooled_shifted=_readonly(pooled_after), atol=atol,
        detector_changed=_readonly(d_changed), pooled_changed=_readonly(p_changed),
        detector_fraction=float(d_changed.mean()), pooled_fraction=float(p_changed.mean()),
        detector_relative=_relative(before, after), pooled_relative=_relative(pooled, pooled_after))


@dataclass(frozen=True, eq=False)
class InvarianceCurve:
    """Change against shift, for the detector and several pool sizes.

    Attributes
    ----------
    offsets : tuple of (int, int)
        The shifts, in order.
    pool_sizes : tuple of int or "global"
        Square pooling windows (stride = size), or ``"global"``.
    measure : str
        ``"fraction"`` (share of values changed) or ``"relative"``
        (``||after - before|| / ||before||``).
    detector : numpy.ndarray, shape (n_offsets,)
        The measure for the detector map at each shift.
    pooled : numpy.ndarray, shape (n_pool_sizes, n_offsets)
        The measure for each pool size at each shift.
    """

    offsets: tuple[tuple[int, int], ...]
    pool_sizes: tuple
    measure: str
    detector: np.ndarray
    pooled: np.ndarray

    def table(self) -> dict:
        """``{"detector": [...], 2: [...], "global": [...]}``: the measure per shift, by row."""
        out = {"detector": self.detector.tolist()}
        out.update({p: row.tolist() for p, row in zip(self.pool_sizes, self.pooled)})
        return out

    def __repr__(self) -> str:
        means = ", ".join(f"{p if isinstance(p, str) else f'{p}x{p}'} {m:.3g}"
                          for p, m in zip(self.pool_sizes, self.pooled.mean(axis=1)))
        return (f"InvarianceCurve({self.measure}, {len(self.offsets)} shifts "
                f"{self.offsets[0]}..{self.offsets[-1]}; mean over shifts: detector "
                f"{self.detector.mean():.3g}, pooled {means})")


def invariance_curve(x, kernel, offsets: Sequence, pool_sizes: Sequence, *,
                     measure: str = "fraction", padding: str = "circular",
                     boundary: str = "circular", rectify: bool = False,
                     max_work: int | None = None) -> InvarianceCurve:
    """Tabulate :func:`pooling_change` over shifts and square pool sizes.

    Parameters
    ----------
    x, kernel : array_like
        As for :func:`pooling_change`.
    offsets : sequence of int or (int, int)
        The shifts to try (at least one).
    pool_sizes : sequence of int or "global"
        Square window sides (stride equal to the side), each >= 1; or
        ``"global"`` for :func:`global_max_pool` (one value per shift).
    measure : {"fraction", "relative"}, optional
        Which measure of :class:`PoolingChange` to tabulate.
    padding, boundary, rectify
        As for :func:`pooling_change`.

    Returns
    -------
    InvarianceCurve

    Raises
    ------
    TypeError, ValueError
        For bad arguments, or empty ``offsets`` / ``pool_sizes``.
    cnnmotiv.budget.BudgetError
        If ``len(offsets)`` shifts of this image would take more than
        ``max_work`` steps (checked before the first one).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(2).random((24, 24))
    >>> c = invariance_curve(x, [[1.0, -1.0]], [(0, d) for d in range(4)], [2, 4])
    >>> c.pooled.shape, float(c.detector[0]), bool(c.detector[1] > c.pooled[1, 1])
    ((2, 4), 0.0, True)
    """
    from cnnmotiv.budget import check_work

    arr, ker = _check_detector_args(x, kernel, padding, boundary, rectify)
    check_choice(measure, "measure", ("fraction", "relative"))
    for name, seq in (("offsets", offsets), ("pool_sizes", pool_sizes)):
        if not isinstance(seq, Sequence) or isinstance(seq, str):
            raise TypeError(f"{name} must be a list or tuple; got {type(seq).__name__}")
    check_work(len(offsets) * arr.size * (ker.size + 3 + 2 * len(pool_sizes)),
               what=f"invariance_curve over {len(offsets):,} shifts of a {arr.shape[0]} x "
               f"{arr.shape[1]} image", parameter="offsets (fewer shifts) or x",
               max_work=max_work)
    offs = tuple(_check_offset(o, f"offsets[{i}]") for i, o in enumerate(offsets))
    sizes = tuple(p if isinstance(p, str) else check_int(p, f"pool_sizes[{i}]")
                  for i, p in enumerate(pool_sizes))
    if not offs:
        raise ValueError("offsets must hold at least one shift; got an empty sequence")
    if not sizes:
        raise ValueError("pool_sizes must hold at least one size; got an empty sequence")
    windows = [_check_pool(p, None, arr.shape, f"pool_sizes[{i}]")[0]
               for i, p in enumerate(sizes)]
    before = _detect(arr, ker, padding, rectify)
    atol = 1e-9 * max(1.0, float(np.abs(before).max()))
    pooled_before = [max_pool2d(before, w) for w in windows]

    def score(a, b):
        return float((np.abs(b - a) > atol).mean()) if measure == "fraction" else _relative(a, b)

    det = np.empty(len(offs))
    pooled = np.empty((len(sizes), len(offs)))
    for j, off in enumerate(offs):
        after = _detect(_shift(arr, off, boundary), ker, padding, rectify)
        det[j] = score(before, after)
        for i, w in enumerate(windows):
            pooled[i, j] = score(pooled_before[i], max_pool2d(after, w))
    return InvarianceCurve(offsets=offs, pool_sizes=sizes, measure=measure,
                           detector=_readonly(det), pooled=_readonly(pooled))


def stripes(shape=(4, 48), periods=(24.0, 2.4)) -> np.ndarray:
    """Vertical stripes: the mean of cosines along the columns, the same in every row.

    ``out[i, j] = mean_k cos(2 pi j / periods[k])``. A period shorter than 4
    pixels is finer than a stride-2 grid can hold (its Nyquist limit), so
    subsampling folds it onto a coarser false pattern: aliasing.

    Parameters
    ----------
    shape : (int, int), optional
        ``(H, W)``.
    periods : sequence of float, optional
        Periods in pixels, each > 0. The defaults fit the default width a
        whole number of times (2 and 20 cycles), so the stripes wrap round
        without a seam.

    Returns
    -------
    numpy.ndarray, shape (H, W)
        float64, values in [-1, 1].

    Raises
    ------
    TypeError
        If a side is not an integer or ``periods`` is not numeric.
    ValueError
        If ``shape`` is not two positive sides, or ``periods`` is empty, not
        1-D, not finite or holds a period <= 0.

    Examples
    --------
    >>> stripes((2, 4), [2])
    array([[ 1., -1.,  1., -1.],
           [ 1., -1.,  1., -1.]])
    """
    h, w = check_shape(shape, "shape", ndim=2)
    per = as_float_array(periods, "periods", ndim=1, dtype=np.float64)
    if not (per > 0).all():
        raise ValueError(f"periods must all be > 0; got {per.tolist()}")
    row = np.cos(2 * np.pi * np.arange(w)[:, None] / per[None, :]).mean(axis=1)
    return np.tile(row, (h, 1))


@dataclass(frozen=True, eq=False)
class SubsamplingCurve:
    """Change against shift for pooled maps with a stride: plain max pooling and MaxBlurPool.

    Attributes
    ----------
    offsets : tuple of (int, int)
        The input shifts, in order.
    poolings : tuple of str
        Pooling kinds from :data:`POOLINGS`, one row of each array per kind.
    pool_size, pool_stride : (int, int)
    blur_size : int
        Side of the binomial blur of ``"max_blur"``.
    output_offsets : tuple of (int, int)
        :func:`output_offset` of each shift: the output shift it corresponds
        to, rounded to whole cells when the stride does not divide it.
    exact_offset : tuple of bool
        Whether the stride divides each shift on both axes.
    relative : numpy.ndarray, shape (n_poolings, n_offsets)
        ``||y(shift(x)) - y(x)|| / ||y(x)||`` at fixed positions (Frobenius
        norms, as :attr:`PoolingChange.pooled_relative`): how far the pooled
        map is from invariant.
    moved_relative : numpy.ndarray, shape (n_poolings, n_offsets)
        ``||y(shift(x)) - g'(y(x))|| / ||y(x)||`` with ``g'`` the circular
        shift by ``output_offsets``: how far it is from equivariant. 0 for
        the shifts the stride divides (with circular padding and shifts and
        sides the stride divides).
    """

    offsets: tuple[tuple[int, int], ...]
    poolings: tuple[str, ...]
    pool_size: tuple[int, int]
    pool_stride: tuple[int, int]
    blur_size: int
    output_offsets: tuple[tuple[int, int], ...]
    exact_offset: tuple[bool, ...]
    relative: np.ndarray
    moved_relative: np.ndarray

    def table(self, measure: str = "relative") -> dict:
        """``{"max": [...], "max_blur": [...]}``: ``relative`` or ``moved_relative`` per shift."""
        check_choice(measure, "measure", ("relative", "moved_relative"))
        rows = self.relative if measure == "relative" else self.moved_relative
        return {p: row.tolist() for p, row in zip(self.poolings, rows)}

    def __repr__(self) -> str:
        means = ", ".join(f"{p} {m:.3g}" for p, m in zip(self.poolings,
                                                         self.relative.mean(axis=1)))
        return (f"SubsamplingCurve({self.pool_size[0]}x{self.pool_size[1]} stride "
                f"{self.pool_stride}, blur {self.blur_size}, {len(self.offsets)} shifts "
                f"{self.offsets[0]}..{self.offsets[-1]}; mean relative change: {means})")


def _pool(x: np.ndarray, pooling: str, window, stride, blur_size: int) -> np.ndarray:
    if pooling == "max":
        return max_pool2d(x, window, stride=stride)
    return max_blur_pool2d(x, window, stride=stride, blur_size=blur_size)


def subsampling_curve(x, kernel, offsets: Sequence, *, poolings: Sequence[str] = POOLINGS,
                      pool_size=2, pool_stride=None, blur_size: int = 3,
                      padding: str = "circular", boundary: str = "circular",
                      rectify: bool = False, max_work: int | None = None) -> SubsamplingCurve:
    """How much shifts change a strided pooled map, with and without a blur before subsampling.

    The detector map is :func:`detector_map` of ``x`` and of each
    ``shift(x, offset)``; each is pooled by every kind in ``poolings``
    (``"max"``: :func:`max_pool2d`; ``"max_blur"``: :func:`max_blur_pool2d`)
    and compared with the pooled map of ``x`` twice: at the same positions
    (:attr:`SubsamplingCurve.relative`) and after moving it by the output
    shift (:attr:`SubsamplingCurve.moved_relative`).

    Parameters
    ----------
    x, kernel : array_like
        As for :func:`pooling_change`.
    offsets : sequence of int or (int, int)
        The shifts to try (at least one).
    poolings : sequence of {"max", "max_blur"}, optional
        The pooling kinds to compare, at least one.
    pool_size : int or (int, int), optional
        The max-pooling window, each >= 1, at most the image's side.
    pool_stride : int or (int, int), optional
        Default ``pool_size``.
    blur_size : int, optional
        Side of ``"max_blur"``'s binomial blur, odd, >= 1.
    padding, boundary, rectify
        As for :func:`pooling_change`.
    max_work : int, optional
        Work budget (:func:`cnnmotiv.budget.check_work`).

    Returns
    -------
    SubsamplingCurve

    Raises
    ------
    TypeError, ValueError
        For bad arrays, names, sizes or strides, or empty ``offsets`` /
        ``poolings``.
    cnnmotiv.budget.BudgetError
        If the shifts would take more than ``max_work`` steps (checked before
        the first one).

    Notes
    -----
    With circular padding and shifts, sides the stride divides and (for
    ``"max"``) windows that tile the image (``pool_size == pool_stride``),
    both kinds are exactly equivariant for shifts the stride divides:
    ``moved_relative`` is 0 there. For the other shifts the coarse grid
    samples the detector map at the other positions; the blur makes those
    samples closer to the ones the grid took before.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(3).random((16, 16))
    >>> c = subsampling_curve(x, [[1.0, -1.0]], [(0, d) for d in range(3)])
    >>> c.moved_relative[:, [0, 2]].tolist()            # even shifts: exactly equivariant
    [[0.0, 0.0], [0.0, 0.0]]
    >>> bool(c.relative[1, 1] < c.relative[0, 1])        # one pixel: the blur changes less
    True
    """
    from cnnmotiv.budget import check_work

    arr, ker = _check_detector_args(x, kernel, padding, boundary, rectify)
    for name, seq in (("offsets", offsets), ("poolings", poolings)):
        if not isinstance(seq, Sequence) or isinstance(seq, str):
            raise TypeError(f"{name} must be a list or tuple; got {type(seq).__name__}")
    kinds = tuple(check_choice(p, f"poolings[{i}]", POOLINGS) for i, p in enumerate(poolings))
    if not kinds:
        raise ValueError("poolings must hold at least one pooling kind; got an empty sequence")
    win, st = _check_pool(pool_size, pool_stride, arr.shape)
    b = _check_blur_size(blur_size)
    check_work(len(offsets) * arr.size * (ker.size + 2 + len(kinds) * (win[0] * win[1] + b * b)),
               what=f"subsampling_curve over {len(offsets):,} shifts of a {arr.shape[0]} x "
               f"{arr.shape[1]} image", parameter="offsets (fewer shifts) or x",
               max_work=max_work)
    offs = tuple(_check_offset(o, f"offsets[{i}]") for i, o in enumerate(offsets))
    if not offs:
        raise ValueError("offsets must hold at least one shift; got an empty sequence")
    moved = [output_offset(o, st) for o in offs]
    before = _detect(arr, ker, padding, rectify)
    pooled_before = [_pool(before, p, win, st, b) for p in kinds]
    relative = np.empty((len(kinds), len(offs)))
    moved_relative = np.empty((len(kinds), len(offs)))
    for j, off in enumerate(offs):
        after = _detect(_shift(arr, off, boundary), ker, padding, rectify)
        for i, p in enumerate(kinds):
            pooled_after = _pool(after, p, win, st, b)
            relative[i, j] = _relative(pooled_before[i], pooled_after)
            target = _shift(pooled_before[i], moved[j][0], boundary)
            moved_relative[i, j] = _relative_to(pooled_before[i], target, pooled_after)
    return SubsamplingCurve(offsets=offs, poolings=kinds, pool_size=win, pool_stride=st,
                            blur_size=b, output_offsets=tuple(m for m, _ in moved),
                            exact_offset=tuple(e for _, e in moved),
                            relative=_readonly(relative), moved_relative=_readonly(moved_relative))


def short_edge(shape=(32, 40), position=(10, 20), *, length: int = 6) -> np.ndarray:
    """A dark image holding one short vertical edge, found by :data:`EDGE_KERNEL` at ``position``.

    A bright bar three rows tall (rows ``r-1 .. r+1``) runs from column ``c``
    to ``c + length - 1``; its left end is a dark-to-bright step, so the edge
    detector's strongest response (4.0) is at ``(r, c)``. The bar's right end
    is a bright-to-dark step that gives the strongest negative response.

    Parameters
    ----------
    shape : (int, int), optional
        ``(H, W)``.
    position : (int, int), optional
        ``(r, c)``: centre row of the edge and the first bright column.
        Needs ``1 <= r <= H - 2`` and ``1 <= c`` and ``c + length <= W - 1``
        (the bar and a dark pixel each side fit).
    length : int, optional
        Bar length in columns, >= 2.

    Returns
    -------
    numpy.ndarray, shape (H, W)
        float64, 1.0 on the bar and 0.0 elsewhere.

    Raises
    ------
    TypeError
        If a size or position is not an integer.
    ValueError
        If the bar does not fit as described.

    Examples
    --------
    >>> x = short_edge((6, 8), (2, 3), length=3)
    >>> x.astype(int)
    array([[0, 0, 0, 0, 0, 0, 0, 0],
           [0, 0, 0, 1, 1, 1, 0, 0],
           [0, 0, 0, 1, 1, 1, 0, 0],
           [0, 0, 0, 1, 1, 1, 0, 0],
           [0, 0, 0, 0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 0, 0, 0]])
    """
    h, w = check_shape(shape, "shape", ndim=2)
    r, c = check_pair(position, "position", minimum=0)
    n = check_int(length, "length", minimum=2)
    if not (1 <= r <= h - 2):
        raise ValueError(f"position row must be between 1 and H - 2 = {h - 2}; got {r}")
    if not (1 <= c and c + n <= w - 1):
        raise ValueError(f"position column must satisfy 1 <= c and c + length <= W - 1 = {w - 1};"
                         f" got c={c}, length={n}")
    out = np.zeros((h, w))
    out[r - 1:r + 2, c:c + n] = 1.0
    return out


def peak_position(response) -> tuple[int, int]:
    """``(row, col)`` of the largest value of a response map (the first, if tied).

    Parameters
    ----------
    response : array_like, shape (H, W)

    Returns
    -------
    (int, int)

    Raises
    ------
    TypeError, ValueError
        If ``response`` is not a finite, non-empty 2-D numeric array.

    Examples
    --------
    >>> peak_position([[0, 1, 0], [0, 0, 3]])
    (1, 2)
    """
    arr = _as_2d(response, "response")
    r, c = np.unravel_index(int(np.argmax(arr)), arr.shape)
    return int(r), int(c)
