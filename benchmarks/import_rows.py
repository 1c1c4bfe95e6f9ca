"""Import 500,000 rows across the four kinds, beside stdlib sqlite3 `executemany` of the same rows.

The import is the real `skranke sync` path (read, validate, check references, upsert, log) into
a fresh SQLite store. The baseline inserts the same rows, already parsed and validated, into a
fresh store of the same schema with `sqlite3.executemany`, in one transaction per file: the
least any importer could do. Both run in the same process, one after the other.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from datetime import UTC, date
from pathlib import Path

from skranke.config import load_settings
from skranke.services.context import Skranke
from skranke.services.sync import run_sync
from skranke.store.database import Database
from skranke.store.imports import TABLES, data_columns
from skranke.sync.demo_files import write_bulk_exports
from skranke.sync.reader import read_export

TODAY = date(2026, 4, 9)


def _sqlite_value(value):
    # What SQLAlchemy would bind: text for decimals and dates, naive UTC for datetimes.
    from datetime import datetime
    from decimal import Decimal

    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=500_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        started = time.perf_counter()
        files = write_bulk_exports(root / "inbox", TODAY, Skranke.from_settings(load_settings()).site, args.rows)
        print(f"wrote {args.rows} rows in {len(files)} files in {time.perf_counter() - started:.1f} s")

        # The baseline's rows: parsed and validated beforehand, not timed.
        site = Skranke.from_settings(load_settings()).site
        parsed = {p.name: read_export(p, None, site, today=TODAY) for p in files}
        baseline_db = root / "baseline.db"
        Database.open(
            f"sqlite:///{baseline_db}", Skranke.from_settings(load_settings(now="2026-04-09T08:00")).clock.now()
        ).close()
        connection = sqlite3.connect(baseline_db)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        rows_by_file = []
        for path in files:
            result = parsed[path.name]
            columns = data_columns(result.kind)
            values = [tuple(_sqlite_value(getattr(r.row, c)) for c in columns) for r in result.rows]
            rows_by_file.append((TABLES[result.kind].__tablename__, columns, values))
        started = time.perf_counter()
        for table, columns, values in rows_by_file:
            with connection:
                connection.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", values
                )
        baseline = time.perf_counter() - started
        connection.close()

        skranke = Skranke.from_settings(
            load_settings(
                db=f"sqlite:///{root / 'skranke.db'}",
                now="2026-04-09T08:00",
                inbox=str(root / "inbox"),
                outbox=str(root / "outbox"),
            )
        )
        skranke.database  # create the schema before the clock starts
        started = time.perf_counter()
        result = run_sync(skranke)
        elapsed = time.perf_counter() - started
        skranke.close()
        assert not result.any_rejected, [f.errors for f in result.files]
        imported = sum(f.inserted for f in result.files)
        assert imported == args.rows, imported

    print(f"skranke sync:               {elapsed:6.2f} s  {imported / elapsed:9,.0f} rows/s")
    print(f"sqlite3 executemany (base): {baseline:6.2f} s  {imported / baseline:9,.0f} rows/s")
    print(f"ratio: {elapsed / baseline:.2f}x (aim: at most 4x)")


if __name__ == "__main__":
    main()
