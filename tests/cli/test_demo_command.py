"""`skranke demo`: a fresh demo store of its own, filled through the importer; never over real data."""

from __future__ import annotations

from skranke.cli import main
from skranke.config import load_settings
from skranke.services.context import Skranke
from skranke.services.sync import citizen_count, sync_overview


def test_demo_makes_a_fresh_store_each_time(capsys, tmp_path, monkeypatch):
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
            "ordinationer_demo.csv",
            "sager_demo.csv",
        ]
        assert {r.outcome for r in runs} == {"imported"}
    finally:
        skranke.close()


def test_demo_refuses_a_store_that_already_holds_citizens(capsys, tmp_path):
    db = f"sqlite:///{tmp_path}/real.db"
    assert main(["demo", "--no-open", "--db", db, "--now", "2026-04-09T09:00"]) == 0
    capsys.readouterr()
    assert main(["demo", "--no-open", "--db", db, "--now", "2026-04-09T09:00"]) == 2
    err = capsys.readouterr().err
    assert "indeholder allerede borgere" in err and "Traceback" not in err
