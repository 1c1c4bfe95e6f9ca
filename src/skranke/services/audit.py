"""The audit log: every action and every look at a citizen, in the same transaction as the act.

Append-only in the database itself (triggers of migration 0002 refuse UPDATE and DELETE) and
tamper-evident (a SHA-256 chain over the events, migration 0008, domain.audit_chain);
`skranke audit` answers "who looked at my record", `skranke audit verify` whether the log is
as it was written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from skranke.i18n import _, ngettext, short_date, whole_number
from skranke.services.access import Actor, require
from skranke.services.context import Skranke

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from skranke.domain.audit_chain import ChainCheck

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
    "audit_verify",
    "encrypt",
    "backup",
    "restore",
    "label",
    "witness_failed",
    "stock_receive",
    "stock_witness",
    "stock_waste",
    "stock_transfer",
    "stock_count",
    "stock_issue",
    "stock_reversal",
    "report",
    "smdb_export",
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
        "audit_verify": _("checked the audit log's chain"),
        "encrypt": _("encrypted the store"),
        "backup": _("took a backup"),
        "restore": _("restored a backup"),
        "label": _("made a take-home label"),
        "witness_failed": _("a witness's PIN was refused"),
        "stock_receive": _("received stock"),
        "stock_witness": _("witnessed an imported receipt"),
        "stock_waste": _("recorded waste"),
        "stock_transfer": _("transferred stock"),
        "stock_count": _("counted stock"),
        "stock_issue": _("issued stock for a dose"),
        "stock_reversal": _("reversed a dose's issue"),
        "report": _("looked at the key figures"),
        "smdb_export": _("wrote the register's basis (SMDB)"),
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
        "stock_entry": _("ledger entry"),
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
    """Add one event to the caller's transaction: it commits or rolls back with the act itself
    (chained when the transaction commits: store.audit_chain)."""
    from skranke.store.audit_chain import add_events

    assert action in ACTIONS, action
    add_events(
        session,
        [
            {
                "at": at,
                "staff": actor.staff_id,
                "workstation": actor.workstation,
                "action": action,
                "citizen_id": citizen_id,
                "entity": entity,
                "entity_id": entity_id,
                "detail": dict(detail or {}),
            }
        ],
    )


def record_added(
    session: Session,
    actor: Actor,
    at: datetime,
    action: str,
    row: Any,
    *,
    entity: str,
    citizen_id: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Add a new row and the event that records it, naming it by its id: the row is flushed
    first, so the database has given it one (a dose record, a complaint)."""
    session.add(row)
    session.flush()
    record(session, actor, at, action, citizen_id=citizen_id, entity=entity, entity_id=str(row.id), detail=detail)


def record_looks(
    session: Session, actor: Actor, at: datetime, action: str, citizen_ids: Iterable[str], **detail: Any
) -> None:
    """One event per citizen shown in a list, so "who looked at my record" finds each of them."""
    from skranke.store.audit_chain import add_events

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
    add_events(session, rows)


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
    from skranke.store.audit_log import audit_events as stored_events

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
    from skranke.store.audit_log import last_audit_events

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


def verify_chain(skranke: Skranke, actor: Actor | None) -> ChainCheck:
    """Walk the whole log in order against its hash chain (admin only); the first break, if any.

    The walk reads a batch at a time; the events it covers are those up to the newest there was
    when it began (read before the head: a writer moves the head with its events, so an event
    past the head is one no writer chained). The check is itself logged, after the walk.
    """
    from skranke.domain.audit_chain import check_chain
    from skranke.store.audit_chain import chain_events, chain_head, last_event_id

    admin = require(actor, "read_audit")
    with skranke.database.reading() as session:
        newest = last_event_id(session)
        head = chain_head(session)
        check = check_chain(chain_events(session, max(newest, head.last_id if head else 0)), head)
    broken = check.broken
    with skranke.database.transaction() as session:
        record(
            session,
            admin,
            skranke.clock.now(),
            "audit_verify",
            detail={
                "whole": check.whole,
                "events": check.events,
                "last_hash": check.last_hash,
                "first_broken": None if broken is None else {"id": broken.event_id, "problem": broken.problem},
            },
        )
    return check


def chain_json(check: ChainCheck) -> dict[str, Any]:
    """`skranke audit verify --json`: {"ok", "events", "last_hash", "first_broken": {"id", "at",
    "action", "problem", "missing"} | null} (README)."""
    broken = check.broken
    return {
        "ok": check.whole,
        "events": check.events,
        "last_hash": check.last_hash,
        "first_broken": None
        if broken is None
        else {
            "id": broken.event_id,
            "at": broken.at.isoformat() if broken.at else None,
            "action": broken.action,
            "problem": broken.problem,
            "missing": broken.missing,
        },
    }


def chain_sentence(check: ChainCheck, now: datetime) -> str:
    """What `skranke audit verify` says: the log whole with its count and last hash, or the
    first break, naming the event (id, when, what) and what is wrong with it."""
    # Imported here: staff imports this module, and the chain's code is not needed to paint I dag.
    from skranke.domain.audit_chain import EDITED, HEAD_MISSING, INSERTED

    broken = check.broken
    if broken is None:
        return ngettext(
            "The audit log is whole: {count} event, the last hash {hash}.",
            "The audit log is whole: {count} events, the last hash {hash}.",
            check.events,
        ).format(count=whole_number(check.events), hash=check.last_hash)
    if broken.event_id is None or broken.at is None:
        if broken.problem == HEAD_MISSING:
            return _("The audit log's chain has no head (table audit_chain): its newest events cannot be checked.")
        return _("Every event of the audit log is missing: the chain's head names events that are not there.")
    at = broken.at.astimezone(now.tzinfo)
    names = {
        "id": broken.event_id,
        "when": f"{short_date(at.date())} {at:%H.%M.%S}",
        "action": action_word(broken.action or ""),
    }
    if broken.problem == EDITED:
        edited = _("Event {id} of the audit log ({when}, {action}) was changed: it no longer fits the chain.")
        return edited.format(**names)
    if broken.problem == INSERTED:
        inserted = _("Event {id} of the audit log ({when}, {action}) was inserted: it does not belong in the chain.")
        return inserted.format(**names)
    if broken.problem == HEAD_MISSING:
        return _(
            "The audit log's chain has no head (table audit_chain): nothing after event {id} ({when}, {action}) "
            "can be checked."
        ).format(**names)
    if broken.missing == "after":
        return _(
            "Events are missing from the audit log after event {id} ({when}, {action}): "
            "the chain's head names a later one."
        ).format(**names)
    return _(
        "Events are missing from the audit log before event {id} ({when}, {action}): "
        "it does not join the event before it."
    ).format(**names)
