"""The schema is created by Alembic on both backends, and its constraints hold in the database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from skranke.store.database import Database
from skranke.store.models import Case, Citizen, Dispensing, Prescription, Staff
from skranke.store.schema import current_revision, head_revision

NOW = datetime(2026, 4, 6, 9, 30, tzinfo=UTC)


def test_a_new_database_is_created_at_the_head_revision_without_a_backup(database: Database) -> None:
    assert current_revision(database.engine) == head_revision()
    assert database.backup_location is None
    tables = set(inspect(database.engine).get_table_names())
    assert {
        "citizens",
        "cases",
        "prescriptions",
        "appointments",
        "check_ins",
        "dispensings",
        "intakes",
        "audit_events",
        "staff",
        "staff_roles",
        "hold_releases",
        "day_closings",
        "tasks",
        "sync_log",
        "outbox_events",
    } <= tables


def test_opening_again_changes_nothing(db_url: str) -> None:
    Database.open(db_url, NOW).close()
    database = Database.open(db_url, NOW)
    assert database.backup_location is None
    database.close()


def _store_at(url: str, revision: str, *inserts: str) -> None:
    """A database left by skranke at `revision`, holding what `inserts` put in it."""
    from alembic import command

    from skranke.store.schema import _config

    engine = create_engine(url)
    with engine.begin() as connection:
        command.upgrade(_config(connection), revision)
        for insert in inserts:
            connection.execute(text(insert))
    engine.dispose()


def _older_skranke_database(url: str) -> None:
    """A database left by skranke at its first revision, holding one citizen."""
    _store_at(
        url,
        "0001",
        "INSERT INTO citizens (id, cpr, first_name, last_name, alias, phone) VALUES ('B1', NULL, 'Keep', 'Me', '', '')",
    )


def test_an_older_sqlite_database_is_copied_before_it_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _older_skranke_database(f"sqlite:///{path}")

    database = Database.open(f"sqlite:///{path}", NOW)
    database.close()

    assert database.backup_location is not None
    copy = create_engine(f"sqlite:///{database.backup_location}")
    with copy.connect() as connection:
        assert connection.execute(text("SELECT first_name FROM citizens")).scalar_one() == "Keep"
        assert "staff" not in inspect(connection).get_table_names()  # the copy is of revision 0001
    copy.dispose()


def test_an_upgrade_that_rebuilds_citizens_keeps_every_row_and_reference(db_url: str) -> None:
    """0004 rebuilds `citizens` on SQLite (a stored search column): the citizens, the rows that
    refer to them and the foreign keys all come through, and the new column is filled."""
    _store_at(
        db_url,
        "0003",
        "INSERT INTO citizens (id, cpr, first_name, last_name, alias, phone) VALUES "
        "('B1', NULL, 'Søren', 'Ågård', '', ''), ('B2', NULL, 'Åse', 'Berg', 'Maagen', '')",
        "INSERT INTO cases (id, citizen_id, department, paragraph, contact_date, free_choice) "
        "VALUES ('S1', 'B1', 'stabilisering', 'SEL101', '2026-04-01', false)",
    )
    database = Database.open(db_url, NOW)
    try:
        assert database.backup_location is not None
        with database.reading() as session:
            assert session.execute(text("SELECT citizen_id FROM cases")).scalar_one() == "B1"
            folded: dict[str, str] = dict(session.execute(text("SELECT id, search_text FROM citizens")).all())
        assert folded == {"B1": "soeren aagaard  b1", "B2": "aase berg maagen b2"}
        # The references are enforced again after the upgrade.
        with pytest.raises(IntegrityError), database.transaction() as session:
            session.execute(
                text(
                    "INSERT INTO cases (id, citizen_id, department, paragraph, contact_date, free_choice) "
                    "VALUES ('S2', 'B9', 'stabilisering', 'SEL101', '2026-04-01', false)"
                )
            )
    finally:
        database.close()
        location = database.backup_location or ""
        if location.startswith("schema "):  # PostgreSQL: the copy is a schema
            engine = create_engine(db_url)
            with engine.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{location.removeprefix("schema ")}" CASCADE'))
            engine.dispose()


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    opened = Database.open(db_url, NOW)
    yield opened
    opened.close()


def _citizen(session: Session, citizen_id: str = "B1", cpr: str = "0101801234") -> None:
    session.add(Citizen(id=citizen_id, cpr=cpr, first_name="Test", last_name="Person", alias="", phone=""))
    session.flush()


def test_unknown_paragraph_is_refused_by_the_database(database: Database) -> None:
    with pytest.raises(IntegrityError), database.transaction() as session:
        _citizen(session)
        session.add(
            Case(
                id="S1",
                citizen_id="B1",
                department="stabilisering",
                paragraph="SEL999",
                contact_date=date(2026, 4, 1),
            )
        )
    with database.reading() as session:  # the whole transaction was rolled back
        assert session.get(Citizen, "B1") is None


@pytest.mark.parametrize(("column", "value"), [("outcome", "bedre"), ("goals_reached", "måske")])
def test_an_unknown_outcome_at_discharge_is_refused_by_the_database(
    database: Database, column: str, value: str
) -> None:
    # udfald and maal_opnaaet (migration 0010): the words the targets are counted by, and no other.
    with database.transaction() as session:
        _citizen(session)
    case: dict[str, Any] = {"id": "S1", "citizen_id": "B1", "department": "stabilisering", "paragraph": "SEL101"}
    case |= {"contact_date": date(2026, 1, 1), "closed_on": date(2026, 3, 1), "closing_status": "færdigbehandlet"}
    with pytest.raises(IntegrityError), database.transaction() as session:
        session.add(Case(**case, **{column: value}))
    with database.transaction() as session:
        session.add(Case(**case, outcome="uaendret", goals_reached="delvist"))
    with database.reading() as session:
        stored = session.get(Case, "S1")
        assert stored is not None
        assert (stored.outcome, stored.goals_reached) == ("uaendret", "delvist")


def test_a_case_must_belong_to_a_known_citizen(database: Database) -> None:
    with pytest.raises(IntegrityError), database.transaction() as session:
        session.add(
            Case(
                id="S1",
                citizen_id="nobody",
                department="stabilisering",
                paragraph="SEL101",
                contact_date=date(2026, 4, 1),
            )
        )


def _prescription(session: Session, order_id: str = "O1") -> None:
    session.add(
        Prescription(
            id=order_id,
            citizen_id="B1",
            preparation="metadon",
            dose_mg=Decimal("60"),
            doses_per_day=1,
            pickup_rule="FREQ=DAILY",
            supervised=True,
            valid_from=date(2026, 4, 1),
        )
    )


def _dose(order_id: str = "O1", **changes: Any) -> Dispensing:
    values: dict[str, Any] = dict(
        prescription_id=order_id,
        citizen_id="B1",
        preparation="metadon",
        service_date=date(2026, 4, 6),
        dose_number=1,
        recorded_at=NOW,
        outcome="given",
        dose_mg=Decimal("60"),
    )
    return Dispensing(**(values | changes))


def test_the_same_dose_cannot_be_recorded_twice_even_under_a_new_order_id(database: Database) -> None:
    with database.transaction() as session:
        _citizen(session)
        _prescription(session, "O1")
        _prescription(session, "O2")  # the doctor changed the order: a new id, the same medicine
    with database.transaction() as session:
        session.add(_dose("O1"))
    with pytest.raises(IntegrityError), database.transaction() as session:
        session.add(_dose("O1"))
    with pytest.raises(IntegrityError), database.transaction() as session:
        session.add(_dose("O2"))
    with database.transaction() as session:  # the second dose of a twice-daily order is its own
        session.add(_dose("O1", dose_number=2))


def test_a_voided_dose_frees_its_place_and_stays_visible(database: Database) -> None:
    with database.transaction() as session:
        _citizen(session)
        _prescription(session)
        session.add(Staff(id="LGE", name="Læge", pin_hash="x", created_at=NOW))
        session.flush()
        session.add(_dose())
    with database.transaction() as session:
        session.execute(
            text("UPDATE dispensings SET voided_at = :at, voided_by = 'LGE', void_reason = 'forkert borger'"),
            {"at": NOW.replace(tzinfo=None)},
        )
    with database.transaction() as session:
        session.add(_dose())
    with database.reading() as session:
        assert session.execute(text("SELECT count(*) FROM dispensings")).scalar_one() == 2


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE dispensings SET dose_mg = 1",
        "UPDATE dispensings SET outcome = 'missed'",
        "DELETE FROM dispensings",
    ],
)
def test_a_dispensing_is_never_changed_or_deleted(database: Database, statement: str) -> None:
    with database.transaction() as session:
        _citizen(session)
        _prescription(session)
        session.flush()
        session.add(_dose())
    with pytest.raises(DBAPIError, match="append-only"), database.transaction() as session:
        session.execute(text(statement))


@pytest.mark.parametrize("statement", ["UPDATE audit_events SET actor = 'X'", "DELETE FROM audit_events"])
def test_the_audit_log_refuses_update_and_delete(database: Database, statement: str) -> None:
    from skranke.store.audit_chain import add_events

    with database.transaction() as session:
        add_events(
            session,
            [
                {
                    "at": NOW,
                    "staff": "SYG",
                    "workstation": "pc1",
                    "action": "open_citizen",
                    "entity": "citizen",
                    "entity_id": "B1",
                    "detail": {},
                }
            ],
        )
    with pytest.raises(DBAPIError, match="append-only"), database.transaction() as session:
        session.execute(text(statement))
    with database.reading() as session:
        assert session.execute(text("SELECT actor FROM audit_events")).scalars().all() == ["SYG"]


def test_a_citizen_is_checked_in_once_a_day_per_place(database: Database) -> None:
    from skranke.store.models import CheckIn

    with database.transaction() as session:
        _citizen(session)
        session.add(
            CheckIn(citizen_id="B1", department="medicinudlevering", service_date=date(2026, 4, 6), checked_in_at=NOW)
        )
    with pytest.raises(IntegrityError), database.transaction() as session:
        session.add(
            CheckIn(citizen_id="B1", department="medicinudlevering", service_date=date(2026, 4, 6), checked_in_at=NOW)
        )


def test_a_closed_case_needs_a_closing_status(database: Database) -> None:
    with pytest.raises(IntegrityError), database.transaction() as session:
        _citizen(session)
        session.add(
            Case(
                id="S1",
                citizen_id="B1",
                department="stabilisering",
                paragraph="SEL101",
                contact_date=date(2026, 1, 1),
                closed_on=date(2026, 3, 1),
            )
        )


def test_datetimes_come_back_in_the_moment_they_were_stored(db_url: str) -> None:
    from zoneinfo import ZoneInfo

    from skranke.store.models import CheckIn

    copenhagen = datetime(2026, 7, 1, 8, 15, tzinfo=ZoneInfo("Europe/Copenhagen"))
    database = Database.open(db_url, NOW)
    try:
        with database.transaction() as session:
            _citizen(session)
            session.add(
                CheckIn(
                    citizen_id="B1",
                    department="medicinudlevering",
                    service_date=copenhagen.date(),
                    checked_in_at=copenhagen,
                )
            )
        with database.reading() as session:
            stored = session.query(CheckIn).one().checked_in_at
        assert stored == copenhagen
        offset = stored.utcoffset()
        assert offset is not None and offset.total_seconds() == 0
    finally:
        database.close()


@pytest.mark.pg
def test_an_older_postgresql_database_is_copied_into_a_backup_schema_before_the_upgrade(pg_url: str) -> None:
    db_url = pg_url
    _older_skranke_database(db_url)
    engine = create_engine(db_url)
    database = Database.open(db_url, NOW)
    database.close()
    assert database.backup_location is not None
    schema = database.backup_location.removeprefix("schema ")
    try:
        with engine.connect() as connection:
            assert connection.execute(text(f'SELECT first_name FROM "{schema}".citizens')).scalar_one() == "Keep"
    finally:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def test_an_upgrade_that_fails_on_sqlite_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    """An upgrade is one transaction on SQLite too, its DDL included (the driver begins one
    only before DML): a store whose rows would refer to nothing after it is refused and left
    exactly at its revision, without a table of the newer ones."""
    path = tmp_path / "old.db"
    _store_at(
        f"sqlite:///{path}",
        "0001",
        # Written with foreign keys off, as by a program that did not check them.
        "INSERT INTO cases (id, citizen_id, department, paragraph, contact_date, free_choice) "
        "VALUES ('S1', 'B9', 'stabilisering', 'SEL101', '2026-04-01', false)",
    )
    with pytest.raises(RuntimeError, match="referring to nothing"):
        Database.open(f"sqlite:///{path}", NOW)
    engine = create_engine(f"sqlite:///{path}")
    try:
        assert current_revision(engine) == "0001"
        with engine.connect() as connection:
            assert "staff" not in inspect(connection).get_table_names()  # 0002's tables: none
            assert connection.execute(text("SELECT citizen_id FROM cases")).scalar_one() == "B9"
    finally:
        engine.dispose()


def test_a_copy_before_an_upgrade_never_replaces_an_earlier_copy(tmp_path: Path) -> None:
    """The same store upgraded twice in one second (or under a fixed --now), e.g. after it was
    restored from its copy: both copies are kept."""
    import shutil

    path = tmp_path / "old.db"
    _older_skranke_database(f"sqlite:///{path}")
    shutil.copy(path, tmp_path / "restored.db")
    first = Database.open(f"sqlite:///{path}", NOW)
    first.close()
    for leftover in tmp_path.glob("old.db-*"):  # the upgraded store's WAL files go with it
        leftover.unlink()
    shutil.copy(tmp_path / "restored.db", path)
    second = Database.open(f"sqlite:///{path}", NOW)
    second.close()
    assert first.backup_location and second.backup_location
    assert first.backup_location != second.backup_location
    for copy in (first.backup_location, second.backup_location):
        engine = create_engine(f"sqlite:///{copy}")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT first_name FROM citizens")).scalar_one() == "Keep"
            assert "staff" not in inspect(connection).get_table_names()  # both of revision 0001
        engine.dispose()


def test_workstations_started_together_on_an_older_database_upgrade_it_once(db_url: str) -> None:
    """Reception and the window opened at once after an update: one upgrades (and copies), the
    others wait for it and open the database as they find it, current."""
    import threading

    _older_skranke_database(db_url)
    start = threading.Barrier(3)
    opened: list[Database] = []
    failures: list[BaseException] = []

    def open_at_workstation() -> None:
        start.wait()
        try:
            opened.append(Database.open(db_url, NOW))
        except Exception as error:  # noqa: BLE001 - any failure at a workstation is the test's to report
            failures.append(error)

    workstations = [threading.Thread(target=open_at_workstation) for _ in range(3)]
    for workstation in workstations:
        workstation.start()
    for workstation in workstations:
        workstation.join(60)
    engine = create_engine(db_url)
    copies = [d.backup_location for d in opened if d.backup_location]
    try:
        assert not failures, failures
        assert len(opened) == 3 and len(copies) == 1
        assert current_revision(engine) == head_revision()
        with engine.connect() as connection:
            assert connection.execute(text("SELECT first_name FROM citizens")).scalar_one() == "Keep"
        if copies[0].startswith("schema "):  # PostgreSQL
            copy_engine, schema = engine, copies[0].removeprefix("schema ")
        else:
            copy_engine, schema = create_engine(f"sqlite:///{copies[0]}"), None
        with copy_engine.connect() as connection:
            table = f'"{schema}".citizens' if schema else "citizens"
            assert connection.execute(text(f"SELECT first_name FROM {table}")).scalar_one() == "Keep"
            # The copy is of revision 0001: taken before the upgrade, not after another's.
            assert "staff" not in inspect(connection).get_table_names(schema=schema)
        if copy_engine is not engine:
            copy_engine.dispose()
    finally:
        for database in opened:
            database.close()
        with engine.begin() as connection:
            for copy in copies:
                if copy.startswith("schema "):
                    connection.execute(text(f'DROP SCHEMA "{copy.removeprefix("schema ")}" CASCADE'))
        engine.dispose()


def test_the_head_revision_opening_compares_with_is_the_newest_migration() -> None:
    # Opening a current store compares with HEAD_REVISION and never loads Alembic's scripts.
    from skranke.store.schema import HEAD_REVISION

    assert head_revision() == HEAD_REVISION


def test_opening_a_current_store_does_not_import_alembic(tmp_path: Path) -> None:
    import subprocess
    import sys

    from skranke.clock import parse_now
    from skranke.store.database import Database

    url = f"sqlite:///{tmp_path / 'store.db'}"
    Database.open(url, parse_now("2026-04-09T09:00")).close()
    code = (
        "import sys; from skranke.clock import parse_now; from skranke.store.database import Database; "
        f"Database.open({url!r}, parse_now('2026-04-09T09:00'), create=False).close(); "
        "print(any(m == 'alembic' or m.startswith('alembic.') for m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
