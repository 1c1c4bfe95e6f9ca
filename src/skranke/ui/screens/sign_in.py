"""Log ind: initials and PIN before anything that shows or changes a citizen."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from skranke.i18n import _
from skranke.services.access import AccessError, Actor
from skranke.services.errors import DatabaseUnavailable
from skranke.services.staff import sign_in
from skranke.ui.app_base import SkrankeModalScreen


class SignInScreen(SkrankeModalScreen[Actor | None]):
    """Dismissed with the signed-in Actor, or None when the person steps back (Esc)."""

    BINDINGS = [Binding("escape", "cancel", _("Back"), id="sign_in.cancel")]

    def __init__(self, purpose: str = "") -> None:
        super().__init__()
        self.purpose = purpose
        # False while the PIN is checked: keys typed meanwhile wait (SkrankeApp's type-ahead)
        # for the screen that follows, or for the PIN field again if it was wrong.
        self.ready_for_input = True

    def compose(self) -> ComposeResult:
        with Vertical(id="sign-in-body"):
            yield Static(Text(_("Sign in"), style="bold"), id="sign-in-title")
            if self.purpose:
                yield Static(Text(self.purpose), id="sign-in-purpose")
            yield Label(_("Initials"))
            yield Input(id="sign-in-initials", max_length=16, restrict=r"[A-Za-zÆØÅæøå]*", placeholder=_("e.g. SYG"))
            yield Static(id="sign-in-initials-error", classes="field-error")
            yield Label(_("PIN"))
            yield Input(id="sign-in-pin", password=True, max_length=12, restrict=r"\d*")
            yield Static(id="sign-in-pin-error", classes="field-error")
            yield Static(_("Enter signs in · Esc goes back"), id="sign-in-hint")

    def on_mount(self) -> None:
        self.query_one("#sign-in-initials", Input).focus()

    @on(Input.Submitted, "#sign-in-initials")
    def _to_pin(self) -> None:
        initials = self.query_one("#sign-in-initials", Input).value.strip()
        self._error("#sign-in-initials-error", "" if initials else _("Write your initials."))
        if initials:
            self.query_one("#sign-in-pin", Input).focus()

    @on(Input.Submitted, "#sign-in-pin")
    def _submit(self) -> None:
        initials = self.query_one("#sign-in-initials", Input).value.strip()
        pin = self.query_one("#sign-in-pin", Input).value
        self._error("#sign-in-initials-error", "" if initials else _("Write your initials."))
        self._error("#sign-in-pin-error", "" if pin else _("Write your PIN."))
        if initials and pin:
            self.ready_for_input = False
            self._check(initials, pin)

    @work(thread=True, exclusive=True, exit_on_error=False, group="sign-in")
    def _check(self, initials: str, pin: str) -> None:
        try:
            actor = sign_in(self.app.skranke, initials, pin)
        except (AccessError, DatabaseUnavailable) as error:
            self.app.call_from_thread(self._refused, str(error))
            return
        self.app.call_from_thread(self._accepted, actor)

    def _accepted(self, actor: Actor) -> None:
        self.dismiss(actor)
        self.app.input_ready()

    def _refused(self, reason: str) -> None:
        pin = self.query_one("#sign-in-pin", Input)
        pin.value = ""  # never left on screen or in memory longer than needed
        self._error("#sign-in-pin-error", reason)
        pin.focus()
        self.ready_for_input = True
        self.app.input_ready()

    def _error(self, selector: str, message: str) -> None:
        self.query_one(selector, Static).update(Text(message, style="bold red"))

    def action_cancel(self) -> None:
        self.dismiss(None)


class InitialsDialog(ModalScreen[str | None]):
    """Asks for a staff member's initials (an admin's "Unlock PIN"); Enter gives them, Esc nothing."""

    DEFAULT_CSS = """
    InitialsDialog {
        align: center middle;
    }
    #initials-body {
        width: 56;
        max-width: 100%;
        height: auto;
        border: thick $primary;
        background: $surface;
        padding: 1 2;
    }
    """

    BINDINGS = [Binding("escape", "cancel", _("Back"), id="initials.cancel")]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(id="initials-body"):
            yield Static(Text(self.title_text, style="bold"))
            yield Label(_("Initials"))
            yield Input(id="initials-asked", max_length=16, restrict=r"[A-Za-zÆØÅæøå]*")
            yield Static(id="initials-error", classes="field-error")
            yield Static(_("Enter goes on · Esc goes back"))

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _given(self, event: Input.Submitted) -> None:
        initials = event.value.strip().upper()
        if not initials:
            self.query_one("#initials-error", Static).update(Text(_("Write the initials."), style="bold red"))
            return
        self.dismiss(initials)

    def action_cancel(self) -> None:
        self.dismiss(None)
