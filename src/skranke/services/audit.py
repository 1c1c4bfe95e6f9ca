"""The audit log: every action and every look at a citizen, in the same transaction as the act.

Append-only in the database itself (triggers of migration 0002 refuse UPDATE and DELETE);
`skranke audit` answers "who looked at my record".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from skranke.i18n import _, short_date
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
    "check_in_undo",
    "list_waiting",
    "dispense",
    "identity_mismatch",
    "void",
    "release",
    "close_day",
    "intake",
    "follow_up",
    "complaint_add",
    "complaint_answer",
    "task_done",
    "list_tasks",
    "list_queue",
    "staff_add",
    "staff_disable",
    "staff_pin",
    "staff_unlock",
    "sync",
    "read_audit",
    "encrypt",
    "backup",
    "restore",
)


def action_word(action: str) -> str:
    """What an event says happened, in the interface language (the code stays in --json).
    A look uses the citizen card's words for it; an action another version adds shows its code."""
    return {
        "sign_in": _("signed in"),
        "sign_in_failed": _("wrong PIN"),
        "sign_out": _("signed out"),
        "search": _("found in a search"),
        "open_citizen": _("opened the card"),
        "list_deadlines": _("seen on Frister"),
        "reveal_cpr": _("showed the full CPR"),
        "check_in": _("checked in"),
        "check_in_undo": _("undid a check-in"),
        "list_waiting": _("seen waiting at the window"),
        "dispense": _("recorded a dose"),
        "identity_mismatch": _("the birth date did not match"),
        "void": _("voided a dose"),
        "release": _("released a hold"),
        "close_day": _("closed the day"),
        "intake": _("registered a request"),
        "follow_up": _("recorded a follow-up"),
        "complaint_add": _("registered a complaint or access request"),
        "complaint_answer": _("recorded a complaint answered"),
        "task_done": _("marked a task done"),
        "list_tasks": _("seen on Tasks"),
        "list_queue": _("seen in the dispensing queue"),
        "staff_add": _("added a staff member"),
        "staff_disable": _("disabled a staff member"),
        "staff_pin": _("set a PIN"),
        "staff_unlock": _("unlocked a PIN"),
        "sync": _("ran a sync"),
        "read_audit": _("opened the audit log"),
        "encrypt": _("encrypted the store"),
        "backup": _("took a backup"),
        "restore": _("restored a backup"),
    }.get(action, action)


def entity_word(entity: str) -> str:
    """What an event was about, in the interface language."""
    return {
        "citizen": _("citizen"),
        "case": _("case"),
        "complaint": _("complaint"),
        "department": _("department"),
        "dispensing": _("dose record"),
        "file": _("file"),
        "prescription": _("order"),
        "service": _("service"),
        "staff": _("staff member"),
        "store": _("store"),
        "task": _("task"),
    }.get(entity, entity)


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

    def text_line(self) -> str:
        """One line of `skranke audit`: when, who, where, what, about whom."""
        about = f"{entity_word(self.entity)} {self.entity_id}".strip()
        return (
            f"{short_date(self.at.date())} {self.at:%H.%M.%S}  {self.staff:<11} {self.workstation:<16} "
            f"{action_word(self.action):<30} {self.citizen_id or '':<10} {about}"
        ).rstrip()

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
