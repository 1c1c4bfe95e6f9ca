"""The counts the desk glances at: who is waiting, whose deadline is close."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from skranke.i18n import _, ngettext
from skranke.services.counts import DeskCounts, TaskCounts, desk_counts, task_counts
from skranke.ui.app_base import skranke_app
from skranke.ui.widgets.database import ForwardsWorkerErrors, not_fetched_word

POLL_SECONDS = 1.0


class CountsPanel(ForwardsWorkerErrors, Horizontal):
    """Counted in a worker: the hours paint at once, the database answers a moment later."""

    loaded = False
    _marker: tuple[int, int, int] | None = None  # the store's change marker the counts were read at

    def on_mount(self) -> None:
        # Another workstation's check-in or dose shows here within two seconds, as on the queue.
        self.set_interval(POLL_SECONDS, self._poll)

    def compose(self) -> ComposeResult:
        yield Static("…", id="count-waiting", classes="count")
        yield Static("…", id="count-medicine", classes="count")
        yield Static("…", id="count-deadlines", classes="count")
        yield Static("…", id="count-tasks", classes="count")

    @work(thread=True, exclusive=True, exit_on_error=False, group="counts")
    def refresh_counts(self) -> None:
        from skranke.services.queue import desk_changes  # in the worker: not before the first frame

        skranke = skranke_app(self).skranke
        marker = desk_changes(skranke)
        counts = desk_counts(skranke)
        tasks = task_counts(skranke)
        self.app.call_from_thread(self._show_tasks, tasks)
        self.app.call_from_thread(self._show, counts, marker)

    @work(thread=True, exclusive=True, exit_on_error=False, group="counts-poll")
    def _poll(self) -> None:
        # Only while the counts are on screen and settled; back on I dag they are counted anew.
        app = skranke_app(self)
        if not self.loaded or not self.screen.is_current or app.database_fault is not None:
            return
        from skranke.services.queue import desk_changes

        if desk_changes(app.skranke) != self._marker:
            self.app.call_from_thread(self.refresh_counts)

    def show_unavailable(self) -> None:
        """The counts could not be fetched: say so, never show a number (0 would read as "none")."""
        self.loaded = True  # settled, in the state that says what is missing
        self.query_one("#count-waiting", Static).update(_("Checked in: {state}").format(state=not_fetched_word()))
        self.query_one("#count-deadlines", Static).update(_("Deadlines: {state}").format(state=not_fetched_word()))
        self.query_one("#count-medicine", Static).update(_("Medicine: {state}").format(state=not_fetched_word()))
        self.query_one("#count-tasks", Static).update(_("Tasks: {state}").format(state=not_fetched_word()))
        for count in self.query(".count"):
            count.add_class("alert")

    def _show(self, counts: DeskCounts, marker: tuple[int, int, int] | None = None) -> None:
        self.loaded, self._marker = True, marker
        waiting = self.query_one("#count-waiting", Static)
        waiting.update(_("Checked in today: {count}").format(count=counts.checked_in_today))
        waiting.remove_class("alert")
        medicine = self.query_one("#count-medicine", Static)
        medicine.update(
            _("Medicine: {counts}").format(
                counts=", ".join(
                    [
                        ngettext("{count} waiting", "{count} waiting", counts.waiting).format(count=counts.waiting),
                        ngettext("{count} dose due", "{count} doses due", counts.doses_due).format(
                            count=counts.doses_due
                        ),
                        ngettext("{count} on hold", "{count} on hold", counts.holds).format(count=counts.holds),
                    ]
                )
            )
        )
        medicine.set_class(counts.holds > 0, "alert")
        deadlines = self.query_one("#count-deadlines", Static)
        deadlines.update(
            _("Deadlines: {counts}").format(
                counts=", ".join(
                    [
                        ngettext("{count} close", "{count} close", counts.deadlines_warn).format(
                            count=counts.deadlines_warn
                        ),
                        _overdue(counts.deadlines_overdue),
                    ]
                )
            )
        )
        deadlines.set_class(counts.deadlines_overdue > 0, "alert")

    def _show_tasks(self, counts: TaskCounts) -> None:
        tasks = self.query_one("#count-tasks", Static)
        open_tasks = ngettext("{count} open", "{count} open", counts.open).format(count=counts.open)
        tasks.update(_("Tasks: {counts}").format(counts=f"{open_tasks}, {_overdue(counts.overdue)}"))
        tasks.set_class(counts.overdue > 0, "alert")


def _overdue(count: int) -> str:
    """'1 overskredet', '2 overskredne': the count's own plural form (ngettext)."""
    return ngettext("{count} overdue", "{count} overdue", count).format(count=count)
