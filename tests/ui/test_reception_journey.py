"""Reception by keys alone (DESIGN §6): from I dag, sign in, find, open, check in, undo, lock, register.

Only `pilot.press` drives the app (bursts included); the test waits on what the screen shows and
then asserts on the store and the audit log.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from skranke.store.models import AuditEvent, CheckIn
from skranke.ui.app import SkrankeApp
from skranke.ui.screens.check_in import CheckInDialog, ReasonDialog
from skranke.ui.screens.citizen import CitizenScreen
from skranke.ui.screens.citizens import CitizensScreen
from skranke.ui.screens.sign_in import SignInScreen
from skranke.ui.screens.today import TodayScreen
from tests.ui.conftest import SIZES, AppAt, settle, wait_for
from tests.ui.test_queue_screen import NOW, busy


def _events(app: SkrankeApp, action: str) -> list[AuditEvent]:
    with app.skranke.database.reading() as session:
        query = select(AuditEvent).where(AuditEvent.action == action, AuditEvent.staff == "KJ")
        return list(session.scalars(query.order_by(AuditEvent.id)))


def _check_ins(app: SkrankeApp, citizen_id: str) -> list[CheckIn]:
    with app.skranke.database.reading() as session:
        return list(session.scalars(select(CheckIn).where(CheckIn.citizen_id == citizen_id).order_by(CheckIn.id)))


def _words(screen: Screen[Any]) -> str:
    return " ".join(str(widget.render()) for widget in screen.query(Static))


@SIZES
async def test_reception_by_keys_alone(app_at: AppAt, size: tuple[int, int]) -> None:
    app = app_at(NOW, prepare=busy, roles=None)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)

        # b: Borger asks for a sign-in first.
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
        await pilot.press(*"KJ", "enter")
        await pilot.pause()
        await pilot.press(*"1111", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CitizensScreen))
        borger = app.screen
        assert isinstance(borger, CitizensScreen)
        hits = borger.query_one("#citizen-hits", DataTable)
        search = borger.query_one("#citizen-query", Input)

        # A search as one burst, Down into the hits before the typing has settled.
        await pilot.press(*"niel", "down")
        await wait_for(pilot, lambda: app.focused is hits)
        # Eight "niel"s told apart without opening a card: name, alias, birth date, masked CPR.
        first = [str(cell) for cell in hits.get_row_at(0)]
        assert first == ["Daniel Laursen", "", "29.06.2001", "290601-****", "B0065"]
        assert hits.row_count >= 8

        # Enter opens the card, Esc comes back to the hits.
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CitizenScreen) and app.screen.loaded)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is borger and app.focused is hits)

        # More letters typed on the hits go to the search (an n no longer opens Ny henvendelse).
        await pilot.press(*" sørensen", "down")
        await wait_for(pilot, lambda: app.focused is hits and borger.shown_query == "niel sørensen")
        assert app.screen is borger and search.value == "niel sørensen"
        assert [str(cell) for cell in hits.get_row_at(0)][:3] == ["Niels Sørensen", "", "09.07.1988"]

        # c asks, naming the citizen (name, birth date) and the place; Enter checks in.
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CheckInDialog))
        asked = _words(app.screen)
        assert "Niels Sørensen · født 09.07.1988" in asked and "Sted: Stoffrihed" in asked
        await pilot.press("enter")
        status = borger.query_one("#citizens-status", Static)
        await wait_for(pilot, lambda: "tjekket ind" in str(status.render()))
        assert str(status.render()) == "Niels Sørensen er tjekket ind på Stoffrihed kl. 09.30."
        [made] = _check_ins(app, "B0052")
        assert (made.department, made.staff_id, made.undone_at) == ("stoffrihed", "KJ", None)
        mine = [e for e in _events(app, "check_in") if e.citizen_id == "B0052"]  # the demo's morning is KJ's too
        assert [(e.workstation, e.entity_id) for e in mine] == [(made.workstation, "stoffrihed")]

        # Undo from the hits: x asks for the reason (a burst, every key text), Enter saves.
        await pilot.press("down")
        await wait_for(pilot, lambda: app.focused is hits)
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonDialog))
        assert "Niels Sørensen · født 09.07.1988" in _words(app.screen)
        await pilot.press(*"forkert borger", "enter")
        await wait_for(pilot, lambda: "fortrudt" in str(status.render()))
        [undone] = _check_ins(app, "B0052")
        assert (undone.undone_by, undone.undo_reason, undone.undone_at is not None) == ("KJ", "forkert borger", True)
        [event] = _events(app, "check_in_undo")
        assert (event.citizen_id, event.detail["reason"]) == ("B0052", "forkert borger")

        # The searches were logged once each as they settled, with their hits: not per key or citizen.
        searches = _events(app, "search")
        assert 2 <= len(searches) < len("niel sørensen")
        assert searches[-1].detail["citizen_ids"] == ["B0052"]
        assert len(searches[0].detail["citizen_ids"]) >= 8

        # Esc leaves the field; l locks: back to I dag, nobody signed in, no citizen on screen.
        await pilot.press("escape", "l")
        await wait_for(pilot, lambda: app.actor is None and isinstance(app.screen, TodayScreen))
        await settle(pilot)
        shown = app.export_screenshot()
        assert "Sørensen" not in shown and "Laursen" not in shown and "B0052" not in shown


async def test_a_request_registered_by_keys_alone(app_at: AppAt) -> None:
    """From I dag, `n` and a sign-in, the form filled as one burst per text field group, Ctrl+R:
    the case is in the store with its citizen, and the intake in the audit log by KJ."""
    from skranke.store.models import Case, Citizen
    from skranke.ui.screens.intake import IntakeScreen

    app = app_at(NOW, prepare=busy, roles=None)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
        await pilot.press(*"KJ", "tab", *"1111", "enter")  # one burst
        await wait_for(pilot, lambda: isinstance(app.screen, IntakeScreen))
        form = app.screen
        assert isinstance(form, IntakeScreen)
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "f-citizen-search")
        # Identity as one burst: past the search and the anonymous box, CPR, first and last name.
        await pilot.press("tab", "tab", *"0101901234", "tab", *"Ida", "tab", *"Testesen", "ctrl+n")
        await wait_for(pilot, lambda: form.step == "request")
        # Today's date is filled in; by phone, by a relative (Enter opens each list of answers).
        await pilot.press("tab", "enter", "down", "down", "enter", "tab", "enter", "down", "down", "enter", "ctrl+n")
        await wait_for(pilot, lambda: form.step == "substances")
        await pilot.press("space", "tab", "enter", "down", "enter", "ctrl+n")  # hash, the main one
        await wait_for(pilot, lambda: form.step == "areas")
        for step in ("circumstances", "routing", "review"):
            await pilot.press("ctrl+n")

            def at_step(step: str = step) -> bool:
                return form.step == step

            await wait_for(pilot, at_step)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: form.step == "identity")  # a fresh form for the next one

        with app.skranke.database.reading() as session:
            citizen = session.scalars(select(Citizen).where(Citizen.cpr == "0101901234")).one()
            assert (citizen.first_name, citizen.last_name) == ("Ida", "Testesen")
            case = session.scalars(select(Case).where(Case.citizen_id == citizen.id)).one()
        [intake] = _events(app, "intake")
        assert (intake.citizen_id, intake.entity_id) == (citizen.id, case.id)
