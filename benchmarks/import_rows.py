"""`skranke sync` of the bulk export files (200,000 rows by default: 4 files, 40/30/20/10 %),
beside the floor of reading the same raw files with the stdlib csv module and writing them with
executemany through the store's own driver (SQLCipher: an encrypted file, as every store is).

The sync is the real path (read, validate, check references, upsert, log) into a fresh SQLite
store, run in a child process by `run_sync`. The floor, in a child process too, reads each file
with `csv.reader` and inserts its raw rows into a plain table of as many columns (no types, no
constraints) with `executemany`, one transaction per file, WAL and synchronous=NORMAL as the
store: the least any importer of these files could do. Runs are interleaved, each with fresh files
of the same seed and a fresh store.

Beside them, what the floor leaves out: the rows the sync stored, read back and written with
executemany into a fresh store of the real schema (its keys, indexes, CHECK and foreign
key constraints, the citizens' stored search text): no reading of files, no validation. That is
the part of the sync no faster reader can remove.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import Figure, child, median, report

TODAY = date(2026, 4, 9)

SYNC = """
import sys, time
from skranke.config import load_settings
from skranke.services.context import Skranke
from skranke.services.sync import run_sync

root = sys.argv[1]
skranke = Skranke.from_settings(load_settings(
    db=f"sqlite:///{root}/skranke.db", now="2026-04-09T08:00", inbox=f"{root}/inbox", outbox=f"{root}/outbox"))
skranke.database  # the schema is made before the clock starts
started = time.perf_counter()
result = run_sync(skranke)
elapsed = time.perf_counter() - started
assert not result.any_rejected, [f.errors for f in result.files]
_report([elapsed], rows=sum(f.inserted for f in result.files))
"""

FLOOR = """
import csv, sys, time
from pathlib import Path

root = Path(sys.argv[1])
connection = _store_connection(root / "floor.db")
connection.execute("PRAGMA journal_mode=WAL")
connection.execute("PRAGMA synchronous=NORMAL")
started = time.perf_counter()
rows = 0
for path in sorted((root / "inbox").glob("*.csv")):
    with path.open(newline="", encoding="utf-8-sig") as file:
        reader = csv.reader(file, delimiter=";")
        header = next(reader)
        table = "raw_" + path.stem
        connection.execute(f"CREATE TABLE {table} ({', '.join(f'c{i}' for i in range(len(header)))})")
        width = len(header)  # a row may leave trailing empty fields out
        values = [row if len(row) == width else (row + [""] * width)[:width] for row in reader]
        with connection:
            connection.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(header))})", values)
        rows += len(values)
elapsed = time.perf_counter() - started
_report([elapsed], rows=rows)
"""


# The rows a sync stored (argv 1), written again into a fresh store of the real schema (argv 2)
# with executemany, a transaction per table in the sync's order, as the store is set up.
SCHEMA_WRITE = """
import sys, time
from skranke.clock import parse_now
from skranke.store.database import Database

Database.open(f"sqlite:///{sys.argv[2]}", parse_now("2026-04-09T08:00")).close()
source = _store_connection(sys.argv[1])
target = _store_connection(sys.argv[2])
target.execute("PRAGMA journal_mode=WAL")
target.execute("PRAGMA synchronous=NORMAL")
target.execute("PRAGMA foreign_keys=ON")
rows = 0
elapsed = 0.0
for table in ["citizens", "cases", "prescriptions", "appointments"]:
    # Stored columns only: a generated one is the database's to compute again.
    columns = [c[1] for c in source.execute(f"PRAGMA table_xinfo({table})") if c[6] == 0]
    values = source.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
    started = time.perf_counter()
    with target:
        target.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", values
        )
    elapsed += time.perf_counter() - started
    rows += len(values)
_report([elapsed], rows=rows)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from skranke.config import load_settings
    from skranke.demo.bulk import write_bulk_exports
    from skranke.services.context import Skranke

    site = Skranke.from_settings(load_settings()).site
    with tempfile.TemporaryDirectory() as folder:
        files = write_bulk_exports(Path(folder) / "files", TODAY, site, args.rows)
        print(f"{args.rows:,} rows in {len(files)} files: " + ", ".join(p.name for p in files), flush=True)

        def fresh(name: str) -> str:
            root = Path(folder) / name
            shutil.rmtree(root, ignore_errors=True)
            shutil.copytree(Path(folder) / "files", root / "inbox")
            return str(root)

        sync, floor, schema = [], [], []
        for _ in range(args.runs):
            floor.append(child(FLOOR, fresh("floor")))
            sync.append(child(SYNC, synced := fresh("sync")))
            rewritten = Path(folder) / "schema.db"
            for leftover in Path(folder).glob("schema.db*"):
                leftover.unlink()
            schema.append(child(SCHEMA_WRITE, str(Path(synced) / "skranke.db"), str(rewritten)))
    assert all(s["rows"] == args.rows for s in sync), [s["rows"] for s in sync]
    assert all(f["rows"] == args.rows for f in floor), [f["rows"] for f in floor]
    assert all(s["rows"] == args.rows for s in schema), [s["rows"] for s in schema]
    report(
        f"skranke sync of {args.rows:,} rows (median of {args.runs})",
        Figure("skranke sync (run_sync)", median([s["times"][0] for s in sync]), max(s["rss_mb"] for s in sync)),
        Figure(
            "floor: csv.reader + executemany (same driver)",
            median([f["times"][0] for f in floor]),
            max(f["rss_mb"] for f in floor),
        ),
        4,
    )
    floor_seconds = median([f["times"][0] for f in floor])
    schema_seconds = median([s["times"][0] for s in schema])
    print(
        f"  of which no reader can remove: the same rows written into the real schema (executemany)"
        f" {schema_seconds * 1000:.1f} ms, {schema_seconds / floor_seconds:.2f}x the floor by itself",
        flush=True,
    )


if __name__ == "__main__":
    main()
