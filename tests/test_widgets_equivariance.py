"""Tests for cnnmotiv.widgets.equivariance: the apps compute what the package computes.

Driven as a reader would: set ``app.controls[name].value`` and read
``app.result`` and ``app.png``. The callback time (update + render) is
measured and printed as information; nothing here asserts on time.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from cnnmotiv.equivariance import EDGE_KERNEL, equivariance_error, pooling_change
from cnnmotiv.plotting.equivariance import default_image
from cnnmotiv.widgets.equivariance import equivariance_app, pooling_app
from cnnmotiv.widgets.figure_app import FigureApp


@pytest.fixture(scope="module")
def eq_app():
    return equivariance_app()


@pytest.fixture(scope="module")
def pool_app():
    return pooling_app()


def _set(app, **values):
    for name, value in values.items():
        app.controls[name].value = value


def test_equivariance_app_controls(eq_app):
    assert isinstance(eq_app, FigureApp)
    assert list(eq_app.controls) == ["shift_y", "shift_x", "padding", "stride"]
    assert eq_app.controls["shift_x"].min == -10 and eq_app.controls["shift_x"].max == 10
    assert set(eq_app.controls["padding"].options) == {"zeros", "circular"}
    assert tuple(eq_app.controls["stride"].options) == (1, 2)
    for name, control in eq_app.controls.items():
        assert control.description
        assert f"cnnmotiv-control-{name.replace('_', '-')}" in control._dom_classes
    assert eq_app.png.startswith(b"\x89PNG")


@pytest.mark.parametrize("padding, stride, dy, dx", [
    ("circular", 1, 3, -2), ("circular", 1, -7, 9), ("zeros", 1, 5, 3), ("zeros", 1, 0, -4),
    ("circular", 2, 3, 1), ("circular", 2, 4, -2), ("zeros", 2, 1, 0)])
def test_equivariance_app_result_matches_equivariance_error(eq_app, padding, stride, dy, dx):
    before = eq_app.png
    _set(eq_app, shift_y=dy, shift_x=dx, padding=padding, stride=stride)
    rep = eq_app.result
    ref = equivariance_error(default_image(), EDGE_KERNEL, (dy, dx), padding=padding,
                             stride=stride)
    assert rep.max_abs == ref.max_abs and rep.n_different == ref.n_different
    np.testing.assert_array_equal(rep.difference, ref.difference)
    assert eq_app.png != before
    assert f"{ref.padding} padding" in eq_app.caption.value
    if padding == "circular" and dy % stride == 0 and dx % stride == 0:
        assert rep.max_abs == 0.0
    elif padding == "zeros" and stride == 1:
        assert 0 < rep.border <= max(abs(dy), abs(dx)) + 3
    else:
        assert not rep.exact_offset and rep.max_abs > 0


def test_equivariance_app_updates_in_place_and_moving_back_restores_the_image(eq_app):
    _set(eq_app, shift_y=2, shift_x=1, padding="zeros", stride=1)
    figure, axes, images = eq_app.figure, list(eq_app.figure.axes), \
        [a.get_images()[0] for a in eq_app.figure.axes if a.get_images()]
    first = eq_app.png
    _set(eq_app, shift_y=-6, shift_x=4, padding="circular", stride=2)
    assert eq_app.png != first
    _set(eq_app, shift_y=2, shift_x=1, padding="zeros", stride=1)
    assert eq_app.png == first
    assert eq_app.figure is figure and list(figure.axes) == axes
    assert [a.get_images()[0] for a in figure.axes if a.get_images()] == images


def test_pooling_app_result_matches_pooling_change(pool_app):
    assert list(pool_app.controls) == ["pool_size", "shift"]
    x = default_image()
    for p, s in ((2, 1), (8, 3), (1, 2), (4, 0), (4, 1)):
        before = pool_app.png
        _set(pool_app, pool_size=p, shift=s)
        ref = pooling_change(x, EDGE_KERNEL, (0, s), pool_size=p)
        ch = pool_app.result
        assert (ch.detector_fraction, ch.pooled_fraction) == (ref.detector_fraction,
                                                             ref.pooled_fraction)
        assert pool_app.png != before
        assert f"{ref.pooled_fraction:.0%} of {p}x{p}" in pool_app.caption.value


def test_pooling_app_one_pixel_shift_detector_vs_pooled(pool_app):
    _set(pool_app, pool_size=4, shift=1)
    ch = pool_app.result
    assert ch.detector_fraction > 0.95 and ch.pooled_fraction < 0.6
    first = pool_app.png
    _set(pool_app, pool_size=6, shift=7)
    _set(pool_app, pool_size=4, shift=1)
    assert pool_app.png == first


@pytest.mark.parametrize("call, exc, match", [
    (lambda: equivariance_app(max_shift=-1), ValueError, "max_shift must be an integer >= 0"),
    (lambda: equivariance_app(max_shift=2, offset=(3, 0)), ValueError, "offset must lie within"),
    (lambda: equivariance_app(offset=(1.5, 0)), TypeError, r"offset\[0\] must be an integer"),
    (lambda: equivariance_app(padding="reflect"), ValueError, "padding must be one of"),
    (lambda: equivariance_app(stride=3), ValueError, "stride must be one of"),
    (lambda: equivariance_app(np.ones(5)), ValueError, "x must be 2-D"),
    (lambda: pooling_app(max_pool=65), ValueError, "max_pool must be at most the image's"),
    (lambda: pooling_app(max_pool=0), ValueError, "max_pool must be an integer >= 1"),
    (lambda: pooling_app(pool_size=9), ValueError, "pool_size must be <= max_pool"),
    (lambda: pooling_app(shift=-1), ValueError, "shift must be an integer >= 0"),
])
def test_bad_arguments_are_refused(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
