"""A follow-up recorded from Frister (who may, who may not), the open tasks counted on "I dag",
and Opgaver with nothing open."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Static, TabbedContent

from skranke.services.audit import audit_events
from skranke.services.context import Skranke
from skranke.services.errors import DatabaseUnavailable, Reason
from skranke.services.intake import read_answers, register_intake
from skranke.services.staff import sign_in
from skranke.store.models import Citizen, Task
from skranke.ui.app import SkrankeApp
from skranke.ui.screens.confirm import ConfirmDialog
from skranke.ui.screens.deadlines import DeadlinesScreen
from skranke.ui.screens.sign_in import SignInScreen
from skranke.ui.screens.tasks import OutcomeDialog, TasksScreen
from skranke.ui.widgets.database import NotFetched
from tests.conftest import TEST_PIN, signed_in
from tests.ui.conftest import SIZES, TERMINAL, AppAt, SnapCompare, settle, wait_for
from tests.ui.test_database_faults import UNREACHABLE, app_on
from tests.ui.test_deadlines_snapshots import demo, open_deadlines
from tests.ui.test_intake_snapshots import ANSWERS
from tests.ui.test_sign_in import type_sign_in

NOW = "2026-04-09T09:00"


def text_of(widget: Static) -> str:
    return str(widget.render())


def task_count(app: SkrankeApp) -> str:
    return text_of(app.screen.query_one("#count-tasks", Static))


def demo_with_reception(skranke: Skranke) -> None:
    demo(skranke)
    signed_in(skranke, "reception", initials="KJ", name="Karen Jensen")


async def follow_up_tab(pilot: Pilot[None]) -> None:
    """From the requests table to the follow-up tab and its table, by keyboard."""
    await pilot.press("shift+tab", "right", "right", "tab")
    await pilot.pause()
    assert pilot.app.screen.query_one(TabbedContent).active == "tab-follow-ups"


def follow_up_keys(app: SkrankeApp) -> list[str]:
    table = app.screen.query_one("#follow-ups", DataTable)
    return [str(key.value) for key in table.rows]


async def test_kj_records_a_follow_up_on_frister_and_it_leaves_the_list(app_at: AppAt, tmp_path: Path) -> None:
    app = app_at(NOW, prepare=demo_with_reception, roles=None, inbox=tmp_path / "inbox", outbox=tmp_path / "outbox")
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
        await type_sign_in(pilot, "KJ", TEST_PIN)
        await wait_for(pilot, lambda: isinstance(app.screen, DeadlinesScreen) and app.screen.loaded)
        await follow_up_tab(pilot)
        before = follow_up_keys(app)
        case_id, months, citizen_id = before[0].split("|")
        assert str(app.screen.query_one(TabbedContent).get_tab("tab-follow-ups").label) == (
            f"Opfølgninger ({len(before)})"
        )

        # Esc in the dialog records nothing.
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, OutcomeDialog))
        assert "efter 1 måned: hvordan gik det?" in text_of(app.screen.query_one("#outcome-question", Static))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DeadlinesScreen))
        assert follow_up_keys(app) == before

        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, OutcomeDialog))
        await pilot.press("enter")  # the first answer: reached
        await wait_for(pilot, lambda: follow_up_keys(app) == before[1:])
        assert str(app.screen.query_one(TabbedContent).get_tab("tab-follow-ups").label) == (
            f"Opfølgninger ({len(before) - 1})"
        )
        assert "Opfølgning registreret: truffet." in [n.message for n in app._notifications]

        # Done on Opgaver, with who and when.
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, TasksScreen) and app.screen.loaded)
        done = app.screen.query_one("#tasks-done", DataTable)
        rows = [[str(cell) for cell in done.get_row_at(i)] for i in range(done.row_count)]
        assert [(r[0], r[1], r[2], r[4]) for r in rows] == [("09.04.2026 09.00", "KJ", "Opfølgning", "truffet")]

    # And the audit log says so, in the same transaction as the record.
    admin = sign_in(app.skranke, "ADM", TEST_PIN)
    events = [e for e in audit_events(app.skranke, admin, citizen_id=citizen_id) if e.action == "follow_up"]
    assert [(e.staff, e.entity, e.entity_id, e.detail) for e in events] == [
        ("KJ", "case", case_id, {"months": int(months), "outcome": "reached"})
    ]


async def test_a_role_that_may_not_is_told_so_and_nothing_is_recorded(app_at: AppAt, tmp_path: Path) -> None:
    # An administrator sees Frister but does not call citizens (services.access.PERMISSIONS).
    app = app_at(NOW, prepare=demo, roles=("admin",), inbox=tmp_path / "inbox", outbox=tmp_path / "outbox")
    async with app.run_test(size=TERMINAL) as pilot:
        await open_deadlines(pilot)
        await follow_up_tab(pilot)
        before = follow_up_keys(app)
        await pilot.press("u")
        await wait_for(pilot, lambda: bool(app._notifications))
        assert isinstance(app.screen, DeadlinesScreen)  # no dialog: the answer could not be kept
        refusal = "SYG må ikke registrere opfølgninger (roller: administrator)."
        assert [n.message for n in app._notifications] == [refusal]
        assert follow_up_keys(app) == before
    with app.skranke.database.reading() as session:
        assert session.query(Task).count() == 0


async def test_the_key_belongs_to_the_follow_up_tab_only(app_at: AppAt, tmp_path: Path) -> None:
    app = app_at(NOW, prepare=demo, inbox=tmp_path / "inbox", outbox=tmp_path / "outbox")
    async with app.run_test(size=TERMINAL) as pilot:
        await open_deadlines(pilot)
        screen = app.screen

        def offered() -> bool:
            return "record_follow_up" in {b.binding.action for b in screen.active_bindings.values()}

        assert not offered()
        await pilot.press("u")  # on the requests tab: nothing happens
        await pilot.pause()
        assert app.screen is screen and not app._notifications
        await follow_up_tab(pilot)
        assert offered()


# --- the open tasks on "I dag" ----------------------------------------------------------------


def tasks_due(skranke: Skranke) -> None:
    """Three open tasks, one of them past its due date, and one done: "3 open, 1 overdue"."""
    today = skranke.clock.now().date()
    created = datetime(2026, 4, 1, 8, tzinfo=UTC)
    with skranke.database.transaction() as session:
        session.add(Citizen(id="B1", cpr=None, first_name="", last_name="", alias="Alias Et", phone=""))
        session.flush()
        for kind, due in [
            ("tell_doctor", today - timedelta(days=1)),
            ("doctor_talk", today),
            ("parental_consent", today + timedelta(days=5)),
        ]:
            session.add(Task(kind=kind, citizen_id="B1", due=due, created_at=created))
    done_by = signed_in(skranke, "reception", initials="KJ")
    with skranke.database.transaction() as session:
        session.add(
            Task(
                kind="familieambulatoriet",
                citizen_id="B1",
                due=today - timedelta(days=3),
                created_at=created,
                done_at=created,
                done_by=done_by.staff_id,
                outcome="done",
            )
        )


async def test_i_dag_counts_open_and_overdue_tasks(app_at: AppAt) -> None:
    app = app_at(NOW, prepare=tasks_due, roles=None)  # locked: a count names nobody
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        assert task_count(app) == "Opgaver: 3 åbne, 1 overskredet"
        assert app.screen.query_one("#count-tasks", Static).has_class("alert")


async def test_i_dag_counts_again_after_an_intake_and_a_task_done(app_at: AppAt) -> None:
    app = app_at("2026-03-30T09:00")
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        assert task_count(app) == "Opgaver: 0 åbne, 0 overskredne"

        # A request registered at another screen (or workstation): counted when I dag is shown again.
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, TasksScreen) and app.screen.loaded)
        register_intake(app.skranke, app.actor, read_answers(app.skranke, ANSWERS))
        await pilot.press("d")
        await wait_for(pilot, lambda: task_count(app) == "Opgaver: 2 åbne, 0 overskredne")

        # One done on Opgaver.
        await pilot.press("o")
        await wait_for(pilot, lambda: app.screen.query_one("#tasks-open", DataTable).row_count == 2)
        # `u` asks first, naming the citizen and the task; Esc records nothing.
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert str(app.screen.query_one("#confirm-subject", Static).render()) == "JH (H00001)"  # who, and which JH
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, TasksScreen))
        assert app.screen.query_one("#tasks-open", DataTable).row_count == 2
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.query_one("#tasks-open", DataTable).row_count == 1)
        await pilot.press("d")
        await wait_for(pilot, lambda: task_count(app) == "Opgaver: 1 åben, 0 overskredne")
        assert not app.screen.query_one("#count-tasks", Static).has_class("alert")


async def test_i_dag_says_the_task_count_could_not_be_fetched() -> None:
    app = app_on(UNREACHABLE)
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        assert task_count(app) == "Opgaver: kunne ikke hentes"  # never "0 åbne"


# --- Opgaver with nothing open ----------------------------------------------------------------


async def open_tasks(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("o")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, TasksScreen) and pilot.app.screen.loaded)


async def test_opgaver_says_there_is_nothing_open_and_not_so_when_it_cannot_know(app_at: AppAt) -> None:
    app = app_at(NOW)
    async with app.run_test(size=TERMINAL) as pilot:
        await open_tasks(pilot)
        empty = app.screen.query_one("#tasks-open-empty", Static)
        assert empty.display and text_of(empty) == "Ingen åbne opgaver"
        assert not app.screen.query_one("#tasks-open", DataTable).display

        app.report_database_fault(DatabaseUnavailable(Reason.LOST, "skranke.db"))
        await wait_for(pilot, lambda: app.screen.has_class("-database-unavailable"))
        assert not empty.display
        assert [text_of(n) for n in app.screen.query(NotFetched) if n.display] == ["Listen: kunne ikke hentes"]


async def test_opgaver_shows_the_table_when_a_task_is_open(app_at: AppAt) -> None:
    app = app_at(NOW, prepare=tasks_due)
    async with app.run_test(size=TERMINAL) as pilot:
        await open_tasks(pilot)
        assert not app.screen.query_one("#tasks-open-empty", Static).display
        assert app.screen.query_one("#tasks-open", DataTable).row_count == 3


# --- snapshots ----------------------------------------------------------------------------------


async def follow_up_dialog(pilot: Pilot[None]) -> None:
    await open_deadlines(pilot)
    await follow_up_tab(pilot)
    await pilot.press("u")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, OutcomeDialog))


class TestSnapshots:
    @SIZES
    def test_frister_follow_up_dialog(
        self, snap_compare: SnapCompare, size: tuple[int, int], app_at: AppAt, tmp_path: Path
    ) -> None:
        app = app_at(NOW, prepare=demo, inbox=tmp_path / "inbox", outbox=tmp_path / "outbox")
        assert snap_compare(app, terminal_size=size, run_before=follow_up_dialog)

    @SIZES
    def test_i_dag_with_open_and_overdue_tasks(
        self, snap_compare: SnapCompare, size: tuple[int, int], app_at: AppAt
    ) -> None:
        assert snap_compare(app_at(NOW, prepare=tasks_due), terminal_size=size, run_before=settle)

    @SIZES
    def test_opgaver_with_nothing_open(self, snap_compare: SnapCompare, size: tuple[int, int], app_at: AppAt) -> None:
        assert snap_compare(app_at(NOW), terminal_size=size, run_before=open_tasks)


@pytest.mark.parametrize("due_offset, overdue", [(-1, 1), (0, 0)])
async def test_a_task_due_today_is_not_overdue(app_at: AppAt, due_offset: int, overdue: int) -> None:
    def one_task(skranke: Skranke) -> None:
        with skranke.database.transaction() as session:
            session.add(Citizen(id="B1", cpr=None, first_name="", last_name="", alias="Alias", phone=""))
            session.flush()
            session.add(
                Task(
                    kind="tell_doctor",
                    citizen_id="B1",
                    due=date(2026, 4, 9) + timedelta(days=due_offset),
                    created_at=datetime(2026, 4, 1, tzinfo=UTC),
                )
            )

    app = app_at(NOW, prepare=one_task, roles=None)
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        assert task_count(app) == "Opgaver: 1 åben, " + ("1 overskredet" if overdue == 1 else f"{overdue} overskredne")
