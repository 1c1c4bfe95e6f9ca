"""The open database: engine, sessions and one transaction per use case.

Every fault of the database itself (cannot be reached, not ours, read-only, connection lost)
leaves this module as `DatabaseUnavailable` with a reason and the database's location; other
errors (a constraint violated, a bug) go on unchanged.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from skranke.store.audit_chain import discard_pending_events, write_pending_events
from skranke.store.cipher import (
    FileKind,
    KeyFileError,
    KeyProblem,
    file_kind,
    is_driver_error,
    key_for_new_store,
    read_key,
)
from skranke.store.engine import location, make_engine, parse_url, read_only_url, sqlite_path
from skranke.store.errors import DatabaseUnavailable, Reason, classify
from skranke.store.schema import SchemaState, schema_state, sqlite_schema_state, upgrade_to_head


def default_key_file() -> Path:
    from skranke.config import key_file

    return key_file()


class Database:
    def __init__(
        self, engine: Engine, location: str = "", sqlite_file: Path | None = None, key_file: Path | None = None
    ) -> None:
        self.engine = engine
        self.location = location or location_of(str(engine.url))
        self.sqlite_file = sqlite_file
        # The key file of an encrypted SQLite store; None for PostgreSQL and a plain store.
        self.key_file = key_file
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.backup_location: str | None = None

    @property
    def encrypted(self) -> bool:
        return self.key_file is not None

    @property
    def plain(self) -> bool:
        """A SQLite store from before encryption: readable by anyone who copies the file."""
        return self.sqlite_file is not None and self.key_file is None

    @classmethod
    def open(
        cls,
        url: str,
        now: datetime,
        *,
        create: bool = True,
        make_folder: bool | None = None,
        key_file: Path | None = None,
    ) -> Database:
        """Connect, and create or upgrade the schema (copying the old database first).

        `create`: a store that does not exist yet (no SQLite file, an empty database) is made;
        without it that is a fault (`not_found`, `empty`) and nothing is written anywhere.
        `make_folder` (default: as `create`): a SQLite file's missing folder is made too; the
        command line passes False for an explicit --db, so a mistyped folder is never created.
        A database of another program, or of a newer skranke, is refused either way, untouched.
        `key_file` (default: `skranke.config.key_file()`): the key of an encrypted SQLite store;
        a new SQLite store is encrypted with it, and a new key is written there when it does
        not exist yet. A plain store from before opens without it (`plain`).
        """
        parsed = parse_url(url)
        where = location(parsed)
        path = sqlite_path(parsed)
        known: tuple[str, str | None] | None = None  # PostgreSQL, or a SQLite file still to be made
        key: bytes | None = None
        used_key_file: Path | None = None
        if path is not None:
            kind = _check_sqlite_file(
                path, where, create=create, make_folder=create if make_folder is None else make_folder
            )
            if read_only_url(parsed):
                raise DatabaseUnavailable(Reason.READ_ONLY, where)
            if kind != FileKind.PLAIN:
                used_key_file = key_file or default_key_file()
                key = _store_key(used_key_file, where, new=kind == FileKind.MISSING)
            if kind != FileKind.MISSING:
                try:
                    known = sqlite_schema_state(path, key)
                except Exception as error:
                    if not is_driver_error(error):
                        raise
                    raise classify(error, where, path, str(used_key_file or "")) or error from None
        database = cls(make_engine(parsed, key), where, path, used_key_file)
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
        except Exception as error:
            if not (isinstance(error, DBAPIError) or is_driver_error(error)):
                raise
            fault = classify(error, self.location, self.sqlite_file, str(self.key_file or ""))
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


def _store_key(key_file: Path, where: str, *, new: bool) -> bytes:
    try:
        return key_for_new_store(key_file) if new else read_key(key_file)
    except KeyFileError as error:
        reason = Reason.KEY_MISSING if error.problem == KeyProblem.MISSING else Reason.KEY_UNREADABLE
        raise DatabaseUnavailable(reason, where, str(key_file)) from None


def _check_sqlite_file(path: Path, where: str, *, create: bool, make_folder: bool) -> FileKind:
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
        return FileKind.MISSING
    try:
        kind = file_kind(path)
    except OSError:
        raise DatabaseUnavailable(Reason.READ_ONLY, where) from None
    if kind == FileKind.MISSING and not create:  # an empty file
        raise DatabaseUnavailable(Reason.EMPTY, where)
    if kind == FileKind.OTHER:
        raise DatabaseUnavailable(Reason.NOT_A_DATABASE, where)
    # WAL writes files beside the database: the folder must take them too.
    if not os.access(path, os.W_OK) or not os.access(folder, os.W_OK):
        raise DatabaseUnavailable(Reason.READ_ONLY, where)
    return kind


def _check_server_writable(engine: Engine, where: str) -> None:
    with engine.connect() as connection:
        if connection.execute(text("SHOW transaction_read_only")).scalar_one() == "on":
            raise DatabaseUnavailable(Reason.READ_ONLY, where)
