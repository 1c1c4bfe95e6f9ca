""" "Nøgletal": the key figures by month with the site's targets (DESIGN §4 "Nøgletal", §1 "Key
figures and reporting").

The current month and the 12 before as bars (requests, and of them the guarantee exceeded), the
figures of the whole period or of one month beside them, and the site's targets marked met / not
met with their source. `a` steps through the departments (each a new read, in the audit log as
`report`), ←/→ through the months and `p` back to the whole period (no new read: the report holds
every month). The figures are those of services.report, in its words (`figure_rows`,
`target_rows`): the screen, `skranke report` and the PDF say the same. A figure over 1-4
citizens is "under 5 borgere", and a month's bar of so few is drawn empty and starred.

The bars are textual-plotext's, imported by the widget that draws them only: importing the app
(and "I dag") does not pay for plotext (tests/ui/test_import_hygiene.py).
"""

from __future__ import annotations

from datetime import date
from functools import cache
from itertools import cycle
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult, RenderResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Static

from skranke.domain.figures import Figures, Report
from skranke.i18n import _, long_date
from skranke.services.access import AccessError
from skranke.services.errors import DatabaseUnavailable
from skranke.services.report import figure_rows, month_label, target_rows
from skranke.ui.formatting import NARROW, department_name
from skranke.ui.screens.queue import cell
from skranke.ui.widgets.database import REFUSED, DatabaseBanner, DatabaseScreen, NotFetched
from skranke.ui.widgets.footer import SkrankeFooter
from skranke.ui.widgets.staff_bar import StaffBar
from skranke.ui.widgets.table import DataTable

NARROW_CLASS = "-narrow"  # below NARROW columns: the bars above the table, not beside it
MET_STYLE = {True: "bold green", False: "bold red", None: "yellow"}
SMALL_MARK = "*"  # a month's bar over 1-4 citizens: drawn empty, starred (said under the bars)


@cache
def _steady_plotext() -> None:
    """plotext 5.3 removes duplicates through a set (`_utility.no_duplicates`), so the order of
    what it draws, and where a tick label lands, followed the process's string hash seed: the same
    report was drawn two ways in two processes. The order-keeping way plotext itself left in a
    comment beside it, once per process."""
    import plotext._utility as plotext_utility  # type: ignore[import-untyped]  # plotext ships no types

    def no_duplicates(data: Any) -> list[Any]:
        return list(dict.fromkeys(data))

    plotext_utility.no_duplicates = no_duplicates


class FigureBars(Widget):
    """Requests per month and, of them, the guarantee exceeded, as bars; the month shown in the
    table marked by a line. textual-plotext is imported here, when the screen is first shown.

    Each paint builds a new plotext figure from the report at the widget's size: a figure kept
    between paints (textual-plotext's PlotextPlot) placed its ticks by what it drew before, so
    the same report could be drawn two ways."""

    DEFAULT_CSS = """
    FigureBars {
        width: 1fr;
        height: 1fr;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._report: Report | None = None
        self._chosen: date | None = None

    def draw(self, report: Report, chosen: date | None) -> None:
        self._report, self._chosen = report, chosen
        self.refresh()

    def render(self) -> RenderResult:
        from plotext._dict import themes  # type: ignore[import-untyped]  # plotext ships no types
        from textual.color import Color
        from textual_plotext.plot import Plot, _rgbify_theme, _sequence

        report = self._report
        if report is None or not self.size.area:
            return ""
        theme = f"skranke-{self.app.theme}"
        if theme not in themes:
            surface = Color.parse(self.app.theme_variables["surface"]).rgb
            foreground = Color.parse(self.app.theme_variables["foreground"]).rgb
            themes[theme] = _rgbify_theme(surface, surface, foreground, "default", list(_sequence))
        _steady_plotext()
        plt = Plot()
        plt.plotsize(self.size.width, self.size.height)
        plt.theme(theme)
        months = report.months
        requests = [f.requests.shown() or 0 for _m, f in months]
        exceeded = [f.exceeded.shown() or 0 for _m, f in months]
        # textual-plotext's stub gives multiple_bar one `label` and one colour; plotext 5.3.2's
        # own signature takes one of each per series (`labels`, a list of colours).
        series: Any = plt
        series.multiple_bar(
            list(range(1, len(months) + 1)),
            [requests, exceeded],
            labels=[_("Requests"), _("Exceeded")],
            color=["blue", "red"],
        )
        # Every other month named, back from this one: 13 names do not fit in 80 columns.
        named = [i for i in range(len(months)) if (len(months) - 1 - i) % 2 == 0]
        plt.xticks([i + 1 for i in named], [month_label(months[i][0]) for i in named])
        for i, (_m, f) in enumerate(months):
            if f.requests.small:
                plt.text(SMALL_MARK, i + 1, 0, color="yellow", alignment="center")
        if self._chosen is not None:
            index = next(i for i, (m, _f) in enumerate(months) if m == self._chosen)
            plt.vline(index + 1, "yellow")
        plt.title(_("Requests per month") + "  (" + _("* under 5 citizens") + ")")
        ticks = count_ticks(max([*requests, *exceeded], default=0))
        plt.yticks([float(tick) for tick in ticks], [str(tick) for tick in ticks])
        plt.ylim(0, ticks[-1])  # zero at the bottom, also when no month has a request
        return Text.from_ansi(plt.build())


def count_ticks(top: int, most: int = 4) -> list[int]:
    """Whole numbers for an axis of counts from 0 to at least `top`: 1, 2 or 5 times a power of
    ten apart, at most `most` of them (plotext's own would say "2.5" requests)."""
    step, factors = 1, cycle((2, 2.5, 2))  # 1, 2, 5, 10, 20, 50 ...
    while top > step * (most - 1):
        step = round(step * next(factors))
    return list(range(0, top + step, step)) if top else [0, 1]


class FiguresScreen(DatabaseScreen[None]):
    DEFAULT_CSS = """
    #figures-title {
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    #figures-body {
        height: 1fr;
    }
    #figures-table {
        width: 58;
        height: 1fr;
        margin-left: 1;
    }
    FiguresScreen.-narrow #figures-body {
        layout: vertical;
    }
    FiguresScreen.-narrow FigureBars {
        height: 8;
    }
    FiguresScreen.-narrow #figures-table {
        width: 1fr;
        margin-left: 0;
    }
    #figures-targets {
        height: auto;
        margin-top: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    #figures-refused {
        display: none;
        height: auto;
        padding: 1 2;
        color: $text-warning;
    }
    FiguresScreen.-refused #figures-refused {
        display: block;
    }
    FiguresScreen.-refused .fetched {
        display: none;
    }
    """

    BINDINGS = [
        Binding(
            "a", "next_department", _("Department"), id="figures.department", tooltip=_("The site or one department")
        ),
        Binding("left", "step_month(-1)", _("Earlier month"), id="figures.earlier", priority=True),
        Binding("right", "step_month(1)", _("Later month"), id="figures.later", priority=True),
        Binding("p", "whole_period", _("Whole period"), id="figures.period", tooltip=_("The figures of every month")),
    ]

    loaded = False
    # Keys typed before the first read (a burst after the PIN: `a`) wait for it: app type-ahead.
    ready_for_input = False

    def __init__(self) -> None:
        super().__init__()
        self.department: str | None = None
        self.month: date | None = None  # None: the whole period
        self.report: Report | None = None

    def compose(self) -> ComposeResult:
        yield StaffBar()
        with Vertical(id="figures", classes="screen-body"):
            yield DatabaseBanner()
            with Horizontal(id="figures-heading", classes="screen-heading"):
                yield Static(id="figures-title", classes="title")
                yield Static(id="figures-shown", classes="aside fetched")
            with Horizontal(id="figures-body", classes="fetched"):
                yield FigureBars()
                yield DataTable(id="figures-table", cursor_type="row", zebra_stripes=True)
            yield Static(id="figures-targets", classes="fetched")
            yield NotFetched(_("The key figures"))
            yield Static(id="figures-refused")
        yield SkrankeFooter()

    def on_mount(self) -> None:
        self._lay_out()
        self._title()
        table = self.query_one("#figures-table", DataTable)
        table.add_columns(_("Key figure"), _("Value"))
        table.focus()
        self.load()

    def _lay_out(self) -> bool:
        narrow = self.app.size.width - 2 < NARROW
        changed = narrow != self.has_class(NARROW_CLASS)
        self.set_class(narrow, NARROW_CLASS)
        return changed

    def on_resize(self) -> None:
        if self._lay_out() and self.report is not None:
            self._show_chosen()

    def on_screen_resume(self) -> None:
        if (self.loaded or self.has_class(REFUSED)) and self.app.database_fault is None:
            self.load()

    def reload(self) -> None:
        self.load()

    def show_unavailable(self, fault: DatabaseUnavailable) -> None:
        self._title()
        self._take_keys()

    def _take_keys(self) -> None:
        if not self.ready_for_input:
            self.ready_for_input = True
            self.app.input_ready()

    @work(thread=True, exclusive=True, exit_on_error=False, group="figures")
    def load(self) -> None:
        from skranke.services.report import report

        try:
            result = report(self.app.skranke, self.app.actor, department=self.department, output="screen")
        except AccessError as refused:
            self.app.call_from_thread(self._refused, refused)
            return
        self.app.call_from_thread(self._show, result)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("next_department", "step_month", "whole_period"):
            if self.has_class(REFUSED):
                return False
            if self.report is None or self.app.database_fault is not None:
                return None
        return True

    def _refused(self, refused: AccessError) -> None:
        self.report, self.loaded = None, False
        self.show_refusal(
            refused,
            "#figures-refused",
            _("A doctor or the leader signs in to see them: lock the desk (l), then sign in."),
        )
        self._take_keys()

    def _title(self) -> None:
        site = self.app.skranke.site
        where = department_name(site, self.department) if self.department else _("all departments")
        today = self.app.skranke.clock.now().date()
        self.query_one("#figures-title", Static).update(
            Text.assemble(
                (_("Key figures"), "bold"), " · ", (site.name, "bold"), " · ", where, "  ·  ", long_date(today)
            )
        )

    def _show(self, report: Report) -> None:
        if self.has_class(REFUSED):
            self.remove_class(REFUSED)
        self.report = report
        if self.month is not None and self.month not in {m for m, _f in report.months}:
            self.month = None
        self.loaded = True
        self._title()
        self._show_chosen()
        self._show_targets(report)
        self.refresh_bindings()
        self._take_keys()

    def chosen(self) -> Figures:
        """The figures in the table: the month chosen, or the whole period."""
        assert self.report is not None
        if self.month is None:
            return self.report.total
        return dict(self.report.months)[self.month]

    def _show_chosen(self) -> None:
        report = self.report
        assert report is not None
        if self.month is None:
            shown = _("{first} to {last}").format(first=month_label(report.first), last=month_label(report.last))
        else:
            shown = month_label(self.month)
        self.query_one("#figures-shown", Static).update(shown)
        self.query_one(FigureBars).draw(report, self.month)
        table = self.query_one("#figures-table", DataTable)
        row = table.cursor_row
        table.clear()
        for label, value in figure_rows(self.chosen()):
            table.add_row(cell(label), cell(value, "bold"))
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1), animate=False)

    def _show_targets(self, report: Report) -> None:
        lines: list[Text | str] = []
        if not report.targets:
            lines.append(Text.assemble((_("No targets for this site."), "bold"), " ", report.targets_source or "–"))
        for (name, value, goal, met, source), result in zip(target_rows(report), report.targets, strict=True):
            mark = {True: "✔", False: "✘", None: "?"}[result.met]
            lines.append(
                Text.assemble(
                    (f"{mark} {met}", MET_STYLE[result.met]),
                    "  ",
                    (name, "bold"),
                    ": ",
                    value,
                    "  ",
                    _("target {goal}").format(goal=goal),
                )
            )
            lines.append(Text.assemble("   ", (_("Source: {source}").format(source=source), "dim")))
        if report.targets:
            span = _("Targets over {first} to {last}.").format(
                first=month_label(report.first), last=month_label(report.last)
            )
            lines.insert(0, Text(span, style="bold"))
        text = Text("\n").join(line if isinstance(line, Text) else Text(line) for line in lines)
        self.query_one("#figures-targets", Static).update(text)

    # --- keys -------------------------------------------------------------------------------

    def action_next_department(self) -> None:
        departments = [d.id for d in self.app.skranke.site.all_departments() if d.kind == "department"]
        order: list[str | None] = [None, *departments]
        self.department = order[(order.index(self.department) + 1) % len(order)]
        self._title()
        self.load()  # another department's figures: a new read, audited

    def action_step_month(self, step: int) -> None:
        """← from the whole period shows the latest month; → past the latest month, the period."""
        report = self.report
        if report is None:
            return
        months = [m for m, _f in report.months]
        if self.month is None:
            self.month = months[-1] if step < 0 else months[0]
        else:
            index = months.index(self.month) + step
            self.month = months[index] if 0 <= index < len(months) else None
        self._show_chosen()

    def action_whole_period(self) -> None:
        if self.report is not None:
            self.month = None
            self._show_chosen()


def figures_shown(screen: Any) -> list[tuple[str, str]]:
    """(label, value) of the rows the screen's table holds: what a test compares with the service."""
    table = screen.query_one("#figures-table", DataTable)
    return [(str(table.get_row_at(i)[0]), str(table.get_row_at(i)[1])) for i in range(table.row_count)]
