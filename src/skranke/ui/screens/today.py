""" "I dag": the first thing the desk sees — every department's hours and state, and the counts."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Static

from skranke.i18n import _, clock_time, long_date, week_number
from skranke.services.errors import DatabaseUnavailable
from skranke.services.today import day_overview, holiday_of
from skranke.ui.formatting import intervals_text, plain, state_text
from skranke.ui.widgets.counts import CountsPanel
from skranke.ui.widgets.database import DatabaseBanner, DatabaseScreen
from skranke.ui.widgets.staff_bar import StaffBar

if TYPE_CHECKING:
    from textual import getters

    from skranke.ui.app import SkrankeApp

REFRESH_SECONDS = 60


class TodayScreen(DatabaseScreen[None]):
    """Refreshed every minute from the Clock; nothing here is typed in. The hours come from the
    site file and stay on the screen when the database cannot be used; the counts do not."""

    # The app as SkrankeApp for the type checker (Textual's idiom); at runtime the inherited property.
    if TYPE_CHECKING:
        app = getters.app(SkrankeApp)

    def compose(self) -> ComposeResult:
        yield StaffBar()
        with Vertical(id="today"):
            yield DatabaseBanner()
            with Horizontal(id="today-heading"):
                yield Static(id="today-date")
                yield Static(id="today-clock")
            yield Static(id="today-holiday")
            yield DataTable(id="departments", cursor_type="row", zebra_stripes=True)
            yield CountsPanel(id="counts")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#departments", DataTable)
        table.add_column(_("Department"), key="name")
        table.add_column(_("Today"), key="today")
        table.add_column(_("Now"), key="now")
        table.add_column(_("Phone"), key="phone")
        self.refresh_state(background=False)
        # The counts (database) and the holiday's name (calendar) are asked for once the first
        # frame is on the screen: their imports would otherwise hold it back.
        self.call_after_refresh(self._load_background)
        self.set_interval(REFRESH_SECONDS, self.refresh_state)

    def show_unavailable(self, fault: DatabaseUnavailable) -> None:
        self.query_one(CountsPanel).show_unavailable()

    def reload(self) -> None:
        self.query_one(CountsPanel).refresh_counts()

    def _load_background(self) -> None:
        self._name_holiday(self.app.skranke.clock.now().date())
        self.query_one(CountsPanel).refresh_counts()

    def refresh_state(self, background: bool = True) -> None:
        skranke = self.app.skranke
        now = skranke.clock.now()
        overview = day_overview(skranke.site, skranke.hours, now.date(), now, name_holiday=False)
        self.query_one("#today-date", Static).update(
            Text.assemble(
                (skranke.site.name, "bold"),
                "  ·  ",
                long_date(now.date()),
                " · ",
                _("week {number}").format(number=week_number(now.date())),
            )
        )
        self.query_one("#today-clock", Static).update(_("at {time}").format(time=clock_time(now)))

        table = self.query_one("#departments", DataTable)
        cursor = table.cursor_row
        table.clear()
        for row in overview.departments:
            text, style = state_text(row, now)
            name = plain(row.department.name)
            if row.department.kind == "service":
                name.stylize("italic")
            today = intervals_text(row)
            if row.exception_reason:
                today += f" ({row.exception_reason})"
            table.add_row(
                name,
                today,
                Text(text, style=style),
                plain(row.department.phone),
                key=row.department.id,
            )
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))
        if background:
            self._load_background()

    @work(thread=True, exclusive=True, exit_on_error=False, group="holiday")
    def _name_holiday(self, day: date) -> None:
        name = holiday_of(day)
        self.app.call_from_thread(self._show_holiday, name)

    def _show_holiday(self, name: str | None) -> None:
        holiday = self.query_one("#today-holiday", Static)
        holiday.display = name is not None
        holiday.update(plain(name or ""))
