"""Citizens as the desk sees them: a label for lists, the card behind Enter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from skranke.domain.deadlines import Overview
from skranke.services.access import Actor, require
from skranke.services.audit import AuditEntry, last_looks, record, record_looks
from skranke.services.context import Skranke
from skranke.sync.rows import mask_cpr as report_mask


@dataclass(frozen=True)
class CitizenLabel:
    citizen_id: str
    name: str
    alias: str


def citizen_labels(
    skranke: Skranke, actor: Actor | None, citizen_ids: list[str], action: str = "list_deadlines"
) -> dict[str, CitizenLabel]:
    """Names for a list on screen; each citizen shown is a look, logged in the same transaction."""
    from skranke.store.queries import citizen_names

    permission = {"list_deadlines": "view_deadlines", "search": "search"}.get(action, action)
    signed_in = require(actor, permission)
    with skranke.database.transaction() as session:
        names = citizen_names(session, sorted(set(citizen_ids)))
        record_looks(session, signed_in, skranke.clock.now(), action, names)
    return {cid: CitizenLabel(cid, f"{first} {last}".strip(), alias) for cid, (first, last, alias) in names.items()}


@dataclass(frozen=True)
class CitizenCard:
    citizen_id: str
    name: str
    alias: str
    masked_cpr: str  # the counter sees birth date only: nothing shown that need not be
    phone: str
    cases: list[Any]  # Case rows, newest first
    appointments: list[Any]  # upcoming Appointment rows
    looks: list[AuditEntry]  # the latest looks and actions, newest first (this one included)
    deadlines: Overview | None = None  # the Frister rules on this citizen's cases
    birth_date: date | None = None  # the second identifier a dialog names


def mask_cpr(cpr: str | None) -> str:
    """'010180-****': the reports' masking, on the stored ten digits."""
    return report_mask(f"{cpr[:6]}-{cpr[6:]}") if cpr else ""


def citizen_card(skranke: Skranke, actor: Actor | None, citizen_id: str) -> CitizenCard | None:
    """The card, for a signed-in person; the look is logged in the same transaction."""
    from skranke.services.deadlines import citizen_deadlines
    from skranke.services.identity import birth_date_of
    from skranke.store.queries import citizen, citizen_appointments, citizen_cases

    signed_in = require(actor, "open_citizen")
    now = skranke.clock.now()
    start_of_day = datetime.combine(now.date(), time(0), now.tzinfo)
    deadlines = citizen_deadlines(skranke, citizen_id)
    with skranke.database.transaction() as session:
        person = citizen(session, citizen_id)
        if person is None:
            return None
        record(session, signed_in, now, "open_citizen", citizen_id=person.id, entity="citizen", entity_id=person.id)
        session.flush()
        return CitizenCard(
            citizen_id=person.id,
            name=f"{person.first_name} {person.last_name}".strip(),
            alias=person.alias,
            masked_cpr=mask_cpr(person.cpr),
            phone=person.phone,
            cases=citizen_cases(session, citizen_id),
            appointments=citizen_appointments(session, citizen_id, start_of_day),
            looks=last_looks(session, citizen_id, now),
            deadlines=deadlines,
            birth_date=birth_date_of(person.cpr),
        )


def reveal_cpr(skranke: Skranke, actor: Actor | None, citizen_id: str) -> str:
    """The full CPR number ('010180-1234'), for a role that may; the reveal is logged."""
    from skranke.store.queries import citizen

    signed_in = require(actor, "reveal_cpr")
    with skranke.database.transaction() as session:
        person = citizen(session, citizen_id)
        if person is None or not person.cpr:
            return ""
        record(
            session,
            signed_in,
            skranke.clock.now(),
            "reveal_cpr",
            citizen_id=person.id,
            entity="citizen",
            entity_id=person.id,
        )
        return f"{person.cpr[:6]}-{person.cpr[6:]}"
