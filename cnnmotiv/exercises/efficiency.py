"""Exercises for the computational-efficiency notebook.

Every expected answer is computed by the package's counting functions when it
is checked, never typed in.

* Values: :data:`KERNEL_5X5_RATIO`, :data:`FLOAT32_DENSE_BYTES`,
  :data:`BANDWIDTH_BOUND_SECONDS`.
* Prediction before a slider move: :data:`RATIO_PREDICTION`, with
  :func:`cnnmotiv.widgets.efficiency.cost_app` at its defaults (280×320,
  3×3 kernel). Notebook cell::

      prediction = None  # dense / conv MACs with a 7×7 kernel, BEFORE you move the slider
      check(RATIO_PREDICTION, prediction, app=costs)

* Code: :data:`DENSE_BYTES_CODE`. Notebook cell::

      dense_bytes = None  # e.g. lambda H, W, k: ...
      check(DENSE_BYTES_CODE, dense_bytes)

>>> from cnnmotiv.exercises import check
>>> check(KERNEL_5X5_RATIO, 89_600 / 25)
✓ correct
>>> check(RATIO_PREDICTION, 89_600 / 49)
✓ correct
>>> check(RATIO_PREDICTION, 89_600 / 7)   # doctest: +ELLIPSIS
✗ not quite: the dense layer's MACs over the convolution's are m / k: ...
"""

from __future__ import annotations

import numpy as np

from cnnmotiv.exercises import CodeExercise, Exercise, PredictionExercise, check_window_fits

__all__ = ["KERNEL_5X5_RATIO", "FLOAT32_DENSE_BYTES", "BANDWIDTH_BOUND_SECONDS",
           "RATIO_PREDICTION", "DENSE_BYTES_CODE", "EXERCISES", "BANDWIDTH",
           "kernel_5x5_ratio", "float32_dense_bytes", "bandwidth_bound_seconds", "mac_ratio",
           "dense_bytes"]

#: Memory bandwidth assumed by :data:`BANDWIDTH_BOUND_SECONDS`, bytes per second.
BANDWIDTH = 10e9


def kernel_5x5_ratio() -> float:
    """Dense MACs over convolution MACs for a 5x5 kernel on the 280x320 image (valid)."""
    from cnnmotiv.counting import compare_layers

    layers = compare_layers((280, 320), (5, 5))
    return layers["dense"].macs / layers["conv"].macs


def float32_dense_bytes() -> int:
    """Bytes of the float32 dense matrix of the 2-tap [-1, 1] kernel on 280x320 (valid)."""
    from cnnmotiv.matrices import dense_matrix_nbytes

    return dense_matrix_nbytes((280, 320), (1, 2), dtype=np.float32)


def bandwidth_bound_seconds() -> float:
    """Least time to stream the float64 3x3 dense matrix of 280x320 once at 10 GB/s."""
    from cnnmotiv.matrices import dense_matrix_nbytes

    return dense_matrix_nbytes((280, 320), (3, 3)) / BANDWIDTH


def mac_ratio(height: int, width: int, kernel_size: int) -> float:
    """Dense MACs over convolution MACs, ``k x k`` kernel on ``H x W`` (valid): the cost app's.

    >>> mac_ratio(280, 320, 3) == 89_600 / 9
    True
    """
    from cnnmotiv.counting import compare_layers

    k, height, width = check_window_fits({"height": height, "width": width}, "kernel_size",
                                     kernel_size)
    layers = compare_layers((height, width), (k, k))
    return layers["dense"].macs / layers["conv"].macs


def dense_bytes(H: int, W: int, k: int) -> int:
    """Bytes of the float64 dense matrix of a valid ``k x k`` convolution on ``H x W``."""
    from cnnmotiv.matrices import dense_matrix_nbytes

    k, H, W = check_window_fits({"H": H, "W": W}, "k", k)
    return dense_matrix_nbytes((H, W), (k, k))



KERNEL_5X5_RATIO = Exercise(
    "kernel-5x5-ratio",
    "Swap the 3×3 kernel for a 5×5 one on the 280×320 image (valid mode). How many times "
    "more multiply-accumulates does the dense matrix need than the convolution?",
    kernel_5x5_ratio, rtol=1e-9,
    hint="both layers have the same outputs; count what one output costs in each.",
    answer_kind="a number")

FLOAT32_DENSE_BYTES = Exercise(
    "float32-dense-bytes",
    "How many bytes would the dense matrix of the section's own kernel, the 2-tap [-1, 1] "
    "on the 280×320 image (valid, output 280×319), take in float32 (4 bytes per entry)?",
    float32_dense_bytes,
    hint="one entry per (output, input) pair, 4 bytes each.",
    answer_kind="a whole number of bytes")

BANDWIDTH_BOUND_SECONDS = Exercise(
    "bandwidth-bound-seconds",
    "A dense mat-vec reads every matrix entry once. If main memory delivers 10 GB/s, what is "
    "the least time, in seconds, one product with the float64 3×3 dense matrix of the "
    "280×320 image could take (count only the matrix)?",
    bandwidth_bound_seconds, rtol=1e-3,
    hint="bytes of the matrix (outputs × inputs × 8) divided by bytes per second.",
    answer_kind="a number of seconds")

#: Setting of :data:`RATIO_PREDICTION`: the cost app's 280×320 image with a 7×7 kernel.
RATIO_SETTING = {"height": 280, "width": 320, "kernel_size": 7}

RATIO_PREDICTION = PredictionExercise(
    "ratio-prediction",
    "Predict before you move a slider. The cost app starts at 280×320 with a 3×3 kernel, "
    "where the dense layer needs 89,600 / 9 ≈ 9,956 times the multiply-accumulates of the "
    "convolution. Write down your prediction first (3 significant figures are enough), then "
    "move the kernel slider to 7: what is the ratio now?",
    mac_ratio, rtol=5e-3,
    hint="the dense layer's MACs over the convolution's are m / k: input pixels over kernel "
         "taps.",
    answer_kind="a number",
    setting=RATIO_SETTING, app_name="cost_app")

DENSE_BYTES_CODE = CodeExercise(
    "dense-bytes-code",
    "Write dense_bytes(H, W, k): how many bytes the float64 dense matrix of a valid k×k "
    "convolution on an H×W image takes (one entry per output and input pixel, 8 bytes each). "
    "A lambda is enough. What is it?",
    dense_bytes,
    hint="the matrix has one row per output pixel, (H - k + 1)(W - k + 1), and one column per "
         "input pixel, H·W.",
    cases=((280, 320, 3), (64, 64, 5), (3, 3, 3), (10, 20, 1), (100, 50, 7), (280, 320, 1)),
    signature="dense_bytes(H, W, k)")

#: The exercises in the order the notebook asks them.
EXERCISES = (KERNEL_5X5_RATIO, FLOAT32_DENSE_BYTES, BANDWIDTH_BOUND_SECONDS, RATIO_PREDICTION,
             DENSE_BYTES_CODE)
