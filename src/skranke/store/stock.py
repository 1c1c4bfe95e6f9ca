"""The controlled-substance ledger's reads (services.stock writes its entries).

The balance is a sum over the account's entries (`ix_stock_entries_account` holds service,
preparation, id and mg, so the sum reads the index only); it is read when an entry is made or
the ledger is shown, never on the queue's refresh.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from skranke.store.models import PendingReceipt, StockEntry


def balance(session: Session, service: str, preparation: str) -> Decimal:
    """The account's balance: the sum of its entries' mg."""
    total = session.execute(
        select(func.coalesce(func.sum(StockEntry.mg), 0)).where(
            StockEntry.service == service, StockEntry.preparation == preparation
        )
    ).scalar_one()
    return Decimal(total)


def balances(session: Session, service: str) -> dict[str, Decimal]:
    """Every account of a service that has entries: preparation → balance."""
    rows = session.execute(
        select(StockEntry.preparation, func.sum(StockEntry.mg))
        .where(StockEntry.service == service)
        .group_by(StockEntry.preparation)
    ).all()
    return {preparation: Decimal(total) for preparation, total in rows}


def last_counts(session: Session, service: str) -> dict[str, StockEntry]:
    """The newest count of each preparation at a service."""
    newest = (
        select(StockEntry.preparation, func.max(StockEntry.id).label("id"))
        .where(StockEntry.service == service, StockEntry.kind == "count")
        .group_by(StockEntry.preparation)
        .subquery()
    )
    rows = session.scalars(select(StockEntry).join(newest, StockEntry.id == newest.c.id)).all()
    return {row.preparation: row for row in rows}


def entries(
    session: Session,
    service: str,
    preparation: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    kinds: Sequence[str] = (),
) -> Sequence[StockEntry]:
    """A service's entries in the order they were made (id), optionally of one preparation,
    from `since` and before `until`, of some kinds."""
    query = select(StockEntry).where(StockEntry.service == service)
    if preparation is not None:
        query = query.where(StockEntry.preparation == preparation)
    if since is not None:
        query = query.where(StockEntry.recorded_at >= since)
    if until is not None:
        query = query.where(StockEntry.recorded_at < until)
    if kinds:
        query = query.where(StockEntry.kind.in_(kinds))
    return session.scalars(query.order_by(StockEntry.id)).all()


def balances_before(session: Session, service: str, before: datetime) -> dict[str, Decimal]:
    """Each preparation's balance just before `before` (the ledger's opening line from a date)."""
    rows = session.execute(
        select(StockEntry.preparation, func.sum(StockEntry.mg))
        .where(StockEntry.service == service, StockEntry.recorded_at < before)
        .group_by(StockEntry.preparation)
    ).all()
    return {preparation: Decimal(total) for preparation, total in rows}


def entry_of_dose(session: Session, dispensing_id: int, kind: str) -> StockEntry | None:
    """A dose's issue or reversal entry, if written."""
    return session.scalars(
        select(StockEntry).where(StockEntry.dispensing_id == dispensing_id, StockEntry.kind == kind)
    ).first()


def receipts_waiting(session: Session) -> Sequence[PendingReceipt]:
    """Imported receipts no entry has witnessed yet, oldest first."""
    witnessed = select(StockEntry.pending_receipt_id).where(StockEntry.pending_receipt_id.is_not(None))
    return session.scalars(
        select(PendingReceipt)
        .where(PendingReceipt.id.not_in(witnessed))
        .order_by(PendingReceipt.received_on, PendingReceipt.id)
    ).all()


def witnessed_receipt_ids(session: Session, ids: Sequence[str]) -> set[str]:
    """Which of these imported receipts are witnessed already (an import never changes those)."""
    if not ids:
        return set()
    found = session.scalars(select(StockEntry.pending_receipt_id).where(StockEntry.pending_receipt_id.in_(ids)))
    return {receipt_id for receipt_id in found if receipt_id is not None}
