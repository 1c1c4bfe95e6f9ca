"""A modal that says what went wrong in plain words; the work behind it was rolled back."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from skranke.i18n import _


class ErrorScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,enter,q", "dismiss", _("Close"), id="error.close")]

    def __init__(self, title: str, message: str) -> None:
        super().__init__()
        self._title = title
        self._message = message

    def compose(self) -> ComposeResult:
        with Vertical(id="error-body"):
            yield Static(Text(self._title, style="bold red"))
            yield Static(Text(self._message))
            yield Static(Text(_("Press Enter to close."), style="dim"))
