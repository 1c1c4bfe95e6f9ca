"""Ny henvendelse from the keyboard: the whole form, then the case on Frister and the tasks on Opgaver;
a step left with wrong fields; the draft offered again after a lock."""

from __future__ import annotations

from datetime import date

from textual.widgets import DataTable, Static

from skranke.services.deadlines import deadlines
from skranke.services.intake import list_drafts
from skranke.ui.screens.intake import DraftsDialog, IntakeScreen
from tests.ui.conftest import settle

NOW = "2026-03-30T09:00"


async def quiet(pilot) -> None:
    await settle(pilot)
    await pilot.pause(0.6)  # the draft is saved half a second after a change
    await settle(pilot)


async def test_the_whole_form_from_the_keyboard(app_at):
    app = app_at(NOW)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await quiet(pilot)
        screen = app.screen
        assert isinstance(screen, IntakeScreen)
        # Identity: the anonymous box first, then CPR and names.
        await pilot.press("tab", *"010190-1234", "tab", *"Jens", "tab", *"Hansen")
        await pilot.press("ctrl+n")
        await quiet(pilot)
        assert screen.step == "request"
        # The request: today's date is filled in; by phone, by a relative.
        await pilot.press("tab", "enter", "down", "down", "enter", "tab", "enter", "down", "down", "enter")
        await pilot.press("ctrl+n")
        await quiet(pilot)
        assert screen.step == "substances"
        # Hash and cocaine, cocaine the main one.
        await pilot.press("space", "down", "space", "tab", "enter", "down", "down", "enter")
        await pilot.press("ctrl+n")
        await quiet(pilot)
        assert screen.step == "areas"
        await pilot.press(*"Dagligt", "tab", *"Bor med to børn")
        await pilot.press("ctrl+n")
        await quiet(pilot)
        assert screen.step == "circumstances"
        # Children under 18 at home: yes.
        await pilot.press("enter", "down", "enter")
        await pilot.press("ctrl+n")
        await quiet(pilot)
        assert screen.step == "routing"
        assert "Over 30" in str(screen.query_one("#routing-suggestion", Static).render())
        await pilot.press("ctrl+n")
        await quiet(pilot)
        assert screen.step == "review"
        answers = screen.answers()
        assert (answers["channel"], answers["requested_by"], answers["main_substance"]) == (
            "phone",
            "relative",
            "kokain",
        )
        assert answers["substances"] == ["hash", "kokain"]
        assert answers["areas"]["social"] == "Bor med to børn"
        await pilot.press("ctrl+r")
        await quiet(pilot)
        assert screen.step == "identity", [n.message for n in app._notifications]  # a fresh form for the next one
        assert list_drafts(app.skranke, app.actor) == []

        [request] = [r for r in deadlines(app.skranke).requests if r.case_id == "HS00001"]
        assert (request.deadline, request.last_open_day) == (date(2026, 4, 13), date(2026, 4, 13))
        await pilot.press("f")
        await settle(pilot)
        assert "HS00001|H00001" in {k.value for k in app.screen.query_one("#requests", DataTable).rows}
        await pilot.press("o")
        await settle(pilot)
        table = app.screen.query_one("#tasks-open", DataTable)
        kinds = {str(table.get_row_at(i)[1]) for i in range(table.row_count)}
        assert kinds == {"Underretning til børne- og familieområdet", "Lægesamtale"}


async def test_a_step_with_wrong_fields_is_not_left(app_at):
    app = app_at(NOW)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await quiet(pilot)
        screen = app.screen
        await pilot.press("tab", *"3213901234")
        await pilot.press("ctrl+n")
        await quiet(pilot)
        assert screen.step == "identity"
        shown = {
            error.id: str(error.render()) for error in screen.query(".field-error").results(Static) if error.display
        }
        assert set(shown) == {"e-cpr", "e-first_name", "e-last_name"}


async def test_the_draft_is_offered_again_after_a_lock(app_at):
    app = app_at(NOW)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await quiet(pilot)
        await pilot.press("tab", *"0101901234", "tab", *"Jens")
        await quiet(pilot)
        actor = app.actor
        app.set_focus(None)
        await pilot.press("l")
        await settle(pilot)
        assert app.actor is None
        app.actor = actor  # signed in again (the sign-in screen has its own tests)
        await pilot.press("n")
        await quiet(pilot)
        assert isinstance(app.screen, DraftsDialog)
        await pilot.press("enter")
        await quiet(pilot)
        screen = app.screen
        assert isinstance(screen, IntakeScreen)
        assert (screen.answers()["cpr"], screen.answers()["first_name"]) == ("0101901234", "Jens")
