"""Exercises for notebook 5, "What the three properties buy".

The expected answers are computed when checked: from the models' layers and
geometry, or from the session's trained runs (the same cached runs the
notebook trained, so checking costs no training).

>>> from cnnmotiv.exercises import check
>>> check(EXTRA_PARAMETERS, 32_610 - 5_210).correct
True
>>> check(FIELD_SIZE, 8).correct
False
"""

from __future__ import annotations

from cnnmotiv.exercises import Exercise

__all__ = ["SHUFFLE_LOSS", "FIELD_SIZE", "EXTRA_PARAMETERS", "EXERCISES", "FIELD_UNIT",
           "shuffle_loss", "field_size", "extra_parameters"]

#: The unit of :data:`FIELD_SIZE`: ``(position, channel)`` of the CNN's second convolution.
FIELD_UNIT = (2, 0)
#: Index of that convolution's output in ``paper_cnn().layers`` (Reshape, Conv, ReLU, Conv).
FIELD_LAYER = 3


def shuffle_loss() -> str:
    """The model whose test accuracy falls most when positions are shuffled (4,000 signals, seed 0)."""
    from cnnmotiv.learning.experiments import MODELS, trained_run

    drop = {name: trained_run(name).final_test_accuracy
            - trained_run(name, shuffled=True).final_test_accuracy for name in MODELS}
    return max(drop, key=drop.get)


def field_size() -> int:
    """Input positions that can reach unit :data:`FIELD_UNIT` of the CNN's second convolution.

    From the layer geometry alone: the second layer's unit at position ``p``
    reads first-layer positions ``s2*p - p2 .. s2*p - p2 + k2 - 1``, each of
    which reads ``k1`` inputs ``s1`` apart: ``k1 + (k2 - 1) * s1`` inputs when
    none of them is padding.
    """
    from cnnmotiv.learning.models import PAPER_GEOMETRY

    (k1, s1, p1), (k2, s2, p2) = PAPER_GEOMETRY[:2]
    first = s2 * FIELD_UNIT[0] - p2                  # first first-layer position read
    lo = s1 * first - p1
    hi = s1 * (first + k2 - 1) - p1 + k1 - 1
    return min(hi, 39) - max(lo, 0) + 1


def extra_parameters() -> int:
    """Parameters the locally connected net has beyond the CNN with the same connections."""
    from cnnmotiv.learning.experiments import build_model

    return build_model("local").n_parameters - build_model("cnn").n_parameters


SHUFFLE_LOSS = Exercise(
    "shuffle-loss",
    "Predict before you flip the positions toggle of the app: trained on all 4,000 signals, "
    "which model loses the most test accuracy when the 40 positions are shuffled? Answer "
    "'logreg', 'mlp', 'local' or 'cnn'?",
    shuffle_loss)

FIELD_SIZE = Exercise(
    "field-size",
    "Write a few lines with input_gradient: how many of the 40 input positions can change "
    "unit (position 2, channel 0) of the CNN's second convolution (model layer 3)?",
    field_size)

EXTRA_PARAMETERS = Exercise(
    "extra-parameters",
    "The locally connected net has exactly the CNN's connections, with untied weights. How "
    "many more parameters does it have?",
    extra_parameters)

EXERCISES = (SHUFFLE_LOSS, FIELD_SIZE, EXTRA_PARAMETERS)
