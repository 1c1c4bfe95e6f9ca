""" "Medicinudlevering": who is waiting, who is due, what goes home, what is done.

Another workstation's check-ins and doses appear within two seconds: the screen asks the
store once a second whether anything was recorded (`desk_changes`) and reloads when it was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from skranke.i18n import _, clock_time, long_date, ngettext
from skranke.services.dispensing import (
    DoneRow,
    DueRow,
    QueueView,
    alert_text,
    desk_changes,
    dispensing_services,
    format_mg,
    outcome_word,
    window_queue,
)
from skranke.services.errors import DatabaseUnavailable
from skranke.services.staff import AccessError
from skranke.services.wording import dose_state_word as state_word
from skranke.services.wording import refusal_text
from skranke.ui.formatting import plain
from skranke.ui.screens.dose import DoseDialog, VoidDialog
from skranke.ui.widgets.database import DatabaseBanner, DatabaseScreen, NotFetched
from skranke.ui.widgets.footer import SkrankeFooter
from skranke.ui.widgets.staff_bar import StaffBar
from skranke.ui.widgets.tab_tables import TabTables

if TYPE_CHECKING:
    from textual import getters

    from skranke.ui.app import SkrankeApp

POLL_SECONDS = 1.0
REFUSED = "-refused"  # the screen's class while the signed-in role may not see the queue
STATE_STYLE = {"due": "green", "hold": "bold red", "blocked": "bold yellow"}
OUTCOME_STYLE = {"given": "green", "refused": "bold yellow", "missed": "red"}


def preparation_name(app: SkrankeApp, preparation: str) -> str:
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
    if TYPE_CHECKING:
        app = getters.app(SkrankeApp)

    BINDINGS = [
        Binding("enter", "open_row", _("Dose"), id="queue.dose", tooltip=_("Give, refuse or mark missed")),
        Binding("a", "next_service", _("Service"), id="queue.service", tooltip=_("Medicine room or heroin clinic")),
        Binding("u", "close_day", _("Close day"), id="queue.close_day", tooltip=_("Due doses not given become missed")),
    ]

    loaded = False

    def __init__(self) -> None:
        super().__init__()
        self.service: str | None = None
        self._view: QueueView | None = None
        self._marker: tuple[int, int, int] | None = None
        self._arrived: list[DueRow] = []  # the due doses of citizens checked in, and the rest
        self._expected: list[DueRow] = []

    def compose(self) -> ComposeResult:
        yield StaffBar()
        with Vertical(id="queue"):
            yield DatabaseBanner()
            with Horizontal(id="queue-heading"):
                yield Static(id="queue-title")
                yield Static(id="queue-clock")
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
        # What decides the act comes first (who, may it be given, what): at 80 columns the rest
        # is off to the right, and the line under the table repeats the highlighted row's alerts.
        first = [_("Citizen"), _("Status"), _("Preparation"), _("Dose"), _("Supervised / home")]
        self.query_one("#waiting", DataTable).add_columns(*first, _("Waits"), _("CPR"), _("Alerts"))
        self.query_one("#expected", DataTable).add_columns(*first, _("CPR"), _("Alerts"))
        self.query_one("#deliveries", DataTable).add_columns(_("Citizen"), _("Preparation"), _("Dose"), _("Covers"))
        self.query_one("#done", DataTable).add_columns(
            _("Time"), _("Citizen"), _("Preparation"), _("Outcome"), _("Dose"), _("Take-home"), _("By"), _("Note")
        )
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

    def show_unavailable(self, fault: DatabaseUnavailable) -> None:
        for pane, label in (
            ("tab-waiting", _("Waiting")),
            ("tab-expected", _("Expected today")),
            ("tab-deliveries", _("Deliveries")),
            ("tab-done", _("Done")),
        ):
            self.query_one(TabbedContent).get_tab(pane).label = f"{label} (–)"

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
        if action in ("open_row", "next_service", "close_day"):
            return not self.has_class(REFUSED)  # no keys for a queue the role may not see
        return True

    def _refused(self, refused: AccessError) -> None:
        """The signed-in person's role may not see the queue (reception): no names, no doses."""
        self._view, self.loaded = None, False
        self.add_class(REFUSED)
        self.refresh_bindings()
        self.query_one("#queue-title", Static).update(Text(_("Medicine dispensing"), style="bold"))
        self.query_one("#queue-refused", Static).update(
            Text.assemble(
                (str(refused), "bold"),
                "\n",
                _("A nurse or a doctor signs in to see it: lock the desk (l), then sign in."),
            )
        )

    def _show(self, view: QueueView, marker: tuple[int, int, int]) -> None:
        if self.has_class(REFUSED):
            self.remove_class(REFUSED)
            self.refresh_bindings()
        self._view, self._marker, self.service = view, marker, view.service
        now = self.app.skranke.clock.now()
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

    def _fill_waiting(self) -> None:
        assert self._view is not None
        waiting_since = {w.person.citizen_id: w for w in self._view.waiting}
        table = self._refill("#waiting")
        for row in self._arrived:
            waited = waiting_since.get(row.person.citizen_id)
            cells = self._dose_cells(row)
            since = (
                f"{clock_time(waited.checked_in_at)} · " + _("{minutes} min.").format(minutes=waited.minutes_waiting)
                if waited
                else "–"
            )
            table.add_row(*cells[:5], since, *cells[5:], key=self._key(row))
        self._restore(table)

    def _fill_expected(self) -> None:
        table = self._refill("#expected")
        for row in self._expected:
            table.add_row(*self._dose_cells(row), key=self._key(row))
        self._restore(table)

    def _fill_deliveries(self) -> None:
        assert self._view is not None
        table = self._refill("#deliveries")
        for row in self._view.deliveries:
            table.add_row(
                plain(row.person.display),
                preparation_name(self.app, row.dose.order.preparation),
                f"{format_mg(row.dose.dose_mg)} mg",
                ngettext("{days} day", "{days} days", row.dose.covers_days).format(days=row.dose.covers_days),
                key=self._key(row),
            )
        self._restore(table)

    def _fill_done(self) -> None:
        assert self._view is not None
        table = self._refill("#done")
        for done in reversed(self._view.done):
            table.add_row(*self._done_cells(done), key=f"done|{done.dispensing_id}")
        self._restore(table)

    def _refill(self, selector: str) -> DataTable:
        table = self.query_one(selector, DataTable)
        table._skranke_cursor = table.cursor_row  # type: ignore[attr-defined]
        table.clear()
        return table

    def _restore(self, table: DataTable) -> None:
        if table.row_count:
            table.move_cursor(row=min(getattr(table, "_skranke_cursor", 0), table.row_count - 1))

    def _key(self, row: DueRow) -> str:
        return f"due|{row.dose.order.id}|{row.dose.dose_number}"

    def _dose_cells(self, row: DueRow) -> list:
        dose = row.dose
        number = f" ({dose.dose_number}/2)" if dose.order.doses_per_day == 2 else ""
        return [
            plain(row.person.display),
            Text(state_word(dose.state), style=STATE_STYLE.get(dose.state, "")),
            preparation_name(self.app, dose.order.preparation) + number,
            f"{format_mg(dose.dose_mg)} mg",
            home_text(row),
            row.person.masked_cpr or _("anonymous"),
            alerts_text(row),
        ]

    def _done_cells(self, row: DoneRow) -> list:
        outcome = Text(outcome_word(row.outcome), style=OUTCOME_STYLE.get(row.outcome, ""))
        if row.voided:
            outcome = Text(_("voided") + f" ({outcome_word(row.outcome)})", style="dim strike")
        return [
            clock_time(row.recorded_at),
            plain(row.person.display),
            preparation_name(self.app, row.preparation),
            outcome,
            f"{format_mg(row.dose_mg)} mg" if row.dose_mg is not None else "–",
            f"{format_mg(row.take_home_mg)} mg" if row.take_home_mg else "",
            row.staff,
            plain(row.void_reason or refusal_text(row.reason)),
        ]

    # --- the highlighted row and its dialog ---------------------------------------------

    def _current(self) -> tuple[DataTable, str] | None:
        tabs = self.query_one(TabbedContent)
        table_id = {
            "tab-waiting": "#waiting",
            "tab-expected": "#expected",
            "tab-deliveries": "#deliveries",
            "tab-done": "#done",
        }[tabs.active or "tab-waiting"]
        table = self.query_one(table_id, DataTable)
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
        current = self._table()
        if current is not None:
            current.focus()
        self._detail()

    def _table(self) -> DataTable | None:
        pane = self.query_one(TabbedContent).active_pane
        return pane.query_one(DataTable) if pane is not None else None

    def _detail(self) -> None:
        """Under the table: what the highlighted row's alerts mean and who may lift a hold."""
        detail = self.query_one("#queue-row-detail", Static)
        current = self._current()
        row = self._due_row(current[1]) if current else None
        if row is None:
            detail.update(Text(_("Enter opens the dose · a switches service · u closes the day"), style="dim"))
            return
        text = Text.assemble((row.person.display, "bold"), f"  {row.person.masked_cpr}  ")
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

    def action_open_row(self) -> None:
        # Enter reaches both the table (RowSelected) and this binding: one dialog at a time.
        if self.app.screen is not self:
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
        from skranke.ui.screens.dose import CloseDayDialog

        if self._view is not None:
            self.app.push_screen(CloseDayDialog(self._view), callback=self._after_dialog)
