"""The connectivity app: sliders change the drawn matrices, counts match scipy's matrices."""


import numpy as np
import pytest
import scipy.linalg
import scipy.signal

from cnnmotiv.widgets.connectivity import connectivity_app
from cnnmotiv.widgets.figure_app import FigureApp


def _scipy_conv_nnz(k, n):
    # 'same' zero padding: the number of taps inside the input does not depend on
    # which side gets the extra padding for even k, so scipy's centring is fine here.
    return np.count_nonzero(scipy.linalg.convolution_matrix(np.ones(k), n, mode="same"))


def _field(n, k, i):
    """Inputs seen by output i: impulses through scipy's correlate2d on one row."""
    seen = []
    for j in range(n):
        e = np.zeros((1, n))
        e[0, j] = 1.0
        if scipy.signal.correlate2d(e, np.ones((1, k)), mode="same")[0, i] != 0:
            seen.append(j)
    return seen


@pytest.fixture(scope="module")
def app():
    return connectivity_app(9, kernel_size=3)


def test_builder_returns_an_undisplayed_figure_app_with_named_controls(app):
    assert isinstance(app, FigureApp)
    assert set(app.controls) == {"kernel_size", "unit", "view"}
    for name, control in app.controls.items():
        assert control.description
        assert f"cnnmotiv-control-{name.replace('_', '-')}" in control._dom_classes


@pytest.mark.parametrize("k", range(1, 8))
def test_kernel_slider_counts_match_scipy_matrices(app, k):
    app.controls["kernel_size"].value = k
    r = app.result
    assert r["dense_connections"] == 9 * 9
    assert r["conv_connections"] == _scipy_conv_nnz(k, 9)
    assert r["k_times_n_out"] == k * 9
    assert r["conv_connections"] <= r["k_times_n_out"]
    assert r["ratio"] == pytest.approx(81 / _scipy_conv_nnz(k, 9))
    app.controls["kernel_size"].value = 3


@pytest.mark.parametrize("unit", range(9))
def test_unit_and_view_highlight_a_row_or_a_column(app, unit):
    app.controls["kernel_size"].value = 5
    app.controls["view"].value = "above"
    app.controls["unit"].value = unit
    assert app.result["conv_touched"].tolist() == _field(9, 5, unit)
    assert app.result["dense_touched"].tolist() == list(range(9))
    app.controls["view"].value = "below"
    reached = [i for i in range(9) if unit in _field(9, 5, i)]
    assert app.result["conv_touched"].tolist() == reached
    app.controls["view"].value = "above"
    app.controls["kernel_size"].value = 3


def test_moving_a_control_changes_the_image_and_moving_back_restores_it(app):
    app.controls["unit"].value = 4
    first = app.png
    for name, value in [("kernel_size", 5), ("unit", 1), ("view", "below")]:
        old = app.controls[name].value
        app.controls[name].value = value
        assert app.png != first and app.image.value == app.png
        app.controls[name].value = old
        assert app.png == first


def test_valid_mode_clips_the_unit_to_the_smaller_output():
    app = connectivity_app(9, kernel_size=3, mode="valid", unit=8)
    assert app.result["n_out"] == 7 and app.result["unit"] == 6  # 'above': outputs 0..6
    app.controls["view"].value = "below"
    assert app.result["unit"] == 8
    assert app.result["dense_connections"] == 7 * 9
    assert app.result["conv_connections"] == 3 * 7  # valid: every tap lands on an input


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(n=1), ValueError, "n must be an integer >= 2"),
    (dict(n=9, max_kernel_size=10), ValueError, "max_kernel_size must be at most n=9"),
    (dict(n=9, kernel_size=8), ValueError, r"kernel_size must be in 1\.\.max_kernel_size=7"),
    (dict(n=9, kernel_size=0), ValueError, "kernel_size must be an integer >= 1"),
    (dict(n=9, view="left"), ValueError, "view must be one of"),
    (dict(n=9, unit=9), ValueError, r"unit must be in 0\.\.8"),
    (dict(n=9, mode="wide"), ValueError, "mode"),
    (dict(n=9.0), TypeError, "n must be an integer"),
])
def test_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        connectivity_app(**kwargs)


def test_kernel_size_moves_keep_the_axes_limits_and_every_unit_visible():
    # Fixed limits let FigureApp blit a move instead of redrawing the whole figure.
    from cnnmotiv.plotting.connectivity import output_centres

    app = connectivity_app(9, kernel_size=3, max_kernel_size=7)
    limits = [ax.get_xlim() for ax in app.figure.axes]
    for k in (4, 7, 2, 3):
        app.controls["kernel_size"].value = k
        assert [ax.get_xlim() for ax in app.figure.axes] == limits
        lo, hi = limits[1]
        centres = output_centres(9, k, mode="same")
        assert lo < min(0, centres.min()) and max(8, centres.max()) < hi


def test_an_n_beyond_the_memory_budget_is_refused_before_any_matrix_is_built():
    from cnnmotiv.budget import BudgetError

    with pytest.raises(BudgetError, match="n"):
        connectivity_app(30000)
