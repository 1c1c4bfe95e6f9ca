"""Queries of the desk's reception: finding citizens, check-ins and their undoing, who is waiting."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from skranke.store.models import Appointment, Case, CheckIn, Citizen, Dispensing
from skranke.store.reads import escape_like, read_rows


def search_citizens(session: Session, words: list[str], cpr_prefix: str | None, limit: int) -> Sequence[Citizen]:
    """Citizens whose id, name or alias holds every word (folded), or whose CPR starts with the digits."""
    # The folded text is a stored column (models.CITIZEN_SEARCH_TEXT): the words come folded alike.
    conditions = [Citizen.search_text.like(f"%{escape_like(word)}%", escape="\\") for word in words]
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
    return read_rows(session, query)


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
    return read_rows(session, query)


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
