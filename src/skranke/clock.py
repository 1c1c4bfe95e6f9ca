"""The one source of "now". Everything that needs the time is handed a Clock."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

TIMEZONE = ZoneInfo("Europe/Copenhagen")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The wall clock, in Copenhagen time."""

    def now(self) -> datetime:
        return datetime.now(TIMEZONE)


class FixedClock:
    """A clock that stands still: `--now`, tests and snapshots."""

    def __init__(self, moment: datetime) -> None:
        self._moment = to_local(moment)

    def now(self) -> datetime:
        return self._moment

    def set(self, moment: datetime) -> None:
        self._moment = to_local(moment)


def to_local(moment: datetime) -> datetime:
    """A naive moment is read as Copenhagen time; an aware one is converted to it."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=TIMEZONE)
    return moment.astimezone(TIMEZONE)


def parse_now(text: str) -> datetime:
    """Read `--now`: an ISO date or date-time (naive means Copenhagen time)."""
    return to_local(datetime.fromisoformat(text.strip()))
