"""`skranke audit verify [--json]` (DESIGN §3): an administrator's check of the audit log's hash
chain; exit 0 with the count and the last hash, exit 1 naming the first broken event in one
Danish sentence, exit 4 for anyone else."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from skranke.cli import main
from tests.conftest import TEST_PIN, make_skranke, signed_in, store_engine

NOW = "2026-04-06T09:30"


@pytest.fixture
def store(db_url: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    skranke = make_skranke(NOW, db_url)
    signed_in(skranke, "nurse", initials="SYG")
    skranke.close()
    monkeypatch.setenv("SKRANKE_PIN", TEST_PIN)
    return ["--db", db_url, "--now", NOW]


def test_a_whole_log_exits_0_with_the_count_and_the_last_hash(
    store: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "verify", "--staff", "ADM", *store]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Loggen er hel: ") and "hændelser, den sidste hash er " in out

    assert main(["audit", "verify", "--json", "--staff", "ADM", *store]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["ok"] is True and answer["first_broken"] is None
    assert len(answer["last_hash"]) == 64 and answer["events"] > 1


def test_a_broken_log_exits_1_naming_the_event(
    store: list[str], db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = store_engine(db_url)
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER audit_events_no_update"))
        else:
            connection.execute(text("DROP TRIGGER audit_events_append_only ON audit_events"))
        connection.execute(text("UPDATE audit_events SET actor = 'XX' WHERE id = 2"))
    engine.dispose()

    assert main(["audit", "verify", "--staff", "ADM", *store]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "skranke: Loggens hændelse 2 (06.04.2026 09.30.00, loggede ind) er ændret: "
        "den passer ikke længere ind i kæden.\n"
    )

    assert main(["audit", "verify", "--json", "--staff", "ADM", *store]) == 1
    answer = json.loads(capsys.readouterr().out)
    assert answer == {
        "ok": False,
        "events": 1,
        "last_hash": answer["last_hash"],
        "first_broken": {
            "id": 2,
            "at": "2026-04-06T09:30:00+02:00",
            "action": "sign_in",
            "problem": "edited",
            "missing": None,
        },
    }


def test_only_an_administrator_may_verify(store: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "verify", "--staff", "SYG", *store]) == 4
    assert "SYG må ikke læse loggen" in capsys.readouterr().err
    assert main(["audit", "verify", *store]) == 4
    assert "Log ind med --staff" in capsys.readouterr().err


def test_the_log_itself_still_lists_without_verify(store: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "verify", "--staff", "ADM", *store]) == 0
    capsys.readouterr()
    assert main(["audit", "--json", "--staff", "ADM", *store]) == 0
    actions = [event["action"] for event in json.loads(capsys.readouterr().out)["events"]]
    assert "audit_verify" in actions
