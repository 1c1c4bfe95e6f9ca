"""The SQLite store at rest: SQLCipher 4 with a raw 32-byte key kept in a key file.

A raw key (`x'<64 hex>'`) skips SQLCipher's key derivation (PBKDF2, ~240 ms a connection with
a passphrase; ~1 ms with a raw key): the key file is already 256 random bits, nothing to stretch.
The key file holds the key as 64 hexadecimal digits and a newline: text, so that it can be read
out, printed and typed back (a copy on paper in the safe), and checked for a typing error.

Which driver opens a file is decided by the file itself: the plain SQLite header means a store
from before encryption (opened with the stdlib driver, warned about); anything else that looks
like database pages is encrypted and needs the key.
"""

from __future__ import annotations

import os
import re
import secrets
import sqlite3
from enum import StrEnum
from pathlib import Path
from typing import Any

KEY_BYTES = 32
SQLITE_HEADER = b"SQLite format 3\x00"
# SQLite's smallest page: an encrypted file (no header to read) is whole pages of at least this.
MIN_PAGE_SIZE = 512
_HEX_KEY = re.compile(r"[0-9a-fA-F]{64}")


class FileKind(StrEnum):
    MISSING = "missing"  # no file, or an empty one: a new store goes here
    PLAIN = "plain"  # SQLite's own header: not encrypted
    ENCRYPTED = "encrypted"  # whole pages without a header: SQLCipher (or random bytes)
    OTHER = "other"  # not a database at all (text, a truncated file)


def file_kind(path: Path) -> FileKind:
    """What a file holds, from its size and first bytes only (opening it could write to it)."""
    if not path.exists():
        return FileKind.MISSING
    size = path.stat().st_size
    if size == 0:
        return FileKind.MISSING
    with path.open("rb") as file:
        header = file.read(len(SQLITE_HEADER))
    if header == SQLITE_HEADER:
        return FileKind.PLAIN
    # SQLCipher writes whole pages, the first 16 bytes being the salt: nothing else to recognise.
    if size % MIN_PAGE_SIZE == 0:
        return FileKind.ENCRYPTED
    return FileKind.OTHER


class KeyProblem(StrEnum):
    MISSING = "missing"
    MALFORMED = "malformed"
    UNREADABLE = "unreadable"


class KeyFileError(Exception):
    def __init__(self, problem: KeyProblem, path: Path) -> None:
        super().__init__(problem.value, str(path))
        self.problem = problem
        self.path = path


def read_key(path: Path) -> bytes:
    """The 32-byte key in the key file; `KeyFileError` says what is wrong with it."""
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise KeyFileError(KeyProblem.MISSING, path) from None
    except (OSError, UnicodeDecodeError):
        raise KeyFileError(KeyProblem.UNREADABLE, path) from None
    text = "".join(text.split())  # a key typed back from paper may be broken into groups
    if not _HEX_KEY.fullmatch(text):
        raise KeyFileError(KeyProblem.MALFORMED, path)
    return bytes.fromhex(text)


def key_for_new_store(path: Path) -> bytes:
    """The key a new store is encrypted with: the key file's, or a new one written there when
    there is none yet (mode 0600, never over an existing file, even one made a moment ago by
    another workstation starting at the same time)."""
    try:
        return read_key(path)
    except KeyFileError as error:
        if error.problem != KeyProblem.MISSING:
            raise
    key = secrets.token_bytes(KEY_BYTES)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return read_key(path)
    except OSError:
        raise KeyFileError(KeyProblem.UNREADABLE, path) from None
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(key.hex() + "\n")
        file.flush()
        os.fsync(file.fileno())
    return key


def key_pragma_value(key: bytes) -> str:
    """The raw key as SQLCipher takes it in `PRAGMA key = "x'…'"`: no key derivation."""
    return f"x'{key.hex()}'"


def connect(path: Path, key: bytes | None, *, read_only: bool = False, **options: Any) -> Any:
    """A DB-API connection to the file: SQLCipher with the key, the stdlib driver without one.
    The key is tried at the first read: a wrong one fails there with "file is not a database"."""
    target = f"{path.absolute().as_uri()}?mode=ro" if read_only else str(path)
    if key is None:
        return sqlite3.connect(target, uri=read_only, **options)
    import sqlcipher3

    connection = sqlcipher3.connect(target, uri=read_only, **options)
    prepare(connection, key)
    return connection


def prepare(connection: Any, key: bytes) -> None:
    """Keys a SQLCipher connection. Quiet first: SQLCipher logs a wrong key to stderr itself,
    which a command line would show beside its one sentence."""
    connection.execute("PRAGMA cipher_log_level = NONE")
    connection.execute(f'PRAGMA key = "{key_pragma_value(key)}"')


def driver_errors() -> tuple[type[BaseException], ...]:
    """The exceptions both drivers raise (SQLCipher's are not the stdlib's subclasses)."""
    import sqlcipher3

    return (sqlite3.Error, sqlcipher3.Error)


def is_driver_error(error: BaseException) -> bool:
    return isinstance(error, sqlite3.Error) or type(error).__module__.startswith("sqlcipher3")


def fsync_file(path: Path) -> None:
    with path.open("rb+") as file:
        os.fsync(file.fileno())


def fsync_folder(folder: Path) -> None:
    """A rename is durable once its folder is synced (POSIX; Windows has no folder handles)."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
