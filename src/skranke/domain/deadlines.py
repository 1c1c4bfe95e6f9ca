"""Deadlines: the 14-day treatment guarantee, follow-ups after discharge, plan reviews.

Pure rules on plain values (DESIGN §1 "The 14-day treatment guarantee", "Follow-up and
reviews"): no I/O and no clock; `today` is always passed in. The inputs are the frozen
`CaseFacts` and `AppointmentFacts` below, not ORM rows; the services layer converts.

`deadline_overview()` is what the Frister screen and `skranke deadlines --json` show;
`Overview.to_json_dict()` is the documented JSON contract:

    {"as_of": "YYYY-MM-DD",
     "requests": [{"case_id", "citizen_id", "department", "paragraph", "contact_date",
                   "deadline", "days_left", "status", "status_reason", "last_open_day",
                   "flags": [str]}],
                   (status "awaiting_attendance": the site's clock starts at the first personal
                   attendance and none is recorded; deadline, days_left, last_open_day null)
     "exempt": [{"case_id", "citizen_id", "reason": "anonymous" | "free_choice_may_waive"}],
     "follow_ups": [{"case_id", "citizen_id", "due", "months", "status", "flags": [str]}],
     "plan_reviews": [{"case_id", "citizen_id", "due", "status"}],
     "medical_reviews": [{"case_id", "citizen_id", "due", "status"}],
     "complaints": [{"id", "citizen_id", "kind", "received", "deadline", "status"}]}
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from operator import attrgetter, itemgetter
from typing import Any, Final, Literal, NamedTuple
from weakref import WeakKeyDictionary

from dateutil.relativedelta import relativedelta

from skranke.domain.hours import NEXT_OPENING_HORIZON_DAYS, TIMEZONE, DepartmentHours, SiteHours, is_public_holiday
from skranke.domain.site import MedicalReview, Rules, Site, normalise_key
from skranke.domain.vocabulary import ANONYMOUS_PARAGRAPH

CountdownStatus = Literal["ok", "warn", "overdue"]
# awaiting_attendance: the site's clock starts at the first personal attendance (Odsherred, 004
# "De 14 dage regnes fra det tidspunkt, hvor borgeren personligt møder op i teamet") and none
# is recorded: no deadline yet ("afventer personligt fremmøde").
AWAITING_ATTENDANCE: Final = "awaiting_attendance"
RequestStatus = Literal["ok", "warn", "overdue", "awaiting_attendance"]
ComplaintKind = Literal["complaint", "access"]
# answered: recorded as answered; no_deadline: the site's standard gives no answer deadline.
ComplaintStatus = Literal["ok", "warn", "overdue", "answered", "no_deadline"]
FollowUpStatus = Literal["upcoming", "due", "overdue"]
# free_choice_may_waive: the citizen chose another provider, so the deadline *may* be waived
# (000 § 3.2, 002 afsnit 8, 004 "Behandlingsgaranti"): shown apart, not as simply exempt.
ExemptReason = Literal["anonymous", "free_choice_may_waive"]
# Why a request has its status (the screen turns it into a sentence):
# deadline_passed        the calendar deadline is behind us (overdue)
# last_open_day_passed   the deadline is today or later, but the department's last open day
#                        on or before it is behind us (overdue: nothing can start in time)
# last_open_day_today    the last open day is today (warn: the last chance)
# last_open_day_soon     the last open day is within the site's warning days (warn)
# deadline_soon          no last open day is known; the deadline is within the warning days
# in_time                otherwise (ok)
StatusReason = Literal[
    "deadline_passed",
    "last_open_day_passed",
    "last_open_day_today",
    "last_open_day_soon",
    "deadline_soon",
    "in_time",
    "awaiting_attendance",
]
GuaranteeState = Literal["open", "met", "closed", "exempt", "not_covered", "awaiting_attendance"]

# Flags on an open request: stable machine ids (the UI and the JSON show them), in this order.
FLAG_LAST_OPEN_DAY_PASSED = "last_open_day_passed"
FLAG_OFFER_OTHER_PROVIDER = "offer_other_provider"
FLAG_DEADLINE_ON_CLOSED_DAY = "deadline_on_closed_day"
FLAG_NO_OPEN_DAY = "no_open_day_before_deadline"
FLAG_HOURS_UNKNOWN = "hours_unknown"
FLAG_UNKNOWN_DEPARTMENT = "unknown_department"
FLAG_NO_APPOINTMENT = "no_appointment"
FLAG_APPOINTMENT_AFTER_DEADLINE = "appointment_after_deadline"
FLAG_APPOINTMENT_OUTSIDE_HOURS = "appointment_outside_hours"
FLAG_APPOINTMENT_UNKNOWN_DEPARTMENT = "appointment_unknown_department"
FLAG_FREE_CHOICE_NOT_FOR_HEROIN = "free_choice_not_for_heroin"
FLAGS: tuple[str, ...] = (
    FLAG_LAST_OPEN_DAY_PASSED,
    FLAG_OFFER_OTHER_PROVIDER,
    FLAG_DEADLINE_ON_CLOSED_DAY,
    FLAG_NO_OPEN_DAY,
    FLAG_HOURS_UNKNOWN,
    FLAG_UNKNOWN_DEPARTMENT,
    FLAG_NO_APPOINTMENT,
    FLAG_APPOINTMENT_AFTER_DEADLINE,
    FLAG_APPOINTMENT_OUTSIDE_HOURS,
    FLAG_APPOINTMENT_UNKNOWN_DEPARTMENT,
    FLAG_FREE_CHOICE_NOT_FOR_HEROIN,
)

# Flag on a follow-up: the site asks for consent (Gladsaxe, 003 § 2.7) and the export did not
# say whether the citizen gave it. Gladsaxe's follow-up is opt-in, so such a follow-up is not
# listed as due (see follow_up_schedule); the flag stays for sites that list it anyway.
FLAG_CONSENT_UNKNOWN = "consent_unknown"

# Which follow-ups and plan reviews the overview lists (a display choice, not a seed rule):
# those due within AHEAD_DAYS from today, and those overdue. An overdue follow-up drops off
# once it is more than FOLLOW_UP_OVERDUE_MONTHS past due (nothing records a follow-up as
# done, so without a limit every discharge would stay on the list for ever); an overdue plan
# review stays until the plan is reviewed (the treatment is still running).
AHEAD_DAYS = 30
FOLLOW_UP_OVERDUE_MONTHS = 3


# --- inputs ------------------------------------------------------------------------------

# Every per-case record, in and out, is a NamedTuple: immutable as a frozen dataclass, but built
# in a fifth of the time, and the Frister view builds one or two per case it lists (tens of
# thousands at a large clinic). Guarantee and Overview, one per answer, stay dataclasses.


class CaseFacts(NamedTuple):
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
    follow_up_consent: bool | None = None  # samtykke_opfoelgning; None: the export did not say
    plan_interval_months: int | None = None  # plan_interval_mdr: agreed in the plan; None: the site's
    medical_reviewed_on: date | None = None  # laege_gennemgang: the last medical review
    personal_attendance_on: date | None = None  # personligt_fremmoede: the first personal attendance
    partner: str | None = None  # samarbejde: the course is shared with a partner (e.g. Vista Balboa)


class ComplaintFacts(NamedTuple):
    """A complaint or a request for access to records, as registered at the desk."""

    complaint_id: int
    citizen_id: str
    kind: ComplaintKind
    received_on: date
    answered_on: date | None = None


class AppointmentFacts(NamedTuple):
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
    met_in_time), "closed" (closed without a start), "exempt" (exempt_reason says why),
    "not_covered" (the paragraph is not in the site's guarantee_paragraphs) or
    "awaiting_attendance" (the site's clock starts at the first personal attendance, and the
    citizen has not yet come in person: no deadline yet, 004 "Behandlingsgaranti").
    """

    case_id: str
    state: GuaranteeState
    deadline: date | None  # None when exempt, not covered or awaiting the personal attendance
    exempt_reason: ExemptReason | None = None
    met_in_time: bool | None = None  # only for "met"


class RequestDeadline(NamedTuple):
    case_id: str
    citizen_id: str
    department: str
    paragraph: str
    contact_date: date
    deadline: date | None  # None only while awaiting the first personal attendance
    days_left: int | None  # calendar days to the legal deadline
    status: RequestStatus  # counted to the last open day when known (request_status)
    status_reason: StatusReason
    # None: the department is unknown, its hours are unknown (flag hours_unknown), or it is
    # closed for the whole look-back (flag no_open_day_before_deadline).
    last_open_day: date | None
    flags: tuple[str, ...]

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "citizen_id": self.citizen_id,
            "department": self.department,
            "paragraph": self.paragraph,
            "contact_date": self.contact_date.isoformat(),
            "deadline": _iso(self.deadline),
            "days_left": self.days_left,
            "status": self.status,
            "status_reason": self.status_reason,
            "last_open_day": _iso(self.last_open_day),
            "flags": list(self.flags),
        }


class ExemptCase(NamedTuple):
    case_id: str
    citizen_id: str
    reason: ExemptReason

    def to_json_dict(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "citizen_id": self.citizen_id, "reason": self.reason}


class FollowUp(NamedTuple):
    case_id: str
    citizen_id: str
    due: date
    months: int  # which follow-up: months after closing
    status: FollowUpStatus
    flags: tuple[str, ...] = ()  # consent_unknown

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "citizen_id": self.citizen_id,
            "due": self.due.isoformat(),
            "months": self.months,
            "status": self.status,
            "flags": list(self.flags),
        }


class PlanReview(NamedTuple):
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


class ComplaintDeadline(NamedTuple):
    complaint_id: int
    citizen_id: str
    kind: ComplaintKind
    received: date
    deadline: date | None  # None: the site's standard gives none
    status: ComplaintStatus

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "id": self.complaint_id,
            "citizen_id": self.citizen_id,
            "kind": self.kind,
            "received": self.received.isoformat(),
            "deadline": _iso(self.deadline),
            "status": self.status,
        }


@dataclass(frozen=True, slots=True)
class Overview:
    as_of: date
    requests: tuple[RequestDeadline, ...]
    exempt: tuple[ExemptCase, ...]
    follow_ups: tuple[FollowUp, ...]
    plan_reviews: tuple[PlanReview, ...]
    # Items as plan reviews: due counted from the last medical review (rules.medical_reviews).
    medical_reviews: tuple[PlanReview, ...] = ()
    complaints: tuple[ComplaintDeadline, ...] = ()

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "requests": [r.to_json_dict() for r in self.requests],
            "exempt": [e.to_json_dict() for e in self.exempt],
            "follow_ups": [f.to_json_dict() for f in self.follow_ups],
            "plan_reviews": [p.to_json_dict() for p in self.plan_reviews],
            "medical_reviews": [m.to_json_dict() for m in self.medical_reviews],
            "complaints": [c.to_json_dict() for c in self.complaints],
        }


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


# --- the guarantee -----------------------------------------------------------------------


def guarantee_deadline(contact_date: date, rules: Rules) -> date:
    """Day 14: calendar days from the request, never moved off a weekend or holiday.

    000 § 1.4.0 and § 3.2, 001 § 2.2, 002 afsnit 6, 003 § 2.3, 004 "Behandlingsgaranti":
    "senest 14 dage efter"; no seed moves the day (DESIGN §1).
    """
    return contact_date + timedelta(days=rules.guarantee_days)


def request_status(
    deadline: date, last_open_day: date | None, today: date, rules: Rules
) -> tuple[CountdownStatus, StatusReason]:
    """ok / warn / overdue of a waiting request, counted to the department's last open day.

    What the desk can still do ends when the department last opens on or before the deadline
    (DESIGN §1): overdue when the deadline has passed or that day is before today; warn when it
    is within the site's warning days (today counts: the last chance is today); else ok. With
    no known last open day (hours not given, unknown department) the calendar deadline counts.
    """
    days_left = (deadline - today).days
    if days_left < 0:
        return "overdue", "deadline_passed"
    if last_open_day is None:
        return ("warn", "deadline_soon") if days_left <= rules.warning_days else ("ok", "in_time")
    open_days_left = (last_open_day - today).days
    if open_days_left < 0:
        return "overdue", "last_open_day_passed"
    if open_days_left == 0:
        return "warn", "last_open_day_today"
    if open_days_left <= rules.warning_days:
        return "warn", "last_open_day_soon"
    return "ok", "in_time"


def countdown_status(days_left: int, rules: Rules) -> CountdownStatus:
    """ok / warn / overdue: overdue below 0, warn from rules.warning_days down to 0.

    With warning_days=3: 4 → ok, 3 → warn, 0 → warn (the last day), -1 → overdue.
    """
    if days_left < 0:
        return "overdue"
    if days_left <= rules.warning_days:
        return "warn"
    return "ok"


def _exemption(case: CaseFacts, rules: Rules) -> ExemptReason | Literal["not_covered"] | None:
    """Why the guarantee does not apply to a case, or None when it does."""
    # No guarantee (and no free choice) for anonymous treatment under SEL § 101a:
    # 000 § 1.4.2, 004 "Behandlingsgaranti". Exempt even if a site lists SEL101a.
    if case.paragraph == ANONYMOUS_PARAGRAPH:
        return "anonymous"
    # Which paragraphs carry the guarantee is a site setting: SEL § 101 (000 § 1.4.0, 003),
    # SUL § 142 (000 § 1.4.1), SUL § 141 for alcohol (004 "Behandlingsgaranti").
    if case.paragraph not in rules.guarantee_paragraphs:
        return "not_covered"
    # The 14 days may be waived when the citizen chooses another provider (frit valg):
    # 000 § 3.2 ("fristen på de 14 dage dog fraviges"), 002 afsnit 8, 004 "Behandlingsgaranti";
    # 003 § 2.6 (free choice may mean waiting more than 14 days). Not for heroin treatment:
    # SUL § 142 stk. 7 (quoted in 004) gives no free choice of diacetylmorfin treatment.
    if case.free_choice and not heroin_case(case, rules):
        return "free_choice_may_waive"
    return None


def heroin_case(case: CaseFacts, rules: Rules) -> bool:
    """Treatment with diacetylmorfin, told by the department (the export has no preparation
    per case): rules.heroin_departments, e.g. Odense's heroinklinikken."""
    return case.department in rules.heroin_departments


def evaluate_guarantee(case: CaseFacts, rules: Rules) -> Guarantee:
    """Whether and how the guarantee applies to a case (independent of today).

    A started case is met (in time when treatment_start <= deadline); a case closed without
    a start is "closed"; neither is an open request.
    """
    exemption = _exemption(case, rules)
    if exemption == "not_covered":
        return Guarantee(case.case_id, "not_covered", None)
    if exemption is not None:
        return Guarantee(case.case_id, "exempt", None, exempt_reason=exemption)
    start = clock_start(case, rules)
    if case.treatment_start is not None:
        # A start is itself a personal attendance: where the clock waits for one and none was
        # recorded, the clock started no later than the treatment did.
        deadline = guarantee_deadline(start or case.treatment_start, rules)
        in_time = case.treatment_start <= deadline
        return Guarantee(case.case_id, "met", deadline, met_in_time=in_time)
    if start is None:
        return Guarantee(case.case_id, "awaiting_attendance", None)
    deadline = guarantee_deadline(start, rules)
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

    When: rules.follow_up_months after closing; 1 and 6 months (000 § 4.1, 002 § 10, 003 § 2.7),
    Odsherred 1 and 3 months (004 "Monitorering af indsatsen"). After which closing statuses:
    rules.follow_up_statuses. Only 002 § 10 and 004 name the four statuses færdigbehandlet,
    andet tilbud, hospital, anden årsag; Odense follows up every discharge (000 § 4.1 sets no
    status condition); Gladsaxe a planned ending (003 § 2.7 "forudsætter, at dit forløb afsluttes
    planmæssigt"). Not for a paragraph outside rules.follow_up_paragraphs (Odsherred: drug
    treatment only). Where the site asks for consent (rules.follow_up_requires_consent, Gladsaxe
    003 § 2.7 "Ved indskrivning i behandlingen kan du give samtykke til ..."), only with consent
    given: opt-in, so an unknown consent is no follow-up due. Month arithmetic by relativedelta:
    31 January + 1 month is 28/29 February (DESIGN §5).
    """
    if case.closed_on is None or case.closing_status not in rules.follow_up_statuses:
        return []
    if case.paragraph not in rules.follow_up_paragraphs:
        return []
    if rules.follow_up_requires_consent and case.follow_up_consent is not True:
        return []
    return [(m, add_months(case.closed_on, m)) for m in rules.follow_up_months]


def follow_up_flags(case: CaseFacts, rules: Rules) -> tuple[str, ...]:
    """consent_unknown where the site asks for consent and the export did not give it."""
    if rules.follow_up_requires_consent and case.follow_up_consent is None:
        return (FLAG_CONSENT_UNKNOWN,)
    return ()


def follow_ups_for_case(case: CaseFacts, rules: Rules, today: date) -> list[FollowUp]:
    """Every follow-up of a discharged case with its status at `today` (no filtering)."""
    flags = follow_up_flags(case, rules)
    return [
        FollowUp(case.case_id, case.citizen_id, due, months, follow_up_status(due, today, rules), flags)
        for months, due in follow_up_schedule(case, rules)
    ]


def plan_review_months(case: CaseFacts, rules: Rules) -> int:
    """The months between plan reviews of a case: the interval agreed in the plan where the
    journal gives one (`plan_interval_mdr`: 004 "evalueres efter den aftalte periode", 000 § 4.1
    "fulgt op efter nærmere fastlagte intervaller tilpasset borgerens forløb"), at most the
    site's longest (Gladsaxe "minimum hver sjette måned", 003 § 3.4); else the site's default."""
    months = case.plan_interval_months
    if months is None or months < 1:
        return rules.plan_review_months
    if rules.plan_review_max_months is not None:
        return min(months, rules.plan_review_max_months)
    return months


def plan_review_due(case: CaseFacts, rules: Rules) -> date | None:
    """When the treatment plan is next to be evaluated; None unless treatment is running.

    `plan_review_months(case, rules)` after the last review, or after the start when the plan
    has not been reviewed since (a review dated before the start counts from the start).
    """
    if case.treatment_start is None or case.closed_on is not None:
        return None
    last = case.treatment_start
    if case.plan_reviewed_on is not None and case.plan_reviewed_on > last:
        last = case.plan_reviewed_on
    return add_months(last, plan_review_months(case, rules))


def medical_review_rule(case: CaseFacts, rules: Rules) -> MedicalReview | None:
    """The site's first medical review rule whose departments, paragraphs or partners hold the
    case."""
    for review in rules.medical_reviews:
        if (
            case.department in review.departments
            or case.paragraph in review.paragraphs
            or (case.partner is not None and case.partner in review.partners)
        ):
            return review
    return None


def medical_review_due(case: CaseFacts, rules: Rules) -> date | None:
    """When a running treatment's next medical review is due (lægelig gennemgang), counted from
    the last one (`laege_gennemgang`) when after the start, else from the start; None when not
    running or no rule of the site covers the case. Gladsaxe: "Ved substitutionsbehandling
    yderligere lægelig gennemgang minimum hver sjette måned" (003 § 3.4); Odense's course with
    Vista Balboa: "lægelig opfølgning hver tredje måned" (000 § 2.1); the heroin clinic:
    "Årligt lægetjek" (001); rules.medical_reviews."""
    if case.treatment_start is None or case.closed_on is not None:
        return None
    review = medical_review_rule(case, rules)
    if review is None:
        return None
    last = case.treatment_start
    if case.medical_reviewed_on is not None and case.medical_reviewed_on > last:
        last = case.medical_reviewed_on
    return add_months(last, review.months)


# --- the clock's start ----------------------------------------------------------------------


def clock_start(case: CaseFacts, rules: Rules) -> date | None:
    """The day the 14 days count from: the request (000 § 8.1, 002 afsnit 6, 003 § 2.3), or where
    the site says so the first personal attendance (Odsherred, 004 "Behandlingsgaranti": "De 14
    dage regnes fra det tidspunkt, hvor borgeren personligt møder op i teamet med et udtrykt ønske
    om behandling"); None while that attendance is not recorded."""
    if rules.clock_start_event == "personal_attendance":
        return case.personal_attendance_on
    return case.contact_date


# --- complaints and access to records ---------------------------------------------------------


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a Danish public holiday (`hours.is_public_holiday`)."""
    return day.weekday() < 5 and not is_public_holiday(day)


def add_working_days(day: date, count: int) -> date:
    """The `count`th working day after `day` (the day received does not count)."""
    while count > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def complaint_deadline(kind: ComplaintKind, received: date, rules: Rules) -> date | None:
    """The last day to answer: a complaint within rules.complaint_answer_days calendar days
    (Odense 000 § 8.1 "senest 4 uger efter at klagen er afleveret/indgivet"; Odsherred 004 "som
    har 4 uger til at genvurdere"); access to records within rules.access_answer_working_days
    working days, weekends and holidays skipped (Gladsaxe 003 § 4.7 "inden for syv arbejdsdage
    efter modtagelsen"). None where the site's standard gives no deadline."""
    if kind == "access":
        days = rules.access_answer_working_days
        return None if days is None else add_working_days(received, days)
    answer_days = rules.complaint_answer_days
    return None if answer_days is None else received + timedelta(days=answer_days)


def complaint_deadlines(complaints: Iterable[ComplaintFacts], rules: Rules, today: date) -> list[ComplaintDeadline]:
    """Each complaint with its deadline and status; unanswered first by deadline (none last),
    then by the day received and id."""
    rows: list[ComplaintDeadline] = []
    for complaint in complaints:
        deadline = complaint_deadline(complaint.kind, complaint.received_on, rules)
        status: ComplaintStatus
        if complaint.answered_on is not None:
            status = "answered"
        elif deadline is None:
            status = "no_deadline"
        else:
            status = countdown_status((deadline - today).days, rules)
        rows.append(
            ComplaintDeadline(
                complaint.complaint_id, complaint.citizen_id, complaint.kind, complaint.received_on, deadline, status
            )
        )
    rows.sort(
        key=lambda c: (c.status == "answered", c.deadline is None, c.deadline or date.max, c.received, c.complaint_id)
    )
    return rows


# --- opening hours, cached ------------------------------------------------------------------


class _HoursLookup:
    """Memo over SiteHours: each (department, day) is evaluated once (see `_hours_lookup`).

    Answers as DepartmentHours does (intervals_on, unknown_on, last_open_day,
    state_at(...).open_now), from one cached intervals_on per department and day. Hours a
    site writes as `unknown` are never taken as closed: the app must not claim a department
    is open or closed when the site does not know (see data/sites/assens.toml,
    odsherred.toml).
    """

    def __init__(self, site_hours: SiteHours) -> None:
        self._departments: dict[str, DepartmentHours] = site_hours.departments
        self._intervals: dict[tuple[str, date], tuple[tuple[datetime, datetime], ...]] = {}
        self._unknown: dict[tuple[str, date], bool] = {}
        self._last_open: dict[tuple[str, date], tuple[date | None, bool]] = {}

    def size(self) -> int:
        return len(self._intervals) + len(self._unknown) + len(self._last_open)

    def known(self, department: str) -> bool:
        return department in self._departments

    def _evaluate(self, key: tuple[str, date]) -> None:
        found, unknown = self._departments[key[0]].day_hours(key[1])
        self._intervals[key] = tuple((i.start, i.end) for i in found)
        self._unknown[key] = unknown

    def intervals(self, department: str, day: date) -> tuple[tuple[datetime, datetime], ...]:
        key = (department, day)
        value = self._intervals.get(key)
        if value is None:
            self._evaluate(key)
            value = self._intervals[key]
        return value

    def unknown_on(self, department: str, day: date) -> bool:
        key = (department, day)
        value = self._unknown.get(key)
        if value is None:
            self._evaluate(key)
            value = self._unknown[key]
        return value

    def closed_on(self, department: str, day: date) -> bool:
        """Known to be closed all day: no open interval and no unknown hours."""
        return not self.intervals(department, day) and not self.unknown_on(department, day)

    def last_open_day(self, department: str, day: date) -> tuple[date | None, bool]:
        """(last open day on or before `day`, whether unknown hours stopped the search).

        As DepartmentHours.last_open_day, with the same look-back (NEXT_OPENING_HORIZON_DAYS),
        except that a day with unknown hours ends the walk: (None, True). Walked over the
        per-day cache, so deadlines on neighbouring days share the days they walk back over.
        """
        key = (department, day)
        cached = self._last_open.get(key)
        if cached is not None:
            return cached
        value: tuple[date | None, bool] = (None, False)
        for back in range(NEXT_OPENING_HORIZON_DAYS + 1):
            candidate = day - timedelta(days=back)
            if self.intervals(department, candidate):
                value = (candidate, False)
                break
            if self.unknown_on(department, candidate):
                value = (None, True)
                break
        self._last_open[key] = value
        return value

    def closed_at(self, department: str, moment: datetime) -> bool:
        """Known to be closed at `moment` (Copenhagen time): as
        DepartmentHours.state_at(moment).open_now is False on days without unknown hours.

        On a day with unknown hours anywhere, a moment outside the open intervals is not
        called closed (state_at would say, but it is slow on such rules: it scans far ahead
        for the next change).
        """
        day = moment.date()
        for start, end in self.intervals(department, day):
            if start <= moment < end:
                return False
        return not self.unknown_on(department, day)


# One memo per SiteHours (built once per site and never changed), kept between overviews: the
# Frister screen reloads on every visit and asks the same days again. Emptied past a size no
# real day's questions reach, so a long-running desk does not grow it for ever.
_LOOKUPS: WeakKeyDictionary[SiteHours, _HoursLookup] = WeakKeyDictionary()
_LOOKUP_MAX_DAYS = 100_000


def _hours_lookup(site_hours: SiteHours) -> _HoursLookup:
    lookup = _LOOKUPS.get(site_hours)
    if lookup is None or lookup.size() > _LOOKUP_MAX_DAYS:
        lookup = _LOOKUPS[site_hours] = _HoursLookup(site_hours)
    return lookup


def _local(moment: datetime) -> datetime:
    """Copenhagen wall time; a naive moment is read as Copenhagen time (as skranke.clock does)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=TIMEZONE)
    if moment.tzinfo is TIMEZONE:
        return moment
    return moment.astimezone(TIMEZONE)


@dataclass(frozen=True, slots=True)
class _Booked:
    """A visitation or doctor's appointment, in Copenhagen time."""

    moment: datetime
    day: date
    department: str


class _Bookings:
    """Visitation and doctor's appointments per citizen, localised only when first asked for.

    Grouping is one cheap pass; the per-appointment work (kind, time zone) is done only for
    citizens with a waiting request.
    """

    def __init__(self, appointments: Iterable[AppointmentFacts], kinds: frozenset[str]) -> None:
        self._raw: dict[str, list[AppointmentFacts]] = defaultdict(list)
        for appointment in appointments:
            self._raw[appointment.citizen_id].append(appointment)
        self._wanted = kinds  # the site's guarantee kinds, normalised ("laege")
        self._kinds: dict[str, bool] = {}  # each distinct spelling normalised once

    def for_citizen(self, citizen_id: str) -> list[_Booked]:
        raw = self._raw.get(citizen_id)
        if not raw:
            return []
        booked = []
        for appointment in raw:
            relevant = self._kinds.get(appointment.kind)
            if relevant is None:
                relevant = normalise_key(appointment.kind) in self._wanted
                self._kinds[appointment.kind] = relevant
            if relevant:
                moment = _local(appointment.starts_at)
                booked.append(_Booked(moment, moment.date(), appointment.department))
        return booked


def _request_flags(
    case: CaseFacts,
    deadline: date,
    status_reason: StatusReason,
    last_open_day: date | None,
    hours_unknown: bool,
    booked: Iterable[_Booked],
    hours: _HoursLookup,
    rules: Rules,
) -> tuple[str, ...]:
    known = hours.known(case.department)
    overdue = status_reason in ("deadline_passed", "last_open_day_passed")
    # The deadline itself falls on a day the department is closed (DESIGN §1).
    closed_on_deadline = known and hours.closed_on(case.department, deadline)
    no_open_day = known and last_open_day is None and not hours_unknown
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
        elif hours.closed_at(appointment.department, appointment.moment):
            outside_hours = True
    # Gladsaxe offers times outside the opening hours by agreement (003 afsnit 5): no error there.
    if rules.appointments_outside_hours_by_agreement:
        outside_hours = False
    # Where the site names no appointment that must lie within the guarantee (Assens, 002),
    # a missing appointment is nothing to flag.
    needs_appointment = bool(rules.guarantee_appointment_kinds)
    present = (
        status_reason == "last_open_day_passed",
        # The duty to offer another approved provider when the start cannot be kept (000 § 3.2).
        overdue and rules.offer_other_provider_when_overdue,
        closed_on_deadline,
        no_open_day,
        hours_unknown,
        not known,
        needs_appointment and not any_booked,
        after_deadline,
        outside_hours,
        unknown_place,
        case.free_choice and heroin_case(case, rules),
    )
    return tuple(flag for flag, on in zip(FLAGS, present, strict=True) if on)


# --- the overview ---------------------------------------------------------------------------


def _request_state(
    department: str, contact_date: date, hours: _HoursLookup, rules: Rules, today: date
) -> tuple[date, date | None, bool, CountdownStatus, StatusReason]:
    """A waiting request's deadline, the last day its department is open on or before it (shown
    beside the deadline, DESIGN §1), whether the hours are unknown that day, and its status."""
    deadline = guarantee_deadline(contact_date, rules)
    last_open, hours_unknown = hours.last_open_day(department, deadline) if hours.known(department) else (None, False)
    state, reason = request_status(deadline, last_open, today, rules)
    return deadline, last_open, hours_unknown, state, reason


def request_status_counts(
    waiting: Iterable[tuple[str, bool, str, date, date | None, int]], site: Site, site_hours: SiteHours, today: date
) -> dict[RequestStatus, int]:
    """How many open requests are ok, warn, overdue and awaiting attendance, from waiting cases
    counted by (paragraph, free choice, department, contact date, first personal attendance): all
    a request's status reads, so that the database may count instead of listing ("I dag" at a
    large clinic). The same status as `deadline_overview` gives each request."""
    rules = site.rules
    hours = _hours_lookup(site_hours)
    counts: dict[RequestStatus, int] = {"ok": 0, "warn": 0, "overdue": 0, AWAITING_ATTENDANCE: 0}
    for paragraph, free_choice, department, contact_date, attended_on, count in waiting:
        if waiting_tab(paragraph, free_choice, department, rules) == "requests":
            case = CaseFacts("", "", department, paragraph, contact_date, personal_attendance_on=attended_on)
            start = clock_start(case, rules)
            if start is None:
                counts[AWAITING_ATTENDANCE] += count
            else:
                counts[_request_state(department, start, hours, rules, today)[3]] += count
    return counts


def _sort_by(rows: list[Any], *fields_last_first: str) -> None:
    """Sort in place by the fields, most significant last (see the end of deadline_overview)."""
    for field in fields_last_first:
        rows.sort(key=attrgetter(field))


def deadline_overview(
    cases: Iterable[CaseFacts],
    appointments: Iterable[AppointmentFacts],
    site: Site,
    site_hours: SiteHours,
    today: date,
    *,
    ahead_days: int = AHEAD_DAYS,
    follow_up_overdue_months: int = FOLLOW_UP_OVERDUE_MONTHS,
    complaints: Iterable[ComplaintFacts] = (),
) -> Overview:
    """Everything the Frister screen shows, as of `today`.

    - requests: open requests under the guarantee (not started, not closed, not exempt),
      sorted by days left, then contact date, then case id;
    - exempt: waiting requests (not started, not closed) that are exempt, with the reason,
      sorted by contact date and case id; started or closed exempt cases are not listed;
    - follow_ups: follow-ups after discharge due within `ahead_days` or overdue by at most
      `follow_up_overdue_months` months, sorted by due date, case id, months;
    - plan_reviews: running treatments whose plan review is due within `ahead_days` or
      overdue, sorted by due date and case id; medical_reviews likewise, by the site's
      medical review rules;
    - complaints: the unanswered complaints and access requests given, by deadline (none last).

    A request at a site whose clock starts at the first personal attendance, with none
    recorded, is listed with status "awaiting_attendance" and no deadline, after the others.
    """
    rules = site.rules
    hours = _hours_lookup(site_hours)
    horizon = today + timedelta(days=ahead_days)
    oldest_follow_up = today - relativedelta(months=follow_up_overdue_months)

    bookings = _Bookings(appointments, rules.appointment_kind_keys)

    requests: list[RequestDeadline] = []
    exempt: list[tuple[date, str, ExemptCase]] = []
    follow_ups: list[FollowUp] = []
    plan_reviews: list[PlanReview] = []
    medical_reviews: list[PlanReview] = []
    review_status_by_due: dict[date, CountdownStatus] = {}

    def review_status(due: date) -> CountdownStatus:
        status = review_status_by_due.get(due)
        if status is None:  # the same status for every review due that day
            status = review_status_by_due[due] = countdown_status((due - today).days, rules)
        return status

    for case in cases:
        if case.closed_on is not None:
            for months, due in follow_up_schedule(case, rules):
                if oldest_follow_up <= due <= horizon:
                    status = follow_up_status(due, today, rules)
                    flags = follow_up_flags(case, rules)
                    follow_ups.append(FollowUp(case.case_id, case.citizen_id, due, months, status, flags))
            continue
        if case.treatment_start is not None:
            review_due = plan_review_due(case, rules)
            if review_due is not None and review_due <= horizon:
                plan_reviews.append(PlanReview(case.case_id, case.citizen_id, review_due, review_status(review_due)))
            if rules.medical_reviews:
                medical_due = medical_review_due(case, rules)
                if medical_due is not None and medical_due <= horizon:
                    medical_reviews.append(
                        PlanReview(case.case_id, case.citizen_id, medical_due, review_status(medical_due))
                    )
            continue
        # Waiting: neither started nor closed.
        exemption = _exemption(case, rules)
        if exemption is not None:
            if exemption != "not_covered":
                row = ExemptCase(case.case_id, case.citizen_id, exemption)
                exempt.append((case.contact_date, case.case_id, row))
            continue
        start = clock_start(case, rules)
        if start is None:
            requests.append(
                RequestDeadline(
                    case.case_id,
                    case.citizen_id,
                    case.department,
                    case.paragraph,
                    case.contact_date,
                    None,
                    None,
                    AWAITING_ATTENDANCE,
                    AWAITING_ATTENDANCE,
                    None,
                    (),
                )
            )
            continue
        deadline, last_open, hours_unknown, request_state, reason = _request_state(
            case.department, start, hours, rules, today
        )
        days_left = (deadline - today).days
        booked = bookings.for_citizen(case.citizen_id)
        flags = _request_flags(case, deadline, reason, last_open, hours_unknown, booked, hours, rules)
        requests.append(
            RequestDeadline(
                case.case_id,
                case.citizen_id,
                case.department,
                case.paragraph,
                case.contact_date,
                deadline,
                days_left,
                request_state,
                reason,
                last_open,
                flags,
            )
        )

    # Sorted by each key in turn, the last key first: a stable sort then orders by the whole
    # key (as one sort by a tuple would), and one-field keys compare in half the time.
    _sort_by(requests, "case_id", "contact_date")
    requests.sort(key=_days_left_none_last)
    exempt.sort(key=itemgetter(1))
    exempt.sort(key=itemgetter(0))
    _sort_by(follow_ups, "months", "case_id", "due")
    _sort_by(plan_reviews, "case_id", "due")
    _sort_by(medical_reviews, "case_id", "due")
    open_complaints = [c for c in complaints if c.answered_on is None]
    return Overview(
        as_of=today,
        requests=tuple(requests),
        exempt=tuple(item[2] for item in exempt),
        follow_ups=tuple(follow_ups),
        plan_reviews=tuple(plan_reviews),
        medical_reviews=tuple(medical_reviews),
        complaints=tuple(complaint_deadlines(open_complaints, rules, today)),
    )


def _days_left_none_last(request: RequestDeadline) -> tuple[bool, int]:
    return (request.days_left is None, request.days_left or 0)


# --- which stored cases the overview can list ------------------------------------------------

# Days added outward to every bound below: the bounds are exact for the rules as they stand,
# the margin keeps them a superset should a rule move a date by a few days.
LISTING_MARGIN_DAYS = 7


@dataclass(frozen=True, slots=True)
class ListingBounds:
    """A superset, on the stored columns, of the cases `deadline_overview(today)` can list.

    The database selects by these (cheap, indexed), then `deadline_overview` decides on the
    selected cases exactly as on all of them. Nothing here is a rule of its own: each bound is
    derived from the rules above, and tests compare with the overview of every case.

    - waiting (no start, not closed): every case whose paragraph is in `waiting_paragraphs`
      (an open request, or exempt as anonymous or by free choice; "not_covered" is not listed);
    - running (started, not closed): a plan review is listed when due by the horizon, so the
      day it counts from (`treatment_start`, or a later `plan_reviewed_on`) is on or before
      `reviewed_by` (the site's interval) or `agreed_reviewed_by` (an interval agreed in the
      plan, of at least one month); a medical review likewise from `medical_reviewed_on` by
      `medical_reviewed_by` (None: the site has no medical reviews);
    - closed: follow-ups due between the oldest overdue one and the horizon, so `closed_on`
      lies in `closed_from`..`closed_to` (None: the site schedules none), with a status in
      `follow_up_statuses` and a paragraph in `follow_up_paragraphs`.
    """

    waiting_paragraphs: tuple[str, ...]
    reviewed_by: date
    agreed_reviewed_by: date
    medical_reviewed_by: date | None
    closed_from: date | None
    closed_to: date | None
    follow_up_statuses: tuple[str, ...]
    follow_up_paragraphs: tuple[str, ...]


def last_day_due_by(months: int, latest_due: date) -> date:
    """The last day d with add_months(d, months) <= latest_due (add_months never decreases)."""
    day = add_months(latest_due, -months)
    while add_months(day + timedelta(days=1), months) <= latest_due:
        day += timedelta(days=1)
    while add_months(day, months) > latest_due:
        day -= timedelta(days=1)
    return day


def first_day_due_from(months: int, earliest_due: date) -> date:
    """The first day d with add_months(d, months) >= earliest_due."""
    day = add_months(earliest_due, -months)
    while add_months(day - timedelta(days=1), months) >= earliest_due:
        day -= timedelta(days=1)
    while add_months(day, months) < earliest_due:
        day += timedelta(days=1)
    return day


def listing_bounds(
    rules: Rules,
    today: date,
    *,
    ahead_days: int = AHEAD_DAYS,
    follow_up_overdue_months: int = FOLLOW_UP_OVERDUE_MONTHS,
) -> ListingBounds:
    """The bounds of `ListingBounds` for `deadline_overview(..., today)` with the same windows."""
    margin = timedelta(days=LISTING_MARGIN_DAYS)
    windows = listing_windows(rules, today, ahead_days=ahead_days, follow_up_overdue_months=follow_up_overdue_months)
    waiting = tuple(sorted({ANONYMOUS_PARAGRAPH, *rules.guarantee_paragraphs}))
    reviewed_by = windows.review_counted_from_by + margin
    # Any agreed interval is at least a month (and Gladsaxe's longest is six): a superset.
    agreed_reviewed_by = last_day_due_by(1, windows.horizon) + margin
    medical_reviewed_by = None
    if rules.medical_reviews:
        shortest = min(review.months for review in rules.medical_reviews)
        medical_reviewed_by = last_day_due_by(shortest, windows.horizon) + margin
    closed_from = closed_to = None
    if windows.closed_span is not None and rules.follow_up_statuses and rules.follow_up_paragraphs:
        closed_from, closed_to = windows.closed_span[0] - margin, windows.closed_span[1] + margin
    return ListingBounds(
        waiting_paragraphs=waiting,
        reviewed_by=reviewed_by,
        agreed_reviewed_by=agreed_reviewed_by,
        medical_reviewed_by=medical_reviewed_by,
        closed_from=closed_from,
        closed_to=closed_to,
        follow_up_statuses=tuple(sorted(rules.follow_up_statuses)),
        follow_up_paragraphs=tuple(sorted(rules.follow_up_paragraphs)),
    )


# --- exact windows, for the database to count and page what the overview lists ------------

WaitingTab = Literal["requests", "exempt"]


def waiting_tab(paragraph: str, free_choice: bool, department: str, rules: Rules) -> WaitingTab | None:
    """Where `deadline_overview` lists a waiting case (no start, not closed) of this paragraph,
    free choice and department: "requests", "exempt", or None (not covered: not listed). The
    exemption reads nothing else of a case, so the database may group waiting cases by these."""
    case = CaseFacts("", "", department, paragraph, date.min, free_choice=free_choice)
    exemption = _exemption(case, rules)
    if exemption is None:
        return "requests"
    return None if exemption == "not_covered" else "exempt"


def follows_up(closing_status: str | None, paragraph: str, consent: bool | None, rules: Rules) -> bool:
    """Whether a closed case of this status, paragraph and consent gets the site's follow-ups
    (`follow_up_schedule` reads nothing else of a case but its closing day)."""
    case = CaseFacts("", "", "", paragraph, date.min, None, False, date.min, closing_status, None, consent)
    return bool(follow_up_schedule(case, rules))


@dataclass(frozen=True, slots=True)
class ListingWindows:
    """Exactly which stored cases `deadline_overview(today)` lists, on stored columns (unlike
    `ListingBounds`, no margin: the database counts by these).

    - a running treatment's plan review at the site's interval (no interval agreed) is listed
      iff the day its review counts from (the last review when after the start, else the start:
      `plan_review_due`) is on or before `review_counted_from_by` (add_months never decreases,
      so due <= horizon iff that); at an agreed interval of `m` months iff that day is on or
      before `last_day_due_by(m, horizon)`;
    - a closed case's follow-up after `m` months is listed iff the case follows up
      (`follows_up`) and its closing day lies in `closed_for_months[m]` (first, last), the
      days whose follow-up falls between the oldest overdue one and the horizon.
    """

    review_counted_from_by: date
    closed_for_months: dict[int, tuple[date, date]]
    horizon: date

    @property
    def closed_span(self) -> tuple[date, date] | None:
        """The first and last closing day of any follow-up's window; None: the site has none."""
        if not self.closed_for_months:
            return None
        windows = self.closed_for_months.values()
        return min(first for first, _last in windows), max(last for _first, last in windows)


def listing_windows(
    rules: Rules,
    today: date,
    *,
    ahead_days: int = AHEAD_DAYS,
    follow_up_overdue_months: int = FOLLOW_UP_OVERDUE_MONTHS,
) -> ListingWindows:
    horizon = today + timedelta(days=ahead_days)
    oldest_follow_up = today - relativedelta(months=follow_up_overdue_months)
    return ListingWindows(
        review_counted_from_by=last_day_due_by(rules.plan_review_months, horizon),
        closed_for_months={
            months: (first_day_due_from(months, oldest_follow_up), last_day_due_by(months, horizon))
            for months in sorted(set(rules.follow_up_months))
        },
        horizon=horizon,
    )


def request_for_case(
    case: CaseFacts,
    appointments: Iterable[AppointmentFacts],
    site: Site,
    site_hours: SiteHours,
    today: date,
) -> RequestDeadline | None:
    """One case's open-request row (deadline, last open day, flags), e.g. for the intake form
    or the citizen card; None when the case is not an open request under the guarantee."""
    mine = [a for a in appointments if a.citizen_id == case.citizen_id]
    requests = deadline_overview([case], mine, site, site_hours, today).requests
    return requests[0] if requests else None
