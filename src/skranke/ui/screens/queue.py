""" "Medicinudlevering": who is waiting, who is due, what goes home, what is done.

Another workstation's check-ins and doses appear within two seconds: the screen asks the
store once a second whether anything was recorded (`desk_changes`) and reloads when it was.
A reload keeps the highlight on the same row by its key (the same citizen), and tells an open
dose dialog when its dose was recorded, voided or held elsewhere. Every row with an alert has
a "!" in its first column, and the columns are sized to the screen so that what is cut ends in
"…" (at 80 columns too); Left/Right change tab, Home goes to the first row. When the database
cannot be reached the last queue read stays on screen, read-only and stamped with its time.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Static, TabbedContent, TabPane

from skranke.i18n import _, clock_time, long_date, ngettext, short_date
from skranke.services.access import AccessError
from skranke.services.errors import DatabaseUnavailable
from skranke.services.queue import DoneRow, DueRow, QueueView, desk_changes, dispensing_services, window_queue
from skranke.services.wording import alert_text, format_mg, outcome_word, refusal_text
from skranke.services.wording import dose_state_word as state_word
from skranke.ui.app_base import SkrankeAppBase
from skranke.ui.screens.confirm import ConfirmDialog
from skranke.ui.screens.dose import DoseDialog, VoidDialog, close_day_words, label_words
from skranke.ui.widgets.database import REFUSED, DatabaseBanner, DatabaseScreen, NotFetched
from skranke.ui.widgets.footer import SkrankeFooter
from skranke.ui.widgets.staff_bar import StaffBar
from skranke.ui.widgets.tab_tables import TabTables
from skranke.ui.widgets.table import DataTable

POLL_SECONDS = 1.0
STATE_STYLE = {"due": "green", "hold": "bold red", "blocked": "bold yellow"}
OUTCOME_STYLE = {"given": "green", "refused": "bold yellow", "missed": "red"}
STALE = "-stale"  # the database is down and the last queue read is shown, read-only
TABS = ("tab-waiting", "tab-expected", "tab-deliveries", "tab-done")
TABLES = {"tab-waiting": "#waiting", "tab-expected": "#expected", "tab-deliveries": "#deliveries", "tab-done": "#done"}
CELL_PADDING = 2  # a DataTable column's padding, one each side


def cell(value: str | Text, style: str = "") -> Text:
    """A cell that ends in "…" when its column is narrower than the text (never a silent cut)."""
    text = value.copy() if isinstance(value, Text) else Text(value, style=style)
    text.no_wrap, text.overflow = True, "ellipsis"
    return text


def fit_widths(natural: list[int], minimum: list[int], shrink_order: list[int], available: int) -> list[int]:
    """Column widths that fit `available` cells: each column's text as wide as it is, then the
    columns in `shrink_order` made narrower (to their minimum, one after the other) until the
    table fits; the last column takes what is left over."""
    widths = list(natural)
    room = available - CELL_PADDING * len(widths)
    for index in shrink_order:
        excess = sum(widths) - room
        if excess <= 0:
            break
        widths[index] = max(minimum[index], widths[index] - excess)
    if sum(widths) < room:
        widths[-1] += room - sum(widths)
    return widths


def preparation_name(app: SkrankeAppBase, preparation: str) -> str:
    try:
        return app.skranke.site.preparation(preparation).name
    except KeyError:
        return preparation


def home_text(row: DueRow) -> str:
    """'overvåget' / 'overvåget + 2 dage hjem (120 mg)' / '7 dage hjem (280 mg)'."""
    dose = row.dose
    days = dose.take_home_days
    home = (
        ngettext("{days} day home ({mg} mg)", "{days} days home ({mg} mg)", days).format(
            days=days, mg=format_mg(dose.take_home_mg)
        )
        if days
        else ""
    )
    if dose.order.supervised and not dose.delivery:
        return _("supervised") + (f" + {home}" if home else "")
    return home or _("home")


def alerts_text(row: DueRow) -> Text:
    text = Text()
    for alert in row.dose.alerts:
        if text:
            text.append("; ")
        text.append(alert_text(alert), style="bold red" if alert.blocks else "yellow")
    return text


class QueueScreen(TabTables, DatabaseScreen[None]):
    BINDINGS = [
        Binding("enter", "open_row", _("Dose"), id="queue.dose", tooltip=_("Give, refuse or mark missed")),
        # From the tab bar (or anywhere the table has not the focus): into the table, the
        # highlight moved, so what Enter acts on is always the highlight on screen.
        Binding("up", "step(-1)", _("Up"), id="queue.up", show=False),
        Binding("down", "step(1)", _("Down"), id="queue.down", show=False),
        # The columns fit the screen (nothing to scroll sideways): Left/Right change tab.
        Binding("left", "next_tab(-1)", _("Previous tab"), id="queue.tab_left", show=False, priority=True),
        Binding("right", "next_tab(1)", _("Next tab"), id="queue.tab_right", show=False, priority=True),
        Binding("home", "first_row", _("First row"), id="queue.home", show=False, priority=True),
        Binding("a", "next_service", _("Service"), id="queue.service", tooltip=_("Medicine room or heroin clinic")),
        Binding("u", "close_day", _("Close day"), id="queue.close_day", tooltip=_("Due doses not given become missed")),
        # On the Done tab only: the take-home label of the highlighted record again (issue 27).
        Binding("p", "label", _("Label"), id="queue.label", tooltip=_("The take-home label again")),
    ]

    loaded = False

    def __init__(self) -> None:
        super().__init__()
        self.service: str | None = None
        self._view: QueueView | None = None
        self._marker: tuple[int, int, int] | None = None
        self._arrived: list[DueRow] = []  # the due doses of citizens checked in, and the rest
        self._expected: list[DueRow] = []
        self._fetched_at: str | None = None  # "09.31": when the queue on screen was read

    def compose(self) -> ComposeResult:
        yield StaffBar()
        with Vertical(id="queue", classes="screen-body"):
            yield DatabaseBanner()
            with Horizontal(id="queue-heading", classes="screen-heading"):
                yield Static(id="queue-title", classes="title")
                yield Static(id="queue-clock", classes="aside")
            with TabbedContent(id="queue-tabs", classes="fetched"):
                with TabPane(_("Waiting"), id="tab-waiting"):
                    yield DataTable(id="waiting", cursor_type="row", zebra_stripes=True)
                with TabPane(_("Expected today"), id="tab-expected"):
                    yield DataTable(id="expected", cursor_type="row", zebra_stripes=True)
                with TabPane(_("Deliveries"), id="tab-deliveries"):
                    yield DataTable(id="deliveries", cursor_type="row", zebra_stripes=True)
                with TabPane(_("Done"), id="tab-done"):
                    yield DataTable(id="done", cursor_type="row", zebra_stripes=True)
            yield Static(id="queue-row-detail", classes="fetched")
            yield NotFetched(_("The queue"))
            yield Static(id="queue-refused")
        yield SkrankeFooter()

    def on_mount(self) -> None:
        # The columns are set with each fill, sized to the screen (`_fill`).
        self.query_one("#waiting", DataTable).focus()
        self.load()
        self.set_interval(POLL_SECONDS, self._poll)
        self.set_interval(60, self.load)  # minutes waiting move on without any change

    def reload(self) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        # Back from a dialog, or from the lock screen with perhaps another person signed in.
        if (self.loaded or self.has_class(REFUSED)) and self.app.database_fault is None:
            self.load()

    def on_resize(self) -> None:
        # The columns are sized to the width: filled anew at the new one.
        if self._view is not None and self._fillers is not None:
            self.fill_tables(self._fillers, self.query_one(TabbedContent).active)

    def show_unavailable(self, fault: DatabaseUnavailable) -> None:
        if self._view is not None:
            # The last queue read stays, read-only and stamped, so the paper procedure can go on
            # (DESIGN §1); nothing is recorded until the database answers (check_action).
            self.add_class(STALE)
            for selector in ("#queue-tabs", "#queue-row-detail"):
                self.query_one(selector).remove_class("fetched")
            self.query_one(NotFetched).update(
                Text(
                    _(
                        "The queue as last fetched at {time}: read-only, "
                        "nothing can be recorded until the database answers."
                    ).format(time=self._fetched_at or "–"),
                    style="bold",
                )
            )
            self.refresh_bindings()
            return
        for pane, label in (
            ("tab-waiting", _("Waiting")),
            ("tab-expected", _("Expected today")),
            ("tab-deliveries", _("Deliveries")),
            ("tab-done", _("Done")),
        ):
            self.query_one(TabbedContent).get_tab(pane).label = f"{label} (–)"

    def _back_from_stale(self) -> None:
        if self.has_class(STALE):
            self.remove_class(STALE)
            for selector in ("#queue-tabs", "#queue-row-detail"):
                self.query_one(selector).add_class("fetched")
            self.query_one(NotFetched).update(_("{what}: could not be fetched").format(what=_("The queue")))
            self.refresh_bindings()

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue")
    def load(self) -> None:
        skranke = self.app.skranke
        marker = desk_changes(skranke)
        try:
            view = window_queue(skranke, self.app.actor, service=self.service)
        except AccessError as refused:
            self.app.call_from_thread(self._refused, refused)
            return
        self.app.call_from_thread(self._show, view, marker)

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue-poll")
    def _poll(self) -> None:
        if not self.loaded or self.app.database_fault is not None:
            return
        marker = desk_changes(self.app.skranke)
        if marker != self._marker:
            self.app.call_from_thread(self.load)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "label":
            if self.has_class(REFUSED) or self.query_one(TabbedContent).active != "tab-done":
                return False
            return None if self.app.database_fault is not None else True
        if action in ("open_row", "next_service", "close_day"):
            if self.has_class(REFUSED):
                return False  # no keys for a queue the role may not see
            if self.app.database_fault is not None and action != "next_service":
                return None  # shown greyed: nothing can be recorded while the database is down
        return True

    def _refused(self, refused: AccessError) -> None:
        """The signed-in person's role may not see the queue (reception): no names, no doses."""
        self._view, self.loaded = None, False
        self.query_one("#queue-title", Static).update(Text(_("Medicine dispensing"), style="bold"))
        self.show_refusal(
            refused, "#queue-refused", _("A nurse or a doctor signs in to see it: lock the desk (l), then sign in.")
        )

    def _show(self, view: QueueView, marker: tuple[int, int, int]) -> None:
        if self.has_class(REFUSED):
            self.remove_class(REFUSED)
            self.refresh_bindings()
        self._back_from_stale()
        self._view, self._marker, self.service = view, marker, view.service
        now = self.app.skranke.clock.now()
        self._fetched_at = clock_time(now)
        self.query_one("#queue-title", Static).update(
            Text.assemble((view.service_name, "bold"), "  ·  ", long_date(view.day))
        )
        self.query_one("#queue-clock", Static).update(_("at {time}").format(time=clock_time(now)))
        self._arrived = [row for row in view.due if row.arrived]
        self._expected = [row for row in view.due if not row.arrived]
        # Every dose recorded at any workstation reloads the queue: the tab in view is filled now,
        # the others when first shown (a large clinic's expected and done lists are long).
        fillers = {
            "tab-waiting": self._fill_waiting,
            "tab-expected": self._fill_expected,
            "tab-deliveries": self._fill_deliveries,
            "tab-done": self._fill_done,
        }
        self.fill_tables(fillers, self.query_one(TabbedContent).active)
        tabs = self.query_one(TabbedContent)
        for pane, label, count in (
            ("tab-waiting", _("Waiting"), len(self._arrived)),
            ("tab-expected", _("Expected today"), len(self._expected)),
            ("tab-deliveries", _("Deliveries"), len(view.deliveries)),
            ("tab-done", _("Done"), len(view.done)),
        ):
            tabs.get_tab(pane).label = f"{label} ({count})"
        self.loaded = True
        self._detail()
        self._tell_open_dialog(view)

    def _fill_waiting(self) -> None:
        assert self._view is not None
        waiting_since = {w.person.citizen_id: w for w in self._view.waiting}
        rows = []
        for row in self._arrived:
            waited = waiting_since.get(row.person.citizen_id)
            cells = self._dose_cells(row)
            since = (
                # The minutes first: what is left when the column is cut at 80 columns.
                _("{minutes} min.").format(minutes=waited.minutes_waiting) + f" · {clock_time(waited.checked_in_at)}"
                if waited
                else "–"
            )
            rows.append(([*cells[:6], cell(since), *cells[6:]], self._key(row)))
        # What decides the act comes first (the mark, who, may it be given, what); what does not
        # fit is shortened with "…", the alerts first (the line under the table has them whole).
        labels = ["!", _("Citizen"), _("Status"), _("Preparation"), _("Dose"), _("Supervised / home")]
        self._fill(
            "#waiting",
            [*labels, _("Waits"), _("CPR"), _("Alerts")],
            rows,
            [8, 7, 6, 5, 3, 1, 2, 4],
            [1, 6, 6, 8, 6, 8, 6, 7, 8],
        )

    def _fill_expected(self) -> None:
        rows = [(self._dose_cells(row), self._key(row)) for row in self._expected]
        labels = ["!", _("Citizen"), _("Status"), _("Preparation"), _("Dose"), _("Supervised / home")]
        self._fill("#expected", [*labels, _("CPR"), _("Alerts")], rows, [7, 6, 5, 3, 1, 2, 4], [1, 6, 6, 8, 6, 8, 7, 8])

    def _fill_deliveries(self) -> None:
        assert self._view is not None
        rows = [
            (
                [
                    cell(row.person.display),
                    cell(preparation_name(self.app, row.dose.order.preparation)),
                    cell(f"{format_mg(row.dose.dose_mg)} mg"),
                    cell(ngettext("{days} day", "{days} days", row.dose.covers_days).format(days=row.dose.covers_days)),
                ],
                self._key(row),
            )
            for row in self._view.deliveries
        ]
        self._fill("#deliveries", [_("Citizen"), _("Preparation"), _("Dose"), _("Covers")], rows, [3, 1, 0], [6] * 4)

    def _fill_done(self) -> None:
        assert self._view is not None
        rows = [(self._done_cells(done), f"done|{done.dispensing_id}") for done in reversed(self._view.done)]
        labels = [_("Time"), _("Citizen"), _("Preparation"), _("Outcome"), _("Dose"), _("Take-home"), _("By")]
        self._fill("#done", [*labels, _("Note")], rows, [7, 2, 5, 3, 1, 6], [5, 6, 8, 6, 6, 6, 3, 8])

    def _fill(
        self,
        selector: str,
        labels: list[str],
        rows: list[tuple[list[Text], str]],
        shrink: list[int],
        narrowest: list[int],
    ) -> None:
        """The table anew: columns sized to the screen, the highlight kept on the same row by its
        key (the same citizen after a reload), else on the same citizen's other row, else at the
        same place."""
        table = self.query_one(selector, DataTable)
        key, index = None, table.cursor_row
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        natural = [max([len(label), *(c.cell_len for c in (r[0][i] for r in rows))]) for i, label in enumerate(labels)]
        minimum = [min(n, m) for n, m in zip(natural, narrowest, strict=True)]
        # A tab's table is filled when its tab is chosen, perhaps before it is laid out (no
        # size yet): the tabs' width is the table's, the screen's is wider by its padding.
        width = table.size.width or self.query_one(TabbedContent).size.width or self.size.width or 80
        # A vertical scrollbar takes its columns only when the rows overflow the table.
        overflows = len(rows) + 1 > (table.size.height or self.size.height)
        available = width - (table.styles.scrollbar_size_vertical if overflows else 0)
        widths = fit_widths(natural, minimum, shrink, available)
        table.clear(columns=True)
        for label, width in zip(labels, widths, strict=True):
            table.add_column(cell(label), width=width)
        for cells, row_key in rows:
            table.add_row(*cells, key=row_key)
        if not table.row_count:
            return
        keys = [row_key for _cells, row_key in rows]
        if key in keys:
            table.move_cursor(row=keys.index(key), animate=False)
            return
        citizen = self._citizen_of(key)
        same = [i for i, k in enumerate(keys) if citizen is not None and self._citizen_of(k) == citizen]
        table.move_cursor(row=same[0] if same else min(index, table.row_count - 1), animate=False)

    def _citizen_of(self, key: str | None) -> str | None:
        if key is None or self._view is None:
            return None
        row = self._due_row(key)
        if row is not None:
            return row.person.citizen_id
        done = next((d for d in self._view.done if f"done|{d.dispensing_id}" == key), None)
        return done.person.citizen_id if done is not None else None

    def _key(self, row: DueRow) -> str:
        return f"due|{row.dose.order.id}|{row.dose.dose_number}"

    def _dose_cells(self, row: DueRow) -> list[Text]:
        dose = row.dose
        number = f" ({dose.dose_number}/2)" if dose.order.doses_per_day == 2 else ""
        blocks = any(a.blocks for a in dose.alerts)
        mark = cell("!", "bold red" if blocks else "bold yellow") if dose.alerts else cell("")
        return [
            mark,
            cell(row.person.display),
            cell(state_word(dose.state), STATE_STYLE.get(dose.state, "")),
            cell(preparation_name(self.app, dose.order.preparation) + number),
            cell(f"{format_mg(dose.dose_mg)} mg"),
            cell(home_text(row)),
            cell(row.person.masked_cpr or _("anonymous")),
            cell(alerts_text(row)),
        ]

    def _done_cells(self, row: DoneRow) -> list[Any]:
        outcome = Text(outcome_word(row.outcome), style=OUTCOME_STYLE.get(row.outcome, ""))
        if row.voided:
            outcome = Text(_("voided") + f" ({outcome_word(row.outcome)})", style="dim strike")
        return [
            cell(clock_time(row.recorded_at)),
            cell(row.person.display),
            cell(preparation_name(self.app, row.preparation)),
            cell(outcome),
            cell(f"{format_mg(row.dose_mg)} mg" if row.dose_mg is not None else "–"),
            cell(f"{format_mg(row.take_home_mg)} mg" if row.take_home_mg else ""),
            cell(row.staff),
            cell(row.void_reason or refusal_text(row.reason)),
        ]

    # --- the highlighted row and its dialog ---------------------------------------------

    def _current(self) -> tuple[DataTable[Any], str] | None:
        """The row the highlight shows in the tab on screen: the one Enter acts on."""
        tabs = self.query_one(TabbedContent)
        table = self.query_one(TABLES[tabs.active or "tab-waiting"], DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return (table, key) if key else None

    def _due_row(self, key: str) -> DueRow | None:
        if self._view is None:
            return None
        for row in [*self._view.due, *self._view.deliveries]:
            if self._key(row) == key:
                return row
        return None

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._detail()

    @on(TabbedContent.TabActivated)
    def _tab(self, event: TabbedContent.TabActivated) -> None:
        self.fill_shown_tab(self.activated_tab(event))
        self.refresh_bindings()  # p (label) is the Done tab's
        current = self._table()
        if current is not None:
            current.focus()
        self._detail()

    def _table(self) -> DataTable[Any] | None:
        pane = self.query_one(TabbedContent).active_pane
        return pane.query_one(DataTable) if pane is not None else None

    def _detail(self) -> None:
        """Under the table: what the highlighted row's alerts mean and who may lift a hold."""
        detail = self.query_one("#queue-row-detail", Static)
        current = self._current()
        row = self._due_row(current[1]) if current else None
        done = self._done_row(current[1]) if current else None
        if done is not None and done.take_home_mg and not done.voided:
            detail.update(
                Text.assemble(
                    (done.person.display, "bold"),
                    "  ",
                    _("{mg} mg went home · p: the label again").format(mg=format_mg(done.take_home_mg)),
                )
            )
            return
        if row is None:
            detail.update(Text(_("Enter opens the dose · a switches service · u closes the day"), style="dim"))
            return
        text = Text.assemble((row.person.display, "bold"), f"  {row.person.masked_cpr or _('anonymous')}  ")
        if row.dose.alerts:
            text.append(alerts_text(row))
            text.append("\n")
        if row.dose.state == "hold":
            text.append(_("Held until a doctor reassesses; a doctor releases it (Enter)."), style="bold red")
        elif row.dose.state == "blocked":
            text.append(_("Cannot be given now: see the alert."), style="bold yellow")
        else:
            text.append(_("Enter: give, refuse or mark missed."))
        detail.update(text)

    def _done_row(self, key: str) -> DoneRow | None:
        if self._view is None or not key.startswith("done|"):
            return None
        return next((d for d in self._view.done if f"done|{d.dispensing_id}" == key), None)

    def action_label(self) -> None:
        """The highlighted done record's take-home label again: printed or saved, as at the dose."""
        if self.app.screen is not self or self.app.database_fault is not None:
            return
        current = self._current()
        done = self._done_row(current[1]) if current else None
        if done is None:
            return
        if done.voided or not done.take_home_mg:
            self.app.notify(
                _("{citizen}: nothing went home with this dose, so it has no label.").format(
                    citizen=done.person.display
                ),
                severity="warning",
                timeout=6,
            )
            return
        self._label(done.dispensing_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="label")
    def _label(self, dispensing_id: int) -> None:
        words = label_words(self.app.skranke, self.app.actor, dispensing_id)
        self.app.call_from_thread(self.app.notify, words, timeout=8)

    def action_step(self, step: int) -> None:
        # Reached only when the table has not the focus (it moves its own cursor): into it.
        table = self._table()
        if table is None:
            return
        table.focus()
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)), animate=False)

    def action_next_tab(self, step: int) -> None:
        tabs = self.query_one(TabbedContent)
        current = TABS.index(tabs.active) if tabs.active in TABS else 0
        tabs.active = TABS[(current + step) % len(TABS)]

    def action_first_row(self) -> None:
        table = self._table()
        if table is not None and table.row_count:
            table.focus()
            table.move_cursor(row=0, animate=False)
            table.scroll_home(animate=False)

    def _tell_open_dialog(self, view: QueueView) -> None:
        """An open dialog hears at once when its dose was recorded, voided or held elsewhere
        (also while a confirmation is open on top of it)."""
        dialog = next((d for d in self.app.screen_stack if isinstance(d, (DoseDialog, VoidDialog))), None)
        if isinstance(dialog, DoseDialog):
            row = self._due_row(dialog.key)
            if row is None:
                order, number = dialog.row.dose.order.id, dialog.row.dose.dose_number
                done = next(
                    (d for d in view.done if (d.prescription_id, d.dose_number) == (order, number) and not d.voided),
                    None,
                )
                if done is not None:
                    message = _("Recorded at another workstation: {outcome} at {time} by {staff}.").format(
                        outcome=outcome_word(done.outcome), time=clock_time(done.recorded_at), staff=done.staff
                    )
                else:
                    message = _("This dose is no longer due: it was changed at another workstation.")
                dialog.overtaken(message)
            elif row.dose.state != dialog.row.dose.state:
                message = (
                    _("Held at another workstation: cannot be given.")
                    if row.dose.state == "hold"
                    else _("Changed at another workstation: {state}.").format(state=state_word(row.dose.state))
                )
                dialog.changed(row, message)
        elif isinstance(dialog, VoidDialog):
            done = next((d for d in view.done if d.dispensing_id == dialog.done.dispensing_id), None)
            if done is None or done.voided:
                dialog.overtaken(_("Voided already at another workstation."))

    def action_open_row(self) -> None:
        # Enter reaches both the table (RowSelected) and this binding: one dialog at a time.
        # Nothing is recorded while the database is down (the queue on screen is read-only).
        if self.app.screen is not self or self.app.database_fault is not None:
            return
        current = self._current()
        if current is None:
            return
        _table, key = current
        if key.startswith("done|"):
            done = next((d for d in (self._view.done if self._view else []) if f"done|{d.dispensing_id}" == key), None)
            if done is not None and not done.voided:
                self.app.push_screen(VoidDialog(done), callback=self._after_dialog)
            return
        row = self._due_row(key)
        if row is not None and not row.dose.delivery:
            self.app.push_screen(DoseDialog(row), callback=self._after_dialog)

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_open_row()

    def _after_dialog(self, _recorded: bool | None) -> None:
        self.load()

    def action_next_service(self) -> None:
        services = dispensing_services(self.app.skranke)
        if not services:
            return
        current = services.index(self.service) if self.service in services else -1
        self.service = services[(current + 1) % len(services)]
        self.load()

    def action_close_day(self) -> None:
        view = self._view
        if view is None or self.app.screen is not self or self.app.database_fault is not None:
            return
        count = len([r for r in view.due if not r.dose.delivery])
        self.app.push_screen(
            ConfirmDialog(
                _("Close the day?"),
                f"{view.service_name} · {short_date(view.day)}",
                close_day_words(view.service_name, short_date(view.day), count),
            ),
            callback=self._close_day_confirmed,
        )

    def _close_day_confirmed(self, confirmed: bool | None) -> None:
        if confirmed and self._view is not None:
            self._close_day(self._view.day, self._view.service)
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="close-day")
    def _close_day(self, day: date, service: str) -> None:
        from skranke.services.dispensing import close_day
        from skranke.services.errors import DeskRefusal

        try:
            result = close_day(self.app.skranke, self.app.actor, day, service)
        except (DeskRefusal, AccessError) as refused:
            self.app.call_from_thread(self.app.notify, str(refused), severity="warning", timeout=8)
            return
        message = ngettext(
            "The day is closed: {count} dose recorded as missed.",
            "The day is closed: {count} doses recorded as missed.",
            len(result.missed),
        ).format(count=len(result.missed))
        self.app.call_from_thread(self.app.notify, message, timeout=6)
        self.app.call_from_thread(self.load)
        if not self.app.is_headless:  # as at start (ui.app): tests back up through the services
            self.app.call_from_thread(self.app.daily_backup)  # at close-day, if not taken yet today
