"""The Frister queries are answered from indexes, not by scanning every case (SQLite's plan)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import text
from sqlalchemy.dialects import sqlite

from skranke.domain.deadlines import listing_bounds
from skranke.domain.site import Rules
from skranke.store.database import Database
from skranke.store.queries import (
    done_follow_ups_statement,
    guarantee_appointments_statement,
    listed_cases_statements,
)


def plan(database: Database, statement) -> list[str]:
    sql = str(statement.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    with database.engine.connect() as connection:
        return [row[3] for row in connection.execute(text("EXPLAIN QUERY PLAN " + sql))]


def test_frister_queries_use_their_indexes(tmp_path):
    database = Database.open(f"sqlite:///{tmp_path / 'plans.db'}", datetime(2026, 4, 9, tzinfo=UTC))
    try:
        bounds = listing_bounds(Rules(), date(2026, 4, 9))
        waiting, running, closed = (plan(database, s) for s in listed_cases_statements(bounds))
        assert any("USING INDEX ix_cases_open_requests" in step for step in waiting), waiting
        for steps in (running, closed):
            assert any("USING INDEX ix_cases_closed_on" in step for step in steps), steps
        for steps in (waiting, running, closed, plan(database, done_follow_ups_statement(bounds))):
            assert not any(step.startswith("SCAN cases") for step in steps), steps
        appointments = plan(database, guarantee_appointments_statement(("visitation", "laege")))
        assert any("USING INDEX ix_cases_open_requests" in step for step in appointments), appointments
        assert any("USING INDEX ix_appointments_citizen_starts" in step for step in appointments), appointments
    finally:
        database.close()
