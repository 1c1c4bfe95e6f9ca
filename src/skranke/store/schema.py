"""Creating and upgrading the database with Alembic, with a copy taken before any upgrade."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from skranke.store.cipher import connect

if TYPE_CHECKING:
    from collections.abc import Callable

    from alembic.config import Config

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The newest migration's revision. Opening a current store compares with it and never imports
# Alembic (~180 ms); Alembic is loaded only to upgrade or to tell older from newer. A test checks
# it is the head of migrations/versions.
HEAD_REVISION = "0010"
# PostgreSQL's advisory lock that one upgrade at a time holds (any number: skranke's own).
UPGRADE_LOCK = 0x736B72616E6B65  # "skranke"


def _config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def backup(engine: Engine, stamp: datetime, revision: str | None) -> str:
    """Copy a SQLite database before an upgrade; returns where the copy is. (PostgreSQL's copy
    is taken in the upgrade's own transaction: `_backup_schema`.)"""
    source = Path(engine.url.database or "")
    name = _unused(
        f"{source.stem}.before-upgrade-{_label(stamp, revision)}",
        lambda name: source.with_name(name + source.suffix).exists(),
        "-",
    )
    target = source.with_name(name + source.suffix)
    # SQLite's online backup gives a consistent copy even with WAL; an encrypted store's copy is
    # encrypted with the same key (the engine's URL carries it), page for page.
    key = engine_key(engine)
    src, dst = connect(source, key), connect(target, key)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return str(target)


def engine_key(engine: Engine) -> bytes | None:
    """The raw key an encrypted SQLite engine opens its file with (make_engine puts it in the URL)."""
    if engine.url.drivername != "sqlite+pysqlcipher" or not engine.url.password:
        return None
    return bytes.fromhex(engine.url.password.removeprefix("x'").removesuffix("'"))


def _log_upgrade(current: str | None, copy: str | None) -> None:
    if copy is not None:  # a new database has nothing to copy or to say
        log.warning("database upgraded from %s to %s; copy before the upgrade: %s", current, HEAD_REVISION, copy)


def _unused(name: str, taken: Callable[[str], bool], separator: str) -> str:
    """`name`, or `name-2`, `name-3`, ...: a copy is never written over an earlier one (two
    upgrades in one second, or under a fixed --now)."""
    candidate, number = name, 1
    while taken(candidate):
        number += 1
        candidate = f"{name}{separator}{number}"
    return candidate


def _label(stamp: datetime, revision: str | None) -> str:
    return f"{revision or 'none'}-{stamp:%Y%m%dT%H%M%S}"


def _backup_schema(connection: Connection, stamp: datetime, revision: str | None) -> str:
    """PostgreSQL: every table copied into a schema of its own, named after the store's schema
    (stores of several schemas share one database), never over an earlier copy."""
    current = connection.execute(text("SELECT current_schema()")).scalar_one()
    tables = inspect(connection).get_table_names(schema=current)
    base = f"{current}_before_{_label(stamp, revision).replace('-', '_').lower()}"[:56]  # identifiers: 63 bytes
    existing = set(connection.execute(text("SELECT nspname FROM pg_namespace")).scalars())
    schema = _unused(base, existing.__contains__, "_")
    connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    for table in tables:
        connection.execute(text(f'CREATE TABLE "{schema}"."{table}" AS TABLE "{current}"."{table}"'))
    return f"schema {schema}"


class SchemaState:
    """What a database holds before skranke touches it."""

    EMPTY, CURRENT, OLDER, NEWER, FOREIGN = "empty", "current", "older", "newer", "foreign"


def schema_state(engine: Engine) -> tuple[str, str | None]:
    """(state, revision): read only, so a database refused is left exactly as it was."""
    with engine.connect() as connection:
        return _state_on(connection)


def _state_on(connection: Connection) -> tuple[str, str | None]:
    tables = inspect(connection).get_table_names()
    revision = None
    if "alembic_version" in tables:  # what Alembic's MigrationContext reads, without Alembic
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return _state_of(revision, tables)


def sqlite_schema_state(path: Path, key: bytes | None = None) -> tuple[str, str | None]:
    """As schema_state, for a SQLite file opened read-only: the engine's connection would switch
    it to WAL first, a change to a file that may belong to another program. `key`: the file is
    encrypted with it (a wrong key fails here, at the first read)."""
    connection = connect(path, key, read_only=True)
    try:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        revision = None
        if "alembic_version" in tables:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
    finally:
        connection.close()
    return _state_of(revision, [t for t in tables if not t.startswith("sqlite_")])


def _state_of(revision: str | None, tables: list[str]) -> tuple[str, str | None]:
    if revision is None:
        return (SchemaState.FOREIGN if tables else SchemaState.EMPTY), None
    if revision == HEAD_REVISION:
        return SchemaState.CURRENT, revision
    from alembic.script import ScriptDirectory

    known = {script.revision for script in ScriptDirectory.from_config(_config()).walk_revisions()}
    return (SchemaState.OLDER if revision in known else SchemaState.NEWER), revision


def upgrade_to_head(engine: Engine, stamp: datetime, state: str, current: str | None) -> str | None:
    """Create a new database (state EMPTY) or upgrade an OLDER one; returns the backup's location,
    if one was taken. A FOREIGN or NEWER database never gets here (Database.open refuses it)."""
    if state == SchemaState.CURRENT:
        return None
    from alembic import command

    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            # Workstations started together on a new or older database: the first upgrades
            # (its DDL, copy included, is one transaction), the others wait for it here and
            # find the database current when they read its state again.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": UPGRADE_LOCK})
            state, current = _state_on(connection)
            if state == SchemaState.CURRENT:
                return None
            copy = _backup_schema(connection, stamp, current) if state == SchemaState.OLDER else None
            command.upgrade(_config(connection), "head")
        _log_upgrade(current, copy)
        return copy
    # SQLite alters a table beyond adding a plain column by rebuilding it: the old table is
    # dropped, which with foreign keys on would delete or refuse every row that refers to it.
    # SQLite's own procedure: foreign keys off (only outside a transaction), the upgrade in one
    # transaction, every reference checked before it commits, and the connection not reused.
    copy = None
    with engine.connect() as connection:
        try:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
            with connection.begin():
                # Begun here: the driver begins a transaction only before DML, and the DDL
                # before it would stay done when the upgrade fails. IMMEDIATE: another
                # workstation's upgrade waits for this one, then finds the store current.
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                state, current = _state_on(connection)
                if state == SchemaState.CURRENT:
                    return None
                if state == SchemaState.OLDER:  # the file as last committed: before this upgrade
                    copy = backup(engine, stamp, current)
                command.upgrade(_config(connection), "head")
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"the upgrade would leave rows referring to nothing: {broken[:5]}")
        finally:
            connection.invalidate()  # its foreign keys are off: a new connection sets them again
    _log_upgrade(current, copy)
    return copy
