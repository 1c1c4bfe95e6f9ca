"""The dispensing queue of one day: 1,500 active orders and two years of dispensing history.

A SQLite store made by `Database.open` (the real schema and indexes) is filled directly with
executemany through the store's driver (not timed): 1,500 citizens with one order each (most daily and supervised,
some twice a week, some heroin twice a day), and ~1 million `dispensings` rows, one a pickup day
per order for two years (a few refused, a few voided). Then, in fresh child processes,
interleaved: `skranke.services.queue.queue(skranke)` for the day, and the bare SQL under
it: the very SELECTs the view sends (caught at the cursor in a child of their own, with their
bound values), run and fetched bare through the same driver.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import REPLAY, SETTLED, Figure, capture_code, child, median, report, store_connection

TODAY = date(2026, 4, 9)
NOW = f"{TODAY}T13:00"

VIEW = (
    """
import sys, time
from skranke.config import load_settings
from skranke.services.context import Skranke
from skranke.services.queue import queue, dispensing_services

skranke = Skranke.from_settings(load_settings(db=sys.argv[1], now=sys.argv[2]))
skranke.database  # opened once, as the application does before any screen
"""
    + SETTLED
    + """
times = []
for _ in range(int(sys.argv[3])):
    started = time.perf_counter()
    view = queue(skranke)
    times.append(time.perf_counter() - started)
_report(times, due=len(view.due), done=len(view.done), deliveries=len(view.deliveries))
"""
)

# The SELECTs the view sends, caught at the cursor, to be replayed bare (REPLAY).
CAPTURE = capture_code("from skranke.services.queue import queue", "queue(skranke)")


def fill(path: Path, orders: int, days: int) -> int:
    from skranke.clock import parse_now
    from skranke.store.database import Database

    Database.open(f"sqlite:///{path}", parse_now(NOW)).close()
    rng = random.Random(15)
    connection = store_connection(path)
    citizens, prescriptions, dispensings = [], [], []
    first_day = TODAY - timedelta(days=days)
    for number in range(orders):
        citizen = f"B{number:05d}"
        citizens.append((citizen, None, "Fornavn", f"Efternavn{number}", "", ""))
        kind = rng.random()
        if kind < 0.8:
            preparation, rule, per_day, weekdays = "metadon", "FREQ=DAILY", 1, None
        elif kind < 0.95:
            preparation, rule, per_day, weekdays = "buprenorfin", "FREQ=WEEKLY;BYDAY=MO,TH", 1, {0, 3}
        else:
            preparation, rule, per_day, weekdays = "diacetylmorfin", "FREQ=DAILY", 2, None
        order = f"O{number:05d}"
        prescriptions.append(
            (order, citizen, preparation, "60.00", per_day, rule, 1, first_day.isoformat(), None, "Læge", 0, None)
        )
        # Today's own records: the first half of the day's citizens have been served.
        last = days if number < orders // 2 else days - 1
        for offset in range(last + 1):
            day = first_day + timedelta(days=offset)
            if weekdays is not None and day.weekday() not in weekdays:
                continue
            covers = 1 if weekdays is None else (3 if day.weekday() == 0 else 4)
            outcome = "given" if rng.random() > 0.03 else "refused"
            voided = rng.random() < 0.002
            for dose in range(1, per_day + 1):
                recorded = f"{day.isoformat()} {8 + dose * 3:02d}:{rng.randint(0, 59):02d}:00.000000"
                dispensings.append(
                    (
                        order,
                        citizen,
                        preparation,
                        day.isoformat(),
                        dose,
                        recorded,
                        outcome,
                        "60.00" if outcome == "given" else None,
                        "0",
                        covers if outcome == "given" else 1,
                        None,
                        "skranke-1",
                        "declined" if outcome == "refused" else "",
                        recorded if voided else None,
                        "MN" if voided else None,
                        "fejl" if voided else None,
                    )
                )
    with connection:
        connection.execute(
            "INSERT INTO staff (id, name, active, pin_hash, failed_attempts, created_at)"
            " VALUES ('MN', 'Mette Nielsen', 1, 'x', 0, '2024-01-01 08:00:00.000000')"
        )
        connection.executemany(
            "INSERT INTO citizens (id, cpr, first_name, last_name, alias, phone) VALUES (?, ?, ?, ?, ?, ?)", citizens
        )
        connection.executemany(
            "INSERT INTO prescriptions (id, citizen_id, preparation, dose_mg, doses_per_day, pickup_rule, supervised,"
            " valid_from, valid_to, prescribed_by, delivery, last_dispensed_on)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            prescriptions,
        )
        connection.executemany(
            "INSERT INTO dispensings (prescription_id, citizen_id, preparation, service_date, dose_number, recorded_at,"
            " outcome, dose_mg, take_home_mg, covers_days, staff_id, workstation, reason, voided_at, voided_by,"
            " void_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            dispensings,
        )
    connection.execute("ANALYZE")
    connection.close()
    return len(dispensings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=1_500)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--runs", type=int, default=5, help="child processes of each, interleaved")
    parser.add_argument("--repeat", type=int, default=3, help="calls in each child (the median is taken)")
    parser.add_argument("--keep", help="a store file to fill once and reuse (profiling)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "queue.db"
        if args.keep:
            path = Path(args.keep)
        if path.exists():  # a kept store: count what it holds
            with store_connection(path) as kept:
                rows = kept.execute("SELECT count(*) FROM dispensings").fetchone()[0]
        else:
            rows = fill(path, args.orders, args.days)
        print(f"{args.orders} orders, {rows:,} dispensings over {args.days} days", flush=True)
        statements = child(CAPTURE, f"sqlite:///{path}", NOW)["statements"]
        view_times, bare_times, view_rss, bare_rss = [], [], [], []
        for _ in range(args.runs):
            bare = child(REPLAY, str(path), str(args.repeat), json.dumps(statements))
            view = child(VIEW, f"sqlite:///{path}", NOW, str(args.repeat))
            bare_times.append(median(bare["times"]))
            view_times.append(median(view["times"]))
            bare_rss.append(bare["rss_mb"])
            view_rss.append(view["rss_mb"])
    print(f"due {view['due']}, deliveries {view['deliveries']}, done {view['done']}")
    report(
        f"dispensing queue, {args.orders} orders, {rows:,} dispensings (median of {args.runs} x {args.repeat})",
        Figure("queue(skranke)", median(view_times), max(view_rss)),
        Figure(f"its {len(statements)} SELECTs, bare (same driver)", median(bare_times), max(bare_rss)),
        aim_ratio=3,
        aim_ms=50,
    )


if __name__ == "__main__":
    main()
