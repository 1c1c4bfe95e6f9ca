"""Snapshots of "Synkronisering": nothing yet, after a clean sync, after a rejected file."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from skranke.demo.scenario import write_demo_exports
from skranke.services.context import Skranke
from skranke.services.sync import run_sync
from tests.ui.conftest import SIZES, AppAt, SnapCompare, settle

NOW = "2026-04-09T09:00"


async def open_sync(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("s")
    await settle(pilot)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def demo_sync(skranke: Skranke) -> None:
    write_demo_exports(skranke.inbox, skranke.clock.now().date(), skranke.site)
    run_sync(skranke)


def rejected_sync(skranke: Skranke) -> None:
    demo_sync(skranke)
    skranke.inbox.mkdir(parents=True, exist_ok=True)
    (skranke.inbox / "sager_fejl.csv").write_text(
        "sag_id;borger_id;afdeling;paragraf;henvendelse\n"
        "S900;B0000001;kantinen;SEL101;01-04-2026\n"
        "S901;B0000001;stoffrihed;SEL999;32-04-2026\n",
        encoding="utf-8",
    )
    run_sync(skranke)


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Paths are shown on the screen: relative ones keep the snapshots the same on every machine.
    monkeypatch.chdir(tmp_path)


class TestSyncScreen:
    @SIZES
    def test_before_any_sync(self, snap_compare: SnapCompare, size: tuple[int, int], app_at: AppAt) -> None:
        app = app_at(NOW, inbox=Path("inbox"), outbox=Path("outbox"))
        assert snap_compare(app, terminal_size=size, run_before=open_sync)

    @SIZES
    def test_after_a_clean_sync(self, snap_compare: SnapCompare, size: tuple[int, int], app_at: AppAt) -> None:
        app = app_at(NOW, prepare=demo_sync, inbox=Path("inbox"), outbox=Path("outbox"))
        assert snap_compare(app, terminal_size=size, run_before=open_sync)

    @SIZES
    def test_after_a_rejected_file(self, snap_compare: SnapCompare, size: tuple[int, int], app_at: AppAt) -> None:
        app = app_at(NOW, prepare=rejected_sync, inbox=Path("inbox"), outbox=Path("outbox"))
        assert snap_compare(app, terminal_size=size, run_before=open_sync)
