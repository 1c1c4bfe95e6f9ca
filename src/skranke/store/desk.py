"""Queries of the desk's own records: staff, the audit log (and, as they come, check-ins and doses)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from skranke.store.models import AuditEvent, Staff


def staff_count(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(Staff)).scalar_one())


def all_staff(session: Session) -> Sequence[Staff]:
    return session.execute(select(Staff).order_by(Staff.id)).scalars().all()


def staff_for_update(session: Session, staff_id: str) -> Staff | None:
    """The row, locked against a second workstation counting the same wrong PIN (PostgreSQL)."""
    return session.get(Staff, staff_id, with_for_update=True)


def insert_audit_events(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(AuditEvent), rows)


def audit_events(
    session: Session, citizen_id: str | None, staff_id: str | None, since: datetime | None
) -> Sequence[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.at, AuditEvent.id)
    if citizen_id:
        query = query.where(AuditEvent.citizen_id == citizen_id)
    if staff_id:
        query = query.where(AuditEvent.staff == staff_id)
    if since:
        query = query.where(AuditEvent.at >= since)
    return session.execute(query).scalars().all()


def last_audit_events(session: Session, citizen_id: str, limit: int) -> Sequence[AuditEvent]:
    query = (
        select(AuditEvent)
        .where(AuditEvent.citizen_id == citizen_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return session.execute(query).scalars().all()
