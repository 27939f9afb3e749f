"""Tests of the shared argument checks: every public function refuses through them."""

from __future__ import annotations

import re

import numpy as np
import pytest

import cnnmotiv as cm
from cnnmotiv.validation import (as_float_array, check_choice, check_int, check_pair, check_real,
                                 check_shape)

MASKED = np.ma.masked_array(np.arange(16.0).reshape(4, 4), mask=np.eye(4, dtype=bool))


def test_masked_array_is_refused_naming_the_parameter():
    with pytest.raises(TypeError, match=r"image must be a plain array, not a masked array.*"
                                        r"image\.filled"):
        as_float_array(MASKED, "image")


@pytest.mark.parametrize("call, name", [
    (lambda: cm.correlate2d(MASKED, np.ones((2, 2))), "image"),
    (lambda: cm.correlate2d(np.ones((4, 4)), MASKED[:2, :2]), "kernel"),
    (lambda: cm.correlate1d(MASKED[0], [1.0, -1.0]), "x"),
    (lambda: cm.conv_layer(MASKED[np.newaxis], np.ones((1, 1, 2, 2))), "x"),
    (lambda: cm.correlation_matrix(MASKED[:2, :2], (4, 4)), "kernel"),
    (lambda: cm.max_pool2d(MASKED, 2), "x"),
])
def test_functions_refuse_masked_arrays_instead_of_using_the_hidden_values(call, name):
    with pytest.raises(TypeError, match=f"^{name} must be a plain array, not a masked array"):
        call()


def test_a_masked_array_without_masked_entries_is_refused_too():
    """The decision does not depend on the data: a mask is never silently dropped."""
    with pytest.raises(TypeError, match="masked array"):
        as_float_array(np.ma.masked_array(np.ones(3)), "x")


def test_finite_float64_too_large_for_float32_says_so():
    with pytest.raises(ValueError, match=r"kernel holds values too large for float32 .*3\.403e\+38"):
        as_float_array([[1e300, 1.0]], "kernel", dtype=np.float32)


def test_float32_image_with_a_huge_float64_kernel_reports_the_real_reason():
    image = np.ones((4, 4), dtype=np.float32)
    with pytest.raises(ValueError, match="kernel holds values too large for float32") as info:
        cm.correlate2d(image, np.full((2, 2), 1e39))
    assert "NaN" not in str(info.value)


def test_nan_and_inf_are_still_reported_as_such():
    for bad in (np.nan, np.inf, -np.inf):
        with pytest.raises(ValueError, match="x must be finite; it holds NaN or infinity"):
            as_float_array([1.0, bad], "x", dtype=np.float32)


def test_longdouble_beyond_float64_is_too_large_for_float64():
    big = np.array([np.finfo(np.float64).max], dtype=np.longdouble) * 4
    if not np.isfinite(big).all():
        pytest.skip("long double has no wider range than float64 here")
    with pytest.raises(ValueError, match="too large for float64"):
        as_float_array(big, "x")


def test_dtype_rule():
    assert as_float_array([1, 2], "x").dtype == np.float64
    assert as_float_array(np.ones(2, np.float32), "x").dtype == np.float32
    assert as_float_array(np.ones(2, np.float16), "x").dtype == np.float64
    assert as_float_array([True], "x").dtype == np.float64
    assert as_float_array([1e300], "x", dtype=np.float64)[0] == 1e300


@pytest.mark.parametrize("value, exc, match", [
    ("abc", TypeError, "x must be a real numeric array"),
    ([1j], TypeError, "got dtype complex128"),
    ([[1], [1, 2]], TypeError, "x must be a real numeric array"),
    ([], ValueError, "x must not be empty"),
])
def test_as_float_array_refuses_non_numbers(value, exc, match):
    with pytest.raises(exc, match=match):
        as_float_array(value, "x")


def test_small_checks_name_the_parameter():
    with pytest.raises(ValueError, match="mode must be one of 'a', 'b'; got 'c'"):
        check_choice("c", "mode", ("a", "b"))
    with pytest.raises(TypeError, match="stride must be an integer; got 1.5"):
        check_int(1.5, "stride")
    with pytest.raises(TypeError, match="stride must be an integer; got True"):
        check_int(True, "stride")
    with pytest.raises(ValueError, match=r"dilation\[1\] must be an integer >= 1; got 0"):
        check_pair((1, 0), "dilation")
    with pytest.raises(ValueError, match="shape must be a tuple of 2 integers"):
        check_shape((1, 2, 3), "shape", ndim=2)
    assert check_pair(3, "stride") == (3, 3)


@pytest.mark.parametrize("value, error, message", [
    (True, TypeError, "noise must be a real number; got True of type bool"),
    ("0.1", TypeError, "noise must be a real number"),
    (1 + 0j, TypeError, "noise must be a real number"),
    (float("nan"), ValueError, "noise must be a finite number >= 0; got nan"),
    (float("inf"), ValueError, "noise must be a finite number >= 0; got inf"),
    (-1e-12, ValueError, "noise must be a finite number >= 0; got -1e-12"),
])
def test_check_real_refuses_non_numbers_non_finite_and_out_of_range(value, error, message):
    with pytest.raises(error, match=re.escape(message)):
        check_real(value, "noise", minimum=0)


def test_check_real_returns_a_float_and_needs_no_minimum():
    assert check_real(np.float32(0.25), "x") == 0.25 and type(check_real(3, "x")) is float
    assert check_real(-5, "x") == -5.0
    with pytest.raises(ValueError, match="x must be a finite number; got nan"):
        check_real(np.nan, "x")
