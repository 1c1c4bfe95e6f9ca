"""Snapshots of "Frister": nothing due, a mixed day (the demo), everything overdue."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, TabbedContent

from skranke.demo.scenario import write_demo_exports
from skranke.services.context import Skranke
from skranke.services.sync import run_sync
from skranke.store.models import Case, Citizen
from tests.ui.conftest import SIZES, TERMINAL, AppAt, SnapCompare, painted, rounds, settle, wait_for

NOW = "2026-04-09T09:00"


async def open_deadlines(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("f")
    async for _ in rounds():
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if getattr(pilot.app.screen, "loaded", False):
            break
    await pilot.pause()


def demo(skranke: Skranke) -> None:
    write_demo_exports(skranke.inbox, skranke.clock.now().date(), skranke.site)
    run_sync(skranke)


def all_overdue(skranke: Skranke) -> None:
    today = skranke.clock.now().date()
    departments = ["unge-og-rusmidler", "stabilisering", "stoffrihed"]
    with skranke.database.transaction() as session:
        for number in range(6):
            session.add(
                Citizen(id=f"B{number}", cpr=None, first_name="", last_name="", alias=f"Alias {number}", phone="")
            )
        session.flush()
        for number in range(6):
            session.add(
                Case(
                    id=f"S{number}",
                    citizen_id=f"B{number}",
                    department=departments[number % 3],
                    paragraph="SEL101",
                    contact_date=today - timedelta(days=15 + 3 * number),
                )
            )


class TestDeadlinesScreen:
    @SIZES
    def test_nothing_due(self, snap_compare: SnapCompare, size: tuple[int, int], app_at: AppAt, tmp_path: Path) -> None:
        app = app_at(NOW, inbox=tmp_path / "inbox")
        assert snap_compare(app, terminal_size=size, run_before=open_deadlines)

    @SIZES
    def test_a_mixed_day(self, snap_compare: SnapCompare, size: tuple[int, int], app_at: AppAt, tmp_path: Path) -> None:
        app = app_at(NOW, prepare=demo, inbox=tmp_path / "inbox", outbox=tmp_path / "outbox")
        assert snap_compare(app, terminal_size=size, run_before=open_deadlines)

    @SIZES
    def test_everything_overdue(self, snap_compare: SnapCompare, size: tuple[int, int], app_at: AppAt) -> None:
        app = app_at(NOW, prepare=all_overdue)
        assert snap_compare(app, terminal_size=size, run_before=open_deadlines)

    @SIZES
    @pytest.mark.parametrize("tab", ["tab-exempt", "tab-follow-ups", "tab-plan-reviews", "tab-medical"])
    def test_each_tab(
        self, snap_compare: SnapCompare, size: tuple[int, int], app_at: AppAt, tmp_path: Path, tab: str
    ) -> None:
        async def open_tab(pilot: Pilot[None]) -> None:
            await open_deadlines(pilot)
            pilot.app.screen.query_one("#deadlines-tabs", TabbedContent).active = tab
            # The tab's names are read (a worker) when its activation message arrives: wait for
            # them, not for a pause that a loaded machine may not give the message in.
            table = pilot.app.screen.query_one(f"#{tab.removeprefix('tab-')}", DataTable)
            await wait_for(pilot, lambda: table.row_count > 0 and painted(pilot.app.screen))
            await pilot.wait_for_scheduled_animations()  # the tab's underline slides to it

        app = app_at(NOW, prepare=demo, inbox=tmp_path / "inbox", outbox=tmp_path / "outbox")
        assert snap_compare(app, terminal_size=size, run_before=open_tab)

    @SIZES
    def test_citizen_card(
        self, snap_compare: SnapCompare, size: tuple[int, int], app_at: AppAt, tmp_path: Path
    ) -> None:
        async def card(pilot: Pilot[None]) -> None:
            await open_deadlines(pilot)
            await pilot.press("down", "enter")
            async for _ in rounds():
                await pilot.app.workers.wait_for_complete()
                await pilot.pause()
                if getattr(pilot.app.screen, "loaded", False):
                    break

        app = app_at(NOW, prepare=demo, inbox=tmp_path / "inbox", outbox=tmp_path / "outbox")
        assert snap_compare(app, terminal_size=size, run_before=card)


async def press_and_load(pilot: Pilot[None], key: str) -> None:
    """A department key reads the view again (the names of other citizens): wait for it."""
    await pilot.press(key)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_the_department_filter_cycles_and_keeps_only_that_department(app_at: AppAt, tmp_path: Path) -> None:
    from textual.widgets import DataTable

    app = app_at(NOW, prepare=demo, inbox=tmp_path / "inbox", outbox=tmp_path / "outbox")
    async with app.run_test(size=TERMINAL) as pilot:
        await open_deadlines(pilot)
        table = app.screen.query_one("#requests", DataTable)
        everyone = table.row_count
        await press_and_load(pilot, "a")  # the first department: Unge & Rusmidler
        departments = {str(table.get_row_at(i)[3]) for i in range(table.row_count)}
        assert departments == {"Unge & Rusmidler"} and 0 < table.row_count < everyone
        department_count = sum(1 for d in app.skranke.site.all_departments() if d.kind == "department")
        for _ in range(department_count):  # through the other departments and back to "all"
            await press_and_load(pilot, "a")
        assert table.row_count == everyone  # back to all


async def test_a_long_tab_shows_its_most_pressing_rows_and_says_how_many_in_all(
    app_at: AppAt, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import select
    from textual.widgets import DataTable, TabbedContent

    from skranke.services.deadlines import deadlines_view
    from skranke.store.models import AuditEvent
    from skranke.ui.screens import deadlines as frister

    monkeypatch.setattr(frister, "ROWS_SHOWN", 3)
    app = app_at(NOW, prepare=demo, inbox=tmp_path / "inbox", outbox=tmp_path / "outbox")
    async with app.run_test(size=TERMINAL) as pilot:
        await open_deadlines(pilot)
        overview = deadlines_view(app.skranke).overview  # the whole view, every row
        table = app.screen.query_one("#requests", DataTable)
        assert table.row_count == 3
        # The first three by urgency: the view's own order.
        assert [str(k.value) for k in table.rows] == [f"{r.case_id}|{r.citizen_id}" for r in overview.requests[:3]]
        label = str(app.screen.query_one(TabbedContent).get_tab("tab-requests").label)
        assert label == f"Henvendelser (3 af {len(overview.requests)})"

        def looked_at() -> set[str | None]:
            with app.skranke.database.reading() as session:
                action = AuditEvent.action == "list_deadlines"
                return set(session.scalars(select(AuditEvent.citizen_id).where(action)).all())

        # Only the citizens shown are logged as looked at: the tab in view's, not the other tabs'.
        assert looked_at() == {r.citizen_id for r in overview.requests[:3]}
        opened = {r.citizen_id for r in overview.requests[:3]}
        for tab, rows in (("tab-exempt", overview.exempt), ("tab-follow-ups", overview.follow_ups)):
            app.screen.query_one(TabbedContent).active = tab
            await pilot.pause()
            await app.workers.wait_for_complete()  # the tab's names, read (and logged) when opened
            await pilot.pause()
            opened |= {r.citizen_id for r in rows[:3]}
            assert looked_at() == opened
        assert not opened >= {r.citizen_id for r in overview.plan_reviews[:3]}  # a tab never opened


async def test_i_dag_shows_the_deadline_counts(app_at: AppAt, tmp_path: Path) -> None:
    from textual.widgets import Static

    app = app_at(NOW, prepare=all_overdue)
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        assert str(app.screen.query_one("#count-deadlines", Static).render()) == "Frister: 0 tæt på, 6 overskredne"


# --- the status by the last open day, and the citizen card saying why --------------------------

ANDEN_PAASKEDAG = "2026-04-06T09:30"
SMALL = (80, 24)


def easter_requests(skranke: Skranke) -> None:
    """On Anden påskedag 2026: a request due today at Stabilisering (last open day Wednesday
    1 April: overdue), a heroin-clinic request marked frit valg (no free choice for heroin), an
    ordinary one in time and one with free choice."""
    cases = [
        ("S1", "B1", "Alias Påske", "stabilisering", date(2026, 3, 23), False),
        ("S2", "B2", "Alias Heroin", "heroinklinikken", date(2026, 3, 25), True),
        ("S3", "B3", "Alias Tid", "stoffrihed", date(2026, 4, 1), False),
        ("S4", "B4", "Alias Valg", "stoffrihed", date(2026, 4, 1), True),
    ]
    with skranke.database.transaction() as session:
        for _case_id, citizen_id, alias, *_ in cases:
            session.add(Citizen(id=citizen_id, cpr=None, first_name="", last_name="", alias=alias, phone=""))
        session.flush()
        for case_id, citizen_id, _alias, department, contact, free_choice in cases:
            session.add(
                Case(
                    id=case_id,
                    citizen_id=citizen_id,
                    department=department,
                    paragraph="SEL101",
                    contact_date=contact,
                    free_choice=free_choice,
                )
            )


async def open_first_citizen(pilot: Pilot[None]) -> None:
    await open_deadlines(pilot)
    await pilot.press("enter")
    async for _ in rounds():
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if getattr(pilot.app.screen, "loaded", False):
            break


class TestLastOpenDay:
    def test_frister_says_the_last_open_day_has_passed(self, snap_compare: SnapCompare, app_at: AppAt) -> None:
        app = app_at(ANDEN_PAASKEDAG, prepare=easter_requests)
        assert snap_compare(app, terminal_size=TERMINAL, run_before=open_deadlines)

    def test_frister_says_the_last_open_day_has_passed_at_80x24(self, snap_compare: SnapCompare, app_at: AppAt) -> None:
        app = app_at(ANDEN_PAASKEDAG, prepare=easter_requests)
        assert snap_compare(app, terminal_size=SMALL, run_before=open_deadlines)

    def test_citizen_card_says_why(self, snap_compare: SnapCompare, app_at: AppAt) -> None:
        app = app_at(ANDEN_PAASKEDAG, prepare=easter_requests)
        assert snap_compare(app, terminal_size=TERMINAL, run_before=open_first_citizen)

    def test_citizen_card_says_why_at_80x24(self, snap_compare: SnapCompare, app_at: AppAt) -> None:
        app = app_at(ANDEN_PAASKEDAG, prepare=easter_requests)
        assert snap_compare(app, terminal_size=SMALL, run_before=open_first_citizen)


async def test_frister_explains_the_highlighted_request_with_its_sources(app_at: AppAt) -> None:
    from textual.widgets import Static

    app = app_at(ANDEN_PAASKEDAG, prepare=easter_requests)
    async with app.run_test(size=TERMINAL) as pilot:
        await open_deadlines(pilot)
        why = str(app.screen.query_one("#request-why", Static).render())
        assert "overskredet: sidste åbne dag var onsdag 1. april" in why
        assert "000 § 3.2" in why  # the duty to offer another approved provider, with its source
        await pilot.press("down")
        await pilot.pause()
        why = str(app.screen.query_one("#request-why", Static).render())
        assert "frit valg fraviger ikke fristen ved heroinbehandling" in why and "SUL § 142 stk. 7" in why
