"""Nøgletal on screen (DESIGN §4 "Nøgletal"): snapshots of its states at 120x36 and 80x24 with
the clock fixed, a journey by keys alone checked against services.report and the audit log,
and the refusal a nurse gets."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from skranke.demo.scenario import write_demo_exports
from skranke.services.audit import audit_events
from skranke.services.context import Skranke
from skranke.services.report import figure_rows, report
from skranke.services.staff import sign_in
from skranke.services.sync import run_sync
from skranke.ui.screens.figures import FiguresScreen, figures_shown
from skranke.ui.screens.sign_in import SignInScreen
from tests.conftest import signed_in
from tests.ui.conftest import SIZES, TERMINAL, AppAt, SnapCompare, painted, screen_of, settle, wait_for
from tests.ui.test_database_faults import UNREACHABLE, app_on, until
from tests.ui.test_stock_screen import demo_staff

NOW = "2026-04-09T09:00"


def demo(skranke: Skranke) -> None:
    """The demo's exports through the importer: a year of requests, starts and discharges."""
    skranke.inbox.mkdir(parents=True, exist_ok=True)
    write_demo_exports(skranke.inbox, skranke.clock.now().date(), skranke.site)
    run_sync(skranke)


def demo_with_staff(skranke: Skranke) -> None:
    demo(skranke)
    demo_staff(skranke)


def loaded(pilot: Pilot[None]) -> bool:
    screen = pilot.app.screen
    return isinstance(screen, FiguresScreen) and screen.loaded and painted(screen)


async def open_figures(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("k")
    await wait_for(pilot, lambda: loaded(pilot))
    # The bars and the table beside them laid out and painted at their final sizes.
    await wait_for(pilot, lambda: painted(pilot.app.screen))


class TestFiguresSnapshots:
    @SIZES
    def test_empty(self, snap_compare: SnapCompare, size: tuple[int, int], app_at: AppAt, tmp_path: Path) -> None:
        app = app_at(NOW, inbox=tmp_path / "inbox", outbox=tmp_path / "outbox")
        assert snap_compare(app, terminal_size=size, run_before=open_figures)

    @SIZES
    def test_normal(self, snap_compare: SnapCompare, size: tuple[int, int], app_at: AppAt, tmp_path: Path) -> None:
        app = app_at(NOW, prepare=demo, inbox=tmp_path / "inbox", outbox=tmp_path / "outbox")
        assert snap_compare(app, terminal_size=size, run_before=open_figures)

    @SIZES
    def test_a_month(self, snap_compare: SnapCompare, size: tuple[int, int], app_at: AppAt, tmp_path: Path) -> None:
        async def march(pilot: Pilot[None]) -> None:
            await open_figures(pilot)
            await pilot.press("left", "left")  # this month, then March
            await wait_for(pilot, lambda: painted(pilot.app.screen))

        app = app_at(NOW, prepare=demo, inbox=tmp_path / "inbox", outbox=tmp_path / "outbox")
        assert snap_compare(app, terminal_size=size, run_before=march)

    @SIZES
    def test_alerts(self, snap_compare: SnapCompare, size: tuple[int, int], app_at: AppAt, tmp_path: Path) -> None:
        """Assens's demo: goals reached far below its 75 % (002 afsnit 2), marked not met."""
        app = app_at(NOW, site="assens", prepare=demo, inbox=tmp_path / "inbox", outbox=tmp_path / "outbox")
        assert snap_compare(app, terminal_size=size, run_before=open_figures)

    @SIZES
    def test_could_not_load(self, snap_compare: SnapCompare, size: tuple[int, int]) -> None:
        async def unavailable(pilot: Pilot[None]) -> None:
            await settle(pilot)
            await pilot.press("k")
            await until(pilot, lambda: pilot.app.screen.has_class("-database-unavailable"))

        assert snap_compare(app_on(UNREACHABLE), terminal_size=size, run_before=unavailable)


async def test_assens_marks_a_target_not_met_with_its_source(app_at: AppAt, tmp_path: Path) -> None:
    app = app_at(NOW, site="assens", prepare=demo, inbox=tmp_path / "inbox", outbox=tmp_path / "outbox")
    async with app.run_test(size=TERMINAL) as pilot:
        await open_figures(pilot)
        expected = report(app.skranke, app.actor)
        missed = [t for t in expected.targets if t.met is False]
        assert missed  # the demo's Assens misses a target: the snapshot above shows an alert
        text = str(app.screen.query_one("#figures-targets", Static).render())
        for result in missed:
            assert f"✘ ikke opfyldt  {result.target.name}" in text
        assert "Kilde: 002 afsnit 2 (Måltal)" in text


async def test_doctor_by_keys_sees_the_services_figures_by_department_and_month(app_at: AppAt, tmp_path: Path) -> None:
    """From I dag, nobody signed in: k asks for a sign-in, the doctor (PL) signs in by keys, the
    figures are the service's; `a` shows the first department's, ←/p a month and the period.
    Each read is in the audit log as `report` by PL, the department named."""
    app = app_at(NOW, prepare=demo_with_staff, roles=None, inbox=tmp_path / "inbox", outbox=tmp_path / "outbox")
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        await pilot.press("k")
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
        await pilot.press(*"PL", "enter")
        await pilot.pause()
        await pilot.press(*"3333", "enter")
        await wait_for(pilot, lambda: loaded(pilot))
        screen = screen_of(app, FiguresScreen)
        doctor = sign_in(app.skranke, "PL", "3333")
        assert figures_shown(screen) == figure_rows(report(app.skranke, doctor, output="test").total)

        await pilot.press("a")  # the first department: Unge & Rusmidler
        await wait_for(pilot, lambda: screen.report is not None and screen.report.department is not None)
        await wait_for(pilot, lambda: painted(screen))
        first = next(d.id for d in app.skranke.site.all_departments() if d.kind == "department")
        assert screen.department == first
        by_department = report(app.skranke, doctor, department=first, output="test")
        assert figures_shown(screen) == figure_rows(by_department.total)
        assert "Unge & Rusmidler" in str(screen.query_one("#figures-title", Static).render())

        await pilot.press("left")  # this month, in this department
        month, this_month = by_department.months[-1]
        assert screen.month == month
        assert figures_shown(screen) == figure_rows(this_month)
        await pilot.press("p")
        assert screen.month is None and figures_shown(screen) == figure_rows(by_department.total)

    admin = signed_in(app.skranke, "admin", initials="LED")
    looks = [e for e in audit_events(app.skranke, admin) if e.action == "report" and e.detail["output"] == "screen"]
    assert [(e.staff, e.entity_id, e.detail["from"], e.detail["to"]) for e in looks] == [
        ("PL", "", "2025-04-01", "2026-04-09"),
        ("PL", first, "2025-04-01", "2026-04-09"),
    ]


@pytest.mark.parametrize("role", ["nurse", "reception"])
async def test_the_desk_is_refused_the_figures(app_at: AppAt, role: str) -> None:
    app = app_at(NOW, roles=(role,))
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        await pilot.press("k")
        await wait_for(pilot, lambda: isinstance(app.screen, FiguresScreen) and app.screen.has_class("-refused"))
        refused = str(app.screen.query_one("#figures-refused", Static).render())
        assert "se nøgletallene" in refused and "En læge eller lederen logger ind" in refused
        assert not app.screen.query_one("#figures-body").display


@pytest.mark.parametrize(
    ("top", "ticks"),
    [
        (0, [0, 1]),
        (3, [0, 1, 2, 3]),
        (5, [0, 2, 4, 6]),
        (7, [0, 5, 10]),
        (31, [0, 20, 40]),
        (1234, [0, 500, 1000, 1500]),
    ],
)
def test_the_bars_count_in_whole_requests(top: int, ticks: list[int]) -> None:
    # plotext's own ticks said "2.5" requests on a month of five; the axis counts people.
    from skranke.ui.screens.figures import count_ticks

    assert count_ticks(top) == ticks
