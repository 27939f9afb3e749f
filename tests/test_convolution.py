"""Tests for cnnmotiv.convolution against oracles nobody here wrote.

Oracles: scipy.signal.correlate2d / convolve2d, np.correlate / np.convolve,
np.roll (circular padding), np.pad (padding modes), and a naive loop written
here straight from the definition (stride, dilation, padding).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from limits import assert_refused

from cnnmotiv.budget import BudgetError
from cnnmotiv.convolution import (MODES, PADDINGS, AxisGeometry, axis_geometry, conv_layer,
                                  convolve1d, convolve2d, correlate1d, correlate2d,
                                  correlate_channels, output_length, output_shape, pad,
                                  padding_amounts)

NP_PAD_MODE = {"zeros": "constant", "circular": "wrap", "reflect": "reflect"}


# ----------------------------------------------------------------------------
# Helpers: tolerance, reference implementations written from the definitions
# ----------------------------------------------------------------------------

def assert_close(actual, expected, x, k, rtol=1e-12):
    """Equal to ``rtol`` relative to the size of the terms being summed."""
    scale = max(1.0, float(np.abs(k).sum() * np.abs(x).max()))
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * scale)


def dilate_kernel(k, dilation):
    """Zero-stuffed kernel: taps d apart, zeros in between."""
    dr, dc = dilation
    kh, kw = k.shape
    kd = np.zeros((dr * (kh - 1) + 1, dc * (kw - 1) + 1))
    kd[::dr, ::dc] = k
    return kd


def reference_pad(mode, extent, flip):
    """Padding from the definition of the modes (before, after)."""
    if mode == "valid":
        return 0, 0
    if mode == "full":
        return extent - 1, extent - 1
    small, large = (extent - 1) // 2, extent - 1 - (extent - 1) // 2
    # correlation: anchor at tap (e-1)//2 -> that many samples before;
    # convolution keeps the anchor on the unflipped kernel -> sides swap
    return (large, small) if flip else (small, large)


def naive_correlate2d(x, k, *, mode="valid", padding="zeros", stride=(1, 1),
                      dilation=(1, 1), flip=False):
    """y[i, j] = sum_ab k[a, b] xpad[s i + d a, s j + d b], one pixel at a time."""
    x = np.asarray(x, dtype=float)
    k = np.asarray(k, dtype=float)
    if flip:
        k = k[::-1, ::-1]
    h, w = x.shape
    kh, kw = k.shape
    (sr, sc), (dr, dc) = stride, dilation
    er, ec = dr * (kh - 1) + 1, dc * (kw - 1) + 1
    (pt, pb), (pl, pr) = reference_pad(mode, er, flip), reference_pad(mode, ec, flip)

    def value(i, j):  # sample of the padded image, in original coordinates
        if padding == "zeros":
            return x[i, j] if 0 <= i < h and 0 <= j < w else 0.0
        if padding == "circular":
            return x[i % h, j % w]
        i = -i if i < 0 else (2 * (h - 1) - i if i >= h else i)  # mirror, edge excluded
        j = -j if j < 0 else (2 * (w - 1) - j if j >= w else j)
        return x[i, j]

    h_out = (h + pt + pb - er) // sr + 1
    w_out = (w + pl + pr - ec) // sc + 1
    y = np.zeros((h_out, w_out))
    for i in range(h_out):
        for j in range(w_out):
            y[i, j] = sum(k[a, b] * value(sr * i + dr * a - pt, sc * j + dc * b - pl)
                          for a in range(kh) for b in range(kw))
    return y


# ----------------------------------------------------------------------------
# Strategies
# ----------------------------------------------------------------------------

finite = st.floats(-10, 10, allow_nan=False, allow_infinity=False, width=64)


def matrices(shape):
    return arrays(np.float64, shape, elements=finite)


@st.composite
def problems(draw, *, modes=MODES, paddings=("zeros",), max_stride=1, max_dilation=1,
             ndim=2, max_kernel=5, max_image=12):
    """An (image, kernel, options) triple that is valid for the chosen options."""
    mode = draw(st.sampled_from(modes))
    padding = draw(st.sampled_from(paddings))
    kshape = tuple(draw(st.integers(1, max_kernel)) for _ in range(ndim))
    dil = tuple(draw(st.integers(1, max_dilation)) for _ in range(ndim))
    stride = tuple(draw(st.integers(1, max_stride)) for _ in range(ndim))
    extent = [d * (k - 1) + 1 for k, d in zip(kshape, dil)]
    shape = []
    for e in extent:
        low = 1
        if mode == "valid":
            low = e
        elif padding == "reflect":  # needs padding <= n - 1
            low = e // 2 + 1 if mode == "same" else e
        shape.append(draw(st.integers(low, max(low, max_image))))
    x = draw(matrices(tuple(shape)))
    k = draw(matrices(kshape))
    return x, k, dict(mode=mode, padding=padding,
                      stride=stride if ndim == 2 else stride[0],
                      dilation=dil if ndim == 2 else dil[0])


# ----------------------------------------------------------------------------
# Geometry
# ----------------------------------------------------------------------------

@given(n=st.integers(1, 40), k=st.integers(1, 9), mode=st.sampled_from(MODES),
       s=st.integers(1, 5), d=st.integers(1, 4))
def test_output_length_matches_the_standard_formula(n, k, mode, s, d):
    e = d * (k - 1) + 1
    p = {"valid": 0, "same": e - 1, "full": 2 * (e - 1)}[mode]
    if mode == "valid" and e > n:
        with pytest.raises(ValueError, match="larger than the input"):
            output_length(n, k, mode=mode, stride=s, dilation=d)
        return
    # floor((n + 2p - d(k-1) - 1)/s) + 1, with 2p the total padding
    expected = (n + p - d * (k - 1) - 1) // s + 1
    assert output_length(n, k, mode=mode, stride=s, dilation=d) == expected
    # ... which is the number of placements s*i with the kernel inside n + p samples
    assert output_length(n, k, mode=mode, stride=s, dilation=d) == len(range(0, n + p - e + 1, s))


@given(k=st.integers(1, 9), d=st.integers(1, 3), n=st.integers(1, 15))
def test_same_padding_centres_like_scipy_correlate2d_and_convolve2d(k, d, n):
    """'same' is the slice of 'full' that scipy returns, for both operations."""
    rng = np.random.default_rng(k * 100 + d * 10 + n)
    x = rng.standard_normal((1, n))
    kern = rng.standard_normal((1, k))
    e = d * (k - 1) + 1
    kd = dilate_kernel(kern, (1, d))
    before, after = padding_amounts(k, mode="same", dilation=d)
    assert before + after == e - 1
    full = scipy.signal.correlate2d(x, kd, "full")
    start = (e - 1) - before  # full output index i corresponds to shift i - (e - 1)
    np.testing.assert_allclose(full[:, start:start + n], scipy.signal.correlate2d(x, kd, "same"),
                               rtol=1e-12, atol=1e-12)
    full_conv = scipy.signal.convolve2d(x, kd, "full")
    start_conv = (e - 1) - after  # convolution: the two amounts swap
    np.testing.assert_allclose(full_conv[:, start_conv:start_conv + n],
                               scipy.signal.convolve2d(x, kd, "same"), rtol=1e-12, atol=1e-12)


@given(n=st.integers(1, 12), k=st.integers(1, 6), mode=st.sampled_from(MODES),
       padding=st.sampled_from(PADDINGS), s=st.integers(1, 3), d=st.integers(1, 3))
def test_axis_geometry_is_padding_amounts_and_output_length_or_refuses(n, k, mode, padding, s, d):
    before, after = padding_amounts(k, mode=mode, dilation=d)
    e = d * (k - 1) + 1
    too_big = mode == "valid" and e > n
    reflect_short = padding == "reflect" and max(before, after) > n - 1
    if too_big or reflect_short:
        with pytest.raises(ValueError, match="larger than the input" if too_big else
                           rf"padding='reflect'.*needs {max(before, after)} samples"):
            axis_geometry(n, k, mode=mode, padding=padding, stride=s, dilation=d)
        return
    geometry = axis_geometry(n, k, mode=mode, padding=padding, stride=s, dilation=d)
    assert isinstance(geometry, AxisGeometry)
    assert geometry == (before, after, len(range(0, n + before + after - e + 1, s)))
    assert geometry.output_length == output_length(n, k, mode=mode, stride=s, dilation=d)


@given(n=st.integers(1, 8), k=st.integers(1, 6), mode=st.sampled_from(MODES),
       padding=st.sampled_from(PADDINGS), d=st.integers(1, 3))
def test_correlate1d_refuses_exactly_what_axis_geometry_refuses(n, k, mode, padding, d):
    """One source of truth: same decision and the same message."""
    try:
        expected = axis_geometry(n, k, mode=mode, padding=padding, dilation=d, name="kernel")
    except ValueError as err:
        with pytest.raises(ValueError) as info:
            correlate1d(np.ones(n), np.ones(k), mode=mode, padding=padding, dilation=d)
        assert str(info.value) == str(err)
        return
    y = correlate1d(np.ones(n), np.ones(k), mode=mode, padding=padding, dilation=d)
    assert y.shape == (expected.output_length,)


def test_axis_geometry_names_the_callers_parameters():
    with pytest.raises(ValueError, match=r"kernel_shape is larger than the input along rows in "
                                         r"mode 'valid'.*kernel_shape must fit inside "
                                         r"input_shape along rows"):
        axis_geometry(3, 4, name="kernel_shape", input_name="input_shape", axis="rows")
    with pytest.raises(ValueError, match=r"padding='reflect' with mode='same' and kernel extent "
                                         r"5 needs 2 samples along columns.*at most 1"):
        axis_geometry(2, 5, mode="same", padding="reflect", axis="columns")


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(n=0), ValueError, r"n must be an integer >= 1; got 0"),
    (dict(kernel_size=2.0), TypeError, r"kernel_size must be an integer"),
    (dict(mode="wrap"), ValueError, r"mode must be one of 'valid', 'same', 'full'"),
    (dict(padding="edge"), ValueError, r"padding must be one of 'zeros', 'circular', 'reflect'"),
    (dict(stride=0), ValueError, r"stride must be an integer >= 1"),
    (dict(dilation=-1), ValueError, r"dilation must be an integer >= 1"),
])
def test_axis_geometry_rejects_bad_arguments(kwargs, exc, match):
    args = dict(n=5, kernel_size=3)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        axis_geometry(args.pop("n"), args.pop("kernel_size"), **args)


def test_padding_amounts_for_the_three_modes():
    e = 2 * (3 - 1) + 1  # a 3-tap kernel dilated by 2 spans 5 samples
    assert padding_amounts(3, mode="valid", dilation=2) == (0, 0)
    assert padding_amounts(3, mode="full", dilation=2) == (e - 1, e - 1)
    assert padding_amounts(3, mode="same", dilation=2) == ((e - 1) // 2, (e - 1) // 2)
    assert padding_amounts(4, mode="same") == (1, 2)  # odd sample after, like scipy


@given(problems(modes=MODES, paddings=PADDINGS, max_stride=3, max_dilation=3))
def test_output_shape_is_the_shape_of_the_result(problem):
    x, k, opts = problem
    y = correlate2d(x, k, **opts)
    assert y.shape == output_shape(x.shape, k.shape, mode=opts["mode"], stride=opts["stride"],
                                   dilation=opts["dilation"])
    assert y.shape == tuple(output_length(n, kk, mode=opts["mode"], stride=s, dilation=d)
                            for n, kk, s, d in zip(x.shape, k.shape, opts["stride"],
                                                   opts["dilation"]))


def test_section_example_shapes():
    """The section's photo: 280x320, edge kernel [-1, 1] -> 280x319; 3x3 -> 278x318."""
    assert output_shape((280, 320), (1, 2)) == (280, 320 - 2 + 1)
    assert output_shape((280, 320), (3, 3)) == (280 - 3 + 1, 320 - 3 + 1)


# ----------------------------------------------------------------------------
# 2-D against scipy
# ----------------------------------------------------------------------------

@given(problems())
def test_correlate2d_equals_scipy_in_every_mode(problem):
    x, k, opts = problem
    expected = scipy.signal.correlate2d(x, k, opts["mode"])
    assert_close(correlate2d(x, k, mode=opts["mode"]), expected, x, k)


@given(problems())
def test_convolve2d_equals_scipy_in_every_mode(problem):
    x, k, opts = problem
    expected = scipy.signal.convolve2d(x, k, opts["mode"])
    assert_close(convolve2d(x, k, mode=opts["mode"]), expected, x, k)


@given(problems(max_stride=3, max_dilation=3))
def test_stride_and_dilation_equal_scipy_on_zero_stuffed_kernel_then_subsampled(problem):
    x, k, opts = problem
    (sr, sc), dil = opts["stride"], opts["dilation"]
    kd = dilate_kernel(k, dil)
    assert_close(correlate2d(x, k, **opts),
                 scipy.signal.correlate2d(x, kd, opts["mode"])[::sr, ::sc], x, k)
    assert_close(convolve2d(x, k, **opts),
                 scipy.signal.convolve2d(x, kd, opts["mode"])[::sr, ::sc], x, k)


@given(problems(paddings=PADDINGS, max_stride=3, max_dilation=3, max_image=8, max_kernel=4))
def test_correlate2d_equals_the_naive_definition(problem):
    x, k, opts = problem
    assert_close(correlate2d(x, k, **opts), naive_correlate2d(x, k, **opts), x, k)


@given(problems(paddings=PADDINGS, max_stride=3, max_dilation=3, max_image=8, max_kernel=4))
def test_convolve2d_equals_the_naive_definition(problem):
    x, k, opts = problem
    assert_close(convolve2d(x, k, **opts), naive_correlate2d(x, k, flip=True, **opts), x, k)


@given(problems(modes=("same", "full"), paddings=("circular", "reflect"), max_dilation=3))
def test_padding_equals_numpy_pad_then_valid_scipy(problem):
    x, k, opts = problem
    dil = opts["dilation"]
    widths = [padding_amounts(n, mode=opts["mode"], dilation=d) for n, d in zip(k.shape, dil)]
    padded = np.pad(x, widths, mode=NP_PAD_MODE[opts["padding"]])
    assert_close(correlate2d(x, k, **opts),
                 scipy.signal.correlate2d(padded, dilate_kernel(k, dil), "valid"), x, k)


@given(problems(modes=("same",), paddings=("circular",), max_dilation=3))
def test_circular_same_equals_the_np_roll_definition(problem):
    """y[i, j] = sum_ab k[a, b] x[(i + d a - p) mod H, (j + d b - p) mod W]."""
    x, k, opts = problem
    (dr, dc) = opts["dilation"]
    pr = padding_amounts(k.shape[0], mode="same", dilation=dr)[0]
    pc = padding_amounts(k.shape[1], mode="same", dilation=dc)[0]
    expected = sum(k[a, b] * np.roll(x, (pr - dr * a, pc - dc * b), axis=(0, 1))
                   for a in range(k.shape[0]) for b in range(k.shape[1]))
    assert_close(correlate2d(x, k, **opts), expected, x, k)


def test_circular_padding_wider_than_the_image_wraps_repeatedly():
    x = np.arange(6.0).reshape(2, 3)
    k = np.arange(1.0, 13.0).reshape(3, 4)
    assert_close(correlate2d(x, k, mode="full", padding="circular"),
                 naive_correlate2d(x, k, mode="full", padding="circular"), x, k)


@given(problems(paddings=PADDINGS, max_stride=2, max_dilation=2))
def test_convolve_is_correlate_with_flipped_kernel(problem):
    x, k, opts = problem
    flipped = correlate2d(x, k[::-1, ::-1], **opts)
    extents = [d * (n - 1) + 1 for n, d in zip(k.shape, opts["dilation"])]
    if opts["mode"] != "same" or all(e % 2 == 1 for e in extents):
        assert_close(convolve2d(x, k, **opts), flipped, x, k)
    # in every mode both are slices of the same 'full' result
    full = correlate2d(x, k[::-1, ::-1], mode="full", padding=opts["padding"],
                       dilation=opts["dilation"]) if opts["padding"] == "zeros" else None
    if full is not None and opts["mode"] == "same" and opts["stride"] == (1, 1):
        (_, ar), (_, ac) = [padding_amounts(n, mode="same", dilation=d)
                            for n, d in zip(k.shape, opts["dilation"])]
        start = (extents[0] - 1 - ar, extents[1] - 1 - ac)
        assert_close(convolve2d(x, k, **opts),
                     full[start[0]:start[0] + x.shape[0], start[1]:start[1] + x.shape[1]], x, k)


@given(problems(paddings=PADDINGS, max_stride=2, max_dilation=2), finite, finite,
       st.data())
def test_correlation_is_linear_in_image_and_in_kernel(problem, alpha, beta, data):
    x, k, opts = problem
    x2 = data.draw(matrices(x.shape))
    k2 = data.draw(matrices(k.shape))
    scale = max(1.0, abs(alpha) + abs(beta))
    assert_close(correlate2d(alpha * x + beta * x2, k, **opts),
                 alpha * correlate2d(x, k, **opts) + beta * correlate2d(x2, k, **opts),
                 np.abs(x) + np.abs(x2), scale * np.abs(k), rtol=1e-11)
    assert_close(correlate2d(x, alpha * k + beta * k2, **opts),
                 alpha * correlate2d(x, k, **opts) + beta * correlate2d(x, k2, **opts),
                 x, scale * (np.abs(k) + np.abs(k2)), rtol=1e-11)


# ----------------------------------------------------------------------------
# The engine: correlate_channels against the definition and against scipy
# ----------------------------------------------------------------------------

def naive_correlate_channels(x, w, stride, dilation):
    """y[n, i.., o] = sum_{a.., c} x[n, s i + d a, .., c] w[a, .., c, o], one output at a time."""
    spatial = x.ndim - 2
    kernel = w.shape[:spatial]
    out_shape = [(n - d * (k - 1) - 1) // s + 1
                 for n, k, s, d in zip(x.shape[1:-1], kernel, stride, dilation)]
    y = np.zeros((x.shape[0], *out_shape, w.shape[-1]))
    for n in range(x.shape[0]):
        for i in np.ndindex(*out_shape):
            for o in range(w.shape[-1]):
                y[(n, *i, o)] = sum(
                    x[(n, *(s * ii + d * a for ii, a, s, d in zip(i, tap, stride, dilation)), c)]
                    * w[(*tap, c, o)]
                    for tap in np.ndindex(*kernel) for c in range(w.shape[-2]))
    return y


@st.composite
def channel_problems(draw, *, spatial=(1, 2), max_channels=3, max_size=9):
    """(x, weights, stride, dilation) for correlate_channels, with the kernel fitting x."""
    ndim = draw(st.sampled_from(spatial))
    c_in, c_out = draw(st.integers(1, max_channels)), draw(st.integers(1, max_channels))
    kernel = tuple(draw(st.integers(1, 4)) for _ in range(ndim))
    dilation = tuple(draw(st.integers(1, 3)) for _ in range(ndim))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(ndim))
    shape = tuple(draw(st.integers(d * (k - 1) + 1, d * (k - 1) + max_size))
                  for k, d in zip(kernel, dilation))
    x = draw(matrices((draw(st.integers(1, 2)), *shape, c_in)))
    w = draw(matrices((*kernel, c_in, c_out)))
    return x, w, stride, dilation


def assert_close_channels(actual, expected, x, w):
    scale = max(1.0, float(np.abs(w).sum() * np.abs(x).max()))
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-12 * scale)


@given(channel_problems())
def test_correlate_channels_equals_the_definition(problem):
    x, w, stride, dilation = problem
    y = correlate_channels(x, w, stride=stride, dilation=dilation)
    assert_close_channels(y, naive_correlate_channels(x, w, stride, dilation), x, w)


@given(channel_problems())
def test_correlate_channels_without_finite_checks_gives_the_same_result(problem):
    x, w, stride, dilation = problem
    checked = correlate_channels(x, w, stride=stride, dilation=dilation)
    unchecked = correlate_channels(x, w, stride=stride, dilation=dilation, check_finite=False)
    np.testing.assert_array_equal(unchecked, checked)


def test_check_finite_false_lets_nan_through_and_still_checks_shapes_and_types():
    x = np.ones((1, 5, 1))
    x[0, 2, 0] = np.nan
    w = np.ones((2, 1, 1))
    with pytest.raises(ValueError, match="x"):
        correlate_channels(x, w)
    y = correlate_channels(x, w, check_finite=False)
    assert np.isnan(y[0, 1:3, 0]).all() and (y[0, [0, 3], 0] == 2).all()
    big = np.full((1, 3, 1), 3e38, dtype=np.float32)
    with pytest.raises(ValueError, match="overflows"):
        correlate_channels(big, np.ones((2, 1, 1), np.float32))
    assert np.isinf(correlate_channels(big, np.ones((2, 1, 1), np.float32),
                                       check_finite=False)).all()
    with pytest.raises(TypeError, match="check_finite"):
        correlate_channels(x, w, check_finite=1)
    with pytest.raises(ValueError, match="weights"):
        correlate_channels(np.ones((1, 5, 2)), w, check_finite=False)
    with pytest.raises(ValueError, match="x must be 3-D or 4-D"):
        correlate_channels(np.ones((5, 1)), w, check_finite=False)
    with pytest.raises(TypeError, match="weights"):
        correlate_channels(np.ones((1, 5, 1)), w.astype(complex), check_finite=False)
    assert correlate_channels(np.ones((1, 5, 1), int), w.astype(np.float16),
                              check_finite=False).dtype == np.float64


@given(channel_problems(spatial=(2,)))
def test_correlate_channels_is_scipy_summed_over_input_channels(problem):
    """Stride and dilation: scipy on the zero-stuffed kernel, then subsampled."""
    x, w, (sr, sc), dilation = problem
    y = correlate_channels(x, w, stride=(sr, sc), dilation=dilation)
    for n in range(x.shape[0]):
        for o in range(w.shape[-1]):
            expected = sum(scipy.signal.correlate2d(x[n, :, :, c],
                                                    dilate_kernel(w[:, :, c, o], dilation),
                                                    "valid")
                           for c in range(x.shape[-1]))[::sr, ::sc]
            assert_close_channels(y[n, :, :, o], expected, x, w)


@given(channel_problems(spatial=(1,)))
def test_correlate_channels_1d_is_np_correlate_summed_over_input_channels(problem):
    x, w, (s,), (d,) = problem
    y = correlate_channels(x, w, stride=s, dilation=d)
    for n in range(x.shape[0]):
        for o in range(w.shape[-1]):
            stuffed = dilate_kernel(w[:, :, o].T, (1, d))          # (C_in, extent)
            expected = sum(np.correlate(x[n, :, c], stuffed[c], "valid")
                           for c in range(x.shape[-1]))[::s]
            assert_close_channels(y[n, :, o], expected, x, w)


def test_correlate_channels_keeps_float32_and_promotes_mixed_inputs():
    x = np.ones((1, 5, 5, 2), dtype=np.float32)
    w32 = np.ones((3, 3, 2, 4), dtype=np.float32)
    assert correlate_channels(x, w32).dtype == np.float32
    assert correlate_channels(x, w32.astype(np.float64)).dtype == np.float64
    assert correlate_channels(x[..., :1], w32[:, :, :1, :1]).dtype == np.float32


def test_correlate_channels_refuses_what_does_not_fit():
    with pytest.raises(ValueError, match="C_in"):
        correlate_channels(np.ones((1, 5, 2)), np.ones((2, 3, 1)))
    with pytest.raises(ValueError, match="weights is larger than the input along spatial axis 0"):
        correlate_channels(np.ones((1, 5, 1)), np.ones((3, 1, 1)), dilation=3)
    with pytest.raises(ValueError, match="must be 3-D or 4-D"):
        correlate_channels(np.ones((5, 1)), np.ones((3, 1, 1)))
    with pytest.raises(TypeError, match="stride"):
        correlate_channels(np.ones((1, 5, 5, 1)), np.ones((3, 3, 1, 1)), stride=(1, 2, 3))


@pytest.mark.parametrize("shape, kshape, stride, dilation", [
    ((300, 500), (3, 4), (1, 1), (1, 1)),    # float64: 5 blocks of rows, a short last one
    ((700, 129), (5, 2), (2, 1), (1, 3)),    # stride and dilation across block edges
    ((1030, 1030), (3, 3), (1, 1), (1, 1)),  # W3-sized
])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_images_spanning_several_row_blocks_equal_scipy(shape, kshape, stride, dilation, dtype):
    rng = np.random.default_rng(4)
    x = rng.standard_normal(shape)
    k = rng.standard_normal(kshape)
    y = correlate2d(x.astype(dtype), k.astype(dtype), stride=stride, dilation=dilation)
    expected = scipy.signal.correlate2d(x, dilate_kernel(k, dilation), "valid")
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    assert_close(y, expected[::stride[0], ::stride[1]], x, k, rtol=rtol)


@given(st.data(), st.integers(1, 3), st.integers(1, 3))
def test_conv_layer_on_images_spanning_several_row_blocks(data, c_in, c_out):
    x = data.draw(matrices((c_in, data.draw(st.integers(3, 30)), data.draw(st.integers(3, 30)))))
    x = np.tile(x, (1, 20, 1))   # tall enough for several 256 kB row blocks with 3 outputs
    weights = data.draw(matrices((c_out, c_in, 3, 2)))
    expected = np.stack([sum(scipy.signal.correlate2d(x[c], weights[o, c], "same")
                             for c in range(c_in)) for o in range(c_out)])
    assert_close(conv_layer(x, weights, mode="same"), expected, x,
                 np.abs(weights).sum(axis=(0, 1)))


@given(problems(), st.data())
def test_zero_taps_and_all_zero_kernels(problem, data):
    x, k, opts = problem
    mask = data.draw(arrays(bool, k.shape))
    k = np.where(mask, 0.0, k)
    assert_close(correlate2d(x, k, mode=opts["mode"]),
                 scipy.signal.correlate2d(x, k, opts["mode"]), x, k)


@pytest.mark.parametrize("shape, kshape", [((280, 320), (3, 3)), ((280, 320), (1, 2)),
                                           ((280, 320), (7, 7)), ((300, 301), (4, 5))])
@pytest.mark.parametrize("mode", MODES)
def test_photo_sized_images_equal_scipy(shape, kshape, mode):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    k = rng.standard_normal(kshape)
    assert_close(correlate2d(x, k, mode=mode), scipy.signal.correlate2d(x, k, mode), x, k)
    assert_close(convolve2d(x, k, mode=mode), scipy.signal.convolve2d(x, k, mode), x, k)


@pytest.mark.parametrize("mode", MODES)
def test_float32_in_float32_out_and_close_to_float64(mode):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((280, 320)).astype(np.float32)
    k = rng.standard_normal((3, 3))  # float64 kernel: rounded to the image's float32
    y = correlate2d(x, k, mode=mode)
    assert y.dtype == np.float32
    expected = scipy.signal.correlate2d(x.astype(np.float64), k.astype(np.float32), mode)
    assert_close(y, expected, x, k, rtol=1e-5)
    assert convolve1d(x[0], k[0], mode=mode).dtype == np.float32


def test_integer_and_bool_inputs_give_float64():
    y = correlate2d(np.arange(12).reshape(3, 4), np.ones((2, 2), dtype=bool))
    assert y.dtype == np.float64
    np.testing.assert_array_equal(
        y, scipy.signal.correlate2d(np.arange(12.0).reshape(3, 4), np.ones((2, 2)), "valid"))


def test_non_contiguous_input_is_handled():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((40, 30)).T[::2]  # transposed and strided view
    k = rng.standard_normal((3, 2))
    assert_close(correlate2d(x, k, mode="same"), scipy.signal.correlate2d(x, k, "same"), x, k)


def test_input_is_not_modified():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((10, 12))
    k = rng.standard_normal((3, 3))
    x0, k0 = x.copy(), k.copy()
    correlate2d(x, k, mode="full", padding="reflect")
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(k, k0)


# ----------------------------------------------------------------------------
# 1-D against numpy
# ----------------------------------------------------------------------------

@given(problems(ndim=1, max_image=20))
def test_correlate1d_equals_np_correlate(problem):
    x, k, opts = problem
    mode = opts["mode"]
    y = correlate1d(x, k, mode=mode)
    if mode == "same" and (len(k) > len(x)):
        expected = scipy.signal.correlate2d(x[None], k[None], "same")[0]
    elif mode == "same" and len(k) % 2 == 0:
        # numpy puts the odd padding zero before the signal, scipy.correlate2d after
        expected = np.correlate(x, k, "same")
        assert_close(y[:-1], expected[1:], x, k)
        expected = scipy.signal.correlate2d(x[None], k[None], "same")[0]
    else:
        expected = np.correlate(x, k, mode)
    assert_close(y, expected, x, k)


@given(problems(ndim=1, max_image=20))
def test_convolve1d_equals_np_convolve(problem):
    x, k, opts = problem
    mode = opts["mode"]
    y = convolve1d(x, k, mode=mode)
    if mode == "same" and len(k) > len(x):  # numpy's 'same' then has the kernel's length
        expected = scipy.signal.convolve2d(x[None], k[None], "same")[0]
    else:
        expected = np.convolve(x, k, mode)
    assert_close(y, expected, x, k)


@given(problems(ndim=1, paddings=PADDINGS, max_stride=3, max_dilation=3, max_image=20))
def test_1d_functions_are_the_2d_ones_on_a_single_row(problem):
    x, k, opts = problem
    opts2 = dict(opts, stride=(1, opts["stride"]), dilation=(1, opts["dilation"]))
    np.testing.assert_array_equal(correlate1d(x, k, **opts),
                                  correlate2d(x[None], k[None], **opts2)[0])
    np.testing.assert_array_equal(convolve1d(x, k, **opts),
                                  convolve2d(x[None], k[None], **opts2)[0])
    assert_close(correlate1d(x, k, **opts), naive_correlate2d(x[None], k[None], **opts2)[0], x, k)
    assert_close(convolve1d(x, k, **opts),
                 naive_correlate2d(x[None], k[None], flip=True, **opts2)[0], x, k)


def test_section_edge_detector_on_a_row():
    """[-1, 1] gives differences of neighbours: np.diff is an independent oracle."""
    x = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0])
    np.testing.assert_array_equal(correlate1d(x, [-1, 1]), np.diff(x))
    np.testing.assert_array_equal(correlate1d(x, [-1, 1], stride=2), np.diff(x)[::2])


# ----------------------------------------------------------------------------
# pad
# ----------------------------------------------------------------------------

@given(st.data(), st.sampled_from(PADDINGS), st.integers(1, 2))
def test_pad_equals_numpy_pad(data, padding, ndim):
    shape = tuple(data.draw(st.integers(1, 6)) for _ in range(ndim))
    x = data.draw(matrices(shape))
    widths = []
    for n in shape:
        top = n - 1 if padding == "reflect" else 9
        widths.append((data.draw(st.integers(0, top)), data.draw(st.integers(0, top))))
    arg = widths[0] if ndim == 1 else tuple(widths)
    np.testing.assert_array_equal(pad(x, arg, padding=padding),
                                  np.pad(x, widths, mode=NP_PAD_MODE[padding]))


def test_pad_returns_a_new_array_even_without_padding():
    x = np.arange(6.0).reshape(2, 3)
    y = pad(x, 0)
    y[0, 0] = 99.0
    assert x[0, 0] == 0.0


def test_reflect_excludes_the_edge_sample_like_numpy_not_symmetric():
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(pad(x, 2, padding="reflect"), np.pad(x, 2, mode="reflect"))
    assert not np.array_equal(pad(x, 2, padding="reflect"), np.pad(x, 2, mode="symmetric"))


# ----------------------------------------------------------------------------
# conv_layer
# ----------------------------------------------------------------------------

@given(st.data(), st.sampled_from(MODES), st.integers(1, 3), st.integers(1, 3),
       st.booleans())
def test_conv_layer_equals_summed_scipy_correlations(data, mode, c_in, c_out, with_bias):
    kh, kw = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    h = data.draw(st.integers(kh, 9))
    w = data.draw(st.integers(kw, 9))
    x = data.draw(matrices((c_in, h, w)))
    weights = data.draw(matrices((c_out, c_in, kh, kw)))
    bias = data.draw(matrices((c_out,))) if with_bias else None
    expected = np.stack([
        sum(scipy.signal.correlate2d(x[c], weights[o, c], mode) for c in range(c_in))
        + (bias[o] if with_bias else 0.0)
        for o in range(c_out)])
    assert_close(conv_layer(x, weights, bias, mode=mode), expected, x,
                 np.abs(weights).sum(axis=(0, 1)))


@given(problems(paddings=PADDINGS, max_stride=3, max_dilation=2, max_image=9, max_kernel=3),
       st.integers(1, 3))
def test_conv_layer_equals_per_channel_correlate2d_with_all_options(problem, c_in):
    x, k, opts = problem
    rng = np.random.default_rng(x.size + c_in)
    xs = np.stack([x * (c + 1) for c in range(c_in)])
    weights = rng.standard_normal((2, c_in) + k.shape)
    expected = np.stack([sum(correlate2d(xs[c], weights[o, c], **opts) for c in range(c_in))
                         for o in range(2)])
    assert_close(conv_layer(xs, weights, **opts), expected, xs, np.abs(weights).sum(axis=(0, 1)))


def test_conv_layer_keeps_float32():
    x = np.ones((2, 5, 5), dtype=np.float32)
    assert conv_layer(x, np.ones((3, 2, 2, 2)), np.zeros(3)).dtype == np.float32


# ----------------------------------------------------------------------------
# Bad input: one test per case, each checking the message
# ----------------------------------------------------------------------------

IMG = np.ones((5, 6))
K = np.ones((3, 3))


def test_rejects_1d_image_in_2d():
    with pytest.raises(ValueError, match=r"image must be 2-D; got a 1-D array"):
        correlate2d(np.ones(5), K)


def test_rejects_3d_kernel():
    with pytest.raises(ValueError, match=r"kernel must be 2-D; got a 3-D array"):
        convolve2d(IMG, np.ones((2, 2, 2)))


def test_rejects_2d_signal_in_1d():
    with pytest.raises(ValueError, match=r"x must be 1-D"):
        correlate1d(IMG, [1.0])


def test_rejects_empty_image():
    with pytest.raises(ValueError, match=r"image must not be empty"):
        correlate2d(np.ones((0, 4)), K, mode="same")


def test_rejects_empty_kernel():
    with pytest.raises(ValueError, match=r"kernel must not be empty"):
        convolve1d([1.0, 2.0], [])


def test_rejects_string_dtype():
    with pytest.raises(TypeError, match=r"image must be a real numeric array"):
        correlate2d(np.array([["a", "b"]]), K)


def test_rejects_complex_kernel():
    with pytest.raises(TypeError, match=r"kernel must be a real numeric array.*complex"):
        correlate2d(IMG, K * 1j)


def test_rejects_nan_in_image():
    x = IMG.copy()
    x[2, 3] = np.nan
    with pytest.raises(ValueError, match=r"image must be finite"):
        correlate2d(x, K)


def test_rejects_inf_in_kernel():
    with pytest.raises(ValueError, match=r"kernel must be finite"):
        correlate1d([1.0, 2.0, 3.0], [1.0, np.inf])


def test_rejects_unknown_mode():
    with pytest.raises(ValueError,
                       match=r"mode must be one of 'valid', 'same', 'full'; got 'circular'"):
        correlate2d(IMG, K, mode="circular")


def test_rejects_unknown_padding():
    with pytest.raises(ValueError,
                       match=r"padding must be one of 'zeros', 'circular', 'reflect'; got 'wrap'"):
        correlate2d(IMG, K, mode="same", padding="wrap")


def test_rejects_zero_stride():
    with pytest.raises(ValueError, match=r"stride must be an integer >= 1; got 0"):
        correlate2d(IMG, K, stride=0)


def test_rejects_non_integer_stride():
    with pytest.raises(TypeError, match=r"stride must be an integer"):
        correlate1d([1.0, 2.0, 3.0], [1.0], stride=1.5)


def test_rejects_non_positive_dilation_in_a_pair():
    with pytest.raises(ValueError, match=r"dilation\[1\] must be an integer >= 1; got 0"):
        correlate2d(IMG, K, dilation=(1, 0))


def test_rejects_negative_dilation_1d():
    with pytest.raises(ValueError, match=r"dilation must be an integer >= 1; got -2"):
        convolve1d([1.0, 2.0, 3.0], [1.0], dilation=-2)


def test_rejects_kernel_larger_than_image_in_valid_mode():
    with pytest.raises(ValueError,
                       match=r"kernel is larger than the input along rows in mode 'valid'"):
        correlate2d(np.ones((2, 9)), K)


def test_rejects_dilated_kernel_larger_than_image_in_valid_mode():
    # 3 taps, dilation 3 -> spans 7 samples > 6 columns (undilated it would fit)
    with pytest.raises(ValueError, match=r"along columns.*spans dilation\*\(size-1\)\+1 = "
                                         r"3\*\(3-1\)\+1 = 7 samples but the input has 6"):
        correlate2d(IMG, K, dilation=(1, 3))


def test_rejects_reflect_padding_wider_than_the_input():
    # 'full' with 3 taps needs 2 reflected samples; a 2-sample signal has only 1
    with pytest.raises(ValueError, match=r"padding='reflect'.*needs 2 samples.*at most 1"):
        correlate1d([1.0, 2.0], [1.0, 1.0, 1.0], mode="full", padding="reflect")


def test_conv_layer_rejects_2d_input():
    with pytest.raises(ValueError, match=r"x must be 3-D"):
        conv_layer(IMG, np.ones((1, 1, 2, 2)))


def test_conv_layer_rejects_3d_weights():
    with pytest.raises(ValueError, match=r"weights must be 4-D"):
        conv_layer(IMG[None], np.ones((1, 2, 2)))


def test_conv_layer_rejects_channel_mismatch():
    with pytest.raises(ValueError,
                       match=r"C_in = x.shape\[0\] = 1; got weights of shape \(4, 2, 2, 2\)"):
        conv_layer(IMG[None], np.ones((4, 2, 2, 2)))


def test_conv_layer_rejects_bias_of_wrong_shape():
    with pytest.raises(ValueError, match=r"bias must have shape \(C_out,\) = \(4,\); got \(3,\)"):
        conv_layer(IMG[None], np.ones((4, 1, 2, 2)), np.zeros(3))


def test_conv_layer_rejects_weights_larger_than_input():
    with pytest.raises(ValueError, match=r"weights is larger than the input along columns"):
        conv_layer(IMG[None], np.ones((1, 1, 2, 7)))


def test_pad_rejects_negative_width():
    with pytest.raises(ValueError, match=r"widths must be an integer >= 0; got -1"):
        pad([1.0, 2.0], (1, -1))


def test_pad_rejects_malformed_widths():
    with pytest.raises(ValueError, match=r"widths must be an integer >= 0 or "
                                         r"\(\(top, bottom\), \(left, right\)\)"):
        pad(IMG, (1, 2))


def test_pad_rejects_too_wide_reflect():
    with pytest.raises(ValueError,
                       match=r"padding='reflect'.*needs 6 samples along rows.*at most 4"):
        pad(IMG, ((6, 0), (0, 0)), padding="reflect")


def test_pad_rejects_3d_input():
    with pytest.raises(ValueError, match=r"x must be 1-D or 2-D"):
        pad(np.ones((2, 2, 2)), 1)


def test_padding_amounts_rejects_zero_kernel_size():
    with pytest.raises(ValueError, match=r"kernel_size must be an integer >= 1; got 0"):
        padding_amounts(0, mode="same")


def test_output_length_rejects_zero_length():
    with pytest.raises(ValueError, match=r"n must be an integer >= 1; got 0"):
        output_length(0, 3)


def test_output_length_rejects_kernel_larger_than_input():
    with pytest.raises(ValueError, match=r"kernel_size is larger than the input in mode 'valid'"):
        output_length(4, 3, dilation=2)


def test_output_shape_rejects_kernel_larger_than_input():
    with pytest.raises(ValueError, match=r"kernel_shape is larger than the input along rows"):
        output_shape((2, 8), (3, 3))


def test_output_shape_rejects_bad_stride_pair():
    with pytest.raises(TypeError, match=r"stride must be an integer or a pair of integers"):
        output_shape((8, 8), (3, 3), stride=(1, 2, 3))


# ----------------------------------------------------------------------------
# Sizes refused before allocating (run in an address-space-capped child)
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("call, parameter", [
    ("c.correlate2d(np.ones((3, 3)), np.ones((3, 3)), mode='full', dilation=40000)", "dilation"),
    ("c.convolve2d(np.ones((3, 3)), np.ones((3, 3)), mode='same', dilation=(1, 10**9))",
     "dilation"),
    ("c.correlate1d(np.ones(3), np.ones(2), mode='full', dilation=10**10)", "dilation"),
    ("c.convolve1d(np.ones(3), np.ones(2), mode='same', padding='circular', "
     "dilation=10**10)", "dilation"),
    ("c.pad(np.ones((3, 3)), 10**5)", "widths"),
    ("c.pad(np.ones(3), (0, 10**10), padding='circular')", "widths"),
    ("c.conv_layer(np.ones((2, 3, 3)), np.ones((1, 2, 2, 2)), mode='same', dilation=30000)",
     "dilation"),
    ("c.correlate_channels(np.ones((1, 1000, 1)), np.ones((1, 1, 10**6)))", "x"),
])
def test_huge_requests_are_refused_with_the_size_before_allocating(call, parameter):
    out = assert_refused(call, setup="import numpy as np\nfrom cnnmotiv import convolution as c")
    assert f"smaller {parameter}" in out, out


def test_refusal_names_the_kernel_when_the_padding_comes_from_a_large_kernel():
    with pytest.raises(BudgetError) as info:
        correlate2d(np.ones((2, 2)), np.lib.stride_tricks.as_strided(np.ones(1), (30000, 30000),
                                                                     (0, 0)), mode="full")
    assert info.value.parameter == "kernel" and "mode='valid'" in str(info.value)


# ----------------------------------------------------------------------------
# Overflow: never a silent inf
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("call", [
    lambda: correlate2d([[1e308, 1e308]], [[1, 1]]),
    lambda: correlate1d([1e308, 1e308], [2.0]),
    lambda: convolve2d([[1e308, -1e308, 1e308]], [[1e10, 1e10]], mode="full"),
    lambda: conv_layer(np.full((2, 2, 2), 1e308), np.ones((1, 2, 1, 1))),
    lambda: correlate_channels(np.full((1, 3, 2), 1e308), np.ones((1, 2, 3))),
])
def test_an_overflowing_float64_result_is_refused(call):
    with pytest.raises(ValueError, match="overflows float64"):
        call()


def test_an_overflowing_float32_result_names_float32_and_the_callers_arguments():
    x = np.full((3, 3), 3e38, dtype=np.float32)
    with pytest.raises(ValueError, match=r"overflows float32.*scale image or kernel down"):
        correlate2d(x, np.ones((2, 2), dtype=np.float32))
    # the same sums fit in float64
    assert np.isfinite(correlate2d(x.astype(np.float64), np.ones((2, 2)))).all()


def test_large_finite_results_are_returned():
    y = correlate2d([[1e308, -1e308]], [[1.0, 1.0]])
    assert y.tolist() == [[0.0]]
    assert correlate1d([8e307, 8e307], [1.0, 1.0])[0] == 1.6e308
