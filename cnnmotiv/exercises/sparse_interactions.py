"""Exercises for the sparse-interactions notebook.

Every expected answer is computed by the package (matrices and receptive-field
closed form) when it is checked, never typed in.

>>> from cnnmotiv.exercises import check
>>> check(SAME_MODE_CONNECTIONS, 5 * 100).correct
False
>>> check(STRIDED_FIELD, strided_field()).correct
True
"""

from __future__ import annotations

import numpy as np

from cnnmotiv.exercises import Exercise

__all__ = ["SAME_MODE_CONNECTIONS", "STRIDED_FIELD", "LAYERS_TO_COVER_PHOTO", "EXERCISES",
           "same_mode_connections", "strided_field", "layers_to_cover_photo"]


def same_mode_connections() -> int:
    """Non-zeros of the 'same'-mode zero-padded matrix of a 5-tap kernel on 100 inputs."""
    from cnnmotiv.matrices import correlation_matrix_1d

    return int(np.count_nonzero(correlation_matrix_1d(np.ones(5), 100, mode="same")))


#: The stack of :data:`STRIDED_FIELD`: 3×3 kernels, the second layer with stride 2.
STRIDED_STACK = ((3, 1), (3, 2), (3, 1), (3, 1))


def strided_field() -> tuple[int, int]:
    """Receptive-field size of a top unit of :data:`STRIDED_STACK`, (rows, cols)."""
    from cnnmotiv.receptive_fields import LayerSpec, receptive_field

    layers = [LayerSpec(kernel_size=k, stride=s) for k, s in STRIDED_STACK]
    return tuple(int(v) for v in receptive_field(layers)[-1].size)


def layers_to_cover_photo(rows: int = 280) -> int:
    """Fewest stacked 3×3 stride-1 layers whose top unit sees ``rows`` rows or more."""
    from cnnmotiv.receptive_fields import LayerSpec, receptive_field

    depth = 1
    while receptive_field([LayerSpec(kernel_size=3)] * depth)[-1].size[0] < rows:
        depth += 1
    return depth


SAME_MODE_CONNECTIONS = Exercise(
    "same-mode-connections",
    "A 1-D convolutional layer with a 5-tap kernel maps 100 inputs to 100 outputs ('same' "
    "mode, zero padding; taps that land on the padding multiply a zero and are not "
    "connections). How many connections (non-zero entries of its matrix) does it have?",
    same_mode_connections)

STRIDED_FIELD = Exercise(
    "strided-field",
    "Four 3×3 convolution layers are stacked; the second has stride 2, the others stride 1. "
    "How many input pixels, (rows, cols), does one unit of the fourth layer see?",
    strided_field)

LAYERS_TO_COVER_PHOTO = Exercise(
    "layers-to-cover-photo",
    "With 3×3 layers of stride 1 and no dilation, how many layers must be stacked before one "
    "unit's receptive field spans all 280 rows of the photo?",
    layers_to_cover_photo)

EXERCISES = (SAME_MODE_CONNECTIONS, STRIDED_FIELD, LAYERS_TO_COVER_PHOTO)
