"""Exercises for the computational-efficiency notebook.

Every expected answer is computed by the package's counting functions when it
is checked, never typed in.

>>> from cnnmotiv.exercises import check
>>> check(KERNEL_5X5_RATIO, 89_600 / 25).correct
True
"""

from __future__ import annotations

import numpy as np

from cnnmotiv.exercises import Exercise

__all__ = ["KERNEL_5X5_RATIO", "FLOAT32_DENSE_BYTES", "BANDWIDTH_BOUND_SECONDS", "EXERCISES",
           "kernel_5x5_ratio", "float32_dense_bytes", "bandwidth_bound_seconds"]

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


KERNEL_5X5_RATIO = Exercise(
    "kernel-5x5-ratio",
    "Swap the 3×3 kernel for a 5×5 one on the 280×320 image (valid mode). How many times "
    "more multiply-accumulates does the dense matrix need than the convolution?",
    kernel_5x5_ratio, rtol=1e-9)

FLOAT32_DENSE_BYTES = Exercise(
    "float32-dense-bytes",
    "How many bytes would the dense matrix of the section's own kernel, the 2-tap [-1, 1] "
    "on the 280×320 image (valid, output 280×319), take in float32 (4 bytes per entry)?",
    float32_dense_bytes)

BANDWIDTH_BOUND_SECONDS = Exercise(
    "bandwidth-bound-seconds",
    "A dense mat-vec reads every matrix entry once. If main memory delivers 10 GB/s, what is "
    "the least time, in seconds, one product with the float64 3×3 dense matrix of the "
    "280×320 image could take (count only the matrix)?",
    bandwidth_bound_seconds, rtol=1e-3)

#: The exercises in the order the notebook asks them.
EXERCISES = (KERNEL_5X5_RATIO, FLOAT32_DENSE_BYTES, BANDWIDTH_BOUND_SECONDS)
