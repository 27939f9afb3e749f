"""Exercises for the parameter-sharing notebook.

Every expected answer is computed by :mod:`cnnmotiv.counting` when it is
checked, never typed in.

>>> from cnnmotiv.exercises import check
>>> check(MAC_SAVING, 0).correct
True
>>> check(WEIGHT_REUSE, 9).correct
False
"""

from __future__ import annotations

from cnnmotiv.exercises import Exercise

__all__ = ["LOCAL_PARAMETERS", "WEIGHT_REUSE", "MAC_SAVING", "EXERCISES",
           "local_parameters", "weight_reuse", "mac_saving"]

#: Image and window of :data:`LOCAL_PARAMETERS` and :data:`MAC_SAVING`.
EXERCISE_IMAGE = (64, 64)
EXERCISE_KERNEL = (5, 5)


def local_parameters() -> int:
    """Parameters of a locally connected layer, 5x5 windows on a 64x64 image (valid)."""
    from cnnmotiv.counting import count_locally_connected

    return count_locally_connected(EXERCISE_IMAGE, EXERCISE_KERNEL).parameters


def weight_reuse() -> int:
    """Uses of each weight of a 3x3 convolution on the 280x320 image (valid)."""
    from cnnmotiv.counting import count_conv

    conv = count_conv((280, 320), (3, 3))
    return conv.macs // conv.parameters


def mac_saving() -> int:
    """Multiply-accumulates saved by sharing: locally connected minus conv, 5x5 on 64x64."""
    from cnnmotiv.counting import count_conv, count_locally_connected

    return (count_locally_connected(EXERCISE_IMAGE, EXERCISE_KERNEL).macs
            - count_conv(EXERCISE_IMAGE, EXERCISE_KERNEL).macs)


LOCAL_PARAMETERS = Exercise(
    "local-parameters",
    "A locally connected layer looks at every 5×5 window of a 64×64 image (valid mode, no "
    "padding) and gives every window its own 25 weights. How many weights does it have "
    "(no biases)?",
    local_parameters)

WEIGHT_REUSE = Exercise(
    "weight-reuse",
    "The section's 3×3 convolution runs over the 280×320 image in valid mode. How many times "
    "is each one of its 9 weights used (multiplied with an input pixel)?",
    weight_reuse)

MAC_SAVING = Exercise(
    "mac-saving",
    "Replace the locally connected layer of the first exercise by a convolution with the same "
    "5×5 windows. How many multiply-accumulates per image does the convolution save?",
    mac_saving)

EXERCISES = (LOCAL_PARAMETERS, WEIGHT_REUSE, MAC_SAVING)
