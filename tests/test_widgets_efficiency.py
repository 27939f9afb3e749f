"""Tests for cnnmotiv.widgets.efficiency: drive the controls, check the numbers and the image."""

import numpy as np
import pytest
import scipy.signal

from cnnmotiv.counting import LAYER_FORMS, compare_layers, count_conv
from cnnmotiv.data import photo, shapes
from cnnmotiv.matrices import dense_matrix_nbytes
from cnnmotiv.plotting.efficiency import EDGE_KERNELS, METRICS
from cnnmotiv.widgets.efficiency import cost_app, edge_detection_app
from cnnmotiv.widgets.figure_app import FigureApp

TWO_TAP = "[-1, 1] (2-tap, horizontal change)"
SOBEL_X = "Sobel x (3×3, horizontal change)"


@pytest.fixture(scope="module")
def edge_app():
    return edge_detection_app()


@pytest.fixture(scope="module")
def costs_app():
    return cost_app()


# ---------------------------------------------------------------- edge detection

def test_edge_app_starts_with_the_sections_two_tap_example(edge_app):
    assert isinstance(edge_app, FigureApp)
    r = edge_app.result
    assert r["kernel"] == TWO_TAP and r["image"] == "photo"
    assert r["input_shape"] == (280, 320) and r["output_shape"] == (280, 319)
    c = count_conv((280, 320), (1, 2))
    assert r["macs"] == c.macs == 178_640
    assert r["flops"] == c.flops("per-output") == 267_960  # the section's 319 * 280 * 3
    np.testing.assert_allclose(r["edges"], np.diff(photo(), axis=1), atol=1e-12)


@pytest.mark.parametrize("name", list(EDGE_KERNELS))
@pytest.mark.parametrize("image", ["photo", "shapes"])
def test_every_kernel_and_image_matches_scipy_and_counting(edge_app, name, image):
    edge_app.controls["image"].value = image
    edge_app.controls["kernel"].value = name
    r = edge_app.result
    kernel = EDGE_KERNELS[name]
    x = photo() if image == "photo" else shapes((280, 320))
    expected = scipy.signal.correlate2d(x, kernel, mode="valid")
    np.testing.assert_allclose(r["edges"], expected, atol=1e-12)
    assert r["output_shape"] == expected.shape
    c = count_conv((280, 320), kernel.shape)
    assert r["macs"] == c.macs and r["flops"] == c.flops("per-output")
    assert r["max_abs"] == pytest.approx(np.abs(expected).max())
    # Drawn divided by its colour limit (the 98th percentile of |edges|, or the largest
    # |edge| and at least 1 when that is 0), which the colour bar's end labels state.
    limit = r["colour_limit"]
    p98 = np.percentile(np.abs(expected), 98)
    assert limit == pytest.approx(p98 if p98 > 0 else max(np.abs(expected).max(), 1.0))
    shown = edge_app.figure.axes[2].images[0].get_array()
    np.testing.assert_allclose(shown * limit, expected, atol=1e-12)
    labels = [t.get_text() for t in edge_app.figure.axes[3].texts]
    assert labels == [f"{-limit:+.2g}", "0", f"{limit:+.2g}"]


def test_edge_app_png_changes_and_moving_back_restores_it(edge_app):
    edge_app.controls["image"].value = "photo"
    edge_app.controls["kernel"].value = TWO_TAP
    first = edge_app.png
    assert first.startswith(b"\x89PNG")
    edge_app.controls["kernel"].value = SOBEL_X
    assert edge_app.png != first
    edge_app.controls["image"].value = "shapes"
    second = edge_app.png
    assert second != first
    edge_app.controls["image"].value = "photo"
    edge_app.controls["kernel"].value = TWO_TAP
    assert edge_app.png == first


def test_edge_app_kernel_panel_shows_the_weights(edge_app):
    edge_app.controls["kernel"].value = SOBEL_X
    texts = [t.get_text() for t in edge_app.figure.axes[1].texts]
    assert texts == ["-1", "0", "1", "-2", "0", "2", "-1", "0", "1"]
    edge_app.controls["kernel"].value = TWO_TAP
    texts = [t.get_text() for t in edge_app.figure.axes[1].texts]
    assert texts == ["-1", "1", "", "", "", "", "", "", ""]


def test_edge_app_controls_are_labelled_and_findable(edge_app):
    for name, control in edge_app.controls.items():
        assert control.description
        assert f"cnnmotiv-control-{name}" in control._dom_classes
    assert list(edge_app.controls["kernel"].options) == list(EDGE_KERNELS)


def test_edge_app_small_shape():
    app = edge_detection_app(kernel=SOBEL_X, image="shapes", shape=(40, 50))
    assert app.result["output_shape"] == (38, 48)
    np.testing.assert_allclose(app.result["edges"], scipy.signal.correlate2d(
        shapes((40, 50)), EDGE_KERNELS[SOBEL_X], mode="valid"), atol=1e-12)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(kernel="sobel"), ValueError, "kernel must be one of"),
    (dict(image="cat"), ValueError, "image must be one of 'photo', 'shapes'"),
    (dict(shape=(2, 50)), ValueError, r"shape\[0\] must be an integer >= 3"),
    (dict(shape=(40,)), ValueError, "shape must be a tuple of 2 integers"),
])
def test_edge_app_rejects_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        edge_detection_app(**kwargs)


# ---------------------------------------------------------------- cost bars

def _bar_heights(app):
    ax = app.figure.axes[0]
    return {kind: [p.get_height() for p in bars.patches]
            for kind, bars in zip(LAYER_FORMS, ax.containers)}


def test_cost_app_starts_at_the_photo(costs_app):
    r = costs_app.result
    assert r["shape"] == (280, 320) and r["kernel_shape"] == (3, 3)
    assert r["output_shape"] == (278, 318)
    assert r["mac_ratio"] == pytest.approx(89_600 / 9)
    assert r["dense_bytes"] == 63_367_987_200
    assert r["costs"]["MACs"]["dense"] == 7_920_998_400


@pytest.mark.parametrize("height, width, k", [(100, 200, 5), (17, 512, 15), (512, 512, 1),
                                              (64, 64, 3)])
def test_cost_app_follows_the_sliders(costs_app, height, width, k):
    before = costs_app.png
    costs_app.controls["height"].value = height
    costs_app.controls["width"].value = width
    costs_app.controls["kernel_size"].value = k
    r = costs_app.result
    layers = compare_layers((height, width), (k, k))
    assert r["costs"]["MACs"]["dense"] == layers["dense"].macs
    assert r["costs"]["MACs"]["conv"] == layers["conv"].macs
    assert r["costs"]["parameters"]["locally_connected"] == layers["locally_connected"].parameters
    assert r["costs"]["parameters"]["conv"] == k * k
    assert r["output_shape"] == layers["conv"].output_shape
    assert r["mac_ratio"] == pytest.approx(height * width / k ** 2)
    assert r["dense_bytes"] == dense_matrix_nbytes((height, width), (k, k))
    heights = _bar_heights(costs_app)
    for kind in LAYER_FORMS:
        assert heights[kind] == [r["costs"][m][kind] for m in METRICS]
    assert costs_app.png != before


def test_cost_app_moving_back_restores_identical_bytes(costs_app):
    for name, value in (("height", 280), ("width", 320), ("kernel_size", 3)):
        costs_app.controls[name].value = value
    first = costs_app.png
    costs_app.controls["kernel_size"].value = 7
    assert costs_app.png != first
    costs_app.controls["height"].value = 99
    costs_app.controls["kernel_size"].value = 3
    costs_app.controls["height"].value = 280
    assert costs_app.png == first


def test_cost_app_controls(costs_app):
    for name, control in costs_app.controls.items():
        assert control.description
        assert f"cnnmotiv-control-{name.replace('_', '-')}" in control._dom_classes
    assert costs_app.controls["height"].min == 16  # the largest kernel always fits


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(kernel_size=0), ValueError, "kernel_size must be an integer >= 1"),
    (dict(kernel_size=16), ValueError, "kernel_size must be <= max_kernel = 15"),
    (dict(height=10), ValueError, "height must be an integer >= 16"),
    (dict(width=600), ValueError, "width must be <= max_side = 512"),
    (dict(height=20.5), TypeError, "height must be an integer"),
    (dict(max_side=10), ValueError, "max_side must be an integer >= 16"),
])
def test_cost_app_rejects_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        cost_app(**kwargs)


def test_cost_app_one_height_step_changes_the_counts_printed_on_the_bars():
    from cnnmotiv.plotting.efficiency import METRICS, format_count, layer_costs
    from cnnmotiv.widgets.efficiency import cost_app

    app = cost_app(height=280, width=320, kernel_size=3)
    texts = app.figure.axes[0].texts
    before = [t.get_text() for t in texts]
    app.controls["height"].value = 281
    costs = layer_costs((281, 320), (3, 3))
    expected = [format_count(costs[m][k]) for k in LAYER_FORMS if k in costs[METRICS[0]]
                for m in METRICS]
    assert [t.get_text() for t in texts] == expected
    assert [t.get_text() for t in texts] != before


def test_edge_app_refuses_a_kernel_set_to_none_and_keeps_its_picture():
    app = edge_detection_app()
    before, shown = app.png, app.result["kernel"]
    app.controls["kernel"].value = None           # a Dropdown allows None; the app does not
    assert app.controls["kernel"].value == shown and app.result["kernel"] == shown
    assert app.png == before and "None" in app.error


def test_edge_app_refuses_a_shape_beyond_the_memory_budget():
    from cnnmotiv.budget import BudgetError

    with pytest.raises(BudgetError, match="shape"):
        edge_detection_app(shape=(40000, 40000))
