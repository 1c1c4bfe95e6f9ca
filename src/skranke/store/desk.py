"""Queries of the desk's own records: staff, the audit log (and, as they come, check-ins and doses)."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, Text, and_, bindparam, cast, func, or_, select, union, update
from sqlalchemy.orm import Session

from skranke.store.audit_chain import write_pending_events
from skranke.store.models import (
    Appointment,
    AuditEvent,
    Case,
    CheckIn,
    Citizen,
    DayClosing,
    Dispensing,
    HoldRelease,
    Prescription,
    Staff,
    Task,
)


def staff_count(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(Staff)).scalar_one())


def all_staff(session: Session) -> Sequence[Staff]:
    return session.execute(select(Staff).order_by(Staff.id)).scalars().all()


def staff_for_update(session: Session, staff_id: str) -> Staff | None:
    """The row, locked against a second workstation counting the same wrong PIN (PostgreSQL)."""
    return session.get(Staff, staff_id, with_for_update=True)


def audit_events(
    session: Session, citizen_id: str | None, staff_id: str | None, since: datetime | None
) -> Sequence[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.at, AuditEvent.id)
    if citizen_id:
        # A search is one event with its hits' ids in the detail (services.desk.search_citizens):
        # "who looked at my record" finds the searches that showed the citizen among others too.
        listed = cast(AuditEvent.detail, Text).like(f'%"{_escape_like(citizen_id)}"%', escape="\\")
        query = query.where(
            or_(
                AuditEvent.citizen_id == citizen_id,
                and_(AuditEvent.action == "search", AuditEvent.citizen_id.is_(None), listed),
            )
        )
    if staff_id:
        query = query.where(AuditEvent.staff == staff_id)
    if since:
        query = query.where(AuditEvent.at >= since)
    return session.execute(query).scalars().all()


def last_audit_events(session: Session, citizen_id: str, limit: int) -> Sequence[AuditEvent]:
    """The newest events about a citizen, this transaction's own included (written now)."""
    write_pending_events(session)
    query = (
        select(AuditEvent)
        .where(AuditEvent.citizen_id == citizen_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return session.execute(query).scalars().all()


# --- citizens: search and check-in ----------------------------------------------------------


def search_citizens(session: Session, words: list[str], cpr_prefix: str | None, limit: int) -> Sequence[Citizen]:
    """Citizens whose id, name or alias holds every word (folded), or whose CPR starts with the digits."""
    # The folded text is a stored column (models.CITIZEN_SEARCH_TEXT): the words come folded alike.
    conditions = [Citizen.search_text.like(f"%{_escape_like(word)}%", escape="\\") for word in words]
    if cpr_prefix:
        match = (
            or_(Citizen.cpr.like(f"{cpr_prefix}%"), and_(*conditions))
            if conditions
            else Citizen.cpr.like(f"{cpr_prefix}%")
        )
    else:
        match = and_(*conditions)
    query = select(Citizen).where(match).order_by(Citizen.last_name, Citizen.first_name, Citizen.id).limit(limit)
    return session.execute(query).scalars().all()


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def check_in_of(session: Session, citizen_id: str, place: str, day: date) -> CheckIn | None:
    """The check-in that counts (not undone) of a citizen at a place on a day."""
    return session.execute(
        select(CheckIn).where(
            CheckIn.citizen_id == citizen_id,
            CheckIn.department == place,
            CheckIn.service_date == day,
            CheckIn.undone_at.is_(None),
        )
    ).scalar_one_or_none()


def check_ins_of_citizen(session: Session, citizen_id: str, day: date) -> Sequence[CheckIn]:
    """Every check-in of a citizen on a day, undone ones too, in the order they were made."""
    query = (
        select(CheckIn)
        .where(CheckIn.citizen_id == citizen_id, CheckIn.service_date == day)
        .order_by(CheckIn.checked_in_at, CheckIn.id)
    )
    return session.execute(query).scalars().all()


def undo_check_in(session: Session, check_in: CheckIn, at: datetime, staff_id: str, reason: str) -> bool:
    """The one change a check-in allows (the trigger refuses any other); False when another
    workstation undid it first."""
    result = session.execute(
        update(CheckIn)
        .where(CheckIn.id == check_in.id, CheckIn.undone_at.is_(None))
        .values(undone_at=at, undone_by=staff_id, undo_reason=reason)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def doses_since(session: Session, citizen_id: str, day: date, since: datetime) -> Sequence[Any]:
    """A citizen's dose records of a day (not voided) recorded at or after `since`: preparation,
    outcome and when (what an undo of a check-in is refused on)."""
    query = (
        select(Dispensing.preparation, Dispensing.outcome, Dispensing.recorded_at)
        .where(
            Dispensing.citizen_id == citizen_id,
            Dispensing.service_date == day,
            Dispensing.voided_at.is_(None),
            Dispensing.recorded_at >= since,
        )
        .order_by(Dispensing.recorded_at)
    )
    return _rows(session, query)


def waiting_check_ins(session: Session, day: date, places: Sequence[str]) -> Sequence[Any]:
    """Check-ins of a day at the given places, not undone, with no dose record (not voided) since:
    who is waiting at the window. The citizen's name columns with each; no dose data."""
    served = (
        select(Dispensing.id)
        .where(
            Dispensing.citizen_id == CheckIn.citizen_id,
            Dispensing.service_date == CheckIn.service_date,
            Dispensing.voided_at.is_(None),
            Dispensing.recorded_at >= CheckIn.checked_in_at,
        )
        .exists()
    )
    query = (
        select(
            CheckIn.citizen_id,
            CheckIn.department,
            CheckIn.checked_in_at,
            Citizen.first_name,
            Citizen.last_name,
            Citizen.alias,
        )
        .join(Citizen, Citizen.id == CheckIn.citizen_id)
        .where(
            CheckIn.service_date == day,
            CheckIn.department.in_(places),
            CheckIn.undone_at.is_(None),
            ~served,
        )
        .order_by(CheckIn.checked_in_at, CheckIn.id)
    )
    return _rows(session, query)


def looked_at_since(session: Session, action: str, staff_id: str, workstation: str, since: datetime) -> set[str]:
    """The citizens a staff member's workstation has an `action` event of since a moment: a list
    seen again the same day is not logged again."""
    query = select(AuditEvent.citizen_id).where(
        AuditEvent.action == action,
        AuditEvent.staff == staff_id,
        AuditEvent.workstation == workstation,
        AuditEvent.at >= since,
        AuditEvent.citizen_id.is_not(None),
    )
    return {str(row[0]) for row in session.execute(query).all()}


def check_ins_on(session: Session, day: date, places: Sequence[str] | None = None) -> Sequence[CheckIn]:
    """The check-ins of a day that count (an undone one stops counting as waiting)."""
    query = (
        select(CheckIn)
        .where(CheckIn.service_date == day, CheckIn.undone_at.is_(None))
        .order_by(CheckIn.checked_in_at, CheckIn.id)
    )
    if places is not None:
        query = query.where(CheckIn.department.in_(places))
    return session.execute(query).scalars().all()


def _rows(session: Session, query: Select, values: dict[str, Any] | None = None, as_type: Any = None) -> Sequence[Any]:
    """Read-only rows of a Core select, on the session's connection: the ORM's result handling
    (its loading of each row) cost more than these queries for the thousands of rows a queue reads.
    `as_type`: a named tuple to make of each row instead (a Row reads a value by name several
    times slower than a named tuple: worth it for rows read field by field, as the day's doses)."""
    result = session.connection().execute(query, values)
    if as_type is None:
        return result.all()
    return list(map(as_type._make, result))


# Orders and citizens to read, not change, as plain rows with the models' attribute names and
# types (a queue reads 1,500 of each; building ORM objects for them cost more than the queries).
# Only the columns the readers use: each column is converted for every row (a date parsed, a
# UTC time made aware), which cost more than the queries themselves. An order's columns come in
# the order of domain.dispensing.Order's fields: an Order is made from the row as it is (a test
# holds the two to one order).
_PRESCRIPTION_ROW = (
    Prescription.id,
    Prescription.citizen_id,
    Prescription.preparation,
    Prescription.dose_mg,
    Prescription.doses_per_day,
    Prescription.pickup_rule,
    Prescription.supervised,
    Prescription.valid_from,
    Prescription.valid_to,
    Prescription.delivery,
    Prescription.last_dispensed_on,
    Prescription.approved_on,
)
_CITIZEN_ROW = (Citizen.id, Citizen.cpr, Citizen.first_name, Citizen.last_name, Citizen.alias)


def prescriptions_valid_on(session: Session, day: date, citizen_id: str | None = None) -> Sequence[Any]:
    """Orders whose validity holds the day (the pickup rule is the domain's to read), as read-only
    rows with the attributes of `Prescription` (all but who prescribed it and when it was imported)."""
    if citizen_id is None:
        return _rows(session, orders_valid_on_statement(), {"day": day})
    query = select(*_PRESCRIPTION_ROW).where(_valid_on(day), Prescription.citizen_id == citizen_id)
    return _rows(session, query.order_by(Prescription.id))


def _valid_on(day: Any) -> Any:
    return and_(Prescription.valid_from <= day, or_(Prescription.valid_to.is_(None), Prescription.valid_to >= day))


# The queue's reads are built once, with the day bound at execution: a statement object keeps
# its cache key, so the queue re-read after every dose neither builds them nor walks them to
# find their compiled form again (~2 ms of a ~50 ms queue at 1,500 orders).
@cache
def orders_valid_on_statement() -> Select:
    return (
        select(*_PRESCRIPTION_ROW).where(_valid_on(bindparam("day"))).order_by(Prescription.citizen_id, Prescription.id)
    )


def prescriptions_of(session: Session, citizen_id: str) -> Sequence[Prescription]:
    query = select(Prescription).where(Prescription.citizen_id == citizen_id).order_by(Prescription.valid_from)
    return session.execute(query).scalars().all()


def appointments_between(session: Session, citizen_id: str, start: datetime, end: datetime) -> Sequence[Appointment]:
    query = (
        select(Appointment)
        .where(Appointment.citizen_id == citizen_id, Appointment.starts_at >= start, Appointment.starts_at < end)
        .order_by(Appointment.starts_at)
    )
    return session.execute(query).scalars().all()


def open_cases_of(session: Session, citizen_id: str) -> Sequence[Case]:
    query = select(Case).where(Case.citizen_id == citizen_id, Case.closed_on.is_(None)).order_by(Case.contact_date)
    return session.execute(query).scalars().all()


def change_marker(session: Session) -> tuple[int, int, int]:
    """Moves whenever any workstation records something: every desk action writes an audit event.

    Read once a second by each open application; three primary-key maxima, answered from the
    indexes on SQLite and PostgreSQL alike.
    """
    audit = session.execute(select(func.max(AuditEvent.id))).scalar_one() or 0
    doses = session.execute(select(func.max(Dispensing.id))).scalar_one() or 0
    check_ins = session.execute(select(func.max(CheckIn.id))).scalar_one() or 0
    return int(audit), int(doses), int(check_ins)


# --- dispensing -----------------------------------------------------------------------------


# Dispensing records to read, not change: plain rows with the model's attribute names and types
# (no ORM objects: a queue reads thousands, and building the objects cost more than the query).
# First what the rules read of a record, in the order of domain.dispensing.DoseRecord's fields
# (`voided` for voided_at IS NOT NULL), so that a record is built from the row's first ten values
# (a test holds the two to one order); then its citizen, and for the day's records the rest.
_DOSE_RECORD_ROW = (
    Dispensing.id,
    Dispensing.prescription_id,
    Dispensing.preparation,
    Dispensing.service_date,
    Dispensing.dose_number,
    Dispensing.outcome,
    Dispensing.recorded_at,
    Dispensing.covers_days,
    Dispensing.voided_at.is_not(None).label("voided"),
    Dispensing.staff_id,
    Dispensing.citizen_id,
)
_DOSE_RECORD_KEYS = [column.key for column in _DOSE_RECORD_ROW]
_OTHER_DISPENSING_COLUMNS = [c for c in Dispensing.__table__.columns if c.key not in _DOSE_RECORD_KEYS]
_DISPENSING_ROW = (*_DOSE_RECORD_ROW, *_OTHER_DISPENSING_COLUMNS)
# The rows as named tuples (see _rows), with the same names.
DoseRecordRow = namedtuple("DoseRecordRow", _DOSE_RECORD_KEYS)  # type: ignore[misc]
DispensingRow = namedtuple(  # type: ignore[misc]
    "DispensingRow", [*_DOSE_RECORD_KEYS, *(c.key for c in _OTHER_DISPENSING_COLUMNS)]
)


def dispensings_between(
    session: Session, first_day: date, last_day: date, citizen_ids: Sequence[str] | None = None
) -> Sequence[Any]:
    """Every record (voided ones too) from `first_day` to `last_day` (index ix_dispensings_service_date),
    as read-only rows with the attributes of `Dispensing`."""
    values = {"first_day": first_day, "last_day": last_day}
    if citizen_ids is None:
        return _rows(session, dispensings_between_statement(), values, DispensingRow)
    query = dispensings_between_statement().where(Dispensing.citizen_id.in_(citizen_ids))
    return _rows(session, query, values, DispensingRow)


@cache
def dispensings_between_statement() -> Select:
    return (
        select(*_DISPENSING_ROW)
        .where(Dispensing.service_date >= bindparam("first_day"), Dispensing.service_date <= bindparam("last_day"))
        .order_by(Dispensing.recorded_at, Dispensing.id)
    )


def last_given_doses(
    session: Session, day: date, citizen_id: str | None = None, preparation: str | None = None
) -> Sequence[Any]:
    """Per citizen and preparation, the given, non-voided records of the latest day before `day`
    that has one: with the day's own records, all the dispensing rules need (domain.dispensing).

    The pairs are those of the orders valid on `day`, or only (`citizen_id`, `preparation`).
    Each latest day is found by walking the partial index uq_dispensings_one_dose (citizen,
    preparation, day; voided_at IS NULL) backwards from `day`, not by reading the history.
    Read-only rows with the attributes of `Dispensing` the rules read (a dose record's and the citizen).
    """
    if citizen_id is not None and preparation is not None:
        values = {"day": day, "citizen_id": citizen_id, "preparation": preparation}
        return _rows(session, last_given_doses_statement(True), values, DoseRecordRow)
    return _rows(session, last_given_doses_statement(False), {"day": day}, DoseRecordRow)


@cache
def last_given_doses_statement(of_one_pair: bool) -> Select:
    from sqlalchemy.orm import aliased

    day: Any = bindparam("day")
    if of_one_pair:
        keys = select(
            bindparam("citizen_id", type_=Dispensing.citizen_id.type).label("citizen_id"),
            bindparam("preparation", type_=Dispensing.preparation.type).label("preparation"),
        ).subquery()
    else:
        keys = select(Prescription.citizen_id, Prescription.preparation).where(_valid_on(day)).distinct().subquery()
    earlier = aliased(Dispensing)
    # ORDER BY ... LIMIT 1 rather than max(): the outcome is not in the index, and max() with
    # that filter would read every record of the pair instead of stopping at the first given.
    latest_day = (
        select(earlier.service_date)
        .where(
            earlier.citizen_id == keys.c.citizen_id,
            earlier.preparation == keys.c.preparation,
            earlier.voided_at.is_(None),
            earlier.service_date < day,
            earlier.outcome == "given",
        )
        .order_by(earlier.service_date.desc())
        .limit(1)
        .scalar_subquery()
    )
    return (
        select(*_DOSE_RECORD_ROW)
        .select_from(keys)
        .join(
            Dispensing,
            and_(
                Dispensing.citizen_id == keys.c.citizen_id,
                Dispensing.preparation == keys.c.preparation,
                Dispensing.voided_at.is_(None),
                Dispensing.service_date == latest_day,
            ),
        )
        .where(Dispensing.outcome == "given")
        .order_by(Dispensing.recorded_at, Dispensing.id)
    )


def recorded_dose(
    session: Session, citizen_id: str, preparation: str, day: date, dose_number: int
) -> Dispensing | None:
    """The non-voided record holding this dose's place (the never-twice index), if any."""
    return session.execute(
        select(Dispensing).where(
            Dispensing.citizen_id == citizen_id,
            Dispensing.preparation == preparation,
            Dispensing.service_date == day,
            Dispensing.dose_number == dose_number,
            Dispensing.voided_at.is_(None),
        )
    ).scalar_one_or_none()


def releases_on(session: Session, day: date) -> Sequence[HoldRelease]:
    return session.execute(select(HoldRelease).where(HoldRelease.service_date == day)).scalars().all()


def release_of(session: Session, prescription_id: str, day: date) -> HoldRelease | None:
    return session.execute(
        select(HoldRelease).where(HoldRelease.prescription_id == prescription_id, HoldRelease.service_date == day)
    ).scalar_one_or_none()


def citizens_by_id(session: Session, citizen_ids: Sequence[str]) -> dict[str, Any]:
    """The citizens as read-only rows with what a list shows of them (id, cpr, first_name,
    last_name, alias), by id."""
    if not citizen_ids:
        return {}
    # One statement whatever the number of ids (expanded at execution, not compiled anew).
    query = select(*_CITIZEN_ROW).where(Citizen.id.in_(bindparam("ids", expanding=True)))
    rows = session.connection().execute(query, {"ids": sorted(set(citizen_ids))}).all()
    return {row.id: row for row in rows}


def citizens_of_day(session: Session, day: date) -> dict[str, Any]:
    """The citizens a day's queue may show, as `citizens_by_id` gives them: those with an order
    valid on `day`, a check-in or a dose record of `day`."""
    return {row.id: row for row in _rows(session, citizens_of_day_statement(), {"day": day})}


@cache
def citizens_of_day_statement() -> Select:
    day: Any = bindparam("day")
    # The ids as one subquery, not 1,500 bound values: each value is processed and the
    # statement's text rebuilt at every execution of an expanding IN.
    ids = union(
        select(Prescription.citizen_id).where(_valid_on(day)),
        select(CheckIn.citizen_id).where(CheckIn.service_date == day, CheckIn.undone_at.is_(None)),
        select(Dispensing.citizen_id).where(Dispensing.service_date == day),
    )
    return select(*_CITIZEN_ROW).where(Citizen.id.in_(ids))


def day_closing(session: Session, service: str, day: date) -> DayClosing | None:
    return session.get(DayClosing, (service, day))


def void_dispensing(session: Session, dispensing: Dispensing, at: datetime, staff_id: str, reason: str) -> None:
    """The one change a dispensing allows (the trigger refuses any other)."""
    session.execute(
        update(Dispensing)
        .where(Dispensing.id == dispensing.id, Dispensing.voided_at.is_(None))
        .values(voided_at=at, voided_by=staff_id, void_reason=reason)
    )


def looked_at_on(
    session: Session, action: str, staff_id: str, workstation: str, start: datetime, end: datetime
) -> set[str]:
    """The citizens a list has logged as looked at by one person at one workstation in a period."""
    query = select(AuditEvent.citizen_id).where(
        AuditEvent.action == action,
        AuditEvent.staff == staff_id,
        AuditEvent.workstation == workstation,
        AuditEvent.at >= start,
        AuditEvent.at < end,
        AuditEvent.citizen_id.is_not(None),
    )
    return {str(citizen_id) for citizen_id in session.execute(query.distinct()).scalars()}


def tasks_raised_by(session: Session, dispensing: Dispensing, kind: str) -> Sequence[Task]:
    """The tasks a recorded dose raised (a refusal's "tell the doctor"): created in the dose's own
    transaction, so for its citizen, by its staff member, at its moment."""
    query = select(Task).where(
        Task.kind == kind,
        Task.citizen_id == dispensing.citizen_id,
        Task.created_by == dispensing.staff_id,
        Task.created_at == dispensing.recorded_at,
    )
    return session.execute(query.order_by(Task.id)).scalars().all()
