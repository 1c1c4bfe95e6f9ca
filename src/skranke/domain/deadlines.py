"""Deadlines: the 14-day treatment guarantee, follow-ups after discharge, plan reviews.

Pure rules on plain values (DESIGN §1 "The 14-day treatment guarantee", "Follow-up and
reviews"): no I/O and no clock; `today` is always passed in. The inputs are the frozen
`CaseFacts` and `AppointmentFacts` below, not ORM rows; the services layer converts.

`deadline_overview()` is what the Frister screen and `skranke deadlines --json` show;
`Overview.to_json_dict()` is the documented JSON contract:

    {"as_of": "YYYY-MM-DD",
     "requests": [{"case_id", "citizen_id", "department", "paragraph", "contact_date",
                   "deadline", "days_left", "status", "last_open_day", "flags": [str]}],
     "exempt": [{"case_id", "citizen_id", "reason": "anonymous" | "free_choice"}],
     "follow_ups": [{"case_id", "citizen_id", "due", "months", "status"}],
     "plan_reviews": [{"case_id", "citizen_id", "due", "status"}]}
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, datetime, timedelta
from typing import Any, Literal

from dateutil.relativedelta import relativedelta

from skranke.domain.hours import NEXT_OPENING_HORIZON_DAYS, TIMEZONE, DepartmentHours, SiteHours
from skranke.domain.site import Rules, Site, normalise_key
from skranke.domain.vocabulary import ANONYMOUS_PARAGRAPH

CountdownStatus = Literal["ok", "warn", "overdue"]
FollowUpStatus = Literal["upcoming", "due", "overdue"]
ExemptReason = Literal["anonymous", "free_choice"]
GuaranteeState = Literal["open", "met", "closed", "exempt", "not_covered"]

# Flags on an open request: stable machine ids (the UI and the JSON show them), in this order.
FLAG_DEADLINE_ON_CLOSED_DAY = "deadline_on_closed_day"
FLAG_NO_OPEN_DAY = "no_open_day_before_deadline"
FLAG_UNKNOWN_DEPARTMENT = "unknown_department"
FLAG_NO_APPOINTMENT = "no_appointment"
FLAG_APPOINTMENT_AFTER_DEADLINE = "appointment_after_deadline"
FLAG_APPOINTMENT_OUTSIDE_HOURS = "appointment_outside_hours"
FLAG_APPOINTMENT_UNKNOWN_DEPARTMENT = "appointment_unknown_department"
FLAGS: tuple[str, ...] = (
    FLAG_DEADLINE_ON_CLOSED_DAY,
    FLAG_NO_OPEN_DAY,
    FLAG_UNKNOWN_DEPARTMENT,
    FLAG_NO_APPOINTMENT,
    FLAG_APPOINTMENT_AFTER_DEADLINE,
    FLAG_APPOINTMENT_OUTSIDE_HOURS,
    FLAG_APPOINTMENT_UNKNOWN_DEPARTMENT,
)

# Appointments that must lie within the 14 days: the visitation talk and the doctor's talk
# (003 § 2.2 "Begge tider ligger senest 14 dage fra henvendelsen"; 000 § 3.2, § 4.2 afdækning).
# Compared after normalise_key, so "læge" and "laege" are the same kind.
GUARANTEE_APPOINTMENT_KINDS = frozenset({"visitation", "laege"})

# Which follow-ups and plan reviews the overview lists (a display choice, not a seed rule):
# those due within AHEAD_DAYS from today, and those overdue. An overdue follow-up drops off
# once it is more than FOLLOW_UP_OVERDUE_MONTHS past due (nothing records a follow-up as
# done, so without a limit every discharge would stay on the list for ever); an overdue plan
# review stays until the plan is reviewed (the treatment is still running).
AHEAD_DAYS = 30
FOLLOW_UP_OVERDUE_MONTHS = 3


# --- inputs ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """One case (sag) as the deadline rules need it; field meanings as in `sager*.csv`."""

    case_id: str
    citizen_id: str
    department: str
    paragraph: str  # SEL101, SEL101a, SUL142, SUL141
    contact_date: date  # henvendelse: the guarantee's clock start (the site decides which event)
    treatment_start: date | None = None
    free_choice: bool = False
    closed_on: date | None = None
    closing_status: str | None = None
    plan_reviewed_on: date | None = None


@dataclass(frozen=True, slots=True)
class AppointmentFacts:
    appointment_id: str
    citizen_id: str
    department: str
    starts_at: datetime  # aware; a naive value is read as Copenhagen time
    kind: str  # visitation, læge, samtale


# --- results -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Guarantee:
    """How the guarantee applies to one case.

    state: "open" (a request still waiting for treatment), "met" (treatment started; see
    met_in_time), "closed" (closed without a start), "exempt" (exempt_reason says why) or
    "not_covered" (the paragraph is not in the site's guarantee_paragraphs).
    """

    case_id: str
    state: GuaranteeState
    deadline: date | None  # None when exempt or not covered
    exempt_reason: ExemptReason | None = None
    met_in_time: bool | None = None  # only for "met"


@dataclass(frozen=True, slots=True)
class RequestDeadline:
    case_id: str
    citizen_id: str
    department: str
    paragraph: str
    contact_date: date
    deadline: date
    days_left: int
    status: CountdownStatus
    last_open_day: date | None  # None: department unknown, or closed for the whole look-back
    flags: tuple[str, ...]

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "citizen_id": self.citizen_id,
            "department": self.department,
            "paragraph": self.paragraph,
            "contact_date": self.contact_date.isoformat(),
            "deadline": self.deadline.isoformat(),
            "days_left": self.days_left,
            "status": self.status,
            "last_open_day": _iso(self.last_open_day),
            "flags": list(self.flags),
        }


@dataclass(frozen=True, slots=True)
class ExemptCase:
    case_id: str
    citizen_id: str
    reason: ExemptReason

    def to_json_dict(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "citizen_id": self.citizen_id, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class FollowUp:
    case_id: str
    citizen_id: str
    due: date
    months: int  # which follow-up: months after closing
    status: FollowUpStatus

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "citizen_id": self.citizen_id,
            "due": self.due.isoformat(),
            "months": self.months,
            "status": self.status,
        }


@dataclass(frozen=True, slots=True)
class PlanReview:
    case_id: str
    citizen_id: str
    due: date
    status: CountdownStatus

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "citizen_id": self.citizen_id,
            "due": self.due.isoformat(),
            "status": self.status,
        }


@dataclass(frozen=True, slots=True)
class Overview:
    as_of: date
    requests: tuple[RequestDeadline, ...]
    exempt: tuple[ExemptCase, ...]
    follow_ups: tuple[FollowUp, ...]
    plan_reviews: tuple[PlanReview, ...]

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "requests": [r.to_json_dict() for r in self.requests],
            "exempt": [e.to_json_dict() for e in self.exempt],
            "follow_ups": [f.to_json_dict() for f in self.follow_ups],
            "plan_reviews": [p.to_json_dict() for p in self.plan_reviews],
        }


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


# --- the guarantee -----------------------------------------------------------------------


def guarantee_deadline(contact_date: date, rules: Rules) -> date:
    """Day 14: calendar days from the request, never moved off a weekend or holiday.

    000 § 1.4.0 and § 3.2, 002 "Behandlingsgaranti", 003 § 2.3, 004 "Behandlingsgaranti":
    "senest 14 dage efter"; no seed moves the day (DESIGN §1).
    """
    return contact_date + timedelta(days=rules.guarantee_days)


def countdown_status(days_left: int, rules: Rules) -> CountdownStatus:
    """ok / warn / overdue: overdue below 0, warn from rules.warning_days down to 0.

    With warning_days=3: 4 → ok, 3 → warn, 0 → warn (the last day), -1 → overdue.
    """
    if days_left < 0:
        return "overdue"
    if days_left <= rules.warning_days:
        return "warn"
    return "ok"


def evaluate_guarantee(case: CaseFacts, rules: Rules) -> Guarantee:
    """Whether and how the guarantee applies to a case (independent of today)."""
    # No guarantee (and no free choice) for anonymous treatment under SEL § 101a:
    # 000 § 1.4.2, 004 "Behandlingsgaranti". Exempt even if a site lists SEL101a.
    if case.paragraph == ANONYMOUS_PARAGRAPH:
        return Guarantee(case.case_id, "exempt", None, exempt_reason="anonymous")
    # Which paragraphs carry the guarantee is a site setting (SEL 101, SUL 142; SUL 141 for
    # alcohol in 004).
    if case.paragraph not in rules.guarantee_paragraphs:
        return Guarantee(case.case_id, "not_covered", None)
    # The 14 days may be waived when the citizen chooses another provider (frit valg):
    # 000 § 3.2, 004 "Behandlingsgaranti", 003 § 2.6.
    if case.free_choice:
        return Guarantee(case.case_id, "exempt", None, exempt_reason="free_choice")
    deadline = guarantee_deadline(case.contact_date, rules)
    if case.treatment_start is not None:
        return Guarantee(case.case_id, "met", deadline, met_in_time=case.treatment_start <= deadline)
    if case.closed_on is not None:
        return Guarantee(case.case_id, "closed", deadline)
    return Guarantee(case.case_id, "open", deadline)


# --- follow-ups and plan reviews -----------------------------------------------------------


@lru_cache(maxsize=65536)
def add_months(day: date, months: int) -> date:
    """Calendar months by relativedelta: 31 January + 1 month is 28/29 February (DESIGN §5).

    Cached: relativedelta is slow (~15 µs) and many cases share a date.
    """
    return day + relativedelta(months=months)



def follow_up_status(due: date, today: date, rules: Rules) -> FollowUpStatus:
    """overdue when past, due within the warning window (0..warning_days days), else upcoming."""
    days = (due - today).days
    if days < 0:
        return "overdue"
    if days <= rules.warning_days:
        return "due"
    return "upcoming"


def follow_up_schedule(case: CaseFacts, rules: Rules) -> list[tuple[int, date]]:
    """(months, due) for each follow-up after discharge; empty when none is called for.

    After discharge as færdigbehandlet, andet tilbud, hospital or anden årsag: at the latest
    1 and 6 months after (000 § 4.1, 001 § 2.3, 002 § 10, 003 § 2.6); Odsherred 1 and 3
    months (004 "Monitorering af indsatsen"): rules.follow_up_months. Not after udeblevet
    or eget ønske (not in rules.follow_up_statuses). Month arithmetic by relativedelta:
    31 January + 1 month is 28/29 February (DESIGN §5).
    """
    if case.closed_on is None or case.closing_status not in rules.follow_up_statuses:
        return []
    return [(m, add_months(case.closed_on, m)) for m in rules.follow_up_months]


def follow_ups_for_case(case: CaseFacts, rules: Rules, today: date) -> list[FollowUp]:
    """Every follow-up of a discharged case with its status at `today` (no filtering)."""
    return [
        FollowUp(case.case_id, case.citizen_id, due, months, follow_up_status(due, today, rules))
        for months, due in follow_up_schedule(case, rules)
    ]


def plan_review_due(case: CaseFacts, rules: Rules) -> date | None:
    """When the treatment plan is next to be evaluated; None unless treatment is running.

    At least every 6 months (001 § 2.2 "hvert halve år", 003 § 2.3 "minimum hvert halve
    år"): rules.plan_review_months after the last review, or after the start when the plan
    has not been reviewed since (a review dated before the start counts from the start).
    """
    if case.treatment_start is None or case.closed_on is not None:
        return None
    last = case.treatment_start
    if case.plan_reviewed_on is not None and case.plan_reviewed_on > last:
        last = case.plan_reviewed_on
    return add_months(last, rules.plan_review_months)


# --- opening hours, cached ------------------------------------------------------------------


class _HoursLookup:
    """Per-call memo over SiteHours: each (department, day) is evaluated once."""

    def __init__(self, site_hours: SiteHours) -> None:
        self._departments: dict[str, DepartmentHours] = site_hours.departments
        self._last_open: dict[tuple[str, date], date | None] = {}
        self._open_on: dict[tuple[str, date], bool] = {}
        self._intervals: dict[tuple[str, date], list[tuple[datetime, datetime]]] = {}

    def known(self, department: str) -> bool:
        return department in self._departments

    def last_open_day(self, department: str, day: date) -> date | None:
        """DepartmentHours.last_open_day, walked over the per-day cache below.

        Same answer and look-back (NEXT_OPENING_HORIZON_DAYS); deadlines on neighbouring days
        share the days they walk back over, so each (department, day) is evaluated once.
        """
        key = (department, day)
        try:
            return self._last_open[key]
        except KeyError:
            pass
        value: date | None = None
        for back in range(NEXT_OPENING_HORIZON_DAYS + 1):
            candidate = day - timedelta(days=back)
            if self.is_open_on(department, candidate):
                value = candidate
                break
        self._last_open[key] = value
        return value

    def is_open_on(self, department: str, day: date) -> bool:
        key = (department, day)
        try:
            return self._open_on[key]
        except KeyError:
            value = self._departments[department].is_open_on(day)
            self._open_on[key] = value
            return value

    def is_open_at(self, department: str, moment: datetime) -> bool:
        """Same answer as DepartmentHours.state_at(moment).open_now, cached per day."""
        key = (department, moment.date())
        intervals = self._intervals.get(key)
        if intervals is None:
            intervals = [
                (i.start, i.end) for i in self._departments[department].intervals_on(moment.date())
            ]
            self._intervals[key] = intervals
        return any(start <= moment < end for start, end in intervals)


def _local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=TIMEZONE)
    return moment.astimezone(TIMEZONE)


@dataclass(frozen=True, slots=True)
class _Booked:
    """A visitation or doctor's appointment, in Copenhagen time."""

    moment: datetime
    day: date
    department: str


def _booked_by_citizen(appointments: Iterable[AppointmentFacts]) -> dict[str, list[_Booked]]:
    kinds: dict[str, bool] = {}  # normalise each distinct spelling once
    booked: dict[str, list[_Booked]] = defaultdict(list)
    for appointment in appointments:
        relevant = kinds.get(appointment.kind)
        if relevant is None:
            relevant = kinds[appointment.kind] = (
                normalise_key(appointment.kind) in GUARANTEE_APPOINTMENT_KINDS
            )
        if relevant:
            moment = _local(appointment.starts_at)
            booked[appointment.citizen_id].append(_Booked(moment, moment.date(), appointment.department))
    return booked


def _request_flags(
    case: CaseFacts,
    deadline: date,
    last_open_day: date | None,
    booked: Iterable[_Booked],
    hours: _HoursLookup,
) -> tuple[str, ...]:
    known = hours.known(case.department)
    # The deadline itself falls on a day the department is closed (DESIGN §1).
    closed_on_deadline = known and not hours.is_open_on(case.department, deadline)
    no_open_day = known and last_open_day is None
    any_booked = after_deadline = outside_hours = unknown_place = False
    for appointment in booked:
        if appointment.day < case.contact_date:
            continue  # belongs to an earlier course
        any_booked = True
        # Visitation and doctor's talk lie within the 14 days (003 § 2.2): one booked after
        # the deadline is an error worth showing (DESIGN §1).
        if appointment.day > deadline:
            after_deadline = True
        if not hours.known(appointment.department):
            unknown_place = True
        elif not hours.is_open_at(appointment.department, appointment.moment):
            outside_hours = True
    present = (
        closed_on_deadline,
        no_open_day,
        not known,
        not any_booked,
        after_deadline,
        outside_hours,
        unknown_place,
    )
    return tuple(flag for flag, on in zip(FLAGS, present) if on)


# --- the overview ---------------------------------------------------------------------------


def deadline_overview(
    cases: Iterable[CaseFacts],
    appointments: Iterable[AppointmentFacts],
    site: Site,
    site_hours: SiteHours,
    today: date,
    *,
    ahead_days: int = AHEAD_DAYS,
    follow_up_overdue_months: int = FOLLOW_UP_OVERDUE_MONTHS,
) -> Overview:
    """Everything the Frister screen shows, as of `today`.

    - requests: open requests under the guarantee (not started, not closed, not exempt),
      sorted by days left, then contact date, then case id;
    - exempt: waiting requests (not started, not closed) that are exempt, with the reason,
      sorted by contact date and case id; started or closed exempt cases are not listed;
    - follow_ups: follow-ups after discharge due within `ahead_days` or overdue by at most
      `follow_up_overdue_months` months, sorted by due date, case id, months;
    - plan_reviews: running treatments whose plan review is due within `ahead_days` or
      overdue, sorted by due date and case id.
    """
    rules = site.rules
    hours = _HoursLookup(site_hours)
    horizon = today + timedelta(days=ahead_days)
    oldest_follow_up = today - relativedelta(months=follow_up_overdue_months)

    by_citizen = _booked_by_citizen(appointments)

    requests: list[tuple[int, date, str, RequestDeadline]] = []
    exempt: list[tuple[date, str, ExemptCase]] = []
    follow_ups: list[FollowUp] = []
    plan_reviews: list[PlanReview] = []

    for case in cases:
        if case.closed_on is not None:
            for months, due in follow_up_schedule(case, rules):
                if oldest_follow_up <= due <= horizon:
                    status = follow_up_status(due, today, rules)
                    follow_ups.append(FollowUp(case.case_id, case.citizen_id, due, months, status))
            continue
        if case.treatment_start is not None:
            due = plan_review_due(case, rules)
            if due is not None and due <= horizon:
                status = countdown_status((due - today).days, rules)
                plan_reviews.append(PlanReview(case.case_id, case.citizen_id, due, status))
            continue
        # Waiting: neither started nor closed.
        guarantee = evaluate_guarantee(case, rules)
        if guarantee.state == "exempt":
            assert guarantee.exempt_reason is not None
            exempt.append(
                (case.contact_date, case.case_id,
                 ExemptCase(case.case_id, case.citizen_id, guarantee.exempt_reason))
            )
            continue
        if guarantee.state != "open":
            continue  # not_covered
        deadline = guarantee.deadline
        assert deadline is not None
        days_left = (deadline - today).days
        status = countdown_status(days_left, rules)
        # Show beside the deadline the last day the department is open on or before it (DESIGN §1).
        last_open = (
            hours.last_open_day(case.department, deadline) if hours.known(case.department) else None
        )
        flags = _request_flags(case, deadline, last_open, by_citizen.get(case.citizen_id, ()), hours)
        row = RequestDeadline(
            case.case_id, case.citizen_id, case.department, case.paragraph, case.contact_date,
            deadline, days_left, status, last_open, flags,
        )
        requests.append((days_left, case.contact_date, case.case_id, row))

    requests.sort(key=lambda item: item[:3])
    exempt.sort(key=lambda item: item[:2])
    follow_ups.sort(key=lambda f: (f.due, f.case_id, f.months))
    plan_reviews.sort(key=lambda p: (p.due, p.case_id))
    return Overview(
        as_of=today,
        requests=tuple(item[3] for item in requests),
        exempt=tuple(item[2] for item in exempt),
        follow_ups=tuple(follow_ups),
        plan_reviews=tuple(plan_reviews),
    )
