"""The queries the screens need. Every dialect difference stays in this package."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from skranke.store.models import Appointment, Case, CheckIn, Citizen


def count_check_ins(session: Session, start: datetime, end: datetime) -> int:
    statement = (
        select(func.count()).select_from(CheckIn).where(CheckIn.checked_in_at >= start, CheckIn.checked_in_at < end)
    )
    return session.execute(statement).scalar_one()


# --- Frister ------------------------------------------------------------------------------

CASE_COLUMNS = (
    Case.id,
    Case.citizen_id,
    Case.department,
    Case.paragraph,
    Case.contact_date,
    Case.treatment_start,
    Case.free_choice,
    Case.closed_on,
    Case.closing_status,
    Case.plan_reviewed_on,
    Case.follow_up_consent,
)


def open_request_rows(session: Session) -> list[tuple]:
    """Requests still waiting for treatment: no start, not closed (index ix_cases_open_requests)."""
    statement = select(*CASE_COLUMNS).where(Case.treatment_start.is_(None), Case.closed_on.is_(None))
    return [tuple(row) for row in session.execute(statement)]


def deadline_cases_statement(closed_since: date):
    """Every case the Frister view can list: waiting, in treatment, or closed since `closed_since`."""
    return select(*CASE_COLUMNS).where(or_(Case.closed_on.is_(None), Case.closed_on >= closed_since))


def deadline_case_rows(session: Session, closed_since: date) -> list[tuple]:
    return [tuple(row) for row in session.execute(deadline_cases_statement(closed_since))]


def guarantee_appointments_statement(kinds: tuple[str, ...]):
    """Visitation and doctor appointments of citizens with a waiting request."""
    waiting = (
        select(Case.citizen_id, func.min(Case.contact_date).label("since"))
        .where(Case.treatment_start.is_(None), Case.closed_on.is_(None))
        .group_by(Case.citizen_id)
        .subquery()
    )
    return (
        select(Appointment.id, Appointment.citizen_id, Appointment.department, Appointment.starts_at, Appointment.kind)
        .join(waiting, waiting.c.citizen_id == Appointment.citizen_id)
        .where(Appointment.kind.in_(kinds))
    )


def guarantee_appointment_rows(session: Session, kinds: tuple[str, ...]) -> list[tuple]:
    return [tuple(row) for row in session.execute(guarantee_appointments_statement(kinds))]


def citizen_case_rows(session: Session, citizen_id: str) -> list[tuple]:
    """One citizen's cases as the Frister rules read them (CASE_COLUMNS)."""
    statement = select(*CASE_COLUMNS).where(Case.citizen_id == citizen_id)
    return [tuple(row) for row in session.execute(statement)]


def citizen_guarantee_appointment_rows(session: Session, citizen_id: str, kinds: tuple[str, ...]) -> list[tuple]:
    """One citizen's appointments of the guarantee's kinds, past and future."""
    statement = select(
        Appointment.id, Appointment.citizen_id, Appointment.department, Appointment.starts_at, Appointment.kind
    ).where(Appointment.citizen_id == citizen_id, Appointment.kind.in_(kinds))
    return [tuple(row) for row in session.execute(statement)]


def citizen(session: Session, citizen_id: str) -> Citizen | None:
    return session.get(Citizen, citizen_id)


def citizen_cases(session: Session, citizen_id: str) -> list[Case]:
    return list(session.scalars(select(Case).where(Case.citizen_id == citizen_id).order_by(Case.contact_date.desc())))


def citizen_appointments(session: Session, citizen_id: str, since: datetime) -> list[Appointment]:
    return list(
        session.scalars(
            select(Appointment)
            .where(Appointment.citizen_id == citizen_id, Appointment.starts_at >= since)
            .order_by(Appointment.starts_at)
        )
    )


def citizen_names(session: Session, citizen_ids: list[str]) -> dict[str, tuple[str, str, str]]:
    """(first name, last name, alias) per citizen, for labelling rows."""
    names: dict[str, tuple[str, str, str]] = {}
    for start in range(0, len(citizen_ids), 500):
        chunk = citizen_ids[start : start + 500]
        for row in session.execute(
            select(Citizen.id, Citizen.first_name, Citizen.last_name, Citizen.alias).where(Citizen.id.in_(chunk))
        ):
            names[row[0]] = (row[1], row[2], row[3])
    return names
