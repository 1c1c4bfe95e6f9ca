"""Deadlines: the 14-day guarantee, last open day, flags, follow-ups and plan reviews,
on the real Odense hours (data/sites/odense.toml) and a few site variants."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta

from skranke.domain import deadlines as dl
from skranke.domain.deadlines import (
    AppointmentFacts,
    CaseFacts,
    CountdownStatus,
    ExemptCase,
    FollowUp,
    FollowUpStatus,
    Overview,
    PlanReview,
    RequestDeadline,
    add_months,
    countdown_status,
    deadline_overview,
    evaluate_guarantee,
    follow_up_schedule,
    follow_ups_for_case,
    guarantee_deadline,
    plan_review_due,
    request_for_case,
)
from skranke.domain.hours import TIMEZONE, DepartmentHours, Interval, SiteHours
from skranke.domain.site import Rules, Site
from skranke.sites import load_site, load_site_hours

WEEKDAY_DEPARTMENTS = ("unge-og-rusmidler", "stabilisering", "stoffrihed")


@pytest.fixture(scope="module")
def site() -> Site:
    return load_site("odense")


@pytest.fixture(scope="module")
def hours() -> SiteHours:
    return load_site_hours("odense")


def case(
    case_id: str = "S1",
    contact: date = date(2026, 1, 5),
    *,
    department: str = "stabilisering",
    paragraph: str = "SEL101",
    citizen: str | None = None,
    **fields: Any,
) -> CaseFacts:
    return CaseFacts(
        case_id=case_id,
        citizen_id=citizen or f"B-{case_id}",
        department=department,
        paragraph=paragraph,
        contact_date=contact,
        **fields,
    )


def appointment(
    citizen: str,
    day: date,
    hh_mm: str,
    *,
    kind: str = "visitation",
    department: str = "stabilisering",
    appointment_id: str = "A1",
) -> AppointmentFacts:
    hour, minute = map(int, hh_mm.split(":"))
    return AppointmentFacts(
        appointment_id,
        citizen,
        department,
        datetime.combine(day, time(hour, minute), TIMEZONE),
        kind,
    )


def overview(
    site: Site,
    hours: SiteHours,
    today: date,
    cases: Iterable[CaseFacts],
    appointments: Iterable[AppointmentFacts] = (),
) -> Overview:
    return deadline_overview(cases, appointments, site, hours, today)


def only_request(
    site: Site, hours: SiteHours, today: date, the_case: CaseFacts, appointments: Iterable[AppointmentFacts] = ()
) -> RequestDeadline:
    result = overview(site, hours, today, [the_case], appointments)
    assert len(result.requests) == 1, result
    return result.requests[0]


# --- which cases carry the guarantee -------------------------------------------------------------


@pytest.mark.parametrize("paragraph", ["SEL101", "SUL142", "SUL141"])
def test_guaranteed_paragraphs_get_a_deadline_14_calendar_days_after_contact(
    site: Site, hours: SiteHours, paragraph: str
) -> None:
    row = only_request(site, hours, date(2026, 1, 5), case(paragraph=paragraph))
    assert row.paragraph == paragraph
    assert row.deadline == date(2026, 1, 19)
    assert row.days_left == 14
    assert row.status == "ok"


def test_anonymous_treatment_has_no_guarantee(site: Site, hours: SiteHours) -> None:
    result = overview(site, hours, date(2026, 1, 5), [case(paragraph="SEL101a", citizen="B7")])
    assert result.requests == ()
    assert result.exempt == (ExemptCase("S1", "B7", "anonymous"),)
    assert evaluate_guarantee(case(paragraph="SEL101a"), site.rules).deadline is None


def test_anonymous_wins_over_free_choice_and_over_a_site_listing_sel101a(site: Site) -> None:
    # 000 § 1.4.2: no guarantee and no free choice for anonymous treatment.
    rules = Rules(guarantee_paragraphs=("SEL101", "SEL101a"))
    result = evaluate_guarantee(case(paragraph="SEL101a", free_choice=True), rules)
    assert (result.state, result.exempt_reason) == ("exempt", "anonymous")


def test_free_choice_waives_the_deadline(site: Site, hours: SiteHours) -> None:
    result = overview(site, hours, date(2026, 1, 5), [case(free_choice=True, citizen="B8")])
    assert result.requests == ()
    assert result.exempt == (ExemptCase("S1", "B8", "free_choice_may_waive"),)


def test_paragraph_outside_the_sites_guarantee_is_neither_request_nor_exempt(site: Site, hours: SiteHours) -> None:
    assens_like = replace(site, rules=Rules(guarantee_paragraphs=("SEL101", "SUL142")))
    result = deadline_overview([case(paragraph="SUL141")], [], assens_like, hours, date(2026, 1, 5))
    assert result.requests == () and result.exempt == ()
    assert evaluate_guarantee(case(paragraph="SUL141"), assens_like.rules).state == "not_covered"


def test_exempt_cases_already_started_or_closed_are_not_listed(site: Site, hours: SiteHours) -> None:
    cases = [
        case("S1", paragraph="SEL101a", treatment_start=date(2026, 1, 8)),
        case("S2", free_choice=True, closed_on=date(2026, 1, 9), closing_status="andet tilbud"),
    ]
    assert overview(site, hours, date(2026, 1, 12), cases).exempt == ()


# --- met, late, closed ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "in_time"),
    [(date(2026, 1, 12), True), (date(2026, 1, 19), True), (date(2026, 1, 20), False)],
    ids=["early", "on-day-14", "day-15"],
)
def test_started_case_is_met_in_time_or_late_and_not_an_open_request(
    site: Site, hours: SiteHours, start: date, in_time: bool
) -> None:
    the_case = case(treatment_start=start)
    result = evaluate_guarantee(the_case, site.rules)
    assert (result.state, result.deadline, result.met_in_time) == (
        "met",
        date(2026, 1, 19),
        in_time,
    )
    assert overview(site, hours, date(2026, 1, 25), [the_case]).requests == ()


def test_case_closed_without_start_is_not_an_open_request(site: Site, hours: SiteHours) -> None:
    the_case = case(closed_on=date(2026, 1, 10), closing_status="udeblevet")
    assert evaluate_guarantee(the_case, site.rules).state == "closed"
    assert overview(site, hours, date(2026, 1, 25), [the_case]).requests == ()


def test_open_request_stays_open_past_the_deadline(site: Site, hours: SiteHours) -> None:
    assert evaluate_guarantee(case(), site.rules).state == "open"
    row = only_request(site, hours, date(2026, 1, 22), case())
    assert (row.days_left, row.status) == (-3, "overdue")


# --- thresholds ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_left", "status"),
    [(5, "ok"), (4, "ok"), (3, "warn"), (1, "warn"), (0, "warn"), (-1, "overdue")],
)
def test_status_thresholds_with_three_warning_days(site: Site, hours: SiteHours, days_left: int, status: str) -> None:
    # At the heroin clinic (open every day) the last open day is the deadline itself.
    today = date(2026, 2, 10)
    contact = today - timedelta(days=14) + timedelta(days=days_left)
    row = only_request(site, hours, today, case(contact=contact, department="heroinklinikken"))
    assert (row.days_left, row.status) == (days_left, status)
    assert countdown_status(days_left, site.rules) == status


def test_warning_days_come_from_the_site(site: Site, hours: SiteHours) -> None:
    strict = replace(site, rules=Rules(warning_days=0))
    today = date(2026, 2, 10)
    rows = deadline_overview(
        [case("S1", today - timedelta(days=13)), case("S2", today - timedelta(days=14))],
        [],
        strict,
        hours,
        today,
    ).requests
    assert [(r.case_id, r.days_left, r.status) for r in rows] == [
        ("S2", 0, "warn"),
        ("S1", 1, "ok"),
    ]


def test_deadline_is_calendar_days_from_the_site_rules(site: Site) -> None:
    assert guarantee_deadline(date(2026, 1, 31), site.rules) == date(2026, 2, 14)
    assert guarantee_deadline(date(2026, 1, 31), Rules(guarantee_days=10)) == date(2026, 2, 10)


# --- the last open day before the deadline -------------------------------------------------------


@pytest.mark.parametrize("department", WEEKDAY_DEPARTMENTS)
def test_anden_juledag_2025_last_open_day_of_weekday_departments_is_christmas_eve(
    site: Site, hours: SiteHours, department: str
) -> None:
    # Fri 2025-12-12 + 14 = Fri 2025-12-26 (Anden juledag, PH); 25 Dec is PH; 24 Dec is not a
    # public holiday and keeps the weekday hours (DESIGN §1's own example).
    row = only_request(site, hours, date(2025, 12, 15), case(contact=date(2025, 12, 12), department=department))
    assert row.deadline == date(2025, 12, 26)
    assert row.last_open_day == date(2025, 12, 24)
    assert "deadline_on_closed_day" in row.flags


def test_anden_juledag_2025_heroin_clinic_is_open_on_the_deadline_itself(site: Site, hours: SiteHours) -> None:
    row = only_request(
        site,
        hours,
        date(2025, 12, 15),
        case(contact=date(2025, 12, 12), department="heroinklinikken"),
    )
    assert row.last_open_day == date(2025, 12, 26)
    assert "deadline_on_closed_day" not in row.flags


def test_langfredag_2026_last_open_day_skips_skaertorsdag(site: Site, hours: SiteHours) -> None:
    # Fri 2026-03-20 + 14 = Langfredag 2026-04-03; Skærtorsdag 2026-04-02 is a holiday too.
    row = only_request(site, hours, date(2026, 3, 30), case(contact=date(2026, 3, 20)))
    assert row.deadline == date(2026, 4, 3)
    assert row.last_open_day == date(2026, 4, 1)
    assert "deadline_on_closed_day" in row.flags


def test_store_bededag_2023_was_closed(site: Site, hours: SiteHours) -> None:
    row = only_request(site, hours, date(2023, 5, 1), case(contact=date(2023, 4, 21)))
    assert row.deadline == date(2023, 5, 5)
    assert row.last_open_day == date(2023, 5, 4)
    assert "deadline_on_closed_day" in row.flags


def test_store_bededag_was_abolished_from_2024(site: Site, hours: SiteHours) -> None:
    row = only_request(site, hours, date(2024, 4, 22), case(contact=date(2024, 4, 12)))
    assert row.deadline == date(2024, 4, 26)
    assert row.last_open_day == date(2024, 4, 26)
    assert "deadline_on_closed_day" not in row.flags


def test_deadline_on_a_saturday_unge_og_rusmidler_last_open_day_is_friday(site: Site, hours: SiteHours) -> None:
    contact = date(2026, 1, 3)  # a Saturday; day 14 is Saturday 2026-01-17
    young = only_request(site, hours, date(2026, 1, 12), case(contact=contact, department="unge-og-rusmidler"))
    assert (young.deadline, young.last_open_day) == (date(2026, 1, 17), date(2026, 1, 16))
    assert "deadline_on_closed_day" in young.flags
    heroin = only_request(site, hours, date(2026, 1, 12), case(contact=contact, department="heroinklinikken"))
    assert heroin.last_open_day == date(2026, 1, 17)
    assert "deadline_on_closed_day" not in heroin.flags


def test_cached_last_open_day_agrees_with_department_hours(hours: SiteHours) -> None:
    lookup = dl._HoursLookup(hours)
    start = date(2025, 12, 1)
    for department, department_hours in hours.departments.items():
        for offset in range(150):  # Christmas, New Year, Easter 2026
            day = start + timedelta(days=offset)
            assert lookup.last_open_day(department, day) == (
                department_hours.last_open_day(day),
                False,
            )


def test_cached_open_check_agrees_with_state_at(hours: SiteHours) -> None:
    lookup = dl._HoursLookup(hours)
    days = [
        date(2026, 1, 8),
        date(2026, 1, 10),
        date(2025, 12, 24),
        date(2026, 4, 2),
    ]  # Thu, Sat, 24 Dec, PH
    for department, department_hours in hours.departments.items():
        for day in days:
            for minutes in range(0, 24 * 60, 15):
                moment = datetime.combine(day, time(0), TIMEZONE) + timedelta(minutes=minutes)
                expected = department_hours.state_at(moment).open_now is False
                assert lookup.closed_at(department, moment) == expected, (department, moment)


def test_unknown_hours_are_not_called_closed() -> None:
    # Odsherred writes its hours as "unknown" (the seed gives none): no last open day is
    # claimed, the request says so, and nothing is called closed.
    site, hours = load_site("odsherred"), load_site_hours("odsherred")
    the_case = case(contact=date(2026, 1, 3), department="rusmiddelteamet", personal_attendance_on=date(2026, 1, 3))
    row = deadline_overview(
        [the_case],
        [appointment(the_case.citizen_id, date(2026, 1, 10), "22:00", kind="læge", department="rusmiddelteamet")],
        site,
        hours,
        date(2026, 1, 12),
    ).requests[0]
    assert row.last_open_day is None
    assert row.flags == ("hours_unknown",)


def test_unknown_department_is_flagged_not_an_error(site: Site, hours: SiteHours) -> None:
    row = only_request(site, hours, date(2026, 1, 12), case(department="lukket-afdeling"))
    assert row.last_open_day is None
    assert row.flags == ("unknown_department", "no_appointment")


# --- flags from appointments ---------------------------------------------------------------------


def test_visitation_in_time_and_in_hours_raises_no_flag(site: Site, hours: SiteHours) -> None:
    the_case = case(contact=date(2026, 1, 5))  # deadline Mon 2026-01-19
    booked = [
        appointment(the_case.citizen_id, date(2026, 1, 8), "09:00"),
        appointment(the_case.citizen_id, date(2026, 1, 15), "16:00", kind="læge", appointment_id="A2"),
    ]
    assert only_request(site, hours, date(2026, 1, 6), the_case, booked).flags == ()


def test_no_visitation_or_doctor_appointment_is_flagged(site: Site, hours: SiteHours) -> None:
    the_case = case()
    talk = [appointment(the_case.citizen_id, date(2026, 1, 8), "09:00", kind="samtale")]
    earlier_course = [appointment(the_case.citizen_id, date(2025, 11, 3), "09:00")]
    assert only_request(site, hours, date(2026, 1, 6), the_case).flags == ("no_appointment",)
    assert only_request(site, hours, date(2026, 1, 6), the_case, talk).flags == ("no_appointment",)
    assert only_request(site, hours, date(2026, 1, 6), the_case, earlier_course).flags == ("no_appointment",)


def test_appointment_after_the_deadline_is_flagged(site: Site, hours: SiteHours) -> None:
    the_case = case(contact=date(2026, 1, 5))  # deadline Mon 2026-01-19
    on_deadline = [appointment(the_case.citizen_id, date(2026, 1, 19), "09:00")]
    day_after = [appointment(the_case.citizen_id, date(2026, 1, 20), "09:00")]
    assert only_request(site, hours, date(2026, 1, 6), the_case, on_deadline).flags == ()
    assert only_request(site, hours, date(2026, 1, 6), the_case, day_after).flags == ("appointment_after_deadline",)


@pytest.mark.parametrize(
    ("day", "hh_mm", "outside"),
    [
        (date(2026, 1, 8), "11:44", False),  # Thu 08:15-11:45
        (date(2026, 1, 8), "11:45", True),  # the interval has ended
        (date(2026, 1, 8), "13:00", True),  # between Thursday's intervals
        (date(2026, 1, 8), "15:30", False),  # Thursday afternoon
        (date(2026, 1, 9), "15:30", True),  # no afternoon on Friday
        (date(2026, 1, 10), "10:00", True),  # Saturday
    ],
)
def test_appointment_outside_the_departments_hours_is_flagged(
    site: Site, hours: SiteHours, day: date, hh_mm: str, outside: bool
) -> None:
    the_case = case(contact=date(2026, 1, 5))
    booked = [appointment(the_case.citizen_id, day, hh_mm)]
    flags = only_request(site, hours, date(2026, 1, 6), the_case, booked).flags
    assert ("appointment_outside_hours" in flags) is outside


def test_hours_are_those_of_the_appointments_department(site: Site, hours: SiteHours) -> None:
    the_case = case(contact=date(2026, 1, 5), department="stabilisering")
    saturday_at_the_clinic = [
        appointment(the_case.citizen_id, date(2026, 1, 10), "09:00", department="heroinklinikken")
    ]
    assert only_request(site, hours, date(2026, 1, 6), the_case, saturday_at_the_clinic).flags == ()


def test_appointment_times_are_read_in_copenhagen_time(site: Site, hours: SiteHours) -> None:
    the_case = case(contact=date(2026, 1, 5))  # deadline 2026-01-19
    # 23:30 UTC on the 19th is 00:30 on the 20th in Copenhagen: after the deadline, at night.
    utc_late = AppointmentFacts(
        "A1",
        the_case.citizen_id,
        "stabilisering",
        datetime(2026, 1, 19, 23, 30, tzinfo=UTC),
        "visitation",
    )
    flags = only_request(site, hours, date(2026, 1, 6), the_case, [utc_late]).flags
    assert flags == ("appointment_after_deadline", "appointment_outside_hours")


def test_flags_combine_in_a_stable_order(site: Site, hours: SiteHours) -> None:
    the_case = case(contact=date(2025, 12, 12))  # deadline on Anden juledag
    booked = [appointment(the_case.citizen_id, date(2025, 12, 27), "10:00")]  # Saturday, late
    row = only_request(site, hours, date(2025, 12, 15), the_case, booked)
    assert row.flags == (
        "deadline_on_closed_day",
        "appointment_after_deadline",
        "appointment_outside_hours",
    )
    assert list(row.flags) == [f for f in dl.FLAGS if f in row.flags]


def test_other_citizens_appointments_do_not_count(site: Site, hours: SiteHours) -> None:
    the_case = case(citizen="B1")
    someone_else = [appointment("B2", date(2026, 1, 30), "13:00")]
    assert only_request(site, hours, date(2026, 1, 6), the_case, someone_else).flags == ("no_appointment",)


# --- follow-ups after discharge ------------------------------------------------------------------


def test_follow_up_from_31_january_falls_on_the_last_day_of_february() -> None:
    rules = Rules()
    in_2026 = follow_up_schedule(case(closed_on=date(2026, 1, 31), closing_status="færdigbehandlet"), rules)
    in_2028 = follow_up_schedule(case(closed_on=date(2028, 1, 31), closing_status="færdigbehandlet"), rules)
    assert in_2026 == [(1, date(2026, 2, 28)), (6, date(2026, 7, 31))]
    assert in_2028 == [(1, date(2028, 2, 29)), (6, date(2028, 7, 31))]


@pytest.mark.parametrize("status", ["færdigbehandlet", "andet tilbud", "hospital", "anden årsag"])
def test_follow_up_statuses_get_follow_ups(status: str) -> None:
    assert len(follow_up_schedule(case(closed_on=date(2026, 3, 2), closing_status=status), Rules())) == 2


@pytest.mark.parametrize("status", ["udeblevet", "eget ønske", None])
def test_no_follow_up_after_dropping_out_or_own_wish_where_the_site_names_four_statuses(
    hours: SiteHours, status: str | None
) -> None:
    assens_like = replace(load_site("odense"), rules=load_site("assens").rules)
    the_case = case(closed_on=date(2026, 1, 31), closing_status=status)
    assert follow_up_schedule(the_case, assens_like.rules) == []
    assert overview(assens_like, hours, date(2026, 2, 27), [the_case]).follow_ups == ()


def test_odsherred_follow_ups_after_1_and_3_months_via_rules(hours: SiteHours) -> None:
    odsherred_rules = Rules(follow_up_months=(1, 3))
    the_case = case(closed_on=date(2026, 1, 31), closing_status="hospital")
    assert follow_up_schedule(the_case, odsherred_rules) == [
        (1, date(2026, 2, 28)),
        (3, date(2026, 4, 30)),
    ]
    odsherred_like = replace(load_site("odense"), rules=odsherred_rules)
    listed = deadline_overview([the_case], [], odsherred_like, hours, date(2026, 4, 28)).follow_ups
    assert [(f.months, f.due, f.status) for f in listed] == [
        (1, date(2026, 2, 28), "overdue"),
        (3, date(2026, 4, 30), "due"),
    ]


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (date(2026, 2, 24), "upcoming"),  # 4 days ahead
        (date(2026, 2, 25), "due"),  # 3 days ahead
        (date(2026, 2, 28), "due"),  # the day itself
        (date(2026, 3, 1), "overdue"),
    ],
)
def test_follow_up_status(today: date, status: FollowUpStatus) -> None:
    the_case = case(closed_on=date(2026, 1, 31), closing_status="færdigbehandlet", citizen="B9")
    assert follow_ups_for_case(the_case, Rules(), today)[0] == FollowUp("S1", "B9", date(2026, 2, 28), 1, status)


def test_overview_lists_follow_ups_ahead_and_recently_overdue_only(site: Site, hours: SiteHours) -> None:
    today = date(2026, 6, 15)
    cases = [
        # 1-month follow-up 2026-06-30: 15 days ahead, listed as upcoming.
        case("S-ahead", closed_on=date(2026, 5, 30), closing_status="færdigbehandlet"),
        # 1-month follow-up 2026-08-01: more than 30 days ahead, not yet listed.
        case("S-far", closed_on=date(2026, 7, 1), closing_status="færdigbehandlet"),
        # 1-month follow-up 2026-04-01: overdue by 2.5 months, still listed.
        case("S-late", closed_on=date(2026, 3, 1), closing_status="hospital"),
        # 1-month follow-up 2026-02-01: overdue by more than 3 months, dropped; its 6-month
        # follow-up (2026-07-01) is 16 days ahead.
        case("S-old", closed_on=date(2026, 1, 1), closing_status="anden årsag"),
    ]
    listed = overview(site, hours, today, cases).follow_ups
    assert [(f.case_id, f.months, f.due, f.status) for f in listed] == [
        ("S-late", 1, date(2026, 4, 1), "overdue"),
        ("S-ahead", 1, date(2026, 6, 30), "upcoming"),
        ("S-old", 6, date(2026, 7, 1), "upcoming"),
    ]


# --- plan reviews --------------------------------------------------------------------------------


def test_plan_review_six_months_after_start_or_last_review(site: Site) -> None:
    started = case(treatment_start=date(2025, 8, 31))
    reviewed = case(treatment_start=date(2025, 8, 31), plan_reviewed_on=date(2026, 1, 10))
    reviewed_before_start = case(treatment_start=date(2025, 8, 31), plan_reviewed_on=date(2025, 8, 20))
    assert plan_review_due(started, site.rules) == date(2026, 2, 28)
    assert plan_review_due(reviewed, site.rules) == date(2026, 7, 10)
    assert plan_review_due(reviewed_before_start, site.rules) == date(2026, 2, 28)
    assert plan_review_due(case(), site.rules) is None
    assert plan_review_due(case(treatment_start=date(2025, 8, 31), closed_on=date(2026, 1, 2)), site.rules) is None


@pytest.mark.parametrize(
    ("today", "status"),
    [(date(2026, 2, 24), "ok"), (date(2026, 2, 25), "warn"), (date(2026, 3, 1), "overdue")],
)
def test_plan_review_status(site: Site, hours: SiteHours, today: date, status: CountdownStatus) -> None:
    the_case = case(treatment_start=date(2025, 8, 31), citizen="B3")
    assert overview(site, hours, today, [the_case]).plan_reviews == (PlanReview("S1", "B3", date(2026, 2, 28), status),)


def test_plan_review_far_ahead_is_not_listed_and_overdue_stays(site: Site, hours: SiteHours) -> None:
    the_case = case(treatment_start=date(2025, 8, 31))
    assert overview(site, hours, date(2025, 12, 1), [the_case]).plan_reviews == ()
    assert overview(site, hours, date(2026, 12, 1), [the_case]).plan_reviews[0].status == "overdue"


def test_plan_review_months_come_from_the_site(site: Site) -> None:
    assert plan_review_due(case(treatment_start=date(2026, 1, 31)), Rules(plan_review_months=1)) == date(2026, 2, 28)


def test_month_arithmetic_clamps_to_the_end_of_the_month() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 3, 31), 6) == date(2026, 9, 30)


# --- the overview --------------------------------------------------------------------------------


def test_requests_sorted_by_days_left_then_contact_date_then_case_id(site: Site, hours: SiteHours) -> None:
    today = date(2026, 1, 12)
    cases = [
        case("S3", date(2026, 1, 10)),
        case("S2", date(2026, 1, 1)),
        case("S1", date(2026, 1, 1)),
        case("S0", date(2025, 12, 20)),
        case("S9", date(2026, 1, 10), treatment_start=date(2026, 1, 11)),
    ]
    rows = overview(site, hours, today, cases).requests
    assert [(r.case_id, r.days_left) for r in rows] == [
        ("S0", -9),
        ("S1", 3),
        ("S2", 3),
        ("S3", 12),
    ]


def test_json_contract(site: Site, hours: SiteHours) -> None:
    today = date(2025, 12, 15)
    cases = [
        case("S1", date(2025, 12, 12), citizen="B1"),
        case("S2", date(2025, 12, 1), paragraph="SEL101a", citizen="B2"),
        case(
            "S3",
            date(2025, 10, 1),
            citizen="B3",
            treatment_start=date(2025, 10, 5),
            closed_on=date(2025, 11, 30),
            closing_status="færdigbehandlet",
        ),
        case("S4", date(2025, 6, 1), citizen="B4", treatment_start=date(2025, 6, 10)),
    ]
    booked = [appointment("B1", date(2025, 12, 18), "09:00")]
    document = overview(site, hours, today, cases, booked).to_json_dict()
    assert document == {
        "as_of": "2025-12-15",
        "requests": [
            {
                "case_id": "S1",
                "citizen_id": "B1",
                "department": "stabilisering",
                "paragraph": "SEL101",
                "contact_date": "2025-12-12",
                "deadline": "2025-12-26",
                "days_left": 11,
                "status": "ok",
                "status_reason": "in_time",
                "last_open_day": "2025-12-24",
                "flags": ["deadline_on_closed_day"],
            }
        ],
        "exempt": [{"case_id": "S2", "citizen_id": "B2", "reason": "anonymous"}],
        "follow_ups": [
            {
                "case_id": "S3",
                "citizen_id": "B3",
                "due": "2025-12-30",
                "months": 1,
                "status": "upcoming",
                "flags": [],
            }
        ],
        "plan_reviews": [{"case_id": "S4", "citizen_id": "B4", "due": "2025-12-10", "status": "overdue"}],
        "medical_reviews": [],
        "complaints": [],
    }
    assert json.loads(json.dumps(document)) == document


def test_request_for_case_is_one_row_of_the_overview(site: Site, hours: SiteHours) -> None:
    the_case = case(contact=date(2026, 3, 20))
    booked = [appointment(the_case.citizen_id, date(2026, 4, 7), "09:00")]
    row = request_for_case(the_case, booked, site, hours, date(2026, 3, 23))
    assert row is not None
    assert (row.deadline, row.last_open_day) == (date(2026, 4, 3), date(2026, 4, 1))
    assert row.flags == ("deadline_on_closed_day", "appointment_after_deadline")
    assert request_for_case(case(free_choice=True), [], site, hours, date(2026, 3, 23)) is None


def test_hours_are_evaluated_once_per_department_and_day(
    site: Site, hours: SiteHours, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = 0
    original = type(hours["stabilisering"]).intervals_on

    def counting(self: DepartmentHours, day: date) -> list[Interval]:
        nonlocal calls
        calls += 1
        return original(self, day)

    monkeypatch.setattr(type(hours["stabilisering"]), "intervals_on", counting)
    today = date(2026, 1, 12)
    contacts = [today - timedelta(days=d) for d in range(10)]
    cases = [case(f"S{i}", contacts[i % 10], department=WEEKDAY_DEPARTMENTS[i % 3]) for i in range(3000)]
    booked = [appointment(c.citizen_id, c.contact_date + timedelta(days=3), "09:00") for c in cases]
    rows = overview(site, hours, today, cases, booked).requests
    assert len(rows) == 3000
    # At most every (department, day) between the earliest last open day and the latest
    # appointment or deadline: 3 departments x ~20 days, not thousands of evaluations.
    assert calls <= 3 * 25


# --- the database's pre-selection (listing_bounds) -------------------------------------------


@pytest.mark.parametrize("follow_up_months", [(1, 6), (1, 3)])
def test_listing_bounds_are_the_last_and_first_days_that_can_be_due_in_the_window(
    follow_up_months: tuple[int, int],
) -> None:
    """Every view day of three years, month ends and leap days among them: the bounds, less the
    margin, are exactly the days whose review or follow-up still falls in the window (the rules'
    month arithmetic never goes backwards, so every day beyond a bound falls outside)."""
    rules = Rules(follow_up_months=follow_up_months)
    margin = timedelta(days=dl.LISTING_MARGIN_DAYS)
    one = timedelta(days=1)
    for offset in range(3 * 366):
        today = date(2023, 1, 1) + timedelta(days=offset)
        horizon = today + timedelta(days=dl.AHEAD_DAYS)
        oldest = today - relativedelta(months=dl.FOLLOW_UP_OVERDUE_MONTHS)
        bounds = dl.listing_bounds(rules, today)
        last_review = bounds.reviewed_by - margin
        assert add_months(last_review, 6) <= horizon < add_months(last_review + one, 6), today
        assert bounds.closed_from is not None and bounds.closed_to is not None
        first_closed, last_closed = bounds.closed_from + margin, bounds.closed_to - margin
        assert oldest <= add_months(first_closed, max(follow_up_months)), today
        assert add_months(first_closed - one, max(follow_up_months)) < oldest, today
        assert add_months(last_closed, min(follow_up_months)) <= horizon, today
        assert add_months(last_closed + one, min(follow_up_months)) > horizon, today


def test_no_follow_ups_means_no_closed_case_is_selected() -> None:
    assert dl.listing_bounds(Rules(follow_up_statuses=()), date(2026, 4, 9)).closed_from is None
