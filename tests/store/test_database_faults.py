"""Faults met while the database is in use: named, a write refused whole, and recovered from."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from skranke.store.database import Database
from skranke.store.errors import DatabaseUnavailable, Reason
from skranke.store.models import Citizen
from tests.conftest import PostgresDatabase

NOW = datetime(2026, 4, 9, 7, 0, tzinfo=UTC)


def _citizen(citizen_id: str) -> Citizen:
    return Citizen(id=citizen_id, cpr=None, first_name="", last_name="", alias=citizen_id, phone="")


def _citizens(database: Database) -> int:
    with database.reading() as session:
        return session.scalar(select(func.count()).select_from(Citizen)) or 0


@pytest.mark.pg
def test_a_write_cut_off_midway_is_refused_whole(pg_database: PostgresDatabase) -> None:
    database = Database.open(pg_database.url, NOW)
    try:
        with pytest.raises(DatabaseUnavailable) as caught, database.transaction() as session:
            session.add(_citizen("B1"))
            session.flush()  # the first row is on the server, uncommitted
            pg_database.cut_off()
            session.add(_citizen("B2"))
            session.flush()
        assert caught.value.reason == Reason.LOST
        assert pg_database.name in str(caught.value)

        pg_database.let_in()
        assert _citizens(database) == 0  # neither row: the transaction went whole
    finally:
        database.close()


@pytest.mark.pg
def test_reading_while_cut_off_is_named_and_the_same_database_recovers(pg_database: PostgresDatabase) -> None:
    database = Database.open(pg_database.url, NOW)
    try:
        with database.transaction() as session:
            session.add(_citizen("B1"))
        pg_database.cut_off()
        with pytest.raises(DatabaseUnavailable) as caught:
            _citizens(database)
        assert caught.value.reason in (Reason.UNREACHABLE, Reason.LOST)
        with pytest.raises(DatabaseUnavailable):
            database.ping()

        pg_database.let_in()
        database.ping()
        assert _citizens(database) == 1
    finally:
        database.close()


def test_a_constraint_violated_is_no_database_fault(tmp_path: Path) -> None:
    from sqlalchemy.exc import IntegrityError

    database = Database.open(f"sqlite:///{tmp_path / 'skranke.db'}", NOW)
    try:
        with database.transaction() as session:
            session.add(_citizen("B1"))
        with pytest.raises(IntegrityError), database.transaction() as session:
            session.add(_citizen("B1"))
    finally:
        database.close()
