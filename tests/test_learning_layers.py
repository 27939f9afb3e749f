"""cnnmotiv.learning layers: gradients against finite differences, forward passes against scipy,
the locally connected layer with tied weights against the convolution, and bad input."""

import numpy as np
import pytest
import scipy.signal
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnmotiv.budget import BudgetError
from cnnmotiv.convolution import correlate_channels
from cnnmotiv.learning import (
    Conv1d,
    Conv2d,
    Dense,
    Flatten,
    LocallyConnected1d,
    LocallyConnected2d,
    MaxPool1d,
    ReLU,
    Reshape,
    Sequential,
    input_gradient_correlation,
    locally_connected_net,
    paper_cnn,
    weight_gradient,
)

EPS = 1e-6


# ----------------------------------------------------------------------------
# Finite differences (central), on float64
# ----------------------------------------------------------------------------

def numerical_gradient(f, array):
    """d f() / d array by central differences, perturbing ``array`` in place."""
    grad = np.zeros_like(array)
    flat, gflat = array.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + EPS
        plus = f()
        flat[i] = old - EPS
        minus = f()
        flat[i] = old
        gflat[i] = (plus - minus) / (2 * EPS)
    return grad


def check_layer_gradients(layer, x, seed=0):
    """Analytic gradients of ``sum(R * layer(x))`` (inputs and every param) vs numerical ones."""
    rng = np.random.default_rng(seed)
    y = layer.forward(x)
    r = rng.standard_normal(y.shape)
    grad_x = layer.backward(r)
    analytic = {k: g.copy() for k, g in layer.grads.items()}

    def loss():
        return float(np.sum(r * layer.forward(x)))

    np.testing.assert_allclose(grad_x, numerical_gradient(loss, x), rtol=1e-5, atol=1e-7,
                               err_msg="input gradient")
    for key, p in layer.params.items():
        np.testing.assert_allclose(analytic[key], numerical_gradient(loss, p), rtol=1e-5,
                                   atol=1e-7, err_msg=f"gradient of {key}")


@st.composite
def conv1d_cases(draw):
    k = draw(st.integers(1, 4))
    stride = draw(st.integers(1, 3))
    pad = draw(st.integers(0, 2))
    length = draw(st.integers(max(1, k - 2 * pad), 9))
    return dict(n=draw(st.integers(1, 2)), c_in=draw(st.integers(1, 3)),
                c_out=draw(st.integers(1, 3)), k=k, stride=stride, pad=pad, length=length,
                seed=draw(st.integers(0, 2**16)))


@st.composite
def conv2d_cases(draw):
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    sh, sw = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, 1)), draw(st.integers(0, 2))
    h = draw(st.integers(max(1, kh - 2 * ph), 5))
    w = draw(st.integers(max(1, kw - 2 * pw), 6))
    return dict(n=draw(st.integers(1, 2)), c_in=draw(st.integers(1, 2)),
                c_out=draw(st.integers(1, 2)), k=(kh, kw), stride=(sh, sw), pad=(ph, pw),
                shape=(h, w), seed=draw(st.integers(0, 2**16)))


# ----------------------------------------------------------------------------
# Gradients
# ----------------------------------------------------------------------------

@settings(max_examples=25)
@given(conv1d_cases())
def test_conv1d_gradients_match_finite_differences(c):
    layer = Conv1d(c["c_in"], c["c_out"], c["k"], stride=c["stride"], pad_width=c["pad"],
                   rng=c["seed"])
    x = np.random.default_rng(c["seed"]).standard_normal((c["n"], c["length"], c["c_in"]))
    check_layer_gradients(layer, x, c["seed"])


@settings(max_examples=15)
@given(conv2d_cases())
def test_conv2d_gradients_match_finite_differences(c):
    layer = Conv2d(c["c_in"], c["c_out"], c["k"], stride=c["stride"], pad_width=c["pad"],
                   rng=c["seed"])
    x = np.random.default_rng(c["seed"]).standard_normal((c["n"], *c["shape"], c["c_in"]))
    check_layer_gradients(layer, x, c["seed"])


@settings(max_examples=20)
@given(conv1d_cases())
def test_locally_connected1d_gradients_match_finite_differences(c):
    layer = LocallyConnected1d(c["c_in"], c["c_out"], c["k"], c["length"], stride=c["stride"],
                               pad_width=c["pad"], rng=c["seed"])
    x = np.random.default_rng(c["seed"]).standard_normal((c["n"], c["length"], c["c_in"]))
    check_layer_gradients(layer, x, c["seed"])


@settings(max_examples=10)
@given(conv2d_cases())
def test_locally_connected2d_gradients_match_finite_differences(c):
    layer = LocallyConnected2d(c["c_in"], c["c_out"], c["k"], c["shape"], stride=c["stride"],
                               pad_width=c["pad"], rng=c["seed"])
    x = np.random.default_rng(c["seed"]).standard_normal((c["n"], *c["shape"], c["c_in"]))
    check_layer_gradients(layer, x, c["seed"])


@settings(max_examples=15)
@given(st.integers(1, 3), st.integers(1, 5), st.integers(1, 4), st.integers(0, 2**16))
def test_dense_gradients_match_finite_differences(n, d_in, d_out, seed):
    x = np.random.default_rng(seed).standard_normal((n, d_in))
    check_layer_gradients(Dense(d_in, d_out, rng=seed), x, seed)


@settings(max_examples=15)
@given(st.integers(1, 2), st.integers(1, 9), st.integers(1, 3), st.integers(1, 3),
       st.integers(1, 3), st.integers(0, 2**16))
def test_maxpool_relu_flatten_reshape_gradients(n, length, channels, size, stride, seed):
    size = min(size, length)
    x = np.random.default_rng(seed).standard_normal((n, length, channels))
    check_layer_gradients(MaxPool1d(size, stride=stride), x, seed)
    check_layer_gradients(ReLU(), x, seed)
    check_layer_gradients(Flatten(), x, seed)
    check_layer_gradients(Reshape((channels, length)), x, seed)


def test_model_gradient_vector_matches_finite_differences():
    """The whole stack (small paper CNN) and its one flat gradient vector."""
    for make in (paper_cnn, locally_connected_net):
        model = make(channels=2, rng=3)
        rng = np.random.default_rng(1)
        x = rng.standard_normal((2, 40))
        r = rng.standard_normal((2, 10))
        model.forward(x)
        grad_x = model.backward(r)
        theta = model.parameter_vector()
        idx = rng.choice(theta.size, 40, replace=False)

        def loss():
            return float(np.sum(r * model.forward(x)))

        analytic = model.gradient_vector()[idx].copy()
        numeric = []
        for i in idx:
            old = theta[i]
            theta[i] = old + EPS
            plus = loss()
            theta[i] = old - EPS
            minus = loss()
            theta[i] = old
            numeric.append((plus - minus) / (2 * EPS))
        np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(grad_x, numerical_gradient(loss, x), rtol=1e-5, atol=1e-7)


def test_backward_without_input_gradient_fills_the_same_grads():
    model = paper_cnn(channels=3, rng=0)
    x, r = np.random.default_rng(0).standard_normal((2, 2, 40))[0], np.ones((2, 10))
    model.forward(x)
    model.backward(r)
    full = model.gradient_vector().copy()
    model.gradient_vector()[:] = 0
    assert model.backward(r, input_grad=False) is None
    np.testing.assert_array_equal(model.gradient_vector(), full)


# ----------------------------------------------------------------------------
# Forward passes against scipy
# ----------------------------------------------------------------------------

@settings(max_examples=30)
@given(conv1d_cases())
def test_conv1d_forward_matches_scipy_correlate(c):
    layer = Conv1d(c["c_in"], c["c_out"], c["k"], stride=c["stride"], pad_width=c["pad"],
                   rng=c["seed"])
    x = np.random.default_rng(c["seed"]).standard_normal((c["n"], c["length"], c["c_in"]))
    y = layer.forward(x)
    w, b, p = layer.params["weight"], layer.params["bias"], c["pad"]
    for n in range(c["n"]):
        for o in range(c["c_out"]):
            expected = b[o] + sum(
                scipy.signal.correlate(np.pad(x[n, :, ci], p), w[:, ci, o], mode="valid")
                for ci in range(c["c_in"]))[::c["stride"]]
            np.testing.assert_allclose(y[n, :, o], expected, rtol=1e-12, atol=1e-12)


@settings(max_examples=20)
@given(conv2d_cases())
def test_conv2d_forward_matches_scipy_correlate2d(c):
    layer = Conv2d(c["c_in"], c["c_out"], c["k"], stride=c["stride"], pad_width=c["pad"],
                   rng=c["seed"])
    x = np.random.default_rng(c["seed"]).standard_normal((c["n"], *c["shape"], c["c_in"]))
    y = layer.forward(x)
    w, b = layer.params["weight"], layer.params["bias"]
    (ph, pw), (sh, sw) = c["pad"], c["stride"]
    for n in range(c["n"]):
        for o in range(c["c_out"]):
            expected = b[o] + sum(
                scipy.signal.correlate2d(np.pad(x[n, :, :, ci], ((ph, ph), (pw, pw))),
                                         w[:, :, ci, o], mode="valid")
                for ci in range(c["c_in"]))[::sh, ::sw]
            np.testing.assert_allclose(y[n, :, :, o], expected, rtol=1e-12, atol=1e-12)


# ----------------------------------------------------------------------------
# Sharing: locally connected with equal weights is the convolution, exactly
# ----------------------------------------------------------------------------

def _integer_valued(rng, shape):
    """Small integers as floats: every sum below is exact, so results can be compared with ==."""
    return rng.integers(-3, 4, size=shape).astype(float)


def _tie(lc, conv, rng):
    conv.params["weight"][...] = _integer_valued(rng, conv.params["weight"].shape)
    conv.params["bias"][...] = _integer_valued(rng, conv.params["bias"].shape)
    lc.params["weight"][...] = conv.params["weight"]   # broadcast: one kernel at every position
    lc.params["bias"][...] = conv.params["bias"]


@settings(max_examples=30)
@given(conv1d_cases())
def test_locally_connected1d_with_tied_weights_is_conv1d_exactly(c):
    args = (c["c_in"], c["c_out"], c["k"])
    conv = Conv1d(*args, stride=c["stride"], pad_width=c["pad"], rng=0)
    lc = LocallyConnected1d(*args, c["length"], stride=c["stride"], pad_width=c["pad"], rng=0)
    rng = np.random.default_rng(c["seed"])
    _tie(lc, conv, rng)
    x = _integer_valued(rng, (c["n"], c["length"], c["c_in"]))
    y = conv.forward(x)
    np.testing.assert_array_equal(lc.forward(x), y)
    g = _integer_valued(rng, y.shape)
    np.testing.assert_array_equal(lc.backward(g), conv.backward(g))
    # the shared weight's gradient is the sum of the per-position gradients
    np.testing.assert_array_equal(lc.grads["weight"].sum(axis=0), conv.grads["weight"])
    np.testing.assert_array_equal(lc.grads["bias"].sum(axis=0), conv.grads["bias"])


@settings(max_examples=15)
@given(conv2d_cases())
def test_locally_connected2d_with_tied_weights_is_conv2d_exactly(c):
    args = (c["c_in"], c["c_out"], c["k"])
    conv = Conv2d(*args, stride=c["stride"], pad_width=c["pad"], rng=0)
    lc = LocallyConnected2d(*args, c["shape"], stride=c["stride"], pad_width=c["pad"], rng=0)
    rng = np.random.default_rng(c["seed"])
    _tie(lc, conv, rng)
    x = _integer_valued(rng, (c["n"], *c["shape"], c["c_in"]))
    y = conv.forward(x)
    np.testing.assert_array_equal(lc.forward(x), y)
    g = _integer_valued(rng, y.shape)
    np.testing.assert_array_equal(lc.backward(g), conv.backward(g))
    np.testing.assert_array_equal(lc.grads["weight"].sum(axis=(0, 1)), conv.grads["weight"])


@settings(max_examples=25)
@given(conv1d_cases())
def test_weight_gradient_is_the_correlation_of_input_and_output_gradient(c):
    """The docstring's claim: dW = correlate_channels(x^T, dy^T, dilation=stride), cropped."""
    rng = np.random.default_rng(c["seed"])
    xp = rng.standard_normal((c["n"], c["length"] + 2 * c["pad"], c["c_in"]))
    l_out = (xp.shape[1] - c["k"]) // c["stride"] + 1
    g = rng.standard_normal((c["n"], l_out, c["c_out"]))
    as_correlation = correlate_channels(xp.transpose(2, 1, 0), g.transpose(1, 0, 2),
                                        dilation=c["stride"])[:, :c["k"]].transpose(1, 0, 2)
    np.testing.assert_allclose(weight_gradient(xp, g, (c["k"],), (c["stride"],)),
                               as_correlation, rtol=1e-12, atol=1e-12)


def test_input_gradient_is_a_correlation_with_the_flipped_kernel():
    """Stride 1: dx = 'full' correlation of dy with the flipped kernel (scipy.signal.convolve)."""
    rng = np.random.default_rng(0)
    w = rng.standard_normal((4, 1, 1))
    g = rng.standard_normal((1, 7, 1))
    dx = input_gradient_correlation(g, w, (10,), (1,))
    np.testing.assert_allclose(dx[0, :, 0], scipy.signal.convolve(g[0, :, 0], w[:, 0, 0]),
                               rtol=1e-12, atol=1e-12)


# ----------------------------------------------------------------------------
# Initialisation, parameters, bad input
# ----------------------------------------------------------------------------

def test_initialisation_is_seeded_and_uniform_in_the_documented_bound():
    a, b = Conv1d(25, 25, 3, rng=7), Conv1d(25, 25, 3, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(a.params["weight"], b.params["weight"])
    assert not np.array_equal(a.params["weight"], Conv1d(25, 25, 3, rng=8).params["weight"])
    bound = 1 / np.sqrt(3 * 25)
    assert np.abs(a.params["weight"]).max() <= bound
    assert np.abs(a.params["weight"]).max() > 0.9 * bound


def test_sequential_params_are_views_of_one_vector():
    model = Sequential([Dense(3, 2, rng=0), ReLU(), Dense(2, 2, rng=1)])
    theta = model.parameter_vector()
    theta[:] = 0.5
    assert all((p == 0.5).all() for p in model.params.values())
    assert model.params["0.weight"] is model.layers[0].params["weight"]
    assert theta.size == model.n_parameters == 3 * 2 + 2 + 2 * 2 + 2


@pytest.mark.parametrize("make, args, match", [
    (lambda: Conv1d(2, 3, 3, rng=0), np.zeros((1, 5, 3)), "2 channels"),
    (lambda: Conv1d(2, 3, 3, rng=0), np.zeros((5, 2)), "shape"),
    (lambda: Conv1d(1, 1, 5, rng=0), np.zeros((1, 3, 1)), "kernel_size"),
    (lambda: Conv2d(1, 1, 2, rng=0), np.zeros((1, 3, 3)), "shape"),
    (lambda: LocallyConnected1d(1, 1, 3, 10, rng=0), np.zeros((1, 9, 1)), "in_length"),
    (lambda: Dense(4, 2, rng=0), np.zeros((3, 5)), "in_features"),
    (lambda: Dense(4, 2, rng=0), np.full((3, 4), np.nan), "finite"),
    (lambda: Conv1d(1, 1, 2, rng=0), np.array([[[1.0], [np.inf], [0.0]]]), "finite"),
    (lambda: MaxPool1d(4), np.zeros((1, 3, 1)), "size"),
    (lambda: Reshape((40, 1)), np.zeros((2, 39)), "40"),
])
def test_bad_inputs_are_refused_naming_the_problem(make, args, match):
    with pytest.raises(ValueError, match=match):
        make().forward(args)


@pytest.mark.parametrize("make, exc, match", [
    (lambda: Conv1d(0, 1, 3, rng=0), ValueError, "in_channels"),
    (lambda: Conv1d(1, 1, 3.0, rng=0), TypeError, "kernel_size"),
    (lambda: Conv1d(1, 1, 3, stride=0, rng=0), ValueError, "stride"),
    (lambda: Conv1d(1, 1, 3, pad_width=-1, rng=0), ValueError, "pad_width"),
    (lambda: Conv2d(1, 1, (2, 2, 2), rng=0), TypeError, "kernel_size"),
    (lambda: Conv1d(1, 1, 3, rng="seed"), TypeError, "rng"),
    (lambda: Conv1d(1, 1, 3, rng=-1), ValueError, "rng"),
    (lambda: LocallyConnected1d(1, 1, 5, 3, rng=0), ValueError, "kernel_size"),
    (lambda: MaxPool1d(0), ValueError, "size"),
    (lambda: Sequential([]), ValueError, "layers"),
    (lambda: Sequential([Dense(2, 2, rng=0), "relu"]), TypeError, r"layers\[1\]"),
])
def test_bad_arguments_are_refused_naming_the_parameter(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


def test_backward_checks_its_gradient():
    conv = Conv1d(1, 2, 3, rng=0)
    with pytest.raises(RuntimeError, match="forward"):
        conv.backward(np.zeros((1, 3, 2)))
    conv.forward(np.zeros((1, 5, 1)))
    with pytest.raises(ValueError, match="grad_y"):
        conv.backward(np.zeros((1, 4, 2)))


def test_dense_layer_on_the_full_photo_is_refused_with_its_size():
    """The section's point: a dense layer from 280 x 320 pixels to 278 x 318 outputs."""
    with pytest.raises(BudgetError, match="bytes") as info:
        Dense(280 * 320, 278 * 318, rng=0)
    assert info.value.nbytes == 2 * 8 * 280 * 320 * 278 * 318
    assert info.value.parameter == "in_features"
    # the locally connected layer at full size is fine: 9 weights per position
    assert LocallyConnected2d(1, 1, 3, (280, 320), rng=0).n_parameters == 278 * 318 * 10


def test_sequential_checks_every_new_input_shape_and_every_batch_for_nan():
    model = paper_cnn(channels=2, rng=0)
    model.forward(np.zeros((3, 40)))          # checked once, then the fast path
    with pytest.raises(ValueError, match="in_features|shape"):
        model.forward(np.zeros((3, 41)))
    bad = np.zeros((3, 40))
    bad[1, 7] = np.nan
    with pytest.raises(ValueError, match="x must be finite"):
        model.forward(bad)
    model.forward(np.zeros((3, 40)))
    with pytest.raises(ValueError, match="grad_y"):
        model.backward(np.zeros((3, 9)))


@settings(max_examples=25)
@given(st.one_of(conv1d_cases(), conv2d_cases()))
def test_conv_backward_equals_the_textbook_gradients_of_the_strided_correlation(c):
    """Conv1d/Conv2d.backward are weight_gradient and input_gradient_correlation of the padded
    input (whatever rearrangement the layer's forward pass uses internally)."""
    two_d = "shape" in c
    make = Conv2d if two_d else Conv1d
    layer = make(c["c_in"], c["c_out"], c["k"], stride=c["stride"], pad_width=c["pad"],
                 rng=c["seed"])
    rng = np.random.default_rng(c["seed"])
    x = rng.standard_normal((c["n"], *(c["shape"] if two_d else (c["length"],)), c["c_in"]))
    y = layer.forward(x)
    g = rng.standard_normal(y.shape)
    grad_x = layer.backward(g)
    pads = c["pad"] if two_d else (c["pad"],)
    xp = np.pad(x, [(0, 0), *((p, p) for p in pads), (0, 0)])
    kernel = c["k"] if two_d else (c["k"],)
    stride = c["stride"] if two_d else (c["stride"],)
    np.testing.assert_allclose(layer.grads["weight"], weight_gradient(xp, g, kernel, stride),
                               rtol=1e-10, atol=1e-12)
    grad_xp = input_gradient_correlation(g, layer.params["weight"], xp.shape[1:-1], stride)
    crop = (slice(None), *(slice(p, m - p) for p, m in zip(pads, xp.shape[1:-1])))
    np.testing.assert_allclose(grad_x, grad_xp[crop], rtol=1e-10, atol=1e-12)
