"""The demo opens on a working morning whatever the real time, and its clock runs on from there."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from skranke.clock import TIMEZONE, FixedClock, OffsetClock
from skranke.services.demo import demo_clock, demo_folders, demo_start


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TIMEZONE)


@pytest.mark.parametrize(
    ("real", "start"),
    [
        ("2026-12-04T19:45", "2026-12-07T09:30"),  # Friday evening: Monday morning
        ("2026-12-05T11:00", "2026-12-07T09:30"),  # Saturday
        ("2026-12-06T22:30", "2026-12-07T09:30"),  # Sunday evening (the case)
        ("2026-12-23T18:00", "2026-12-28T09:30"),  # Juleaftensdag, juledagene and a Sunday are passed by
        ("2026-12-24T08:00", "2026-12-28T09:30"),
        ("2026-12-25T09:00", "2026-12-28T09:30"),
        ("2026-12-26T09:00", "2026-12-28T09:30"),
        ("2026-12-31T08:00", "2027-01-04T09:30"),  # Nytårsaftensdag, nytårsdag and the weekend
        ("2026-12-08T07:10", "2026-12-08T09:30"),  # a working day before 09.30: this morning
        ("2026-12-08T09:30", "2026-12-08T09:30"),
        ("2026-12-08T09:31", "2026-12-09T09:30"),  # already past: the next working morning
    ],
)
def test_the_demo_starts_at_the_next_working_morning(real: str, start: str) -> None:
    assert demo_start(_at(real)) == _at(start)
    assert demo_start(_at(real)).utcoffset() == timedelta(hours=1)


class _Wall:
    """The real clock, moved by the test (a FixedClock would be taken as --now)."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


def test_the_demo_clock_runs_on_from_its_start() -> None:
    wall = _Wall(_at("2026-12-06T22:30"))  # Sunday evening
    clock = demo_clock(wall)
    assert isinstance(clock, OffsetClock)
    assert clock.now() == _at("2026-12-07T09:30")
    wall.moment += timedelta(minutes=7, seconds=3)
    assert clock.now() == _at("2026-12-07T09:37:03")


def test_the_demo_clock_keeps_real_time_across_a_change_to_summer_time() -> None:
    wall = FixedClock(_at("2026-03-27T20:00"))  # Friday; clocks go forward on Sunday 29 March
    clock = OffsetClock(_at("2026-03-28T01:00"), wall)
    wall.set(wall.now() + timedelta(days=1, hours=2))  # 26 real hours later
    assert clock.now() == _at("2026-03-29T04:00")  # 01:00 CET + 26 h = 04:00 CEST
    assert clock.now().utcoffset() == timedelta(hours=2)


def test_now_given_on_the_command_line_wins() -> None:
    fixed = FixedClock(_at("2026-12-06T22:30"))
    assert demo_clock(fixed) is fixed


def test_the_demo_folders_are_named_after_the_database(tmp_path: Path) -> None:
    inbox, outbox = demo_folders(f"sqlite:///{tmp_path / 'shared' / 'kursus.db'}", tmp_path / "data")
    assert (inbox, outbox) == (tmp_path / "shared" / "kursus-inbox", tmp_path / "shared" / "kursus-outbox")
    # (A server on another machine is named with verified TLS: store.engine refuses it otherwise.)
    remote = "postgresql+psycopg://demo@db.example/skranke_kursus?sslmode=verify-full&sslrootcert=system"
    inbox, _ = demo_folders(remote, tmp_path / "data")
    assert inbox == tmp_path / "data" / "demo-skranke_kursus-inbox"
