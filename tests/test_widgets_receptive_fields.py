"""Receptive-field apps: slider moves give the closed-form fields, traced and measured."""

import itertools

import numpy as np
import pytest

from cnnmotiv.receptive_fields import field_layers
from cnnmotiv.receptive_fields import (
    effective_receptive_field,
    erf_spread,
    input_region,
    receptive_field,
)
from cnnmotiv.widgets.figure_app import FigureApp
from cnnmotiv.widgets.receptive_fields import erf_app, receptive_field_app


def _one_d_width(depth, k, s, d):
    """Width of a top unit's field by pushing impulses through np.correlate (oracle)."""
    w = np.zeros(d * (k - 1) + 1)
    w[::d] = 1.0
    n = 1 + depth * (k - 1) * d * s ** depth + 2  # long enough for one top unit
    hits = []
    for j in range(n):
        x = np.eye(n)[j]
        for _ in range(depth):
            x = np.correlate(x, w, mode="valid")[::s]
        if x[0] > 0:
            hits.append(j)
    return hits[-1] - hits[0] + 1


@pytest.fixture(scope="module")
def app():
    return receptive_field_app(3, 3)


def test_builder_returns_a_figure_app_with_the_four_sliders(app):
    assert isinstance(app, FigureApp)
    assert list(app.controls) == ["depth", "kernel_size", "stride", "dilation"]
    for name, control in app.controls.items():
        assert control.description
        assert f"cnnmotiv-control-{name.replace('_', '-')}" in control._dom_classes


@pytest.mark.parametrize("depth, k, s, d", list(itertools.product([1, 3, 5], [2, 5], [1, 2],
                                                                    [1, 2])))
def test_sliders_give_closed_form_sizes_traced_and_impulse_widths(app, depth, k, s, d):
    for name, value in [("depth", depth), ("kernel_size", k), ("stride", s), ("dilation", d)]:
        app.controls[name].value = value
    r = app.result
    layers = field_layers(depth, k, stride=s, dilation=d, same=True)
    assert r["sizes"] == [f.size for f in receptive_field(layers)]
    assert r["stack_field"] == r["sizes"][-1][0] == _one_d_width(depth, k, s, d)
    for l, (region, unit) in enumerate(zip(r["regions"], r["units"])):
        assert region == input_region(layers[:l + 1], unit)


def test_moving_a_slider_changes_the_image_and_moving_back_restores_it(app):
    for name, value in [("depth", 3), ("kernel_size", 3), ("stride", 1), ("dilation", 1)]:
        app.controls[name].value = value
    first = app.png
    for name, value in [("depth", 5), ("kernel_size", 5), ("stride", 2), ("dilation", 2)]:
        old = app.controls[name].value
        app.controls[name].value = value
        assert app.png != first and app.image.value == app.png
        app.controls[name].value = old
        assert app.png == first


def test_field_grows_by_k_minus_1_times_dilation_times_jump(app):
    app.controls["stride"].value = 1
    app.controls["dilation"].value = 2
    app.controls["kernel_size"].value = 3
    app.controls["depth"].value = 4
    rows = [size[0] for size in app.result["sizes"]]
    assert np.diff([1] + rows).tolist() == [4, 4, 4, 4]


@pytest.fixture(scope="module")
def erf():
    return erf_app(4, 3)


@pytest.mark.parametrize("depth, k", [(1, 2), (4, 3), (10, 3), (6, 5)])
def test_erf_sqrt_law_and_square(erf, depth, k):
    erf.controls["init"].value = "uniform"
    erf.controls["depth"].value = depth
    erf.controls["kernel_size"].value = k
    r = erf.result
    assert r["theory_size"] == 1 + depth * (k - 1)
    assert r["spread"][1] == pytest.approx(np.sqrt(depth * (k ** 2 - 1) / 12), rel=1e-9)
    assert r["uniform_std"] == pytest.approx(r["spread"][1], rel=1e-9)
    assert r["mass_inside"] == pytest.approx(1.0, abs=1e-12)
    m = effective_receptive_field(depth, k, size=r["size"])
    np.testing.assert_allclose(erf.figure.axes[0].images[0].get_array(), m / m.max())


def test_erf_random_kernel_and_png_round_trip(erf):
    erf.controls["depth"].value = 4
    erf.controls["kernel_size"].value = 3
    erf.controls["init"].value = "uniform"
    first = erf.png
    erf.controls["init"].value = "random"
    assert erf.png != first
    expected = erf_spread(effective_receptive_field(4, 3, init="random", rng=0,
                                                    size=erf.result["size"]))
    assert erf.result["spread"] == pytest.approx(expected)
    erf.controls["init"].value = "uniform"
    assert erf.png == first


@pytest.mark.parametrize("call, error, match", [
    (lambda: receptive_field_app(0), ValueError, "depth must be between 1 and 5"),
    (lambda: receptive_field_app(6), ValueError, "depth must be between 1 and 5"),
    (lambda: receptive_field_app(3, 6), ValueError, "kernel_size must be between 1 and 5"),
    (lambda: receptive_field_app(3, 3, 0), ValueError, "stride must be between 1 and 2"),
    (lambda: receptive_field_app(3, 3, 1, 3), ValueError, "dilation must be between 1 and 2"),
    (lambda: receptive_field_app(3, 3, 3), ValueError, "stride must be between 1 and 2"),
    (lambda: receptive_field_app(max_depth=9), ValueError, "max_depth must be between 1 and 8"),
    (lambda: receptive_field_app(2.0), TypeError, "depth must be an integer"),
    (lambda: erf_app(0), ValueError, "depth must be between 1 and 10"),
    (lambda: erf_app(4, 1), ValueError, "kernel_size must be between 2 and 5"),
    (lambda: erf_app(4, 3, "gauss"), ValueError, "init must be one of"),
])
def test_bad_arguments_are_rejected(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_random_moves_of_a_widened_app_never_escape_and_controls_match_result():
    # Even kernels get no 'same' padding: five stride-4 layers of 2 or 4 taps shrink the
    # 280x320 photo to nothing, so many settings leave no output unit.
    import random

    app = receptive_field_app(max_depth=5, max_kernel_size=4, max_stride=4, max_dilation=2)
    rng = random.Random(0)
    refused = 0
    for _ in range(200):
        name = rng.choice(list(app.controls))
        control = app.controls[name]
        before = app.png
        control.value = rng.randint(control.min, control.max)   # must not raise
        values = app.values()
        assert {k: app.result[k] for k in values} == values
        if app.error is not None:
            refused += 1
            assert "no output unit" in app.error and "Not shown" in app.caption.value
            assert app.png == before
    assert refused > 0


def test_slider_maxima_beyond_the_memory_budget_are_refused():
    from cnnmotiv.budget import BudgetError

    with pytest.raises(BudgetError, match="max_depth, max_kernel_size"):
        receptive_field_app(max_depth=8, max_kernel_size=9, max_stride=4, max_dilation=4)


def test_erf_app_refuses_a_depth_range_beyond_the_memory_budget():
    from cnnmotiv.budget import BudgetError

    with pytest.raises(BudgetError, match="max_depth"):
        erf_app(max_depth=5000, max_kernel_size=15)
