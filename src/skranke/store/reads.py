"""Helpers of the read queries: plain rows on the session's connection, LIKE patterns escaped."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session


def read_rows(
    session: Session, query: Select[*tuple[Any, ...]], values: dict[str, Any] | None = None, as_type: Any = None
) -> Sequence[Any]:
    """Read-only rows of a Core select, on the session's connection: the ORM's result handling
    (its loading of each row) cost more than these queries for the thousands of rows a queue reads.
    `as_type`: a named tuple to make of each row instead (a Row reads a value by name several
    times slower than a named tuple: worth it for rows read field by field, as the day's doses)."""
    result = session.connection().execute(query, values)
    if as_type is None:
        return result.all()
    return list(map(as_type._make, result))


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
