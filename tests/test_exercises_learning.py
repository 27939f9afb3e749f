"""Exercises of notebook 5: the computed answers agree with independent measurements."""

import numpy as np
import pytest

from cnnmotiv.exercises import check
from cnnmotiv.exercises import learning as E
from cnnmotiv.learning import experiments as X
from cnnmotiv.learning import input_gradient


@pytest.fixture(scope="module")
def measured_field():
    model = X.build_model("cnn", seed=2)
    x = np.random.default_rng(0).normal(size=(300, 40))
    return lambda p: int(np.count_nonzero(np.abs(
        input_gradient(model, x, unit=(p, 0), layer=E.FIELD_LAYER)).sum(axis=0)))


@pytest.mark.parametrize("position", range(10))
def test_field_size_is_what_input_gradient_reaches(measured_field, position):
    assert E.field_size(position) == measured_field(position)


def test_field_code_exercise_accepts_measured_code_and_rejects_a_constant(measured_field):
    assert check(E.FIELD_SIZE_CODE, measured_field)
    assert not check(E.FIELD_SIZE_CODE, lambda p: 9)
    assert check(E.FIELD_SIZE_CODE, None).status == "unanswered"


def test_extra_parameters_counts_every_layer():
    local, cnn = X.build_model("local"), X.build_model("cnn")
    per_layer = sum(p.size for lay in local.layers for p in lay.params.values()) \
        - sum(p.size for lay in cnn.layers for p in lay.params.values())
    assert E.extra_parameters() == per_layer == 27_400
    assert check(E.EXTRA_PARAMETERS, 27_400) and not check(E.EXTRA_PARAMETERS, 27_401)


class _Run:
    def __init__(self, acc):
        self.final_test_accuracy = acc


def test_shuffle_prediction_reads_the_run_the_app_shows(monkeypatch):
    seen = []

    def fake(name, *, n_train=None, shuffled=False):
        seen.append((name, n_train, shuffled))
        return _Run(0.618)

    monkeypatch.setattr(X, "trained_run", fake)
    assert E.shuffled_accuracy() == 61.8
    assert seen == [("cnn", 4000, True)]
    assert check(E.SHUFFLE_PREDICTION, 60)            # within a tenth
    assert not check(E.SHUFFLE_PREDICTION, 90)


def test_shuffle_prediction_waits_for_the_toggle(monkeypatch):
    monkeypatch.setattr(X, "trained_run", lambda name, *, n_train=None, shuffled=False:
                        _Run(0.6 if shuffled else 0.9))

    class Control:
        def __init__(self, value):
            self.value = value
            self.description = "c"

    class App:
        controls = {"model": Control("cnn"), "positions": Control("ordered"),
                    "n_train": Control(4000)}

    app = App()
    assert check(E.SHUFFLE_PREDICTION, 55, app=app).status == "pending"
    app.controls["positions"].value = "shuffled"
    assert check(E.SHUFFLE_PREDICTION, 58, app=app)


def test_three_exercises_with_distinct_names_and_prompts():
    assert len(E.EXERCISES) == 3
    assert len({e.name for e in E.EXERCISES}) == 3
    assert all(e.prompt.endswith("?") for e in E.EXERCISES)
