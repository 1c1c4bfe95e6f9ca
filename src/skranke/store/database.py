"""The open database: engine, sessions and one transaction per use case.

Every fault of the database itself (cannot be reached, not ours, read-only, connection lost)
leaves this module as `DatabaseUnavailable` with a reason and the database's location; other
errors (a constraint violated, a bug) go on unchanged.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from skranke.store.audit_chain import discard_pending_events, write_pending_events
from skranke.store.engine import location, make_engine, parse_url, read_only_url, sqlite_path
from skranke.store.errors import DatabaseUnavailable, Reason, classify
from skranke.store.schema import SchemaState, schema_state, sqlite_schema_state, upgrade_to_head

SQLITE_HEADER = b"SQLite format 3\x00"


class Database:
    def __init__(self, engine: Engine, location: str = "", sqlite_file: Path | None = None) -> None:
        self.engine = engine
        self.location = location or location_of(str(engine.url))
        self.sqlite_file = sqlite_file
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.backup_location: str | None = None

    @classmethod
    def open(cls, url: str, now: datetime, *, create: bool = True, make_folder: bool | None = None) -> Database:
        """Connect, and create or upgrade the schema (copying the old database first).

        `create`: a store that does not exist yet (no SQLite file, an empty database) is made;
        without it that is a fault (`not_found`, `empty`) and nothing is written anywhere.
        `make_folder` (default: as `create`): a SQLite file's missing folder is made too; the
        command line passes False for an explicit --db, so a mistyped folder is never created.
        A database of another program, or of a newer skranke, is refused either way, untouched.
        """
        parsed = parse_url(url)
        where = location(parsed)
        path = sqlite_path(parsed)
        known: tuple[str, str | None] | None = None  # PostgreSQL, or a SQLite file still to be made
        if path is not None:
            _check_sqlite_file(path, where, create=create, make_folder=create if make_folder is None else make_folder)
            if read_only_url(parsed):
                raise DatabaseUnavailable(Reason.READ_ONLY, where)
            if path.exists() and path.stat().st_size > 0:
                try:
                    known = sqlite_schema_state(path)
                except sqlite3.Error as error:
                    raise classify(error, where, path) or error from None
        database = cls(make_engine(parsed), where, path)
        try:
            with database._faults_named():
                state, revision = known or schema_state(database.engine)
                if state == SchemaState.FOREIGN:
                    raise DatabaseUnavailable(Reason.FOREIGN, where)
                if state == SchemaState.NEWER:
                    raise DatabaseUnavailable(Reason.NEWER, where)
                if state == SchemaState.EMPTY and not create:
                    raise DatabaseUnavailable(Reason.EMPTY, where)
                if path is None:
                    _check_server_writable(database.engine, where)
                database.backup_location = upgrade_to_head(database.engine, now, state, revision)
        except BaseException:
            database.close()
            raise
        return database

    @contextmanager
    def _faults_named(self) -> Iterator[None]:
        try:
            yield
        except (DBAPIError, sqlite3.Error) as error:
            fault = classify(error, self.location, self.sqlite_file)
            if fault is None:
                raise
            raise fault from error

    @contextmanager
    def transaction(self, dry_run: bool = False) -> Iterator[Session]:
        """One use case, one transaction: committed whole, or rolled back whole.

        `dry_run` runs the whole use case and rolls it back at the end, so what it reports
        (counts, errors) is what a real run would have done.
        """
        with self._faults_named():
            session = self._sessions()
            try:
                yield session
                if dry_run:
                    session.rollback()
                else:
                    # The audit chain's head last: see store.audit_chain.
                    write_pending_events(session)
                    session.commit()
            except BaseException:
                _rollback_quietly(session)
                raise
            finally:
                discard_pending_events(session)
                session.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._faults_named(), self._sessions() as session:
            yield session

    def ping(self) -> None:
        """A round trip to the database and its schema; `DatabaseUnavailable` when either is gone."""
        with self._faults_named():
            state, _revision = schema_state(self.engine)
        if state == SchemaState.NEWER:
            raise DatabaseUnavailable(Reason.NEWER, self.location)
        if state != SchemaState.CURRENT:
            raise DatabaseUnavailable(Reason.SCHEMA_MISSING, self.location)

    def close(self) -> None:
        self.engine.dispose()


def location_of(url: str) -> str:
    try:
        return location(parse_url(url))
    except DatabaseUnavailable as fault:
        return fault.location


def _rollback_quietly(session: Session) -> None:
    # On a connection that is gone the rollback fails too; the server has rolled back already.
    try:
        session.rollback()
    except DBAPIError:
        session.invalidate()


def _check_sqlite_file(path: Path, where: str, *, create: bool, make_folder: bool) -> None:
    """What can be said of a SQLite file without opening it (opening would write to it)."""
    if path.is_dir():
        raise DatabaseUnavailable(Reason.IS_DIRECTORY, where)
    folder = path.parent
    if not folder.is_dir():
        if not make_folder or folder.exists():
            raise DatabaseUnavailable(Reason.FOLDER_MISSING, where)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            raise DatabaseUnavailable(Reason.READ_ONLY, where) from None
    if not path.exists():
        if not create:
            raise DatabaseUnavailable(Reason.NOT_FOUND, where)
        if not os.access(folder, os.W_OK):
            raise DatabaseUnavailable(Reason.READ_ONLY, where)
        return
    try:
        with path.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except OSError:
        raise DatabaseUnavailable(Reason.READ_ONLY, where) from None
    if not header:
        if not create:
            raise DatabaseUnavailable(Reason.EMPTY, where)
    elif header != SQLITE_HEADER:
        raise DatabaseUnavailable(Reason.NOT_A_DATABASE, where)
    # WAL writes files beside the database: the folder must take them too.
    if not os.access(path, os.W_OK) or not os.access(folder, os.W_OK):
        raise DatabaseUnavailable(Reason.READ_ONLY, where)


def _check_server_writable(engine: Engine, where: str) -> None:
    with engine.connect() as connection:
        if connection.execute(text("SHOW transaction_read_only")).scalar_one() == "on":
            raise DatabaseUnavailable(Reason.READ_ONLY, where)
