"""Running a sync from the screen: in a worker, the table fills, the UI stays responsive."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from skranke.demo.scenario import write_demo_exports
from skranke.ui.screens.sync import SyncScreen
from tests.ui.conftest import TERMINAL, AppAt, rounds, screen_of, settle


async def test_pressing_i_imports_the_inbox_and_shows_the_outcome(app_at: AppAt, tmp_path: Path) -> None:
    app = app_at("2026-04-09T09:00", inbox=tmp_path / "inbox", outbox=tmp_path / "outbox")
    write_demo_exports(tmp_path / "inbox", app.skranke.clock.now().date(), app.skranke.site)
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert app.screen.query_one("#sync-runs", DataTable).row_count == 0
        await pilot.press("i")
        async for _ in rounds():
            await app.workers.wait_for_complete()
            await pilot.pause()
            if app.screen.query_one("#sync-runs", DataTable).row_count == 4:
                break
        table = app.screen.query_one("#sync-runs", DataTable)
        assert table.row_count == 4
        assert {str(table.get_row_at(i)[1]) for i in range(4)} == {"importeret"}
    assert sorted(p.name for p in (tmp_path / "inbox" / "imported").iterdir()) == [
        "aftaler_demo.csv",
        "borgere_demo.csv",
        "ordinationer_demo.csv",
        "sager_demo.csv",
    ]


async def test_after_a_sync_the_counts_last_sync_line_and_rejected_panel_are_new(app_at: AppAt, tmp_path: Path) -> None:
    from textual.widgets import ProgressBar, Static

    app = app_at("2026-04-09T09:00", inbox=tmp_path / "inbox", outbox=tmp_path / "outbox")
    write_demo_exports(tmp_path / "inbox", app.skranke.clock.now().date(), app.skranke.site)
    (tmp_path / "inbox" / "sager_fejl.csv").write_text(
        "sag_id;borger_id;afdeling;paragraf;henvendelse\nS900;B0000001;kantinen;SEL101;01-04-2026\n",
        encoding="utf-8",
    )
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        status = app.screen.query_one("#sync-status", Static)
        rejected = app.screen.query_one("#sync-rejected", Static)
        before = str(status.render())
        assert "Ingen synkronisering endnu" in before and "5 filer venter" in before
        assert not rejected.display
        bar = app.screen.query_one("#sync-progress", ProgressBar)
        screen_of(app, SyncScreen).action_run_sync()
        assert bar.percentage == 0  # starts at 0 %, not an indeterminate bar
        async for _ in rounds():
            await app.workers.wait_for_complete()
            await pilot.pause()
            if app.screen.query_one("#sync-runs", DataTable).row_count == 5:
                break
        after = str(status.render())
        assert "Sidste synkronisering: 09.04.2026 kl. 09.00" in after and "0 filer venter" in after
        assert rejected.display and "sager_fejl.csv" in str(rejected.render())
