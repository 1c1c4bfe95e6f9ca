"""Frister: the 14-day guarantee, follow-ups after discharge and plan reviews, at `--now`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from operator import attrgetter

from skranke.collector import collector_paused
from skranke.domain.deadlines import (
    AppointmentFacts,
    CaseFacts,
    Overview,
    deadline_overview,
    listing_bounds,
)
from skranke.domain.site import Rules, normalise_key
from skranke.domain.vocabulary import APPOINTMENT_KINDS
from skranke.services.context import Skranke


def appointment_kinds(rules: Rules) -> tuple[str, ...]:
    """The stored spellings of the site's guarantee appointment kinds: both "læge" and "laege"
    (the reader normalises, old rows may not)."""
    wanted = rules.appointment_kind_keys
    spellings = {kind for kind in APPOINTMENT_KINDS if normalise_key(kind) in wanted}
    return tuple(sorted(spellings | wanted))


def _cases(rows: Iterable[Iterable]) -> list[CaseFacts]:
    return list(map(CaseFacts._make, rows))


def _appointments(rows: Iterable[Iterable]) -> list[AppointmentFacts]:
    return list(map(AppointmentFacts._make, rows))


@dataclass(frozen=True)
class DeadlinesView:
    overview: Overview
    case_departments: dict[str, str]  # case id → department, for the screen's filter


def deadlines_view(skranke: Skranke, today: date | None = None) -> DeadlinesView:
    """The whole Frister view: the database selects the cases that can be listed (a superset by
    `listing_bounds`), then the rules of `domain.deadlines` decide on those."""
    from skranke.store.queries import done_follow_ups, guarantee_appointment_rows, listed_case_rows

    today = today or skranke.clock.now().date()
    bounds = listing_bounds(skranke.site.rules, today)
    kinds = appointment_kinds(skranke.site.rules)
    with collector_paused(), skranke.database.reading() as session:
        cases = _cases(listed_case_rows(session, bounds))
        appointments = _appointments(guarantee_appointment_rows(session, kinds)) if kinds else []
        made = done_follow_ups(session, bounds)
        overview = deadline_overview(cases, appointments, skranke.site, skranke.hours, today)
    if made:
        # A follow-up recorded as made (Opgaver or Frister) leaves the list.
        waiting = tuple(f for f in overview.follow_ups if (f.case_id, f.months) not in made)
        overview = replace(overview, follow_ups=waiting)
    return DeadlinesView(overview, dict(map(_ID_AND_DEPARTMENT, cases)))


_ID_AND_DEPARTMENT = attrgetter("case_id", "department")


def deadlines(skranke: Skranke, today: date | None = None) -> Overview:
    return deadlines_view(skranke, today).overview


@dataclass(frozen=True)
class RequestCounts:
    warn: int
    overdue: int


def request_counts(skranke: Skranke) -> RequestCounts:
    """What "I dag" shows: waiting requests close to or past their deadline."""
    from skranke.store.queries import guarantee_appointment_rows, open_request_rows

    today = skranke.clock.now().date()
    kinds = appointment_kinds(skranke.site.rules)
    with skranke.database.reading() as session:
        cases = _cases(open_request_rows(session))
        appointments = _appointments(guarantee_appointment_rows(session, kinds)) if kinds else []
    overview = deadline_overview(cases, appointments, skranke.site, skranke.hours, today)
    return RequestCounts(
        warn=sum(1 for r in overview.requests if r.status == "warn"),
        overdue=sum(1 for r in overview.requests if r.status == "overdue"),
    )


def citizen_deadlines(skranke: Skranke, citizen_id: str) -> Overview:
    """The Frister rules for one citizen's cases: what the citizen card says about deadlines."""
    from skranke.store.queries import citizen_case_rows, citizen_guarantee_appointment_rows

    today = skranke.clock.now().date()
    kinds = appointment_kinds(skranke.site.rules)
    with skranke.database.reading() as session:
        cases = _cases(citizen_case_rows(session, citizen_id))
        rows = citizen_guarantee_appointment_rows(session, citizen_id, kinds) if kinds else []
    return deadline_overview(cases, _appointments(rows), skranke.site, skranke.hours, today)
