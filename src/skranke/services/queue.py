"""Medicinudlevering's queue: who is waiting, which doses are due, delivered and done today.

The read model of the dispensing window (DESIGN §1, §3 `queue`): the day's orders, records,
releases and check-ins read in one transaction, the rules of `skranke.domain.dispensing`
applied, and the rows the window lists. Recording a dose is `services.dispensing`'s.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from skranke.collector import collector_paused
from skranke.domain.dispensing import DoseRecord, DueDose, Order, Release, doses_due, supervised_only
from skranke.domain.site import Preparation
from skranke.i18n import _
from skranke.services.access import Actor, require
from skranke.services.audit import record_looks
from skranke.services.context import Skranke, UsageError
from skranke.services.identity import birth_date_of, display_name
from skranke.services.places import HEROIN, HEROIN_CLINIC, medicine_place, place_name
from skranke.services.wording import alert_text

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


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
                    "dose_mg": json_number(d.dose.dose_mg),
                    "dose_number": d.dose.dose_number,
                    "doses_per_day": d.dose.order.doses_per_day,
                    "supervised": d.dose.order.supervised,
                    "covers_days": d.dose.covers_days,
                    "take_home_days": d.dose.take_home_days,
                    "take_home_mg": json_number(d.dose.take_home_mg),
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
                    "dose_mg": json_number(r.dose_mg) if r.dose_mg is not None else None,
                    "take_home_mg": json_number(r.take_home_mg),
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
                    "dose_mg": json_number(d.dose.dose_mg),
                    "covers_days": d.dose.covers_days,
                }
                for d in self.deliveries
            ],
        }


def json_number(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


def dose_record(row: Any) -> DoseRecord:
    # A row of store.window's dispensing reads, whose first ten values are a DoseRecord's fields.
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


class DayData:
    """What one day's queue needs from the store, read in one transaction."""

    def __init__(self, skranke: Skranke, session: Session, day: date) -> None:
        from skranke.store.reception import check_ins_on
        from skranke.store.window import (
            citizens_of_day,
            dispensings_between,
            last_given_doses,
            orders_valid_on,
            releases_on,
        )

        self.skranke = skranke
        self.day = day
        self.orders = orders_valid_on(session, day)
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
            self.history.setdefault((row.citizen_id, row.preparation), []).append(dose_record(row))

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
        # A citizen's row is (id, cpr, first name, last name, alias): store.window.citizens_by_id.
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
        from skranke.store.audit_log import looked_at_on

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
        data = DayData(skranke, session, day)
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


def desk_changes(skranke: Skranke) -> tuple[int, int, int]:
    """A marker that moves when any workstation records something (polled once a second)."""
    from skranke.store.window import change_marker

    with skranke.database.reading() as session:
        return change_marker(session)
