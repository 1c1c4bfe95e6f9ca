"""Citizen search at a large clinic: 100,000 citizens, one search a keystroke.

A SQLite store made by `Database.open` (the real schema, its stored search text included) is
filled directly through its driver (not timed): synthetic Danish names, many with æ, ø and å, aliases,
CPR numbers. A receptionist types a name, a name with Danish letters typed as ASCII, an alias, a
CPR prefix and a birth date, one keystroke at a time; each keystroke is one
`services.reception.search_citizens` (what "b Borger" and the intake's identity step call: the match,
at most 50 hits, and an audit look per citizen shown, in one transaction). Its baseline is the
SELECTs the same searches send, caught at the cursor and replayed bare through the same driver.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import REPLAY, SETTLED, Figure, child, median, report, store_connection

NOW = "2026-04-09T09:00"
# What is typed, one keystroke at a time ("soeren" finds Søren; "0101" a CPR or birth date).
TYPED = ["søren", "soeren", "aagaard", "lille-jens", "010180", "1.1.1980"]
KEYSTROKES = [word[:n] for word in TYPED for n in range(2, len(word) + 1)]

FIRST = ["Søren", "Åse", "Jens", "Mette", "Bjørn", "Kirsten", "Ole", "Hanne", "Jørgen", "Lærke", "Anders", "Ida"]
LAST = ["Ågård", "Hansen", "Jensen", "Møller", "Sørensen", "Nielsen", "Kjær", "Bæk", "Holm", "Lund", "Dahl", "Berg"]
ALIASES = ["", "", "", "Lille-Jens", "Maagen", "Store-Mads", "Pjevs", "Mejsen"]

SETUP = """
from skranke.services.reception import search_citizens
from skranke.services.staff import sign_in
actor = sign_in(skranke, "KJ", "1111")
"""

SEARCH = (
    """
import json, sys, time
from skranke.config import load_settings
from skranke.services.context import Skranke

skranke = Skranke.from_settings(load_settings(db=sys.argv[1], now=sys.argv[2]))
skranke.database
"""
    + SETUP
    + SETTLED
    + """
keystrokes = json.loads(sys.argv[3])
times = []
for typed in keystrokes:
    started = time.perf_counter()
    hits = search_citizens(skranke, actor, typed)
    times.append(time.perf_counter() - started)
_report(times, hits=len(hits))
"""
)

CAPTURE = (
    """
import json, sys
from sqlalchemy import event
from skranke.config import load_settings
from skranke.services.context import Skranke

skranke = Skranke.from_settings(load_settings(db=sys.argv[1], now=sys.argv[2]))
database = skranke.database
"""
    + SETUP
    + """
sent = []
def _sent(conn, cursor, statement, parameters, context, executemany):
    sent.append([statement, list(parameters)])
event.listen(database.engine, "before_cursor_execute", _sent)
for typed in json.loads(sys.argv[3]):
    search_citizens(skranke, actor, typed)
_report([], statements=[s for s in sent if s[0].lstrip().upper().startswith("SELECT")])
"""
)


def fill(path: Path, citizens: int) -> None:
    from skranke.config import load_settings
    from skranke.services.context import Skranke
    from skranke.services.staff import add_staff

    skranke = Skranke.from_settings(load_settings(db=f"sqlite:///{path}", now=NOW))
    add_staff(skranke, None, "KJ", "Karen Jensen", ["admin", "reception"], "1111")
    skranke.close()
    rng = random.Random(21)
    rows = []
    for number in range(citizens):
        day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(40, 99)
        cpr = f"{day:02d}{month:02d}{year:02d}{rng.randint(0, 3)}{rng.randint(0, 999):03d}"
        rows.append((f"B{number:06d}", cpr, rng.choice(FIRST), rng.choice(LAST), rng.choice(ALIASES), ""))
    rows[0] = ("B000000", "0101801234", "Søren", "Ågård", "Lille-Jens", "")
    connection = store_connection(path)
    with connection:
        connection.executemany(
            "INSERT OR IGNORE INTO citizens (id, cpr, first_name, last_name, alias, phone) VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )
    connection.execute("ANALYZE")
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--citizens", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3, help="child processes of each, interleaved")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "search.db"
        fill(path, args.citizens)
        keystrokes = json.dumps(KEYSTROKES)
        statements = json.dumps(child(CAPTURE, f"sqlite:///{path}", NOW, keystrokes)["statements"])
        searches, bare = [], []
        for _ in range(args.runs):
            # A fresh copy each time: every search writes its audit looks.
            run = Path(folder) / "run.db"
            with store_connection(path) as source, store_connection(run) as target:
                source.backup(target)
            bare.append(child(REPLAY, str(run), "2", statements))  # the second time: warm, as the view's
            searches.append(child(SEARCH, f"sqlite:///{run}", NOW, keystrokes))
            run.unlink()
    print(f"{args.citizens:,} citizens; {len(KEYSTROKES)} keystrokes: " + ", ".join(TYPED))
    # Per keystroke on average (the time to type every word, over the keystrokes): a search for
    # a rare text reads every citizen, a common one stops at the first 50 in name order.
    per_keystroke = median([sum(s["times"]) / len(KEYSTROKES) for s in searches])
    slowest = max(max(s["times"]) for s in searches)
    print(
        f"  slowest keystroke: {slowest * 1000:.1f} ms; fastest: {min(min(s['times']) for s in searches) * 1000:.1f} ms"
    )
    report(
        f"citizen search, {args.citizens:,} citizens, a keystroke on average (median of {args.runs} runs)",
        Figure("search_citizens (with its audit looks)", per_keystroke, max(s["rss_mb"] for s in searches)),
        Figure(
            "its SELECT, bare (same driver)",
            median([b["times"][1] for b in bare]) / len(KEYSTROKES),
            max(b["rss_mb"] for b in bare),
        ),
        aim_ratio=3,
        aim_ms=50,
    )


if __name__ == "__main__":
    main()
