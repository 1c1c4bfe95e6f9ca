"""What every benchmark shares: child processes that report their own peak RSS, medians, the report line.

Each figure that is measured runs in a fresh child process, so its peak memory (ru_maxrss) is
its own and not the parent's (which builds the test data). The machine is shared and small:
take medians of several interleaved runs and read the numbers as noisy (±10-20 %).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skranke.store.engine import PAGE_CACHE_KIB

# Printed by a child as its last line: its timings (seconds) and its peak RSS. `_store_connection`:
# a bare DB-API connection to a store file, through the same driver and key as the store's own
# (SQLCipher with the run's key for an encrypted file, stdlib sqlite3 for a plain one).
CHILD_REPORT = """
def _store_connection(path):
    import os
    from pathlib import Path
    from skranke.store.cipher import FileKind, connect, file_kind, key_for_new_store
    key = None if file_kind(Path(path)) == FileKind.PLAIN else key_for_new_store(Path(os.environ["SKRANKE_KEY_FILE"]))
    return connect(Path(path), key)

def _report(times, **extra):
    import json, os
    # VmHWM: this process's own peak (ru_maxrss would carry the forking parent's across exec).
    with open("/proc/self/status") as status:
        rss = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    # os.write, not print: a running Textual app captures sys.stdout.
    os.write(1, (json.dumps({"times": times, "rss_mb": rss, **extra}) + "\\n").encode())
"""

# A child that runs a view once and reports the SELECTs it sent (SQL and bound values as SQLite
# gets them, caught at the cursor), to be replayed bare by REPLAY: argv 1 the store's URL, 2 --now.
CAPTURE = """
import sys
from sqlalchemy import event
from skranke.config import load_settings
from skranke.services.context import Skranke
{view_import}

skranke = Skranke.from_settings(load_settings(db=sys.argv[1], now=sys.argv[2]))
database = skranke.database
sent = []
def _sent(conn, cursor, statement, parameters, context, executemany):
    sent.append([statement, list(parameters)])
event.listen(database.engine, "before_cursor_execute", _sent)
{view_call}
_report([], statements=[s for s in sent if s[0].lstrip().upper().startswith("SELECT")])
"""

# Statements (JSON: [SQL, bound values]) run and fetched bare (the store's own driver): argv 1 the SQLite
# file, 2 how many times, 3 the statements.
REPLAY = """
import json, sys, time
connection = _store_connection(sys.argv[1])
connection.execute("PRAGMA cache_size=-{page_cache_kib}")  # as the store's own connections
statements = json.loads(sys.argv[3])
times = []
for _ in range(int(sys.argv[2])):
    started = time.perf_counter()
    for statement, parameters in statements:
        connection.execute(statement, parameters).fetchall()
    times.append(time.perf_counter() - started)
_report(times, statements=len(statements))
"""


REPLAY = REPLAY.replace("{page_cache_kib}", str(PAGE_CACHE_KIB))

# What the application does a few seconds after it starts (ui.app), before a view is timed.
SETTLED = """
from skranke.collector import keep_start_up_objects
keep_start_up_objects()
"""


def capture_code(view_import: str, view_call: str) -> str:
    return CAPTURE.format(view_import=view_import, view_call=view_call)


ENV = {"SKRANKE_CONFIG": "/dev/null", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
# Every store a benchmark makes is encrypted, as the application's are (DESIGN §1), with a key of
# the run's own: never the user's (store.key in the config folder).
KEY_FILE = Path(tempfile.mkdtemp(prefix="skranke-bench-key-")) / "store.key"
ENV["SKRANKE_KEY_FILE"] = str(KEY_FILE)
os.environ["SKRANKE_KEY_FILE"] = str(KEY_FILE)  # the stores this process makes itself


def store_connection(path: Path) -> Any:  # a DB-API connection: sqlite3's or sqlcipher3's (no types)
    """As `_store_connection` in a child: the store's own driver and key."""
    from skranke.store.cipher import FileKind, connect, file_kind, key_for_new_store

    key = None if file_kind(path) == FileKind.PLAIN else key_for_new_store(KEY_FILE)
    return connect(path, key)


@dataclass
class Figure:
    name: str
    seconds: float
    rss_mb: float


def child(code: str, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run `code` in a fresh interpreter; it ends by calling `_report(...)` (CHILD_REPORT)."""
    result = subprocess.run(
        [sys.executable, "-c", CHILD_REPORT + code, *args],
        capture_output=True,
        text=True,
        env={**ENV, "SKRANKE_BENCH_T0": repr(time.time()), **(env or {})},
    )
    if result.returncode != 0:
        raise SystemExit(f"child failed ({result.returncode}):\n{result.stderr[-3000:]}")
    reported: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])  # the child's JSON report
    return reported


def command(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Wall time (s), peak RSS (MB) and stdout of a whole command, interpreter start included."""
    out_path = f"/tmp/skranke-bench-{os.getpid()}.out"
    with open(out_path, "w+") as out:
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE, env={**ENV, **(env or {})})
        assert process.stderr is not None  # stderr=PIPE
        _pid, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
    os.unlink(out_path)
    if process.returncode != 0:
        raise SystemExit(f"{argv} failed ({process.returncode}): {process.stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024, text


def median(values: list[float]) -> float:
    return statistics.median(values)


def report(title: str, figure: Figure, baseline: Figure, aim_ratio: float, aim_ms: float | None = None) -> bool:
    """Print the figure beside its baseline and the aim; True when the aim is met."""
    ratio = figure.seconds / baseline.seconds
    met = ratio <= aim_ratio and (aim_ms is None or figure.seconds * 1000 <= aim_ms) and figure.rss_mb <= 150
    aim = f"≤ {aim_ratio:g}x" + (f" and ≤ {aim_ms:g} ms" if aim_ms is not None else "") + ", ≤ 150 MB"
    print(f"== {title}")
    print(f"  {baseline.name:<44} {baseline.seconds * 1000:9.1f} ms  peak RSS {baseline.rss_mb:6.1f} MB")
    print(f"  {figure.name:<44} {figure.seconds * 1000:9.1f} ms  peak RSS {figure.rss_mb:6.1f} MB")
    print(f"  ratio {ratio:.2f}x   aim {aim}   {'MET' if met else 'NOT MET'}", flush=True)
    return met
