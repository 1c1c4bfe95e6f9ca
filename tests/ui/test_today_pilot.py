"""The "I dag" screen as a receptionist uses it: keys, palette, refresh from the clock."""

from __future__ import annotations

from datetime import datetime

import pytest
from textual.binding import Binding
from textual.widgets import DataTable, Static

from skranke.clock import TIMEZONE
from skranke.ui.app import SkrankeApp
from skranke.ui.screens.help import HelpScreen
from skranke.ui.screens.today import TodayScreen
from tests.conftest import fixed_clock
from tests.ui.conftest import TERMINAL, AppAt, screen_of, settle


def _state(app: SkrankeApp, department_id: str) -> str:
    table = app.screen.query_one("#departments", DataTable)
    return str(table.get_cell(department_id, "now"))


async def test_state_follows_the_clock_when_the_screen_refreshes(app_at: AppAt) -> None:
    app = app_at("2026-04-09T11:20")
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        assert _state(app, "stabilisering") == "åben · lukker kl. 11.45 (om 25 min.)"
        fixed_clock(app.skranke).set(datetime(2026, 4, 9, 12, 0, tzinfo=TIMEZONE))
        screen_of(app, TodayScreen).refresh_state()
        await settle(pilot)
        assert _state(app, "stabilisering") == "lukket · åbner kl. 15.00 (om 3 timer)"
        fixed_clock(app.skranke).set(datetime(2026, 4, 9, 17, 30, tzinfo=TIMEZONE))
        screen_of(app, TodayScreen).refresh_state()
        await settle(pilot)
        assert _state(app, "stabilisering") == "lukket for i dag · næste åbning i morgen kl. 08.15"


async def test_a_closed_day_names_the_next_opening(app_at: AppAt) -> None:
    app = app_at("2026-04-11T12:00")  # Saturday
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        assert _state(app, "stoffrihed") == "lukket i dag · næste åbning mandag kl. 08.00"
        assert _state(app, "medicinudlevering").startswith("lukket · åbner kl. 14.30")


async def test_holiday_name_and_week_number_in_danish(app_at: AppAt) -> None:
    app = app_at("2026-04-06T10:00")
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        heading = str(app.screen.query_one("#today-date", Static).render())
        assert "mandag den 6. april 2026 · uge 15" in heading
        assert str(app.screen.query_one("#today-holiday", Static).render()) == "Anden påskedag"


async def test_help_opens_and_closes(app_at: AppAt) -> None:
    app = app_at("2026-04-07T09:20")
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TodayScreen)


async def test_every_binding_has_an_id(app_at: AppAt) -> None:
    app = app_at("2026-04-07T09:20")
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        for binding in [*app.BINDINGS, *HelpScreen.BINDINGS]:
            assert isinstance(binding, Binding) and binding.id, binding  # a tuple has no id either


async def test_the_theme_is_the_apps_own_whatever_the_environment(
    app_at: AppAt, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEXTUAL_THEME", "nord")
    app = app_at("2026-04-07T09:20")
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        assert app.theme == "skranke"
