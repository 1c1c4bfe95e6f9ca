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
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from skranke.i18n import _, clock_time, ngettext
from skranke.services.access import AccessError
from skranke.services.errors import DatabaseUnavailable
from skranke.services.reception import CitizenHit, WaitingCitizen, search_citizens, waiting_at_window
from skranke.ui.screens.check_in import Who, check_in_from, choose_place_and_check_in, undo_from
from skranke.ui.screens.citizen import CitizenScreen
from skranke.ui.widgets.citizen_search import CitizenSearch, HitsTable, SearchField
from skranke.ui.widgets.database import DatabaseBanner, DatabaseScreen, NotFetched
from skranke.ui.widgets.footer import SkrankeFooter
from skranke.ui.widgets.staff_bar import StaffBar

# The keys that act on a highlighted hit; any other letter on the hits is typed into the search.
ROW_KEYS = frozenset("cCx")
WAITING_ROWS = (2, 5)  # the panel's rows at most, below 30 lines and from 30: the hits keep the screen
WAITING_REFRESH_SECONDS = 30.0  # minutes waiting move on; the look is logged once a day per citizen


class SearchInput(SearchField):
    """The search field; the footer says what Enter and Down do from here."""

    BINDINGS = [
        Binding("enter", "submit", _("Card"), id="citizens.search_card", tooltip=_("Open the citizen card")),
        Binding("down", "to_hits", _("Results"), key_display="↓", id="citizens.to_results"),
        # Letters are typed into the field: Esc leaves it, so that f, d, m... open their screens again.
        Binding("escape", "screen.leave_search", _("Leave the field"), id="citizens.leave_search"),
    ]


class CitizenHits(HitsTable):
    """The results; Enter opens the card."""

    BINDINGS = [Binding("enter", "select_cursor", _("Card"), id="citizens.card", tooltip=_("Open the citizen card"))]


class CitizensScreen(DatabaseScreen[None]):
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
        self.waiting: list[WaitingCitizen] = []
        self._search_widget: CitizenSearch | None = None  # made in compose

    def compose(self) -> ComposeResult:
        yield StaffBar()
        with Vertical(id="citizens"):
            yield DatabaseBanner()
            yield Static(Text(_("Find a citizen"), style="bold"), id="citizens-title")
            self._search_widget = CitizenSearch(
                self._search,
                # Not all selected when the focus comes back: a letter typed on the hits adds to the name.
                SearchInput(
                    placeholder=_("Name, alias, CPR, birth date or citizen no."),
                    id="citizen-query",
                    select_on_focus=False,
                ),
                CitizenHits(id="citizen-hits"),
                found_id="citizens-found",
                hint=_(
                    "Type a name, alias, CPR (with or without the dash, or its first digits), a birth date "
                    "(1.1.1980) or a citizen no. Down moves to the results; there Enter opens the card, "
                    "c checks in, x undoes a check-in."
                ),
                row_keys=ROW_KEYS,
            )
            yield self._search_widget
            yield NotFetched(_("The search"))
        yield Static(id="citizens-waiting", classes="fetched")
        yield Static(id="citizens-status")
        yield SkrankeFooter()

    def on_mount(self) -> None:
        self.query_one("#citizens-status", Static).display = False
        self.query_one("#citizen-query", Input).focus()
        self.load_waiting()
        self.set_interval(WAITING_REFRESH_SECONDS, self.load_waiting)
        self.loaded = True

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

    # --- searching (ui.widgets.citizen_search) ----------------------------------------------

    def _search(self, query: str) -> list[CitizenHit]:
        """In the search's worker: services.reception logs every citizen shown as a look."""
        return search_citizens(self.app.skranke, self.app.actor, query)

    @property
    def _citizen_search(self) -> CitizenSearch:
        return self.query_one(CitizenSearch)

    @property
    def ready_for_input(self) -> bool:
        """The app's type-ahead holds keys while this is False (a Down waiting for its search)."""
        # Asked after every key: the search kept at hand, not looked up among the screen's widgets.
        search = self._search_widget
        return not (search is not None and search.holding_keys)

    @property
    def shown_query(self) -> str:
        """The query whose results are on screen."""
        return self._citizen_search.shown_query

    def _search_now(self) -> None:
        self._citizen_search.search_now()

    # --- moving, opening, checking in -------------------------------------------------------

    def action_leave_search(self) -> None:
        self.set_focus(None)

    def action_to_search(self) -> None:
        self.query_one("#citizen-query", Input).focus()

    @on(CitizenSearch.Chosen)
    def _chosen(self, event: CitizenSearch.Chosen) -> None:
        """Enter on a hit, or in the field (the first hit, once the search has answered)."""
        self.app.push_screen(CitizenScreen(event.hit.citizen_id))

    def _chosen_citizen(self) -> CitizenHit | None:
        hit = self._citizen_search.highlighted
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
