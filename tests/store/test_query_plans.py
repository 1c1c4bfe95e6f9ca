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


# Indexes of some cases only (waiting, running, closed): walking one whole is no scan of every case.
PARTIAL_INDEXES = ("ix_cases_waiting", "ix_cases_plan_review", "ix_cases_closed_on")


def reads_every_case(steps: list[str]) -> bool:
    return any(
        step.startswith("SCAN cases") and not any(f"INDEX {name}" in step for name in PARTIAL_INDEXES) for step in steps
    )


def test_frister_queries_use_their_indexes(tmp_path):
    database = Database.open(f"sqlite:///{tmp_path / 'plans.db'}", datetime(2026, 4, 9, tzinfo=UTC))
    try:
        bounds = listing_bounds(Rules(), date(2026, 4, 9))
        waiting, running, closed = (plan(database, s) for s in listed_cases_statements(bounds))
        assert any("USING INDEX ix_cases_waiting" in step for step in waiting), waiting
        assert any("USING INDEX ix_cases_plan_review" in step for step in running), running
        assert any("USING INDEX ix_cases_closed_on" in step for step in closed), closed
        for steps in (
            waiting,
            running,
            closed,
            plan(database, done_follow_ups_statement(bounds.closed_from, bounds.closed_to)),
        ):
            assert not reads_every_case(steps), steps
        appointments = plan(database, guarantee_appointments_statement(("visitation", "laege")))
        assert any("USING INDEX ix_cases_waiting" in step for step in appointments), appointments
        assert any("USING INDEX ix_appointments_citizen_starts" in step for step in appointments), appointments
    finally:
        database.close()


def test_the_frister_page_counts_and_pages_from_indexes(tmp_path):
    from skranke.domain.deadlines import listing_windows
    from skranke.store.queries import (
        closed_page_query,
        running_count_statement,
        running_page_query,
        waiting_page_query,
    )

    database = Database.open(f"sqlite:///{tmp_path / 'plans.db'}", datetime(2026, 4, 9, tzinfo=UTC))
    try:
        windows = listing_windows(Rules(), date(2026, 4, 9))
        by = windows.review_counted_from_by
        for department in (None, "stabilisering"):
            running = running_page_query(by, department).statement.limit(500)
            count = running_count_statement(by, department)
            for steps in (plan(database, running), plan(database, count)):
                assert any("USING INDEX ix_cases_plan_review" in step for step in steps), steps
            # Read in the index's order: no sorting of every running treatment.
            assert not any("TEMP B-TREE" in step for step in plan(database, running))
            waiting = waiting_page_query([("SEL101", False, "stabilisering")], department).statement.limit(500)
            assert any("USING INDEX ix_cases_waiting" in step for step in plan(database, waiting))
            # Each tab's rows come in the index's order: no sorting of every case.
            assert not any("TEMP B-TREE" in step for step in plan(database, waiting))
            first, last = windows.closed_for_months[1]
            closed = closed_page_query(first, last, [("færdigbehandlet", "SEL101", None)], department)
            assert any("USING INDEX ix_cases_closed_on" in step for step in plan(database, closed.statement))
            assert not any("TEMP B-TREE" in step for step in plan(database, closed.statement))
            for statement in (running, count, waiting, closed.statement):
                assert not reads_every_case(plan(database, statement))
    finally:
        database.close()
