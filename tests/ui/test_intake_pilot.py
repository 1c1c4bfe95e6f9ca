"""Ny henvendelse from the keyboard: the whole form, then the case on Frister and the tasks on Opgaver;
a known citizen found by name and picked; a step left with wrong fields; the draft offered again
after a lock, with the structured answers and the citizen picked."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static
from textual.widgets._footer import FooterKey  # as src/skranke/ui/widgets/footer.py

from skranke.services.context import Skranke
from skranke.services.deadlines import deadlines
from skranke.services.intake import list_drafts
from skranke.store.models import Citizen, Intake
from skranke.ui.app import SkrankeApp
from skranke.ui.screens.intake import DraftsDialog, IntakeScreen
from skranke.ui.widgets.citizen_search import CitizenSearch
from tests.ui.conftest import AppAt, draft_kept, screen_of, settle, wait_for

NOW = "2026-03-30T09:00"


async def quiet(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await draft_kept(pilot)  # the draft is saved a moment after a change
    await settle(pilot)


async def open_intake(app: SkrankeApp, pilot: Pilot[None]) -> IntakeScreen:
    """The application settled, then `n`: the intake form (no draft to offer)."""
    await settle(pilot)
    await pilot.press("n")
    await quiet(pilot)
    screen = app.screen
    assert isinstance(screen, IntakeScreen)
    return screen


async def test_the_whole_form_from_the_keyboard(app_at: AppAt) -> None:
    app = app_at(NOW)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_intake(app, pilot)
        # Identity: the search for a known citizen first, the anonymous box, then CPR and names.
        assert app.focused is not None and app.focused.id == "f-citizen-search"
        await pilot.press("tab", "tab", *"010190-1234", "tab", *"Jens", "tab", *"Hansen")
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
        # Each area: its short answer (Enter opens the choices), then its note.
        await pilot.press("enter", "down", "enter", "tab", *"Kokain hver dag", "tab")
        await pilot.press("enter", "down", "down", "enter", "tab", *"Bor med to børn")
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
        assert answers["areas"]["substances"] == {"answer": "daily", "note": "Kokain hver dag"}
        assert answers["areas"]["social"] == {"answer": "limited_network", "note": "Bor med to børn"}
        assert answers["areas"]["work"] == {"answer": None, "note": ""}
        review = str(screen.query_one("#review", Static).render())
        assert "1. Brug af rusmidler, stoffer og alkohol: Dagligt · Kokain hver dag" in review
        assert "4. Arbejde og/eller uddannelse: ikke afdækket" in review
        await pilot.press("ctrl+r")
        await quiet(pilot)
        assert screen.step == "identity", [n.message for n in app._notifications]  # a fresh form for the next one
        assert list_drafts(app.skranke, app.actor) == []
        with app.skranke.database.reading() as session:
            stored = session.scalars(select(Intake)).one().answers["answers"]["areas"]
        assert stored["social"] == {"answer": "limited_network", "note": "Bor med to børn"}

        [request] = [r for r in deadlines(app.skranke).requests if r.case_id == "HS00001"]
        assert (request.deadline, request.last_open_day) == (date(2026, 4, 13), date(2026, 4, 13))
        # The fresh form waits in its search field, which takes letters: leave it for the screen keys.
        assert app.focused is not None and app.focused.id == "f-citizen-search"
        app.set_focus(None)
        await pilot.press("f")
        await settle(pilot)
        assert "HS00001|H00001" in {k.value for k in app.screen.query_one("#requests", DataTable).rows}
        await pilot.press("o")
        await settle(pilot)
        table = app.screen.query_one("#tasks-open", DataTable)
        kinds = {str(table.get_row_at(i)[1]) for i in range(table.row_count)}
        assert kinds == {"Underretning til børne- og familieområdet", "Lægesamtale"}


async def test_a_step_with_wrong_fields_is_not_left(app_at: AppAt) -> None:
    app = app_at(NOW)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_intake(app, pilot)
        await pilot.press("tab", *"3213901234")
        await pilot.press("ctrl+n")
        await quiet(pilot)
        assert screen.step == "identity"
        shown = {
            error.id: str(error.render()) for error in screen.query(".field-error").results(Static) if error.display
        }
        assert set(shown) == {"e-cpr", "e-first_name", "e-last_name"}


async def test_the_draft_is_offered_again_after_a_lock(app_at: AppAt) -> None:
    app = app_at(NOW, prepare=known_citizens)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_intake(app, pilot)
        await search_in_form(pilot, "Jens Han")
        await pilot.press("down", "enter")
        await quiet(pilot)
        # The request by phone; kokain; the areas: housing temporary, with a note.
        await pilot.press("ctrl+n", "tab", "enter", "down", "down", "enter", "ctrl+n")
        await quiet(pilot)
        await pilot.press("down", "space", "ctrl+n")
        await quiet(pilot)
        assert screen.step == "areas"
        await pilot.press(*(["tab"] * 8), "enter", "down", "down", "down", "enter", "tab", *"Sofa hos en ven")
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
        screen = screen_of(app, IntakeScreen)
        answers = screen.answers()
        assert (screen.step, answers["cpr"], answers["first_name"], answers["channel"]) == (
            "areas",
            "0101901234",
            "Jens",
            "phone",
        )
        assert answers["areas"]["housing"] == {"answer": "temporary", "note": "Sofa hos en ven"}
        assert answers["areas"]["social"] == {"answer": None, "note": ""}
        # Still the known citizen picked: the CPR masked, the register's fields kept as they are.
        assert screen.picked_citizen_id == "B7"
        assert screen.query_one("#f-cpr", Input).value == "010190-****"
        assert screen.query_one("#f-first_name", Input).disabled


def known_citizens(skranke: Skranke) -> None:
    with skranke.database.transaction() as session:
        session.add_all(
            [
                Citizen(id="B7", cpr="0101901234", first_name="Jens", last_name="Hansen", alias="", phone="12345678"),
                Citizen(id="B8", cpr="0202851234", first_name="Jens", last_name="Juul", alias="", phone=""),
                Citizen(id="B9", cpr=None, first_name="", last_name="", alias="Hansen-ræven", phone=""),
            ]
        )


async def search_in_form(pilot: Pilot[None], typed: str) -> None:
    """Type in the form's search, then wait (no fixed delay) until its answer is shown.

    The search waits for the typing to settle, 0.5 s after the last key. As `draft_kept` does
    with the draft's timer, the test does not sit that out: the typing is settled at once
    through the search's own `search_now` (what the timer calls), one search for what was typed,
    as at the desk; a timer that already ran has searched."""
    await pilot.press(*typed)
    screen = screen_of(pilot.app, IntakeScreen)
    query = screen.query_one("#f-citizen-search", Input).value.strip()
    search = screen.query_one(CitizenSearch)
    if search._pending is not None:
        search.search_now()
    try:
        await wait_for(pilot, lambda: screen.shown_query == query)
    except AssertionError:
        raise AssertionError(f"no answer for {typed!r}") from None


def citizens_in_store(app: SkrankeApp) -> int:
    with app.skranke.database.reading() as session:
        return int(session.scalar(select(func.count()).select_from(Citizen)) or 0)


async def test_a_known_citizen_found_by_name_is_picked_and_reused(app_at: AppAt) -> None:
    app = app_at(NOW, prepare=known_citizens)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_intake(app, pilot)
        await search_in_form(pilot, "jens")
        hits = screen.query_one("#citizen-hits", DataTable)
        rows = [[str(cell) for cell in hits.get_row_at(i)] for i in range(hits.row_count)]
        # As Borger shows them: initials, the masked CPR, the citizen no.; never a full CPR.
        assert rows == [["JH", "010190-****", "B7"], ["JJ", "020285-****", "B8"]]
        await search_in_form(pilot, " Han")
        assert [str(hits.get_row_at(i)[2]) for i in range(hits.row_count)] == ["B7"]
        await pilot.press("down", "enter")
        await quiet(pilot)
        # Filled from the register: names and phone; the CPR in the answers, masked on screen.
        answers = screen.answers()
        assert (answers["cpr"], answers["first_name"], answers["last_name"], answers["phone"]) == (
            "0101901234",
            "Jens",
            "Hansen",
            "12345678",
        )
        assert screen.query_one("#f-cpr", Input).value == "010190-****"
        known = str(screen.query_one("#known-citizen", Static).render())
        assert "Kendt borger B7 (JH, 010190-****, født 01.01.1990, 36 år)" in known
        assert "0101901234" not in known
        assert app.focused is screen.query_one("#f-phone", Input)
        # The rest from the keyboard: by phone, kokain, nothing more.
        await pilot.press("ctrl+n", "tab", "enter", "down", "down", "enter", "ctrl+n")
        await quiet(pilot)
        await pilot.press("down", "space", "ctrl+n", "ctrl+n", "ctrl+n", "ctrl+n")
        await quiet(pilot)
        assert screen.step == "review"
        review = str(screen.query_one("#review", Static).render())
        assert "Kendt borger: B7" in review and "CPR-nummer: 010190-****" in review
        await pilot.press("ctrl+r")
        await quiet(pilot)
        assert screen.step == "identity", [n.message for n in app._notifications]
        assert citizens_in_store(app) == 3  # no new citizen
        [request] = [r for r in deadlines(app.skranke).requests if r.case_id == "HS00001"]
        assert request.citizen_id == "B7"
        # A fresh form lets the citizen go.
        assert screen.picked_citizen_id is None
        assert not screen.query_one("#f-first_name", Input).disabled


async def test_another_citizen_lets_the_picked_one_go(app_at: AppAt) -> None:
    app = app_at(NOW, prepare=known_citizens)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_intake(app, pilot)
        await search_in_form(pilot, "ræven")
        await pilot.press("down", "enter")
        await quiet(pilot)
        assert screen.picked_citizen_id == "B9"
        answers = screen.answers()
        assert (answers["anonymous"], answers["alias"], "cpr" in answers) == (True, "Hansen-ræven", False)
        assert app.focused is screen.query_one("#f-age", Input)  # what is left to answer
        await pilot.press("ctrl+o")
        await quiet(pilot)
        assert screen.picked_citizen_id is None
        answers = screen.answers()
        assert (answers["anonymous"], "alias" in answers) == (False, False)
        assert app.focused is screen.query_one("#f-citizen-search", Input)
        assert not screen.query_one("#f-cpr", Input).disabled


async def test_an_open_answer_list_is_named_in_danish_in_the_footer(app_at: AppAt) -> None:
    # Textual's Select brings its own English 'Dismiss menu' to the footer while its list is open.
    app = app_at(NOW)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_intake(app, pilot)
        await pilot.press("tab", "tab", *"010190-1234", "tab", *"Jens", "tab", *"Hansen", "ctrl+n")
        await quiet(pilot)
        await pilot.press("tab", "enter", "down", "down", "enter", "tab", "enter", "down", "down", "enter", "ctrl+n")
        await quiet(pilot)
        await pilot.press("space", "ctrl+n")
        await quiet(pilot)
        assert screen_of(app, IntakeScreen).step == "areas"
        await pilot.press("enter")
        await settle(pilot)
        footer = " ".join(str(key.description) for key in app.screen.query(FooterKey))
        assert "Luk listen" in footer and "Dismiss" not in footer
