"""What encryption at rest costs (issue 25): the same work on a plain SQLite store and on an
encrypted one (SQLCipher 4, raw key), interleaved in one run.

- open and first query: `Database.open` of an existing store and one `SELECT count(*)`, in a
  fresh process (sqlcipher3's import included: a command pays it), and the whole command
  `skranke deadlines --json` from outside;
- insert-heavy: `run_sync` of the bulk export files into a fresh store, and its floor, the raw
  rows written with `executemany` into plain tables (stdlib sqlite3 into a plain file, sqlcipher3
  into an encrypted one).

The plain stores are made as skranke made them before encryption: an encrypted store exported
without a key (`sqlcipher_export`).
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _common import ENV, KEY_FILE, Figure, child, command, median
from import_rows import FLOOR, SYNC

TODAY = date(2026, 4, 9)
NOW = "2026-04-09T08:00"
# Assens: Odense's heroin-clinic rule (000 § 5.4) refuses some of the bulk generator's orders, and
# a refused file is no insert benchmark. The same site for every child.
SITE = "assens"
ENV["SKRANKE_SITE"] = SITE

OPEN = """
import sys, time
started = time.perf_counter()
from sqlalchemy import text
from skranke.clock import parse_now
from skranke.store.database import Database
database = Database.open(f"sqlite:///{sys.argv[1]}", parse_now("2026-04-09T08:00"), create=False)
with database.reading() as session:
    session.execute(text("SELECT count(*) FROM citizens")).scalar_one()
_report([time.perf_counter() - started], encrypted=database.encrypted)
"""


def plain_copy(encrypted: Path, plain: Path) -> None:
    import sqlcipher3

    from skranke.store.cipher import key_pragma_value, read_key

    connection = sqlcipher3.connect(str(encrypted), isolation_level=None)
    connection.execute(f'PRAGMA key = "{key_pragma_value(read_key(KEY_FILE))}"')
    connection.execute("ATTACH DATABASE ? AS plain KEY ''", (str(plain),))
    connection.execute("SELECT sqlcipher_export('plain')")
    connection.execute("DETACH DATABASE plain")
    connection.close()


def line(name: str, plain: Figure, encrypted: Figure) -> None:
    print(f"== {name}")
    print(f"  plain      {plain.seconds * 1000:9.1f} ms  peak RSS {plain.rss_mb:6.1f} MB")
    print(f"  encrypted  {encrypted.seconds * 1000:9.1f} ms  peak RSS {encrypted.rss_mb:6.1f} MB")
    print(f"  encrypted / plain {encrypted.seconds / plain.seconds:.2f}x", flush=True)


def figure(name: str, runs: list[dict[str, Any]]) -> Figure:
    return Figure(name, median([r["times"][0] for r in runs]), max(r["rss_mb"] for r in runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from skranke.clock import parse_now
    from skranke.config import load_settings
    from skranke.demo.bulk import write_bulk_exports
    from skranke.services.context import Skranke
    from skranke.store.database import Database

    site = Skranke.from_settings(load_settings(site=SITE)).site
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        write_bulk_exports(folder / "files", TODAY, site, args.rows)
        empty = folder / "empty.db"
        Database.open(f"sqlite:///{empty}", parse_now(NOW)).close()
        empty_plain = folder / "empty-plain.db"
        plain_copy(empty, empty_plain)

        def fresh(name: str, store: Path | None, floor_plain: bool = False) -> str:
            root = folder / name
            shutil.rmtree(root, ignore_errors=True)
            shutil.copytree(folder / "files", root / "inbox")
            if store is not None:
                shutil.copyfile(store, root / "skranke.db")
            if floor_plain:  # a plain file (SQLite's header written): the floor stays plain
                with sqlite3.connect(root / "floor.db") as connection:
                    connection.execute("PRAGMA user_version = 1")
            return str(root)

        sync: dict[str, list[dict[str, Any]]] = {"plain": [], "encrypted": []}
        floor: dict[str, list[dict[str, Any]]] = {"plain": [], "encrypted": []}
        for _ in range(args.runs):
            floor["plain"].append(child(FLOOR, fresh("floor", None, floor_plain=True)))
            floor["encrypted"].append(child(FLOOR, fresh("floor", None)))
            sync["plain"].append(child(SYNC, plain_root := fresh("sync-plain", empty_plain)))
            sync["encrypted"].append(child(SYNC, encrypted_root := fresh("sync-encrypted", empty)))
        filled = {"plain": Path(plain_root) / "skranke.db", "encrypted": Path(encrypted_root) / "skranke.db"}

        opened: dict[str, list[dict[str, Any]]] = {"plain": [], "encrypted": []}
        commands: dict[str, list[dict[str, Any]]] = {"plain": [], "encrypted": []}
        skranke = str(Path(sys.executable).with_name("skranke"))
        for _ in range(args.runs * 3):
            for kind, store in filled.items():
                opened[kind].append(child(OPEN, str(store)))
                seconds, rss, _out = command([skranke, "deadlines", "--json", "--db", str(store), "--now", NOW])
                commands[kind].append({"times": [seconds], "rss_mb": rss})
        assert not any(r["encrypted"] for r in opened["plain"]) and all(r["encrypted"] for r in opened["encrypted"])

    print(f"{args.rows:,} rows; medians of {args.runs} (sync, floor) and {args.runs * 3} (open, command) runs")
    for name, runs in (
        ("Database.open + first query (a fresh process, imports included)", opened),
        (f"skranke deadlines --json on the {args.rows:,}-row store (whole command)", commands),
        (f"run_sync of {args.rows:,} rows into a fresh store", sync),
        ("floor: csv.reader + executemany into raw tables", floor),
    ):
        line(name, figure("plain", runs["plain"]), figure("encrypted", runs["encrypted"]))


if __name__ == "__main__":
    main()
