"""Exercises for the translation-equivariance notebook.

Every expected answer is computed by :mod:`cnnmotiv.equivariance` on the
notebook's 64 x 64 photo (:func:`cnnmotiv.data.small_photo`) when it is
checked, never typed in.

* Values: :data:`STRIDE_SHIFTS`, :data:`ZERO_PADDING_COUNT`,
  :data:`POOL_SATURATION`.
* Prediction before a slider move: :data:`PADDING_PREDICTION`, with
  :func:`cnnmotiv.widgets.equivariance.equivariance_app` at its defaults
  (shift (5, 3), zero padding, stride 1). Notebook cell::

      prediction = None  # outputs that differ with circular padding, BEFORE you switch
      check(PADDING_PREDICTION, prediction, app=equivariance)

* Code: :data:`OUTPUT_SHIFT_CODE`. Notebook cell::

      output_shift = None  # e.g. lambda d, stride: ...
      check(OUTPUT_SHIFT_CODE, output_shift)

>>> from cnnmotiv.exercises import check
>>> check(STRIDE_SHIFTS, (0, 2, 4, 6, 8)).correct
False
>>> check(ZERO_PADDING_COUNT, zero_padding_count())
✓ correct
>>> check(OUTPUT_SHIFT_CODE, lambda d, stride: d // stride)   # doctest: +ELLIPSIS
✗ not quite: output_shift(3, 2) returned 1, but the package computes None; ...
"""

from __future__ import annotations

import sys

from cnnmotiv.validation import check_int
from cnnmotiv.budget import check_work
from cnnmotiv.data import SMALL_PHOTO_SHAPE, small_photo
from cnnmotiv.equivariance import EDGE_KERNEL, equivariance_error, output_offset, pooling_change
from cnnmotiv.exercises import CodeExercise, Exercise, PredictionExercise

__all__ = ["STRIDE_SHIFTS", "ZERO_PADDING_COUNT", "POOL_SATURATION", "PADDING_PREDICTION",
           "OUTPUT_SHIFT_CODE", "EXERCISES",
           "stride_shifts", "zero_padding_count", "pool_saturation", "differing_outputs",
           "predicted_output_shift"]

def _image():
    return small_photo()


def _check_shift_range(largest: int, minimum: int) -> int:
    """``largest`` as an int >= ``minimum``, refused if trying every shift would take too long."""
    largest = check_int(largest, "largest", minimum=minimum)
    rows, cols = SMALL_PHOTO_SHAPE
    per_shift = 2 * rows * cols * EDGE_KERNEL.size  # two convolutions per shift tried
    check_work((largest + 1) * per_shift, what=f"trying every shift up to largest={largest}",
               parameter="largest", unit="multiply-accumulates")
    return largest


def stride_shifts(stride: int = 4, largest: int = 9) -> tuple[int, ...]:
    """Column shifts ``0 .. largest`` for which a circular, strided layer is exactly equivariant.

    Parameters
    ----------
    stride : int
        The layer's stride, at least 1.
    largest : int
        The largest shift tried, at least 0.

    Returns
    -------
    tuple of int

    Raises
    ------
    TypeError
        If ``stride`` or ``largest`` is not an integer.
    ValueError
        If ``stride < 1`` or ``largest < 0``.
    cnnmotiv.budget.BudgetError
        If trying that many shifts would be more work than the budget.

    Examples
    --------
    >>> stride_shifts(2, 5)
    (0, 2, 4)
    """
    stride = check_int(stride, "stride", minimum=1)
    largest = _check_shift_range(largest, 0)
    x = _image()
    return tuple(d for d in range(largest + 1)
                 if equivariance_error(x, EDGE_KERNEL, (0, d), padding="circular",
                                       stride=stride).equivariant)


def zero_padding_count(offset=(0, 4)) -> int:
    """How many entries of ``f(g(x)) - g(f(x))`` are non-zero with zero padding."""
    return equivariance_error(_image(), EDGE_KERNEL, offset, padding="zeros").n_different


def differing_outputs(shift_y: int, shift_x: int, padding: str, stride: int) -> int:
    """Outputs where ``f(g(x))`` and ``g'(f(x))`` differ, for one setting of the equivariance app.

    The count :func:`cnnmotiv.widgets.equivariance.equivariance_app` shows:
    :attr:`~cnnmotiv.equivariance.EquivarianceReport.n_different` of
    :func:`~cnnmotiv.equivariance.equivariance_error` on the 64 x 64 photo
    with :data:`~cnnmotiv.equivariance.EDGE_KERNEL`.

    >>> differing_outputs(5, 3, "circular", 1)
    0
    """
    offset = (check_int(shift_y, "shift_y", minimum=-sys.maxsize),
              check_int(shift_x, "shift_x", minimum=-sys.maxsize))
    return equivariance_error(_image(), EDGE_KERNEL, offset, padding=padding,
                              stride=stride).n_different


def pool_saturation(pool_size: int = 4, largest: int = 12) -> int:
    """Smallest column shift after which every max-pooled value has changed.

    Raises
    ------
    TypeError
        If ``pool_size`` or ``largest`` is not an integer.
    ValueError
        If ``pool_size`` is below 1 or larger than the image, ``largest < 1``,
        or no shift up to ``largest`` changes every pooled value.
    cnnmotiv.budget.BudgetError
        If trying that many shifts would be more work than the budget.
    """
    pool_size = check_int(pool_size, "pool_size", minimum=1, maximum=min(SMALL_PHOTO_SHAPE))
    largest = _check_shift_range(largest, 1)
    x = _image()
    for d in range(1, largest + 1):
        if pooling_change(x, EDGE_KERNEL, (0, d), pool_size=pool_size).pooled_fraction == 1.0:
            return d
    raise ValueError(f"no shift up to largest={largest} changes every pooled value; "
                     "pass a larger largest")


def predicted_output_shift(d: int, stride: int) -> int | None:
    """Output cells a stride-``stride`` map moves for an input shift of ``d``; None if not whole.

    From :func:`cnnmotiv.equivariance.output_offset`.

    >>> predicted_output_shift(-6, 2), predicted_output_shift(3, 2)
    (-3, None)
    """
    d = check_int(d, "d", minimum=-sys.maxsize)
    (_, cells), exact = output_offset((0, d), stride)
    return cells if exact else None


STRIDE_SHIFTS = Exercise(
    "stride-shifts",
    "A layer applies EDGE_KERNEL to the 64 x 64 photo with circular padding and stride 4. "
    "Answer with a tuple of shifts: for which column shifts d in 0, 1, ..., 9 is it exactly "
    "equivariant (the output moves by d / 4 cells)?",
    stride_shifts,
    hint="the output grid has one cell per 4 pixels: which shifts move it by whole cells?",
    answer_kind="a tuple of whole numbers, e.g. (0, 1)")

ZERO_PADDING_COUNT = Exercise(
    "zero-padding-count",
    "With zero padding, shift the 64 x 64 photo 4 columns to the right (circularly) and compare "
    "f(g(x)) with g(f(x)) for EDGE_KERNEL, which reads only a pixel and its left neighbour "
    "(in three rows). Reason first, then check with equivariance_error: how many of the 4,096 "
    "output values differ?",
    zero_padding_count,
    hint="only columns where one side reads the zero padding and the other a real pixel can "
         "differ: which columns are they?",
    answer_kind="a whole number")

POOL_SATURATION = Exercise(
    "pool-saturation",
    "After EDGE_KERNEL, 4 x 4 max pooling (stride 4) summarises the 64 x 64 photo. What is the "
    "smallest shift to the right, in pixels, that changes every pooled value?",
    pool_saturation,
    hint="try the shifts in order with pooling_change and look at pooled_fraction.",
    answer_kind="a whole number of pixels")

#: Setting of :data:`PADDING_PREDICTION`: the app's default shift with circular padding.
PADDING_SETTING = {"shift_y": 5, "shift_x": 3, "padding": "circular", "stride": 1}

PADDING_PREDICTION = PredictionExercise(
    "padding-prediction",
    "Predict before you change a control. The equivariance app starts at a shift of (5, 3) "
    "with zero padding and stride 1, and its readout counts the outputs where f(g(x)) and "
    "g(f(x)) differ. Write down your prediction first, then switch padding to circular: how "
    "many outputs differ now?",
    differing_outputs,
    hint="with circular padding the shift and the convolution both wrap round the same way: "
         "is there any position where the two sides read different pixels?",
    answer_kind="a whole number",
    setting=PADDING_SETTING, app_name="equivariance_app")

OUTPUT_SHIFT_CODE = CodeExercise(
    "output-shift-code",
    "Write output_shift(d, stride): by how many output cells the feature map of a layer with "
    "this stride moves when its input moves d pixels (d may be negative), or None when no "
    "whole number of cells corresponds to d. A lambda is enough. What is it?",
    predicted_output_shift,
    hint="the output keeps every stride-th position, so d pixels are d / stride cells, when "
         "that is a whole number.",
    cases=((4, 1), (4, 2), (6, 2), (3, 2), (-6, 2), (0, 4), (8, 4), (9, 4), (-3, 3), (5, 1),
           (7, 3), (-1, 2)),
    signature="output_shift(d, stride)")

#: The exercises in the order the notebook asks them.
EXERCISES = (STRIDE_SHIFTS, ZERO_PADDING_COUNT, POOL_SATURATION, PADDING_PREDICTION,
             OUTPUT_SHIFT_CODE)
