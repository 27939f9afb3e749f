"""Exercises for the parameter-sharing notebook.

Every expected answer is computed by :mod:`cnnmotiv.counting` when it is
checked, never typed in.

* Values: :data:`LOCAL_PARAMETERS`, :data:`WEIGHT_REUSE`, :data:`MAC_SAVING`.
* Prediction before a slider move: :data:`GROWTH_PREDICTION`, with
  :func:`cnnmotiv.widgets.sharing.parameter_growth_app` at its defaults
  (3×3 kernel, 64×64 image). Notebook cell::

      prediction = None  # (locally connected, convolution) parameters at side 128
      check(GROWTH_PREDICTION, prediction, app=growth_app)

* Code: :data:`LOCAL_PARAMETERS_CODE`. Notebook cell::

      local_parameters = None  # e.g. lambda H, W, k: ...
      check(LOCAL_PARAMETERS_CODE, local_parameters)

>>> from cnnmotiv.exercises import check
>>> check(MAC_SAVING, 0)
✓ correct
>>> check(WEIGHT_REUSE, 9).correct
False
>>> check(LOCAL_PARAMETERS_CODE, lambda H, W, k: H * W * k * k)   # doctest: +ELLIPSIS
✗ not quite: local_parameters(64, 64, 5) returned 102,400, but the package computes 90,000; ...
"""

from __future__ import annotations

from cnnmotiv.exercises import CodeExercise, Exercise, PredictionExercise, check_window_fits

__all__ = ["LOCAL_PARAMETERS", "WEIGHT_REUSE", "MAC_SAVING", "GROWTH_PREDICTION",
           "LOCAL_PARAMETERS_CODE", "EXERCISES", "EXERCISE_IMAGE", "EXERCISE_KERNEL",
           "local_parameters", "weight_reuse", "mac_saving", "growth_parameters",
           "locally_connected_parameters"]

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


def growth_parameters(kernel_size: int, side: int) -> tuple[int, int]:
    """(locally connected, convolution) parameters, ``k x k`` windows on a ``side x side`` image.

    The two counts :func:`cnnmotiv.widgets.sharing.parameter_growth_app` shows
    (valid mode, no biases), from :mod:`cnnmotiv.counting`.

    >>> growth_parameters(3, 64)
    (34596, 9)
    """
    from cnnmotiv.counting import count_conv, count_locally_connected

    k, side = check_window_fits({"side": side}, "kernel_size", kernel_size)
    shape, kernel = (side, side), (k, k)
    return (count_locally_connected(shape, kernel).parameters,
            count_conv(shape, kernel).parameters)


def locally_connected_parameters(H: int, W: int, k: int) -> int:
    """Weights of a locally connected layer, ``k x k`` windows on ``H x W`` (valid, no biases)."""
    from cnnmotiv.counting import count_locally_connected

    k, H, W = check_window_fits({"H": H, "W": W}, "k", k)
    return count_locally_connected((H, W), (k, k)).parameters



LOCAL_PARAMETERS = Exercise(
    "local-parameters",
    "A locally connected layer looks at every 5×5 window of a 64×64 image (valid mode, no "
    "padding) and gives every window its own 25 weights. How many weights does it have "
    "(no biases)?",
    local_parameters,
    hint="count the window positions along each axis (valid mode), then the weights each "
         "window has of its own.",
    answer_kind="a whole number")

WEIGHT_REUSE = Exercise(
    "weight-reuse",
    "The section's 3×3 convolution runs over the 280×320 image in valid mode. How many times "
    "is each one of its 9 weights used (multiplied with an input pixel)?",
    weight_reuse,
    hint="a weight is used once at every output position: how many positions does valid "
         "mode leave?",
    answer_kind="a whole number")

MAC_SAVING = Exercise(
    "mac-saving",
    "Replace the locally connected layer of the first exercise by a convolution with the same "
    "5×5 windows. How many multiply-accumulates per image does the convolution save?",
    mac_saving,
    hint="count the multiplications each output needs in both layers: does it matter where "
         "the weights are stored?",
    answer_kind="a whole number")

#: Setting of :data:`GROWTH_PREDICTION`: the growth app's 3×3 kernel on a 128×128 image.
GROWTH_SETTING = {"kernel_size": 3, "side": 128}

GROWTH_PREDICTION = PredictionExercise(
    "growth-prediction",
    "Predict before you move a slider. The parameter-growth app starts with a 3×3 kernel on a "
    "64×64 image: the locally connected layer has 62 · 62 · 9 = 34,596 weights and the "
    "convolution 9. Write down your prediction first, then move the image-side slider to "
    "128: how many weights do (locally connected, convolution) have now?",
    growth_parameters,
    hint="the locally connected layer has one k×k set of weights per output position; the "
         "convolution has one set in all.",
    answer_kind="a tuple (locally connected, convolution) of whole numbers",
    setting=GROWTH_SETTING, app_name="parameter_growth_app")

LOCAL_PARAMETERS_CODE = CodeExercise(
    "local-parameters-code",
    "Write local_parameters(H, W, k): the number of weights of a locally connected layer that "
    "gives every valid k×k window of an H×W image its own k·k weights (no biases). A lambda is "
    "enough. What is it?",
    locally_connected_parameters,
    hint="a k×k window fits at H - k + 1 positions down and W - k + 1 across.",
    cases=((64, 64, 5), (280, 320, 3), (5, 5, 5), (10, 7, 3), (1, 9, 1), (28, 28, 7),
           (9, 4, 2)),
    signature="local_parameters(H, W, k)")

#: The exercises in the order the notebook asks them.
EXERCISES = (LOCAL_PARAMETERS, WEIGHT_REUSE, MAC_SAVING, GROWTH_PREDICTION,
             LOCAL_PARAMETERS_CODE)
