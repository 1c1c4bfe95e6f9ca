"""The queries the screens need. Every dialect difference stays in this package."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from skranke.store.models import CheckIn


def count_check_ins(session: Session, start: datetime, end: datetime) -> int:
    statement = select(func.count()).select_from(CheckIn).where(
        CheckIn.checked_in_at >= start, CheckIn.checked_in_at < end
    )
    return session.execute(statement).scalar_one()
