"""Exercises of the parameter-sharing notebook: answers computed from the matrices agree."""

import numpy as np
import pytest

from cnnmotiv.exercises import check
from cnnmotiv.exercises import parameter_sharing as E
from cnnmotiv.matrices import locally_connected_matrix, sparse_correlation_matrix, weight_taps


def test_local_parameters_equal_the_stored_entries_of_the_locally_connected_matrix():
    lc = locally_connected_matrix(E.EXERCISE_KERNEL, E.EXERCISE_IMAGE, rng=0)
    assert E.local_parameters() == lc.nnz == np.unique(lc.data).size


def test_weight_reuse_counts_the_uses_of_every_tap():
    _, _, taps = weight_taps((3, 3), (280, 320))
    uses = np.bincount(taps, minlength=9)
    assert (uses == uses[0]).all()
    assert E.weight_reuse() == uses[0]


def test_mac_saving_is_the_difference_of_the_two_matrices_stored_entries():
    kernel = np.ones(E.EXERCISE_KERNEL)
    conv = sparse_correlation_matrix(kernel, E.EXERCISE_IMAGE)
    lc = locally_connected_matrix(E.EXERCISE_KERNEL, E.EXERCISE_IMAGE, rng=0)
    assert E.mac_saving() == lc.nnz - conv.nnz == 0


@pytest.mark.parametrize("exercise", E.EXERCISES, ids=lambda e: e.name)
def test_check_accepts_the_answer_and_rejects_a_near_miss(exercise):
    answer = exercise.solution()
    assert check(exercise, answer).correct
    assert not check(exercise, answer + 1).correct
    assert not check(exercise, None).correct
    assert "Not answered yet" in check(exercise, None).message


def test_three_exercises_with_distinct_names_and_prompts():
    assert len(E.EXERCISES) == 3
    assert len({e.name for e in E.EXERCISES}) == 3
    assert all(e.prompt.endswith("?") for e in E.EXERCISES)
