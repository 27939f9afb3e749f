"""One memory and work budget for everything in the package that allocates or loops.

Every function whose memory or running time grows with its arguments computes
what it would need *before* it allocates or starts, and calls
:func:`check_bytes` or :func:`check_work`. Either refuses with a
:class:`BudgetError` whose message states the size it would need, the budget,
and the parameter the caller can change:

>>> check_bytes(63_367_987_200, what="a dense (88,404 x 89,600) float64 matrix",
...             parameter="shape")                                 # doctest: +ELLIPSIS
Traceback (most recent call last):
...
cnnmotiv.budget.BudgetError: a dense (88,404 x 89,600) float64 matrix would need 63,367,987,200 bytes (63.4 GB), more than the max_bytes budget of 2,147,483,648 bytes (2.1 GB); use a smaller shape, or pass a larger max_bytes

A budget larger than the machine's physical memory is refused as well: it is
not an invitation to try.
"""

from __future__ import annotations

import functools
import numbers
import os

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_WORK",
    "BudgetError",
    "MatrixTooLargeError",
    "check_bytes",
    "check_work",
    "format_bytes",
    "physical_memory_bytes",
]

#: Default memory ceiling for one call: 2 GiB.
DEFAULT_MAX_BYTES = 2 * 1024**3

#: Default work ceiling for one call: 10**9 elementary steps (a few seconds of numpy).
DEFAULT_MAX_WORK = 10**9


class BudgetError(ValueError, MemoryError):
    """A call would need more memory or work than its budget allows.

    It is both a :class:`ValueError` (the request is not allowed) and a
    :class:`MemoryError` (the reason is its size), so either ``except`` clause
    catches it. ``nbytes`` (or ``work``) holds the size it would need and
    ``parameter`` the argument to change.
    """

    def __init__(self, message: str, *, nbytes: int | None = None, work: int | None = None,
                 parameter: str | None = None):
        super().__init__(message)
        self.nbytes = nbytes
        self.work = work
        self.parameter = parameter


class MatrixTooLargeError(BudgetError):
    """A dense matrix would need more memory than the budget (a :class:`BudgetError`)."""


@functools.lru_cache(maxsize=1)
def physical_memory_bytes() -> int | None:
    """The machine's physical memory in bytes, or ``None`` where the OS does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def format_bytes(nbytes: float) -> str:
    """Format a byte count in decimal units, e.g. ``'64.0 GB'``.

    >>> format_bytes(64_024_576_000)
    '64.0 GB'
    >>> format_bytes(512)
    '512 B'
    """
    for unit, size in (("PB", 1e15), ("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if nbytes >= size:
            return f"{nbytes / size:.1f} {unit}"
    return f"{int(nbytes)} B"


def _budget(value, name: str, default: int, *, memory: bool) -> int:
    """The budget to apply: ``default`` for ``None``, else a positive int (capped for memory)."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer or None; got {value!r} of type "
                        f"{type(value).__name__}")
    value = int(value)
    if value < 1:
        raise ValueError(f"{name} must be an integer >= 1; got {value}")
    ram = physical_memory_bytes() if memory else None
    if ram is not None and value > ram:
        raise ValueError(f"{name} = {value:,} bytes ({format_bytes(value)}) is more than this "
                         f"machine's physical memory ({format_bytes(ram)}); pass at most {ram:,}")
    return value


def check_bytes(nbytes: int, *, what: str, parameter: str, max_bytes: int | None = None,
                advice: str | None = None) -> None:
    """Refuse (with :class:`BudgetError`) to allocate more than ``max_bytes``.

    Parameters
    ----------
    nbytes : int
        The bytes the call would allocate, computed from its arguments.
    what : str
        What would be allocated, as the message's subject.
    parameter : str
        The caller's argument that makes it large (named in the advice).
    max_bytes : int, optional
        The budget; default :data:`DEFAULT_MAX_BYTES`. At most the machine's
        physical memory.
    advice : str, optional
        What to do instead; default "use a smaller <parameter>, or pass a
        larger max_bytes".

    Raises
    ------
    BudgetError
        If ``nbytes > max_bytes``.
    """
    budget = _budget(max_bytes, "max_bytes", DEFAULT_MAX_BYTES, memory=True)
    nbytes = int(nbytes)
    if nbytes > budget:
        advice = advice or f"use a smaller {parameter}, or pass a larger max_bytes"
        raise BudgetError(
            f"{what} would need {nbytes:,} bytes ({format_bytes(nbytes)}), more than the "
            f"max_bytes budget of {budget:,} bytes ({format_bytes(budget)}); {advice}",
            nbytes=nbytes, parameter=parameter)


def check_work(work: int, *, what: str, parameter: str, max_work: int | None = None,
               unit: str = "steps") -> None:
    """Refuse (with :class:`BudgetError`) work that would take more than ``max_work`` steps.

    >>> check_work(10**12, what="erf_growth up to depth 10**12", parameter="depth")
    Traceback (most recent call last):
    ...
    cnnmotiv.budget.BudgetError: erf_growth up to depth 10**12 would take 1,000,000,000,000 steps, more than the limit of 1,000,000,000; use a smaller depth
    """
    limit = _budget(max_work, "max_work", DEFAULT_MAX_WORK, memory=False)
    work = int(work)
    if work > limit:
        raise BudgetError(f"{what} would take {work:,} {unit}, more than the limit of "
                          f"{limit:,}; use a smaller {parameter}", work=work, parameter=parameter)
