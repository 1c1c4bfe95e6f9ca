"""Frister: the 14-day guarantee, follow-ups after discharge and plan reviews, at `--now`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from operator import attrgetter

from skranke.collector import collector_paused
from skranke.domain.deadlines import (
    AppointmentFacts,
    CaseFacts,
    Overview,
    add_months,
    deadline_overview,
    follows_up,
    last_day_due_by,
    listing_bounds,
    listing_windows,
    waiting_tab,
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


# The most pressing rows of each tab that a page holds (the Frister screen shows them).
ROWS_PER_TAB = 500


@dataclass(frozen=True)
class DeadlinesPage:
    """What the Frister screen shows: each list of the overview cut to its first `limit` rows, in
    the overview's order, and how many each list holds in all (`totals`, by the Overview field:
    requests, exempt, follow_ups, plan_reviews), for one department or all."""

    overview: Overview
    totals: dict[str, int]
    case_departments: dict[str, str]  # case id → department, for the rows on the page


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
        closed_groups,
        closed_page_query,
        done_follow_ups_closed_within,
        first_rows,
        running_count,
        running_page_query,
        waiting_groups,
        waiting_page_query,
    )

    today = today or skranke.clock.now().date()
    rules = skranke.site.rules
    windows = listing_windows(rules, today)
    review_months = rules.plan_review_months
    totals = dict.fromkeys(("requests", "exempt", "follow_ups", "plan_reviews"), 0)
    rows: list = []
    with collector_paused(), skranke.database.reading() as session:
        # Waiting: each (paragraph, free choice, department) is listed on one tab or none.
        groups_of_tab: dict[str, list[tuple]] = {"requests": [], "exempt": []}
        for paragraph, free_choice, case_department, count in waiting_groups(session, department):
            waiting_in = waiting_tab(paragraph, free_choice, case_department, rules)
            if waiting_in is not None:
                totals[waiting_in] += count
                groups_of_tab[waiting_in].append((paragraph, free_choice, case_department))
        request_citizens: set[str] = set()  # whose appointments the requests' flags read
        for tab, groups in groups_of_tab.items():
            if groups:  # one contact day is one deadline: no other day ties with it
                waiting = first_rows(session, waiting_page_query(groups, department), limit, lambda day: day)
                if tab == "requests":
                    request_citizens.update(row[1] for row in waiting)
                rows += waiting

        # Running: every plan review due by the horizon.
        totals["plan_reviews"] = running_count(session, windows.review_counted_from_by, department)
        rows += first_rows(
            session,
            running_page_query(windows.review_counted_from_by, department),
            limit,
            _last_day_due_with(review_months),
        )

        # Closed: the follow-ups after each number of months, less those recorded as made.
        made: set[tuple[str, int]] = set()
        if windows.closed_for_months:
            made = done_follow_ups_closed_within(
                session,
                min(first for first, _last in windows.closed_for_months.values()),
                max(last for _first, last in windows.closed_for_months.values()),
            )
        for months, (first, last) in windows.closed_for_months.items():
            groups = []
            for status, paragraph, consent, count in closed_groups(session, first, last, department):
                if follows_up(status, paragraph, consent, rules):
                    totals["follow_ups"] += count
                    groups.append((status, paragraph, consent))
            if groups:
                made_here = sum(1 for _case, month in made if month == months)
                rows += first_rows(
                    session,
                    closed_page_query(first, last, groups, department),
                    limit + made_here,  # those made leave the page below
                    _last_day_due_with(months),
                )
        made_cases = _cases(cases_by_id(session, {case_id for case_id, _month in made}))

        cases = list({row[0]: CaseFacts._make(row[:-1]) for row in rows}.values())
        kinds = appointment_kinds(rules)
        appointments = (
            _appointments(citizens_guarantee_appointment_rows(session, request_citizens, kinds)) if kinds else []
        )
        overview = deadline_overview(cases, appointments, skranke.site, skranke.hours, today)
        counted_made = deadline_overview(made_cases, [], skranke.site, skranke.hours, today).follow_ups
    totals["follow_ups"] -= sum(
        1
        for follow_up in counted_made
        if (follow_up.case_id, follow_up.months) in made
        and (department is None or _department_of(made_cases, follow_up.case_id) == department)
    )
    follow_ups = [f for f in overview.follow_ups if (f.case_id, f.months) not in made]
    page = Overview(
        as_of=today,
        requests=overview.requests[:limit],
        exempt=overview.exempt[:limit],
        follow_ups=tuple(follow_ups[:limit]),
        plan_reviews=overview.plan_reviews[:limit],
    )
    return DeadlinesPage(page, totals, dict(map(_ID_AND_DEPARTMENT, cases)))


def _last_day_due_with(months: int) -> Callable[[date], date]:
    """The last day whose date `months` later is the same as `day`'s (month ends fold)."""
    return lambda day: last_day_due_by(months, add_months(day, months))


def _department_of(cases: list[CaseFacts], case_id: str) -> str | None:
    return next((case.department for case in cases if case.case_id == case_id), None)


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
