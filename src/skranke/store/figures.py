"""The reads of the key figures (`services.report`): plain Core rows, no ORM loading."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from skranke.store.models import Case, Citizen, Task

# In domain.figures.CaseRecord's order.
FIGURE_COLUMNS = (
    Case.id,
    Case.citizen_id,
    Case.department,
    Case.paragraph,
    Case.contact_date,
    Case.treatment_start,
    Case.free_choice,
    Case.closed_on,
    Case.closing_status,
    Case.follow_up_consent,
    Case.personal_attendance_on,
    Case.outcome,
    Case.goals_reached,
)


def figure_case_rows(session: Session, requested_from: date, closed_from: date) -> Iterator[Any]:
    """Every case requested on or after `requested_from` (the period's requests and any later
    request, a return), or closed on or after `closed_from` (the period's discharges and those
    whose follow-ups fall in it)."""
    statement = select(*FIGURE_COLUMNS).where(or_(Case.contact_date >= requested_from, Case.closed_on >= closed_from))
    for batch in session.connection().execute(statement).partitions(5000):
        yield from batch


def follow_up_rows(session: Session, closed_from: date, closed_to: date) -> list[Any]:
    """(case id, month, done at) of the follow-ups recorded as made, of cases closed in the window."""
    statement = (
        select(Task.case_id, Task.follow_up_month, Task.done_at)
        .join(Case, Case.id == Task.case_id)
        .where(Task.kind == "follow_up", Task.done_at.is_not(None), Case.closed_on.between(closed_from, closed_to))
    )
    return list(session.connection().execute(statement))


def smdb_rows(session: Session, first: date, last: date, department: str | None) -> list[Any]:
    """Cases with a request, a start or a discharge in [first, last], with the citizen's CPR."""
    statement = (
        select(
            Case.id,
            Case.citizen_id,
            Citizen.cpr,
            Case.department,
            Case.paragraph,
            Case.contact_date,
            Case.treatment_start,
            Case.closed_on,
            Case.closing_status,
            Case.free_choice,
            Case.outcome,
            Case.goals_reached,
        )
        .join(Citizen, Citizen.id == Case.citizen_id)
        .where(
            or_(
                Case.contact_date.between(first, last),
                Case.treatment_start.between(first, last),
                Case.closed_on.between(first, last),
            )
        )
        .order_by(Case.contact_date, Case.id)
    )
    if department is not None:
        statement = statement.where(Case.department == department)
    return list(session.connection().execute(statement))
