"""The synthetic export files: contract, determinism, synthetic CPR numbers and demo coverage."""

from __future__ import annotations

import csv
import importlib
import inspect
import pkgutil
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from types import GeneratorType

import pytest
from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrulestr
from stdnum.dk import cpr as stdnum_cpr

import skranke.demo
from skranke.demo.bulk import bulk_counts, iter_bulk_rows, write_bulk_exports
from skranke.demo.files import HEADERS, KINDS, file_row
from skranke.demo.names import synthetic_cpr
from skranke.demo.scenario import MIN_DEMO_CITIZENS, build_demo, write_demo_exports
from skranke.domain.dispensing import (
    ENDS_SOON,
    EXPIRED,
    FIRST_DOSE_PENDING,
    HOLD_REASSESSMENT,
    MISSED_DAYS,
    NO_HISTORY,
    NOT_PICKUP_DAY,
    Alert,
    DueDose,
    Order,
    doses_due,
    why_not_due,
)
from skranke.domain.hours import TIMEZONE, SiteHours
from skranke.domain.site import Preparation, Site
from skranke.domain.vocabulary import APPOINTMENT_KINDS, CLOSING_STATUSES, PARAGRAPHS
from skranke.sites import load_site, shipped_site_ids
from skranke.sync import read_export
from skranke.sync.rows import PrescriptionRow

# A Wednesday, and the Friday before Christmas (holidays inside the 14 days and the windows
# for appointments). Birth dates lie at least 15 years before either: stdnum's check against
# the real date needs no frozen clock.
TODAY = date(2026, 3, 4)
DAYS = [TODAY, date(2025, 12, 19)]
ODENSE_CASE_DEPARTMENTS = {"unge-og-rusmidler", "stabilisering", "stoffrihed", "heroinklinikken"}
METHADONE_THRESHOLD_SOURCE = load_site("odense").preparation("metadon").missed_days_before_reassessment_source


Row = dict[str, str]


@dataclass(frozen=True)
class DemoFiles:
    """The demo files written for a day, read back."""

    today: date
    paths: list[Path]
    rows: dict[str, list[Row]]  # {kind: rows}


@dataclass(frozen=True)
class MedicineRoom:
    """The demo's orders and what is due of them on a day."""

    today: date
    orders: list[Order]
    due: dict[str, list[DueDose]]  # by order id
    rules: dict[str, Preparation]  # by preparation id


@pytest.fixture(scope="module")
def odense() -> Site:
    return load_site("odense")


def read(path: Path) -> list[Row]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def parse_date(text: str) -> date | None:
    return datetime.strptime(text, "%d-%m-%Y").date() if text else None


def required_date(text: str) -> date:
    """A column the file always fills: the test fails on an empty one, as before it did."""
    parsed = parse_date(text)
    assert parsed is not None, "an empty date"
    return parsed


def parse_moment(text: str) -> datetime:
    return datetime.strptime(text, "%d-%m-%Y %H:%M").replace(tzinfo=TIMEZONE)


def age_on(birth: date, day: date) -> int:
    return relativedelta(day, birth).years


@pytest.fixture(scope="module", params=DAYS, ids=lambda d: d.isoformat())
def demo(request: pytest.FixtureRequest, odense: Site, tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    """The demo files written for a day, read back: {kind: rows}, plus today and paths."""
    today: date = request.param
    directory = tmp_path_factory.mktemp(f"demo-{today.isoformat()}")
    paths = write_demo_exports(directory, today, odense)
    data = {kind: read(path) for kind, path in zip(KINDS, paths)}
    return DemoFiles(today, paths, data)


# --- the contract ---------------------------------------------------------------------------


def test_files_exist_in_import_order_with_the_exact_headers(demo: DemoFiles) -> None:
    paths = demo.paths
    assert [p.name for p in paths] == [
        "borgere_demo.csv",
        "sager_demo.csv",
        "ordinationer_demo.csv",
        "aftaler_demo.csv",
    ]
    for kind, path in zip(KINDS, paths):
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, as Excel writes it"
        header = raw[3:].split(b"\r\n", 1)[0].decode("utf-8")
        assert header == ";".join(HEADERS[kind])
        assert b"\n" not in raw.replace(b"\r\n", b""), "CRLF line ends only"
        assert demo.rows[kind], f"{path.name} has rows"
    assert HEADERS["borgere"] == ("borger_id", "cpr", "fornavn", "efternavn", "alias", "telefon")
    assert HEADERS["aftaler"] == ("aftale_id", "borger_id", "afdeling", "tidspunkt", "type", "behandler")
    # No half-written temporary files left behind.
    assert sorted(p.name for p in paths[0].parent.iterdir()) == sorted(p.name for p in paths)


def test_values_are_written_the_danish_way(demo: DemoFiles, odense: Site) -> None:
    preparations = {p.id for p in odense.preparations}
    for case in demo.rows["sager"]:
        assert case["paragraf"] in PARAGRAPHS
        assert case["frit_valg"] in ("ja", "nej")
        for column in ("henvendelse", "behandlingsstart", "afsluttet", "plan_revideret"):
            parse_date(case[column])  # DD-MM-YYYY or empty
        assert (case["afsluttet"] == "") == (case["afslutningsstatus"] == "")
        if case["afslutningsstatus"]:
            assert case["afslutningsstatus"] in CLOSING_STATUSES
    for order in demo.rows["ordinationer"]:
        assert order["praeparat"] in preparations
        assert Decimal(order["dosis_mg"].replace(",", ".")) > 0
        assert "." not in order["dosis_mg"]
        assert order["doser_pr_dag"] in ("1", "2")
        assert order["overvaaget"] in ("ja", "nej")
        rrulestr(order["udlevering"], dtstart=datetime(2026, 1, 1))
        start, end = parse_date(order["gyldig_fra"]), parse_date(order["gyldig_til"])
        assert start is not None and (end is None or end >= start)
        assert order["ordineret_af"]
    for appointment in demo.rows["aftaler"]:
        parse_moment(appointment["tidspunkt"])
        assert appointment["type"] in APPOINTMENT_KINDS
        assert appointment["behandler"]
    assert any("," in order["dosis_mg"] for order in demo.rows["ordinationer"]), "a decimal comma is shown"


def test_same_seed_same_bytes_other_seed_other_bytes(odense: Site, tmp_path: Path) -> None:
    first = write_demo_exports(tmp_path / "a", TODAY, odense, seed=7)
    second = write_demo_exports(tmp_path / "b", TODAY, odense, seed=7)
    other = write_demo_exports(tmp_path / "c", TODAY, odense, seed=8)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    assert [p.read_bytes() for p in first] != [p.read_bytes() for p in other]


def test_keys_are_unique_and_every_reference_resolves(demo: DemoFiles) -> None:
    citizens = {row["borger_id"] for row in demo.rows["borgere"]}
    assert len(citizens) == len(demo.rows["borgere"])
    for kind, key in (("sager", "sag_id"), ("ordinationer", "ordination_id"), ("aftaler", "aftale_id")):
        keys = [row[key] for row in demo.rows[kind]]
        assert len(set(keys)) == len(keys)
        missing = {row["borger_id"] for row in demo.rows[kind]} - citizens
        assert not missing, f"{kind} refers to unknown citizens {missing}"


def test_citizen_count_is_the_one_asked_for(odense: Site) -> None:
    assert len(build_demo(TODAY, odense, citizens=100).citizens) == 100
    assert len(build_demo(TODAY, odense).citizens) == 80
    with pytest.raises(ValueError, match="at least"):
        build_demo(TODAY, odense, citizens=MIN_DEMO_CITIZENS - 1)


# --- synthetic people -------------------------------------------------------------------------


def test_every_cpr_is_valid_unique_and_marked_synthetic(demo: DemoFiles) -> None:
    numbers = [row["cpr"] for row in demo.rows["borgere"] if row["cpr"]]
    assert len(numbers) == len(set(numbers))
    for number in numbers:
        assert stdnum_cpr.validate(number) == number
        assert number[6:8] == "99", "serial from the synthetic range"
        assert stdnum_cpr.checksum(number) != 0, "never a modulus-11 number (issued before 2007)"
        assert stdnum_cpr.get_birth_date(number) <= demo.today - relativedelta(years=15)


def test_synthetic_cpr_gives_the_right_century_and_sex() -> None:
    for birth in (date(1937, 1, 1), date(1962, 10, 21), date(1999, 12, 31), date(2008, 2, 29)):
        women = {synthetic_cpr(birth, n, female=True) for n in range(40)}
        men = {synthetic_cpr(birth, n, female=False) for n in range(40)}
        assert not women & men and len(women) == len(men) == 40
        for number in women | men:
            assert stdnum_cpr.get_birth_date(number) == birth
            assert stdnum_cpr.checksum(number) != 0
        assert all(int(n[-1]) % 2 == 0 for n in women) and all(int(n[-1]) % 2 == 1 for n in men)
    with pytest.raises(ValueError):
        synthetic_cpr(date(1930, 5, 1), 0, female=True)


def test_anonymous_citizens_have_an_alias_only(demo: DemoFiles) -> None:
    citizens = {row["borger_id"]: row for row in demo.rows["borgere"]}
    anonymous_cases = [c for c in demo.rows["sager"] if c["paragraf"] == "SEL101a"]
    assert len(anonymous_cases) >= 3
    for case in anonymous_cases:
        person = citizens[case["borger_id"]]
        assert person["cpr"] == "" and person["fornavn"] == "" and person["efternavn"] == ""
        assert person["alias"]
        assert case["afdeling"] == "unge-og-rusmidler"
    for person in citizens.values():
        if not person["cpr"]:
            assert {c["paragraf"] for c in demo.rows["sager"] if c["borger_id"] == person["borger_id"]} == {"SEL101a"}
        else:
            assert person["fornavn"] and person["efternavn"]
            digits = person["telefon"].replace(" ", "")
            assert len(digits) == 8 and digits.isdigit() and person["telefon"].count(" ") == 3


def test_departments_and_routing_follow_odense(demo: DemoFiles) -> None:
    """DESIGN §1 routing: under 18 and 18-30 with drugs → Unge & Rusmidler, over 30 → the adult units."""
    today = demo.today
    births = {row["borger_id"]: stdnum_cpr.get_birth_date(row["cpr"]) for row in demo.rows["borgere"] if row["cpr"]}
    by_department = defaultdict(list)
    for case in demo.rows["sager"]:
        assert case["afdeling"] in ODENSE_CASE_DEPARTMENTS
        if case["borger_id"] in births:
            by_department[case["afdeling"]].append(age_on(births[case["borger_id"]], today))
            contact = required_date(case["henvendelse"])
            if case["afdeling"] == "unge-og-rusmidler" and not case["afsluttet"]:
                assert age_on(births[case["borger_id"]], contact) >= 15
    assert set(by_department) == ODENSE_CASE_DEPARTMENTS
    assert all(15 <= age <= 29 for age in by_department["unge-og-rusmidler"])
    assert any(age < 18 for age in by_department["unge-og-rusmidler"])
    assert min(by_department["stoffrihed"]) >= 30
    assert min(by_department["stabilisering"]) >= 18
    assert min(by_department["heroinklinikken"]) >= 18
    for department in ODENSE_CASE_DEPARTMENTS - {"unge-og-rusmidler"}:
        assert not any(age < 18 for age in by_department[department])


# --- what the demo shows ------------------------------------------------------------------------


def test_open_requests_cover_every_stage_of_the_guarantee(demo: DemoFiles, odense: Site) -> None:
    today = demo.today
    rules = odense.rules
    open_requests = [
        c
        for c in demo.rows["sager"]
        if not c["behandlingsstart"]
        and not c["afsluttet"]
        and c["paragraf"] in rules.guarantee_paragraphs
        and c["frit_valg"] == "nej"
    ]
    days_left = [
        (required_date(c["henvendelse"]) + timedelta(days=rules.guarantee_days) - today).days for c in open_requests
    ]
    assert all(0 <= (today - required_date(c["henvendelse"])).days <= 17 for c in open_requests)
    assert any(d > rules.warning_days for d in days_left), "ok"
    assert any(1 <= d <= rules.warning_days for d in days_left), "warn"
    assert 0 in days_left, "deadline day"
    assert any(d < 0 for d in days_left), "overdue"
    for department in ("unge-og-rusmidler", "stabilisering", "stoffrihed"):
        assert any(c["afdeling"] == department for c in open_requests)


def test_exempt_requests_met_and_late_cases(demo: DemoFiles, odense: Site) -> None:
    rules = odense.rules
    cases = demo.rows["sager"]
    assert any(c["frit_valg"] == "ja" and not c["behandlingsstart"] and not c["afsluttet"] for c in cases)
    assert any(c["paragraf"] == "SEL101a" and not c["behandlingsstart"] and not c["afsluttet"] for c in cases)
    met = [c for c in cases if c["behandlingsstart"]]
    delays = [(required_date(c["behandlingsstart"]) - required_date(c["henvendelse"])).days for c in met]
    assert any(d <= rules.guarantee_days for d in delays)
    assert any(d > rules.guarantee_days for d in delays), "some started late"
    for case in cases:
        contact = required_date(case["henvendelse"])
        start, closed = parse_date(case["behandlingsstart"]), parse_date(case["afsluttet"])
        reviewed = parse_date(case["plan_revideret"])
        assert contact <= demo.today
        assert start is None or contact <= start <= demo.today
        assert closed is None or (start or contact) <= closed <= demo.today
        assert reviewed is None or (start is not None and start <= reviewed <= (closed or demo.today))


def test_discharges_due_for_each_follow_up_and_some_needing_none(demo: DemoFiles, odense: Site) -> None:
    today = demo.today
    rules = odense.rules
    closed = [c for c in demo.rows["sager"] if c["afsluttet"]]
    statuses = Counter(c["afslutningsstatus"] for c in closed)
    assert set(statuses) == set(CLOSING_STATUSES), "every closing status appears"
    for months in rules.follow_up_months:
        due = [
            (required_date(c["afsluttet"]) + relativedelta(months=months) - today).days
            for c in closed
            if c["afslutningsstatus"] in rules.follow_up_statuses
        ]
        assert any(0 < d <= 14 for d in due), f"{months}-month follow-up coming up"
        assert any(-14 <= d < 0 for d in due), f"{months}-month follow-up overdue"
    assert any(
        d == 0
        for d in [
            (required_date(c["afsluttet"]) + relativedelta(months=rules.follow_up_months[0]) - today).days
            for c in closed
            if c["afslutningsstatus"] in rules.follow_up_statuses
        ]
    )


def test_plan_reviews_due_and_overdue(demo: DemoFiles, odense: Site) -> None:
    today = demo.today
    months = odense.rules.plan_review_months
    running = [c for c in demo.rows["sager"] if c["behandlingsstart"] and not c["afsluttet"]]
    due = [
        (required_date(c["plan_revideret"] or c["behandlingsstart"]) + relativedelta(months=months) - today).days
        for c in running
    ]
    assert any(0 < d <= 14 for d in due), "due soon"
    assert 0 in due, "due today"
    assert any(d < 0 for d in due), "overdue"
    assert any(d > 30 for d in due), "not due"


def test_prescriptions_cover_the_dispensing_schedules(demo: DemoFiles) -> None:
    today = demo.today
    orders = demo.rows["ordinationer"]
    rules = {(o["udlevering"], o["overvaaget"]) for o in orders}
    assert ("FREQ=DAILY", "ja") in rules
    assert ("FREQ=WEEKLY;BYDAY=MO,TH", "nej") in rules
    assert ("FREQ=WEEKLY;BYDAY=WE", "nej") in rules
    for order in orders:
        dose = Decimal(order["dosis_mg"].replace(",", "."))
        if order["praeparat"] == "metadon" and order["doser_pr_dag"] == "1" and order["overvaaget"] == "nej":
            assert 40 <= dose <= 120
        if order["praeparat"] == "buprenorfin":
            assert 8 <= dose <= 24
    substitution = [o for o in orders if o["praeparat"] in ("metadon", "buprenorfin")]
    assert {o["praeparat"] for o in substitution} == {"metadon", "buprenorfin"}
    ends = [required_date(o["gyldig_til"]) for o in orders if o["gyldig_til"]]
    assert any(today <= end <= today + timedelta(days=7) for end in ends), "expiring soon"
    assert any(required_date(o["gyldig_fra"]) > today for o in orders), "a dose change ahead"


def test_heroin_clinic_citizens_get_diacetylmorphine_twice_daily_and_methadone_or_morphine(demo: DemoFiles) -> None:
    clinic = {c["borger_id"] for c in demo.rows["sager"] if c["afdeling"] == "heroinklinikken"}
    assert len(clinic) >= 5
    orders = defaultdict(list)
    for order in demo.rows["ordinationer"]:
        orders[order["borger_id"]].append(order)
    for citizen in clinic:
        heroin = [o for o in orders[citizen] if o["praeparat"] == "diacetylmorfin"]
        assert heroin and all(
            (o["doser_pr_dag"], o["udlevering"], o["overvaaget"]) == ("2", "FREQ=DAILY", "ja") for o in heroin
        )
        assert {o["praeparat"] for o in orders[citizen]} & {"metadon", "morfin"}
    assert all(o["borger_id"] in clinic for o in demo.rows["ordinationer"] if o["praeparat"] == "diacetylmorfin")


def test_appointments_lie_in_opening_hours_and_two_come_after_a_deadline(demo: DemoFiles, odense: Site) -> None:
    today = demo.today
    hours = SiteHours(odense)
    kinds: Counter[str] = Counter()
    for appointment in demo.rows["aftaler"]:
        moment = parse_moment(appointment["tidspunkt"])
        assert today <= moment.date() <= today + timedelta(days=30)
        assert appointment["afdeling"] in ODENSE_CASE_DEPARTMENTS
        assert any(
            i.start <= moment and moment + timedelta(minutes=30) <= i.end
            for i in hours[appointment["afdeling"]].intervals_on(moment.date())
        ), f"{appointment} outside opening hours"
        kinds[appointment["type"]] += 1
    assert set(kinds) == {"visitation", "læge", "samtale"}
    guarantee = odense.rules.guarantee_days
    deadlines = {
        c["borger_id"]: required_date(c["henvendelse"]) + timedelta(days=guarantee)
        for c in demo.rows["sager"]
        if not c["behandlingsstart"]
        and not c["afsluttet"]
        and c["paragraf"] in odense.rules.guarantee_paragraphs
        and c["frit_valg"] == "nej"
    }
    booked = [a for a in demo.rows["aftaler"] if a["borger_id"] in deadlines and a["type"] in ("visitation", "læge")]
    late = [a for a in booked if parse_moment(a["tidspunkt"]).date() > deadlines[a["borger_id"]]]
    assert len(late) == 2, "one or two bookings after a deadline: the error worth showing"
    assert len(booked) > len(late)


def test_every_shipped_site_gets_a_demo_in_its_own_departments(tmp_path: Path) -> None:
    for site_id in shipped_site_ids():
        site = load_site(site_id)
        departments = {d.id for d in site.all_departments() if d.kind == "department"}
        preparations = {p.id for p in site.preparations}
        demo = build_demo(TODAY, site)
        assert {c.department for c in demo.cases} <= departments, site_id
        assert {a.department for a in demo.appointments} <= departments, site_id
        assert {o.preparation for o in demo.prescriptions} <= preparations, site_id


# --- the medicine room on the demo day -------------------------------------------------------

# A Monday, a Wednesday, a Thursday, the Friday before Christmas and the Sunday clocks go forward.
DISPENSING_DAYS = [date(2026, 3, 2), date(2026, 3, 4), date(2026, 3, 5), date(2025, 12, 19), date(2026, 3, 29)]


@pytest.fixture(scope="module", params=DISPENSING_DAYS, ids=lambda d: f"{d:%a}-{d.isoformat()}")
def medicine_room(
    request: pytest.FixtureRequest, odense: Site, tmp_path_factory: pytest.TempPathFactory
) -> MedicineRoom:
    """The demo's prescriptions as the importer reads them, and what is due on the demo day
    (no records of skranke's own yet: the journal's sidst_udleveret is all the history)."""
    today: date = request.param
    paths = write_demo_exports(tmp_path_factory.mktemp(f"room-{today.isoformat()}"), today, odense)
    parsed = read_export(paths[KINDS.index("ordinationer")], None, odense, today=today)
    assert parsed.ok, parsed.errors  # heroin orders pass the import's supervised-only rule
    orders = [
        Order(m.id, m.citizen_id, m.preparation, m.dose_mg, m.doses_per_day, m.pickup_rule, m.supervised,
              m.valid_from, m.valid_to, m.delivery, m.last_dispensed_on)
        for m in parsed.models
        if isinstance(m, PrescriptionRow)
    ]  # fmt: skip
    rules = {p.id: p for p in odense.preparations}
    room = SiteHours(odense)["medicinudlevering"]
    now = datetime.combine(today, time(9, 0), tzinfo=TIMEZONE)
    due = {o.id: doses_due(o, today, now, [], rules[o.preparation], room.is_open_on) for o in orders}
    return MedicineRoom(today, orders, due, rules)


def _doses(room: MedicineRoom) -> list[DueDose]:
    return [dose for doses in room.due.values() for dose in doses]


def _with_alert(room: MedicineRoom, code: str) -> list[DueDose]:
    return [dose for dose in _doses(room) if dose.alert(code) is not None]


def _alert(dose: DueDose, code: str) -> Alert:
    alert = dose.alert(code)
    assert alert is not None, code
    return alert


def test_the_demo_day_has_ordinary_supervised_daily_methadone(medicine_room: MedicineRoom) -> None:
    today = medicine_room.today
    ordinary = [
        dose
        for dose in _doses(medicine_room)
        if dose.order.preparation == "metadon" and dose.order.pickup_rule == "FREQ=DAILY" and dose.order.supervised
        and dose.state == "due" and dose.alerts == () and dose.order.last_dispensed_on == today - timedelta(days=1)
    ]  # fmt: skip
    assert len(ordinary) >= 3
    assert all((d.missed_days, d.covers_days, d.take_home_days) == (0, 1, 0) for d in ordinary)


def test_buprenorphine_is_picked_up_monday_and_thursday(medicine_room: MedicineRoom, odense: Site) -> None:
    today = medicine_room.today
    orders = [
        o for o in medicine_room.orders
        if o.preparation == "buprenorfin" and o.pickup_rule == "FREQ=WEEKLY;BYDAY=MO,TH" and not o.delivery
        and o.valid_from <= today and (o.valid_to is None or today <= o.valid_to)
    ]  # fmt: skip
    assert orders
    for order in orders:
        doses = medicine_room.due[order.id]
        if today.weekday() in (0, 3):
            (dose,) = doses
            assert dose.covers_days == (3 if today.weekday() == 0 else 4)
            assert dose.take_home_days == dose.covers_days - (1 if order.supervised else 0)
            assert dose.missed_days == 0, "the journal's last pickup covered until today"
        else:
            assert doses == []
            reason = why_not_due(order, today, medicine_room.rules["buprenorfin"])
            assert reason is not None and reason.code == NOT_PICKUP_DAY


def test_heroin_is_twice_daily_under_supervision_dose_two_after_dose_one(medicine_room: MedicineRoom) -> None:
    heroin = [o for o in medicine_room.orders if o.preparation == "diacetylmorfin" and medicine_room.due[o.id]]
    assert len(heroin) >= 5
    for order in heroin:
        assert (order.doses_per_day, order.supervised, order.delivery, order.pickup_rule) == (
            2,
            True,
            False,
            "FREQ=DAILY",
        )
        first, second = medicine_room.due[order.id]
        assert (first.dose_number, first.state, first.take_home_days) == (1, "due", 0)
        assert (second.dose_number, second.state) == (2, "blocked")
        assert second.alert(FIRST_DOSE_PENDING) is not None


def test_home_deliveries_are_due_on_wednesdays_only(medicine_room: MedicineRoom) -> None:
    today = medicine_room.today
    deliveries = [o for o in medicine_room.orders if o.delivery and o.pickup_rule == "FREQ=WEEKLY;BYDAY=WE"]
    assert deliveries and all(not o.supervised for o in deliveries)
    due = [d for o in deliveries for d in medicine_room.due[o.id]]
    if today.weekday() == 2:
        assert due and all(d.delivery and d.state == "due" for d in due)
        assert all(d.covers_days == d.take_home_days == 7 and d.missed_days == 0 for d in due)
    else:
        assert due == []


def test_one_citizen_is_held_for_a_doctor_after_five_days_without_methadone(medicine_room: MedicineRoom) -> None:
    held = [d for d in _doses(medicine_room) if d.state == "hold"]
    assert len(held) == 1
    (dose,) = held
    assert dose.order.preparation == "metadon"
    assert dose.order.last_dispensed_on == medicine_room.today - timedelta(days=6)
    assert _alert(dose, HOLD_REASSESSMENT).params == {"days": 5, "threshold": 4, "source": METHADONE_THRESHOLD_SOURCE}


def test_missed_days_below_the_threshold_warn(medicine_room: MedicineRoom) -> None:
    warned = _with_alert(medicine_room, MISSED_DAYS)
    assert [_alert(d, MISSED_DAYS).params for d in warned] == [
        {"days": 2, "threshold": 4, "source": METHADONE_THRESHOLD_SOURCE}
    ]
    assert warned[0].state == "due"


def test_an_order_ending_in_two_days_and_one_without_history(medicine_room: MedicineRoom) -> None:
    ending = [_alert(d, ENDS_SOON).params["days_left"] for d in _with_alert(medicine_room, ENDS_SOON)]
    assert 2 in ending
    unknown = _with_alert(medicine_room, NO_HISTORY)
    assert len(unknown) == 1 and unknown[0].missed_days is None and unknown[0].state == "due"
    assert unknown[0].order.last_dispensed_on is None


def test_expired_orders_say_so(medicine_room: MedicineRoom) -> None:
    today = medicine_room.today
    expired = [o for o in medicine_room.orders if o.valid_to is not None and o.valid_to < today]
    assert expired
    for order in expired:
        assert medicine_room.due[order.id] == []
        reason = why_not_due(order, today, medicine_room.rules[order.preparation])
        assert reason is not None and reason.code == EXPIRED


def test_the_journal_never_reports_a_dose_outside_an_order_or_in_the_future(medicine_room: MedicineRoom) -> None:
    today = medicine_room.today
    for order in medicine_room.orders:
        if order.last_dispensed_on is not None:
            assert order.last_dispensed_on < today


# --- the bulk export ------------------------------------------------------------------------------


def test_bulk_counts_sum_to_the_total() -> None:
    assert bulk_counts(500_000) == {"borgere": 200_000, "sager": 150_000, "ordinationer": 100_000, "aftaler": 50_000}
    for total in (4, 7, 999, 12_345):
        assert sum(bulk_counts(total).values()) == total
    with pytest.raises(ValueError):
        bulk_counts(3)


def test_bulk_writer_produces_the_requested_rows(odense: Site, tmp_path: Path) -> None:
    paths = write_bulk_exports(tmp_path, TODAY, odense, rows_total=5_003)
    rows = {kind: read(path) for kind, path in zip(KINDS, paths)}
    assert {kind: len(r) for kind, r in rows.items()} == bulk_counts(5_003)
    assert sum(len(r) for r in rows.values()) == 5_003
    for kind, path in zip(KINDS, paths):
        assert path.name == f"{kind}_bulk.csv"
        assert path.read_bytes()[3:].split(b"\r\n", 1)[0].decode() == ";".join(HEADERS[kind])
    citizens = {row["borger_id"] for row in rows["borgere"]}
    numbers = [row["cpr"] for row in rows["borgere"] if row["cpr"]]
    assert len(numbers) == len(set(numbers))
    assert all(stdnum_cpr.is_valid(n) for n in numbers)
    for kind in ("sager", "ordinationer", "aftaler"):
        assert {row["borger_id"] for row in rows[kind]} <= citizens
    assert {row["afdeling"] for row in rows["sager"]} <= ODENSE_CASE_DEPARTMENTS
    anonymous = {row["borger_id"] for row in rows["borgere"] if not row["cpr"]}
    assert anonymous
    assert all(row["paragraf"] == "SEL101a" for row in rows["sager"] if row["borger_id"] in anonymous)
    assert not {row["borger_id"] for row in rows["ordinationer"]} & anonymous


def test_bulk_rows_stream_and_repeat(odense: Site) -> None:
    rows = iter_bulk_rows("borgere", 10**9, TODAY, 1)
    assert isinstance(rows, GeneratorType)  # inspect.isgenerator itself; its TypeIs types rows as object
    first = [next(rows) for _ in range(50)]  # a billion rows are never built
    again = iter_bulk_rows("borgere", 10**9, TODAY, 1)
    assert first == [next(again) for _ in range(50)]
    assert all(len(row) == len(HEADERS["borgere"]) for row in first)
    cases = list(iter_bulk_rows("sager", 300, TODAY, 1, citizens=40, site=odense))
    assert len(cases) == 300 and {row[1] for row in cases} <= {f"B{i:07d}" for i in range(40)}
    for kind in ("sager", "ordinationer", "aftaler"):  # every row as wide as its header
        rows = iter_bulk_rows(kind, 50, TODAY, 1, citizens=40, site=odense)
        assert {len(row) for row in rows} == {len(HEADERS[kind])}, kind
    with pytest.raises(ValueError):
        next(iter_bulk_rows("medicin", 1, TODAY))


def test_module_keeps_to_its_layer() -> None:
    modules = [importlib.import_module(m.name) for m in pkgutil.iter_modules(skranke.demo.__path__, "skranke.demo.")]
    assert {m.__name__ for m in modules} >= {"skranke.demo.bulk", "skranke.demo.scenario", "skranke.demo.names"}
    for module in modules:
        source = inspect.getsource(module)
        for forbidden in ("skranke.store", "sqlalchemy", "textual", "skranke.clock", "date.today", "datetime.now"):
            assert forbidden not in source, (module.__name__, forbidden)


def test_a_row_is_given_by_field_names_and_written_in_the_importers_column_order() -> None:
    row = file_row("aftaler", {"clinician": "Gitte Vang", "id": "A1", "citizen_id": "B1", "kind": "samtale"})
    assert row == ["A1", "B1", "", "", "samtale", "Gitte Vang"]  # afdeling and tidspunkt left empty
    with pytest.raises(ValueError, match="behandlerr"):
        file_row("aftaler", {"id": "A1", "behandlerr": "Gitte Vang"})  # a column name, not a field
