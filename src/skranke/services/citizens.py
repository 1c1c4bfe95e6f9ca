"""Citizens as the desk sees them: a label for lists, the card behind Enter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from skranke.domain.deadlines import Overview
from skranke.services.context import Skranke
from skranke.sync.rows import mask_cpr as report_mask


@dataclass(frozen=True)
class CitizenLabel:
    citizen_id: str
    name: str
    alias: str


def citizen_labels(skranke: Skranke, citizen_ids: list[str]) -> dict[str, CitizenLabel]:
    from skranke.store.queries import citizen_names

    with skranke.database.reading() as session:
        names = citizen_names(session, sorted(set(citizen_ids)))
    return {cid: CitizenLabel(cid, f"{first} {last}".strip(), alias) for cid, (first, last, alias) in names.items()}


@dataclass(frozen=True)
class CitizenCard:
    citizen_id: str
    name: str
    alias: str
    masked_cpr: str  # the counter sees birth date only: nothing shown that need not be
    phone: str
    cases: list  # Case rows, newest first
    appointments: list  # upcoming Appointment rows
    deadlines: Overview | None = None  # the Frister rules on this citizen's cases


def mask_cpr(cpr: str | None) -> str:
    """'010180-****': the reports' masking, on the stored ten digits."""
    return report_mask(f"{cpr[:6]}-{cpr[6:]}") if cpr else ""


def citizen_card(skranke: Skranke, citizen_id: str) -> CitizenCard | None:
    from skranke.services.deadlines import citizen_deadlines
    from skranke.store.queries import citizen, citizen_appointments, citizen_cases

    now = skranke.clock.now()
    start_of_day = datetime.combine(now.date(), time(0), now.tzinfo)
    deadlines = citizen_deadlines(skranke, citizen_id)
    with skranke.database.reading() as session:
        person = citizen(session, citizen_id)
        if person is None:
            return None
        return CitizenCard(
            citizen_id=person.id,
            name=f"{person.first_name} {person.last_name}".strip(),
            alias=person.alias,
            masked_cpr=mask_cpr(person.cpr),
            phone=person.phone,
            cases=citizen_cases(session, citizen_id),
            appointments=citizen_appointments(session, citizen_id, start_of_day),
            deadlines=deadlines,
        )
