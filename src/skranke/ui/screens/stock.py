""" "Lager": the narcotics ledger at the window (DESIGN §4 "Lager", §1 "Controlled-substance accounts").

Tabs: the balance per preparation with its last count, when the next is due and today's count
against the ledger (the day's close); today's issues (a dose each: time, alias or initials, mg;
no CPR); the receipts from the pharmacy system waiting for a witness; the ledger, newest first.
What a nurse records here (receive, witness a waiting receipt, waste, count, transfer) goes
through a dialog that names what is written and asks the second person's initials and PIN
(`services.staff.confirm_witness`): the signed-in nurse records, the witness confirms at the
same screen. A wrong PIN records nothing and says so; the dialog stays open.

Another workstation's dose is in today's issues and the balance within two seconds: the screen
asks the store once a second whether anything was recorded (`desk_changes`), as the queue does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static, TabbedContent, TabPane

from skranke.i18n import _, clock_time, long_date, ngettext, parse_decimal_text, short_date
from skranke.services.access import AccessError
from skranke.services.errors import DatabaseUnavailable, DeskRefusal
from skranke.services.queue import desk_changes, dispensing_services
from skranke.services.stock import Balance, DayCount, StockView, WaitingReceipt, stock_view
from skranke.services.wording import format_mg, stock_kind_word
from skranke.ui.app_base import skranke_app
from skranke.ui.screens.confirm import ConfirmDialog, DeskDialog
from skranke.ui.screens.dose import close_day_words
from skranke.ui.screens.queue import cell, fit_widths
from skranke.ui.widgets.database import REFUSED, DatabaseBanner, DatabaseScreen, NotFetched
from skranke.ui.widgets.footer import SkrankeFooter
from skranke.ui.widgets.staff_bar import StaffBar
from skranke.ui.widgets.tab_tables import TabTables
from skranke.ui.widgets.table import DataTable

POLL_SECONDS = 1.0
TABS = ("tab-balance", "tab-issues", "tab-waiting", "tab-ledger")
TABLES = {"tab-balance": "#balances", "tab-issues": "#issues", "tab-waiting": "#receipts", "tab-ledger": "#ledger"}
RECORDING = ("receive", "witness", "waste", "count", "transfer", "close_day")


def mg_text(value: Decimal | None) -> str:
    return "" if value is None else f"{format_mg(value)} mg"


def parse_mg(typed: str) -> Decimal:
    """An amount as the desk types it, by the export files' own rule (i18n.parse_decimal_text):
    "12,5" or "12.5", no thousands separator, so "1.000" is refused rather than read as 1 mg.
    Raises ValueError saying what is wrong."""
    return parse_decimal_text(typed.strip())


def moment_text(at: Any, zone: Any) -> str:
    local = at.astimezone(zone)
    return f"{short_date(local.date())} {clock_time(local)}"


def day_count_words(line: DayCount, name: str) -> str:
    if line.counted_mg is None:
        return _("{preparation}: the ledger says {expected} mg; not counted today.").format(
            preparation=name, expected=format_mg(line.expected_mg)
        )
    return _("{preparation}: ledger {expected} mg, counted {counted} mg (difference {difference} mg).").format(
        preparation=name,
        expected=format_mg(line.expected_mg),
        counted=format_mg(line.counted_mg),
        difference=format_mg(line.difference_mg or 0),
    )


# --- the dialog every entry goes through ---------------------------------------------------


@dataclass(frozen=True)
class Ask:
    """One field of an entry's dialog."""

    id: str
    label: str
    value: str = ""
    password: bool = False
    restrict: str | None = None
    required: bool = True
    max_length: int = 100


def witness_asks(required: bool = True) -> list[Ask]:
    return [
        Ask("witness", _("Witness (initials)"), restrict=r"[A-Za-zÆØÅæøå]*", required=required, max_length=10),
        Ask("pin", _("Witness's PIN"), password=True, restrict=r"[0-9]*", required=required, max_length=12),
    ]


class StockDialog(DeskDialog[str | None]):
    """Names what will be written (the title, the preparation, a line that follows the fields),
    asks its fields and the witness's initials and PIN; Enter moves to the next field and, in the
    last, records. A refusal (a wrong PIN, the same person as witness, too little on the ledger)
    is shown in the dialog, nothing is written, and the PIN is asked again. Esc records nothing.
    Dismissed with the words of the entry made."""

    DEFAULT_CSS = """
    StockDialog .dialog-body {
        width: 72;
    }
    StockDialog #stock-subject {
        margin-top: 1;
    }
    StockDialog .stock-ask {
        height: 1;
    }
    StockDialog #stock-asks {
        height: auto;
        margin-top: 1;
    }
    StockDialog .stock-ask-label {
        width: 22;
    }
    StockDialog .stock-ask Input {
        width: 1fr;
        height: 1;
        border: none;
        padding: 0 1;
        background: $boost;
    }
    StockDialog .stock-ask Input:focus {
        background: $accent 30%;
    }
    StockDialog #stock-summary {
        margin-top: 1;
        height: auto;
    }
    StockDialog .dialog-error {
        height: auto;
    }
    """

    BINDINGS = [Binding("escape", "cancel", _("Cancel"), id="stock_dialog.cancel")]

    def __init__(
        self,
        title: str,
        subject: str,
        details: str,
        asks: list[Ask],
        summary: Callable[[dict[str, str]], tuple[str, str | None]],
        record: Callable[[dict[str, str]], str],
    ) -> None:
        super().__init__()
        self.title_text, self.subject, self.details = title, subject, details
        self.asks = asks
        self.summary = summary  # the fields → (what will be written, what is missing or None)
        self.record = record  # the fields → the entry's words; in a worker thread
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="stock-body", classes="dialog-body"):
            yield Static(Text(self.title_text, style="bold"), id="stock-title")
            yield Static(Text(self.subject, style="bold"), id="stock-subject")
            if self.details:
                yield Static(Text(self.details), id="stock-details")
            with Vertical(id="stock-asks"):
                for ask in self.asks:
                    with Horizontal(classes="stock-ask"):
                        yield Static(Text(ask.label, no_wrap=True, overflow="ellipsis"), classes="stock-ask-label")
                        yield Input(
                            ask.value,
                            id=f"ask-{ask.id}",
                            password=ask.password,
                            restrict=ask.restrict,
                            max_length=ask.max_length,
                        )
            yield Static(id="stock-summary")
            yield Static(classes="dialog-error")
            yield Static(
                Text(_("Tab or Enter: next field · Enter in the last field records · Esc cancels")),
                id="stock-hint",
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.query(Input).first().focus()
        self._summarise()

    def values(self) -> dict[str, str]:
        return {ask.id: self.query_one(f"#ask-{ask.id}", Input).value for ask in self.asks}

    @on(Input.Changed)
    def _summarise(self) -> None:
        words, _missing = self.summary(self.values())
        self.query_one("#stock-summary", Static).update(Text(words))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        fields = list(self.query(Input))
        if event.input is not fields[-1]:
            fields[fields.index(event.input) + 1].focus()
            return
        self.submit()

    def submit(self) -> None:
        if self.busy:
            return
        values = self.values()
        _words, missing = self.summary(values)
        if missing is None:
            empty = next((a for a in self.asks if a.required and not values[a.id].strip()), None)
            if empty is not None:
                missing = _("{field} is missing.").format(field=empty.label)
        if missing is not None:
            self.error(missing)
            return
        self.busy = True
        self.error("")
        self._record(values)

    def error(self, words: str) -> None:
        self.query_one(".dialog-error", Static).update(Text(words, style="bold red"))

    @work(thread=True, exclusive=True, exit_on_error=False, group="stock-record")
    def _record(self, values: dict[str, str]) -> None:
        try:
            words = self.record(values)
        except (DeskRefusal, AccessError) as refused:
            self.app.call_from_thread(self._refused, str(refused))
            return
        except DatabaseUnavailable as fault:
            self.app.call_from_thread(self._refused, _("Nothing was recorded: {fault}").format(fault=fault))
            self.app.call_from_thread(skranke_app(self).report_database_fault, fault)
            return
        self.app.call_from_thread(self.dismiss, words)

    def _refused(self, words: str) -> None:
        """Nothing was written: said in the dialog, and the PIN typed again."""
        self.busy = False
        self.error(words + " " + _("Nothing was recorded."))
        pins = [a for a in self.asks if a.password]
        if pins:
            field = self.query_one(f"#ask-{pins[0].id}", Input)
            field.value = ""
            field.focus()

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)


# --- the screen ----------------------------------------------------------------------------


class StockScreen(TabTables, DatabaseScreen[None]):
    DEFAULT_CSS = """
    #stock-tabs {
        height: 1fr;
    }
    #stock-detail {
        height: 2;
    }
    #stock-refused {
        display: none;
        height: auto;
        padding: 1 2;
        color: $text-warning;
    }
    StockScreen.-refused #stock-refused {
        display: block;
    }
    StockScreen.-refused .fetched {
        display: none;
    }
    """

    BINDINGS = [
        Binding("r", "receive", _("Receive"), id="stock.receive", tooltip=_("A delivery into stock, witnessed")),
        Binding(
            "w", "witness", _("Witness a receipt"), id="stock.witness", tooltip=_("Take a waiting receipt into stock")
        ),
        Binding("x", "waste", _("Waste"), id="stock.waste", tooltip=_("Waste or spill, with the reason, witnessed")),
        Binding("c", "count", _("Count"), id="stock.count", tooltip=_("Count against the ledger")),
        Binding("t", "transfer", _("Transfer"), id="stock.transfer", tooltip=_("Stock to another service")),
        Binding("a", "next_service", _("Service"), id="stock.service", tooltip=_("Medicine room or heroin clinic")),
        Binding("u", "close_day", _("Close day"), id="stock.close_day", tooltip=_("Due doses not given become missed")),
        Binding("up", "step(-1)", _("Up"), id="stock.up", show=False),
        Binding("down", "step(1)", _("Down"), id="stock.down", show=False),
        Binding("left", "next_tab(-1)", _("Previous tab"), id="stock.tab_left", show=False, priority=True),
        Binding("right", "next_tab(1)", _("Next tab"), id="stock.tab_right", show=False, priority=True),
    ]

    loaded = False
    # The app's type-ahead holds keys until the first read is on screen: `r` typed at once acts
    # on the preparation the screen shows, not on nothing.
    ready_for_input = False

    def __init__(self) -> None:
        super().__init__()
        self.service: str | None = None
        self._view: StockView | None = None
        self._marker: tuple[int, int, int] | None = None

    def compose(self) -> ComposeResult:
        yield StaffBar()
        with Vertical(id="stock", classes="screen-body"):
            yield DatabaseBanner()
            with Horizontal(id="stock-heading", classes="screen-heading"):
                yield Static(Text(_("Stock"), style="bold"), id="stock-heading-title", classes="title")
                yield Static(id="stock-clock", classes="aside")
            with TabbedContent(id="stock-tabs", classes="fetched"):
                with TabPane(_("Balance"), id="tab-balance"):
                    yield DataTable(id="balances", cursor_type="row", zebra_stripes=True)
                with TabPane(_("Issued today"), id="tab-issues"):
                    yield DataTable(id="issues", cursor_type="row", zebra_stripes=True)
                with TabPane(_("Awaiting witness"), id="tab-waiting"):
                    yield DataTable(id="receipts", cursor_type="row", zebra_stripes=True)
                with TabPane(_("Ledger"), id="tab-ledger"):
                    yield DataTable(id="ledger", cursor_type="row", zebra_stripes=True)
            yield Static(id="stock-detail", classes="fetched")
            yield NotFetched(_("The stock"))
            yield Static(id="stock-refused")
        yield SkrankeFooter()

    def on_mount(self) -> None:
        self.query_one("#balances", DataTable).focus()
        self.load()
        self.set_interval(POLL_SECONDS, self._poll)

    def reload(self) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        if (self.loaded or self.has_class(REFUSED)) and self.app.database_fault is None:
            self.load()

    def on_resize(self) -> None:
        if self._view is not None and self._fillers is not None:
            self.fill_tables(self._fillers, self.query_one(TabbedContent).active)

    def show_unavailable(self, fault: DatabaseUnavailable) -> None:
        self._take_keys()
        tabs = self.query_one(TabbedContent)
        for pane, label in self._tab_words():
            tabs.get_tab(pane).label = f"{label} (–)"
        self.refresh_bindings()

    def _tab_words(self) -> list[tuple[str, str]]:
        return [
            ("tab-balance", _("Balance")),
            ("tab-issues", _("Issued today")),
            ("tab-waiting", _("Awaiting witness")),
            ("tab-ledger", _("Ledger")),
        ]

    def _take_keys(self) -> None:
        if not self.ready_for_input:
            self.ready_for_input = True
            self.app.input_ready()

    @work(thread=True, exclusive=True, exit_on_error=False, group="stock")
    def load(self) -> None:
        skranke = self.app.skranke
        marker = desk_changes(skranke)
        try:
            view = stock_view(skranke, self.app.actor, self.service)
        except AccessError as refused:
            self.app.call_from_thread(self._refused, refused)
            return
        self.app.call_from_thread(self._show, view, marker)

    @work(thread=True, exclusive=True, exit_on_error=False, group="stock-poll")
    def _poll(self) -> None:
        if not self.loaded or self.app.database_fault is not None:
            return
        if desk_changes(self.app.skranke) != self._marker:
            self.app.call_from_thread(self.load)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in RECORDING or action == "next_service":
            if self.has_class(REFUSED):
                return False
            if action in RECORDING:
                actor = self.app.actor
                permission = "close_day" if action == "close_day" else "stock"
                if actor is None or not actor.may(permission):
                    return False  # an administrator reads the ledger and records nothing in it
                if self.app.database_fault is not None:
                    return None
        return True

    def _refused(self, refused: AccessError) -> None:
        self._view, self.loaded = None, False
        self.show_refusal(
            refused, "#stock-refused", _("A nurse or a doctor signs in to see it: lock the desk (l), then sign in.")
        )
        self._take_keys()

    def _show(self, view: StockView, marker: tuple[int, int, int]) -> None:
        if self.has_class(REFUSED):
            self.remove_class(REFUSED)
        self._view, self._marker, self.service = view, marker, view.service
        now = self.app.skranke.clock.now()
        self.query_one("#stock-heading-title", Static).update(
            Text.assemble((_("Stock"), "bold"), " · ", (view.service_name, "bold"), "  ·  ", long_date(view.day))
        )
        self.query_one("#stock-clock", Static).update(_("at {time}").format(time=clock_time(now)))
        fillers = {
            "tab-balance": self._fill_balances,
            "tab-issues": self._fill_issues,
            "tab-waiting": self._fill_receipts,
            "tab-ledger": self._fill_ledger,
        }
        self.fill_tables(fillers, self.query_one(TabbedContent).active)
        tabs = self.query_one(TabbedContent)
        counts = {
            "tab-balance": len(view.balances),
            "tab-issues": len(view.issues),
            "tab-waiting": len(view.waiting),
            "tab-ledger": len(view.ledger),
        }
        for pane, label in self._tab_words():
            tabs.get_tab(pane).label = f"{label} ({counts[pane]})"
        self.loaded = True
        self.refresh_bindings()
        self._detail()
        self._take_keys()

    # --- the tables ------------------------------------------------------------------------

    def _preparation_name(self, preparation: str) -> str:
        try:
            found = self.app.skranke.site.preparation(preparation)
        except KeyError:
            return preparation
        return " ".join(part for part in (found.name, found.strength) if part)

    def _beyond(self, balance: Balance) -> bool:
        view = self._view
        last = balance.last_count
        if view is None or last is None:
            return False
        return abs(last.difference_mg) > view.tolerances.get(balance.preparation, Decimal(0))

    def _fill_balances(self) -> None:
        view = self._view
        assert view is not None
        zone = self.app.skranke.clock.now().tzinfo
        closing = {line.preparation: line for line in view.closing}
        rows = []
        for balance in view.balances:
            negative, beyond = balance.mg < 0, self._beyond(balance)
            mark = "bold red" if negative or beyond else "bold yellow" if balance.count_due else ""
            last = balance.last_count
            difference = ""
            style = ""
            if last is not None:
                difference = mg_text(last.difference_mg)
                style = "bold red" if beyond else "yellow" if last.difference_mg else ""
            today = closing.get(balance.preparation)
            counted = _("not counted")
            if today is not None and today.counted_mg is not None:
                counted = _("{counted} of {expected} mg").format(
                    counted=format_mg(today.counted_mg), expected=format_mg(today.expected_mg)
                )
            due = (
                Text(_("count due"), style="bold yellow")
                if balance.count_due
                else Text(_("next {day}").format(day=short_date(balance.next_count)))
            )
            rows.append(
                (
                    [
                        cell("!" if mark else "", mark),
                        cell(self._preparation_name(balance.preparation)),
                        cell(mg_text(balance.mg), "bold red" if negative else "bold"),
                        cell(f"{format_mg(balance.ml)} ml" if balance.ml is not None else ""),
                        cell(moment_text(last.at, zone) if last else _("never counted")),
                        cell(difference, style),
                        cell(due),
                        cell(counted),
                    ],
                    balance.preparation,
                )
            )
        labels = ["!", _("Preparation"), _("Balance"), _("ml"), _("Last count"), _("Difference"), _("Count")]
        self._fill("#balances", [*labels, _("Counted today")], rows, [3, 4, 7, 6, 1], [1, 8, 8, 4, 10, 6, 9, 8])

    def _fill_issues(self) -> None:
        view = self._view
        assert view is not None
        zone = self.app.skranke.clock.now().tzinfo
        rows = []
        for line in reversed(view.issues):
            who = view.citizens.get(line.dispensing_id, "–") if line.dispensing_id is not None else "–"
            rows.append(
                (
                    [
                        cell(clock_time(line.recorded_at.astimezone(zone))),
                        cell(who),
                        cell(self._preparation_name(line.preparation)),
                        cell(mg_text(-line.mg), "dim strike" if line.kind == "reversal" else ""),
                        cell(stock_kind_word(line.kind)),
                        cell(mg_text(line.balance_mg), "bold red" if line.balance_mg < 0 else ""),
                        cell(line.staff),
                    ],
                    str(line.entry_id),
                )
            )
        labels = [_("Time"), _("Citizen"), _("Preparation"), _("mg"), _("Kind"), _("Balance after"), _("By")]
        self._fill("#issues", labels, rows, [2, 4, 1], [5, 6, 8, 6, 6, 8, 3])

    def _fill_receipts(self) -> None:
        view = self._view
        assert view is not None
        rows = [
            (
                [
                    cell(receipt.receipt_id),
                    cell(self._preparation_name(receipt.preparation)),
                    cell(mg_text(receipt.mg), "bold"),
                    cell(receipt.lot),
                    cell(receipt.supplier),
                    cell(receipt.invoice),
                    cell(short_date(receipt.received_on) if receipt.received_on else "–"),
                ],
                receipt.receipt_id,
            )
            for receipt in view.waiting
        ]
        labels = [_("Receipt"), _("Preparation"), _("mg"), _("Lot"), _("Supplier"), _("Invoice"), _("Received")]
        self._fill("#receipts", labels, rows, [4, 5, 0, 1, 3], [6, 8, 6, 5, 6, 6, 10])

    def _fill_ledger(self) -> None:
        view = self._view
        assert view is not None
        zone = self.app.skranke.clock.now().tzinfo
        rows = []
        for line in view.ledger:
            note = line.reason or " ".join(p for p in (line.lot, line.supplier, line.invoice) if p)
            if line.other_service:
                note = note or line.other_service
            if not note and line.dispensing_id is not None:
                note = view.citizens.get(line.dispensing_id, f"#{line.dispensing_id}")
            rows.append(
                (
                    [
                        cell(moment_text(line.recorded_at, zone)),
                        cell(self._preparation_name(line.preparation)),
                        cell(stock_kind_word(line.kind)),
                        cell(format_mg(line.mg), "green" if line.mg > 0 else ""),
                        cell(format_mg(line.balance_mg), "bold red" if line.balance_mg < 0 else ""),
                        cell(line.staff),
                        cell(line.witness or ""),
                        cell(note),
                    ],
                    str(line.entry_id),
                )
            )
        labels = [_("When"), _("Preparation"), _("Kind"), _("mg"), _("Balance"), _("By"), _("Witness")]
        self._fill("#ledger", [*labels, _("Reason / lot")], rows, [7, 1, 2, 0], [10, 8, 6, 5, 6, 3, 3, 8])

    def _fill(
        self,
        selector: str,
        labels: list[str],
        rows: list[tuple[list[Text], str]],
        shrink: list[int],
        narrowest: list[int],
    ) -> None:
        """The table anew, its columns sized to the screen ("…" where cut), the highlight kept
        on the same row (the same preparation) after a reload."""
        table = self.query_one(selector, DataTable)
        key, index = None, table.cursor_row
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        natural = [max([len(label), *(r[0][i].cell_len for r in rows)]) for i, label in enumerate(labels)]
        minimum = [min(n, m) for n, m in zip(natural, narrowest, strict=True)]
        # A tab's table is filled when its tab is chosen, perhaps before it is laid out (no
        # size yet): the tabs' width is the table's, the screen's is wider by its padding.
        width = table.size.width or self.query_one(TabbedContent).size.width or self.size.width or 80
        overflows = len(rows) + 1 > (table.size.height or self.size.height)
        available = width - (table.styles.scrollbar_size_vertical if overflows else 0)
        widths = fit_widths(natural, minimum, shrink, available)
        table.clear(columns=True)
        for label, column_width in zip(labels, widths, strict=True):
            table.add_column(cell(label), width=column_width)
        for cells, row_key in rows:
            table.add_row(*cells, key=row_key)
        if not table.row_count:
            return
        keys = [row_key for _cells, row_key in rows]
        table.move_cursor(row=keys.index(key) if key in keys else min(index, table.row_count - 1), animate=False)

    def _detail(self) -> None:
        """Under the tables: what needs doing (below zero, a difference, a count due, receipts
        waiting) and the keys."""
        view = self._view
        detail = self.query_one("#stock-detail", Static)
        if view is None:
            detail.update("")
            return
        parts: list[Text] = []
        for balance in view.balances:
            name = self._preparation_name(balance.preparation)
            if balance.mg < 0:
                parts.append(Text(_("{preparation}: below zero").format(preparation=name), style="bold red"))
            if self._beyond(balance):
                parts.append(Text(_("{preparation}: count differed").format(preparation=name), style="bold red"))
            elif balance.count_due:
                parts.append(Text(_("{preparation}: count due").format(preparation=name), style="yellow"))
        if view.waiting:
            waiting = ngettext(
                "{count} receipt awaits a witness", "{count} receipts await a witness", len(view.waiting)
            )
            parts.append(Text(waiting.format(count=len(view.waiting)), style="bold yellow"))
        text = Text(" · ").join(parts) if parts else Text(_("Nothing to see to."), style="green")
        text.no_wrap, text.overflow = True, "ellipsis"
        keys = Text(_("r receive · w witness · x waste · c count · t transfer · u close day"), style="dim")
        keys.no_wrap, keys.overflow = True, "ellipsis"
        both = Text("\n").join([text, keys])
        both.no_wrap, both.overflow = True, "ellipsis"  # each line cut with "…", never wrapped away
        detail.update(both)

    # --- moving ---------------------------------------------------------------------------

    def _table(self) -> DataTable[Any] | None:
        pane = self.query_one(TabbedContent).active_pane
        return pane.query_one(DataTable) if pane is not None else None

    @on(TabbedContent.TabActivated)
    def _tab(self, event: TabbedContent.TabActivated) -> None:
        self.fill_shown_tab(self.activated_tab(event))
        table = self._table()
        if table is not None:
            table.focus()

    def action_step(self, step: int) -> None:
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

    def action_next_service(self) -> None:
        services = dispensing_services(self.app.skranke)
        if not services:
            return
        current = services.index(self.service) if self.service in services else -1
        self.service = services[(current + 1) % len(services)]
        self.load()

    # --- the acts ---------------------------------------------------------------------------

    def _balance(self) -> Balance | None:
        """The preparation highlighted on the balance tab: what receive, waste, count and
        transfer are about (the dialog names it)."""
        view = self._view
        if view is None or not view.balances:
            return None
        table = self.query_one("#balances", DataTable)
        if not table.row_count:
            return view.balances[0]
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((b for b in view.balances if b.preparation == key), view.balances[0])

    def _may_act(self) -> bool:
        return self.app.screen is self and self.app.database_fault is None and self._view is not None

    def _open(
        self,
        title: str,
        balance: Balance | None,
        details: str,
        asks: list[Ask],
        summary: Callable[[dict[str, str]], tuple[str, str | None]],
        record: Callable[[dict[str, str]], str],
        subject: str | None = None,
    ) -> None:
        view = self._view
        assert view is not None
        named = subject or (self._preparation_name(balance.preparation) if balance else "")
        self.app.push_screen(
            StockDialog(title, f"{named} · {view.service_name}", details, asks, summary, record),
            callback=self._after,
        )

    def _after(self, words: str | None) -> None:
        if words:
            self.app.notify(words, timeout=8)
        self.load()

    def _signed_in_name(self) -> str:
        actor = self.app.actor
        return actor.staff_id if actor is not None else "?"

    def _amount(self, typed: str) -> tuple[Decimal | None, str | None]:
        if not typed.strip():
            return None, _("Give the amount in mg.")
        try:
            mg = parse_mg(typed)
        except ValueError as problem:
            return None, _("The amount in mg ({typed}): {problem}.").format(typed=typed, problem=problem)
        if mg <= 0:
            return None, _("The amount is not a number of mg above 0 ({typed}).").format(typed=typed)
        return mg, None

    def _by_whom(self, values: dict[str, str]) -> str:
        return _("recorded by {staff}, witnessed by {witness}").format(
            staff=self._signed_in_name(), witness=values.get("witness", "").strip().upper() or "…"
        )

    def action_receive(self) -> None:
        balance = self._balance()
        if not self._may_act() or balance is None:
            return
        skranke, actor, service = self.app.skranke, self.app.actor, self.service

        def summary(values: dict[str, str]) -> tuple[str, str | None]:
            mg, missing = self._amount(values["mg"])
            words = _("To be written: receipt of {mg} into the ledger, {who}.").format(
                mg=mg_text(mg) or "… mg", who=self._by_whom(values)
            )
            return words, missing

        def record(values: dict[str, str]) -> str:
            from skranke.services.stock import receive

            mg = parse_mg(values["mg"])
            result = receive(
                skranke,
                actor,
                balance.preparation,
                mg,
                values["witness"],
                values["pin"],
                lot=values["lot"],
                supplier=values["supplier"],
                invoice=values["invoice"],
                service=service,
            )
            return result.words()

        asks = [
            Ask("mg", _("Amount (mg)"), restrict=r"[0-9.,]*", max_length=12),
            Ask("lot", _("Lot"), required=False),
            Ask("supplier", _("Supplier"), required=False),
            Ask("invoice", _("Invoice"), required=False),
            *witness_asks(),
        ]
        details = _("On the ledger now: {mg}.").format(mg=mg_text(balance.mg))
        self._open(_("Receive a delivery"), balance, details, asks, summary, record)

    def action_witness(self) -> None:
        view = self._view
        if not self._may_act() or view is None:
            return
        if not view.waiting:
            self.app.notify(_("No receipt awaits a witness."), timeout=5)
            return
        receipt = self._receipt(view)
        skranke, actor, service = self.app.skranke, self.app.actor, self.service

        def summary(values: dict[str, str]) -> tuple[str, str | None]:
            return _("To be written: receipt of {mg} into the ledger, {who}.").format(
                mg=mg_text(receipt.mg), who=self._by_whom(values)
            ), None

        def record(values: dict[str, str]) -> str:
            from skranke.services.stock import witness_receipt

            result = witness_receipt(skranke, actor, receipt.receipt_id, values["witness"], values["pin"], service)
            return result.words()

        details = _("Receipt {id} from {supplier}: lot {lot}, invoice {invoice}, received {day}.").format(
            id=receipt.receipt_id,
            supplier=receipt.supplier or "–",
            lot=receipt.lot or "–",
            invoice=receipt.invoice or "–",
            day=short_date(receipt.received_on) if receipt.received_on else "–",
        )
        self._open(
            _("Witness an imported receipt"),
            None,
            details,
            witness_asks(),
            summary,
            record,
            subject=f"{self._preparation_name(receipt.preparation)} · {mg_text(receipt.mg)}",
        )

    def _receipt(self, view: StockView) -> WaitingReceipt:
        table = self.query_one("#receipts", DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            found = next((r for r in view.waiting if r.receipt_id == key), None)
            if found is not None:
                return found
        return view.waiting[0]

    def action_waste(self) -> None:
        balance = self._balance()
        if not self._may_act() or balance is None:
            return
        skranke, actor, service = self.app.skranke, self.app.actor, self.service

        def summary(values: dict[str, str]) -> tuple[str, str | None]:
            mg, missing = self._amount(values["mg"])
            if missing is None and not values["reason"].strip():
                missing = _("Say what happened (the reason).")
            words = _("To be written: waste of {mg} from the ledger, {who}.").format(
                mg=mg_text(mg) or "… mg", who=self._by_whom(values)
            )
            return words, missing

        def record(values: dict[str, str]) -> str:
            from skranke.services.stock import waste

            mg = parse_mg(values["mg"])
            result = waste(
                skranke, actor, balance.preparation, mg, values["reason"], values["witness"], values["pin"], service
            )
            return result.words()

        asks = [
            Ask("mg", _("Amount (mg)"), restrict=r"[0-9.,]*", max_length=12),
            Ask("reason", _("Reason"), max_length=300),
            *witness_asks(),
        ]
        details = _("On the ledger now: {mg}.").format(mg=mg_text(balance.mg))
        self._open(_("Record waste or spill"), balance, details, asks, summary, record)

    def action_count(self) -> None:
        balance = self._balance()
        if not self._may_act() or balance is None:
            return
        skranke, actor, service = self.app.skranke, self.app.actor, self.service
        expected = balance.mg

        def summary(values: dict[str, str]) -> tuple[str, str | None]:
            typed = values["mg"]
            wanting: str | None = None
            counted: Decimal | None = None
            if not typed.strip():
                wanting = _("Give what was counted, in mg.")
            else:
                try:
                    counted = parse_mg(typed)
                except ValueError as problem:
                    wanting = _("The amount in mg ({typed}): {problem}.").format(typed=typed, problem=problem)
            if counted is None or counted < 0:
                wanting = wanting or _("Not a number of mg.")
                return _("To be written: a count against the ledger's {mg}.").format(mg=mg_text(expected)), wanting
            difference = counted - expected
            if not difference:
                return _("To be written: counted {counted}, as the ledger says.").format(counted=mg_text(counted)), None
            words = _(
                "To be written: counted {counted}, the ledger says {expected}: difference {difference}; {who}."
            ).format(
                counted=mg_text(counted),
                expected=mg_text(expected),
                difference=mg_text(difference),
                who=self._by_whom(values),
            )
            missing: str | None = None
            if not values["reason"].strip():
                missing = _("The count differs from the ledger: give the reason.")
            elif not values["witness"].strip() or not values["pin"]:
                missing = _("The count differs from the ledger: a witness confirms it with their PIN.")
            return words, missing

        def record(values: dict[str, str]) -> str:
            from skranke.services.stock import count

            counted = parse_mg(values["mg"])
            witness = values["witness"].strip() or None
            result = count(
                skranke,
                actor,
                balance.preparation,
                counted,
                values["reason"],
                witness,
                values["pin"] if witness else None,
                service,
            )
            return result.words()

        asks = [
            Ask("mg", _("Counted (mg)"), restrict=r"[0-9.,]*", max_length=12),
            Ask("reason", _("Reason (if it differs)"), required=False, max_length=300),
            *witness_asks(required=False),
        ]
        details = _("The ledger says {mg}. A difference needs a reason and a witness.").format(mg=mg_text(expected))
        self._open(_("Count against the ledger"), balance, details, asks, summary, record)

    def action_transfer(self) -> None:
        balance = self._balance()
        if not self._may_act() or balance is None:
            return
        skranke, actor, service = self.app.skranke, self.app.actor, self.service
        others = [s for s in dispensing_services(skranke) if s != service]
        if not others:
            self.app.notify(_("This site has no other service to transfer to."), severity="warning", timeout=6)
            return
        target = others[0]
        from skranke.services.places import place_name

        target_name = place_name(skranke.site, target)

        def summary(values: dict[str, str]) -> tuple[str, str | None]:
            mg, missing = self._amount(values["mg"])
            words = _("To be written: {mg} moved to {service}, {who}.").format(
                mg=mg_text(mg) or "… mg", service=target_name, who=self._by_whom(values)
            )
            return words, missing

        def record(values: dict[str, str]) -> str:
            from skranke.services.stock import transfer

            mg = parse_mg(values["mg"])
            result = transfer(
                skranke, actor, balance.preparation, mg, target, values["witness"], values["pin"], service
            )
            return result.words()

        asks = [Ask("mg", _("Amount (mg)"), restrict=r"[0-9.,]*", max_length=12), *witness_asks()]
        details = _("On the ledger now: {mg}. To: {service}.").format(mg=mg_text(balance.mg), service=target_name)
        self._open(_("Transfer to another service"), balance, details, asks, summary, record)

    # --- the day's close --------------------------------------------------------------------

    def action_close_day(self) -> None:
        if not self._may_act():
            return
        self._ask_close_day()

    @work(thread=True, exclusive=True, exit_on_error=False, group="stock-close-ask")
    def _ask_close_day(self) -> None:
        """The close names what it does: the doses that become missed (the queue's count) and
        today's count against the ledger per preparation."""
        from skranke.services.queue import window_queue

        view = self._view
        assert view is not None
        queue = window_queue(self.app.skranke, self.app.actor, service=view.service)
        missed = len([row for row in queue.due if not row.dose.delivery])
        lines = [close_day_words(view.service_name, short_date(view.day), missed)]
        lines += [day_count_words(line, self._preparation_name(line.preparation)) for line in view.closing]
        self.app.call_from_thread(
            self.app.push_screen,
            ConfirmDialog(_("Close the day?"), f"{view.service_name} · {short_date(view.day)}", "\n".join(lines)),
            self._close_day_confirmed,
        )

    def _close_day_confirmed(self, confirmed: bool | None) -> None:
        if confirmed and self._view is not None:
            self._close_day(self._view.service)
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="stock-close-day")
    def _close_day(self, service: str) -> None:
        from skranke.services.dispensing import close_day

        try:
            result = close_day(self.app.skranke, self.app.actor, None, service)
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
