"""Key figures (nøgletal): the guarantee kept, discharges and their outcome, returns, targets.

Pure rules on plain rows (DESIGN §1 "Key figures and reporting"): no I/O and no clock; the day
the figures are counted to (`as_of`) is passed in. The services layer reads the rows.

What is counted, over a period [first, last] (both inclusive):
- requests: cases whose request (henvendelse) falls in the period. Of those under the 14-day
  guarantee (`deadlines.evaluate_guarantee`: not anonymous, a paragraph the site guarantees, no
  free choice that may waive it): started in time (treatment start on or before day 14 of the
  site's clock, 000 § 3.2), exceeded (started after it, or not started and the deadline passed
  before the case closed or before `as_of`), and the median and 90th percentile days from the
  clock's start to the treatment start of those started (nearest rank). Danmarks Statistik
  counts exactly "exceeded" (SMDBV004).
- discharges: cases closed in the period, by closing status (SMDB's statuses), by outcome
  (`udfald`) and by goals reached (`maal_opnaaet`); ended as planned = "færdigbehandlet".
- follow-ups: those the site's schedule makes due in the period and on or before `as_of`
  (`deadlines.follow_up_schedule`); on time when recorded done on or before the due day.
- returned within 12 months: of the discharges in the period whose 12 months have passed by
  `as_of`, those whose citizen made a new request after the discharge day and no later than 12
  calendar months after it (`add_months`: 12 months and one day is not a return). A request on
  the discharge day itself is the journal moving the course (a new case the day the old one
  closes), not a return.
- targets: each of the site's `[[targets]]` beside its figure, met or not met.

Small numbers (privacy): a figure over 1-4 citizens is not shown as a number or a share, only
as "under 5 borgere" (`Amount.small`, `Share.small`): two people's percentage would name them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, NamedTuple

from skranke.domain.deadlines import (
    CaseFacts,
    Guarantee,
    add_months,
    clock_start,
    evaluate_guarantee,
    follow_up_schedule,
)
from skranke.domain.site import Rules, Site, Target
from skranke.domain.vocabulary import CLOSING_STATUSES, GOALS_REACHED, OUTCOMES

# Fewer distinct citizens than this and a figure is shown only as "under 5 borgere".
SMALL = 5
RETURN_MONTHS = 12
PLANNED_ENDING = "færdigbehandlet"  # SMDB's planned ending (003 § 2.7 "afsluttes planmæssigt")
UNKNOWN = "ikke_angivet"  # an outcome the export did not give
SMALL_JSON = "<5"  # what the JSON says for a figure over 1-4 citizens


class CaseRecord(NamedTuple):
    """One case (sag) as the key figures need it; field meanings as in `sager*.csv`."""

    case_id: str
    citizen_id: str
    department: str
    paragraph: str
    contact_date: date
    treatment_start: date | None = None
    free_choice: bool = False
    closed_on: date | None = None
    closing_status: str | None = None
    follow_up_consent: bool | None = None
    personal_attendance_on: date | None = None
    outcome: str | None = None  # udfald
    goals_reached: str | None = None  # maal_opnaaet

    def facts(self) -> CaseFacts:
        return CaseFacts(
            self.case_id,
            self.citizen_id,
            self.department,
            self.paragraph,
            self.contact_date,
            treatment_start=self.treatment_start,
            free_choice=self.free_choice,
            closed_on=self.closed_on,
            closing_status=self.closing_status,
            follow_up_consent=self.follow_up_consent,
            personal_attendance_on=self.personal_attendance_on,
        )


class FollowUpRecord(NamedTuple):
    """A follow-up recorded at the desk: the case, the month of the schedule, the day it was done."""

    case_id: str
    month: int
    done_on: date


# --- values that may be too small to show ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Amount:
    """A count of cases and how many distinct citizens they are."""

    count: int
    citizens: int

    @property
    def small(self) -> bool:
        return 0 < self.citizens < SMALL

    def shown(self) -> int | None:
        """The count, or None when it is over 1-4 citizens."""
        return None if self.small else self.count

    def to_json(self) -> int | str:
        return SMALL_JSON if self.small else self.count


def amount(cases: Iterable[CaseRecord]) -> Amount:
    listed = list(cases)
    return Amount(len(listed), len({c.citizen_id for c in listed}))


@dataclass(frozen=True, slots=True)
class Share:
    """`part` of `whole`. Shown only when both are counts a reader cannot trace to a person: the
    whole over 5 or more citizens, and the part none or 5 or more. "1 af 9 ended as planned" names
    one person's outcome to anyone who knows the nine as surely as a percentage of two people
    does; so a part of 1-4 is said as "under 5" and its percentage is not shown either (it would
    give the part back)."""

    part: int
    whole: Amount

    @property
    def small(self) -> bool:
        """Nothing of it may be shown: the whole is over 1-4 citizens."""
        return self.whole.small

    @property
    def small_part(self) -> bool:
        """The whole may be shown, the part and its percentage not: 1-4 of them."""
        return not self.small and 0 < self.part < SMALL

    def percent(self) -> float | None:
        """One decimal, as shown; None when there is nothing to count or it is too small to show."""
        if self.small_part:
            return None
        return self.exact_percent()

    def exact_percent(self) -> float | None:
        """The percentage a target is judged by, also when its part is too small to show: "met"
        or "not met" over 5 or more citizens names nobody."""
        if self.small or self.whole.count == 0:
            return None
        return round(100 * self.part / self.whole.count, 1)

    def to_json(self) -> dict[str, Any]:
        if self.small:
            return {"count": SMALL_JSON, "of": SMALL_JSON, "percent": SMALL_JSON}
        if self.small_part:
            return {"count": SMALL_JSON, "of": self.whole.count, "percent": SMALL_JSON}
        return {"count": self.part, "of": self.whole.count, "percent": self.percent()}


@dataclass(frozen=True, slots=True)
class Days:
    """Median and 90th percentile days to start, over how many citizens."""

    median: float | None
    p90: int | None
    over: Amount

    @property
    def small(self) -> bool:
        return self.over.small

    def to_json(self) -> tuple[float | str | None, int | str | None]:
        if self.small:
            return SMALL_JSON, SMALL_JSON
        return self.median, self.p90


def median(values: Sequence[int]) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def nearest_rank(values: Sequence[int], percent: int) -> int | None:
    """The nearest-rank percentile: the smallest value with at least `percent` % at or below it."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[max(1, math.ceil(percent / 100 * len(ordered))) - 1]


# --- the figures ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Figures:
    """The key figures of one group of cases (a month, a department, a paragraph, the period)."""

    requests: Amount
    guaranteed: Amount  # requests under the 14-day guarantee
    started_in_time: Amount
    exceeded: Amount
    days_to_start: Days
    discharges: Amount
    by_status: dict[str, Amount]
    by_outcome: dict[str, Amount]
    by_goals: dict[str, Amount]
    ended_as_planned: Share
    follow_ups_due: Amount
    follow_ups_on_time: Share
    returned: Share  # of the discharges whose 12 months have passed

    def to_json_dict(self) -> dict[str, Any]:
        median_days, p90_days = self.days_to_start.to_json()
        return {
            "guarantee": {
                "requests": self.requests.to_json(),
                "guaranteed": self.guaranteed.to_json(),
                "started_in_time": self.started_in_time.to_json(),
                "exceeded": self.exceeded.to_json(),
                "median_days": median_days,
                "p90_days": p90_days,
            },
            "discharges": {
                "total": self.discharges.to_json(),
                "by_status": {k: v.to_json() for k, v in self.by_status.items()},
                "by_outcome": {k: v.to_json() for k, v in self.by_outcome.items()},
                "by_goals_reached": {k: v.to_json() for k, v in self.by_goals.items()},
                "ended_as_planned": self.ended_as_planned.to_json(),
            },
            "follow_ups": {"due": self.follow_ups_due.to_json(), "on_time": self.follow_ups_on_time.to_json()},
            "returned_within_12_months": self.returned.to_json(),
        }


@dataclass(frozen=True, slots=True)
class TargetResult:
    target: Target
    value: Share

    @property
    def met(self) -> bool | None:
        """None: too few citizens, or none, to say."""
        percent = self.value.exact_percent()
        return None if percent is None else self.target.met_by(percent)

    def to_json_dict(self) -> dict[str, Any]:
        sign = "≥" if self.target.comparison == "at_least" else "≤"
        percent = self.value.percent()
        return {
            "id": self.target.id,
            "name": self.target.name,
            "measure": self.target.measure,
            "value": SMALL_JSON if self.value.small or self.value.small_part else percent,
            "count": self.value.to_json(),
            "target": f"{sign} {self.target.percent} %",
            "comparison": self.target.comparison,
            "target_percent": self.target.percent,
            "source": self.target.source,
            "met": self.met,
        }


@dataclass(frozen=True, slots=True)
class Report:
    site: str
    first: date
    last: date
    as_of: date
    department: str | None
    total: Figures
    months: tuple[tuple[date, Figures], ...]  # first day of each month in the period
    departments: dict[str, Figures]
    paragraphs: dict[str, Figures]
    targets: tuple[TargetResult, ...]
    targets_source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json_dict(self) -> dict[str, Any]:
        total = self.total.to_json_dict()
        return {
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "as_of": self.as_of.isoformat(),
            "site": self.site,
            "department": self.department,
            "guarantee": total["guarantee"],
            "discharges": total["discharges"],
            "follow_ups": total["follow_ups"],
            "returned_within_12_months": total["returned_within_12_months"],
            "targets": [t.to_json_dict() for t in self.targets],
            "targets_source": self.targets_source,
            "months": [{"month": m.strftime("%Y-%m"), **f.to_json_dict()} for m, f in self.months],
            "departments": {d: f.to_json_dict() for d, f in self.departments.items()},
            "paragraphs": {p: f.to_json_dict() for p, f in self.paragraphs.items()},
        }


# --- counting ---------------------------------------------------------------------------------


class _Index:
    """What every group's figures look up: each citizen's request days, the follow-ups done; and
    each case's guarantee and follow-up schedule, worked out once (a report counts each case in
    its month, its department, its paragraph and the total: ~25 groups over the same cases)."""

    def __init__(self, cases: Sequence[CaseRecord], follow_ups: Iterable[FollowUpRecord]) -> None:
        # By case id: an index serves one report, so one site's rules.
        self._guarantees: dict[str, tuple[Guarantee, date | None]] = {}
        self._schedules: dict[str, list[tuple[int, date]]] = {}
        self.requests_of: dict[str, list[date]] = {}
        for case in cases:
            self.requests_of.setdefault(case.citizen_id, []).append(case.contact_date)
        self.done: dict[tuple[str, int], date] = {}
        for record in follow_ups:
            key = (record.case_id, record.month)
            if key not in self.done or record.done_on < self.done[key]:
                self.done[key] = record.done_on

    def guarantee(self, case: CaseRecord, rules: Rules) -> tuple[Guarantee, date | None]:
        """The case's guarantee and the day its 14 days count from."""
        known = self._guarantees.get(case.case_id)
        if known is None:
            facts = case.facts()
            known = self._guarantees[case.case_id] = (evaluate_guarantee(facts, rules), clock_start(facts, rules))
        return known

    def schedule(self, case: CaseRecord, rules: Rules) -> list[tuple[int, date]]:
        known = self._schedules.get(case.case_id)
        if known is None:
            known = self._schedules[case.case_id] = follow_up_schedule(case.facts(), rules)
        return known

    def returned(self, case: CaseRecord) -> bool:
        """A new request after the discharge day, no later than 12 calendar months after it."""
        assert case.closed_on is not None
        until = add_months(case.closed_on, RETURN_MONTHS)
        return any(case.closed_on < day <= until for day in self.requests_of.get(case.citizen_id, ()))


def month_starts(first: date, last: date) -> list[date]:
    months = []
    day = first.replace(day=1)
    while day <= last:
        months.append(day)
        day = add_months(day, 1)
    return months


def month_end(day: date) -> date:
    return add_months(day.replace(day=1), 1) - timedelta(days=1)


def _in(day: date | None, first: date, last: date) -> bool:
    return day is not None and first <= day <= last


def returns_known(case: CaseRecord, as_of: date) -> bool:
    """Whether the 12 months after a discharge have passed by `as_of`."""
    return case.closed_on is not None and add_months(case.closed_on, RETURN_MONTHS) <= as_of


def figures(
    cases: Sequence[CaseRecord], site: Site, first: date, last: date, as_of: date, index: _Index | None = None
) -> Figures:
    """The key figures of `cases` over [first, last], counted as on `as_of`."""
    rules = site.rules
    index = index or _Index(cases, ())
    requests = [c for c in cases if _in(c.contact_date, first, last)]
    guaranteed: list[CaseRecord] = []
    in_time: list[CaseRecord] = []
    exceeded: list[CaseRecord] = []
    started: list[CaseRecord] = []
    days: list[int] = []
    for case in requests:
        guarantee, clock = index.guarantee(case, rules)
        if guarantee.state in ("exempt", "not_covered"):
            continue
        guaranteed.append(case)
        if guarantee.state == "met":
            started.append(case)
            assert case.treatment_start is not None
            begun = clock or case.treatment_start
            days.append((case.treatment_start - begun).days)
            (in_time if guarantee.met_in_time else exceeded).append(case)
        elif guarantee.deadline is not None:
            # Not started: exceeded once the deadline passed while the request was still open.
            until = case.closed_on if case.closed_on is not None else as_of
            if guarantee.deadline < until:
                exceeded.append(case)
    discharges = [c for c in cases if _in(c.closed_on, first, last)]
    by_status = {s: amount(c for c in discharges if c.closing_status == s) for s in sorted(CLOSING_STATUSES)}
    by_outcome = {o: amount(c for c in discharges if c.outcome == o) for o in OUTCOMES}
    by_outcome[UNKNOWN] = amount(c for c in discharges if c.outcome is None)
    by_goals = {g: amount(c for c in discharges if c.goals_reached == g) for g in GOALS_REACHED}
    by_goals[UNKNOWN] = amount(c for c in discharges if c.goals_reached is None)
    planned = sum(1 for c in discharges if c.closing_status == PLANNED_ENDING)
    # Follow-ups due in the period and by as_of, from every case closed early enough to have one.
    due: list[tuple[CaseRecord, bool]] = []
    for case in cases:
        if case.closed_on is None or case.closed_on > last:
            continue
        for months, day in index.schedule(case, rules):
            if _in(day, first, min(last, as_of)):
                done = index.done.get((case.case_id, months))
                due.append((case, done is not None and done <= day))
    due_amount = amount(case for case, _on_time in due)
    known = [c for c in discharges if returns_known(c, as_of)]
    return Figures(
        requests=amount(requests),
        guaranteed=amount(guaranteed),
        started_in_time=amount(in_time),
        exceeded=amount(exceeded),
        days_to_start=Days(median(days), nearest_rank(days, 90), amount(started)),
        discharges=amount(discharges),
        by_status=by_status,
        by_outcome=by_outcome,
        by_goals=by_goals,
        ended_as_planned=Share(planned, amount(discharges)),
        follow_ups_due=due_amount,
        follow_ups_on_time=Share(sum(1 for _case, on_time in due if on_time), due_amount),
        returned=Share(sum(1 for c in known if index.returned(c)), amount(known)),
    )


def target_value(target: Target, discharges: Sequence[CaseRecord], as_of: date, index: _Index) -> Share:
    """A target's figure: its share of the discharges it counts (DESIGN §1)."""
    counted = [
        c
        for c in discharges
        if (not target.closing_statuses or c.closing_status in target.closing_statuses)
        and (not target.paragraphs or c.paragraph in target.paragraphs)
    ]
    if target.measure == "returned_within_12_months":
        known = [c for c in counted if returns_known(c, as_of)]
        return Share(sum(1 for c in known if index.returned(c)), amount(known))
    if target.measure == "goals_reached":
        answered = [c for c in counted if c.goals_reached is not None]
        return Share(sum(1 for c in answered if c.goals_reached == "ja"), amount(answered))
    wanted = "stoffri" if target.measure == "drug_free" else "reduceret"
    answered = [c for c in counted if c.outcome is not None]
    return Share(sum(1 for c in answered if c.outcome == wanted), amount(answered))


def key_figures(
    cases: Iterable[CaseRecord],
    follow_ups: Iterable[FollowUpRecord],
    site: Site,
    first: date,
    last: date,
    as_of: date,
    department: str | None = None,
) -> Report:
    """The report over [first, last] for the site or one department, counted as on `as_of`.

    `cases` holds every case the period needs: those requested or closed in it, those whose
    follow-ups fall in it, and later requests of the same citizens (returns); a return counts
    in any department.
    """
    every = list(cases)
    index = _Index(every, follow_ups)
    mine = [c for c in every if department is None or c.department == department]
    # Each month counts only the cases with a request, a discharge or a follow-up due in it:
    # the same figures as over every case, without reading all of them once per month.
    of_month: dict[date, list[CaseRecord]] = {start: [] for start in month_starts(first, last)}
    for case in mine:
        days = [case.contact_date, case.closed_on, *(day for _months, day in index.schedule(case, site.rules))]
        for start in {day.replace(day=1) for day in days if day is not None and first <= day <= last}:
            of_month[start].append(case)
    months = tuple(
        (start, figures(of_month[start], site, max(first, start), min(last, month_end(start)), as_of, index))
        for start in of_month
    )
    departments = {
        dep: figures([c for c in mine if c.department == dep], site, first, last, as_of, index)
        for dep in sorted({c.department for c in mine})
    }
    paragraphs = {
        par: figures([c for c in mine if c.paragraph == par], site, first, last, as_of, index)
        for par in sorted({c.paragraph for c in mine})
    }
    discharges = [c for c in mine if _in(c.closed_on, first, last)]
    targets = tuple(TargetResult(t, target_value(t, discharges, as_of, index)) for t in site.targets)
    return Report(
        site=site.id,
        first=first,
        last=last,
        as_of=as_of,
        department=department,
        total=figures(mine, site, first, last, as_of, index),
        months=months,
        departments=departments,
        paragraphs=paragraphs,
        targets=targets,
        targets_source=site.targets_source,
    )
