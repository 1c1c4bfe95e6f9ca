"""`skranke deadlines --json` on the demo data: sorted, typed, and right for a few dates by hand."""

from __future__ import annotations

import json
from datetime import date

from skranke.cli import main


def test_demo_deadlines_json(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert main(["demo", "--no-open", "--now", "2026-04-09T09:00"]) == 0
    capsys.readouterr()
    db = f"sqlite:///{tmp_path}/skranke/demo/skranke-demo.db"
    assert main(["deadlines", "--json", "--db", db, "--now", "2026-04-09T09:00"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert set(document) == {"as_of", "requests", "exempt", "follow_ups", "plan_reviews"}
    requests = document["requests"]
    assert [r["days_left"] for r in requests] == sorted(r["days_left"] for r in requests)
    assert {r["status"] for r in requests} == {"ok", "warn", "overdue"}
    for row in requests:
        contact, deadline = date.fromisoformat(row["contact_date"]), date.fromisoformat(row["deadline"])
        assert (deadline - contact).days == 14
        assert row["days_left"] == (deadline - date(2026, 4, 9)).days
        assert date.fromisoformat(row["last_open_day"]) <= deadline
    # A deadline on Anden påskedag (2026-04-06) at Stabilisering: Skærtorsdag, Langfredag and
    # the weekend are closed too, so the last open day is Wednesday 1 April.
    easter = [r for r in requests if r["deadline"] == "2026-04-06" and r["department"] == "stabilisering"]
    assert easter and all(r["last_open_day"] == "2026-04-01" for r in easter)
    assert {e["reason"] for e in document["exempt"]} == {"anonymous", "free_choice"}
