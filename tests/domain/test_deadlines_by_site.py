"""Frister as the seeds say it: the status counted to the last open day on every holiday cluster
of 2023-2027 at each Odense department, and each site setting on each shipped site."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, fields
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest

from skranke.domain.deadlines import (
    AppointmentFacts,
    CaseFacts,
    ExemptCase,
    Overview,
    RequestDeadline,
    deadline_overview,
    follow_up_schedule,
    request_status,
)
from skranke.domain.hours import TIMEZONE
from skranke.domain.site import Rules, parse, parse_site
from skranke.sites import load_site, load_site_hours, shipped_site_ids

SITES = shipped_site_ids()
# A department of each site where a request can wait.
DEPARTMENT = {
    "odense": "stabilisering",
    "gladsaxe": "voksne-over-25",
    "assens": "misbrugscenter",
    "odsherred": "rusmiddelteamet",
}
WEEKDAY_DEPARTMENTS = ("unge-og-rusmidler", "stabilisering", "stoffrihed")


@pytest.fixture(scope="module", params=SITES)
def site_id(request: pytest.FixtureRequest) -> str:
    site: str = request.param
    return site


def case(
    contact: date = date(2026, 3, 2),
    *,
    department: str = "stabilisering",
    paragraph: str = "SEL101",
    case_id: str = "S1",
    **fields: Any,
) -> CaseFacts:
    # Came in person on the day of the request, unless a test says otherwise: Odsherred's clock
    # starts there (004), and the other rules here are read from a running clock.
    fields.setdefault("personal_attendance_on", contact)
    return CaseFacts(case_id, f"B-{case_id}", department, paragraph, contact, **fields)


def booked(citizen: str, day: date, hh_mm: str, kind: str, department: str) -> AppointmentFacts:
    hour, minute = map(int, hh_mm.split(":"))
    return AppointmentFacts("A1", citizen, department, datetime.combine(day, time(hour, minute), TIMEZONE), kind)


def requests(
    site_id: str, today: date, cases: Iterable[CaseFacts], appointments: Iterable[AppointmentFacts] = ()
) -> Overview:
    return deadline_overview(cases, appointments, load_site(site_id), load_site_hours(site_id), today)


def only_request(
    site_id: str, today: date, the_case: CaseFacts, appointments: Iterable[AppointmentFacts] = ()
) -> RequestDeadline:
    rows = requests(site_id, today, [the_case], appointments).requests
    assert len(rows) == 1, rows
    return rows[0]


# --- the status rule on the holiday clusters (Odense's real hours) -----------------------------

# (deadline, the last day the weekday departments are open on or before it). The heroin clinic
# is open every day, public holidays too, so its last open day is the deadline itself.
# Juleaftensdag, Nytårsaften and Grundlovsdag are not public holidays: weekday hours.
CLUSTERS = {
    "easter-2025-anden-paaskedag": (date(2025, 4, 21), date(2025, 4, 16)),
    "easter-2026-anden-paaskedag": (date(2026, 4, 6), date(2026, 4, 1)),
    "easter-2027-anden-paaskedag": (date(2027, 3, 29), date(2027, 3, 24)),
    "easter-2026-langfredag": (date(2026, 4, 3), date(2026, 4, 1)),
    "christmas-2025-anden-juledag": (date(2025, 12, 26), date(2025, 12, 24)),
    "christmas-2026-anden-juledag-saturday": (date(2026, 12, 26), date(2026, 12, 24)),
    "christmas-2027-anden-juledag-sunday": (date(2027, 12, 26), date(2027, 12, 24)),
    "new-year-2026": (date(2026, 1, 1), date(2025, 12, 31)),
    "new-year-2027": (date(2027, 1, 1), date(2026, 12, 31)),
    "store-bededag-2023": (date(2023, 5, 5), date(2023, 5, 4)),
    "store-bededag-2024-abolished": (date(2024, 4, 26), date(2024, 4, 26)),
    "kristi-himmelfart-2025": (date(2025, 5, 29), date(2025, 5, 28)),
    "kristi-himmelfart-2026": (date(2026, 5, 14), date(2026, 5, 13)),
    "kristi-himmelfart-2027": (date(2027, 5, 6), date(2027, 5, 5)),
    "anden-pinsedag-2025": (date(2025, 6, 9), date(2025, 6, 6)),
    "anden-pinsedag-2026": (date(2026, 5, 25), date(2026, 5, 22)),
    "anden-pinsedag-2027": (date(2027, 5, 17), date(2027, 5, 14)),
    "grundlovsdag-2025-thursday": (date(2025, 6, 5), date(2025, 6, 5)),
    "grundlovsdag-2026-friday": (date(2026, 6, 5), date(2026, 6, 5)),
    "grundlovsdag-2027-saturday": (date(2027, 6, 5), date(2027, 6, 4)),
}
ODENSE_DEPARTMENTS = (*WEEKDAY_DEPARTMENTS, "heroinklinikken")


def expected_last_open_day(department: str, deadline: date, weekday_last_open: date) -> date:
    return deadline if department == "heroinklinikken" else weekday_last_open


@pytest.mark.parametrize("department", ODENSE_DEPARTMENTS)
@pytest.mark.parametrize("cluster", CLUSTERS)
def test_status_counts_to_the_last_open_day_on_every_holiday_cluster(cluster: str, department: str) -> None:
    deadline, weekday_last_open = CLUSTERS[cluster]
    last_open = expected_last_open_day(department, deadline, weekday_last_open)
    the_case = case(deadline - timedelta(days=14), department=department)

    def at(today: date) -> RequestDeadline:
        row = only_request("odense", today, the_case)
        assert (row.deadline, row.last_open_day) == (deadline, last_open)
        assert row.days_left == (deadline - today).days  # calendar days to the legal deadline
        return row

    # Four days before the last open day: still ok; three: warn (the site's warning days).
    assert (at(last_open - timedelta(days=4)).status, at(last_open - timedelta(days=4)).status_reason) == (
        "ok",
        "in_time",
    )
    soon = at(last_open - timedelta(days=3))
    assert (soon.status, soon.status_reason) == ("warn", "last_open_day_soon")
    # The last open day itself: the last chance, whatever the calendar says.
    today = at(last_open)
    assert (today.status, today.status_reason) == ("warn", "last_open_day_today")
    assert "last_open_day_passed" not in today.flags
    if last_open < deadline:
        # Every day after it up to and with the deadline: overdue, though days are left.
        for gap in range(1, (deadline - last_open).days + 1):
            row = at(last_open + timedelta(days=gap))
            assert row.days_left is not None and row.days_left >= 0
            assert (row.status, row.status_reason) == ("overdue", "last_open_day_passed")
            assert row.flags[:2] == ("last_open_day_passed", "offer_other_provider")
    after = at(deadline + timedelta(days=1))
    assert (after.status, after.status_reason) == ("overdue", "deadline_passed")
    assert "last_open_day_passed" not in after.flags  # the calendar deadline says it already
    assert "offer_other_provider" in after.flags


def test_anden_paaskedag_2026_at_stabilisering_is_overdue_not_soon() -> None:
    # The issue's own example: due on Anden påskedag, last open day Wednesday 1 April.
    row = only_request("odense", date(2026, 4, 6), case(date(2026, 3, 23)))
    assert (row.days_left, row.status, row.last_open_day) == (0, "overdue", date(2026, 4, 1))
    assert row.flags[0] == "last_open_day_passed"


@pytest.mark.parametrize(
    ("last_open", "warning_days", "status"),
    [
        (date(2026, 4, 10), 3, ("ok", "in_time")),
        (date(2026, 4, 9), 3, ("warn", "last_open_day_soon")),
        (date(2026, 4, 6), 0, ("warn", "last_open_day_today")),  # today counts, even with 0 days
        (date(2026, 4, 7), 0, ("ok", "in_time")),
        (date(2026, 4, 5), 3, ("overdue", "last_open_day_passed")),
        (None, 3, ("ok", "in_time")),  # hours unknown: the calendar deadline counts
    ],
)
def test_request_status_rule(last_open: date, warning_days: int, status: tuple[str, str]) -> None:
    rules = Rules(warning_days=warning_days)
    assert request_status(date(2026, 4, 10), last_open, date(2026, 4, 6), rules) == status


def test_without_a_last_open_day_the_calendar_deadline_warns_and_passes() -> None:
    rules = Rules()
    assert request_status(date(2026, 4, 9), None, date(2026, 4, 6), rules) == ("warn", "deadline_soon")
    assert request_status(date(2026, 4, 5), None, date(2026, 4, 6), rules) == ("overdue", "deadline_passed")


# --- each setting on each shipped site ---------------------------------------------------------


def test_every_rule_of_every_shipped_site_names_its_source(site_id: str) -> None:
    rules = load_site(site_id).rules
    settings = [
        name for name in (f.name for f in fields(Rules)) if not name.endswith("_source") and name != "clock_start"
    ]
    missing = [name for name in settings if not getattr(rules, f"{name}_source").strip()]
    assert missing == []
    assert rules.free_choice_source.strip() and rules.clock_start_source.strip()


# Which appointment kinds must lie within the guarantee: Odense the visitation (000 § 4.2),
# Gladsaxe visitation and doctor's talk (003 § 2.2), Odsherred the doctor's talk (004, SUL § 142
# stk. 2), Assens none (002 afsnit 6 names only the start of treatment).
GUARANTEE_KINDS = {
    "odense": {"visitation"},
    "gladsaxe": {"visitation", "læge"},
    "odsherred": {"læge"},
    "assens": set(),
}


@pytest.mark.parametrize("kind", ["visitation", "læge", "samtale"])
def test_which_appointment_counts_for_the_guarantee(site_id: str, kind: str) -> None:
    department = DEPARTMENT[site_id]
    the_case = case(date(2026, 3, 2), department=department)
    appointment = booked(the_case.citizen_id, date(2026, 3, 5), "10:00", kind, department)
    with_it = only_request(site_id, date(2026, 3, 3), the_case, [appointment]).flags
    without = only_request(site_id, date(2026, 3, 3), the_case).flags
    counts = kind in GUARANTEE_KINDS[site_id]
    assert ("no_appointment" in with_it) == (not counts and bool(GUARANTEE_KINDS[site_id]))
    assert ("no_appointment" in without) == bool(GUARANTEE_KINDS[site_id])
    late = booked(the_case.citizen_id, date(2026, 3, 20), "10:00", kind, department)  # after day 14
    assert ("appointment_after_deadline" in only_request(site_id, date(2026, 3, 3), the_case, [late]).flags) == counts


def test_outside_hours_by_agreement_only_where_the_seed_says_so(site_id: str) -> None:
    # Tuesday 19:00: after every weekday department's hours in Odense and Gladsaxe.
    department = DEPARTMENT[site_id]
    kind = "læge" if site_id == "odsherred" else "visitation"
    the_case = case(date(2026, 3, 2), department=department)
    evening = booked(the_case.citizen_id, date(2026, 3, 10), "19:00", kind, department)
    flags = only_request(site_id, date(2026, 3, 3), the_case, [evening]).flags
    expected = {
        "odense": True,  # no times outside the hours in 000
        "gladsaxe": False,  # 003 afsnit 5: "tider uden for almindelig åbningstid efter individuel aftale"
        "assens": False,  # no appointment asked for (and hours not given)
        "odsherred": False,  # hours not given: never called closed
    }[site_id]
    assert ("appointment_outside_hours" in flags) == expected
    assert load_site(site_id).rules.appointments_outside_hours_by_agreement == (site_id == "gladsaxe")


FOLLOWED_UP = {
    # Odense: every discharge (000 § 4.1 sets no status condition).
    "odense": {"færdigbehandlet", "andet tilbud", "hospital", "anden årsag", "udeblevet", "eget ønske"},
    # Gladsaxe: a planned ending (003 § 2.7), read as færdigbehandlet and andet tilbud.
    "gladsaxe": {"færdigbehandlet", "andet tilbud"},
    # Assens and Odsherred: the four statuses (002 afsnit 10, 004).
    "assens": {"færdigbehandlet", "andet tilbud", "hospital", "anden årsag"},
    "odsherred": {"færdigbehandlet", "andet tilbud", "hospital", "anden årsag"},
}


@pytest.mark.parametrize(
    "status", ["færdigbehandlet", "andet tilbud", "hospital", "anden årsag", "udeblevet", "eget ønske"]
)
def test_which_closing_statuses_call_for_follow_up(site_id: str, status: str) -> None:
    rules = load_site(site_id).rules
    the_case = case(closed_on=date(2026, 1, 31), closing_status=status, follow_up_consent=True)
    months = [months for months, _ in follow_up_schedule(the_case, rules)]
    assert months == (list(rules.follow_up_months) if status in FOLLOWED_UP[site_id] else [])


@pytest.mark.parametrize(("consent", "listed", "flags"), [(True, True, ()), (False, False, ()), (None, False, ())])
def test_consent_to_follow_up(site_id: str, consent: bool | None, listed: bool, flags: tuple[str, ...]) -> None:
    """Gladsaxe follows up only with consent, and the consent is given at enrolment: opt-in, so
    an unknown consent is no follow-up due (003 § 2.7: "Ved indskrivning i behandlingen kan du
    give samtykke til, at Rusmiddelcentret må kontakte dig for at følge op på forløbet"). The
    other sites ask for none (000 § 4.1, 002 § 10, 004)."""
    the_case = case(
        department=DEPARTMENT[site_id],
        closed_on=date(2026, 1, 31),
        closing_status="færdigbehandlet",
        follow_up_consent=consent,
    )
    follow_ups = requests(site_id, date(2026, 2, 27), [the_case]).follow_ups
    if site_id == "gladsaxe":
        assert bool(follow_ups) == listed
        assert all(f.flags == flags for f in follow_ups)
    else:
        assert [f.months for f in follow_ups] == [1]
        assert all(f.flags == () for f in follow_ups)


@pytest.mark.parametrize("paragraph", ["SEL101", "SEL101a", "SUL142", "SUL141"])
def test_which_paragraphs_follow_up_covers(site_id: str, paragraph: str) -> None:
    # Odsherred follows up drug treatment only, not alcohol (004 "Monitorering af indsatsen").
    rules = load_site(site_id).rules
    the_case = case(
        paragraph=paragraph, closed_on=date(2026, 1, 31), closing_status="færdigbehandlet", follow_up_consent=True
    )
    expected = not (site_id == "odsherred" and paragraph == "SUL141")
    assert bool(follow_up_schedule(the_case, rules)) == expected


@pytest.mark.parametrize("paragraph", ["SEL101", "SUL142", "SUL141", "SEL101a"])
def test_which_paragraphs_are_guaranteed(site_id: str, paragraph: str) -> None:
    # SUL § 141 stk. 2 gives alcohol its 14 days wherever such a case exists (DESIGN §1);
    # anonymous treatment (SEL § 101a) never has a guarantee (000 § 1.4.2, 004).
    result = requests(site_id, date(2026, 3, 3), [case(department=DEPARTMENT[site_id], paragraph=paragraph)])
    if paragraph == "SEL101a":
        assert result.requests == () and result.exempt == (ExemptCase("S1", "B-S1", "anonymous"),)
    else:
        assert [r.paragraph for r in result.requests] == [paragraph]


def test_free_choice_may_waive_the_deadline_except_for_heroin(site_id: str) -> None:
    department = DEPARTMENT[site_id]
    waived = requests(site_id, date(2026, 3, 3), [case(department=department, free_choice=True)])
    assert waived.requests == () and waived.exempt == (ExemptCase("S1", "B-S1", "free_choice_may_waive"),)
    if site_id == "odense":
        # SUL § 142 stk. 7 (quoted in 004): no free choice of diacetylmorfin treatment.
        heroin = requests("odense", date(2026, 3, 3), [case(department="heroinklinikken", free_choice=True)])
        assert heroin.exempt == ()
        assert [r.flags[-1] for r in heroin.requests] == ["free_choice_not_for_heroin"]
    else:
        assert load_site(site_id).rules.heroin_departments == ()


def test_the_duty_to_offer_another_provider_where_the_seed_gives_it(site_id: str) -> None:
    # 000 § 3.2 (and 001 § 2.2): Odense must offer another approved provider; no other seed says so.
    row = only_request(site_id, date(2026, 3, 20), case(date(2026, 3, 2), department=DEPARTMENT[site_id]))
    assert row.status == "overdue"
    assert ("offer_other_provider" in row.flags) == (site_id == "odense")
    in_time = only_request(site_id, date(2026, 3, 3), case(date(2026, 3, 2), department=DEPARTMENT[site_id]))
    assert "offer_other_provider" not in in_time.flags


def test_heroin_departments_must_be_departments_of_the_site() -> None:
    site = load_site("odense")
    data = asdict(site)
    data["rules"]["heroin_departments"] = ["heroinklinik"]
    with pytest.raises(ValueError, match="heroin_departments names unknown departments"):
        parse_site(data)


def test_unknown_appointment_kinds_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown appointment kind"):
        parse(Rules, {"guarantee_appointment_kinds": ["telefon"]})
    assert parse(Rules, {"guarantee_appointment_kinds": ["laege"]}).appointment_kind_keys == {"laege"}
