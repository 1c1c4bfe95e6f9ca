"""Medication dispensing: which doses are due on a day, and whether each may be given.

The rules of DESIGN §1 "Medication dispensing", as pure functions over plain frozen data: no
clock (the day and `now` are handed in), no store, no translations (alerts are codes with
parameters; the screens and commands word them). The numbers come from the site file, per
preparation (`PreparationRules`, with their sources).

- **Due**: an order is due on a day within its validity that its pickup rule (an RFC 5545
  RRULE, expanded from `valid_from` with python-dateutil) produces. A supervised twice-daily
  order has two slots, and they belong to the service's opening intervals (001 afsnit 5:
  "fremmøde 1-2 gange dagligt", 08.15-11.30 and 14.30-17.15): dose 1 in the first, dose 2 in
  a later one, never two in one interval. No seed gives a minimum number of minutes, so there
  is none. Without supervision (or when delivered) there is one slot: everything goes home.
- **Supervised at the heroin clinic**: a preparation the site lists (Odense: methadone and
  morphine, 000 § 5.4 "Overvåget indtag af heroin samt metadon eller morfin") is given there
  like heroin (`supervised_only`): no take-home, no delivery.
- **Approval**: where the site asks it (Gladsaxe, delivery: 003 § 3.2.1), medicine that leaves
  the window that way waits for an approval date (`approval_missing`, blocks).
- **Covers**: a pickup covers the days up to the day before the next pickup day, capped by
  the order's last day and the preparation's maximum take-home days (plus the supervised dose
  of the day itself). A pickup day on which the service is closed is covered by the pickup
  before it (alert `closed_day_in_period`); `service_open(d)` None (hours not given) counts as
  open: medicine is never sent home on a guess.
- **Missed days**: the days after the last day covered by a *given* dose and before the day;
  the journal's `last_dispensed_on` counts as a given dose. No history at all: None, never 0.
  At or over the preparation's threshold the dose is held until a doctor releases it for the
  day (optionally with a reduced dose, which also applies to what goes home that day).
- **Recorded**: a non-voided record for the citizen, preparation, day and dose number, under
  any order id. A given dose of an earlier day that covers the day makes the day not due.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from dateutil.rrule import rrule, rrulestr

from skranke.domain.site import PreparationRules

__all__ = [
    "ALERT_CODES",
    "Alert",
    "DoseRecord",
    "DueDose",
    "Order",
    "PreparationRules",
    "Release",
    "away_from_window",
    "covered_days",
    "doses_due",
    "is_daily_rule",
    "journal_covered_until",
    "last_covered_day",
    "missed_days",
    "pickup_days",
    "supervised_only",
    "why_not_due",
]

# Outcomes of a record.
GIVEN, REFUSED, MISSED = "given", "refused", "missed"
OUTCOMES = (GIVEN, REFUSED, MISSED)

# States of a due dose.
DUE, HOLD, BLOCKED = "due", "hold", "blocked"

# Alert codes (DESIGN §3 "skranke queue --json"), with their parameters:
MISSED_DAYS = "missed_days"  # {"days", "threshold", "source"}: 1 or more days without medicine, below a hold
NO_HISTORY = "no_history"  # {}: no dose given in skranke or known to the journal: count unknown
HOLD_REASSESSMENT = "hold_reassessment"  # {"days", "threshold", "source"}: blocks until a doctor releases it
RELEASED = "released"  # {"staff_id", "reason", "dose_mg"}: a doctor lifted the hold for the day
ENDS_SOON = "ends_soon"  # {"days_left", "valid_to"}: renewal due
# {"not_before", "reason"}: dose 2 asked for before its interval. reason "before_interval":
# not before `not_before` (the next interval opens); "one_interval": the service has only one
# interval today; "same_interval": dose 1 was given in this interval (not_before None for both).
INTERVAL_NOT_REACHED = "interval_not_reached"
APPROVAL_MISSING = "approval_missing"  # {"kind"}: delivery/take-home without the committee's approval
FIRST_DOSE_PENDING = "first_dose_pending"  # {}: dose 2 before dose 1 is recorded (blocks)
CLOSED_DAY_IN_PERIOD = "closed_day_in_period"  # {"day", "covered"}: a closed pickup day
NOT_PICKUP_DAY = "not_pickup_day"  # {"day", "next"}: why_not_due
EXPIRED = "expired"  # {"valid_to"}: why_not_due
NOT_YET_VALID = "not_yet_valid"  # {"valid_from"}: why_not_due
TAKE_HOME_NOT_ALLOWED = "take_home_not_allowed"  # {"preparation"}: a supervised-only order unsupervised
ALREADY_COVERED = "already_covered"  # {"until", "service_date"}: why_not_due with history
ALERT_CODES: tuple[str, ...] = (
    MISSED_DAYS,
    NO_HISTORY,
    HOLD_REASSESSMENT,
    RELEASED,
    ENDS_SOON,
    INTERVAL_NOT_REACHED,
    FIRST_DOSE_PENDING,
    CLOSED_DAY_IN_PERIOD,
    NOT_PICKUP_DAY,
    EXPIRED,
    NOT_YET_VALID,
    TAKE_HOME_NOT_ALLOWED,
    ALREADY_COVERED,
    APPROVAL_MISSING,
)

# Where medicine leaves the window (the site's `approval_required_for`).
DELIVERY, TAKE_HOME = "delivery", "take_home"
# Why dose 2 waits (INTERVAL_NOT_REACHED's "reason").
BEFORE_INTERVAL, ONE_INTERVAL, SAME_INTERVAL = "before_interval", "one_interval", "same_interval"

# How far ahead `why_not_due` looks for the next pickup day.
NEXT_PICKUP_HORIZON_DAYS = 366


class Order(NamedTuple):
    """A prescription as the rules see it (a read-only record: a queue builds 1,500 at a time,
    and a NamedTuple is built several times faster than a frozen dataclass)."""

    id: str
    citizen_id: str
    preparation: str
    dose_mg: Decimal
    doses_per_day: int  # 1 or 2
    pickup_rule: str  # RFC 5545 RRULE, e.g. "FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO,TH"
    supervised: bool
    valid_from: date
    valid_to: date | None
    delivery: bool
    last_dispensed_on: date | None  # the journal's last dose given, before skranke's records
    approved_on: date | None = None  # udlevering_godkendt: the visitation committee's approval


class DoseRecord(NamedTuple):
    """A dispensing recorded in skranke (voided ones are passed too, flagged); read-only, as Order."""

    id: int
    prescription_id: str
    preparation: str
    service_date: date
    dose_number: int
    outcome: str  # "given" | "refused" | "missed"
    recorded_at: datetime
    covers_days: int
    voided: bool
    staff_id: str | None


@dataclass(frozen=True)
class Release:
    """A doctor's release of a hold for one day, optionally with a reduced dose."""

    service_date: date
    staff_id: str
    reason: str
    dose_mg: Decimal | None


@dataclass(frozen=True)
class Alert:
    code: str
    params: Mapping[str, object] = field(default_factory=dict)
    blocks: bool = False  # this alert stops the dose being given


@dataclass(frozen=True)
class DueDose:
    order: Order
    dose_number: int
    dose_mg: Decimal  # after a release's reduced dose
    covers_days: int
    take_home_days: int
    take_home_mg: Decimal
    missed_days: int | None  # None: no history at all (unknown, never guessed as 0)
    state: str  # "due" | "hold" | "blocked"
    alerts: tuple[Alert, ...]
    not_before: datetime | None  # dose 2: when its interval opens (None: not today, or hours unknown)

    @property
    def delivery(self) -> bool:
        return self.order.delivery

    def alert(self, code: str) -> Alert | None:
        return next((a for a in self.alerts if a.code == code), None)


# --- pickup rules --------------------------------------------------------------------------


def _rule_parts(rule: str) -> dict[str, str]:
    return dict(_cached_parts(rule))


@lru_cache(maxsize=4096)
def _cached_parts(rule: str) -> tuple[tuple[str, str], ...]:
    text = rule.strip()
    if text[:6].upper() == "RRULE:":
        text = text[6:]
    pairs = (part.split("=", 1) for part in text.upper().strip(";").split(";") if "=" in part)
    return tuple((name, value) for name, value in pairs)


def is_daily_rule(rule: str) -> bool:
    """True when the rule gives every day: FREQ=DAILY, interval 1, no BY… filters (UNTIL,
    COUNT and WKST allowed). Supervised-only preparations (heroin) must have such a rule."""
    parts = _rule_parts(rule)
    if parts.get("FREQ") != "DAILY" or parts.get("INTERVAL", "1") != "1":
        return False
    return not any(name.startswith("BY") for name in parts)


_WEEKDAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
_PLAIN_WEEKDAYS = re.compile(r"(MO|TU|WE|TH|FR|SA|SU)(,(MO|TU|WE|TH|FR|SA|SU))*")


@lru_cache(maxsize=4096)
def _fast_weekdays(rule: str) -> frozenset[int] | None:
    """The weekdays of a rule that is a plain set of weekdays (FREQ=DAILY, or FREQ=WEEKLY with
    BYDAY, interval 1, nothing else), computed without dateutil; None for any other rule."""
    parts = _rule_parts(rule)
    freq = parts.pop("FREQ", None)
    if parts.pop("INTERVAL", "1") != "1":
        return None
    if freq == "DAILY" and not parts:
        return frozenset(range(7))
    if freq == "WEEKLY" and set(parts) == {"BYDAY"} and _PLAIN_WEEKDAYS.fullmatch(parts["BYDAY"]):
        return frozenset(_WEEKDAYS[day] for day in parts["BYDAY"].split(","))
    return None


@lru_cache(maxsize=8192)
def _expanded(rule: str, dtstart: date) -> rrule:
    parsed = rrulestr(rule, dtstart=datetime.combine(dtstart, time()))
    if not isinstance(parsed, rrule):  # the importer accepts one RRULE only
        raise ValueError(f"not a single RRULE: {rule!r}")
    return parsed


@lru_cache(maxsize=4096)
def _period_days(rule: str) -> int | None:
    """The days of one period of a DAILY or WEEKLY rule without COUNT; None for others."""
    parts = _rule_parts(rule)
    period = {"DAILY": 1, "WEEKLY": 7}.get(parts.get("FREQ", ""))
    if period is None or "COUNT" in parts:
        return None
    return period * int(parts.get("INTERVAL", "1"))


def _anchor(rule: str, valid_from: date, start: date) -> date:
    """A dtstart on or before `start` that gives the same days from `start` on as `valid_from`.

    dateutil always iterates from dtstart; moving it forward by whole periods of a DAILY or
    WEEKLY rule (without COUNT) keeps its phase, so a years-old order is not expanded from
    its first day every time.
    """
    period = _period_days(rule)
    if period is None or start <= valid_from:
        return valid_from
    return valid_from + timedelta(days=(start - valid_from).days // period * period)


def pickup_days(order: Order, start: date, end: date) -> list[date]:
    """The days from `start` to `end` (inclusive) that the order's rule gives, within validity."""
    return list(_pickup_days(order, start, end))


def _pickup_days(order: Order, start: date, end: date) -> Iterator[date]:
    """`pickup_days` one at a time: the covers stop at the first open one (most orders are daily)."""
    first = max(start, order.valid_from)
    last = end if order.valid_to is None else min(end, order.valid_to)
    if last < first:
        return
    weekdays = _fast_weekdays(order.pickup_rule)
    if weekdays is not None:
        start_weekday = first.weekday()
        every_day = len(weekdays) == 7
        for n in range((last - first).days + 1):
            if every_day or (start_weekday + n) % 7 in weekdays:
                yield first + timedelta(days=n)
        return
    expanded = _expanded(order.pickup_rule, _anchor(order.pickup_rule, order.valid_from, first))
    found = expanded.between(datetime.combine(first, time()), datetime.combine(last, time()), inc=True)
    yield from (moment.date() for moment in found)


def _is_valid_on(order: Order, day: date) -> bool:
    return order.valid_from <= day and (order.valid_to is None or day <= order.valid_to)


def _is_pickup_day(order: Order, day: date) -> bool:
    if not _is_valid_on(order, day):
        return False
    weekdays = _fast_weekdays(order.pickup_rule)
    if weekdays is not None:
        return day.weekday() in weekdays
    return bool(pickup_days(order, day, day))


def _next_pickup(order: Order, after: date, horizon_days: int) -> date | None:
    """The first pickup day after `after`, within `horizon_days`, or None."""
    step = 7 if _fast_weekdays(order.pickup_rule) is not None else 31
    start = after + timedelta(days=1)
    while (start - after).days <= horizon_days:
        end = min(start + timedelta(days=step - 1), after + timedelta(days=horizon_days))
        found = pickup_days(order, start, end)
        if found:
            return found[0]
        if order.valid_to is not None and end >= order.valid_to:
            return None
        start = end + timedelta(days=1)
    return None


# --- why not due ---------------------------------------------------------------------------


def why_not_due(
    order: Order,
    day: date,
    rules: PreparationRules,
    *,
    history: Sequence[DoseRecord] = (),
    service_open: Callable[[date], bool | None] | None = None,
) -> Alert | None:
    """Why the order has no dose on `day`, for a citizen who shows up: not yet valid, expired,
    not a pickup day, or the day is covered by a dose given earlier (in `history`, or the
    journal's `last_dispensed_on`); None when it is due. Every such alert blocks.
    `service_open` as for `doses_due` (left out: every day counts as open)."""
    _check_rules(order, rules)
    if day < order.valid_from:
        return Alert(NOT_YET_VALID, {"valid_from": order.valid_from}, blocks=True)
    if order.valid_to is not None and day > order.valid_to:
        return Alert(EXPIRED, {"valid_to": order.valid_to}, blocks=True)
    if not _is_pickup_day(order, day):
        upcoming = _next_pickup(order, day, NEXT_PICKUP_HORIZON_DAYS)
        return Alert(NOT_PICKUP_DAY, {"day": day, "next": upcoming}, blocks=True)
    covering = _scan(history, order, day).covering
    if covering is not None:
        until = covering.service_date + timedelta(days=covering.covers_days - 1)
        return Alert(ALREADY_COVERED, {"until": until, "service_date": covering.service_date}, blocks=True)
    journal = journal_covered_until(order, rules, service_open or _unknown_hours)
    if journal is not None and journal >= day:
        return Alert(ALREADY_COVERED, {"until": journal, "service_date": order.last_dispensed_on}, blocks=True)
    return None


def _unknown_hours(_day: date) -> bool | None:
    return None


def _check_rules(order: Order, rules: PreparationRules) -> None:
    if rules.id != order.preparation:
        raise ValueError(f"order {order.id} is {order.preparation!r}, the rules are for {rules.id!r}")


# --- covers --------------------------------------------------------------------------------


def _window_dose(order: Order) -> bool:
    """True when the day's dose is taken at the window under supervision."""
    return order.supervised and not order.delivery


def _coverage(
    order: Order, day: date, rules: PreparationRules, service_open: Callable[[date], bool | None]
) -> tuple[int, tuple[Alert, ...]]:
    """Days covered by a pickup on `day`, and the closed pickup days met on the way."""
    cap = rules.max_take_home_days + (1 if _window_dose(order) else 0)
    if order.valid_to is not None:
        cap = min(cap, (order.valid_to - day).days + 1)
    limit = max(1, cap)
    span = limit
    closed: list[date] = []
    for pickup in _pickup_days(order, day + timedelta(days=1), day + timedelta(days=limit)):
        if service_open(pickup) is False:  # None: hours not given, counted as open
            closed.append(pickup)
            continue
        span = (pickup - day).days
        break
    alerts = tuple(
        Alert(CLOSED_DAY_IN_PERIOD, {"day": closed_day, "covered": (closed_day - day).days < span})
        for closed_day in closed
    )
    return span, alerts


def covered_days(order: Order, day: date, rules: PreparationRules, service_open: Callable[[date], bool | None]) -> int:
    """Days a pickup on `day` covers (DESIGN §1 "Covers"): up to the day before the next pickup
    day on which the service is open, capped by the order's end and the maximum take-home
    days (plus the supervised dose of the day). At least 1."""
    _check_rules(order, rules)
    return _coverage(order, day, rules, service_open)[0]


# --- missed days ---------------------------------------------------------------------------


@dataclass
class _Scan:
    """What the rules need from a citizen's records of one preparation, up to a day."""

    recorded_today: dict[int, DoseRecord] = field(default_factory=dict)  # dose number -> record
    last_covered: date | None = None  # the last day a given dose covers
    covering: DoseRecord | None = None  # a given dose of an earlier day that covers the day


def _scan(history: Sequence[DoseRecord], order: Order, day: date) -> _Scan:
    """One pass over the records (non-voided, of the order's preparation, on or before `day`).

    Only the records of `day` and the given dose covering the latest day matter: a store may
    pass the last few weeks' records plus the citizen's last given dose before them."""
    scan = _Scan()
    for record in history:
        if record.voided or record.preparation != order.preparation or record.service_date > day:
            continue
        if record.service_date == day:
            scan.recorded_today[record.dose_number] = record
        if record.outcome != GIVEN:
            continue
        end = record.service_date + timedelta(days=max(1, record.covers_days) - 1)
        if scan.last_covered is None or end > scan.last_covered:
            scan.last_covered = end
        if record.service_date < day <= end:
            scan.covering = record
    return scan


def last_covered_day(history: Sequence[DoseRecord], day: date) -> date | None:
    """The last day covered by a given, non-voided dose recorded on or before `day`.

    Refused and missed records cover nothing; voided ones are ignored."""
    ends = [
        r.service_date + timedelta(days=max(1, r.covers_days) - 1)
        for r in history
        if r.outcome == GIVEN and not r.voided and r.service_date <= day
    ]
    return max(ends, default=None)


def journal_covered_until(
    order: Order, rules: PreparationRules, service_open: Callable[[date], bool | None]
) -> date | None:
    """The last day covered by the journal's last dose (`last_dispensed_on`), or None.

    On a pickup day of the order it covers what a pickup covers; on any other day (an
    earlier order with another rule) only that day: a missed day is never hidden by a guess.
    """
    last = order.last_dispensed_on
    if last is None:
        return None
    if not _is_pickup_day(order, last):
        return last
    return last + timedelta(days=_coverage(order, last, rules, service_open)[0] - 1)


def missed_days(history: Sequence[DoseRecord], day: date, journal_covered: date | None = None) -> int | None:
    """Days without medicine before `day` (DESIGN §1): the days after the last day covered by
    a given dose and before `day`. A dose given yesterday that covered yesterday: 0; given
    Monday (covering Monday) and it is Monday again: 6.

    `history`: the citizen's records of this preparation (any order; voided, refused and
    missed ones cover nothing). `journal_covered`: the last day the journal's last dose covers
    (`journal_covered_until`), counted like a given dose. None when neither gives a dose.
    """
    return _missed(day, last_covered_day(history, day), journal_covered)


def _missed(day: date, *covered_until: date | None) -> int | None:
    ends = [end for end in covered_until if end is not None]
    if not ends:
        return None
    return max(0, (day - max(ends)).days - 1)


# --- due doses -----------------------------------------------------------------------------


def doses_due(
    order: Order,
    day: date,
    now: datetime,
    history: Sequence[DoseRecord],
    rules: PreparationRules,
    service_open: Callable[[date], bool | None],
    release: Release | None = None,
    *,
    intervals: Sequence[tuple[datetime, datetime]] | None = None,
    approval_required_for: Collection[str] = (),
) -> list[DueDose]:
    """The doses of `order` due on `day` and not yet recorded, with their state and alerts.

    `history`: the citizen's records of this preparation (all orders, voided ones flagged);
    only the records of `day` and the given dose that covers the latest day matter, so a store
    may pass the last few weeks' records plus the citizen's last given dose before them;
    `now`: an aware datetime (dose 2's interval); `service_open(d)`: whether the dispensing
    service is open on d (None: hours not given); `release`: a doctor's release, which
    counts only when it is for `day`. A delivery order has one dose (everything goes home;
    the service lists it apart). An order not due on `day` (see `why_not_due`) gives [].
    `intervals`: the service's opening intervals on `day` (aware start and end), in order;
    None when its hours are not given (then dose 2 waits only for dose 1: the window cannot
    tell the intervals apart). `approval_required_for`: DELIVERY and/or TAKE_HOME, when the
    site asks an approval date for medicine that leaves the window that way (Gladsaxe).
    """
    _check_rules(order, rules)
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    if not _is_pickup_day(order, day):  # not valid, or not a day of the rule: see why_not_due
        return []
    scan = _scan(history, order, day)
    # A pickup before covers the day (see why_not_due).
    if scan.covering is not None:
        return []
    recorded_today = scan.recorded_today
    slots = (1, 2) if order.doses_per_day == 2 and _window_dose(order) else (1,)
    if all(n in recorded_today for n in slots):
        return []
    # The journal knows of a dose that covers the day (see why_not_due). Asked after the day's
    # own records: an order served today needs no look at the journal's pickup days.
    journal = journal_covered_until(order, rules, service_open)
    if journal is not None and journal >= day:
        return []

    if release is not None and release.service_date != day:
        release = None
    dose_mg = release.dose_mg if release is not None and release.dose_mg is not None else order.dose_mg
    missed = _missed(day, scan.last_covered, journal)
    threshold = rules.missed_days_before_reassessment
    # The threshold has no seed: its source ("ingen kilde i kommunens standard" and the practice
    # it follows) goes with it, for the screen that shows it.
    source = rules.missed_days_before_reassessment_source
    common: list[Alert] = []
    if missed is None:
        common.append(Alert(NO_HISTORY))
    elif missed >= threshold and release is None:
        common.append(Alert(HOLD_REASSESSMENT, {"days": missed, "threshold": threshold, "source": source}, blocks=True))
    elif missed > 0:
        common.append(Alert(MISSED_DAYS, {"days": missed, "threshold": threshold, "source": source}))
    if release is not None:
        common.append(
            Alert(RELEASED, {"staff_id": release.staff_id, "reason": release.reason, "dose_mg": release.dose_mg})
        )
    if not rules.take_home_allowed and not _window_dose(order):
        common.append(Alert(TAKE_HOME_NOT_ALLOWED, {"preparation": order.preparation}, blocks=True))
    ends_soon: list[Alert] = []
    if order.valid_to is not None and (order.valid_to - day).days <= rules.ends_soon_days:
        ends_soon.append(Alert(ENDS_SOON, {"days_left": (order.valid_to - day).days, "valid_to": order.valid_to}))

    due: list[DueDose] = []
    for number in slots:
        if number in recorded_today:
            continue
        alerts = list(common)
        not_before = None
        if number == 1:
            covers, closed_alerts = _coverage(order, day, rules, service_open)
            alerts.extend(closed_alerts)
            take_home_days = covers - 1 if _window_dose(order) else covers
        else:
            covers, take_home_days = 1, 0
            first = recorded_today.get(1)
            if first is None:
                alerts.append(Alert(FIRST_DOSE_PENDING, blocks=True))
            waiting = _second_interval(intervals, now, first)
            if waiting is not None:
                alerts.append(waiting)
                moment = waiting.params["not_before"]
                not_before = moment if isinstance(moment, datetime) else None
            elif intervals is not None:
                not_before = intervals[1][0]
        leaves = _leaves_window(order, take_home_days)
        if leaves is not None and leaves in approval_required_for and not _approved(order, day):
            alerts.append(Alert(APPROVAL_MISSING, {"kind": leaves}, blocks=True))
        alerts.extend(ends_soon)
        due.append(
            DueDose(
                order=order,
                dose_number=number,
                dose_mg=dose_mg,
                covers_days=covers,
                take_home_days=take_home_days,
                take_home_mg=dose_mg * order.doses_per_day * take_home_days,
                missed_days=missed,
                state=_state(alerts),
                alerts=tuple(alerts),
                not_before=not_before,
            )
        )
    return due


def _interval_index(intervals: Sequence[tuple[datetime, datetime]], moment: datetime) -> int:
    """The interval `moment` belongs to: the last one opened at or before it (-1: none yet).
    Compared in UTC, so a DST day neither adds nor takes an hour."""
    at = moment.astimezone(UTC)
    index = -1
    for number, (start, _end) in enumerate(intervals):
        if start.astimezone(UTC) <= at:
            index = number
    return index


def _second_interval(
    intervals: Sequence[tuple[datetime, datetime]] | None, now: datetime, first: DoseRecord | None
) -> Alert | None:
    """Why dose 2 may not be given now (INTERVAL_NOT_REACHED), or None.

    Dose 2 belongs to an interval after the first (001 afsnit 5: "fremmøde 1-2 gange dagligt"
    in the clinic's two intervals), and never to the interval dose 1 was given in."""
    if intervals is None:  # hours not given: nothing to place the doses in
        return None
    if len(intervals) < 2:
        return Alert(INTERVAL_NOT_REACHED, {"not_before": None, "reason": ONE_INTERVAL}, blocks=True)
    current = _interval_index(intervals, now)
    if current < 1:
        return Alert(INTERVAL_NOT_REACHED, {"not_before": intervals[1][0], "reason": BEFORE_INTERVAL}, blocks=True)
    if first is not None and first.outcome == GIVEN and _interval_index(intervals, first.recorded_at) >= current:
        following = intervals[current + 1][0] if current + 1 < len(intervals) else None
        return Alert(INTERVAL_NOT_REACHED, {"not_before": following, "reason": SAME_INTERVAL}, blocks=True)
    return None


def _leaves_window(order: Order, take_home_days: int) -> str | None:
    """How a dose's medicine leaves the window: DELIVERY, TAKE_HOME, or None (taken there)."""
    if order.delivery:
        return DELIVERY
    if take_home_days > 0:
        return TAKE_HOME
    return None


def _approved(order: Order, day: date) -> bool:
    return order.approved_on is not None and order.approved_on <= day


def supervised_only(rules: PreparationRules) -> PreparationRules:
    """The rules of a preparation given only under supervision where it is given (Odense's heroin
    clinic: methadone and morphine, 000 § 5.4 "Overvåget indtag af heroin samt metadon eller
    morfin"): no take-home, no delivery; the missed-days threshold and the rest unchanged."""
    if not rules.take_home_allowed:
        return rules
    return replace(rules, take_home_allowed=False, max_take_home_days=0)


def away_from_window(pickup_rule: str, supervised: bool, delivery: bool) -> list[str]:
    """The order's fields that would let a supervised-only order leave the window, in the import's
    column order: "pickup_rule" (not every day: the days between go home), "supervised" (not
    supervised: it goes home) and "delivery". Empty: taken at the window every day."""
    fields = []
    if not is_daily_rule(pickup_rule):
        fields.append("pickup_rule")
    if not supervised:
        fields.append("supervised")
    if delivery:
        fields.append("delivery")
    return fields


def _state(alerts: Sequence[Alert]) -> str:
    if any(a.code == HOLD_REASSESSMENT for a in alerts):
        return HOLD
    if any(a.blocks for a in alerts):
        return BLOCKED
    return DUE
