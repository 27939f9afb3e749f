"""The one shared validator: every public function checks its arguments here first.

Each check raises a :class:`TypeError` (wrong kind of value) or a
:class:`ValueError` (right kind, value not allowed) whose message names the
parameter and says what is allowed, before any work is done.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

import numpy as np

from cnnmotiv.budget import (DEFAULT_MAX_BYTES, BudgetError, MatrixTooLargeError, check_bytes,
                             format_bytes)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "MatrixTooLargeError",
    "all_finite",
    "as_float_array",
    "check_choice",
    "check_int",
    "check_pair",
    "check_real",
    "check_shape",
    "check_memory",
    "format_bytes",
]

def all_finite(arr: np.ndarray) -> bool:
    """True if a float array holds no NaN or infinity.

    A view that repeats its elements (a zero stride, e.g. from
    :func:`numpy.broadcast_to`) is checked by two reductions (NaN propagates
    through both, -inf shows in the minimum, +inf in the maximum), without a
    temporary of its full size.
    """
    if 0 in arr.strides:
        return bool(np.isfinite(arr.min()) and np.isfinite(arr.max()))
    return bool(np.isfinite(arr).all())


def as_float_array(value, name: str, *, ndim: int | tuple[int, ...] | None = None,
                   dtype=None) -> np.ndarray:
    """Return ``value`` as a finite, non-empty floating-point array.

    Integer and boolean inputs become float64; float32 stays float32 (so the
    fast paths can run in single precision); any other float becomes float64.
    ``dtype``, if given, is the type to convert to instead.

    Raises
    ------
    TypeError
        If ``value`` is not a real numeric array (strings, objects, complex),
        or is a masked array (its mask would be silently ignored).
    ValueError
        If it has the wrong number of dimensions, is empty, holds NaN/inf, or
        holds finite values too large for the floating-point type it is
        converted to (e.g. 1e300 in a float64 kernel used with a float32
        image).
    """
    if isinstance(value, np.ma.MaskedArray):
        raise TypeError(f"{name} must be a plain array, not a masked array: the mask would be "
                        f"ignored; pass {name}.filled(value) with the value masked entries "
                        f"should have, or {name}.data to use the hidden values")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:  # ragged nested lists, etc.
        raise TypeError(f"{name} must be a real numeric array; got {type(value).__name__}") from exc
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must be a real numeric array (bool, int or float); got dtype {arr.dtype}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be {want}; got a {arr.ndim}-D array of shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty; got shape {arr.shape}")
    target = np.dtype(dtype) if dtype is not None else (
        arr.dtype if arr.dtype == np.float32 else np.dtype(np.float64))
    if arr.dtype.kind == "f" and not all_finite(arr):
        raise ValueError(f"{name} must be finite; it holds NaN or infinity")
    narrowing = arr.dtype.kind == "f" and arr.dtype.itemsize > target.itemsize
    with np.errstate(over="ignore"):  # reported below, with the reason
        arr = arr.astype(target, copy=False)
    if narrowing and not all_finite(arr):
        raise ValueError(f"{name} holds values too large for {target} (largest "
                         f"{np.finfo(target).max:.4g}): converting it to {target} would give "
                         f"infinity; scale {name} down, or pass float64 inputs")
    return arr


def check_choice(value, name: str, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise ValueError."""
    choices = tuple(choices)
    if not isinstance(value, str) or value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {allowed}; got {value!r}")
    return value


def check_int(value, name: str, *, minimum: int = 1, maximum: int | None = None) -> int:
    """Return ``value`` as an ``int`` at least ``minimum`` (and at most ``maximum``).

    Raises TypeError for non-integers (floats and bools included) and
    ValueError for values outside the range.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {value!r} of type {type(value).__name__}")
    value = int(value)
    if maximum is not None and not minimum <= value <= maximum:
        raise ValueError(f"{name} must be between {minimum} and {maximum}; got {value}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value}")
    return value


def check_real(value, name: str, *, minimum: float | None = None) -> float:
    """Return ``value`` as a finite ``float``, at least ``minimum`` if one is given.

    Raises TypeError for anything that is not a real number (bools and
    strings included) and ValueError for NaN, infinities and values below
    ``minimum``.

    >>> check_real(0.5, "noise", minimum=0)
    0.5
    >>> check_real(float("nan"), "noise", minimum=0)
    Traceback (most recent call last):
    ...
    ValueError: noise must be a finite number >= 0; got nan
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {value!r} of type "
                        f"{type(value).__name__}")
    value = float(value)
    if not math.isfinite(value) or (minimum is not None and value < minimum):
        bound = "" if minimum is None else f" >= {minimum:g}"
        raise ValueError(f"{name} must be a finite number{bound}; got {value!r}")
    return value


def check_pair(value, name: str, *, minimum: int = 1) -> tuple[int, int]:
    """Return an int or a pair of ints as a pair ``(rows, cols)``, each >= ``minimum``."""
    if isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)):
        v = check_int(value, name, minimum=minimum)
        return v, v
    if isinstance(value, (tuple, list, np.ndarray)) and len(value) == 2:
        return (check_int(value[0], f"{name}[0]", minimum=minimum),
                check_int(value[1], f"{name}[1]", minimum=minimum))
    raise TypeError(f"{name} must be an integer or a pair of integers; got {value!r}")


def check_shape(value, name: str, *, ndim: int, minimum: int = 1) -> tuple[int, ...]:
    """Return ``value`` as a shape tuple of ``ndim`` integers, each >= ``minimum``."""
    if isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)) and ndim == 1:
        value = (value,)
    if not isinstance(value, (tuple, list)) or len(value) != ndim:
        raise ValueError(f"{name} must be a tuple of {ndim} integers; got {value!r}")
    return tuple(check_int(v, f"{name}[{i}]", minimum=minimum) for i, v in enumerate(value))


def check_memory(nbytes: int, what: str, max_bytes: int | None) -> None:
    """Refuse a dense matrix over budget with :class:`~cnnmotiv.budget.MatrixTooLargeError`."""
    try:
        check_bytes(nbytes, what=what, parameter="shape", max_bytes=max_bytes,
                    advice="pass a larger max_bytes, or use the sparse builder")
    except BudgetError as err:
        raise MatrixTooLargeError(str(err), nbytes=err.nbytes, parameter=err.parameter) from None
