"""Frister with 100,000 cases and citizens, beside the bare SQL under each figure.

The store is SQLite, made by the real schema and filled directly (not timed). Two figures:

- the Frister view as the screen reads it, `deadlines_page(skranke)`: each tab's count and its
  500 most pressing rows; its baseline is the very SELECTs it sends (caught at the cursor in a
  child of their own, with their bound values), run and fetched bare through the store's own driver (SQLCipher);
- the whole view, `deadlines_view(skranke)` (what `skranke deadlines --json` prints: every row
  of every list); its baseline is its SELECTs (the cases `listing_bounds` lets through,
  appointments of waiting citizens, follow-ups recorded as made), compiled for SQLite.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

sys.path.insert(0, str(Path(__file__).parent))
from sqlalchemy import Table, insert
from sqlalchemy.dialects import sqlite as sqlite_dialect

from _common import REPLAY, SETTLED, Figure, capture_code, child, median, report
from skranke.clock import TIMEZONE
from skranke.config import load_settings
from skranke.services.context import Skranke
from skranke.store.models import Appointment, Case, Citizen

TODAY = date(2026, 4, 9)


def fill(skranke: Skranke, cases: int) -> None:
    rng = random.Random(7)
    departments = ["unge-og-rusmidler", "stabilisering", "stoffrihed", "heroinklinikken"]
    paragraphs = ["SEL101", "SEL101", "SUL142", "SEL101a", "SUL141"]
    citizens, rows, appointments = [], [], []
    for number in range(cases):
        citizen_id, contact = f"B{number:07d}", TODAY - timedelta(days=rng.randint(0, 3000))
        citizens.append(
            {"id": citizen_id, "cpr": None, "first_name": "", "last_name": "", "alias": f"A{number}", "phone": ""}
        )
        state = rng.random()
        started = contact + timedelta(days=rng.randint(1, 20)) if state > 0.05 else None
        closed = started + timedelta(days=rng.randint(30, 900)) if started and state > 0.5 else None
        if closed and closed > TODAY:
            closed = None
        rows.append(
            {
                "id": f"S{number:07d}",
                "citizen_id": citizen_id,
                "department": rng.choice(departments),
                "paragraph": rng.choice(paragraphs),
                "contact_date": contact,
                "treatment_start": started,
                "free_choice": rng.random() < 0.03,
                "closed_on": closed,
                "closing_status": rng.choice(["færdigbehandlet", "udeblevet", "anden årsag"]) if closed else None,
                "plan_reviewed_on": None,
            }
        )
        if started is None:
            appointments.append(
                {
                    "id": f"A{number:07d}",
                    "citizen_id": citizen_id,
                    "department": rows[-1]["department"],
                    "kind": "visitation",
                    "clinician": "",
                    "starts_at": datetime.combine(contact + timedelta(days=7), datetime.min.time(), TIMEZONE).replace(
                        hour=9
                    ),
                }
            )
    with skranke.database.transaction() as session:
        connection = session.connection()
        # Declarative classes map a Table; SQLAlchemy types `__table__` as the general FromClause.
        connection.execute(insert(cast(Table, Citizen.__table__)), citizens)
        connection.execute(insert(cast(Table, Case.__table__)), rows)
        connection.execute(insert(cast(Table, Appointment.__table__)), appointments)


VIEW = (
    """
import sys, time
from skranke.config import load_settings
from skranke.services.context import Skranke
from skranke.services import deadlines

skranke = Skranke.from_settings(load_settings(db=sys.argv[1], now=sys.argv[2]))
skranke.database  # opened once, as the application does before any screen
import importlib
importlib.import_module("skranke.store.queries")  # "I dag" (its counts) imports it before Frister opens
"""
    + SETTLED
    + """
view = getattr(deadlines, sys.argv[4])  # deadlines_page or deadlines_view
times = []
for _ in range(int(sys.argv[3])):
    started = time.perf_counter()
    result = view(skranke)
    times.append(time.perf_counter() - started)
o = result.overview
_report(times, requests=len(o.requests), exempt=len(o.exempt), follow_ups=len(o.follow_ups),
        plan_reviews=len(o.plan_reviews), totals=getattr(result, "totals", None))
"""
)

# The SELECTs the page sends, caught at the cursor, to be replayed bare (REPLAY).
CAPTURE = capture_code("from skranke.services.deadlines import deadlines_page", "deadlines_page(skranke)")


def bare_statements(today: date) -> list[str]:
    """The SELECTs the view runs (the cases it can list, appointments of waiting citizens,
    follow-ups recorded as made), compiled for SQLite with their values in place."""
    from skranke.domain.deadlines import listing_bounds
    from skranke.services.deadlines import appointment_kinds
    from skranke.store.queries import (
        done_follow_ups_statement,
        guarantee_appointments_statement,
        listed_cases_statements,
    )

    rules = Skranke.from_settings(load_settings()).site.rules
    bounds = listing_bounds(rules, today)
    statements = [*listed_cases_statements(bounds), guarantee_appointments_statement(appointment_kinds(rules))]
    if bounds.closed_from is not None and bounds.closed_to is not None:  # both or neither
        statements.append(done_follow_ups_statement(bounds.closed_from, bounds.closed_to))
    return [
        str(statement.compile(dialect=sqlite_dialect.dialect(), compile_kwargs={"literal_binds": True}))
        for statement in statements
    ]


def on_postgresql(base: str, cases: int, runs: int, repeat: int) -> None:
    """The page and the whole view on PostgreSQL (a clinic with several workstations)."""
    from sqlalchemy import create_engine, text

    schema = f"skranke_bench_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url, now = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}", f"{TODAY}T09:00"
    try:
        skranke = Skranke.from_settings(load_settings(db=url, now=now))
        fill(skranke, cases)
        skranke.close()
        with admin.connect() as connection:  # as autovacuum would, before a clinic's first morning
            connection.execute(text(f'VACUUM ANALYZE "{schema}".cases'))
        for name in ("deadlines_page", "deadlines_view"):
            measured = [child(VIEW, url, now, str(repeat), name) for _ in range(runs)]
            seconds = median([median(m["times"]) for m in measured])
            print(
                f"== PostgreSQL, {cases:,} cases: {name}(skranke) {seconds * 1000:.1f} ms "
                f"(median of {runs} x {repeat}), peak RSS {max(m['rss_mb'] for m in measured):.1f} MB",
                flush=True,
            )
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5, help="child processes of each, interleaved")
    parser.add_argument("--repeat", type=int, default=3, help="calls in each child (the median is taken)")
    parser.add_argument(
        "--postgresql",
        metavar="URL",
        help="also on PostgreSQL at URL (a schema of its own, dropped after): the two views' times, no bare SQL",
    )
    args = parser.parse_args()
    if args.postgresql:
        on_postgresql(args.postgresql, args.cases, args.runs, args.repeat)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "frister.db"
        url, now = f"sqlite:///{path}", f"{TODAY}T09:00"
        skranke = Skranke.from_settings(load_settings(db=url, now=now))
        fill(skranke, args.cases)
        skranke.close()
        whole_sql = json.dumps([[statement, []] for statement in bare_statements(TODAY)])
        page_sql = json.dumps(child(CAPTURE, url, now)["statements"])
        page, page_bare, whole, whole_bare = [], [], [], []
        for _ in range(args.runs):
            page_bare.append(child(REPLAY, str(path), str(args.repeat), page_sql))
            page.append(child(VIEW, url, now, str(args.repeat), "deadlines_page"))
            whole_bare.append(child(REPLAY, str(path), str(args.repeat), whole_sql))
            whole.append(child(VIEW, url, now, str(args.repeat), "deadlines_view"))
    last = whole[-1]
    print(
        f"{args.cases:,} cases and citizens: requests {last['requests']}, exempt {last['exempt']}, "
        f"follow-ups {last['follow_ups']}, plan reviews {last['plan_reviews']}; "
        f"a page holds {page[-1]['requests']}, {page[-1]['exempt']}, {page[-1]['follow_ups']}, "
        f"{page[-1]['plan_reviews']} of them (counts {page[-1]['totals']})"
    )
    # The first call of each process, before the opening-hours memo holds the deadlines' days
    # (the Frister screen's first visit; later visits and the repeats above find them there).
    for name, runs in (("page", page), ("whole view", whole)):
        first = median([v["times"][0] for v in runs])
        print(f"  {name}, first call in each process (cold hours memo): {first * 1000:.1f} ms")

    def figure(name: str, runs: list[dict[str, Any]]) -> Figure:
        return Figure(name, median([median(r["times"]) for r in runs]), max(r["rss_mb"] for r in runs))

    report(
        f"Frister view as the screen reads it, {args.cases:,} cases (median of {args.runs} x {args.repeat})",
        figure("deadlines_page(skranke)", page),
        figure(f"its {len(json.loads(page_sql))} SELECTs, bare (same driver)", page_bare),
        aim_ratio=3,
        aim_ms=50,
    )
    report(
        f"the whole view (deadlines --json), {args.cases:,} cases (median of {args.runs} x {args.repeat})",
        figure("deadlines_view(skranke)", whole),
        figure("its SELECTs, bare (same driver)", whole_bare),
        aim_ratio=3,
        aim_ms=50,
    )


if __name__ == "__main__":
    main()
