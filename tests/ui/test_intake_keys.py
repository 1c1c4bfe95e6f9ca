"""Ny henvendelse: Esc leaves (the draft kept), the date typed and shown the Danish way, a wrong
date named with its field."""

from __future__ import annotations

from datetime import date

from textual.widgets import Input, Static

from skranke.i18n import parse_date
from skranke.services.intake import list_drafts
from skranke.ui.screens.intake import IntakeScreen
from skranke.ui.screens.today import TodayScreen
from tests.ui.conftest import AppAt, wait_for
from tests.ui.test_intake_pilot import NOW, open_intake, quiet


def test_dates_the_desk_types() -> None:
    assert parse_date("07.12.2026") == date(2026, 12, 7)
    assert parse_date("7-12-2026") == date(2026, 12, 7)
    assert parse_date("07122026") == date(2026, 12, 7)
    assert parse_date("2026-12-07") == date(2026, 12, 7)
    assert parse_date("31.02.2026") is None
    assert parse_date("i går") is None


async def test_escape_leaves_the_form_and_keeps_the_draft(app_at: AppAt) -> None:
    app = app_at(NOW)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_intake(app, pilot)
        await pilot.press("tab", "tab", "tab", *"Ida", "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen))
        drafts = list_drafts(app.skranke, app.actor)
        assert [d.answers.get("first_name") for d in drafts] == ["Ida"]
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, IntakeScreen))
        assert app.screen is screen and screen.query_one("#f-first_name", Input).value == "Ida"


async def test_the_date_is_danish_and_a_wrong_one_is_named(app_at: AppAt) -> None:
    app = app_at(NOW)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_intake(app, pilot)
        assert screen.query_one("#f-contact_date", Input).value == "30.03.2026"
        await pilot.press("tab", "tab", *"0101901234", "tab", *"Ida", "tab", *"Testesen", "ctrl+n")
        await quiet(pilot)
        assert screen.step == "request"
        field = screen.query_one("#f-contact_date", Input)
        assert app.focused is field
        await pilot.press("ctrl+u", *"27032026")  # DDMMÅÅÅÅ
        await quiet(pilot)
        assert screen.answers()["contact_date"] == "2026-03-27"
        await pilot.press("ctrl+u", *"32.03.2026", "ctrl+n")
        await quiet(pilot)
        assert screen.step == "request"
        error = str(screen.query_one("#e-contact_date", Static).render())
        assert "Dato for henvendelsen" in error and "DD.MM.ÅÅÅÅ" in error
