"""Opening hours of departments, on the OpenStreetMap `opening_hours` syntax.

opening-hours-py evaluates the rules; `holidays` names the day (through a table generated
from it: domain/danish_holidays.py). `PH` is only understood
with `country="DK"` (otherwise `PH off` is silently ignored), and Juleaftensdag, Nytårsaften
and Grundlovsdag are not public holidays: sites write them into their rules or exceptions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# opening-hours-py raises ParserError at runtime but its stub (__init__.pyi) does not declare it.
from opening_hours import OpeningHours, ParserError, State  # type: ignore[attr-defined]

from skranke.domain.site import Department, HoursException, Site

TIMEZONE = ZoneInfo("Europe/Copenhagen")
COUNTRY = "DK"
# How far ahead to look for a next opening before calling a department closed "until further notice".
NEXT_OPENING_HORIZON_DAYS = 60


class HoursRuleError(ValueError):
    """An opening-hours rule that does not parse; names the rule, its owner and the position."""

    def __init__(self, owner: str, rule: str, position: str, reason: str) -> None:
        self.owner = owner
        self.rule = rule
        self.position = position
        self.reason = reason
        super().__init__(f"{owner}: hours {rule!r}: error at {position}: {reason}")


_POSITION = re.compile(r"-->\s*(\d+):(\d+)")
_REASON = re.compile(r"=\s*(.+)")


def parse_rule(rule: str, owner: str) -> OpeningHours:
    """Parse one rule; a syntax error becomes a HoursRuleError that names line:column."""
    try:
        # max_interval_days: a rule that never changes (all "unknown") is not searched to year 9999.
        return OpeningHours(rule, timezone=TIMEZONE, country=COUNTRY, max_interval_days=NEXT_OPENING_HORIZON_DAYS)
    except (ParserError, SyntaxError, ValueError) as error:
        message = str(error)
        position = _POSITION.search(message)
        reason = _REASON.search(message)
        where = f"line {position.group(1)}, column {position.group(2)}" if position else "unknown position"
        raise HoursRuleError(owner, rule, where, reason.group(1).strip() if reason else message.strip()) from None


# OSM month names; strftime("%b") would follow the system locale ("dec." in Danish).
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _exception_rule(exception: HoursException) -> str:
    """A dated OSM rule that overrides the regular hours; the reason rides along as comment."""
    month = _MONTHS[exception.date.month - 1]
    reason = exception.reason.replace('"', "'")
    return f'{exception.date.year} {month} {exception.date.day:02d} {exception.hours} "{reason}"'


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime


@dataclass(frozen=True)
class LiveState:
    """A department's state at a moment, as the reception needs it."""

    open_now: bool | None  # None: the site does not know (hours "unknown" in the rule)
    closes_at: datetime | None  # when open: the end of the current interval
    opens_at: datetime | None  # when closed: the next opening (today or later)
    next_change: datetime | None
    opens_later_today: bool
    comment: str = ""  # the rule's comment, e.g. why the hours are unknown

    @property
    def unknown(self) -> bool:
        return self.open_now is None


class DepartmentHours:
    """The compiled hours of one department or service, with the site's dated exceptions."""

    def __init__(self, department: Department, exceptions: tuple[HoursException, ...] = ()) -> None:
        self.department = department
        owner = f"department {department.id!r}"
        parse_rule(department.hours, owner)  # positions refer to the department's own rule
        mine = [e for e in exceptions if not e.departments or department.id in e.departments]
        for exception in mine:
            parse_rule(f"{exception.hours}", f"{owner}, exception {exception.date}")
        self.reasons = {e.date: e.reason for e in mine}
        rule = "; ".join([department.hours, *(_exception_rule(e) for e in mine)])
        self._rule = parse_rule(rule, owner)

    @property
    def rule(self) -> str:
        return str(self._rule)

    def day_hours(self, day: date) -> tuple[list[Interval], bool]:
        """(intervals_on(day), unknown_on(day)) from one evaluation of the rule."""
        start = datetime.combine(day, time(0), TIMEZONE)
        end = datetime.combine(day + timedelta(days=1), time(0), TIMEZONE)
        spans = list(self._rule.intervals(start, end))
        intervals = [
            Interval(max(begin, start), min(finish, end))
            for begin, finish, state, _comment in spans
            if state == State.OPEN and finish > start and begin < end
        ]
        return intervals, any(state == State.UNKNOWN for _b, _f, state, _c in spans)

    def intervals_on(self, day: date) -> list[Interval]:
        return self.day_hours(day)[0]

    def is_open_on(self, day: date) -> bool:
        return bool(self.intervals_on(day))

    def unknown_on(self, day: date) -> bool:
        """True when the site's rule says the hours of (part of) this day are not known."""
        return self.day_hours(day)[1]

    def state_at(self, moment: datetime) -> LiveState:
        moment = moment.astimezone(TIMEZONE)
        state, comment = self._rule.state(moment)
        horizon = moment + timedelta(days=NEXT_OPENING_HORIZON_DAYS)
        next_change = self._rule.next_change(moment)
        if next_change is not None and next_change > horizon:
            next_change = None
        if state == State.UNKNOWN:
            return LiveState(None, None, None, next_change, False, comment or "")
        open_now = state == State.OPEN
        if open_now:
            return LiveState(True, next_change, None, next_change, False)
        opens_at = self.next_opening(moment)
        later_today = opens_at is not None and opens_at.date() == moment.date()
        return LiveState(False, None, opens_at, next_change, later_today)

    def next_opening(self, moment: datetime) -> datetime | None:
        end = moment + timedelta(days=NEXT_OPENING_HORIZON_DAYS)
        for begin, _finish, state, _comment in self._rule.intervals(moment, end):
            if state == State.OPEN:
                return begin.astimezone(TIMEZONE)
        return None

    def last_open_day(self, on_or_before: date, lookback_days: int = NEXT_OPENING_HORIZON_DAYS) -> date | None:
        """The last day on or before `on_or_before` on which the department opens at all."""
        for back in range(lookback_days + 1):
            day = on_or_before - timedelta(days=back)
            if self.is_open_on(day):
                return day
        return None


class SiteHours:
    """Every department's compiled hours for a site; build once, query often."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.departments = {d.id: DepartmentHours(d, site.exceptions) for d in site.all_departments()}

    def __getitem__(self, department_id: str) -> DepartmentHours:
        return self.departments[department_id]


def holiday_name(day: date) -> str | None:
    """The Danish name of a public holiday or special day (Juleaftensdag, Grundlovsdag, ...)."""
    from skranke.domain.danish_holidays import calendar

    return calendar(day.year)[0].get(day)


def is_public_holiday(day: date) -> bool:
    from skranke.domain.danish_holidays import calendar

    return day in calendar(day.year)[1]
