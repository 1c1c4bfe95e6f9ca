"""Textual's own words (its key bindings, the command palette) in the interface language.

Textual writes them in English. They are message ids in our catalogues like any other, and
they are translated here, in one place for the whole application: the help screen lists
`screen.active_bindings` through `translated()`, and the app's palette is `SkrankeCommandPalette`.
A screen added later needs nothing of its own. A Textual widget new to the application goes
into `TEXTUAL_CLASSES`: tests/ui/test_danish_everywhere.py then asks for its words' translations.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from rich.align import Align
from rich.text import Text
from textual.binding import Binding
from textual.command import CommandList, CommandPalette
from textual.widgets.option_list import Option

from skranke.i18n import _

if TYPE_CHECKING:
    from textual.dom import DOMNode


def __getattr__(name: str) -> tuple[type[DOMNode], ...]:
    """TEXTUAL_CLASSES, on first use: the first frame needs none of the tabs' modules."""
    if name != "TEXTUAL_CLASSES":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from textual.app import App
    from textual.containers import ScrollableContainer, VerticalScroll
    from textual.screen import ModalScreen, Screen
    from textual.widgets import DataTable, Input, OptionList, Select, TabbedContent, Tabs
    from textual.widgets._select import SelectOverlay

    # The Textual classes whose bindings a user of skranke can meet (focused, or listed in help).
    return (
        App,
        Screen,
        ModalScreen,
        DataTable,
        Tabs,
        TabbedContent,
        ScrollableContainer,
        VerticalScroll,
        CommandPalette,
        Input,
        OptionList,
        Select,
        SelectOverlay,
    )


def translate(text: str) -> str:
    # gettext's "" is the catalogue header: an empty text stays empty.
    return _(text) if text else text


def translated(binding: Binding) -> Binding:
    """The binding with its description and tooltip in the interface language."""
    return dataclasses.replace(binding, description=translate(binding.description), tooltip=translate(binding.tooltip))


class SkrankeCommandPalette(CommandPalette):
    """Textual's palette with its placeholder and its 'No matches found' in our words."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(placeholder=_("Search for commands…"), id=id)

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual 8.2.8's own method, with its one English sentence translated (the text is
        # built inside it, no attribute names it). tests/ui/test_danish_everywhere.py watches it.
        self._stop_no_matches_countdown()

        def _show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(
                        Align.center(Text(_("No matches found"), style="not bold")),
                        disabled=True,
                        id=self._NO_MATCHES,
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, _show_no_matches)
