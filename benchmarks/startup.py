"""Start-up to the first painted "I dag" frame, beside a bare Textual app with one Static.

Both run as fresh processes (interpreter start and imports included) in headless mode. On
Textual's Ready event, posted once the first frame has been displayed, each reports the time
since the parent started it (and its peak RSS so far) and leaves at once (work queued after
the first frame, such as the counts worker opening the database, is not part of what the desk
waits for).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import Figure, child, median, report

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

SKRANKE = """
import os, sys, time
_t0 = float(os.environ["SKRANKE_BENCH_T0"])
from skranke.config import load_settings
from skranke.i18n import set_language
from skranke.services.context import Skranke

set_language("da")
settings = load_settings(db=sys.argv[1], now="2026-04-09T13:00")
skranke = Skranke.from_settings(settings)

from skranke.ui.app import SkrankeApp

class FirstFrame(SkrankeApp):
    def on_ready(self):
        _report([time.time() - _t0])
        os._exit(0)

FirstFrame(skranke).run(headless=True, size=(120, 36))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = f"sqlite:///{Path(folder) / 'bench.db'}"
        child(SKRANKE, db)  # create the database and warm the file cache once
        child(BARE)
        bare, skranke = [], []
        for _ in range(args.runs):  # interleaved, so machine noise hits both alike
            bare.append(child(BARE))
            skranke.append(child(SKRANKE, db))
    print(f"runs: {args.runs} each, interleaved; median wall time to the first frame")
    report(
        "start-up to the first painted 'I dag'",
        Figure("skranke 'I dag'", median([s["times"][0] for s in skranke]), max(s["rss_mb"] for s in skranke)),
        Figure("bare Textual app (one Static)", median([b["times"][0] for b in bare]), max(b["rss_mb"] for b in bare)),
        1.5,
    )


if __name__ == "__main__":
    main()
