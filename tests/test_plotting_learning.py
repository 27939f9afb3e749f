"""cnnmotiv.plotting.learning: the notebook-5 figures draw what the experiments measured."""

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from cnnmotiv.data import photo
from cnnmotiv.learning import experiments as X
from cnnmotiv.plotting import learning as P


@pytest.fixture(scope="module")
def fits():
    image = photo((64, 64))
    return (X.learn_edge_kernel(image, steps=60), X.learn_edge_local(image, steps=5),
            X.learn_edge_dense(image, crop=8, n_train=20, steps=20))


def _stats(name, values, params=100):
    v = np.asarray(values, dtype=float)
    return X.SeedStats(name, tuple(range(v.size)), v, np.minimum(v + 0.1, 1), params, 1.0)


def _readable(fig: Figure, minimum=8.0):
    fig.canvas.draw()
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_text().strip()]
    assert sizes and min(sizes) >= minimum


def test_edge_fit_figure_shows_both_kernels_and_the_errors(fits):
    conv, local, dense = fits
    fig = P.edge_fit_figure(X.SOBEL_X, conv, local, dense)
    images = [ax.images[0].get_array() for ax in fig.axes if ax.images]
    assert np.array_equal(images[0], X.SOBEL_X)
    assert np.array_equal(images[1], conv.kernel)
    assert np.allclose(images[2], np.abs(conv.prediction - conv.target))
    assert np.allclose(images[3], np.abs(local.prediction - local.target))
    assert np.array_equal(images[4], dense.kernel)
    texts = [t.get_text() for t in fig.axes[1].texts]
    assert texts == [f"{v:.2f}" for v in conv.kernel.ravel()]
    _readable(fig)


def test_edge_fit_figure_refuses_swapped_fits(fits):
    conv, local, _ = fits
    with pytest.raises(ValueError, match="conv and local"):
        P.edge_fit_figure(X.SOBEL_X, local, conv)


def test_accuracy_figure_puts_every_seed_and_the_published_value():
    ordered = {m: _stats(m, [0.3 + 0.2 * i, 0.32 + 0.2 * i, 0.34 + 0.2 * i])
               for i, m in enumerate(X.MODELS)}
    shuffled = {m: _stats(m, [0.3, 0.31]) for m in X.MODELS}
    fig = P.accuracy_figure(ordered, shuffled, published=X.PUBLISHED["paper"],
                            published_shuffled=X.PUBLISHED["paper_shuffled"])
    ax = fig.axes[0]
    ys = np.concatenate([c.get_offsets()[:, 1] for c in ax.collections])
    for s in list(ordered.values()) + list(shuffled.values()):
        assert all(np.isclose(ys, v).any() for v in s.test)
    for v in list(X.PUBLISHED["paper"].values()) + list(X.PUBLISHED["paper_shuffled"].values()):
        assert np.isclose(ys, v).any()
    labels = [t.get_text() for t in ax.texts]
    assert f"{ordered['cnn'].mean:.0%}" in labels
    _readable(fig)


def test_size_sweep_figure_draws_test_accuracy_and_gap():
    sweep = X.SizeSweep(np.array([250, 1000, 4000]),
                        {"mlp": np.array([0.4, 0.5, 0.6]), "cnn": np.array([0.6, 0.8, 0.9])},
                        {"mlp": np.array([1.0, 1.0, 0.95]), "cnn": np.array([1.0, 0.95, 0.93])},
                        False, 0)
    fig = P.size_sweep_figure(sweep)
    left, right = fig.axes
    assert np.allclose(left.lines[1].get_ydata(), sweep.test["cnn"])
    assert np.allclose(right.lines[0].get_ydata(), sweep.gap("mlp"))
    assert left.get_xscale() == "log"
    with pytest.raises(ValueError, match="quantity"):
        P.plot_size_sweep(sweep, quantity="loss")
    _readable(fig)


def test_first_layer_figure_scales_each_kernel_to_its_largest_tap():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(25, 5)), rng.normal(size=(25, 5))
    fig = P.first_layer_figure(a, b, dc_initial=X.kernel_dc_fraction(a),
                               dc_trained=X.kernel_dc_fraction(b))
    shown = fig.axes[1].images[0].get_array()
    assert np.allclose(shown, b / np.abs(b).max(axis=1, keepdims=True))
    assert f"{X.kernel_dc_fraction(b).mean():.2f}" in fig.axes[1].get_title()
    _readable(fig)


def test_plot_erf_and_training_curves_draw_the_given_values():
    p = np.full(40, 1 / 40)
    ax = P.plot_erf({"a": p, "b": p[::-1]}, widths={"a": 1.0, "b": 2.0})
    assert np.allclose(ax.lines[0].get_ydata(), p)
    assert "width 2.0" in ax.get_legend().get_texts()[1].get_text()
    run = X.trained_run("logreg", n_train=200, steps=20)
    ax = P.plot_training_curves({"logreg": run})
    assert list(ax.lines[0].get_xdata()) == run.steps
    _readable(ax.figure)
