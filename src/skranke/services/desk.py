"""Borger at the desk: find a citizen as the receptionist types, and check them in.

Search results show initials or alias and a masked CPR: whoever stands at the counter need not
read a full name. Every search that shows citizens and every check-in is in the audit log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from skranke.domain.site import Site, normalise_key
from skranke.i18n import _, clock_time
from skranke.services.audit import record, record_looks
from skranke.services.citizens import mask_cpr
from skranke.services.context import Skranke
from skranke.services.errors import DeskRefusal
from skranke.services.staff import Actor, require

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from skranke.domain.dispensing import Order

SEARCH_LIMIT = 50
HEROIN = "diacetylmorfin"
HEROIN_CLINIC = "heroinklinikken"


@dataclass(frozen=True)
class CitizenHit:
    citizen_id: str
    display: str  # alias, else initials
    masked_cpr: str
    birth_date: date | None
    anonymous: bool

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "citizen_id": self.citizen_id,
            "display": self.display,
            "masked_cpr": self.masked_cpr,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
        }


def display_name(first_name: str, last_name: str, alias: str, citizen_id: str) -> str:
    """Alias, else initials: what a list at the counter shows (DESIGN §4)."""
    if alias:
        return alias
    initials = "".join(part[0] for part in f"{first_name} {last_name}".split() if part).upper()
    return initials or citizen_id


def birth_date_of(cpr: str | None) -> date | None:
    """The birth date in a CPR number (the 7th digit gives the century, as CPR does)."""
    if not cpr or len(cpr) != 10 or not cpr.isdigit():
        return None
    day, month, year, serial = int(cpr[0:2]), int(cpr[2:4]), int(cpr[4:6]), int(cpr[6])
    if serial <= 3:
        century = 1900
    elif serial in (4, 9):
        century = 2000 if year <= 36 else 1900
    else:
        century = 2000 if year <= 57 else 1800
    try:
        return date(century + year, month, day)
    except ValueError:
        return None


_DATE = re.compile(r"(\d{1,2})[.\-/](\d{1,2})[.\-/](\d{2}|\d{4})")


def _query_parts(query: str) -> tuple[list[str], str | None]:
    """Name words (folded: 'Søren' and 'Soeren' alike) and a CPR prefix from what was typed.

    '010180-12' and '01018012' are CPR prefixes; '1.1.1980' and '01-01-80' are birth dates
    (a CPR prefix too); anything else is a word of the name, alias or id.
    """
    text = query.strip()
    found = _DATE.fullmatch(text)
    if found:
        day, month, year = found.groups()
        return [], f"{int(day):02d}{int(month):02d}{year[-2:]}"
    digits = text.replace("-", "").replace(" ", "")
    if digits.isdigit():
        return [normalise_key(text)], digits[:10]
    return [normalise_key(word) for word in text.split()], None


def search_citizens(skranke: Skranke, actor: Actor | None, query: str) -> list[CitizenHit]:
    """Citizens matching name, alias, CPR (with or without dash, partial), birth date or id.

    The citizens shown are looks at their records: one audit event each, in the same transaction.
    """
    from skranke.store.desk import search_citizens as stored_search

    signed_in = require(actor, "search")
    words, cpr_prefix = _query_parts(query)
    if not words and not cpr_prefix:
        return []
    with skranke.database.transaction() as session:
        rows = stored_search(session, [w for w in words if w], cpr_prefix, SEARCH_LIMIT)
        hits = [
            CitizenHit(
                citizen_id=row.id,
                display=display_name(row.first_name, row.last_name, row.alias, row.id),
                masked_cpr=mask_cpr(row.cpr),
                birth_date=birth_date_of(row.cpr),
                anonymous=row.cpr is None,
            )
            for row in rows
        ]
        record_looks(
            session, signed_in, skranke.clock.now(), "search", [h.citizen_id for h in hits], query_length=len(query)
        )
    return hits


# --- check-in -------------------------------------------------------------------------------


def medicine_place(site: Site, preparation: str, in_heroin_treatment: bool = False) -> str:
    """Where an order's doses are given: heroin at the heroin clinic, and with it the methadone or
    morphine of a citizen in heroin treatment (000 § 5.4); the rest in the medicine room."""
    ids = [d.id for d in site.all_departments()]
    if (preparation == HEROIN or in_heroin_treatment) and HEROIN_CLINIC in ids:
        return HEROIN_CLINIC
    services = [d.id for d in site.all_departments() if d.kind == "service" and "medicin" in d.id]
    return services[0] if services else site.departments[0].id


def place_name(site: Site, place: str) -> str:
    try:
        return site.department(place).name
    except KeyError:
        return place


@dataclass(frozen=True)
class CheckInResult:
    citizen_id: str
    display: str
    place: str
    place_name: str
    checked_in_at: datetime
    staff_id: str

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "citizen_id": self.citizen_id,
            "display": self.display,
            "department": self.place,
            "checked_in_at": self.checked_in_at.isoformat(),
            "staff": self.staff_id,
        }


def _orders(rows: Any) -> list[Order]:
    from skranke.domain.dispensing import Order

    # The store gives an order's columns in Order's field order (store.desk._PRESCRIPTION_ROW):
    # made from each row as it is, as a queue makes 1,500.
    return list(map(Order._make, rows))


def default_place(skranke: Skranke, session: Session, citizen_id: str, day: date) -> str | None:
    """Where the citizen is most likely going today: a dose due, else an appointment, else their case."""
    from skranke.domain.dispensing import pickup_days
    from skranke.store.desk import appointments_between, open_cases_of, prescriptions_valid_on

    orders = _orders(prescriptions_valid_on(session, day, citizen_id))
    heroin = any(o.preparation == HEROIN for o in orders)
    for order in orders:
        if not order.delivery and pickup_days(order, day, day):
            return medicine_place(skranke.site, order.preparation, heroin)
    tz = skranke.clock.now().tzinfo
    start = datetime.combine(day, time(0), tz)
    appointments = appointments_between(session, citizen_id, start, start + timedelta(days=1))
    if appointments:
        return appointments[0].department
    cases = open_cases_of(session, citizen_id)
    return cases[-1].department if cases else None


def check_in(skranke: Skranke, actor: Actor | None, citizen_id: str, place: str | None = None) -> CheckInResult:
    """Check a citizen in to a department or the medicine room, once a day per place (a database constraint)."""
    from sqlalchemy.exc import IntegrityError

    from skranke.store.desk import check_in_of
    from skranke.store.imports import record_event
    from skranke.store.models import CheckIn
    from skranke.store.queries import citizen

    signed_in = require(actor, "check_in")
    now = skranke.clock.now()
    day = now.date()
    chosen = place
    try:
        with skranke.database.transaction() as session:
            person = citizen(session, citizen_id)
            if person is None:
                raise DeskRefusal(_("No citizen {id} in the store.").format(id=citizen_id))
            chosen = place or default_place(skranke, session, person.id, day)
            if chosen is None:
                raise DeskRefusal(
                    _("{id} has no dose, appointment or open case today: choose the department.").format(id=person.id)
                )
            if chosen not in {d.id for d in skranke.site.all_departments()}:
                raise DeskRefusal(_("Unknown department '{department}'.").format(department=chosen))
            earlier = check_in_of(session, person.id, chosen, day)
            if earlier is not None:
                raise _already_checked_in(skranke, earlier)
            session.add(
                CheckIn(
                    citizen_id=person.id,
                    department=chosen,
                    service_date=day,
                    checked_in_at=now,
                    staff_id=signed_in.staff_id,
                    workstation=signed_in.workstation,
                )
            )
            session.flush()
            record(session, signed_in, now, "check_in", citizen_id=person.id, entity="department", entity_id=chosen)
            record_event(
                session, "check_in", now, {"citizen_id": person.id, "department": chosen, "staff": signed_in.staff_id}
            )
            display = display_name(person.first_name, person.last_name, person.alias, person.id)
    except IntegrityError:
        # Another workstation checked the citizen in between our look and our insert.
        with skranke.database.reading() as session:
            earlier = check_in_of(session, citizen_id, chosen or "", day)
        if earlier is None:
            raise
        raise _already_checked_in(skranke, earlier) from None
    return CheckInResult(person.id, display, chosen, place_name(skranke.site, chosen), now, signed_in.staff_id)


def _already_checked_in(skranke: Skranke, earlier: Any) -> DeskRefusal:
    moment = earlier.checked_in_at.astimezone(skranke.clock.now().tzinfo)
    return DeskRefusal(
        _("{id} is already checked in at {place} today at {time} by {staff}.").format(
            id=earlier.citizen_id,
            place=place_name(skranke.site, earlier.department),
            time=clock_time(moment),
            staff=earlier.staff_id or "–",
        )
    )
