"""The demo's narcotics ledger: a month of receipts, one waste, one count, issues matching the
morning's doses, and the yearly statement matching a count of the entries by hand."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from skranke.cli import main
from tests.conftest import store_engine

NOW = "2026-11-23T09:30"


def test_the_demo_ledger_and_its_year_by_hand(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert main(["demo", "--no-open", "--now", NOW]) == 0
    db = f"sqlite:///{tmp_path}/skranke/demo/skranke-demo.db"
    capsys.readouterr()

    engine = store_engine(db)
    try:
        with engine.connect() as connection:
            entries = connection.execute(
                text("SELECT service, preparation, kind, mg, dispensing_id, reason FROM stock_entries")
            ).all()
            given = connection.execute(
                text("SELECT id, voided_at IS NOT NULL FROM dispensings WHERE outcome = 'given'")
            ).all()
            waiting = connection.execute(text("SELECT id, preparation, mg FROM pending_receipts")).all()
    finally:
        engine.dispose()

    # Issues match the morning's doses: one per dose given, a reversal for the one voided.
    assert sorted(e.dispensing_id for e in entries if e.kind == "issue") == sorted(d.id for d in given)
    assert sorted(e.dispensing_id for e in entries if e.kind == "reversal") == sorted(d.id for d in given if d[1])
    assert [(e.preparation, e.mg, e.reason) for e in entries if e.kind == "waste"] == [
        ("metadon", Decimal(-15), "flaske væltet ved afmåling")
    ]
    assert [(e.preparation, e.mg) for e in entries if e.kind == "count"] == [("metadon", Decimal(-2))]
    assert [(w.preparation, w.mg) for w in waiting] == [("metadon", Decimal(5000))]

    # The year by hand: every entry of the demo is in 2026; sums per kind of the medicine room's.
    by_hand: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for entry in entries:
        if entry.service == "medicinudlevering":
            by_hand[entry.preparation][entry.kind] += entry.mg
    monkeypatch.setenv("SKRANKE_STAFF", "MN")
    monkeypatch.setenv("SKRANKE_PIN", "2222")
    assert main(["stock", "year", "2026", "--json", "--db", db, "--now", NOW]) == 0
    statement = {line["preparation"]: line for line in json.loads(capsys.readouterr().out)["preparations"]}
    for preparation, kinds in by_hand.items():
        line = statement[preparation]
        assert line["opening_mg"] == 0
        assert Decimal(str(line["received_mg"])) == kinds["receipt"]
        assert Decimal(str(line["issued_mg"])) == -(kinds["issue"] + kinds["reversal"])
        assert Decimal(str(line["wasted_mg"])) == -kinds["waste"]
        assert Decimal(str(line["count_difference_mg"])) == kinds["count"]
        assert Decimal(str(line["closing_mg"])) == sum(kinds.values())
    assert statement["metadon"]["received_mg"] == 20000 and statement["metadon"]["wasted_mg"] == 15


def test_the_demo_year_as_pdf_says_the_figures_of_the_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from decimal import Decimal

    from skranke.documents.pdf import amount
    from tests.documents.conftest import pdf_text

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert main(["demo", "--no-open", "--now", NOW]) == 0
    db = f"sqlite:///{tmp_path}/skranke/demo/skranke-demo.db"
    monkeypatch.setenv("SKRANKE_STAFF", "MN")
    monkeypatch.setenv("SKRANKE_PIN", "2222")
    capsys.readouterr()
    pdf = tmp_path / "aar-2026.pdf"
    assert main(["stock", "year", "2026", "--json", "--pdf", str(pdf), "--db", db, "--now", NOW]) == 0
    statement = json.loads(capsys.readouterr().out)
    text = " ".join(pdf_text(pdf.read_bytes()).split())

    assert "2026" in text and "Lægemiddelstyrelsen" in text
    assert "MN (" in text  # who made it
    figures = ("opening_mg", "received_mg", "issued_mg", "wasted_mg", "count_difference_mg", "closing_mg")
    for line in statement["preparations"]:
        # Each row: the preparation's name, then its figures in the columns' order (ml beside a liquid).
        name = line["name"]
        assert name in text
        row = text[text.index(name) :]
        position = 0
        for key in figures:
            shown = amount(Decimal(str(line[key]))).split(" (")[0]
            found = row.find(shown, position)
            assert found >= 0, (name, key, shown)
            position = found
    methadone = next(line for line in statement["preparations"] if line["preparation"] == "metadon")
    assert methadone["received_mg"] == 20000 and "20.000 mg" in text
    assert "15 mg" in text and "-2 mg" in text  # the waste and the count's difference


def test_a_statement_that_cannot_be_saved_is_refused_and_says_why(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert main(["demo", "--no-open", "--now", NOW]) == 0
    db = f"sqlite:///{tmp_path}/skranke/demo/skranke-demo.db"
    monkeypatch.setenv("SKRANKE_STAFF", "MN")
    monkeypatch.setenv("SKRANKE_PIN", "2222")
    capsys.readouterr()
    missing = tmp_path / "no-such-folder" / "aar.pdf"
    assert main(["stock", "year", "2026", "--pdf", str(missing), "--db", db, "--now", NOW]) == 1
    assert "kunne ikke gemmes" in capsys.readouterr().err
    assert not missing.exists()
