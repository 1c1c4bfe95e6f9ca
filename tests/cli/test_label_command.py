"""`skranke dispense … --label FILE` and `skranke label DISPENSING`: the take-home label from the
command line, said where it went; in the audit log like every act."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skranke.cli import main
from tests.documents.conftest import pdf_text

NOW = "2026-11-23T09:30"


def test_a_take_home_dose_writes_its_label_and_a_label_is_made_again_later(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    db = f"sqlite:///{tmp_path}/window.db"
    assert main(["demo", "--no-open", "--now", NOW, "--db", db]) == 0
    capsys.readouterr()
    assert main(["queue", "--json", "--db", db, "--now", NOW]) == 0
    due = json.loads(capsys.readouterr().out)["due"]
    home = next(d for d in due if d["state"] == "due" and d["take_home_mg"])
    supervised = next(d for d in due if d["state"] == "due" and not d["take_home_mg"])
    monkeypatch.setenv("SKRANKE_STAFF", "MN")
    monkeypatch.setenv("SKRANKE_PIN", "2222")

    label = tmp_path / "out" / "etiket.pdf"
    given = ["dispense", home["prescription_id"], "--outcome", "given", "--label", str(label), "--db", db]
    assert main([*given, "--now", NOW]) == 0
    out = capsys.readouterr().out
    assert f"gemt: {label}" in out
    text = pdf_text(label.read_bytes())
    assert "Opbevares utilgængeligt for børn" in text
    assert f"i alt {home['take_home_mg']} mg" in text

    # No take-home: the dose stands, and the answer says there is no label.
    plain = ["dispense", supervised["prescription_id"], "--outcome", "given", "--label", str(tmp_path / "no.pdf")]
    assert main([*plain, "--db", db, "--now", NOW, "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["outcome"] == "given" and answer["label"] is None
    assert not (tmp_path / "no.pdf").exists()

    # The label again, for the record: saved under labels/ beside the database without a printer.
    assert main(["queue", "--json", "--db", db, "--now", NOW]) == 0
    done = json.loads(capsys.readouterr().out)["done"]
    dispensing = next(
        d["dispensing_id"] for d in done if d["prescription_id"] == home["prescription_id"] and not d["voided"]
    )
    assert main(["label", str(dispensing), "--json", "--db", db, "--now", NOW]) == 0
    again = json.loads(capsys.readouterr().out)
    saved = tmp_path / "labels" / f"label-{dispensing}.pdf"
    assert again == {"dispensing_id": dispensing, "printer": None, "path": str(saved)}
    assert pdf_text(saved.read_bytes()) == text

    # The supervised dose's record: refused by the rule, exit 1.
    other = next(
        d["dispensing_id"] for d in done if d["prescription_id"] == supervised["prescription_id"] and not d["voided"]
    )
    assert main(["label", str(other), "--db", db, "--now", NOW]) == 1
    assert "har ingen medgivet medicin" in capsys.readouterr().err

    monkeypatch.setenv("SKRANKE_STAFF", "AH")
    monkeypatch.setenv("SKRANKE_PIN", "4444")
    assert main(["audit", "--json", "--db", db, "--now", NOW]) == 0
    events = json.loads(capsys.readouterr().out)["events"]
    labels = [e for e in events if e["action"] == "label"]
    assert [(e["staff"], e["entity_id"], e["citizen_id"]) for e in labels] == [
        ("MN", str(dispensing), home["citizen_id"]),
        ("MN", str(dispensing), home["citizen_id"]),
    ]
