"""Opening hours: the Odense site file evaluated on days that matter at the front desk, and
site files with dated exceptions and mistakes (written to tmp_path)."""

from __future__ import annotations

import textwrap
from datetime import date, datetime, time, timedelta
from pathlib import Path

import holidays
import pytest
from opening_hours import State

from skranke.domain.hours import (
    TIMEZONE,
    DepartmentHours,
    SiteHours,
    holiday_name,
    is_public_holiday,
    parse_rule,
)
from skranke.sites import SiteError, load_site_hours

WEEKDAY_DEPARTMENTS = ("unge-og-rusmidler", "stabilisering", "stoffrihed")
MEDICINE_ROOM = [("08:15", "11:15"), ("14:30", "17:00")]  # 001: "alle dage om året"
HEROIN_CLINIC = [("08:15", "11:30"), ("14:30", "17:15")]  # 001: "alle ugens dage"


def at(day: date, hh_mm: str) -> datetime:
    hour, minute = map(int, hh_mm.split(":"))
    return datetime.combine(day, time(hour, minute), TIMEZONE)


def hours_on(hours: DepartmentHours, day: date) -> list[tuple[str, str]]:
    """A day's open intervals as ("08:15", "11:45") pairs: easy to read in an assertion."""
    return [(i.start.strftime("%H:%M"), i.end.strftime("%H:%M")) for i in hours.intervals_on(day)]


@pytest.fixture(scope="module")
def odense() -> SiteHours:
    return load_site_hours("odense")


# --- Public holidays and special days -------------------------------------------------------


def test_anden_paaskedag_closes_weekday_departments_but_not_the_daily_services(odense: SiteHours) -> None:
    day = date(2026, 4, 6)
    assert holiday_name(day) == "Anden påskedag"
    for department in WEEKDAY_DEPARTMENTS:
        assert hours_on(odense[department], day) == [], department
    assert hours_on(odense["medicinudlevering"], day) == MEDICINE_ROOM
    assert hours_on(odense["heroinklinikken"], day) == HEROIN_CLINIC


def test_store_bededag_2023_is_a_holiday_but_abolished_from_2024(odense: SiteHours) -> None:
    # Store bededag (4th Friday after Easter) was a public holiday until 2023.
    assert holiday_name(date(2023, 5, 5)) == "Store bededag"
    for department in WEEKDAY_DEPARTMENTS:
        assert hours_on(odense[department], date(2023, 5, 5)) == [], department
    # Its date in 2024 is an ordinary Friday: Stabilisering has only its morning on Fridays.
    friday = date(2024, 4, 26)
    assert holiday_name(friday) is None
    assert hours_on(odense["stabilisering"], friday) == [("08:15", "11:45")]
    assert hours_on(odense["stoffrihed"], friday) == [("08:00", "15:00")]
    assert hours_on(odense["unge-og-rusmidler"], friday) == [("08:00", "13:00")]


def test_weekday_departments_close_on_exactly_the_danish_public_holidays(odense: SiteHours) -> None:
    # Two holiday sources are in play: opening-hours-py's own PH data (which closes the
    # department) and the `holidays` package (which names the day). They must agree, or the
    # screen would say "Juledag" above a department shown as open. Stoffrihed is open every
    # weekday except PH, so it shows every disagreement.
    first, last = date(2023, 1, 1), date(2027, 12, 31)
    # One pass over the five years with the compiled rule, rather than a query per day.
    rule = parse_rule(odense["stoffrihed"].rule, "stoffrihed")
    open_days = {
        begin.date()
        for begin, _end, state, _comment in rule.intervals(at(first, "00:00"), at(last + timedelta(days=1), "00:00"))
        if state == State.OPEN
    }
    # The same calendar is_public_holiday() reads, built once (it builds one per call).
    public_holidays = holidays.country_holidays("DK", years=range(first.year, last.year + 1), categories=("public",))
    expected_open_days = {
        day
        for day in (first + timedelta(days=n) for n in range((last - first).days + 1))
        if day.weekday() < 5 and day not in public_holidays
    }
    assert open_days == expected_open_days, {d: holiday_name(d) for d in open_days ^ expected_open_days}


def test_christmas_eve_is_named_but_keeps_the_weekday_hours(odense: SiteHours) -> None:
    # Not a public holiday, and the seeds give no other hours: a Thursday like any other
    # (a closure would be a dated exception in the site file).
    christmas_eve = date(2026, 12, 24)
    assert holiday_name(christmas_eve) == "Juleaftensdag"
    assert not is_public_holiday(christmas_eve)
    assert hours_on(odense["stabilisering"], christmas_eve) == [("08:15", "11:45"), ("15:00", "17:00")]
    assert hours_on(odense["medicinudlevering"], christmas_eve) == MEDICINE_ROOM
    assert hours_on(odense["heroinklinikken"], christmas_eve) == HEROIN_CLINIC


def test_next_opening_after_christmas_eve_skips_the_holidays_and_sunday(odense: SiteHours) -> None:
    # After Thu 24 Dec's last interval: Fri 25 Juledag and Sat 26 Anden juledag (PH, and 26
    # is a Saturday anyway), Sun 27 no hours: the next opening is Monday 28 Dec at 08:15.
    assert odense["stabilisering"].next_opening(at(date(2026, 12, 24), "17:30")) == at(date(2026, 12, 28), "08:15")


# --- An ordinary week -----------------------------------------------------------------------


def test_thursday_has_a_morning_and_an_afternoon_interval(odense: SiteHours) -> None:
    thursday = date(2026, 4, 9)  # the Thursday after Easter: an ordinary day
    assert holiday_name(thursday) is None
    assert hours_on(odense["stabilisering"], thursday) == [("08:15", "11:45"), ("15:00", "17:00")]


def test_state_in_the_thursday_gap_is_closed_and_opens_later_today(odense: SiteHours) -> None:
    thursday = date(2026, 4, 9)
    state = odense["stabilisering"].state_at(at(thursday, "13:00"))
    assert not state.open_now
    assert state.closes_at is None
    assert state.opens_at == at(thursday, "15:00")
    assert state.opens_later_today


def test_state_in_the_morning_is_open_until_11_45(odense: SiteHours) -> None:
    state = odense["stabilisering"].state_at(at(date(2026, 4, 9), "10:00"))
    assert state.open_now
    assert state.closes_at == at(date(2026, 4, 9), "11:45")
    assert state.opens_at is None
    assert not state.opens_later_today


def test_saturday_weekday_departments_closed_and_next_opening_is_monday(odense: SiteHours) -> None:
    saturday, monday = date(2026, 11, 28), date(2026, 11, 30)
    expected_first_opening = {"unge-og-rusmidler": "08:00", "stabilisering": "08:15", "stoffrihed": "08:00"}
    for department, opens in expected_first_opening.items():
        assert hours_on(odense[department], saturday) == [], department
        state = odense[department].state_at(at(saturday, "10:00"))
        assert not state.open_now
        assert not state.opens_later_today
        assert state.opens_at == at(monday, opens), department
    # The services open every day are open on Saturday too.
    assert hours_on(odense["medicinudlevering"], saturday) == MEDICINE_ROOM


def test_last_open_day_before_anden_juledag_is_christmas_eve(odense: SiteHours) -> None:
    # Fri 2025-12-26 Anden juledag and Thu 25 Juledag are public holidays; Wed 24 Dec is an
    # ordinary Wednesday (DESIGN §1's example).
    assert odense["stabilisering"].last_open_day(date(2025, 12, 26)) == date(2025, 12, 24)
    # A department open on holidays is open on the day itself.
    assert odense["heroinklinikken"].last_open_day(date(2025, 12, 26)) == date(2025, 12, 26)


# --- Site files with dated exceptions and mistakes ------------------------------------------


def write_site(tmp_path: Path, body: str, name: str = "testsite.toml") -> Path:
    """A minimal site file; `body` adds departments, exceptions, ..."""
    path = tmp_path / name
    header = 'id = "testsite"\nname = "Testcenter"\nmunicipality = "Testkommune"\n'
    path.write_text(header + textwrap.dedent(body), encoding="utf-8")
    return path


TWO_DEPARTMENTS = """
    [[departments]]
    id = "raadgivning"
    name = "Rådgivning"
    address = "Testvej 1"
    hours = "Mo-Fr 08:00-16:00; PH off"

    [[departments]]
    id = "udlevering"
    name = "Udlevering"
    address = "Testvej 1"
    hours = "Mo-Su,PH 08:00-12:00"
"""


def test_dated_exceptions_change_only_their_day(tmp_path: Path) -> None:
    path = write_site(
        tmp_path,
        TWO_DEPARTMENTS
        + """
    [[exceptions]]
    date = 2026-11-24
    reason = "Personaledag"

    [[exceptions]]
    date = 2026-11-25
    reason = "Kursus om eftermiddagen"
    hours = "10:00-12:00"
    departments = ["raadgivning"]

    [[exceptions]]
    date = 2026-12-25
    reason = "Åbent juledag for nye henvendelser"
    hours = "10:00-12:00"
    departments = ["raadgivning"]
    """,
    )
    hours = load_site_hours(str(path))
    counselling, dispensing = hours["raadgivning"], hours["udlevering"]

    # A closure without departments closes every department, that day only.
    assert hours_on(counselling, date(2026, 11, 24)) == []
    assert hours_on(dispensing, date(2026, 11, 24)) == []
    assert counselling.reasons[date(2026, 11, 24)] == "Personaledag"
    assert hours_on(counselling, date(2026, 11, 23)) == [("08:00", "16:00")]

    # Other hours for one department: that department, that day.
    assert hours_on(counselling, date(2026, 11, 25)) == [("10:00", "12:00")]
    assert hours_on(dispensing, date(2026, 11, 25)) == [("08:00", "12:00")]
    assert hours_on(counselling, date(2026, 11, 26)) == [("08:00", "16:00")]
    assert date(2026, 11, 25) not in dispensing.reasons

    # An exception wins over the regular rule's "PH off".
    assert hours_on(counselling, date(2026, 12, 25)) == [("10:00", "12:00")]
    assert hours_on(counselling, date(2026, 12, 26)) == []

    # The live state sees the exception: closed on the staff day, opening at 10 the next day.
    state = counselling.state_at(at(date(2026, 11, 24), "09:00"))
    assert not state.open_now
    assert state.opens_at == at(date(2026, 11, 25), "10:00")


def test_malformed_hours_name_the_file_the_department_and_the_column(tmp_path: Path) -> None:
    bad_rule = "Mo-Fr 08:00-1x:00"
    column = bad_rule.index("1x") + 1  # 1-based: the parser stops at the "1x" of the end time
    assert column == 13
    path = write_site(
        tmp_path,
        f"""
    [[departments]]
    id = "stoffrihed"
    name = "Stoffrihed"
    address = "Testvej 1"
    hours = "{bad_rule}"
    """,
    )
    with pytest.raises(SiteError) as error:
        load_site_hours(str(path))
    message = str(error.value)
    assert str(path.resolve()) in message
    assert "stoffrihed" in message
    assert f"line 1, column {column}" in message


def test_exception_for_an_unknown_department_is_a_site_error(tmp_path: Path) -> None:
    path = write_site(
        tmp_path,
        TWO_DEPARTMENTS
        + """
    [[exceptions]]
    date = 2026-11-24
    reason = "Personaledag"
    departments = ["findes-ikke"]
    """,
    )
    with pytest.raises(SiteError) as error:
        load_site_hours(str(path))
    message = str(error.value)
    assert str(path.resolve()) in message
    assert "findes-ikke" in message
    assert "2026-11-24" in message


def test_duplicate_department_ids_are_a_site_error(tmp_path: Path) -> None:
    path = write_site(
        tmp_path,
        TWO_DEPARTMENTS
        + """
    [[departments]]
    id = "udlevering"
    name = "Udlevering igen"
    hours = "Mo-Fr 08:00-12:00"
    """,
    )
    with pytest.raises(SiteError) as error:
        load_site_hours(str(path))
    message = str(error.value)
    assert str(path.resolve()) in message
    assert "udlevering" in message
    assert "twice" in message


def test_invalid_toml_is_a_site_error_naming_the_file(tmp_path: Path) -> None:
    path = write_site(tmp_path, '[[departments]]\nid = "uden-slut-anførselstegn\n')
    with pytest.raises(SiteError) as error:
        load_site_hours(str(path))
    message = str(error.value)
    assert str(path.resolve()) in message
    assert "ikke gyldig TOML i linje" in message  # the interface language, with where


def test_the_shipped_holiday_table_is_the_holidays_library_for_every_year_in_it() -> None:
    # The table spares the first frame the library's import; it must never drift from it.
    from skranke.domain.danish_holidays import calendar, from_library
    from skranke.domain.danish_holidays_table import FIRST_YEAR, LAST_YEAR

    assert FIRST_YEAR <= 2026 <= LAST_YEAR - 40
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        assert calendar(year) == from_library(year), year


def test_a_year_outside_the_table_is_asked_of_the_library() -> None:
    from skranke.domain.danish_holidays_table import LAST_YEAR

    assert holiday_name(date(LAST_YEAR + 1, 12, 25)) == "Juledag"
    assert is_public_holiday(date(LAST_YEAR + 1, 12, 26))
    assert not is_public_holiday(date(LAST_YEAR + 1, 12, 24))
