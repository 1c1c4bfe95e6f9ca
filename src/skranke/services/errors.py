"""Faults the screens and the command line catch, without importing the store's drivers.

`DeskRefusal`: a rule of the desk refused the action.

`DatabaseUnavailable` (from `skranke.store.errors`): the database cannot be used; `str()` is
one translated sentence naming the database and what is wrong, `advice()` what the user can do,
`transient` whether waiting may heal it (the application retries those on its own).
"""

from __future__ import annotations

from skranke.store.errors import DatabaseUnavailable, Reason

__all__ = ["DatabaseUnavailable", "DeskRefusal", "Reason"]


# Here rather than in services.reception or services.dispensing, where it is raised: the command
# line catches it without importing the desk's services (and the importer's models behind them)
# for every command.
class DeskRefusal(Exception):
    """A rule refused the action (already checked in, already given, held): exit code 1, the rule's words."""
