"""The help screen: every key binding of the application, and what the screens are for."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from skranke.i18n import _
from skranke.ui.app_base import SkrankeModalScreen


class HelpScreen(SkrankeModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,f1,question_mark", "dismiss", _("Close"), id="help.close"),
    ]

    def __init__(self, opened_from: Screen[Any] | None = None) -> None:
        super().__init__()
        self._opened_from = opened_from

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(Text(_("Help"), style="bold"), id="help-title")
            yield Static(self._bindings_table())
            yield Static(
                Text(
                    _(
                        "Every screen is one key away and also in the command palette (Ctrl+P). "
                        "The clock follows --now when it is given; times are Copenhagen time."
                    )
                ),
                id="help-text",
            )

    def _bindings_table(self) -> Table:
        table = Table(box=None, show_header=True, header_style="bold")
        table.add_column(_("Key"))
        table.add_column(_("Does"))
        for binding in self.app.help_bindings(self._opened_from):
            table.add_row(binding[0], binding[1])
        return table
