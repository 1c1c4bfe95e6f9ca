"""Start-up as a person sees it: the console script in a terminal until "I dag" is painted, beside
a bare Textual app with one Static in the same terminal.

Each run spawns a fresh process on a pseudo-terminal of 120x36 (its controlling terminal, as a
person's shell gives it): `skranke --db <demo store> --now <fixed>` with the run's own key file,
and `python -c <a Textual app with one Static>`. The parent reads what each writes to the
terminal and takes the moment the first frame shows its content: for skranke the header's site
name and every department of the day's table, for the bare app its Static's text (escape
sequences left out, so colours and cursor moves between the words do not matter). The time is
from just before the fork to that moment: interpreter start, imports, opening the store, the
first frame written and read by the terminal. The peak RSS is the process's own (`VmHWM`) at
that moment; then it is killed (what it does after the first frame, such as the counts worker,
is not what the desk waits for). Runs are interleaved, so machine noise hits both alike.

`BARE` (headless, reporting from inside) stays: `commands.py` uses it as its baseline.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import ENV, Figure, command, median, report

# Both read the parent's start time from the environment (SKRANKE_BENCH_T0), set by `_common.child`.
BARE = """
import os, time
_t0 = float(os.environ["SKRANKE_BENCH_T0"])
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("I dag")
    def on_ready(self):
        _report([time.time() - _t0])
        os._exit(0)

Bare().run(headless=True, size=(120, 36))
"""

# The baseline in the terminal: what any Textual app pays to its first painted frame.
BARE_IN_TERMINAL = """
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("I dag")

Bare().run()
"""

NOW = "2026-04-09T09:30"
COUNTS_SHOWN = "Tjekket ind i dag:"  # the counts panel's first box once the store has been read
COLUMNS, LINES = 120, 36
# CSI (colours, cursor moves, modes), OSC (titles) and two-byte escapes: what is not painted text.
_ESCAPES = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
TERMINAL_ENV = {**ENV, "TERM": "xterm-256color", "COLORTERM": "truecolor"}


def first_frame(argv: list[str], markers: list[str], timeout: float = 30.0) -> tuple[float, float]:
    """Seconds from the fork until every marker has been painted on the terminal, and the
    process's peak RSS (MB) at that moment; the process is killed then."""
    wanted = [marker.encode() for marker in markers]
    started = time.perf_counter()
    pid, terminal = pty.fork()
    if pid == 0:  # the child: its size set before it can ask for it, then the program
        try:
            fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
            os.execve(argv[0], argv, TERMINAL_ENV)
        finally:
            os._exit(127)
    written = bytearray()
    try:
        while True:
            left = started + timeout - time.perf_counter()
            if left <= 0 or not select.select([terminal], [], [], left)[0]:
                raise SystemExit(f"{argv[0]}: no frame with {markers} in {timeout:g} s:\n{_text(written)[-2000:]}")
            try:
                chunk = os.read(terminal, 1 << 16)
            except OSError:  # EIO: the process left
                chunk = b""
            if not chunk:
                raise SystemExit(f"{argv} ended before its first frame:\n{_text(written)[-2000:]}")
            written += chunk
            painted = _ESCAPES.sub(b"", written)
            if all(marker in painted for marker in wanted):
                elapsed = time.perf_counter() - started
                with open(f"/proc/{pid}/status") as status:
                    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
                return elapsed, peak
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(terminal)


def _text(written: bytearray) -> str:
    return _ESCAPES.sub(b"", written).decode(errors="replace")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    skranke_script = str(Path(sys.executable).with_name("skranke"))
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "demo.db")
        command([skranke_script, "demo", "--no-open", "--db", db, "--now", NOW])
        markers = _today_markers(db)
        skranke_argv = [skranke_script, "--db", db, "--now", NOW]
        bare_argv = [sys.executable, "-c", BARE_IN_TERMINAL]
        # Warm the file cache; once until the counts are shown, so a store that cannot be opened
        # (a wrong key: the banner instead of the counts) fails here rather than being timed.
        first_frame(skranke_argv, [*markers, COUNTS_SHOWN]), first_frame(bare_argv, ["I dag"])
        bare, skranke = [], []
        for _ in range(args.runs):  # interleaved, so machine noise hits both alike
            bare.append(first_frame(bare_argv, ["I dag"]))
            skranke.append(first_frame(skranke_argv, markers))
    print(
        f"runs: {args.runs} each, interleaved; median wall time from the fork to the first frame"
        f" read from a {COLUMNS}x{LINES} pseudo-terminal"
    )
    report(
        "start-up to the first painted 'I dag', in a terminal",
        Figure("skranke (console script) 'I dag'", median([s[0] for s in skranke]), max(s[1] for s in skranke)),
        Figure("bare Textual app (one Static)", median([b[0] for b in bare]), max(b[1] for b in bare)),
        1.5,
    )


def _today_markers(db: str) -> list[str]:
    """What the first frame of "I dag" shows: the site's name (the header) and its departments (the table)."""
    from skranke.config import load_settings
    from skranke.services.context import Skranke

    skranke = Skranke.from_settings(load_settings(db=db, now=NOW))
    try:
        return [skranke.site.name, *(department.name for department in skranke.site.all_departments())]
    finally:
        skranke.close()


if __name__ == "__main__":
    main()
