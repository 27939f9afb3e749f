"""Tests of cnnmotiv.widgets.sharing: sliders change the numbers and the picture, in place."""


import numpy as np
import pytest

from cnnmotiv.counting import compare_layers, count_conv, count_dense, count_locally_connected
from cnnmotiv.matrices import correlation_matrix_1d, locally_connected_matrix
from cnnmotiv.plotting.sharing import growth_counts
from cnnmotiv.widgets.figure_app import FigureApp
from cnnmotiv.widgets.sharing import (KERNEL_RANGE, growth_numbers, parameter_growth_app,
                                      sharing_app, sharing_numbers)


@pytest.fixture
def app():
    return sharing_app(3, 10, 1)


@pytest.fixture
def growth():
    return parameter_growth_app(3, 64)


def _check_sharing_result(r):
    k, n, n_out = r["kernel_size"], r["n"], r["n"] - r["kernel_size"] + 1
    assert r["n_out"] == n_out
    assert r["parameters"] == {
        "dense": count_dense((1, n), (1, n_out)).parameters,
        "locally_connected": count_locally_connected((1, n), (1, k)).parameters,
        "conv": count_conv((1, n), (1, k)).parameters}
    assert r["macs"]["conv"] == r["macs"]["locally_connected"] == n_out * k
    # the matrices themselves: k distinct values in the conv matrix, all different otherwise
    conv_m = correlation_matrix_1d(np.arange(1.0, k + 1.0), n)
    local_m = locally_connected_matrix((1, k), (1, n), rng=0)
    assert r["distinct_values"]["conv"] == np.unique(conv_m[conv_m != 0]).size == k
    assert r["distinct_values"]["locally_connected"] == r["nnz"]["locally_connected"] == local_m.nnz
    assert r["nnz"]["conv"] == r["nnz"]["locally_connected"] == count_conv((1, n), (1, k)).macs
    assert r["highlight_parameters"]["conv"] == 1
    assert r["highlight_parameters"]["locally_connected"] == r["highlight_uses"] == n_out


def test_builder_returns_an_undisplayed_app_with_named_controls(app):
    assert isinstance(app, FigureApp)
    assert set(app.controls) == {"kernel_size", "n", "highlight"}
    for name, control in app.controls.items():
        assert control.description
        assert f"cnnmotiv-control-{name.replace('_', '-')}" in control._dom_classes
    _check_sharing_result(app.result)


@pytest.mark.parametrize("name, values", [("kernel_size", [1, 4, 7, 2]), ("n", [7, 12, 16]),
                                          ("highlight", [0, 2])])
def test_every_control_updates_numbers_and_picture(app, name, values):
    before = app.png
    for value in values:
        app.controls[name].value = value
        assert app.result[name] == value
        _check_sharing_result(app.result)
        assert app.png != before
        before = app.png


@pytest.mark.parametrize("name, there", [("kernel_size", 5), ("n", 14), ("highlight", 0)])
def test_moving_back_restores_the_identical_image(app, name, there):
    start, original = app.controls[name].value, app.png
    app.controls[name].value = there
    assert app.png != original
    app.controls[name].value = start
    assert app.png == original


def test_highlight_range_follows_the_kernel_and_is_clamped(app):
    app.controls["highlight"].value = 2
    app.controls["kernel_size"].value = 2
    assert app.controls["highlight"].max == 1
    assert app.controls["highlight"].value == 1 == app.result["highlight"]
    app.controls["kernel_size"].value = 6
    assert app.controls["highlight"].max == 5


def test_artists_are_updated_in_place_not_added(app):
    counts = [(len(ax.lines), len(ax.collections), len(ax.images), len(ax.patches))
              for ax in app.figure.axes]
    lines = app.figure.axes[0].collections[0]
    app.controls["kernel_size"].value = 5
    app.controls["n"].value = 15
    assert app.figure.axes[0].collections[0] is lines
    assert len(lines.get_segments()) == app.result["macs"]["dense"]
    assert counts == [(len(ax.lines), len(ax.collections), len(ax.images), len(ax.patches))
                      for ax in app.figure.axes]


def test_matrix_images_have_the_layer_shapes(app):
    app.controls["n"].value = 13
    app.controls["kernel_size"].value = 4
    images = [ax.images[0].get_array() for ax in app.figure.axes[3:6]]
    assert [im.shape[:2] for im in images] == [(10, 13)] * 3
    nonwhite = [int((~np.all(np.asarray(im) == 1.0, axis=-1)).sum()) for im in images]
    assert nonwhite == [app.result["macs"]["dense"], app.result["nnz"]["locally_connected"],
                        app.result["nnz"]["conv"]]


def test_caption_states_the_counts(app):
    text = app.caption.value
    for value in app.result["parameters"].values():
        assert f">{value:,}<" in text


def test_sharing_numbers_match_the_counting_functions_across_sizes():
    for k in range(KERNEL_RANGE[0], KERNEL_RANGE[1] + 1):
        for n in (k, k + 3, 16):
            _check_sharing_result(sharing_numbers(k, n, k - 1))


# --------------------------------------------------------------------------- growth app

def _check_growth_result(r):
    k, side = r["kernel_size"], r["side"]
    layers = compare_layers((side, side), (k, k))
    assert r["parameters"] == {kind: layers[kind].parameters for kind in layers}
    assert r["macs"] == {kind: layers[kind].macs for kind in layers}
    assert r["sharing"] == (side - k + 1) ** 2        # one copy of the kernel per position
    assert r["mac_ratio_sharing"] == 1.0
    section = compare_layers((280, 320), (k, k))
    assert r["section"] == {kind: section[kind].parameters for kind in section}


def test_growth_app_numbers_and_curves_follow_the_sliders(growth):
    _check_growth_result(growth.result)
    before = growth.png
    for name, value in (("kernel_size", 7), ("side", 512), ("kernel_size", 1), ("side", 16)):
        growth.controls[name].value = value
        _check_growth_result(growth.result)
        assert growth.png != before
        before = growth.png
    k = growth.result["kernel_size"]
    left = growth.figure.axes[0]
    sides = np.sqrt(left.lines[0].get_xdata()).round().astype(int)
    g = growth_counts(sides, (k, k))
    for line, kind in zip(left.lines[:3], ("dense", "locally_connected", "conv")):
        np.testing.assert_array_equal(line.get_ydata(), g[kind]["parameters"])


@pytest.mark.parametrize("name, there", [("kernel_size", 5), ("side", 256)])
def test_growth_app_moving_back_restores_the_identical_image(growth, name, there):
    start, original = growth.controls[name].value, growth.png
    growth.controls[name].value = there
    assert growth.png != original
    growth.controls[name].value = start
    assert growth.png == original


# --------------------------------------------------------------------------- validation

@pytest.mark.parametrize("call, error, match", [
    (lambda: sharing_app(kernel_size=8), ValueError, "kernel_size must be between 1 and 7"),
    (lambda: sharing_app(n=30), ValueError, "n must be between 7 and 16"),
    (lambda: sharing_app(kernel_size=3, highlight=3), ValueError,
     "highlight must be between 0 and 2"),
    (lambda: sharing_app(kernel_size=2.5), TypeError, "kernel_size must be an integer"),
    (lambda: sharing_numbers(5, 4), ValueError, "kernel_size must be <= n"),
    (lambda: sharing_numbers(3, 8, 3), ValueError,
     r"highlight must be a kernel offset in range\(3\)"),
    (lambda: parameter_growth_app(side=4), ValueError, "side must be between 16 and 1024"),
    (lambda: parameter_growth_app(kernel_size=0), ValueError,
     "kernel_size must be between 1 and 11"),
    (lambda: growth_numbers(5, 3), ValueError, "sides must all be >= the kernel size 5"),
])
def test_bad_arguments_are_rejected(call, error, match):
    with pytest.raises(error, match=match):
        call()
