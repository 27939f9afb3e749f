"""Exercises of the sparse-interactions notebook: expected answers against independent oracles."""

import math

import numpy as np
import pytest
import scipy.linalg

from cnnmotiv.exercises import Exercise, check
from cnnmotiv.exercises.sparse_interactions import (
    EXERCISES,
    LAYERS_TO_COVER_PHOTO,
    SAME_MODE_CONNECTIONS,
    STRIDED_FIELD,
    STRIDED_STACK,
    layers_to_cover_photo,
    same_mode_connections,
    strided_field,
)


def test_same_mode_connections_is_scipys_nonzero_count():
    expected = np.count_nonzero(scipy.linalg.convolution_matrix(np.ones(5), 100, mode="same"))
    assert same_mode_connections() == expected
    # k * n minus the taps that land on the zero padding: 2 + 1 at each end
    assert expected == 5 * 100 - 2 * (2 + 1)


def _impulse_width(stack, n=64):
    """Width of a top unit's field: impulses pushed through np.correlate, subsampled."""
    hits = []
    for j in range(n):
        x = np.eye(n)[j]
        for k, s in stack:
            x = np.correlate(x, np.ones(k), mode="valid")[::s]
        if x[0] > 0:
            hits.append(j)
    return hits[-1] - hits[0] + 1


def test_strided_field_matches_an_impulse_measurement():
    width = _impulse_width(STRIDED_STACK)
    assert strided_field() == (width, width) == (13, 13)


def test_layers_to_cover_photo_is_the_smallest_depth_with_1_plus_2L_at_least_280():
    assert layers_to_cover_photo() == math.ceil((280 - 1) / 2) == 140
    assert layers_to_cover_photo(3) == 1 and layers_to_cover_photo(4) == 2


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_each_exercise_checks_its_own_solution_and_rejects_others(exercise):
    assert isinstance(exercise, Exercise) and exercise.prompt.endswith("?")
    answer = exercise.solution()
    assert check(exercise, answer).correct
    assert not check(exercise, None).correct
    wrong = tuple(v + 1 for v in answer) if isinstance(answer, tuple) else answer + 1
    assert not check(exercise, wrong).correct


def test_common_wrong_answers_are_rejected():
    assert not check(SAME_MODE_CONNECTIONS, 5 * 100)          # forgot the padding
    assert not check(STRIDED_FIELD, (9, 9))                    # ignored the stride
    assert not check(LAYERS_TO_COVER_PHOTO, 280 // 3)          # thought fields multiply
    assert len({e.name for e in EXERCISES}) == 3
