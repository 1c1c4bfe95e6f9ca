"""The audit log's hash chain (issue 25): what it adds to every write, and verifying a million events.

Writes, in one child process a few hundred times each, interleaved: a transaction logging 500
looks (`record_looks`, as a list on screen does) and one logging a single event (`sign_out`),
both chained (hashes computed, the chain's head taken and moved); baseline: the same rows
written as before the chain, one Core `executemany` of the events with no hash and no head, in
the same transaction shape.

Verify: `services.audit.verify_chain` over ~1,000,000 events (bulk-inserted through the store's driver into a
store made by `Database.open`, their hashes computed by domain.audit_chain; not timed), in a
child of its own so its peak RSS shows whether the walk holds the log; baseline: the same
columns read bare through the same driver in id order, in batches, nothing computed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _common import Figure, child, median, report, store_connection

NOW = "2026-04-09T09:00"

WRITE = """
import sys, time
from sqlalchemy import Table, insert
from skranke.config import load_settings
from skranke.services.audit import record_looks
from skranke.services.context import Skranke
from skranke.services.staff import sign_in, sign_out
from skranke.store.models import AuditEvent

skranke = Skranke.from_settings(load_settings(db=sys.argv[1], now=sys.argv[2]))
actor = sign_in(skranke, "ADM", "1111")
now = skranke.clock.now()
ids = [f"B{n:05d}" for n in range(500)]
table = AuditEvent.__table__

def bare(citizen_ids):
    # What record_looks wrote before the chain: the rows, one executemany (constant hashes: the
    # columns are NOT NULL now, and two constants cost the driver nothing worth counting).
    rows = [
        {"at": now, "actor": actor.staff_id, "workstation": actor.workstation, "action": "list_tasks",
         "citizen_id": c, "entity": "citizen", "entity_id": c, "detail": {}, "prev_hash": "", "hash": ""}
        for c in citizen_ids
    ]
    with skranke.database.transaction() as session:
        session.execute(insert(table), rows)

def chained(citizen_ids):
    with skranke.database.transaction() as session:
        record_looks(session, actor, now, "list_tasks", citizen_ids)

times = {"looks_chained": [], "looks_bare": [], "one_chained": [], "one_bare": []}
for _ in range(int(sys.argv[3])):
    for name, work in (
        ("looks_chained", lambda: chained(ids)),
        ("looks_bare", lambda: bare(ids)),
        ("one_chained", lambda: sign_out(skranke, actor, "key")),
        ("one_bare", lambda: bare(ids[:1])),
    ):
        started = time.perf_counter()
        work()
        times[name].append(time.perf_counter() - started)
_report([], **times)
"""

VERIFY = """
import sys, time
from skranke.config import load_settings
from skranke.services.audit import verify_chain
from skranke.services.context import Skranke
from skranke.services.staff import sign_in

skranke = Skranke.from_settings(load_settings(db=sys.argv[1], now=sys.argv[2]))
admin = sign_in(skranke, "ADM", "1111")
started = time.perf_counter()
check = verify_chain(skranke, admin)
elapsed = time.perf_counter() - started
assert check.whole, check.broken
_report([elapsed], events=check.events)
"""

READ = """
import sys, time
connection = _store_connection(sys.argv[1])
connection.execute("PRAGMA cache_size=-16000")
started = time.perf_counter()
cursor = connection.execute(
    "SELECT id, at, actor, workstation, action, citizen_id, entity, entity_id, detail, prev_hash, hash "
    "FROM audit_events ORDER BY id"
)
count = 0
while rows := cursor.fetchmany(5000):
    count += len(rows)
_report([time.perf_counter() - started], events=count)
"""


def make_store(path: Path) -> None:
    from skranke.config import load_settings
    from skranke.services.context import Skranke
    from skranke.services.staff import add_staff

    skranke = Skranke.from_settings(load_settings(db=f"sqlite:///{path}", now=NOW))
    add_staff(skranke, None, "ADM", "Anne Admin", ["admin"], "1111")
    skranke.close()


def fill(path: Path, events: int) -> None:
    """`events` more, chained onto the store's head: looks at the queue and at lists, searches
    with their hits, doses and sign-ins, over a year."""
    from skranke.domain.audit_chain import event_hash

    rng = random.Random(25)
    connection = store_connection(path)
    last_id, prev = connection.execute("SELECT last_id, last_hash FROM audit_chain").fetchone()
    start = datetime(2025, 4, 9, 7, 0, tzinfo=UTC)
    staff = ["SYG", "KJ", "MN", "PL", "AH"]
    rows: list[tuple[object, ...]] = []
    detail: dict[str, object]
    for number in range(events):
        event_id = last_id + 1 + number
        at = start + timedelta(seconds=number * 30)
        who, where = rng.choice(staff), f"pc{rng.randint(1, 4)}"
        kind = rng.random()
        citizen = f"B{rng.randint(0, 99_999):05d}"
        if kind < 0.6:
            action, citizen_id, entity, entity_id, detail = "list_queue", citizen, "citizen", citizen, {"service": "x"}
        elif kind < 0.7:
            hits = [f"B{rng.randint(0, 99_999):05d}" for _ in range(20)]
            action, citizen_id, entity, entity_id, detail = "search", None, "search", "", {"citizen_ids": hits}
        elif kind < 0.9:
            action, citizen_id, entity, entity_id = "dispense", citizen, "dispensing", str(number)
            detail = {"outcome": "given", "dose_mg": "72.5"}
        else:
            action, citizen_id, entity, entity_id, detail = "sign_in", None, "", "", {}
        own = event_hash(prev, event_id, at, who, where, action, citizen_id, entity, entity_id, detail)
        stored_at = at.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        rows.append(
            (event_id, stored_at, who, where, action, citizen_id, entity, entity_id, json.dumps(detail), prev, own)
        )
        prev = own
        if len(rows) == 50_000:
            _insert(connection, rows)
            rows = []
    _insert(connection, rows)
    with connection:
        connection.execute("UPDATE audit_chain SET last_id = ?, last_hash = ?", (last_id + events, prev))
    connection.close()


def _insert(connection: Any, rows: list[tuple[object, ...]]) -> None:  # sqlite3's or sqlcipher3's
    with connection:
        connection.executemany(
            "INSERT INTO audit_events (id, at, actor, workstation, action, citizen_id, entity, entity_id, detail, "
            "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the store verify walks")
    parser.add_argument("--writes", type=int, default=200, help="transactions of each kind in the write child")
    parser.add_argument("--runs", type=int, default=3, help="child processes of each, interleaved")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "audit.db"
        make_store(path)
        writes = [child(WRITE, f"sqlite:///{path}", NOW, str(args.writes)) for _ in range(args.runs)]
        for name, what in (("looks", "500 looks in one transaction"), ("one", "one event in a transaction")):
            report(
                f"audit events written, {what} (median of {args.runs} x {args.writes})",
                Figure(
                    "chained (hashes, head taken and moved)",
                    median([median(w[f"{name}_chained"]) for w in writes]),
                    max(w["rss_mb"] for w in writes),
                ),
                Figure(
                    "the same rows unchained (as before 0008)",
                    median([median(w[f"{name}_bare"]) for w in writes]),
                    max(w["rss_mb"] for w in writes),
                ),
                aim_ratio=1.5,
            )

        fresh = Path(folder) / "verify.db"
        make_store(fresh)
        fill(fresh, args.events)
        verifies, reads = [], []
        for _ in range(args.runs):
            reads.append(child(READ, str(fresh)))
            verifies.append(child(VERIFY, f"sqlite:///{fresh}", NOW))
    events = verifies[0]["events"]
    seconds = median([v["times"][0] for v in verifies])
    print(f"verify: {events:,} events, {seconds / events * 1e6:.1f} µs an event")
    report(
        f"audit verify, {events:,} events (median of {args.runs})",
        Figure("verify_chain", seconds, max(v["rss_mb"] for v in verifies)),
        Figure(
            "the same columns read bare (same driver)",
            median([r["times"][0] for r in reads]),
            max(r["rss_mb"] for r in reads),
        ),
        aim_ratio=10,
    )


if __name__ == "__main__":
    main()
