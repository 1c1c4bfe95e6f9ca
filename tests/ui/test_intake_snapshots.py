"""Snapshots of Ny henvendelse (each step, a step with errors, the review) and Opgaver, at 120x36 and 80x24."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from textual.pilot import Pilot

from skranke.services.context import Skranke
from skranke.services.intake import Draft, read_answers, register_intake
from skranke.services.staff import sign_in
from skranke.ui.intake_form import STEPS
from skranke.ui.screens.intake import IntakeScreen
from tests.conftest import TEST_PIN
from tests.ui.conftest import TERMINAL, AppAt, SnapCompare, draft_kept, settle

NOW = "2026-03-30T09:00"
NARROW = (80, 24)
ANSWERS = {
    "contact_date": "2026-03-30",
    "channel": "phone",
    "requested_by": "relative",
    "cpr": "0101901234",
    "first_name": "Jens",
    "last_name": "Hansen",
    "substances": ["hash", "kokain"],
    "main_substance": "kokain",
    "children_under_18_at_home": True,
    "pregnant": False,
    "areas": {
        "substances": {"answer": "daily", "note": "Kokain dagligt"},
        "social": {"answer": "limited_network", "note": "Bor med to børn"},
        "work": "Ledig siden jul",  # the note alone, as drafts of the earlier form kept it
        "housing": {"answer": "own_home", "note": ""},
    },
}


def filled(step: str, answers: dict[str, Any] | None = None) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, IntakeScreen)
        draft = Draft(
            0, answers if answers is not None else ANSWERS, step, None, "", datetime(2026, 3, 30, 7, tzinfo=UTC), ""
        )
        screen._fill(draft)
        screen.step = step
        screen._show_step()
        await draft_kept(pilot)
        await settle(pilot)
        screen.set_focus(None)
        await pilot.pause()

    return run_before


async def found_by_name(pilot: Pilot[None]) -> None:
    """The identity step with the citizens a search by name found (Borger's columns, no full CPR)."""
    from tests.ui.test_intake_pilot import search_in_form

    await settle(pilot)
    await pilot.press("n")
    await settle(pilot)
    await search_in_form(pilot, "jens")
    await pilot.press("down")
    await settle(pilot)


async def picked(pilot: Pilot[None]) -> None:
    """A known citizen picked: the form filled from the register, the CPR masked."""
    await found_by_name(pilot)
    await pilot.press("enter")
    await draft_kept(pilot)
    await settle(pilot)


async def with_errors(pilot: Pilot[None]) -> None:
    await filled("identity", {"cpr": "3213901234", "anonymous": False})(pilot)
    await pilot.press("ctrl+n")
    await settle(pilot)
    pilot.app.screen.set_focus(None)
    await pilot.pause()


def tasks_to_do(skranke: Skranke) -> None:
    from tests.conftest import signed_in

    actor = signed_in(skranke, "reception", initials="KJ", name="Karen Jensen")
    register_intake(skranke, actor, read_answers(skranke, ANSWERS))
    pregnant = {**ANSWERS, "cpr": "0202021234", "first_name": "Mia", "last_name": "Lund", "pregnant": True}
    result = register_intake(skranke, actor, read_answers(skranke, pregnant))
    from skranke.services.tasks import complete_task, tasks_view

    first = next(t for t in tasks_view(skranke, actor).open if t.case_id == result.case_id)
    complete_task(skranke, sign_in(skranke, "KJ", TEST_PIN), first.task_id)


async def open_tasks(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("o")
    await settle(pilot)


@pytest.mark.parametrize("size", [TERMINAL, NARROW], ids=["wide", "narrow"])
class TestIntakeSnapshots:
    @pytest.mark.parametrize("step", STEPS)
    def test_step(self, snap_compare: SnapCompare, app_at: AppAt, size: tuple[int, int], step: str) -> None:
        assert snap_compare(app_at(NOW), terminal_size=size, run_before=filled(step))

    def test_identity_with_search_results(
        self, snap_compare: SnapCompare, app_at: AppAt, size: tuple[int, int]
    ) -> None:
        from tests.ui.test_intake_pilot import known_citizens

        assert snap_compare(app_at(NOW, prepare=known_citizens), terminal_size=size, run_before=found_by_name)

    def test_identity_with_a_known_citizen_picked(
        self, snap_compare: SnapCompare, app_at: AppAt, size: tuple[int, int]
    ) -> None:
        from tests.ui.test_intake_pilot import known_citizens

        assert snap_compare(app_at(NOW, prepare=known_citizens), terminal_size=size, run_before=picked)

    def test_a_step_with_errors(self, snap_compare: SnapCompare, app_at: AppAt, size: tuple[int, int]) -> None:
        assert snap_compare(app_at(NOW), terminal_size=size, run_before=with_errors)

    def test_tasks(self, snap_compare: SnapCompare, app_at: AppAt, size: tuple[int, int]) -> None:
        assert snap_compare(app_at(NOW, prepare=tasks_to_do), terminal_size=size, run_before=open_tasks)
