"""The application's stylesheet keeps its parsed rules only while the theme's colours stay."""

from __future__ import annotations

from tests.ui.conftest import TERMINAL, settle


async def test_another_theme_from_the_palette_still_restyles_every_widget(app_at):
    app = app_at("2026-04-07T09:20", roles=None)
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        dark = app.screen.styles.background
        table = app.screen.query_one("#departments")
        dark_table = table.styles.background
        app.theme = "textual-light"
        await pilot.pause()
        await pilot.pause()
        assert app.screen.styles.background != dark
        assert app.screen.styles.background == app.current_theme.to_color_system().background
        assert table.styles.background != dark_table
        app.theme = "skranke"
        await pilot.pause()
        await pilot.pause()
        assert app.screen.styles.background == dark
