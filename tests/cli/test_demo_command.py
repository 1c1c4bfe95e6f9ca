"""`skranke demo`: a fresh demo store of its own, filled through the importer; never over real data."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from skranke.cli import main
from skranke.clock import TIMEZONE
from skranke.config import load_settings
from skranke.services.context import Skranke
from skranke.services.sync import citizen_count, sync_overview


def test_demo_makes_a_fresh_store_each_time(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    for _ in range(2):  # the second run starts again from nothing, it does not add to the first
        assert main(["demo", "--no-open", "--now", "2026-04-09T09:00"]) == 0
    out = capsys.readouterr().out
    assert "Demodatabasen er klar" in out
    skranke = Skranke.from_settings(
        load_settings(db=f"sqlite:///{tmp_path}/skranke/demo/skranke-demo.db", now="2026-04-09T09:00")
    )
    try:
        assert citizen_count(skranke) == 80
        runs = sync_overview(skranke).runs
        assert sorted(r.file_name for r in runs) == [
            "aftaler_demo.csv",
            "borgere_demo.csv",
            "lager_demo.csv",
            "ordinationer_demo.csv",
            "sager_demo.csv",
        ]
        assert {r.outcome for r in runs} == {"imported"}
    finally:
        skranke.close()


def test_demo_refuses_a_store_that_already_holds_citizens(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/real.db"
    assert main(["demo", "--no-open", "--db", db, "--now", "2026-04-09T09:00"]) == 0
    capsys.readouterr()
    assert main(["demo", "--no-open", "--db", db, "--now", "2026-04-09T09:00"]) == 2
    err = capsys.readouterr().err
    assert "indeholder allerede borgere" in err and "Traceback" not in err


def test_demo_in_a_shared_folder_keeps_its_inbox_to_itself(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "notes.txt").write_text("someone else's file", encoding="utf-8")
    assert main(["demo", "--no-open", "--db", f"sqlite:///{shared / 'kursus.db'}", "--now", "2026-04-09T09:00"]) == 0
    assert not (shared / "inbox").exists() and not (shared / "outbox").exists()
    assert {p.name for p in shared.iterdir() if p.is_dir()} == {"kursus-inbox"}
    assert (shared / "kursus-inbox" / "imported" / "borgere_demo.csv").is_file()


def test_the_default_demo_store_has_an_inbox_named_after_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert main(["demo", "--no-open", "--now", "2026-04-09T09:00"]) == 0
    folder = tmp_path / "skranke" / "demo"
    assert (folder / "skranke-demo-inbox" / "imported").is_dir()
    assert not (folder / "inbox").exists()


class _SundayEvening:
    def now(self) -> datetime:
        return datetime(2026, 12, 6, 22, 30, tzinfo=TIMEZONE)


def test_demo_without_now_opens_on_the_next_working_morning(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real clock says Sunday evening, when every department is closed.
    monkeypatch.setattr("skranke.services.context.SystemClock", _SundayEvening)
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    assert main(["demo", "--no-open", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "Demoens ur starter mandag den 7. december 2026 kl. 09.30 og går videre derfra" in out
    # The demo's morning happened on Monday at the window: citizens checked in, doses given.
    assert main(["queue", "--json", "--db", db, "--now", "2026-12-07T09:45"]) == 0
    day = json.loads(capsys.readouterr().out)
    assert day["waiting"] and all(w["checked_in_at"].startswith("2026-12-07T09:30") for w in day["waiting"])
    assert {row["outcome"] for row in day["done"]} == {"given", "refused"}
    # --now still wins and stands still.
    assert main(["demo", "--no-open", "--db", f"sqlite:///{tmp_path / 'fixed.db'}", "--now", "2026-12-06T22:30"]) == 0
    assert "Demoens ur" not in capsys.readouterr().out
