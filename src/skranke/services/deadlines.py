"""Frister: the 14-day guarantee, follow-ups after discharge, plan and medical reviews,
complaints, at `--now`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
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
    from sqlalchemy.orm import Session

    from skranke.store.queries import Bound, Page


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

    The counts of the plan and medical reviews are taken in one statement, and the groups of
    closed cases of every follow-up's window in another (`rows_in_one`); the follow-ups made are
    read with their cases.
    """
    from skranke.store.queries import counts_in_one, first_rows, open_complaint_rows

    today = today or skranke.clock.now().date()
    rules = skranke.site.rules
    windows = listing_windows(rules, today)
    totals = dict.fromkeys(("requests", "exempt", "follow_ups", "plan_reviews", "medical_reviews", "complaints"), 0)
    with collector_paused(), skranke.database.reading() as session:
        pages = _waiting_pages(session, rules, department, limit, totals)
        running_pages, counts = _running_pages(session, rules, windows, department, limit)
        closed_pages, made_rows = _closed_pages(session, rules, windows, department, limit, totals)
        medical_pages, medical_counts = _medical_review_pages(rules, windows, department, limit)
        pages += running_pages + closed_pages + medical_pages
        counts += medical_counts
        counted = counts_in_one(session, [query for _name, query in counts])
        for (name, _query), count in zip(counts, counted, strict=True):
            totals[name] += count
        rows_of: dict[str, list[Sequence[Any]]] = {}
        for name, to_read in pages:
            rows_of.setdefault(name, []).extend(first_rows(session, to_read))
        listed = [*rows_of.get("requests", []), *rows_of.get("exempt", []), *rows_of.get("plan_reviews", [])]
        listed += rows_of.get("follow_ups", [])
        cases = list({row[0]: CaseFacts._make(row[:-1]) for row in listed}.values())
        medical = _cases(row[:-1] for row in rows_of.get("medical_reviews", []))
        made = {(row[0], row[-1]) for row in made_rows}
        made_cases = _cases({row[0]: row[:-1] for row in made_rows}.values())
        complaints = _complaints(open_complaint_rows(session))
        appointments = _request_appointments(session, rules, {row[1] for row in rows_of.get("requests", [])})
        overview = deadline_overview(cases, appointments, skranke.site, skranke.hours, today, complaints=complaints)
        medical_reviews = deadline_overview(medical, [], skranke.site, skranke.hours, today).medical_reviews
        totals["complaints"] = len(overview.complaints)
        listed_ids = {case.case_id for case in cases}
        cases += [case for case in medical if case.case_id not in listed_ids]
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


# A list's page to read (`Page`) or count to take (`Bound`), with the name of its list (a
# field of Overview, a key of DeadlinesPage.totals).
Named = tuple[str, "Page"]
NamedCount = tuple[str, "Bound"]


def _request_appointments(session: Session, rules: Rules, citizens: set[str]) -> list[AppointmentFacts]:
    """The guarantee appointments of the citizens of the requests on the page (their flags read them)."""
    from skranke.store.queries import citizens_guarantee_appointment_rows

    kinds = appointment_kinds(rules)
    return _appointments(citizens_guarantee_appointment_rows(session, citizens, kinds)) if kinds else []


def _waiting_pages(
    session: Session, rules: Rules, department: str | None, limit: int, totals: dict[str, int]
) -> list[Named]:
    """The pages of the requests and the exempt (each group of paragraph, free choice and
    department is listed on one tab or none: the rules say which), counted into `totals`."""
    from skranke.store.queries import Page, waiting_groups, waiting_page_query

    groups_of_tab: dict[str, list[tuple[Any, ...]]] = {"requests": [], "exempt": []}
    for paragraph, free_choice, case_department, count in waiting_groups(session, department):
        listed_on = waiting_tab(paragraph, free_choice, case_department, rules)
        if listed_on is not None:
            totals[listed_on] += count
            groups_of_tab[listed_on].append((paragraph, free_choice, case_department))
    pages: list[Named] = []
    # Where the clock starts at the first personal attendance (004), the requests with one come
    # by that day, those awaiting it by contact day: each part's first rows, the rules sort.
    by_attendance = rules.clock_start_event == "personal_attendance"
    for tab, groups in groups_of_tab.items():
        if not groups:
            continue
        parts: tuple[bool | None, ...] = (True, False) if by_attendance and tab == "requests" else (None,)
        for attended in parts:  # one clock-start day is one deadline: only rows of the same day tie
            pages.append((tab, Page(waiting_page_query(groups, department, attended), limit, _same_day)))
    return pages


def _same_day(day: date) -> date:
    return day


def _running_pages(
    session: Session, rules: Rules, windows: ListingWindows, department: str | None, limit: int
) -> tuple[list[Named], list[NamedCount]]:
    """The pages and the counts of the plan reviews due by the horizon: those at the site's
    interval, and those at each interval agreed in a plan (each its own window and order; the
    rules sort the union)."""
    from skranke.domain.deadlines import CaseFacts as Facts
    from skranke.domain.deadlines import plan_review_months
    from skranke.store.queries import Page, agreed_intervals, running_count_query, running_page_query

    intervals: list[tuple[int | None, int]] = [(None, rules.plan_review_months)]
    for agreed in agreed_intervals(session, department):
        # The interval that applies (Gladsaxe caps an agreed one at six months).
        intervals.append(
            (agreed, plan_review_months(Facts("", "", "", "", date.min, plan_interval_months=agreed), rules))
        )
    pages: list[Named] = []
    counts: list[NamedCount] = []
    for stored, months in intervals:
        counted_from_by = last_day_due_by(months, windows.horizon)
        counts.append(("plan_reviews", running_count_query(counted_from_by, department, stored)))
        query = running_page_query(counted_from_by, department, stored)
        pages.append(("plan_reviews", Page(query, limit, _last_day_due_with(months))))
    return pages, counts


def _medical_review_pages(
    rules: Rules, windows: ListingWindows, department: str | None, limit: int
) -> tuple[list[Named], list[NamedCount]]:
    """The pages and the counts of each medical review rule's reviews due by the horizon (each
    rule its own window and order; a case under several rules only under the first)."""
    from skranke.store.queries import Page, medical_review_count_query, medical_review_page_query

    pages: list[Named] = []
    counts: list[NamedCount] = []
    covers = [(review.departments, review.paragraphs, review.partners) for review in rules.medical_reviews]
    for index, review in enumerate(rules.medical_reviews):
        counted_from_by = last_day_due_by(review.months, windows.horizon)
        earlier = covers[:index]
        counts.append(
            ("medical_reviews", medical_review_count_query(counted_from_by, covers[index], earlier, department))
        )
        query = medical_review_page_query(counted_from_by, covers[index], earlier, department)
        pages.append(("medical_reviews", Page(query, limit, _last_day_due_with(review.months))))
    return pages, counts


def _closed_pages(
    session: Session, rules: Rules, windows: ListingWindows, department: str | None, limit: int, totals: dict[str, int]
) -> tuple[list[Named], list[Sequence[Any]]]:
    """The pages of the follow-ups after each number of months (each group of closing status,
    paragraph and consent follows up or not: the rules say which), counted into `totals` with
    those recorded as made; and the rows of those made (the case's columns, then the month),
    for the caller to take away."""
    from skranke.store.queries import Page, closed_groups_query, closed_page_query, made_follow_up_cases, rows_in_one

    if windows.closed_span is None:
        return [], []
    made = made_follow_up_cases(session, *windows.closed_span)
    windows_of_months = list(windows.closed_for_months.items())
    queries: list[Bound] = [
        closed_groups_query(first, last, department) for _months, (first, last) in windows_of_months
    ]
    pages: list[Named] = []
    for (months, (first, last)), groups_rows in zip(windows_of_months, rows_in_one(session, queries), strict=True):
        groups = []
        for status, paragraph, consent, count in groups_rows:
            if follows_up(status, paragraph, consent, rules):
                totals["follow_ups"] += count
                groups.append((status, paragraph, consent))
        if groups:
            made_here = sum(1 for row in made if row[-1] == months)
            # As many more as were made: they leave the page afterwards.
            query = closed_page_query(first, last, groups, department)
            pages.append(("follow_ups", Page(query, limit + made_here, _last_day_due_with(months))))
    return pages, list(made)


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
