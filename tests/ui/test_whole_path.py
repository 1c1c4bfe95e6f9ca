"""The whole path of a morning (issue 12): reception signs in, finds "soeren", checks him in; the
window, a second application on the same store, gives the dose; both see it done within 2 s."""

from __future__ import annotations

import time

from textual.widgets import DataTable

from skranke.ui.app import SkrankeApp
from skranke.ui.screens.citizens import CitizensScreen
from skranke.ui.screens.dose import DoseDialog
from skranke.ui.screens.queue import QueueScreen
from skranke.ui.screens.sign_in import SignInScreen
from tests.conftest import TEST_PIN, make_skranke, signed_in
from tests.ui.conftest import TERMINAL, settle
from tests.ui.test_citizens_screen import NOW, desk_citizens, hit_ids, search_for, wait_for
from tests.ui.test_queue_screen import done_count, done_table, open_dose


async def test_sign_in_find_check_in_and_give_seen_on_both_workstations(tmp_path):
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

        # Reception opens the queue too, then the window gives the dose.
        await reception.run_action("open('queue')")  # the search field has the focus: "m" would be typed
        await wait_for(desk, lambda: isinstance(reception.screen, QueueScreen) and reception.screen.loaded)
        at_reception = reception.screen
        assert isinstance(at_reception, QueueScreen)
        await open_dose(counter, "O9001")
        assert isinstance(window.screen, DoseDialog)
        await counter.press("g")
        await window.workers.wait_for_complete()
        await counter.pause()
        started = time.monotonic()
        while done_count(at_reception) == 0 and time.monotonic() - started < 2.0:
            await desk.pause(0.1)
        assert done_count(at_reception) == 1, "the reception's queue did not show the dose within 2 seconds"
        assert (await done_table(desk, at_reception)).row_count == 1
        assert (await done_table(counter, window.screen)).row_count == 1
