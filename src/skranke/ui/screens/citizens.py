""" "Borger": find a citizen as the receptionist types, open the card, check them in or undo it.

The input keeps the focus while typing; Down (or Tab) moves into the results, Up from the first
row goes back. On a hit, Enter opens the card, `c` asks to check the citizen in where they are
due today (naming them and the place), `C` chooses the place first, `x` undoes today's check-in
with a reason. Any other letter typed on the hits is text for the search: typing a name never
opens another screen. "Venter ved vinduet" lists who is checked in at the window and since when.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from skranke.i18n import _, clock_time, ngettext, short_date
from skranke.services.access import AccessError
from skranke.services.errors import DatabaseUnavailable
from skranke.services.reception import SEARCH_LIMIT, CitizenHit, WaitingCitizen, search_citizens, waiting_at_window
from skranke.ui.screens.check_in import Who, check_in_from, choose_place_and_check_in, undo_from
from skranke.ui.screens.citizen import CitizenScreen
from skranke.ui.widgets.database import DatabaseBanner, DatabaseScreen, NotFetched
from skranke.ui.widgets.footer import SkrankeFooter
from skranke.ui.widgets.staff_bar import StaffBar
from skranke.ui.widgets.table import DataTable

# A search waits for the typing to settle: one search, and one audit event with its hits, per
# name, not per keystroke. Enter and Down do not wait (a test waits on `shown_query`).
SEARCH_DELAY_SECONDS = 0.5
# The keys that act on a highlighted hit; any other letter on the hits is typed into the search.
ROW_KEYS = frozenset("cCx")
WAITING_ROWS = (2, 5)  # the panel's rows at most, below 30 lines and from 30: the hits keep the screen
WAITING_REFRESH_SECONDS = 30.0  # minutes waiting move on; the look is logged once a day per citizen
# One letter matches half the store: nobody is shown (or logged as seen) before two.
MIN_QUERY_LENGTH = 2


class SearchInput(Input):
    """The search field; the footer says what Enter and Down do from here."""

    BINDINGS = [
        Binding("enter", "submit", _("Card"), id="citizens.search_card", tooltip=_("Open the citizen card")),
        Binding("down", "screen.to_results", _("Results"), key_display="↓", id="citizens.to_results"),
        # Letters are typed into the field: Esc leaves it, so that f, d, m... open their screens again.
        Binding("escape", "screen.leave_search", _("Leave the field"), id="citizens.leave_search"),
    ]


class HitsTable(DataTable[Text | str]):
    """The results: Up from the first row goes back to the search field; a letter that is not
    a row action goes there too, as text (DESIGN §1: a stray key records nothing)."""

    BINDINGS = [Binding("enter", "select_cursor", _("Card"), id="citizens.card", tooltip=_("Open the citizen card"))]

    def action_cursor_up(self) -> None:
        if self.cursor_row <= 0:
            self.screen.query_one("#citizen-query", Input).focus()
            return
        super().action_cursor_up()

    async def _on_key(self, event: events.Key) -> None:
        if event.is_printable and event.character and event.character not in ROW_KEYS:
            event.stop()
            event.prevent_default()
            search = self.screen.query_one("#citizen-query", Input)
            # At once, not after a repaint: the next key of a burst goes to the field too.
            self.screen.set_focus(search)
            search.insert_text_at_cursor(event.character)
            return
        await super()._on_key(event)


class CitizensScreen(DatabaseScreen[None]):
    # The app's type-ahead holds keys while this is False (a Down waiting for its search).
    ready_for_input = True

    DEFAULT_CSS = """
    #citizens {
        height: 1fr;
        padding: 0 1;
    }
    #citizens-title {
        height: 1;
        margin-top: 1;
    }
    #citizen-query {
        margin-top: 1;
    }
    #citizens-found {
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }
    #citizens-found.-nothing {
        color: $warning;
        text-style: bold;
    }
    #citizen-hits {
        height: auto;
        max-height: 1fr;
    }
    #citizens-waiting {
        height: auto;
        max-height: 8;
        padding: 0 1;
        border-top: solid $primary-darken-2;
    }
    #citizens-status {
        height: auto;
        padding: 0 1;
        border-top: solid $primary;
    }
    #citizens-status.-refused {
        color: $text-warning;
    }
    #citizens-status.-done {
        color: $text-success;
    }
    """

    BINDINGS = [
        Binding("escape", "to_search", _("Search"), show=False, id="citizens.search"),
        Binding(
            "c", "check_in", _("Check in"), id="citizens.check_in", tooltip=_("Check in where the citizen is due today")
        ),
        Binding(
            "C",
            "choose_place",
            _("Check in at…"),
            id="citizens.check_in_at",
            tooltip=_("Choose the department or the medicine room"),
        ),
        Binding(
            "x",
            "undo_check_in",
            _("Undo check-in"),
            id="citizens.undo_check_in",
            tooltip=_("Undo today's check-in (the same day, before a dose), with a reason"),
        ),
    ]

    loaded = False

    def __init__(self) -> None:
        super().__init__()
        self._pending: Timer | None = None
        self._hits: list[CitizenHit] = []
        self.shown_query = ""  # the query whose results are on screen
        self._open_when_found = False  # Enter came before the results
        self._results_when_found = False  # Down came before the results
        self.waiting: list[WaitingCitizen] = []

    def compose(self) -> ComposeResult:
        yield StaffBar()
        with Vertical(id="citizens"):
            yield DatabaseBanner()
            yield Static(Text(_("Find a citizen"), style="bold"), id="citizens-title")
            # Not all selected when the focus comes back: a letter typed on the hits adds to the name.
            yield SearchInput(
                placeholder=_("Name, alias, CPR, birth date or citizen no."), id="citizen-query", select_on_focus=False
            )
            yield Static(id="citizens-found", classes="fetched")
            yield HitsTable(id="citizen-hits", cursor_type="row", zebra_stripes=True, classes="fetched")
            yield NotFetched(_("The search"))
        yield Static(id="citizens-waiting", classes="fetched")
        yield Static(id="citizens-status")
        yield SkrankeFooter()

    def on_mount(self) -> None:
        self._columns()
        self.query_one("#citizens-status", Static).display = False
        self._show_hint()
        self.query_one("#citizen-query", Input).focus()
        self.load_waiting()
        self.set_interval(WAITING_REFRESH_SECONDS, self.load_waiting)
        self.loaded = True

    def _columns(self) -> None:
        """Name and alias share what the width leaves; the rest whole. Cut text ends in '…'."""
        table = self.query_one(HitsTable)
        table.clear(columns=True)
        fixed = 10 + 11 + 9  # birth date, CPR, citizen no.
        free = max(24, self.app.size.width - 4 - 2 * 5 - fixed)
        alias = min(16, free // 3)
        self._widths = (min(40, free - alias), alias)
        for label, key, width in [
            (_("Name"), "name", self._widths[0]),
            (_("Alias"), "alias", self._widths[1]),
            (_("Born"), "birth_date", 10),
            (_("CPR"), "cpr", 11),
            (_("Citizen no."), "citizen_id", 9),
        ]:
            table.add_column(label, key=key, width=width)

    def reload(self) -> None:
        self._search_now()
        self.load_waiting()

    # --- who is waiting at the window -------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="citizens-waiting")
    def load_waiting(self) -> None:
        try:
            waiting = waiting_at_window(self.app.skranke, self.app.actor)
        except AccessError:
            waiting = []
        except DatabaseUnavailable as fault:
            self.app.call_from_thread(self.app.report_database_fault, fault)
            return
        self.app.call_from_thread(self._show_waiting, waiting)

    def _show_waiting(self, waiting: list[WaitingCitizen]) -> None:
        from rich.table import Table

        self.waiting = waiting
        panel = self.query_one("#citizens-waiting", Static)
        title = Text(_("Waiting at the window ({count})").format(count=len(waiting)), style="bold")
        if not waiting:
            panel.update(Text.assemble(title, "  ", Text(_("nobody checked in is waiting"), style="dim")))
            return
        rows = Table(box=None, show_header=False, expand=True, pad_edge=False, collapse_padding=True)
        rows.add_column(no_wrap=True, overflow="ellipsis", ratio=1)
        rows.add_column(no_wrap=True, overflow="ellipsis", ratio=1)
        rows.add_column(no_wrap=True)
        rows.add_column(no_wrap=True, justify="right")
        shown = WAITING_ROWS[self.app.size.height >= 30]
        for person in waiting[:shown]:
            rows.add_row(
                Text(person.name),
                Text(person.place_name, style="dim"),
                _("checked in {time}").format(time=clock_time(person.checked_in_at)),
                _("{minutes} min.").format(minutes=person.minutes),
            )
        more = len(waiting) - shown
        parts: list[Any] = [title, rows]
        if more > 0:
            parts.append(Text(ngettext("and {count} more", "and {count} more", more).format(count=more), style="dim"))
        from rich.console import Group

        panel.update(Group(*parts))

    # --- searching --------------------------------------------------------------------------

    @property
    def query_text(self) -> str:
        return self.query_one("#citizen-query", Input).value.strip()

    @on(Input.Changed, "#citizen-query")
    def _typed(self, event: Input.Changed) -> None:
        if self._pending is not None:
            self._pending.stop()
        self._open_when_found = self._results_when_found = False
        self._pending = self.set_timer(SEARCH_DELAY_SECONDS, self._search_now)

    def _search_now(self) -> None:
        if self._pending is not None:
            self._pending.stop()
            self._pending = None
        query = self.query_text
        if len(query) < MIN_QUERY_LENGTH:
            self.workers.cancel_group(self, "citizen-search")
            self._show_hint()
            return
        self.search(query)

    @work(thread=True, exclusive=True, exit_on_error=False, group="citizen-search")
    def search(self, query: str) -> None:
        try:
            hits = search_citizens(self.app.skranke, self.app.actor, query)
        except AccessError as refused:
            self.app.call_from_thread(self._show_refusal, query, str(refused))
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_hits, query, hits)

    def _show_hint(self) -> None:
        self._hits, self.shown_query = [], ""
        table = self.query_one(HitsTable)
        table.clear()
        table.display = False
        found = self.query_one("#citizens-found", Static)
        found.remove_class("-nothing")
        found.update(
            _(
                "Type a name, alias, CPR (with or without the dash, or its first digits), a birth date "
                "(1.1.1980) or a citizen no. Down moves to the results; there Enter opens the card, "
                "c checks in, x undoes a check-in."
            )
        )

    def _show_refusal(self, query: str, words: str) -> None:
        if query != self.query_text:
            return
        self._take_keys_again()
        self._hits, self.shown_query = [], query
        self.query_one(HitsTable).display = False
        found = self.query_one("#citizens-found", Static)
        found.add_class("-nothing")
        found.update(words)

    def _show_hits(self, query: str, hits: list[CitizenHit]) -> None:
        if query != self.query_text:
            return  # typed on since: the newer search answers
        self.call_after_refresh(self._take_keys_again)
        self._hits, self.shown_query = hits, query
        found = self.query_one("#citizens-found", Static)
        found.set_class(not hits, "-nothing")
        table = self.query_one(HitsTable)
        table.clear()
        table.display = bool(hits)
        if not hits:
            self._open_when_found = self._results_when_found = False
            found.update(_("No citizens found for '{query}'").format(query=query))
            return
        count = ngettext("{count} citizen found for '{query}'", "{count} citizens found for '{query}'", len(hits))
        words = count.format(count=len(hits), query=query)
        if len(hits) >= SEARCH_LIMIT:
            words += " · " + _("showing the first {limit}: type more to narrow it").format(limit=SEARCH_LIMIT)
        found.update(words)
        name_width, alias_width = self._widths
        for hit in hits:
            table.add_row(
                cut(hit.name or "–", name_width),
                cut(hit.alias, alias_width),
                short_date(hit.birth_date) if hit.birth_date else "–",
                Text(hit.masked_cpr) if hit.masked_cpr else Text(_("anonymous"), style="dim"),
                hit.citizen_id,
                key=hit.citizen_id,
            )
        if self._open_when_found:
            self._open_when_found = False
            self.action_open_card()
        elif self._results_when_found:
            self._results_when_found = False
            self.set_focus(table)

    def _take_keys_again(self) -> None:
        if not self.ready_for_input:
            self.ready_for_input = True
            self.app.input_ready()

    # --- moving, opening, checking in -------------------------------------------------------

    def _highlighted(self) -> CitizenHit | None:
        table = self.query_one(HitsTable)
        if not self._hits or not table.display or table.row_count == 0:
            return None
        row = min(max(table.cursor_row, 0), len(self._hits) - 1)
        return self._hits[row]

    def action_to_results(self) -> None:
        table = self.query_one(HitsTable)
        if self._pending is not None and len(self.query_text) >= MIN_QUERY_LENGTH:
            # Down before the typing settled (a burst): search now, go to the results when they come;
            # keys typed after the Down wait for them ("niel↓x" undoes on the hit, not "nielx").
            self._results_when_found = True
            self.ready_for_input = False
            self._search_now()
        elif table.display and table.row_count and self.shown_query == self.query_text:
            self.set_focus(table)  # at once: "↓c" sent together acts on the hit, not the field

    def action_leave_search(self) -> None:
        self.set_focus(None)

    def action_to_search(self) -> None:
        self.query_one("#citizen-query", Input).focus()

    @on(Input.Submitted, "#citizen-query")
    def _submitted(self, event: Input.Submitted) -> None:
        if self.shown_query == self.query_text and self._hits:
            self.action_open_card()
        elif len(self.query_text) >= MIN_QUERY_LENGTH:
            # Typed faster than the search (or scanned): search now, open the first hit when it answers.
            self._open_when_found = True
            self._search_now()

    @on(DataTable.RowSelected, "#citizen-hits")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open_card()

    def action_open_card(self) -> None:
        hit = self._highlighted()
        if hit is not None:
            self.app.push_screen(CitizenScreen(hit.citizen_id))

    def _chosen_citizen(self) -> CitizenHit | None:
        hit = self._highlighted()
        if hit is None:
            self.notify(_("Find the citizen first: type a name, then Down."), severity="warning", timeout=4)
        return hit

    def action_check_in(self) -> None:
        hit = self._chosen_citizen()
        if hit is not None:
            check_in_from(self, who_of(hit), None, self.checked_in)

    def action_choose_place(self) -> None:
        hit = self._chosen_citizen()
        if hit is not None:
            choose_place_and_check_in(self, who_of(hit), self.checked_in)

    def action_undo_check_in(self) -> None:
        hit = self._chosen_citizen()
        if hit is not None:
            undo_from(self, who_of(hit), self.checked_in)

    def checked_in(self, text: str, refused: bool) -> None:
        """The result or the rule's refusal stays in the status line after the notification."""
        status = self.query_one("#citizens-status", Static)
        status.display = True
        status.set_class(refused, "-refused")
        status.set_class(not refused, "-done")
        status.update(Text(text))
        if not refused:
            self.load_waiting()
            # The next person at the counter: type their name straight away.
            query = self.query_one("#citizen-query", Input)
            query.focus()
            query.select_all()


def who_of(hit: CitizenHit) -> Who:
    return Who(hit.citizen_id, hit.name, hit.alias, hit.birth_date, hit.masked_cpr)


def cut(text: str, width: int) -> Text:
    """User text, never markup, ending in '…' where the column cuts it."""
    shown = Text(text, no_wrap=True, overflow="ellipsis")
    shown.truncate(width, overflow="ellipsis")
    return shown
