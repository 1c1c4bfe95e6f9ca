"""Reception at the desk (Borger): find a citizen as the receptionist types, check them in, undo a check-in.

Search results show what tells two people apart (name, alias, birth date, masked CPR; DESIGN §4).
A search that shows citizens is one audit event with its hits; every check-in and undo is logged
in the same transaction as the act.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from skranke.domain.site import normalise_key
from skranke.i18n import _, clock_time
from skranke.services.access import Actor, require
from skranke.services.audit import record, record_looks
from skranke.services.citizens import mask_cpr
from skranke.services.context import Skranke, UsageError
from skranke.services.errors import DeskRefusal
from skranke.services.identity import birth_date_of, display_name, full_name
from skranke.services.places import HEROIN, medicine_place, place_name, window_places

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

SEARCH_LIMIT = 50


@dataclass(frozen=True)
class CitizenHit:
    citizen_id: str
    display: str  # alias, else initials
    masked_cpr: str
    birth_date: date | None
    anonymous: bool
    name: str = ""  # first and last name: eight "niel"s are told apart by it
    alias: str = ""

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "citizen_id": self.citizen_id,
            "display": self.display,
            "name": self.name,
            "alias": self.alias,
            "masked_cpr": self.masked_cpr,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
        }


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

    The citizens shown are looks at their records: ONE audit event for the search, its hits'
    ids in the detail (and the citizen's id on the event when one was found), in the same
    transaction. The screen searches when the typing settles, not at every key.
    """
    from skranke.store.reception import search_citizens as stored_search

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
                name=f"{row.first_name} {row.last_name}".strip(),
                alias=row.alias,
            )
            for row in rows
        ]
        if hits:
            ids = [h.citizen_id for h in hits]
            record(
                session,
                signed_in,
                skranke.clock.now(),
                "search",
                citizen_id=ids[0] if len(ids) == 1 else None,
                entity="search",
                detail={"citizen_ids": ids, "query_length": len(query)},
            )
    return hits


# --- check-in -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckInResult:
    citizen_id: str
    display: str
    place: str
    place_name: str
    checked_in_at: datetime
    staff_id: str
    name: str = ""  # what a toast says: the name, not the id

    def words(self, tz: tzinfo | None) -> str:
        return _("{name} checked in at {place} at {time}.").format(
            name=self.name or self.citizen_id, place=self.place_name, time=clock_time(self.checked_in_at.astimezone(tz))
        )

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "citizen_id": self.citizen_id,
            "display": self.display,
            "department": self.place,
            "checked_in_at": self.checked_in_at.isoformat(),
            "staff": self.staff_id,
        }


def default_place(skranke: Skranke, session: Session, citizen_id: str, day: date) -> str | None:
    """Where the citizen is most likely going today: a dose due, else an appointment, else their case."""
    from skranke.domain.dispensing import pickup_days
    from skranke.store.reception import appointments_between, open_cases_of
    from skranke.store.window import orders_valid_on

    orders = orders_valid_on(session, day, citizen_id)
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

    from skranke.store.imports import record_event
    from skranke.store.models import CheckIn
    from skranke.store.queries import citizen
    from skranke.store.reception import check_in_of

    signed_in = require(actor, "check_in")
    if place is not None:
        known_place(skranke, place)
    now = skranke.clock.now()
    day = now.date()
    chosen = place
    name = citizen_id
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
            known_place(skranke, chosen)
            name = full_name(person.first_name, person.last_name, person.alias, person.id)
            earlier = check_in_of(session, person.id, chosen, day)
            if earlier is not None:
                raise _already_checked_in(skranke, earlier, name)
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
        raise _already_checked_in(skranke, earlier, name) from None
    return CheckInResult(person.id, display, chosen, place_name(skranke.site, chosen), now, signed_in.staff_id, name)


def known_place(skranke: Skranke, place: str) -> None:
    """A department or service of the site, else UsageError (exit 2) naming those there are."""
    known = [d.id for d in skranke.site.all_departments()]
    if place not in known:
        raise UsageError(
            _("Unknown department '{department}': use one of {known}.").format(department=place, known=", ".join(known))
        )


def _already_checked_in(skranke: Skranke, earlier: Any, name: str) -> DeskRefusal:
    moment = earlier.checked_in_at.astimezone(skranke.clock.now().tzinfo)
    return DeskRefusal(
        _("{name} is already checked in at {place} today at {time} by {staff}.").format(
            name=name,
            place=place_name(skranke.site, earlier.department),
            time=clock_time(moment),
            staff=earlier.staff_id or "–",
        )
    )


# --- undoing a check-in ---------------------------------------------------------------------


@dataclass(frozen=True)
class CheckInUndone:
    citizen_id: str
    name: str
    place: str
    place_name: str
    checked_in_at: datetime
    undone_at: datetime
    staff_id: str
    reason: str

    def words(self, tz: tzinfo | None) -> str:
        return _("The check-in of {name} at {place} at {time} is undone ({reason}).").format(
            name=self.name,
            place=self.place_name,
            time=clock_time(self.checked_in_at.astimezone(tz)),
            reason=self.reason,
        )

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "citizen_id": self.citizen_id,
            "department": self.place,
            "checked_in_at": self.checked_in_at.isoformat(),
            "undone_at": self.undone_at.isoformat(),
            "staff": self.staff_id,
            "reason": self.reason,
        }


def undo_rule() -> str:
    return _("A check-in can be undone the same day, only before a dose is given on it.")


def undo_check_in(
    skranke: Skranke, actor: Actor | None, citizen_id: str, reason: str, department: str | None = None
) -> CheckInUndone:
    """Undo today's check-in of a citizen (at `department`, else their one check-in today): the
    same day, only before a dose is given on it. Recorded on the check-in (who, when, why), never
    deleted; the audit event `check_in_undo` and an outbox event in the same transaction. The
    citizen may check in again afterwards."""
    from skranke.store.imports import record_event
    from skranke.store.queries import citizen
    from skranke.store.reception import check_ins_of_citizen, doses_since
    from skranke.store.reception import undo_check_in as stored_undo

    signed_in = require(actor, "check_in")
    why = reason.strip()
    if not why:
        raise UsageError(_("Give the reason for undoing the check-in."))
    if department is not None:
        known_place(skranke, department)
    now = skranke.clock.now()
    day = now.date()
    with skranke.database.transaction() as session:
        person = citizen(session, citizen_id)
        if person is None:
            raise DeskRefusal(_("No citizen {id} in the store.").format(id=citizen_id))
        name = full_name(person.first_name, person.last_name, person.alias, person.id)
        today = [c for c in check_ins_of_citizen(session, person.id, day) if department in (None, c.department)]
        counting = [c for c in today if c.undone_at is None]
        if not counting:
            raise _nothing_to_undo(skranke, name, today)
        if len(counting) > 1:
            places = ", ".join(place_name(skranke.site, c.department) for c in counting)
            raise DeskRefusal(
                _("{name} is checked in at {places} today: say which check-in to undo.").format(
                    name=name, places=places
                )
            )
        [check_in] = counting
        given = [
            d for d in doses_since(session, person.id, day, check_in.checked_in_at) if _served_at(skranke, d, check_in)
        ]
        if given:
            moment = given[0].recorded_at.astimezone(now.tzinfo)
            raise DeskRefusal(
                _("The check-in of {name} cannot be undone: a dose was recorded on it at {time}.").format(
                    name=name, time=clock_time(moment)
                )
                + " "
                + undo_rule()
            )
        if not stored_undo(session, check_in, now, signed_in.staff_id, why):
            raise DeskRefusal(_("The check-in of {name} was undone at another workstation.").format(name=name))
        record(
            session,
            signed_in,
            now,
            "check_in_undo",
            citizen_id=person.id,
            entity="department",
            entity_id=check_in.department,
            detail={"reason": why, "checked_in_at": check_in.checked_in_at.isoformat()},
        )
        record_event(
            session,
            "check_in_undo",
            now,
            {
                "citizen_id": person.id,
                "department": check_in.department,
                "checked_in_at": check_in.checked_in_at.isoformat(),
                "staff": signed_in.staff_id,
                "reason": why,
            },
        )
        return CheckInUndone(
            person.id,
            name,
            check_in.department,
            place_name(skranke.site, check_in.department),
            check_in.checked_in_at.astimezone(now.tzinfo),
            now,
            signed_in.staff_id,
            why,
        )


def _served_at(skranke: Skranke, dose: Any, check_in: Any) -> bool:
    """A dose is on a check-in when given (or refused) at the place the check-in was for."""
    places = {medicine_place(skranke.site, dose.preparation), medicine_place(skranke.site, dose.preparation, True)}
    return check_in.department in places and dose.outcome in ("given", "refused")


def _nothing_to_undo(skranke: Skranke, name: str, today: list[Any]) -> DeskRefusal:
    undone = [c for c in today if c.undone_at is not None]
    if undone:
        last = undone[-1]
        tz = skranke.clock.now().tzinfo
        return DeskRefusal(
            _("{name} is not checked in today: the check-in at {time} was undone at {undone} by {staff}.").format(
                name=name,
                time=clock_time(last.checked_in_at.astimezone(tz)),
                undone=clock_time(last.undone_at.astimezone(tz)),
                staff=last.undone_by or "–",
            )
        )
    return DeskRefusal(
        _("{name} is not checked in today: there is nothing to undo.").format(name=name) + " " + undo_rule()
    )


# --- who is waiting at the window -----------------------------------------------------------


@dataclass(frozen=True)
class WaitingCitizen:
    """Someone checked in at the window and not yet served: no dose data, only who and since when."""

    citizen_id: str
    name: str
    display: str
    place: str
    place_name: str
    checked_in_at: datetime
    minutes: int


def waiting_at_window(skranke: Skranke, actor: Actor | None) -> list[WaitingCitizen]:
    """Today's check-ins at the window (the site's dispensing services) with no dose recorded
    since, longest waiting first. Reception's permission; each citizen shown is logged once a
    day per staff member and workstation (`list_waiting`), not at every look."""
    from skranke.store.audit_log import looked_at_since
    from skranke.store.reception import waiting_check_ins

    signed_in = require(actor, "check_in")
    now = skranke.clock.now()
    places = window_places(skranke.site)
    start_of_day = datetime.combine(now.date(), time(0), now.tzinfo)
    with skranke.database.transaction() as session:
        rows = waiting_check_ins(session, now.date(), places)
        seen = looked_at_since(session, "list_waiting", signed_in.staff_id, signed_in.workstation, start_of_day)
        new = {row.citizen_id for row in rows} - seen
        if new:
            record_looks(session, signed_in, now, "list_waiting", new)
    return [
        WaitingCitizen(
            citizen_id=row.citizen_id,
            name=full_name(row.first_name, row.last_name, row.alias, row.citizen_id),
            display=display_name(row.first_name, row.last_name, row.alias, row.citizen_id),
            place=row.department,
            place_name=place_name(skranke.site, row.department),
            checked_in_at=row.checked_in_at.astimezone(now.tzinfo),
            minutes=max(0, int((now - row.checked_in_at).total_seconds() // 60)),
        )
        for row in rows
    ]


# --- what a check-in dialog names -----------------------------------------------------------


def planned_place(skranke: Skranke, actor: Actor | None, citizen_id: str) -> str | None:
    """Where `check_in` would check the citizen in today, for the dialog to name before anything
    is recorded (None: the desk chooses). Reading it records nothing."""
    require(actor, "check_in")
    with skranke.database.reading() as session:
        return default_place(skranke, session, citizen_id, skranke.clock.now().date())


@dataclass(frozen=True)
class TodaysCheckIn:
    place: str
    place_name: str
    checked_in_at: datetime


def check_ins_today(skranke: Skranke, actor: Actor | None, citizen_id: str) -> list[TodaysCheckIn]:
    """The citizen's check-ins today that count (not undone): what an undo dialog offers."""
    from skranke.store.reception import check_ins_of_citizen

    require(actor, "check_in")
    now = skranke.clock.now()
    with skranke.database.reading() as session:
        rows = check_ins_of_citizen(session, citizen_id, now.date())
    return [
        TodaysCheckIn(c.department, place_name(skranke.site, c.department), c.checked_in_at.astimezone(now.tzinfo))
        for c in rows
        if c.undone_at is None
    ]
