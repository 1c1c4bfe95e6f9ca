"""Frister with 100,000 cases and citizens: the view and the JSON, beside the bare SQL under them.

The store is SQLite, filled directly (not timed). "Bare SQL" is the SELECTs the service runs
(the cases the view can list, selected by `listing_bounds`; appointments of waiting citizens;
follow-ups recorded as made), compiled for SQLite, executed with stdlib sqlite3 and fetched:
what no view on these rows can go below.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from sqlalchemy import insert
from sqlalchemy.dialects import sqlite as sqlite_dialect

from _common import Figure, child, median, report
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
        connection.execute(insert(Citizen.__table__), citizens)
        connection.execute(insert(Case.__table__), rows)
        connection.execute(insert(Appointment.__table__), appointments)


VIEW = """
import sys, time
from skranke.config import load_settings
from skranke.services.context import Skranke
from skranke.services.deadlines import deadlines_view

skranke = Skranke.from_settings(load_settings(db=sys.argv[1], now=sys.argv[2]))
skranke.database  # opened once, as the application does before any screen
import importlib
importlib.import_module("skranke.store.queries")  # "I dag" (its counts) imports it before Frister opens
times = []
for _ in range(int(sys.argv[3])):
    started = time.perf_counter()
    result = deadlines_view(skranke)
    times.append(time.perf_counter() - started)
o = result.overview
_report(times, requests=len(o.requests), exempt=len(o.exempt), follow_ups=len(o.follow_ups),
        plan_reviews=len(o.plan_reviews))
"""

BARE = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1])
statements = sys.argv[3:]
times = []
for _ in range(int(sys.argv[2])):
    started = time.perf_counter()
    for statement in statements:
        connection.execute(statement).fetchall()
    times.append(time.perf_counter() - started)
_report(times)
"""


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
    if bounds.closed_from is not None:
        statements.append(done_follow_ups_statement(bounds))
    return [
        str(statement.compile(dialect=sqlite_dialect.dialect(), compile_kwargs={"literal_binds": True}))
        for statement in statements
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5, help="child processes of each, interleaved")
    parser.add_argument("--repeat", type=int, default=3, help="calls in each child (the median is taken)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "frister.db"
        skranke = Skranke.from_settings(load_settings(db=f"sqlite:///{path}", now=f"{TODAY}T09:00"))
        fill(skranke, args.cases)
        skranke.close()
        statements = bare_statements(TODAY)
        view, sql = [], []
        for _ in range(args.runs):
            sql.append(child(BARE, str(path), str(args.repeat), *statements))
            view.append(child(VIEW, f"sqlite:///{path}", f"{TODAY}T09:00", str(args.repeat)))
    last = view[-1]
    print(
        f"{args.cases:,} cases and citizens: requests {last['requests']}, exempt {last['exempt']}, "
        f"follow-ups {last['follow_ups']}, plan reviews {last['plan_reviews']}"
    )
    # The first call of each process, before the opening-hours memo holds the deadlines' days
    # (the Frister screen's first visit; later visits and the repeats above find them there).
    first = median([v["times"][0] for v in view])
    print(f"  first call in each process (cold hours memo): {first * 1000:.1f} ms")
    report(
        f"Frister view at {args.cases:,} cases (median of {args.runs} x {args.repeat})",
        Figure("deadlines_view(skranke)", median([median(v["times"]) for v in view]), max(v["rss_mb"] for v in view)),
        Figure(
            "bare SQL (sqlite3, the view's SELECTs)",
            median([median(s["times"]) for s in sql]),
            max(s["rss_mb"] for s in sql),
        ),
        aim_ratio=3,
        aim_ms=50,
    )


if __name__ == "__main__":
    main()
