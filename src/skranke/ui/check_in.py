"""Checking a citizen in from a screen (Borger, the citizen card): the service in a worker."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from skranke.i18n import _, clock_time
from skranke.services.desk import CheckInResult, DeskRefusal, check_in
from skranke.services.errors import DatabaseUnavailable
from skranke.services.staff import AccessError

if TYPE_CHECKING:
    from textual.screen import Screen

    from skranke.services.context import Skranke
    from skranke.ui.app import SkrankeApp


def check_in_words(result: CheckInResult, skranke: Skranke) -> str:
    moment = result.checked_in_at.astimezone(skranke.clock.now().tzinfo)
    return _("{id} checked in at {place} at {time}.").format(
        id=result.citizen_id, place=result.place_name, time=clock_time(moment)
    )


def check_in_from(
    screen: Screen, citizen_id: str, place: str | None, answered: Callable[[str, bool], None] | None = None
) -> None:
    """Check in (at `place`, else where the citizen is due today); the answer or the rule's refusal
    comes back as a notification and to `answered(text, refused)`."""
    app = cast("SkrankeApp", screen.app)

    def show(text: str, refused: bool) -> None:
        screen.notify(text, severity="warning" if refused else "information", timeout=8)
        if answered is not None:
            answered(text, refused)

    def checking_in() -> None:
        try:
            result = check_in(app.skranke, app.actor, citizen_id, place)
        except (DeskRefusal, AccessError) as refusal:
            app.call_from_thread(show, str(refusal), True)
            return
        except DatabaseUnavailable as fault:
            # Nothing was written (one transaction): say so here, and let the app show the banner.
            app.call_from_thread(show, _("The check-in was not saved: {fault}").format(fault=fault), True)
            app.call_from_thread(app.report_database_fault, fault)
            return
        app.call_from_thread(show, check_in_words(result, app.skranke), False)

    screen.run_worker(checking_in, thread=True, group="check-in", exit_on_error=False)


def choose_place_and_check_in(
    screen: Screen, citizen_id: str, citizen_display: str, answered: Callable[[str, bool], None] | None = None
) -> None:
    """Ask where (every department and service of the site), then check in there."""
    app = cast("SkrankeApp", screen.app)
    places = [(d.id, d.name) for d in app.skranke.site.all_departments()]

    def chosen(place: str | None) -> None:
        if place is not None:
            check_in_from(screen, citizen_id, place, answered)

    app.push_screen(PlaceChooser(citizen_display, places), callback=chosen)


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

    def __init__(self, display: str, places: list[tuple[str, str]]) -> None:
        super().__init__()
        self.citizen_display = display
        self.places = places

    def compose(self) -> ComposeResult:
        with Vertical(id="place-body"):
            yield Static(
                Text(_("Check {citizen} in at:").format(citizen=self.citizen_display), style="bold"), id="place-title"
            )
            yield OptionList(*(Option(name, id=place) for place, name in self.places), id="place-options")
            yield Static(_("Enter checks in · Esc cancels"), id="place-hint")

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
