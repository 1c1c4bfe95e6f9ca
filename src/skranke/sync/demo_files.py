"""Synthetic export files: the demo's morning export and the benchmark's bulk export.

The files follow the inbox contract of DESIGN §3 ("Export files") the way a Danish journal
system and Excel write them: `;` separated, UTF-8 with BOM, CRLF line ends, dates
`DD-MM-YYYY`, times `DD-MM-YYYY HH:MM` (Copenhagen time), decimals with a comma, booleans
`ja`/`nej`. `skranke demo` imports them through the real importer, so the demo exercises the
same path as a clinic's files.

Everything is synthetic and deterministic for a given seed and `today` (`random.Random(seed)`;
no clock is read here: `today` is passed in).

- Names are drawn from lists of common Danish first and last names; phone numbers are
  8 digits starting with 1 (in the Danish numbering plan 1 starts short codes such as 112,
  not 8-digit subscriber numbers).
- CPR numbers are valid for `stdnum.dk.cpr.validate` (a real birth date in the past, a
  serial whose first digit gives the right century) and marked as synthetic: the serial is
  always `99xx` (7th digit 9 = born 1937-2036), its last digit follows the usual sex rule, and
  the number never passes the old modulus-11 check, which every number issued before 2007
  was given. See `synthetic_cpr`.

The demo (`build_demo`, `write_demo_exports`) is a small clinic morning with every state the
screens must show: open requests at every stage of the 14-day guarantee, exempt requests
(§ 101a, free choice), late starts, discharges due for follow-up, plans due for review,
supervised/take-home/home-delivery orders, orders about to expire, and appointments, two of
them booked after a request's deadline. At the medicine room (`skranke.domain.dispensing`):
supervised daily methadone, buprenorphine picked up Monday and Thursday, twice-daily heroin at
the heroin clinic, home deliveries on Wednesdays, a hold after 5 days without medicine, a
warning after 2, orders ending within days, one without history, and the rest last given
their medicine on their last pickup day (the journal's `sidst_udleveret`). The bulk export (`iter_bulk_rows`,
`write_bulk_exports`) streams any number of rows for the benchmark.
"""

from __future__ import annotations

import csv
import os
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from dateutil.relativedelta import relativedelta

from skranke.domain.dispensing import Order, pickup_days
from skranke.domain.hours import TIMEZONE, SiteHours
from skranke.domain.site import Site
from skranke.domain.vocabulary import ANONYMOUS_PARAGRAPH

__all__ = [
    "HEADERS",
    "KINDS",
    "MIN_DEMO_CITIZENS",
    "DemoAppointment",
    "DemoCase",
    "DemoCitizen",
    "DemoExports",
    "DemoPrescription",
    "build_demo",
    "bulk_counts",
    "demo_departments",
    "demo_preparations",
    "iter_bulk_rows",
    "synthetic_cpr",
    "write_bulk_exports",
    "write_csv",
    "write_demo_exports",
]

# --- the contract ---------------------------------------------------------------------

KINDS: tuple[str, ...] = ("borgere", "sager", "ordinationer", "aftaler")  # dependency order

HEADERS: dict[str, tuple[str, ...]] = {
    "borgere": ("borger_id", "cpr", "fornavn", "efternavn", "alias", "telefon"),
    "sager": (
        "sag_id",
        "borger_id",
        "afdeling",
        "paragraf",
        "henvendelse",
        "behandlingsstart",
        "frit_valg",
        "afsluttet",
        "afslutningsstatus",
        "plan_revideret",
        "samtykke_opfoelgning",
        "plan_interval_mdr",
        "laege_gennemgang",
        "personligt_fremmoede",
        "samarbejde",
    ),
    "ordinationer": (
        "ordination_id",
        "borger_id",
        "praeparat",
        "dosis_mg",
        "doser_pr_dag",
        "udlevering",
        "overvaaget",
        "gyldig_fra",
        "gyldig_til",
        "ordineret_af",
        "udbringning",
        "sidst_udleveret",
    ),
    "aftaler": ("aftale_id", "borger_id", "afdeling", "tidspunkt", "type", "behandler"),
}

DELIMITER = ";"
ENCODING = "utf-8-sig"  # UTF-8 with BOM, as Excel writes "CSV UTF-8"
LINE_END = "\r\n"

# The departments the demo's cases go to, named by their Odense ids (DESIGN §1 routing);
# `demo_departments` finds the department that plays each role at another site.
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

# --- synthetic people -------------------------------------------------------------------

FIRST_NAMES_MALE: tuple[str, ...] = (
    "Allan",
    "Anders",
    "Bo",
    "Brian",
    "Christian",
    "Daniel",
    "Dennis",
    "Emil",
    "Frederik",
    "Henrik",
    "Jacob",
    "Jannik",
    "Jens",
    "Jesper",
    "Jonas",
    "Kasper",
    "Kenneth",
    "Kim",
    "Lars",
    "Lucas",
    "Mads",
    "Magnus",
    "Martin",
    "Mathias",
    "Michael",
    "Mikkel",
    "Morten",
    "Niels",
    "Nikolaj",
    "Oliver",
    "Peter",
    "Rasmus",
    "René",
    "Simon",
    "Søren",
    "Thomas",
    "Tobias",
    "Torben",
    "Ulrik",
    "William",
)
FIRST_NAMES_FEMALE: tuple[str, ...] = (
    "Anna",
    "Anne",
    "Asta",
    "Birgitte",
    "Camilla",
    "Cecilie",
    "Charlotte",
    "Clara",
    "Dorthe",
    "Emma",
    "Freja",
    "Hanne",
    "Helle",
    "Ida",
    "Josefine",
    "Julie",
    "Karina",
    "Katrine",
    "Laura",
    "Lene",
    "Line",
    "Louise",
    "Lærke",
    "Maja",
    "Malene",
    "Maria",
    "Marianne",
    "Mathilde",
    "Mette",
    "Nanna",
    "Natasja",
    "Pernille",
    "Rikke",
    "Sara",
    "Signe",
    "Sofie",
    "Susanne",
    "Tina",
    "Trine",
    "Vibeke",
)
LAST_NAMES: tuple[str, ...] = (
    "Andersen",
    "Andreasen",
    "Bach",
    "Bruun",
    "Christensen",
    "Christiansen",
    "Clausen",
    "Dahl",
    "Damgaard",
    "Eriksen",
    "Frederiksen",
    "Friis",
    "Hansen",
    "Henriksen",
    "Holm",
    "Iversen",
    "Jakobsen",
    "Jensen",
    "Jeppesen",
    "Johansen",
    "Juhl",
    "Jørgensen",
    "Kjær",
    "Knudsen",
    "Kristensen",
    "Kristiansen",
    "Larsen",
    "Lauridsen",
    "Laursen",
    "Lund",
    "Madsen",
    "Mikkelsen",
    "Mortensen",
    "Munk",
    "Møller",
    "Nielsen",
    "Nissen",
    "Olsen",
    "Pedersen",
    "Petersen",
    "Poulsen",
    "Rasmussen",
    "Schmidt",
    "Simonsen",
    "Skov",
    "Svendsen",
    "Sørensen",
    "Thomsen",
    "Vestergaard",
    "Østergaard",
)
ALIASES: tuple[str, ...] = (
    "Basse",
    "Bette",
    "Bjørnen",
    "Cykel-Jens",
    "Fiskeren",
    "Gulle",
    "Haren",
    "Kaptajnen",
    "Kokken",
    "Lillebror",
    "Lynet",
    "Maleren",
    "Molle",
    "Mågen",
    "Pjevs",
    "Professoren",
    "Pusle",
    "Ræven",
    "Skipper",
    "Smutter",
    "Store-Mads",
    "Sømanden",
    "Tut",
    "Ulven",
    "Egernet",
    "Grævlingen",
    "Kragen",
    "Musvågen",
    "Odderen",
    "Pindsvinet",
    "Spurven",
    "Stæren",
    "Svanen",
    "Uglen",
    "Viben",
    "Hjorten",
    "Lærken",
    "Mejsen",
    "Ternen",
    "Vildanden",
)
DOCTORS: tuple[str, ...] = ("Henning Thorup", "Lise Bækgaard", "Ahmad Rahimi", "Birthe Kjeldsen")
COUNSELLORS: dict[str, tuple[str, ...]] = {
    YOUTH: ("Jonna Fisker", "Mikael Bisgaard", "Yasmin Ali"),
    STABILISATION: ("Ole Dalsgaard", "Tanja Winther"),
    DRUG_FREE: ("Sanne Krog", "Per Husted"),
    HEROIN_CLINIC: ("Gitte Vang", "Bent Ravn"),
    ANONYMOUS_ROLE: ("Yasmin Ali", "Jonna Fisker"),
}

# --- synthetic CPR numbers --------------------------------------------------------------

_CPR_WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
CPR_SERIAL_PREFIX = "99"
CPR_FIRST_BIRTH = date(1937, 1, 1)  # 7th digit 9: 19yy for yy >= 37, 20yy below
CPR_LAST_BIRTH = date(2036, 12, 31)


def synthetic_cpr(birth: date, n: int, *, female: bool) -> str:
    """The `n`-th (0-based) synthetic CPR number for a birth date and sex.

    DDMMYY + `99` + two digits: the 7th digit 9 gives the right century for births
    1937-2036, the last digit is even for women and odd for men, and the number always
    fails the modulus-11 check. About 45 numbers exist per birth date and sex.
    """
    if not CPR_FIRST_BIRTH <= birth <= CPR_LAST_BIRTH:
        raise ValueError(f"synthetic CPR numbers cover births {CPR_FIRST_BIRTH}..{CPR_LAST_BIRTH}, not {birth}")
    head = f"{birth.day:02d}{birth.month:02d}{birth.year % 100:02d}{CPR_SERIAL_PREFIX}"
    base = sum(w * int(c) for w, c in zip(_CPR_WEIGHTS, head))
    seen = 0
    for tail in range(100):
        if (tail % 2 == 0) != female:
            continue
        if (base + 2 * (tail // 10) + tail % 10) % 11 == 0:
            continue  # passes modulus 11: could be a number issued before 2007
        if seen == n:
            return f"{head}{tail:02d}"
        seen += 1
    raise ValueError(f"no synthetic CPR number number {n} for {birth} ({'female' if female else 'male'})")


def _birth_date(today: date, age: int, days_after_birthday: int) -> date:
    """A birth date giving `age` full years on `today` (0 <= days_after_birthday <= 364)."""
    return today - relativedelta(years=age) - timedelta(days=days_after_birthday)


def _phone(rng: random.Random) -> str:
    """8 digits in pairs, starting with 1 (short-code range: no subscriber has it)."""
    digits = f"1{rng.randrange(10_000_000):07d}"
    return f"{digits[0:2]} {digits[2:4]} {digits[4:6]} {digits[6:8]}"


# --- formatting ---------------------------------------------------------------------------


def format_date(value: date | None) -> str:
    return "" if value is None else f"{value.day:02d}-{value.month:02d}-{value.year:04d}"


def format_datetime(value: datetime) -> str:
    return f"{value.day:02d}-{value.month:02d}-{value.year:04d} {value.hour:02d}:{value.minute:02d}"


def format_bool(value: bool) -> str:
    return "ja" if value else "nej"


def format_decimal(value: Decimal) -> str:
    """80 → "80", 72.5 → "72,5": a comma, and no decimals when there are none."""
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


# --- the rows -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoCitizen:
    id: str
    cpr: str  # "" for anonymous (§ 101a)
    first_name: str
    last_name: str
    alias: str
    phone: str

    def row(self) -> list[str]:
        return [self.id, self.cpr, self.first_name, self.last_name, self.alias, self.phone]


@dataclass(frozen=True)
class DemoCase:
    id: str
    citizen_id: str
    department: str
    paragraph: str
    contact: date
    start: date | None = None
    free_choice: bool = False
    closed: date | None = None
    closing_status: str | None = None
    plan_reviewed: date | None = None
    follow_up_consent: bool | None = None  # None: the journal did not record it
    plan_interval: int | None = None  # plan_interval_mdr: agreed in the plan
    medical_reviewed: date | None = None  # laege_gennemgang
    attended: date | None = None  # personligt_fremmoede
    partner: str | None = None  # samarbejde

    def row(self) -> list[str]:
        return [
            self.id,
            self.citizen_id,
            self.department,
            self.paragraph,
            format_date(self.contact),
            format_date(self.start),
            format_bool(self.free_choice),
            format_date(self.closed),
            self.closing_status or "",
            format_date(self.plan_reviewed),
            "" if self.follow_up_consent is None else format_bool(self.follow_up_consent),
            "" if self.plan_interval is None else str(self.plan_interval),
            format_date(self.medical_reviewed),
            format_date(self.attended),
            self.partner or "",
        ]


@dataclass(frozen=True)
class DemoPrescription:
    id: str
    citizen_id: str
    preparation: str
    dose_mg: Decimal
    doses_per_day: int
    pickup_rule: str
    supervised: bool
    valid_from: date
    valid_to: date | None
    prescribed_by: str
    delivery: bool = False
    last_dispensed_on: date | None = None  # the journal's last dose given of this preparation

    def row(self) -> list[str]:
        return [
            self.id,
            self.citizen_id,
            self.preparation,
            format_decimal(self.dose_mg),
            str(self.doses_per_day),
            self.pickup_rule,
            format_bool(self.supervised),
            format_date(self.valid_from),
            format_date(self.valid_to),
            self.prescribed_by,
            format_bool(self.delivery),
            format_date(self.last_dispensed_on),
        ]


@dataclass(frozen=True)
class DemoAppointment:
    id: str
    citizen_id: str
    department: str
    starts_at: datetime  # aware, Europe/Copenhagen
    kind: str  # visitation, læge, samtale
    clinician: str

    def row(self) -> list[str]:
        return [
            self.id,
            self.citizen_id,
            self.department,
            format_datetime(self.starts_at),
            self.kind,
            self.clinician,
        ]


@dataclass
class DemoExports:
    citizens: list[DemoCitizen] = field(default_factory=list)
    cases: list[DemoCase] = field(default_factory=list)
    prescriptions: list[DemoPrescription] = field(default_factory=list)
    appointments: list[DemoAppointment] = field(default_factory=list)

    def rows(self, kind: str) -> list[list[str]]:
        by_kind: dict[str, Sequence[DemoCitizen | DemoCase | DemoPrescription | DemoAppointment]] = {
            "borgere": self.citizens,
            "sager": self.cases,
            "ordinationer": self.prescriptions,
            "aftaler": self.appointments,
        }
        records = by_kind[kind]
        return [record.row() for record in records]


# --- writing ------------------------------------------------------------------------------


def write_csv(path: Path, kind: str, rows: Iterable[Sequence[str]]) -> int:
    """Write one export file atomically (temporary name, then rename); return the row count.

    The temporary name starts with a dot and does not end in .csv, so a sync watching the
    folder never picks up a half-written file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    count = 0
    try:
        with partial.open("w", encoding=ENCODING, newline="") as handle:
            writer = csv.writer(handle, delimiter=DELIMITER, lineterminator=LINE_END)
            writer.writerow(HEADERS[kind])
            for row in rows:
                writer.writerow(row)
                count += 1
        os.replace(partial, path)
    finally:
        if partial.exists():
            partial.unlink()
    return count


def write_demo_exports(directory: Path, today: date, site: Site, seed: int = 2026, citizens: int = 80) -> list[Path]:
    """Write borgere/sager/ordinationer/aftaler `_demo.csv` into `directory`, in import order."""
    demo = build_demo(today, site, seed=seed, citizens=citizens)
    paths = []
    for kind in KINDS:
        path = Path(directory) / f"{kind}_demo.csv"
        write_csv(path, kind, demo.rows(kind))
        paths.append(path)
    return paths


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


# --- the demo -------------------------------------------------------------------------------

# Open requests: (days left of the guarantee, department, age, appointment plan).
# Plan "within": a visitation before the deadline; "late": booked after the deadline (the
# error the Frister screen must show); "": nothing booked yet.
_OPEN_REQUESTS: tuple[tuple[int, str, int, str], ...] = (
    (14, YOUTH, 15, "within"),
    (13, DRUG_FREE, 38, "within"),
    (11, STABILISATION, 41, "within"),
    (9, YOUTH, 22, ""),
    (7, STABILISATION, 33, "within"),
    (5, DRUG_FREE, 45, "within"),
    (4, YOUTH, 26, "within"),
    (3, STABILISATION, 52, "within+late-doctor"),
    (2, YOUTH, 19, "late"),
    (1, DRUG_FREE, 36, ""),
    (0, STABILISATION, 47, "within"),
    (0, YOUTH, 17, "within"),
    (-1, DRUG_FREE, 42, "readmission"),
    (-3, STABILISATION, 29, ""),
)

# Stages of a plan review relative to the site's review interval (most plans are in order).
_REVIEW_STAGES = (
    "recent",
    "due-soon",
    "recent",
    "overdue",
    "recent",
    "due-today",
    "recent",
    "never",
    "recent",
    "due-soon",
)
# Pickup schedules and validity stages for substitution orders at Stabilisering.
_PICKUPS = ("daily", "daily", "take-home", "daily", "home-delivery", "daily", "take-home", "care-home")
_VALIDITY = ("open", "expires-2", "open", "expired", "history", "expires-5", "open", "starts-later")
# What the journal's export says of the last dose given (`sidst_udleveret`), by Stabilisering
# index; everyone else picked up on their last pickup day before today (daily: yesterday).
# "hold": 6 days ago, so 5 days without medicine, over methadone's threshold of 4: held for a
# doctor. "missed": 3 days ago, 2 days missed: a warning below the threshold. "none": the
# journal knows of no dose: the count is unknown.
_JOURNAL: dict[int, str] = {5: "hold", 8: "none", 9: "missed"}
_JOURNAL_DAYS_AGO = {"hold": 6, "missed": 3}

MIN_DEMO_CITIZENS = 64


class _DemoBuilder:
    def __init__(self, today: date, site: Site, seed: int) -> None:
        self.departments = demo_departments(site)
        self.preparations = demo_preparations(site)
        self.rng = random.Random(seed)
        self.today = today
        self.site = site
        self.rules = site.rules
        self.hours = SiteHours(site)
        self.demo = DemoExports()
        self._cpr_counts: dict[tuple[date, bool], int] = {}
        self._names: set[tuple[str, str]] = set()
        self._aliases = list(ALIASES)
        self.rng.shuffle(self._aliases)
        self._in_treatment: dict[str, int] = {}  # citizens in ongoing treatment per department
        # (citizen, preparation) -> what the journal knows of the last dose (see _JOURNAL).
        self._journal: dict[tuple[str, str], str] = {}

    def _next(self, department: str) -> int:
        index = self._in_treatment.get(department, 0)
        self._in_treatment[department] = index + 1
        return index

    # -- records --

    def citizen(self, age: int, *, anonymous: bool = False, alias: bool | None = None) -> DemoCitizen:
        rng = self.rng
        number = len(self.demo.citizens) + 1
        female = rng.random() < 0.35  # most citizens in drug treatment are men
        if anonymous:
            record = DemoCitizen(f"B{number:04d}", "", "", "", self._alias(), "")
        else:
            birth = _birth_date(self.today, age, rng.randrange(365))
            key = (birth, female)
            cpr = synthetic_cpr(birth, self._cpr_counts.get(key, 0), female=female)
            self._cpr_counts[key] = self._cpr_counts.get(key, 0) + 1
            names = FIRST_NAMES_FEMALE if female else FIRST_NAMES_MALE
            for _attempt in range(50):  # different names while the lists allow it
                name = (rng.choice(names), rng.choice(LAST_NAMES))
                if name not in self._names:
                    break
            self._names.add(name)
            with_alias = rng.random() < 0.4 if alias is None else alias
            record = DemoCitizen(
                f"B{number:04d}", cpr, name[0], name[1], self._alias() if with_alias else "", _phone(rng)
            )
        self.demo.citizens.append(record)
        return record

    def _alias(self) -> str:
        if self._aliases:
            return self._aliases.pop()
        return f"{self.rng.choice(ALIASES)} {len(self.demo.citizens) + 1}"

    def case(self, citizen: DemoCitizen, role: str, paragraph: str, contact: date, **fields) -> DemoCase:
        record = DemoCase(
            f"S{len(self.demo.cases) + 1:04d}", citizen.id, self.departments[role], paragraph, contact, **fields
        )
        self.demo.cases.append(record)
        return record

    def prescription(
        self,
        citizen: DemoCitizen,
        preparation: str,
        dose: Decimal | int | str,
        valid_from: date,
        valid_to: date | None = None,
        *,
        rule: str = DAILY,
        supervised: bool = True,
        per_day: int = 1,
        delivery: bool = False,
    ) -> DemoPrescription:
        record = DemoPrescription(
            f"O{len(self.demo.prescriptions) + 1:04d}",
            citizen.id,
            self.preparations[preparation],
            Decimal(str(dose)),
            per_day,
            rule,
            supervised,
            valid_from,
            valid_to,
            self.rng.choice(DOCTORS),
            delivery,
        )
        self.demo.prescriptions.append(record)
        return record

    def appointment(
        self, citizen: DemoCitizen, role: str, kind: str, first: date, last: date
    ) -> DemoAppointment | None:
        """An appointment on an open day in first..last, inside the department's hours."""
        department = self.departments[role]
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        self.rng.shuffle(days)
        for day in days:
            slots = appointment_slots(self.hours, department, day)
            if slots:
                starts_at = self.rng.choice(slots)
                clinician = self.rng.choice(DOCTORS if kind == "læge" else COUNSELLORS[role])
                record = DemoAppointment(
                    f"A{len(self.demo.appointments) + 1:04d}", citizen.id, department, starts_at, kind, clinician
                )
                self.demo.appointments.append(record)
                return record
        return None

    # -- dates --

    def days_ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def months_ago(self, months: int, plus_days: int = 0) -> date:
        return self.today - relativedelta(months=months) + timedelta(days=plus_days)

    def plan_review(self, stage: str, start: date) -> date | None:
        months = self.rules.plan_review_months
        rng = self.rng
        value = {
            "recent": self.days_ago(rng.randint(20, 110)),
            "due-soon": self.months_ago(months, rng.randint(3, 14)),
            "due-today": self.months_ago(months),
            "overdue": self.months_ago(months, -rng.randint(7, 45)),
            "never": None,
        }[stage]
        if value is not None and value < start:
            return None  # not revised since the start
        return value

    def started(self, contact: date, *, late: bool = False) -> date:
        guarantee = self.rules.guarantee_days
        delay = self.rng.randint(guarantee + 2, guarantee + 8) if late else self.rng.randint(2, guarantee - 1)
        return min(contact + timedelta(days=delay), self.today)

    # -- scenarios --

    def second_reading(self) -> None:
        """The sager columns of the seeds' second reading, set on the cases made (no random draws,
        so the rest of the demo stays as it was): where the clock starts at the first personal
        attendance (004), most open requests came in person on the day and every fifth only
        phoned (awaiting attendance); every fourth running treatment agreed a 3-month plan
        interval (004, 000 § 4.1); every fifth shares its course with the site's partner (Odense:
        Vista Balboa, 000 § 2.1); treatments under a medical review rule (003 § 3.4, 000 § 2.1, 001) had
        their last review recently, nearly a period ago, over a period ago, or never."""
        from skranke.domain.deadlines import CaseFacts, medical_review_rule

        by_attendance = self.rules.clock_start_event == "personal_attendance"
        partners = self.site.partners()
        waiting = running = covered = 0
        for index, case in enumerate(self.demo.cases):
            changes: dict[str, object] = {}
            if case.start is None and case.closed is None:
                if by_attendance:
                    changes["attended"] = None if waiting % 5 == 4 else case.contact
                waiting += 1
            elif case.start is not None and case.closed is None:
                if running % 4 == 1:
                    changes["plan_interval"] = 3
                if partners and running % 5 == 2 and case.paragraph != ANONYMOUS_PARAGRAPH:
                    changes["partner"] = partners[0]  # the course with Vista Balboa (000 § 2.1)
                running += 1
                facts = CaseFacts(
                    case.id,
                    case.citizen_id,
                    case.department,
                    case.paragraph,
                    case.contact,
                    partner=changes.get("partner"),  # type: ignore[arg-type]
                )
                review = medical_review_rule(facts, self.rules)
                if review is not None:
                    period_ago = self.today - relativedelta(months=review.months)
                    stage = covered % 4
                    covered += 1
                    if stage == 3 and case.start < period_ago:
                        stage = 0  # never reviewed only where the treatment started within the period
                    if stage == 0:
                        changes["medical_reviewed"] = min(self.today, period_ago + timedelta(days=60))
                    elif stage == 1:
                        changes["medical_reviewed"] = period_ago + timedelta(days=2)
                    elif stage == 2:
                        changes["medical_reviewed"] = period_ago - timedelta(days=12)
            elif by_attendance:
                changes["attended"] = case.contact
            if changes:
                self.demo.cases[index] = replace(case, **changes)  # type: ignore[arg-type]

    def open_requests(self) -> None:
        guarantee = self.rules.guarantee_days
        for days_left, department, age, plan in _OPEN_REQUESTS:
            contact = self.days_ago(max(0, guarantee - days_left))
            deadline = contact + timedelta(days=guarantee)
            person = self.citizen(age)
            if plan == "readmission":  # back after a treatment that ended two years ago
                old_contact = self.days_ago(self.rng.randint(900, 1100))
                old_start = self.started(old_contact)
                self.case(
                    person,
                    department,
                    SEL101,
                    old_contact,
                    start=old_start,
                    closed=old_start + timedelta(days=self.rng.randint(120, 240)),
                    closing_status="færdigbehandlet",
                )
            paragraph = SUL142 if department == STABILISATION else SEL101
            self.case(person, department, paragraph, contact)
            if plan.startswith("within"):
                self.appointment(person, department, "visitation", self.today, deadline)
            if plan == "late":
                self.appointment(
                    person, department, "visitation", deadline + timedelta(days=1), deadline + timedelta(days=10)
                )
            if plan.endswith("late-doctor"):
                self.appointment(
                    person, department, "læge", deadline + timedelta(days=1), deadline + timedelta(days=10)
                )

    def exempt_requests(self) -> None:
        guarantee = self.rules.guarantee_days
        # Free choice of another provider waives the deadline (§ 101 stk. 6).
        person = self.citizen(44)
        self.case(person, STABILISATION, SUL142, self.days_ago(guarantee + 2), free_choice=True)
        person = self.citizen(51)
        self.case(person, DRUG_FREE, SEL101, self.days_ago(6), free_choice=True)
        person = self.citizen(34)
        contact = self.days_ago(self.rng.randint(60, 120))
        self.case(person, DRUG_FREE, SEL101, contact, start=self.started(contact, late=True), free_choice=True)
        # Anonymous treatment (§ 101a): no guarantee, alias only, 18+ at Unge & Rusmidler.
        person = self.citizen(23, anonymous=True)
        self.case(person, ANONYMOUS_ROLE, ANONYMOUS_PARAGRAPH, self.days_ago(guarantee + 2))
        person = self.citizen(20, anonymous=True)
        self.case(person, ANONYMOUS_ROLE, ANONYMOUS_PARAGRAPH, self.days_ago(2))
        self.appointment(person, ANONYMOUS_ROLE, "samtale", self.today, self.today + timedelta(days=7))
        for _ in range(2):
            person = self.citizen(self.rng.randint(19, 28), anonymous=True)
            contact = self.days_ago(self.rng.randint(30, 200))
            start = self.started(contact)
            self.case(
                person,
                ANONYMOUS_ROLE,
                ANONYMOUS_PARAGRAPH,
                contact,
                start=start,
                plan_reviewed=self.plan_review("recent", start),
            )
            self.appointment(person, ANONYMOUS_ROLE, "samtale", self.today, self.today + timedelta(days=7))
        person = self.citizen(25, anonymous=True)
        contact = self.days_ago(self.rng.randint(90, 150))
        self.case(
            person,
            ANONYMOUS_ROLE,
            ANONYMOUS_PARAGRAPH,
            contact,
            start=self.started(contact),
            closed=self.days_ago(40),
            closing_status="eget ønske",
        )

    def discharges(self) -> None:
        """Closed cases: due for each follow-up of the site, and some that need none."""
        statuses = self.rules.follow_up_statuses
        departments = (DRUG_FREE, YOUTH, STABILISATION, DRUG_FREE, YOUTH)
        n = 0
        for index, months in enumerate(self.rules.follow_up_months):
            offsets = (4, 0, -6) if index == 0 else (8, -3)  # due soon, due today, overdue
            for offset in offsets:
                # Consent to the follow-up call (asked for in Gladsaxe): one not recorded.
                self._discharged(
                    departments[n % len(departments)],
                    statuses[n % len(statuses)],
                    self.months_ago(months, offset),
                    consent=None if n == 1 else True,
                )
                n += 1
        first, last = self.rules.follow_up_months[0], self.rules.follow_up_months[-1]
        self._discharged(STABILISATION, "udeblevet", self.months_ago(first, -2))
        self._discharged(DRUG_FREE, "eget ønske", self.months_ago(last))
        # Dropped out before treatment started: closed, so no longer an open request.
        person = self.citizen(18)
        self.case(person, YOUTH, SEL101, self.days_ago(30), closed=self.days_ago(20), closing_status="udeblevet")

    def _discharged(self, department: str, status: str, closed: date, consent: bool | None = True) -> None:
        rng = self.rng
        age = {YOUTH: rng.randint(19, 29), DRUG_FREE: rng.randint(31, 58)}.get(department, rng.randint(28, 60))
        person = self.citizen(age)
        contact = closed - timedelta(days=rng.randint(120, 400))
        start = self.started(contact)
        paragraph = SUL142 if department == STABILISATION else SEL101
        self.case(
            person,
            department,
            paragraph,
            contact,
            start=start,
            closed=closed,
            closing_status=status,
            plan_reviewed=closed - timedelta(days=rng.randint(30, 100)),
            follow_up_consent=consent,
        )
        if department == STABILISATION:
            self.prescription(person, METHADONE, rng.randrange(40, 125, 5), start, closed)

    def stabilisation(self) -> None:
        rng = self.rng
        index = self._next(STABILISATION)
        person = self.citizen(rng.randint(24, 62))
        if index == 1:  # new in treatment, started in time
            contact = self.days_ago(25)
            start, plan = contact + timedelta(days=10), None
        elif index == 5:  # recently started, late
            contact = self.days_ago(30)
            start, plan = self.started(contact, late=True), None
        else:
            contact = self.days_ago(rng.randint(300, 1400))
            start = self.started(contact, late=index in (2, 9))
            plan = self.plan_review(_REVIEW_STAGES[index % len(_REVIEW_STAGES)], start)
        self.case(person, STABILISATION, SUL142, contact, start=start, plan_reviewed=plan)
        if index % 3 == 0:  # social treatment alongside the medical one
            self.case(person, STABILISATION, SEL101, contact, start=start, plan_reviewed=plan)
        preparation = BUPRENORPHINE if index % 5 in (1, 3) else METHADONE
        if preparation == METHADONE:
            dose = Decimal("72.5") if index == 4 else Decimal(rng.randrange(40, 125, 5))
        else:
            dose = Decimal(rng.randrange(8, 26, 2))
        pickup = _PICKUPS[index % len(_PICKUPS)]
        # Home delivery every Wednesday, to care homes every other Thursday (001 § 3.2.1).
        rule, supervised, delivery = {
            "daily": (DAILY, True, False),
            "take-home": (TAKE_HOME_MON_THU, False, False),
            "home-delivery": (HOME_DELIVERY_WED, False, True),
            "care-home": (CARE_HOME_EVERY_OTHER_THU, False, True),
        }[pickup]
        journal = _JOURNAL.get(index)
        if journal is not None:
            self._journal[(person.id, self.preparations[preparation])] = journal
        validity = _VALIDITY[index % len(_VALIDITY)]
        valid_from = max(start, self.days_ago(rng.randint(10, 200)))
        valid_to = {
            "expires-2": self.today + timedelta(days=2),
            "expires-5": self.today + timedelta(days=5),
            "expired": self.days_ago(1),
        }.get(validity)
        if validity in ("history", "starts-later"):
            # A dose change: the old order ends the day before the new one starts (lately,
            # at least a week ago so that a weekly schedule has had a pickup under the new
            # order, or in three days' time).
            if validity == "history":
                change = self.days_ago(rng.randint(7, 20))
            else:
                change = self.today + timedelta(days=3)
            step = Decimal(10 if preparation == METHADONE else 2)
            ceiling = 120 if preparation == METHADONE else 24
            old_dose = dose + step if dose + step <= ceiling else dose - step  # stepped down or up
            old_from = min(start, change - timedelta(days=30))
            self.prescription(
                person,
                preparation,
                old_dose,
                old_from,
                change - timedelta(days=1),
                rule=rule,
                supervised=supervised,
                delivery=delivery,
            )
            valid_from = change
        self.prescription(
            person, preparation, dose, valid_from, valid_to, rule=rule, supervised=supervised, delivery=delivery
        )
        if index % 3 == 0:
            self.appointment(person, STABILISATION, "læge", self.today, self.today + timedelta(days=7))

    def journal_history(self) -> None:
        """Fill in `sidst_udleveret`: the last dose given of each citizen's preparation as the
        journal knows it, the same on all of the citizen's orders of that preparation."""
        last: dict[tuple[str, str], date] = {}
        for prescription in self.demo.prescriptions:
            key = (prescription.citizen_id, prescription.preparation)
            before_today = pickup_days(_order(prescription), self.days_ago(60), self.days_ago(1))
            if before_today:
                last[key] = max(last.get(key, before_today[-1]), before_today[-1])
        for key, journal in self._journal.items():
            if journal == "none":
                last.pop(key, None)
            else:
                last[key] = self.days_ago(_JOURNAL_DAYS_AGO[journal])
        self.demo.prescriptions = [
            replace(p, last_dispensed_on=last.get((p.citizen_id, p.preparation))) for p in self.demo.prescriptions
        ]

    def heroin_clinic(self) -> None:
        rng = self.rng
        index = self._next(HEROIN_CLINIC)
        person = self.citizen(rng.randint(30, 60))
        contact = self.days_ago(rng.randint(400, 2500))
        start = self.started(contact)
        plan = self.plan_review(_REVIEW_STAGES[(index + 2) % len(_REVIEW_STAGES)], start)
        self.case(person, HEROIN_CLINIC, SUL142, contact, start=start, plan_reviewed=plan)
        valid_from = max(start, self.days_ago(rng.randint(30, 300)))
        valid_to = self.today + timedelta(days=3) if index == 2 else None
        self.prescription(person, DIACETYLMORPHINE, rng.randrange(150, 420, 20), valid_from, valid_to, per_day=2)
        if index % 2 == 0:
            self.prescription(person, METHADONE, rng.randrange(30, 85, 5), valid_from)
        else:
            self.prescription(person, MORPHINE, rng.randrange(200, 640, 40), valid_from)
        if index % 3 == 0:
            self.appointment(person, HEROIN_CLINIC, "læge", self.today, self.today + timedelta(days=7))

    def drug_free(self) -> None:
        rng = self.rng
        index = self._next(DRUG_FREE)
        person = self.citizen(rng.randint(31, 58))
        contact = self.days_ago(rng.randint(250, 700))
        start = self.started(contact, late=index == 3)
        plan = self.plan_review(_REVIEW_STAGES[(index + 1) % len(_REVIEW_STAGES)], start)
        self.case(person, DRUG_FREE, SEL101, contact, start=start, plan_reviewed=plan)
        if index % 3 != 2:
            self.appointment(person, DRUG_FREE, "samtale", self.today, self.today + timedelta(days=7))

    def youth(self) -> None:
        rng = self.rng
        ages = (16, 16, 17, 19, 21, 24, 27, 29)
        index = self._next(YOUTH)
        person = self.citizen(ages[index % len(ages)] if index < len(ages) else rng.randint(16, 29))
        # within the last 11 months: 15 or older at the first contact too
        contact = self.days_ago(300 if index == 4 else rng.randint(20, 330))
        start = self.started(contact)
        plan = None if index == 4 or (start > self.days_ago(60)) else self.plan_review("recent", start)
        self.case(person, YOUTH, SEL101, contact, start=start, plan_reviewed=plan)
        if index % 4 != 3:
            self.appointment(person, YOUTH, "samtale", self.today, self.today + timedelta(days=7))


def build_demo(today: date, site: Site, seed: int = 2026, citizens: int = 80) -> DemoExports:
    """The demo's records (see the module docstring); `citizens` >= MIN_DEMO_CITIZENS."""
    if citizens < MIN_DEMO_CITIZENS:
        raise ValueError(f"the demo needs at least {MIN_DEMO_CITIZENS} citizens to show every state, not {citizens}")
    builder = _DemoBuilder(today, site, seed)
    builder.open_requests()
    builder.exempt_requests()
    builder.discharges()
    for _ in range(12):
        builder.stabilisation()
    for _ in range(7):
        builder.heroin_clinic()
    for _ in range(6):
        builder.drug_free()
    for _ in range(8):
        builder.youth()
    fillers = (
        (builder.stabilisation, 0.4),
        (builder.youth, 0.25),
        (builder.drug_free, 0.25),
        (builder.heroin_clinic, 0.1),
    )
    while len(builder.demo.citizens) < citizens:
        make = builder.rng.choices([f for f, _ in fillers], weights=[w for _, w in fillers])[0]
        make()
    builder.second_reading()
    builder.journal_history()
    return builder.demo


def _order(prescription: DemoPrescription) -> Order:
    """A demo prescription as the dispensing rules see it."""
    return Order(
        id=prescription.id,
        citizen_id=prescription.citizen_id,
        preparation=prescription.preparation,
        dose_mg=prescription.dose_mg,
        doses_per_day=prescription.doses_per_day,
        pickup_rule=prescription.pickup_rule,
        supervised=prescription.supervised,
        valid_from=prescription.valid_from,
        valid_to=prescription.valid_to,
        delivery=prescription.delivery,
        last_dispensed_on=prescription.last_dispensed_on,
    )


# --- the bulk export (benchmark) ---------------------------------------------------------

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
            yield [f"B{index:07d}", "", "", "", alias, ""]
            continue
        birth, serial = people.birth(index)
        female = index % 3 == 1
        yield [
            f"B{index:07d}",
            synthetic_cpr(birth, serial, female=female),
            rng.choice(FIRST_NAMES_FEMALE if female else FIRST_NAMES_MALE),
            rng.choice(LAST_NAMES),
            alias,
            _phone(rng),
        ]


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
        yield [
            f"S{index:07d}",
            f"B{citizen:07d}",
            people.departments[role],
            paragraph,
            format_date(contact),
            format_date(start),
            format_bool(role != ANONYMOUS_ROLE and rng.random() < 0.03),
            format_date(closed),
            status,
            format_date(plan),
            "",  # samtykke_opfoelgning: not recorded by the journal
            "",  # plan_interval_mdr: the site's interval
            "",  # laege_gennemgang
            format_date(contact),  # personligt_fremmoede: came in person
            people.partner if index % 40 == 3 and role != ANONYMOUS_ROLE else "",  # samarbejde
        ]


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
        if preparation == DIACETYLMORPHINE:
            rule, supervised = DAILY, True
        valid_from = today - timedelta(days=rng.randint(0, 700))
        valid_to = valid_from + timedelta(days=rng.randint(14, 400)) if rng.random() < 0.3 else None
        # The journal's last dose: yesterday, or not known for an order that starts today.
        last_dispensed = today - timedelta(days=1) if valid_from < today else None
        yield [
            f"O{index:07d}",
            f"B{citizen:07d}",
            people.preparations[preparation],
            f"{dose},5" if preparation == METHADONE and rng.random() < 0.05 else str(dose),
            str(per_day),
            rule,
            format_bool(supervised),
            format_date(valid_from),
            format_date(valid_to),
            rng.choice(DOCTORS),
            format_bool(rule == HOME_DELIVERY_WED),
            format_date(last_dispensed),
        ]


def _bulk_appointments(
    n: int, rng: random.Random, population: int, people: _BulkPeople, slots: _BulkSlots
) -> Iterator[list[str]]:
    kinds = ("visitation", "læge", "samtale")
    for index in range(n):
        citizen = index % population
        role = people.role(citizen, rng)
        kind = rng.choices(kinds, weights=(0.2, 0.3, 0.5))[0]
        clinician = rng.choice(DOCTORS if kind == "læge" else COUNSELLORS[role])
        yield [
            f"A{index:07d}",
            f"B{citizen:07d}",
            people.departments[role],
            format_datetime(rng.choice(slots.slots[role])),
            kind,
            clinician,
        ]


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
