"""Everything a use case needs, built once from the settings: clock, site, database."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from skranke.clock import Clock, FixedClock, SystemClock, parse_now
from skranke.config import Settings
from skranke.domain.hours import SiteHours
from skranke.domain.site import Site
from skranke.i18n import _
from skranke.sites import load_site, load_site_hours

if TYPE_CHECKING:
    from skranke.store.database import Database


class UsageError(ValueError):
    """Bad input from the user (a date, a setting): exit code 2."""


def clock_from(now: str | None) -> Clock:
    if not now:
        return SystemClock()
    try:
        return FixedClock(parse_now(now))
    except ValueError:
        raise UsageError(
            _("--now '{now}' is not an ISO date or date-time (e.g. 2026-04-06T09:30)").format(now=now)
        ) from None


def _user_data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path("skranke", appauthor=False)


def plain_store_warning(location: str) -> str:
    return _(
        "The database {database} is not encrypted: anyone who copies the file can read it. "
        "An administrator encrypts it with `skranke encrypt`."
    ).format(database=location)


@dataclass
class Skranke:
    """The open application: settings, clock, site and (opened on first use) the database.

    `may_create`: an explicit `settings.db` that holds no store yet is created (tests, demo,
    `--create`); the command line passes False otherwise, so a mistyped --db is a named fault
    (`skranke.services.errors.DatabaseUnavailable`), never a new empty store. The default store
    in the user data directory is always created on first start.
    """

    settings: Settings
    clock: Clock
    site: Site
    hours: SiteHours
    may_create: bool = True
    _database: Database | None = field(default=None, repr=False)
    # Workers of several screens may ask for the database at once: it is opened once.
    _opening: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # Citizens whose look a list has logged today, by (action, staff, workstation): see
    # `looks_logged`. Only the current day is kept.
    _looks_logged: dict[tuple[str, str, str, date], set[str]] = field(default_factory=dict, repr=False)
    # Told once, when the database opens, that it is a plain SQLite store from before
    # encryption (the command line writes the warning to stderr, the application shows it).
    on_plain_store: Callable[[str], None] | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings, *, may_create: bool = True) -> Skranke:
        return cls(
            settings=settings,
            clock=clock_from(settings.now),
            site=load_site(settings.site),
            hours=load_site_hours(settings.site),
            may_create=may_create,
        )

    @property
    def database_url(self) -> str:
        return self.settings.db or f"sqlite:///{_user_data_dir() / 'skranke.db'}"

    @property
    def database(self) -> Database:
        # Imported here: SQLAlchemy and Alembic load after the first frame, in a worker.
        from skranke.store.database import Database

        with self._opening:
            if self._database is None:
                explicit = self.settings.db is not None
                self._database = Database.open(
                    self.database_url,
                    self.clock.now(),
                    create=self.may_create or not explicit,
                    make_folder=not explicit,
                    key_file=self.key_file,
                )
                if self._database.plain and self.on_plain_store is not None:
                    self.on_plain_store(plain_store_warning(self._database.location))
            return self._database

    def database_location(self) -> str:
        """Where the database is, as the user reads it, without opening it."""
        from skranke.store.database import location_of

        return location_of(self.database_url)

    @property
    def key_file(self) -> Path:
        from skranke.config import key_file

        return key_file(self.settings.key_file)

    def looks_logged(self, action: str, staff_id: str, workstation: str, day: date) -> set[str]:
        """The citizens a list that is read again and again (the dispensing queue) has already
        logged as looked at by this person at this workstation on `day`, in this process: the
        caller adds to the set what it has committed. A restart logs each look once more."""
        key = (action, staff_id, workstation, day)
        if key not in self._looks_logged:
            for old in [k for k in self._looks_logged if k[3] != day]:
                del self._looks_logged[old]
        return self._looks_logged.setdefault(key, set())

    def data_dir(self) -> Path:
        """Where the inbox and outbox live by default: beside the SQLite file."""
        from skranke.store.engine import sqlite_path

        path = sqlite_path(self.database_url)
        return path.parent if path is not None else _user_data_dir()

    @property
    def backup_dir(self) -> Path:
        """Where the daily backups go: the setting, else `backups/` in the user data directory."""
        return (self.settings.backup_dir or _user_data_dir() / "backups").expanduser()

    @property
    def inbox(self) -> Path:
        return self.settings.inbox or self.data_dir() / "inbox"

    @property
    def outbox(self) -> Path:
        return self.settings.outbox or self.data_dir() / "outbox"

    def close(self) -> None:
        with self._opening:
            if self._database is not None:
                self._database.close()
                self._database = None
