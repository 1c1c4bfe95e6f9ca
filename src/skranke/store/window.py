"""Queries of the dispensing window: the day's orders, dose records, hold releases, day closings.

The queue reads thousands of rows at a large clinic: what it reads comes as plain rows (named
tuples) in the order of the rules' values, not as ORM objects (see `read_rows`).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, or_, select, union, update
from sqlalchemy.orm import Session

from skranke.domain.dispensing import Order
from skranke.store.models import AuditEvent, CheckIn, Citizen, DayClosing, Dispensing, HoldRelease, Prescription, Task
from skranke.store.reads import read_rows

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
        return read_rows(session, orders_valid_on_statement(), {"day": day})
    query = select(*_PRESCRIPTION_ROW).where(_valid_on(day), Prescription.citizen_id == citizen_id)
    return read_rows(session, query.order_by(Prescription.id))


def orders_valid_on(session: Session, day: date, citizen_id: str | None = None) -> list[Order]:
    """The orders valid on a day as the dispensing rules read them, each made from its row as
    it is (the row's columns come in `Order`'s field order: `_PRESCRIPTION_ROW`)."""
    return list(map(Order._make, prescriptions_valid_on(session, day, citizen_id)))


def _valid_on(day: Any) -> Any:
    return and_(Prescription.valid_from <= day, or_(Prescription.valid_to.is_(None), Prescription.valid_to >= day))


# The queue's reads are built once, with the day bound at execution: a statement object keeps
# its cache key, so the queue re-read after every dose neither builds them nor walks them to
# find their compiled form again (~2 ms of a ~50 ms queue at 1,500 orders).
@cache
def orders_valid_on_statement() -> Select[*tuple[Any, ...]]:
    return (
        select(*_PRESCRIPTION_ROW).where(_valid_on(bindparam("day"))).order_by(Prescription.citizen_id, Prescription.id)
    )


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
        return read_rows(session, dispensings_between_statement(), values, DispensingRow)
    query = dispensings_between_statement().where(Dispensing.citizen_id.in_(citizen_ids))
    return read_rows(session, query, values, DispensingRow)


@cache
def dispensings_between_statement() -> Select[*tuple[Any, ...]]:
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
        return read_rows(session, last_given_doses_statement(True), values, DoseRecordRow)
    return read_rows(session, last_given_doses_statement(False), {"day": day}, DoseRecordRow)


@cache
def last_given_doses_statement(of_one_pair: bool) -> Select[*tuple[Any, ...]]:
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
    return {row.id: row for row in read_rows(session, citizens_of_day_statement(), {"day": day})}


@cache
def citizens_of_day_statement() -> Select[*tuple[Any, ...]]:
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


def change_marker(session: Session) -> tuple[int, int, int]:
    """Moves whenever any workstation records something: every desk action writes an audit event.

    Read once a second by each open application; three primary-key maxima, answered from the
    indexes on SQLite and PostgreSQL alike.
    """
    audit = session.execute(select(func.max(AuditEvent.id))).scalar_one() or 0
    doses = session.execute(select(func.max(Dispensing.id))).scalar_one() or 0
    check_ins = session.execute(select(func.max(CheckIn.id))).scalar_one() or 0
    return int(audit), int(doses), int(check_ins)
