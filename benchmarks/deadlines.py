"""Frister with 100,000 cases and citizens: the view and the JSON, beside the bare SQL under them.

The store is SQLite, filled directly (not timed). "Bare SQL" is the same two SELECTs the service
runs (cases that can be listed, appointments of waiting citizens), executed with stdlib sqlite3
and fetched: what no view on these rows can go below.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.dialects import sqlite as sqlite_dialect

from skranke.clock import TIMEZONE
from skranke.config import load_settings
from skranke.services.context import Skranke
from skranke.services.deadlines import APPOINTMENT_KINDS, deadlines_view
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


def bare_sql(path: Path, closed_since: date) -> float:
    from skranke.store.queries import deadline_cases_statement, guarantee_appointments_statement

    compiled = [
        statement.compile(dialect=sqlite_dialect.dialect(), compile_kwargs={"literal_binds": True})
        for statement in (deadline_cases_statement(closed_since), guarantee_appointments_statement(APPOINTMENT_KINDS))
    ]
    connection = sqlite3.connect(path)
    started = time.perf_counter()
    for statement in compiled:
        connection.execute(str(statement)).fetchall()
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "frister.db"
        skranke = Skranke.from_settings(load_settings(db=f"sqlite:///{path}", now=f"{TODAY}T09:00"))
        fill(skranke, args.cases)
        from dateutil.relativedelta import relativedelta

        closed_since = TODAY - relativedelta(months=max(skranke.site.rules.follow_up_months) + 4)
        sql, view, document = [], [], []
        for _ in range(args.runs):
            sql.append(bare_sql(path, closed_since))
            started = time.perf_counter()
            result = deadlines_view(skranke)
            view.append(time.perf_counter() - started)
            started = time.perf_counter()
            json.dumps(result.overview.to_json_dict(), ensure_ascii=False)
            document.append(time.perf_counter() - started)
        skranke.close()
    print(f"{args.cases} cases and citizens; median of {args.runs} runs")
    print(f"bare SQL (sqlite3, fetch all):   {statistics.median(sql) * 1000:8.1f} ms")
    print(
        f"Frister view (query + rules):    {statistics.median(view) * 1000:8.1f} ms"
        f"  ({statistics.median(view) / statistics.median(sql):.1f}x the bare SQL)"
    )
    print(f"  + JSON document:               {statistics.median(document) * 1000:8.1f} ms")
    print(
        f"requests {len(result.overview.requests)}, exempt {len(result.overview.exempt)}, "
        f"follow-ups {len(result.overview.follow_ups)}, plan reviews {len(result.overview.plan_reviews)}"
    )


if __name__ == "__main__":
    main()
