"""Start-up to the first painted "I dag" frame, beside a bare Textual app with one Static.

Both run as fresh processes (interpreter start and imports included) in headless mode. On
Textual's Ready event, posted once the first frame has been displayed, each prints the time
since the parent started it and leaves at once (work queued after the first frame, such as
the counts worker opening the database, is not part of what the desk waits for).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE = """
import os, sys, time
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("I dag")
    def on_ready(self):
        os.write(1, f"{time.time() - float(sys.argv[1])}\\n".encode())
        os._exit(0)

Bare().run(headless=True, size=(120, 36))
"""

SKRANKE = """
import os, sys, time
from skranke.config import load_settings
from skranke.i18n import set_language
from skranke.services.context import Skranke

set_language("da")
settings = load_settings(db=sys.argv[2], now="2026-04-09T13:00")
skranke = Skranke.from_settings(settings)

from skranke.ui.app import SkrankeApp

class FirstFrame(SkrankeApp):
    def on_ready(self):
        os.write(1, f"{time.time() - float(sys.argv[1])}\\n".encode())
        os._exit(0)

FirstFrame(skranke).run(headless=True, size=(120, 36))
"""


def run(code: str, *args: str) -> float:
    result = subprocess.run(
        [sys.executable, "-c", code, repr(time.time()), *args],
        check=True,
        capture_output=True,
        text=True,
        env={"SKRANKE_CONFIG": "/dev/null", "PATH": "/usr/bin:/bin"},
    )
    return float(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = f"sqlite:///{Path(folder) / 'bench.db'}"
        run(SKRANKE, db)  # create the database and warm the file cache once
        run(BARE)
        bare, skranke = [], []
        for _ in range(args.runs):  # interleaved, so machine noise hits both alike
            bare.append(run(BARE))
            skranke.append(run(SKRANKE, db))
    bare_median, skranke_median = statistics.median(bare), statistics.median(skranke)
    print(f"runs: {args.runs} each, interleaved; median wall time to first frame")
    print(f"bare Textual app (baseline): {bare_median * 1000:7.1f} ms")
    print(f"skranke 'I dag':             {skranke_median * 1000:7.1f} ms")
    print(f"ratio: {skranke_median / bare_median:.2f}x (aim: at most 1.50x)")


if __name__ == "__main__":
    main()
