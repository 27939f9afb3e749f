"""cnnmotiv.widgets.learning: the runs switch never trains, never raises; progress follows training."""

import numpy as np
import pytest

from cnnmotiv.learning import experiments as X
from cnnmotiv.widgets.figure_app import FigureApp
from cnnmotiv.widgets.learning import run_numbers, runs_app, training_progress

STEPS = 20


@pytest.fixture(scope="module")
def runs():
    for name in ("logreg", "mlp"):
        for n in (200, 400):
            X.trained_run(name, n_train=n, steps=STEPS)
    X.trained_run("logreg", n_train=400, shuffled=True, steps=STEPS)
    return {k: v for k, v in X.cached_runs().items() if k[4] == STEPS}


@pytest.fixture
def app(runs):
    return runs_app(runs, steps=STEPS, model="mlp")


def test_builder_returns_an_undisplayed_app_with_named_controls(app):
    assert isinstance(app, FigureApp)
    assert set(app.controls) == {"model", "positions", "n_train"}
    assert app.result["available"] and app.result["n_train"] == 400


def test_every_control_changes_numbers_and_picture(app, runs):
    before = app.png
    app.controls["n_train"].value = 200
    assert app.result["n_train"] == 200 and app.png != before
    run = runs[("mlp", 200, False, 0, STEPS)]
    assert app.result["test"] == run.final_test_accuracy
    assert app.result["gap"] == pytest.approx(run.final_train_accuracy - run.final_test_accuracy)
    before = app.png
    app.controls["model"].value = "logreg"
    assert app.result["model"] == "logreg" and app.png != before
    before = app.png
    app.controls["n_train"].value = 400
    app.controls["positions"].value = "shuffled"
    assert app.result["shuffled"] and app.result["available"] and app.png != before


def test_a_setting_that_was_not_trained_is_said_so(app):
    app.controls["positions"].value = "shuffled"       # mlp shuffled was never trained
    assert not app.result["available"]
    assert "not trained in this session" in app.caption.value


def test_a_move_never_trains(app, monkeypatch):
    monkeypatch.setattr(X, "train", lambda *a, **k: pytest.fail("trained on a slider move"))
    for n in (200, 400, 200):
        app.controls["n_train"].value = n


def test_exceptions_are_shown_in_the_caption_not_raised(runs):
    broken = dict(runs)
    key = ("mlp", 200, False, 0, STEPS)

    class Broken:
        final_test_accuracy = 0.5
        final_train_accuracy = 0.6
        steps = [1, 2]
        test_accuracy = [0.1]           # wrong length: set_data fails on draw
        model = None
        seconds = 0.0

    broken[key] = Broken()
    app = runs_app(broken, steps=STEPS, model="logreg")
    app.controls["model"].value = "mlp"
    app.controls["n_train"].value = 200          # the broken run: refused, not raised
    assert app.error is not None
    assert "Not shown" in app.caption.value
    # the controls went back to the last setting that had a result, and agree with it
    values = {name: control.value for name, control in app.controls.items()}
    assert (values["model"], values["n_train"]) == (app.result["model"], app.result["n_train"])


def test_bad_initial_values_are_refused(runs):
    with pytest.raises(ValueError, match="no finished run"):
        runs_app(runs, steps=STEPS + 1)
    with pytest.raises(ValueError, match="model"):
        runs_app(runs, steps=STEPS, model="gru")
    with pytest.raises(ValueError, match="n_train"):
        runs_app(runs, steps=STEPS, n_train=123)


def test_run_numbers_lists_the_trained_sizes(runs):
    table = {(n, s, sh): r for (n, s, sh, seed, st), r in runs.items() if seed == 0}
    r = run_numbers(table, "logreg", False, 400)
    assert r["sizes"] == [200, 400] and r["parameters"] == 410
    with pytest.raises(ValueError, match="model"):
        run_numbers(table, "rnn", False, 400)


def test_progress_counts_steps_and_runs_and_throttles_drawing():
    p = training_progress(2, steps=STEPS, min_interval=3600)
    renders = p.renders
    X.clear_runs()
    X.seed_study(["logreg"], seeds=(0, 1), n_train=300, steps=STEPS, callback=p.callback)
    assert p.runs_done == 2 and p.bar.value == p.bar.max == 2 * STEPS
    assert p.renders == renders + 2          # once at the end of each run, not per evaluation
    assert "2/2 runs done" in p.label.value


def test_progress_never_stops_training():
    p = training_progress(1, steps=STEPS)
    p.callback("mlp", 0, object())           # not a run at all
    assert "progress display error" in p.label.value
    with pytest.raises(ValueError, match="total_runs"):
        training_progress(-1)
