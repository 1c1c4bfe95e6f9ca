"""The bulk export: any number of synthetic rows, streamed, for benchmarks and load tests.

`iter_bulk_rows` makes rows one at a time and keeps none, so 500,000 rows take no memory;
what a citizen is (birth date, role, anonymity) follows from its index alone, so cases,
orders and appointments agree with the citizens without remembering them.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path

from dateutil.relativedelta import relativedelta

from skranke.demo.files import KINDS, file_row, format_bool, format_date, format_datetime, write_csv
from skranke.demo.names import (
    ALIASES,
    COUNSELLORS,
    DOCTORS,
    FIRST_NAMES_FEMALE,
    FIRST_NAMES_MALE,
    LAST_NAMES,
    phone_number,
    synthetic_cpr,
)
from skranke.demo.records import discharge_outcome
from skranke.demo.roles import (
    ANONYMOUS_ROLE,
    BUPRENORPHINE,
    CASE_DEPARTMENTS,
    DAILY,
    DIACETYLMORPHINE,
    DRUG_FREE,
    FOLLOW_UP_FREE_STATUSES,
    HEROIN_CLINIC,
    HOME_DELIVERY_WED,
    METHADONE,
    MORPHINE,
    PREPARATIONS,
    ROLES,
    SEL101,
    SLOT_MINUTES,
    STABILISATION,
    SUL142,
    TAKE_HOME_MON_THU,
    YOUTH,
    appointment_slots,
    demo_departments,
    demo_preparations,
)
from skranke.domain.hours import TIMEZONE, SiteHours
from skranke.domain.site import Site
from skranke.domain.vocabulary import ANONYMOUS_PARAGRAPH

BULK_SHARES: dict[str, float] = {"borgere": 0.4, "sager": 0.3, "ordinationer": 0.2, "aftaler": 0.1}
_BULK_BIRTH_DAYS = 52 * 365  # ages 18-70
_BULK_STRIDE = 7919  # a prime: i * stride mod days visits every birth date once per round
_BULK_HORIZON_DAYS = 60


def bulk_counts(rows_total: int) -> dict[str, int]:
    """Rows per kind for a total (40/30/20/10 %), summing exactly to the total."""
    if rows_total < len(KINDS):
        raise ValueError(f"the bulk export needs at least {len(KINDS)} rows, not {rows_total}")
    counts = {kind: max(1, int(rows_total * share)) for kind, share in BULK_SHARES.items()}
    counts["borgere"] += rows_total - sum(counts.values())
    return counts


class _BulkPeople:
    """What a bulk citizen is, fixed by its index alone, so cases and orders can agree on it.

    Birth dates run over 52 years (ages 18-70) with a prime stride, so that each round of
    `_BULK_BIRTH_DAYS` citizens takes every birth date once and the next round the next
    synthetic serial: CPR numbers stay unique up to ~45 rounds (about 850,000 citizens).
    """

    def __init__(self, today: date, site: Site | None) -> None:
        self.youngest = today - relativedelta(years=18)
        self.thirty_days = (self.youngest - (today - relativedelta(years=30))).days
        self.departments = demo_departments(site) if site is not None else _ODENSE_ROLES
        self.preparations = demo_preparations(site) if site is not None else {p: p for p in PREPARATIONS}
        # Odense shares some courses with Vista Balboa (000 § 2.1): the first partner a site names.
        partners = site.partners() if site is not None else ("Vista Balboa",)
        self.partner = partners[0] if partners else ""

    @staticmethod
    def anonymous(index: int) -> bool:
        return index % 31 == 7

    def birth(self, index: int) -> tuple[date, int]:
        """Birth date and the serial number (round) of the synthetic CPR."""
        day = (index * _BULK_STRIDE) % _BULK_BIRTH_DAYS
        return self.youngest - timedelta(days=day), index // _BULK_BIRTH_DAYS

    def role(self, index: int, rng: random.Random) -> str:
        """Routing as in DESIGN §1: anonymous and under 30 → youth; over 30 → the adult units."""
        if self.anonymous(index):
            return ANONYMOUS_ROLE
        if (index * _BULK_STRIDE) % _BULK_BIRTH_DAYS < self.thirty_days:
            return YOUTH
        return rng.choices((STABILISATION, DRUG_FREE, HEROIN_CLINIC), weights=(0.55, 0.38, 0.07))[0]


_ODENSE_ROLES: dict[str, str] = {**{d: d for d in CASE_DEPARTMENTS}, ANONYMOUS_ROLE: YOUTH}


class _BulkSlots:
    """Appointment times for the coming days, per role, computed once.

    Inside the site's opening hours; where a department never opens in the horizon (a site
    whose hours are `unknown`) or no site is given, weekday mornings 09:00-11:00, which lie
    inside every Odense department's hours on working days.
    """

    def __init__(self, today: date, site: Site | None, people: _BulkPeople) -> None:
        days = [today + timedelta(days=n) for n in range(_BULK_HORIZON_DAYS)]
        mornings = [
            datetime.combine(day, time(9, 0), TIMEZONE) + timedelta(minutes=minutes)
            for day in days
            if day.weekday() < 5
            for minutes in range(0, 120, SLOT_MINUTES)
        ]
        hours = SiteHours(site) if site is not None else None
        self.slots: dict[str, list[datetime]] = {}
        for role in ROLES:
            found = []
            if hours is not None:
                department = people.departments[role]
                found = [slot for day in days for slot in appointment_slots(hours, department, day)]
            self.slots[role] = found or mornings


def iter_bulk_rows(
    kind: str,
    n: int,
    today: date,
    seed: int = 2026,
    *,
    citizens: int | None = None,
    site: Site | None = None,
) -> Iterator[list[str]]:
    """`n` synthetic rows of one kind (header order), made one at a time: nothing is kept.

    Rows of sager/ordinationer/aftaler refer to borger_ids B0000000..B{citizens-1}
    (`citizens` defaults to `n`): the ids `iter_bulk_rows("borgere", citizens, ...)` yields.
    With `site`, departments and preparations are the site's (see `demo_departments`) and
    appointments lie inside its opening hours; without it, Odense's ids and weekday mornings.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; one of {list(KINDS)}")
    population = n if citizens is None else citizens
    if kind != "borgere" and population < 1:
        raise ValueError("rows that refer to citizens need at least one citizen")
    rng = random.Random(seed * 10 + KINDS.index(kind))
    people = _BulkPeople(today, site)
    if kind == "borgere":
        yield from _bulk_citizens(n, rng, people)
    elif kind == "sager":
        yield from _bulk_cases(n, today, rng, population, people)
    elif kind == "ordinationer":
        yield from _bulk_prescriptions(n, today, rng, population, people)
    else:
        yield from _bulk_appointments(n, rng, population, people, _BulkSlots(today, site, people))


def _bulk_citizens(n: int, rng: random.Random, people: _BulkPeople) -> Iterator[list[str]]:
    for index in range(n):
        anonymous = people.anonymous(index)
        alias = f"{rng.choice(ALIASES)} {index % 1000}" if anonymous or rng.random() < 0.2 else ""
        if anonymous:
            yield file_row("borgere", {"id": f"B{index:07d}", "alias": alias})
            continue
        birth, serial = people.birth(index)
        female = index % 3 == 1
        yield file_row(
            "borgere",
            {
                "id": f"B{index:07d}",
                "cpr": synthetic_cpr(birth, serial, female=female),
                "first_name": rng.choice(FIRST_NAMES_FEMALE if female else FIRST_NAMES_MALE),
                "last_name": rng.choice(LAST_NAMES),
                "alias": alias,
                "phone": phone_number(rng),
            },
        )


_ALL_CLOSING_STATUSES = ("færdigbehandlet", "andet tilbud", "hospital", "anden årsag", *FOLLOW_UP_FREE_STATUSES)


def _bulk_cases(n: int, today: date, rng: random.Random, population: int, people: _BulkPeople) -> Iterator[list[str]]:
    for index in range(n):
        citizen = index % population
        role = people.role(citizen, rng)
        if role == ANONYMOUS_ROLE:
            paragraph = ANONYMOUS_PARAGRAPH
        else:
            paragraph = SUL142 if role in (STABILISATION, HEROIN_CLINIC) else SEL101
        contact = today - timedelta(days=rng.randint(0, 1100))
        start = closed = plan = None
        status = ""
        if rng.random() < 0.9 and contact < today:
            start = min(today, contact + timedelta(days=rng.randint(1, 20)))
            if rng.random() < 0.4:
                candidate = start + timedelta(days=rng.randint(30, 700))
                if candidate <= today:
                    closed, status = candidate, rng.choice(_ALL_CLOSING_STATUSES)
            if rng.random() < 0.5 and start < today - timedelta(days=30):
                plan = min(start + timedelta(days=rng.randint(30, (today - start).days)), closed or today)
        # Left empty: the follow-up consent (not recorded by the journal), the plan interval (the
        # site's) and the last medical review. The cells are drawn in this order: keep it.
        yield file_row(
            "sager",
            {
                "id": f"S{index:07d}",
                "citizen_id": f"B{citizen:07d}",
                "department": people.departments[role],
                "paragraph": paragraph,
                "contact_date": format_date(contact),
                "treatment_start": format_date(start),
                "free_choice": format_bool(role != ANONYMOUS_ROLE and rng.random() < 0.03),
                "closed_on": format_date(closed),
                "closing_status": status,
                "plan_reviewed_on": format_date(plan),
                "personal_attendance_on": format_date(contact),  # came in person
                "partner": people.partner if index % 40 == 3 and role != ANONYMOUS_ROLE else "",
                **_outcome_cells(index, status),
            },
        )


def _outcome_cells(index: int, status: str) -> dict[str, str]:
    outcome, goals = discharge_outcome(index, status or None)
    return {"outcome": outcome or "", "goals_reached": goals or ""}


def _heroin_citizen(citizen: int) -> bool:
    return citizen % 16 == 3


def _bulk_prescriptions(
    n: int, today: date, rng: random.Random, population: int, people: _BulkPeople
) -> Iterator[list[str]]:
    for index in range(n):
        citizen = index % population
        if people.anonymous(citizen) and population > 1:  # § 101a: no substitution treatment
            citizen = (citizen + 1) % population
        roll = rng.random()
        per_day = 1
        if roll < 0.55:
            preparation, dose = METHADONE, rng.randrange(40, 125, 5)
        elif roll < 0.9:
            preparation, dose = BUPRENORPHINE, rng.randrange(8, 26, 2)
        elif roll < 0.96:
            preparation, dose, per_day = DIACETYLMORPHINE, rng.randrange(150, 420, 20), 2
        else:
            preparation, dose = MORPHINE, rng.randrange(200, 640, 40)
        rule, supervised = rng.choices(
            ((DAILY, True), (TAKE_HOME_MON_THU, False), (HOME_DELIVERY_WED, False)), weights=(0.7, 0.2, 0.1)
        )[0]
        # Heroin only for a fixed set of citizens, and everything they get under supervision, every
        # day: "Overvåget indtag af heroin samt metadon eller morfin" (000 § 5.4), which the import
        # enforces. Decided by the citizen's number, so every order of theirs agrees.
        if _heroin_citizen(citizen):
            rule, supervised = DAILY, True
        elif preparation == DIACETYLMORPHINE:
            preparation, dose, per_day = METHADONE, rng.randrange(40, 125, 5), 1
        valid_from = today - timedelta(days=rng.randint(0, 700))
        valid_to = valid_from + timedelta(days=rng.randint(14, 400)) if rng.random() < 0.3 else None
        # The journal's last dose: yesterday, or not known for an order that starts today.
        last_dispensed = today - timedelta(days=1) if valid_from < today else None
        yield file_row(
            "ordinationer",
            {
                "id": f"O{index:07d}",
                "citizen_id": f"B{citizen:07d}",
                "preparation": people.preparations[preparation],
                "dose_mg": f"{dose},5" if preparation == METHADONE and rng.random() < 0.05 else str(dose),
                "doses_per_day": str(per_day),
                "pickup_rule": rule,
                "supervised": format_bool(supervised),
                "valid_from": format_date(valid_from),
                "valid_to": format_date(valid_to),
                "prescribed_by": rng.choice(DOCTORS),
                "delivery": format_bool(rule == HOME_DELIVERY_WED),
                "last_dispensed_on": format_date(last_dispensed),
            },
        )


def _bulk_appointments(
    n: int, rng: random.Random, population: int, people: _BulkPeople, slots: _BulkSlots
) -> Iterator[list[str]]:
    kinds = ("visitation", "læge", "samtale")
    for index in range(n):
        citizen = index % population
        role = people.role(citizen, rng)
        kind = rng.choices(kinds, weights=(0.2, 0.3, 0.5))[0]
        clinician = rng.choice(DOCTORS if kind == "læge" else COUNSELLORS[role])
        yield file_row(
            "aftaler",
            {
                "id": f"A{index:07d}",
                "citizen_id": f"B{citizen:07d}",
                "department": people.departments[role],
                "starts_at": format_datetime(rng.choice(slots.slots[role])),
                "kind": kind,
                "clinician": clinician,
            },
        )


def write_bulk_exports(
    directory: Path, today: date, site: Site, rows_total: int = 500_000, seed: int = 2026
) -> list[Path]:
    """Write `*_bulk.csv` files with `rows_total` data rows in all (40/30/20/10 %), streamed."""
    counts = bulk_counts(rows_total)
    paths = []
    for kind in KINDS:
        path = Path(directory) / f"{kind}_bulk.csv"
        write_csv(
            path,
            kind,
            iter_bulk_rows(kind, counts[kind], today, seed, citizens=counts["borgere"], site=site),
        )
        paths.append(path)
    return paths
