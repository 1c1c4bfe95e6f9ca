"""The whole path of a morning (issue 12): reception signs in, finds "soeren", checks him in; the
window, a second application on the same store, gives the dose; it is done on the window's queue
and counted on reception's I dag within 2 s (the queue itself is the nurses': DESIGN §1)."""

from __future__ import annotations

import time
from pathlib import Path

from textual.widgets import DataTable

from skranke.ui.app import SkrankeApp
from skranke.ui.screens.check_in import CheckInDialog
from skranke.ui.screens.citizens import CitizensScreen
from skranke.ui.screens.dose import DoseDialog
from skranke.ui.screens.queue import QueueScreen
from skranke.ui.screens.sign_in import SignInScreen
from skranke.ui.screens.today import TodayScreen
from skranke.ui.widgets.database import REFUSED
from tests.conftest import TEST_PIN, make_skranke, signed_in
from tests.ui.conftest import TERMINAL, settle, wait_for
from tests.ui.test_citizens_screen import NOW, desk_citizens, hit_ids, search_for
from tests.ui.test_queue_screen import done_table, open_dose


async def test_sign_in_find_check_in_and_give_seen_on_both_workstations(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    setup = make_skranke(NOW, url)
    desk_citizens(setup)
    signed_in(setup, "reception", initials="KJ", name="Karen Jensen")
    signed_in(setup, "nurse", initials="MN", name="Mette Nielsen")
    setup.close()
    reception, window = SkrankeApp(make_skranke(NOW, url)), SkrankeApp(make_skranke(NOW, url))
    async with reception.run_test(size=TERMINAL) as desk, window.run_test(size=TERMINAL) as counter:
        # Reception: b asks for initials and PIN first.
        await settle(desk)
        await desk.press("b")
        await wait_for(desk, lambda: isinstance(reception.screen, SignInScreen))
        await desk.press(*"KJ", "enter")
        await desk.pause()
        await desk.press(*TEST_PIN, "enter")
        await wait_for(desk, lambda: reception.actor is not None)
        await wait_for(desk, lambda: isinstance(reception.screen, CitizensScreen))  # where b was going
        await search_for(desk, "soeren")
        ids = hit_ids(reception)
        await desk.press("down", *["down"] * ids.index("B9001"), "c")
        await wait_for(desk, lambda: isinstance(reception.screen, CheckInDialog))  # asks first, naming Søren
        await desk.press("enter")
        await wait_for(desk, lambda: "tjekket ind" in str(reception.screen.query_one("#citizens-status").render()))

        # The window: signs in, opens the queue; Søren is waiting.
        await settle(counter)
        await counter.press("m")
        await wait_for(counter, lambda: isinstance(window.screen, SignInScreen))
        await counter.press(*"MN", "enter")
        await counter.pause()
        await counter.press(*TEST_PIN, "enter")
        await wait_for(counter, lambda: window.actor is not None)
        await wait_for(counter, lambda: isinstance(window.screen, QueueScreen) and window.screen.loaded)
        assert isinstance(window.screen, QueueScreen)
        waiting = window.screen.query_one("#waiting", DataTable)
        assert waiting.get_row_index("due|O9001|1") == 0

        # Reception goes back to I dag, which counts Søren as waiting; the window gives the dose.
        await reception.run_action("open('today')")
        await wait_for(desk, lambda: isinstance(reception.screen, TodayScreen))
        await wait_for(desk, lambda: "1 venter" in medicine_count(reception))
        await open_dose(counter, "O9001")
        assert isinstance(window.screen, DoseDialog)
        await counter.press(*"010180", "enter")  # Søren's birth date, as he says it
        await window.workers.wait_for_complete()
        await counter.pause()
        started = time.monotonic()
        while "0 venter" not in medicine_count(reception) and time.monotonic() - started < 2.0:
            await desk.pause(0.1)
        assert "Medicin: 0 venter, 0 doser at give" in medicine_count(reception), "reception's I dag did not count it"
        assert (await done_table(counter, window.screen)).row_count == 1
        # The queue is the window's: reception's role may not see it (names and doses).
        await reception.run_action("open('queue')")
        await wait_for(desk, lambda: isinstance(reception.screen, QueueScreen) and reception.screen.has_class(REFUSED))


def medicine_count(app: SkrankeApp) -> str:
    return str(app.screen.query_one("#count-medicine").render())
