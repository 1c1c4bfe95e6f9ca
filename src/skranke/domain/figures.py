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
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, NamedTuple

from skranke.domain.deadlines import (
    CaseFacts,
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
        # By position (a report makes some 20,000: keywords cost twice as much); CaseFacts'
        # first nine fields are this record's first nine.
        plan_reviewed_on = plan_interval_months = medical_reviewed_on = partner = None
        return CaseFacts._make(
            (
                *self[:9],
                plan_reviewed_on,
                self.follow_up_consent,
                plan_interval_months,
                medical_reviewed_on,
                self.personal_attendance_on,
                partner,
            )
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


class _Started(NamedTuple):
    """What a case's request counts as under the guarantee; the same in every group it is in."""

    guaranteed: bool
    started: bool
    in_time: bool
    exceeded: bool
    days: int | None  # from the clock's start to the treatment start, when started


class _Index:
    """What every case's count looks up, worked out once per report: each citizen's request
    days, the follow-ups done, each case's guarantee, schedule and return (a report counts each
    case in its month, its department, its paragraph and the total)."""

    def __init__(self, cases: Sequence[CaseRecord], follow_ups: Iterable[FollowUpRecord], rules: Rules, as_of: date):
        self.rules = rules
        self.as_of = as_of
        self.requests_of: dict[str, list[date]] = {}
        for case in cases:
            self.requests_of.setdefault(case.citizen_id, []).append(case.contact_date)
        self.done: dict[tuple[str, int], date] = {}
        for record in follow_ups:
            key = (record.case_id, record.month)
            if key not in self.done or record.done_on < self.done[key]:
                self.done[key] = record.done_on

    def started(self, case: CaseRecord, facts: CaseFacts) -> _Started:
        guarantee = evaluate_guarantee(facts, self.rules)
        if guarantee.state in ("exempt", "not_covered"):
            return _Started(False, False, False, False, None)
        if guarantee.state == "met":
            assert case.treatment_start is not None
            begun = clock_start(facts, self.rules) or case.treatment_start
            days = (case.treatment_start - begun).days
            in_time = bool(guarantee.met_in_time)
            return _Started(True, True, in_time, not in_time, days)
        # Not started: exceeded once the deadline passed while the request was still open.
        until = case.closed_on if case.closed_on is not None else self.as_of
        exceeded = guarantee.deadline is not None and guarantee.deadline < until
        return _Started(True, False, False, exceeded, None)

    def returned(self, case: CaseRecord) -> bool:
        """A new request after the discharge day, no later than 12 calendar months after it."""
        assert case.closed_on is not None
        until = add_months(case.closed_on, RETURN_MONTHS)
        return any(case.closed_on < day <= until for day in self.requests_of.get(case.citizen_id, ()))


def _amount(citizens: list[str]) -> Amount:
    """The amount of a tally: one citizen id per case counted."""
    return Amount(len(citizens), len(set(citizens)))


class _Group:
    """The figures of one group (the period, a month, a department, a paragraph), counted as its
    cases' requests, discharges and follow-ups are met, one case at a time. A tally is a list
    with the citizen id of each case counted: its length the count, its set the citizens."""

    LISTS = ("requests", "guaranteed", "started", "in_time", "exceeded", "days", "discharges", "known", "due")

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.guaranteed: list[str] = []
        self.started: list[str] = []
        self.in_time: list[str] = []
        self.exceeded: list[str] = []
        self.days: list[int] = []
        self.discharges: list[str] = []
        self.by_status: dict[str, list[str]] = {status: [] for status in sorted(CLOSING_STATUSES)}
        self.by_outcome: dict[str, list[str]] = {outcome: [] for outcome in (*OUTCOMES, UNKNOWN)}
        self.by_goals: dict[str, list[str]] = {answer: [] for answer in (*GOALS_REACHED, UNKNOWN)}
        self.planned = 0
        self.known: list[str] = []  # discharges whose 12 months have passed
        self.returned = 0
        self.due: list[str] = []
        self.on_time = 0

    def add_request(self, case: CaseRecord, started: _Started) -> None:
        citizen = case.citizen_id
        self.requests.append(citizen)
        if not started.guaranteed:
            return
        self.guaranteed.append(citizen)
        if started.started:
            self.started.append(citizen)
            assert started.days is not None
            self.days.append(started.days)
        if started.in_time:
            self.in_time.append(citizen)
        if started.exceeded:
            self.exceeded.append(citizen)

    def add_discharge(self, case: CaseRecord, returned: bool | None) -> None:
        """`returned`: None while the 12 months after it have not passed."""
        citizen = case.citizen_id
        self.discharges.append(citizen)
        # A value outside the vocabulary is counted in no column (the database refuses it).
        if (status := self.by_status.get(case.closing_status or "")) is not None:
            status.append(citizen)
        if (outcome := self.by_outcome.get(case.outcome or UNKNOWN)) is not None:
            outcome.append(citizen)
        if (goals := self.by_goals.get(case.goals_reached or UNKNOWN)) is not None:
            goals.append(citizen)
        if case.closing_status == PLANNED_ENDING:
            self.planned += 1
        if returned is not None:
            self.known.append(citizen)
            self.returned += returned

    def add_due(self, case: CaseRecord, on_time: bool) -> None:
        self.due.append(case.citizen_id)
        self.on_time += on_time

    @classmethod
    def merged(cls, parts: Iterable[_Group]) -> _Group:
        """One group of the cases of several: every tally joined, every sum added."""
        whole = cls()
        for part in parts:
            for tally in (
                "requests",
                "guaranteed",
                "started",
                "in_time",
                "exceeded",
                "days",
                "discharges",
                "known",
                "due",
            ):
                getattr(whole, tally).extend(getattr(part, tally))
            for column in ("by_status", "by_outcome", "by_goals"):
                ours = getattr(whole, column)
                for value, citizens in getattr(part, column).items():
                    ours[value].extend(citizens)
            whole.planned += part.planned
            whole.returned += part.returned
            whole.on_time += part.on_time
        return whole

    def figures(self) -> Figures:
        discharges = _amount(self.discharges)
        due = _amount(self.due)
        return Figures(
            requests=_amount(self.requests),
            guaranteed=_amount(self.guaranteed),
            started_in_time=_amount(self.in_time),
            exceeded=_amount(self.exceeded),
            days_to_start=Days(median(self.days), nearest_rank(self.days, 90), _amount(self.started)),
            discharges=discharges,
            by_status={status: _amount(tally) for status, tally in self.by_status.items()},
            by_outcome={outcome: _amount(tally) for outcome, tally in self.by_outcome.items()},
            by_goals={answer: _amount(tally) for answer, tally in self.by_goals.items()},
            ended_as_planned=Share(self.planned, discharges),
            follow_ups_due=due,
            follow_ups_on_time=Share(self.on_time, due),
            returned=Share(self.returned, _amount(self.known)),
        )


def month_starts(first: date, last: date) -> list[date]:
    months = []
    day = first.replace(day=1)
    while day <= last:
        months.append(day)
        day = add_months(day, 1)
    return months


def _days(first: date, last: date) -> Iterator[date]:
    for offset in range((last - first).days + 1):
        yield first + timedelta(days=offset)


def month_end(day: date) -> date:
    return add_months(day.replace(day=1), 1) - timedelta(days=1)


def returns_known(case: CaseRecord, as_of: date) -> bool:
    """Whether the 12 months after a discharge have passed by `as_of`."""
    return case.closed_on is not None and add_months(case.closed_on, RETURN_MONTHS) <= as_of


def _count(
    cases: Iterable[CaseRecord],
    first: date,
    last: date,
    index: _Index,
    group_of: Callable[[CaseRecord, date], _Group],
) -> None:
    """Count each case's request, discharge and follow-ups due in [first, last] into the group
    that the event's day and the case belong to."""
    due_until = min(last, index.as_of)
    rules = index.rules
    for case in cases:
        requested = first <= case.contact_date <= last
        closed = case.closed_on
        if not requested and (closed is None or closed > last):
            continue  # neither a request, a discharge nor a follow-up due in the period
        facts = case.facts()
        if requested:
            started = index.started(case, facts)
            group_of(case, case.contact_date).add_request(case, started)
        if closed is None or closed > last:
            continue
        if first <= closed:
            returned = index.returned(case) if returns_known(case, index.as_of) else None
            group_of(case, closed).add_discharge(case, returned)
        # A follow-up is due after its discharge day, so within a group's days once it is in [first, last].
        for months, day in follow_up_schedule(facts, rules):
            if first <= day <= due_until:
                done = index.done.get((case.case_id, months))
                on_time = done is not None and done <= day
                group_of(case, day).add_due(case, on_time)


def figures(
    cases: Sequence[CaseRecord],
    site: Site,
    first: date,
    last: date,
    as_of: date,
    follow_ups: Iterable[FollowUpRecord] = (),
    index: _Index | None = None,
) -> Figures:
    """The key figures of `cases` over [first, last], counted as on `as_of`."""
    group = _Group()
    _count(cases, first, last, index or _Index(cases, follow_ups, site.rules, as_of), lambda _case, _day: group)
    return group.figures()


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
    index = _Index(every, follow_ups, site.rules, as_of)
    mine = [c for c in every if department is None or c.department == department]
    # Counted once into cells of a month, a department and a paragraph; the report's groups are
    # cells joined (one pass over the cases instead of one per group).
    cells: dict[tuple[date, str, str], _Group] = defaultdict(_Group)
    month_of = {day: day.replace(day=1) for day in _days(first, last)}
    _count(mine, first, last, index, lambda case, day: cells[month_of[day], case.department, case.paragraph])
    months: dict[date, list[_Group]] = {start: [] for start in month_starts(first, last)}
    departments: dict[str, list[_Group]] = {dep: [] for dep in sorted({c.department for c in mine})}
    paragraphs: dict[str, list[_Group]] = {par: [] for par in sorted({c.paragraph for c in mine})}
    for (month, dep, par), cell in cells.items():
        months[month].append(cell)
        departments[dep].append(cell)
        paragraphs[par].append(cell)
    discharges = [c for c in mine if c.closed_on is not None and first <= c.closed_on <= last]
    targets = tuple(TargetResult(t, target_value(t, discharges, as_of, index)) for t in site.targets)
    return Report(
        site=site.id,
        first=first,
        last=last,
        as_of=as_of,
        department=department,
        total=_Group.merged(cells.values()).figures(),
        months=tuple((start, _Group.merged(parts).figures()) for start, parts in months.items()),
        departments={dep: _Group.merged(parts).figures() for dep, parts in departments.items()},
        paragraphs={par: _Group.merged(parts).figures() for par, parts in paragraphs.items()},
        targets=targets,
        targets_source=site.targets_source,
    )
