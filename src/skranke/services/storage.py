"""The SQLite store as a file (DESIGN §1 "Security at rest and backups"): encrypting a plain store
from before, backups (by hand, and one a day by itself), their check, and restoring one. Only an
administrator (the daily backup: the workstation itself); each act in the audit log."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skranke.i18n import _
from skranke.services.access import Actor, require
from skranke.services.audit import record
from skranke.services.context import Skranke, UsageError
from skranke.services.errors import DatabaseUnavailable, DeskRefusal, Reason
from skranke.services.staff import workstation_actor

if TYPE_CHECKING:
    from skranke.store.copies import CopyFacts, CopyFault


class StoreRefusal(DeskRefusal):
    """The store's file cannot be handled so now (in use, already encrypted, PostgreSQL): exit 1."""


@dataclass(frozen=True)
class EncryptResult:
    store: str
    plain_copy: str
    rows: int
    key_file: str

    def to_json_dict(self) -> dict[str, Any]:
        return {"store": self.store, "plain_copy": self.plain_copy, "rows": self.rows, "key_file": self.key_file}


def store_key(skranke: Skranke, *, new: bool = False, location: str | None = None) -> bytes:
    """The key from the key file (`new`: made there when there is none yet, as for a new store);
    `location`: the file the key is for, when not the store (a backup), for the fault's sentence."""
    from skranke.store.cipher import KeyFileError, KeyProblem, key_for_new_store, read_key

    path = skranke.key_file
    try:
        return key_for_new_store(path) if new else read_key(path)
    except KeyFileError as error:
        reason = Reason.KEY_MISSING if error.problem == KeyProblem.MISSING else Reason.KEY_UNREADABLE
        raise DatabaseUnavailable(reason, location or skranke.database_location(), str(path)) from None


def _sqlite_file(skranke: Skranke, what: str) -> Path:
    """The SQLite store's file, known from the URL alone (nothing is opened); on PostgreSQL a
    usage error (exit 2): the server's own tools copy it."""
    from skranke.store.engine import sqlite_path

    path = sqlite_path(skranke.database_url)
    if path is None:
        raise UsageError(
            _(
                "{what} is for a SQLite store; on PostgreSQL the server's own tools do it (pg_dump, base backups)."
            ).format(what=what)
        )
    return path


def check_backup_target(skranke: Skranke) -> None:
    """A usage error (exit 2) on PostgreSQL, before anything asks for a PIN."""
    _sqlite_file(skranke, "skranke backup")


def in_use_refusal(location: str) -> StoreRefusal:
    return StoreRefusal(
        _(
            "The database {database} is open in another skranke (or program): close it everywhere "
            "and try again; nothing was changed."
        ).format(database=location)
    )


def encrypt(skranke: Skranke, actor: Actor | None) -> EncryptResult:
    """A plain store from before becomes encrypted with the key file's key (a new key written
    there when there is none); the plain file is kept beside it, named in the result."""
    from skranke.store.copies import CopyFault, StoreInUse, encrypt_store

    path = _sqlite_file(skranke, "skranke encrypt")
    require(actor, "manage_store")
    assert actor is not None
    database = skranke.database
    if not database.plain:
        raise StoreRefusal(_("The database {database} is encrypted already.").format(database=database.location))
    key = store_key(skranke, new=True)
    location = database.location
    skranke.close()  # our own connections would hold the file open
    now = skranke.clock.now()
    try:
        plain_copy, facts = encrypt_store(path, key, now)
    except StoreInUse:
        raise in_use_refusal(location) from None
    except CopyFault as fault:
        raise StoreRefusal(copy_fault_sentence(fault)) from None
    with skranke.database.transaction() as session:
        record(
            session,
            actor,
            now,
            "encrypt",
            entity="store",
            entity_id=path.name,
            detail={"plain_copy": str(plain_copy), "rows": facts.rows, "key_file": str(skranke.key_file)},
        )
    return EncryptResult(location, str(plain_copy), facts.rows, str(skranke.key_file))


def copy_fault_sentence(fault: CopyFault) -> str:
    """What is wrong with a copy, in one sentence naming the file and what was found."""
    from skranke.store.copies import CopyProblem

    sentences = {
        CopyProblem.NOT_FOUND: _("The file {file} does not exist."),
        CopyProblem.FOLDER: _("{file} is a folder: name one backup file in it."),
        CopyProblem.CUT_SHORT: _("The file {file} is cut short or is no database (it does not hold whole pages)."),
        CopyProblem.NOT_ENCRYPTED: _("The file {file} is not encrypted: it is no skranke backup."),
        CopyProblem.WRONG_KEY: _(
            "The file {file} cannot be opened with the store's key: it was encrypted with another key, "
            "or its first page is damaged."
        ),
        CopyProblem.DAMAGED_PAGES: _(
            "The file {file} is damaged: pages {detail} were changed after they were written."
        ),
        CopyProblem.DAMAGED: _("The file {file} is damaged: SQLite's integrity check fails."),
        CopyProblem.NOT_A_BACKUP: _("The file {file} is no skranke backup (no store, or no backup record in it)."),
        CopyProblem.NEWER: _("The file {file} was made by a newer skranke (revision {detail})."),
        CopyProblem.COUNTS_DIFFER: _(
            "The file {file} does not hold the rows it was written with (table: found/recorded): {detail}."
        ),
        CopyProblem.AGE_FILE: _(
            "The file {file} is an offsite copy encrypted for an age key: decrypt it with that key's "
            "identity first (age -d -i IDENTITY -o FILE.db {file})."
        ),
    }
    return sentences[fault.problem].format(file=fault.path, detail=fault.detail)


# --- backups -----------------------------------------------------------------------------------

# `<store>-<YYYY-MM-DD>T<HHMMSS>.db`: sorts by time, and the retention reads the time back from it.
# A second one in the same second gets `-2`, `-3`, ...
_BACKUP_NAME = re.compile(r"^(?P<stem>.+)-(?P<day>\d{4}-\d{2}-\d{2})T(?P<time>\d{6})(?:-\d+)?\.db$")


@dataclass(frozen=True)
class BackupFacts:
    """A checked backup: what `backup`, `backup verify` and `restore` report."""

    file: str
    taken_at: datetime | None
    revision: str
    counts: dict[str, int]
    source: str = ""

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    @classmethod
    def of(cls, facts: CopyFacts) -> BackupFacts:
        return cls(str(facts.path), facts.taken_at, facts.revision, dict(facts.counts), facts.source)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "taken_at": self.taken_at.isoformat() if self.taken_at else None,
            "revision": self.revision,
            "rows": self.rows,
            "tables": self.counts,
        }


@dataclass(frozen=True)
class BackupResult:
    backup: BackupFacts
    age_file: str | None = None
    removed: list[str] = field(default_factory=list)  # older backups the retention let go

    def to_json_dict(self) -> dict[str, Any]:
        return {**self.backup.to_json_dict(), "age_file": self.age_file, "removed": self.removed}


@dataclass(frozen=True)
class RestoreResult:
    backup: BackupFacts
    store: str
    kept_aside: str | None

    def to_json_dict(self) -> dict[str, Any]:
        return {**self.backup.to_json_dict(), "store": self.store, "kept_aside": self.kept_aside}


def backup_name(store: Path, taken_at: datetime) -> str:
    from skranke.clock import to_local

    return f"{store.stem}-{to_local(taken_at):%Y-%m-%dT%H%M%S}.db"


def _age_recipient(text: str) -> Any:
    import pyrage

    try:
        return pyrage.x25519.Recipient.from_str(text.strip())
    except pyrage.RecipientError:
        raise UsageError(
            _("--to-recipient '{recipient}' is not an age public key (age1…).").format(recipient=text)
        ) from None


def backup(
    skranke: Skranke,
    actor: Actor | None,
    to: Path | None = None,
    *,
    recipient: str | None = None,
    at_snapshot: Callable[[], None] | None = None,
    automatic: bool = False,
) -> BackupResult:
    """A consistent, encrypted, checked copy of the store in `to` (default: the backup folder,
    made when missing; a folder given is never made: a typing error must not hide a backup).
    `recipient`: also an offsite copy encrypted to that age public key, which this workstation
    cannot read back. `automatic`: the daily backup, acting as the workstation itself."""
    from skranke.store.copies import CopyFault, take_backup

    store = _sqlite_file(skranke, "skranke backup")
    age = _age_recipient(recipient) if recipient else None
    if automatic:
        actor = workstation_actor(skranke)
    else:
        require(actor, "manage_store")
    assert actor is not None
    database = skranke.database  # the store opens (and is upgraded) before it is copied
    folder = to if to is not None else skranke.backup_dir
    if to is None:
        folder.mkdir(parents=True, exist_ok=True)
    elif not folder.is_dir():
        raise UsageError(_("--to {folder}: no such folder.").format(folder=folder))
    key = store_key(skranke, new=True)
    now = skranke.clock.now()
    target = folder / backup_name(store, now)
    number = 1
    while target.exists():  # two backups in one second (or under a fixed --now): never over one
        number += 1
        target = folder / (backup_name(store, now).removesuffix(".db") + f"-{number}.db")
    try:
        facts = BackupFacts.of(
            take_backup(store, None if database.plain else key, target, key, now, at_snapshot=at_snapshot)
        )
    except CopyFault as fault:
        raise StoreRefusal(copy_fault_sentence(fault)) from None
    age_file = _age_copy(target, age) if age is not None else None
    with skranke.database.transaction() as session:
        record(
            session,
            actor,
            now,
            "backup",
            entity="store",
            entity_id=store.name,
            detail={
                "file": facts.file,
                "revision": facts.revision,
                "rows": facts.rows,
                "age_file": age_file,
                "automatic": automatic,
            },
        )
    removed = prune_backups(folder, store.stem) if to is None else []
    return BackupResult(facts, age_file, removed)


def _age_copy(backup_file: Path, recipient: Any) -> str:
    """The backup encrypted to an age public key beside it (`….db.age`): for another place
    (offsite), readable only with that key's identity, which this workstation does not hold. The
    store's key is needed as well: the backup inside is encrypted with it."""
    import os

    import pyrage

    from skranke.store.cipher import fsync_file, fsync_folder

    target = backup_file.with_name(backup_file.name + ".age")
    partial = target.with_name(f".{target.name}.partial")
    try:
        pyrage.encrypt_file(str(backup_file), str(partial), [recipient])
        fsync_file(partial)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)
    fsync_folder(target.parent)
    return str(target)


def backups_in(folder: Path, stem: str) -> dict[Path, datetime]:
    """This store's backups in a folder, by the time in their names (local time)."""
    from skranke.clock import TIMEZONE

    found: dict[Path, datetime] = {}
    if not folder.is_dir():
        return found
    for path in folder.iterdir():
        match = _BACKUP_NAME.match(path.name)  # an offsite copy (`.db.age`) goes with its backup
        if match is None or match["stem"] != stem:
            continue
        moment = datetime.strptime(f"{match['day']}T{match['time']}", "%Y-%m-%dT%H%M%S").replace(tzinfo=TIMEZONE)
        found[path] = moment
    return found


def prune_backups(folder: Path, stem: str) -> list[str]:
    """Removes this store's backups in the folder that the retention does not keep (the newest
    14 days and 12 months), each with its offsite copy; returns their names."""
    from skranke.domain.retention import backups_to_keep

    backups = backups_in(folder, stem)
    kept = backups_to_keep(backups.values())
    removed = []
    for path, moment in sorted(backups.items(), key=lambda item: item[1]):
        if moment in kept:
            continue
        path.unlink(missing_ok=True)
        path.with_name(path.name + ".age").unlink(missing_ok=True)
        removed.append(path.name)
    return removed


def daily_backup(skranke: Skranke) -> BackupResult | None:
    """The day's backup into the backup folder, unless the folder holds one of today already
    (a look at the folder: cheap, and nothing opened); None then, and on PostgreSQL."""
    from skranke.clock import to_local
    from skranke.store.engine import sqlite_path

    store = sqlite_path(skranke.database_url)
    if store is None:
        return None
    today = to_local(skranke.clock.now()).date()
    if any(moment.date() == today for moment in backups_in(skranke.backup_dir, store.stem).values()):
        return None
    return backup(skranke, None, automatic=True)


def verify_backup(skranke: Skranke, file: Path) -> BackupFacts:
    """Checks a backup file whole with the store's key (opens, every page's HMAC, SQLite's
    integrity check, a known revision, every table's rows against those recorded when it was
    taken). Needs no store and no sign-in: the file is checked, not read out."""
    from skranke.store.copies import CopyFault, check_copy

    key = store_key(skranke, location=str(file))
    try:
        return BackupFacts.of(check_copy(file, key))
    except CopyFault as fault:
        raise StoreRefusal(copy_fault_sentence(fault)) from None


def restore(skranke: Skranke, actor: Actor | None, file: Path) -> RestoreResult:
    """A checked backup in the store's place: the current store kept aside, the backup's record
    taken out, `restore` in the audit log of the restored store. `actor` None: there is no store
    (it is gone: the disk died), so the caller signs in against the restored one (`sign_in_after`)."""
    from skranke.store.copies import CopyFault, StoreInUse, restore_store

    store = _sqlite_file(skranke, "skranke restore")
    if actor is not None:
        require(actor, "manage_store")
    key = store_key(skranke, location=str(file))
    location = skranke.database_location()
    skranke.close()
    try:
        aside, facts = restore_store(store, key, file, skranke.clock.now())
    except StoreInUse:
        raise in_use_refusal(location) from None
    except CopyFault as fault:
        raise StoreRefusal(copy_fault_sentence(fault)) from None
    result = RestoreResult(BackupFacts.of(facts), location, str(aside) if aside else None)
    if actor is not None:
        record_restore(skranke, actor, result)
    return result


def record_restore(skranke: Skranke, actor: Actor, result: RestoreResult) -> None:
    with skranke.database.transaction() as session:
        record(
            session,
            actor,
            skranke.clock.now(),
            "restore",
            entity="store",
            entity_id=Path(result.store).name,
            detail={
                "file": result.backup.file,
                "taken_at": result.backup.taken_at.isoformat() if result.backup.taken_at else None,
                "revision": result.backup.revision,
                "rows": result.backup.rows,
                "kept_aside": result.kept_aside,
            },
        )


def restore_actor(skranke: Skranke, sign_in: Callable[[], Actor]) -> tuple[Actor | None, bool]:
    """Who restores: an administrator signed in on the store; where the store is gone (its file
    missing: a dead disk, a new PC), nobody yet, and (True) an administrator of the restored store
    signs in once it is in place (`sign_in_after_restore`)."""
    store = _sqlite_file(skranke, "skranke restore")
    if not store.exists():
        return None, True
    return sign_in(), False


def sign_in_after_restore(skranke: Skranke, result: RestoreResult, sign_in: Callable[[], Actor]) -> Actor:
    """The restored store's administrator signs in; anyone else, and the store is taken out of
    its place again (left beside it as `.refused-restore`), so it is not there without an admin."""
    from skranke.services.access import AccessError

    try:
        actor = require(sign_in(), "manage_store")
    except (AccessError, DatabaseUnavailable):
        skranke.close()
        store = Path(result.store)
        store.replace(store.with_name(f".{store.name}.refused-restore"))
        for suffix in ("-wal", "-shm"):
            store.with_name(store.name + suffix).unlink(missing_ok=True)
        raise
    record_restore(skranke, actor, result)
    return actor
