"""Exercises for the sparse-interactions notebook.

Every expected answer is computed by the package (matrices, the
receptive-field closed form, :func:`cnnmotiv.convolution.output_length`) when
it is checked, never typed in.

* Values: :data:`SAME_MODE_CONNECTIONS`, :data:`STRIDED_FIELD`,
  :data:`LAYERS_TO_COVER_PHOTO`.
* Prediction before a slider move: :data:`STRIDE_PREDICTION`, with
  :func:`cnnmotiv.widgets.receptive_fields.receptive_field_app` at its
  defaults. Notebook cell::

      prediction = None  # rows the top unit sees at stride 2, BEFORE you move the slider
      check(STRIDE_PREDICTION, prediction, app=field_app)

* Code: :data:`OUTPUT_LENGTH_CODE`. Notebook cell::

      output_length = None  # e.g. lambda n, k, stride: ...
      check(OUTPUT_LENGTH_CODE, output_length)

>>> from cnnmotiv.exercises import check
>>> check(SAME_MODE_CONNECTIONS, 5 * 100)
✗ not quite: the taps at each end that land on the zero padding are not connections.
>>> check(STRIDED_FIELD, strided_field())
✓ correct
>>> check(STRIDE_PREDICTION, 7)   # the field at stride 1   # doctest: +ELLIPSIS
✗ not quite: a stride multiplies the step of every layer above it: ...
"""

from __future__ import annotations

import numpy as np

from cnnmotiv.validation import check_int
from cnnmotiv.budget import check_work
from cnnmotiv.exercises import CodeExercise, Exercise, PredictionExercise

__all__ = ["SAME_MODE_CONNECTIONS", "STRIDED_FIELD", "LAYERS_TO_COVER_PHOTO",
           "STRIDE_PREDICTION", "OUTPUT_LENGTH_CODE", "EXERCISES", "STRIDED_STACK",
           "same_mode_connections", "strided_field", "layers_to_cover_photo", "top_field_rows",
           "strided_output_length"]


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
    """Fewest stacked 3×3 stride-1 layers whose top unit sees ``rows`` rows or more.

    Parameters
    ----------
    rows : int
        Rows the field must span, at least 1.

    Returns
    -------
    int
        The depth ``L``, at least 1. A stride-1 layer adds the same number of
        rows to the field whatever its depth (its growth, read from
        :func:`~cnnmotiv.receptive_fields.receptive_field` of one layer: 2), so
        ``L = ceil((rows - 1) / growth)``: closed form, constant time for any
        ``rows``.

    Raises
    ------
    TypeError
        If ``rows`` is not an integer (``2.5``, NaN and bools included).
    ValueError
        If ``rows < 1``.

    Examples
    --------
    >>> layers_to_cover_photo()
    140
    >>> layers_to_cover_photo(10**12)
    500000000000
    """
    from cnnmotiv.receptive_fields import LayerSpec, receptive_field

    rows = check_int(rows, "rows", minimum=1)
    one, two = receptive_field([LayerSpec(kernel_size=3)] * 2)
    growth = two.size[0] - one.size[0]  # rows each further layer adds (stride 1: constant)
    first = one.size[0]
    return 1 if rows <= first else 1 - (-(rows - first) // growth)  # exact integer ceil


def top_field_rows(depth: int, kernel_size: int, stride: int, dilation: int) -> int:
    """Rows seen by a top unit of ``depth`` identical layers (the receptive-field app's stack).

    Every layer has the same kernel size, stride and dilation, as in
    :func:`cnnmotiv.widgets.receptive_fields.receptive_field_app`; the value is
    :func:`cnnmotiv.receptive_fields.receptive_field` of that stack.

    >>> top_field_rows(3, 3, 1, 1), top_field_rows(3, 3, 2, 1)
    (7, 15)
    """
    from cnnmotiv.receptive_fields import LayerSpec, receptive_field

    depth = check_int(depth, "depth", minimum=1)
    check_work(depth, what=f"a stack of depth={depth:,} layers", parameter="depth",
               unit="layers")
    layer = LayerSpec(kernel_size=kernel_size, stride=stride, dilation=dilation)
    return int(receptive_field([layer] * depth)[-1].size[0])


def strided_output_length(n: int, k: int, stride: int) -> int:
    """Outputs of a valid (unpadded) 1-D convolution: :func:`cnnmotiv.convolution.output_length`.

    Raises TypeError for non-integers and ValueError unless ``1 <= k <= n`` and
    ``stride >= 1``, naming ``n``, ``k`` or ``stride``.

    >>> strided_output_length(10, 3, 2)
    4
    """
    from cnnmotiv.convolution import output_length

    n, k = check_int(n, "n"), check_int(k, "k")
    stride = check_int(stride, "stride")
    if k > n:
        raise ValueError(f"k must be <= n (the kernel must fit in valid mode); got k={k}, n={n}")
    return output_length(n, k, stride=stride)


SAME_MODE_CONNECTIONS = Exercise(
    "same-mode-connections",
    "A 1-D convolutional layer with a 5-tap kernel maps 100 inputs to 100 outputs ('same' "
    "mode, zero padding; taps that land on the padding multiply a zero and are not "
    "connections). How many connections (non-zero entries of its matrix) does it have?",
    same_mode_connections,
    hint="the taps at each end that land on the zero padding are not connections.",
    answer_kind="a whole number")

STRIDED_FIELD = Exercise(
    "strided-field",
    "Four 3×3 convolution layers are stacked; the second has stride 2, the others stride 1. "
    "How many input pixels, (rows, cols), does one unit of the fourth layer see?",
    strided_field,
    hint="each layer adds (k - 1) times the product of the strides below it (not including "
         "its own).",
    answer_kind="a tuple (rows, cols) of whole numbers")

LAYERS_TO_COVER_PHOTO = Exercise(
    "layers-to-cover-photo",
    "With 3×3 layers of stride 1 and no dilation, how many layers must be stacked before one "
    "unit's receptive field spans all 280 rows of the photo?",
    layers_to_cover_photo,
    hint="each 3×3 stride-1 layer adds 2 rows to the field: it grows by addition, not "
         "multiplication.",
    answer_kind="a whole number")

#: Setting of :data:`STRIDE_PREDICTION`: the receptive-field app's defaults with stride 2.
STRIDE_SETTING = {"depth": 3, "kernel_size": 3, "stride": 2, "dilation": 1}

STRIDE_PREDICTION = PredictionExercise(
    "stride-prediction",
    "Predict before you move a slider. The receptive-field app starts at depth 3, kernel "
    "size 3, stride 1, dilation 1, and a top unit sees 7 rows. Every layer of its stack has "
    "the stride the slider sets. Write down your prediction first, then move the stride "
    "slider to 2: how many rows does a top unit see at stride 2?",
    top_field_rows,
    hint="a stride multiplies the step of every layer above it: each layer adds (k - 1) times "
         "the product of the strides below it.",
    answer_kind="a whole number (rows)",
    setting=STRIDE_SETTING, app_name="receptive_field_app")

OUTPUT_LENGTH_CODE = CodeExercise(
    "output-length-code",
    "Write output_length(n, k, stride): how many outputs a 1-D convolution with a k-tap kernel "
    "and the given stride produces from n inputs in valid mode (no padding; the kernel must "
    "fit inside the input at every placement). A lambda is enough. What is it?",
    strided_output_length,
    hint="count the placements: the first starts at 0, the last must end by n - 1, and they "
         "are `stride` apart.",
    cases=((10, 3, 2), (10, 3, 1), (320, 2, 1), (7, 7, 3), (100, 5, 4), (9, 4, 3), (1, 1, 1),
           (11, 3, 3), (12, 3, 5)),
    signature="output_length(n, k, stride)")

#: The exercises in the order the notebook asks them.
EXERCISES = (SAME_MODE_CONNECTIONS, STRIDED_FIELD, LAYERS_TO_COVER_PHOTO, STRIDE_PREDICTION,
             OUTPUT_LENGTH_CODE)
