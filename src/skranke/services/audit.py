"""The audit log: every action and every look at a citizen, in the same transaction as the act.

Append-only in the database itself (triggers of migration 0002 refuse UPDATE and DELETE);
`skranke audit` answers "who looked at my record".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from skranke.services.context import Skranke
from skranke.services.staff import Actor, require

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# What the log records (DESIGN §1), as the `action` column and the JSON say it.
ACTIONS = (
    "sign_in",
    "sign_in_failed",
    "sign_out",
    "search",
    "open_citizen",
    "list_deadlines",
    "reveal_cpr",
    "check_in",
    "dispense",
    "void",
    "release",
    "close_day",
    "intake",
    "follow_up",
    "task_done",
    "list_tasks",
    "list_queue",
    "staff_add",
    "staff_disable",
    "staff_pin",
    "staff_unlock",
    "sync",
    "read_audit",
)


def record(
    session: Session,
    actor: Actor,
    at: datetime,
    action: str,
    *,
    citizen_id: str | None = None,
    entity: str = "",
    entity_id: str = "",
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Add one event to the caller's transaction: it commits or rolls back with the act itself."""
    from skranke.store.models import AuditEvent

    assert action in ACTIONS, action
    session.add(
        AuditEvent(
            at=at,
            staff=actor.staff_id,
            workstation=actor.workstation,
            action=action,
            citizen_id=citizen_id,
            entity=entity,
            entity_id=entity_id,
            detail=dict(detail or {}),
        )
    )


def record_looks(
    session: Session, actor: Actor, at: datetime, action: str, citizen_ids: Iterable[str], **detail: Any
) -> None:
    """One event per citizen shown in a list, so "who looked at my record" finds each of them."""
    from skranke.store.desk import insert_audit_events

    rows = [
        {
            "at": at,
            "staff": actor.staff_id,
            "workstation": actor.workstation,
            "action": action,
            "citizen_id": citizen_id,
            "entity": "citizen",
            "entity_id": citizen_id,
            "detail": dict(detail),
        }
        for citizen_id in sorted(set(citizen_ids))
    ]
    insert_audit_events(session, rows)


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    staff: str
    workstation: str
    action: str
    citizen_id: str | None
    entity: str
    entity_id: str
    detail: dict[str, Any]

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "staff": self.staff,
            "workstation": self.workstation,
            "action": self.action,
            "citizen_id": self.citizen_id,
            "entity": self.entity,
            "entity_id": self.entity_id,
            "detail": self.detail,
        }


def audit_events(
    skranke: Skranke,
    actor: Actor | None,
    *,
    citizen_id: str | None = None,
    staff_id: str | None = None,
    since: date | None = None,
    limit: int | None = None,
) -> list[AuditEntry]:
    """Events oldest first (admin only); reading the log is itself logged."""
    from skranke.store.desk import audit_events as stored_events

    admin = require(actor, "read_audit")
    now = skranke.clock.now()
    start = datetime.combine(since, time(0), now.tzinfo) if since else None
    with skranke.database.transaction() as session:
        rows = stored_events(session, citizen_id, staff_id.strip().upper() if staff_id else None, start)
        entries = [_entry(row, now) for row in rows]
        record(
            session,
            admin,
            now,
            "read_audit",
            citizen_id=citizen_id,
            detail={"staff": staff_id, "since": since.isoformat() if since else None, "events": len(entries)},
        )
    return entries[-limit:] if limit else entries


def last_looks(session: Session, citizen_id: str, now: datetime, limit: int = 5) -> list[AuditEntry]:
    """The latest looks at and actions on one citizen, newest first, for the citizen card."""
    from skranke.store.desk import last_audit_events

    return [_entry(row, now) for row in last_audit_events(session, citizen_id, limit)]


def _entry(row: Any, now: datetime) -> AuditEntry:
    return AuditEntry(
        at=row.at.astimezone(now.tzinfo),
        staff=row.staff,
        workstation=row.workstation,
        action=row.action,
        citizen_id=row.citizen_id,
        entity=row.entity,
        entity_id=row.entity_id,
        detail=row.detail,
    )
