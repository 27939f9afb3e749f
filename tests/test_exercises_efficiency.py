"""Tests for cnnmotiv.exercises.efficiency: the computed answers are the right ones."""

import numpy as np
import pytest

from cnnmotiv.exercises import check
from cnnmotiv.exercises.efficiency import (BANDWIDTH_BOUND_SECONDS, DENSE_BYTES_CODE, EXERCISES,
                                           FLOAT32_DENSE_BYTES, KERNEL_5X5_RATIO,
                                           RATIO_PREDICTION, mac_ratio)
from cnnmotiv.matrices import correlation_matrix


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
        assert not feedback and feedback.status == "unanswered"
        assert ex.prompt.endswith("?")
    assert len({ex.name for ex in EXERCISES}) == len(EXERCISES) == 5


def _dense_macs_over_conv_macs(H, W, k):
    """Count from a dense matrix: every entry is one MAC; the conv needs k*k per output."""
    dense = correlation_matrix(np.ones((k, k)), (H, W))
    return dense.size / (dense.shape[0] * k * k)


def test_ratio_prediction_is_pixels_over_taps():
    assert mac_ratio(30, 40, 7) == pytest.approx(_dense_macs_over_conv_macs(30, 40, 7))
    assert RATIO_PREDICTION.expected() == pytest.approx(280 * 320 / 49)
    assert check(RATIO_PREDICTION, 1829)              # 3 significant figures: within 0.5 %
    assert check(RATIO_PREDICTION, 1.83e3)
    assert not check(RATIO_PREDICTION, 1800)          # 1.6 % off
    assert not check(RATIO_PREDICTION, 89_600 / 7)    # divided by k, not k * k
    assert not check(RATIO_PREDICTION, 89_600 / 9)    # no change


def test_ratio_prediction_reads_the_cost_app():
    from cnnmotiv.widgets.efficiency import cost_app

    app = cost_app()
    assert check(RATIO_PREDICTION, 1829, app=app).status == "pending"
    app.controls["kernel_size"].value = 7
    assert app.result["mac_ratio"] == pytest.approx(280 * 320 / 49)
    assert check(RATIO_PREDICTION, 1829, app=app)
    app.controls["width"].value = 300
    fb = check(RATIO_PREDICTION, 1829, app=app)
    assert fb.status == "pending" and "to 320 (it is at 300)" in fb.message


def test_dense_bytes_code_against_allocated_matrices():
    def allocated(H, W, k):
        return correlation_matrix(np.ones((k, k)), (H, W)).nbytes

    assert check(DENSE_BYTES_CODE, lambda H, W, k: (H - k + 1) * (W - k + 1) * H * W * 8)
    small = [c for c in DENSE_BYTES_CODE.cases if c[0] * c[1] <= 64 * 64]
    assert len(small) >= 3
    for case in small:
        assert DENSE_BYTES_CODE.solution(*case) == allocated(*case)


@pytest.mark.parametrize("wrong", [
    lambda H, W, k: (H - k + 1) * (W - k + 1) * H * W * 4,   # float32
    lambda H, W, k: (H * W) ** 2 * 8,                         # 'same'-mode rows
    lambda H, W, k: (H - k + 1) * (W - k + 1) * k * k * 8,   # only the non-zeros
    lambda H, W, k: (H - k + 1) * (W - k + 1) * H * W,        # entries, not bytes
], ids=["float32", "same", "nonzeros", "entries"])
def test_dense_bytes_code_rejects_common_mistakes(wrong):
    fb = check(DENSE_BYTES_CODE, wrong)
    assert fb.status == "wrong" and "dense_bytes(" in fb.message
