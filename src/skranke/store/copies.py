"""Copies of a SQLite store as whole files: backups, their check, a restore, and encryption of a
plain store from before.

Every copy is written under a temporary name beside its target, fsynced, checked, and only then
renamed into place (and the folder fsynced), so a crash or a full disk never leaves a half
written file under a name that promises a whole one.

A backup holds, besides the store, one table of its own (`skranke_backup`: when it was taken,
the store's revision, where from, and the row count of every table at that moment), so that
`verify` compares the file with what was copied, and `restore` can say what it puts back.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from skranke.store.cipher import (
    FileKind,
    file_kind,
    fsync_file,
    fsync_folder,
    is_driver_error,
    key_pragma_value,
    prepare,
)

BACKUP_TABLE = "skranke_backup"
AGE_HEADER = b"age-encryption.org/"
# How long a copy waits for another connection's write to finish before it gives up.
BUSY_SECONDS = 10.0
# How long taking the store for itself (encrypt, restore) waits for other connections to close.
EXCLUSIVE_WAIT_SECONDS = 2.0


class CopyProblem(StrEnum):
    NOT_FOUND = "not_found"
    FOLDER = "folder"  # a folder was named, not a backup file in it
    CUT_SHORT = "cut_short"  # empty, or not whole pages: truncated, or no database at all
    NOT_ENCRYPTED = "not_encrypted"
    WRONG_KEY = "wrong_key"  # the key does not open it (or its first page is damaged)
    DAMAGED_PAGES = "damaged_pages"  # SQLCipher's check: pages altered after they were written
    DAMAGED = "damaged"  # SQLite's integrity check fails
    NOT_A_BACKUP = "not_a_backup"  # no skranke store, or no backup record in it
    NEWER = "newer"  # made by a newer skranke
    COUNTS_DIFFER = "counts_differ"  # rows missing or added since the copy was taken
    AGE_FILE = "age_file"  # an offsite copy, encrypted to an age key: not readable here


class CopyFault(Exception):
    """A copy that must not be trusted; `detail` names what (pages, tables), `path` which file."""

    def __init__(self, problem: CopyProblem, path: Path, detail: str = "") -> None:
        super().__init__(problem.value, str(path), detail)
        self.problem = problem
        self.path = path
        self.detail = detail


class StoreInUse(Exception):
    """Another connection has the store open: a file cannot be swapped under it."""


@dataclass(frozen=True)
class CopyFacts:
    """What a checked copy holds."""

    path: Path
    revision: str
    counts: dict[str, int]
    taken_at: datetime | None = None  # a backup's own time (None: not a backup)
    source: str = ""

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def _open(path: Path, key: bytes | None, *, read_only: bool = False) -> Any:
    """A SQLCipher connection, keyed when `key` is given (without: SQLCipher reads a plain file
    as SQLite does), in autocommit so that BEGIN and COMMIT are ours."""
    import sqlcipher3

    target = f"{path.absolute().as_uri()}?mode=ro" if read_only else str(path)
    connection = sqlcipher3.connect(target, uri=read_only, isolation_level=None, timeout=BUSY_SECONDS)
    if key is None:
        connection.execute("PRAGMA cipher_log_level = NONE")
    else:
        prepare(connection, key)
    return connection


def table_counts(connection: Any) -> dict[str, int]:
    names = [
        row[0]
        for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        if not row[0].startswith("sqlite_") and row[0] != BACKUP_TABLE
    ]
    return {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


def _revision(connection: Any) -> str | None:
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "alembic_version" not in tables:
        return None
    row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else None


def _attach_key(key: bytes) -> str:
    # The key is our own bytes in hex: nothing of the user's is put into the statement.
    return f'KEY "{key_pragma_value(key)}"'


def check_copy(path: Path, key: bytes, expected: dict[str, int] | None = None, *, backup: bool = True) -> CopyFacts:
    """Opens the copy with the key and checks it whole: SQLCipher's page check (every page's
    HMAC), SQLite's integrity check, a skranke revision this version knows, and the row count
    of every table against `expected` (a backup: the counts recorded when it was taken)."""
    from skranke.store.schema import SchemaState, _state_of

    if path.is_dir():
        raise CopyFault(CopyProblem.FOLDER, path)
    kind = file_kind(path)
    if kind == FileKind.MISSING:
        raise CopyFault(CopyProblem.NOT_FOUND if not path.exists() else CopyProblem.CUT_SHORT, path)
    with path.open("rb") as file:
        if file.read(len(AGE_HEADER)) == AGE_HEADER:
            raise CopyFault(CopyProblem.AGE_FILE, path)
    if kind == FileKind.OTHER:
        raise CopyFault(CopyProblem.CUT_SHORT, path, str(path.stat().st_size))
    if kind == FileKind.PLAIN:
        raise CopyFault(CopyProblem.NOT_ENCRYPTED, path)
    connection = _open(path, key, read_only=True)
    try:
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except Exception as error:
            if not is_driver_error(error):
                raise
            # SQLCipher cannot tell a wrong key from a first page changed: both fail its HMAC.
            wrong_key = "not a database" in str(error).lower()
            raise CopyFault(CopyProblem.WRONG_KEY if wrong_key else CopyProblem.DAMAGED, path) from None
        try:
            damaged = [str(row[0]) for row in connection.execute("PRAGMA cipher_integrity_check")]
            if damaged:
                pages = sorted({int(n) for text in damaged for n in re.findall(r"page (\d+)", text, re.IGNORECASE)})
                detail = ", ".join(map(str, pages)) if pages else str(len(damaged))
                raise CopyFault(CopyProblem.DAMAGED_PAGES, path, detail)
            integrity = [str(row[0]) for row in connection.execute("PRAGMA integrity_check")]
            if integrity != ["ok"]:
                raise CopyFault(CopyProblem.DAMAGED, path, str(len(integrity)))
            revision = _revision(connection)
            tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            record = _backup_record(connection) if BACKUP_TABLE in tables else None
            counts = table_counts(connection)
        except CopyFault:
            raise
        except Exception as error:
            if not is_driver_error(error):
                raise
            raise CopyFault(CopyProblem.DAMAGED, path) from None
    finally:
        connection.close()
    if revision is None or (backup and record is None):
        raise CopyFault(CopyProblem.NOT_A_BACKUP, path)
    state, _revision_again = _state_of(revision, [t for t in tables if not t.startswith("sqlite_")])
    if state == SchemaState.NEWER:
        raise CopyFault(CopyProblem.NEWER, path, revision)
    taken_at, source = None, ""
    if record is not None:
        taken_at, recorded_revision, source, recorded = record
        if recorded_revision != revision:
            raise CopyFault(CopyProblem.COUNTS_DIFFER, path, f"alembic_version: {recorded_revision} → {revision}")
        expected = expected if expected is not None else recorded
    if expected is not None and counts != expected:
        differing = [
            f"{table}: {counts.get(table, 0)}/{expected.get(table, 0)}"
            for table in sorted(set(counts) | set(expected))
            if counts.get(table, 0) != expected.get(table, 0)
        ]
        raise CopyFault(CopyProblem.COUNTS_DIFFER, path, ", ".join(differing))
    return CopyFacts(path, revision, counts, taken_at, source)


def _backup_record(connection: Any) -> tuple[datetime, str, str, dict[str, int]] | None:
    row = connection.execute(f"SELECT taken_at, revision, source, counts FROM {BACKUP_TABLE}").fetchone()
    if row is None:
        return None
    return datetime.fromisoformat(row[0]), row[1], row[2], json.loads(row[3])


def take_backup(
    store: Path,
    store_key: bytes | None,
    target: Path,
    key: bytes,
    taken_at: datetime,
    *,
    at_snapshot: Callable[[], None] | None = None,
) -> CopyFacts:
    """A consistent copy of the store while others keep writing: one read transaction is the
    snapshot (its row counts and the pages copied are of the same moment), copied with SQLite's
    online backup API (an encrypted store, page for page, under the same key) or exported into
    an encrypted file (a plain store: its backups are encrypted all the same).

    `at_snapshot` runs once the snapshot is taken, before the pages are copied: tests write
    there, as another workstation would, to show the copy is of the snapshot."""
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    source = _open(store, store_key)
    try:
        if store_key is None:  # ATTACH is refused inside a transaction: before the snapshot
            source.execute(f"ATTACH DATABASE ? AS backup {_attach_key(key)}", (str(partial),))
        source.execute("BEGIN")
        counts = table_counts(source)  # the snapshot starts here, at the first read
        revision = _revision(source)
        if at_snapshot is not None:
            at_snapshot()
        if store_key is None:
            source.execute("SELECT sqlcipher_export('backup')")
        else:
            copy = _open(partial, key)
            try:
                source.backup(copy)
            finally:
                copy.close()
        source.execute("COMMIT")
        if store_key is None:
            source.execute("DETACH DATABASE backup")
    finally:
        source.close()
    copy = _open(partial, key)
    try:
        copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no WAL beside it
        copy.execute(f"CREATE TABLE {BACKUP_TABLE} (taken_at TEXT, revision TEXT, source TEXT, counts TEXT)")
        copy.execute(
            f"INSERT INTO {BACKUP_TABLE} VALUES (?, ?, ?, ?)",
            (taken_at.isoformat(), revision, str(store), json.dumps(counts, sort_keys=True)),
        )
    finally:
        copy.close()
    try:
        fsync_file(partial)
        facts = check_copy(partial, key, counts)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)
    fsync_folder(target.parent)
    return CopyFacts(target, facts.revision, facts.counts, facts.taken_at, facts.source)


# SQLite's "dead man switch" in a WAL database's -shm file (os_unix.c, UNIX_SHM_DMS): every
# connection holds a read lock on this byte for as long as it has the database open.
_SHM_DEAD_MAN_SWITCH = 128


def others_have_it_open(store: Path) -> bool:
    """Whether another process has the WAL store open, from the locks on its -shm file (POSIX;
    elsewhere False, and the exclusive lock below is all there is). Our own connections must be
    closed first: a process's own locks never conflict with each other."""
    shm = store.with_name(store.name + "-shm")
    if os.name != "posix" or not shm.exists():
        return False
    import fcntl

    descriptor = os.open(shm, os.O_RDWR)
    try:
        try:
            fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, _SHM_DEAD_MAN_SWITCH)
        except OSError:
            return True
        fcntl.lockf(descriptor, fcntl.LOCK_UN, 1, _SHM_DEAD_MAN_SWITCH)
        return False
    finally:
        os.close(descriptor)


@contextmanager
def store_to_itself(store: Path, key: bytes | None) -> Iterator[Any]:
    """The store held by this connection alone until the block ends: no other process may have
    it open, its WAL is folded back into the file (journal mode DELETE), and an exclusive lock
    is held, so nobody opens it until the block ends. `StoreInUse` when another connection has
    it open (or takes it while this waits)."""
    if others_have_it_open(store):
        raise StoreInUse(str(store))
    connection = _open(store, key)
    connection.execute(f"PRAGMA busy_timeout = {int(EXCLUSIVE_WAIT_SECONDS * 1000)}")
    try:
        try:
            connection.execute("PRAGMA journal_mode = DELETE").fetchone()
            connection.execute("PRAGMA locking_mode = EXCLUSIVE")
            connection.execute("BEGIN EXCLUSIVE")
            connection.execute("COMMIT")  # in exclusive locking mode the lock stays after it
        except Exception as error:
            if is_driver_error(error) and "locked" in str(error).lower():
                raise StoreInUse(str(store)) from None
            raise
        yield connection
    finally:
        connection.close()


def unused_name(folder: Path, stem: str, suffix: str) -> Path:
    candidate, number = folder / f"{stem}{suffix}", 1
    while candidate.exists():
        number += 1
        candidate = folder / f"{stem}-{number}{suffix}"
    return candidate


def encrypt_store(store: Path, key: bytes, stamp: datetime) -> tuple[Path, CopyFacts]:
    """A plain store becomes encrypted: an encrypted copy is exported under a temporary name,
    fsynced and checked (every table's rows counted against the plain store's), the plain
    file is copied aside, and the encrypted one renamed over the store. Returns the plain copy
    (to be deleted once the encrypted store is known good: it is readable by anyone) and the
    encrypted store's facts."""
    partial = store.with_name(f".{store.name}.encrypting")
    partial.unlink(missing_ok=True)
    with store_to_itself(store, None) as source:
        counts = table_counts(source)
        source.execute(f"ATTACH DATABASE ? AS encrypted {_attach_key(key)}", (str(partial),))
        source.execute("SELECT sqlcipher_export('encrypted')")
        source.execute("DETACH DATABASE encrypted")
        try:
            fsync_file(partial)
            facts = check_copy(partial, key, counts, backup=False)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        plain_copy = unused_name(store.parent, f"{store.stem}.plain-{stamp:%Y%m%dT%H%M%S}", store.suffix)
        shutil.copyfile(store, plain_copy)
        plain_copy.chmod(0o600)  # readable by anyone who may read it: its owner only
        fsync_file(plain_copy)
    # Renamed only now that the lock is let go: Windows does not rename over an open file.
    os.replace(partial, store)
    fsync_folder(store.parent)
    return plain_copy, CopyFacts(store, facts.revision, facts.counts)


def restore_store(store: Path, key: bytes, backup: Path, stamp: datetime) -> tuple[Path | None, CopyFacts]:
    """A checked backup put in the store's place: the current store (if there is one) is copied
    aside first (`<store>.before-restore-<time>.db`), the backup copied beside the store under a
    temporary name without its backup record, checked again, fsynced, and renamed over the
    store. Returns the copy aside and the backup's facts. A backup that fails its check is never
    put in place, and the store is left as it was."""
    facts = check_copy(backup, key)
    partial = store.with_name(f".{store.name}.restoring")
    partial.unlink(missing_ok=True)
    try:
        shutil.copyfile(backup, partial)
        copy = _open(partial, key)
        try:
            copy.execute(f"DROP TABLE {BACKUP_TABLE}")
            copy.execute("VACUUM")  # the record's page goes too: the store as it was copied
        finally:
            copy.close()
        fsync_file(partial)
        check_copy(partial, key, facts.counts, backup=False)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    aside = None
    if file_kind(store) != FileKind.MISSING:
        store_key = key if file_kind(store) == FileKind.ENCRYPTED else None
        try:
            with store_to_itself(store, store_key):
                aside = unused_name(store.parent, f"{store.stem}.before-restore-{stamp:%Y%m%dT%H%M%S}", store.suffix)
                shutil.copyfile(store, aside)
                fsync_file(aside)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    os.replace(partial, store)
    fsync_folder(store.parent)
    return aside, facts
