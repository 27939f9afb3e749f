"""Exercises for the translation-equivariance notebook.

Every expected answer is computed by :mod:`cnnmotiv.equivariance` on the
notebook's 64 x 64 photo when it is checked, never typed in.

>>> from cnnmotiv.exercises import check
>>> check(STRIDE_SHIFTS, (0, 2, 4, 6, 8)).correct
False
>>> check(ZERO_PADDING_COUNT, zero_padding_count()).correct
True
"""

from __future__ import annotations

from cnnmotiv.data import small_photo
from cnnmotiv.equivariance import EDGE_KERNEL, equivariance_error, pooling_change
from cnnmotiv.exercises import Exercise

__all__ = ["STRIDE_SHIFTS", "ZERO_PADDING_COUNT", "POOL_SATURATION", "EXERCISES",
           "stride_shifts", "zero_padding_count", "pool_saturation"]


def _image():
    return small_photo()


def stride_shifts(stride: int = 4, largest: int = 9) -> tuple[int, ...]:
    """Column shifts ``0 .. largest`` for which a circular, strided layer is exactly equivariant."""
    x = _image()
    return tuple(d for d in range(largest + 1)
                 if equivariance_error(x, EDGE_KERNEL, (0, d), padding="circular",
                                       stride=stride).equivariant)


def zero_padding_count(offset=(0, 4)) -> int:
    """How many entries of ``f(g(x)) - g(f(x))`` are non-zero with zero padding."""
    return equivariance_error(_image(), EDGE_KERNEL, offset, padding="zeros").n_different


def pool_saturation(pool_size: int = 4, largest: int = 12) -> int:
    """Smallest column shift after which every max-pooled value has changed."""
    x = _image()
    for d in range(1, largest + 1):
        if pooling_change(x, EDGE_KERNEL, (0, d), pool_size=pool_size).pooled_fraction == 1.0:
            return d
    raise ValueError(f"no shift up to {largest} changes every pooled value")


STRIDE_SHIFTS = Exercise(
    "stride-shifts",
    "A layer applies EDGE_KERNEL to the 64 x 64 photo with circular padding and stride 4. "
    "For which column shifts d in 0, 1, ..., 9 is it exactly equivariant (the output moves by "
    "d / 4 cells)? Answer with a tuple of shifts.",
    stride_shifts)

ZERO_PADDING_COUNT = Exercise(
    "zero-padding-count",
    "With zero padding, shift the 64 x 64 photo 4 columns to the right (circularly) and compare "
    "f(g(x)) with g(f(x)) for EDGE_KERNEL, which reads only a pixel and its left neighbour. "
    "How many of the 4,096 output values differ? Reason first, then check with "
    "equivariance_error.",
    zero_padding_count)

POOL_SATURATION = Exercise(
    "pool-saturation",
    "After EDGE_KERNEL, 4 x 4 max pooling (stride 4) summarises the 64 x 64 photo. What is the "
    "smallest shift to the right, in pixels, that changes every pooled value?",
    pool_saturation)

EXERCISES = (STRIDE_SHIFTS, ZERO_PADDING_COUNT, POOL_SATURATION)
