"""Tests for cnnmotiv.plotting.efficiency: the numbers drawn are the numbers computed."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
import scipy.signal
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from cnnmotiv import timing
from cnnmotiv.counting import LAYER_FORMS, compare_layers
from cnnmotiv.data import photo
from cnnmotiv.plotting.efficiency import (EDGE_KERNELS, FIGURES, METRICS, edge_map,
                                          layer_costs, plot_cost_bars, plot_cost_comparison,
                                          plot_dense_scaling, plot_edge_detection, plot_edge_map,
                                          plot_time_bars)
from cnnmotiv.plotting.style import ROLE
from cnnmotiv.timing import ScalingStudy, Timings, extrapolate_dense, fit_power_law


@pytest.fixture(autouse=True)
def no_pyplot_figures():
    before = plt.get_fignums()
    yield
    assert plt.get_fignums() == before, "a helper registered a figure with pyplot"


# ---------------------------------------------------------------- numbers

@given(h=st.integers(3, 400), w=st.integers(3, 400), kh=st.integers(1, 3), kw=st.integers(1, 3))
def test_layer_costs_follow_the_formulas(h, w, kh, kw):
    costs = layer_costs((h, w), (kh, kw))
    m, k = h * w, kh * kw
    n = (h - kh + 1) * (w - kw + 1)
    assert costs["parameters"] == {"dense": m * n, "locally_connected": n * k, "sparse": k,
                                  "conv": k}
    assert costs["stored numbers"] == {"dense": m * n, "locally_connected": n * k,
                                       "sparse": n * k, "conv": k}
    assert costs["MACs"] == {"dense": m * n, "locally_connected": n * k,
                             "sparse": n * k, "conv": n * k}
    layers = compare_layers((h, w), (kh, kw))
    assert costs["MACs"]["dense"] == layers["dense"].macs
    assert costs["parameters"]["locally_connected"] == layers["locally_connected"].parameters


def test_layer_costs_of_the_section_photo():
    costs = layer_costs()
    assert costs["MACs"]["dense"] == 7_920_998_400 == 89_600 * 88_404
    assert costs["MACs"]["conv"] == 795_636 == 88_404 * 9
    assert costs["MACs"]["dense"] / costs["MACs"]["conv"] == pytest.approx(89_600 / 9)


@pytest.mark.parametrize("name", list(EDGE_KERNELS))
def test_edge_map_matches_scipy_on_the_photo(name):
    image = photo()
    kernel = EDGE_KERNELS[name]
    np.testing.assert_allclose(edge_map(image, kernel),
                               scipy.signal.correlate2d(image, kernel, mode="valid"), atol=1e-12)


def test_two_tap_kernels_are_neighbour_differences():
    image = photo()
    np.testing.assert_allclose(edge_map(image, EDGE_KERNELS["[-1, 1] (2-tap, horizontal change)"]),
                               np.diff(image, axis=1), atol=1e-12)
    np.testing.assert_allclose(edge_map(image, EDGE_KERNELS["[-1, 1]ᵀ (2-tap, vertical change)"]),
                               np.diff(image, axis=0), atol=1e-12)


def test_edge_kernels_are_read_only_and_sum_to_zero():
    for kernel in EDGE_KERNELS.values():
        assert not kernel.flags.writeable
        assert kernel.sum() == 0  # a flat image has no edges
    with pytest.raises(ValueError):
        EDGE_KERNELS["Sobel x (3×3, horizontal change)"][0, 0] = 5


# ---------------------------------------------------------------- edge figures

def test_plot_edge_map_shows_the_correlation_with_symmetric_limits():
    rng = np.random.default_rng(0)
    image = rng.random((20, 30))
    kernel = EDGE_KERNELS["Sobel y (3×3, vertical change)"]
    ax = plot_edge_map(image, kernel)
    assert isinstance(ax, Axes)
    shown = ax.images[0]
    np.testing.assert_allclose(shown.get_array(),
                               scipy.signal.correlate2d(image, kernel, mode="valid"))
    lo, hi = shown.get_clim()
    assert lo == -hi and hi > 0
    assert ax.get_title() == "18×28 outputs, 9 MACs each"


def test_plot_edge_map_on_a_flat_image_keeps_positive_limits():
    ax = plot_edge_map(np.ones((5, 5)), [[-1, 1]], title="flat", colorbar=True)
    assert ax.images[0].get_clim() == (-1.0, 1.0)
    assert len(ax.figure.axes) == 2  # the colour bar


def test_plot_edge_detection_default_panels():
    fig = plot_edge_detection()
    assert isinstance(fig, Figure)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0] == "input 280×320"
    assert "280×319" in titles[1] and "2 MACs" in titles[1]
    assert "278×318" in titles[2] and "9 MACs" in titles[2]
    np.testing.assert_allclose(fig.axes[0].images[0].get_array(), photo())


def test_plot_edge_detection_custom_and_errors():
    image = np.zeros((6, 8))
    image[:, 4:] = 1
    fig = plot_edge_detection(image, {"a": [[-1, 1]], "b": [[1], [-1]], "c": np.ones((3, 3))})
    assert len(fig.axes) == 4
    with pytest.raises(ValueError, match="kernels must hold at least one"):
        plot_edge_detection(image, {})
    with pytest.raises(ValueError, match="image must be 2-D"):
        plot_edge_detection(np.zeros(5))
    with pytest.raises(ValueError, match="kernel must be finite"):
        plot_edge_map(image, [[np.nan, 1]])


# ---------------------------------------------------------------- cost bars



def test_plot_cost_bars_heights_are_the_counts():
    costs = layer_costs((40, 50), (5, 3))
    ax = plot_cost_bars(costs)
    assert ax.get_yscale() == "log"
    assert len(ax.containers) == len(LAYER_FORMS)
    for kind, bars in zip(LAYER_FORMS, ax.containers):
        heights = [p.get_height() for p in bars.patches]
        assert heights == [costs[m][kind] for m in METRICS]
        assert bars.patches[0].get_facecolor()[:3] == pytest.approx(to_rgb(
            ROLE[kind]))
    assert len(ax.texts) == len(LAYER_FORMS) * len(METRICS)
    assert [t.get_text() for t in ax.get_xticklabels()] == list(METRICS)


def test_plot_cost_bars_errors():
    with pytest.raises(ValueError, match="non-empty mapping"):
        plot_cost_bars({})
    with pytest.raises(ValueError, match=r"unknown kind\(s\) \['fft'\]"):
        plot_cost_bars({"MACs": {"fft": 3}})


def test_plot_time_bars_marks_extrapolated():
    seconds = {"dense": 4.0, "sparse": 3e-3, "conv": 5e-4}
    ax = plot_time_bars(seconds, extrapolated=["dense"])
    patches = ax.patches
    assert [p.get_height() for p in patches] == [4.0, 3e-3, 5e-4]
    assert patches[0].get_hatch() and not patches[1].get_hatch()
    assert "extrapolated" in ax.texts[0].get_text()
    assert ax.texts[0].get_text().startswith("4 s")
    with pytest.raises(ValueError, match="unknown kind"):
        plot_time_bars({"gpu": 1.0})
    with pytest.raises(ValueError, match="unknown kind"):
        plot_time_bars({"conv": 1.0}, extrapolated=["dens"])
    with pytest.raises(ValueError, match="non-empty mapping"):
        plot_time_bars({})


def test_plot_cost_comparison_panels():
    assert len(plot_cost_comparison((30, 30), 3).axes) == 1
    fig = plot_cost_comparison((30, 30), 3, seconds={"dense": 1e-3, "conv": 1e-5})
    assert len(fig.axes) == 2
    assert fig.get_suptitle() == "One 3×3 filter on a 30×30 image (valid mode)"
    with pytest.raises(ValueError, match=r"shape\[0\] must be an integer >= 1"):
        plot_cost_comparison((0, 4), 3)


# ---------------------------------------------------------------- scaling

def _synthetic_timings(method, sides, seconds_per_pixel_power, power):
    shapes = tuple((s, s) for s in sides)
    pixels = np.array([s * s for s in sides])
    return Timings(method=method, shapes=shapes, kernel_shape=(3, 3), mode="valid",
                   pixels=pixels, macs=pixels * 9, nbytes=pixels * 8,
                   seconds=seconds_per_pixel_power * pixels.astype(float) ** power)


def _synthetic_study():
    dense = _synthetic_timings("dense", [16, 32, 48, 64], 1e-9, 2.0)
    fitted = np.array([False, True, True, True])
    fit = fit_power_law(dense.pixels[fitted], dense.seconds[fitted])
    conv = _synthetic_timings("conv", [16, 32, 48, 64, 100], 1e-8, 1.0)
    return ScalingStudy(dense=dense, others={"conv": conv}, fitted=fitted, fit=fit,
                        extrapolation=extrapolate_dense(fit), cache_bytes=10_000)


def test_plot_dense_scaling_draws_points_fit_and_extrapolation():
    study = _synthetic_study()
    assert study.fit.exponent == pytest.approx(2.0)
    ax = plot_dense_scaling(study)
    assert ax.get_xscale() == ax.get_yscale() == "log"
    lines = {line.get_label(): line for line in ax.get_lines()}
    fitted = lines["dense, measured (fitted)"]
    np.testing.assert_array_equal(fitted.get_xdata(), study.dense.pixels[1:])
    hollow = lines["dense, matrix fits in cache (not fitted)"]
    np.testing.assert_array_equal(hollow.get_xdata(), study.dense.pixels[:1])
    fit_line = lines["fit: $t \\propto m^{2.00}$"]
    np.testing.assert_allclose(fit_line.get_ydata(), 1e-9 * fit_line.get_xdata() ** 2, rtol=1e-9)
    star = [line for line in ax.get_lines() if line.get_marker() == "*"][0]
    assert star.get_xdata()[0] == 89_600
    assert star.get_ydata()[0] == pytest.approx(1e-9 * 89_600 ** 2)
    assert "63.4 GB" in ax.texts[0].get_text()
    np.testing.assert_array_equal(lines["convolution, measured"].get_ydata(),
                                  study.others["conv"].seconds)


def test_figures_registry(monkeypatch):
    real = timing.scaling_study

    def small(*args, **kwargs):
        return real([6, 8, 10], 3, target=(20, 24), repeats=1, min_seconds=1e-4,
                    cache_bytes=None)

    monkeypatch.setattr(timing, "scaling_study", small)
    assert list(FIGURES) == ["3-cost", "3-edge-detection", "3-dense-scaling"]
    for build in FIGURES.values():
        fig = build()
        assert isinstance(fig, Figure) and fig.axes


def test_log_tick_labels_are_plain_text_with_prefixes():
    from cnnmotiv.plotting.efficiency import COUNT_FORMATTER, SECONDS_FORMATTER

    assert [COUNT_FORMATTER(10.0 ** e) for e in (0, 2, 3, 6, 9, 10, 12)] == \
        ["1", "100", "1k", "1M", "1G", "10G", "1T"]
    assert [SECONDS_FORMATTER(10.0 ** e) for e in (-6, -4, -3, -1, 0, 3)] == \
        ["1 µs", "100 µs", "1 ms", "100 ms", "1 s", "1000 s"]
    ax = plot_cost_bars(layer_costs((280, 320), 3))
    ax.figure.canvas.draw()
    labels = {t.get_text() for t in ax.get_yticklabels()}
    assert {"1", "1k", "1M", "1G"} <= labels and not any("$" in t for t in labels)
