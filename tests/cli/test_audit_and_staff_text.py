"""`skranke audit` and `skranke staff` in words: what happened and who may do what, in Danish;
the codes only in --json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skranke.cli import main

NOW = "2026-11-23T09:30"


def test_audit_and_staff_lines_are_worded_in_danish(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, db_url: str
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert main(["demo", "--no-open", "--db", db_url, "--now", NOW]) == 0
    capsys.readouterr()
    monkeypatch.setenv("SKRANKE_STAFF", "AH")
    monkeypatch.setenv("SKRANKE_PIN", "4444")
    at = ["--db", db_url, "--now", NOW]

    assert main(["audit", *at]) == 0
    text = capsys.readouterr().out
    for words in ("loggede ind", "tjekkede ind", "registrerede en dosis", "annullerede en dosis", "kørte en synk"):
        assert words in text, words
    assert "23.11.2026 09.30.00" in text and "fil borgere_demo.csv" in text
    for code in ("sign_in", "check_in", "dispense", "staff_add", " citizen ", " file ", "2026-11-23"):
        assert code not in text, code

    assert main(["audit", *at, "--json"]) == 0
    actions = {event["action"] for event in json.loads(capsys.readouterr().out)["events"]}
    assert {"sign_in", "check_in", "dispense", "void", "sync", "staff_add"} <= actions

    assert main(["staff", "list", *at]) == 0
    listing = capsys.readouterr().out
    assert "sygeplejerske" in listing and "læge" in listing and "administrator" in listing
    assert " nurse" not in listing and " doctor" not in listing and " admin " not in listing
    monkeypatch.setenv("SKRANKE_NEW_PIN", "5555")
    assert main(["staff", "add", "SYG", "--name", "Sara Y. Gram", "--roles", "nurse,doctor", *at]) == 0
    assert "SYG er tilføjet med rollerne sygeplejerske, læge." in capsys.readouterr().out
