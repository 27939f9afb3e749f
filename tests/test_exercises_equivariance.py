"""Tests for cnnmotiv.exercises.equivariance: the answers, recomputed independently."""

from __future__ import annotations

import numpy as np
import scipy.signal as ss

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
    for exercise in ex.EXERCISES:
        assert check(exercise, None).message.startswith("Not answered yet")
        assert check(exercise, exercise.solution()).correct
    assert not check(ex.STRIDE_SHIFTS, (0, 2, 4, 6, 8)).correct
    assert not check(ex.ZERO_PADDING_COUNT, 64).correct
    assert not check(ex.POOL_SATURATION, ex.pool_saturation() + 1).correct
    assert len({e.name for e in ex.EXERCISES}) == 3
