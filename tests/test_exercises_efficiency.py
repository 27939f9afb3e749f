"""Tests for cnnmotiv.exercises.efficiency: the computed answers are the right ones."""

import numpy as np
import pytest

from cnnmotiv.exercises import check
from cnnmotiv.exercises.efficiency import (BANDWIDTH_BOUND_SECONDS, EXERCISES,
                                           FLOAT32_DENSE_BYTES, KERNEL_5X5_RATIO)


def test_kernel_5x5_ratio_is_pixels_over_taps():
    # dense: (276 * 316) outputs x 89,600 inputs; conv: (276 * 316) outputs x 25 taps
    assert KERNEL_5X5_RATIO.solution() == pytest.approx((276 * 316 * 89_600) / (276 * 316 * 25))
    assert check(KERNEL_5X5_RATIO, 3584)
    assert not check(KERNEL_5X5_RATIO, 89_600 / 9)


def test_float32_dense_bytes_of_the_two_tap_kernel():
    expected = (280 * 319) * (280 * 320) * np.dtype(np.float32).itemsize
    assert FLOAT32_DENSE_BYTES.solution() == expected == 32_012_288_000
    assert check(FLOAT32_DENSE_BYTES, expected)
    assert not check(FLOAT32_DENSE_BYTES, 2 * expected)  # the float64 size


def test_bandwidth_bound():
    expected = 278 * 318 * 280 * 320 * 8 / 10e9
    assert BANDWIDTH_BOUND_SECONDS.solution() == pytest.approx(expected)
    assert check(BANDWIDTH_BOUND_SECONDS, 6.34)  # within rtol 1e-3
    assert not check(BANDWIDTH_BOUND_SECONDS, 6.0)


def test_unanswered_and_registry():
    for ex in EXERCISES:
        feedback = check(ex, None)
        assert not feedback and "Not answered yet" in feedback.message
        assert ex.prompt.endswith("?")
    assert len({ex.name for ex in EXERCISES}) == len(EXERCISES) == 3
