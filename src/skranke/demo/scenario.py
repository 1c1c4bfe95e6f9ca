"""The demo's day: a small clinic morning with every state the screens must show.

Open requests at every stage of the 14-day guarantee, exempt requests (§ 101a, free choice),
late starts, discharges due for follow-up, plans due for review, supervised/take-home/
home-delivery orders, orders about to expire, and appointments, two of them booked after a
request's deadline. At the medicine room (`skranke.domain.dispensing`): supervised daily
methadone, buprenorphine picked up Monday and Thursday, twice-daily heroin at the heroin
clinic, home deliveries on Wednesdays, a hold after 5 days without medicine, a warning after 2,
orders ending within days, one without history, and the rest last given their medicine on
their last pickup day (the journal's `sidst_udleveret`).

Deterministic for a seed and `today`: `build_demo` draws from one `random.Random(seed)` in a
fixed order, so any change in the order of the draws changes the demo.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta

from skranke.demo.files import KINDS, write_csv
from skranke.demo.names import (
    ALIASES,
    COUNSELLORS,
    DOCTORS,
    FIRST_NAMES_FEMALE,
    FIRST_NAMES_MALE,
    LAST_NAMES,
    birth_date,
    phone_number,
    synthetic_cpr,
)
from skranke.demo.records import (
    DemoAppointment,
    DemoCase,
    DemoCitizen,
    DemoExports,
    DemoPrescription,
    discharge_outcome,
)
from skranke.demo.roles import (
    ANONYMOUS_ROLE,
    BUPRENORPHINE,
    CARE_HOME_EVERY_OTHER_THU,
    DAILY,
    DIACETYLMORPHINE,
    DRUG_FREE,
    HEROIN_CLINIC,
    HOME_DELIVERY_WED,
    METHADONE,
    MORPHINE,
    SEL101,
    STABILISATION,
    SUL142,
    TAKE_HOME_MON_THU,
    YOUTH,
    appointment_slots,
    demo_departments,
    demo_preparations,
)
from skranke.domain.dispensing import Order, pickup_days
from skranke.domain.hours import SiteHours
from skranke.domain.site import Site
from skranke.domain.vocabulary import ANONYMOUS_PARAGRAPH

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
            birth = birth_date(self.today, age, rng.randrange(365))
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
                f"B{number:04d}", cpr, name[0], name[1], self._alias() if with_alias else "", phone_number(rng)
            )
        self.demo.citizens.append(record)
        return record

    def _alias(self) -> str:
        if self._aliases:
            return self._aliases.pop()
        return f"{self.rng.choice(ALIASES)} {len(self.demo.citizens) + 1}"

    def case(self, citizen: DemoCitizen, role: str, paragraph: str, contact: date, **fields: Any) -> DemoCase:
        number = len(self.demo.cases) + 1
        if fields.get("closing_status") and "outcome" not in fields:
            fields["outcome"], fields["goals_reached"] = discharge_outcome(number, fields["closing_status"])
        record = DemoCase(f"S{number:04d}", citizen.id, self.departments[role], paragraph, contact, **fields)
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


def write_demo_exports(directory: Path, today: date, site: Site, seed: int = 2026, citizens: int = 80) -> list[Path]:
    """Write borgere/sager/ordinationer/aftaler `_demo.csv` into `directory`, in import order."""
    demo = build_demo(today, site, seed=seed, citizens=citizens)
    paths = []
    for kind in KINDS:
        path = Path(directory) / f"{kind}_demo.csv"
        write_csv(path, kind, demo.rows(kind))
        paths.append(path)
    return paths
