"""What screens and widgets know of the application, without knowing `ui.app`.

`ui.app.SkrankeApp` opens the screens, so it imports them; a screen that imported the app class
back (even only for the type checker) closed a circle through every screen. Screens and widgets
import this module instead:

- `SkrankeAppBase`: the application as they use it. It holds what every screen shares: the
  context (`skranke`), who is signed in (`actor`) and the one app-wide state of the database
  (`database_fault`, reported by any worker and retried here until the database answers; the
  pattern is in `ui.widgets.database`). What only the whole application can do (help, the
  palette, the type-ahead, a failed worker's modal) it declares, and `SkrankeApp` does.
- `SkrankeScreen` and `SkrankeModalScreen`: `self.app` typed as `SkrankeAppBase`, written once
  here rather than in each screen class; `skranke_app(node)` for a widget, a command provider
  or a function handed a screen (a mixin cannot retype Textual's `app` property for mypy).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from textual import events, work
from textual.app import App
from textual.reactive import Reactive
from textual.screen import ModalScreen, Screen

from skranke.i18n import _
from skranke.services.access import Actor
from skranke.services.errors import DatabaseUnavailable

if TYPE_CHECKING:
    from textual import getters
    from textual.timer import Timer

    from skranke.services.context import Skranke

ResultType = TypeVar("ResultType")


class SkrankeAppBase(App[None]):
    """The application as its screens and widgets see it (`ui.app.SkrankeApp` is the one there is)."""

    # The one app-wide state of the database: None while it answers. Every DatabaseScreen
    # follows it (skranke.ui.widgets.database describes the pattern).
    database_fault: Reactive[DatabaseUnavailable | None] = Reactive(None)
    RETRY_SECONDS = 5.0

    def __init__(self, skranke: Skranke) -> None:
        self.skranke = skranke
        self.actor: Actor | None = None
        super().__init__()
        self._retrying: Timer | None = None
        self._first_frame_due = True  # the first whole frame is not on the terminal yet
        self._after_first_frame: list[Callable[[], object]] = []

    # --- the first frame -------------------------------------------------------------------

    def _on_ready(self) -> None:
        # Textual lays out and renders the first screen while its start-up batch is still open
        # and drops that frame (App._display returns while _batch_count is set); what it sends
        # next is only what changed since, so the first frame written lacked what the dropped
        # one held (I dag's table, until some later change redrew the whole screen).
        screen = self.screen
        screen.refresh()
        # At once, not at the screen's next update tick (up to 1/60 s later): what the tick
        # does (Screen._on_timer_update, textual pinned in pyproject.toml).
        screen._on_timer_update()
        self._first_frame_due = False
        for callback in self._after_first_frame:
            self.call_after_refresh(callback)
        self._after_first_frame.clear()

    @property
    def first_frame_due(self) -> bool:
        """The application's first whole frame is not on the terminal yet."""
        return self._first_frame_due

    def after_first_frame(self, callback: Callable[[], object]) -> None:
        """Call `callback` once the first whole frame is on the terminal (after the next
        refresh, once it is): work in threads of its own (imports, the database) would
        otherwise compete with the first frame for the interpreter."""
        if self._first_frame_due:
            self._after_first_frame.append(callback)
        else:
            self.call_after_refresh(callback)

    # --- the database's health, app-wide -------------------------------------------------

    def report_database_fault(self, fault: DatabaseUnavailable) -> None:
        """The database failed a worker: show it everywhere and keep trying until it answers."""
        current = self.database_fault
        if current is None or (current.reason, current.location) != (fault.reason, fault.location):
            self.database_fault = fault
        if self._retrying is None:
            self._retrying = self.set_interval(self.RETRY_SECONDS, self.retry_database)

    def retry_database(self) -> None:
        if any(w.group == "database-health" and not w.is_finished for w in self.workers):
            return  # the last try has not come back yet (a server that does not answer takes seconds)
        self._probe_database()

    @work(thread=True, exit_on_error=False, group="database-health")
    def _probe_database(self) -> None:
        from skranke.services.health import check_database

        check_database(self.skranke)  # a fault ends in on_worker_state_changed: still unavailable
        self.call_from_thread(self._database_back)

    def _database_back(self) -> None:
        if self._retrying is not None:
            self._retrying.stop()
            self._retrying = None
        if self.database_fault is not None:
            self.database_fault = None
            self.notify(_("The database answers again."), timeout=5)

    # --- what the whole application does (ui.app.SkrankeApp) -----------------------------

    def worker_failed(self, error: BaseException) -> None:
        """Every worker's failure ends here: a database fault as the banner, else a modal."""
        raise NotImplementedError

    def input_ready(self) -> None:
        """A screen that held keys back (`ready_for_input` False) can take them now."""
        raise NotImplementedError

    def help_bindings(self, screen: Screen[Any] | None = None) -> list[tuple[str, str]]:
        """(keys, what they do) for the help screen opened from `screen`."""
        raise NotImplementedError

    def palette_commands(self) -> list[tuple[str, str, str]]:
        """(title, help, action) of every command the palette offers."""
        raise NotImplementedError

    def daily_backup(self) -> object:
        """Start the day's backup in a worker, when none is taken yet today (close-day asks too)."""
        raise NotImplementedError


class _InTheApp(Protocol):
    @property
    def app(self) -> App[Any]: ...


def skranke_app(node: _InTheApp) -> SkrankeAppBase:
    """The application of a widget, a command provider or a screen handed to a function."""
    return cast("SkrankeAppBase", node.app)


class SkrankeScreen(Screen[ResultType]):
    """A screen of skranke: `self.app` is the SkrankeAppBase.

    A screen shown for the first time in its mode (a key from I dag, after every lock) is sent
    two ScreenResume events by Textual (`App._init_mode`, then `switch_mode`), one after the
    other, and each restyles every widget of the screen: on Ny henvendelse ~250 widgets, a
    sixth of opening it. The second finds nothing the first left to do (no suspend between
    them; a widget mounted or a class changed since is restyled as it happens), so it resumes
    without restyling. A screen resumed after a suspend is restyled as Textual does.
    """

    # The app as SkrankeAppBase for the type checker (Textual's idiom); at runtime the inherited property.
    if TYPE_CHECKING:
        app = getters.app(SkrankeAppBase)

    _resumed = False  # resumed, not suspended since

    # Textual calls the handler of every class in the MRO, Screen's after these: no super().
    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        if self._resumed:
            event.refresh_styles = False
        self._resumed = True

    def _on_screen_suspend(self) -> None:
        self._resumed = False


class SkrankeModalScreen(ModalScreen[ResultType]):
    """A dialog of skranke: `self.app` is the SkrankeAppBase."""

    if TYPE_CHECKING:
        app = getters.app(SkrankeAppBase)
