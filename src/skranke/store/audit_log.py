"""Reads of the audit log: who did what and who looked at whom (the writing is store.audit_chain's)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Text, and_, cast, or_, select
from sqlalchemy.orm import Session

from skranke.store.audit_chain import write_pending_events
from skranke.store.models import AuditEvent
from skranke.store.reads import escape_like


def audit_events(
    session: Session, citizen_id: str | None, staff_id: str | None, since: datetime | None
) -> Sequence[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.at, AuditEvent.id)
    if citizen_id:
        # A search is one event with its hits' ids in the detail (services.reception.search_citizens):
        # "who looked at my record" finds the searches that showed the citizen among others too.
        listed = cast(AuditEvent.detail, Text).like(f'%"{escape_like(citizen_id)}"%', escape="\\")
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
