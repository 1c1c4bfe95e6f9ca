"""The one source of "now". Everything that needs the time is handed a Clock."""

from __future__ import annotations

from datetime import UTC, datetime
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


class OffsetClock:
    """A clock that starts at `start` and runs on with `base` (the wall clock): the demo's
    working morning, whatever the real time (a fixed clock would stop the queue's minutes)."""

    def __init__(self, start: datetime, base: Clock | None = None) -> None:
        self._base = base or SystemClock()
        # In UTC: arithmetic on two Copenhagen times ignores a DST change between them.
        self._offset = to_local(start).astimezone(UTC) - self._base.now().astimezone(UTC)

    def now(self) -> datetime:
        return to_local(self._base.now().astimezone(UTC) + self._offset)
