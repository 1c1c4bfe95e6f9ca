"""domain.stock: the ledger's arithmetic (BEK 2446/2021 §§ 20-21; counts after BEK 1457/2021)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from skranke.domain.stock import (
    Entry,
    balance,
    count_check,
    count_due,
    ml_of,
    next_count_due,
    running_balance,
    signed_mg,
    year_statement,
)

D = Decimal


def at(year: int, month: int = 6, day: int = 1) -> datetime:
    return datetime(year, month, day, 10, tzinfo=UTC)


def test_the_sign_follows_the_kind_and_an_amount_is_positive() -> None:
    assert signed_mg("receipt", D(10)) == 10 and signed_mg("reversal", D(10)) == 10
    assert signed_mg("issue", D(10)) == -10 and signed_mg("waste", D(10)) == -10
    assert signed_mg("transfer_out", D(10)) == -10 and signed_mg("transfer_in", D(10)) == 10
    with pytest.raises(ValueError):
        signed_mg("issue", D(0))
    with pytest.raises(ValueError):
        signed_mg("count", D(5))


def test_balance_and_running_balance() -> None:
    entries = [Entry("receipt", D(100), at(2026)), Entry("issue", D(-30), at(2026)), Entry("count", D(-2), at(2026))]
    assert balance(entries) == 68
    assert [line.balance_mg for line in running_balance(entries, D(10))] == [110, 80, 78]


def test_a_difference_needs_reason_and_witness_and_beyond_tolerance_a_task() -> None:
    same = count_check(D(100), D(100), D(5))
    assert (same.difference_mg, same.needs_reason, same.needs_witness) == (D(0), False, False)
    assert not same.beyond_tolerance
    small = count_check(D(97), D(100), D(5))
    assert (small.difference_mg, small.needs_reason, small.beyond_tolerance) == (D(-3), True, False)
    assert count_check(D(105), D(100), D(5)).beyond_tolerance is False  # at the tolerance: within
    assert count_check(D("105.01"), D(100), D(5)).beyond_tolerance is True
    assert count_check(D(99), D(100), D(0)).beyond_tolerance is True


def test_the_monthly_count_is_due_after_the_sites_days_or_when_never_counted() -> None:
    assert count_due(None, date(2026, 4, 9), 31)
    assert not count_due(date(2026, 3, 10), date(2026, 4, 9), 31)
    assert count_due(date(2026, 3, 9), date(2026, 4, 9), 31)
    assert next_count_due(date(2026, 3, 20), date(2026, 4, 9), 31) == date(2026, 4, 20)
    assert next_count_due(None, date(2026, 4, 9), 31) == date(2026, 4, 9)


def test_ml_of_a_liquid_only() -> None:
    assert ml_of(D(75), D("1")) == D("75.00")
    assert ml_of(D(75), D("2")) == D("37.50")
    assert ml_of(D(75), None) is None


def test_the_year_statement_sums_its_year_with_the_years_before_as_opening() -> None:
    entries = [
        Entry("receipt", D(1000), at(2025)),
        Entry("issue", D(-100), at(2025, 12, 31)),
        Entry("receipt", D(500), at(2026)),
        Entry("issue", D(-60), at(2026)),
        Entry("issue", D(-40), at(2026)),
        Entry("reversal", D(40), at(2026)),
        Entry("waste", D(-5), at(2026)),
        Entry("transfer_out", D(-200), at(2026)),
        Entry("transfer_in", D(50), at(2026)),
        Entry("count", D(-3), at(2026)),
        Entry("receipt", D(999), at(2027, 1, 1)),
    ]
    s = year_statement(entries, 2026)
    assert (s.opening_mg, s.received_mg, s.issued_mg, s.wasted_mg) == (D(900), D(500), D(60), D(5))
    assert (s.transferred_in_mg, s.transferred_out_mg, s.count_difference_mg, s.counts) == (D(50), D(200), D(-3), 1)
    assert s.closing_mg == 900 + 500 - 60 - 5 + 50 - 200 - 3
    assert s.closing_mg == balance(e for e in entries if e.recorded_at.year <= 2026)
