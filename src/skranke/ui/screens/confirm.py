"""One dialog for every act that records something about a citizen (DESIGN §1 "Safe at the window").

It names the citizen and the act, and records nothing unless the person confirms on purpose:
Enter (or `j`) confirms, Esc (or `n`) cancels. The caller does the recording when the dialog
is dismissed with True, so a stray key on a list can at most open this dialog.
"""

from __future__ import annotations

from typing import TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from skranke.i18n import _

ResultType = TypeVar("ResultType")


class DeskDialog(ModalScreen[ResultType]):
    """The frame every dialog about a citizen shares: centred, 64 wide, a warning border, and a
    hint line at the bottom that turns to a warning when something is missing (`-missing`)."""

    DEFAULT_CSS = """
    DeskDialog {
        align: center middle;
    }
    DeskDialog .dialog-body {
        width: 64;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $warning;
        background: $surface;
        padding: 1 2;
    }
    DeskDialog .dialog-hint {
        margin-top: 1;
        color: $text-muted;
    }
    DeskDialog .dialog-hint.-missing {
        color: $text-warning;
    }
    """


class ConfirmDialog(DeskDialog[bool]):
    """`title` says the act, `subject` names the citizen (or what the act is on), `details` the rest."""

    DEFAULT_CSS = """
    #confirm-subject {
        margin-top: 1;
    }
    #confirm-details {
        height: auto;
    }
    """

    BINDINGS = [
        Binding("enter,j", "confirm", _("Confirm"), id="confirm.yes"),
        Binding("escape,n", "cancel", _("Cancel"), id="confirm.no"),
    ]

    def __init__(self, title: str, subject: str, details: str = "", confirm_words: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.subject = subject
        self.details = details
        self.confirm_words = confirm_words or _("Enter confirms · Esc cancels")

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-body", classes="dialog-body"):
            yield Static(Text(self.title_text, style="bold"), id="confirm-title")
            # User text (a name may hold "[") is never read as markup.
            yield Static(Text(self.subject, style="bold"), id="confirm-subject")
            if self.details:
                yield Static(Text(self.details), id="confirm-details")
            yield Static(Text(self.confirm_words), id="confirm-hint", classes="dialog-hint")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
