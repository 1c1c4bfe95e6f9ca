"""Migration 0008 chains the events a store already holds (SQLite and PostgreSQL), in id order,
and the log refuses UPDATE again afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from skranke.domain.audit_chain import GENESIS, INSERTED, Head, check_chain, event_hash
from skranke.store.audit_chain import chain_events, chain_head
from skranke.store.database import Database
from tests.store.test_schema import _store_at

# The migrated store and each old event's (id, hash) as the chain gives it.
Migrated = tuple[Database, list[tuple[int, str]]]
NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
# Ids with gaps, as a PostgreSQL sequence leaves them (a rolled-back insert uses its number up).
OldEvent = tuple[int, datetime, str, str, str, str | None, str, str, str]
OLD_EVENTS: list[OldEvent] = [
    (1, datetime(2026, 4, 6, 7, 30, 0, 123456), "SYG", "pc1", "sign_in", None, "", "", "{}"),
    (2, datetime(2026, 4, 6, 7, 31), "SYG", "pc1", "open_citizen", "B1", "citizen", "B1", "{}"),
    (5, datetime(2026, 4, 6, 7, 32), "SYG", "pc1", "search", None, "search", "", '{"query_length": 4, "b": ["ø"]}'),
    (6, datetime(2026, 4, 6, 7, 33), "ADM", "pc2", "sync", None, "file", "borgere.csv", '{"rows": 80}'),
]


def _insert(event: OldEvent) -> str:
    event_id, at, staff, workstation, action, citizen, entity, entity_id, detail = event
    citizen_sql = "NULL" if citizen is None else f"'{citizen}'"
    return (
        "INSERT INTO audit_events (id, at, actor, workstation, action, citizen_id, entity, entity_id, detail) "
        f"VALUES ({event_id}, '{at.isoformat(sep=' ')}', '{staff}', '{workstation}', '{action}', {citizen_sql}, "
        f"'{entity}', '{entity_id}', '{detail}')"
    )


@pytest.fixture
def migrated(db_url: str) -> Iterator[Migrated]:
    import json

    _store_at(db_url, "0006", *[_insert(e) for e in OLD_EVENTS])
    database = Database.open(db_url, NOW)
    expected: list[tuple[int, str]] = []
    prev = GENESIS
    for event_id, at, staff, workstation, action, citizen, entity, entity_id, detail in OLD_EVENTS:
        prev = event_hash(
            prev,
            event_id,
            at.replace(tzinfo=UTC),
            staff,
            workstation,
            action,
            citizen,
            entity,
            entity_id,
            json.loads(detail),
        )
        expected.append((event_id, prev))
    try:
        yield database, expected
    finally:
        database.close()
        location = database.backup_location or ""
        if location.startswith("schema "):  # PostgreSQL: the copy is a schema
            engine = create_engine(db_url)
            with engine.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{location.removeprefix("schema ")}" CASCADE'))
            engine.dispose()


def test_the_events_already_stored_are_chained_in_id_order(migrated: Migrated) -> None:
    database, expected = migrated
    with database.reading() as session:
        stored = [(e.id, e.hash) for e in chain_events(session, 100)]
        head = chain_head(session)
        check = check_chain(chain_events(session, 100), head)
    assert stored == expected
    assert head == Head(6, expected[-1][1])
    assert check.whole and check.events == 4


def test_after_the_migration_the_log_refuses_update_again_and_new_events_chain_on(migrated: Migrated) -> None:
    from skranke.store.audit_chain import add_events

    database, expected = migrated
    with pytest.raises(DBAPIError, match="append-only"), database.transaction() as session:
        session.execute(text("UPDATE audit_events SET actor = 'XX' WHERE id = 2"))
    with database.transaction() as session:
        add_events(session, [{"at": NOW, "staff": "ADM", "workstation": "pc2", "action": "sign_in", "detail": {}}])
    with database.reading() as session:
        events = list(chain_events(session, 100))
        check = check_chain(iter(events), chain_head(session))
    assert (events[-1].id, events[-1].prev_hash) == (7, expected[-1][1])
    assert check.whole and check.events == 5


def test_an_event_inserted_into_an_old_gap_is_named(migrated: Migrated) -> None:
    """Ids 3 and 4 were never used: a forged event there, joining event 2 with a hash computed as
    skranke would, is still found out by event 5, which joins event 2 itself."""
    database, expected = migrated
    at = datetime(2026, 4, 6, 7, 31, 30, tzinfo=UTC)
    own = event_hash(expected[1][1], 3, at, "SYG", "pc1", "reveal_cpr", "B1", "citizen", "B1", {})
    engine = create_engine(str(database.engine.url.render_as_string(hide_password=False)))
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO audit_events (id, at, actor, workstation, action, citizen_id, entity, entity_id, detail, "
                "prev_hash, hash) VALUES (3, :at, 'SYG', 'pc1', 'reveal_cpr', 'B1', 'citizen', 'B1', '{}', :prev, :own)"
            ),
            {"at": at.replace(tzinfo=None), "prev": expected[1][1], "own": own},
        )
    engine.dispose()
    with database.reading() as session:
        broken = check_chain(chain_events(session, 100), chain_head(session)).broken
    assert broken is not None and (broken.problem, broken.event_id, broken.action) == (INSERTED, 3, "reveal_cpr")


def test_the_migration_goes_back_and_forth(db_url: str) -> None:
    from alembic import command

    from skranke.store.schema import _config

    _store_at(db_url, "0006", *[_insert(e) for e in OLD_EVENTS])
    engine = create_engine(db_url)
    with engine.begin() as connection:
        command.upgrade(_config(connection), "0008")
        command.downgrade(_config(connection), "0006")
        columns = set(connection.execute(text("SELECT * FROM audit_events LIMIT 0")).keys())
        assert "hash" not in columns and "prev_hash" not in columns
        command.upgrade(_config(connection), "0008")
        assert connection.execute(text("SELECT count(*) FROM audit_chain")).scalar_one() == 1
    engine.dispose()
