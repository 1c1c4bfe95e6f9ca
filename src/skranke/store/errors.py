"""Database faults, named: the driver's exception turned into a reason the user can act on.

The store knows the drivers (sqlite3, psycopg) and their messages; the layers above catch
`DatabaseUnavailable` (re-exported by `skranke.services.errors`) and show `str(error)`: one
translated sentence naming the database and what is wrong, never the driver's text.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path

from skranke.i18n import _


class Reason(StrEnum):
    BAD_URL = "bad_url"  # the URL does not parse, or names a driver we do not have
    FOLDER_MISSING = "folder_missing"  # the SQLite file's folder does not exist
    IS_DIRECTORY = "is_directory"  # --db names a folder, not a file
    NOT_FOUND = "not_found"  # no store there yet, and creating one was not asked for
    EMPTY = "empty"  # the database exists but holds no tables, and creating was not asked for
    NOT_A_DATABASE = "not_a_database"  # a file, but not a SQLite database
    FOREIGN = "foreign"  # tables of another program, no skranke schema
    NEWER = "newer"  # a skranke schema revision this version does not know
    SCHEMA_MISSING = "schema_missing"  # skranke's tables went away while it ran
    READ_ONLY = "read_only"
    BUSY = "busy"  # SQLite: another program holds the lock beyond the busy timeout
    UNREACHABLE = "unreachable"  # the server does not answer
    NO_SUCH_DATABASE = "no_such_database"
    ACCESS_DENIED = "access_denied"
    LOST = "lost"  # the connection broke while in use (server restarted, session ended)
    NOT_VERIFIED_TLS = "not_verified_tls"  # a server on another machine, without sslmode=verify-full
    NO_ROOT_CERTIFICATE = "no_root_certificate"  # verify-full, but no CA file to check the server by
    KEY_MISSING = "key_missing"  # an encrypted SQLite store, and no key file where it was looked for
    WRONG_KEY = "wrong_key"  # the key file's key does not open the encrypted store
    KEY_UNREADABLE = "key_unreadable"  # the key file cannot be read, or holds no key


# Faults that waiting may heal: the application keeps retrying these on its own.
TRANSIENT = frozenset({Reason.BUSY, Reason.UNREACHABLE, Reason.LOST})
# Faults of the store's key, not of the database: the sentence names the key file too.
KEY_FAULTS = frozenset({Reason.KEY_MISSING, Reason.WRONG_KEY, Reason.KEY_UNREADABLE})


class DatabaseUnavailable(Exception):
    """The database cannot be used; `reason` says why, `location` where (password masked)."""

    def __init__(self, reason: Reason, location: str, detail: str = "") -> None:
        super().__init__(reason.value, location)
        self.reason = reason
        self.location = location
        # The other file the sentence names: the key file looked at, the missing root certificate.
        self.detail = detail

    @property
    def transient(self) -> bool:
        return self.reason in TRANSIENT

    def __str__(self) -> str:
        # Translated when shown, so the language chosen after the fault still applies.
        return fault_sentence(self.reason).format(database=self.location, key=self.detail, file=self.detail)

    def advice(self) -> str:
        """What the user can do, for the application's banner (the CLI's sentence says it already)."""
        if self.transient:
            return _("skranke tries again by itself every few seconds; if it lasts, call whoever runs the server.")
        if self.reason in KEY_FAULTS:
            return _("Quit with q, put the store's key file back (or point --key-file at it) and start again.")
        return _("Quit with q, correct --db (or SKRANKE_DB, config.toml) and start again.")


def fault_sentence(reason: Reason) -> str:
    return {
        Reason.BAD_URL: _(
            "The database address {database} cannot be read: write a file path or a URL such as "
            "postgresql+psycopg://user@host/database."
        ),
        Reason.FOLDER_MISSING: _(
            "The folder of the database {database} does not exist: check --db for a typing error, "
            "or create the folder first."
        ),
        Reason.IS_DIRECTORY: _("The database {database} is a folder, not a file: give the path of a file in it."),
        Reason.NOT_FOUND: _(
            "The database {database} does not exist: check --db for a typing error, or create a new "
            "store on purpose with --create."
        ),
        Reason.EMPTY: _("The database {database} holds no skranke store yet: create one on purpose with --create."),
        Reason.NOT_A_DATABASE: _("The file {database} is not a database: check --db."),
        Reason.FOREIGN: _(
            "The database {database} belongs to another program (it has no skranke tables): "
            "skranke leaves it alone; check --db."
        ),
        Reason.NEWER: _(
            "The database {database} was made by a newer skranke than this one: update skranke on this workstation."
        ),
        Reason.SCHEMA_MISSING: _("The database {database} no longer holds skranke's tables."),
        Reason.READ_ONLY: _("The database {database} may only be read here: skranke must be able to write to it."),
        Reason.BUSY: _("The database {database} is locked by another program."),
        Reason.UNREACHABLE: _("The database server of {database} does not answer."),
        Reason.NO_SUCH_DATABASE: _("The database {database} does not exist on its server: check --db."),
        Reason.ACCESS_DENIED: _("The database server of {database} refused the user name or password."),
        Reason.LOST: _("The connection to the database {database} was lost."),
        Reason.NOT_VERIFIED_TLS: _(
            "The database server of {database} is another machine, and health data never crosses a "
            "network in clear: add sslmode=verify-full and sslrootcert=FILE (the certificate of the "
            "authority that signed the server's) to the URL, e.g. "
            "...?sslmode=verify-full&sslrootcert=/etc/skranke/root.crt."
        ),
        Reason.NO_ROOT_CERTIFICATE: _(
            "The server of {database} can be checked only against the certificate of the authority that "
            "signed its own, and {file} does not exist: put it there, or give its path with "
            "sslrootcert=FILE in the URL."
        ),
        Reason.KEY_MISSING: _(
            "The database {database} is encrypted and its key file {key} is missing: put the key file "
            "back, or point --key-file (SKRANKE_KEY_FILE) at the store's key."
        ),
        Reason.WRONG_KEY: _(
            "The database {database} cannot be opened with the key in {key}: it was encrypted with "
            "another key (or is no database); point --key-file (SKRANKE_KEY_FILE) at the store's own key."
        ),
        Reason.KEY_UNREADABLE: _(
            "The key file {key} of the database {database} cannot be read or holds no key "
            "(64 hexadecimal digits): put back your copy of the key."
        ),
    }[reason]


_PASSWORD = re.compile(r"(//[^:/@]*:)[^@/]*@")


def masked(url: str) -> str:
    """A URL fit to show: the password replaced, even when the URL does not parse."""
    return _PASSWORD.sub(r"\1***@", url)


def _sqlite_fault(message: str, path: Path | None, encrypted: bool) -> Reason | None:
    text = message.lower()
    if "file is not a database" in text or "file is encrypted" in text:
        # With a key, SQLCipher says this of a wrong key: an encrypted file shows nothing else.
        return Reason.WRONG_KEY if encrypted else Reason.NOT_A_DATABASE
    if "readonly" in text or "read-only" in text:
        return Reason.READ_ONLY
    if "database is locked" in text or "database table is locked" in text:
        return Reason.BUSY
    if "no such table" in text:
        return Reason.SCHEMA_MISSING
    if "unable to open database file" in text:
        if path is not None and path.is_dir():
            return Reason.IS_DIRECTORY
        if path is not None and not path.parent.is_dir():
            return Reason.FOLDER_MISSING
        return Reason.READ_ONLY
    if "disk i/o error" in text:
        return Reason.UNREACHABLE
    return None


# Server and libpq messages, for faults that come without an SQLSTATE (while connecting). A
# server answering in another language is not recognised here: its connection errors still
# count as "does not answer" below, never as a crash.
_PG_MESSAGES: list[tuple[str, Reason]] = [
    ("password authentication failed", Reason.ACCESS_DENIED),
    ("no pg_hba.conf entry", Reason.ACCESS_DENIED),
    ("authentication failed", Reason.ACCESS_DENIED),
    ("terminating connection", Reason.LOST),
    ("server closed the connection", Reason.LOST),
    ("consuming input failed", Reason.LOST),
    ("the connection is closed", Reason.LOST),
    ("connection is lost", Reason.LOST),
    ("read-only transaction", Reason.READ_ONLY),
]

_PG_STATES = {
    "25006": Reason.READ_ONLY,  # read_only_sql_transaction
    "42501": Reason.READ_ONLY,  # insufficient_privilege: may read, may not write
    "42P01": Reason.SCHEMA_MISSING,  # undefined_table
    "3F000": Reason.SCHEMA_MISSING,  # invalid_schema_name
    "57P01": Reason.LOST,  # admin_shutdown (pg_terminate_backend, server stopping)
    "57P02": Reason.LOST,  # crash_shutdown
    "57P03": Reason.UNREACHABLE,  # cannot_connect_now (starting up)
    "53300": Reason.UNREACHABLE,  # too_many_connections
    "3D000": Reason.NO_SUCH_DATABASE,  # invalid_catalog_name
    "28P01": Reason.ACCESS_DENIED,
    "28000": Reason.ACCESS_DENIED,
}


def _postgresql_fault(driver_error: BaseException) -> Reason | None:
    state = getattr(driver_error, "sqlstate", None)
    if state in _PG_STATES:
        return _PG_STATES[state]
    text = str(driver_error).lower()
    if "does not exist" in text and 'role "' in text:
        return Reason.ACCESS_DENIED
    if "does not exist" in text and 'database "' in text:
        return Reason.NO_SUCH_DATABASE
    for needle, reason in _PG_MESSAGES:
        if needle in text:
            return reason
    if type(driver_error).__name__ in ("OperationalError", "InterfaceError"):
        # A connection-level fault in words we do not know: the server is gone or will not answer.
        return Reason.UNREACHABLE
    return None


def classify(
    error: BaseException, location: str, sqlite_file: Path | None = None, key_file: str = ""
) -> DatabaseUnavailable | None:
    """The fault behind a driver or SQLAlchemy error, or None when it is no database fault
    (a constraint violated, a bug of ours): then the caller lets the error go on. `key_file`:
    the SQLite store is encrypted with the key from there."""
    # Here, not at the top: the screens and commands import this module for DatabaseUnavailable.
    import sqlite3

    from sqlalchemy import exc

    if isinstance(error, DatabaseUnavailable):
        return error
    if isinstance(error, exc.IntegrityError):
        return None
    driver_error: BaseException = error
    if isinstance(error, exc.DBAPIError) and error.orig is not None:
        driver_error = error.orig
    reason: Reason | None = None
    if isinstance(driver_error, sqlite3.Error) or type(driver_error).__module__.startswith("sqlcipher3"):
        reason = _sqlite_fault(str(driver_error), sqlite_file, bool(key_file))
    elif type(driver_error).__module__.startswith("psycopg"):
        reason = _postgresql_fault(driver_error)
    if reason is None and isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        reason = Reason.LOST
    if reason is None:
        return None
    return DatabaseUnavailable(reason, location, key_file if reason in KEY_FAULTS else "")
