"""Medicinudlevering: the queue on screen, the dose dialog, and two workstations on one store."""

from __future__ import annotations

import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session
from textual.pilot import Pilot
from textual.widgets import DataTable, TabbedContent

from skranke.services.access import Actor
from skranke.services.context import Skranke
from skranke.services.staff import add_staff
from skranke.store.models import Citizen, Dispensing, Prescription
from skranke.ui.app import SkrankeApp
from skranke.ui.screens.dose import DoseDialog
from skranke.ui.screens.queue import QueueScreen
from skranke.ui.widgets.database import REFUSED
from tests.conftest import TEST_PIN, make_skranke, signed_in
from tests.ui.conftest import TERMINAL, AppAt, SnapCompare, rounds, screen_of, settle, wait_for
from tests.ui.test_deadlines_snapshots import demo

NOW = "2026-04-09T09:30"
TODAY = date(2026, 4, 9)
SMALL = (80, 24)
SIZES = pytest.mark.parametrize("size", [TERMINAL, SMALL], ids=["120x36", "80x24"])


async def open_queue(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("m")
    async for _ in rounds():
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if isinstance(pilot.app.screen, QueueScreen) and pilot.app.screen.loaded:
            break
    await pilot.pause()


async def open_refused(pilot: Pilot[None]) -> None:
    """Medicin for a role that may not see it: the screen says so instead of a list."""
    await settle(pilot)
    await pilot.press("m")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, QueueScreen) and pilot.app.screen.has_class(REFUSED))


async def open_dose(pilot: Pilot[None], order_id: str) -> None:
    """Highlight the order's row on the waiting tab and press Enter."""
    table = pilot.app.screen.query_one("#waiting", DataTable)
    table.move_cursor(row=table.get_row_index(f"due|{order_id}|1"))
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


def busy(skranke: Skranke) -> None:
    """The demo's orders and its morning at the window (arrivals, given, refused, voided)."""
    from skranke.services.demo import DEMO_STAFF, _demo_morning

    demo(skranke)
    admin = signed_in(skranke, "admin", initials="ADM")
    for initials, name, roles, pin in DEMO_STAFF:
        add_staff(skranke, admin, initials, name, roles, pin)
    _demo_morning(skranke)
    signed_in(skranke, "nurse", initials="SYG", name="Sygeplejerske Sørensen")


def _order(session: Session, order_id: str, citizen_id: str, **values: object) -> None:
    defaults = dict(
        preparation="metadon",
        dose_mg=Decimal("60"),
        doses_per_day=1,
        pickup_rule="FREQ=DAILY",
        supervised=True,
        valid_from=date(2026, 1, 1),
        valid_to=None,
        delivery=False,
        last_dispensed_on=TODAY - timedelta(days=1),
    )
    session.add(Prescription(id=order_id, citizen_id=citizen_id, **(defaults | values)))


def every_alert(skranke: Skranke) -> None:
    """One citizen per alert the queue can show, all checked in."""
    from skranke.services.reception import check_in

    with skranke.database.transaction() as session:
        for number, alias in enumerate(
            ["Hold", "Sprunget", "Ukendt", "Udløber", "Heroin", "Frigivet", "Hjemme"], start=1
        ):
            session.add(
                Citizen(id=f"B{number}", cpr=f"01018{number}1234", first_name="", last_name="", alias=alias, phone="")
            )
        session.flush()
        _order(session, "O1", "B1", last_dispensed_on=TODAY - timedelta(days=6))  # 5 days: hold
        _order(session, "O2", "B2", last_dispensed_on=TODAY - timedelta(days=3))  # 2 days missed
        _order(session, "O3", "B3", last_dispensed_on=None)  # no history
        _order(session, "O4", "B4", valid_to=TODAY + timedelta(days=2))  # ends soon
        _order(session, "O5", "B5", preparation="diacetylmorfin", doses_per_day=2, dose_mg=Decimal("250"))
        _order(session, "O6", "B6", last_dispensed_on=TODAY - timedelta(days=8))  # held, then released
        _order(
            session,
            "O7",
            "B7",
            preparation="buprenorfin",
            dose_mg=Decimal("16"),
            pickup_rule="FREQ=WEEKLY;BYDAY=MO,TH",
            supervised=False,
        )
    doctor = signed_in(skranke, "doctor", initials="LGE")
    nurse = signed_in(skranke, "nurse", initials="SYG", name="Sygeplejerske Sørensen")
    for citizen in ("B1", "B2", "B3", "B4", "B6", "B7"):
        check_in(skranke, nurse, citizen)
    from skranke.services.dispensing import dispense, release

    check_in(skranke, nurse, "B5")
    dispense(skranke, nurse, "O5", "given", 1)  # dose 2 waits 30 minutes
    release(skranke, doctor, "O6", "set af lægen, nedsat dosis", Decimal("30"))


class TestQueueScreen:
    @SIZES
    def test_empty_morning(self, snap_compare: SnapCompare, app_at: AppAt, size: tuple[int, int]) -> None:
        app = app_at(NOW, prepare=demo)
        assert snap_compare(app, terminal_size=size, run_before=open_queue)

    @SIZES
    def test_busy(self, snap_compare: SnapCompare, app_at: AppAt, size: tuple[int, int]) -> None:
        app = app_at(NOW, prepare=busy, roles=None)
        app.actor = make_actor(app)
        assert snap_compare(app, terminal_size=size, run_before=open_queue)

    @SIZES
    def test_refused_to_reception(self, snap_compare: SnapCompare, app_at: AppAt, size: tuple[int, int]) -> None:
        app = app_at(NOW, prepare=busy, roles=None)
        app.actor = reception(app)
        assert snap_compare(app, terminal_size=size, run_before=open_refused)

    @SIZES
    def test_every_alert(self, snap_compare: SnapCompare, app_at: AppAt, size: tuple[int, int]) -> None:
        app = app_at(NOW, prepare=every_alert, roles=None)
        app.actor = make_actor(app)
        assert snap_compare(app, terminal_size=size, run_before=open_queue)

    @SIZES
    def test_a_hold_in_the_dialog(self, snap_compare: SnapCompare, app_at: AppAt, size: tuple[int, int]) -> None:
        async def hold(pilot: Pilot[None]) -> None:
            await open_queue(pilot)
            await open_dose(pilot, "O1")

        app = app_at(NOW, prepare=every_alert, roles=None)
        app.actor = make_actor(app)
        assert snap_compare(app, terminal_size=size, run_before=hold)

    @SIZES
    def test_the_dose_dialog(self, snap_compare: SnapCompare, app_at: AppAt, size: tuple[int, int]) -> None:
        async def dialog(pilot: Pilot[None]) -> None:
            await open_queue(pilot)
            await open_dose(pilot, "O6")  # released by the doctor with a reduced dose

        app = app_at(NOW, prepare=every_alert, roles=None)
        app.actor = make_actor(app)
        assert snap_compare(app, terminal_size=size, run_before=dialog)


class TestDoseDialog:
    """The dose dialog: the full name, the birth date asked for, a mismatch, the refusal's reasons."""

    @SIZES
    def test_a_wrong_birth_date(self, snap_compare: SnapCompare, app_at: AppAt, size: tuple[int, int]) -> None:
        async def mismatch(pilot: Pilot[None]) -> None:
            await open_queue(pilot)
            await open_dose(pilot, "O2")
            await pilot.press(*"311299", "enter")
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()

        app = app_at(NOW, prepare=every_alert, roles=None)
        app.actor = make_actor(app)
        assert snap_compare(app, terminal_size=size, run_before=mismatch)

    @SIZES
    def test_the_refusal_reasons(self, snap_compare: SnapCompare, app_at: AppAt, size: tuple[int, int]) -> None:
        async def refusal(pilot: Pilot[None]) -> None:
            await open_queue(pilot)
            await open_dose(pilot, "O2")
            await pilot.press("r", "1")
            await pilot.pause()

        app = app_at(NOW, prepare=every_alert, roles=None)
        app.actor = make_actor(app)
        assert snap_compare(app, terminal_size=size, run_before=refusal)


def done_count(screen: QueueScreen) -> int:
    """How many doses the Done tab says are done: what the window sees without opening it."""
    label = str(screen.query_one(TabbedContent).get_tab("tab-done").label)
    return int(label.rsplit("(", 1)[1].rstrip(")"))


async def done_table(pilot: Pilot[None], screen: QueueScreen) -> DataTable[Any]:
    """The Done tab opened, its table filled as the window would see it."""
    screen.query_one(TabbedContent).active = "tab-done"
    await pilot.pause()
    return screen.query_one("#done", DataTable)


def reception(app: SkrankeApp) -> Actor:
    """Karen Jensen of the demo's staff: reception only."""
    from skranke.services.staff import sign_in

    return sign_in(app.skranke, "KJ", "1111")


def make_actor(app: SkrankeApp) -> Actor:
    from skranke.services.staff import sign_in

    return sign_in(app.skranke, "SYG", TEST_PIN)


async def test_a_held_dose_cannot_be_given_from_the_dialog(app_at: AppAt) -> None:
    app = app_at(NOW, prepare=every_alert, roles=None)
    app.actor = make_actor(app)
    async with app.run_test(size=TERMINAL) as pilot:
        await open_queue(pilot)
        await open_dose(pilot, "O1")
        dialog = app.screen
        assert isinstance(dialog, DoseDialog) and dialog.row.dose.state == "hold"
        await pilot.press(*"010181", "enter")  # the right birth date: still held
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "afventer lægevurdering" in str(dialog.query_one(".dialog-error").render())
    with app.skranke.database.reading() as session:
        assert session.query(Dispensing).filter_by(prescription_id="O1").count() == 0


async def test_a_dose_given_on_one_workstation_is_done_on_the_other_within_two_seconds(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    setup = make_skranke(NOW, url)
    every_alert(setup)
    setup.close()
    window, reception = SkrankeApp(make_skranke(NOW, url)), SkrankeApp(make_skranke(NOW, url))
    window.actor, reception.actor = make_actor(window), make_actor(reception)
    async with window.run_test(size=TERMINAL) as at_window, reception.run_test(size=TERMINAL) as at_reception:
        await open_queue(at_window)
        await open_queue(at_reception)
        other = reception.screen
        assert isinstance(other, QueueScreen)
        before = done_count(other)
        await open_dose(at_window, "O2")  # "Sprunget": two days missed, may be given
        assert isinstance(window.screen, DoseDialog)
        await at_window.press(*"010182", "enter")
        await window.workers.wait_for_complete()
        await at_window.pause()
        assert isinstance(window.screen, QueueScreen)
        started = time.monotonic()
        while done_count(other) == before and time.monotonic() - started < 2.0:
            await at_reception.pause(0.1)
        assert done_count(other) == before + 1, "not seen within 2 seconds"
        assert (await done_table(at_reception, other)).row_count == before + 1
        assert (await done_table(at_window, window.screen)).row_count == before + 1


async def test_the_done_tab_says_why_a_dose_was_refused_in_words(app_at: AppAt) -> None:
    from skranke.services.dispensing import dispense

    app = app_at(NOW, prepare=every_alert, roles=None)
    app.actor = make_actor(app)
    dispense(app.skranke, app.actor, "O2", "refused", refusal="declined", reason="kommer i eftermiddag")
    async with app.run_test(size=TERMINAL) as pilot:
        await open_queue(pilot)
        table = await done_table(pilot, screen_of(app, QueueScreen))
        notes = [str(cell) for cell in table.get_column_at(len(table.ordered_columns) - 1)]  # the Note column
        assert notes == ["borgeren afslog: kommer i eftermiddag"]
        # The take-home column, not the Home key's "Til start" (one msgid had both meanings).
        assert [str(column.label) for column in table.ordered_columns][5] == "Hjem"


async def test_reception_sees_no_one_in_the_queue_and_a_nurse_after_her_does(app_at: AppAt) -> None:
    from skranke.ui.screens.today import TodayScreen
    from tests.ui.test_sign_in import type_sign_in

    app = app_at(NOW, prepare=busy, roles=None)
    app.actor = reception(app)
    async with app.run_test(size=TERMINAL) as pilot:
        await open_refused(pilot)
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        shown = "\n".join(str(widget.render()) for widget in screen.query("Static") if widget.display)
        assert "må ikke se udleveringskøen" in shown
        assert all(table.row_count == 0 for table in screen.query(DataTable))

        await pilot.press("l")  # she locks the desk; the nurse signs in to Medicin
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen))
        await pilot.press("m")
        await type_sign_in(pilot, "SYG", TEST_PIN)
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen) and app.screen.loaded)
        assert not app.screen.has_class(REFUSED)
        assert app.screen.query_one("#waiting", DataTable).row_count > 0


@SIZES
async def test_every_row_with_an_alert_is_marked_and_nothing_is_cut_without_an_ellipsis(
    app_at: AppAt, size: tuple[int, int]
) -> None:
    app = app_at(NOW, prepare=every_alert, roles=None)
    app.actor = make_actor(app)
    async with app.run_test(size=size) as pilot:
        await open_queue(pilot)
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        table = screen.query_one("#waiting", DataTable)
        assert sum(c.get_render_width(table) for c in table.ordered_columns) <= table.size.width
        view = screen._view
        assert view is not None
        for index, row in enumerate(r for r in view.due if r.arrived):
            line = table.render_line(index + 1).text  # under the header
            assert line.lstrip().startswith("!") == bool(row.dose.alerts), line
            if row.dose.alerts:
                assert line.rstrip().endswith("…"), line  # the alerts, shortened where they are cut


async def test_the_last_queue_stays_read_only_and_stamped_while_the_database_is_down(app_at: AppAt) -> None:
    from skranke.services.errors import DatabaseUnavailable, Reason
    from skranke.ui.widgets.database import NotFetched

    app = app_at(NOW, prepare=every_alert, roles=None)
    app.actor = make_actor(app)
    app.RETRY_SECONDS = 600  # the fault stays until the test says the database is back
    async with app.run_test(size=TERMINAL) as pilot:
        await open_queue(pilot)
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        rows = screen.query_one("#waiting", DataTable).row_count
        app.report_database_fault(DatabaseUnavailable(Reason.UNREACHABLE, "server"))
        await pilot.pause()
        assert screen.query_one("#queue-tabs").display and screen.query_one("#waiting", DataTable).row_count == rows
        stamp = str(screen.query_one(NotFetched).render())
        assert "sidst hentet kl. 09.30" in stamp and "intet kan registreres" in stamp
        await pilot.press("enter")  # nothing can be recorded: no dialog opens
        await pilot.pause()
        assert app.screen is screen
        app._database_back()  # what the probe does when the database answers
        await wait_for(pilot, lambda: not screen.has_class("-stale"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DoseDialog))
