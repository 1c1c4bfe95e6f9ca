"""The SQLite store as a file: encrypting a plain store from before (DESIGN §1 "Security at rest
and backups"). Only an administrator; each act in the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from skranke.i18n import _
from skranke.services.audit import record
from skranke.services.context import Skranke
from skranke.services.errors import DatabaseUnavailable, DeskRefusal, Reason
from skranke.services.staff import Actor, require

if TYPE_CHECKING:
    from skranke.store.copies import CopyFault


class StoreRefusal(DeskRefusal):
    """The store's file cannot be handled so now (in use, already encrypted, PostgreSQL): exit 1."""


@dataclass(frozen=True)
class EncryptResult:
    store: str
    plain_copy: str
    rows: int
    key_file: str

    def to_json_dict(self) -> dict:
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
    path = skranke.database.sqlite_file
    if path is None:
        raise StoreRefusal(
            _(
                "{what} is for a SQLite store; on PostgreSQL the server's own tools do it (pg_dump, base backups)."
            ).format(what=what)
        )
    return path


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

    require(actor, "manage_store")
    assert actor is not None
    database = skranke.database
    path = _sqlite_file(skranke, "skranke encrypt")
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
    }
    return sentences[fault.problem].format(file=fault.path, detail=fault.detail)
