"""The open database: engine, sessions and one transaction per use case."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from skranke.store.engine import make_engine
from skranke.store.schema import upgrade_to_head


class Database:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.backup_location: str | None = None

    @classmethod
    def open(cls, url: str, now: datetime) -> Database:
        """Connect, and create or upgrade the schema (copying the old database first)."""
        database = cls(make_engine(url))
        database.backup_location = upgrade_to_head(database.engine, now)
        return database

    @contextmanager
    def transaction(self, dry_run: bool = False) -> Iterator[Session]:
        """One use case, one transaction: committed whole, or rolled back whole.

        `dry_run` runs the whole use case and rolls it back at the end, so what it reports
        (counts, errors) is what a real run would have done.
        """
        session = self._sessions()
        try:
            yield session
            if dry_run:
                session.rollback()
            else:
                session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()
