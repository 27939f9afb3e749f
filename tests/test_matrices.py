"""Tests of cnnmotiv.matrices against SciPy/NumPy oracles and cnnmotiv.convolution."""

import tracemalloc

import numpy as np
import pytest
import scipy.linalg
import scipy.signal
import scipy.sparse
from hypothesis import assume, given
from hypothesis import strategies as st
from limits import assert_refused

from cnnmotiv import convolution
from cnnmotiv.budget import DEFAULT_MAX_BYTES, BudgetError, MatrixTooLargeError
from cnnmotiv.counting import count_stored_entries, count_weight_uses
from cnnmotiv.matrices import (
    correlation_matrix,
    correlation_matrix_1d,
    dense_matrix_nbytes,
    locally_connected_matrix,
    sparse_correlation_matrix,
    weight_taps,
)

MODES = ("valid", "same", "full")
PADDINGS = ("zeros", "circular", "reflect")


# --------------------------------------------------------------------------- oracle

def dilate(kernel, dilation):
    """Kernel with dilation - 1 zeros between taps (same correlation as a dilated kernel)."""
    kh, kw = kernel.shape
    dr, dc = dilation
    out = np.zeros(((kh - 1) * dr + 1, (kw - 1) * dc + 1))
    out[::dr, ::dc] = kernel
    return out


def reference(x, kernel, mode, padding, stride, dilation):
    """Strided, dilated, padded correlation from SciPy and np.pad.

    Zero padding uses scipy.signal.correlate2d's own modes; circular and
    reflect pad with np.pad by convolution.padding_amounts (checked against
    SciPy by the zero-padding case) and take SciPy's 'valid' correlation.
    """
    kd = dilate(kernel, dilation)
    if padding == "zeros":
        full = scipy.signal.correlate2d(x, kd, mode)
    else:
        widths = [convolution.padding_amounts(kernel.shape[ax], mode=mode, dilation=dilation[ax])
                  for ax in (0, 1)]
        xp = np.pad(x, widths, mode={"circular": "wrap", "reflect": "reflect"}[padding])
        full = scipy.signal.correlate2d(xp, kd, "valid")
    return full[::stride[0], ::stride[1]]


@st.composite
def geometries(draw, max_side=7):
    """(shape, kernel, mode, padding, stride, dilation) that correlate2d accepts."""
    h, w = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    mode = draw(st.sampled_from(MODES))
    padding = draw(st.sampled_from(PADDINGS))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    for n, k, d in ((h, kh, dilation[0]), (w, kw, dilation[1])):
        before, after = convolution.padding_amounts(k, mode=mode, dilation=d)
        assume(n + before + after >= d * (k - 1) + 1)
        if padding == "reflect":
            assume(max(before, after) <= n - 1)
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    kernel = rng.standard_normal((kh, kw))
    x = rng.standard_normal((h, w))
    return x, kernel, dict(mode=mode, padding=padding, stride=stride, dilation=dilation)


# --------------------------------------------------------------------------- 2-D contract

@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kshape", [(1, 1), (1, 2), (2, 2), (3, 3), (2, 4), (4, 3)])
def test_zero_padding_matches_scipy_correlate2d(mode, kshape):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 7))
    kernel = rng.standard_normal(kshape)
    expected = scipy.signal.correlate2d(x, kernel, mode)
    dense = correlation_matrix(kernel, x.shape, mode=mode)
    sparse = sparse_correlation_matrix(kernel, x.shape, mode=mode)
    assert dense.shape == (expected.size, x.size)
    np.testing.assert_allclose(dense @ x.ravel(), expected.ravel(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(sparse @ x.ravel(), expected.ravel(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kshape", [(1, 2), (3, 3), (2, 4), (5, 5)])
def test_circular_same_matches_scipy_wrap_and_np_roll(kshape):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((5, 6))
    kernel = rng.standard_normal(kshape)
    m = sparse_correlation_matrix(kernel, x.shape, mode="same", padding="circular")
    got = (m @ x.ravel()).reshape(x.shape)
    np.testing.assert_allclose(got, scipy.signal.correlate2d(x, kernel, "same", boundary="wrap"),
                               atol=1e-12)
    # y[i, j] = sum_ab k[a, b] x[(i + a - pa) mod H, (j + b - pb) mod W]
    pa = convolution.padding_amounts(kshape[0], mode="same")[0]
    pb = convolution.padding_amounts(kshape[1], mode="same")[0]
    rolled = sum(kernel[a, b] * np.roll(x, (pa - a, pb - b), axis=(0, 1))
                 for a in range(kshape[0]) for b in range(kshape[1]))
    np.testing.assert_allclose(got, rolled, atol=1e-12)


@given(geometries())
def test_dense_and_sparse_equal_correlation(case):
    x, kernel, opts = case
    expected = reference(x, kernel, **opts)
    ours = convolution.correlate2d(x, kernel, **opts)
    dense = correlation_matrix(kernel, x.shape, **opts)
    sparse = sparse_correlation_matrix(kernel, x.shape, **opts)
    assert ours.shape == expected.shape
    assert dense.shape == sparse.shape == (expected.size, x.size)
    assert convolution.output_shape(x.shape, kernel.shape, mode=opts["mode"],
                                    stride=opts["stride"],
                                    dilation=opts["dilation"]) == expected.shape
    np.testing.assert_allclose(dense @ x.ravel(), expected.ravel(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(sparse @ x.ravel(), expected.ravel(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(dense @ x.ravel(), ours.ravel(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(sparse.toarray(), dense, rtol=1e-12, atol=1e-12)


@given(geometries())
def test_nnz_equals_independent_counts(case):
    x, kernel, opts = case
    sparse = sparse_correlation_matrix(kernel, x.shape, **opts)
    rows, cols, taps = weight_taps(kernel.shape, x.shape, **opts)
    assert sparse.nnz == count_stored_entries(x.shape, kernel.shape, **opts)
    assert rows.size == count_weight_uses(x.shape, kernel.shape, **opts)
    # distinct (row, col) pairs of the weight uses are the stored entries
    assert np.unique(rows * x.size + cols).size == sparse.nnz
    if opts["padding"] == "zeros":
        assert sparse.nnz == rows.size
    # the structure from the convolution itself: an all-ones kernel has no cancellation
    ones = np.ones_like(kernel)
    impulses = np.eye(x.size).reshape(x.size, *x.shape)
    columns = [convolution.correlate2d(e, ones, **opts).ravel() for e in impulses]
    structure = np.stack(columns, axis=1)
    assert np.count_nonzero(structure) == sparse.nnz
    assert structure.sum() == rows.size


@given(geometries())
def test_locally_connected_with_tiled_kernel_is_the_convolution(case):
    x, kernel, opts = case
    conv = sparse_correlation_matrix(kernel, x.shape, **opts)
    h_out, w_out = convolution.output_shape(x.shape, kernel.shape, mode=opts["mode"],
                                            stride=opts["stride"], dilation=opts["dilation"])
    tiled = np.broadcast_to(kernel, (h_out, w_out) + kernel.shape)
    local = locally_connected_matrix(kernel.shape, x.shape, weights=tiled, **opts)
    assert isinstance(local, scipy.sparse.csr_array)
    assert local.nnz == conv.nnz
    np.testing.assert_array_equal(local.indptr, conv.indptr)
    np.testing.assert_array_equal(local.indices, conv.indices)
    np.testing.assert_allclose(local.data, conv.data, rtol=1e-15, atol=0)
    dense_local = locally_connected_matrix(kernel.shape, x.shape, weights=tiled, sparse=False,
                                           **opts)
    np.testing.assert_allclose(dense_local, correlation_matrix(kernel, x.shape, **opts),
                               rtol=1e-15, atol=1e-15)


@given(geometries())
def test_weight_taps_rebuild_the_matrix(case):
    x, kernel, opts = case
    rows, cols, taps = weight_taps(kernel.shape, x.shape, **opts)
    dense = correlation_matrix(kernel, x.shape, **opts)
    rebuilt = np.zeros_like(dense)
    np.add.at(rebuilt, (rows, cols), kernel.ravel()[taps])
    np.testing.assert_allclose(rebuilt, dense, rtol=1e-15, atol=1e-15)
    assert np.all(np.diff(rows) >= 0)
    assert np.all((taps >= 0) & (taps < kernel.size))


def test_locally_connected_random_weights_are_unshared_with_same_sparsity():
    shape, kshape = (6, 7), (3, 2)
    local = locally_connected_matrix(kshape, shape, rng=0, mode="same")
    conv = sparse_correlation_matrix(np.ones(kshape), shape, mode="same")
    np.testing.assert_array_equal(local.indptr, conv.indptr)
    np.testing.assert_array_equal(local.indices, conv.indices)
    # every stored entry has its own weight: as many distinct values as entries
    assert np.unique(local.data).size == local.nnz
    again = locally_connected_matrix(kshape, shape, rng=np.random.default_rng(0), mode="same")
    np.testing.assert_array_equal(again.data, local.data)
    other = locally_connected_matrix(kshape, shape, rng=1, mode="same")
    assert not np.array_equal(other.data, local.data)


def test_weights_of_padding_taps_do_not_appear():
    # 'same' zero padding: output (0, 0)'s top-left tap hangs over the padding
    weights = np.zeros((3, 3, 3, 3))
    weights[0, 0, 0, 0] = 1.0
    m = locally_connected_matrix((3, 3), (3, 3), weights=weights, mode="same", sparse=False)
    assert not m.any()


def test_weight_taps_small_example_by_hand():
    rows, cols, taps = weight_taps((1, 2), (2, 3))
    # outputs (0,0) (0,1) (1,0) (1,1) each read two horizontal neighbours
    np.testing.assert_array_equal(rows, [0, 0, 1, 1, 2, 2, 3, 3])
    np.testing.assert_array_equal(cols, [0, 1, 1, 2, 3, 4, 4, 5])
    np.testing.assert_array_equal(taps, [0, 1, 0, 1, 0, 1, 0, 1])


def test_zero_weights_are_stored_explicitly():
    kernel = np.array([[0.0, 1.0], [0.0, 0.0]])
    m = sparse_correlation_matrix(kernel, (4, 5))
    assert m.nnz == count_weight_uses((4, 5), (2, 2)) == 3 * 4 * 4
    assert np.count_nonzero(m.data) == 3 * 4


def test_reflect_border_windows_fold_onto_themselves():
    m = sparse_correlation_matrix(np.ones((1, 3)), (1, 5), mode="same", padding="reflect")
    # output 0 reads x[1], x[0], x[1]: two entries, the one for x[1] holds 2
    np.testing.assert_array_equal(m.toarray()[0], [1.0, 2.0, 0.0, 0.0, 0.0])
    assert m.nnz == 5 * 3 - 2 == count_stored_entries((1, 5), (1, 3), mode="same",
                                                      padding="reflect")


def test_circular_window_wider_than_input_sums_entries():
    m = sparse_correlation_matrix(np.ones((1, 5)), (1, 3), mode="same", padding="circular")
    # output 0 reads positions -2..2, i.e. x[1], x[2], x[0], x[1], x[2]
    np.testing.assert_array_equal(m.toarray(), np.array([[1.0, 2.0, 2.0],
                                                         [2.0, 1.0, 2.0],
                                                         [2.0, 2.0, 1.0]]))
    assert m.nnz == 9 < count_weight_uses((1, 3), (1, 5), mode="same", padding="circular") == 15


def test_float32_kernel_gives_float32_matrices():
    k = np.ones((2, 2), dtype=np.float32)
    assert correlation_matrix(k, (3, 3)).dtype == np.float32
    assert sparse_correlation_matrix(k, (3, 3)).dtype == np.float32
    assert correlation_matrix_1d(k[0], 4).dtype == np.float32
    assert correlation_matrix(k.astype(int), (3, 3)).dtype == np.float64


def test_sparse_photo_size_is_exact():
    # Its speed (milliseconds) is measured by `make bench` (benchmarks/bench_sparse.py).
    kernel = np.random.default_rng(0).standard_normal((3, 3))
    m = sparse_correlation_matrix(kernel, (280, 320))
    assert m.shape == (278 * 318, 280 * 320)
    assert m.nnz == 278 * 318 * 9 == count_weight_uses((280, 320), (3, 3))
    assert m.has_canonical_format
    x = np.random.default_rng(1).standard_normal((280, 320))
    np.testing.assert_allclose(m @ x.ravel(), scipy.signal.correlate2d(x, kernel, "valid").ravel(),
                               rtol=1e-10, atol=1e-10)


# --------------------------------------------------------------------------- memory budget

def test_photo_dense_matrix_refused_before_allocating():
    tracemalloc.start()
    try:
        with pytest.raises(MatrixTooLargeError,
                           match=r"88,404 x 89,600.*63,367,987,200 bytes \(63\.4 GB\)"):
            correlation_matrix(np.ones((3, 3)), (280, 320))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000      # nothing of the matrix (or its index arrays) was allocated
    assert dense_matrix_nbytes((280, 320), (3, 3)) == 88_404 * 89_600 * 8 == 63_367_987_200
    assert dense_matrix_nbytes((280, 320), (3, 3)) > DEFAULT_MAX_BYTES


def test_budget_is_settable_and_inclusive():
    nbytes = dense_matrix_nbytes((4, 5), (2, 2))
    assert nbytes == 3 * 4 * 20 * 8
    assert correlation_matrix(np.ones((2, 2)), (4, 5), max_bytes=nbytes).shape == (12, 20)
    with pytest.raises(MatrixTooLargeError, match=f"{nbytes:,} bytes"):
        correlation_matrix(np.ones((2, 2)), (4, 5), max_bytes=nbytes - 1)
    # either except clause catches it
    with pytest.raises(MemoryError):
        correlation_matrix_1d(np.ones(3), 10, max_bytes=8 * 8 * 10 - 1)
    with pytest.raises(ValueError, match="max_bytes budget"):
        locally_connected_matrix((2, 2), (4, 5), rng=0, sparse=False, max_bytes=100)
    assert dense_matrix_nbytes((4, 5), (2, 2), dtype=np.float32) == nbytes // 2
    with pytest.raises(MatrixTooLargeError, match="float32"):
        correlation_matrix(np.ones((2, 2), dtype=np.float32), (4, 5), max_bytes=nbytes // 2 - 1)


# --------------------------------------------------------------------------- 1-D

@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("n", [5, 8])
def test_1d_agrees_with_scipy_convolution_matrix_of_flipped_kernel(k, n):
    kernel = np.random.default_rng(k).standard_normal(k)
    for mode in ("full", "valid"):
        np.testing.assert_allclose(correlation_matrix_1d(kernel, n, mode=mode),
                                   scipy.linalg.convolution_matrix(kernel[::-1], n, mode),
                                   atol=1e-15)
    ours = correlation_matrix_1d(kernel, n, mode="same")
    theirs = scipy.linalg.convolution_matrix(kernel[::-1], n, "same")
    if k % 2:
        np.testing.assert_allclose(ours, theirs, atol=1e-15)
    else:
        # even kernels: scipy.linalg centres one row earlier in the 'full' matrix
        full = scipy.linalg.convolution_matrix(kernel[::-1], n, "full")
        np.testing.assert_allclose(ours, full[k // 2:k // 2 + n], atol=1e-15)
        np.testing.assert_allclose(theirs, full[(k - 1) // 2:(k - 1) // 2 + n], atol=1e-15)
        np.testing.assert_allclose(ours[:-1], theirs[1:], atol=1e-15)


@pytest.mark.parametrize("mode", ["valid", "full"])
def test_1d_matches_np_correlate(mode):
    rng = np.random.default_rng(3)
    x, kernel = rng.standard_normal(9), rng.standard_normal(4)
    np.testing.assert_allclose(correlation_matrix_1d(kernel, 9, mode=mode) @ x,
                               np.correlate(x, kernel, mode), atol=1e-12)


@given(geometries())
def test_1d_matrix_is_the_2d_matrix_of_one_row(case):
    x, kernel, opts = case
    opts = dict(opts, stride=opts["stride"][1], dilation=opts["dilation"][1])
    row, k = x[0], kernel[0]
    m = correlation_matrix_1d(k, row.size, **opts)
    np.testing.assert_allclose(m @ row, convolution.correlate1d(row, k, **opts),
                               rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(m, correlation_matrix(k[None], (1, row.size), **opts),
                               rtol=1e-15, atol=1e-15)


# --------------------------------------------------------------------------- bad input

KERNEL = np.ones((2, 2))


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(kernel=np.ones((2, 2, 2))), ValueError, "kernel must be 2-D"),
    (dict(kernel=np.ones((0, 2))), ValueError, "kernel must not be empty"),
    (dict(kernel=[[1.0, np.nan]]), ValueError, "kernel must be finite"),
    (dict(kernel=[["a", "b"]]), TypeError, "kernel must be a real numeric array"),
    (dict(shape=(4,)), ValueError, "shape must be a tuple of 2 integers"),
    (dict(shape=(4, 0)), ValueError, r"shape\[1\] must be an integer >= 1"),
    (dict(shape=(4.0, 5)), TypeError, r"shape\[0\] must be an integer"),
    (dict(mode="circular"), ValueError, "mode must be one of 'valid', 'same', 'full'"),
    (dict(padding="wrap"), ValueError, "padding must be one of 'zeros', 'circular', 'reflect'"),
    (dict(stride=0), ValueError, "stride must be an integer >= 1"),
    (dict(stride=1.5), TypeError, "stride must be an integer"),
    (dict(dilation=(1, -1)), ValueError, r"dilation\[1\] must be an integer >= 1"),
    (dict(kernel=np.ones((5, 2))), ValueError, "kernel must fit inside the input.*rows"),
    (dict(dilation=(1, 5)), ValueError, "kernel must fit inside the input.*columns"),
    (dict(mode="full", padding="reflect", shape=(4, 1)), ValueError,
     "padding='reflect'.*at most 0"),
])
@pytest.mark.parametrize("builder", [correlation_matrix, sparse_correlation_matrix])
def test_bad_input_2d(builder, kwargs, exc, match):
    args = dict(kernel=KERNEL, shape=(4, 5))
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        builder(args.pop("kernel"), args.pop("shape"), **args)


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(kernel_shape=0), ValueError, "kernel_shape must be an integer >= 1"),
    (dict(kernel_shape=(2, 2, 2)), TypeError, "kernel_shape must be an integer or a pair"),
    (dict(kernel_shape=(5, 1)), ValueError, "kernel_shape must fit inside the input"),
    (dict(mode="fill"), ValueError, "mode must be one of"),
    (dict(padding="symmetric"), ValueError, "padding must be one of"),
])
@pytest.mark.parametrize("builder", [weight_taps, locally_connected_matrix])
def test_bad_input_shape_builders(builder, kwargs, exc, match):
    args = dict(kernel_shape=(2, 2), shape=(4, 5))
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        builder(args.pop("kernel_shape"), args.pop("shape"), **args)


def test_bad_input_locally_connected_weights_and_rng():
    with pytest.raises(ValueError, match=r"weights must have shape .* = \(3, 4, 2, 2\)"):
        locally_connected_matrix((2, 2), (4, 5), weights=np.ones((3, 4, 2, 3)))
    with pytest.raises(ValueError, match="weights must be 4-D"):
        locally_connected_matrix((2, 2), (4, 5), weights=np.ones((12, 4)))
    with pytest.raises(ValueError, match="weights must be finite"):
        locally_connected_matrix((2, 2), (4, 5), weights=np.full((3, 4, 2, 2), np.inf))
    with pytest.raises(ValueError, match="either weights or rng"):
        locally_connected_matrix((2, 2), (4, 5), weights=np.ones((3, 4, 2, 2)), rng=0)
    with pytest.raises(TypeError, match="rng must be None, an int seed or a numpy Generator"):
        locally_connected_matrix((2, 2), (4, 5), rng="seed")
    with pytest.raises(TypeError, match="sparse must be True or False"):
        locally_connected_matrix((2, 2), (4, 5), rng=0, sparse="yes")


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(kernel=np.ones((2, 2))), ValueError, "kernel must be 1-D"),
    (dict(kernel=[]), ValueError, "kernel must not be empty"),
    (dict(n=0), ValueError, "n must be an integer >= 1"),
    (dict(n=5.0), TypeError, "n must be an integer"),
    (dict(kernel=np.ones(6)), ValueError, "kernel must fit inside the input"),
    (dict(mode="same", padding="reflect", n=1), ValueError, "padding='reflect'"),
    (dict(stride=(1, 1)), TypeError, "stride must be an integer"),
    (dict(max_bytes=0), ValueError, "max_bytes must be an integer >= 1"),
])
def test_bad_input_1d(kwargs, exc, match):
    args = dict(kernel=np.ones(3), n=5)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        correlation_matrix_1d(args.pop("kernel"), args.pop("n"), **args)


def test_bad_input_nbytes():
    with pytest.raises(TypeError, match="dtype must be a numpy dtype"):
        dense_matrix_nbytes((4, 5), (2, 2), dtype="no-such-type")
    with pytest.raises(ValueError, match="kernel_shape must fit inside the input"):
        dense_matrix_nbytes((4, 5), (2, 6))
    with pytest.raises(ValueError, match="mode must be one of"):
        dense_matrix_nbytes((4, 5), (2, 2), mode="circular")


@given(h=st.integers(1, 6), w=st.integers(1, 6), kh=st.integers(1, 5), kw=st.integers(1, 5),
       mode=st.sampled_from(MODES), padding=st.sampled_from(PADDINGS), d=st.integers(1, 3))
def test_builders_refuse_exactly_what_correlate2d_refuses(h, w, kh, kw, mode, padding, d):
    """One geometry: the same decision and the same message as the convolution."""
    kernel = np.ones((kh, kw))
    opts = dict(mode=mode, padding=padding, dilation=d)
    try:
        expected = convolution.correlate2d(np.ones((h, w)), kernel, **opts)
    except ValueError as err:
        for build in (correlation_matrix, sparse_correlation_matrix):
            with pytest.raises(ValueError) as info:
                build(kernel, (h, w), **opts)
            assert str(info.value) == str(err)
        return
    assert sparse_correlation_matrix(kernel, (h, w), **opts).shape == (expected.size, h * w)


@pytest.mark.parametrize("call", [
    "m.sparse_correlation_matrix(np.ones((3, 3)), (30000, 30000))",
    "m.weight_taps((3, 3), (30000, 30000))",
    "m.locally_connected_matrix((3, 3), (30000, 30000))",
    "m.locally_connected_matrix((3, 3), (30000, 30000), sparse=False)",
    "m.sparse_correlation_matrix(np.ones((3, 3)), (3000, 3000), mode='full', dilation=900)",
])
def test_sparse_builders_refuse_huge_requests_before_allocating(call):
    out = assert_refused(call, setup="import numpy as np\nfrom cnnmotiv import matrices as m")
    assert "use a smaller shape" in out, out


def test_sparse_budget_is_settable():
    kernel = np.ones((3, 3))
    matrix = sparse_correlation_matrix(kernel, (280, 320))  # ~10 MB: inside the default
    with pytest.raises(BudgetError, match="would need") as info:
        sparse_correlation_matrix(kernel, (280, 320), max_bytes=10**6)
    assert info.value.parameter == "shape" and info.value.nbytes > matrix.data.nbytes
    with pytest.raises(BudgetError):
        weight_taps((3, 3), (280, 320), max_bytes=10**6)
    with pytest.raises(BudgetError):
        locally_connected_matrix((3, 3), (280, 320), max_bytes=10**6)


def test_layer_matrices_refuses_a_dense_matrix_over_budget_naming_n():
    from cnnmotiv.budget import BudgetError
    from cnnmotiv.matrices import layer_matrices

    with pytest.raises(BudgetError, match="use a smaller n") as err:
        layer_matrices(10**6, 3)
    assert err.value.nbytes == 2 * 10**6 * 10**6 * 8   # 'same' mode: 10**6 outputs
