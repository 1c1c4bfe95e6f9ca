"""The Frister queries are answered from indexes, not by scanning every case (SQLite's plan)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import CompoundSelect, Select, text
from sqlalchemy.dialects import sqlite

from skranke.domain.deadlines import listing_bounds
from skranke.domain.site import Rules
from skranke.store.database import Database
from skranke.store.engine import PAGE_CACHE_KIB
from skranke.store.queries import (
    done_follow_ups_statement,
    guarantee_appointments_statement,
    listed_cases_statements,
)


def plan(
    database: Database,
    statement: Select[*tuple[Any, ...]] | CompoundSelect[*tuple[Any, ...]],
    values: dict[str, Any] | None = None,
) -> list[str]:
    """SQLite's plan of the statement, with `values` for the parameters it binds at execution."""
    if values:
        statement = statement.params(values)
    sql = str(statement.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    with database.engine.connect() as connection:
        return [row[3] for row in connection.execute(text("EXPLAIN QUERY PLAN " + sql))]


# Indexes of some cases only (waiting, running, closed): walking one whole is no scan of every case.
PARTIAL_INDEXES = ("ix_cases_waiting", "ix_cases_plan_review", "ix_cases_closed_on", "ix_cases_medical_review")


def reads_every_case(steps: list[str]) -> bool:
    return any(
        step.startswith("SCAN cases") and not any(f"INDEX {name}" in step for name in PARTIAL_INDEXES) for step in steps
    )


def test_frister_queries_use_their_indexes(tmp_path: Path) -> None:
    database = Database.open(f"sqlite:///{tmp_path / 'plans.db'}", datetime(2026, 4, 9, tzinfo=UTC))
    try:
        bounds = listing_bounds(Rules(), date(2026, 4, 9))
        assert bounds.closed_from is not None and bounds.closed_to is not None  # the default rules follow up
        waiting, running, closed = (plan(database, s) for s in listed_cases_statements(bounds))
        assert any("USING INDEX ix_cases_waiting" in step for step in waiting), waiting
        # Every running treatment is read (the whole view): from either index of running ones.
        assert any(
            "USING INDEX ix_cases_plan_review" in step or "USING INDEX ix_cases_medical_review" in step
            for step in running
        ), running
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


def test_the_frister_page_counts_and_pages_from_indexes(tmp_path: Path) -> None:
    from skranke.domain.deadlines import listing_windows
    from skranke.store.queries import (
        PageQuery,
        closed_groups_query,
        closed_page_query,
        in_one,
        running_count_query,
        running_page_query,
        waiting_page_query,
    )

    def first(query: PageQuery) -> list[str]:
        """The plan of a page's first 500 rows (and one more), as `first_rows` reads them."""
        return plan(database, query.shape.first, {**query.values, "limit": 501})

    def tied(query: PageQuery, key: date) -> list[str]:
        """The plan of the rows that can tie with a page's last, as `first_rows` reads them."""
        return plan(database, query.shape.tied, {**query.values, "key_from": key, "key_to": key})

    database = Database.open(f"sqlite:///{tmp_path / 'plans.db'}", datetime(2026, 4, 9, tzinfo=UTC))
    try:
        windows = listing_windows(Rules(), date(2026, 4, 9))
        by = windows.review_counted_from_by
        for department in (None, "stabilisering"):
            running_query = running_page_query(by, department)
            running, running_tied = first(running_query), tied(running_query, by)
            count = plan(database, *running_count_query(by, department))
            # The counts of every interval in one statement (as the page takes them): each its own.
            counts = plan(
                database, *in_one([running_count_query(by, department), running_count_query(by, department, 3)])
            )
            for steps in (running, running_tied, count):
                assert any("USING INDEX ix_cases_plan_review" in step for step in steps), steps
            assert sum("USING INDEX ix_cases_plan_review" in step for step in counts) == 2, counts
            # Read in the index's order: no sorting of every running treatment.
            assert not any("TEMP B-TREE" in step for step in running + running_tied)
            waiting_query = waiting_page_query([("SEL101", False, "stabilisering")], department)
            waiting, waiting_tied = first(waiting_query), tied(waiting_query, by)
            for steps in (waiting, waiting_tied):
                assert any("USING INDEX ix_cases_waiting" in step for step in steps), steps
                # Each tab's rows come in the index's order: no sorting of every case.
                assert not any("TEMP B-TREE" in step for step in steps), steps
            closed_from, closed_to = windows.closed_for_months[1]
            closed_query = closed_page_query(closed_from, closed_to, [("færdigbehandlet", "SEL101", None)], department)
            closed, closed_tied = first(closed_query), tied(closed_query, closed_from)
            for steps in (closed, closed_tied):
                assert any("USING INDEX ix_cases_closed_on" in step for step in steps), steps
                assert not any("TEMP B-TREE" in step for step in steps), steps
            # The groups of every follow-up's window in one statement: each from the index.
            groups = plan(
                database,
                *in_one([closed_groups_query(*span, department) for span in windows.closed_for_months.values()]),
            )
            assert sum("INDEX ix_cases_closed_on" in step for step in groups) == len(windows.closed_for_months), groups
            for steps in (running, running_tied, count, counts, waiting, waiting_tied, closed, closed_tied, groups):
                assert not reads_every_case(steps), steps
    finally:
        database.close()


def test_medical_reviews_are_counted_and_paged_from_their_index(tmp_path: Path) -> None:
    """Odense's rules in order: the course with Vista Balboa, then the heroin clinic except that
    course. Each is counted and paged in the order of the day its review counts from, from
    ix_cases_medical_review alone: a quarter of 100,000 cases in the heroin clinic is no reason to
    read or sort every running treatment."""
    from skranke.store.queries import (
        counts_in_one,
        in_one,
        medical_review_count_query,
        medical_review_page_query,
    )

    database = Database.open(f"sqlite:///{tmp_path / 'plans.db'}", datetime(2026, 4, 9, tzinfo=UTC))
    vista = ((), (), ("Vista Balboa",))
    heroin = (("heroinklinikken",), (), ())
    try:
        for rule, earlier in ((vista, []), (heroin, [vista])):
            for department in (None, "stabilisering"):
                page = medical_review_page_query(date(2026, 1, 9), rule, earlier, department)
                for steps in (
                    plan(database, page.shape.first, {**page.values, "limit": 501}),
                    plan(
                        database,
                        page.shape.tied,
                        {**page.values, "key_from": date(2025, 1, 9), "key_to": date(2025, 1, 9)},
                    ),
                ):
                    assert any("USING COVERING INDEX ix_cases_medical_review" in step for step in steps) or any(
                        "USING INDEX ix_cases_medical_review" in step for step in steps
                    ), steps
                    assert not any("TEMP B-TREE" in step for step in steps), steps
                    assert not reads_every_case(steps), steps
        for department in (None, "stabilisering"):
            # Both rules counted in one statement (as the page counts them): each from the index.
            counts = [
                medical_review_count_query(date(2026, 1, 9), rule, earlier, department)
                for rule, earlier in ((vista, []), (heroin, [vista]))
            ]
            steps = plan(database, *in_one(counts))
            assert sum("INDEX ix_cases_medical_review" in step for step in steps) == 2, steps
            assert not reads_every_case(steps), steps
        with database.reading() as session:
            assert counts_in_one(session, [medical_review_count_query(date(2026, 1, 9), heroin, [vista], None)]) == [0]
    finally:
        database.close()


def test_the_queue_reads_walk_their_indexes(tmp_path: Path) -> None:
    """Two years of doses at 1,500 orders is a million records: the queue reads the day's and,
    per order, the last given dose before it, never the history; the day's citizens by key."""
    from skranke.store.window import (
        citizens_of_day_statement,
        dispensings_between_statement,
        last_given_doses_statement,
    )

    database = Database.open(f"sqlite:///{tmp_path / 'plans.db'}", datetime(2026, 4, 9, tzinfo=UTC))
    day = date(2026, 4, 9)
    try:
        for last in (
            plan(database, last_given_doses_statement(False).params(day=day)),
            plan(database, last_given_doses_statement(True).params(day=day, citizen_id="B1", preparation="metadon")),
        ):
            assert any("dispensings USING INDEX uq_dispensings_one_dose" in step for step in last), last
            assert not any(step.startswith("SCAN dispensings") for step in last), last
        today = plan(database, dispensings_between_statement().params(first_day=day, last_day=day))
        assert any("USING INDEX ix_dispensings_service_date" in step for step in today), today
        citizens = plan(database, citizens_of_day_statement().params(day=day))
        assert not any(step.startswith("SCAN citizens") for step in citizens), citizens
    finally:
        database.close()


def test_a_sqlite_store_connection_checks_keys_and_keeps_a_page_cache(tmp_path: Path) -> None:
    database = Database.open(f"sqlite:///{tmp_path / 'pragmas.db'}", datetime(2026, 4, 9, tzinfo=UTC))
    try:
        with database.engine.connect() as connection:
            pragma = {
                name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("foreign_keys", "journal_mode", "cache_size")
            }
        # Foreign keys are the database's to enforce; a queue's walk through a million dose
        # records stays in the page cache between reads (SQLite's default holds 2 MB).
        assert pragma == {"foreign_keys": 1, "journal_mode": "wal", "cache_size": -PAGE_CACHE_KIB}
    finally:
        database.close()
