"""`skranke report`: JSON as DESIGN §3 writes it, CSV, exit codes, the register's basis."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from skranke.cli import main
from skranke.store.models import Case, Citizen
from tests.conftest import TEST_PIN, make_skranke, signed_in

NOW = "2026-03-20T10:00"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    db = f"sqlite:///{tmp_path / 'report.db'}"
    skranke = make_skranke(NOW, db, site="odsherred")
    signed_in(skranke, "doctor", initials="LAE")
    signed_in(skranke, "reception", initials="RC")
    with skranke.database.transaction() as session:
        for n in range(10):
            session.add(Citizen(id=f"B{n}", first_name="Hemmelig", cpr=None))
        session.flush()
        outcomes = ["stoffri"] * 3 + ["reduceret"] * 4 + ["uaendret"] * 3
        for n, outcome in enumerate(outcomes):
            session.add(
                Case(id=f"S{n}", citizen_id=f"B{n}", department="rusmiddelteamet", paragraph="SEL101",
                     contact_date=date(2026, 1, 2), personal_attendance_on=date(2026, 1, 2),
                     treatment_start=date(2026, 1, 9), closed_on=date(2026, 2, 20),
                     closing_status="færdigbehandlet", outcome=outcome)
            )  # fmt: skip
    skranke.close()
    monkeypatch.setenv("SKRANKE_STAFF", "LAE")
    monkeypatch.setenv("SKRANKE_PIN", TEST_PIN)
    return ["--db", db, "--now", NOW, "--site", "odsherred"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_report_json_has_the_documented_keys_and_the_targets(
    store: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = run(capsys, "report", "--from", "2026-01-01", "--to", "2026-02-28", "--json", *store)
    data = json.loads(out)
    assert code == 0
    assert {"from", "to", "site", "guarantee", "discharges", "returned_within_12_months", "targets"} <= set(data)
    assert (data["from"], data["to"], data["site"]) == ("2026-01-01", "2026-02-28", "odsherred")
    assert data["guarantee"]["requests"] == 10 and data["guarantee"]["started_in_time"] == 10
    assert data["guarantee"]["median_days"] == 7
    assert data["discharges"]["by_outcome"]["stoffri"] == "<5"
    targets = {t["name"]: t for t in data["targets"]}
    drug_free = targets["Clean og/eller ædru efter endt behandling"]
    # 3 of 10 drug-free: judged against the target, the 3 themselves not shown (under 5).
    assert (drug_free["value"], drug_free["target"], drug_free["met"]) == ("<5", "≥ 35 %", False)
    assert drug_free["count"] == {"count": "<5", "of": 10, "percent": "<5"}
    assert "004" in drug_free["source"]
    assert {"name", "value", "target", "source", "met"} <= set(drug_free)
    assert "Hemmelig" not in out and '"B1"' not in out


def test_report_csv_and_text_say_under_5_and_name_no_one(store: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "report", "--from", "2026-01-01", "--to", "2026-02-28", "--csv", *store)
    assert code == 0 and out.startswith("periode;afdeling;noegletal;vaerdi")
    assert "Udfald: stoffri;under 5 borgere" in out and "Hemmelig" not in out and "B1" not in out
    code, out, _err = run(capsys, "report", "--from", "2026-01-01", "--to", "2026-02-28", *store)
    assert code == 0 and "Startet inden for 14 dage" in out and "ikke opfyldt" in out


def test_reception_may_not_and_a_bad_period_is_usage(
    store: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _out, err = run(capsys, "report", "--from", "2026-03-01", "--to", "2026-02-01", *store)
    assert code == 2 and "slutter, før den begynder" in err
    code, _out, err = run(capsys, "report", "--department", "kantinen", *store)
    assert code == 2
    monkeypatch.setenv("SKRANKE_STAFF", "RC")
    code, _out, err = run(capsys, "report", "--json", *store)
    assert code == 4 and "se nøgletallene" in err


def test_smdb_basis_for_a_doctor_has_no_cpr_column(store: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "report", "--smdb", "--from", "2026-01-01", "--to", "2026-02-28", *store)
    header = out.splitlines()[0].split(";")
    assert code == 0 and header[:2] == ["sag_id", "borger_id"] and "cpr" not in header
    assert len(out.splitlines()) == 11


def test_report_pdf_shows_the_bars_table_and_targets_with_danish_letters(
    store: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from tests.documents.conftest import page_png, pdf_text

    target = tmp_path / "noegletal.pdf"
    code, out, _err = run(capsys, "report", "--from", "2026-01-01", "--to", "2026-02-28", "--pdf", str(target), *store)
    assert code == 0 and str(target) in out
    data = target.read_bytes()
    text = pdf_text(data)
    assert "Nøgletal" in text and "Startet inden for 14 dage" in text
    assert "Clean og/eller ædru efter endt behandling" in text and "ikke opfyldt" in text
    assert "004 'Monitorering af indsatsen'" in text
    assert "under 5 borgere" in text and "Hemmelig" not in text
    image = page_png(data, dpi=60).convert("RGB")
    colours = {image.getpixel((x, y)) for x in range(0, image.width, 2) for y in range(0, image.height, 2)}
    assert (70, 120, 180) in colours  # the bars are drawn, not only written
