"""Tests for cnnmotiv.equivariance: shifts, the equivariance law, pooling and invariance.

References nobody here wrote: np.roll (the circular translation),
scipy.ndimage.shift (zero-filled translation), scipy.signal.correlate2d with
boundary="wrap"/"fill" (the convolution, circular/zero padded),
scipy.ndimage.maximum_filter (max pooling), and for the blurred pooling
np.convolve / scipy.special.comb (the binomial filter) and
scipy.ndimage.correlate with mode="wrap" (the circular blur).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import scipy.ndimage as ndi
import scipy.signal as ss
import scipy.special as sp
from hypothesis import assume, given
from hypothesis import strategies as st

from cnnmotiv.equivariance import (
    COMPARED_PADDINGS,
    EDGE_KERNEL,
    POOLINGS,
    binomial_kernel,
    blur_subsample,
    border_width,
    detector_map,
    equivariance_error,
    global_max_pool,
    invariance_curve,
    max_blur_pool2d,
    max_pool2d,
    mismatch_border,
    mismatch_mask,
    output_offset,
    peak_position,
    pooling_change,
    shift,
    short_edge,
    stripes,
    subsampling_curve,
)

BOUNDARY = {"circular": "wrap", "zeros": "fill"}


def scipy_same(x, k, padding, stride=1):
    """The report's convolution by SciPy: 'same' correlation, then every stride-th output."""
    return ss.correlate2d(x, k, mode="same", boundary=BOUNDARY[padding])[::stride, ::stride]


@st.composite
def image_kernel(draw, *, min_side=2, max_side=14, min_k=1, max_k=4):
    h = draw(st.integers(min_side, max_side))
    w = draw(st.integers(min_side, max_side))
    kh = draw(st.integers(min_k, min(max_k, h)))
    kw = draw(st.integers(min_k, min(max_k, w)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return rng.standard_normal((h, w)), rng.standard_normal((kh, kw))


def offsets_for(shape):
    h, w = shape
    return st.tuples(st.integers(-(h - 1), h - 1), st.integers(-(w - 1), w - 1))


# --------------------------------------------------------------------------- shift

@given(image_kernel(), st.data())
def test_circular_shift_is_np_roll(xk, data):
    x, _ = xk
    off = data.draw(offsets_for(x.shape))
    np.testing.assert_array_equal(shift(x, off), np.roll(x, off, axis=(0, 1)))


def sliced_zero_shift(x, off):
    """The zero-filling shift by slicing (the package's code before it used scipy.ndimage)."""
    out = np.zeros_like(x)
    (dr, dc), (h, w) = off, x.shape
    if abs(dr) >= h or abs(dc) >= w:
        return out
    out[max(0, dr):h - max(0, -dr), max(0, dc):w - max(0, -dc)] = \
        x[max(0, -dr):h - max(0, dr), max(0, -dc):w - max(0, dc)]
    return out


@given(image_kernel(), st.data())
def test_zero_shift_is_scipy_ndimage_shift_and_the_sliced_copy(xk, data):
    x, _ = xk
    off = data.draw(st.tuples(st.integers(-20, 20), st.integers(-20, 20)))
    got = shift(x, off, boundary="zeros")
    np.testing.assert_array_equal(got, sliced_zero_shift(x, off))
    np.testing.assert_array_equal(got, ndi.shift(x, off, order=0, mode="constant", cval=0.0))
    assert shift(x.astype(np.float32), off, boundary="zeros").dtype == np.float32


def test_huge_offsets_are_exact_integers():
    x = np.random.default_rng(3).random((6, 7))
    big = 2**53 + 1                                  # not a float64
    rep = equivariance_error(x, EDGE_KERNEL, (big, -big))
    assert rep.equivariant and rep.max_abs == 0.0 and rep.output_offset == (big, -big)
    np.testing.assert_array_equal(shift(x, (big, -big)), np.roll(x, (big % 6, -big % 7), (0, 1)))
    assert output_offset(2**80 + 1, 2) == ((2**79 + 1, 2**79 + 1), False)
    assert output_offset(-(2**80) - 3, 2) == ((-(2**79) - 2, -(2**79) - 2), False)
    assert not shift(x, 2**70, boundary="zeros").any()


@given(image_kernel(), st.data())
def test_circular_shifts_compose_and_invert(xk, data):
    x, _ = xk
    a = data.draw(offsets_for(x.shape))
    b = data.draw(offsets_for(x.shape))
    np.testing.assert_array_equal(shift(shift(x, a), b), shift(x, (a[0] + b[0], a[1] + b[1])))
    np.testing.assert_array_equal(shift(shift(x, a), (-a[0], -a[1])), x)


def test_shift_int_offset_moves_both_axes_and_keeps_float32():
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    out = shift(x, 1)
    np.testing.assert_array_equal(out, np.roll(x, (1, 1), axis=(0, 1)))
    assert out.dtype == np.float32


def test_zero_shift_beyond_the_image_is_all_zero():
    x = np.ones((3, 4))
    assert not shift(x, (3, 0), boundary="zeros").any()
    assert not shift(x, (0, -4), boundary="zeros").any()


# --------------------------------------------------------------------------- output_offset

@given(st.integers(-50, 50), st.integers(-50, 50), st.integers(1, 6), st.integers(1, 6))
def test_output_offset_is_nearest_whole_cell(dr, dc, sr, sc):
    (mr, mc), exact = output_offset((dr, dc), (sr, sc))
    assert exact == (dr % sr == 0 and dc % sc == 0)
    for d, s, m in ((dr, sr, mr), (dc, sc, mc)):
        assert abs(m * s - d) * 2 <= s          # nearest: off by at most half a cell
        if d % s == 0:
            assert m * s == d
    assert output_offset((-dr, -dc), (sr, sc))[0] == (-mr, -mc)   # halves away from zero


# --------------------------------------------------------------------------- the law

@given(image_kernel(), st.data())
def test_circular_padding_is_exactly_equivariant_for_every_shift(xk, data):
    x, k = xk
    off = data.draw(offsets_for(x.shape))
    rep = equivariance_error(x, k, off, padding="circular")
    assert rep.max_abs < 1e-12
    assert rep.equivariant and rep.border == 0 and not rep.mask.any()
    # both sides against SciPy + np.roll
    np.testing.assert_allclose(rep.shifted_then_filtered,
                               scipy_same(np.roll(x, off, axis=(0, 1)), k, "circular"), atol=1e-12)
    np.testing.assert_allclose(rep.filtered_then_shifted,
                               np.roll(scipy_same(x, k, "circular"), off, axis=(0, 1)), atol=1e-12)


@given(image_kernel(min_side=3, min_k=2), st.data())
def test_zero_padding_agrees_inside_and_differs_at_the_border(xk, data):
    x, k = xk
    off = data.draw(offsets_for(x.shape))
    assume(off != (0, 0))
    rep = equivariance_error(x, k, off, padding="zeros")
    band = max(abs(off[0]), abs(off[1])) + max(k.shape)
    # away from the borders the two sides agree exactly ...
    interior = rep.difference[band:x.shape[0] - band, band:x.shape[1] - band]
    assert np.all(np.abs(interior) < 1e-12)
    assert rep.border <= band
    # ... and for a generic input some border value differs
    assert rep.max_abs > 1e-9 and rep.mask.any()
    # the difference is what SciPy's zero-padded correlation gives
    expected = (scipy_same(np.roll(x, off, axis=(0, 1)), k, "zeros")
                - np.roll(scipy_same(x, k, "zeros"), off, axis=(0, 1)))
    np.testing.assert_allclose(rep.difference, expected, atol=1e-12)


@given(image_kernel(min_side=3, min_k=2), st.data())
def test_zero_padding_with_zero_filled_shift_differs_only_near_edges(xk, data):
    x, k = xk
    off = data.draw(offsets_for(x.shape))
    rep = equivariance_error(x, k, off, padding="zeros", boundary="zeros")
    expected = (scipy_same(ndi.shift(x, off, order=0, cval=0.0), k, "zeros")
                - ndi.shift(scipy_same(x, k, "zeros"), off, order=0, cval=0.0))
    np.testing.assert_allclose(rep.difference, expected, atol=1e-12)
    assert rep.border <= max(abs(off[0]), abs(off[1])) + max(k.shape)


@given(st.integers(1, 3), st.data())
def test_stride_is_equivariant_exactly_for_multiples_of_the_stride(s, data):
    h = s * data.draw(st.integers(2, 6))
    w = s * data.draw(st.integers(2, 6))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal((h, w))
    kh, kw = data.draw(st.integers(1, min(3, h))), data.draw(st.integers(1, min(3, w)))
    k = rng.standard_normal((kh, kw))
    off = data.draw(offsets_for(x.shape))
    rep = equivariance_error(x, k, off, padding="circular", stride=s)
    # left side: shift with np.roll, then SciPy's circular correlation, every s-th output
    np.testing.assert_allclose(rep.shifted_then_filtered,
                               scipy_same(np.roll(x, off, axis=(0, 1)), k, "circular", s),
                               atol=1e-12)
    if off[0] % s == 0 and off[1] % s == 0:
        assert rep.exact_offset and rep.max_abs < 1e-12
        np.testing.assert_allclose(
            rep.shifted_then_filtered,
            np.roll(scipy_same(x, k, "circular", s), (off[0] // s, off[1] // s), axis=(0, 1)),
            atol=1e-12)
    else:
        assert not rep.exact_offset
        assert rep.max_abs > 1e-9


def test_stride_two_breaks_for_odd_shifts_everywhere_not_just_at_the_border():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 16))
    rep = equivariance_error(x, EDGE_KERNEL, (0, 3), padding="circular", stride=2)
    assert rep.output_offset == (0, 2) and not rep.exact_offset
    assert rep.fraction_different > 0.9
    assert rep.border == 4           # reaches the centre of the 8x8 output
    assert "does not divide" in rep.summary() and "whole map" in rep.summary()


def test_report_is_frozen_and_read_only():
    rep = equivariance_error(np.eye(5), [[1.0, 2.0]], (1, 2), padding="zeros")
    with pytest.raises(dataclasses.FrozenInstanceError):
        rep.max_abs = 0.0
    with pytest.raises(ValueError, match="read-only"):
        rep.difference[0, 0] = 1.0
    assert rep.n_different == int(np.count_nonzero(np.abs(rep.difference) > rep.atol))


def test_summary_states_exact_and_border_cases():
    x = np.random.default_rng(3).random((12, 12))
    assert equivariance_error(x, EDGE_KERNEL, (2, 1)).summary().endswith("= 0 (exact)")
    rep = equivariance_error(x, EDGE_KERNEL, (2, 1), padding="zeros")
    assert f"all within {rep.border} rows or columns of the edge" in rep.summary()


def test_explicit_atol_counts_only_larger_differences():
    x = np.random.default_rng(4).random((10, 10))
    rep = equivariance_error(x, EDGE_KERNEL, (1, 1), padding="zeros")
    loose = equivariance_error(x, EDGE_KERNEL, (1, 1), padding="zeros", atol=rep.max_abs)
    assert rep.n_different > 0 and loose.n_different == 0 and loose.atol == rep.max_abs


# --------------------------------------------------------------------------- the section's example

def test_edge_at_10_20_shifted_by_5_3_fires_at_15_23():
    x = short_edge((32, 40), (10, 20))
    before = detector_map(x, EDGE_KERNEL, padding="zeros")
    after = detector_map(shift(x, (5, 3), boundary="zeros"), EDGE_KERNEL, padding="zeros")
    assert peak_position(before) == (10, 20)
    assert peak_position(after) == (10 + 5, 20 + 3)
    # a unique peak of value 1 + 2 + 1 (the kernel's column weights) in both
    assert np.count_nonzero(before == before.max()) == 1 and before.max() == 4.0
    assert after.max() == before.max()
    # and the detector map agrees with SciPy's
    np.testing.assert_allclose(before, scipy_same(x, EDGE_KERNEL, "zeros"))


@given(st.integers(5, 30), st.integers(8, 30), st.data())
def test_short_edge_peak_is_its_position(h, w, data):
    r = data.draw(st.integers(1, h - 2))
    n = data.draw(st.integers(2, w - 2))
    c = data.draw(st.integers(1, w - 1 - n))
    x = short_edge((h, w), (r, c), length=n)
    assert peak_position(scipy_same(x, EDGE_KERNEL, "zeros")) == (r, c)


def test_peak_position_is_first_argmax():
    y = np.array([[0.0, 2.0], [2.0, -1.0]])
    assert peak_position(y) == (0, 1)


# --------------------------------------------------------------------------- border_width

@given(st.integers(1, 9), st.integers(1, 9), st.integers(0, 2**32 - 1), st.floats(0, 1))
def test_border_width_matches_peeling_definition(h, w, seed, p):
    mask = np.random.default_rng(seed).random((h, w)) < p * 0.3
    b = 0   # smallest b whose inner rectangle mask[b:h-b, b:w-b] holds nothing
    while mask[b:h - b, b:w - b].any():
        b += 1
    assert border_width(mask) == b


# --------------------------------------------------------------------------- pooling

@given(image_kernel(max_side=12), st.data())
def test_max_pool_matches_scipy_maximum_filter(xk, data):
    x, _ = xk
    kh = data.draw(st.integers(1, x.shape[0]))
    kw = data.draw(st.integers(1, x.shape[1]))
    sr, sc = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    full = ndi.maximum_filter(x, size=(kh, kw), mode="constant", cval=-np.inf,
                              origin=(-(kh // 2), -(kw // 2)))
    expected = full[:x.shape[0] - kh + 1:sr, :x.shape[1] - kw + 1:sc]
    np.testing.assert_array_equal(max_pool2d(x, (kh, kw), stride=(sr, sc)), expected)


def test_max_pool_default_stride_is_size():
    x = np.arange(30.0).reshape(5, 6)
    np.testing.assert_array_equal(max_pool2d(x, 2), [[7, 9, 11], [19, 21, 23]])
    np.testing.assert_array_equal(max_pool2d(x, 1), x)


@given(st.integers(2, 4), st.sampled_from([(0, 1), (0, -1), (1, 0), (-1, 0)]),
       st.integers(0, 2**32 - 1))
def test_one_pixel_shift_changes_every_detector_value_but_only_part_of_the_pooled(p, off, seed):
    x = np.random.default_rng(seed).standard_normal((8 * p, 8 * p))
    ch = pooling_change(x, EDGE_KERNEL, off, pool_size=p)
    assert ch.detector_fraction == 1.0
    assert 0.0 < ch.pooled_fraction < 1.0
    assert ch.pooled_relative < ch.detector_relative
    # the pooled maps are max pools of the SciPy detector maps
    np.testing.assert_allclose(ch.pooled, max_pool2d(scipy_same(x, EDGE_KERNEL, "circular"), p))
    np.testing.assert_allclose(
        ch.pooled_shifted,
        max_pool2d(scipy_same(np.roll(x, off, axis=(0, 1)), EDGE_KERNEL, "circular"), p))


def test_no_shift_changes_nothing_and_a_window_shift_moves_pooled_map():
    x = np.random.default_rng(5).standard_normal((24, 24))
    still = pooling_change(x, EDGE_KERNEL, (0, 0), pool_size=4)
    assert still.detector_fraction == still.pooled_fraction == still.pooled_relative == 0.0
    # shifting by a whole window (circular) rolls the pooled map by one cell: equivariant again
    moved = pooling_change(x, EDGE_KERNEL, (0, 4), pool_size=4)
    np.testing.assert_allclose(moved.pooled_shifted, np.roll(moved.pooled, 1, axis=1))


def test_rectified_detector_is_relu_of_linear():
    x = np.random.default_rng(6).standard_normal((10, 10))
    np.testing.assert_array_equal(detector_map(x, EDGE_KERNEL, rectify=True),
                                  np.maximum(scipy_same(x, EDGE_KERNEL, "circular"), 0))


def test_relative_change_when_before_is_zero():
    zero = np.zeros((6, 6))
    ch = pooling_change(zero, EDGE_KERNEL, (0, 1), pool_size=2)
    assert ch.detector_relative == 0.0 and ch.pooled_fraction == 0.0
    bar = np.zeros((6, 6))
    bar[:, 0] = 1.0       # a 1x1 kernel keeps the bar; the shift moves it to column 1
    ch = pooling_change(bar, [[1.0]], (0, 1), pool_size=2, boundary="zeros")
    assert ch.detector_relative == pytest.approx(np.sqrt(2))   # sqrt(6 + 6) / sqrt(6)
    assert ch.pooled_relative == 0.0      # both columns fall in the same 2-wide windows


def test_invariance_curve_tabulates_pooling_change():
    x = np.random.default_rng(7).standard_normal((24, 24))
    offs = [(0, d) for d in range(5)]
    for measure, attr in (("fraction", "fraction"), ("relative", "relative")):
        curve = invariance_curve(x, EDGE_KERNEL, offs, [2, 3], measure=measure)
        assert curve.pooled.shape == (2, 5) and curve.offsets == tuple(offs)
        for j, off in enumerate(offs):
            for i, p in enumerate((2, 3)):
                ch = pooling_change(x, EDGE_KERNEL, off, pool_size=p)
                assert curve.pooled[i, j] == getattr(ch, f"pooled_{attr}")
                assert curve.detector[j] == getattr(ch, f"detector_{attr}")


# --------------------------------------------------------------------------- bad input

X = np.ones((6, 6))
K = np.ones((3, 3))

BAD = [
    (TypeError, "x must be a real numeric array", lambda: shift(np.array(["a"]), 1)),
    (ValueError, "x must be 2-D", lambda: shift(np.ones(4), 1)),
    (ValueError, "x must not be empty", lambda: shift(np.ones((0, 3)), 1)),
    (ValueError, "x must be finite", lambda: shift(np.array([[np.nan]]), 1)),
    (TypeError, "offset must be an integer", lambda: shift(X, 1.5)),
    (TypeError, r"offset\[1\] must be an integer", lambda: shift(X, (1, 0.5))),
    (TypeError, "offset must be an integer or a pair", lambda: shift(X, (1, 2, 3))),
    (ValueError, "boundary must be one of 'circular', 'zeros'",
     lambda: shift(X, 1, boundary="wrap")),
    (ValueError, "kernel must be 2-D", lambda: equivariance_error(X, np.ones(3), 1)),
    (ValueError, "kernel must be finite", lambda: equivariance_error(X, [[np.inf]], 1)),
    (TypeError, "kernel must be a real numeric array", lambda: equivariance_error(X, [[1j]], 1)),
    (ValueError, "kernel of shape .* must not be larger than x",
     lambda: equivariance_error(X, np.ones((7, 2)), 1)),
    (ValueError, "padding must be one of 'zeros', 'circular', 'reflect'",
     lambda: equivariance_error(X, K, 1, padding="same")),
    (ValueError, "stride must be an integer >= 1", lambda: equivariance_error(X, K, 1, stride=0)),
    (TypeError, "stride must be an integer", lambda: equivariance_error(X, K, 1, stride=1.0)),
    (ValueError, "boundary must be one of", lambda: equivariance_error(X, K, 1, boundary="same")),
    (ValueError, "atol must be a finite number >= 0", lambda: equivariance_error(X, K, 1, atol=-1)),
    (TypeError, "atol must be a real number", lambda: equivariance_error(X, K, 1, atol="0")),
    (ValueError, r"stride\[0\] must be an integer >= 1", lambda: output_offset(1, (0, 1))),
    (ValueError, "mask must be 2-D", lambda: border_width(np.ones(3, dtype=bool))),
    (ValueError, "size must be an integer >= 1", lambda: max_pool2d(X, 0)),
    (ValueError, "size .* must not be larger than x", lambda: max_pool2d(X, (7, 1))),
    (ValueError, "stride must be an integer >= 1", lambda: max_pool2d(X, 2, stride=-1)),
    (TypeError, "size must be an integer", lambda: max_pool2d(X, "2")),
    (ValueError, "x must be 2-D", lambda: max_pool2d(np.ones((2, 2, 2)), 1)),
    (TypeError, "rectify must be True or False", lambda: detector_map(X, K, rectify=1)),
    (ValueError, "padding must be one of", lambda: detector_map(X, K, padding="full")),
    (ValueError, "pool_size must be an integer >= 1", lambda: pooling_change(X, K, 1, pool_size=0)),
    (ValueError, "pool_size .* must not be larger than x",
     lambda: pooling_change(X, K, 1, pool_size=7)),
    (ValueError, "pool_stride must be an integer >= 1",
     lambda: pooling_change(X, K, 1, pool_size=2, pool_stride=0)),
    (ValueError, "kernel of shape", lambda: pooling_change(X, np.ones((1, 9)), 1, pool_size=2)),
    (ValueError, "offsets must hold at least one shift", lambda: invariance_curve(X, K, [], [2])),
    (ValueError, "pool_sizes must hold at least one size", lambda: invariance_curve(X, K, [0], [])),
    (ValueError, "measure must be one of 'fraction', 'relative'",
     lambda: invariance_curve(X, K, [0], [2], measure="max")),
    (TypeError, r"offsets\[1\] must be an integer", lambda: invariance_curve(X, K, [0, 0.5], [2])),
    (ValueError, r"pool_sizes\[0\] must be an integer >= 1",
     lambda: invariance_curve(X, K, [0], [0])),
    (ValueError, "position row must be between 1 and H - 2", lambda: short_edge((10, 20), (0, 5))),
    (ValueError, "position column must satisfy", lambda: short_edge((10, 20), (5, 15), length=6)),
    (ValueError, "length must be an integer >= 2", lambda: short_edge((10, 20), (5, 5), length=1)),
    (ValueError, "shape must be a tuple of 2 integers", lambda: short_edge((10,), (5, 5))),
    (ValueError, "response must be 2-D", lambda: peak_position(np.ones(3))),
    (TypeError, "x must be a plain array, not a masked array",
     lambda: max_pool2d(np.ma.masked_array(X, mask=X > 0.5), 2)),
    (TypeError, "kernel must be a plain array", lambda: equivariance_error(X, np.ma.ones((2, 2)), 1)),
    (TypeError, "x must be a plain array", lambda: global_max_pool(np.ma.masked_array(X))),
    (ValueError, "pool_size must be one of 'global'", lambda: pooling_change(X, K, 1, pool_size="all")),
    (ValueError, "shape must be a tuple of 2 integers", lambda: mismatch_mask((5,), K, 1)),
    (ValueError, "size must be an integer >= 1", lambda: binomial_kernel(0)),
    (TypeError, "size must be an integer", lambda: binomial_kernel(3.0)),
    (ValueError, "blur_size must be odd", lambda: blur_subsample(X, blur_size=2)),
    (ValueError, "blur_size must be an integer >= 1", lambda: blur_subsample(X, blur_size=-1)),
    (TypeError, "blur_size must be an integer", lambda: blur_subsample(X, blur_size=3.0)),
    (ValueError, "stride must be an integer >= 1", lambda: blur_subsample(X, 0)),
    (ValueError, "x must be finite", lambda: blur_subsample(np.full((4, 4), np.nan))),
    (ValueError, "x must be 2-D", lambda: blur_subsample(np.ones(6))),
    (ValueError, "blur_size must be odd", lambda: max_blur_pool2d(X, blur_size=4)),
    (ValueError, "stride must be an integer >= 1", lambda: max_blur_pool2d(X, 2, stride=0)),
    (ValueError, "size .* must not be larger than x", lambda: max_blur_pool2d(X, (2, 7))),
    (ValueError, "x must be finite", lambda: max_blur_pool2d(np.full((4, 4), np.inf))),
    (ValueError, "x must be 2-D", lambda: max_blur_pool2d(np.ones((2, 2, 2)))),
    (TypeError, "x must be a plain array", lambda: max_blur_pool2d(np.ma.masked_array(X))),
    (ValueError, "kernel of shape", lambda: subsampling_curve(X, np.ones((7, 1)), [0])),
    (ValueError, "x must be finite", lambda: subsampling_curve(X * np.nan, K, [0])),
    (ValueError, "kernel must be 2-D", lambda: subsampling_curve(X, np.ones(3), [0])),
    (ValueError, "blur_size must be odd", lambda: subsampling_curve(X, K, [0], blur_size=2)),
    (ValueError, "pool_stride must be an integer >= 1",
     lambda: subsampling_curve(X, K, [0], pool_stride=0)),
    (ValueError, "pool_size .* must not be larger than x",
     lambda: subsampling_curve(X, K, [0], pool_size=7)),
    (ValueError, r"poolings\[1\] must be one of 'max', 'max_blur'",
     lambda: subsampling_curve(X, K, [0], poolings=["max", "avg"])),
    (ValueError, "poolings must hold at least one",
     lambda: subsampling_curve(X, K, [0], poolings=[])),
    (TypeError, "poolings must be a list or tuple",
     lambda: subsampling_curve(X, K, [0], poolings="max")),
    (ValueError, "offsets must hold at least one shift", lambda: subsampling_curve(X, K, [])),
    (ValueError, "measure must be one of 'relative', 'moved_relative'",
     lambda: subsampling_curve(X, K, [0]).table("fraction")),
    (ValueError, "periods must all be > 0", lambda: stripes((2, 4), [2, 0])),
    (ValueError, "periods must not be empty", lambda: stripes((2, 4), [])),
]


@pytest.mark.parametrize("exc, match, call", BAD, ids=[m for _, m, _ in BAD])
def test_bad_input_is_refused_with_a_clear_message(exc, match, call):
    with pytest.raises(exc, match=match):
        call()


# ------------------------------------------------------------ where the law can fail
@given(image_kernel(min_side=3, max_side=12), st.data())
def test_mismatch_mask_is_exactly_where_a_random_image_differs(xk, data):
    x, k = xk
    h, w = x.shape
    off = data.draw(st.tuples(st.integers(-3 * h, 3 * h), st.integers(-3 * w, 3 * w)))
    padding = data.draw(st.sampled_from(["zeros", "circular", "reflect"]))
    boundary = data.draw(st.sampled_from(["zeros", "circular"]))
    stride = data.draw(st.sampled_from([1, 2, (1, 3)]))
    assume(padding != "reflect" or min(h, w) > max(k.shape) // 2)
    rep = equivariance_error(x, k, off, padding=padding, boundary=boundary, stride=stride)
    m = mismatch_mask(x.shape, k, off, padding=padding, boundary=boundary, stride=stride)
    np.testing.assert_array_equal(m, rep.mask)     # random x and k: every possible one happens
    assert rep.border == mismatch_border(x.shape, k, off, padding=padding, boundary=boundary,
                                         stride=stride)


@given(st.integers(8, 40), st.integers(8, 40), st.sampled_from([1, 2, 3, 5]), st.data())
def test_zero_fill_shift_and_zero_padding_hold_away_from_the_border_for_any_shift(h, w, kside,
                                                                                  data):
    # the rule stated in mismatch_mask's notes, checked on images for every shift a slider allows
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    x, k = rng.random((h, w)), rng.standard_normal((kside, kside))
    dr, dc = data.draw(st.integers(-(h - 1), h - 1)), data.draw(st.integers(-(w - 1), w - 1))
    rep = equivariance_error(x, k, (dr, dc), padding="zeros", boundary="zeros")
    a, b = (kside - 1) // 2, kside - 1 - (kside - 1) // 2
    rows = np.zeros(h, bool)
    cols = np.zeros(w, bool)
    for d, n, band in ((dr, h, rows), (dc, w, cols)):
        if d > 0:
            band[max(0, d - b):d] = True
            band[n - b:] = True
        elif d < 0:
            band[n + d:n + d + a] = True
            band[:a] = True
    allowed = rows[:, None] | cols[None, :]
    assert not (rep.mask & ~allowed).any()
    assert rep.border <= max(abs(dr), abs(dc), a, b)
    assert rep.border == mismatch_border((h, w), k, (dr, dc), padding="zeros", boundary="zeros")


def test_circular_shift_with_zero_padding_also_fails_at_the_seam():
    x = np.random.default_rng(0).random((20, 20))
    m = mismatch_mask(x.shape, np.ones((3, 3)), (8, 0), padding="zeros", boundary="circular")
    assert np.flatnonzero(m.any(axis=1)).tolist() == [0, 7, 8, 19]   # edges and the seam at 8
    assert not mismatch_mask(x.shape, np.ones((3, 3)), (8, 0), padding="circular").any()


# ---------------------------------------------------------------- global pooling
@given(image_kernel(), st.data())
def test_global_max_pool_is_exactly_invariant_to_circular_shifts(xk, data):
    x, k = xk
    off = data.draw(st.tuples(st.integers(-100, 100), st.integers(-100, 100)))
    assert global_max_pool(shift(x, off)) == global_max_pool(x) == float(np.max(x))
    ch = pooling_change(x, k, off, pool_size="global")
    assert ch.pooled.shape == (1, 1) and ch.pooled_fraction == 0.0
    assert ch.pooled[0, 0] == max_pool2d(ch.detector, ch.detector.shape)[0, 0]


def test_fraction_of_pooled_values_changed_local_and_global():
    x = np.random.default_rng(0).random((64, 64))
    curve = invariance_curve(x, EDGE_KERNEL, [(0, 0), (0, 1), (1, 1)], [2, 4, "global"])
    table = curve.table()
    assert table["detector"][0] == 0.0 and table["detector"][1] > 0.9
    assert table["global"] == [0.0, 0.0, 0.0]
    assert 0 < table[4][1] < table[2][1] < table["detector"][1]
    # each entry is the share of pooled values that moved, recomputed here with numpy
    after = detector_map(shift(x, (0, 1)), EDGE_KERNEL)
    before = detector_map(x, EDGE_KERNEL)
    blocks = lambda m, p: m.reshape(m.shape[0] // p, p, -1, p).max(axis=(1, 3))  # noqa: E731
    for p in (2, 4):
        changed = np.abs(blocks(after, p) - blocks(before, p)) > 1e-9 * np.abs(before).max()
        assert table[p][1] == pytest.approx(changed.mean())


# ---------------------------------------------------------------- printing, budget
def test_results_print_a_short_summary():
    x = np.random.default_rng(0).random((64, 64))
    rep = equivariance_error(x, EDGE_KERNEL, (2, 3), padding="zeros")
    ch = pooling_change(x, EDGE_KERNEL, (0, 1), pool_size=2)
    curve = invariance_curve(x, EDGE_KERNEL, [(0, d) for d in range(4)], [2, "global"])
    for obj in (rep, ch, curve):
        text = repr(obj)
        assert "\n" not in text and "array" not in text and len(text) < 260, text
    assert repr(rep).startswith("EquivarianceReport(offset=(2, 3), padding='zeros'")
    assert rep.summary() in repr(rep)
    assert f"{ch.pooled_fraction:.0%} of 1,024 pooled values" in repr(ch)
    assert repr(curve).startswith("InvarianceCurve(fraction, 4 shifts (0, 0)..(0, 3)")


def test_compared_paddings_are_accepted_by_the_convolution():
    from cnnmotiv.convolution import PADDINGS
    assert set(COMPARED_PADDINGS) <= set(PADDINGS)
    x = np.random.default_rng(1).random((9, 9))
    assert equivariance_error(x, EDGE_KERNEL, 1, padding="reflect").border <= 2


def test_invariance_curve_budget_is_checked_before_any_shift():
    from cnnmotiv.budget import BudgetError
    x = np.zeros((32, 32))
    with pytest.raises(BudgetError, match="use a smaller offsets"):
        invariance_curve(x, EDGE_KERNEL, [(0, 1)] * 10, [2], max_work=1000)
    with pytest.raises(TypeError, match="offsets must be a list or tuple"):
        invariance_curve(x, EDGE_KERNEL, iter([(0, 1)]), [2])


REFUSED = [
    ("invariance_curve(np.zeros((64, 64)), EDGE_KERNEL, [(0, 1)] * 10**6, [2, 4])",
     "use a smaller offsets"),
    ("mismatch_mask((10**5, 10**5), np.ones((3, 3)), 1)", "use a smaller shape"),
]


@pytest.fixture(scope="module")
def refusals():
    """Run every REFUSED call in one address-space-capped child (tests/limits.py)."""
    from tests.limits import refusal_messages

    return refusal_messages([call for call, _ in REFUSED], setup="import numpy as np\nfrom cnnmotiv.equivariance import *")


@pytest.mark.parametrize("call, match", REFUSED)
def test_refused_sizes(call, match, refusals):
    assert refusals[call].startswith("refused: ") and match in refusals[call], refusals[call]


# ------------------------------------------- blurring before subsampling (MaxBlurPool)
@pytest.mark.parametrize("size", range(1, 13))
def test_binomial_kernel_is_repeated_box_filter_and_pascals_row(size):
    row = np.array([1.0])
    for _ in range(size - 1):
        row = np.convolve(row, [1.0, 1.0])
    np.testing.assert_array_equal(row, sp.comb(size - 1, np.arange(size)))
    k = binomial_kernel(size)
    np.testing.assert_array_equal(k, np.outer(row, row) / row.sum() ** 2)
    assert k.sum() == 1.0 and k.shape == (size, size)


def test_binomial_kernel_stays_finite_and_normalised_when_large():
    k = binomial_kernel(1200)                  # C(1199, 599) overflows a float64
    assert np.isfinite(k).all() and abs(k.sum() - 1.0) < 1e-12
    np.testing.assert_array_equal(k, k.T)


@given(image_kernel(min_side=1, max_side=13), st.data())
def test_blur_subsample_is_scipy_wrapped_correlation_then_every_stride_th(xk, data):
    x, _ = xk
    h, w = x.shape
    b = data.draw(st.sampled_from([1, 3, 5, 7]))
    stride = data.draw(st.tuples(st.integers(1, 4), st.integers(1, 4)))
    # an odd kernel with origin 0: scipy centres tap b // 2 on each pixel, as mode="same" does
    expected = ndi.correlate(x, binomial_kernel(b), mode="wrap")[::stride[0], ::stride[1]]
    got = blur_subsample(x, stride, blur_size=b)
    assert got.shape == (-(-h // stride[0]), -(-w // stride[1]))
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_blur_subsample_wraps_a_blur_wider_than_the_image():
    x = np.array([[1.0, 0.0, 0.0]])
    # 5 taps [1, 4, 6, 4, 1] / 16 round a circle of 3 columns: column 0 reads columns
    # 1, 2, 0, 1, 2 (weight 6 on the 1), column 1 reads 2, 0, 1, 2, 0 (weights 4 and 1), ...
    np.testing.assert_allclose(blur_subsample(x, 1, blur_size=5), [[6 / 16, 5 / 16, 5 / 16]])
    y = np.random.default_rng(0).random((2, 3))
    wrapped = np.pad(y, 3, mode="wrap")        # the torus, unrolled three pixels each way
    np.testing.assert_allclose(blur_subsample(y, 1, blur_size=7),
                               ss.correlate2d(wrapped, binomial_kernel(7), mode="valid"),
                               atol=1e-12)


@given(image_kernel(min_side=2, max_side=12), st.data())
def test_max_blur_pool_is_wrapped_maximum_filter_then_blur_subsample(xk, data):
    x, _ = xk
    h, w = x.shape
    size = data.draw(st.tuples(st.integers(1, h), st.integers(1, w)))
    stride = data.draw(st.tuples(st.integers(1, 3), st.integers(1, 3)))
    b = data.draw(st.sampled_from([1, 3, 5]))
    # scipy centres a window of n on pixel n // 2; origin -(n // 2) starts it at the pixel
    maxed = ndi.maximum_filter(x, size=size, mode="wrap",
                               origin=(-(size[0] // 2), -(size[1] // 2)))
    expected = ndi.correlate(maxed, binomial_kernel(b), mode="wrap")[::stride[0], ::stride[1]]
    got = max_blur_pool2d(x, size, stride=stride, blur_size=b)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 3))
def test_max_blur_pool_without_blur_is_max_pooling_on_tiles(m, n, p):
    x = np.random.default_rng(m * 100 + n * 10 + p).standard_normal((m * p, n * p))
    np.testing.assert_array_equal(max_blur_pool2d(x, p, blur_size=1), max_pool2d(x, p))


@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 3), st.sampled_from([1, 3, 5]),
       st.data())
def test_both_poolings_are_exactly_equivariant_for_shifts_by_multiples_of_the_stride(
        m, n, s, b, data):
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal((m * s, n * s))
    cells = data.draw(st.tuples(st.integers(-2 * m, 2 * m), st.integers(-2 * n, 2 * n)))
    moved = shift(x, (s * cells[0], s * cells[1]))
    # f(g(x)) = g'(f(x)) with g' the shift by offset / stride cells
    np.testing.assert_allclose(max_pool2d(moved, s), shift(max_pool2d(x, s), cells),
                               rtol=0, atol=0)
    np.testing.assert_allclose(max_blur_pool2d(moved, s, blur_size=b),
                               shift(max_blur_pool2d(x, s, blur_size=b), cells),
                               rtol=1e-12, atol=1e-12)


@given(image_kernel(min_side=1, max_side=12), st.sampled_from([1, 3, 5, 9]))
def test_blur_keeps_the_mean(xk, b):
    x, _ = xk
    assert blur_subsample(x, 1, blur_size=b).mean() == pytest.approx(x.mean(), abs=1e-12)
    # every phase of a stride-2 grid together holds each blurred pixel once
    phases = [blur_subsample(shift(x, (-i, -j)), 2, blur_size=b)
              for i in range(2) for j in range(2)]
    h, w = x.shape
    if h % 2 == 0 and w % 2 == 0:
        assert np.mean(phases) == pytest.approx(x.mean(), abs=1e-12)


@given(image_kernel(min_side=4, max_side=12, max_k=3), st.data())
def test_subsampling_curve_is_the_norms_of_the_pooled_changes(xk, data):
    x, k = xk
    h, w = x.shape
    x = x[:h - h % 2, :w - w % 2]              # even sides: the stride divides them
    offs = [(0, 0)] + [data.draw(offsets_for(x.shape)) for _ in range(3)]
    curve = subsampling_curve(x, k, offs)
    assert curve.poolings == POOLINGS and curve.relative.shape == (2, 4)
    assert (curve.relative >= 0).all() and (curve.moved_relative >= 0).all()
    assert (curve.relative[:, 0] == 0).all() and (curve.moved_relative[:, 0] == 0).all()
    det = scipy_same(x, k, "circular")
    for j, off in enumerate(offs):
        after = scipy_same(np.roll(x, off, axis=(0, 1)), k, "circular")
        cells, exact = output_offset(off, 2)
        assert curve.output_offsets[j] == cells and curve.exact_offset[j] == exact
        for i, pool in enumerate((lambda m: max_pool2d(m, 2),
                                  lambda m: max_blur_pool2d(m, 2, blur_size=3))):
            y, y_after = pool(det), pool(after)
            norm = np.linalg.norm(y)
            assume(norm > 1e-6)
            assert curve.relative[i, j] == pytest.approx(np.linalg.norm(y_after - y) / norm,
                                                         rel=1e-9, abs=1e-9)
            moved = np.linalg.norm(y_after - np.roll(y, cells, axis=(0, 1))) / norm
            assert curve.moved_relative[i, j] == pytest.approx(moved, rel=1e-9, abs=1e-9)
            if exact:                           # the law: exact for shifts the stride divides
                assert curve.moved_relative[i, j] < 1e-9


def test_the_blur_halves_much_of_the_change_a_one_pixel_shift_makes_on_the_photo():
    from cnnmotiv.data import photo

    x = photo((64, 64))
    curve = subsampling_curve(x, EDGE_KERNEL, [(0, d) for d in range(9)])
    plain, blurred = curve.relative
    moved_plain, moved_blurred = curve.moved_relative
    # measured: 0.86 against 0.59 at fixed positions, 0.90 against 0.60 against the moved map
    assert blurred[1] < 0.8 * plain[1] and moved_blurred[1] < 0.8 * moved_plain[1]
    assert (moved_blurred[1::2] < 0.8 * moved_plain[1::2]).all()      # every odd shift
    assert (curve.moved_relative[:, ::2] == 0).all()                  # every even shift: exact
    assert curve.exact_offset == tuple(d % 2 == 0 for d in range(9))
    # a wider blur removes more of the aliasing
    wider = subsampling_curve(x, EDGE_KERNEL, [(0, 1)], poolings=["max_blur"], blur_size=5)
    assert wider.relative[0, 0] < blurred[1]


def test_stripes_are_cosines_along_the_columns():
    x = stripes((3, 48))
    j = np.arange(48)
    expected = (np.cos(2 * np.pi * j / 24) + np.cos(2 * np.pi * j / 2.4)) / 2
    np.testing.assert_allclose(x, np.tile(expected, (3, 1)), atol=1e-12)
    # plain subsampling of the fine stripes gives two different coarse patterns, the blur nearly one
    even, odd = x[:, ::2], x[:, 1::2]
    b_even, b_odd = blur_subsample(x), blur_subsample(shift(x, (0, -1)))
    assert np.linalg.norm(b_even - b_odd) < 0.5 * np.linalg.norm(even - odd)


def test_subsampling_curve_prints_a_short_summary_and_checks_its_budget():
    from cnnmotiv.budget import BudgetError

    x = np.random.default_rng(0).random((16, 16))
    curve = subsampling_curve(x, EDGE_KERNEL, [(0, d) for d in range(3)])
    text = repr(curve)
    assert "\n" not in text and "array" not in text and len(text) < 200, text
    assert text.startswith("SubsamplingCurve(2x2 stride (2, 2), blur 3, 3 shifts (0, 0)..(0, 2)")
    assert curve.table() == {p: row.tolist() for p, row in zip(POOLINGS, curve.relative)}
    assert curve.table("moved_relative")["max"] == curve.moved_relative[0].tolist()
    assert not curve.relative.flags.writeable and dataclasses.is_dataclass(curve)
    with pytest.raises(dataclasses.FrozenInstanceError):
        curve.blur_size = 5
    with pytest.raises(BudgetError, match="use a smaller offsets"):
        subsampling_curve(x, EDGE_KERNEL, [(0, 1)] * 10, max_work=1000)
