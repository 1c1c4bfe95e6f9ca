"""Running a sync from the screen: in a worker, the table fills, the UI stays responsive."""

from __future__ import annotations

from textual.widgets import DataTable

from skranke.sync.demo_files import write_demo_exports
from tests.ui.conftest import TERMINAL, settle


async def test_pressing_i_imports_the_inbox_and_shows_the_outcome(app_at, tmp_path):
    app = app_at("2026-04-09T09:00", inbox=tmp_path / "inbox", outbox=tmp_path / "outbox")
    write_demo_exports(tmp_path / "inbox", app.skranke.clock.now().date(), app.skranke.site)
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert app.screen.query_one("#sync-runs", DataTable).row_count == 0
        await pilot.press("i")
        for _ in range(100):
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
