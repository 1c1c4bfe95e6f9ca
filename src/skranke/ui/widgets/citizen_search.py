"""One citizen search, as Borger and the intake form use it: the field, the hits, their words.

A search waits for the typing to settle: one search, and one audit event with its hits, per
name, not per keystroke (README "Borger"). Down and Enter do not wait: they search at once and
act when the hits come; keys typed after a Down wait for them (`holding_keys`, which the screen
gives the app's type-ahead as `ready_for_input`). Up from the first hit goes back to the field;
a letter typed on the hits that is not one of the screen's own row keys is text for the search
(DESIGN §1: a stray key records nothing, and typing a name never opens another screen).

The screen gives the search as a callable (it holds the context and who is signed in; the
services log every citizen shown), handles `CitizenSearch.Chosen` (open the card, fill the form)
and keeps its own keys on a hit. It subclasses `SearchField` and `HitsTable` only to name their
keys in its words in the footer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from skranke.i18n import _, ngettext, short_date
from skranke.services.access import AccessError
from skranke.services.reception import SEARCH_LIMIT, CitizenHit
from skranke.ui.app_base import skranke_app
from skranke.ui.formatting import plain
from skranke.ui.widgets.database import ForwardsWorkerErrors
from skranke.ui.widgets.field import Field
from skranke.ui.widgets.table import DataTable

# A search waits for the typing to settle (a test waits on `shown_query`, never on this).
SEARCH_DELAY_SECONDS = 0.5
# One letter matches half the store: nobody is shown (or logged as seen) before two.
MIN_QUERY_LENGTH = 2

# "full": name, alias, birth date, masked CPR, citizen no., name and alias cut with "…" (Borger).
# "brief": initials or alias, masked CPR, citizen no. (the form's narrow column: the masked CPR
# gives the birth date, and 80 columns hold three).
Columns = Literal["full", "brief"]


class SearchField(Field):
    """The search field: Down (and Enter, unless the screen opens a hit with it) to the hits."""

    # Not in the footer unless the screen says so (Borger): the form's footer is full at 80 columns.
    BINDINGS = [Binding("down", "to_hits", _("Results"), key_display="↓", show=False)]

    def action_to_hits(self) -> None:
        search = self.parent
        if isinstance(search, CitizenSearch):
            search.to_hits()


class HitsTable(DataTable[Text | str]):
    """The hits: Up from the first row goes back to the field; a printable key that is not one
    of the screen's row keys goes there too, as text."""

    def action_cursor_up(self) -> None:
        search = self.parent
        if self.cursor_row <= 0 and isinstance(search, CitizenSearch):
            search.field.focus()
            return
        super().action_cursor_up()

    async def _on_key(self, event: events.Key) -> None:
        search = self.parent
        if (
            isinstance(search, CitizenSearch)
            and event.is_printable
            and event.character
            and event.character not in search.row_keys
        ):
            event.stop()
            event.prevent_default()
            # At once, not after a repaint: the next key of a burst goes to the field too.
            self.screen.set_focus(search.field)
            search.field.insert_text_at_cursor(event.character)
            return
        await super()._on_key(event)


class CitizenSearch(ForwardsWorkerErrors, Vertical):
    """The field, a line of words (hint, count, nobody found, refused) and the hits."""

    DEFAULT_CSS = """
    CitizenSearch {
        height: auto;
    }
    CitizenSearch > .-blank {
        display: none;
    }
    """

    class Chosen(Message):
        """A hit chosen: Enter on it (or in the field, where Enter opens the first hit)."""

        def __init__(self, search: CitizenSearch, hit: CitizenHit) -> None:
            super().__init__()
            self.search = search
            self.hit = hit

        @property
        def control(self) -> CitizenSearch:
            return self.search

    def __init__(
        self,
        search: Callable[[str], list[CitizenHit]],
        field: SearchField,
        hits: HitsTable,
        *,
        found_id: str,
        columns: Columns = "full",
        hint: str = "",
        how_to_choose: str = "",
        enter_chooses: bool = True,
        row_keys: frozenset[str] = frozenset(),
        id: str | None = None,
    ) -> None:
        """`search` runs in a worker; `hint` is shown while nothing is searched for (else no line),
        `how_to_choose` after the count; `enter_chooses`: Enter in the field opens the first hit
        (else it goes to the hits, as Down); `row_keys` are the screen's keys on a hit."""
        super().__init__(id=id)
        self._find = search
        self.field = field
        self.hits = hits
        self._found = Static(id=found_id, classes="fetched")
        self._columns = columns
        self._hint = hint
        self._how_to_choose = how_to_choose
        self._enter_chooses = enter_chooses
        self.row_keys = row_keys
        self._pending: Timer | None = None
        self._shown: list[CitizenHit] = []
        self.shown_query = ""  # the query whose results are on screen
        self.holding_keys = False  # a Down waits for its search: keys typed after it wait too
        self._choose_when_found = False  # Enter came before the results
        self._hits_when_found = False  # Down came before the results
        self._widths = (0, 0)

    def compose(self) -> ComposeResult:
        self.hits.cursor_type = "row"
        self.hits.zebra_stripes = True
        self.hits.add_class("fetched")
        yield self.field
        yield self._found
        yield self.hits

    def on_mount(self) -> None:
        self._add_columns()
        self.show_hint()

    def _add_columns(self) -> None:
        table = self.hits
        table.clear(columns=True)
        if self._columns == "brief":
            table.add_column(_("Initials or alias"), key="display")
            table.add_column(_("CPR"), key="cpr")
            table.add_column(_("Citizen no."), key="citizen_id")
            return
        # Name and alias share what the width leaves; the rest whole. Cut text ends in '…'.
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

    # --- searching --------------------------------------------------------------------------

    @property
    def query_text(self) -> str:
        return self.field.value.strip()

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()  # a search is no answer of the screen's
        if event.input is not self.field:
            return
        if self._pending is not None:
            self._pending.stop()
        self._choose_when_found = self._hits_when_found = False
        self._pending = self.set_timer(SEARCH_DELAY_SECONDS, self.search_now)

    def search_now(self) -> None:
        """Search for what is typed, without waiting for the typing to settle."""
        if self._pending is not None:
            self._pending.stop()
            self._pending = None
        query = self.query_text
        if len(query) < MIN_QUERY_LENGTH:
            self.workers.cancel_group(self, "citizen-search")
            self.show_hint()
            return
        self._run(query)

    @work(thread=True, exclusive=True, exit_on_error=False, group="citizen-search")
    def _run(self, query: str) -> None:
        # A fault of the database is raised on: the app shows it (ForwardsWorkerErrors).
        try:
            hits = self._find(query)
        except AccessError as refused:
            self.app.call_from_thread(self._show_refusal, query, str(refused))
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_hits, query, hits)

    def show_hint(self) -> None:
        self._shown, self.shown_query = [], ""
        self.hits.clear()
        self.hits.display = False
        self._say(self._hint, nothing=False)

    def clear(self) -> None:
        """An empty field and no hits (a citizen picked: the search is done)."""
        self.field.value = ""
        self.search_now()

    def _say(self, words: str, nothing: bool) -> None:
        self._found.set_class(nothing, "-nothing")
        self._found.set_class(not words, "-blank")
        self._found.update(words)

    def _show_refusal(self, query: str, words: str) -> None:
        if query != self.query_text:
            return
        self._take_keys_again()
        self._shown, self.shown_query = [], query
        self.hits.display = False
        self._say(words, nothing=True)

    def _show_hits(self, query: str, hits: list[CitizenHit]) -> None:
        if query != self.query_text:
            return  # typed on since: the newer search answers
        self.call_after_refresh(self._take_keys_again)
        self._shown, self.shown_query = hits, query
        table = self.hits
        table.clear()
        table.display = bool(hits)
        if not hits:
            self._choose_when_found = self._hits_when_found = False
            self._say(_("No citizens found for '{query}'").format(query=query), nothing=True)
            return
        count = ngettext("{count} citizen found for '{query}'", "{count} citizens found for '{query}'", len(hits))
        words = count.format(count=len(hits), query=query)
        if len(hits) >= SEARCH_LIMIT:
            words += " · " + _("showing the first {limit}: type more to narrow it").format(limit=SEARCH_LIMIT)
        if self._how_to_choose:
            words += " · " + self._how_to_choose
        self._say(words, nothing=False)
        for hit in hits:
            table.add_row(*self._cells(hit), key=hit.citizen_id)
        if self._choose_when_found:
            self._choose_when_found = False
            self._choose()
        elif self._hits_when_found:
            self._hits_when_found = False
            self.screen.set_focus(table)

    def _cells(self, hit: CitizenHit) -> list[Text | str]:
        cpr = Text(hit.masked_cpr) if hit.masked_cpr else Text(_("anonymous"), style="dim")
        if self._columns == "brief":
            return [plain(hit.display), cpr, hit.citizen_id]
        name_width, alias_width = self._widths
        return [
            cut(hit.name or "–", name_width),
            cut(hit.alias, alias_width),
            short_date(hit.birth_date) if hit.birth_date else "–",
            cpr,
            hit.citizen_id,
        ]

    def _take_keys_again(self) -> None:
        if self.holding_keys:
            self.holding_keys = False
            skranke_app(self).input_ready()

    # --- moving and choosing ----------------------------------------------------------------

    @property
    def highlighted(self) -> CitizenHit | None:
        """The hit under the cursor (the first one until the cursor moves); None without hits."""
        table = self.hits
        if not self._shown or not table.display or table.row_count == 0:
            return None
        row = min(max(table.cursor_row, 0), len(self._shown) - 1)
        return self._shown[row]

    def to_hits(self) -> None:
        table = self.hits
        if self._pending is not None and len(self.query_text) >= MIN_QUERY_LENGTH:
            # Down before the typing settled (a burst): search now, go to the hits when they come;
            # keys typed after the Down wait for them ("niel↓x" acts on the hit, not "nielx").
            self._hits_when_found = True
            self.holding_keys = True
            self.search_now()
        elif table.display and table.row_count and self.shown_query == self.query_text:
            self.screen.set_focus(table)  # at once: "↓c" sent together acts on the hit, not the field

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input is not self.field:
            return
        if not self._enter_chooses:
            self.to_hits()
        elif self.shown_query == self.query_text and self._shown:
            self._choose()
        elif len(self.query_text) >= MIN_QUERY_LENGTH:
            # Typed faster than the search (or scanned): search now, choose the first hit when it answers.
            self._choose_when_found = True
            self.search_now()

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self._choose()

    def _choose(self) -> None:
        hit = self.highlighted
        if hit is not None:
            self.post_message(self.Chosen(self, hit))


def cut(text: str, width: int) -> Text:
    """User text, never markup, ending in '…' where the column cuts it."""
    shown = Text(text, no_wrap=True, overflow="ellipsis")
    shown.truncate(width, overflow="ellipsis")
    return shown
