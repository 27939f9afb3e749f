"""Tests for cnnmotiv.receptive_fields: closed form vs measurement, and the effective field."""



import numpy as np
import pytest
import scipy.signal
from hypothesis import assume, given
from hypothesis import strategies as st

from cnnmotiv.convolution import correlate2d
from cnnmotiv.receptive_fields import (
    FieldInfo,
    LayerSpec,
    effective_receptive_field,
    erf_growth,
    erf_spread,
    field_layers,
    fit_growth_exponent,
    input_region,
    input_support,
    layer_lengths,
    layer_stack,
    measure_receptive_field,
    nearest_units,
    output_shapes,
    receptive_field,
    uniform_erf_std,
)

# --------------------------------------------------------------------------- strategies
pairs = lambda lo, hi: st.tuples(st.integers(lo, hi), st.integers(lo, hi))  # noqa: E731
layer_st = st.builds(LayerSpec, kernel_size=pairs(1, 5), stride=pairs(1, 3),
                     pad_width=pairs(0, 2), dilation=pairs(1, 3),
                     kind=st.sampled_from(["conv", "pool"]))
stack_st = st.lists(layer_st, min_size=1, max_size=4)


# ----------------------------------------------------------------- independent oracles
def _dilated_ones(k, d):
    w = np.zeros(d * (k - 1) + 1)
    w[::d] = 1.0
    return w


def _forward_1d(x, layers, axis):
    """One axis of the stack with numpy only: pad, np.correlate (valid), subsample."""
    for layer in layers:
        p, s = layer.pad_width[axis], layer.stride[axis]
        xp = np.pad(x, p)
        x = np.correlate(xp, _dilated_ones(layer.kernel_size[axis], layer.dilation[axis]),
                         mode="valid")[::s]
    return x


def _oracle_support_1d(layers, n, axis, u):
    """Input positions whose impulse reaches output unit u (one forward pass per impulse)."""
    hits = np.zeros(n, bool)
    for i in range(n):
        e = np.zeros(n)
        e[i] = 1.0
        hits[i] = _forward_1d(e, layers, axis)[u] > 0
    return hits


def _forward_2d_scipy(x, layers):
    """The 2-D stack with scipy.signal.correlate2d on an np.pad-ed input."""
    for layer in layers:
        (pr, pc), (sr, sc) = layer.pad_width, layer.stride
        kernel = np.outer(_dilated_ones(layer.kernel_size[0], layer.dilation[0]),
                          _dilated_ones(layer.kernel_size[1], layer.dilation[1]))
        x = scipy.signal.correlate2d(np.pad(x, ((pr, pr), (pc, pc))), kernel, mode="valid")
        x = x[::sr, ::sc]
    return x


def _interior_unit(layers):
    """Smallest unit (per axis) whose whole field lies at index >= 0, and an input
    shape that also holds the field of the next unit."""
    f = receptive_field(layers)[-1]
    u = tuple((-f.offset[a] + f.jump[a] - 1) // f.jump[a] for a in range(2))
    shape = tuple(f.offset[a] + (u[a] + 1) * f.jump[a] + f.size[a] for a in range(2))
    return u, shape


def _bbox(mask):
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    return (rows[0], rows[-1] + 1), (cols[0], cols[-1] + 1)


# -------------------------------------------------------------------------- LayerSpec
def test_layerspec_normalises_to_pairs():
    layer = LayerSpec(3, stride=(1, 2), pad_width=np.int64(1), dilation=[2, 1], kind="pool")
    assert layer.kernel_size == (3, 3) and layer.stride == (1, 2)
    assert layer.pad_width == (1, 1) and layer.dilation == (2, 1) and layer.kind == "pool"
    assert layer.extent == (5, 3)
    with pytest.raises(AttributeError):
        layer.stride = 2                                   # frozen


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(kernel_size=0), ValueError, "kernel_size must be an integer >= 1; got 0"),
    (dict(kernel_size=(3, -1)), ValueError, r"kernel_size\[1\] must be an integer >= 1"),
    (dict(kernel_size=2.5), TypeError, "kernel_size must be an integer or a pair"),
    (dict(kernel_size=(3, 3, 3)), TypeError, "kernel_size must be an integer or a pair"),
    (dict(kernel_size=3, stride=0), ValueError, "stride must be an integer >= 1"),
    (dict(kernel_size=3, dilation=(1, 0)), ValueError, r"dilation\[1\] must be an integer >= 1"),
    (dict(kernel_size=3, pad_width=-1), ValueError, "pad_width must be an integer >= 0"),
    (dict(kernel_size=3, pad_width="same"), TypeError, "pad_width must be an integer or a pair"),
    (dict(kernel_size=True), TypeError, "kernel_size must be an integer or a pair"),
    (dict(kernel_size=3, kind="avg"), ValueError, "kind must be one of 'conv', 'pool'; got 'avg'"),
])
def test_layerspec_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        LayerSpec(**kwargs)


@pytest.mark.parametrize("layers, exc, match", [
    ([], ValueError, "layers must hold at least one LayerSpec"),
    ((), ValueError, "layers must hold at least one LayerSpec"),
    ([LayerSpec(3), (3, 1)], TypeError, r"layers\[1\] must be a LayerSpec; got tuple"),
    (3, TypeError, "layers must be a list of LayerSpec; got int"),
    ("conv", TypeError, "layers must be a list of LayerSpec; got str"),
])
def test_bad_layer_lists(layers, exc, match):
    with pytest.raises(exc, match=match):
        receptive_field(layers)


# ------------------------------------------------------------------ closed form: values
def test_section_examples_grow_with_depth():
    # The section: a layer-1 unit sees 3x3, layer 2 "5x5 or 7x7", layer 3 "11x11 or more".
    sizes = [f.size for f in receptive_field([LayerSpec(3)] * 3)]
    assert sizes == [(3, 3), (5, 5), (7, 7)]                    # 1 + 2 * depth
    dilated = [LayerSpec(3), LayerSpec(3, dilation=2), LayerSpec(3, dilation=2)]
    assert [f.size[0] for f in receptive_field(dilated)] == [3, 3 + 2 * 2, 3 + 2 * 2 + 2 * 2]
    pooled = [LayerSpec(3), LayerSpec(2, stride=2, kind="pool"), LayerSpec(3)]
    assert [f.size[0] for f in receptive_field(pooled)] == [3, 4, 4 + 2 * 2]
    assert [f.jump[0] for f in receptive_field(pooled)] == [1, 2, 2]


def test_single_layer_is_the_kernel_geometry():
    f, = receptive_field([LayerSpec((3, 4), stride=(2, 3), pad_width=(1, 2), dilation=(2, 1))])
    assert f == FieldInfo(size=(5, 4), jump=(2, 3), start=(2 - 1, 1.5 - 2), offset=(-1, -2))


@given(stack_st)
def test_closed_form_matches_explicit_sums(layers):
    # r = 1 + sum_l (k_l - 1) d_l prod_{m<l} s_m, j = prod s_l, offset = -sum_l p_l prod_{m<l} s_m
    fields = receptive_field(layers)
    assert len(fields) == len(layers)
    for a in range(2):
        k = np.array([lay.kernel_size[a] for lay in layers])
        s = np.array([lay.stride[a] for lay in layers])
        p = np.array([lay.pad_width[a] for lay in layers])
        d = np.array([lay.dilation[a] for lay in layers])
        jumps_before = np.concatenate([[1], np.cumprod(s)[:-1]])
        sizes = 1 + np.cumsum((k - 1) * d * jumps_before)
        offsets = -np.cumsum(p * jumps_before)
        assert [f.size[a] for f in fields] == sizes.tolist()
        assert [f.jump[a] for f in fields] == np.cumprod(s).tolist()
        assert [f.offset[a] for f in fields] == offsets.tolist()
        assert [f.start[a] for f in fields] == (offsets + (sizes - 1) / 2).tolist()


@given(stack_st, st.integers(1, 3))
def test_identity_layer_changes_nothing_and_stride_scales_later_growth(layers, s):
    before = receptive_field(layers)[-1]
    after = receptive_field(layers + [LayerSpec(1)])[-1]
    assert after == before
    # A stride-s 1x1 layer only multiplies the jump; the next 3x3 layer then adds 2 * j * s.
    grown = receptive_field(layers + [LayerSpec(1, stride=s), LayerSpec(3)])[-1]
    assert grown.size == tuple(before.size[a] + 2 * before.jump[a] * s for a in range(2))


@given(stack_st, st.integers(0, 6), st.integers(0, 6))
def test_region_and_support_agree(layers, i, j):
    f = receptive_field(layers)[-1]
    (r0, r1), (c0, c1) = input_region(layers, (i, j))
    rows, cols = input_support(layers, (i, j))
    assert (r0, r1 - 1, c0, c1 - 1) == (rows[0], rows[-1], cols[0], cols[-1])
    assert (r1 - r0, c1 - c0) == f.size
    assert (r0 + r1 - 1) / 2 == f.start[0] + i * f.jump[0]          # centre of the span
    assert (c0 + c1 - 1) / 2 == f.start[1] + j * f.jump[1]
    # Neighbouring units: same support shifted by the jump.
    rows1, cols1 = input_support(layers, (i + 1, j + 1))
    np.testing.assert_array_equal(rows1 - rows, f.jump[0])
    np.testing.assert_array_equal(cols1 - cols, f.jump[1])


@given(st.lists(st.builds(LayerSpec, kernel_size=pairs(1, 5), pad_width=pairs(0, 2)),
                min_size=1, max_size=6))
def test_stride_one_undilated_fields_have_no_gaps(layers):
    rows, cols = input_support(layers, (0, 0))
    assert np.all(np.diff(rows) == 1) and np.all(np.diff(cols) == 1)


def test_dilation_leaves_gaps_in_the_support():
    layers = [LayerSpec(2, dilation=3), LayerSpec(2, dilation=3)]
    rows, _ = input_support(layers, (0, 0))
    assert rows.tolist() == [0, 3, 6] and receptive_field(layers)[-1].size == (7, 7)


# -------------------------------------------------------------------- output shapes
@given(stack_st, st.integers(0, 8), st.integers(0, 8))
def test_output_shapes_match_real_layers(layers, extra_r, extra_c):
    f = receptive_field(layers)[-1]
    shape = (f.size[0] + extra_r, f.size[1] + extra_c)    # big enough without padding
    shapes = output_shapes(layers, shape)
    for a in range(2):
        x = np.zeros(shape[a])
        lengths = []
        for layer_count in range(1, len(layers) + 1):
            lengths.append(_forward_1d(x, layers[:layer_count], a).size)
        assert [sh[a] for sh in shapes] == lengths


def test_output_shapes_match_cnnmotiv_convolution():
    x = np.zeros((17, 23))
    layer = LayerSpec((3, 2), stride=(2, 3), pad_width=(1, 0), dilation=(2, 1))
    y = correlate2d(np.pad(x, ((1, 1), (0, 0))), np.ones((3, 2)), stride=(2, 3), dilation=(2, 1))
    assert output_shapes([layer], x.shape) == [y.shape]


def test_output_shapes_too_small():
    with pytest.raises(ValueError, match=r"layer 1 gets 2 padded rows but its dilated kernel spans 3"):
        output_shapes([LayerSpec(2, stride=2), LayerSpec(3)], (4, 9))


# ------------------------------------------------------- measurement vs closed form
@pytest.mark.parametrize("method", ["matrix", "convolution"])
@given(layers=stack_st)
def test_measured_interior_field_equals_closed_form(method, layers):
    u, shape = _interior_unit(layers)
    f = receptive_field(layers)[-1]
    m0 = measure_receptive_field(layers, shape, u, method=method)
    m1 = measure_receptive_field(layers, shape, (u[0] + 1, u[1] + 1), method=method)
    # The exact set, gaps included.
    rows, cols = input_support(layers, u)
    expected = np.zeros(shape, bool)
    expected[np.ix_(rows, cols)] = True
    np.testing.assert_array_equal(m0, expected)
    # The numbers read off the measurement: size, jump, start, offset.
    (r0, r1), (c0, c1) = _bbox(m0)
    (q0, _), (d0, _) = _bbox(m1)
    assert ((r0, r1), (c0, c1)) == input_region(layers, u, input_shape=shape)
    assert (r1 - r0, c1 - c0) == f.size
    assert (q0 - r0, d0 - c0) == f.jump
    assert (r0 - u[0] * f.jump[0], c0 - u[1] * f.jump[1]) == f.offset
    assert ((r0 + r1 - 1) / 2 - u[0] * f.jump[0], (c0 + c1 - 1) / 2 - u[1] * f.jump[1]) == f.start


@given(layers=stack_st, data=st.data())
def test_measurement_matches_numpy_impulses_everywhere(layers, data):
    # Any unit, borders included, against forward impulses through numpy-only layers
    # (the field is separable: all-ones kernels make the 2-D map a product of 1-D maps).
    f = receptive_field(layers)[-1]
    shape = tuple(data.draw(st.integers(max(1, f.size[a] - 4), f.size[a] + 2 * f.jump[a]))
                  for a in range(2))
    try:
        out = output_shapes(layers, shape)[-1]
    except ValueError:
        assume(False)                                     # stack does not fit: tested elsewhere
    u = (data.draw(st.integers(0, out[0] - 1)), data.draw(st.integers(0, out[1] - 1)))
    method = data.draw(st.sampled_from(["matrix", "convolution"]))
    measured = measure_receptive_field(layers, shape, u, method=method)
    expected = np.outer(_oracle_support_1d(layers, shape[0], 0, u[0]),
                        _oracle_support_1d(layers, shape[1], 1, u[1]))
    np.testing.assert_array_equal(measured, expected)
    # Never more than the closed form clipped to the image (less near borders).
    rows, cols = input_support(layers, u)
    closed = np.zeros(shape, bool)
    closed[np.ix_(rows[(rows >= 0) & (rows < shape[0])], cols[(cols >= 0) & (cols < shape[1])])] = True
    assert not np.any(measured & ~closed)


@pytest.mark.parametrize("layers, shape", [
    ([LayerSpec(3, pad_width=1), LayerSpec(2, stride=2, kind="pool"), LayerSpec(3, pad_width=1)], (12, 13)),
    ([LayerSpec((3, 2), stride=(2, 1), pad_width=(2, 0), dilation=(1, 3)), LayerSpec(3, dilation=2)],
     (15, 14)),
    ([LayerSpec(1, stride=3, pad_width=1), LayerSpec(2, pad_width=2), LayerSpec(3, stride=2)], (16, 11)),
])
def test_measurement_matches_scipy_impulses_in_2d(layers, shape):
    out = output_shapes(layers, shape)[-1]
    # Response of every output unit to every input impulse, with scipy.signal.correlate2d.
    responses = np.zeros(out + shape)
    for i in range(shape[0]):
        for j in range(shape[1]):
            e = np.zeros(shape)
            e[i, j] = 1.0
            responses[:, :, i, j] = _forward_2d_scipy(e, layers)
    for u in np.ndindex(*out):
        for method in ("matrix", "convolution"):
            np.testing.assert_array_equal(
                measure_receptive_field(layers, shape, u, method=method), responses[u] > 0)


def test_border_unit_sees_less_than_the_clipped_closed_form():
    # Stride 3 leaves input row 9 unread by layer 1; the closed form still counts it
    # for the last unit of layer 2 (whose right neighbour at layer 1 is padding).
    layers = [LayerSpec((3, 1), stride=(3, 1)), LayerSpec((2, 1), pad_width=(1, 0))]
    shape = (10, 1)
    assert output_shapes(layers, shape) == [(3, 1), (4, 1)]
    assert input_region(layers, (3, 0)) == ((6, 12), (0, 1))
    measured = measure_receptive_field(layers, shape, (3, 0))
    assert np.flatnonzero(measured[:, 0]).tolist() == [6, 7, 8]
    assert _oracle_support_1d(layers, 10, 0, 3).nonzero()[0].tolist() == [6, 7, 8]


@pytest.mark.parametrize("call, exc, match", [
    (lambda: input_region([LayerSpec(3)], (-1, 0)), ValueError, r"index\[0\] must be an integer >= 0"),
    (lambda: input_region([LayerSpec(3)], (0,)), ValueError, "index must be a tuple of 2 integers"),
    (lambda: input_region([LayerSpec(3)], (0, 1.0)), TypeError, r"index\[1\] must be an integer"),
    (lambda: input_region([LayerSpec(3)], (8, 0), input_shape=(10, 10)), ValueError,
     r"index \(8, 0\) is out of range of the last layer's output shape \(8, 8\)"),
    (lambda: measure_receptive_field([LayerSpec(3)], (10, 10), (0, 8)), ValueError,
     "out of range of the last layer's output shape"),
    (lambda: measure_receptive_field([LayerSpec(3)], (2, 10), (0, 0)), ValueError,
     "input_shape .* is too small: layer 0 gets 2 padded rows"),
    (lambda: measure_receptive_field([LayerSpec(3)], (5, 5), (0, 0), method="fft"), ValueError,
     "method must be one of 'matrix', 'convolution'"),
    (lambda: measure_receptive_field([LayerSpec(3)], (0, 5), (0, 0)), ValueError,
     r"input_shape\[0\] must be an integer >= 1"),
    (lambda: measure_receptive_field([], (5, 5), (0, 0)), ValueError, "at least one LayerSpec"),
    (lambda: input_support([LayerSpec(3)], (0, -2)), ValueError, r"index\[1\] must be an integer >= 0"),
])
def test_region_and_measure_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ------------------------------------------------------------- effective receptive field
def _forward_map(kernels, size):
    """Gradient map by forward passes: the valid stack on a (size x size) canvas is one
    number, a linear function of the input; read its weights with one impulse per pixel."""
    m = np.zeros((size, size))
    for i in range(size):
        for j in range(size):
            x = np.zeros((size, size))
            x[i, j] = 1.0
            for k in kernels:
                x = correlate2d(x, k)
            assert x.shape == (1, 1)
            m[i, j] = x[0, 0]
    return m


@pytest.mark.parametrize("depth, k", [(1, 3), (3, 3), (2, 4), (4, 2)])
def test_erf_uniform_matches_forward_impulses(depth, k):
    size = depth * (k - 1) + 1
    expected = _forward_map([np.full((k, k), 1.0 / k**2)] * depth, size)
    np.testing.assert_allclose(effective_receptive_field(depth, k), expected, atol=1e-15)


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_erf_random_matches_forward_impulses(seed):
    depth, k = 3, 3
    # The documented draw: rng.random((depth, kh, kw)), each kernel scaled to sum 1.
    ks = np.random.default_rng(seed).random((depth, k, k))
    ks /= ks.sum(axis=(1, 2), keepdims=True)
    # Gradient of y = corr(k_D, ... corr(k_1, x)): impulses through cnnmotiv.convolution.
    expected = _forward_map(list(ks), depth * (k - 1) + 1)
    got = effective_receptive_field(depth, k, init="random", rng=seed)
    np.testing.assert_allclose(got, expected, atol=1e-14)
    np.testing.assert_array_equal(
        got, effective_receptive_field(depth, k, init="random", rng=np.random.default_rng(seed)))


@given(depth=st.integers(1, 12), kh=st.integers(1, 6), kw=st.integers(1, 6),
       kernel=st.sampled_from(["uniform", "random"]), seed=st.integers(0, 100))
def test_erf_is_a_distribution_on_the_theoretical_field(depth, kh, kw, kernel, seed):
    m = effective_receptive_field(depth, (kh, kw), init=kernel, rng=seed)
    assert m.shape == (depth * (kh - 1) + 1, depth * (kw - 1) + 1)
    assert m.min() >= 0 and m.sum() == pytest.approx(1.0)
    # Every pixel of the theoretical field has some influence (positive weights, no gaps).
    assert m.min() > 0


@given(depth=st.integers(1, 16), k=st.integers(1, 7))
def test_erf_uniform_spread_is_exact(depth, k):
    # Sum of `depth` independent discrete uniforms on k values: variance depth (k^2 - 1) / 12.
    s = erf_spread(effective_receptive_field(depth, k))
    np.testing.assert_allclose(s, np.sqrt(depth * (k**2 - 1) / 12), atol=1e-9)


def test_erf_size_pads_centred_and_keeps_spread():
    m = effective_receptive_field(3, 3)                       # 7 x 7
    big = effective_receptive_field(3, 3, size=(11, 12))
    assert big.shape == (11, 12) and big.sum() == pytest.approx(1.0)
    np.testing.assert_array_equal(big[2:9, 2:9], m)           # margins 2|2 and 2|3
    np.testing.assert_allclose(erf_spread(big), erf_spread(m))


def test_erf_growth_exponents_sqrt_vs_linear():
    g = erf_growth(16, 3)
    d = g.depths[1:]                                          # depths 2..16
    spread_exp = fit_growth_exponent(d, g.spread[1:, 0])
    theory_exp = fit_growth_exponent(d, g.theoretical[1:, 0])
    growth_exp = fit_growth_exponent(d, g.theoretical[1:, 0] - 1)   # the part layers add
    assert 0.4 < spread_exp < 0.6
    assert spread_exp == pytest.approx(0.5, abs=1e-9)         # exact for box kernels
    assert 0.85 < theory_exp <= 1.0 and growth_exp == pytest.approx(1.0)
    ratio = g.spread[:, 0] / g.theoretical[:, 0]
    assert np.all(np.diff(ratio) < 0)                         # effective share keeps shrinking


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_erf_growth_random_kernels_also_sqrt(seed):
    g = erf_growth(16, 3, init="random", rng=seed)
    for a in range(2):
        assert 0.4 < fit_growth_exponent(g.depths[1:], g.spread[1:, a]) < 0.6
    # The curve is one growing network: depth d uses the first d kernels.
    for depth in (1, 5, 16):
        np.testing.assert_allclose(
            g.spread[depth - 1],
            erf_spread(effective_receptive_field(depth, 3, init="random", rng=seed)))


def test_erf_becomes_gaussian_with_depth():
    def gaussian_mismatch(depth):
        m = effective_receptive_field(depth, 3)
        marginal = m.sum(axis=1)
        x = np.arange(marginal.size)
        mean = (x * marginal).sum()
        std = erf_spread(m)[0]
        gauss = np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * np.sqrt(2 * np.pi))
        return np.abs(marginal - gauss).max() / marginal.max()

    errors = [gaussian_mismatch(d) for d in (1, 2, 4, 8, 16)]
    assert np.all(np.diff(errors) < 0)
    assert errors[-1] < 0.02 < errors[0]


@pytest.mark.parametrize("call, exc, match", [
    (lambda: effective_receptive_field(0, 3), ValueError, "depth must be an integer >= 1"),
    (lambda: effective_receptive_field(2.0, 3), TypeError, "depth must be an integer"),
    (lambda: effective_receptive_field(2, 0), ValueError, "kernel_size must be an integer >= 1"),
    (lambda: effective_receptive_field(2, 3, init="gauss"), ValueError,
     "init must be one of 'uniform', 'random'"),
    (lambda: effective_receptive_field(2, 3, size=4), ValueError,
     r"size must be at least the theoretical field \(5, 5\)"),
    (lambda: effective_receptive_field(2, 3, init="random", rng="seed"), TypeError,
     "rng must be a non-negative int seed or a numpy Generator"),
    (lambda: effective_receptive_field(2, 3, rng=-1), ValueError, "rng must be an integer >= 0"),
    (lambda: erf_growth(0, 3), ValueError, "max_depth must be an integer >= 1"),
    (lambda: effective_receptive_field(2, 3, rng=None), TypeError, "rng must be a non-negative int"),
    (lambda: erf_spread(np.ma.masked_array([[1.0, 2.0]], mask=[[0, 1]])), TypeError, "masked"),
    (lambda: erf_spread([[1.0, -0.5]]), ValueError, "erf_map must be non-negative"),
    (lambda: erf_spread(np.zeros((3, 3))), ValueError, "erf_map must have a positive sum"),
    (lambda: erf_spread([1.0, 2.0]), ValueError, "erf_map must be 2-D"),
    (lambda: erf_spread([[np.nan]]), ValueError, "erf_map must be finite"),
    (lambda: erf_spread([["a"]]), TypeError, "erf_map must be a real numeric array"),
    (lambda: fit_growth_exponent([1, 2], [1, 2, 3]), ValueError, "same length"),
    (lambda: fit_growth_exponent([1], [1]), ValueError, "at least two points"),
    (lambda: fit_growth_exponent([0, 1], [1, 2]), ValueError, "must be positive"),
    (lambda: fit_growth_exponent([2, 2], [1, 2]), ValueError, "must not all be equal"),
])
def test_erf_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_erf_spread_known_values():
    assert erf_spread([[0, 1, 0, 1]]) == (0.0, 1.0)
    assert erf_spread([[1], [0], [1]]) == (1.0, 0.0)
    # Scale does not matter: the map is normalised.
    np.testing.assert_allclose(erf_spread(5 * np.ones((3, 4))),
                               (np.std(np.arange(3)), np.std(np.arange(4))))


# ------------------------------------------- moved from plotting: layer_stack and friends
@given(stack_st, st.integers(0, 4), st.integers(0, 4))
def test_layer_lengths_match_scipy_layers(layers, extra_r, extra_c):
    shape = tuple(max(l.extent[a] for l in layers) * 4 + e for a, e in enumerate((extra_r, extra_c)))
    lengths = layer_lengths(layers, shape)
    assert lengths[0] == shape and len(lengths) == len(layers) + 1
    x = np.zeros(shape)
    for layer, expected in zip(layers, lengths[1:]):
        if min(expected) < 1:                     # scipy gives no output (or refuses): stop
            break
        x = _forward_2d_scipy(x, [layer])
        assert x.shape == expected


def test_layer_lengths_report_empty_layers_that_output_shapes_refuses():
    assert layer_lengths([LayerSpec(5)], (3, 9)) == [(3, 9), (-1, 5)]
    with pytest.raises(ValueError, match="too small"):
        output_shapes([LayerSpec(5)], (3, 9))


@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 3), st.integers(1, 3),
       st.integers(0, 5), st.data())
def test_layer_stack_field_matches_numpy_impulses(depth, k, s, d, extra, data):
    stack = layer_stack(depth, k, stride=s, dilation=d)
    n = stack.positions[0].size + extra
    top = layer_stack(depth, k, stride=s, dilation=d, n=n).matrices[-1].shape[0]
    u = data.draw(st.integers(0, top - 1))
    stack = layer_stack(depth, k, stride=s, dilation=d, n=n, unit=u)
    layers = [LayerSpec(k, stride=s, dilation=d)] * depth
    hits = _oracle_support_1d(layers, n, 0, u)
    assert stack.field[0].tolist() == np.flatnonzero(hits).tolist()
    assert stack.span(0) == receptive_field(layers)[-1].size[0]
    # each matrix is the layer itself: np.correlate with the dilated ones kernel, subsampled
    x = data.draw(st.lists(st.floats(-1, 1), min_size=n, max_size=n))
    y = np.asarray(x)
    for m, layer_len in zip(stack.matrices, [n] + [m.shape[0] for m in stack.matrices]):
        assert m.shape[1] == layer_len
        ref = np.correlate(y, _dilated_ones(k, d), mode="valid")[::s]
        np.testing.assert_allclose(m @ y, ref, atol=1e-12)
        y = ref


def test_layer_stack_repr_is_short():
    text = repr(layer_stack(3, 3))
    assert text == "LayerStack(depth=3, lengths=[9, 7, 5, 3], unit=1, field_size=7)"


@pytest.mark.parametrize("depth, k", [(1, 2), (1, 3), (4, 3), (7, 5), (3, 8)])
def test_uniform_erf_std_is_the_variance_of_a_sum_of_uniforms(depth, k):
    import scipy.stats

    # the sum of `depth` independent discrete uniforms on k values (scipy.stats.randint)
    assert uniform_erf_std(depth, k) == pytest.approx(
        np.sqrt(depth * scipy.stats.randint(0, k).var()), rel=1e-12, abs=1e-15)
    # and the spread measured on the map made by repeated np.convolve of box kernels
    p = np.ones(1)
    for _ in range(depth):
        p = np.convolve(p, np.ones(k) / k)
    x = np.arange(p.size)
    assert uniform_erf_std(depth, k) == pytest.approx(
        np.sqrt((p * (x - (p * x).sum()) ** 2).sum()), rel=1e-9, abs=1e-12)


def test_field_layers_give_the_sections_sizes():
    assert [f.size for f in receptive_field(field_layers(3, 3))] == [(3, 3), (5, 5), (7, 7)]
    same = field_layers(2, 5, dilation=2, same=True)
    assert same[0].pad_width == (4, 4) and output_shapes(same, (20, 21)) == [(20, 21)] * 2


@given(stack_st, st.floats(-3, 40), st.floats(-3, 40))
def test_nearest_units_minimise_distance_to_the_field_centre(layers, r, c):
    shape = tuple(max(l.extent[a] for l in layers) * 8 for a in range(2))
    lengths = layer_lengths(layers, shape)[1:]
    assume(all(min(n) >= 1 for n in lengths))
    infos, units = nearest_units(layers, shape, (r, c))
    for info, unit, n in zip(infos, units, lengths):
        for a, p in enumerate((r, c)):
            centres = info.start[a] + np.arange(n[a]) * info.jump[a]   # brute force
            assert abs(centres[unit[a]] - p) <= np.abs(centres - p).min() + 1e-9


@pytest.mark.parametrize("call, exc, match", [
    (lambda: layer_stack(0, 3), ValueError, "depth must be an integer >= 1"),
    (lambda: layer_stack(3, 3, n=6), ValueError, "n must be at least the top unit's field, 7"),
    (lambda: layer_stack(1, 3, n=5, unit=3), ValueError, r"unit must be a top-layer index in 0\.\.2"),
    (lambda: layer_lengths([LayerSpec(3)], (0, 4)), ValueError, r"input_shape\[0\]"),
    (lambda: nearest_units([LayerSpec(5)], (3, 9), (1, 1)), ValueError, "no output unit"),
    (lambda: nearest_units([LayerSpec(3)], (9, 9), (1, np.nan)), ValueError, "point"),
    (lambda: uniform_erf_std(2, 0), ValueError, "kernel_size must be an integer >= 1"),
])
def test_moved_helpers_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ------------------------------------------------ effective field with ReLUs, budgets
def _relu_forward_scipy(x, kernels):
    """The ReLU stack with scipy.signal.correlate2d: an independent forward pass."""
    for layer, w in enumerate(kernels):
        x = scipy.signal.correlate2d(x, w, mode="valid")
        if layer < len(kernels) - 1:
            x = np.maximum(x, 0.0)
    return float(x[0, 0])


@pytest.mark.parametrize("depth, k, seed", [(1, 3, 0), (2, 3, 1), (3, 2, 2), (4, 3, 3)])
def test_relu_erf_is_the_finite_difference_gradient(depth, k, seed):
    from cnnmotiv.receptive_fields import relu_effective_receptive_field

    n = 2
    got = relu_effective_receptive_field(depth, k, n_inputs=n, rng=seed)
    gen = np.random.default_rng(seed)                  # the documented draw order
    kernels = gen.standard_normal((n, depth, k, k)) * np.sqrt(2.0 / (k * k))
    t = depth * (k - 1) + 1
    xs = gen.standard_normal((n, t, t))
    total = np.zeros((t, t))
    h = 1e-6
    for x, ks in zip(xs, kernels):
        g = np.zeros((t, t))
        for idx in np.ndindex(t, t):
            e = np.zeros((t, t))
            e[idx] = h
            g[idx] = (_relu_forward_scipy(x + e, ks) - _relu_forward_scipy(x - e, ks)) / (2 * h)
        total += np.abs(g)
    np.testing.assert_allclose(got, total / total.sum(), atol=1e-7)


def test_relu_erf_width_fraction_shrinks_like_inverse_sqrt_depth():
    from cnnmotiv.receptive_fields import relu_erf_growth

    relu = relu_erf_growth(16, 3, n_inputs=64, rng=0)
    box = erf_growth(16, 3)
    for g in (relu, box):                      # the same std measure for both stacks
        assert g.fraction.shape == (16, 2)
        np.testing.assert_allclose(g.fraction, g.spread / g.theoretical)
        assert fit_growth_exponent(g.depths[3:], g.spread[3:, 1]) == pytest.approx(0.5, abs=0.15)
        scaled = g.fraction[3:, 1] * np.sqrt(g.depths[3:])      # ~ constant: 1 / sqrt(depth)
        assert scaled.max() / scaled.min() < 1.6
        assert g.fraction[-1, 1] < 0.5 * g.fraction[0, 1]
    # the linear box stack: the fraction is exactly sqrt(D (k^2 - 1) / 12) / (2 D + 1)
    np.testing.assert_allclose(box.fraction[:, 1], np.sqrt(box.depths * 8 / 12)
                               / (2 * box.depths + 1), rtol=1e-12)
    assert repr(relu).startswith("ErfGrowth(relu, depths 1..16: std (cols) ")
    assert "\n" not in repr(relu) and len(repr(relu)) < 160


def test_fit_growth_exponent_equals_numpy_polyfit():
    rng = np.random.default_rng(0)
    x, y = rng.uniform(1, 50, 20), rng.uniform(0.5, 9, 20)
    assert fit_growth_exponent(x, y) == pytest.approx(np.polyfit(np.log(x), np.log(y), 1)[0],
                                                      rel=1e-12)


def test_erf_spread_is_stable_for_huge_values():
    np.testing.assert_allclose(erf_spread([[1e308] * 3]), (0.0, np.sqrt(2 / 3)), rtol=1e-12)
    np.testing.assert_allclose(erf_spread(np.full((2, 4), 1e308)),
                               erf_spread(np.ones((2, 4))), rtol=1e-12)


def test_erf_random_path_keeps_only_the_current_map():
    import tracemalloc

    tracemalloc.start()
    m = effective_receptive_field(120, 3, init="random")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 6 * m.nbytes                  # all 120 maps held would be ~40x


def test_erf_budget_is_an_argument():
    from cnnmotiv.budget import BudgetError

    with pytest.raises(BudgetError, match="max_depth or kernel_size"):
        erf_growth(300, 3, init="random", max_work=10**6)
    assert erf_growth(3, 3, max_work=10**3).depths.tolist() == [1, 2, 3]
    with pytest.raises(BudgetError, match="use a smaller size"):
        effective_receptive_field(2, 3, size=400, max_bytes=10**6)


REFUSED = [
    ("erf_growth(10**7, 3)", "use a smaller max_depth or kernel_size"),
    ("erf_growth(10**7, 3, init='random')", "use a smaller max_depth or kernel_size"),
    ("effective_receptive_field(10**5, 3, init='random')", "use a smaller depth or kernel_size"),
    ("effective_receptive_field(3, 10**6)", "use a smaller depth or kernel_size"),
    ("effective_receptive_field(2, 3, size=10**6)", "use a smaller size"),
    ("relu_effective_receptive_field(4, 3, n_inputs=10**9)", "kernel_size or n_inputs"),
    ("relu_erf_growth(10**4, 3)", "use a smaller max_depth, kernel_size or n_inputs"),
    ("measure_receptive_field([LayerSpec(3, pad_width=10**5)], (8, 8), (0, 0))",
     "use a smaller layers[0].pad_width"),
    ("measure_receptive_field([LayerSpec(3, pad_width=10**5)], (8, 8), (0, 0), "
     "method='convolution')", "use a smaller layers[0].pad_width"),
    ("measure_receptive_field([LayerSpec(3)], (10**5, 10**5), (0, 0))",
     "use a smaller input_shape"),
    ("layer_stack(2, 3, n=10**6)", "use a smaller n"),
]


@pytest.fixture(scope="module")
def refusals():
    """Run every REFUSED call in one address-space-capped child (tests/limits.py)."""
    from tests.limits import refusal_messages

    return refusal_messages([call for call, _ in REFUSED], setup="from cnnmotiv.receptive_fields import *")


@pytest.mark.parametrize("call, match", REFUSED)
def test_refused_sizes(call, match, refusals):
    assert refusals[call].startswith("refused: ") and match in refusals[call], refusals[call]


# ------------------------------------------------ the section's sizes, measured by impulses
@pytest.mark.parametrize("kernels, strides, sizes", [
    ((3, 3, 3), (1, 1, 1), [3, 5, 7]),          # three 3x3 layers: 3, 5, 7
    ((3, 5, 5), (1, 1, 1), [3, 7, 11]),         # kernels 3, 5, 5: 3, 7, 11
    ((3, 3, 3), (2, 1, 1), [3, 7, 11]),         # a stride-2 first layer: each later layer +4
    ((3, 3, 3, 3), (1, 2, 1, 1), [3, 5, 9, 13]),
])
def test_section_receptive_field_sizes(kernels, strides, sizes):
    layers = [LayerSpec(k, stride=s) for k, s in zip(kernels, strides)]
    assert [f.size[0] for f in receptive_field(layers)] == sizes
    for depth, size in enumerate(sizes, start=1):          # measured with numpy impulses
        hits = _oracle_support_1d(layers[:depth], 4 * sizes[-1], 0, 0)
        assert np.ptp(np.flatnonzero(hits)) + 1 == size
    # growth per layer after a stride: (k - 1) * product of the strides below it
    growth = np.diff([1] + sizes)
    jumps = np.cumprod([1] + list(strides[:-1]))
    assert growth.tolist() == [(k - 1) * j for k, j in zip(kernels, jumps)]
