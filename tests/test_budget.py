"""Tests of cnnmotiv.budget: one memory and work check, refusing with the size."""

from __future__ import annotations

import pytest

from cnnmotiv import budget
from cnnmotiv.budget import (DEFAULT_MAX_BYTES, BudgetError, MatrixTooLargeError, check_bytes,
                             check_work, format_bytes)


def test_refusal_states_the_bytes_the_budget_and_the_parameter():
    with pytest.raises(BudgetError) as info:
        check_bytes(DEFAULT_MAX_BYTES + 1, what="a thing", parameter="size")
    err = info.value
    assert err.nbytes == DEFAULT_MAX_BYTES + 1 and err.parameter == "size"
    assert f"{DEFAULT_MAX_BYTES + 1:,} bytes" in str(err)
    assert "use a smaller size, or pass a larger max_bytes" in str(err)


def test_budget_is_inclusive_and_settable():
    check_bytes(DEFAULT_MAX_BYTES, what="x", parameter="n")
    check_bytes(100, what="x", parameter="n", max_bytes=100)
    with pytest.raises(BudgetError):
        check_bytes(101, what="x", parameter="n", max_bytes=100)


def test_budget_error_is_both_value_and_memory_error():
    assert issubclass(BudgetError, ValueError) and issubclass(BudgetError, MemoryError)
    assert issubclass(MatrixTooLargeError, BudgetError)


def test_custom_advice_replaces_the_default():
    with pytest.raises(BudgetError, match="; use mode='valid'$"):
        check_bytes(10, what="x", parameter="dilation", max_bytes=1, advice="use mode='valid'")


def test_a_budget_beyond_physical_memory_is_refused():
    ram = budget.physical_memory_bytes()
    if ram is None:
        pytest.skip("the OS does not report physical memory")
    with pytest.raises(ValueError, match="more than this machine's physical memory"):
        check_bytes(1, what="x", parameter="n", max_bytes=ram + 1)


@pytest.mark.parametrize("value, exc", [(0, ValueError), (-5, ValueError), (1.5, TypeError),
                                        (True, TypeError), ("1", TypeError)])
def test_bad_budgets_are_refused(value, exc):
    with pytest.raises(exc, match="max_bytes must be"):
        check_bytes(1, what="x", parameter="n", max_bytes=value)


def test_work_limit():
    check_work(10, what="x", parameter="depth", max_work=10)
    with pytest.raises(BudgetError, match="would take 11 steps, more than the limit of 10; "
                                          "use a smaller depth") as info:
        check_work(11, what="x", parameter="depth", max_work=10)
    assert info.value.work == 11


def test_format_bytes_uses_decimal_units():
    assert format_bytes(999) == "999 B"
    assert format_bytes(1000) == "1.0 kB"
    assert format_bytes(2 * 1024**3) == "2.1 GB"
    assert format_bytes(63_367_987_200) == "63.4 GB"
