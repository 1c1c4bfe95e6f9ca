"""Writing the audit log's events chained (domain.audit_chain), and reading them back in order.

A use case's events are held in its session and written when it commits
(`Database.transaction` calls `write_pending_events` just before the commit), so taking the
chain's head is the last thing a transaction does:
- two workstations writing at once queue on the head row (PostgreSQL: its row lock; SQLite:
  the database's write lock, which the UPDATE takes before the head is read, so no stale read
  can precede it), and each chains onto the other's last event, never onto the same one;
- a transaction holding the head waits for nothing else: a dose's unique key or a staff row
  is locked before the head, always, so the head can be part of no deadlock;
- the head is held for three statements, not for the whole use case.
A read of the log in the same transaction (the citizen card's latest looks) writes the held
events first, so it sees its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, cast

from sqlalchemy import Table, bindparam, case, func, insert, select, update
from sqlalchemy.orm import Session

from skranke.domain.audit_chain import Head, StoredEvent, event_hash
from skranke.store.models import AuditChainHead, AuditEvent

_PENDING = "skranke.audit_events_pending"
# Declarative classes map a Table; SQLAlchemy types `__table__` as the general FromClause.
_EVENTS = cast(Table, AuditEvent.__table__)
_HEAD = cast(Table, AuditChainHead.__table__)
_COLUMNS = (
    _EVENTS.c.id,
    _EVENTS.c.at,
    _EVENTS.c.actor,
    _EVENTS.c.workstation,
    _EVENTS.c.action,
    _EVENTS.c.citizen_id,
    _EVENTS.c.entity,
    _EVENTS.c.entity_id,
    _EVENTS.c.detail,
    _EVENTS.c.prev_hash,
    _EVENTS.c.hash,
)
# Taking the head: its row updated first (PostgreSQL: locked until the commit; SQLite: the
# write lock taken before anything is read), the ids it gives past the newest id there is too:
# an event put in behind the chain's back (which verify names) must not stop the desk writing.
_NEWEST = select(func.coalesce(func.max(_EVENTS.c.id), 0)).scalar_subquery()
_TAKE_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == 1)
    .values(last_id=case((_HEAD.c.last_id < _NEWEST, _NEWEST), else_=_HEAD.c.last_id) + bindparam("count"))
    .returning(_HEAD.c.last_id, _HEAD.c.last_hash)
)
_MOVE_HEAD = update(_HEAD).where(_HEAD.c.id == 1).values(last_hash=bindparam("hash"))
_INSERT = insert(_EVENTS)
# Events read at a time by `chain_events`: memory stays flat however long the log.
BATCH = 5_000


def add_events(session: Session, rows: list[dict[str, Any]]) -> None:
    """Hold events (at, staff, workstation, action, citizen_id, entity, entity_id, detail) for
    the session's commit."""
    session.info.setdefault(_PENDING, []).extend(rows)


def discard_pending_events(session: Session) -> None:
    session.info.pop(_PENDING, None)


def write_pending_events(session: Session) -> None:
    """The held events, chained onto the head and written, the head moved past them."""
    rows = session.info.pop(_PENDING, None)
    if not rows:
        return
    connection = session.connection()  # Core statements, built once: a desk writes events all day
    _taking_head(session)
    taken = connection.execute(_TAKE_HEAD, {"count": len(rows)}).one_or_none()
    if taken is None:
        raise RuntimeError("the audit chain's head (table audit_chain) is missing: no event can be chained")
    last_id, prev_hash = taken
    _head_taken(session)
    values = []
    for event_id, row in enumerate(rows, start=last_id - len(rows) + 1):
        # As it will read back: JSON keeps only str keys and lists, and the hash is of that.
        detail = json.loads(json.dumps(row.get("detail") or {}))
        staff, workstation, citizen_id = row.get("staff", ""), row.get("workstation", ""), row.get("citizen_id")
        entity, entity_id = row.get("entity", ""), row.get("entity_id", "")
        own = event_hash(
            prev_hash, event_id, row["at"], staff, workstation, row["action"], citizen_id, entity, entity_id, detail
        )
        values.append(
            {
                "id": event_id,
                "at": row["at"],
                "actor": staff,
                "workstation": workstation,
                "action": row["action"],
                "citizen_id": citizen_id,
                "entity": entity,
                "entity_id": entity_id,
                "detail": detail,
                "prev_hash": prev_hash,
                "hash": own,
            }
        )
        prev_hash = own
    connection.execute(_INSERT, values)
    connection.execute(_MOVE_HEAD, {"hash": prev_hash})


def _taking_head(session: Session) -> None:
    """A named point before the head is taken (tests hold a writer here)."""


def _head_taken(session: Session) -> None:
    """A named point with the head taken and read, before the events are written (tests hold a
    writer here to show that another cannot read the head meanwhile)."""


def chain_head(session: Session) -> Head | None:
    row = session.execute(select(_HEAD.c.last_id, _HEAD.c.last_hash).where(_HEAD.c.id == 1)).one_or_none()
    return None if row is None else Head(int(row[0]), str(row[1]))


def last_event_id(session: Session) -> int:
    return int(session.execute(select(func.max(_EVENTS.c.id))).scalar_one() or 0)


def chain_events(session: Session, up_to: int) -> Iterator[StoredEvent]:
    """Every event with an id up to `up_to`, in id order, a batch at a time (by the primary key)."""
    after: int | None = None
    while True:
        query = select(*_COLUMNS).where(_EVENTS.c.id <= up_to).order_by(_EVENTS.c.id).limit(BATCH)
        if after is not None:
            query = query.where(_EVENTS.c.id > after)
        rows = session.execute(query).all()
        for row in rows:
            yield StoredEvent(*row)
        if len(rows) < BATCH:
            return
        after = rows[-1][0]
