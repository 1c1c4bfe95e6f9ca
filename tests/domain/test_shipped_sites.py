"""Every shipped site file (data/sites/*.toml) against what its seed says.

The expectations below are written from the seeds in ../shared/seeds/, not copied from the
TOML files, so a wrong hours string fails here. Where a seed is silent the row says so.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
from opening_hours import State

from skranke.domain.hours import TIMEZONE, parse_rule
from skranke.sites import load_site, load_site_hours, shipped_site_ids

# A reference week with no holidays, and a public holiday (Juledag, a Friday).
WEEK = {
    "Mo": date(2026, 11, 23),
    "Tu": date(2026, 11, 24),
    "We": date(2026, 11, 25),
    "Th": date(2026, 11, 26),
    "Fr": date(2026, 11, 27),
    "Sa": date(2026, 11, 28),
    "Su": date(2026, 11, 29),
    "PH": date(2026, 12, 25),
}

CLOSED: list[tuple[str, str]] = []
# The seed gives no times: the rule must say `unknown` (neither open nor closed) all day.
UNKNOWN = "unknown"
# A day's expected hours: its intervals, or UNKNOWN.
Hours = list[tuple[str, str]] | str


def weekdays(
    mo: Hours, tu: Hours, we: Hours, th: Hours, fr: Hours, sa: Hours = CLOSED, su: Hours = CLOSED, ph: Hours = CLOSED
) -> dict[str, Hours]:
    """Hours per day of WEEK. Weekend and public holiday default to closed."""
    return {"Mo": mo, "Tu": tu, "We": we, "Th": th, "Fr": fr, "Sa": sa, "Su": su, "PH": ph}


def every_day(hours: Hours) -> dict[str, Hours]:
    return dict.fromkeys(WEEK, hours)


# Weekday departments: the seeds give Monday-Friday hours only. Closing them on public
# holidays (PH) is the choice written in each site file, like Odense's; the seeds say nothing.
_STABILISERING = [("08:15", "11:45")]
_GLADSAXE = [("09:00", "14:00")]
_GLADSAXE_MONDAY_FROM_2023 = [("09:00", "20:00")]  # 003 afsnit 5: "udvider ... i 2023 til kl. 20.00 om mandagen"
_GLADSAXE_THURSDAY = [("09:00", "18:00")]

EXPECTED_HOURS: dict[str, dict[str, dict[str, Hours]]] = {
    "odense": {
        # 000 § 5.1: Mon-Wed 08.00-15.20, Thu 08.00-17.30, Fri 08.00-13.00, Sat-Sun closed.
        "unge-og-rusmidler": weekdays(
            [("08:00", "15:20")], [("08:00", "15:20")], [("08:00", "15:20")], [("08:00", "17:30")], [("08:00", "13:00")]
        ),
        # 000 § 5.2: Mon, Tue, Wed, Fri 8.15-11.45; Thu 8.15-11.45 and 15.00-17.00.
        "stabilisering": weekdays(
            _STABILISERING, _STABILISERING, _STABILISERING, _STABILISERING + [("15:00", "17:00")], _STABILISERING
        ),
        # 000 § 5.3: Mon, Tue, Wed, Fri 8.00-15.00; Thu 8.00-17.00.
        "stoffrihed": weekdays(
            [("08:00", "15:00")], [("08:00", "15:00")], [("08:00", "15:00")], [("08:00", "17:00")], [("08:00", "15:00")]
        ),
        # 000 § 5.4 "Mandag - Søndag"; 001 "Alle ugens dage: kl. 8.15-11.30, kl. 14.30-17.15";
        # citizens attend once or twice daily, so holidays too.
        "heroinklinikken": every_day([("08:15", "11:30"), ("14:30", "17:15")]),
        # 001: "Sundhedsrummet (medicinudlevering) har åbent alle dage om året: kl. 8.15-11.15,
        # kl. 14.30-17.00".
        "medicinudlevering": every_day([("08:15", "11:15"), ("14:30", "17:00")]),
    },
    "gladsaxe": {
        # 003 afsnit 5, each offer's "Åbningstider": Mon-Wed 9.00-14.00, Thu 9.00-18.00,
        # Fri 9.00-14.00; Monday until 20.00 from 2023.
        department: weekdays(_GLADSAXE_MONDAY_FROM_2023, _GLADSAXE, _GLADSAXE, _GLADSAXE_THURSDAY, _GLADSAXE)
        for department in ("unge-under-25", "voksne-over-25", "saerligt-udsatte", "anonym")
    }
    | {
        # 003 afsnit 3.2.1: "daglig åben for medicinudlevering", no times.
        "medicinudlevering": every_day(UNKNOWN),
    },
    "assens": {
        # 002 gives no hours for the centre nor for Myndighed Social (address in afsnit 12).
        "misbrugscenter": every_day(UNKNOWN),
        "myndighed-social": every_day(UNKNOWN),
    },
    "odsherred": {
        # 004 gives the address (Sygehusvej 5) but no hours.
        "rusmiddelteamet": every_day(UNKNOWN),
    },
}

# 14 days everywhere; follow-up after 1 and 6 months (000, 002, 003), 1 and 3 in Odsherred (004).
EXPECTED_FOLLOW_UP_MONTHS = {"odense": (1, 6), "gladsaxe": (1, 6), "assens": (1, 6), "odsherred": (1, 3)}

SHIPPED = shipped_site_ids()
DEPARTMENTS = [(site, department) for site in SHIPPED for department in EXPECTED_HOURS.get(site, {})]


def hours_on(site_id: str, department_id: str, day: date) -> list[tuple[str, str]]:
    intervals = load_site_hours(site_id)[department_id].intervals_on(day)
    return [(i.start.strftime("%H:%M"), i.end.strftime("%H:%M")) for i in intervals]


def states_on(site_id: str, department_id: str, day: date) -> set[State]:
    """Every state the department's full rule (with exceptions) takes during the day."""
    rule = parse_rule(load_site_hours(site_id)[department_id].rule, department_id)
    start = datetime.combine(day, time(0), TIMEZONE)
    return {state for _begin, _end, state, _comment in rule.intervals(start, start + timedelta(days=1))}


def test_the_four_municipalities_are_shipped() -> None:
    assert set(SHIPPED) == {"odense", "gladsaxe", "assens", "odsherred"}


@pytest.mark.parametrize("site_id", SHIPPED)
def test_site_loads_with_named_departments(site_id: str) -> None:
    site = load_site(site_id)
    assert site.id == site_id  # the file name is the id `--site` takes
    assert site.name.strip() and site.municipality.strip()
    assert len(site.departments) >= 1
    # The table above covers every department, so a new one needs its expectations written.
    assert {d.id for d in site.all_departments()} == set(EXPECTED_HOURS[site_id])


@pytest.mark.parametrize(("site_id", "department_id"), DEPARTMENTS)
def test_department_has_a_name_an_address_or_a_note_why_not_and_a_seed_source(site_id: str, department_id: str) -> None:
    department = load_site(site_id).department(department_id)
    assert department.name.strip()
    assert department.address.strip() or "adresse" in department.note.lower()
    # Every department says which seed file it comes from (000-004).
    assert re.match(r"00[0-4]\b", department.source), department.source


@pytest.mark.parametrize("day_name", list(WEEK))
@pytest.mark.parametrize(("site_id", "department_id"), DEPARTMENTS)
def test_hours_follow_the_seed(site_id: str, department_id: str, day_name: str) -> None:
    day = WEEK[day_name]
    expected = EXPECTED_HOURS[site_id][department_id][day_name]
    if expected == UNKNOWN:
        assert states_on(site_id, department_id, day) == {State.UNKNOWN}
        assert hours_on(site_id, department_id, day) == []
    else:
        assert hours_on(site_id, department_id, day) == expected


@pytest.mark.parametrize("department_id", ["unge-under-25", "voksne-over-25", "saerligt-udsatte", "anonym"])
def test_gladsaxe_opens_until_20_on_mondays_from_2023_only(department_id: str) -> None:
    # 003 afsnit 5: "udvider åbningstiden i 2023 til kl. 20.00 om mandagen" (taken from 1 Jan).
    assert hours_on("gladsaxe", department_id, date(2022, 12, 26)) == []  # Anden juledag
    assert hours_on("gladsaxe", department_id, date(2022, 11, 21)) == [("09:00", "14:00")]
    assert hours_on("gladsaxe", department_id, date(2023, 1, 2)) == [("09:00", "20:00")]
    assert hours_on("gladsaxe", department_id, date(2023, 1, 3)) == [("09:00", "14:00")]  # Tuesday


@pytest.mark.parametrize("site_id", SHIPPED)
def test_rules_follow_the_seed(site_id: str) -> None:
    rules = load_site(site_id).rules
    assert rules.guarantee_days == 14
    assert {"SEL101", "SUL142"} <= set(rules.guarantee_paragraphs)
    assert "SEL101a" not in rules.guarantee_paragraphs  # no guarantee for anonymous treatment
    assert rules.follow_up_months == EXPECTED_FOLLOW_UP_MONTHS[site_id]
    assert rules.plan_review_months == 6


def test_odsherred_guarantees_alcohol_too_and_counts_from_personal_appearance() -> None:
    # 004 "Behandlingsgaranti": alcohol (SUL § 141) and drugs; the 14 days run from when the
    # citizen "personligt møder op i teamet med et udtrykt ønske om behandling".
    rules = load_site("odsherred").rules
    assert "SUL141" in rules.guarantee_paragraphs
    assert "personligt fremmøde" in rules.clock_start
