"""The queries of intake drafts and tasks (Ny henvendelse, Opgaver)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from skranke.store.models import Citizen, Intake, Task


def citizen_by_cpr(session: Session, cpr: str) -> Citizen | None:
    return session.scalars(select(Citizen).where(Citizen.cpr == cpr)).first()


def draft_for_update(session: Session, draft_id: int) -> Intake | None:
    return session.scalars(select(Intake).where(Intake.id == draft_id).with_for_update()).first()


def drafts(session: Session) -> Sequence[Intake]:
    return session.scalars(select(Intake).where(Intake.status == "draft").order_by(Intake.updated_at.desc())).all()


def remove_drafts_before(session: Session, before: datetime) -> int:
    """Unfinished drafts not touched since `before` are deleted: they hold a citizen's answers."""
    result = session.execute(
        delete(Intake).where(Intake.status.in_(("draft", "discarded")), Intake.updated_at < before)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def tasks_open(session: Session) -> Sequence[Task]:
    return session.scalars(select(Task).where(Task.done_at.is_(None)).order_by(Task.due, Task.id)).all()


def tasks_done_since(session: Session, since: datetime) -> Sequence[Task]:
    return session.scalars(
        select(Task).where(Task.done_at.is_not(None), Task.done_at >= since).order_by(Task.done_at.desc())
    ).all()


def task_for_update(session: Session, task_id: int) -> Task | None:
    return session.scalars(select(Task).where(Task.id == task_id).with_for_update()).first()


def follow_up_task(session: Session, case_id: str, month: int) -> Task | None:
    return session.scalars(
        select(Task).where(Task.kind == "follow_up", Task.case_id == case_id, Task.follow_up_month == month)
    ).first()


def follow_ups_done(session: Session, case_ids: Sequence[str]) -> set[tuple[str, int]]:
    """(case id, month) of every follow-up recorded as made."""
    if not case_ids:
        return set()
    rows = session.execute(
        select(Task.case_id, Task.follow_up_month).where(
            Task.kind == "follow_up", Task.done_at.is_not(None), Task.case_id.in_(list(case_ids))
        )
    ).all()
    return {(case_id, month) for case_id, month in rows if case_id is not None and month is not None}


def count_open_tasks(session: Session, due_by: date | None = None) -> int:
    query = select(func.count()).select_from(Task).where(Task.done_at.is_(None))
    if due_by is not None:
        query = query.where(Task.due <= due_by)
    return int(session.scalar(query) or 0)
