"""Exercises at the end of each notebook, with answers checked by code.

Each part of the section has a module here (``sparse_interactions``,
``parameter_sharing``, ``efficiency``, ``equivariance``) that registers its
exercises with :func:`exercise`. The expected answer is computed by the
package when it is checked, never typed in by hand.

>>> from cnnmotiv.exercises import Exercise, check
>>> ex = Exercise("demo", "What is 2 + 2?", lambda: 2 + 2)
>>> check(ex, 4).correct
True
>>> check(ex, None).message
'Not answered yet: set your answer and run the cell again.'
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["Exercise", "Feedback", "check"]


@dataclass(frozen=True)
class Exercise:
    """A question whose answer the package computes.

    Parameters
    ----------
    name : str
        Short identifier, e.g. ``"dense-parameters"``.
    prompt : str
        The question as the notebook asks it.
    solution : callable
        Returns the expected answer (a number, a tuple or an array).
    rtol : float
        Relative tolerance for numeric answers (0 means exact).
    """

    name: str
    prompt: str
    solution: Callable[[], object]
    rtol: float = 0.0


@dataclass(frozen=True)
class Feedback:
    """The outcome of :func:`check`: ``correct`` and a message for the reader."""

    correct: bool
    message: str

    def _repr_markdown_(self) -> str:
        mark = "✅" if self.correct else "❌"
        return f"{mark} {self.message}"

    def __bool__(self) -> bool:
        return self.correct


def check(exercise: Exercise, answer) -> Feedback:
    """Compare ``answer`` with the exercise's computed solution.

    ``None`` means not answered yet; that is reported, not raised, so a
    notebook with blank exercises still runs top to bottom.
    """
    if answer is None:
        return Feedback(False, "Not answered yet: set your answer and run the cell again.")
    expected = exercise.solution()
    try:
        ok = bool(np.allclose(np.asarray(answer, dtype=float), np.asarray(expected, dtype=float),
                              rtol=exercise.rtol, atol=0.0)) and np.shape(answer) == np.shape(expected)
    except (TypeError, ValueError):
        ok = answer == expected
    if ok:
        return Feedback(True, f"Correct: {exercise.name} = {_show(expected)}.")
    return Feedback(False, f"Not quite: {_show(answer)} is not the answer to {exercise.name}. "
                           "Look again at how the count is made, or open the solution below.")


def _show(value) -> str:
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)) and math.isfinite(value):
        return f"{float(value):,.6g}"
    return repr(value)
