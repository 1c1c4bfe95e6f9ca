"""Engines for SQLite (one workstation) and PostgreSQL (several), with the same code."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import QueuePool

from skranke.store.errors import DatabaseUnavailable, Reason, masked

BUSY_TIMEOUT_MS = 10_000
# Each SQLite connection's page cache (SQLite's default holds 2 MB): the queue walks a million
# dose records by index at every reload, and re-reading those pages from the OS cost ~2.5 ms.
PAGE_CACHE_KIB = 16_000
# A server that does not answer is named after this many seconds, not after libpq's default
# (no limit): a command line must not hang, the application retries on its own.
CONNECT_TIMEOUT_SECONDS = 5
SUPPORTED_DRIVERS = ("sqlite", "sqlite+pysqlite", "postgresql+psycopg")


def normalise_url(text: str) -> str:
    """A URL as given, or a plain path (`--db /tmp/x.db`, `--db skranke.db`) as a SQLite file."""
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().absolute()}"


def parse_url(text: str) -> URL:
    """The URL, with PostgreSQL given the driver skranke ships (psycopg 3); a URL that does not
    parse, or names a database skranke does not run on, is a fault named in words."""
    try:
        parsed = make_url(normalise_url(text))
    except (ArgumentError, ValueError):
        raise DatabaseUnavailable(Reason.BAD_URL, masked(text)) from None
    backend = parsed.get_backend_name()
    if backend == "postgresql" and parsed.drivername in ("postgresql", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if backend not in ("sqlite", "postgresql") or parsed.drivername not in (
        "sqlite",
        "sqlite+pysqlite",
        "postgresql+psycopg",
    ):
        raise DatabaseUnavailable(Reason.BAD_URL, masked(text))
    if backend == "postgresql" and not parsed.database:
        raise DatabaseUnavailable(Reason.BAD_URL, masked(text))
    if backend == "postgresql":
        _check_transport(parsed)
    return parsed


# What libpq reads when a URL gives no sslrootcert (its documented default): the user's own CA file.
def _default_root_certificate() -> Path:
    given = os.environ.get("PGSSLROOTCERT")
    if given:
        return Path(given).expanduser()
    if os.name == "nt":
        return Path(os.environ.get("APPDATA", "")) / "postgresql" / "root.crt"
    return Path("~/.postgresql/root.crt").expanduser()


def _hosts(parsed: URL) -> list[str]:
    """Every host the URL may connect to: its own, libpq's `host` and `hostaddr` parameters
    (several, for fail-over; a folder for a Unix socket), or, when the URL names none, what
    libpq takes from PGHOST and PGHOSTADDR. None at all: libpq's Unix socket."""
    hosts = [parsed.host] if parsed.host else []
    for name in ("host", "hostaddr"):
        given = parsed.query.get(name)
        if given is not None:
            for value in [given] if isinstance(given, str) else given:
                hosts.extend(h for h in str(value).split(",") if h)
    if not hosts:
        for variable in ("PGHOST", "PGHOSTADDR"):
            hosts.extend(h for h in os.environ.get(variable, "").split(",") if h)
    return hosts


def is_local_host(host: str) -> bool:
    """This machine: a Unix socket (a folder or an @abstract name), localhost or a loopback address."""
    if host.startswith(("/", "@")) or host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check_transport(parsed: URL) -> None:
    """Health data never crosses a network in clear (DESIGN §1): a server on another machine is
    used only with TLS that checks its certificate against a CA file that exists: refused here,
    before any connection is tried."""
    if all(is_local_host(host) for host in _hosts(parsed)):
        return
    where = parsed.render_as_string(hide_password=True)
    if parsed.query.get("sslmode") != "verify-full":
        raise DatabaseUnavailable(Reason.NOT_VERIFIED_TLS, where)
    given = parsed.query.get("sslrootcert")
    if given == "system":  # libpq 16+: the operating system's trusted authorities
        return
    root = Path(str(given)).expanduser() if given else _default_root_certificate()
    if not root.is_file():
        raise DatabaseUnavailable(Reason.NO_ROOT_CERTIFICATE, where, str(root))


def sqlite_path(url: str | URL) -> Path | None:
    """The SQLite file a URL names (also in `file:` URI form), or None (PostgreSQL, in memory)."""
    parsed = url if isinstance(url, URL) else parse_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    database = parsed.database
    if database.startswith("file:"):
        database = database.removeprefix("file:").split("?", 1)[0]
        if database.startswith("//"):  # file://host/path: no host for a local file
            database = database[2:]
    return Path(database)


def location(parsed: URL) -> str:
    """The database as the user should read it: the file, or the URL without its password."""
    path = sqlite_path(parsed)
    if path is not None:
        return str(path.absolute())  # where it was looked for, also when --db was relative
    return parsed.render_as_string(hide_password=True)


def read_only_url(parsed: URL) -> bool:
    """SQLite opened read-only on purpose (`?mode=ro` or `immutable=1` in a `file:` URI)."""
    query = {key: str(value).lower() for key, value in parsed.query.items()}
    database = parsed.database or ""
    return query.get("mode") == "ro" or "mode=ro" in database or "immutable=1" in database


def make_engine(parsed: URL, key: bytes | None = None) -> Engine:
    """`key`: the SQLite file is encrypted (SQLCipher) with this raw key; None: a plain file."""
    if parsed.get_backend_name() == "sqlite":
        if key is None:
            engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        else:
            import sqlcipher3

            from skranke.store.cipher import key_pragma_value

            # The dialect keys each connection with `PRAGMA key` from the URL's password. Its
            # default pool (SingletonThreadPool, one connection per thread, for a slow passphrase)
            # is not what a plain store has: a raw key costs ~1 ms, so the same pool as plain.
            cipher_url = parsed.set(drivername="sqlite+pysqlcipher", password=key_pragma_value(key))
            engine = create_engine(
                cipher_url,
                module=sqlcipher3,
                poolclass=QueuePool,
                connect_args={"timeout": BUSY_TIMEOUT_MS / 1000},
            )
        event.listen(engine, "connect", _sqlite_pragmas if key is None else _sqlcipher_pragmas)
        return engine
    connect_args = {} if "connect_timeout" in parsed.query else {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    return create_engine(parsed, pool_pre_ping=True, connect_args=connect_args)


def _sqlcipher_pragmas(dbapi_connection: Any, record: Any) -> None:
    # The first read (journal_mode) checks the key: a wrong one must not be logged to stderr.
    dbapi_connection.execute("PRAGMA cipher_log_level = NONE")
    _sqlite_pragmas(dbapi_connection, record)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA cache_size=-{PAGE_CACHE_KIB}")  # negative: in KiB, not pages
    cursor.close()
