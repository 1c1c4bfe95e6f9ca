""" "Frister": no request's 14-day guarantee runs out unnoticed; follow-ups and plan reviews due."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from skranke.i18n import _, day_month, long_date
from skranke.services.citizens import CitizenLabel, citizen_labels
from skranke.services.deadlines import DeadlinesView, deadlines_view
from skranke.services.wording import department_name, flag_word, reason_word, status_word
from skranke.ui.formatting import NARROW, plain, room_left, shortened
from skranke.ui.screens.citizen import CitizenScreen
from skranke.ui.widgets.footer import SkrankeFooter

if TYPE_CHECKING:
    from textual import getters

    from skranke.domain.deadlines import RequestDeadline
    from skranke.ui.app import SkrankeApp

STATUS_STYLE = {"ok": "green", "warn": "bold yellow", "overdue": "bold red", "due": "bold yellow", "upcoming": "green"}


def _near_day(value: date | None) -> str:
    # Everything here lies within months of today: day and month are enough, on every tab.
    return day_month(value) if value else "–"


class DeadlinesScreen(Screen[None]):
    # The app as SkrankeApp for the type checker (Textual's idiom); at runtime the inherited property.
    if TYPE_CHECKING:
        app = getters.app(SkrankeApp)

    BINDINGS = [
        Binding(
            "a",
            "next_department",
            _("Department"),
            id="deadlines.department",
            tooltip=_("Show one department at a time"),
        ),
        # Not in the footer (an 80-column footer holds seven keys); the help lists it.
        Binding(
            "enter",
            "open_citizen",
            _("Citizen"),
            id="deadlines.citizen",
            tooltip=_("Open the citizen card"),
            show=False,
        ),
    ]

    loaded = False

    def __init__(self) -> None:
        super().__init__()
        self._view: DeadlinesView | None = None
        self._labels: dict[str, CitizenLabel] = {}
        self._department: str | None = None
        self._requests: dict[str, RequestDeadline] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="deadlines"):
            with Horizontal(id="deadlines-heading"):
                yield Static(id="deadlines-title")
                yield Static(id="deadlines-filter")
            with TabbedContent(id="deadlines-tabs"):
                with TabPane(_("Requests"), id="tab-requests"):
                    yield DataTable(id="requests", cursor_type="row", zebra_stripes=True)
                with TabPane(_("Exempt"), id="tab-exempt"):
                    yield DataTable(id="exempt", cursor_type="row", zebra_stripes=True)
                with TabPane(_("Follow-ups"), id="tab-follow-ups"):
                    yield DataTable(id="follow-ups", cursor_type="row", zebra_stripes=True)
                with TabPane(_("Plan reviews"), id="tab-plan-reviews"):
                    yield DataTable(id="plan-reviews", cursor_type="row", zebra_stripes=True)
            # The highlighted request in full: what an 80-column row leaves out or ends in '…'.
            yield Static(id="deadlines-detail")
        yield SkrankeFooter()

    _narrow: bool | None = None  # the columns were laid out for a narrow terminal

    def _columns(self, narrow: bool) -> dict[str, list[str]]:
        """Every tab shows the department by name and dates one way (dd.mm.); at 80 columns
        the requests leave out the paragraph and the contact date, never the deadline."""
        wide_only = [] if narrow else ["§", _("Contact")]
        return {
            "requests": [
                _("Days"),
                _("Status"),
                _("Citizen"),
                _("Department"),
                *wide_only,
                _("Deadline"),
                _("Last open"),
                _("Notes"),
            ],
            "exempt": [_("Citizen"), _("Department"), _("Case"), _("Reason")],
            "follow-ups": [_("Status"), _("Due"), _("Months"), _("Citizen"), _("Department"), _("Case")],
            "plan-reviews": [_("Status"), _("Due"), _("Citizen"), _("Department"), _("Case")],
        }

    def _lay_out(self) -> bool:
        """Columns for the terminal's width; True when they changed."""
        narrow = self.app.size.width - 2 < NARROW
        if narrow == self._narrow:
            return False
        self._narrow = narrow
        for table_id, labels in self._columns(narrow).items():
            table = self.query_one(f"#{table_id}", DataTable)
            table.clear(columns=True)
            table.add_columns(*labels)
        return True

    def on_mount(self) -> None:
        self._lay_out()
        self.load()

    def on_resize(self) -> None:
        if self._narrow is not None and self._lay_out():
            self._fill()

    def on_screen_resume(self) -> None:
        if self.loaded:
            self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="deadlines")
    def load(self) -> None:
        skranke = self.app.skranke
        view = deadlines_view(skranke)
        overview = view.overview
        ids = [
            *(r.citizen_id for r in overview.requests),
            *(e.citizen_id for e in overview.exempt),
            *(f.citizen_id for f in overview.follow_ups),
            *(p.citizen_id for p in overview.plan_reviews),
        ]
        labels = citizen_labels(skranke, ids)
        self.app.call_from_thread(self._show, view, labels)

    def _citizen(self, citizen_id: str) -> Text:
        # Alias or initials: whoever stands at the counter need not read the full name.
        label = self._labels.get(citizen_id)
        if label is None:
            return plain(citizen_id)
        if label.alias:
            return plain(label.alias)
        initials = "".join(part[0] for part in label.name.split() if part)
        return plain(f"{initials} ({citizen_id})" if initials else citizen_id)

    def _show(self, view: DeadlinesView, labels: dict[str, CitizenLabel]) -> None:
        self._view, self._labels = view, labels
        overview = view.overview
        self.query_one("#deadlines-title", Static).update(
            Text(_("Deadlines at {date}").format(date=long_date(overview.as_of)), style="bold")
        )
        self._fill()
        if not self.loaded:
            self.query_one("#requests", DataTable).focus()
        self.loaded = True

    def _fill(self) -> None:
        if self._view is None:
            return
        overview, departments = self._view.overview, self._view.case_departments
        wanted = self._department
        self.query_one("#deadlines-filter", Static).update(
            _("Department: {name}").format(name=department_name(self.app.skranke.site, wanted) if wanted else _("all"))
        )

        def keep(case_id: str) -> bool:
            return wanted is None or departments.get(case_id) == wanted

        narrow = bool(self._narrow)
        site = self.app.skranke.site

        def department(case_id: str, department_id: str | None = None, width: int | None = None) -> Text:
            name = department_name(site, department_id or departments.get(case_id, ""))
            return shortened(name, width) if width else plain(name)

        requests = self.query_one("#requests", DataTable)
        requests.clear()
        shown = [r for r in overview.requests if keep(r.case_id)]
        self._requests = {f"{r.case_id}|{r.citizen_id}": r for r in shown}
        width = self.app.size.width - 2
        fixed = [4, 11, max((self._citizen(r.citizen_id).cell_len for r in shown), default=6), 14, 6, 10]
        notes_width = room_left(width, fixed) if narrow else 200
        for request in shown:
            style = STATUS_STYLE.get(request.status, "")
            cells: list[Text | str] = [
                Text(str(request.days_left), style=style, justify="right"),
                Text(status_word(request.status), style=style),
                self._citizen(request.citizen_id),
                department(request.case_id, request.department, 14 if narrow else None),
            ]
            if not narrow:
                cells += [request.paragraph, _near_day(request.contact_date)]
            notes = Text(", ".join(flag_word(f) for f in request.flags), style="yellow" if request.flags else "")
            cells += [_near_day(request.deadline), _near_day(request.last_open_day), shortened(notes, notes_width)]
            requests.add_row(*cells, key=f"{request.case_id}|{request.citizen_id}")
        exempt = self.query_one("#exempt", DataTable)
        exempt.clear()
        for exempt_case in (r for r in overview.exempt if keep(r.case_id)):
            exempt.add_row(
                self._citizen(exempt_case.citizen_id),
                department(exempt_case.case_id),
                exempt_case.case_id,
                reason_word(exempt_case.reason),
                key=f"{exempt_case.case_id}|{exempt_case.citizen_id}",
            )
        follow_ups = self.query_one("#follow-ups", DataTable)
        follow_ups.clear()
        for follow_up in (r for r in overview.follow_ups if keep(r.case_id)):
            style = STATUS_STYLE.get(follow_up.status, "")
            follow_ups.add_row(
                Text(status_word(follow_up.status), style=style),
                _near_day(follow_up.due),
                str(follow_up.months),
                self._citizen(follow_up.citizen_id),
                department(follow_up.case_id),
                follow_up.case_id,
                key=f"{follow_up.case_id}|{follow_up.months}|{follow_up.citizen_id}",
            )
        reviews = self.query_one("#plan-reviews", DataTable)
        reviews.clear()
        for review in (r for r in overview.plan_reviews if keep(r.case_id)):
            style = STATUS_STYLE.get(review.status, "")
            reviews.add_row(
                Text(status_word(review.status), style=style),
                _near_day(review.due),
                self._citizen(review.citizen_id),
                department(review.case_id),
                review.case_id,
                key=f"{review.case_id}|{review.citizen_id}",
            )
        tabs = self.query_one(TabbedContent)
        tabs.get_tab("tab-requests").label = _("Requests ({count})").format(count=requests.row_count)
        tabs.get_tab("tab-exempt").label = _("Exempt ({count})").format(count=exempt.row_count)
        tabs.get_tab("tab-follow-ups").label = _("Follow-ups ({count})").format(count=follow_ups.row_count)
        tabs.get_tab("tab-plan-reviews").label = _("Plan reviews ({count})").format(count=reviews.row_count)
        self._tab_activated()

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self) -> None:
        self._tab_activated()  # the tables of the other tabs highlight rows too, unseen

    @on(TabbedContent.TabActivated)
    def _tab_activated(self) -> None:
        active = self.query_one(TabbedContent).active or "tab-requests"
        self._show_detail(self.query_one(f"#{active}", TabPane).query_one(DataTable))

    def _show_detail(self, table: DataTable | None) -> None:
        detail = self.query_one("#deadlines-detail", Static)
        request = None
        if table is not None and table.id == "requests" and table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
            request = self._requests.get(key)
        if request is None:
            detail.update("")
            return
        notes = ", ".join(flag_word(f) for f in request.flags) or _("no notes")
        text = _("{case} · {paragraph} · contact {contact} · {notes}").format(
            case=request.case_id, paragraph=request.paragraph, contact=_near_day(request.contact_date), notes=notes
        )
        detail.update(shortened(plain(text), self.app.size.width - 2))

    def action_next_department(self) -> None:
        departments = [d.id for d in self.app.skranke.site.all_departments() if d.kind == "department"]
        order = [None, *departments]
        self._department = order[(order.index(self._department) + 1) % len(order)]
        self._fill()

    def action_open_citizen(self) -> None:
        table = self.focused if isinstance(self.focused, DataTable) else None
        if table is None or table.row_count == 0:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
        self.app.push_screen(CitizenScreen(key.rsplit("|", 1)[-1]))

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(CitizenScreen((event.row_key.value or "").rsplit("|", 1)[-1]))
