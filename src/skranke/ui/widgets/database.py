"""The database's health, shown the same way on every screen that needs data.

The pattern, for every screen whose content comes from the database (I dag's counts, Frister,
Synkronisering, the citizen card; check-in, the dispensing queue and intake to come):

1. Subclass `DatabaseScreen` (before `ModalScreen` for a modal) and implement `reload()`: it
   starts the screen's loading worker (`@work(thread=True, exit_on_error=False)`) that calls
   the services.
2. In `compose`, yield a `DatabaseBanner()` at the top, put what comes from the database in
   a container (or widget) with the class `fetched`, and beside it a `NotFetched(_("The list"))`
   that stands in for it while the database cannot be used: never an empty list.
3. Let a `DatabaseUnavailable` raised in the worker go: the screen forwards it to the app
   (`SkrankeApp.worker_failed`; a widget with workers of its own mixes in
   `ForwardsWorkerErrors`, as Textual's worker messages do not bubble), which turns it into the
   one app-wide reactive
   `SkrankeAppBase.database_fault` (ui.app_base), retries on its own every few seconds, and clears it when the
   database answers again. A write the user started catches it in its worker instead, to say
   that it was refused (its transaction was rolled back whole), then reports it with
   `self.app.call_from_thread(self.app.report_database_fault, fault)`.
4. Every `DatabaseScreen` follows `database_fault`: while set, the screen has the class
   `-database-unavailable` (banner and `NotFetched` shown, `.fetched` hidden) and
   `show_unavailable(fault)` runs for anything else to mark (counts, tab labels); when it is
   cleared, `reload()` runs.
"""

from __future__ import annotations

from typing import TypeVar

from rich.text import Text
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from skranke.i18n import _
from skranke.services.errors import DatabaseUnavailable
from skranke.ui.app_base import SkrankeScreen, skranke_app

ResultType = TypeVar("ResultType")

UNAVAILABLE = "-database-unavailable"
REFUSED = "-refused"  # a screen's class while the signed-in role may not see what it shows


class ForwardsWorkerErrors:
    """Hands the failures of this node's workers to the app (`SkrankeApp.worker_failed`):
    Worker.StateChanged goes only to the node that started the worker."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            skranke_app(event.worker.node).worker_failed(event.worker.error)


class DatabaseScreen(ForwardsWorkerErrors, SkrankeScreen[ResultType]):
    """A screen whose content comes from the database: follows the app's `database_fault`."""

    def on_mount(self) -> None:
        # Runs besides the subclass's own on_mount (Textual calls every class's handler).
        self.watch(self.app, "database_fault", self._database_fault_changed, init=False)
        if self.app.database_fault is not None:
            self._database_fault_changed(None, self.app.database_fault)

    def _database_fault_changed(self, old: DatabaseUnavailable | None, new: DatabaseUnavailable | None) -> None:
        self.set_class(new is not None, UNAVAILABLE)
        if new is not None:
            self.show_unavailable(new)
        elif old is not None:
            self.reload()

    def show_refusal(self, refused: Exception, where: str, who_may: str) -> None:
        """The signed-in person's role may not see this screen: the refusal and who may, in the
        Static `where`; the class `-refused` hides what the screen would show, and its keys go."""
        self.add_class(REFUSED)
        self.refresh_bindings()
        self.query_one(where, Static).update(Text.assemble((str(refused), "bold"), "\n", who_may))

    def show_unavailable(self, fault: DatabaseUnavailable) -> None:
        """Mark what the class `fetched` does not cover; the banner and `NotFetched` show themselves."""

    def reload(self) -> None:
        """Fetch the screen's data again (the database is back)."""


class DatabaseBanner(Static):
    """What is wrong with the database and what the user can do; hidden while all is well."""

    DEFAULT_CSS = """
    DatabaseBanner {
        display: none;
        height: auto;
        padding: 0 1;
        background: $error 30%;
        border-left: thick $error;
        margin-bottom: 1;
    }
    """

    def on_mount(self) -> None:
        self.watch(self.app, "database_fault", self._show)

    def _show(self, fault: DatabaseUnavailable | None) -> None:
        self.display = fault is not None
        if fault is None:
            return
        self.update(
            Text.assemble(
                (_("The database cannot be used."), "bold"),
                " ",
                str(fault),
                "\n",
                fault.advice(),
            )
        )


class NotFetched(Static):
    """Stands where a list or panel from the database would be, while it could not be fetched."""

    # Unscoped: the rules reach the screen's class and its `.fetched` widgets.
    SCOPED_CSS = False
    DEFAULT_CSS = """
    NotFetched {
        display: none;
        height: auto;
        padding: 1 2;
        color: $text-error;
        text-style: bold;
    }
    .-database-unavailable NotFetched {
        display: block;
    }
    .-database-unavailable .fetched {
        display: none;
    }
    """

    def __init__(self, what: str, *, id: str | None = None) -> None:
        super().__init__(_("{what}: could not be fetched").format(what=what), id=id)


def not_fetched_word() -> str:
    """For a count or a label that could not be fetched, e.g. "Checked in today: could not be fetched"."""
    return _("could not be fetched")
