""" "I dag": the first thing the desk sees — every department's hours and state, and the counts."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from skranke.i18n import _, clock_time, long_date, week_number
from skranke.services.errors import DatabaseUnavailable
from skranke.services.today import day_overview, holiday_of
from skranke.ui.formatting import NARROW, intervals_text, plain, room_left, state_text
from skranke.ui.widgets.counts import CountsPanel
from skranke.ui.widgets.database import DatabaseBanner, DatabaseScreen
from skranke.ui.widgets.footer import SkrankeFooter
from skranke.ui.widgets.staff_bar import StaffBar
from skranke.ui.widgets.table import DataTable

REFRESH_SECONDS = 60


class TodayScreen(DatabaseScreen[None]):
    """Refreshed every minute from the Clock; nothing here is typed in. The hours come from the
    site file and stay on the screen when the database cannot be used; the counts do not."""

    def compose(self) -> ComposeResult:
        yield StaffBar()
        with Vertical(id="today", classes="screen-body"):
            yield DatabaseBanner()
            with Horizontal(id="today-heading", classes="screen-heading"):
                yield Static(id="today-date", classes="title")
                yield Static(id="today-clock", classes="aside")
            yield Static(id="today-holiday")
            yield DataTable(id="departments", cursor_type="row", zebra_stripes=True)
            yield CountsPanel(id="counts")
        yield SkrankeFooter()

    _narrow: bool | None = None  # the columns were laid out for a narrow terminal

    def on_mount(self) -> None:
        self.refresh_state(background=False)
        # The counts (database) and the holiday's name (calendar) are asked for once the first
        # frame is on the screen: their imports would otherwise hold it back.
        self.app.after_first_frame(self._load_background)
        self.set_interval(REFRESH_SECONDS, self.refresh_state)

    def show_unavailable(self, fault: DatabaseUnavailable) -> None:
        self.query_one(CountsPanel).show_unavailable()

    def reload(self) -> None:
        self.query_one(CountsPanel).refresh_counts()

    def on_screen_resume(self) -> None:
        # Back from another screen (a request registered, a task done, a dose given): counted anew,
        # not a minute later.
        counts = self.query_one(CountsPanel)
        if counts.loaded and self.app.database_fault is None:
            counts.refresh_counts()

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
        width = self.app.size.width - 2  # the screen's padding
        narrow = width < NARROW
        rows = []
        for row in overview.departments:
            name = plain(row.department.name)
            if row.department.kind == "service":
                name.stylize("italic")
            today = intervals_text(row)
            if row.exception_reason:
                today += f" ({row.exception_reason})"
            rows.append((row, name, today))
        # At 80 columns the phone numbers give way, and the state wraps onto a second line
        # in a column of the width left: hours and state are what the desk needs.
        self._narrow = narrow
        table.clear(columns=True)
        table.add_column(_("Department"), key="name")
        table.add_column(_("Today"), key="today")
        fixed = [max((n.cell_len for _r, n, _t in rows), default=0), max((len(t) for _r, _n, t in rows), default=0)]
        table.add_column(_("Now"), key="now", width=room_left(width, fixed) if narrow else None)
        if not narrow:
            table.add_column(_("Phone"), key="phone")
        for row, name, today in rows:
            text, style = state_text(row, now, short=narrow)
            cells = [name, today, Text(text, style=style)]
            if not narrow:
                cells.append(plain(row.department.phone))
            table.add_row(*cells, key=row.department.id, height=None if narrow else 1)
        table.measure_new_rows()
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))
        if background:
            self._load_background()

    def on_resize(self) -> None:
        if self._narrow is not None and (self.app.size.width - 2 < NARROW) != self._narrow:
            self.refresh_state(background=False)

    @work(thread=True, exclusive=True, exit_on_error=False, group="holiday")
    def _name_holiday(self, day: date) -> None:
        name = holiday_of(day)
        self.app.call_from_thread(self._show_holiday, name)

    def _show_holiday(self, name: str | None) -> None:
        holiday = self.query_one("#today-holiday", Static)
        holiday.display = name is not None
        holiday.update(plain(name or ""))
