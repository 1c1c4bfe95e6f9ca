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
    def transaction(self) -> Iterator[Session]:
        """One use case, one transaction: committed whole, or rolled back whole."""
        with self._sessions.begin() as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()
