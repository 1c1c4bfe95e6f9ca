"""Medicinudlevering: the day's queue, and giving, refusing, voiding and releasing doses.

The rules are `skranke.domain.dispensing`'s; this module reads the store, applies them and
records what the window did: one transaction per act, with its audit and outbox events.
Never twice is the database's own rule (the partial unique index over citizen, preparation,
day and dose number): a second workstation pressing at the same moment gets the first one's
record back as a refusal ("allerede givet kl. 09.12 af SYG").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from skranke.collector import collector_paused
from skranke.domain.dispensing import (
    Alert,
    DoseRecord,
    DueDose,
    Order,
    Release,
    doses_due,
    supervised_only,
    why_not_due,
)
from skranke.domain.site import Preparation
from skranke.domain.vocabulary import REFUSAL_REASONS
from skranke.i18n import _, clock_time, ngettext, short_date
from skranke.services.access import Actor, require
from skranke.services.audit import record, record_looks
from skranke.services.citizens import birth_date_of
from skranke.services.context import Skranke, UsageError
from skranke.services.desk import (
    HEROIN,
    HEROIN_CLINIC,
    DeskRefusal,
    _orders,
    display_name,
    medicine_place,
    place_name,
)
from skranke.services.wording import refusal_text

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from skranke.store.models import Dispensing

OUTCOMES = ("given", "refused", "missed")


def alert_text(alert: Alert) -> str:
    """An alert in the interface language, with its numbers (DESIGN §3 codes)."""
    p = alert.params
    code = alert.code
    if code == "missed_days":
        days = int(str(p["days"]))
        return ngettext(
            "{days} day without medicine (threshold {threshold})",
            "{days} days without medicine (threshold {threshold})",
            days,
        ).format(days=days, threshold=p["threshold"])
    if code == "hold_reassessment":
        return _("awaiting a doctor's reassessment: {days} days without medicine (threshold {threshold})").format(**p)
    if code == "no_history":
        return _("no dose known: days without medicine unknown")
    if code == "released":
        dose = p.get("dose_mg")
        words = _("released by {staff}: {reason}").format(staff=p.get("staff_id"), reason=p.get("reason"))
        return words + (" " + _("(reduced to {dose} mg)").format(dose=format_mg(dose)) if dose is not None else "")
    if code == "ends_soon":
        days_left = int(str(p["days_left"]))
        return ngettext(
            "the order ends in {days} day ({day})", "the order ends in {days} days ({day})", days_left
        ).format(days=days_left, day=_day(p["valid_to"]))
    if code == "interval_not_reached":
        moment = p.get("not_before")
        if p.get("reason") == "one_interval":
            return _("dose 2 cannot be given today: the service has only one opening interval")
        if p.get("reason") == "same_interval":
            return _("dose 1 was given in this opening interval: never two doses in one interval")
        return _("dose 2 belongs to the afternoon interval, which opens at {time}").format(
            time=clock_time(moment) if isinstance(moment, datetime) else "–"
        )
    if code == "approval_missing":
        if p.get("kind") == "take_home":
            return _("take-home needs the visitation committee's approval: no approval date recorded")
        return _("delivery needs the visitation committee's approval: no approval date recorded")
    if code == "first_dose_pending":
        return _("dose 1 is not recorded yet")
    if code == "closed_day_in_period":
        return _("the service is closed on {day}: this pickup covers it").format(day=_day(p["day"]))
    if code == "not_pickup_day":
        following = p.get("next")
        return _("not a pickup day; next pickup {day}").format(day=_day(following))
    if code == "expired":
        return _("the order expired on {day}").format(day=_day(p["valid_to"]))
    if code == "not_yet_valid":
        return _("the order is valid from {day}").format(day=_day(p["valid_from"]))
    if code == "take_home_not_allowed":
        return _("this preparation is only given under supervision")
    if code == "already_covered":
        return _("covered until {day} by the dose of {given}").format(
            day=_day(p["until"]),
            given=_day(p["service_date"]),
        )
    return code


def threshold_source(alert: Alert) -> str | None:
    """Where a missed-days threshold comes from (the site file's words: no seed gives one), for
    the dose dialog's explanation line; None for an alert without a threshold."""
    if alert.code not in ("missed_days", "hold_reassessment") or not alert.params.get("source"):
        return None
    return _("Threshold {threshold} days: {source}.").format(
        threshold=alert.params["threshold"], source=alert.params["source"]
    )


def _day(value: object) -> str:
    return short_date(value) if isinstance(value, date) else "–"


def format_mg(value: Any) -> str:
    """72,5 / 60: Danish decimal comma, no trailing zeros."""
    number = Decimal(str(value)).normalize()
    return f"{number:f}".replace(".", ",")


def desk_changes(skranke: Skranke) -> tuple[int, int, int]:
    """A marker that moves when any workstation records something (polled once a second)."""
    from skranke.store.desk import change_marker

    with skranke.database.reading() as session:
        return change_marker(session)


def _json_number(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


# --- the queue ------------------------------------------------------------------------------


# The queue's rows are NamedTuples, as the rules' records are: read-only like a frozen dataclass,
# built several times faster (a queue builds one or two per order, 1,500 orders at a large clinic).
class Person(NamedTuple):
    citizen_id: str
    display: str
    masked_cpr: str
    birth_date: date | None
    name: str = ""  # first and last name: what the dose dialog says out loud (DESIGN §1)
    alias: str = ""


class WaitingRow(NamedTuple):
    person: Person
    checked_in_at: datetime
    minutes_waiting: int
    prescription_ids: tuple[str, ...]


class DueRow(NamedTuple):
    person: Person
    dose: DueDose
    arrived: bool
    place: str


class DoneRow(NamedTuple):
    person: Person
    dispensing_id: int
    prescription_id: str
    preparation: str
    dose_number: int
    outcome: str
    dose_mg: Decimal | None
    take_home_mg: Decimal
    covers_days: int
    recorded_at: datetime
    staff: str
    reason: str
    voided: bool
    void_reason: str | None


@dataclass
class QueueView:
    day: date
    site: str
    service: str
    service_name: str
    waiting: list[WaitingRow] = field(default_factory=list)
    due: list[DueRow] = field(default_factory=list)
    deliveries: list[DueRow] = field(default_factory=list)
    done: list[DoneRow] = field(default_factory=list)

    @property
    def holds(self) -> int:
        return sum(1 for row in self.due if row.dose.state == "hold")

    def to_json_dict(self) -> dict[str, Any]:
        """DESIGN §3: ids and initials only, no names or CPR."""
        return {
            "date": self.day.isoformat(),
            "site": self.site,
            "service": self.service,
            "waiting": [
                {
                    "citizen_id": w.person.citizen_id,
                    "display": w.person.display,
                    "checked_in_at": w.checked_in_at.isoformat(),
                    "minutes_waiting": w.minutes_waiting,
                    "prescription_ids": list(w.prescription_ids),
                }
                for w in self.waiting
            ],
            "due": [
                {
                    "prescription_id": d.dose.order.id,
                    "citizen_id": d.person.citizen_id,
                    "display": d.person.display,
                    "preparation": d.dose.order.preparation,
                    "dose_mg": _json_number(d.dose.dose_mg),
                    "dose_number": d.dose.dose_number,
                    "doses_per_day": d.dose.order.doses_per_day,
                    "supervised": d.dose.order.supervised,
                    "covers_days": d.dose.covers_days,
                    "take_home_days": d.dose.take_home_days,
                    "take_home_mg": _json_number(d.dose.take_home_mg),
                    "arrived": d.arrived,
                    "state": d.dose.state,
                    "missed_days": d.dose.missed_days,
                    "alerts": [{"code": a.code, "message": alert_text(a)} for a in d.dose.alerts],
                }
                for d in self.due
            ],
            "done": [
                {
                    "dispensing_id": r.dispensing_id,
                    "prescription_id": r.prescription_id,
                    "citizen_id": r.person.citizen_id,
                    "dose_number": r.dose_number,
                    "outcome": r.outcome,
                    "dose_mg": _json_number(r.dose_mg) if r.dose_mg is not None else None,
                    "take_home_mg": _json_number(r.take_home_mg),
                    "recorded_at": r.recorded_at.isoformat(),
                    "staff": r.staff,
                    "voided": r.voided,
                }
                for r in self.done
            ],
            "deliveries": [
                {
                    "prescription_id": d.dose.order.id,
                    "citizen_id": d.person.citizen_id,
                    "dose_mg": _json_number(d.dose.dose_mg),
                    "covers_days": d.dose.covers_days,
                }
                for d in self.deliveries
            ],
        }


def _record(row: Any) -> DoseRecord:
    # A row of store.desk's dispensing reads, whose first ten values are a DoseRecord's fields.
    return DoseRecord._make(row[:10])


def dispensing_services(skranke: Skranke) -> list[str]:
    """The places where doses are given at this site (the medicine room, the heroin clinic)."""
    places = {medicine_place(skranke.site, p.id) for p in skranke.site.preparations}
    return [d.id for d in skranke.site.all_departments() if d.id in places]


def default_service(skranke: Skranke) -> str:
    return medicine_place(skranke.site, "metadon")


def known_service(skranke: Skranke, service: str | None) -> str:
    """The service asked for, or the default; one the site does not dispense at is a usage error
    (exit 2), never an empty day that reads as "nobody is due"."""
    if service is None:
        return default_service(skranke)
    services = dispensing_services(skranke)
    if service not in services:
        raise UsageError(
            _("Unknown service '{service}': doses are given at {known}.").format(
                service=service, known=", ".join(services)
            )
        )
    return service


def service_open_on(skranke: Skranke, place: str) -> Callable[[date], bool | None]:
    """Whether the dispensing place is open on a day, as the rules ask it (None: hours not given)."""
    hours = skranke.hours[place]

    def service_open(day: date) -> bool | None:
        return None if hours.unknown_on(day) else hours.is_open_on(day)

    return service_open


def service_intervals_on(skranke: Skranke, place: str, day: date) -> list[tuple[datetime, datetime]] | None:
    """The place's opening intervals on a day, as dose 2's rule reads them (None: hours not given)."""
    hours = skranke.hours[place]
    if hours.unknown_on(day):
        return None
    return [(interval.start, interval.end) for interval in hours.intervals_on(day)]


def rules_at(skranke: Skranke, preparation: str, place: str) -> Preparation:
    """The preparation's rules where it is given: at the heroin clinic, the preparations the site
    lists (Odense: methadone, morphine; 000 § 5.4) are supervised only, like heroin."""
    rules = skranke.site.preparation(preparation)
    if place == HEROIN_CLINIC and preparation in skranke.site.dispensing.supervised_at_heroin_clinic:
        return supervised_only(rules)
    return rules


def release_of_row(row: Any) -> Release:
    """A stored hold release as the rules see it."""
    return Release(row.service_date, row.staff_id, row.reason, row.dose_mg)


class _DayData:
    """What one day's queue needs from the store, read in one transaction."""

    def __init__(self, skranke: Skranke, session: Session, day: date) -> None:
        from skranke.store.desk import (
            check_ins_on,
            citizens_of_day,
            dispensings_between,
            last_given_doses,
            prescriptions_valid_on,
            releases_on,
        )

        self.skranke = skranke
        self.day = day
        self.orders = _orders(prescriptions_valid_on(session, day))
        # The rules need each citizen's records of the day and the last given dose before it
        # (domain.dispensing), not weeks of history: two reads, whatever the history's length.
        self.today_rows = list(dispensings_between(session, day, day))
        earlier = last_given_doses(session, day)
        self.releases = {r.prescription_id: r for r in releases_on(session, day)}
        self.check_ins = check_ins_on(session, day)
        self.citizens = citizens_of_day(session, day)
        self.heroin_citizens = {o.citizen_id for o in self.orders if o.preparation == HEROIN}
        self._places: dict[tuple[str, bool], str] = {}
        self._open_on: dict[str, Callable[[date], bool | None]] = {}
        self._rules: dict[tuple[str, str], Preparation] = {}
        self._intervals: dict[str, list[tuple[datetime, datetime]] | None] = {}
        self.history: dict[tuple[str, str], list[DoseRecord]] = {}
        for row in [*earlier, *self.today_rows]:
            self.history.setdefault((row.citizen_id, row.preparation), []).append(_record(row))

    def place(self, citizen_id: str, preparation: str) -> str:
        key = (preparation, citizen_id in self.heroin_citizens)
        if key not in self._places:
            self._places[key] = medicine_place(self.skranke.site, preparation, key[1])
        return self._places[key]

    def rules(self, preparation: str, place: str) -> Preparation:
        key = (preparation, place)
        if key not in self._rules:
            self._rules[key] = rules_at(self.skranke, preparation, place)
        return self._rules[key]

    def intervals(self, place: str) -> list[tuple[datetime, datetime]] | None:
        if place not in self._intervals:
            self._intervals[place] = service_intervals_on(self.skranke, place, self.day)
        return self._intervals[place]

    def open_on(self, place: str) -> Callable[[date], bool | None]:
        # One answer per place and day for the whole queue: the rules ask it of the same few
        # days for every order (1,500 orders asked the opening hours ~1,400 times).
        if place not in self._open_on:
            ask = service_open_on(self.skranke, place)
            answers: dict[date, bool | None] = {}

            def open_on(day: date) -> bool | None:
                if day not in answers:
                    answers[day] = ask(day)
                return answers[day]

            self._open_on[place] = open_on
        return self._open_on[place]

    def person(self, citizen_id: str) -> Person:
        # A citizen's row is (id, cpr, first name, last name, alias): store.desk.citizens_by_id.
        return _person(*self.citizens[citizen_id])

    def due(self, order: Order, now: datetime) -> list[DueDose]:
        released = self.releases.get(order.id)
        release = release_of_row(released) if released else None
        history = self.history.get((order.citizen_id, order.preparation), [])
        place = self.place(order.citizen_id, order.preparation)
        return doses_due(
            order,
            self.day,
            now,
            history,
            self.rules(order.preparation, place),
            self.open_on(place),
            release,
            intervals=self.intervals(place),
            approval_required_for=self.skranke.site.dispensing.approval_required_for,
        )


@lru_cache(maxsize=8192)
def _person(citizen_id: str, cpr: str | None, first_name: str, last_name: str, alias: str) -> Person:
    """A citizen as the queue shows them, from the stored values: kept between reads of the queue
    (the window reads it anew after every dose; a changed name or CPR is another key)."""
    from skranke.services.citizens import mask_cpr  # not at import: it brings the importer's models

    return Person(
        citizen_id,
        display_name(first_name, last_name, alias, citizen_id),
        mask_cpr(cpr),
        birth_date_of(cpr),
        " ".join(part for part in (first_name, last_name) if part),
        alias,
    )


def queue(skranke: Skranke, day: date | None = None, service: str | None = None) -> QueueView:
    """The medicine room's (or heroin clinic's) day: waiting, due, deliveries and done (DESIGN §3)."""
    now = skranke.clock.now()
    day = day or now.date()
    service = known_service(skranke, service)
    with collector_paused():
        return _queue(skranke, day, service, now)


def window_queue(skranke: Skranke, actor: Actor | None, service: str | None = None) -> QueueView:
    """The queue as the dispensing window shows it, names included, for a role that may see it
    (a nurse, a doctor: DESIGN §1). Each citizen in it is a look at that citizen (DESIGN §1:
    every look is logged), logged the first time that day for that person at that workstation:
    the window reads the queue again after every dose at any workstation, and a look per citizen
    per read would bury the log (1,500 events a read at a large clinic)."""
    signed_in = require(actor, "view_queue")
    view = queue(skranke, service=service)
    shown = {w.person.citizen_id for w in view.waiting} | {d.person.citizen_id for d in view.done}
    shown |= {row.person.citizen_id for row in (*view.due, *view.deliveries)}
    logged = skranke.looks_logged("list_queue", signed_in.staff_id, signed_in.workstation, view.day)
    if not logged:
        # The process's memory is empty after a start (two instances, a restart): what the log
        # already holds for today counts too, so a look is logged once a day, not once a start.
        from skranke.store.desk import looked_at_on

        start, end = _day_bounds(view.day, skranke.clock.now())
        with skranke.database.reading() as session:
            logged |= looked_at_on(session, "list_queue", signed_in.staff_id, signed_in.workstation, start, end)
    new = shown - logged
    if new:
        with skranke.database.transaction() as session:
            record_looks(session, signed_in, skranke.clock.now(), "list_queue", new, service=view.service)
        logged |= new  # only once the looks are committed
    return view


def _day_bounds(day: date, now: datetime) -> tuple[datetime, datetime]:
    """The day from midnight to midnight in the clock's zone."""
    start = datetime.combine(day, datetime.min.time(), now.tzinfo)
    return start, start + timedelta(days=1)


def _queue(skranke: Skranke, day: date, service: str, now: datetime) -> QueueView:
    with skranke.database.reading() as session:
        data = _DayData(skranke, session, day)
    # Records carry a citizen through their order; rebuild the history key with the record's own citizen.
    view = QueueView(day, skranke.site.id, service, place_name(skranke.site, service))
    arrived_at = {c.citizen_id: c for c in data.check_ins if c.department == service}
    due_by_citizen: dict[str, list[str]] = {}
    for order in data.orders:
        if data.place(order.citizen_id, order.preparation) != service or order.citizen_id not in data.citizens:
            continue
        for dose in data.due(order, now):
            row = DueRow(data.person(order.citizen_id), dose, order.citizen_id in arrived_at, service)
            if dose.delivery:
                view.deliveries.append(row)
            else:
                view.due.append(row)
                due_by_citizen.setdefault(order.citizen_id, []).append(order.id)
    view.due.sort(
        key=lambda r: (
            not r.arrived,
            arrived_at[r.person.citizen_id].checked_in_at if r.arrived else now,
            r.person.display,
            r.dose.dose_number,
        )
    )
    for check_in in sorted(arrived_at.values(), key=lambda c: (c.checked_in_at, c.id)):
        if check_in.citizen_id not in due_by_citizen:
            continue  # served: nothing more due today
        moment = check_in.checked_in_at.astimezone(now.tzinfo)
        minutes = max(0, int((now - moment).total_seconds() // 60)) if day == now.date() else 0
        view.waiting.append(
            WaitingRow(
                data.person(check_in.citizen_id),
                moment,
                minutes,
                tuple(dict.fromkeys(due_by_citizen[check_in.citizen_id])),
            )
        )
    for record_row in data.today_rows:
        if (
            data.place(record_row.citizen_id, record_row.preparation) != service
            or record_row.citizen_id not in data.citizens
        ):
            continue
        view.done.append(
            DoneRow(
                data.person(record_row.citizen_id),
                record_row.id,
                record_row.prescription_id,
                record_row.preparation,
                record_row.dose_number,
                record_row.outcome,
                record_row.dose_mg,
                record_row.take_home_mg,
                record_row.covers_days,
                record_row.recorded_at.astimezone(now.tzinfo),
                record_row.staff_id or "",
                record_row.reason,
                record_row.voided_at is not None,
                record_row.void_reason,
            )
        )
    return view


# --- recording ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DoseResult:
    dispensing_id: int
    prescription_id: str
    citizen_id: str
    dose_number: int
    outcome: str
    dose_mg: Decimal | None
    take_home_mg: Decimal
    covers_days: int
    recorded_at: datetime
    staff: str

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "dispensing_id": self.dispensing_id,
            "prescription_id": self.prescription_id,
            "citizen_id": self.citizen_id,
            "dose_number": self.dose_number,
            "outcome": self.outcome,
            "dose_mg": _json_number(self.dose_mg) if self.dose_mg is not None else None,
            "take_home_mg": _json_number(self.take_home_mg),
            "covers_days": self.covers_days,
            "recorded_at": self.recorded_at.isoformat(),
            "staff": self.staff,
        }


def outcome_word(outcome: str) -> str:
    return {"given": _("given"), "refused": _("refused"), "missed": _("missed")}.get(outcome, outcome)


def _already(skranke: Skranke, existing: Dispensing) -> DeskRefusal:
    moment = existing.recorded_at.astimezone(skranke.clock.now().tzinfo)
    return DeskRefusal(
        _("already {outcome} at {time} by {staff}").format(
            outcome=outcome_word(existing.outcome), time=clock_time(moment), staff=existing.staff_id or "–"
        )
    )


def _order_in(session: Session, prescription_id: str) -> Order:
    from skranke.store.models import Prescription

    row = session.get(Prescription, prescription_id)
    if row is None:
        raise DeskRefusal(_("No order {id} in the store.").format(id=prescription_id))
    return Order._make(getattr(row, name) for name in Order._fields)


def _place_of(skranke: Skranke, session: Session, order: Order, day: date) -> str:
    from skranke.store.desk import prescriptions_valid_on

    heroin = any(o.preparation == HEROIN for o in _orders(prescriptions_valid_on(session, day, order.citizen_id)))
    return medicine_place(skranke.site, order.preparation, heroin)


def missed_from(skranke: Skranke, place: str, order: Order, dose_number: int, day: date) -> datetime | None:
    """When a dose may first be recorded as missed: the end of its opening interval (DESIGN §1:
    never while the citizen may still come). Dose 1 of a twice-daily window dose belongs to the
    first interval, dose 2 to the last; a once-daily dose may be fetched in any interval, so the
    last. None when the service has no interval that day (closed: nobody can come)."""
    intervals = skranke.hours[place].intervals_on(day)
    if not intervals:
        return None
    if order.doses_per_day == 2 and dose_number == 1 and len(intervals) > 1 and order.supervised:
        return intervals[0].end
    return intervals[-1].end


def dose_slot(skranke: Skranke, session: Session, order: Order, dose_number: int | None) -> DueDose:
    """The dose of `order` to record now, or DeskRefusal with the rule's words."""
    from skranke.store.desk import dispensings_between, last_given_doses, recorded_dose

    now = skranke.clock.now()
    day = now.date()
    # The day's records and the last given dose before it are all the rules read (domain.dispensing).
    history = [
        _record(r)
        for r in [
            *last_given_doses(session, day, order.citizen_id, order.preparation),
            *dispensings_between(session, day, day, [order.citizen_id]),
        ]
        if r.preparation == order.preparation
    ]
    data_release = None
    from skranke.store.desk import release_of

    released = release_of(session, order.id, day)
    if released is not None:
        data_release = release_of_row(released)
    place = _place_of(skranke, session, order, day)
    rules = rules_at(skranke, order.preparation, place)
    due = doses_due(
        order,
        day,
        now,
        history,
        rules,
        service_open_on(skranke, place),
        data_release,
        intervals=service_intervals_on(skranke, place, day),
        approval_required_for=skranke.site.dispensing.approval_required_for,
    )
    if dose_number is not None:
        due = [d for d in due if d.dose_number == dose_number]
    if due:
        return due[0]
    existing = recorded_dose(session, order.citizen_id, order.preparation, day, dose_number or 1)
    if existing is not None:
        raise _already(skranke, existing)
    reason = why_not_due(order, day, rules, history=history)
    if reason is not None:
        raise DeskRefusal(alert_text(reason))
    raise DeskRefusal(_("No dose of order {id} is due today.").format(id=order.id))


def birth_date_digits(day: date) -> str:
    """A birth date as the nurse types it from what the citizen says: DDMMÅÅ."""
    return day.strftime("%d%m%y")


def confirm_identity(skranke: Skranke, actor: Actor | None, prescription_id: str, dose_number: int, typed: str) -> bool:
    """The second identifier before a dose (DESIGN §1): True when the six digits typed are the
    citizen's birth date. A mismatch records no dose and is logged (`identity_mismatch`, naming
    the citizen and the order; never the digits typed). A citizen without a CPR number has no
    birth date to ask for: DeskRefusal (the window confirms the alias instead)."""
    from skranke.store.models import Citizen

    signed_in = require(actor, "dispense")
    digits = typed.strip()
    with skranke.database.reading() as session:
        order = _order_in(session, prescription_id)
        citizen = session.get(Citizen, order.citizen_id)
        born = birth_date_of(citizen.cpr if citizen is not None else None)
    if born is None:
        raise DeskRefusal(
            _("{citizen} has no birth date on record: confirm the alias instead.").format(citizen=order.citizen_id)
        )
    if digits == birth_date_digits(born):
        return True
    with skranke.database.transaction() as session:
        record(
            session,
            signed_in,
            skranke.clock.now(),
            "identity_mismatch",
            citizen_id=order.citizen_id,
            entity="prescription",
            entity_id=order.id,
            detail={"dose_number": dose_number},
        )
    return False


def dispense(
    skranke: Skranke,
    actor: Actor | None,
    prescription_id: str,
    outcome: str,
    dose_number: int | None = None,
    reason: str = "",
    refusal: str | None = None,
) -> DoseResult:
    """Record one dose given, refused (with a reason) or missed; never twice, never one on hold."""
    from sqlalchemy.exc import IntegrityError

    from skranke.store.desk import recorded_dose
    from skranke.store.imports import record_event
    from skranke.store.models import Dispensing, Task

    signed_in = require(actor, "dispense")
    if outcome not in OUTCOMES:
        raise DeskRefusal(_("Unknown outcome '{outcome}': use given, refused or missed.").format(outcome=outcome))
    reason = reason.strip()
    if outcome == "refused" and not (reason or refusal):
        raise DeskRefusal(_("A refusal needs a reason (intoxicated, declined or other with a text)."))
    if refusal is not None and refusal not in REFUSAL_REASONS:
        raise DeskRefusal(_("Unknown refusal reason '{reason}'.").format(reason=refusal))
    now = skranke.clock.now()
    order: Order | None = None
    try:
        with skranke.database.transaction() as session:
            order = _order_in(session, prescription_id)
            slot = dose_slot(skranke, session, order, dose_number)
            if outcome == "given" and slot.state != "due":
                blocking = next((a for a in slot.alerts if a.blocks), None)
                raise DeskRefusal(alert_text(blocking) if blocking else _("This dose cannot be given now."))
            if outcome == "missed":
                place = _place_of(skranke, session, order, now.date())
                ends = missed_from(skranke, place, order, slot.dose_number, now.date())
                if ends is not None and now < ends:
                    raise DeskRefusal(
                        _(
                            "Not recorded as missed: {service} is open for this dose until {time}, and a dose "
                            "is missed only after its interval has ended (or when the day is closed)."
                        ).format(service=place_name(skranke.site, place), time=clock_time(ends))
                    )
            given = outcome == "given"
            text = " ".join(part for part in (refusal or "", reason) if part)
            row = Dispensing(
                prescription_id=order.id,
                citizen_id=order.citizen_id,
                preparation=order.preparation,
                service_date=now.date(),
                dose_number=slot.dose_number,
                recorded_at=now,
                outcome=outcome,
                dose_mg=slot.dose_mg if given else None,
                take_home_mg=slot.take_home_mg if given else Decimal(0),
                covers_days=slot.covers_days if given else 1,
                staff_id=signed_in.staff_id,
                workstation=signed_in.workstation,
                reason=text,
            )
            session.add(row)
            session.flush()
            detail = {"outcome": outcome, "dose_number": slot.dose_number, "reason": text}
            record(
                session,
                signed_in,
                now,
                "dispense",
                citizen_id=order.citizen_id,
                entity="dispensing",
                entity_id=str(row.id),
                detail=detail,
            )
            record_event(
                session,
                "dispensing",
                now,
                {
                    "citizen_id": order.citizen_id,
                    "dispensing_id": row.id,
                    "prescription_id": order.id,
                    "outcome": outcome,
                    "dose_number": slot.dose_number,
                    "dose_mg": str(row.dose_mg) if row.dose_mg is not None else "",
                    "staff": signed_in.staff_id,
                },
            )
            if refusal == "intoxicated":
                # Intoxication withholds the dose and the doctor is told (DESIGN §1).
                session.add(
                    Task(
                        kind="tell_doctor",
                        citizen_id=order.citizen_id,
                        due=now.date(),
                        source=_(
                            "Dispensing rule: an intoxicated citizen is not given the dose, and the doctor is told"
                        ),
                        note=refusal_text(text),
                        created_at=now,
                        created_by=signed_in.staff_id,
                    )
                )
            return DoseResult(
                row.id,
                order.id,
                order.citizen_id,
                slot.dose_number,
                outcome,
                row.dose_mg,
                row.take_home_mg,
                row.covers_days,
                now,
                signed_in.staff_id,
            )
    except IntegrityError:
        # Another workstation recorded the same dose at the same moment: say whose record stands.
        if order is None:
            raise
        with skranke.database.reading() as session:
            existing = recorded_dose(session, order.citizen_id, order.preparation, now.date(), dose_number or 1)
        if existing is None:
            raise
        raise _already(skranke, existing) from None


def void(skranke: Skranke, actor: Actor | None, dispensing_id: int, reason: str) -> DoseResult:
    """A doctor voids a record with a reason; it stays visible as voided and frees the dose's place."""
    from skranke.store.desk import void_dispensing
    from skranke.store.imports import record_event
    from skranke.store.models import Dispensing

    signed_in = require(actor, "void")
    if not reason.strip():
        raise DeskRefusal(_("Voiding needs a reason."))
    now = skranke.clock.now()
    with skranke.database.transaction() as session:
        row = session.get(Dispensing, dispensing_id)
        if row is None:
            raise DeskRefusal(_("No dispensing {id} in the store.").format(id=dispensing_id))
        if row.voided_at is not None:
            raise DeskRefusal(
                _("Dispensing {id} was voided already by {staff}.").format(id=dispensing_id, staff=row.voided_by)
            )
        void_dispensing(session, row, now, signed_in.staff_id, reason.strip())
        tasks = _close_tasks_of_voided(session, row, now, signed_in.staff_id, reason.strip())
        record(
            session,
            signed_in,
            now,
            "void",
            citizen_id=row.citizen_id,
            entity="dispensing",
            entity_id=str(row.id),
            detail={"reason": reason.strip(), "tasks": tasks},
        )
        record_event(
            session,
            "void",
            now,
            {
                "citizen_id": row.citizen_id,
                "dispensing_id": row.id,
                "reason": reason.strip(),
                "staff": signed_in.staff_id,
            },
        )
        return DoseResult(
            row.id,
            row.prescription_id,
            row.citizen_id,
            row.dose_number,
            row.outcome,
            row.dose_mg,
            row.take_home_mg,
            row.covers_days,
            row.recorded_at,
            row.staff_id or "",
        )


def _close_tasks_of_voided(session: Session, row: Dispensing, now: datetime, staff_id: str, reason: str) -> list[int]:
    """A voided "intoxicated" refusal closes the doctor's task it raised, and the task says why
    (DESIGN §1 "Undo where the law allows it"); one already done is annotated. The task ids."""
    from skranke.store.desk import tasks_raised_by

    if row.outcome != "refused" or not row.reason.startswith("intoxicated"):
        return []
    tasks = list(tasks_raised_by(session, row, "tell_doctor"))
    words = _("The refusal was voided by {staff} at {time}: {reason}").format(
        staff=staff_id, time=clock_time(now), reason=reason
    )
    for task in tasks:
        task.note = f"{task.note}\n{words}" if task.note else words
        if task.done_at is None:
            task.done_at, task.done_by, task.outcome = now, staff_id, "voided"
    return [task.id for task in tasks]


@dataclass(frozen=True)
class ReleaseResult:
    prescription_id: str
    citizen_id: str
    service_date: date
    staff: str
    reason: str
    dose_mg: Decimal | None

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "prescription_id": self.prescription_id,
            "citizen_id": self.citizen_id,
            "date": self.service_date.isoformat(),
            "staff": self.staff,
            "reason": self.reason,
            "dose_mg": _json_number(self.dose_mg) if self.dose_mg is not None else None,
        }


def release(
    skranke: Skranke, actor: Actor | None, prescription_id: str, reason: str, dose_mg: Decimal | None = None
) -> ReleaseResult:
    """A doctor lifts a missed-days hold for today, with a note and optionally a reduced dose."""
    from sqlalchemy.exc import IntegrityError

    from skranke.store.desk import release_of
    from skranke.store.imports import record_event
    from skranke.store.models import HoldRelease

    signed_in = require(actor, "release")
    if not reason.strip():
        raise DeskRefusal(_("Releasing a hold needs a reason."))
    if dose_mg is not None and dose_mg <= 0:
        raise DeskRefusal(_("A reduced dose must be more than 0 mg."))
    now = skranke.clock.now()
    try:
        with skranke.database.transaction() as session:
            order = _order_in(session, prescription_id)
            if dose_mg is not None and dose_mg > order.dose_mg:
                raise DeskRefusal(
                    _("A release may reduce the dose, not raise it ({dose} mg ordered).").format(
                        dose=format_mg(order.dose_mg)
                    )
                )
            if release_of(session, order.id, now.date()) is not None:
                raise DeskRefusal(_("The hold on {id} is already released today.").format(id=order.id))
            # DESIGN §1: a release lifts a missed-days hold for today and only that; a changed
            # dose is a new order from the journal.
            if dose_slot(skranke, session, order, None).state != "hold":
                raise DeskRefusal(
                    _(
                        "Order {id} is not held: a release lifts only a missed-days hold; "
                        "a changed dose is a new order from the journal."
                    ).format(id=order.id)
                )
            session.add(
                HoldRelease(
                    prescription_id=order.id,
                    citizen_id=order.citizen_id,
                    service_date=now.date(),
                    released_at=now,
                    staff_id=signed_in.staff_id,
                    reason=reason.strip(),
                    dose_mg=dose_mg,
                )
            )
            record(
                session,
                signed_in,
                now,
                "release",
                citizen_id=order.citizen_id,
                entity="prescription",
                entity_id=order.id,
                detail={"reason": reason.strip(), "dose_mg": str(dose_mg) if dose_mg is not None else None},
            )
            record_event(
                session,
                "release",
                now,
                {
                    "citizen_id": order.citizen_id,
                    "prescription_id": order.id,
                    "reason": reason.strip(),
                    "dose_mg": str(dose_mg) if dose_mg is not None else "",
                    "staff": signed_in.staff_id,
                },
            )
    except IntegrityError:
        raise DeskRefusal(_("The hold on {id} is already released today.").format(id=prescription_id)) from None
    return ReleaseResult(order.id, order.citizen_id, now.date(), signed_in.staff_id, reason.strip(), dose_mg)


@dataclass(frozen=True)
class CloseDayResult:
    service: str
    day: date
    missed: list[DoseResult]

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "date": self.day.isoformat(),
            "missed": [m.to_json_dict() for m in self.missed],
        }


def close_day(
    skranke: Skranke, actor: Actor | None, day: date | None = None, service: str | None = None
) -> CloseDayResult:
    """Due doses not given become `missed`, in one transaction, so missed days count from records."""
    from skranke.store.desk import day_closing
    from skranke.store.imports import record_event
    from skranke.store.models import DayClosing, Dispensing

    signed_in = require(actor, "close_day")
    now = skranke.clock.now()
    day = day or now.date()
    service = known_service(skranke, service)
    if day > now.date():
        raise DeskRefusal(_("A day that has not come cannot be closed ({day}).").format(day=short_date(day)))
    hours = skranke.hours[service]
    if day == now.date():
        still_open = [i for i in hours.intervals_on(day) if i.end > now]
        if still_open:
            raise DeskRefusal(
                _("{service} is open until {time}: close the day after its last interval.").format(
                    service=place_name(skranke.site, service), time=clock_time(still_open[-1].end)
                )
            )
    missed: list[DoseResult] = []
    with skranke.database.transaction() as session:
        if day_closing(session, service, day) is not None:
            raise DeskRefusal(
                _("{service} is already closed for {day}.").format(
                    service=place_name(skranke.site, service), day=short_date(day)
                )
            )
        data = _DayData(skranke, session, day)
        end_of_day = datetime.combine(day, datetime.max.time(), now.tzinfo)
        for order in data.orders:
            if data.place(order.citizen_id, order.preparation) != service:
                continue
            for dose in data.due(order, min(now, end_of_day)):
                if dose.delivery:
                    continue
                row = Dispensing(
                    prescription_id=order.id,
                    citizen_id=order.citizen_id,
                    preparation=order.preparation,
                    service_date=day,
                    dose_number=dose.dose_number,
                    recorded_at=now,
                    outcome="missed",
                    dose_mg=None,
                    take_home_mg=Decimal(0),
                    covers_days=1,
                    staff_id=signed_in.staff_id,
                    workstation=signed_in.workstation,
                    reason="",
                )
                session.add(row)
                session.flush()
                record(
                    session,
                    signed_in,
                    now,
                    "dispense",
                    citizen_id=order.citizen_id,
                    entity="dispensing",
                    entity_id=str(row.id),
                    detail={"outcome": "missed", "closed_day": day.isoformat()},
                )
                record_event(
                    session,
                    "dispensing",
                    now,
                    {
                        "citizen_id": order.citizen_id,
                        "dispensing_id": row.id,
                        "prescription_id": order.id,
                        "outcome": "missed",
                        "dose_number": dose.dose_number,
                        "staff": signed_in.staff_id,
                    },
                )
                missed.append(
                    DoseResult(
                        row.id,
                        order.id,
                        order.citizen_id,
                        dose.dose_number,
                        "missed",
                        None,
                        Decimal(0),
                        1,
                        now,
                        signed_in.staff_id,
                    )
                )
        session.add(
            DayClosing(
                service=service, service_date=day, closed_at=now, staff_id=signed_in.staff_id, missed=len(missed)
            )
        )
        record(
            session,
            signed_in,
            now,
            "close_day",
            entity="service",
            entity_id=service,
            detail={"date": day.isoformat(), "missed": len(missed)},
        )
    return CloseDayResult(service, day, missed)
