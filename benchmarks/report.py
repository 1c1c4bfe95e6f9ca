"""Nøgletal (`skranke report --json`) for one year over 100,000 cases of history, beside its bare SQL.

The store is SQLite, made by the real schema and filled directly (not timed): cases requested
over eight years, most started, about half discharged (with a closing status, the outcome and
whether the goals were reached), and the follow-ups of discharges recorded as made at the desk.
The figure is what the command does after sign-in: `services.report.report(...)` for the year
(its read, the audit event, the figures counted in Python) and the JSON it prints. Its baseline
is the very SELECTs the report sends (the cases of `store.figures.figure_case_rows` and the
follow-ups of `follow_up_rows`, caught at the cursor with their bound values), run and fetched
bare through the store's own driver (SQLCipher): nothing else.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, cast

sys.path.insert(0, str(Path(__file__).parent))
from sqlalchemy import Table, insert

from _common import REPLAY, SETTLED, Figure, capture_code, child, median, report
from skranke.config import load_settings
from skranke.domain.deadlines import add_months
from skranke.domain.vocabulary import GOALS_REACHED, OUTCOMES
from skranke.services.context import Skranke
from skranke.store.models import Case, Citizen, Task

TODAY = date(2026, 4, 9)
FIRST, LAST = date(2025, 1, 1), date(2025, 12, 31)  # the year reported
STAFF, PIN = "LAE", "1111"


def fill(skranke: Skranke, cases: int) -> None:
    from skranke.services.staff import add_staff

    add_staff(skranke, None, STAFF, "Lone Læge", ["admin", "doctor"], PIN)
    rules = skranke.site.rules
    rng = random.Random(11)
    departments = [d.id for d in skranke.site.all_departments()]
    paragraphs = ["SEL101", "SEL101", "SUL142", "SEL101a", "SUL141"]
    statuses = ["færdigbehandlet", "færdigbehandlet", "udeblevet", "anden årsag", "eget ønske", "andet tilbud"]
    citizens: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    tasks: list[dict[str, Any]] = []
    for number in range(cases):
        # Some citizens return: about one case in five belongs to an earlier case's citizen.
        owner = rng.randrange(number) if number and rng.random() < 0.2 else number
        citizen_id = rows[owner]["citizen_id"] if owner != number else f"B{number:07d}"
        contact = TODAY - timedelta(days=rng.randint(0, 8 * 365))
        if owner == number:  # a new citizen
            citizens.append(
                {"id": citizen_id, "cpr": None, "first_name": "", "last_name": "", "alias": f"A{number}", "phone": ""}
            )
        state = rng.random()
        started = contact + timedelta(days=rng.randint(1, 25)) if state > 0.05 else None
        if started is not None and started > TODAY:
            started = None
        closed = started + timedelta(days=rng.randint(30, 900)) if started and state > 0.4 else None
        if closed and closed > TODAY:
            closed = None
        status = rng.choice(statuses) if closed else None
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
                "closing_status": status,
                "follow_up_consent": (rng.random() < 0.8) if closed else None,
                "outcome": rng.choice(OUTCOMES) if closed and rng.random() < 0.9 else None,
                "goals_reached": rng.choice(GOALS_REACHED) if closed and rng.random() < 0.9 else None,
            }
        )
        if closed is None or status not in rules.follow_up_statuses:
            continue
        for month in rules.follow_up_months:  # made at the desk, most on time, some late, some never
            due = add_months(closed, month)
            done = due + timedelta(days=rng.choice([-3, 0, 2, 5, 20]))
            if done > TODAY or rng.random() < 0.25:
                continue
            done_at = datetime.combine(done, time(10), UTC)
            tasks.append(
                {
                    "kind": "follow_up",
                    "citizen_id": citizen_id,
                    "case_id": rows[-1]["id"],
                    "due": due,
                    "created_at": done_at - timedelta(days=30),
                    "done_at": done_at,
                    "done_by": STAFF,
                    "outcome": "reached",
                    "follow_up_month": month,
                }
            )
    with skranke.database.transaction() as session:
        connection = session.connection()
        # Declarative classes map a Table; SQLAlchemy types `__table__` as the general FromClause.
        connection.execute(insert(cast(Table, Citizen.__table__)), citizens)
        connection.execute(insert(cast(Table, Case.__table__)), rows)
        connection.execute(insert(cast(Table, Task.__table__)), tasks)
    print(f"{cases:,} cases, {len(citizens):,} citizens, {len(tasks):,} follow-ups made", flush=True)


VIEW = (
    f"""
import json, sys, time
from datetime import date
from skranke.cli.output import copenhagen_times
from skranke.config import load_settings
from skranke.services.context import Skranke
from skranke.services.report import report
from skranke.services.staff import sign_in

skranke = Skranke.from_settings(load_settings(db=sys.argv[1], now=sys.argv[2]))
actor = sign_in(skranke, "{STAFF}", "{PIN}")  # as `--staff` does, before the command's work
first, last = date.fromisoformat(sys.argv[4]), date.fromisoformat(sys.argv[5])
"""
    + SETTLED
    + """
times = []
for _ in range(int(sys.argv[3])):
    started = time.perf_counter()
    result = report(skranke, actor, first, last, output="json")
    text = json.dumps(copenhagen_times(result.to_json_dict()), ensure_ascii=False, indent=2)  # print_json's
    times.append(time.perf_counter() - started)
_report(times, guarantee=result.to_json_dict()["guarantee"], discharges=result.to_json_dict()["discharges"])
"""
)

# The SELECTs the report sends (sign-in's left out), caught at the cursor, to be replayed bare.
CAPTURE = capture_code(
    "from datetime import date\nfrom skranke.services.report import report\nfrom skranke.services.staff import sign_in",
    f'actor = sign_in(skranke, "{STAFF}", "{PIN}"); sent.clear(); '
    f'report(skranke, actor, date.fromisoformat("{FIRST}"), date.fromisoformat("{LAST}"), output="json")',
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5, help="child processes of each, interleaved")
    parser.add_argument("--repeat", type=int, default=3, help="calls in each child (the median is taken)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.db"
        url, now = f"sqlite:///{path}", f"{TODAY}T09:00"
        skranke = Skranke.from_settings(load_settings(db=url, now=now))
        fill(skranke, args.cases)
        skranke.close()
        captured = child(CAPTURE, url, now)["statements"]
        # Only the figures' own reads (store.figures): not the audit chain's head.
        statements = [s for s in captured if "FROM cases" in s[0] or "FROM tasks" in s[0]]
        sql = json.dumps(statements)
        view: list[dict[str, Any]] = []
        bare: list[dict[str, Any]] = []
        for _ in range(args.runs):
            bare.append(child(REPLAY, str(path), str(args.repeat), sql))
            view.append(child(VIEW, url, now, str(args.repeat), FIRST.isoformat(), LAST.isoformat()))
    last = view[-1]
    print(f"{FIRST} – {LAST}: guarantee {last['guarantee']}; discharges {last['discharges']}")
    print(f"  first call in each process: {median([v['times'][0] for v in view]) * 1000:.1f} ms")

    def figure(name: str, runs: list[dict[str, Any]]) -> Figure:
        return Figure(name, median([median(r["times"]) for r in runs]), max(r["rss_mb"] for r in runs))

    report(
        f"Nøgletal for a year (report --json), {args.cases:,} cases (median of {args.runs} x {args.repeat})",
        figure("report(...) and its JSON", view),
        figure(f"its {len(statements)} SELECTs, bare (same driver)", bare),
        aim_ratio=3,
    )


if __name__ == "__main__":
    main()
