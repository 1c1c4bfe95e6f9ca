""" "Frister": no request's 14-day guarantee runs out unnoticed; follow-ups and plan reviews due."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Static, TabbedContent, TabPane

from skranke.domain.deadlines import FollowUp, RequestDeadline
from skranke.i18n import _, long_date, near_date, ngettext, short_date, whole_number
from skranke.services.access import AccessError, require
from skranke.services.citizens import CitizenLabel, citizen_labels
from skranke.services.deadlines import ROWS_PER_TAB, DeadlinesPage, deadlines_page
from skranke.services.errors import DatabaseUnavailable
from skranke.services.tasks import outcome_label, record_follow_up
from skranke.services.wording import (
    complaint_kind_word,
    complaint_status_word,
    flag_word,
    reason_word,
    status_word,
)
from skranke.ui.deadline_text import (
    STATUS_STYLE,
    citation,
    explained_flags,
    reason_source,
    status_why,
)
from skranke.ui.formatting import NARROW, department_name, plain, room_left, shortened
from skranke.ui.screens.check_in import Who
from skranke.ui.screens.citizen import CitizenScreen
from skranke.ui.screens.complaint import answer_complaint_from
from skranke.ui.screens.tasks import OutcomeDialog, save_outcome
from skranke.ui.widgets.database import DatabaseBanner, DatabaseScreen, NotFetched
from skranke.ui.widgets.footer import SkrankeFooter
from skranke.ui.widgets.staff_bar import StaffBar
from skranke.ui.widgets.tab_tables import TabTables
from skranke.ui.widgets.table import DataTable

if TYPE_CHECKING:
    from skranke.domain.deadlines import RequestDeadline


# Flag lines under the requests table (the status line comes first; #request-why's height).
WHY_LINES = 5
# The most pressing rows of each tab (each list comes sorted by urgency). A large clinic lists
# tens of thousands of plan reviews: a table of them takes seconds to lay out, and every citizen
# shown is logged as seen. The tab says how many there are in all; `a` narrows to a department.
# The database gives just these rows and the counts (services.deadlines.deadlines_page).
ROWS_SHOWN = ROWS_PER_TAB


def _day(value: date | None) -> str:
    return short_date(value) if value else "–"


def _near_day(value: date | None, today: date) -> str:
    # Mostly within months of today: day and month, with the year when it is another year's.
    return near_date(value, today) if value else "–"


# Each tab and the Overview list it shows.
TAB_LISTS = {
    "tab-requests": "requests",
    "tab-exempt": "exempt",
    "tab-follow-ups": "follow_ups",
    "tab-plan-reviews": "plan_reviews",
    # Medical reviews and complaints (with access requests) share one tab: "complaints" below.
    "tab-medical": "medical_reviews",
}


class DeadlinesScreen(TabTables, DatabaseScreen[None]):
    BINDINGS = [
        # The tabs by keys named in the footer (Shift+Tab alone reached them before).
        Binding(
            "t",
            "next_tab",
            _("Next tab"),
            id="deadlines.next_tab",
            tooltip=_("Requests, exempt, follow-ups and plan reviews in turn"),
        ),
        *(
            Binding(str(number), f"show_tab('{tab}')", _("Tab {number}").format(number=number), show=False)
            for number, tab in enumerate(TAB_LISTS, start=1)
        ),
        Binding(
            "a",
            "next_department",
            _("Department"),
            id="deadlines.department",
            tooltip=_("Show one department at a time"),
        ),
        # Only on the follow-up tab (check_action); the key and words of Opgaver, where a follow-up is marked done too.
        Binding(
            "u",
            "record_follow_up",
            _("Mark done"),
            id="deadlines.follow_up",
            tooltip=_("Record how the highlighted follow-up went; it then leaves the list"),
        ),
        # Only on the tab of medical reviews and complaints (check_action).
        Binding(
            "u",
            "answer_complaint",
            _("Answered"),
            id="deadlines.complaint_answered",
            tooltip=_("Record that the highlighted complaint or access request was answered today"),
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
        self._view: DeadlinesPage | None = None
        self._labels: dict[str, CitizenLabel] = {}
        # The tabs of this read whose citizens' names were read, each read logged as a look: the
        # tab in view at once, the others when first opened (nobody on an unopened tab is looked at).
        self._named: set[str] = set()
        self._naming: set[str] = set()  # read now, in a worker
        self._department: str | None = None
        self._shown_requests: list[RequestDeadline] = []  # the requests table's rows, in order
        self._shown_follow_ups: list[FollowUp] = []  # the follow-up table's rows, in order

    def compose(self) -> ComposeResult:
        yield StaffBar()
        with Vertical(id="deadlines", classes="screen-body"):
            yield DatabaseBanner()
            with Horizontal(id="deadlines-heading", classes="screen-heading"):
                yield Static(id="deadlines-title", classes="title")
                yield Static(id="deadlines-filter")
            with TabbedContent(id="deadlines-tabs"):
                with TabPane(_("Requests"), id="tab-requests"):
                    yield DataTable(id="requests", cursor_type="row", zebra_stripes=True, classes="fetched")
                    # Why the highlighted request has its status, each flag with its source.
                    yield Static(id="request-why", classes="fetched")
                    yield NotFetched(_("The list"))
                with TabPane(_("Exempt"), id="tab-exempt"):
                    yield DataTable(id="exempt", cursor_type="row", zebra_stripes=True, classes="fetched")
                    yield NotFetched(_("The list"))
                with TabPane(_("Follow-ups"), id="tab-follow-ups"):
                    yield DataTable(id="follow-ups", cursor_type="row", zebra_stripes=True, classes="fetched")
                    yield NotFetched(_("The list"))
                with TabPane(_("Plan reviews"), id="tab-plan-reviews"):
                    yield DataTable(id="plan-reviews", cursor_type="row", zebra_stripes=True, classes="fetched")
                    yield NotFetched(_("The list"))
                with TabPane(_("Doctor/complaints"), id="tab-medical"):
                    yield DataTable(id="medical", cursor_type="row", zebra_stripes=True, classes="fetched")
                    yield NotFetched(_("The list"))
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
            "exempt": [_("Citizen"), _("Department"), _("Case"), _("Reason"), _("Source")],
            "follow-ups": [_("Status"), _("Due"), _("Months"), _("Citizen"), _("Department"), _("Case"), _("Notes")],
            "plan-reviews": [_("Status"), _("Due"), _("Citizen"), _("Department"), _("Case")],
            # At 80 columns the department gives way: the case and its source still fit.
            "medical": [
                _("Status"),
                _("Due"),
                _("What"),
                _("Citizen"),
                *([] if narrow else [_("Department")]),
                _("Case"),
                _("Source"),
            ],
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
        if self.loaded and self.app.database_fault is None:
            self.load()

    def show_unavailable(self, fault: DatabaseUnavailable) -> None:
        # The lists are hidden behind "could not be fetched"; the tabs show no count either.
        self.query_one("#deadlines-title", Static).update(
            Text(_("Deadlines at {date}").format(date=long_date(self.app.skranke.clock.now().date())), style="bold")
        )
        self._label_tabs(dict.fromkeys(TAB_LISTS, "–"))

    def reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="deadlines")
    def load(self) -> None:
        skranke = self.app.skranke
        page = deadlines_page(skranke, department=self._department, limit=ROWS_SHOWN)
        # Names only for the rows of the tab in view: nobody else is looked at (the other
        # tabs' names are read, and logged, when a tab is opened: _fill_named).
        shown = self.app.call_from_thread(lambda: self.query_one(TabbedContent).active) or "tab-requests"
        labels = citizen_labels(skranke, self.app.actor, [row.citizen_id for row in _tab_lists(page)[shown]])
        self.app.call_from_thread(self._show, page, labels, shown)

    @work(thread=True, exit_on_error=False, group="deadlines-names")
    def _read_names(self, tab: str, view: DeadlinesPage) -> None:
        ids = [row.citizen_id for row in _tab_lists(view)[tab]]
        labels = citizen_labels(self.app.skranke, self.app.actor, ids)  # a fault: the app's to show
        self.app.call_from_thread(self._names_read, tab, view, labels)

    def _names_read(self, tab: str, view: DeadlinesPage, labels: dict[str, CitizenLabel]) -> None:
        if view is not self._view:
            return  # read again meanwhile: the new read names its own tabs
        self._naming.discard(tab)
        self._labels.update(labels)
        self._named.add(tab)
        self._fillers_by_tab()[tab]()

    def _fill_named(self, tab: str) -> None:
        """Fill a tab whose names are read; read them first (a worker) if they are not."""
        if tab in self._named:
            self._fillers_by_tab()[tab]()
        elif tab not in self._naming and self._view is not None:
            self._naming.add(tab)
            self._read_names(tab, self._view)

    def _fillers_by_tab(self) -> dict[str, Callable[[], None]]:
        return {
            "tab-requests": self._fill_requests,
            "tab-exempt": self._fill_exempt,
            "tab-follow-ups": self._fill_follow_ups,
            "tab-plan-reviews": self._fill_plan_reviews,
            "tab-medical": self._fill_medical,
        }

    def _citizen(self, citizen_id: str) -> Text:
        # Alias or initials: whoever stands at the counter need not read the full name.
        label = self._labels.get(citizen_id)
        if label is None:
            return plain(citizen_id)
        if label.alias:
            return plain(label.alias)
        initials = "".join(part[0] for part in label.name.split() if part)
        return plain(f"{initials} ({citizen_id})" if initials else citizen_id)

    def _show(self, view: DeadlinesPage, labels: dict[str, CitizenLabel], named_tab: str) -> None:
        self._view, self._labels, self._named, self._naming = view, labels, {named_tab}, set()
        overview = view.overview
        self.query_one("#deadlines-title", Static).update(
            Text(_("Deadlines at {date}").format(date=long_date(overview.as_of)), style="bold")
        )
        self._fill()
        if not self.loaded:
            # The table of the tab in view: a tab chosen by a key typed before the first read (a
            # burst after the PIN) stays chosen; focusing another tab's table would switch back.
            active = self.query_one(TabbedContent).active or "tab-requests"
            self.query_one(f"#{active.removeprefix('tab-')}", DataTable).focus()
        self.loaded = True

    def _fill(self) -> None:
        """Show the page: the filter, each tab's count, and the rows of the tab in view (the other
        tabs' tables when first shown: TabTables)."""
        if self._view is None:
            return
        wanted = self._department  # the page holds this department's rows only
        self.query_one("#deadlines-filter", Static).update(
            _("Department: {name}").format(name=department_name(self.app.skranke.site, wanted) if wanted else _("all"))
        )
        shown_lists = _tab_lists(self._view)
        self._shown_requests = shown_lists["tab-requests"]
        self._shown_follow_ups = shown_lists["tab-follow-ups"]
        totals = self._view.totals
        self._label_tabs(
            {
                tab: str(_tab_total(totals, tab))
                if _tab_total(totals, tab) <= len(shown_lists[tab])
                else _("{shown} of {total}").format(
                    shown=len(shown_lists[tab]), total=whole_number(_tab_total(totals, tab))
                )
                for tab in TAB_LISTS
            }
        )
        fillers = {tab: partial(self._fill_named, tab) for tab in self._fillers_by_tab()}
        self.fill_tables(fillers, self.query_one(TabbedContent).active)

    def _today(self) -> date:
        return self.app.skranke.clock.now().date()

    def _department_cell(self, case_id: str, department_id: str | None = None, width: int | None = None) -> Text:
        departments = self._view.case_departments if self._view is not None else {}
        name = department_name(self.app.skranke.site, department_id or departments.get(case_id, ""))
        return shortened(name, width) if width else plain(name)

    def _fill_requests(self) -> None:
        assert self._view is not None
        as_of, narrow, today = self._view.overview.as_of, bool(self._narrow), self._today()
        requests = self.query_one("#requests", DataTable)
        requests.clear()
        rows: list[tuple[list[Text | str], Text, str]] = []
        # At 80 columns the department gives way (with "…") to days, status, citizen, both
        # dates and the notes' heading, beside a scrollbar.
        citizen_width = max((self._citizen(r.citizen_id).cell_len for r in self._shown_requests), default=6)
        department_width = max(6, room_left(self.app.size.width - 4, [4, 11, citizen_width, 6, 10, 12]))
        for request in self._shown_requests:
            style = STATUS_STYLE.get(request.status, "")
            cells: list[Text | str] = [
                Text("–" if request.days_left is None else str(request.days_left), style=style, justify="right"),
                Text(status_word(request.status), style=style),
                self._citizen(request.citizen_id),
                self._department_cell(request.case_id, request.department, department_width if narrow else None),
            ]
            if not narrow:
                cells += [request.paragraph, _near_day(request.contact_date, today)]
            cells += [_near_day(request.deadline, today), _near_day(request.last_open_day, today)]
            # The why of a row that needs attention first, then its flags.
            words = [status_why(request, as_of)] if request.status != "ok" else []
            words += [flag_word(f) for f in request.flags]
            rows.append((cells, Text(", ".join(words), style="yellow" if words else ""), request.case_id))
        self._add_rows_fitted(requests, "requests", rows, [r.citizen_id for r in self._shown_requests])
        self._explain(requests.cursor_row)

    def _add_rows_fitted(
        self, table: DataTable[Any], name: str, rows: list[tuple[list[Text | str], Text, str]], citizens: list[str]
    ) -> None:
        """The rows, their last column (notes) shortened with "…" to what the other columns leave."""
        headers = self._columns(bool(self._narrow))[name][:-1]
        widths = [
            max([Text(header).cell_len, *(Text(str(cells[i])).cell_len for cells, _notes, _id in rows)])
            for i, header in enumerate(headers)
        ]
        # Less two cells for the scrollbar a long list gets.
        notes_width = max(room_left(self.app.size.width - 4, widths), 4)
        # The notes' heading too, when the other columns leave less than it needs.
        notes_column = list(table.columns.values())[-1]
        notes_column.label = shortened(self._columns(bool(self._narrow))[name][-1], notes_width)
        notes_column.content_width = notes_column.label.cell_len
        for (cells, notes, key), citizen_id in zip(rows, citizens, strict=True):
            table.add_row(*cells, shortened(notes, notes_width), key=f"{key}|{citizen_id}")

    def _fill_exempt(self) -> None:
        assert self._view is not None
        exempt = self.query_one("#exempt", DataTable)
        exempt.clear()
        for exempt_case in self._view.overview.exempt:
            exempt.add_row(
                self._citizen(exempt_case.citizen_id),
                self._department_cell(exempt_case.case_id),
                exempt_case.case_id,
                reason_word(exempt_case.reason),
                plain(reason_source(exempt_case.reason, self.app.skranke.site)),
                key=f"{exempt_case.case_id}|{exempt_case.citizen_id}",
            )

    def _fill_follow_ups(self) -> None:
        follow_ups = self.query_one("#follow-ups", DataTable)
        follow_ups.clear()
        today = self._today()
        rows: list[tuple[list[Text | str], Text, str]] = []
        for follow_up in self._shown_follow_ups:
            style = STATUS_STYLE.get(follow_up.status, "")
            cells: list[Text | str] = [
                Text(status_word(follow_up.status), style=style),
                _near_day(follow_up.due, today),
                str(follow_up.months),
                self._citizen(follow_up.citizen_id),
                self._department_cell(follow_up.case_id),
                follow_up.case_id,
            ]
            notes = Text(", ".join(flag_word(f) for f in follow_up.flags), style="yellow")
            rows.append((cells, notes, f"{follow_up.case_id}|{follow_up.months}"))
        self._add_rows_fitted(follow_ups, "follow-ups", rows, [f.citizen_id for f in self._shown_follow_ups])

    def _fill_plan_reviews(self) -> None:
        assert self._view is not None
        reviews = self.query_one("#plan-reviews", DataTable)
        reviews.clear()
        for review in self._view.overview.plan_reviews:
            style = STATUS_STYLE.get(review.status, "")
            reviews.add_row(
                Text(status_word(review.status), style=style),
                _near_day(review.due, self._today()),
                self._citizen(review.citizen_id),
                self._department_cell(review.case_id),
                review.case_id,
                key=f"{review.case_id}|{review.citizen_id}",
            )

    def _fill_medical(self) -> None:
        """Medical reviews (the site's rule and source) and complaints and access requests, by the
        day each is due; one without a deadline in the site's standard last, saying so."""
        assert self._view is not None
        table = self.query_one("#medical", DataTable)
        table.clear()
        site = self.app.skranke.site
        rows: list[tuple[date, list[Text | str], str]] = []
        for review in self._view.overview.medical_reviews:
            rule = self._view.medical_review_rules.get(review.case_id)
            source = citation(rule.source) if rule else ""
            cells: list[Text | str] = [
                Text(status_word(review.status), style=STATUS_STYLE.get(review.status, "")),
                _near_day(review.due, self._today()),
                _("medical review"),
                self._citizen(review.citizen_id),
                self._department_cell(review.case_id),
                review.case_id,
                plain(source),
            ]
            rows.append((review.due, cells, f"{review.case_id}|{review.citizen_id}"))
        rules = site.rules
        for complaint in self._view.overview.complaints:
            source = (
                rules.access_answer_working_days_source
                if complaint.kind == "access"
                else rules.complaint_answer_days_source
            )
            cells = [
                Text(complaint_status_word(complaint.status), style=STATUS_STYLE.get(complaint.status, "")),
                _near_day(complaint.deadline, self._today()),
                complaint_kind_word(complaint.kind),
                self._citizen(complaint.citizen_id),
                "–",
                f"#{complaint.complaint_id}",
                plain(citation(source)),
            ]
            rows.append((complaint.deadline or date.max, cells, f"#{complaint.complaint_id}|{complaint.citizen_id}"))
        rows.sort(key=lambda row: row[0])  # stable: each list keeps its own order within a day
        # The source, last, shortened with "…" to what the other columns leave (as the notes are).
        left_out = {4} if self._narrow else set()  # the department's cell, left out at 80 columns
        fitted = [
            ([c for i, c in enumerate(cells[:-1]) if i not in left_out], Text(str(cells[-1])), key.rpartition("|")[0])
            for _due, cells, key in rows
        ]
        self._add_rows_fitted(table, "medical", fitted, [key.rpartition("|")[2] for _due, _cells, key in rows])

    def _label_tabs(self, counts: dict[str, str]) -> None:
        tabs = self.query_one(TabbedContent)
        # Five tabs with their counts do not fit 80 columns: below 100 the short names, so no tab
        # is scrolled out of sight (the keys 1-5 and help name them in full).
        if self._narrow:
            labels = {
                "tab-requests": _("Req. ({count})"),
                "tab-exempt": _("Exem. ({count})"),
                "tab-follow-ups": _("Fol. ({count})"),
                "tab-plan-reviews": _("Plans ({count})"),
                "tab-medical": _("Doc./compl. ({count})"),
            }
        else:
            labels = {
                "tab-requests": _("Requests ({count})"),
                "tab-exempt": _("Exempt ({count})"),
                "tab-follow-ups": _("Follow-ups ({count})"),
                "tab-plan-reviews": _("Plan reviews ({count})"),
                "tab-medical": _("Doctor/complaints ({count})"),
            }
        for tab, label in labels.items():
            tabs.get_tab(tab).label = label.format(count=counts[tab])

    def _explain(self, row: int) -> None:
        """Say under the table why the highlighted request has its status, and what each flag means."""
        why = self.query_one("#request-why", Static)
        shown = self._shown_requests
        if not shown or self._view is None or not 0 <= row < len(shown):
            why.update("")
            return
        request = shown[row]
        # One line each, cut with an ellipsis where the screen is narrow (the citizen card has it all).
        text = Text()
        # What a narrow row leaves out first: the case, paragraph and contact date.
        text.append(
            _("{case} · {paragraph} · contact {contact}").format(
                case=request.case_id,
                paragraph=request.paragraph,
                contact=_near_day(request.contact_date, self._today()),
            )
            + " · "
        )
        text.append(status_word(request.status), style=STATUS_STYLE.get(request.status, ""))
        text.append(": " + status_why(request, self._view.overview.as_of))
        lines = explained_flags(request, self.app.skranke.site)
        shown_lines = lines if len(lines) <= WHY_LINES else [*lines[: WHY_LINES - 1], "…"]
        # Cut with an ellipsis only where the screen is narrow; the citizen card has it all.
        width = self.app.size.width - 4 if self.app.size.width - 2 < NARROW else 10_000
        why.update(
            Text("\n").join([shortened(text, width), *(shortened(plain("• " + line), width) for line in shown_lines)])
        )

    @on(DataTable.RowHighlighted, "#requests")
    def _request_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._explain(event.cursor_row)

    def action_next_tab(self) -> None:
        tabs = list(TAB_LISTS)
        active = self.query_one(TabbedContent).active
        self.action_show_tab(tabs[(tabs.index(active) + 1) % len(tabs)] if active in tabs else tabs[0])

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        # The tab's table takes the keys (↑/↓, Enter) at once.
        self.query_one(f"#{tab.removeprefix('tab-')}", DataTable).focus()

    def action_next_department(self) -> None:
        departments = [d.id for d in self.app.skranke.site.all_departments() if d.kind == "department"]
        order = [None, *departments]
        self._department = order[(order.index(self._department) + 1) % len(order)]
        # Another department shows other citizens: their names are read (and logged) anew.
        self.load()

    def action_open_citizen(self) -> None:
        table = self.focused if isinstance(self.focused, DataTable) else None
        if table is None or table.row_count == 0:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
        self.app.push_screen(CitizenScreen(key.rsplit("|", 1)[-1]))

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(CitizenScreen((event.row_key.value or "").rsplit("|", 1)[-1]))

    # --- a follow-up recorded as made ---------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("record_follow_up", "answer_complaint"):
            # Each on its own tab only: elsewhere the highlighted row is neither.
            tabs = self.query(TabbedContent)
            tab = "tab-follow-ups" if action == "record_follow_up" else "tab-medical"
            return bool(tabs) and tabs.first().active == tab
        return True

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.fill_shown_tab(self.activated_tab(event))
        self.refresh_bindings()

    def _highlighted_follow_up(self) -> FollowUp | None:
        table = self.query_one("#follow-ups", DataTable)
        shown = self._shown_follow_ups
        if self.app.database_fault is not None or not 0 <= table.cursor_row < len(shown):
            return None
        return shown[table.cursor_row]

    def action_record_follow_up(self) -> None:
        follow_up = self._highlighted_follow_up()
        if follow_up is None:
            self.notify(_("No follow-up is highlighted."), timeout=3)
            return
        try:
            # Asked before the dialog, not after the answer; the service asks again when it records.
            require(self.app.actor, "follow_up")
        except AccessError as refused:
            self.notify(str(refused), severity="error")
            return
        after = ngettext("after {count} month", "after {count} months", follow_up.months).format(count=follow_up.months)
        question = _("Follow-up of {citizen} {after}: how did it go?").format(
            citizen=self._citizen(follow_up.citizen_id).plain, after=after
        )
        self.app.push_screen(
            OutcomeDialog(question), callback=lambda outcome: self._follow_up_answered(follow_up, outcome)
        )

    def action_answer_complaint(self) -> None:
        table = self.query_one("#medical", DataTable)
        complaint = None
        if self._view is not None and self.app.database_fault is None and table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
            number = key.partition("|")[0].removeprefix("#")
            complaint = next((c for c in self._view.overview.complaints if str(c.complaint_id) == number), None)
        if complaint is None:
            # A medical review leaves the list when the journal's export gives its day (laege_gennemgang).
            self.notify(
                _("No complaint or access request is highlighted: a medical review is recorded in the journal."),
                timeout=5,
            )
            return
        label = self._labels.get(complaint.citizen_id)
        who = Who(complaint.citizen_id, label.name if label else "", label.alias if label else "")
        answer_complaint_from(self, complaint, who, lambda _text, refused: None if refused else self.reload())

    def _follow_up_answered(self, follow_up: FollowUp, outcome: str | None) -> None:
        if outcome is not None:
            self.save_follow_up(follow_up, outcome)

    @work(thread=True, exit_on_error=False, group="deadlines-follow-up")
    def save_follow_up(self, follow_up: FollowUp, outcome: str) -> None:
        save_outcome(
            self,
            lambda: record_follow_up(
                self.app.skranke,
                self.app.actor,
                follow_up.case_id,
                follow_up.citizen_id,
                follow_up.months,
                follow_up.due,
                outcome,
            ),
            _("Follow-up recorded: {outcome}.").format(outcome=outcome_label(outcome)),
        )


def _tab_lists(page: DeadlinesPage) -> dict[str, list[Any]]:
    """Each tab's rows on the page, in the view's order of urgency (the medical tab: its reviews,
    then the complaints)."""
    lists = {tab: list(getattr(page.overview, name)) for tab, name in TAB_LISTS.items()}
    lists["tab-medical"] += page.overview.complaints
    return lists


def _tab_total(totals: dict[str, int], tab: str) -> int:
    return totals[TAB_LISTS[tab]] + (totals.get("complaints", 0) if tab == "tab-medical" else 0)
