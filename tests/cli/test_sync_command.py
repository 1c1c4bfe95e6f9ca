"""`skranke sync`: exit codes, the summary, and no traceback for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skranke.cli import main

CITIZENS = "borger_id;cpr;fornavn\nB1;010180-1234;Anna\n"


def test_exit_0_when_all_files_were_imported_and_json_summary(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "borgere_1.csv").write_text(CITIZENS, encoding="utf-8")
    code = main(
        [
            "sync",
            str(inbox),
            "--json",
            "--create",
            "--db",
            f"sqlite:///{tmp_path}/s.db",
            "--now",
            "2026-04-09T08:00",
            "--outbox",
            str(tmp_path / "out"),
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["files"][0]["outcome"] == "imported" and out["files"][0]["inserted"] == 1


def test_exit_1_when_a_file_was_rejected_and_the_others_still_imported(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "borgere_1.csv").write_text(CITIZENS, encoding="utf-8")
    (inbox / "sager_1.csv").write_text(
        "sag_id;borger_id;afdeling;paragraf;henvendelse\nS1;B1;x;SEL101;nu\n", encoding="utf-8"
    )
    code = main(
        [
            "sync",
            str(inbox),
            "--create",
            "--db",
            f"sqlite:///{tmp_path}/s.db",
            "--now",
            "2026-04-09T08:00",
            "--outbox",
            str(tmp_path / "out"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "borgere_1.csv: importeret" in out
    assert "sager_1.csv: afvist" in out
    assert "    sager_1.csv:2: kolonne 'afdeling': ukendt afdeling 'x': stedet har " in out
    assert (
        "    sager_1.csv:2: kolonne 'henvendelse': ikke en dato: skriv ÅÅÅÅ-MM-DD, DD-MM-ÅÅÅÅ eller DD.MM.ÅÅÅÅ"
        " (værdi 'nu')"
    ) in out


def test_exit_2_for_a_path_that_does_not_exist(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(["sync", str(tmp_path / "nowhere.csv"), "--create", "--db", f"sqlite:///{tmp_path}/s.db"])
    err = capsys.readouterr().err
    assert code == 2 and "nowhere.csv" in err and "Traceback" not in err


def test_garbage_bytes_are_rejected_not_a_crash(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "borgere_x.csv").write_bytes(b"\xff\xfe\x00\x01garbage\x00")
    code = main(["sync", str(inbox), "--create", "--db", f"sqlite:///{tmp_path}/s.db", "--outbox", str(tmp_path / "o")])
    captured = capsys.readouterr()
    assert code == 1 and "Traceback" not in captured.err + captured.out


def test_a_foreign_file_in_the_outbox_range_stops_with_exit_1_not_a_crash(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from skranke.config import load_settings
    from skranke.services.context import Skranke
    from skranke.store.imports import record_event

    db = f"sqlite:///{tmp_path}/s.db"
    skranke = Skranke.from_settings(load_settings(db=db, now="2026-04-09T08:00"))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "borgere_1.csv").write_text(CITIZENS, encoding="utf-8")
    assert (
        main(
            ["sync", str(inbox), "--create", "--db", db, "--now", "2026-04-09T08:00", "--outbox", str(tmp_path / "out")]
        )
        == 0
    )
    with skranke.database.transaction() as session:
        for _ in range(3):
            record_event(session, "check_in", skranke.clock.now(), {"citizen_id": "B1"})
    skranke.close()
    (tmp_path / "out").mkdir(exist_ok=True)
    (tmp_path / "out" / "haendelser_000000002-000000005.csv").write_text("event_id\n2\n", encoding="utf-8")
    capsys.readouterr()
    code = main(["sync", "--db", db, "--now", "2026-04-09T08:00", "--outbox", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 1 and "haendelser_000000002-000000005.csv" in err and "Traceback" not in err
