"""Faults the screens and the command line catch, without importing the store's drivers.

`DatabaseUnavailable` (from `skranke.store.errors`): the database cannot be used; `str()` is
one translated sentence naming the database and what is wrong, `advice()` what the user can do,
`transient` whether waiting may heal it (the application retries those on its own).
"""

from __future__ import annotations

from skranke.store.errors import DatabaseUnavailable, Reason

__all__ = ["DatabaseUnavailable", "Reason"]
