"""Borger: find a citizen as the receptionist types, open the card, check in once a day per place."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from skranke.services.context import Skranke
from skranke.services.queue import queue
from skranke.store.models import Case, Citizen, Prescription
from skranke.ui.app import SkrankeApp
from skranke.ui.screens.check_in import CheckInDialog, PlaceChooser, ReasonDialog
from skranke.ui.screens.citizen import CitizenScreen
from skranke.ui.screens.citizens import CitizensScreen
from skranke.ui.screens.sign_in import SignInScreen
from tests.conftest import TEST_PIN, signed_in
from tests.ui.conftest import TERMINAL, AppAt, SnapCompare, focused, screen_of, settle, wait_for
from tests.ui.test_deadlines_snapshots import demo
from tests.ui.test_sign_in import type_sign_in

NOW = "2026-04-09T09:30"  # a Thursday
TODAY = date(2026, 4, 9)
SMALL = (80, 24)
SIZES = pytest.mark.parametrize("size", [TERMINAL, SMALL], ids=["120x36", "80x24"])

if TYPE_CHECKING:  # the tests import the store where they use it
    from skranke.store.models import AuditEvent


def desk_citizens(skranke: Skranke) -> None:
    """Two Sørens (one with methadone due today), an Åse with an open case, an anonymous alias."""
    with skranke.database.transaction() as session:
        session.add_all(
            [
                Citizen(id="B9001", cpr="0101801234", first_name="Søren", last_name="Ågård", alias="", phone=""),
                Citizen(id="B9002", cpr="1208921234", first_name="Søren", last_name="Kjær", alias="", phone=""),
                Citizen(id="B9003", cpr="1502851234", first_name="Åse", last_name="Berg", alias="Maagen", phone=""),
                Citizen(id="B9004", cpr=None, first_name="", last_name="", alias="Søren-ræven", phone=""),
                # Longer than the columns at either size: cut with '…'.
                Citizen(
                    id="B9005",
                    cpr="3003751234",
                    first_name="Søren Christian Frederik",
                    last_name="Bjerregaard-Møllersen",
                    alias="Den lange fra havnen ved Fisketorvet",
                    phone="",
                ),
            ]
        )
        session.flush()
        session.add(
            Prescription(
                id="O9001", citizen_id="B9001", preparation="metadon", dose_mg=Decimal("60"), doses_per_day=1,
                pickup_rule="FREQ=DAILY", supervised=True, valid_from=date(2026, 1, 1), valid_to=None,
                delivery=False, last_dispensed_on=TODAY - timedelta(days=1),
            )
        )  # fmt: skip
        session.add(
            Case(
                id="S9003", citizen_id="B9003", department="stoffrihed", paragraph="SEL101",
                contact_date=TODAY - timedelta(days=40), treatment_start=TODAY - timedelta(days=30),
            )
        )  # fmt: skip


def demo_and_desk(skranke: Skranke) -> None:
    demo(skranke)
    desk_citizens(skranke)


def screen(app: App[Any]) -> CitizensScreen:
    assert isinstance(app.screen, CitizensScreen)
    return app.screen


async def open_citizens(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("b")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CitizensScreen))


async def search_for(pilot: Pilot[None], typed: str) -> None:
    """Type as a receptionist does, then wait (no fixed delay) until the answer for it is shown."""
    await pilot.press(*typed)
    citizens = screen(pilot.app)
    for _ in range(100):
        await pilot.pause(0.05)
        await pilot.app.workers.wait_for_complete()
        if citizens.shown_query == typed.strip():
            await pilot.pause()
            return
    raise AssertionError(f"no answer for {typed!r}")


async def wait_for_status(pilot: Pilot[None]) -> str:
    status = screen(pilot.app).query_one("#citizens-status", Static)
    await wait_for(pilot, lambda: status.display)
    return str(status.render())


def hit_ids(app: App[Any]) -> list[str]:
    table = screen(app).query_one("#citizen-hits", DataTable)
    return [str(row.value) for row in table.rows] if table.display else []


async def confirm_check_in(pilot: Pilot[None], key: str = "c") -> str:
    """`c` asks first: the dialog names the citizen and the place; Enter checks in. Its words."""
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CheckInDialog))
    dialog = pilot.app.screen
    words = " ".join(str(w.render()) for w in dialog.query(Static))
    await pilot.press("enter")
    return words


def found_line(app: App[Any]) -> str:
    return str(screen(app).query_one("#citizens-found", Static).render())


async def test_find_soeren_check_in_and_be_refused_the_second_time(app_at: AppAt) -> None:
    app = app_at(NOW, prepare=demo_and_desk, roles=("reception",))
    async with app.run_test(size=TERMINAL) as pilot:
        await open_citizens(pilot)
        assert app.focused is screen(app).query_one("#citizen-query", Input)
        await search_for(pilot, "soeren")
        ids = hit_ids(app)
        assert "B9001" in ids and "B9004" in ids  # the name, and an alias, by their ASCII spelling
        table = screen(app).query_one("#citizen-hits", DataTable)
        # What tells two Sørens apart: name, alias, birth date, masked CPR.
        assert [str(cell) for cell in table.get_row("B9001")] == [
            "Søren Ågård",
            "",
            "01.01.1980",
            "010180-****",
            "B9001",
        ]
        assert [str(cell) for cell in table.get_row("B9004")][:4] == ["–", "Søren-ræven", "–", "anonym"]

        await pilot.press("down")  # into the results
        assert focused(app) is table
        await pilot.press(*["down"] * ids.index("B9001"))
        words = await confirm_check_in(pilot)
        assert "Søren Ågård · født 01.01.1980" in words and "Sted: Medicinudlevering" in words
        assert await wait_for_status(pilot) == "Søren Ågård er tjekket ind på Medicinudlevering kl. 09.30."
        assert [w.person.citizen_id for w in queue(app.skranke).waiting] == ["B9001"]
        # Checked in: the search field has the focus again, for the next person at the counter.
        assert app.focused is screen(app).query_one("#citizen-query", Input)

        await pilot.press("down", *["down"] * ids.index("B9001"))
        await confirm_check_in(pilot)
        await wait_for(pilot, lambda: "allerede" in str(screen(app).query_one("#citizens-status", Static).render()))
        assert (
            str(screen(app).query_one("#citizens-status", Static).render())
            == "Søren Ågård er allerede tjekket ind på Medicinudlevering i dag kl. 09.30 af SYG."
        )
        assert [w.person.citizen_id for w in queue(app.skranke).waiting] == ["B9001"]


async def test_b_asks_for_a_sign_in_first(app_at: AppAt) -> None:
    def with_reception(skranke: Skranke) -> None:
        desk_citizens(skranke)
        signed_in(skranke, "reception", initials="KJ", name="Karen Jensen")

    app = app_at(NOW, prepare=with_reception, roles=None)
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
        await type_sign_in(pilot, "KJ", TEST_PIN)
        await wait_for(pilot, lambda: isinstance(app.screen, CitizensScreen))
        await search_for(pilot, "aase")
        assert hit_ids(app) == ["B9003"]
        # Locking drops the screen with its results: nothing of them is left after the next sign-in.
        # From the results a letter is typed into the search too: Esc, Esc leaves the field, l locks.
        await pilot.press("down", "escape", "escape", "l")
        await wait_for(pilot, lambda: app.actor is None)
        app.actor = signed_in(app.skranke, "reception", initials="MN", name="Mette Nielsen")
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, CitizensScreen))
        assert hit_ids(app) == [] and screen(app).query_one("#citizen-query", Input).value == ""


async def test_enter_opens_the_card_even_before_the_search_has_answered(app_at: AppAt) -> None:
    app = app_at(NOW, prepare=desk_citizens, roles=("reception",))
    async with app.run_test(size=TERMINAL) as pilot:
        await open_citizens(pilot)
        await pilot.press(*"B9003", "enter")  # typed (or scanned) faster than the search delay
        await wait_for(pilot, lambda: isinstance(app.screen, CitizenScreen) and app.screen.loaded)
        assert screen_of(app, CitizenScreen).citizen_id == "B9003"


async def test_enter_on_a_row_opens_that_card_and_c_checks_in_from_it(app_at: AppAt) -> None:
    app = app_at(NOW, prepare=desk_citizens, roles=("reception",))
    async with app.run_test(size=TERMINAL) as pilot:
        await open_citizens(pilot)
        await search_for(pilot, "Maagen")
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CitizenScreen) and app.screen.loaded)
        card = screen_of(app, CitizenScreen)
        words = await confirm_check_in(pilot)  # Åse has no dose due: her open case's department
        assert "Åse Berg (Maagen) · født 15.02.1985" in words and "Sted: Stoffrihed" in words
        await wait_for(pilot, lambda: any(look.action == "check_in" for look in card._card.looks))
        assert ("SYG", "check_in") in [(look.staff, look.action) for look in card._card.looks]
        assert "Åse Berg er tjekket ind på Stoffrihed kl. 09.30." in [n.message for n in app._notifications]


async def test_choose_the_place_when_nothing_is_due(app_at: AppAt) -> None:
    app = app_at(NOW, prepare=desk_citizens, roles=("reception",))
    async with app.run_test(size=TERMINAL) as pilot:
        await open_citizens(pilot)
        await search_for(pilot, "B9002")
        await pilot.press("down", "c")  # no dose, appointment or case today: the place chooser
        await wait_for(pilot, lambda: isinstance(app.screen, PlaceChooser))
        await pilot.press("escape")  # nothing recorded
        await pilot.press("C")
        await wait_for(pilot, lambda: isinstance(app.screen, PlaceChooser))
        await pilot.press("down", "enter")  # the second place of the site: Stabilisering
        await wait_for(pilot, lambda: isinstance(app.screen, CheckInDialog))
        await pilot.press("enter")
        assert await wait_for_status(pilot) == "Søren Kjær er tjekket ind på Stabilisering kl. 09.30."


async def test_too_short_and_nothing_found(app_at: AppAt) -> None:
    app = app_at(NOW, prepare=desk_citizens, roles=("reception",))
    async with app.run_test(size=TERMINAL) as pilot:
        await open_citizens(pilot)
        await pilot.press("s")  # one letter: nobody shown (nor logged as seen), the hint stays
        screen(app)._search_now()  # as when the typing pauses
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert hit_ids(app) == [] and found_line(app).startswith("Skriv navn, alias, CPR")
        await pilot.press("backspace")
        await search_for(pilot, "xyz")
        assert hit_ids(app) == [] and found_line(app) == "Ingen borgere fundet for 'xyz'"


async def test_esc_leaves_the_search_field_so_the_screen_keys_work_again(app_at: AppAt) -> None:
    # In the field a letter is text: 'f' must not be lost there when nothing was found.
    app = app_at(NOW, prepare=desk_citizens, roles=("reception",))
    async with app.run_test(size=TERMINAL) as pilot:
        await open_citizens(pilot)
        await search_for(pilot, "xyz")
        await pilot.press("f")
        assert isinstance(app.screen, CitizensScreen) and screen(app).query_one(Input).value == "xyzf"
        await pilot.press("escape", "f")
        await settle(pilot)
        assert type(app.screen).__name__ == "DeadlinesScreen"
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CitizensScreen))
        assert app.focused is not None and app.focused.id == "citizen-query"  # back in the field
        await pilot.press("escape")
        assert app.focused is None
        await pilot.press("escape")
        assert app.focused is not None and app.focused.id == "citizen-query"  # Esc again: back in the field


async def test_a_role_that_may_not_search_is_told_so(app_at: AppAt) -> None:
    app = app_at(NOW, prepare=desk_citizens, roles=("admin",))
    async with app.run_test(size=TERMINAL) as pilot:
        await open_citizens(pilot)
        await search_for(pilot, "soeren")
        assert hit_ids(app) == [] and "må ikke" in found_line(app)


async def test_letters_typed_on_the_hits_go_to_the_search_not_to_another_screen(app_at: AppAt) -> None:
    app = app_at(NOW, prepare=desk_citizens, roles=("reception",))
    async with app.run_test(size=TERMINAL) as pilot:
        await open_citizens(pilot)
        await search_for(pilot, "soeren")
        await pilot.press("down")
        assert app.focused is screen(app).query_one("#citizen-hits", DataTable)
        await pilot.press(*" nbmfdo")  # every one of them an app key (Ny henvendelse, Borger, ...)
        assert isinstance(app.screen, CitizensScreen)
        search = screen(app).query_one("#citizen-query", Input)
        assert focused(app) is search and search.value == "soeren nbmfdo"


async def test_esc_in_the_check_in_dialog_records_nothing(app_at: AppAt) -> None:
    app = app_at(NOW, prepare=desk_citizens, roles=("reception",))
    async with app.run_test(size=TERMINAL) as pilot:
        await open_citizens(pilot)
        await search_for(pilot, "B9001")
        await pilot.press("down", "c")
        await wait_for(pilot, lambda: isinstance(app.screen, CheckInDialog))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, CitizensScreen))
        await pilot.press("n")  # the dialog's "no" is not reachable from here: n on the hits is text
        assert queue(app.skranke).waiting == []
        assert [e for e in audit(app) if e.action == "check_in"] == []


async def test_undo_from_the_card_asks_the_reason_and_the_citizen_may_come_again(app_at: AppAt) -> None:
    app = app_at(NOW, prepare=desk_citizens, roles=("reception",))
    async with app.run_test(size=TERMINAL) as pilot:
        await open_citizens(pilot)
        await search_for(pilot, "B9001")
        await pilot.press("down")
        await confirm_check_in(pilot)
        await wait_for_status(pilot)
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CitizenScreen) and app.screen.loaded)
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonDialog))
        words = " ".join(str(w.render()) for w in app.screen.query(Static))
        assert "Søren Ågård · født 01.01.1980" in words and "Tjekket ind på Medicinudlevering kl. 09.30" in words
        await pilot.press("enter")  # no reason: nothing saved, the dialog says why
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press(*"forkert borger", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CitizenScreen))
        await wait_for(
            pilot, lambda: any(look.action == "check_in_undo" for look in screen_of(app, CitizenScreen)._card.looks)
        )
        assert "Indtjekningen af Søren Ågård på Medicinudlevering kl. 09.30 er fortrudt (forkert borger)." in [
            n.message for n in app._notifications
        ]
        assert queue(app.skranke).waiting == []
        await confirm_check_in(pilot)  # and again, now from the card
        await wait_for(pilot, lambda: [w.person.citizen_id for w in queue(app.skranke).waiting] == ["B9001"])


async def test_a_search_is_logged_once_when_the_typing_settles(app_at: AppAt) -> None:
    app = app_at(NOW, prepare=desk_citizens, roles=("reception",))
    async with app.run_test(size=TERMINAL) as pilot:
        await open_citizens(pilot)
        await search_for(pilot, "soeren")  # six keys in one burst
        searches = [e for e in audit(app) if e.action == "search"]
        assert len(searches) == 1
        assert sorted(searches[0].detail["citizen_ids"]) == ["B9001", "B9002", "B9004", "B9005"]


async def test_reception_sees_who_waits_at_the_window(app_at: AppAt) -> None:
    app = app_at(NOW, prepare=desk_citizens, roles=("reception",))
    async with app.run_test(size=TERMINAL) as pilot:
        await open_citizens(pilot)
        assert "Venter ved vinduet (0)" in screen_text(app)
        await search_for(pilot, "B9001")
        await pilot.press("down")
        await confirm_check_in(pilot)
        await wait_for(pilot, lambda: "Venter ved vinduet (1)" in screen_text(app))
        [waiting] = screen(app).waiting
        assert (waiting.name, waiting.place_name, waiting.minutes) == ("Søren Ågård", "Medicinudlevering", 0)
        assert "tjekket ind 09.30" in screen_text(app)


def screen_text(app: SkrankeApp) -> str:
    import html

    return html.unescape(app.export_screenshot()).replace("\xa0", " ")


def audit(app: SkrankeApp) -> list[AuditEvent]:
    from sqlalchemy import select

    from skranke.store.models import AuditEvent

    with app.skranke.database.reading() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


# --- what the receptionist sees ---------------------------------------------------------------


async def searched(pilot: Pilot[None], typed: str) -> None:
    await open_citizens(pilot)
    await search_for(pilot, typed)


async def highlight(pilot: Pilot[None], citizen_id: str) -> None:
    """Down into the results, then down to the citizen's row."""
    await pilot.press("down", *["down"] * hit_ids(pilot.app).index(citizen_id))


class TestCitizensScreen:
    @SIZES
    def test_empty_search(self, snap_compare: SnapCompare, app_at: AppAt, size: tuple[int, int]) -> None:
        app = app_at(NOW, prepare=desk_citizens, roles=("reception",))
        assert snap_compare(app, terminal_size=size, run_before=open_citizens)

    @SIZES
    def test_results(self, snap_compare: SnapCompare, app_at: AppAt, size: tuple[int, int]) -> None:
        async def results(pilot: Pilot[None]) -> None:
            await searched(pilot, "soeren")
            await highlight(pilot, "B9001")

        app = app_at(NOW, prepare=desk_citizens, roles=("reception",))
        assert snap_compare(app, terminal_size=size, run_before=results)

    @SIZES
    def test_no_hits(self, snap_compare: SnapCompare, app_at: AppAt, size: tuple[int, int]) -> None:
        async def nothing(pilot: Pilot[None]) -> None:
            await searched(pilot, "xyz")

        app = app_at(NOW, prepare=desk_citizens, roles=("reception",))
        assert snap_compare(app, terminal_size=size, run_before=nothing)

    @SIZES
    def test_check_in_dialog(self, snap_compare: SnapCompare, app_at: AppAt, size: tuple[int, int]) -> None:
        async def dialog(pilot: Pilot[None]) -> None:
            await searched(pilot, "soeren")
            await highlight(pilot, "B9001")
            await pilot.press("c")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, CheckInDialog))

        app = app_at(NOW, prepare=desk_citizens, roles=("reception",))
        assert snap_compare(app, terminal_size=size, run_before=dialog)

    @SIZES
    def test_undo_dialog(self, snap_compare: SnapCompare, app_at: AppAt, size: tuple[int, int]) -> None:
        async def dialog(pilot: Pilot[None]) -> None:
            await searched(pilot, "soeren")
            await highlight(pilot, "B9001")
            await confirm_check_in(pilot)
            await wait_for_status(pilot)
            pilot.app.clear_notifications()
            await highlight(pilot, "B9001")
            await pilot.press("x")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReasonDialog))
            await pilot.press(*"forkert borger")

        app = app_at(NOW, prepare=desk_citizens, roles=("reception",))
        assert snap_compare(app, terminal_size=size, run_before=dialog)

    @SIZES
    def test_place_chooser(self, snap_compare: SnapCompare, app_at: AppAt, size: tuple[int, int]) -> None:
        async def chooser(pilot: Pilot[None]) -> None:
            await searched(pilot, "B9002")
            await pilot.press("down", "C")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, PlaceChooser))

        app = app_at(NOW, prepare=desk_citizens, roles=("reception",))
        assert snap_compare(app, terminal_size=size, run_before=chooser)

    @SIZES
    def test_after_a_check_in(self, snap_compare: SnapCompare, app_at: AppAt, size: tuple[int, int]) -> None:
        async def checked_in(pilot: Pilot[None]) -> None:
            await searched(pilot, "soeren")
            await highlight(pilot, "B9001")
            await confirm_check_in(pilot)
            await wait_for_status(pilot)
            pilot.app.clear_notifications()  # the status line says it after the toast has gone
            await pilot.pause()

        app = app_at(NOW, prepare=desk_citizens, roles=("reception",))
        assert snap_compare(app, terminal_size=size, run_before=checked_in)

    @SIZES
    def test_refused(self, snap_compare: SnapCompare, app_at: AppAt, size: tuple[int, int]) -> None:
        async def refused(pilot: Pilot[None]) -> None:
            await searched(pilot, "soeren")
            await highlight(pilot, "B9001")
            await confirm_check_in(pilot)
            await wait_for_status(pilot)
            await highlight(pilot, "B9001")
            await confirm_check_in(pilot)
            await wait_for(pilot, lambda: "-refused" in screen(pilot.app).query_one("#citizens-status").classes)
            await pilot.pause()

        app = app_at(NOW, prepare=desk_citizens, roles=("reception",))
        assert snap_compare(app, terminal_size=size, run_before=refused)


async def test_an_unreachable_database_is_said_not_shown_as_nobody_found() -> None:
    from skranke.ui.widgets.database import DatabaseBanner, NotFetched
    from tests.ui.test_database_faults import UNREACHABLE, app_on, until

    app = app_on(UNREACHABLE)
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await until(pilot, lambda: isinstance(app.screen, CitizensScreen))
        await pilot.press(*"soeren")
        screen(app)._search_now()  # as when the typing pauses
        await until(pilot, lambda: screen(app).has_class("-database-unavailable"))
        assert screen(app).query_one(DatabaseBanner).display
        assert [str(n.render()) for n in screen(app).query(NotFetched) if n.display] == ["Søgningen: kunne ikke hentes"]
        assert not screen(app).query_one("#citizens-found", Static).display  # never "Ingen borgere fundet"
        assert screen(app).shown_query == ""
