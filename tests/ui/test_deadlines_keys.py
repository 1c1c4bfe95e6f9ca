"""Frister by keys: its tabs by keys the footer names; cut text ends in "…"; a date in another
year than the clock's carries its year."""

from __future__ import annotations

from datetime import date

import pytest
from rich.text import Text
from textual.widgets import DataTable, TabbedContent

from skranke.i18n import near_date, weekday_date
from skranke.ui.screens.deadlines import DeadlinesScreen
from tests.ui.conftest import NARROW_TERMINAL, TERMINAL, AppAt, wait_for
from tests.ui.test_deadlines_snapshots import NOW, demo, open_deadlines


def test_a_date_in_another_year_carries_the_year() -> None:
    today = date(2026, 4, 9)
    assert near_date(date(2026, 7, 22), today) == "22.07."
    assert near_date(date(2023, 7, 22), today) == "22.07.2023"
    assert weekday_date(date(2026, 4, 10), today) == "fredag 10. april"
    assert weekday_date(date(2027, 1, 4), today) == "mandag den 4. januar 2027"


async def test_the_tabs_by_keys_named_in_the_footer(app_at: AppAt) -> None:
    app = app_at(NOW, prepare=demo)
    async with app.run_test(size=TERMINAL) as pilot:
        await open_deadlines(pilot)
        screen = app.screen
        assert isinstance(screen, DeadlinesScreen)
        assert "t" in [active.binding.key for active in screen.active_bindings.values() if active.binding.show]
        tabs = screen.query_one(TabbedContent)
        seen = [tabs.active]
        for _ in range(5):
            await pilot.press("t")
            await wait_for(pilot, lambda: tabs.active != seen[-1])
            seen.append(tabs.active)
        assert seen == [
            "tab-requests", "tab-exempt", "tab-follow-ups", "tab-plan-reviews", "tab-medical", "tab-requests"
        ]  # fmt: skip
        await pilot.press("4")
        await wait_for(pilot, lambda: tabs.active == "tab-plan-reviews")
        assert app.focused is screen.query_one("#plan-reviews", DataTable)  # ↓ and Enter act on it at once


@pytest.mark.parametrize("size", [TERMINAL, NARROW_TERMINAL], ids=["120x36", "80x24"])
async def test_notes_that_do_not_fit_end_in_an_ellipsis(app_at: AppAt, size: tuple[int, int]) -> None:
    app = app_at(NOW, prepare=demo)
    async with app.run_test(size=size) as pilot:
        await open_deadlines(pilot)
        table = app.screen.query_one("#requests", DataTable)
        notes = [table.get_row_at(row)[-1] for row in range(table.row_count)]
        assert any(isinstance(n, Text) and n.plain.endswith("…") for n in notes)
        widths = sum(column.get_render_width(table) for column in table.columns.values())
        assert widths <= table.size.width  # every column on screen: nothing cut without a sign


def test_i_dag_counts_use_plural_forms() -> None:
    from skranke.i18n import ngettext
    from skranke.ui.widgets.counts import _overdue

    assert ngettext("{count} open", "{count} open", 1).format(count=1) == "1 åben"
    assert ngettext("{count} open", "{count} open", 2).format(count=2) == "2 åbne"
    assert _overdue(1) == "1 overskredet" and _overdue(3) == "3 overskredne"
    assert ngettext("{count} dose due", "{count} doses due", 1).format(count=1) == "1 dosis at give"
