"""The exercise checker: never crashes on what a reader types, never shows the answer."""

from __future__ import annotations

import decimal
import math
import re
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from cnnmotiv.budget import BudgetError
from cnnmotiv.exercises import CodeExercise, Exercise, Feedback, PredictionExercise, check
from cnnmotiv.exercises import efficiency, equivariance, parameter_sharing, sparse_interactions

ALL = tuple(e for m in (sparse_interactions, parameter_sharing, efficiency, equivariance)
            for e in m.EXERCISES)
VALUE = tuple(e for e in ALL if not isinstance(e, CodeExercise))
CODE = tuple(e for e in ALL if isinstance(e, CodeExercise))
PREDICTION = tuple(e for e in ALL if isinstance(e, PredictionExercise))


def _right_answer(ex):
    """The right answer to hand the checker: the value, or the package's own function."""
    if isinstance(ex, CodeExercise):
        return ex.solution
    if isinstance(ex, PredictionExercise):
        return ex.expected()
    return ex.solution()


class _Hostile:
    """A value whose every protocol raises."""

    def __eq__(self, other):
        raise RuntimeError("no ==")

    __hash__ = object.__hash__

    def __float__(self):
        raise RuntimeError("no float")

    def __len__(self):
        raise RuntimeError("no len")

    def __repr__(self):
        raise RuntimeError("no repr")


def _nasty_values():
    """31 kinds of thing a reader may type instead of a right answer."""
    return [True, False, 7, -1, 10**12, 10**400, -10**5000, 2**63, 0.5, float("nan"),
            float("inf"), -float("inf"), 1e308, 3 + 4j, "494", "", "abc", b"13", [13, 12],
            (13, 14), [[1, 2], [3]], {"a": 1}, {4, 8}, np.zeros((3, 3)), np.array([]),
            np.array(["a"]), np.array([np.nan, 1.0]), lambda: 1, _Hostile(),
            (x for x in range(3)), decimal.Decimal("1e999999999")]


def _assert_feedback(fb):
    assert isinstance(fb, Feedback)
    text = repr(fb)
    assert isinstance(text, str) and len(text) < 400
    assert isinstance(fb._repr_html_(), str)
    assert fb.status in ("correct", "wrong", "unanswered", "pending")
    return text


@pytest.mark.parametrize("exercise", ALL, ids=lambda e: e.name)
def test_nasty_answers_give_feedback_not_tracebacks(exercise):
    for value in _nasty_values():
        text = _assert_feedback(check(exercise, value))
        assert text.startswith("✗ not quite: "), (value, text)


def _scalars():
    return st.one_of(
        st.none(), st.booleans(), st.integers(), st.integers(min_value=2**62, max_value=10**500),
        st.floats(allow_nan=True, allow_infinity=True), st.complex_numbers(),
        st.fractions(), st.decimals(allow_nan=True, allow_infinity=True),
        st.text(max_size=20), st.binary(max_size=10),
        st.sampled_from([np.int64(7), np.float32(2.5), np.float16("nan"), np.bool_(True),
                         np.uint8(255), np.longdouble(1e300), np.array(3.0), np.str_("13")]))


def _arrays():
    return hnp.arrays(dtype=st.sampled_from([np.int64, np.float64, np.float32, np.complex128,
                                             np.bool_, np.dtype("U3"), np.dtype(object)]),
                      shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))


_values = st.recursive(
    st.one_of(_scalars(), _arrays()),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.tuples(inner, inner),
                            st.tuples(inner, inner, inner), st.sets(st.integers(), max_size=4),
                            st.dictionaries(st.text(max_size=3), inner, max_size=3)),
    max_leaves=8)


def _functions():
    """Functions a reader might write: returning anything, raising, taking the wrong arguments."""
    return st.one_of(
        _values.map(lambda v: (lambda *args: v)),
        st.sampled_from([lambda *a: 1 / 0, lambda: 1, lambda x: x, lambda *a: a,
                         lambda *a: np.array(a), lambda *a: sum(a), lambda *a: -sum(a) // 2,
                         lambda *a: float("nan"), lambda *a: str(a[0]), lambda *a: None,
                         lambda *a: _Hostile(), lambda *a: [a[0]], print, len, int]))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exercise=st.sampled_from(ALL), answer=st.one_of(_values, _functions()))
def test_checker_never_raises_on_any_answer(exercise, answer):
    """Property: whatever the reader types, check returns a Feedback, never the answer."""
    fb = check(exercise, answer)
    text = _assert_feedback(fb)
    if answer is None:
        assert fb.status == "unanswered" and not fb
    if fb:
        assert text == "✓ correct"


@pytest.mark.parametrize("exercise", ALL, ids=lambda e: e.name)
def test_a_right_answer_shows_only_that_it_passes(exercise):
    fb = check(exercise, _right_answer(exercise))
    assert fb.correct and bool(fb) and fb.status == "correct"
    assert repr(fb) == str(fb) == "✓ correct"
    assert re.fullmatch(r'<div class="cnnmotiv-feedback cnnmotiv-feedback-correct">'
                        r"✓ correct</div>", fb._repr_html_())


@pytest.mark.parametrize("exercise", [e for e in VALUE if not isinstance(e, PredictionExercise)]
                         + list(PREDICTION), ids=lambda e: e.name)
def test_a_wrong_answer_does_not_give_the_right_one_away(exercise):
    expected = _right_answer(exercise)
    first = expected[0] if isinstance(expected, tuple) and expected else expected
    wrong = (tuple(v + 1 for v in expected) if isinstance(expected, tuple)
             else expected * 2 + 1)
    fb = check(exercise, wrong)
    assert not fb and fb.status == "wrong" and repr(fb).startswith("✗ not quite: ")
    assert exercise.hint in fb.message
    if isinstance(first, (int, float)) and abs(first) >= 10:
        shown = {f"{first:,}", f"{first}", f"{first:,.6g}", f"{first:.6g}"}
        assert not any(s in fb.message for s in shown), fb.message


@pytest.mark.parametrize("exercise", ALL, ids=lambda e: e.name)
def test_unanswered_is_not_a_verdict(exercise):
    fb = check(exercise, None)
    assert fb.status == "unanswered" and not fb
    assert repr(fb).startswith("… not answered yet: ")


@pytest.mark.parametrize("answer, kind", [
    ("494", "without the quotes"), ("abc", "got the string 'abc'"),
    (True, "got True (True/False)"), (float("nan"), "not a finite number"),
    (3 + 4j, "complex"), ({4, 8}, "a set has no order"), (np.ones((2, 2)), "shape (2, 2)"),
    ((x for x in "ab"), "wrap it in tuple"), (len, "did you mean to call it"),
], ids=lambda v: type(v).__name__)
def test_the_wrong_kind_of_value_is_named(answer, kind):
    fb = check(sparse_interactions.SAME_MODE_CONNECTIONS, answer)
    assert fb.message.startswith("not quite: expected a whole number")
    assert kind in fb.message


def test_a_huge_integer_is_described_by_its_size():
    fb = check(sparse_interactions.STRIDED_FIELD, 10**5000)  # str() of it would raise
    assert "got an integer of about 5001 digits" in fb.message
    assert check(sparse_interactions.SAME_MODE_CONNECTIONS, 10**5000).status == "wrong"


def test_numbers_of_every_numeric_type_are_compared_exactly():
    ex = Exercise("demo", "?", lambda: 494)
    for answer in (494, 494.0, np.int32(494), np.float32(494), Fraction(988, 2),
                   decimal.Decimal("494"), np.array(494)):
        assert check(ex, answer), answer
    for answer in (494.0000001, 493, 2**64 + 494, Fraction(989, 2)):
        assert not check(ex, answer), answer
    # a huge integer next to a huge expected value: exact integer arithmetic, no float rounding
    big = Exercise("big", "?", lambda: 2**80 + 1)
    assert check(big, 2**80 + 1) and not check(big, 2**80) and not check(big, float(2**80 + 1))


def test_relative_tolerance():
    ex = Exercise("demo", "?", lambda: 1000.0, rtol=1e-3)
    assert check(ex, 1000.9) and check(ex, 999.1)
    assert not check(ex, 1001.1) and not check(ex, -1000.0)


def test_tuples_lists_and_arrays_compare_in_order():
    ex = Exercise("demo", "?", lambda: (0, 4, 8))
    for answer in ((0, 4, 8), [0, 4, 8], np.array([0, 4, 8]), range(0, 9, 4), (0.0, 4.0, 8.0)):
        assert check(ex, answer), answer
    for answer in ((8, 4, 0), (0, 4), (0, 4, 8, 12), ()):
        fb = check(ex, answer)
        assert fb.status == "wrong" and ex.hint in fb.message
    assert "a tuple whose items are each a whole number" in check(ex, (0, "4", 8)).message


def test_a_hostile_value_is_reported_not_raised():
    fb = check(sparse_interactions.SAME_MODE_CONNECTIONS, _Hostile())
    assert fb.status == "wrong" and "(a _Hostile)" in fb.message


def test_code_exercise_reports_the_first_failing_call():
    ex = sparse_interactions.OUTPUT_LENGTH_CODE
    fb = check(ex, lambda n, k, stride: n - k + 1)  # forgot the stride
    assert fb.message.startswith("not quite: output_length(10, 3, 2) returned 8, but the "
                                 "package computes 4; ")
    fb = check(ex, lambda n, k, stride: (n - k) / stride + 1)  # true division: 4.5 at (10, 3, 2)
    assert "returned 4.5" in fb.message
    fb = check(ex, lambda n, k: n)
    assert "output_length(10, 3, 2) raised TypeError" in fb.message
    assert "it is called as output_length(n, k, stride)" in fb.message
    fb = check(ex, lambda n, k, stride: 1 // 0)
    assert "raised ZeroDivisionError" in fb.message
    fb = check(ex, lambda n, k, stride: "4")
    assert "returned '4' (a str); expected a whole number" in fb.message
    assert check(ex, lambda n, k, stride: np.int64((n - k) // stride + 1))


def test_feedback_rejects_a_contradiction():
    with pytest.raises(ValueError, match="status"):
        Feedback(True, "correct", "wrong")
    with pytest.raises(ValueError, match="status must be one of"):
        Feedback(False, "x", "maybe")


def test_html_escapes_what_the_reader_typed():
    fb = check(sparse_interactions.SAME_MODE_CONNECTIONS, "<script>alert(1)</script>")
    assert "<script>" not in fb._repr_html_() and "&lt;script&gt;" in fb._repr_html_()


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(name=3), TypeError, "name must be a string"),
    (dict(name=""), ValueError, "name must not be empty"),
    (dict(solution=42), TypeError, "solution must be callable"),
    (dict(rtol=-1), ValueError, "rtol must be a finite number >= 0"),
    (dict(rtol=math.nan), ValueError, "rtol"),
    (dict(hint=None), TypeError, "hint must be a string"),
])
def test_exercise_validates_its_fields(kwargs, error, match):
    fields = dict(name="demo", prompt="?", solution=lambda: 1) | kwargs
    with pytest.raises(error, match=match):
        Exercise(**fields)


def test_prediction_and_code_exercises_validate_their_fields():
    with pytest.raises(TypeError, match="setting must be a non-empty mapping"):
        PredictionExercise("p", "?", lambda: 1, setting={})
    with pytest.raises(ValueError, match="cases must hold at least one"):
        CodeExercise("c", "?", lambda: 1, cases=())


def test_check_names_a_wrong_exercise_argument():
    with pytest.raises(TypeError, match="exercise must be an Exercise"):
        check(494, sparse_interactions.SAME_MODE_CONNECTIONS)


def test_a_failing_solution_is_the_packages_bug_and_is_not_hidden():
    def broken():
        raise KeyError("oops")

    with pytest.raises(RuntimeError, match="the exercise's solution failed: KeyError"):
        check(Exercise("broken", "?", broken), 1)


class _FakeControl:
    def __init__(self, value, description=""):
        self.value, self.description = value, description


class _FakeApp:
    def __init__(self, **values):
        self.controls = {k: _FakeControl(v, k.replace("_", " ")) for k, v in values.items()}


def test_prediction_waits_for_the_slider_then_judges():
    ex = PredictionExercise("p", "?", lambda a, b: a * b, setting={"a": 3, "b": 4},
                            app_name="demo_app")
    assert check(ex, 12) and not check(ex, 7)  # without an app: the exercise's setting
    app = _FakeApp(a=3, b=1)
    fb = check(ex, 12, app=app)
    assert fb.status == "pending" and not fb
    assert fb.message == ("prediction recorded: now set 'b' to 4 (it is at 1), then run this "
                          "cell again.")
    app.controls["b"].value = 4
    assert check(ex, 12, app=app).status == "correct"
    assert check(ex, 11, app=app).status == "wrong"
    # not the app the exercise reads: a message, not an AttributeError
    for bad in (5, "app", _FakeApp(a=3), object()):
        fb = check(ex, 12, app=bad)
        assert fb.status == "wrong" and "app must be the demo_app shown above" in fb.message
    # a control holding an array, or None: not the setting yet, never a crash
    app.controls["a"].value = np.arange(3)
    assert check(ex, 12, app=app).status == "pending"
    app.controls["a"].value = None
    assert check(ex, 12, app=app).status == "pending"


def test_value_exercises_say_they_read_no_app():
    fb = check(sparse_interactions.SAME_MODE_CONNECTIONS, 494, app=_FakeApp(a=1))
    assert fb.status == "wrong" and "does not read a slider app" in fb.message


def test_every_part_has_a_prediction_and_a_code_exercise_with_distinct_names():
    for module in (sparse_interactions, parameter_sharing, efficiency, equivariance):
        kinds = {type(e) for e in module.EXERCISES}
        assert {Exercise, PredictionExercise, CodeExercise} <= kinds, module.__name__
        assert all(e.prompt.endswith("?") for e in module.EXERCISES)
        for e in module.EXERCISES:
            assert getattr(module, e.name.upper().replace("-", "_")) is e
    assert len({e.name for e in ALL}) == len(ALL)
    assert len({e for e in ALL}) == len(ALL)  # hashable: frozen, settings stored as tuples


_P, _E, _Q, _S = parameter_sharing, efficiency, equivariance, sparse_interactions


@pytest.mark.parametrize("call, error, match", [
    (lambda: _S.top_field_rows(0, 3, 1, 1), ValueError, "depth"),
    (lambda: _S.top_field_rows(10**12, 3, 1, 1), BudgetError, "depth"),
    (lambda: _S.top_field_rows(3, 3, 0, 1), ValueError, "stride"),
    (lambda: _S.strided_output_length(5, 7, 1), ValueError, "k must be <= n"),
    (lambda: _S.strided_output_length(5, 2, 0), ValueError, "stride"),
    (lambda: _S.strided_output_length(5.0, 2, 1), TypeError, "n must be an integer"),
    (lambda: _P.growth_parameters(3, 2), ValueError, "kernel_size must be <= side"),
    (lambda: _P.locally_connected_parameters(4, 64, 5), ValueError, "k must be <= H"),
    (lambda: _P.locally_connected_parameters(64, 64, float("nan")), TypeError, "k must be"),
    (lambda: _E.mac_ratio(280, 0, 3), ValueError, "width"),
    (lambda: _E.dense_bytes(10, 10, -1), ValueError, "k must be an integer >= 1"),
    (lambda: _Q.differing_outputs(0.5, 3, "zeros", 1), TypeError, "shift_y"),
    (lambda: _Q.differing_outputs(0, 3, "bogus", 1), ValueError, "padding"),
    (lambda: _Q.predicted_output_shift(None, 2), TypeError, "d must be an integer"),
    (lambda: _Q.predicted_output_shift(4, 0), ValueError, "stride"),
    (lambda: _Q.zero_padding_count("4"), TypeError, "offset"),
], ids=lambda v: getattr(v, "__name__", str(v)))
def test_exercise_helpers_refuse_nonsense_naming_the_parameter(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_numbers_in_the_prediction_prompts_are_the_packages():
    # each prompt states the app's starting value; it must be what the package computes there
    assert f"sees {_S.top_field_rows(3, 3, 1, 1)} rows" in _S.STRIDE_PREDICTION.prompt
    assert f"{_P.growth_parameters(3, 64)[0]:,} weights" in _P.GROWTH_PREDICTION.prompt
    assert f"the convolution {_P.growth_parameters(3, 64)[1]}" in _P.GROWTH_PREDICTION.prompt
    assert f"≈ {_E.mac_ratio(280, 320, 3):,.0f} times" in _E.RATIO_PREDICTION.prompt
    assert _Q.differing_outputs(5, 3, "zeros", 1) > 0  # the starting readout is not already 0
