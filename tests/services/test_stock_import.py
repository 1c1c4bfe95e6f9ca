"""`lager*.csv` through the inbox on SQLite and PostgreSQL: receipts waiting for a witness."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from skranke.services import stock
from skranke.services.errors import DeskRefusal
from skranke.services.sync import run_sync
from tests.conftest import TEST_PIN, SkrankeAt, signed_in
from tests.services.test_sync import write

NOW = "2026-04-09T08:00"
RECEIPTS = (
    "bevaegelse_id;praeparat;styrke;maengde_mg;lot;leverandoer;faktura;modtaget\n"
    "M1;Metadon;1 mg/ml;1000;L-77;Apoteket Ørnen;F-9;08-04-2026\n"
    "M2;buprenorfin;8 mg;224,5;;;;2026-04-08\n"
)


def test_receipts_wait_for_a_witness_and_the_same_file_twice_changes_nothing(
    skranke_at: SkrankeAt, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    skranke = skranke_at(NOW, inbox=str(inbox))
    nurse, _witness = signed_in(skranke, "nurse", initials="SYG"), signed_in(skranke, "nurse", initials="MN")
    write(inbox, "lager_2026-04-09.csv", RECEIPTS)
    [first] = run_sync(skranke).files
    assert (first.kind, first.outcome, first.inserted) == ("lager", "imported", 2)
    waiting = stock.receipts_waiting(skranke, nurse)
    assert [(r.receipt_id, r.preparation, r.mg, r.supplier) for r in waiting] == [
        ("M1", "metadon", Decimal(1000), "Apoteket Ørnen"),
        ("M2", "buprenorfin", Decimal("224.5"), ""),
    ]
    assert all(b.mg == 0 for b in stock.balances(skranke, nurse))  # not stock until witnessed

    witnessed = stock.witness_receipt(skranke, nurse, "M1", "MN", TEST_PIN)
    assert (witnessed.line.kind, witnessed.line.mg, witnessed.line.lot, witnessed.line.receipt_id) == (
        "receipt",
        Decimal(1000),
        "L-77",
        "M1",
    )
    try:
        stock.witness_receipt(skranke, nurse, "M1", "MN", TEST_PIN)
    except DeskRefusal as refusal:
        assert "allerede bevidnet" in str(refusal)
    else:
        raise AssertionError("a receipt was witnessed twice")
    assert [r.receipt_id for r in stock.receipts_waiting(skranke, nurse)] == ["M2"]

    # The same file again: nothing changes. A changed file: the witnessed receipt stays as it was.
    write(inbox, "lager_2026-04-09.csv", RECEIPTS)
    [again] = run_sync(skranke).files
    assert again.outcome == "unchanged"
    write(inbox, "lager_2026-04-10.csv", RECEIPTS.replace(";1000;", ";999;").replace(";224,5;", ";200;"))
    [changed] = run_sync(skranke).files
    assert (changed.outcome, changed.updated, changed.unchanged) == ("imported", 1, 1)
    assert stock.ledger(skranke, nurse)[0].mg == 1000
    assert [r.mg for r in stock.receipts_waiting(skranke, nurse)] == [200]


def test_a_bad_line_rejects_the_whole_file_with_file_line_column_and_reason(
    skranke_at: SkrankeAt, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    skranke = skranke_at(NOW, inbox=str(inbox))
    nurse = signed_in(skranke, "nurse", initials="SYG")
    write(inbox, "lager.csv", RECEIPTS + "M3;kokain;;10;;;;\nM4;metadon;;-5;;;;\n")
    [outcome] = run_sync(skranke).files
    assert outcome.outcome == "rejected"
    assert outcome.rejected_rows == 2
    assert outcome.errors == [
        "lager.csv:4: kolonne 'praeparat': ukendt præparat 'kokain': stedet har metadon, buprenorfin, "
        "diacetylmorfin, morfin (værdi 'kokain')",
        "lager.csv:5: kolonne 'maengde_mg': mængden skal være mere end 0 mg (værdi '-5')",
    ]
    assert stock.receipts_waiting(skranke, nurse) == []
    assert (inbox / "rejected").is_dir() and not (inbox / "lager.csv").exists()
