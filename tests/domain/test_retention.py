"""Which backups are kept: the newest 14 daily and 12 monthly (DESIGN §1)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from skranke.domain.retention import backups_to_keep


def at(day: date, hour: int = 8) -> datetime:
    return datetime(day.year, day.month, day.day, hour)


def test_nothing_taken_nothing_kept() -> None:
    assert backups_to_keep([]) == set()


def test_fewer_than_fourteen_days_are_all_kept() -> None:
    taken = [at(date(2026, 3, 1) + timedelta(days=n)) for n in range(14)]
    assert backups_to_keep(taken) == set(taken)


def test_the_fifteenth_day_back_goes_unless_it_is_its_month_s_newest() -> None:
    taken = [at(date(2026, 3, 2) + timedelta(days=n)) for n in range(15)]  # 2 to 16 March
    assert backups_to_keep(taken) == set(taken[1:])  # 2 March goes: 16 March is March's newest


def test_the_newest_of_a_month_stays_after_its_days_are_gone() -> None:
    taken = [at(date(2026, 1, 25) + timedelta(days=n)) for n in range(40)]  # 25 Jan to 5 Mar
    kept = backups_to_keep(taken)
    daily = set(taken[-14:])  # 20 Feb to 5 Mar
    assert kept == daily | {at(date(2026, 1, 31))}  # February's newest (28th) is among the 14 days


def test_of_two_in_one_day_the_newer_is_kept() -> None:
    morning, evening = at(date(2026, 3, 2), 8), at(date(2026, 3, 2), 17)
    assert backups_to_keep([morning, evening]) == {evening}


def test_days_without_a_backup_do_not_count() -> None:
    # A workstation off for three weeks keeps its last 14 backups, not none.
    before = [at(date(2026, 3, 1) + timedelta(days=n)) for n in range(20)]
    after = [at(date(2026, 4, 15))]
    kept = backups_to_keep(before + after)
    assert kept == set(before[-13:]) | set(after)


def test_twelve_months_back_and_no_more() -> None:
    monthly = [at(date(2024 + (m // 12), m % 12 + 1, 10)) for m in range(20)]  # Jan 2024 to Aug 2025
    kept = backups_to_keep(monthly, daily=0)
    assert kept == set(monthly[-12:])
    assert min(kept) == at(date(2024, 9, 10))
