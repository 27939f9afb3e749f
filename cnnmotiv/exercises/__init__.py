"""Exercises at the end of each notebook, with answers checked by code.

Each part of the section has a module here (``sparse_interactions``,
``parameter_sharing``, ``efficiency``, ``equivariance``) with its exercises
and an ``EXERCISES`` tuple. The expected answer is computed by the package
when it is checked, never typed in by hand. There are three kinds:

* :class:`Exercise`: a value (a count, a ratio, a tuple). The reader sets
  ``answer`` and runs ``check(EXERCISE, answer)``.
* :class:`PredictionExercise`: the reader writes a prediction *before* moving
  a slider, moves it, and runs ``check(EXERCISE, prediction, app=app)``; the
  check reads the app's controls and compares the prediction with what the
  package computes for that setting (until the slider is where the exercise
  asks, it says which control to move and gives no verdict).
* :class:`CodeExercise`: the reader writes a function (a ``lambda`` is
  enough) and runs ``check(EXERCISE, function)``; the check calls it on several
  inputs and compares each result with the package's own.

:func:`check` never raises because of what the reader typed: a wrong value,
the wrong kind of value (a string, an array of the wrong shape, NaN, a huge
integer ...) or a function that raises all give a :class:`Feedback` that says
"not quite" with a hint, or which kind of answer was expected. A Feedback
shows only the verdict, never the expected value, so a solution cell can end
in ``check(...)`` (or ``assert check(...)``, which shows nothing) without
giving the answer away.

In a notebook, the reader's cell is stored unanswered and shows only
"… not answered yet" on Run All; the folded solution cell (``# Solution``
first line) computes the value with the package and ends in
``assert check(EXERCISE, answer)``, which shows no output at all::

    answer = None  # your answer here            |  # Solution: ...
    check(SAME_MODE_CONNECTIONS, answer)          |  answer = int(np.count_nonzero(...))
                                                  |  assert check(SAME_MODE_CONNECTIONS, answer)

    prediction = None  # before you move the slider
    check(STRIDE_PREDICTION, prediction, app=field_app)   # solution: assert check(..., 15)

    output_length = None  # e.g. lambda n, k, stride: ...
    check(OUTPUT_LENGTH_CODE, output_length)   # solution: a lambda (notebooks define no def)

>>> from cnnmotiv.exercises import Exercise, check
>>> ex = Exercise("demo", "What is 2 + 2?", lambda: 2 + 2, hint="count on your fingers.")
>>> check(ex, 4)
✓ correct
>>> check(ex, 5)
✗ not quite: count on your fingers.
>>> check(ex, "4")
✗ not quite: expected a whole number, not a string: write 4 without the quotes.
>>> check(ex, None)
… not answered yet: set your answer and run the cell again.
>>> bool(check(ex, 4.0))
True
"""

from __future__ import annotations

import decimal
import html
import math
import numbers
import reprlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from cnnmotiv.validation import check_int

__all__ = ["Exercise", "PredictionExercise", "CodeExercise", "Feedback", "check",
           "check_window_fits"]

#: What a wrong answer is told when its exercise gives no hint of its own.
DEFAULT_HINT = "look again at how the count is made, or open the solution below."

#: Feedback statuses: the verdicts and the two states that are not verdicts yet.
STATUSES = ("correct", "wrong", "unanswered", "pending")
_MARKS = {"correct": "✓", "wrong": "✗", "unanswered": "…", "pending": "…"}


# --------------------------------------------------------------------------- feedback

@dataclass(frozen=True, repr=False)
class Feedback:
    """The outcome of :func:`check`.

    Attributes
    ----------
    correct : bool
        True only for a right answer; ``bool(feedback)`` is the same, so
        ``assert check(EXERCISE, answer)`` works.
    message : str
        What the reader is told: ``"correct"``, ``"not quite: <hint>"``,
        ``"not quite: expected <kind of value>; got <what was given>"``,
        ``"not answered yet: ..."`` or, for a prediction whose slider has not
        been moved yet, ``"prediction recorded: now move ..."``. It never
        contains the expected value.
    status : {'correct', 'wrong', 'unanswered', 'pending'}
        ``'unanswered'`` and ``'pending'`` are not verdicts.

    Notes
    -----
    ``repr`` (the notebook's text output) and ``_repr_html_`` show the mark
    and the message and nothing else, e.g. ``✓ correct``.
    """

    correct: bool
    message: str
    status: str = ""

    def __post_init__(self):
        status = self.status or ("correct" if self.correct else "wrong")
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}; got {self.status!r}")
        if (status == "correct") != bool(self.correct):
            raise ValueError(f"status {status!r} does not agree with correct={self.correct!r}")
        object.__setattr__(self, "status", status)

    def __bool__(self) -> bool:
        return self.correct

    def __repr__(self) -> str:
        return f"{_MARKS[self.status]} {self.message}"

    __str__ = __repr__

    def _repr_html_(self) -> str:
        return (f'<div class="cnnmotiv-feedback cnnmotiv-feedback-{self.status}">'
                f"{html.escape(repr(self))}</div>")


def _correct() -> Feedback:
    return Feedback(True, "correct")


def _wrong(text: str) -> Feedback:
    return Feedback(False, f"not quite: {text}")


def _unanswered(text: str = "set your answer and run the cell again.") -> Feedback:
    return Feedback(False, f"not answered yet: {text}", "unanswered")


# --------------------------------------------------------------------------- exercises

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
        ``solution()`` returns the expected answer: a whole number, a real
        number, True/False, or a tuple of those.
    rtol : float, optional
        Relative tolerance for numeric answers (0, the default, means exact).
    hint : str, optional
        What a wrong answer is told to look at again.
    answer_kind : str, optional
        How the expected kind of answer is described when the reader gives a
        value of another kind, e.g. ``"a tuple (rows, cols)"``; default: read
        from the expected value ("a whole number", "a number", "a tuple").

    Raises
    ------
    TypeError, ValueError
        For a non-string name, prompt or hint, a solution that cannot be
        called, or a negative or non-finite ``rtol``.
    """

    name: str
    prompt: str
    solution: Callable[..., object]
    rtol: float = 0.0
    hint: str = DEFAULT_HINT
    answer_kind: str = ""

    def __post_init__(self):
        for attr in ("name", "prompt", "hint", "answer_kind"):
            if not isinstance(getattr(self, attr), str):
                raise TypeError(f"{attr} must be a string; got {getattr(self, attr)!r}")
        if not self.name:
            raise ValueError("name must not be empty")
        if not callable(self.solution):
            raise TypeError(f"solution must be callable; got {self.solution!r}")
        if (isinstance(self.rtol, bool) or not isinstance(self.rtol, numbers.Real)
                or not math.isfinite(self.rtol) or self.rtol < 0):
            raise ValueError(f"rtol must be a finite number >= 0; got {self.rtol!r}")

    def _judge(self, answer, app) -> Feedback:
        if app is not None:
            return _wrong(f"{self.name} does not read a slider app: call "
                          "check(EXERCISE, answer) without app=.")
        if answer is None:
            return _unanswered()
        return _verdict(answer, _solve(self.solution), self.rtol, self.hint, self.answer_kind)


@dataclass(frozen=True)
class PredictionExercise(Exercise):
    """Predict what a slider app will show, then move the slider and check.

    Parameters
    ----------
    name, prompt, rtol, hint, answer_kind
        As for :class:`Exercise`.
    solution : callable
        ``solution(**setting)`` returns the value the package computes for
        those control values (the same number the app shows).
    setting : mapping of str to value
        The control values the reader is asked to set, by control name (all
        the controls ``solution`` reads).
    app_name : str
        The builder of the app, for messages (e.g. ``"receptive_field_app"``).

    Notes
    -----
    ``check(EXERCISE, prediction, app=app)`` reads ``app.controls[name].value``
    for every name in ``setting``. Until they all equal ``setting`` the
    feedback is ``'pending'`` and names the control to move; then the
    prediction is compared with ``solution(**values)``. Without ``app`` the
    prediction is compared with ``solution(**setting)`` (a worked solution
    does that, so it does not move the reader's sliders).
    """

    setting: Mapping[str, object] = field(default_factory=dict)
    app_name: str = "app"

    def __post_init__(self):
        super().__post_init__()
        if not isinstance(self.setting, Mapping) or not self.setting:
            raise TypeError(f"setting must be a non-empty mapping of control names to values; "
                            f"got {self.setting!r}")
        # Frozen and hashable: store the setting as a tuple of (name, value) pairs.
        object.__setattr__(self, "setting", tuple(dict(self.setting).items()))

    def target(self) -> dict:
        """The control values the exercise asks for, as a dict."""
        return dict(self.setting)

    def expected(self, **values):
        """The package's value for ``values`` (default: the exercise's setting)."""
        return self.solution(**(values or self.target()))

    def _judge(self, answer, app) -> Feedback:
        target = self.target()
        if answer is None:
            return _unanswered("write your prediction before you move the slider, "
                               "then run this cell again.")
        if app is None:
            values = target
        else:
            values = _read_controls(app, target, self.app_name)
            if isinstance(values, Feedback):
                return values
            away = {k: v for k, v in values.items() if not _same(v, target[k])}
            if away:
                moves = ", ".join(f"{_label(app, k)} to {target[k]!r} (it is at {v!r})"
                                  for k, v in away.items())
                return Feedback(False, f"prediction recorded: now set {moves}, then run this "
                                       "cell again.", "pending")
        return _verdict(answer, _solve(self.solution, **values), self.rtol, self.hint,
                        self.answer_kind)


@dataclass(frozen=True)
class CodeExercise(Exercise):
    """Write a function; the check calls it on several inputs.

    Parameters
    ----------
    name, prompt, rtol, hint
        As for :class:`Exercise`.
    solution : callable
        The package's own function: ``solution(*case)`` is the expected
        result for each case. ``check(EXERCISE, EXERCISE.solution)`` is
        therefore correct by construction; tests pass independent code.
    cases : sequence of tuples
        The positional arguments the reader's function is called with.
    signature : str
        How the function is called, e.g. ``"output_length(n, k, stride)"``;
        shown in the prompt and the messages.

    Notes
    -----
    The reader's function is called once per case, in order; the first case
    whose result is wrong (or that raises) is reported with its arguments,
    what the function returned and what the package computes. A function that
    never returns cannot be stopped from here (interrupt the kernel).
    """

    cases: tuple = ()
    signature: str = "f(...)"

    def __post_init__(self):
        super().__post_init__()
        cases = tuple(tuple(c) for c in self.cases)
        if not cases:
            raise ValueError("cases must hold at least one tuple of arguments")
        object.__setattr__(self, "cases", cases)

    def _judge(self, answer, app) -> Feedback:
        if app is not None:
            return _wrong(f"{self.name} does not read a slider app: call "
                          "check(EXERCISE, your_function) without app=.")
        if answer is None:
            return _unanswered("write your function (a lambda is enough) and run the cell "
                               "again.")
        if not callable(answer):
            return _wrong(f"expected a function {self.signature} (def or lambda); got "
                          f"{_describe(answer)}.")
        func = self.signature.split("(")[0] or "f"
        for case in self.cases:
            call = f"{func}{_show_args(case)}"
            expected = _solve(self.solution, *case)
            try:
                result = answer(*case)
            except Exception as exc:  # the reader's code: report, never propagate
                return _wrong(f"{call} raised {type(exc).__name__}: {_short(str(exc), 120)} "
                              f"(it is called as {self.signature}).")
            ok, problem = _compare(result, expected, self.rtol)
            if problem:
                return _wrong(f"{call} returned {_describe(result)}; expected {problem}.")
            if not ok:
                return _wrong(f"{call} returned {_brief(result)}, but the package computes "
                              f"{_brief(expected)}; {self.hint}")
        return _correct()


def check(exercise: Exercise, answer, *, app=None) -> Feedback:
    """Compare ``answer`` with the exercise's computed solution.

    Parameters
    ----------
    exercise : Exercise
        Any :class:`Exercise`, :class:`PredictionExercise` or
        :class:`CodeExercise`.
    answer : object
        What the reader typed: a value, a prediction or a function. ``None``
        means not answered yet; that is reported, not raised, so a notebook
        with blank exercises runs top to bottom.
    app : FigureApp, optional
        For a :class:`PredictionExercise`: the slider app the reader moved.

    Returns
    -------
    Feedback
        Its ``repr`` is ``✓ correct`` or ``✗ not quite: ...``; it never shows
        the expected value.

    Raises
    ------
    TypeError
        If ``exercise`` is not an :class:`Exercise`. Nothing in ``answer`` or
        ``app`` raises: a value that cannot be read is reported in the Feedback.

    Examples
    --------
    >>> from cnnmotiv.exercises.sparse_interactions import OUTPUT_LENGTH_CODE
    >>> check(OUTPUT_LENGTH_CODE, lambda n, k, stride: (n - k) // stride + 1)
    ✓ correct
    >>> check(OUTPUT_LENGTH_CODE, lambda n, k, stride: n - k + 1)   # doctest: +ELLIPSIS
    ✗ not quite: output_length(10, 3, 2) returned 8, but the package computes 4; ...
    """
    if not isinstance(exercise, Exercise):
        raise TypeError(f"exercise must be an Exercise (e.g. SAME_MODE_CONNECTIONS); got "
                        f"{_describe(exercise)}")
    try:
        return exercise._judge(answer, app)
    except _SolutionError:
        raise
    except Exception as exc:  # something in the reader's value misbehaved (e.g. __eq__ raising)
        return _wrong(f"could not read your answer ({type(exc).__name__}: "
                      f"{_short(str(exc), 80)}); expected {_kind(exercise)}.")


class _SolutionError(RuntimeError):
    """The package's own solution failed: a bug to see, never reported as the reader's."""


def _solve(solution, *args, **kwargs):
    try:
        return solution(*args, **kwargs)
    except Exception as exc:
        raise _SolutionError(f"the exercise's solution failed: {type(exc).__name__}: "
                             f"{exc}") from exc


def check_window_fits(sizes: Mapping[str, object], kernel_name: str, k) -> tuple[int, ...]:
    """Validate a ``k x k`` window and image sizes for the exercises' helper functions.

    Returns ``(k, *sizes.values())`` as ints, each at least 1; raises
    TypeError for a non-integer and ValueError for a value below 1 or a
    window larger than a size (valid mode), naming the parameter.

    >>> check_window_fits({"H": 64, "W": 64}, "k", 5)
    (5, 64, 64)
    >>> check_window_fits({"H": 4, "W": 64}, "k", 5)
    Traceback (most recent call last):
    ...
    ValueError: k must be <= H (the window must fit in valid mode); got k=5, H=4
    """
    k = check_int(k, kernel_name)
    checked = [check_int(v, name) for name, v in sizes.items()]
    for name, v in zip(sizes, checked):
        if k > v:
            raise ValueError(f"{kernel_name} must be <= {name} (the window must fit in valid "
                             f"mode); got {kernel_name}={k}, {name}={v}")
    return (k, *checked)


# --------------------------------------------------------------------------- comparing

def _verdict(answer, expected, rtol, hint, kind) -> Feedback:
    ok, problem = _compare(answer, expected, rtol)
    if problem:
        return _wrong(f"expected {kind or problem}{_type_advice(answer)}")
    return _correct() if ok else _wrong(hint)


def _type_advice(answer) -> str:
    """After 'expected <kind>': what the reader gave, and how to fix the usual slip."""
    if isinstance(answer, str):
        text = answer.strip().replace("_", "").replace(",", "")
        try:
            number = float(text) if len(text) < 40 else math.nan
        except ValueError:
            number = math.nan
        if math.isfinite(number):
            return f", not a string: write {_short(answer.strip(), 40)} without the quotes."
        return f"; got the string {_short(repr(answer), 40)}."
    return f"; got {_describe(answer)}."


def _compare(answer, expected, rtol) -> tuple[bool, str | None]:
    """``(matches, None)`` for an answer of the expected kind, else ``(False, kind)``.

    ``kind`` describes the kind of value that was expected ("a whole number",
    "a number", "True or False", "a tuple of 3 values", "None").
    """
    if expected is None:
        return answer is None, None
    if isinstance(expected, (bool, np.bool_)):
        if isinstance(answer, (bool, np.bool_)):
            return bool(answer) == bool(expected), None
        return False, "True or False"
    if isinstance(expected, numbers.Number):
        integral = isinstance(expected, numbers.Integral)
        value = _as_fraction(answer)
        if value is None:
            return False, "a whole number" if integral else "a number"
        return _close(value, Fraction(expected), rtol), None
    if isinstance(expected, tuple):
        items = _as_items(answer)
        if items is None:
            return False, "a tuple of values, e.g. (1, 2)"
        if len(items) != len(expected):
            return False, None
        ok = True
        for item, want in zip(items, expected):
            item_ok, problem = _compare(item, want, rtol)
            if problem:
                return False, f"a tuple whose items are each {problem}"
            ok = ok and item_ok
        return ok, None
    raise _SolutionError(f"cannot compare with a solution of type {type(expected).__name__}")


def _as_fraction(value) -> Fraction | None:
    """A finite real number as an exact Fraction; None for anything else (bools, NaN, text)."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, numbers.Rational):  # int, numpy integers, Fraction: exact
        return Fraction(int(value)) if isinstance(value, numbers.Integral) else Fraction(value)
    if isinstance(value, decimal.Decimal):
        # finite and of sane size: Fraction('1e999999999') would build a billion-digit int
        if not value.is_finite() or abs(value.adjusted()) > 400:
            return None
        return Fraction(value)
    if isinstance(value, numbers.Real):  # float, numpy floats
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            return None
        return Fraction(number) if math.isfinite(number) else None
    return None


def _as_items(value):
    """A tuple, list, range or 1-D array (its items in order); None for anything else."""
    if isinstance(value, (tuple, list, range)):
        return value
    if isinstance(value, np.ndarray) and value.ndim == 1:
        return value
    return None


def _close(value: Fraction, expected: Fraction, rtol) -> bool:
    return abs(value - expected) <= Fraction(rtol) * abs(expected)


def _kind(exercise: Exercise) -> str:
    if isinstance(exercise, CodeExercise):
        return f"a function {exercise.signature}"
    return exercise.answer_kind or "a number or a tuple of numbers"


# --------------------------------------------------------------------------- showing values

_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 40
_REPR.maxlist = _REPR.maxtuple = 6


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _brief(value) -> str:
    """A short, safe rendering of a value (never raises; huge ints by their size)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        v = int(value)
        if v.bit_length() > 128:
            return f"an integer of about {int(v.bit_length() * math.log10(2)) + 1} digits"
        return f"{v:,}" if abs(v) >= 10_000 else str(v)
    if isinstance(value, (float, np.floating)) and math.isfinite(value):
        return f"{float(value):,.6g}" if abs(value) >= 10_000 else f"{float(value):.6g}"
    try:
        return _REPR.repr(value)
    except Exception:  # a repr that raises, or an int too long to print
        return f"<a {type(value).__name__} that cannot be shown>"


def _describe(value) -> str:
    """What kind of thing ``value`` is, for 'got ...' messages."""
    if value is None:
        return "None"
    if isinstance(value, (bool, np.bool_)):
        return f"{bool(value)} (True/False)"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        name = type(value).__name__
        advice = "; a set has no order: use a tuple" if isinstance(value, (set, frozenset)) else ""
        return f"a {name} of {len(value)} item{'s' * (len(value) != 1)}{advice}"
    if isinstance(value, numbers.Number) and not isinstance(value, numbers.Real):
        return f"the complex number {_brief(value)}"
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value} (not a finite number)"
    if callable(value):
        return "a function (did you mean to call it?)"
    if hasattr(value, "__next__"):
        return f"a {type(value).__name__} (wrap it in tuple(...))"
    name = type(value).__name__
    return f"{_brief(value)} ({'an' if name[:1] in 'aeiou' else 'a'} {name})"


def _show_args(args: tuple) -> str:
    return "(" + ", ".join(_brief(a) if not isinstance(a, tuple) else repr(a)
                           for a in args) + ")"


def _read_controls(app, target: dict, app_name: str):
    """The app's current value of each control in ``target``, or a Feedback saying why not."""
    controls = getattr(app, "controls", None)
    if not isinstance(controls, Mapping) or not all(k in controls for k in target):
        return _wrong(f"app must be the {app_name} shown above (with controls "
                      f"{', '.join(target)}); got {_describe(app)}.")
    values = {}
    for name in target:
        values[name] = getattr(controls[name], "value", None)
    return values


def _same(value, target) -> bool:
    try:
        return bool(value == target)
    except Exception:  # e.g. an array, whose == is elementwise
        return False


def _label(app, name: str) -> str:
    description = getattr(app.controls[name], "description", "") or name
    return f"'{description}'"
