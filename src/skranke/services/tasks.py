"""Opgaver: what the law or a rule requires someone to do, and Frister's follow-ups recorded as made."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from skranke.i18n import _
from skranke.services.access import Actor, require
from skranke.services.audit import record, record_looks
from skranke.services.context import Skranke
from skranke.services.identity import display_name

if TYPE_CHECKING:
    from skranke.store.models import Task

FOLLOW_UP_OUTCOMES = ("reached", "not_reached", "declined")
DONE_SHOWN_DAYS = 14  # done tasks shown apart, this far back


class TaskRefused(ValueError):
    """No such open task, or an outcome that does not fit it: exit code 1, the reason in words."""


def outcome_label(outcome: str | None) -> str:
    return {
        "done": _("done"),
        "reached": _("reached"),
        "not_reached": _("not reached"),
        "declined": _("declined"),
        "voided": _("voided"),  # closed by the void of the record that raised it (services.dispensing)
    }.get(outcome or "", outcome or "")


@dataclass(frozen=True)
class TaskRow:
    task_id: int
    kind: str
    citizen_id: str
    citizen: str  # alias or initials
    case_id: str | None
    due: date
    source: str
    note: str
    follow_up_month: int | None
    done_at: datetime | None
    done_by: str | None
    outcome: str | None


@dataclass(frozen=True)
class TasksView:
    open: list[TaskRow]
    done: list[TaskRow]  # the last DONE_SHOWN_DAYS days, newest first


def tasks_view(skranke: Skranke, actor: Actor | None) -> TasksView:
    from skranke.store.intake import tasks_done_since, tasks_open
    from skranke.store.window import citizens_by_id

    signed_in = require(actor, "view_tasks")
    now = skranke.clock.now()
    with skranke.database.transaction() as session:
        open_rows = list(tasks_open(session))
        done_rows = list(tasks_done_since(session, now - timedelta(days=DONE_SHOWN_DAYS)))
        # A stock task (services.stock) is about a service's stock: it names no citizen.
        people = citizens_by_id(session, sorted({t.citizen_id for t in open_rows + done_rows if t.citizen_id}))
        record_looks(session, signed_in, now, "list_tasks", people.keys())

        def row(task: Task) -> TaskRow:
            person = people.get(task.citizen_id or "")
            shown = (
                display_name(person.first_name, person.last_name, person.alias, person.id)
                if person
                else task.citizen_id or ""
            )
            return TaskRow(
                task.id,
                task.kind,
                task.citizen_id or "",
                shown,
                task.case_id,
                task.due,
                task.source,
                task.note,
                task.follow_up_month,
                task.done_at,
                task.done_by,
                task.outcome,
            )

        return TasksView([row(t) for t in open_rows], [row(t) for t in done_rows])


def complete_task(skranke: Skranke, actor: Actor | None, task_id: int, outcome: str = "done") -> None:
    """Mark an open task done; a follow-up says whether the citizen was reached."""
    from skranke.store.intake import task_for_update

    signed_in = require(actor, "follow_up")
    now = skranke.clock.now()
    with skranke.database.transaction() as session:
        task = task_for_update(session, task_id)
        if task is None or task.done_at is not None:
            raise TaskRefused(_("Task {id} is not open.").format(id=task_id))
        _check_outcome(task.kind, outcome)
        task.done_at, task.done_by, task.outcome = now, signed_in.staff_id, outcome
        action = "follow_up" if task.kind == "follow_up" else "task_done"
        record(
            session,
            signed_in,
            now,
            action,
            citizen_id=task.citizen_id,
            entity="task",
            entity_id=str(task.id),
            detail={"kind": task.kind, "outcome": outcome},
        )


def _check_outcome(kind: str, outcome: str) -> None:
    allowed = FOLLOW_UP_OUTCOMES if kind == "follow_up" else ("done",)
    if outcome not in allowed:
        raise TaskRefused(
            _("Outcome '{outcome}': use one of {allowed}.").format(outcome=outcome, allowed=", ".join(allowed))
        )


def record_follow_up(
    skranke: Skranke, actor: Actor | None, case_id: str, citizen_id: str, month: int, due: date, outcome: str
) -> None:
    """Frister's follow-up made (reached, not reached, declined): it leaves the follow-up list."""
    from skranke.store.intake import follow_up_task
    from skranke.store.models import Task

    signed_in = require(actor, "follow_up")
    _check_outcome("follow_up", outcome)
    now = skranke.clock.now()
    with skranke.database.transaction() as session:
        task = follow_up_task(session, case_id, month)
        if task is not None and task.done_at is not None:
            raise TaskRefused(
                _("The follow-up of case {case} after {months} months is already recorded.").format(
                    case=case_id, months=month
                )
            )
        if task is None:
            task = Task(
                kind="follow_up",
                citizen_id=citizen_id,
                case_id=case_id,
                due=due,
                follow_up_month=month,
                created_at=now,
                created_by=signed_in.staff_id,
            )
            session.add(task)
        task.done_at, task.done_by, task.outcome = now, signed_in.staff_id, outcome
        session.flush()
        record(
            session,
            signed_in,
            now,
            "follow_up",
            citizen_id=citizen_id,
            entity="case",
            entity_id=case_id,
            detail={"months": month, "outcome": outcome},
        )


def open_task_count(skranke: Skranke) -> int:
    """What "I dag" counts: open tasks due today or earlier."""
    from skranke.store.intake import count_open_tasks

    with skranke.database.reading() as session:
        return count_open_tasks(session, skranke.clock.now().date())
