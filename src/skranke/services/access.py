"""Who may do what (DESIGN §1 "Staff, access and the audit log"): the roles, their permissions,
the signed-in `Actor` and `require`.

Every use case that shows or changes a citizen takes the actor and calls `require()` here, in
the services, not only hidden in the screens. Signing in (`services.staff`) makes the actor;
the audit log (`services.audit`) records what it did. Both import this module and neither
imports the other for it, so the rules have one home below them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from skranke.i18n import _

ROLES = ("reception", "nurse", "doctor", "admin")

# Each role's own actions; nurse includes reception's, doctor includes nurse's (DESIGN §1).
_RECEPTION = frozenset(
    {"search", "open_citizen", "check_in", "intake", "follow_up", "complaint", "view_deadlines", "view_tasks"}
)
# "stock": record in the controlled-substance ledger (and witness it); "view_stock": read it.
_NURSE = _RECEPTION | {"dispense", "close_day", "view_queue", "reveal_cpr", "stock", "view_stock"}
# "view_figures": the key figures and the register's basis (Nøgletal, `skranke report`): the
# doctor and the leader (admin) answer for the centre's results; the desk's roles do not need them.
_DOCTOR = _NURSE | {"release", "void", "view_figures"}
_ADMIN = frozenset(
    {"manage_staff", "manage_store", "sync", "read_audit", "view_deadlines", "view_stock", "view_figures"}
)
PERMISSIONS: dict[str, frozenset[str]] = {
    "reception": _RECEPTION,
    "nurse": _NURSE,
    "doctor": _DOCTOR,
    "admin": _ADMIN,
}


class AccessError(Exception):
    """Not signed in, a wrong PIN, locked out, disabled, or a role that may not: exit code 4."""


@dataclass(frozen=True)
class Actor:
    """The person (or the workstation itself) a use case acts for."""

    staff_id: str
    name: str
    roles: frozenset[str]
    workstation: str

    def may(self, action: str) -> bool:
        return any(action in PERMISSIONS[role] for role in self.roles)


def role_word(role: str) -> str:
    """A role as staff say it (the code stays in commands, JSON and the store)."""
    return {
        "reception": _("reception"),
        "nurse": _("nurse"),
        "doctor": _("doctor"),
        "admin": _("administrator"),
    }.get(role, role)


def role_words(roles: Iterable[str]) -> str:
    """Roles in the order of their rights (reception first), as staff say them."""
    order = {role: index for index, role in enumerate(ROLES)}
    return ", ".join(role_word(r) for r in sorted(roles, key=lambda r: (order.get(r, len(ROLES)), r))) or "–"


def action_words(action: str) -> str:
    """A permission as what it lets a person do, for the refusal that names it."""
    return {
        "search": _("search for citizens"),
        "open_citizen": _("open a citizen card"),
        "check_in": _("check citizens in"),
        "intake": _("register requests"),
        "follow_up": _("record follow-ups"),
        "complaint": _("register complaints"),
        "view_deadlines": _("see the deadlines"),
        "view_tasks": _("see the tasks"),
        "dispense": _("record doses"),
        "close_day": _("close the day"),
        "view_queue": _("see the dispensing queue"),
        "reveal_cpr": _("reveal a full CPR number"),
        "release": _("release a hold"),
        "void": _("void a dose"),
        "stock": _("record in the narcotics ledger"),
        "view_stock": _("read the narcotics ledger"),
        "manage_staff": _("manage staff"),
        "manage_store": _("encrypt, back up or restore the store"),
        "sync": _("run a sync"),
        "read_audit": _("read the audit log"),
        "view_figures": _("see the key figures"),
    }.get(action, action)


def require(actor: Actor | None, action: str) -> Actor:
    """The actor, if their roles allow `action`; else AccessError naming what is missing."""
    if actor is None:
        raise AccessError(_("Sign in first: to {action} you must be signed in.").format(action=action_words(action)))
    if not actor.may(action):
        raise AccessError(
            _("{staff} may not {action} (roles: {roles}).").format(
                staff=actor.staff_id, action=action_words(action), roles=role_words(actor.roles)
            )
        )
    return actor
