"""Shared fixtures: a fixed clock, a database on SQLite and (when configured) on PostgreSQL.

PostgreSQL tests take their URL from SKRANKE_TEST_PG_URL and work in a schema of their own
per test, so runs never collide; without the variable they skip, saying so.
"""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.context
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, Protocol, cast

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine, Table, create_engine, text
from sqlalchemy.orm import DeclarativeBase

# A key made by the test run that started this process (an xdist worker, a child a test spawns)
# is kept: the stores of both are encrypted with it.
_INHERITED_KEY_FILE = os.environ.get("SKRANKE_KEY_FILE", "")
# The user's own config file and theme must not change what tests see.
os.environ["SKRANKE_CONFIG"] = os.devnull
os.environ.pop("TEXTUAL_THEME", None)
for variable in [
    v
    for v in os.environ
    if v.startswith("SKRANKE_") and v not in ("SKRANKE_CONFIG", "SKRANKE_TEST_PG_URL", "SKRANKE_TEST_CHROMIUM")
]:
    os.environ.pop(variable)
# Validated site files are cached (skranke.sites): in a folder of this run's own, not the user's.
os.environ["SKRANKE_CACHE_DIR"] = tempfile.mkdtemp(prefix="skranke-test-cache-")
# The encrypted store's key: one per test run, never the user's own (config folder). Every SQLite
# store a test makes is encrypted with it, so the migrated template's copies open with it.
if "skranke-test-key-" in _INHERITED_KEY_FILE and Path(_INHERITED_KEY_FILE).is_file():
    PROCESS_KEY_FILE = Path(_INHERITED_KEY_FILE)
else:
    from skranke.store.cipher import key_for_new_store

    PROCESS_KEY_FILE = Path(tempfile.mkdtemp(prefix="skranke-test-key-")) / "store.key"
    key_for_new_store(PROCESS_KEY_FILE)  # made now, before any worker or child reads it
os.environ["SKRANKE_KEY_FILE"] = str(PROCESS_KEY_FILE)
# The daily backup (close-day, the application's start) writes here, never into the user's folders.
os.environ["SKRANKE_BACKUP_DIR"] = tempfile.mkdtemp(prefix="skranke-test-backups-")

from skranke.clock import FixedClock  # noqa: E402
from skranke.config import load_settings  # noqa: E402
from skranke.i18n import set_language  # noqa: E402
from skranke.services import staff as _staff  # noqa: E402
from skranke.services.access import Actor  # noqa: E402
from skranke.services.context import Skranke  # noqa: E402

# Hypothesis: "ci" (the default, and .ci/run's) draws the same examples every run, so a failure
# is the code's and the next run shows it again, never the luck of a draw; nothing is kept
# between runs. HYPOTHESIS_PROFILE=dev searches at random with Hypothesis's example database.
settings.register_profile(
    "ci", derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

PG_URL = os.environ.get("SKRANKE_TEST_PG_URL")

# A PIN hashed at the production profile costs ~100 ms, and signed_in() hashes and verifies two
# staff members: the suite spent minutes in Argon2. Tests hash with the cheapest profile argon2
# allows; tests/services/test_staff.py holds the production profile to its literals.
PRODUCTION_PIN_HASH = (_staff.PIN_HASH_TIME_COST, _staff.PIN_HASH_MEMORY_KIB, _staff.PIN_HASH_PARALLELISM)
_staff.PIN_HASH_TIME_COST, _staff.PIN_HASH_MEMORY_KIB, _staff.PIN_HASH_PARALLELISM = 1, 64, 1


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: two workers a core. A screen test mostly waits (the Pilot's idle checks after
    each key, the database workers): typing 40 letters into the intake form took 0.9 s of CPU
    in 4.2 s, so one worker a core left the cores idle most of the run."""
    return 2 * (os.cpu_count() or 1)


@pytest.fixture(autouse=True)
def danish() -> Iterator[None]:
    set_language("da")
    yield
    set_language("da")


def _pg_schema_url(base: str, schema: str) -> str:
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'skranke.db'}"
        return
    yield from _postgresql_schema()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh schema on PostgreSQL only, for what only PostgreSQL does."""
    yield from _postgresql_schema()


def _postgresql_schema() -> Iterator[str]:
    if not PG_URL:
        pytest.skip("SKRANKE_TEST_PG_URL is not set: PostgreSQL tests skipped (CI sets it)")
    schema = f"t_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _pg_schema_url(PG_URL, schema)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@cache
def _migrated_sqlite_template() -> Path:
    """A new store made once per test process through the real migrations, to copy from."""
    from skranke.store.database import Database

    folder = Path(tempfile.mkdtemp(prefix="skranke-test-template-"))
    database = Database.open(
        f"sqlite:///{folder / 'template.db'}", datetime(2026, 1, 1, tzinfo=UTC), key_file=PROCESS_KEY_FILE
    )
    database.close()
    return folder / "template.db"


def _from_template(db_url: str | None, key_file: Path | None = None) -> None:
    """A new SQLite store at `db_url` as the migrations make it, copied: running Alembic's four
    revisions for every test cost 150-350 ms each. tests/store tests the migrations themselves.
    The template is encrypted with this process's key: a test with a key of its own makes its
    store the slow way."""
    if db_url is None or not db_url.startswith("sqlite:///"):
        return
    if (key_file or Path(os.environ.get("SKRANKE_KEY_FILE", ""))) != PROCESS_KEY_FILE:
        return
    path = Path(db_url.removeprefix("sqlite:///"))
    if not path.exists() and path.parent.is_dir():
        shutil.copyfile(_migrated_sqlite_template(), path)


def store_engine(url: str) -> Engine:
    """An engine on a store behind skranke's back (a test playing someone with database access):
    an encrypted SQLite file is opened with the run's key, as whoever has the key file could."""
    from skranke.store.cipher import FileKind, file_kind, read_key
    from skranke.store.engine import make_engine, parse_url, sqlite_path

    parsed = parse_url(url)
    path = sqlite_path(parsed)
    if path is None or file_kind(path) != FileKind.ENCRYPTED:
        return create_engine(url)
    return make_engine(parsed, read_key(PROCESS_KEY_FILE))


def plain_store(path: Path) -> None:
    """A SQLite store as skranke made them before encryption (the migrated template, decrypted)."""
    import sqlcipher3

    from skranke.store.cipher import key_pragma_value, read_key

    source = sqlcipher3.connect(str(_migrated_sqlite_template()), isolation_level=None)
    try:
        source.execute(f'PRAGMA key = "{key_pragma_value(read_key(PROCESS_KEY_FILE))}"')
        source.execute("ATTACH DATABASE ? AS plain KEY ''", (str(path),))
        source.execute("SELECT sqlcipher_export('plain')")
        source.execute("DETACH DATABASE plain")
    finally:
        source.close()


def workstations() -> multiprocessing.context.ForkServerContext:
    """Processes that play other workstations at once (a race on the same dose, a reader beside
    the desks). Each is forked from a server that imported skranke and these fixtures once:
    spawning imported them anew in every process, ~1 s of CPU each, 3 s a round on two cores.
    A forked process opens its own engine and connections, as a workstation does."""
    context = multiprocessing.get_context("forkserver")
    # Read when the server starts (the first process of this test process); later calls no-ops.
    context.set_forkserver_preload(
        [
            "tests.conftest",
            "skranke.services.dispensing",
            "skranke.services.queue",
            "skranke.services.reception",
            "sqlalchemy.dialects.postgresql.psycopg",
        ]
    )
    return context


def table_of(model: type[DeclarativeBase]) -> Table:
    """A model's table for Core inserts: declarative classes map a Table, which SQLAlchemy types
    as the general FromClause (as skranke.store.audit_chain says)."""
    return cast(Table, model.__table__)


def fixed_clock(skranke: Skranke) -> FixedClock:
    """The test Skranke's clock, to move (make_skranke fixes it; Skranke types it as any Clock)."""
    assert isinstance(skranke.clock, FixedClock)
    return skranke.clock


def make_skranke(now: str, db_url: str | None = None, site: str = "odense", **settings: Any) -> Skranke:
    _from_template(db_url, settings.get("key_file"))
    skranke = Skranke.from_settings(load_settings(db=db_url, site=site, now=now, **settings))
    assert isinstance(skranke.clock, FixedClock)
    return skranke


class SkrankeAt(Protocol):
    """The `skranke_at` fixture: a Skranke at `now` on the test database (settings as load_settings's)."""

    def __call__(self, now: str, site: str = "odense", **settings: Any) -> Skranke: ...


@pytest.fixture
def skranke_at(db_url: str) -> Iterator[SkrankeAt]:
    """Factory: a Skranke on the test database with the clock fixed at `now`."""
    opened: list[Skranke] = []

    def factory(now: str, site: str = "odense", **settings: Any) -> Skranke:
        skranke = make_skranke(now, db_url, site, **settings)
        opened.append(skranke)
        return skranke

    yield factory
    for skranke in opened:
        skranke.close()


TEST_PIN = "2468"


def signed_in(skranke: Skranke, *roles: str, initials: str | None = None, name: str | None = None) -> Actor:
    """A staff member with these roles, added to the store and signed in (the first one is also admin)."""
    from skranke.services.staff import add_staff, sign_in, staff_count

    initials = initials or ("".join(r[:2] for r in roles).upper()[:16] if roles else "XX")
    if staff_count(skranke) == 0:
        add_staff(skranke, None, "ADM", "Admin Testesen", ["admin"], TEST_PIN)
    admin = sign_in(skranke, "ADM", TEST_PIN)
    if initials != "ADM":
        add_staff(skranke, admin, initials, name or f"{initials} Testesen", roles, TEST_PIN)
    return sign_in(skranke, initials, TEST_PIN)


class PostgresDatabase:
    """A PostgreSQL database of a test's own, that the test can cut off and let back in, as when
    the server restarts during the day (connections ended, new ones refused for a while)."""

    def __init__(self, admin: Engine, name: str, url: str) -> None:
        self.admin, self.name, self.url = admin, name, url

    def cut_off(self) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS false'))
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                {"name": self.name},
            )

    def let_in(self) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS true'))


@pytest.fixture
def pg_database() -> Iterator[PostgresDatabase]:
    """A fresh PostgreSQL database (not a schema: connections to it can be refused alone)."""
    if not PG_URL:
        pytest.skip("SKRANKE_TEST_PG_URL is not set: PostgreSQL tests skipped (CI sets it)")
    from sqlalchemy.engine import make_url

    name = f"skranke_t_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield PostgresDatabase(admin, name, url)
    finally:
        # PostgreSQL checkpoints the whole server before DROP DATABASE returns (it must forget
        # the database's files): every dirty page of every test's schema written and synced,
        # 19 s of teardown in a full run. The test is done with the database: it is dropped
        # beside the next tests, and the run waits for it only at its end.
        dropping = threading.Thread(target=_drop_database, args=(admin, name), name=f"drop {name}")
        dropping.start()
        _DROPPING.append(dropping)


_DROPPING: list[threading.Thread] = []


def _drop_database(admin: Engine, name: str) -> None:
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """No database of a test outlives the run (each worker waits for the drops it started)."""
    for dropping in _DROPPING:
        dropping.join()


def pytest_unconfigure(config: pytest.Config) -> None:
    """The heap of a worker at its end (~1 million objects after the screen tests) collected once,
    then frozen: pytest's unraisable-exception plugin collects five times more at its cleanup
    (~1.3 s each), and past 5 s execnet interrupted the worker with a SIGINT (the
    KeyboardInterrupt in Hypothesis's gc callback at the end of every run). What that one
    collection finds unraisable is still reported: the plugin's hook is in place until its cleanup."""
    gc.collect()
    gc.freeze()
