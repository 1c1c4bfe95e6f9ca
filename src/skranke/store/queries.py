"""The queries the screens need. Every dialect difference stays in this package."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import Row, Select, func, or_, select
from sqlalchemy.orm import Session

from skranke.domain.deadlines import ListingBounds
from skranke.store.models import Appointment, Case, CheckIn, Citizen, Task


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


def listed_cases_statements(bounds: ListingBounds) -> list[Select]:
    """The cases the Frister view can list (a superset; the rules decide): waiting requests
    (ix_cases_open_requests), running treatments whose plan review can be due by the horizon
    (the same index, by start), and cases closed within the follow-ups' reach (ix_cases_closed_on)."""
    waiting = select(*CASE_COLUMNS).where(
        Case.treatment_start.is_(None), Case.closed_on.is_(None), Case.paragraph.in_(bounds.waiting_paragraphs)
    )
    running = select(*CASE_COLUMNS).where(
        Case.treatment_start <= bounds.reviewed_by,
        Case.closed_on.is_(None),
        or_(Case.plan_reviewed_on.is_(None), Case.plan_reviewed_on <= bounds.reviewed_by),
    )
    statements = [waiting, running]
    if bounds.closed_from is not None and bounds.closed_to is not None:
        statements.append(
            select(*CASE_COLUMNS).where(
                Case.closed_on.between(bounds.closed_from, bounds.closed_to),
                Case.closing_status.in_(bounds.follow_up_statuses),
                Case.paragraph.in_(bounds.follow_up_paragraphs),
            )
        )
    return statements


def done_follow_ups_statement(bounds: ListingBounds) -> Select:
    """(case id, month) of follow-ups recorded as made, for the closed cases the view can list."""
    closed = select(Case.id).where(Case.closed_on.between(bounds.closed_from, bounds.closed_to))
    return select(Task.case_id, Task.follow_up_month).where(
        Task.kind == "follow_up", Task.done_at.is_not(None), Task.case_id.in_(closed)
    )


def listed_case_rows(session: Session, bounds: ListingBounds) -> Iterator[Row]:
    """Plain Core rows in CASE_COLUMNS' order (no ORM loading: it cost more than the SQL),
    handed on one by one, so the caller's objects need not sit beside a list of rows."""
    connection = session.connection()
    for statement in listed_cases_statements(bounds):
        # In batches (fetchmany): one fetchone per row costs more than the SQL.
        for batch in connection.execute(statement).partitions(2000):
            yield from batch


def done_follow_ups(session: Session, bounds: ListingBounds) -> set[tuple[str, int]]:
    if bounds.closed_from is None:
        return set()
    rows = session.connection().execute(done_follow_ups_statement(bounds))
    return {(case_id, month) for case_id, month in rows if case_id is not None and month is not None}


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


def guarantee_appointment_rows(session: Session, kinds: tuple[str, ...]) -> list[Row]:
    return list(session.connection().execute(guarantee_appointments_statement(kinds)).all())


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
