"""Take-home labels at the window (issue 27), by keys alone from I dag: a dose given with
take-home gets its label (saved here: no printer set), the Done tab's `p` makes it again, and
each is in the audit log naming the citizen. The Done tab with `p` as a snapshot at both sizes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from textual.pilot import Pilot
from textual.widgets import TabbedContent

from skranke.services.context import Skranke
from skranke.services.staff import add_staff, sign_in
from skranke.store.models import Citizen
from skranke.ui.screens.queue import QueueScreen
from tests.conftest import signed_in
from tests.documents.conftest import pdf_text
from tests.ui.conftest import SIZES, TERMINAL, AppAt, SnapCompare, settle
from tests.ui.test_queue_screen import NOW, TODAY, _order
from tests.ui.test_window_journeys import (
    back_at_queue,
    dialog_open,
    events,
    records_of,
    sign_in_to_the_queue,
    wait_for,
)


def take_home_morning(skranke: Skranke) -> None:
    """Søren, checked in on a Thursday for a supervised dose with the weekend at home, and the
    demo's staff, who sign in by keys."""
    from skranke.services.demo import DEMO_STAFF
    from skranke.services.reception import check_in

    with skranke.database.transaction() as session:
        session.add(Citizen(id="B1", cpr="0101801234", first_name="Søren", last_name="Ågård", alias="", phone=""))
        session.flush()
        _order(
            session,
            "O1",
            "B1",
            dose_mg=Decimal("70"),
            pickup_rule="FREQ=WEEKLY;BYDAY=MO,TH",
            last_dispensed_on=TODAY - timedelta(days=3),
        )
    admin = signed_in(skranke, "admin", initials="ADM")
    for initials, name, roles, pin in DEMO_STAFF:
        add_staff(skranke, admin, initials, name, roles, pin)
    check_in(skranke, sign_in(skranke, "MN", "2222"), "B1")


def given_with_take_home(skranke: Skranke) -> None:
    from skranke.services.dispensing import dispense

    take_home_morning(skranke)
    dispense(skranke, sign_in(skranke, "MN", "2222"), "O1", "given")


async def test_a_take_home_dose_gets_its_label_and_p_makes_it_again(app_at: AppAt) -> None:
    app = app_at(NOW, prepare=take_home_morning, roles=None)
    async with app.run_test(size=TERMINAL) as pilot:
        await sign_in_to_the_queue(pilot, "MN", "2222")
        await pilot.press("enter")
        dialog = await dialog_open(pilot)
        assert (dialog.row.dose.take_home_days, dialog.row.dose.take_home_mg) == (3, Decimal("210"))
        await pilot.press(*"010180", "enter")
        await back_at_queue(pilot)
        await wait_for(pilot, lambda: len(events(app, "label")) == 1)
        [record] = records_of(app, "O1")
        saved = app.skranke.data_dir() / "labels" / f"label-{record.id}.pdf"
        text = pdf_text(saved.read_bytes())
        assert "Søren Ågård" in text and "3 dage · i alt 210 mg (210 ml)" in text
        assert "Opbevares utilgængeligt for børn" in text

        saved.unlink()
        await pilot.press("right", "right", "right")  # to Færdig
        await wait_for(pilot, lambda: app.screen.query_one("#queue-tabs", TabbedContent).active == "tab-done")
        await pilot.press("p")
        await wait_for(pilot, lambda: len(events(app, "label")) == 2)
        await wait_for(pilot, saved.exists)
    assert [(e.staff, e.citizen_id, e.entity_id) for e in events(app, "label")] == [
        ("MN", "B1", str(record.id)),
        ("MN", "B1", str(record.id)),
    ]
    assert [(e.staff, e.entity_id) for e in events(app, "dispense")] == [("MN", str(record.id))]


class TestDoneTab:
    @SIZES
    def test_the_label_key_on_a_take_home_record(
        self, snap_compare: SnapCompare, app_at: AppAt, size: tuple[int, int]
    ) -> None:
        app = app_at(NOW, prepare=given_with_take_home)

        async def done_tab(pilot: Pilot[None]) -> None:
            await settle(pilot)
            await pilot.press("m")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, QueueScreen) and pilot.app.screen.loaded)
            await pilot.press("right", "right", "right")
            await wait_for(pilot, lambda: pilot.app.screen.query_one("#queue-tabs", TabbedContent).active == "tab-done")
            await pilot.pause()

        assert snap_compare(app, terminal_size=size, run_before=done_tab)
