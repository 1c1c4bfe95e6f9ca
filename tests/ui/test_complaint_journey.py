"""A complaint registered on the citizen card and answered on Frister, by keys alone.

000 § 8.1: "Odense Kommune skal svare på borgerens klage senest 4 uger efter at klagen er
afleveret/indgivet". Reception registers it (`k` on the card: the kind, the day received, Enter),
Frister's Læge/klager tab lists it with its deadline, and `u` there (with a confirmation naming
the citizen) records the answer; both in the store and the audit log under the staff member.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from skranke.store.models import AuditEvent, Complaint
from skranke.ui.app import SkrankeApp
from skranke.ui.screens.citizen import CitizenScreen
from skranke.ui.screens.citizens import CitizensScreen
from skranke.ui.screens.complaint import AnswerDialog, ComplaintDialog
from skranke.ui.screens.deadlines import DeadlinesScreen
from skranke.ui.screens.sign_in import SignInScreen
from skranke.ui.screens.today import TodayScreen
from tests.ui.conftest import SIZES, AppAt, SnapCompare, screen_of, settle, wait_for
from tests.ui.test_queue_screen import NOW, busy


def _complaints(app: SkrankeApp) -> list[Complaint]:
    with app.skranke.database.reading() as session:
        return list(session.scalars(select(Complaint).order_by(Complaint.id)))


def _events(app: SkrankeApp, action: str) -> list[AuditEvent]:
    with app.skranke.database.reading() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _words(screen: Screen[Any]) -> str:
    return " ".join(str(widget.render()) for widget in screen.query(Static))


async def _card_of_daniel_laursen(app: App[Any], pilot: Pilot[None]) -> CitizenScreen:
    """From I dag: Borger, KJ's sign-in, "laursen", the first hit's card."""
    await settle(pilot)
    assert isinstance(app.screen, TodayScreen)
    await pilot.press("b")
    await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
    await pilot.press(*"KJ", "tab", *"1111", "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, CitizensScreen))
    hits = app.screen.query_one("#citizen-hits", DataTable)
    await pilot.press(*"daniel laursen", "down")
    await wait_for(pilot, lambda: app.focused is hits and hits.row_count == 1)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, CitizenScreen) and app.screen.loaded)
    return screen_of(app, CitizenScreen)


@SIZES
async def test_a_complaint_registered_on_the_card_and_answered_on_frister(app_at: AppAt, size: tuple[int, int]) -> None:
    app = app_at(NOW, prepare=busy, roles=None)
    async with app.run_test(size=size) as pilot:
        card = await _card_of_daniel_laursen(app, pilot)

        # k asks, naming the citizen; Esc records nothing.
        await pilot.press("k")
        await wait_for(pilot, lambda: isinstance(app.screen, ComplaintDialog))
        asked = _words(app.screen)
        assert "Daniel Laursen · født 29.06.2001" in asked and "B0065" in asked
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is card)
        assert _complaints(app) == []

        # A complaint received three days ago, typed over today's date: Enter on the kind, the
        # date (every key there is text: "k" and digits alike), Enter registers.
        await pilot.press("k")
        await wait_for(pilot, lambda: isinstance(app.screen, ComplaintDialog))
        dialog = app.screen
        await pilot.press("enter")
        received = dialog.query_one("#complaint-received", Input)
        await wait_for(pilot, lambda: app.focused is received)
        await pilot.press("ctrl+u", *"06.04.2026", "enter")
        await wait_for(pilot, lambda: app.screen is card and len(_complaints(app)) == 1)
        complaint = _complaints(app)[0]
        assert (complaint.citizen_id, complaint.kind, complaint.received_on, complaint.recorded_by) == (
            "B0065",
            "complaint",
            date(2026, 4, 6),
            "KJ",
        )
        [added] = _events(app, "complaint_add")
        assert (added.staff, added.citizen_id, added.entity_id) == ("KJ", "B0065", str(complaint.id))

        # A date in the future is refused in the dialog, naming it; nothing is written.
        await pilot.press("k")
        await wait_for(pilot, lambda: isinstance(app.screen, ComplaintDialog))
        await pilot.press("down", "enter", "ctrl+u", *"10.04.2026", "enter")
        await wait_for(pilot, lambda: "10.04.2026" in _words(app.screen))
        assert "fremtiden" in _words(app.screen) and len(_complaints(app)) == 1
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is card)

        # Frister, tab 5: the complaint with its deadline 4 weeks on (000 § 8.1).
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, CitizensScreen))
        # Esc on the hits goes to the search field, Esc there leaves it: then f is Frister.
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.focused, Input))
        await pilot.press("escape", "f")
        await wait_for(pilot, lambda: isinstance(app.screen, DeadlinesScreen) and app.screen.loaded)
        await pilot.press("5")
        table = app.screen.query_one("#medical", DataTable)
        await wait_for(pilot, lambda: app.focused is table and table.row_count > 0)
        keys = [row.key.value or "" for row in table.ordered_rows]
        row = keys.index(f"#{complaint.id}|B0065")
        assert "04.05." in [str(cell) for cell in table.get_row_at(row)]
        await pilot.press(*["down"] * row, "u")
        await wait_for(pilot, lambda: isinstance(app.screen, AnswerDialog))
        asked = _words(app.screen)
        assert "Daniel Laursen" in asked and f"Klage nr. {complaint.id}, modtaget 06.04.2026" in asked
        await pilot.press("enter")
        await wait_for(pilot, lambda: _complaints(app)[0].answered_on is not None)
        await wait_for(pilot, lambda: f"#{complaint.id}|B0065" not in [r.key.value for r in table.ordered_rows])
    answered = _complaints(app)[0]
    assert (answered.answered_on, answered.answered_by) == (date(2026, 4, 9), "KJ")
    [event] = _events(app, "complaint_answer")
    assert (event.staff, event.citizen_id) == ("KJ", "B0065")


class TestComplaintDialog:
    @SIZES
    def test_asked(self, snap_compare: SnapCompare, app_at: AppAt, size: tuple[int, int]) -> None:
        async def asked(pilot: Pilot[None]) -> None:
            await _card_of_daniel_laursen(pilot.app, pilot)
            await pilot.press("k")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, ComplaintDialog))

        assert snap_compare(app_at(NOW, prepare=busy, roles=None), terminal_size=size, run_before=asked)

    @SIZES
    def test_a_day_that_is_no_date(self, snap_compare: SnapCompare, app_at: AppAt, size: tuple[int, int]) -> None:
        async def refused(pilot: Pilot[None]) -> None:
            await _card_of_daniel_laursen(pilot.app, pilot)
            await pilot.press("k")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, ComplaintDialog))
            await pilot.press("down", "enter", "ctrl+u", *"31.02.2026", "enter")
            await wait_for(pilot, lambda: "31.02.2026" in _words(pilot.app.screen))

        assert snap_compare(app_at(NOW, prepare=busy, roles=None), terminal_size=size, run_before=refused)
