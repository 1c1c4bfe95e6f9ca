"""The medication window by keys alone (DESIGN §6): each journey starts at I dag with nobody
signed in, uses only key presses (a burst per text form among them), and asserts on the store
and the audit log. Two workstations on one store for what must be seen live."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable
from textual.worker import WorkerCancelled, WorkerFailed

from skranke.services.audit import AuditEntry, audit_events
from skranke.services.context import Skranke
from skranke.services.dispensing import birth_date_digits, dispense
from skranke.services.identity import birth_date_of
from skranke.services.staff import add_staff, sign_in
from skranke.store.models import Citizen, DayClosing, Dispensing, HoldRelease, Prescription, Task
from skranke.ui.app import SkrankeApp
from skranke.ui.screens.confirm import ConfirmDialog
from skranke.ui.screens.dose import DoseDialog, VoidDialog
from skranke.ui.screens.queue import QueueScreen
from skranke.ui.screens.sign_in import SignInScreen
from tests.conftest import make_skranke, signed_in
from tests.ui.conftest import TERMINAL, AppAt, rounds, settle
from tests.ui.test_queue_screen import NOW, busy, every_alert


async def wait_for(pilot: Pilot[None], condition: Callable[[], object]) -> None:
    """Until `condition()` holds, waiting on the workers between looks. The queue's loads are
    exclusive (a newer one cancels the older): a cancelled one is no failure here."""
    async for _ in rounds():
        with contextlib.suppress(WorkerCancelled, WorkerFailed):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if condition():
            return
    raise AssertionError("the screen never got there")


AFTER_HOURS = "2026-04-09T17:05"  # the medicine room closed at 17.00


def alerts_and_demo_staff(skranke: Skranke) -> None:
    """`every_alert`'s citizens (a hold among them) and the demo's staff, who sign in by keys."""
    from skranke.services.demo import DEMO_STAFF

    every_alert(skranke)
    admin = signed_in(skranke, "admin", initials="ADM")
    for initials, name, roles, pin in DEMO_STAFF:
        add_staff(skranke, admin, initials, name, roles, pin)


async def sign_in_to_the_queue(pilot: Pilot[None], initials: str, pin: str) -> QueueScreen:
    """From I dag: m asks for a sign-in, then the queue."""
    await settle(pilot)
    await pilot.press("m")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, SignInScreen))
    await pilot.press(*initials, "enter")
    await pilot.pause()
    await pilot.press(*pin, "enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, QueueScreen) and pilot.app.screen.loaded)
    screen = pilot.app.screen
    assert isinstance(screen, QueueScreen)
    return screen


def highlighted(screen: QueueScreen, table_id: str = "#waiting") -> str:
    """The key of the row the highlight shows (read, not moved)."""
    table = screen.query_one(table_id, DataTable)
    return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)


def order_of(key: str) -> str:
    return key.split("|")[1]


def birth_digits(app: SkrankeApp, order_id: str) -> str:
    with app.skranke.database.reading() as session:
        order = session.get(Prescription, order_id)
        assert order is not None
        citizen = session.get(Citizen, order.citizen_id)
        assert citizen is not None
        born = birth_date_of(citizen.cpr)
    assert born is not None
    return birth_date_digits(born)


def records_of(app: SkrankeApp, order_id: str) -> list[Dispensing]:
    with app.skranke.database.reading() as session:
        return list(session.query(Dispensing).filter_by(prescription_id=order_id, voided_at=None))


def events(app: SkrankeApp, action: str) -> list[AuditEntry]:
    admin = sign_in(app.skranke, "AH", "4444")
    return [e for e in audit_events(app.skranke, admin) if e.action == action]


async def dialog_open(pilot: Pilot[None]) -> DoseDialog:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, DoseDialog))
    dialog = pilot.app.screen
    assert isinstance(dialog, DoseDialog)
    return dialog


async def back_at_queue(pilot: Pilot[None]) -> None:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, QueueScreen))


def error_of(dialog: Screen[Any]) -> str:
    return str(dialog.query_one(".dialog-error").render())


# --- the nurse ---------------------------------------------------------------------------------


async def test_nurse_gives_a_dose_with_the_right_birth_date(app_at: AppAt) -> None:
    app = app_at(NOW, prepare=busy, roles=None)
    async with app.run_test(size=TERMINAL) as pilot:
        queue = await sign_in_to_the_queue(pilot, "MN", "2222")
        order = order_of(highlighted(queue))
        await pilot.press("enter")
        dialog = await dialog_open(pilot)
        assert dialog.row.person.name and dialog.row.person.name in str(dialog.query_one("#dose-person").render())
        await pilot.press(*birth_digits(app, order), "enter")  # a burst: the six digits and Enter
        await back_at_queue(pilot)
    [record] = records_of(app, order)
    assert (record.outcome, record.staff_id) == ("given", "MN")
    assert [e.staff for e in events(app, "dispense") if e.entity_id == str(record.id)] == ["MN"]


async def test_nurse_opens_and_gives_in_one_burst(app_at: AppAt) -> None:
    """Enter, the six digits and Enter typed at once (a fast typist): nothing lost."""
    app = app_at(NOW, prepare=busy, roles=None)
    async with app.run_test(size=TERMINAL) as pilot:
        queue = await sign_in_to_the_queue(pilot, "MN", "2222")
        order = order_of(highlighted(queue))
        await pilot.press("enter", *birth_digits(app, order), "enter")
        await wait_for(pilot, lambda: bool(records_of(app, order)))
    assert [r.outcome for r in records_of(app, order)] == ["given"]


async def test_a_wrong_birth_date_gives_nothing_and_is_logged(app_at: AppAt) -> None:
    app = app_at(NOW, prepare=busy, roles=None)
    async with app.run_test(size=TERMINAL) as pilot:
        queue = await sign_in_to_the_queue(pilot, "MN", "2222")
        order = order_of(highlighted(queue))
        await pilot.press("enter")
        dialog = await dialog_open(pilot)
        wrong = "311299" if birth_digits(app, order) != "311299" else "300199"
        await pilot.press(*wrong, "enter")
        await wait_for(pilot, lambda: "passer ikke" in error_of(dialog))
        assert app.screen is dialog  # still open: ask again, or refuse
    assert records_of(app, order) == []
    [event] = events(app, "identity_mismatch")
    assert (event.staff, event.entity, event.entity_id) == ("MN", "prescription", order)
    assert event.citizen_id == dialog.row.person.citizen_id


async def test_nurse_refuses_an_intoxicated_citizen_by_number_key(app_at: AppAt) -> None:
    """r, 1, Enter: the reasons have focus, so 1 picks a reason (today it was typed into the note)."""
    app = app_at(NOW, prepare=busy, roles=None)
    async with app.run_test(size=TERMINAL) as pilot:
        queue = await sign_in_to_the_queue(pilot, "MN", "2222")
        order = order_of(highlighted(queue))
        await pilot.press("enter")
        dialog = await dialog_open(pilot)
        citizen = dialog.row.person.citizen_id
        await pilot.press("r")
        await pilot.press("1")
        await pilot.press("enter")
        await back_at_queue(pilot)
    [record] = records_of(app, order)
    assert record.outcome == "refused" and record.reason.startswith("intoxicated")
    with app.skranke.database.reading() as session:
        [task] = session.query(Task).filter_by(kind="tell_doctor", citizen_id=citizen).all()
    assert task.done_at is None and task.note == "påvirket"


async def test_a_refusal_note_takes_digits_as_text_and_enter_saves_from_it(app_at: AppAt) -> None:
    app = app_at(NOW, prepare=busy, roles=None)
    async with app.run_test(size=TERMINAL) as pilot:
        queue = await sign_in_to_the_queue(pilot, "MN", "2222")
        order = order_of(highlighted(queue))
        await pilot.press("enter")
        await dialog_open(pilot)
        await pilot.press("r", "3", "tab", *"kommer kl 14", "enter")  # a burst into the note
        await back_at_queue(pilot)
    [record] = records_of(app, order)
    assert (record.outcome, record.reason) == ("refused", "other kommer kl 14")


async def test_esc_in_the_refusal_records_nothing(app_at: AppAt) -> None:
    app = app_at(NOW, prepare=busy, roles=None)
    async with app.run_test(size=TERMINAL) as pilot:
        queue = await sign_in_to_the_queue(pilot, "MN", "2222")
        order = order_of(highlighted(queue))
        await pilot.press("enter")
        dialog = await dialog_open(pilot)
        await pilot.press("r", "2", "escape")
        await pilot.pause()
        assert app.screen is dialog and not dialog.has_class("-refuse")
        await pilot.press("escape")
        await back_at_queue(pilot)
    assert records_of(app, order) == []


async def test_missed_is_refused_while_the_interval_runs(app_at: AppAt) -> None:
    app = app_at(NOW, prepare=busy, roles=None)
    async with app.run_test(size=TERMINAL) as pilot:
        queue = await sign_in_to_the_queue(pilot, "MN", "2222")
        order = order_of(highlighted(queue))
        await pilot.press("enter")
        dialog = await dialog_open(pilot)
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert dialog.row.person.name in str(app.screen.query_one("#confirm-subject").render())
        await pilot.press("enter")
        await wait_for(pilot, lambda: "først udeblevet" in error_of(dialog))
    assert records_of(app, order) == []


async def test_missed_after_the_interval_and_then_the_day_closed(app_at: AppAt) -> None:
    app_at(NOW, prepare=busy, roles=None)  # the morning, recorded at 09.30
    app = app_at(AFTER_HOURS, roles=None)  # the window after closing time, on the same store
    async with app.run_test(size=TERMINAL) as pilot:
        queue = await sign_in_to_the_queue(pilot, "MN", "2222")
        order = order_of(highlighted(queue))
        await pilot.press("enter")
        await dialog_open(pilot)
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("enter")
        await back_at_queue(pilot)
        assert [r.outcome for r in records_of(app, order)] == ["missed"]

        await wait_for(pilot, lambda: queue.loaded)
        await pilot.press("u")  # the queue's u: close the day, confirmed with its service and count
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        confirm = app.screen
        words = str(confirm.query_one("#confirm-details").render())
        assert "Medicinudlevering" in words and "registreres som udeblevet" in words
        await pilot.press("enter")
        await back_at_queue(pilot)
        await wait_for(pilot, lambda: closings(app) == 1)
    with app.skranke.database.reading() as session:
        [closing] = session.query(DayClosing).all()
        assert closing.staff_id == "MN" and closing.missed > 0
    assert [e.staff for e in events(app, "close_day")] == ["MN"]


def closings(app: SkrankeApp) -> int:
    with app.skranke.database.reading() as session:
        return session.query(DayClosing).count()


# --- the doctor --------------------------------------------------------------------------------


async def move_to(pilot: Pilot[None], screen: QueueScreen, key: str, table_id: str = "#waiting") -> None:
    """Down until the highlight shows the row (keys only; the table is read to count them)."""
    table = screen.query_one(table_id, DataTable)
    await pilot.press(*["down"] * (table.get_row_index(key) - table.cursor_row))
    assert highlighted(screen, table_id) == key


async def test_doctor_releases_a_hold_with_a_reason(app_at: AppAt) -> None:
    app = app_at(NOW, prepare=alerts_and_demo_staff, roles=None)
    async with app.run_test(size=TERMINAL) as pilot:
        queue = await sign_in_to_the_queue(pilot, "PL", "3333")
        await move_to(pilot, queue, "due|O1|1")
        await pilot.press("enter")
        dialog = await dialog_open(pilot)
        assert dialog.row.dose.state == "hold"
        await pilot.press("h", *"set af lægen i dag", "tab", *"30", "enter")  # a burst through both fields
        await back_at_queue(pilot)
    with app.skranke.database.reading() as session:
        [released] = session.query(HoldRelease).filter_by(prescription_id="O1").all()
    assert released.dose_mg is not None
    assert (released.staff_id, released.reason, int(released.dose_mg)) == ("PL", "set af lægen i dag", 30)
    assert [e.entity_id for e in events(app, "release") if e.staff == "PL"] == ["O1"]


def refused_intoxicated(skranke: Skranke) -> None:
    alerts_and_demo_staff(skranke)
    dispense(skranke, sign_in(skranke, "MN", "2222"), "O2", "refused", refusal="intoxicated", reason="lugter")


async def test_doctor_voids_an_intoxicated_refusal_and_the_task_says_so(app_at: AppAt) -> None:
    app = app_at(NOW, prepare=refused_intoxicated, roles=None)
    [record] = records_of(app, "O2")
    async with app.run_test(size=TERMINAL) as pilot:
        queue = await sign_in_to_the_queue(pilot, "PL", "3333")
        await pilot.press("right", "right", "right")  # Venter → Forventet → Udbringning → Færdig
        await wait_for(pilot, lambda: queue.query_one("#done", DataTable).row_count > 0)
        await move_to(pilot, queue, f"done|{record.id}", "#done")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, VoidDialog))
        shown = " ".join(str(widget.render()) for widget in app.screen.query("Static"))
        assert "Sprunget" in shown and "påvirket: lugter" in shown  # the citizen, and the note in words
        await pilot.press(*"forkert borger", "enter")
        await back_at_queue(pilot)
    assert records_of(app, "O2") == []
    with app.skranke.database.reading() as session:
        [task] = session.query(Task).filter_by(kind="tell_doctor", citizen_id="B2").all()
    assert task.done_by == "PL" and task.outcome == "voided" and "annulleret af PL" in task.note


# --- two workstations --------------------------------------------------------------------------


def two_windows(tmp_path: Path, prepare: Callable[[Skranke], None]) -> tuple[SkrankeApp, SkrankeApp]:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    setup = make_skranke(NOW, url)
    prepare(setup)
    setup.close()
    return SkrankeApp(make_skranke(NOW, url)), SkrankeApp(make_skranke(NOW, url))


async def test_another_workstations_dose_leaves_the_highlight_on_the_same_citizen(tmp_path: Path) -> None:
    first, second = two_windows(tmp_path, alerts_and_demo_staff)
    async with first.run_test(size=TERMINAL) as one, second.run_test(size=TERMINAL) as other:
        mine = await sign_in_to_the_queue(one, "MN", "2222")
        theirs = await sign_in_to_the_queue(other, "PL", "3333")
        table = mine.query_one("#waiting", DataTable)
        keys = [str(row.key.value) for row in table.ordered_rows]
        await one.press("down", "down")  # the third citizen
        kept = highlighted(mine)
        assert kept == keys[2]
        # The other window gives the first citizen's dose (the row above the highlight goes).
        given = order_of(keys[0])
        await move_to(other, theirs, keys[0])
        await other.press("enter")
        await dialog_open(other)
        await other.press(*birth_digits(second, given), "enter")
        await back_at_queue(other)
        started = time.monotonic()
        while table.row_count == len(keys) and time.monotonic() - started < 3:
            await one.pause(0.1)
        assert table.row_count == len(keys) - 1, "the other workstation's dose was not seen"
        assert highlighted(mine) == kept


async def test_an_open_dialog_is_told_at_once_when_its_dose_is_given_elsewhere(tmp_path: Path) -> None:
    first, second = two_windows(tmp_path, alerts_and_demo_staff)
    async with first.run_test(size=TERMINAL) as one, second.run_test(size=TERMINAL) as other:
        mine = await sign_in_to_the_queue(one, "MN", "2222")
        theirs = await sign_in_to_the_queue(other, "PL", "3333")
        key = highlighted(mine)
        await one.press("enter")
        dialog = await dialog_open(one)
        await move_to(other, theirs, key)
        await other.press("enter")
        await dialog_open(other)
        await other.press(*birth_digits(second, order_of(key)), "enter")
        await back_at_queue(other)
        started = time.monotonic()
        while not dialog.has_class("-overtaken") and time.monotonic() - started < 3:
            await one.pause(0.1)
        assert dialog.has_class("-overtaken"), "the open dialog was not told"
        told = str(dialog.query_one("#dose-overtaken").render())
        assert "givet" in told and "PL" in told
        # It no longer offers to give: the birth date typed now records nothing more.
        await one.press(*birth_digits(first, order_of(key)), "enter")
        await one.pause()
    assert len(records_of(first, order_of(key))) == 1
