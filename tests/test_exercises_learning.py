"""Exercises of notebook 5: the computed answers agree with independent measurements."""

import numpy as np
import pytest

from cnnmotiv.exercises import check
from cnnmotiv.exercises import learning as E
from cnnmotiv.learning import experiments as X
from cnnmotiv.learning import input_gradient


def test_field_size_is_what_input_gradient_reaches():
    model = X.build_model("cnn", seed=2)
    x = np.random.default_rng(0).normal(size=(300, 40))
    g = input_gradient(model, x, unit=E.FIELD_UNIT, layer=E.FIELD_LAYER)
    assert E.field_size() == np.count_nonzero(np.abs(g).sum(axis=0)) == 9


def test_extra_parameters_counts_every_layer():
    local, cnn = X.build_model("local"), X.build_model("cnn")
    per_layer = sum(p.size for lay in local.layers for p in lay.params.values()) \
        - sum(p.size for lay in cnn.layers for p in lay.params.values())
    assert E.extra_parameters() == per_layer == 27_400


def test_shuffle_loss_is_the_model_with_the_largest_drop(monkeypatch):
    accuracy = {("logreg", False): 0.32, ("logreg", True): 0.31, ("mlp", False): 0.65,
                ("mlp", True): 0.64, ("local", False): 0.85, ("local", True): 0.60,
                ("cnn", False): 0.90, ("cnn", True): 0.55}

    class Run:
        def __init__(self, acc):
            self.final_test_accuracy = acc

    monkeypatch.setattr(X, "trained_run",
                        lambda name, shuffled=False: Run(accuracy[(name, shuffled)]))
    assert E.shuffle_loss() == "cnn"
    assert check(E.SHUFFLE_LOSS, "cnn").correct
    assert not check(E.SHUFFLE_LOSS, "mlp").correct


@pytest.mark.parametrize("exercise", [E.FIELD_SIZE, E.EXTRA_PARAMETERS], ids=lambda e: e.name)
def test_check_accepts_the_answer_and_rejects_a_near_miss(exercise):
    answer = exercise.solution()
    assert check(exercise, answer).correct
    assert not check(exercise, answer + 1).correct
    assert "Not answered yet" in check(exercise, None).message


def test_three_exercises_with_distinct_names_and_prompts():
    assert len(E.EXERCISES) == 3
    assert len({e.name for e in E.EXERCISES}) == 3
    assert all(e.prompt.endswith("?") for e in E.EXERCISES)
