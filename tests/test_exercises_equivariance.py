"""Tests for cnnmotiv.exercises.equivariance: the answers, recomputed independently."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal as ss

from cnnmotiv.budget import BudgetError
from cnnmotiv.data import photo
from cnnmotiv.equivariance import EDGE_KERNEL
from cnnmotiv.exercises import check
from cnnmotiv.exercises import equivariance as ex


def _wrap_same(x):
    return ss.correlate2d(x, EDGE_KERNEL, mode="same", boundary="wrap")


def test_stride_shifts_are_the_multiples_of_the_stride():
    assert ex.stride_shifts() == (0, 4, 8)
    assert ex.stride_shifts(2, 7) == (0, 2, 4, 6)
    # oracle: np.roll + SciPy, every 4th output, compared with the output rolled by d / 4 cells
    x = photo((64, 64))
    base = _wrap_same(x)[::4, ::4]
    expected = tuple(d for d in range(10)
                     if d % 4 == 0 and np.allclose(_wrap_same(np.roll(x, d, axis=1))[::4, ::4],
                                                   np.roll(base, d // 4, axis=1)))
    assert ex.stride_shifts() == expected


def test_zero_padding_count_is_two_columns_of_nonzero_pixels():
    x = photo((64, 64))
    # the kernel reads x[:, j] - x[:, j-1]: the two sides differ in column 0 by x[:, 59] and in
    # column 4 (where the old left edge now sits) by -x[:, 63]
    predicted = np.count_nonzero(x[:, 59]) + np.count_nonzero(x[:, 63])
    fill = lambda a: ss.correlate2d(a, EDGE_KERNEL, mode="same", boundary="fill")  # noqa: E731
    diff = fill(np.roll(x, 4, axis=1)) - np.roll(fill(x), 4, axis=1)
    assert ex.zero_padding_count() == predicted == np.count_nonzero(np.abs(diff) > 1e-12)


def test_pool_saturation_against_reshape_pooling():
    x = photo((64, 64))

    def pooled(a):
        return _wrap_same(a).reshape(16, 4, 16, 4).max(axis=(1, 3))

    base = pooled(x)
    expected = next(d for d in range(1, 13)
                    if np.all(np.abs(pooled(np.roll(x, d, axis=1)) - base) > 1e-9 * 4))
    assert ex.pool_saturation() == expected


def test_check_accepts_the_computed_answers_and_rejects_others():
    for exercise in ex.EXERCISES[:3]:
        assert check(exercise, None).status == "unanswered"
        assert check(exercise, exercise.solution()).correct
    assert not check(ex.STRIDE_SHIFTS, (0, 2, 4, 6, 8)).correct
    assert not check(ex.ZERO_PADDING_COUNT, 64).correct
    assert not check(ex.POOL_SATURATION, ex.pool_saturation() + 1).correct
    assert len({e.name for e in ex.EXERCISES}) == 5


@pytest.mark.parametrize("call, error, match", [
    (lambda: ex.stride_shifts(4, -1), ValueError, "largest"),
    (lambda: ex.stride_shifts(0), ValueError, "stride"),
    (lambda: ex.stride_shifts(-2), ValueError, "stride"),
    (lambda: ex.stride_shifts(2.5), TypeError, "stride"),
    (lambda: ex.stride_shifts(4, float("nan")), TypeError, "largest"),
    (lambda: ex.stride_shifts(4, 10**9), BudgetError, "largest"),
    (lambda: ex.pool_saturation(0), ValueError, "pool_size"),
    (lambda: ex.pool_saturation(65), ValueError, "pool_size"),
    (lambda: ex.pool_saturation(4, 0), ValueError, "largest"),
    (lambda: ex.pool_saturation(4, 10**12), BudgetError, "largest"),
    (lambda: ex.pool_saturation(4, 1), ValueError, "no shift up to largest=1"),
], ids=lambda v: getattr(v, "__name__", str(v)))
def test_helpers_refuse_nonsense_naming_the_parameter(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_padding_prediction_is_zero_against_scipy_and_roll():
    x = photo((64, 64))
    shifted_then_filtered = _wrap_same(np.roll(x, (5, 3), axis=(0, 1)))
    filtered_then_shifted = np.roll(_wrap_same(x), (5, 3), axis=(0, 1))
    expected = int(np.count_nonzero(np.abs(shifted_then_filtered - filtered_then_shifted) > 1e-9))
    assert expected == 0 == ex.PADDING_PREDICTION.expected()
    # the app's starting point (zero padding) does show differences: the prediction is a change
    assert ex.differing_outputs(5, 3, "zeros", 1) > 0
    assert check(ex.PADDING_PREDICTION, 0)
    assert not check(ex.PADDING_PREDICTION, ex.differing_outputs(5, 3, "zeros", 1))


def test_padding_prediction_reads_the_equivariance_app():
    from cnnmotiv.widgets.equivariance import equivariance_app

    app = equivariance_app()
    fb = check(ex.PADDING_PREDICTION, 0, app=app)
    assert fb.status == "pending" and "'padding' to 'circular' (it is at 'zeros')" in fb.message
    app.controls["padding"].value = "circular"
    assert app.result.n_different == 0
    assert check(ex.PADDING_PREDICTION, 0, app=app)
    assert check(ex.PADDING_PREDICTION, 1, app=app).status == "wrong"


def _brute_output_shift(d, stride):
    """Try every whole number of cells c: the one with c * stride == d, if any."""
    hits = [c for c in range(-abs(d), abs(d) + 1) if c * stride == d]
    return hits[0] if hits else None


def test_output_shift_code_accepts_independent_solutions():
    assert check(ex.OUTPUT_SHIFT_CODE, _brute_output_shift)
    assert check(ex.OUTPUT_SHIFT_CODE, lambda d, s: d // s if d % s == 0 else None)
    for case in ex.OUTPUT_SHIFT_CODE.cases:
        assert ex.OUTPUT_SHIFT_CODE.solution(*case) == _brute_output_shift(*case)


@pytest.mark.parametrize("wrong", [
    lambda d, s: d // s,                               # floors a shift that is not whole
    lambda d, s: round(d / s),                         # rounds it
    lambda d, s: d,                                    # forgets the stride
    lambda d, s: abs(d) // s if d % s == 0 else None,  # loses the sign
], ids=["floor", "round", "no-stride", "sign"])
def test_output_shift_code_rejects_common_mistakes(wrong):
    fb = check(ex.OUTPUT_SHIFT_CODE, wrong)
    assert fb.status == "wrong" and "output_shift(" in fb.message
