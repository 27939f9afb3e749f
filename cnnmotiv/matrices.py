"""Cross-correlation written as a matrix: dense, sparse and locally connected forms.

A convolutional layer is a linear map, so it is a matrix ``M`` acting on the
flattened input: ``M @ x.ravel() == correlate2d(x, kernel).ravel()``. Writing
it out shows the two savings that section 9.2 talks about:

* **sparse interactions** -- each row has at most ``kh * kw`` non-zero entries
  (the taps of the kernel), all other entries are structurally zero;
* **parameter sharing** -- every row holds the *same* numbers, the kernel's
  weights, shifted along (a doubly block Toeplitz matrix).

:func:`locally_connected_matrix` keeps the sparsity but gives every output its
own weights, so the two effects can be looked at separately.
:func:`weight_taps` returns the index arrays behind all three builders: which
kernel tap sits at which ``(row, column)`` of the matrix.

Geometry (``mode``, ``stride``, ``dilation``) and padding follow
:mod:`cnnmotiv.convolution`: output unit ``i`` along an axis reads padded
position ``i * stride + a * dilation`` through tap ``a``, with ``before``
positions of padding in front (see :func:`cnnmotiv.convolution.padding_amounts`).
Padding maps a position outside the input to an input index (circular:
wrap around; reflect: mirror without repeating the edge, like
``np.pad(mode="reflect")``) or to nothing (zeros: the tap multiplies a zero and
is left out of the matrix). Whatever :func:`cnnmotiv.convolution.correlate2d`
refuses, the builders refuse too (a kernel larger than the input in 'valid'
mode; reflect padding wider than the input length minus one).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse

from cnnmotiv.budget import check_bytes
from cnnmotiv.validation import (
    as_float_array,
    check_choice,
    check_int,
    check_memory,
    check_pair,
    check_shape,
)

from cnnmotiv.convolution import PADDINGS, AxisGeometry, axis_geometry, output_length

__all__ = [
    "correlation_matrix_1d",
    "correlation_matrix",
    "sparse_correlation_matrix",
    "locally_connected_matrix",
    "weight_taps",
    "dense_matrix_nbytes",
    "VIEWS",
    "layer_matrices",
    "touched_units",
]

_AXES = ("rows", "columns")


# ---------------------------------------------------------------------------
# geometry and index arrays
# ---------------------------------------------------------------------------

class _Geometry:
    """Validated arguments of a 2-D builder: one :class:`AxisGeometry` per axis.

    ``axes[0]`` (rows) and ``axes[1]`` (columns) come from
    :func:`cnnmotiv.convolution.axis_geometry`, the package's one rule for
    padding, output length and "does the kernel fit", so the builders accept
    and refuse exactly what :func:`cnnmotiv.convolution.correlate2d` does.
    """

    def __init__(self, kernel_shape, shape, mode, padding, stride, dilation, *, name):
        self.shape = check_shape(shape, "shape", ndim=2)
        self.padding = check_choice(padding, "padding", PADDINGS)
        self.stride = check_pair(stride, "stride")
        self.dilation = check_pair(dilation, "dilation")
        self.kernel_shape = tuple(kernel_shape)
        self.axes: tuple[AxisGeometry, AxisGeometry] = tuple(
            axis_geometry(self.shape[ax], self.kernel_shape[ax], mode=mode, padding=padding,
                          stride=self.stride[ax], dilation=self.dilation[ax], name=name,
                          axis=_AXES[ax])
            for ax in (0, 1))
        self.out_shape = tuple(axis.output_length for axis in self.axes)
        self.n_out = self.out_shape[0] * self.out_shape[1]
        self.n_in = self.shape[0] * self.shape[1]

    def check_dense(self, dtype, max_bytes, what):
        """Refuse a dense matrix over budget, from the geometry alone."""
        dtype = np.dtype(dtype)
        check_memory(self.n_out * self.n_in * dtype.itemsize,
                     f"a dense {what} ({self.n_out:,} x {self.n_in:,}) {dtype} matrix", max_bytes)

    def check_taps(self, value_itemsize: int, max_bytes, what: str, parameter: str) -> None:
        """Refuse index arrays (and values) of every weight use over budget, before building.

        :func:`_taps_2d` and the CSR assembly hold, per (output, tap) pair, a
        column index, a row and a tap index, the value and the compressed
        copy of the index: at most ``3 * 8 + 2 * index + value`` bytes.
        """
        uses = self.n_out * self.kernel_shape[0] * self.kernel_shape[1]
        index = 4 if max(self.n_in, uses) < 2**31 else 8
        per_use = 3 * 8 + 2 * index + value_itemsize
        check_bytes(uses * per_use + 8 * (self.n_out + 1),
                    what=f"{what} with {uses:,} weight uses ({self.n_out:,} outputs x "
                         f"{self.kernel_shape[0]}x{self.kernel_shape[1]} taps)",
                    parameter=parameter, max_bytes=max_bytes)

    def axis_taps(self, ax: int) -> np.ndarray:
        return _axis_taps(self.shape[ax], self.kernel_shape[ax], self.axes[ax], self.padding,
                          self.stride[ax], self.dilation[ax])


def _axis_taps(n, k, geometry: AxisGeometry, padding, stride, dilation) -> np.ndarray:
    """Input index read by each (output, tap) pair along one axis.

    Output ``i`` reads padded position ``i * stride + a * dilation`` through
    tap ``a``, i.e. input position ``i * stride + a * dilation - before``.
    Returns an int array of shape ``(output_length, k)``; ``-1`` marks a tap
    that falls on zero padding.
    """
    pos = ((np.arange(geometry.output_length) * stride)[:, None]
           + (np.arange(k) * dilation)[None, :] - geometry.before)
    if padding == "zeros":
        return np.where((pos >= 0) & (pos < n), pos, -1)
    if padding == "circular":
        return pos % n
    # reflect (at most n - 1 samples each side): mirror about the first and
    # the last sample without repeating it, as np.pad(mode="reflect").
    pos = np.abs(pos)
    return np.where(pos < n, pos, 2 * (n - 1) - pos)


def _taps_2d(g: _Geometry):
    """(rows, cols, taps, counts) of a validated geometry.

    ``counts[o]`` is the number of entries of output ``o``; entries come
    sorted by output, then by tap. Flat tap ``t = a * kw + b`` of output
    ``(i, j)`` reads input ``ri[i, a] * W + ci[j, b]``: both terms are laid out
    per flat tap first, so the broadcast sum runs over contiguous rows of
    ``kh * kw``.
    """
    (kh, kw), w = g.kernel_shape, g.shape[1]
    ri, ci = g.axis_taps(0), g.axis_taps(1)                       # (h_out, kh), (w_out, kw)
    n_out, k = g.n_out, kh * kw
    index = np.int32 if g.n_in < 2**31 else np.int64
    row_part = np.repeat(ri * w, kw, axis=1).astype(index)        # (h_out, k)
    col_part = np.tile(ci, (1, kh)).astype(index)                 # (w_out, k)
    cols = row_part[:, None, :] + col_part[None, :, :]            # (h_out, w_out, k)
    if g.padding == "zeros" and ((ri < 0).any() or (ci < 0).any()):
        # a tap is inside when its row and its column are: counts are separable
        r_in, c_in = ri >= 0, ci >= 0
        counts = np.outer(r_in.sum(axis=1), c_in.sum(axis=1)).ravel()
        inside = np.repeat(r_in, kw, axis=1)[:, None, :] & np.tile(c_in, (1, kh))[None, :, :]
        flat = np.flatnonzero(inside)
        rows, taps = np.divmod(flat, k)
        return rows, cols.ravel()[flat], taps, counts
    counts = np.full(n_out, k)
    return np.repeat(np.arange(n_out), k), cols.ravel(), np.tile(np.arange(k), n_out), counts


def _csr(vals, rows, cols, counts, padding, shape):
    """Canonical CSR array (sorted columns, no duplicates) from entries sorted by row.

    With zero padding the columns of a row strictly increase with the tap
    (no duplicates), so the compressed arrays are written down directly;
    otherwise SciPy sorts each row's columns and sums duplicates. Indices are
    int32 when they fit (half the memory of int64).
    """
    index = np.int32 if max(shape[1], cols.size) < 2**31 else np.int64
    if padding == "zeros":
        indptr = np.zeros(shape[0] + 1, dtype=index)
        np.cumsum(counts, out=indptr[1:])
        return scipy.sparse.csr_array((vals, cols.astype(index), indptr), shape=shape)
    return scipy.sparse.csr_array((vals, (rows.astype(index), cols.astype(index))), shape=shape)


def weight_taps(kernel_shape, shape, *, mode="valid", padding="zeros", stride=1, dilation=1,
                max_bytes=None):
    """Index arrays of a 2-D correlation matrix: which kernel tap sits where.

    Entry ``t`` says that output unit ``rows[t]`` (flat index into the
    ``(H_out, W_out)`` output) reads input pixel ``cols[t]`` (flat index into
    the ``(H, W)`` input) through kernel tap ``taps[t]`` (flat index into the
    ``(kh, kw)`` kernel). There is one entry per *weight use*.

    Parameters
    ----------
    kernel_shape : int or (kh, kw)
        Kernel size.
    shape : (H, W)
        Input shape.
    mode : {'valid', 'same', 'full'}, optional
        Output size, as in :func:`cnnmotiv.convolution.correlate2d`.
    padding : {'zeros', 'circular', 'reflect'}, optional
        How positions outside the input are filled.
    stride, dilation : int or (int, int), optional
        Step between outputs and spacing between kernel taps.
    max_bytes : int, optional
        Refuse index arrays larger than this; default
        :data:`cnnmotiv.budget.DEFAULT_MAX_BYTES`.

    Returns
    -------
    rows, cols, taps : ndarray of intp, each of shape (n_uses,)
        Sorted by output unit, then by tap.

    Raises
    ------
    ValueError, TypeError
        Bad shapes, unknown mode or padding, non-positive stride or dilation,
        a kernel that does not fit the input in ``mode='valid'``, or reflect
        padding wider than the input length minus one.
    BudgetError
        If the arrays would need more than ``max_bytes``; raised before
        allocating, naming ``shape``.

    Notes
    -----
    With ``padding='zeros'`` taps that fall on the padding multiply a zero;
    they are left out, so ``n_uses`` is the number of products with a real
    input pixel (at most ``H_out * W_out * kh * kw``, equal to it in 'valid'
    mode). With 'circular' or 'reflect' padding every tap reads a real pixel,
    so ``n_uses == H_out * W_out * kh * kw``; two taps of the same output can
    then read the *same* pixel (a window wider than the input wraps onto
    itself, or a window at the border folds onto its mirror image), and a
    ``(row, col)`` pair appears more than once: the matrix sums those entries.

    Examples
    --------
    A 2x2 kernel on a 2x3 input: two outputs, each using all 4 taps.

    >>> rows, cols, taps = weight_taps((2, 2), (2, 3))
    >>> rows
    array([0, 0, 0, 0, 1, 1, 1, 1])
    >>> cols
    array([0, 1, 3, 4, 1, 2, 4, 5])
    >>> taps
    array([0, 1, 2, 3, 0, 1, 2, 3])
    """
    kernel_shape = check_pair(kernel_shape, "kernel_shape")
    g = _Geometry(kernel_shape, shape, mode, padding, stride, dilation, name="kernel_shape")
    g.check_taps(0, max_bytes, "the index arrays", "shape")
    rows, cols, taps, _ = _taps_2d(g)
    return rows, cols.astype(np.intp), taps


# ---------------------------------------------------------------------------
# sizes
# ---------------------------------------------------------------------------

def dense_matrix_nbytes(shape, kernel_shape, *, mode="valid", stride=1, dilation=1,
                        dtype=np.float64) -> int:
    """Bytes a dense correlation matrix for this geometry would take.

    The matrix has one row per output unit and one column per input pixel:
    ``H_out * W_out * H * W * itemsize`` bytes. Nothing is allocated.

    Parameters
    ----------
    shape : (H, W)
        Input shape.
    kernel_shape : int or (kh, kw)
        Kernel size.
    mode : {'valid', 'same', 'full'}, optional
    stride, dilation : int or (int, int), optional
    dtype : numpy dtype, optional
        Element type, float64 by default.

    Returns
    -------
    int

    Raises
    ------
    ValueError, TypeError
        Bad shapes, unknown mode, non-positive stride or dilation, or a kernel
        that does not fit the input in ``mode='valid'``.

    Examples
    --------
    The 280x320 photo and a 3x3 kernel: 88,404 outputs times 89,600 inputs.

    >>> dense_matrix_nbytes((280, 320), (3, 3))
    63367987200
    >>> 88_404 * 89_600 * 8
    63367987200
    """
    kernel_shape = check_pair(kernel_shape, "kernel_shape")
    try:
        dtype = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"dtype must be a numpy dtype; got {dtype!r}") from exc
    g = _Geometry(kernel_shape, shape, mode, "zeros", stride, dilation, name="kernel_shape")
    return g.n_out * g.n_in * dtype.itemsize


# ---------------------------------------------------------------------------
# builders
# ---------------------------------------------------------------------------

def correlation_matrix_1d(kernel, n, *, mode="valid", padding="zeros", stride=1, dilation=1,
                          max_bytes=None) -> np.ndarray:
    """Dense matrix of 1-D cross-correlation with ``kernel`` on inputs of length ``n``.

    The contract is ``A @ x == correlate1d(x, kernel, mode=..., padding=...,
    stride=..., dilation=...)`` for every ``x`` of length ``n``.

    For ``kernel = (a, b, c)``, ``n = 5`` and ``mode='valid'`` it is the
    Toeplitz matrix whose rows are the kernel sliding one step to the right::

        [[a  b  c  0  0]
         [0  a  b  c  0]
         [0  0  a  b  c]]

    Parameters
    ----------
    kernel : (k,) array_like
        Kernel weights, not flipped (cross-correlation).
    n : int
        Input length.
    mode : {'valid', 'same', 'full'}, optional
        Output length ``n - k + 1``, ``n`` or ``n + k - 1`` (for stride and
        dilation 1); 'same' is centred as in :func:`scipy.signal.correlate2d`.
    padding : {'zeros', 'circular', 'reflect'}, optional
        How positions outside the input are filled.
    stride, dilation : int, optional
        Step between outputs and spacing between kernel taps.
    max_bytes : int, optional
        Refuse matrices larger than this; default
        :data:`cnnmotiv.budget.DEFAULT_MAX_BYTES`.

    Returns
    -------
    A : (n_out, n) ndarray
        float32 if ``kernel`` is float32, else float64.

    Raises
    ------
    ValueError, TypeError
        Kernel not a finite non-empty 1-D array, ``n`` not a positive integer,
        unknown mode or padding, non-positive stride or dilation, kernel longer
        than the input in 'valid' mode, reflect padding longer than ``n - 1``.
    MatrixTooLargeError
        If the matrix would need more than ``max_bytes``; raised before
        allocating.

    See Also
    --------
    correlation_matrix : the 2-D version.
    scipy.linalg.convolution_matrix : the same matrix for *convolution*.

    Notes
    -----
    Correlation with ``k`` is convolution with the flipped kernel ``k[::-1]``,
    so with zero padding, stride 1 and dilation 1 this matrix equals
    ``scipy.linalg.convolution_matrix(kernel[::-1], n, mode)`` in 'full' and
    'valid' mode, and in 'same' mode when ``k`` is odd and ``k <= n``. For an
    even ``k`` the two 'same' conventions centre differently: scipy.linalg
    (like ``np.convolve``) keeps rows ``(k - 1) // 2 ...`` of the 'full'
    matrix, this function (like :func:`scipy.signal.correlate2d`) keeps rows
    ``k // 2 ...``, one further down; and for ``k > n`` scipy.linalg returns
    ``k`` rows, this function ``n``.

    Examples
    --------
    >>> A = correlation_matrix_1d([1.0, 2.0, 3.0], 5)
    >>> A
    array([[1., 2., 3., 0., 0.],
           [0., 1., 2., 3., 0.],
           [0., 0., 1., 2., 3.]])
    >>> x = np.array([1.0, 0.0, 0.0, 2.0, 1.0])
    >>> A @ x
    array([1., 6., 7.])
    >>> np.correlate(x, [1.0, 2.0, 3.0], mode="valid")
    array([1., 6., 7.])
    >>> from scipy.linalg import convolution_matrix
    >>> np.array_equal(A, convolution_matrix(np.array([3.0, 2.0, 1.0]), 5, "valid"))
    True

    Circular padding wraps the kernel around the ends:

    >>> correlation_matrix_1d([1.0, 2.0, 3.0], 4, mode="same", padding="circular")
    array([[2., 3., 0., 1.],
           [1., 2., 3., 0.],
           [0., 1., 2., 3.],
           [3., 0., 1., 2.]])
    """
    kernel = as_float_array(kernel, "kernel", ndim=1)
    n = check_int(n, "n")
    stride = check_int(stride, "stride")
    dilation = check_int(dilation, "dilation")
    geometry = axis_geometry(n, kernel.size, mode=mode, padding=padding, stride=stride,
                             dilation=dilation, name="kernel")
    n_out = geometry.output_length
    check_memory(n_out * n * kernel.itemsize,
                 f"a dense correlation ({n_out:,} x {n:,}) {kernel.dtype} matrix", max_bytes)
    idx = _axis_taps(n, kernel.size, geometry, padding, stride, dilation)
    rows = np.broadcast_to(np.arange(n_out)[:, None], idx.shape)
    vals = np.broadcast_to(kernel, idx.shape)
    keep = idx >= 0
    matrix = np.zeros((n_out, n), dtype=kernel.dtype)
    np.add.at(matrix, (rows[keep], idx[keep]), vals[keep])
    return matrix


def _dense_from_taps(rows, cols, vals, n_out, n_in, dtype):
    matrix = np.zeros((n_out, n_in), dtype=dtype)
    np.add.at(matrix, (rows, cols), vals)
    return matrix


def correlation_matrix(kernel, shape, *, mode="valid", padding="zeros", stride=1, dilation=1,
                       max_bytes=None) -> np.ndarray:
    """Dense matrix of 2-D cross-correlation with ``kernel`` on ``(H, W)`` images.

    The contract is ``M @ x.ravel() == correlate2d(x, kernel, ...).ravel()``
    for every ``x`` of shape ``shape`` (row-major flattening, same options).

    For a 2x2 kernel ``[[a, b], [c, d]]`` on a 3x3 image in 'valid' mode the
    four outputs ``y00 y01 y10 y11`` read the nine pixels like this (a doubly
    block Toeplitz matrix: every row holds the same four weights)::

                 x00 x01 x02 x10 x11 x12 x20 x21 x22
            y00 [ a   b   .   c   d   .   .   .   . ]
            y01 [ .   a   b   .   c   d   .   .   . ]
            y10 [ .   .   .   a   b   .   c   d   . ]
            y11 [ .   .   .   .   a   b   .   c   d ]

    Parameters
    ----------
    kernel : (kh, kw) array_like
        Kernel weights, not flipped (cross-correlation).
    shape : (H, W)
        Input shape.
    mode : {'valid', 'same', 'full'}, optional
        Output size, as in :func:`cnnmotiv.convolution.correlate2d`.
    padding : {'zeros', 'circular', 'reflect'}, optional
        How positions outside the input are filled.
    stride, dilation : int or (int, int), optional
        Step between outputs and spacing between kernel taps.
    max_bytes : int, optional
        Refuse matrices larger than this; default
        :data:`cnnmotiv.budget.DEFAULT_MAX_BYTES` (2 GiB).

    Returns
    -------
    M : (H_out * W_out, H * W) ndarray
        float32 if ``kernel`` is float32, else float64.

    Raises
    ------
    ValueError, TypeError
        Kernel not a finite non-empty 2-D array, bad shape, unknown mode or
        padding, non-positive stride or dilation, kernel larger than the input
        in 'valid' mode, reflect padding wider than the input length minus one.
    MatrixTooLargeError
        If ``M`` would need more than ``max_bytes``; raised before allocating,
        the message states the bytes needed.

    See Also
    --------
    sparse_correlation_matrix : the same matrix storing only the weight uses.
    dense_matrix_nbytes : the memory this function would need.

    Notes
    -----
    With circular or reflect padding two taps of one output can read the same
    pixel; their weights are added in that entry.

    Examples
    --------
    >>> M = correlation_matrix([[1.0, 2.0], [3.0, 4.0]], (3, 3))
    >>> M.shape
    (4, 9)
    >>> M
    array([[1., 2., 0., 3., 4., 0., 0., 0., 0.],
           [0., 1., 2., 0., 3., 4., 0., 0., 0.],
           [0., 0., 0., 1., 2., 0., 3., 4., 0.],
           [0., 0., 0., 0., 1., 2., 0., 3., 4.]])
    >>> from scipy.signal import correlate2d
    >>> x = np.arange(9.0).reshape(3, 3)
    >>> np.allclose(M @ x.ravel(), correlate2d(x, [[1, 2], [3, 4]], "valid").ravel())
    True

    The 280x320 photo with a 3x3 kernel would need 63.4 GB:

    >>> correlation_matrix(np.ones((3, 3)), (280, 320))
    Traceback (most recent call last):
    ...
    cnnmotiv.budget.MatrixTooLargeError: a dense correlation (88,404 x 89,600) float64 matrix would need 63,367,987,200 bytes (63.4 GB), ...
    """
    kernel = as_float_array(kernel, "kernel", ndim=2)
    g = _Geometry(kernel.shape, shape, mode, padding, stride, dilation, name="kernel")
    g.check_dense(kernel.dtype, max_bytes, "correlation")
    rows, cols, taps, _ = _taps_2d(g)
    return _dense_from_taps(rows, cols, kernel.ravel()[taps], g.n_out, g.n_in, kernel.dtype)


def sparse_correlation_matrix(kernel, shape, *, mode="valid", padding="zeros", stride=1,
                              dilation=1, max_bytes=None) -> scipy.sparse.csr_array:
    """Sparse (CSR) matrix of 2-D cross-correlation with ``kernel`` on ``(H, W)`` images.

    Same contract and options as :func:`correlation_matrix`,
    ``M @ x.ravel() == correlate2d(x, kernel, ...).ravel()``, but only the
    weight uses are stored: the matrix is built in one step from the index
    arrays of :func:`weight_taps` (numpy broadcasting, no loop over pixels), so
    a 280x320 image with a 3x3 kernel takes milliseconds and about 10 MB
    (8-byte values, 4-byte column indices).

    Parameters
    ----------
    kernel : (kh, kw) array_like
        Kernel weights, not flipped (cross-correlation).
    shape : (H, W)
        Input shape.
    mode : {'valid', 'same', 'full'}, optional
    padding : {'zeros', 'circular', 'reflect'}, optional
    stride, dilation : int or (int, int), optional
    max_bytes : int, optional
        Refuse to build if the matrix and its index arrays would need more
        than this; default :data:`cnnmotiv.budget.DEFAULT_MAX_BYTES`.

    Returns
    -------
    M : scipy.sparse.csr_array of shape (H_out * W_out, H * W)
        float32 if ``kernel`` is float32, else float64.

    Raises
    ------
    ValueError, TypeError
        As :func:`correlation_matrix`.
    BudgetError
        If building would need more than ``max_bytes``; raised before
        allocating, naming ``shape``.

    Notes
    -----
    Stored entries (``M.nnz``):

    * ``padding='zeros'``: exactly one per weight use, i.e. per (output, tap)
      pair whose tap reads a real pixel; taps on the padding are not stored.
      In 'valid' mode that is ``H_out * W_out * kh * kw``.
    * ``padding='circular'`` or ``'reflect'``: every tap reads a real pixel
      (``H_out * W_out * kh * kw`` weight uses), but taps of one output that
      read the same pixel are summed into one entry, so ``nnz`` is the number
      of distinct (output, pixel) pairs. It is smaller than the number of
      weight uses when a window is wider than the input (circular) or folds
      over the border onto itself (reflect, e.g. a 3x3 kernel in 'same' mode
      reads pixel 1 twice at output 0).

    A zero weight is still stored (an explicit zero), so ``nnz`` depends on
    the geometry only; :func:`cnnmotiv.counting.count_stored_entries` counts it.

    Examples
    --------
    >>> M = sparse_correlation_matrix([[-1.0, 1.0]], (280, 320))
    >>> M.shape, M.nnz
    ((89320, 89600), 178640)
    >>> M.nnz == 280 * 319 * 2
    True
    >>> S = sparse_correlation_matrix([[1.0, 2.0], [3.0, 4.0]], (3, 3))
    >>> np.array_equal(S.toarray(), correlation_matrix([[1.0, 2.0], [3.0, 4.0]], (3, 3)))
    True
    """
    kernel = as_float_array(kernel, "kernel", ndim=2)
    g = _Geometry(kernel.shape, shape, mode, padding, stride, dilation, name="kernel")
    g.check_taps(kernel.itemsize, max_bytes, "a sparse correlation matrix", "shape")
    rows, cols, taps, counts = _taps_2d(g)
    return _csr(kernel.ravel()[taps], rows, cols, counts, g.padding, (g.n_out, g.n_in))


def locally_connected_matrix(kernel_shape, shape, *, weights=None, rng=None, mode="valid",
                             padding="zeros", stride=1, dilation=1, sparse=True,
                             max_bytes=None):
    """Matrix of a locally connected layer: a convolution's sparsity, unshared weights.

    Output unit ``(i, j)`` reads the same pixels as in a convolution with a
    ``kernel_shape`` kernel, but through its own weights
    ``weights[i, j]``. With ``weights[i, j] == kernel`` for every ``(i, j)``
    it is exactly the convolution matrix; with different weights it has the
    same non-zero pattern but ``H_out * W_out`` times as many parameters. For
    a 1x2 kernel on a 1x4 input (``'valid'``)::

        [[u0 u1  .  .]         conv: u = v = w = kernel
         [ . v0 v1  .]
         [ .  . w0 w1]]

    Parameters
    ----------
    kernel_shape : int or (kh, kw)
        Size of each unit's window.
    shape : (H, W)
        Input shape.
    weights : (H_out, W_out, kh, kw) array_like, optional
        One weight per (output unit, tap). If omitted, drawn from a standard
        normal distribution with ``rng``.
    rng : None, int or numpy.random.Generator, optional
        Seed or generator for random weights (only when ``weights`` is None).
    mode : {'valid', 'same', 'full'}, optional
    padding : {'zeros', 'circular', 'reflect'}, optional
    stride, dilation : int or (int, int), optional
    sparse : bool, optional
        Return a ``scipy.sparse.csr_array`` (default) or a dense ndarray.
    max_bytes : int, optional
        Memory budget (random weights, index arrays, and the dense matrix
        for ``sparse=False``); default
        :data:`cnnmotiv.budget.DEFAULT_MAX_BYTES`.

    Returns
    -------
    M : (H_out * W_out, H * W) csr_array or ndarray

    Raises
    ------
    ValueError, TypeError
        As :func:`correlation_matrix`; also ``weights`` of the wrong shape, or
        both ``weights`` and ``rng`` given.
    MatrixTooLargeError
        ``sparse=False`` and the dense matrix would exceed ``max_bytes``.
    BudgetError
        The weights and index arrays would exceed ``max_bytes`` (a 30000 x
        30000 input with a 3x3 kernel would need about 460 GB); raised
        before allocating, naming ``shape``.

    Notes
    -----
    The stored entries are those of :func:`sparse_correlation_matrix` for the
    same geometry. With zero padding, weights of taps that fall on the padding
    multiply zeros and never appear in the matrix.

    Examples
    --------
    >>> w = np.arange(1.0, 7.0).reshape(1, 3, 1, 2)
    >>> locally_connected_matrix((1, 2), (1, 4), weights=w, sparse=False)
    array([[1., 2., 0., 0.],
           [0., 3., 4., 0.],
           [0., 0., 5., 6.]])

    Tiling one kernel over all outputs gives back the convolution matrix:

    >>> k = np.array([[1.0, -1.0]])
    >>> tiled = np.broadcast_to(k, (1, 3, 1, 2))
    >>> np.array_equal(locally_connected_matrix((1, 2), (1, 4), weights=tiled).toarray(),
    ...                correlation_matrix(k, (1, 4)))
    True
    """
    kernel_shape = check_pair(kernel_shape, "kernel_shape")
    g = _Geometry(kernel_shape, shape, mode, padding, stride, dilation, name="kernel_shape")
    if not isinstance(sparse, (bool, np.bool_)):
        raise TypeError(f"sparse must be True or False; got {sparse!r}")
    if weights is not None and rng is not None:
        raise ValueError("pass either weights or rng (to draw random weights), not both")
    h_out, w_out = g.out_shape
    kh, kw = kernel_shape
    want = (h_out, w_out, kh, kw)
    # the (drawn) weights are part of the per-use storage: 8 more bytes per use
    g.check_taps(8 + 8, max_bytes, "a locally connected matrix", "shape")
    if weights is None:
        try:
            gen = np.random.default_rng(rng)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"rng must be None, an int seed or a numpy Generator; got {rng!r}") \
                from exc
        weights = gen.standard_normal(want)
    else:
        weights = as_float_array(weights, "weights", ndim=4)
        if weights.shape != want:
            raise ValueError(f"weights must have shape (H_out, W_out, kh, kw) = {want}; "
                             f"got {weights.shape}")
    if not sparse:
        g.check_dense(weights.dtype, max_bytes, "locally connected")
    rows, cols, taps, counts = _taps_2d(g)
    vals = weights.reshape(h_out * w_out, kh * kw)[rows, taps]
    if sparse:
        return _csr(vals, rows, cols, counts, g.padding, (g.n_out, g.n_in))
    return _dense_from_taps(rows, cols, vals, g.n_out, g.n_in, weights.dtype)

# ----------------------------------------------------------------------------
# Connectivity: what each unit is joined to
# ----------------------------------------------------------------------------

#: Which way :func:`touched_units` looks: from an input up, or from an output down.
VIEWS = ("below", "above")


def _distinct_taps(kernel_size: int) -> np.ndarray:
    # Taps 1, 2, ..., k: every tap non-zero, so a structural non-zero is never
    # lost to a zero weight, and distinct so the matrix is not symmetric.
    return np.arange(1, kernel_size + 1, dtype=float)


def layer_matrices(n: int, kernel_size: int, *, mode: str = "same", stride: int = 1,
                   dilation: int = 1, rng=0) -> dict[str, np.ndarray]:
    """The matrices of a convolutional layer and of a dense layer of the same shape.

    Parameters
    ----------
    n : int
        Number of input units.
    kernel_size : int
        Number of kernel taps ``k``.
    mode : {'valid', 'same', 'full'}
        Output size rule of the convolution (zero padding).
    stride, dilation : int
        Step between outputs, and spacing between taps.
    rng : int or numpy.random.Generator
        Seed or generator for the dense weights.

    Returns
    -------
    dict
        ``{"dense": (n_out, n), "conv": (n_out, n)}``. The convolution matrix is
        :func:`cnnmotiv.matrices.correlation_matrix_1d` of the kernel
        ``[1, 2, ..., k]`` (all taps non-zero); the dense matrix has weights drawn
        uniformly from ``[0.5, 1.5)``, so every entry is non-zero.

    Raises
    ------
    ValueError, TypeError
        From the validation of ``n``, ``kernel_size``, ``mode``, ``stride``,
        ``dilation``.

    Examples
    --------
    >>> mats = layer_matrices(6, 3, mode="valid")
    >>> mats["conv"].shape, mats["dense"].shape
    ((4, 6), (4, 6))
    >>> int(np.count_nonzero(mats["conv"])), int(np.count_nonzero(mats["dense"]))
    (12, 24)
    """
    n = check_int(n, "n")
    kernel_size = check_int(kernel_size, "kernel_size")
    check_bytes(2 * output_length(n, kernel_size, mode=mode, stride=stride, dilation=dilation)
                * n * 8, what=f"the dense and convolution matrices of {n} inputs",
                parameter="n")
    conv = correlation_matrix_1d(_distinct_taps(kernel_size), n, mode=mode, stride=stride,
                                 dilation=dilation)
    generator = np.random.default_rng(rng)
    dense = generator.uniform(0.5, 1.5, size=conv.shape)
    return {"dense": dense, "conv": conv}


def _check_unit(unit, view: str, shape: tuple[int, int]) -> int:
    count = shape[0] if view == "above" else shape[1]
    side = "output" if view == "above" else "input"
    unit = check_int(unit, "unit", minimum=0)
    if unit >= count:
        raise ValueError(f"unit must be an {side} index in 0..{count - 1} for view={view!r}; "
                         f"got {unit}")
    return unit


def touched_units(matrix, view: str, unit: int) -> np.ndarray:
    """Indices of the units joined to ``unit`` by a non-zero of ``matrix``.

    From ``"below"`` (``unit`` is an input): the outputs it feeds, the
    non-zero rows of column ``unit``. From ``"above"`` (``unit`` is an output):
    its receptive field, the non-zero columns of row ``unit``.

    Parameters
    ----------
    matrix : array_like, shape (n_out, n)
    view : {'below', 'above'}
    unit : int

    Returns
    -------
    numpy.ndarray
        Sorted int indices.

    Raises
    ------
    ValueError
        If ``view`` is unknown or ``unit`` is out of range.

    Examples
    --------
    >>> m = np.array([[1., 2., 0., 0.], [0., 1., 2., 0.], [0., 0., 1., 2.]])
    >>> touched_units(m, "above", 1)
    array([1, 2])
    >>> touched_units(m, "below", 1)
    array([0, 1])
    """
    matrix = as_float_array(matrix, "matrix", ndim=2)
    view = check_choice(view, "view", VIEWS)
    unit = _check_unit(unit, view, matrix.shape)
    line = matrix[unit, :] if view == "above" else matrix[:, unit]
    return np.flatnonzero(line)
