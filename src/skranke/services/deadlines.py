"""Frister: the 14-day guarantee, follow-ups after discharge, plan and medical reviews,
complaints, at `--now`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from skranke.collector import collector_paused
from skranke.domain.deadlines import (
    AppointmentFacts,
    CaseFacts,
    ComplaintFacts,
    ListingWindows,
    Overview,
    add_months,
    deadline_overview,
    follows_up,
    last_day_due_by,
    listing_bounds,
    listing_windows,
    medical_review_rule,
    request_status_counts,
    waiting_tab,
)
from skranke.domain.site import MedicalReview, Rules, normalise_key
from skranke.domain.vocabulary import APPOINTMENT_KINDS
from skranke.services.context import Skranke

if TYPE_CHECKING:
    from sqlalchemy import Row
    from sqlalchemy.orm import Session


def appointment_kinds(rules: Rules) -> tuple[str, ...]:
    """The stored spellings of the site's guarantee appointment kinds: both "læge" and "laege"
    (the reader normalises, old rows may not)."""
    wanted = rules.appointment_kind_keys
    spellings = {kind for kind in APPOINTMENT_KINDS if normalise_key(kind) in wanted}
    return tuple(sorted(spellings | wanted))


def _cases(rows: Iterable[Iterable[Any]]) -> list[CaseFacts]:
    return list(map(CaseFacts._make, rows))


def _appointments(rows: Iterable[Iterable[Any]]) -> list[AppointmentFacts]:
    return list(map(AppointmentFacts._make, rows))


def _complaints(rows: Iterable[Iterable[Any]]) -> list[ComplaintFacts]:
    return list(map(ComplaintFacts._make, rows))


@dataclass(frozen=True)
class DeadlinesView:
    overview: Overview
    case_departments: dict[str, str]  # case id → department, for the screen's filter


def deadlines_view(skranke: Skranke, today: date | None = None) -> DeadlinesView:
    """The whole Frister view: the database selects the cases that can be listed (a superset by
    `listing_bounds`), then the rules of `domain.deadlines` decide on those."""
    from skranke.store.queries import done_follow_ups, guarantee_appointment_rows, listed_case_rows, open_complaint_rows

    today = today or skranke.clock.now().date()
    bounds = listing_bounds(skranke.site.rules, today)
    kinds = appointment_kinds(skranke.site.rules)
    with collector_paused(), skranke.database.reading() as session:
        cases = _cases(listed_case_rows(session, bounds))
        appointments = _appointments(guarantee_appointment_rows(session, kinds)) if kinds else []
        made = (
            done_follow_ups(session, bounds.closed_from, bounds.closed_to)
            if bounds.closed_from and bounds.closed_to
            else set()
        )
        complaints = _complaints(open_complaint_rows(session))
        overview = deadline_overview(cases, appointments, skranke.site, skranke.hours, today, complaints=complaints)
    if made:
        # A follow-up recorded as made (Opgaver or Frister) leaves the list.
        waiting = tuple(f for f in overview.follow_ups if (f.case_id, f.months) not in made)
        overview = replace(overview, follow_ups=waiting)
    return DeadlinesView(overview, dict(map(_ID_AND_DEPARTMENT, cases)))


_ID_AND_DEPARTMENT = attrgetter("case_id", "department")


def deadlines(skranke: Skranke, today: date | None = None) -> Overview:
    return deadlines_view(skranke, today).overview


# The most pressing rows of each tab that a page holds (the Frister screen shows them).
ROWS_PER_TAB = 500


@dataclass(frozen=True)
class DeadlinesPage:
    """What the Frister screen shows: each list of the overview cut to its first `limit` rows, in
    the overview's order, and how many each list holds in all (`totals`, by the Overview field:
    requests, exempt, follow_ups, plan_reviews, medical_reviews, complaints), for one department
    or all (complaints belong to no department: all of them on every page)."""

    overview: Overview
    totals: dict[str, int]
    case_departments: dict[str, str]  # case id → department, for the rows on the page
    # case id → the medical review rule that holds it (its months and source, on the screen)
    medical_review_rules: dict[str, MedicalReview] = field(default_factory=dict)


def deadlines_page(
    skranke: Skranke, today: date | None = None, department: str | None = None, limit: int = ROWS_PER_TAB
) -> DeadlinesPage:
    """One page of the Frister view, without reading every case the view lists.

    The database counts each list exactly (`listing_windows`, the tab of each group of waiting
    cases and whether each group of closed cases follows up, both decided by the rules) and gives
    each list's first rows in an order the rules' order follows (`first_rows`: contact day, the
    day a plan review counts from, the closing day); the rules of `deadline_overview` then decide
    on those rows exactly as on all. A test compares every page with the whole view.
    """
    from skranke.store.queries import (
        cases_by_id,
        citizens_guarantee_appointment_rows,
        open_complaint_rows,
    )

    today = today or skranke.clock.now().date()
    rules = skranke.site.rules
    windows = listing_windows(rules, today)
    totals = dict.fromkeys(("requests", "exempt", "follow_ups", "plan_reviews", "medical_reviews", "complaints"), 0)
    with collector_paused(), skranke.database.reading() as session:
        waiting, request_citizens = _waiting_rows(session, rules, department, limit, totals)
        running = _running_rows(session, rules, windows, department, limit, totals)
        closed, made = _closed_rows(session, rules, windows, department, limit, totals)
        made_cases = _cases(cases_by_id(session, {case_id for case_id, _month in made}))
        cases = list({row[0]: CaseFacts._make(row[:-1]) for row in [*waiting, *running, *closed]}.values())
        medical = _cases(row[:-1] for row in _medical_review_rows(session, rules, windows, department, limit, totals))
        complaints = _complaints(open_complaint_rows(session))
        kinds = appointment_kinds(rules)
        appointments = (
            _appointments(citizens_guarantee_appointment_rows(session, request_citizens, kinds)) if kinds else []
        )
        overview = deadline_overview(cases, appointments, skranke.site, skranke.hours, today, complaints=complaints)
        medical_reviews = deadline_overview(medical, [], skranke.site, skranke.hours, today).medical_reviews
        totals["complaints"] = len(overview.complaints)
        cases += [case for case in medical if case.case_id not in {c.case_id for c in cases}]
        # The follow-ups recorded as made were counted with their group: take those listed away.
        counted_made = deadline_overview(made_cases, [], skranke.site, skranke.hours, today).follow_ups
    departments = {case.case_id: case.department for case in made_cases}
    totals["follow_ups"] -= sum(
        1
        for follow_up in counted_made
        if (follow_up.case_id, follow_up.months) in made
        and (department is None or departments[follow_up.case_id] == department)
    )
    follow_ups = [f for f in overview.follow_ups if (f.case_id, f.months) not in made]
    page = Overview(
        as_of=today,
        requests=overview.requests[:limit],
        exempt=overview.exempt[:limit],
        follow_ups=tuple(follow_ups[:limit]),
        plan_reviews=overview.plan_reviews[:limit],
        medical_reviews=medical_reviews[:limit],
        complaints=overview.complaints[:limit],
    )
    review_rules = {case.case_id: rule for case in medical if (rule := medical_review_rule(case, rules)) is not None}
    return DeadlinesPage(page, totals, dict(map(_ID_AND_DEPARTMENT, cases)), review_rules)


def _waiting_rows(
    session: Session, rules: Rules, department: str | None, limit: int, totals: dict[str, int]
) -> tuple[list[Row[*tuple[Any, ...]]], set[str]]:
    """The first rows of the requests and the exempt (each group of paragraph, free choice and
    department is listed on one tab or none: the rules say which), counted into `totals`; and
    the citizens of the requests, whose appointments their flags read."""
    from skranke.store.queries import first_rows, waiting_groups, waiting_page_query

    groups_of_tab: dict[str, list[tuple[Any, ...]]] = {"requests": [], "exempt": []}
    for paragraph, free_choice, case_department, count in waiting_groups(session, department):
        listed_on = waiting_tab(paragraph, free_choice, case_department, rules)
        if listed_on is not None:
            totals[listed_on] += count
            groups_of_tab[listed_on].append((paragraph, free_choice, case_department))
    rows: list[Row[*tuple[Any, ...]]] = []
    request_citizens: set[str] = set()
    # Where the clock starts at the first personal attendance (004), the requests with one come
    # by that day, those awaiting it by contact day: each part's first rows, the rules sort.
    by_attendance = rules.clock_start_event == "personal_attendance"
    for tab, groups in groups_of_tab.items():
        if not groups:
            continue
        parts: tuple[bool | None, ...] = (True, False) if by_attendance and tab == "requests" else (None,)
        for attended in parts:  # one clock-start day is one deadline: only rows of the same day tie
            first = first_rows(session, waiting_page_query(groups, department, attended), limit, lambda day: day)
            if tab == "requests":
                request_citizens.update(row[1] for row in first)
            rows += first
    return rows, request_citizens


def _running_rows(
    session: Session, rules: Rules, windows: ListingWindows, department: str | None, limit: int, totals: dict[str, int]
) -> list[Row[*tuple[Any, ...]]]:
    """The first rows of the plan reviews due by the horizon, counted into `totals`: those at the
    site's interval, and those at each interval agreed in a plan (each its own window and order;
    the rules sort the union)."""
    from skranke.domain.deadlines import CaseFacts as Facts
    from skranke.domain.deadlines import plan_review_months
    from skranke.store.queries import agreed_intervals, first_rows, running_count, running_page_query

    intervals: list[tuple[int | None, int]] = [(None, rules.plan_review_months)]
    for agreed in agreed_intervals(session, department):
        # The interval that applies (Gladsaxe caps an agreed one at six months).
        intervals.append(
            (agreed, plan_review_months(Facts("", "", "", "", date.min, plan_interval_months=agreed), rules))
        )
    rows: list[Row[*tuple[Any, ...]]] = []
    totals["plan_reviews"] = 0
    for stored, months in intervals:
        counted_from_by = last_day_due_by(months, windows.horizon)
        totals["plan_reviews"] += running_count(session, counted_from_by, department, stored)
        query = running_page_query(counted_from_by, department, stored)
        rows += first_rows(session, query, limit, _last_day_due_with(months))
    return rows


def _medical_review_rows(
    session: Session, rules: Rules, windows: ListingWindows, department: str | None, limit: int, totals: dict[str, int]
) -> list[Row[*tuple[Any, ...]]]:
    """The first rows of each medical review rule's reviews due by the horizon (each rule its own
    window and order; a case under several rules only under the first), counted into `totals`."""
    from skranke.store.queries import first_rows, medical_review_count, medical_review_page_query

    rows: list[Row[*tuple[Any, ...]]] = []
    totals["medical_reviews"] = 0
    covers = [(review.departments, review.paragraphs, review.partners) for review in rules.medical_reviews]
    for index, review in enumerate(rules.medical_reviews):
        counted_from_by = last_day_due_by(review.months, windows.horizon)
        earlier = covers[:index]
        totals["medical_reviews"] += medical_review_count(session, counted_from_by, covers[index], earlier, department)
        query = medical_review_page_query(counted_from_by, covers[index], earlier, department)
        rows += first_rows(session, query, limit, _last_day_due_with(review.months))
    return rows


def _closed_rows(
    session: Session, rules: Rules, windows: ListingWindows, department: str | None, limit: int, totals: dict[str, int]
) -> tuple[list[Row[*tuple[Any, ...]]], set[tuple[str, int]]]:
    """The first rows of the follow-ups after each number of months (each group of closing
    status, paragraph and consent follows up or not: the rules say which), counted into `totals`
    with those recorded as made; and those made, (case id, months), for the caller to take away."""
    from skranke.store.queries import closed_groups, closed_page_query, done_follow_ups, first_rows

    if windows.closed_span is None:
        return [], set()
    made = done_follow_ups(session, *windows.closed_span)
    rows: list[Row[*tuple[Any, ...]]] = []
    for months, (first, last) in windows.closed_for_months.items():
        groups = []
        for status, paragraph, consent, count in closed_groups(session, first, last, department):
            if follows_up(status, paragraph, consent, rules):
                totals["follow_ups"] += count
                groups.append((status, paragraph, consent))
        if groups:
            made_here = sum(1 for _case, month in made if month == months)
            query = closed_page_query(first, last, groups, department)
            # As many more as were made: they leave the page afterwards.
            rows += first_rows(session, query, limit + made_here, _last_day_due_with(months))
    return rows, made


def _last_day_due_with(months: int) -> Callable[[date], date]:
    """The last day whose date `months` later is the same as `day`'s (month ends fold)."""
    return lambda day: last_day_due_by(months, add_months(day, months))


@dataclass(frozen=True)
class RequestCounts:
    warn: int
    overdue: int


def request_counts(skranke: Skranke) -> RequestCounts:  # awaiting attendance: neither
    """What "I dag" shows: waiting requests close to or past their deadline (counted by the
    database per contact day, each day's status by the rules)."""
    from skranke.store.queries import waiting_by_contact_day

    today = skranke.clock.now().date()
    with skranke.database.reading() as session:
        waiting = waiting_by_contact_day(session)
    counts = request_status_counts(waiting, skranke.site, skranke.hours, today)
    return RequestCounts(warn=counts["warn"], overdue=counts["overdue"])


def citizen_deadlines(skranke: Skranke, citizen_id: str) -> Overview:
    """The Frister rules for one citizen's cases: what the citizen card says about deadlines."""
    from skranke.store.queries import citizen_case_rows, citizens_guarantee_appointment_rows, open_complaint_rows

    today = skranke.clock.now().date()
    kinds = appointment_kinds(skranke.site.rules)
    with skranke.database.reading() as session:
        cases = _cases(citizen_case_rows(session, citizen_id))
        rows = citizens_guarantee_appointment_rows(session, [citizen_id], kinds) if kinds else []
        complaints = _complaints(open_complaint_rows(session, citizen_id))
    return deadline_overview(cases, _appointments(rows), skranke.site, skranke.hours, today, complaints=complaints)
