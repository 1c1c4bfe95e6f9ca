"""Complaints and requests for access to records, registered and answered from a screen.

On the citizen card `k` opens a dialog that names the citizen: the kind is picked from a list
(↑/↓, Enter), the day received is typed (today's date is filled in), a note may follow; Enter in
the date or the note registers, Esc records nothing. On Frister `u` on a complaint's row asks,
naming the citizen and the complaint, whether it was answered today. Each writes its audit event
in the service's transaction (`services.complaints`).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from skranke.i18n import _, parse_date, short_date
from skranke.services.access import AccessError, require
from skranke.services.complaints import add_complaint, answer_complaint
from skranke.services.wording import complaint_kind_word
from skranke.ui.app_base import skranke_app
from skranke.ui.screens.check_in import Answered, Who, run_act
from skranke.ui.screens.confirm import ConfirmDialog, DeskDialog

if TYPE_CHECKING:
    from textual.screen import Screen

    from skranke.domain.deadlines import ComplaintDeadline

KINDS = ("complaint", "access")


class ComplaintDialog(DeskDialog[tuple[str, date, str] | None]):
    """Which kind, the day received and a note, for the citizen named at the top."""

    DEFAULT_CSS = """
    #complaint-subject, #complaint-kind, #complaint-received-label {
        margin-top: 1;
    }
    #complaint-kind {
        height: auto;
    }
    """

    BINDINGS = [Binding("escape", "cancel", _("Cancel"), id="complaint.cancel")]

    def __init__(self, who: Who, today: date) -> None:
        super().__init__()
        self.who, self.today = who, today
        self.kind: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="complaint-body", classes="dialog-body"):
            yield Static(Text(_("Register a complaint or access request?"), style="bold"), id="complaint-title")
            yield Static(Text(self.who.subject(), style="bold"), id="complaint-subject")
            yield Static(Text(self.who.details()), id="complaint-details")
            yield OptionList(
                *(Option(complaint_kind_word(kind).capitalize(), id=kind) for kind in KINDS), id="complaint-kind"
            )
            yield Static(_("Received (DD.MM.ÅÅÅÅ)"), id="complaint-received-label")
            yield Input(short_date(self.today), id="complaint-received")
            yield Input(placeholder=_("Note (optional)"), id="complaint-note", max_length=500)
            yield Static(Text(self._hint()), id="complaint-hint", classes="dialog-hint")

    def _hint(self) -> str:
        return _("↑/↓ and Enter pick the kind · Enter in the date registers · Esc cancels")

    def on_mount(self) -> None:
        kinds = self.query_one(OptionList)
        kinds.highlighted = 0  # shown, so that Enter's choice is seen before it is made
        kinds.focus()

    @on(OptionList.OptionSelected)
    def _kind_picked(self, event: OptionList.OptionSelected) -> None:
        self.kind = event.option.id
        self.query_one("#complaint-received", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, _event: Input.Submitted) -> None:
        kind = self.kind
        if kind is None:
            highlighted = self.query_one(OptionList).highlighted
            kind = KINDS[highlighted] if highlighted is not None else None
        typed = self.query_one("#complaint-received", Input).value
        received = parse_date(typed)
        if kind is None:
            self._missing(_("Pick the kind first: complaint or access to records."))
        elif received is None:
            self._missing(_("The day received is not a date: write DD.MM.ÅÅÅÅ ({typed}).").format(typed=typed))
        elif received > self.today:
            self._missing(_("The day received lies in the future ({date}).").format(date=short_date(received)))
        else:
            self.dismiss((kind, received, self.query_one("#complaint-note", Input).value.strip()))

    def _missing(self, words: str) -> None:
        hint = self.query_one("#complaint-hint", Static)
        hint.add_class("-missing")
        hint.update(Text(words))

    def action_cancel(self) -> None:
        self.dismiss(None)


def register_complaint_from(screen: Screen[Any], who: Who, answered: Answered | None = None) -> None:
    """Ask (naming the citizen), then register; a role that may not is told before the dialog."""
    app = skranke_app(screen)
    try:
        require(app.actor, "complaint")
    except AccessError as refused:
        screen.notify(str(refused), severity="error")
        return

    def given(answer: tuple[str, date, str] | None) -> None:
        if answer is None:
            return
        kind, received, note = answer
        run_act(
            screen,
            lambda: _registered_words(who, add_complaint(app.skranke, app.actor, who.citizen_id, kind, received, note)),
            answered,
            _("The complaint was not saved: {fault}"),
        )

    app.push_screen(ComplaintDialog(who, app.skranke.clock.now().date()), callback=given)


def _registered_words(who: Who, registered: ComplaintDeadline) -> str:
    kind = complaint_kind_word(registered.kind).capitalize()
    if registered.deadline is None:
        return _("{kind} no. {id} registered for {citizen}: the site's standard gives no deadline.").format(
            kind=kind, id=registered.complaint_id, citizen=who.label()
        )
    return _("{kind} no. {id} registered for {citizen}: to be answered by {date}.").format(
        kind=kind, id=registered.complaint_id, citizen=who.label(), date=short_date(registered.deadline)
    )


def answer_complaint_from(screen: Screen[Any], complaint: ComplaintDeadline, who: Who, answered: Answered) -> None:
    """Ask whether the complaint was answered today (naming the citizen and the complaint), then record it."""
    app = skranke_app(screen)
    try:
        require(app.actor, "complaint")
    except AccessError as refused:
        screen.notify(str(refused), severity="error")
        return
    today = app.skranke.clock.now().date()
    kind = complaint_kind_word(complaint.kind).capitalize()
    details = "\n".join(
        [
            _("{kind} no. {id}, received {received}").format(
                kind=kind, id=complaint.complaint_id, received=short_date(complaint.received)
            ),
            _("Answered today, {date}; it then leaves Frister.").format(date=short_date(today)),
            who.details(),
        ]
    )

    def confirmed(yes: bool | None) -> None:
        if yes:
            run_act(
                screen,
                lambda: _answered_words(who, answer_complaint(app.skranke, app.actor, complaint.complaint_id, today)),
                answered,
                _("The answer was not saved: {fault}"),
            )

    # Named as on Frister's list, which knows no birth date (a complaint is no act at the window).
    app.push_screen(AnswerDialog(_("Mark as answered?"), who.named(), details), callback=confirmed)


def _answered_words(who: Who, answered: ComplaintDeadline) -> str:
    return _("{kind} no. {id} of {citizen} is answered.").format(
        kind=complaint_kind_word(answered.kind).capitalize(), id=answered.complaint_id, citizen=who.label()
    )


class AnswerDialog(ConfirmDialog):
    """A complaint's answer confirmed: the shared dialog, named for tests and the help screen."""
