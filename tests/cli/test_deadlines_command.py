"""`skranke deadlines --json` on the demo data: sorted, typed, and right for a few dates by hand."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from skranke.cli import main


def test_demo_deadlines_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert main(["demo", "--no-open", "--now", "2026-04-09T09:00"]) == 0
    capsys.readouterr()
    db = f"sqlite:///{tmp_path}/skranke/demo/skranke-demo.db"
    assert main(["deadlines", "--json", "--db", db, "--now", "2026-04-09T09:00"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert set(document) == {
        "as_of",
        "requests",
        "exempt",
        "follow_ups",
        "plan_reviews",
        "medical_reviews",
        "complaints",
    }
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
    assert {e["reason"] for e in document["exempt"]} == {"anonymous", "free_choice_may_waive"}


# --- per site: the contract with the site's own rules ----------------------------------------

STATUS_REASONS = {
    "deadline_passed",
    "last_open_day_passed",
    "last_open_day_today",
    "last_open_day_soon",
    "deadline_soon",
    "in_time",
}
REQUEST_FLAGS = {
    "last_open_day_passed",
    "offer_other_provider",
    "deadline_on_closed_day",
    "no_open_day_before_deadline",
    "hours_unknown",
    "unknown_department",
    "no_appointment",
    "appointment_after_deadline",
    "appointment_outside_hours",
    "appointment_unknown_department",
    "free_choice_not_for_heroin",
}
APPOINTMENT_FLAGS = {"no_appointment", "appointment_after_deadline", "appointment_outside_hours"}
ANDEN_PAASKEDAG = "2026-04-06T09:30"


def demo_deadlines(site: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    db = f"sqlite:///{tmp_path}/{site}.db"
    assert main(["demo", "--no-open", "--db", db, "--site", site, "--now", ANDEN_PAASKEDAG]) == 0
    capsys.readouterr()
    assert main(["deadlines", "--json", "--db", db, "--site", site, "--now", ANDEN_PAASKEDAG]) == 0
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    return document


def check_contract(document: dict[str, Any]) -> None:
    today = date(2026, 4, 6)
    assert document["as_of"] == "2026-04-06"
    for row in document["requests"]:
        if row["status"] == "awaiting_attendance":  # Odsherred's clock has not started (004)
            assert row["deadline"] is row["days_left"] is row["last_open_day"] is None
            assert row["status_reason"] == "awaiting_attendance" and row["flags"] == []
            continue
        assert row["status_reason"] in STATUS_REASONS
        assert set(row["flags"]) <= REQUEST_FLAGS
        deadline = date.fromisoformat(row["deadline"])
        assert row["days_left"] == (deadline - today).days  # calendar days to the legal deadline
        last_open = row["last_open_day"] and date.fromisoformat(row["last_open_day"])
        if row["days_left"] < 0:
            assert (row["status"], row["status_reason"]) == ("overdue", "deadline_passed")
        elif last_open and last_open < today:
            assert (row["status"], row["status_reason"]) == ("overdue", "last_open_day_passed")
            assert "last_open_day_passed" in row["flags"]
        else:
            assert row["status"] in {"ok", "warn"}
            assert "last_open_day_passed" not in row["flags"]
    assert {e["reason"] for e in document["exempt"]} <= {"anonymous", "free_choice_may_waive"}
    assert all(set(f["flags"]) <= {"consent_unknown"} for f in document["follow_ups"])


def test_odense_anden_paaskedag_at_stabilisering_is_overdue(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    document = demo_deadlines("odense", tmp_path, capsys)
    check_contract(document)
    easter = [r for r in document["requests"] if r["deadline"] == "2026-04-06" and r["department"] == "stabilisering"]
    assert easter, "the demo has a request due on Anden påskedag at Stabilisering"
    for row in easter:
        assert (row["days_left"], row["status"], row["status_reason"]) == (0, "overdue", "last_open_day_passed")
        assert row["last_open_day"] == "2026-04-01"
        assert row["flags"][:2] == ["last_open_day_passed", "offer_other_provider"]
    # 000 § 3.2: every overdue request carries the duty to offer another approved provider.
    assert all("offer_other_provider" in r["flags"] for r in document["requests"] if r["status"] == "overdue")
    assert {e["reason"] for e in document["exempt"]} == {"anonymous", "free_choice_may_waive"}
    assert all(f["flags"] == [] for f in document["follow_ups"])  # Odense asks no consent


def test_gladsaxe_allows_times_outside_hours_and_asks_consent_to_follow_up(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    document = demo_deadlines("gladsaxe", tmp_path, capsys)
    check_contract(document)
    flags = {f for r in document["requests"] for f in r["flags"]}
    assert "appointment_outside_hours" not in flags  # 003 afsnit 5: by agreement
    assert "offer_other_provider" not in flags  # no seed of Gladsaxe's gives that duty
    assert any(r["status"] == "overdue" for r in document["requests"])
    # 003 § 2.7: follow-up only with consent given ("kan du give samtykke"): the demo's one
    # consent left unrecorded is no follow-up due.
    assert all(f["flags"] == [] for f in document["follow_ups"])


def test_assens_asks_for_no_appointment_within_the_guarantee(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    document = demo_deadlines("assens", tmp_path, capsys)
    check_contract(document)
    assert document["requests"]
    for row in document["requests"]:
        assert not set(row["flags"]) & APPOINTMENT_FLAGS  # 002 afsnit 6 names only the start
        assert "hours_unknown" in row["flags"] and row["last_open_day"] is None
        assert "offer_other_provider" not in row["flags"]


def test_odsherred_counts_the_doctors_talk_and_follows_up_after_1_and_3_months(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    document = demo_deadlines("odsherred", tmp_path, capsys)
    check_contract(document)
    assert {f["months"] for f in document["follow_ups"]} <= {1, 3}
    assert all("offer_other_provider" not in r["flags"] for r in document["requests"])
    assert all(f["flags"] == [] for f in document["follow_ups"])
