"""cnnmotiv.learning: loss, optimisers, schedule, models, training, evaluation, input gradients,
and the MNIST-1D data."""

import random

import numpy as np
import pytest
import scipy.signal
import scipy.special

from cnnmotiv.learning import (
    SGD,
    Adam,
    Conv2d,
    Dataset,
    Dense,
    LocallyConnected2d,
    TrainingRun,
    accuracy,
    cosine_decay,
    evaluate,
    fit_regression,
    input_gradient,
    locally_connected_net,
    logistic_regression,
    mean_squared_error,
    mlp,
    mnist1d,
    paper_cnn,
    position_permutation,
    softmax_cross_entropy,
    train,
)
from cnnmotiv.receptive_fields import LayerSpec, input_region

# ----------------------------------------------------------------------------
# Loss
# ----------------------------------------------------------------------------


def test_softmax_cross_entropy_matches_scipy_and_finite_differences():
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((6, 4)) * 3
    labels = rng.integers(0, 4, 6)
    loss, grad = softmax_cross_entropy(logits, labels)
    expected = -scipy.special.log_softmax(logits, axis=1)[np.arange(6), labels].mean()
    assert loss == pytest.approx(expected, rel=1e-12)
    numeric = np.zeros_like(logits)
    for index in np.ndindex(*logits.shape):
        step = np.zeros_like(logits)
        step[index] = 1e-6
        numeric[index] = (softmax_cross_entropy(logits + step, labels)[0]
                          - softmax_cross_entropy(logits - step, labels)[0]) / 2e-6
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


def test_softmax_cross_entropy_is_stable_for_huge_logits():
    loss, grad = softmax_cross_entropy(np.array([[1000.0, 0.0], [0.0, 1000.0]]), [0, 0])
    assert loss == pytest.approx(500.0)
    assert np.isfinite(grad).all()


@pytest.mark.parametrize("logits, labels, exc, match", [
    (np.zeros((3, 4)), [0, 1], ValueError, r"labels must have shape \(3,\)"),
    (np.zeros((2, 4)), [0, 4], ValueError, r"\[0, 4\)"),
    (np.zeros((2, 4)), [0.0, 1.0], TypeError, "integer"),
    (np.full((2, 4), np.nan), [0, 1], ValueError, "finite"),
    (np.zeros(4), [0], ValueError, "logits"),
])
def test_loss_refuses_bad_input(logits, labels, exc, match):
    with pytest.raises(exc, match=match):
        softmax_cross_entropy(logits, labels)


def test_accuracy_counts_argmax_hits():
    assert accuracy([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]], [1, 1, 1]) == pytest.approx(2 / 3)


# ----------------------------------------------------------------------------
# Optimisers and schedule
# ----------------------------------------------------------------------------

def test_adam_matches_the_papers_bias_corrected_update():
    rng = np.random.default_rng(0)
    p = rng.standard_normal(5)
    ref, m, v = p.copy(), np.zeros(5), np.zeros(5)
    opt = Adam(0.05, betas=(0.8, 0.99), eps=1e-7)
    for t in range(1, 6):
        g = rng.standard_normal(5)
        opt.step(p, g)
        m = 0.8 * m + 0.2 * g
        v = 0.99 * v + 0.01 * g * g
        ref -= 0.05 * (m / (1 - 0.8 ** t)) / (np.sqrt(v / (1 - 0.99 ** t)) + 1e-7)
    np.testing.assert_allclose(p, ref, rtol=1e-12)


def test_optimisers_on_dicts_and_on_one_vector_agree():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal(3), rng.standard_normal((2, 2))
    flat = np.concatenate([a, b.ravel()])
    grads = [rng.standard_normal(7) for _ in range(3)]
    for make in (lambda: Adam(0.1), lambda: SGD(0.1, momentum=0.9)):
        params = {"a": a.copy(), "b": b.copy()}
        vector = flat.copy()
        opt_d, opt_v = make(), make()
        for g in grads:
            opt_d.step(params, {"a": g[:3], "b": g[3:].reshape(2, 2)})
            opt_v.step(vector, g)
        np.testing.assert_allclose(np.concatenate([params["a"], params["b"].ravel()]), vector,
                                   rtol=1e-14)


def test_sgd_with_momentum_is_the_heavy_ball_update():
    p, opt = np.array([1.0]), SGD(0.1, momentum=0.5)
    opt.step(p, np.array([1.0]))   # v = 1
    opt.step(p, np.array([1.0]))   # v = 1.5
    assert p[0] == pytest.approx(1.0 - 0.1 - 0.15)


def test_cosine_decay_runs_from_lr_to_zero_monotonically():
    lrs = [cosine_decay(t, 100, 0.01) for t in range(101)]
    assert lrs[0] == 0.01 and lrs[-1] == 0.0
    assert lrs[50] == pytest.approx(0.005)
    assert all(a >= b for a, b in zip(lrs, lrs[1:]))


@pytest.mark.parametrize("make, exc, match", [
    (lambda: SGD(0.0), ValueError, "lr"),
    (lambda: Adam(-1e-3), ValueError, "lr"),
    (lambda: Adam(float("nan")), ValueError, "lr"),
    (lambda: Adam("0.1"), TypeError, "lr"),
    (lambda: SGD(0.1, momentum=1.0), ValueError, "momentum"),
    (lambda: Adam(betas=(0.9,)), TypeError, "betas"),
    (lambda: cosine_decay(101, 100, 0.1), ValueError, "step"),
    (lambda: Adam().step(np.zeros(3), np.zeros(4)), ValueError, "grads"),
])
def test_optimiser_arguments_are_checked(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


# ----------------------------------------------------------------------------
# Models
# ----------------------------------------------------------------------------

def test_model_sizes_are_the_papers():
    assert logistic_regression(rng=0).n_parameters == 40 * 10 + 10
    assert mlp(rng=0).n_parameters == (40 * 100 + 100) + (100 * 100 + 100) + (100 * 10 + 10)
    conv = (5 * 1 * 25 + 25) + 2 * (3 * 25 * 25 + 25)
    assert paper_cnn(rng=0).n_parameters == conv + 5 * 25 * 10 + 10 == 5210
    lc = 19 * (5 * 25 + 25) + 10 * (3 * 25 * 25 + 25) + 5 * (3 * 25 * 25 + 25)
    assert locally_connected_net(rng=0).n_parameters == lc + 1260
    assert len(mlp(n_hidden_layers=1, rng=0)) == 3


def test_models_are_seeded():
    a, b = paper_cnn(rng=5), paper_cnn(rng=5)
    np.testing.assert_array_equal(a.parameter_vector(), b.parameter_vector())
    assert not np.array_equal(a.parameter_vector(), paper_cnn(rng=6).parameter_vector())


@pytest.mark.parametrize("build", [logistic_regression, mlp, paper_cnn, locally_connected_net])
def test_float32_models_compute_in_float32_from_the_same_initial_values(build):
    a, b = build(rng=5), build(rng=5, dtype=np.float32)
    assert b.parameter_vector().dtype == b.gradient_vector().dtype == np.float32
    assert all(p.dtype == np.float32 for p in b.params.values())
    np.testing.assert_array_equal(b.parameter_vector(), a.parameter_vector().astype(np.float32))
    x = np.random.default_rng(0).standard_normal((6, 40))
    y32 = b.forward(x.astype(np.float32))
    assert y32.dtype == np.float32
    np.testing.assert_allclose(y32, a.forward(x), rtol=1e-4, atol=1e-5)
    loss, g = softmax_cross_entropy(y32, np.arange(6) % 10)
    assert b.backward(g).dtype == np.float32 and g.dtype == np.float32
    a.backward(softmax_cross_entropy(a.forward(x), np.arange(6) % 10)[1])
    np.testing.assert_allclose(b.gradient_vector(), a.gradient_vector(), rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.float16, np.int64, "complex128", None, "float"])
def test_models_refuse_other_dtypes(dtype):
    if dtype == "float":  # numpy's "float" is float64: accepted
        assert paper_cnn(rng=0, dtype=dtype).parameter_vector().dtype == np.float64
        return
    with pytest.raises(TypeError, match="dtype"):
        paper_cnn(rng=0, dtype=dtype)


def test_a_float32_model_trains_in_float32():
    x, y = _blobs()
    run = train(logistic_regression(2, 2, rng=0, dtype=np.float32), Dataset(x, y, x, y),
                steps=100, batch_size=20, lr=0.05, eval_every=50)
    assert run.model.parameter_vector().dtype == np.float32
    assert run.final_train_accuracy == 1.0


# ----------------------------------------------------------------------------
# Training on tiny problems
# ----------------------------------------------------------------------------

def _blobs(n=200, seed=0):
    """Two well separated Gaussian blobs in 2-D (a linearly separable problem)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = rng.standard_normal((n, 2)) * 0.5 + np.where(y[:, None] == 1, 2.0, -2.0)
    return x, y


def _bumps(n=300, seed=0):
    """Signals of length 16 holding one bump, left half (class 0) or right half (class 1)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    centre = np.where(y == 1, rng.integers(9, 15, n), rng.integers(1, 7, n))
    x = np.exp(-0.5 * (np.arange(16) - centre[:, None]) ** 2) + 0.05 * rng.standard_normal((n, 16))
    return x, y


def test_logistic_regression_separates_two_blobs():
    x, y = _blobs()
    xt, yt = _blobs(seed=1)
    run = train(logistic_regression(2, 2, rng=0), Dataset(x, y, xt, yt), steps=300,
                batch_size=20, lr=0.05, eval_every=50)
    assert run.train_loss[-1] < 0.05
    assert run.final_test_accuracy == 1.0 and run.final_train_accuracy == 1.0


def test_sgd_training_decreases_the_loss():
    x, y = _blobs()
    run = train(logistic_regression(2, 2, rng=0), Dataset(x, y, x, y), steps=200, batch_size=20,
                optimizer="sgd", lr=0.1, schedule="constant", eval_every=20)
    assert run.test_loss[-1] < 0.5 * run.test_loss[0]


def test_a_small_cnn_learns_where_the_bump_is():
    x, y = _bumps()
    xt, yt = _bumps(seed=1)
    model = paper_cnn(channels=4, n_inputs=16, n_classes=2, rng=0)
    run = train(model, Dataset(x, y, xt, yt), steps=300, batch_size=25, lr=0.02, eval_every=100)
    assert run.final_test_accuracy >= 0.95
    assert run.test_loss[-1] < 0.2


def test_training_is_reproducible_and_reports_progress():
    x, y = _blobs()
    data = Dataset(x, y, x, y)
    seen = []
    runs = [train(logistic_regression(2, 2, rng=3), data, steps=50, batch_size=10, seed=4,
                  eval_every=20, callback=lambda run: seen.append((run.steps[-1], run.done)))
            for _ in range(2)]
    np.testing.assert_array_equal(runs[0].model.parameter_vector(),
                                  runs[1].model.parameter_vector())
    assert runs[0].steps == [20, 40, 50]
    assert seen[:3] == [(20, False), (40, False), (50, True)]
    assert isinstance(runs[0], TrainingRun) and "TrainingRun(step 50/50" in repr(runs[0])
    assert len(runs[0].train_loss) == len(runs[0].test_accuracy) == 3


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(optimizer="rmsprop"), ValueError, "optimizer"),
    (dict(lr=0), ValueError, "lr"),
    (dict(lr=-0.1), ValueError, "lr"),
    (dict(schedule="step"), ValueError, "schedule"),
    (dict(steps=0), ValueError, "steps"),
    (dict(batch_size=201), ValueError, "batch_size"),
    (dict(eval_every=0), ValueError, "eval_every"),
    (dict(callback=3), TypeError, "callback"),
    (dict(seed="x"), TypeError, "seed"),
])
def test_train_refuses_bad_arguments(kwargs, exc, match):
    x, y = _blobs()
    with pytest.raises(exc, match=match):
        train(logistic_regression(2, 2, rng=0), Dataset(x, y, x, y), **kwargs)


def test_train_refuses_data_that_does_not_fit_the_model():
    x, y = _blobs()
    with pytest.raises(ValueError, match="in_features"):
        train(logistic_regression(3, 2, rng=0), Dataset(x, y, x, y))
    with pytest.raises(ValueError, match="n_classes"):
        train(logistic_regression(2, 1, rng=0), Dataset(x, y, x, y))
    with pytest.raises(TypeError, match="data"):
        train(logistic_regression(2, 2, rng=0), (x, y, x, y))
    with pytest.raises(TypeError, match="model"):
        train(Dense(2, 2, rng=0), Dataset(x, y, x, y))


def test_nan_in_the_data_is_refused():
    x, y = _blobs()
    bad = x.copy()
    bad[17, 1] = np.nan
    with pytest.raises(ValueError, match="x_train must be finite"):
        Dataset(bad, y, x, y)
    with pytest.raises(ValueError, match="x must be finite"):
        logistic_regression(2, 2, rng=0).forward(bad[10:20])
    with pytest.raises(ValueError, match="y_test"):
        Dataset(x, y, x, y[:-1])
    with pytest.raises(TypeError, match="y_train"):
        Dataset(x, y.astype(float), x, y)


# ----------------------------------------------------------------------------
# Evaluation and input gradients
# ----------------------------------------------------------------------------

def test_evaluate_is_the_accuracy_of_the_logits():
    x, y = _blobs()
    model = logistic_regression(2, 2, rng=0)
    assert evaluate(model, x, y) == accuracy(model.forward(x), y)


def test_input_gradient_matches_finite_differences_and_the_receptive_field():
    model = paper_cnn(channels=3, rng=2)
    x = np.random.default_rng(0).standard_normal((2, 40))
    # unit (position 2, channel 1) of the third convolution (layer index 5)
    g = input_gradient(model, x, unit=(2, 1), layer=5)
    numeric = np.zeros_like(x)
    for index in np.ndindex(*x.shape):
        step = np.zeros_like(x)
        step[index] = 1e-6
        numeric[index] = (_unit(model, x + step, 5)[index[0], 2, 1]
                          - _unit(model, x - step, 5)[index[0], 2, 1]) / 2e-6
    np.testing.assert_allclose(g, numeric, rtol=1e-5, atol=1e-8)
    specs = [LayerSpec((1, 5), stride=(1, 2), pad_width=(0, 1)),
             LayerSpec((1, 3), stride=(1, 2), pad_width=(0, 1)),
             LayerSpec((1, 3), stride=(1, 2), pad_width=(0, 1))]
    _, (c0, c1) = input_region(specs, (0, 2))
    inside = np.zeros(40, bool)
    inside[max(c0, 0):c1] = True
    assert not g[:, ~inside].any()          # nothing outside the receptive field
    logits_grad = input_gradient(model, x, unit=3)
    assert logits_grad.shape == x.shape


def _unit(model, x, layer):
    h = x
    for lay in model.layers[:layer + 1]:
        h = lay.forward(h)
    return h


@pytest.mark.parametrize("kwargs, match", [
    (dict(unit=(2,), layer=5), "unit"),
    (dict(unit=(5, 0), layer=5), "unit"),
    (dict(unit=10), "unit"),
    (dict(unit=0, layer=20), "layer"),
])
def test_input_gradient_refuses_bad_units(kwargs, match):
    with pytest.raises(ValueError, match=match):
        input_gradient(paper_cnn(rng=0), np.zeros((1, 40)), **kwargs)


# ----------------------------------------------------------------------------
# MNIST-1D
# ----------------------------------------------------------------------------

def test_mnist1d_is_generated_locally_and_leaves_the_global_random_state_alone():
    np.random.seed(123)
    random.seed(123)
    expected_np, expected_py = np.random.random(), random.random()
    np.random.seed(123)
    random.seed(123)
    data = mnist1d()
    assert (np.random.random(), random.random()) == (expected_np, expected_py)
    assert data.x_train.shape == (4000, 40) and data.x_test.shape == (1000, 40)
    assert data.n_classes == 10 and set(np.bincount(data.y_train)) <= set(range(350, 450))
    assert not data.x_train.flags.writeable        # the cached arrays are shared: read-only
    assert mnist1d().x_train is data.x_train       # cached


def test_mnist1d_variants():
    data = mnist1d()
    shuffled = mnist1d(shuffled=True)
    perm = position_permutation()
    assert sorted(perm.tolist()) == list(range(40)) and (perm != np.arange(40)).any()
    np.testing.assert_array_equal(shuffled.x_train, data.x_train[:, perm])
    np.testing.assert_array_equal(shuffled.y_test, data.y_test)
    small = mnist1d(n_train=250)
    np.testing.assert_array_equal(small.x_train, data.x_train[:250])
    assert len(small.y_test) == 1000
    for kwargs, exc in [(dict(n_train=0), ValueError), (dict(n_train=4001), ValueError),
                        (dict(shuffled="yes"), TypeError), (dict(seed=-1), ValueError)]:
        with pytest.raises(exc, match=next(iter(kwargs))):
            mnist1d(**kwargs)


# ----------------------------------------------------------------------------
# Regression: learning a kernel (notebook 5, part 1)
# ----------------------------------------------------------------------------

def test_mean_squared_error_gradient_and_mask():
    rng = np.random.default_rng(0)
    p, t = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 3, 4))
    mask = np.zeros((3, 4), bool)
    mask[:2] = True
    loss, grad = mean_squared_error(p, t, mask=mask)
    assert loss == pytest.approx(np.mean((p - t)[:, :2] ** 2))
    numeric = np.zeros_like(p)
    for index in np.ndindex(*p.shape):
        step = np.zeros_like(p)
        step[index] = 1e-6
        numeric[index] = (mean_squared_error(p + step, t, mask=mask)[0]
                          - mean_squared_error(p - step, t, mask=mask)[0]) / 2e-6
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)
    with pytest.raises(ValueError, match="target"):
        mean_squared_error(p, t[:1])
    with pytest.raises(ValueError, match="mask"):
        mean_squared_error(p, t, mask=np.zeros((3, 4), bool))
    with pytest.raises(TypeError, match="mask"):
        mean_squared_error(p, t, mask=np.ones((3, 4)))


def test_a_conv2d_recovers_a_kernel_and_a_locally_connected_layer_only_where_it_saw_data():
    rng = np.random.default_rng(0)
    kernel = np.array([[0.0, -1.0, 0.0], [-1.0, 4.0, -1.0], [0.0, -1.0, 0.0]])
    image = rng.standard_normal((1, 12, 10, 1))
    target = scipy.signal.correlate2d(image[0, :, :, 0], kernel, mode="valid")[None, :, :, None]
    top = np.zeros((10, 8, 1), bool)
    top[:5] = True
    conv = Conv2d(1, 1, 3, rng=0)
    run = fit_regression(conv, image, target, steps=400, lr=0.05, mask=top)
    assert run.losses[-1] < 1e-6 < run.losses[0]
    np.testing.assert_allclose(conv.params["weight"][:, :, 0, 0], kernel, atol=1e-3)
    # the shared kernel generalises to the bottom half it never saw
    assert mean_squared_error(conv.forward(image), target, mask=~top)[0] < 1e-5
    lc = LocallyConnected2d(1, 1, 3, (12, 10), rng=0)
    before = lc.params["weight"].copy()
    fit_regression(lc, image, target, steps=50, lr=0.05, mask=top)
    assert (lc.params["weight"][5:] == before[5:]).all()      # bottom half: untouched
    assert (lc.params["weight"][:5] != before[:5]).any()
    assert mean_squared_error(lc.forward(image), target, mask=~top)[0] > 1.0


def test_fit_regression_refuses_bad_arguments():
    conv = Conv2d(1, 1, 3, rng=0)
    x = np.zeros((1, 5, 5, 1))
    with pytest.raises(ValueError, match="output shape"):
        fit_regression(conv, x, np.zeros((1, 5, 5, 1)))
    with pytest.raises(ValueError, match="optimizer"):
        fit_regression(conv, x, np.zeros((1, 3, 3, 1)), optimizer="lbfgs")
    with pytest.raises(ValueError, match="lr"):
        fit_regression(conv, x, np.zeros((1, 3, 3, 1)), lr=0)
    with pytest.raises(TypeError, match="model"):
        fit_regression(np.eye(3), x, x)
