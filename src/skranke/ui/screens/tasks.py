""" "Opgaver": what the law or a rule requires someone to do, open first, done apart with who and when."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from skranke.i18n import _, clock_time, short_date
from skranke.services.access import AccessError
from skranke.services.errors import DatabaseUnavailable
from skranke.services.intake import task_kind_label
from skranke.services.tasks import (
    FOLLOW_UP_OUTCOMES,
    TaskRefused,
    TaskRow,
    TasksView,
    complete_task,
    outcome_label,
    tasks_view,
)
from skranke.ui.formatting import plain
from skranke.ui.screens.confirm import ConfirmDialog
from skranke.ui.widgets.database import DatabaseBanner, DatabaseScreen, NotFetched
from skranke.ui.widgets.footer import SkrankeFooter
from skranke.ui.widgets.staff_bar import StaffBar
from skranke.ui.widgets.table import DataTable


class OutcomeDialog(ModalScreen[str | None]):
    """How the follow-up call went: reached, not reached, declined (Opgaver and Frister)."""

    DEFAULT_CSS = """
    OutcomeDialog {
        align: center middle;
    }
    """

    BINDINGS = [Binding("escape", "dismiss_none", _("Cancel"))]

    def __init__(self, question: str) -> None:
        super().__init__()
        self._question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="outcome-dialog"):
            yield Static(Text(self._question), id="outcome-question")  # it names a citizen: no markup
            yield OptionList(
                *(Option(outcome_label(outcome), id=outcome) for outcome in FOLLOW_UP_OUTCOMES), id="outcomes"
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class TasksScreen(DatabaseScreen[None]):
    # No open task: a sentence says so instead of an empty table; while the database cannot be
    # used, neither shows (NotFetched does).
    DEFAULT_CSS = """
    TasksScreen #tasks-open-empty {
        display: none;
        height: auto;
        padding: 1 2;
    }
    TasksScreen.-no-open-tasks #tasks-open-empty {
        display: block;
    }
    TasksScreen.-no-open-tasks #tasks-open,
    TasksScreen.-no-open-tasks.-database-unavailable #tasks-open-empty {
        display: none;
    }
    """

    BINDINGS = [
        Binding("u", "done", _("Mark done"), id="tasks.done", tooltip=_("Mark the highlighted task done")),
    ]

    loaded = False

    def __init__(self) -> None:
        super().__init__()
        self._open: list[TaskRow] = []

    def compose(self) -> ComposeResult:
        yield StaffBar()
        with Vertical(id="tasks"):
            yield DatabaseBanner()
            yield Static(_("Open tasks"), id="tasks-open-title", classes="fetched")
            yield DataTable(id="tasks-open", cursor_type="row", zebra_stripes=True, classes="fetched")
            yield Static(_("No open tasks"), id="tasks-open-empty", classes="fetched")
            yield Static(_("Done (last 14 days)"), id="tasks-done-title", classes="fetched")
            yield DataTable(id="tasks-done", cursor_type="row", zebra_stripes=True, classes="fetched")
            yield NotFetched(_("The list"))
        yield SkrankeFooter()

    def on_mount(self) -> None:
        self.query_one("#tasks-open", DataTable).add_columns(
            _("Due"), _("Task"), _("Citizen"), _("Case"), _("Source"), _("Note")
        )
        self.query_one("#tasks-done", DataTable).add_columns(
            _("Done on"), _("By"), _("Task"), _("Citizen"), _("Outcome"), _("Due")
        )
        self.load()

    def on_screen_resume(self) -> None:
        if self.loaded and self.app.database_fault is None:
            self.load()

    def show_unavailable(self, fault: DatabaseUnavailable) -> None:
        pass  # the banner and NotFetched say it all

    def reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="tasks")
    def load(self) -> None:
        try:
            view = tasks_view(self.app.skranke, self.app.actor)
        except AccessError as refused:
            self.app.call_from_thread(self.notify, str(refused), severity="error")
            return
        self.app.call_from_thread(self._show, view)

    def _show(self, view: TasksView) -> None:
        today = self.app.skranke.clock.now().date()
        tz = self.app.skranke.clock.now().tzinfo
        self._open = view.open
        table = self.query_one("#tasks-open", DataTable)
        table.clear()
        for task in view.open:
            style = "bold red" if task.due < today else ("yellow" if task.due == today else "")
            table.add_row(
                Text(short_date(task.due), style=style),
                task_kind_label(task.kind),
                plain(task.citizen),
                task.case_id or "",
                plain(task.source),
                plain(task.note),
                key=str(task.task_id),
            )
        self.query_one("#tasks-open-title", Static).update(_("Open tasks ({count})").format(count=len(view.open)))
        self.set_class(not view.open, "-no-open-tasks")
        done = self.query_one("#tasks-done", DataTable)
        done.clear()
        for task in view.done:
            assert task.done_at is not None
            moment = task.done_at.astimezone(tz)
            done.add_row(
                f"{short_date(moment.date())} {clock_time(moment)}",
                task.done_by or "",
                task_kind_label(task.kind),
                plain(task.citizen),
                outcome_label(task.outcome),
                short_date(task.due),
                key=str(task.task_id),
            )
        self.loaded = True

    def _highlighted(self) -> TaskRow | None:
        table = self.query_one("#tasks-open", DataTable)
        if not self._open or table.cursor_row < 0 or table.cursor_row >= len(self._open):
            return None
        return self._open[table.cursor_row]

    def action_done(self) -> None:
        task = self._highlighted()
        if task is None:
            self.notify(_("No open task is highlighted."), timeout=3)
            return
        # Both ways name the citizen (alias or initials, and the id: two JHs are told apart) and
        # record nothing until the person answers on purpose (DESIGN §1 "Safe at the window").
        who = f"{task.citizen} ({task.citizen_id})" if task.citizen != task.citizen_id else task.citizen_id
        if task.kind == "follow_up":
            question = _("Follow-up of {citizen}: how did it go?").format(citizen=who)
            self.app.push_screen(OutcomeDialog(question), callback=lambda outcome: self._complete(task, outcome))
        else:
            details = " · ".join(
                part
                for part in (task_kind_label(task.kind), _("due {date}").format(date=short_date(task.due)), task.note)
                if part
            )
            self.app.push_screen(
                ConfirmDialog(_("Mark the task done?"), who, details),
                callback=lambda confirmed: self._complete(task, "done" if confirmed else None),
            )

    def _complete(self, task: TaskRow, outcome: str | None) -> None:
        if outcome is not None:
            self.save_done(task.task_id, outcome)

    @work(thread=True, exit_on_error=False, group="tasks-done")
    def save_done(self, task_id: int, outcome: str) -> None:
        save_outcome(self, lambda: complete_task(self.app.skranke, self.app.actor, task_id, outcome))


def save_outcome(screen: DatabaseScreen[Any], write: Callable[[], object], saved: str | None = None) -> None:
    """Write an outcome (a task done, a follow-up made) from the screen's worker thread; a
    refusal or an unreachable database is said on screen (nothing was written: one transaction),
    `saved` when it was, and the screen reads its list again (`reload`) unless the database is gone."""
    app = screen.app
    try:
        write()
    except (TaskRefused, AccessError) as refused:
        app.call_from_thread(screen.notify, str(refused), severity="error")
    except DatabaseUnavailable as fault:
        app.call_from_thread(screen.notify, _("Not saved: {fault}").format(fault=fault), severity="error")
        app.call_from_thread(app.report_database_fault, fault)
        return
    else:
        if saved is not None:
            app.call_from_thread(screen.notify, saved, timeout=4)
    app.call_from_thread(screen.reload)
