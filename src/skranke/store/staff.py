"""Staff rows: how many there are, all of them, and one locked to be changed."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from skranke.store.models import Staff


def staff_count(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(Staff)).scalar_one())


def all_staff(session: Session) -> Sequence[Staff]:
    return session.execute(select(Staff).order_by(Staff.id)).scalars().all()


def staff_for_update(session: Session, staff_id: str) -> Staff | None:
    """The row, locked against a second workstation counting the same wrong PIN (PostgreSQL)."""
    return session.get(Staff, staff_id, with_for_update=True)
