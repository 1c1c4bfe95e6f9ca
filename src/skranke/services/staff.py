"""Staff, sign-in and roles (DESIGN §1 "Staff, access and the audit log").

Who may do what is decided in the services (`services.access`), not only hidden in the screens:
every use case that shows or changes a citizen takes the signed-in `Actor` and calls `require()`.
The PIN is kept only as an Argon2 hash; it never reaches the store, a log, an exception or
the audit detail.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

from skranke.i18n import _, clock_time, ngettext
from skranke.services.access import ROLES, AccessError, Actor, require, role_word
from skranke.services.audit import record
from skranke.services.context import Skranke

if TYPE_CHECKING:
    from argon2 import PasswordHasher
    from sqlalchemy.orm import Session

    from skranke.store.models import Staff

MAX_FAILED_PINS = 5
LOCK_OUT = timedelta(minutes=15)
PIN_PATTERN = re.compile(r"\d{4,12}")
INITIALS_PATTERN = re.compile(r"[A-ZÆØÅ]{2,16}")
# Who did something when no person signed in: a scheduled sync, for instance.
WORKSTATION_ACTOR = "workstation"


class StaffInputError(ValueError):
    """Bad initials, name, roles or PIN given to a staff command: exit code 1."""


def workstation_name(skranke: Skranke) -> str:
    return skranke.settings.workstation or socket.gethostname()


def workstation_actor(skranke: Skranke) -> Actor:
    """What a scheduled task acts as: no person, no roles beyond its own job."""
    return Actor(WORKSTATION_ACTOR, "", frozenset(), workstation_name(skranke))


# Argon2id at OWASP's minimum profile (19 MiB, 2 passes, 1 lane; Password Storage Cheat Sheet),
# not argon2-cffi's default (RFC 9106's 64 MiB, 3 passes, 4 lanes): a PIN has 4 to 12 digits,
# so what protects it is the lock-out after MAX_FAILED_PINS tries, and a stolen hash falls to
# any profile. The cheaper one keeps a sign-in (and every command run with --staff) quick.
# Older hashes carry their own parameters: they still verify and are rehashed at sign-in.
PIN_HASH_TIME_COST = 2
PIN_HASH_MEMORY_KIB = 19 * 1024
PIN_HASH_PARALLELISM = 1


@cache
def _hasher() -> PasswordHasher:
    # Imported on first use: argon2 is not needed to paint "I dag".
    from argon2 import PasswordHasher

    return PasswordHasher(
        time_cost=PIN_HASH_TIME_COST, memory_cost=PIN_HASH_MEMORY_KIB, parallelism=PIN_HASH_PARALLELISM
    )


@cache
def _dummy_hash() -> str:
    # Verified against for unknown initials, so a wrong id takes as long as a wrong PIN.
    return _hasher().hash("0000-not-a-pin")


def _verify(pin_hash: str, pin: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False


def normalise_initials(text: str) -> str:
    initials = text.strip().upper()
    if not INITIALS_PATTERN.fullmatch(initials):
        raise StaffInputError(_("Initials '{initials}': 2 to 16 letters, e.g. SYG.").format(initials=text.strip()))
    return initials


def check_pin(pin: str) -> str:
    if not PIN_PATTERN.fullmatch(pin):
        raise StaffInputError(_("The PIN must be 4 to 12 digits."))
    return pin


def check_roles(roles: Iterable[str]) -> frozenset[str]:
    chosen = frozenset(r.strip().lower() for r in roles if r.strip())
    unknown = sorted(chosen - set(ROLES))
    if unknown or not chosen:
        raise StaffInputError(
            _("Roles {roles}: use one or more of {known}.").format(
                roles=", ".join(unknown) or "–", known=", ".join(f"{r} ({role_word(r)})" for r in ROLES)
            )
        )
    return chosen


def _actor(row: Staff, workstation: str) -> Actor:
    return Actor(row.id, row.name, frozenset(r.role for r in row.roles), workstation)


def sign_in(skranke: Skranke, initials: str, pin: str) -> Actor:
    """The signed-in actor, or AccessError. Counts wrong PINs; five lock the id for 15 minutes.

    The attempt and its outcome go to the audit log in the same transaction.
    """
    now = skranke.clock.now()
    workstation = workstation_name(skranke)
    with skranke.database.transaction() as session:
        actor, failure, detail = _pin_check(session, initials.strip().upper(), pin, now, workstation)
        if failure is None:
            record(session, actor, now, "sign_in")
            return actor
        record(session, actor, now, "sign_in_failed", detail=detail)
    raise AccessError(failure)


def confirm_witness(skranke: Skranke, signed_in: Actor, initials: str, pin: str, action: str) -> Actor:
    """A second person confirms what `signed_in` records (a receipt, a waste, a count; DESIGN §1
    "Controlled-substance accounts") with their own PIN: the same check and lock-out as sign-in,
    and their roles must allow `action`. The same person as witness is refused (DeskRefusal);
    a wrong PIN, a lock-out or a role that may not is AccessError. A failed attempt is in the
    audit log (`witness_failed`, by the person recording), in a transaction of its own, so it
    counts even though the act is refused."""
    from skranke.services.errors import DeskRefusal

    staff_id = initials.strip().upper()
    if staff_id == signed_in.staff_id:
        raise DeskRefusal(
            _("The witness must be another person than {staff}, who records it.").format(staff=signed_in.staff_id)
        )
    now = skranke.clock.now()
    with skranke.database.transaction() as session:
        witness, failure, detail = _pin_check(session, staff_id, pin, now, signed_in.workstation)
        if failure is None and not witness.may(action):
            failure = _("{staff} may not witness this (roles: {roles}).").format(
                staff=witness.staff_id, roles=", ".join(role_word(r) for r in sorted(witness.roles)) or "–"
            )
            detail = {"reason": "role"}
        if failure is None:
            return witness
        record(session, signed_in, now, "witness_failed", entity="staff", entity_id=staff_id, detail=detail)
    raise AccessError(_("Witness {staff}: {failure}").format(staff=staff_id or "?", failure=failure))


def _pin_check(
    session: Session, staff_id: str, pin: str, now: datetime, workstation: str
) -> tuple[Actor, str | None, dict[str, object]]:
    """Whether `pin` is `staff_id`'s, in the caller's transaction: (the actor the attempt is
    recorded as, None or the failure in words, the failure's audit detail). A wrong PIN counts;
    the fifth locks the id for LOCK_OUT; a right one clears the count."""
    from skranke.store.staff import staff_for_update

    row = staff_for_update(session, staff_id) if staff_id else None
    if row is None:
        _verify(_dummy_hash(), pin)
        return (
            Actor(staff_id or "?", "", frozenset(), workstation),
            _("Unknown initials or wrong PIN."),
            {"reason": "unknown"},
        )
    actor = _actor(row, workstation)
    if not row.active:
        return actor, _("{staff} is disabled: ask an administrator.").format(staff=row.id), {"reason": "disabled"}
    if row.locked_until is not None and row.locked_until > now:
        failure = _("{staff} is locked after {count} wrong PINs until {time}.").format(
            staff=row.id, count=MAX_FAILED_PINS, time=clock_time(row.locked_until.astimezone(now.tzinfo))
        )
        return actor, failure, {"reason": "locked"}
    if not _verify(row.pin_hash, pin):
        row.failed_attempts += 1
        detail: dict[str, object] = {"reason": "wrong_pin", "failed_attempts": row.failed_attempts}
        if row.failed_attempts >= MAX_FAILED_PINS:
            row.locked_until = now + LOCK_OUT
            row.failed_attempts = 0
            detail["locked_until"] = row.locked_until.isoformat()
            failure = _("Wrong PIN {count} times: {staff} is locked until {time}.").format(
                count=MAX_FAILED_PINS, staff=row.id, time=clock_time(row.locked_until.astimezone(now.tzinfo))
            )
        else:
            left = MAX_FAILED_PINS - row.failed_attempts
            warning = ngettext(
                "{count} attempt left before a 15-minute lock.",
                "{count} attempts left before a 15-minute lock.",
                left,
            )
            failure = _("Unknown initials or wrong PIN.") + " " + warning.format(count=left)
        return actor, failure, detail
    row.failed_attempts = 0
    row.locked_until = None
    if _hasher().check_needs_rehash(row.pin_hash):
        # Made with older parameters: stored anew with today's while the PIN is at hand.
        # Not an event of its own: the PIN is the same, and the sign-in is recorded.
        row.pin_hash = _hasher().hash(pin)
    return actor, None, {}


def sign_out(skranke: Skranke, actor: Actor, reason: str) -> None:
    """Lock or change of shift: written to the audit log (reason 'key', 'idle', 'quit')."""

    with skranke.database.transaction() as session:
        record(session, actor, skranke.clock.now(), "sign_out", detail={"reason": reason})


@dataclass(frozen=True)
class StaffMember:
    staff_id: str
    name: str
    roles: tuple[str, ...]
    active: bool
    locked_until: datetime | None


def _member(row: Staff) -> StaffMember:
    return StaffMember(row.id, row.name, tuple(sorted(r.role for r in row.roles)), row.active, row.locked_until)


def staff_count(skranke: Skranke) -> int:
    from skranke.store.staff import staff_count as count

    with skranke.database.reading() as session:
        return count(session)


def add_staff(
    skranke: Skranke, actor: Actor | None, initials: str, name: str, roles: Iterable[str], pin: str
) -> StaffMember:
    """An admin adds a person; on a store with no staff the first person needs no sign-in but must be an admin."""
    from skranke.store.models import Staff, StaffRole
    from skranke.store.staff import staff_count as count

    staff_id = normalise_initials(initials)
    chosen = check_roles(roles)
    check_pin(pin)
    if not name.strip():
        raise StaffInputError(_("The name must not be empty."))
    now = skranke.clock.now()
    with skranke.database.transaction() as session:
        first = count(session) == 0
        if first:
            if "admin" not in chosen:
                raise StaffInputError(_("The first staff member must have the role admin (administrator)."))
            actor = Actor(staff_id, name.strip(), chosen, workstation_name(skranke))
        else:
            require(actor, "manage_staff")
        assert actor is not None
        if session.get(Staff, staff_id) is not None:
            raise StaffInputError(_("{staff} exists already.").format(staff=staff_id))
        row = Staff(
            id=staff_id,
            name=name.strip(),
            active=True,
            pin_hash=_hasher().hash(pin),
            failed_attempts=0,
            created_at=now,
            roles=[StaffRole(role=role) for role in sorted(chosen)],
        )
        session.add(row)
        session.flush()
        record(
            session,
            actor,
            now,
            "staff_add",
            entity="staff",
            entity_id=staff_id,
            detail={"roles": sorted(chosen), "first": first},
        )
        return _member(row)


def list_staff(skranke: Skranke, actor: Actor | None) -> list[StaffMember]:
    from skranke.store.staff import all_staff

    require(actor, "manage_staff")
    with skranke.database.reading() as session:
        return [_member(row) for row in all_staff(session)]


def _changed_staff(session: Session, staff_id: str) -> Staff:
    from skranke.store.staff import staff_for_update

    row = staff_for_update(session, normalise_initials(staff_id))
    if row is None:
        raise StaffInputError(_("No staff member {staff}.").format(staff=staff_id.strip().upper()))
    return row


def disable_staff(skranke: Skranke, actor: Actor | None, staff_id: str) -> StaffMember:

    admin = require(actor, "manage_staff")
    now = skranke.clock.now()
    with skranke.database.transaction() as session:
        row = _changed_staff(session, staff_id)
        if row.id == admin.staff_id:
            raise StaffInputError(_("You cannot disable yourself."))
        row.active = False
        record(session, admin, now, "staff_disable", entity="staff", entity_id=row.id)
        return _member(row)


def set_pin(skranke: Skranke, actor: Actor | None, staff_id: str, pin: str) -> StaffMember:
    """A new PIN (an admin for anyone; anyone for themselves); clears a lock-out."""

    check_pin(pin)
    if actor is None or not (actor.may("manage_staff") or actor.staff_id == staff_id.strip().upper()):
        require(actor, "manage_staff")
    assert actor is not None
    now = skranke.clock.now()
    with skranke.database.transaction() as session:
        row = _changed_staff(session, staff_id)
        row.pin_hash = _hasher().hash(pin)
        row.failed_attempts = 0
        row.locked_until = None
        record(session, actor, now, "staff_pin", entity="staff", entity_id=row.id)
        return _member(row)


def unlock_staff(skranke: Skranke, actor: Actor | None, staff_id: str) -> StaffMember:
    """Lifts a PIN lock-out (five wrong PINs) before its 15 minutes are up; the PIN stays (admin)."""

    admin = require(actor, "manage_staff")
    now = skranke.clock.now()
    with skranke.database.transaction() as session:
        row = _changed_staff(session, staff_id)
        was_locked = row.locked_until is not None and row.locked_until > now
        row.failed_attempts = 0
        row.locked_until = None
        record(session, admin, now, "staff_unlock", entity="staff", entity_id=row.id, detail={"was_locked": was_locked})
        return _member(row)
