"""Creating and upgrading the database with Alembic, with a copy taken before any upgrade."""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _config(connection=None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def backup(engine: Engine, stamp: datetime, revision: str | None) -> str:
    """Copy the database before an upgrade; returns where the copy is."""
    url = engine.url
    label = f"{revision or 'none'}-{stamp:%Y%m%dT%H%M%S}"
    if url.get_backend_name() == "sqlite":
        source = Path(url.database or "")
        target = source.with_name(f"{source.stem}.before-upgrade-{label}{source.suffix}")
        # sqlite3's online backup gives a consistent copy even with WAL.
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        return str(target)
    # PostgreSQL: copy every table into a schema of its own, in one transaction.
    schema = f"skranke_backup_{label.replace('-', '_').lower()}"
    with engine.begin() as connection:
        current = connection.execute(text("SELECT current_schema()")).scalar_one()
        tables = inspect(connection).get_table_names(schema=current)
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        for table in tables:
            connection.execute(text(f'CREATE TABLE "{schema}"."{table}" AS TABLE "{current}"."{table}"'))
    return f"schema {schema}"


def upgrade_to_head(engine: Engine, stamp: datetime) -> str | None:
    """Create a new database or upgrade an old one; returns the backup's location, if one was taken."""
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return None
    copy = None
    if current is not None or _has_tables(engine):
        copy = backup(engine, stamp, current)
        log.warning("database upgraded from %s to %s; copy before the upgrade: %s", current, head, copy)
    with engine.begin() as connection:
        command.upgrade(_config(connection), "head")
    return copy


def _has_tables(engine: Engine) -> bool:
    with engine.connect() as connection:
        return bool(inspect(connection).get_table_names())
