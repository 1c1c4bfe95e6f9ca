"""The parts the demo plays at a site: departments by role, preparations, pickup rules, slots.

The demo's cases are written for Odense's departments (DESIGN §1 routing); `demo_departments`
finds the department that plays each role at another site, `demo_preparations` the site's
preparation for each of the demo's.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from skranke.domain.hours import SiteHours
from skranke.domain.site import Site

# The departments the demo's cases go to, named by their Odense ids.
YOUTH = "unge-og-rusmidler"
STABILISATION = "stabilisering"
DRUG_FREE = "stoffrihed"
HEROIN_CLINIC = "heroinklinikken"
ANONYMOUS_ROLE = "anonymous"  # § 101a; in Odense at Unge & Rusmidler
CASE_DEPARTMENTS: tuple[str, ...] = (YOUTH, STABILISATION, DRUG_FREE, HEROIN_CLINIC)
ROLES: tuple[str, ...] = (*CASE_DEPARTMENTS, ANONYMOUS_ROLE)
_ROLE_PREFERENCES: dict[str, tuple[str, ...]] = {
    YOUTH: (YOUTH, "unge-under-25"),
    STABILISATION: (STABILISATION, "saerligt-udsatte", "voksne-over-25"),
    DRUG_FREE: (DRUG_FREE, "voksne-over-25"),
    HEROIN_CLINIC: (HEROIN_CLINIC, "saerligt-udsatte", STABILISATION),
    ANONYMOUS_ROLE: ("anonym", YOUTH, "unge-under-25"),
}

METHADONE = "metadon"
BUPRENORPHINE = "buprenorfin"
DIACETYLMORPHINE = "diacetylmorfin"
MORPHINE = "morfin"
PREPARATIONS: tuple[str, ...] = (METHADONE, BUPRENORPHINE, DIACETYLMORPHINE, MORPHINE)

# Pickup schedules as RFC 5545 RRULEs (DESIGN §1 "Medication dispensing").
DAILY = "FREQ=DAILY"
TAKE_HOME_MON_THU = "FREQ=WEEKLY;BYDAY=MO,TH"
HOME_DELIVERY_WED = "FREQ=WEEKLY;BYDAY=WE"
CARE_HOME_EVERY_OTHER_THU = "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"

SEL101, SUL142 = "SEL101", "SUL142"
FOLLOW_UP_FREE_STATUSES = ("udeblevet", "eget ønske")

APPOINTMENT_MINUTES = 30
SLOT_MINUTES = 15


def appointment_slots(hours: SiteHours, department: str, day: date) -> list[datetime]:
    """Start times on a quarter hour where a 30-minute appointment fits inside opening hours."""
    slots = []
    length = timedelta(minutes=APPOINTMENT_MINUTES)
    for interval in hours[department].intervals_on(day):
        moment = interval.start + timedelta(minutes=-interval.start.minute % SLOT_MINUTES)
        while moment + length <= interval.end:
            slots.append(moment)
            moment += timedelta(minutes=SLOT_MINUTES)
    return slots


def demo_departments(site: Site) -> dict[str, str]:
    """The site's department id for each demo role.

    In Odense every role is the department of that id. Elsewhere a department with a
    matching id plays the role, else the site's first department (services such as the
    medicine room never hold cases).
    """
    real = [d.id for d in site.all_departments() if d.kind == "department"]
    if not real:
        raise ValueError(f"site {site.id!r} has no departments to put demo cases in")
    return {role: next((d for d in preferred if d in real), real[0]) for role, preferred in _ROLE_PREFERENCES.items()}


def demo_preparations(site: Site) -> dict[str, str]:
    """The site's preparation id for each demo preparation (itself, else the site's first)."""
    ids = [p.id for p in site.preparations]
    if not ids:
        raise ValueError(f"site {site.id!r} lists no preparations: the demo prescribes some")
    return {p: p if p in ids else ids[0] for p in PREPARATIONS}
