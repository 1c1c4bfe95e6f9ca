"""Writing imported export rows: upsert by the file's key, inside the caller's transaction.

Only the imported tables are written here (the journal's four, and receipts from the pharmacy
system waiting for a witness). What the desk records (check-ins,
dispensings, intakes) lives in tables an import never touches.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import repeat
from operator import attrgetter
from typing import Any, cast

from sqlalchemy import Connection, Row, Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from skranke.collector import collector_paused
from skranke.store.models import (
    Appointment,
    Case,
    Citizen,
    OutboxEvent,
    OutboxWatermark,
    PendingReceipt,
    Prescription,
    SyncRun,
)

# The imported tables: each keyed by a string `id` primary key.
ImportedModel = Citizen | Case | Prescription | Appointment | PendingReceipt

TABLES: dict[str, type[ImportedModel]] = {
    "borgere": Citizen,
    "sager": Case,
    "ordinationer": Prescription,
    "aftaler": Appointment,
    "lager": PendingReceipt,  # receipts awaiting a witness; a witnessed one is never updated
}
CHUNK = 500  # keys per look-up (IN lists stay well inside every backend's limits)
INSERT_CHUNK = 5000
# Look keys up in the whole column when at least 1/WHOLE_COLUMN_SHARE of the table is wanted.
WHOLE_COLUMN_SHARE = 8


@dataclass
class UpsertCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def data_columns(kind: str) -> list[str]:
    """The columns a file fills: every column but the import stamp and those the database
    computes (a citizen's search text)."""
    model = TABLES[kind]
    return [c.key for c in model.__table__.columns if c.key != "imported_at" and c.computed is None]


def _matching_rows(
    session: Session, key: Any, columns: Sequence[Any], wanted: set[str], whole: bool
) -> Iterator[Row[*tuple[Any, ...]]]:
    """The rows (of `columns`) whose `key` is among `wanted`. Few keys: IN lists of CHUNK, one
    statement expanded at execution (Core: the ORM's per-query work cost more than the look-ups).
    `whole` (see `_whole_column`): the table's whole column, read once."""
    connection = session.connection()
    if whole:
        rows = connection.execute(select(*columns).where(key.is_not(None)))
        yield from (row for row in rows if row[0] in wanted)
        return
    statement = select(*columns).where(key.in_(bindparam("keys", expanding=True)))
    for chunk in _chunks(sorted(wanted)):
        yield from connection.execute(statement, {"keys": chunk})


def _whole_column(session: Session, key: Any, wanted: Collection[str]) -> bool:
    """Whether so many keys are wanted (a bulk file's every citizen) that reading the table's
    whole column costs less than hundreds of IN lists."""
    if len(wanted) <= CHUNK:
        return False
    total = session.connection().execute(select(func.count()).select_from(key.table)).scalar_one()
    return len(wanted) * WHOLE_COLUMN_SHARE >= total


def existing_ids(session: Session, model: type[ImportedModel], ids: Iterable[str]) -> set[str]:
    wanted = set(ids)
    if _whole_column(session, model.id, wanted):  # the keys as one set, intersected at C speed
        return wanted.intersection(session.connection().execute(select(model.id)).scalars())
    return {row[0] for row in _matching_rows(session, model.id, [model.id], wanted, whole=False)}


def cpr_owners(session: Session, cprs: Iterable[str | None]) -> dict[str, str]:
    """Which citizen already holds each CPR number (the column is unique)."""
    wanted = {cpr for cpr in cprs if cpr}
    whole = _whole_column(session, Citizen.cpr, wanted)
    return dict(_matching_rows(session, Citizen.cpr, [Citizen.cpr, Citizen.id], wanted, whole))


def upsert(
    session: Session,
    kind: str,
    rows: Sequence[Any],
    imported_at: datetime,
    on_progress: Callable[[int], None] | None = None,
) -> UpsertCounts:
    """Insert new keys, update changed rows, leave identical rows alone. A row is read by the
    table's column names as attributes (the reader's named tuples); `id` is the key."""
    model = TABLES[kind]
    # Declarative classes map a Table; SQLAlchemy types `__table__` as the general FromClause.
    table = cast(Table, model.__table__)
    columns = data_columns(kind)
    counts = UpsertCounts()
    connection = session.connection()
    # An empty table (a first import, a new clinic) has nothing to compare with: skip the look-ups.
    empty = connection.execute(select(model.id).limit(1)).first() is None
    with collector_paused():  # the chunks' tuples hold no cycles (see collector_paused)
        for chunk in _chunks(rows, INSERT_CHUNK if empty else CHUNK):
            _upsert_chunk(connection, table, columns, chunk, empty, imported_at, counts)
            if on_progress is not None:
                on_progress(counts.inserted + counts.updated + counts.unchanged)
    return counts


def _upsert_chunk(
    connection: Connection,
    table: Table,
    columns: list[str],
    chunk: Sequence[Any],
    empty: bool,
    imported_at: datetime,
    counts: UpsertCounts,
) -> None:
    if empty:
        _insert_many(connection, table, columns, _by_column(chunk, columns), imported_at)
        counts.inserted += len(chunk)
        return
    values_of = attrgetter(*columns)  # a row's values in the table's column order
    key = columns.index("id")
    table_columns = [table.c[name] for name in columns]
    keys = [row.id for row in chunk]
    current = {
        record[0]: tuple(record) for record in connection.execute(select(*table_columns).where(table.c.id.in_(keys)))
    }
    new_rows: list[tuple[Any, ...]] = []
    changed_rows: list[tuple[Any, ...]] = []
    for row in chunk:
        values = values_of(row)
        before = current.get(row.id)
        if before is None:
            new_rows.append(values)
        elif before != values:
            changed_rows.append(values)
        else:
            counts.unchanged += 1
    if new_rows:
        _insert_many(connection, table, columns, list(zip(*new_rows)), imported_at)
        counts.inserted += len(new_rows)
    if changed_rows:
        connection.execute(
            update(table).where(table.c.id == bindparam("key")),
            [{**dict(zip(columns, values)), "key": values[key], "imported_at": imported_at} for values in changed_rows],
        )
        counts.updated += len(changed_rows)


def _by_column(rows: Sequence[Any], columns: list[str]) -> list[tuple[Any, ...]]:
    """The rows' values a column at a time, in `columns`' order: the reader's named tuples are
    turned whole and their columns picked by field name (no attribute read per value)."""
    fields = type(rows[0])._fields
    transposed = list(zip(*rows))
    return [transposed[fields.index(name)] for name in columns]


def _insert_many(
    connection: Connection, table: Table, columns: list[str], by_column: list[tuple[Any, ...]], imported_at: datetime
) -> None:
    """A batched INSERT of new rows, given a column at a time (in `columns`' order), all
    stamped `imported_at`.

    Core executemany on the session's connection: one batched statement per chunk (the ORM's
    bulk path splits rows by which columns are NULL, one INSERT per group). On SQLite the column
    types' own bind processors are applied column by column and the rows go to the driver's
    executemany: the same stored values as SQLAlchemy writes, without its per-row parameter
    bookkeeping (most of an import's time)."""
    dialect = connection.dialect
    count = len(by_column[0])
    if dialect.name != "sqlite":
        connection.execute(
            insert(table), [{**dict(zip(columns, values)), "imported_at": imported_at} for values in zip(*by_column)]
        )
        return
    targets = [table.c[name] for name in columns]
    stamp_processor = table.c.imported_at.type._cached_bind_processor(dialect)
    stamp = stamp_processor(imported_at) if stamp_processor else imported_at
    # Column by column: a type's processor mapped over one column costs a fraction of a call per
    # value in a per-row loop, and columns without one are passed through untouched.
    by_column = list(by_column)
    for position, column in enumerate(targets):
        process = column.type._cached_bind_processor(dialect)
        if process is not None:
            by_column[position] = _converted(process, by_column[position])
    converted = list(zip(*by_column, repeat(stamp, count)))
    targets.append(table.c.imported_at)
    placeholders = ", ".join("?" for _ in targets)
    quoted = ", ".join(dialect.identifier_preparer.quote(column.name) for column in targets)
    connection.exec_driver_sql(f"INSERT INTO {table.name} ({quoted}) VALUES ({placeholders})", converted)


def _converted(process: Callable[[Any], Any], values: tuple[Any, ...]) -> tuple[Any, ...]:
    """`process` over one column's values; each distinct value processed once where values
    repeat (an export repeats a few thousand dates and two booleans over its rows)."""
    distinct = set(values)
    if len(distinct) * 2 > len(values):
        return tuple(map(process, values))
    stored = {value: process(value) for value in distinct}
    return tuple(map(stored.__getitem__, values))


def already_imported(session: Session, sha256: str) -> SyncRun | None:
    """A file with this exact content that was taken in before (imported or unchanged)."""
    return session.scalars(
        select(SyncRun)
        .where(SyncRun.sha256 == sha256, SyncRun.outcome.in_(["imported", "unchanged"]))
        .order_by(SyncRun.id.desc())
        .limit(1)
    ).first()


def record_sync(session: Session, run: SyncRun) -> None:
    session.add(run)
    session.flush()


def latest_runs(session: Session, limit: int = 50) -> list[SyncRun]:
    return list(session.scalars(select(SyncRun).order_by(SyncRun.id.desc()).limit(limit)))


def count_rows(session: Session, kind: str) -> int:
    return session.execute(select(func.count()).select_from(TABLES[kind])).scalar_one()


def last_sync_time(session: Session) -> datetime | None:
    return session.execute(select(func.max(SyncRun.finished_at))).scalar_one()


# --- the outbox ---------------------------------------------------------------------------


def record_event(session: Session, kind: str, occurred_at: datetime, payload: dict[str, Any]) -> OutboxEvent:
    """Queue a locally recorded event for the outbox, in the caller's transaction."""
    event = OutboxEvent(kind=kind, occurred_at=occurred_at, payload=payload)
    session.add(event)
    session.flush()
    return event


def outbox_watermark(session: Session) -> OutboxWatermark:
    """The single watermark row, locked for update where the backend can (PostgreSQL)."""
    mark = session.scalars(select(OutboxWatermark).where(OutboxWatermark.id == 1).with_for_update()).first()
    if mark is None:
        mark = OutboxWatermark(id=1, last_event_id=0, last_file="")
        session.add(mark)
        session.flush()
    return mark


def events_after(session: Session, last_id: int, limit: int) -> list[OutboxEvent]:
    return list(
        session.scalars(select(OutboxEvent).where(OutboxEvent.id > last_id).order_by(OutboxEvent.id).limit(limit))
    )


def pending_event_count(session: Session) -> int:
    mark = session.get(OutboxWatermark, 1)
    last = mark.last_event_id if mark else 0
    return session.execute(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.id > last)).scalar_one()


def outbox_state(session: Session) -> tuple[int, str, datetime | None]:
    """(pending events, last file written, when)."""
    mark = session.get(OutboxWatermark, 1)
    return pending_event_count(session), (mark.last_file if mark else ""), (mark.written_at if mark else None)


def orders_of_preparation(session: Session, citizen_ids: Collection[str], preparation: str) -> list[Any]:
    """The stored orders of one preparation for these citizens: (id, citizen_id, valid_from,
    valid_to) rows (the import asks which citizens have a heroin order)."""
    rows: list[Any] = []
    columns = (Prescription.id, Prescription.citizen_id, Prescription.valid_from, Prescription.valid_to)
    for chunk in _chunks(sorted(citizen_ids)):
        query = select(*columns).where(Prescription.preparation == preparation, Prescription.citizen_id.in_(chunk))
        rows.extend(session.execute(query).all())
    return rows
