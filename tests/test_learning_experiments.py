"""cnnmotiv.learning.experiments: the notebook-5 experiments, checked against independent code."""

import numpy as np
import pytest
import scipy.signal

from cnnmotiv.data import photo
from cnnmotiv.learning import Conv2d, input_gradient, mnist1d
from cnnmotiv.learning import experiments as X


@pytest.fixture(scope="module")
def small_photo():
    return photo((64, 64))


def test_edge_target_is_scipys_valid_correlation(small_photo):
    expected = scipy.signal.correlate2d(small_photo, X.SOBEL_X, mode="valid")
    assert np.allclose(X.edge_target(small_photo), expected)


def test_the_convolution_recovers_the_kernel_and_generalises(small_photo):
    fit = X.learn_edge_kernel(small_photo, steps=200, seed=1)
    assert fit.parameters == 10 and fit.kernel.shape == (3, 3)
    assert np.abs(fit.kernel - X.SOBEL_X).max() < 0.5
    # the well-determined direction on a smooth image: each column's sum (a horizontal slope)
    assert np.allclose(fit.kernel.sum(axis=0), X.SOBEL_X.sum(axis=0), atol=0.2)
    assert fit.test_rmse < 0.15 * fit.target_rms
    # the reported prediction is the learned kernel applied to the bottom half (scipy's correlation)
    layer_out = scipy.signal.correlate2d(small_photo[31:], fit.kernel, mode="valid")
    assert np.allclose(fit.prediction - layer_out, fit.prediction[0, 0] - layer_out[0, 0])
    assert fit.losses[-1] < fit.losses[0] / 10


def test_the_locally_connected_layer_never_changes_its_bottom_half(small_photo):
    fit = X.learn_edge_local(small_photo, steps=12)
    assert fit.layer == "locally_connected"          # the layer kind's one name (counting.LAYER_KINDS)
    assert fit.parameters == 62 * 62 * 10
    assert fit.train_rmse < 0.1 * fit.target_rms
    assert fit.test_rmse > fit.target_rms * 0.8
    # rows 31.. of the 62 output rows read only the bottom half and got no gradient at all
    bottom_share = (62 - 31) / 62
    assert fit.untouched_fraction >= bottom_share - 1e-12
    # what it predicts there is its random initial layer's output (same seed, same init)
    init = X.LocallyConnected2d(1, 1, 3, (64, 64), rng=np.random.default_rng(0))
    again = init.forward(small_photo[None, ..., None])[0, ..., 0]
    assert np.array_equal(again[31:], fit.prediction)


def test_the_full_size_dense_layer_is_refused_with_its_size():
    r = X.dense_edge_refusal((280, 320), (3, 3))
    assert (r.in_features, r.out_features) == (280 * 320, 278 * 318)
    assert r.nbytes == 16 * r.in_features * r.out_features
    assert f"{r.nbytes:,} bytes" in r.message


def test_a_dense_layer_that_fits_is_not_reported_as_refused():
    with pytest.raises(AssertionError, match="fitted the budget"):
        X.dense_edge_refusal((8, 8), (3, 3))


def test_dense_on_crops_trains_and_reports_one_outputs_weights(small_photo):
    fit = X.learn_edge_dense(small_photo, crop=8, n_train=30, steps=150)
    assert fit.parameters == 64 * 36 + 36 and fit.kernel.shape == (8, 8)
    assert fit.train_rmse < fit.test_rmse
    assert fit.prediction.shape == fit.target.shape == (30, 6, 6)


@pytest.mark.parametrize("call, match", [
    (lambda: X.learn_edge_kernel(np.zeros((4, 4))), "at least 8"),
    (lambda: X.learn_edge_kernel(photo((64, 64)), kernel=np.ones((2, 2))), "kernel"),
    (lambda: X.learn_edge_kernel(photo((64, 64)), crop=40), "crop"),
    (lambda: X.learn_edge_kernel(photo((64, 64)), steps=0), "steps"),
    (lambda: X.learn_edge_local(np.full((16, 16), np.nan)), "image"),
    (lambda: X.learn_edge_dense(photo((64, 64)), crop=40), "crop"),
])
def test_bad_arguments_are_refused_by_name(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_runs_are_cached_by_setting_and_deterministic():
    a = X.trained_run("logreg", n_train=300, steps=60)
    assert X.trained_run("logreg", n_train=300, steps=60) is a
    b = X.trained_run("logreg", n_train=300, steps=60, seed=1)
    assert b is not a
    key = ("logreg", 300, False, 0, 60)
    assert X.cached_runs()[key] is a
    X.clear_runs()
    again = X.trained_run("logreg", n_train=300, steps=60)
    assert again is not a and again.final_test_accuracy == a.final_test_accuracy


def test_callback_is_called_only_when_training():
    calls = []
    X.trained_run("logreg", n_train=200, steps=40, callback=calls.append)
    n = len(calls)
    assert n >= 1 and calls[-1].done
    X.trained_run("logreg", n_train=200, steps=40, callback=calls.append)
    assert len(calls) == n


@pytest.mark.parametrize("kwargs, match", [
    (dict(name="rnn"), "name"), (dict(name="mlp", n_train=0), "n_train"),
    (dict(name="mlp", shuffled="yes"), "shuffled"), (dict(name="mlp", seed=-1), "seed"),
    (dict(name="mlp", steps=0), "steps"),
])
def test_trained_run_refuses_bad_settings(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        X.trained_run(**kwargs)


def test_seed_study_statistics_are_those_of_the_runs():
    stats = X.seed_study(["logreg"], seeds=(0, 3), n_train=400, steps=50)["logreg"]
    runs = [X.trained_run("logreg", n_train=400, seed=s, steps=50) for s in (0, 3)]
    assert np.array_equal(stats.test, [r.final_test_accuracy for r in runs])
    assert stats.mean == pytest.approx(np.mean(stats.test))
    assert stats.spread == pytest.approx(np.std(stats.test, ddof=1))
    assert stats.gap == pytest.approx(np.mean(stats.train) - np.mean(stats.test))
    assert stats.parameters == 410
    with pytest.raises(ValueError, match="seeds"):
        X.seed_study(["logreg"], seeds=(1, 1))
    with pytest.raises(ValueError, match="names"):
        X.seed_study(["nope"])


def test_size_sweep_reuses_the_main_runs():
    main = X.trained_run("logreg", steps=30)
    sweep = X.size_sweep(["logreg"], [4000, 100], steps=30)
    assert sweep.sizes.tolist() == [100, 4000]
    assert sweep.test["logreg"][-1] == main.final_test_accuracy
    assert X.trained_run("logreg", n_train=4000, steps=30) is main
    assert np.array_equal(sweep.gap("logreg"), sweep.train["logreg"] - sweep.test["logreg"])


def test_kernel_dc_fraction_against_its_definition():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(2000, 5))
    f = X.kernel_dc_fraction(w)
    assert np.allclose(f, [5 * row.mean() ** 2 / (row ** 2).sum() for row in w])
    assert 0 <= f.min() and f.max() <= 1
    assert abs(f.mean() - 0.2) < 0.02          # random taps: about 1/k
    assert X.kernel_dc_fraction([[1.0, -2.0, 1.0]]).tolist() == [0.0]
    with pytest.raises(ValueError, match="all-zero"):
        X.kernel_dc_fraction([[0.0, 0.0]])


def test_first_layer_kernels_are_the_first_convolution_weights():
    model = X.build_model("cnn", seed=3)
    k = X.first_layer_kernels(model)
    assert np.array_equal(k, model.layers[1].params["weight"][:, 0, :].T)
    with pytest.raises(ValueError, match="1-D convolution"):
        X.first_layer_kernels(X.build_model("mlp"))


def test_measured_erf_lives_in_the_receptive_field_and_matches_input_gradient():
    model = X.build_model("cnn", seed=0)
    x = np.random.default_rng(1).normal(size=(64, 40))
    erf = X.measured_erf(model, x)
    # middle unit (2) of the third convolution: inputs 9..25 (receptive field 17)
    assert set(np.flatnonzero(erf)) <= set(range(9, 26))
    assert np.count_nonzero(erf) > 10
    layer = 6          # Reshape, Conv, ReLU, Conv, ReLU, Conv, ReLU
    total = sum(np.abs(input_gradient(model, x, unit=(2, c), layer=layer)).mean(axis=0)
                for c in range(25))
    assert np.allclose(erf, total / total.sum())
    # finite differences for one sample and channel
    i, c, eps = 17, 4, 1e-6
    g = input_gradient(model, x[:1], unit=(2, c), layer=layer)[0, i]
    xp, xm = x[:1].copy(), x[:1].copy()
    xp[0, i] += eps
    xm[0, i] -= eps

    def unit(v):
        h = v
        for lay in model.layers[:layer + 1]:
            h = lay.forward(h)
        return h[0, 2, c]

    assert g == pytest.approx((unit(xp) - unit(xm)) / (2 * eps), abs=1e-6)


def test_erf_width_is_a_standard_deviation():
    p = np.zeros(40)
    p[[10, 14]] = 0.5
    assert X.erf_width(p) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="sum to 1"):
        X.erf_width([0.2, 0.2])


def test_mnist1d_data_is_the_learning_modules_data():
    d = X.mnist1d_data(n_train=100)
    assert np.array_equal(d.x_train, mnist1d().x_train[:100])


def test_conv2d_layer_used_for_the_kernel_is_a_correlation():
    layer = Conv2d(1, 1, 3, rng=0)
    x = np.random.default_rng(0).random((10, 12))
    y = layer.forward(x[None, ..., None])[0, ..., 0]
    w = layer.params["weight"][:, :, 0, 0]
    assert np.allclose(y, scipy.signal.correlate2d(x, w, mode="valid") + layer.params["bias"][0])


def test_measured_erf_of_a_float32_model_agrees_with_float64():
    x = np.random.default_rng(2).normal(size=(32, 40))
    e64 = X.measured_erf(X.build_model("cnn", seed=1), x)
    e32 = X.measured_erf(X.build_model("cnn", seed=1, dtype=np.float32), x)
    np.testing.assert_allclose(e32, e64, rtol=1e-4, atol=1e-6)
