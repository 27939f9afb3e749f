"""Exercises of the sparse-interactions notebook: expected answers against independent oracles."""

import math

import numpy as np
import pytest
import scipy.linalg

from cnnmotiv.exercises import check
from cnnmotiv.exercises.sparse_interactions import (
    EXERCISES,
    LAYERS_TO_COVER_PHOTO,
    OUTPUT_LENGTH_CODE,
    SAME_MODE_CONNECTIONS,
    STRIDE_PREDICTION,
    STRIDED_FIELD,
    STRIDED_STACK,
    layers_to_cover_photo,
    same_mode_connections,
    strided_field,
    top_field_rows,
)
from cnnmotiv.receptive_fields import LayerSpec, receptive_field


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


def test_layers_to_cover_photo_agrees_with_stacking_layers_one_by_one():
    def brute(rows):
        depth = 1
        while receptive_field([LayerSpec(3)] * depth)[-1].size[0] < rows:
            depth += 1
        return depth

    for rows in range(1, 60):
        assert layers_to_cover_photo(rows) == brute(rows), rows


def test_layers_to_cover_photo_is_closed_form_for_any_size():
    # 1 + 2L >= rows, in exact integer arithmetic, instantly even for astronomical sizes
    assert layers_to_cover_photo(10**12) == 5 * 10**11
    assert layers_to_cover_photo(10**400 + 2) == (10**400 + 2) // 2


@pytest.mark.parametrize("rows, error", [
    (float("nan"), TypeError), (2.5, TypeError), (True, TypeError), ("280", TypeError),
    (None, TypeError), (0, ValueError), (-5, ValueError),
])
def test_layers_to_cover_photo_refuses_nonsense_naming_rows(rows, error):
    with pytest.raises(error, match="rows"):
        layers_to_cover_photo(rows)


def test_check_accepts_the_value_answers_and_rejects_near_misses():
    for exercise in (SAME_MODE_CONNECTIONS, STRIDED_FIELD, LAYERS_TO_COVER_PHOTO):
        answer = exercise.solution()
        assert check(exercise, answer).correct
        wrong = tuple(v + 1 for v in answer) if isinstance(answer, tuple) else answer + 1
        assert not check(exercise, wrong).correct


def test_common_wrong_answers_are_rejected():
    assert not check(SAME_MODE_CONNECTIONS, 5 * 100)          # forgot the padding
    assert not check(STRIDED_FIELD, (9, 9))                    # ignored the stride
    assert not check(LAYERS_TO_COVER_PHOTO, 280 // 3)          # thought fields multiply
    assert len({e.name for e in EXERCISES}) == len(EXERCISES) == 5


def test_stride_prediction_against_an_impulse_measurement():
    # every layer of the app's stack has the slider's stride: 3 layers of 3 taps, stride 2
    assert top_field_rows(3, 3, 2, 1) == _impulse_width([(3, 2)] * 3) == 15
    assert check(STRIDE_PREDICTION, 15)
    assert not check(STRIDE_PREDICTION, 7)    # the stride-1 field: the stride does matter
    assert not check(STRIDE_PREDICTION, 9)    # stride counted once, not compounded


def test_stride_prediction_reads_the_receptive_field_app():
    from cnnmotiv.widgets.receptive_fields import receptive_field_app

    app = receptive_field_app()
    fb = check(STRIDE_PREDICTION, 15, app=app)
    assert fb.status == "pending" and "'stride' to 2 (it is at 1)" in fb.message
    app.controls["stride"].value = 2
    assert app.result["sizes"][-1][0] == 15          # what the reader sees ...
    assert check(STRIDE_PREDICTION, 15, app=app)     # ... is what the check compares with
    assert check(STRIDE_PREDICTION, 11, app=app).status == "wrong"
    app.controls["depth"].value = 4
    fb = check(STRIDE_PREDICTION, 15, app=app)
    assert fb.status == "pending" and "'depth' to 3 (it is at 4)" in fb.message


def _brute_output_length(n, k, stride):
    """Count the placements of a k-tap window, stride apart, that fit inside n samples."""
    return sum(1 for start in range(0, n, stride) if start + k <= n)


def test_output_length_code_accepts_independent_solutions():
    assert check(OUTPUT_LENGTH_CODE, _brute_output_length)
    assert check(OUTPUT_LENGTH_CODE,
                 lambda n, k, s: len(np.correlate(np.ones(n), np.ones(k), "valid")[::s]))
    assert check(OUTPUT_LENGTH_CODE, lambda n, k, stride: (n - k) // stride + 1)
    for case in OUTPUT_LENGTH_CODE.cases:
        assert OUTPUT_LENGTH_CODE.solution(*case) == _brute_output_length(*case)


@pytest.mark.parametrize("wrong", [
    lambda n, k, stride: n - k + 1,                      # ignores the stride
    lambda n, k, stride: (n - k) // stride,              # forgets the first placement
    lambda n, k, stride: math.ceil(n / stride),          # 'same'-mode count
    lambda n, k, stride: round((n - k) / stride + 1),    # rounds instead of flooring
], ids=["no-stride", "off-by-one", "same-mode", "rounds"])
def test_output_length_code_rejects_common_mistakes(wrong):
    fb = check(OUTPUT_LENGTH_CODE, wrong)
    assert fb.status == "wrong" and "output_length(" in fb.message
