"""What the "I dag" screen and `skranke hours` show: every department's hours for a day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from skranke.domain.hours import Interval, LiveState, SiteHours, holiday_name
from skranke.domain.site import Department, Site


@dataclass(frozen=True)
class DepartmentDay:
    department: Department
    intervals: list[Interval]
    exception_reason: str | None
    state: LiveState | None  # only for the day of "now"
    hours_unknown: bool = False  # the site file says the hours are not known


@dataclass(frozen=True)
class DayOverview:
    site: Site
    day: date
    now: datetime
    holiday: str | None
    departments: list[DepartmentDay]

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "site": self.site.id,
            "date": self.day.isoformat(),
            "holiday": self.holiday,
            "departments": [
                {
                    "id": row.department.id,
                    "name": row.department.name,
                    "intervals": [{"start": i.start.strftime("%H:%M"), "end": _end_label(i)} for i in row.intervals],
                    "hours_known": not row.hours_unknown,
                    "open_now": row.state.open_now if row.state else None,
                    "next_change": (row.state.next_change.isoformat() if row.state and row.state.next_change else None),
                }
                for row in self.departments
            ],
        }


def _end_label(interval: Interval) -> str:
    # An interval running to midnight ends at 24:00 on its own day, not 00:00.
    if interval.end.date() > interval.start.date() and interval.end.hour == 0 and interval.end.minute == 0:
        return "24:00"
    return interval.end.strftime("%H:%M")


def day_overview(site: Site, hours: SiteHours, day: date, now: datetime, name_holiday: bool = True) -> DayOverview:
    """Every department's hours on `day`; `name_holiday=False` leaves the name to `holiday_of`
    (the screen asks for it after its first frame)."""
    rows = []
    for department in site.all_departments():
        department_hours = hours[department.id]
        rows.append(
            DepartmentDay(
                department=department,
                intervals=department_hours.intervals_on(day),
                exception_reason=department_hours.reasons.get(day),
                state=department_hours.state_at(now) if day == now.date() else None,
                hours_unknown=department_hours.unknown_on(day),
            )
        )
    return DayOverview(
        site=site, day=day, now=now, holiday=holiday_name(day) if name_holiday else None, departments=rows
    )


def holiday_of(day: date) -> str | None:
    return holiday_name(day)
