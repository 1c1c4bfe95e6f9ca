"""`skranke stock …`: the ledger from the command line, its exit codes and its JSON (DESIGN §3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skranke.cli import main
from tests.conftest import TEST_PIN, make_skranke, signed_in

NOW = "2026-04-09T09:30"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    db = f"sqlite:///{tmp_path / 'stock.db'}"
    skranke = make_skranke(NOW, db)
    signed_in(skranke, "nurse", initials="SYG")
    signed_in(skranke, "nurse", initials="MN")
    signed_in(skranke, "reception", initials="RC")
    skranke.close()
    monkeypatch.setenv("SKRANKE_STAFF", "SYG")
    monkeypatch.setenv("SKRANKE_PIN", TEST_PIN)
    monkeypatch.setenv("SKRANKE_WITNESS_PIN", TEST_PIN)
    return ["--db", db, "--now", NOW]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_receive_waste_count_and_the_balance_in_json(store: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(
        capsys, "stock", "receive", "metadon", "--mg", "500", "--lot", "L7", "--witness", "MN", *store
    )
    assert code == 0 and "Modtagelse 500 mg metadon" in out and "saldo 500 mg" in out
    assert (
        run(capsys, "stock", "waste", "metadon", "--mg", "2,5", "--reason", "spildt", "--witness", "MN", *store)[0] == 0
    )
    code, out, _err = run(
        capsys, "stock", "count", "metadon", "--mg", "490", "--reason", "flaske", "--witness", "MN", "--json", *store
    )
    counted = json.loads(out)
    assert code == 0 and counted["difference_mg"] == -7.5 and counted["beyond_tolerance"] and counted["task_id"]
    code, out, _err = run(capsys, "stock", "balance", "--json", *store)
    balances = {b["preparation"]: b for b in json.loads(out)["balances"]}
    assert balances["metadon"] == {
        "preparation": "metadon",
        "mg": 490,
        "last_count": {"at": "2026-04-09T09:30:00+02:00", "counted_mg": 490, "difference_mg": -7.5},
        "ml": 490,
        "service": "medicinudlevering",
        "count_due": False,
        "next_count": "2026-05-10",
    }
    assert balances["morfin"]["mg"] == 0 and balances["morfin"]["last_count"] is None
    code, out, _err = run(capsys, "stock", "balance", *store)
    assert "Metadon" in out and "490 mg" in out and "aldrig optalt" in out


def test_ledger_year_and_transfer(store: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "stock", "receive", "metadon", "--mg", "300", "--witness", "MN", *store)
    assert (
        run(
            capsys, "stock", "transfer", "metadon", "--mg", "100", "--to", "heroinklinikken", "--witness", "MN", *store
        )[0]
        == 0
    )
    code, out, _err = run(capsys, "stock", "ledger", "--prep", "metadon", "--json", *store)
    entries = json.loads(out)["entries"]
    assert [(e["kind"], e["mg"], e["balance_mg"]) for e in entries] == [
        ("receipt", 300, 300),
        ("transfer_out", -100, 200),
    ]
    code, out, _err = run(capsys, "stock", "ledger", "--service", "heroinklinikken", *store)
    assert code == 0 and "Overført ind" in out
    code, out, _err = run(capsys, "stock", "year", "2026", "--json", *store)
    metadon = next(p for p in json.loads(out)["preparations"] if p["preparation"] == "metadon")
    assert (metadon["received_mg"], metadon["transferred_out_mg"], metadon["closing_mg"]) == (300, 100, 200)
    code, out, _err = run(capsys, "stock", "year", "2026", *store)
    assert "Modtaget" in out and "Beholdning ultimo" in out


def test_exit_codes(store: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # The same person as witness, or a count with a difference and no reason: refused (1).
    code, _out, err = run(capsys, "stock", "receive", "metadon", "--mg", "5", "--witness", "SYG", *store)
    assert code == 1 and "en anden person end SYG" in err
    code, _out, err = run(capsys, "stock", "count", "metadon", "--mg", "5", "--witness", "MN", *store)
    assert code == 1 and "angiv årsagen" in err
    # A wrong witness PIN: 4, as a wrong PIN at sign-in.
    monkeypatch.setenv("SKRANKE_WITNESS_PIN", "9999")
    code, _out, err = run(capsys, "stock", "receive", "metadon", "--mg", "5", "--witness", "MN", *store)
    assert code == 4 and "MN" in err
    # A receptionist may not record in the ledger: 4.
    monkeypatch.setenv("SKRANKE_STAFF", "RC")
    assert run(capsys, "stock", "receive", "metadon", "--mg", "5", "--witness", "MN", *store)[0] == 4
    # Usage: a missing --witness, an unknown service (2).
    with pytest.raises(SystemExit) as usage:
        main(["stock", "waste", "metadon", "--mg", "5", "--reason", "x", *store])
    assert usage.value.code == 2
    assert run(capsys, "stock", "balance", "--service", "nope", *store)[0] == 2


def test_close_day_prints_the_ledger_against_the_count(store: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    evening = [*store[:2], "--now", "2026-04-09T17:30"]
    run(capsys, "stock", "receive", "metadon", "--mg", "500", "--witness", "MN", *evening)
    run(capsys, "stock", "receive", "morfin", "--mg", "100", "--witness", "MN", *evening)
    run(capsys, "stock", "count", "metadon", "--mg", "499", "--reason", "spild", "--witness", "MN", *evening)
    code, out, _err = run(capsys, "close-day", *evening)
    assert code == 0
    assert "metadon: regnskab 500 mg, optalt 499 mg (difference -1 mg)." in out
    assert "morfin: regnskabet siger 100 mg; ikke optalt i dag." in out


def test_an_amount_with_a_thousands_point_is_refused_never_read_as_one_mg(
    store: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    # "1.000" reads as a thousand to a Danish eye and as one to Python: neither is guessed.
    with pytest.raises(SystemExit) as usage:
        main(["stock", "receive", "metadon", "--mg", "1.000", "--witness", "MN", *store])
    assert usage.value.code == 2
    assert "'1.000' er ikke et antal mg: mere end 2 decimaler (tusindtalsseparator? skriv 1000, ikke 1.000)" in (
        capsys.readouterr().err
    )
    code, out, _err = run(capsys, "stock", "ledger", "--json", *store)
    assert code == 0 and json.loads(out)["entries"] == []
    code, out, _err = run(capsys, "stock", "receive", "metadon", "--mg", "1000,5", "--witness", "MN", "--json", *store)
    assert code == 0 and json.loads(out)["mg"] == 1000.5
    # A count says what was counted against the ledger, not its difference as if counted.
    code, out, _err = run(
        capsys, "stock", "count", "metadon", "--mg", "1000", "--reason", "spild", "--witness", "MN", *store
    )
    assert code == 0
    assert "Optælling af metadon: optalt 1000 mg, regnskabet sagde 1000,5 mg (difference -0,5 mg)" in out
