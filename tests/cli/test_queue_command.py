"""`skranke queue` in words: the window's day in Danish, the codes only in --json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skranke.cli import main


def test_the_queue_is_worded_in_danish_and_coded_in_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setenv("SKRANKE_STAFF", "MN")
    monkeypatch.setenv("SKRANKE_PIN", "2222")
    now = "2026-11-23T09:30"
    assert main(["demo", "--no-open", "--now", now]) == 0
    capsys.readouterr()
    db = f"sqlite:///{tmp_path}/skranke/demo/skranke-demo.db"

    assert main(["queue", "--db", db, "--now", now]) == 0
    text = capsys.readouterr().out
    assert "Færdig (4)" in text and "afvist" in text and "givet" in text and "klar" in text
    assert "borgeren afslog: vil komme i eftermiddag" in text
    for code in ("given", "refused", "declined", " due ", "metadon "):
        assert code not in text, code

    assert main(["queue", "--json", "--db", db, "--now", now]) == 0
    document = json.loads(capsys.readouterr().out)
    assert {row["outcome"] for row in document["done"]} == {"given", "refused"}


def test_window_rules_refuse_with_exit_codes_in_danish(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    now = "2026-11-23T09:30"
    db = f"sqlite:///{tmp_path}/window.db"
    assert main(["demo", "--no-open", "--now", now, "--db", db]) == 0
    capsys.readouterr()

    assert main(["queue", "--service", "nope", "--db", db, "--now", now]) == 2
    error = capsys.readouterr().err
    assert "'nope'" in error and "medicinudlevering" in error

    assert main(["queue", "--json", "--db", db, "--now", now]) == 0
    order = next(d for d in json.loads(capsys.readouterr().out)["due"] if d["state"] == "due")
    monkeypatch.setenv("SKRANKE_STAFF", "PL")
    monkeypatch.setenv("SKRANKE_PIN", "3333")
    assert main(["release", order["prescription_id"], "--reason", "x", "--dose-mg", "1", "--db", db, "--now", now]) == 1
    assert "ikke tilbageholdt" in capsys.readouterr().err
    monkeypatch.setenv("SKRANKE_STAFF", "MN")
    monkeypatch.setenv("SKRANKE_PIN", "2222")
    missed = ["dispense", order["prescription_id"], "--outcome", "missed", "--db", db]
    assert main([*missed, "--now", now]) == 1
    assert "først udeblevet, når dens åbningstid er slut" in capsys.readouterr().err
    assert main([*missed, "--now", "2026-11-23T17:05", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["outcome"] == "missed"
