"""Is the database there? Asked by the application while it shows a fault, to recover on its own."""

from __future__ import annotations

from skranke.services.context import Skranke


def check_database(skranke: Skranke) -> None:
    """Returns when the database answers and holds skranke's schema; raises
    `DatabaseUnavailable` otherwise. Opens the database first if it never opened."""
    skranke.database.ping()
