"""A sync killed in the middle of a large file leaves the store as it was; the next sync imports it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from skranke.demo.bulk import iter_bulk_rows
from skranke.demo.files import write_csv
from skranke.services.sync import run_sync
from skranke.store.imports import count_rows
from tests.conftest import make_skranke

# Long-running: left out by `pytest -m "not slow"` (README, Testing).
pytestmark = pytest.mark.slow

# More citizens than the store's page cache holds (store.engine.PAGE_CACHE_KIB, ~85,000 of them):
# SQLite then spills pages to the WAL while the import's transaction is still inserting, which is
# when the test kills it. A file that fits the cache reaches the WAL only at the commit, and a fast
# machine commits between two looks at the WAL (60,000 rows did, once the reader got faster).
ROWS = 150_000
NOW = "2026-04-09T08:00"


def _wal_bytes(database: Path) -> int:
    wal = database.with_name(database.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def test_a_killed_sync_leaves_the_store_as_before_and_the_next_sync_imports_the_file(tmp_path: Path) -> None:
    inbox, database = tmp_path / "inbox", tmp_path / "store.db"
    url = f"sqlite:///{database}"
    make_skranke(NOW, url).database  # the schema exists before the sync starts
    write_csv(inbox / "borgere_stor.csv", "borgere", iter_bulk_rows("borgere", ROWS, date(2026, 4, 9)))
    baseline_wal = _wal_bytes(database)

    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "skranke",
            "sync",
            str(inbox),
            "--db",
            url,
            "--now",
            NOW,
            "--outbox",
            str(tmp_path / "outbox"),
        ],
        env={**os.environ, "SKRANKE_CONFIG": os.devnull},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    # Killed once the import's transaction is writing pages (the WAL grows), not before.
    deadline = time.monotonic() + 120
    while _wal_bytes(database) < baseline_wal + 256 * 1024:
        assert process.poll() is None, "the sync finished before it could be killed: make the file larger"
        assert time.monotonic() < deadline, "the sync never started writing"
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()

    skranke = make_skranke(NOW, url, inbox=str(inbox), outbox=str(tmp_path / "outbox"))
    try:
        with skranke.database.reading() as session:
            assert count_rows(session, "borgere") == 0
        assert (inbox / "borgere_stor.csv").exists()  # not moved: it was never imported

        result = run_sync(skranke)
        assert [(f.outcome, f.inserted) for f in result.files] == [("imported", ROWS)]
        with skranke.database.reading() as session:
            assert count_rows(session, "borgere") == ROWS
    finally:
        skranke.close()
