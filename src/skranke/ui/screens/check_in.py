"""Checking a citizen in, and undoing it, from a screen (Borger, the citizen card).

Nothing is recorded by one key (DESIGN §1 "Safe at the window"): `c` opens a dialog naming the
citizen (name, birth date) and the place, and only Enter there checks in; `x` asks for the
reason before an undo. The services run in workers; the answer or the rule's refusal comes back
as a notification naming the citizen, and to the screen's `answered(text, refused)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from skranke.i18n import _, clock_time, short_date
from skranke.services.access import AccessError
from skranke.services.context import UsageError
from skranke.services.errors import DatabaseUnavailable, DeskRefusal
from skranke.services.places import place_name
from skranke.services.reception import TodaysCheckIn, check_in, check_ins_today, planned_place, undo_check_in
from skranke.ui.app_base import skranke_app
from skranke.ui.screens.confirm import ConfirmDialog, DeskDialog

if TYPE_CHECKING:
    from textual.screen import Screen


Answered = Callable[[str, bool], None]
T = TypeVar("T")


@dataclass(frozen=True)
class Who:
    """What a dialog says of the citizen: the name and the birth date, the two identifiers."""

    citizen_id: str
    name: str
    alias: str = ""
    birth_date: date | None = None
    masked_cpr: str = ""

    def named(self) -> str:
        """The name, with the alias beside it where there are both."""
        name = self.name or self.alias or self.citizen_id
        return f"{name} ({self.alias})" if self.alias and self.name else name

    def subject(self) -> str:
        born = _("born {date}").format(date=short_date(self.birth_date)) if self.birth_date else _("anonymous")
        return f"{self.named()} · {born}"

    def details(self) -> str:
        parts = [_("Citizen no. {id}").format(id=self.citizen_id)]
        if self.masked_cpr:
            parts.append(_("CPR: {cpr}").format(cpr=self.masked_cpr))
        return " · ".join(parts)

    def label(self) -> str:
        return self.name or self.alias or self.citizen_id


def run_act(screen: Screen[Any], work: Callable[[], str], answered: Answered | None, not_saved: str) -> None:
    """`work` in a worker; its words (or the refusal) as a toast and to `answered`."""
    app = skranke_app(screen)

    def show(text: str, refused: bool) -> None:
        screen.notify(text, severity="warning" if refused else "information", timeout=8)
        if answered is not None:
            answered(text, refused)

    def working() -> None:
        try:
            words = work()
        except (DeskRefusal, AccessError, UsageError) as refusal:
            app.call_from_thread(show, str(refusal), True)
            return
        except DatabaseUnavailable as fault:
            # Nothing was written (one transaction): say so here, and let the app show the banner.
            app.call_from_thread(show, not_saved.format(fault=fault), True)
            app.call_from_thread(app.report_database_fault, fault)
            return
        app.call_from_thread(show, words, False)

    screen.run_worker(working, thread=True, group="check-in", exit_on_error=False)


def check_in_from(screen: Screen[Any], who: Who, place: str | None, answered: Answered | None = None) -> None:
    """Ask (naming the citizen and the place), then check in; with `place` None, where the citizen
    is due today, or the place chooser when the desk must choose."""
    app = skranke_app(screen)
    if place is not None:
        _confirm_check_in(screen, who, place, answered)
        return

    def planned(place: str | None) -> None:
        if place is None:
            choose_place_and_check_in(screen, who, answered)
        else:
            _confirm_check_in(screen, who, place, answered)

    _read_then(screen, lambda: planned_place(app.skranke, app.actor, who.citizen_id), planned)


def _read_then(screen: Screen[Any], read: Callable[[], T], then: Callable[[T], None]) -> None:
    """`read` in a worker, then `then` with what it read; a refusal is said in a notification,
    a database fault is the app's banner (nothing was asked yet, nothing recorded)."""
    app = skranke_app(screen)

    def reading() -> None:
        try:
            value = read()
        except AccessError as refused:
            app.call_from_thread(screen.notify, str(refused), severity="warning")
            return
        except DatabaseUnavailable as fault:
            app.call_from_thread(app.report_database_fault, fault)
            return
        app.call_from_thread(then, value)

    screen.run_worker(reading, thread=True, group="check-in", exit_on_error=False)


def _confirm_check_in(screen: Screen[Any], who: Who, place: str, answered: Answered | None) -> None:
    app = skranke_app(screen)
    where = place_name(app.skranke.site, place)
    details = "\n".join([_("Where: {place}").format(place=where), who.details()])

    def confirmed(yes: bool | None) -> None:
        if yes:
            run_act(
                screen,
                lambda: check_in(app.skranke, app.actor, who.citizen_id, place).words(app.skranke.clock.now().tzinfo),
                answered,
                _("The check-in was not saved: {fault}"),
            )

    app.push_screen(CheckInDialog(_("Check in?"), who.subject(), details), callback=confirmed)


def choose_place_and_check_in(screen: Screen[Any], who: Who, answered: Answered | None = None) -> None:
    """Ask where (every department and service of the site), then confirm and check in there."""
    app = skranke_app(screen)
    places = [(d.id, d.name) for d in app.skranke.site.all_departments()]

    def chosen(place: str | None) -> None:
        if place is not None:
            _confirm_check_in(screen, who, place, answered)

    app.push_screen(PlaceChooser(who.label(), places), callback=chosen)


def undo_from(screen: Screen[Any], who: Who, answered: Answered | None = None) -> None:
    """Undo today's check-in: which one (when there are several), then the reason; Esc records nothing."""
    app = skranke_app(screen)

    def asked(today: list[TodaysCheckIn]) -> None:
        if not today:
            text = _("{name} is not checked in today: there is nothing to undo.").format(name=who.label())
            screen.notify(text, severity="warning", timeout=6)
            if answered is not None:
                answered(text, True)
            return
        if len(today) == 1:
            ask_reason(today[0])
            return
        places = [(c.place, f"{c.place_name} {clock_time(c.checked_in_at)}") for c in today]
        by_place = {c.place: c for c in today}
        app.push_screen(
            PlaceChooser(who.label(), places, _("Undo the check-in of {citizen} at:")),
            callback=lambda place: ask_reason(by_place[place]) if place else None,
        )

    def ask_reason(chosen: TodaysCheckIn) -> None:
        details = "\n".join(
            [
                _("Checked in at {place} at {time}").format(
                    place=chosen.place_name, time=clock_time(chosen.checked_in_at)
                ),
                who.details(),
            ]
        )

        def given(reason: str | None) -> None:
            if reason:
                run_act(
                    screen,
                    lambda: undo_check_in(app.skranke, app.actor, who.citizen_id, reason, chosen.place).words(
                        app.skranke.clock.now().tzinfo
                    ),
                    answered,
                    _("The undo was not saved: {fault}"),
                )

        app.push_screen(ReasonDialog(_("Undo the check-in?"), who.subject(), details), callback=given)

    _read_then(screen, lambda: check_ins_today(app.skranke, app.actor, who.citizen_id), asked)


class CheckInDialog(ConfirmDialog):
    """The check-in's confirmation: the shared dialog, named for tests and the help screen."""


class ReasonDialog(DeskDialog[str | None]):
    """Why an act is undone: typed in the field (every key is text there); Enter saves a reason
    that is not empty, Esc records nothing."""

    DEFAULT_CSS = """
    #reason-subject, #reason-field {
        margin-top: 1;
    }
    """

    BINDINGS = [Binding("escape", "cancel", _("Cancel"), id="reason.cancel")]

    def __init__(self, title: str, subject: str, details: str) -> None:
        super().__init__()
        self.title_text, self.subject, self.details = title, subject, details

    def compose(self) -> ComposeResult:
        with Vertical(id="reason-body", classes="dialog-body"):
            yield Static(Text(self.title_text, style="bold"), id="reason-title")
            yield Static(Text(self.subject, style="bold"), id="reason-subject")
            yield Static(Text(self.details), id="reason-details")
            yield Input(placeholder=_("Reason (required)"), id="reason-field")
            yield Static(Text(_("Enter saves with the reason · Esc cancels")), id="reason-hint", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        reason = event.value.strip()
        if not reason:
            hint = self.query_one("#reason-hint", Static)
            hint.add_class("-missing")
            hint.update(Text(_("Write the reason first: an undo is recorded with why.")))
            return
        self.dismiss(reason)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PlaceChooser(ModalScreen[str | None]):
    """Where to check the citizen in: every department and service of the site."""

    DEFAULT_CSS = """
    PlaceChooser {
        align: center middle;
    }
    #place-body {
        width: 60;
        max-width: 100%;
        height: auto;
        max-height: 90%;
        border: thick $primary;
        background: $surface;
        padding: 1 2;
    }
    #place-options {
        height: auto;
        max-height: 16;
        margin-top: 1;
    }
    #place-hint {
        color: $text-muted;
        margin-top: 1;
    }
    """

    BINDINGS = [Binding("escape", "dismiss(None)", _("Cancel"), id="place.cancel")]

    def __init__(self, display: str, places: list[tuple[str, str]], title: str | None = None) -> None:
        super().__init__()
        self.citizen_display = display
        self.places = places
        self.title_words = title or _("Check {citizen} in at:")

    def compose(self) -> ComposeResult:
        with Vertical(id="place-body"):
            yield Static(Text(self.title_words.format(citizen=self.citizen_display), style="bold"), id="place-title")
            yield OptionList(*(Option(name, id=place) for place, name in self.places), id="place-options")
            yield Static(_("Enter chooses · Esc cancels"), id="place-hint")

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
