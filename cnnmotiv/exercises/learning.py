"""Exercises for notebook 5, "What the three properties buy".

The expected answers are computed when checked: from the models' layer
geometry, or from the session's trained runs (the same cached runs the
notebook trained, so checking costs no training).

>>> from cnnmotiv.exercises import check
>>> check(EXTRA_PARAMETERS, 32_610 - 5_210)
✓ correct
>>> check(FIELD_SIZE_CODE, lambda position: 9)
✗ not quite: ...
"""

from __future__ import annotations

from cnnmotiv.exercises import CodeExercise, Exercise, PredictionExercise

__all__ = ["SHUFFLE_PREDICTION", "FIELD_SIZE_CODE", "EXTRA_PARAMETERS", "EXERCISES",
           "SHUFFLE_SETTING", "FIELD_LAYER", "shuffled_accuracy", "field_size",
           "extra_parameters"]

#: The setting of :data:`SHUFFLE_PREDICTION`: controls of ``runs_app``.
SHUFFLE_SETTING = {"model": "cnn", "positions": "shuffled", "n_train": 4000}
#: Index of the CNN's second convolution in ``paper_cnn().layers`` (Reshape, Conv, ReLU, Conv).
FIELD_LAYER = 3


def shuffled_accuracy(model: str = "cnn", positions: str = "shuffled", n_train: int = 4000
                      ) -> float:
    """Final test accuracy, in percent, of the seed-0 run the app shows for this setting."""
    from cnnmotiv.learning.experiments import trained_run
    from cnnmotiv.widgets.learning import POSITIONS

    run = trained_run(model, n_train=n_train, shuffled=POSITIONS[positions])
    return round(100 * run.final_test_accuracy, 1)


def field_size(position: int) -> int:
    """Input positions that can reach unit ``(position, channel)`` of the CNN's second convolution.

    From the layer geometry alone (:data:`~cnnmotiv.learning.PAPER_GEOMETRY`):
    the unit reads first-layer positions ``s2*p - p2 .. s2*p - p2 + k2 - 1``
    (those inside the first layer's output), each of which reads ``k1`` inputs
    from ``s1*j - p1``; the count is that window clipped to the 40 inputs.
    """
    from cnnmotiv.learning.models import PAPER_GEOMETRY

    (k1, s1, p1), (k2, s2, p2) = PAPER_GEOMETRY[:2]
    n_in = 40
    n1 = (n_in + 2 * p1 - k1) // s1 + 1
    first = [j for j in range(s2 * position - p2, s2 * position - p2 + k2) if 0 <= j < n1]
    lo, hi = s1 * first[0] - p1, s1 * first[-1] - p1 + k1 - 1
    return min(hi, n_in - 1) - max(lo, 0) + 1


def extra_parameters() -> int:
    """Parameters the locally connected net has beyond the CNN with the same connections."""
    from cnnmotiv.learning.experiments import build_model

    return build_model("local").n_parameters - build_model("cnn").n_parameters


SHUFFLE_PREDICTION = PredictionExercise(
    "shuffle-prediction",
    "Predict before you move a control. The app shows the CNN trained on all 4,000 ordered "
    "signals. Write down your prediction, then switch positions to 'shuffled': what test "
    "accuracy, in percent, will the CNN reach on shuffled positions (within a tenth of the "
    "measured value counts)?",
    shuffled_accuracy, rtol=0.1,
    hint="the CNN's kernels read 5 neighbouring positions; after the shuffle, what do "
         "neighbours have in common? Compare with the MLP, which reads all 40.",
    answer_kind="a number (percent)",
    setting=SHUFFLE_SETTING, app_name="runs_app")

FIELD_SIZE_CODE = CodeExercise(
    "field-size-code",
    "Write field(position) with input_gradient: how many of the 40 input positions can change "
    "unit (position, channel 0) of the CNN's second convolution (model layer 3)?",
    field_size, cases=((2,), (0,), (5,), (9,)), signature="field(position)",
    hint="count the positions where the gradient is non-zero for at least one signal; the "
         "edges are cut by the padding.")

EXTRA_PARAMETERS = Exercise(
    "extra-parameters",
    "The locally connected net has exactly the CNN's connections, with untied weights. How "
    "many more parameters does it have?",
    extra_parameters)

EXERCISES = (SHUFFLE_PREDICTION, FIELD_SIZE_CODE, EXTRA_PARAMETERS)
