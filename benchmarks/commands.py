"""`skranke hours --json` and `skranke deadlines --json` on the demo store, beside a bare Textual
app's first paint.

Each is a whole process (interpreter start, imports, the command, exit), timed from the parent
by wall clock; the bare app is the baseline of `startup.py` (one Static, headless, leaves on its
first painted frame). Neither signs in: both print ids, dates and hours, no names (DESIGN §3).
Runs are interleaved, so machine noise hits all of them alike.

Beside `deadlines --json`, what it cannot go under while it reads the store through SQLAlchemy
(one store code for SQLite and PostgreSQL): a process that only imports SQLAlchemy and exits.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import Figure, child, command, median, report
from startup import BARE

NOW = "2026-04-09T09:30"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    skranke = str(Path(sys.executable).with_name("skranke"))
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "demo.db")
        command([skranke, "demo", "--no-open", "--db", db, "--now", NOW])
        hours_argv = [skranke, "hours", "--json", "--now", NOW]
        deadlines_argv = [skranke, "deadlines", "--json", "--db", db, "--now", NOW]
        sqlalchemy_argv = [sys.executable, "-c", "import sqlalchemy"]
        command(hours_argv), command(deadlines_argv), child(BARE)  # warm the file cache
        command(sqlalchemy_argv)
        bare, hours, deadlines, sqlalchemy = [], [], [], []
        for _ in range(args.runs):
            bare.append(child(BARE))
            hours.append(command(hours_argv))
            deadlines.append(command(deadlines_argv))
            sqlalchemy.append(command(sqlalchemy_argv))
    paint = Figure(
        "bare Textual app, first paint", median([b["times"][0] for b in bare]), max(b["rss_mb"] for b in bare)
    )
    print(f"median of {args.runs} interleaved runs each (wall time of the whole process)")
    report(
        "skranke hours --json",
        Figure("skranke hours --json", median([h[0] for h in hours]), max(h[1] for h in hours)),
        paint,
        1.0,
    )
    report(
        "skranke deadlines --json (demo store)",
        Figure("skranke deadlines --json", median([d[0] for d in deadlines]), max(d[1] for d in deadlines)),
        paint,
        1.0,
    )
    floor = median([s[0] for s in sqlalchemy])
    print(
        f"  of which no command reading the store can remove: a process importing SQLAlchemy alone"
        f" {floor * 1000:.1f} ms, {floor / paint.seconds:.2f}x the bare paint by itself",
        flush=True,
    )


if __name__ == "__main__":
    main()
