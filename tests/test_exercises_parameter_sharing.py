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


@pytest.mark.parametrize("exercise", E.EXERCISES[:3], ids=lambda e: e.name)
def test_check_accepts_the_answer_and_rejects_a_near_miss(exercise):
    answer = exercise.solution()
    assert check(exercise, answer).correct
    assert not check(exercise, answer + 1).correct
    assert check(exercise, None).status == "unanswered"


def test_five_exercises_with_distinct_names_and_prompts():
    assert len(E.EXERCISES) == 5
    assert len({e.name for e in E.EXERCISES}) == 5
    assert all(e.prompt.endswith("?") for e in E.EXERCISES)


def test_growth_prediction_against_the_matrices():
    # a locally connected matrix stores one free weight per connection; the conv matrix repeats
    # its k*k weights on every row
    lc = locally_connected_matrix((3, 3), (128, 128), rng=0)
    conv = sparse_correlation_matrix(np.arange(1.0, 10.0).reshape(3, 3), (128, 128))
    expected = (np.unique(lc.data).size, np.unique(conv.data).size)
    assert expected == (126 * 126 * 9, 9)
    assert E.growth_parameters(3, 128) == expected
    assert check(E.GROWTH_PREDICTION, expected)
    assert not check(E.GROWTH_PREDICTION, (4 * 62 * 62 * 9, 9))   # 'four times the pixels'
    assert not check(E.GROWTH_PREDICTION, (126 * 126 * 9, 36))    # conv does not grow


def test_growth_prediction_reads_the_parameter_growth_app():
    from cnnmotiv.widgets.sharing import parameter_growth_app

    app = parameter_growth_app()
    answer = (126 * 126 * 9, 9)
    fb = check(E.GROWTH_PREDICTION, answer, app=app)
    assert fb.status == "pending" and "to 128 (it is at 64)" in fb.message
    app.controls["side"].value = 128
    shown = app.result["parameters"]
    assert (shown["locally_connected"], shown["conv"]) == answer
    assert check(E.GROWTH_PREDICTION, answer, app=app)


def _brute_local_parameters(H, W, k):
    """Stored entries of a locally connected matrix with random weights: one per weight."""
    return locally_connected_matrix((k, k), (H, W), rng=0).nnz


def test_local_parameters_code_accepts_independent_solutions():
    assert check(E.LOCAL_PARAMETERS_CODE, _brute_local_parameters)
    assert check(E.LOCAL_PARAMETERS_CODE, lambda H, W, k: (H - k + 1) * (W - k + 1) * k * k)
    for case in E.LOCAL_PARAMETERS_CODE.cases:
        assert E.LOCAL_PARAMETERS_CODE.solution(*case) == _brute_local_parameters(*case)


@pytest.mark.parametrize("wrong", [
    lambda H, W, k: H * W * k * k,                    # a window at every pixel ('same')
    lambda H, W, k: k * k,                            # the convolution's count
    lambda H, W, k: (H - k + 1) * (W - k + 1),        # one weight per window
    lambda H, W, k: (H - k) * (W - k) * k * k,        # off by one
], ids=["same", "shared", "one-per-window", "off-by-one"])
def test_local_parameters_code_rejects_common_mistakes(wrong):
    fb = check(E.LOCAL_PARAMETERS_CODE, wrong)
    assert fb.status == "wrong" and "local_parameters(" in fb.message
