"""The counts shown on "I dag"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from skranke.services.context import Skranke


@dataclass(frozen=True)
class DeskCounts:
    checked_in_today: int
    deadlines_warn: int
    deadlines_overdue: int
    waiting: int = 0  # citizens checked in at the medicine room with a dose still due
    doses_due: int = 0
    holds: int = 0


def desk_counts(skranke: Skranke) -> DeskCounts:
    now = skranke.clock.now()
    start = datetime.combine(now.date(), time(0), now.tzinfo)
    from skranke.services.deadlines import request_counts
    from skranke.store.queries import count_check_ins

    with skranke.database.reading() as session:
        checked_in = count_check_ins(session, start, start + timedelta(days=1))
    requests = request_counts(skranke)
    from skranke.services.queue import queue

    view = queue(skranke)
    return DeskCounts(
        checked_in_today=checked_in,
        deadlines_warn=requests.warn,
        deadlines_overdue=requests.overdue,
        waiting=len(view.waiting),
        doses_due=len(view.due),
        holds=view.holds,
    )


@dataclass(frozen=True)
class TaskCounts:
    """Opgaver on "I dag": every open task (as the Opgaver screen heads its list) and those
    past their due date (the red rows there)."""

    open: int
    overdue: int


def task_counts(skranke: Skranke) -> TaskCounts:
    from skranke.store.intake import count_open_tasks

    today = skranke.clock.now().date()
    with skranke.database.reading() as session:
        return TaskCounts(
            open=count_open_tasks(session),
            overdue=count_open_tasks(session, due_by=today - timedelta(days=1)),
        )
