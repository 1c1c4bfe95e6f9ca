"""Medicinudlevering's acts: giving, refusing, missing, voiding and releasing doses, closing a day.

The rules are `skranke.domain.dispensing`'s; the queue (`services.queue`) says what is due, and
this module records what the window did: one transaction per act, with its audit and outbox
events (`_record_dose`). Never twice is the database's own rule (the partial unique index over
citizen, preparation, day and dose number): a second workstation pressing at the same moment
gets the first one's record back as a refusal ("allerede givet kl. 09.12 af SYG").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from skranke.domain.dispensing import DueDose, Order, doses_due, why_not_due
from skranke.domain.vocabulary import REFUSAL_REASONS
from skranke.i18n import _, clock_time, short_date
from skranke.services.access import Actor, require
from skranke.services.audit import record, record_added
from skranke.services.context import Skranke
from skranke.services.errors import DeskRefusal
from skranke.services.identity import birth_date_of
from skranke.services.places import HEROIN, medicine_place, place_name
from skranke.services.queue import (
    DayData,
    dose_record,
    json_number,
    known_service,
    release_of_row,
    rules_at,
    service_intervals_on,
    service_open_on,
)
from skranke.services.stock import DayCount, DoseStock, day_counts, issue_for_dose, reverse_for_dose
from skranke.services.wording import alert_text, format_mg, outcome_word, refusal_text

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from skranke.store.models import Dispensing

OUTCOMES = ("given", "refused", "missed")


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
    # The dose's issue took the ledger below zero (DESIGN §1): given all the same, and said.
    stock_negative: bool = False

    @classmethod
    def of(cls, row: Dispensing, stock_negative: bool = False) -> DoseResult:
        return cls(
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
            stock_negative,
        )

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "dispensing_id": self.dispensing_id,
            "prescription_id": self.prescription_id,
            "citizen_id": self.citizen_id,
            "dose_number": self.dose_number,
            "outcome": self.outcome,
            "dose_mg": json_number(self.dose_mg) if self.dose_mg is not None else None,
            "take_home_mg": json_number(self.take_home_mg),
            "covers_days": self.covers_days,
            "recorded_at": self.recorded_at.isoformat(),
            "staff": self.staff,
            "stock_negative": self.stock_negative,
        }


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
    from skranke.store.window import orders_valid_on

    heroin = any(o.preparation == HEROIN for o in orders_valid_on(session, day, order.citizen_id))
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
    from skranke.store.window import dispensings_between, last_given_doses, recorded_dose

    now = skranke.clock.now()
    day = now.date()
    # The day's records and the last given dose before it are all the rules read (domain.dispensing).
    history = [
        dose_record(r)
        for r in [
            *last_given_doses(session, day, order.citizen_id, order.preparation),
            *dispensings_between(session, day, day, [order.citizen_id]),
        ]
        if r.preparation == order.preparation
    ]
    data_release = None
    from skranke.store.window import release_of

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

    from skranke.store.models import Task
    from skranke.store.window import recorded_dose

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
            place = _place_of(skranke, session, order, now.date())
            if outcome == "missed":
                ends = missed_from(skranke, place, order, slot.dose_number, now.date())
                if ends is not None and now < ends:
                    raise DeskRefusal(
                        _(
                            "Not recorded as missed: {service} is open for this dose until {time}, and a dose "
                            "is missed only after its interval has ended (or when the day is closed)."
                        ).format(service=place_name(skranke.site, place), time=clock_time(ends))
                    )
            text = " ".join(part for part in (refusal or "", reason) if part)
            row, stock = _record_dose(session, signed_in, now, order, slot, outcome, text, place=place)
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
            return DoseResult.of(row, stock is not None and stock.stock_negative)
    except IntegrityError:
        # Another workstation recorded the same dose at the same moment: say whose record stands.
        if order is None:
            raise
        with skranke.database.reading() as session:
            existing = recorded_dose(session, order.citizen_id, order.preparation, now.date(), dose_number or 1)
        if existing is None:
            raise
        raise _already(skranke, existing) from None


def _record_dose(
    session: Session,
    signed_in: Actor,
    now: datetime,
    order: Order,
    dose: DueDose,
    outcome: str,
    reason: str = "",
    *,
    place: str,
    closed_day: date | None = None,
) -> tuple[Dispensing, DoseStock | None]:
    """Insert one dose record with its audit event (`dispense`) and outbox event (`dispensing`),
    in the caller's transaction: given with the dose's amounts, refused or missed without. A dose
    given writes its issue in `place`'s ledger (services.stock.issue_for_dose): returned beside
    the record, with whether it took the balance below zero.

    `closed_day`: a dose close-day records as missed on that day; its audit detail names the day
    closed rather than a reason, and its outbox event carries no dose.
    """
    from skranke.store.imports import record_event
    from skranke.store.models import Dispensing

    given = outcome == "given"
    row = Dispensing(
        prescription_id=order.id,
        citizen_id=order.citizen_id,
        preparation=order.preparation,
        service_date=closed_day or now.date(),
        dose_number=dose.dose_number,
        recorded_at=now,
        outcome=outcome,
        dose_mg=dose.dose_mg if given else None,
        take_home_mg=dose.take_home_mg if given else Decimal(0),
        covers_days=dose.covers_days if given else 1,
        staff_id=signed_in.staff_id,
        workstation=signed_in.workstation,
        reason=reason,
    )
    if closed_day is None:
        detail: dict[str, Any] = {"outcome": outcome, "dose_number": dose.dose_number, "reason": reason}
    else:
        detail = {"outcome": outcome, "closed_day": closed_day.isoformat()}
    record_added(
        session, signed_in, now, "dispense", row, entity="dispensing", citizen_id=order.citizen_id, detail=detail
    )
    event: dict[str, Any] = {
        "citizen_id": order.citizen_id,
        "dispensing_id": row.id,
        "prescription_id": order.id,
        "outcome": outcome,
        "dose_number": dose.dose_number,
    }
    if closed_day is None:
        event["dose_mg"] = str(row.dose_mg) if row.dose_mg is not None else ""
    event["staff"] = signed_in.staff_id
    record_event(session, "dispensing", now, event)
    return row, issue_for_dose(session, signed_in, now, place, row)


def void(skranke: Skranke, actor: Actor | None, dispensing_id: int, reason: str) -> DoseResult:
    """A doctor voids a record with a reason; it stays visible as voided and frees the dose's place."""
    from skranke.store.imports import record_event
    from skranke.store.models import Dispensing
    from skranke.store.window import void_dispensing

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
        reverse_for_dose(session, signed_in, now, row)
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
        return DoseResult.of(row)


def _close_tasks_of_voided(session: Session, row: Dispensing, now: datetime, staff_id: str, reason: str) -> list[int]:
    """A voided "intoxicated" refusal closes the doctor's task it raised, and the task says why
    (DESIGN §1 "Undo where the law allows it"); one already done is annotated. The task ids."""
    from skranke.store.window import tasks_raised_by

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
            "dose_mg": json_number(self.dose_mg) if self.dose_mg is not None else None,
        }


def release(
    skranke: Skranke, actor: Actor | None, prescription_id: str, reason: str, dose_mg: Decimal | None = None
) -> ReleaseResult:
    """A doctor lifts a missed-days hold for today, with a note and optionally a reduced dose."""
    from sqlalchemy.exc import IntegrityError

    from skranke.store.imports import record_event
    from skranke.store.models import HoldRelease
    from skranke.store.window import release_of

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
    # Per preparation: the ledger's balance against that day's count (services.stock.day_counts).
    counts: list[DayCount] = field(default_factory=list)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "date": self.day.isoformat(),
            "missed": [m.to_json_dict() for m in self.missed],
            "counts": [c.to_json_dict() for c in self.counts],
        }


def close_day(
    skranke: Skranke, actor: Actor | None, day: date | None = None, service: str | None = None
) -> CloseDayResult:
    """Due doses not given become `missed`, in one transaction, so missed days count from records."""
    from skranke.store.models import DayClosing
    from skranke.store.window import day_closing

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
        data = DayData(skranke, session, day)
        end_of_day = datetime.combine(day, datetime.max.time(), now.tzinfo)
        for order in data.orders:
            if data.place(order.citizen_id, order.preparation) != service:
                continue
            for dose in data.due(order, min(now, end_of_day)):
                if dose.delivery:
                    continue
                row, _stock = _record_dose(
                    session, signed_in, now, order, dose, "missed", place=service, closed_day=day
                )
                missed.append(DoseResult.of(row))
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
        counts = day_counts(skranke, session, service, day)
    return CloseDayResult(service, day, missed, counts)
