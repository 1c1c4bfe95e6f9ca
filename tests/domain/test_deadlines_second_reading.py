"""The seeds' second reading (issue 24), the deadlines beyond the request: each rule per site,
with the seed sentence it implements, and its negative cases."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from skranke.domain.deadlines import (
    CaseFacts,
    ComplaintFacts,
    add_working_days,
    complaint_deadline,
    deadline_overview,
    medical_review_due,
    plan_review_due,
    request_status_counts,
)
from skranke.sites import load_site, load_site_hours

SITES = ("odense", "gladsaxe", "assens", "odsherred")
DEPARTMENT = {
    "odense": "stabilisering",
    "gladsaxe": "voksne-over-25",
    "assens": "misbrugscenter",
    "odsherred": "rusmiddelteamet",
}


def running(site_id: str, start: date, **fields: Any) -> CaseFacts:
    fields.setdefault("department", DEPARTMENT[site_id])
    fields.setdefault("paragraph", "SEL101")
    return CaseFacts(
        "S1", "B1", fields.pop("department"), fields.pop("paragraph"), start, treatment_start=start, **fields
    )


# --- plan reviews at the agreed interval ------------------------------------------------------


@pytest.mark.parametrize("site_id", SITES)
def test_a_plan_is_reviewed_at_the_interval_agreed_for_the_course(site_id: str) -> None:
    """004: "Behandlingsplanen er tidsbegrænset og evalueres efter den aftalte periode sammen med
    borgeren"; 000 § 4.1: "bliver fulgt op efter nærmere fastlagte intervaller tilpasset borgerens
    forløb". A 3-month course is reviewed after 3 months, at every site."""
    rules = load_site(site_id).rules
    assert plan_review_due(running(site_id, date(2026, 1, 31), plan_interval_months=3), rules) == date(2026, 4, 30)


@pytest.mark.parametrize("site_id", SITES)
def test_without_an_agreed_interval_the_sites_default_applies(site_id: str) -> None:
    """Negative case: no plan_interval_mdr, the site's default (6 months at every site; no seed
    but Gladsaxe's gives a number: "minimum hver sjette måned", 003 § 3.4)."""
    rules = load_site(site_id).rules
    assert rules.plan_review_months == 6
    assert plan_review_due(running(site_id, date(2026, 1, 31)), rules) == date(2026, 7, 31)
    if site_id != "gladsaxe":
        assert "ingen kilde i kommunens standard" in rules.plan_review_months_source.lower()


@pytest.mark.parametrize(("site_id", "due"), [("gladsaxe", date(2026, 7, 1)), ("odsherred", date(2027, 1, 1))])
def test_gladsaxe_reviews_a_plan_at_least_every_sixth_month(site_id: str, due: date) -> None:
    """003 § 3.4: "Reviderede individuelle behandlingsplaner ved behov og minimum hver sjette
    måned": an agreed 12 months is reviewed after 6 at Gladsaxe; Odsherred (004) sets no cap."""
    rules = load_site(site_id).rules
    assert plan_review_due(running(site_id, date(2026, 1, 1), plan_interval_months=12), rules) == due


def test_odsherreds_review_no_longer_cites_the_longest_course() -> None:
    rules = load_site("odsherred").rules
    assert "længste forløb" not in rules.plan_review_months_source
    assert "evalueres efter den aftalte periode" in rules.plan_review_months_source


def test_odenses_plan_review_is_not_cited_to_the_superseded_standard() -> None:
    source = load_site("odense").rules.plan_review_months_source
    assert not source.startswith("001") and "000 § 4.1" in source


# --- medical reviews ------------------------------------------------------------------------


def test_gladsaxe_substitution_has_a_medical_review_every_six_months() -> None:
    """003 § 3.4: "Ved substitutionsbehandling yderligere lægelig gennemgang minimum hver sjette
    måned": from the last review (laege_gennemgang), else from the start."""
    rules = load_site("gladsaxe").rules
    case = running("gladsaxe", date(2026, 1, 10), paragraph="SUL142")
    assert medical_review_due(case, rules) == date(2026, 7, 10)
    reviewed = case._replace(medical_reviewed_on=date(2026, 3, 1))
    assert medical_review_due(reviewed, rules) == date(2026, 9, 1)
    # A review dated before the start counts from the start.
    assert medical_review_due(case._replace(medical_reviewed_on=date(2025, 1, 1)), rules) == date(2026, 7, 10)


def test_gladsaxe_social_treatment_has_no_medical_review() -> None:
    """Negative: the rule covers substitution (SUL § 142) only."""
    rules = load_site("gladsaxe").rules
    assert medical_review_due(running("gladsaxe", date(2026, 1, 10), paragraph="SEL101"), rules) is None


def test_the_heroin_clinic_has_a_yearly_medical_check() -> None:
    """001, Heroinklinikken, Indsatser, Sundhed: "Årligt lægetjek og samtaler efter behov"."""
    rules = load_site("odense").rules
    case = running("odense", date(2025, 3, 1), department="heroinklinikken", paragraph="SUL142")
    assert medical_review_due(case, rules) == date(2026, 3, 1)
    # Negative: substitution at Stabilisering outside the course with Vista Balboa has no
    # medical review in Odense's seeds.
    assert medical_review_due(running("odense", date(2025, 3, 1), paragraph="SUL142"), rules) is None


@pytest.mark.parametrize("department", ["stabilisering", "unge-og-rusmidler", "heroinklinikken"])
def test_odense_course_with_vista_balboa_has_a_medical_review_every_third_month(department: str) -> None:
    """000 § 2.1: "Behandlingscenter Odense er ansvarlig for stofhandlingen af borgere, som er
    indskrevne i Vista Balboa. [...] Indsatsen består desuden af lægelig opfølgning hver tredje
    måned". The course is marked by its partner (`samarbejde`), in whatever department; in the
    heroin clinic it comes before the yearly check."""
    rules = load_site("odense").rules
    case = running("odense", date(2026, 1, 31), department=department, partner="Vista Balboa")
    assert medical_review_due(case, rules) == date(2026, 4, 30)
    assert medical_review_due(case._replace(medical_reviewed_on=date(2026, 3, 15)), rules) == date(2026, 6, 15)
    # Negative: the same course without the partner is not reviewed every third month.
    alone = medical_review_due(case._replace(partner=None), rules)
    assert alone == (date(2027, 1, 31) if department == "heroinklinikken" else None)


def test_odense_vista_balboa_reviews_are_listed_on_frister() -> None:
    site = load_site("odense")
    shared = running("odense", date(2026, 1, 31), partner="Vista Balboa")
    alone = running("odense", date(2026, 1, 31))._replace(case_id="S2", citizen_id="B2")
    overview = deadline_overview([shared, alone], [], site, load_site_hours("odense"), date(2026, 4, 20))
    assert [(r.case_id, r.due) for r in overview.medical_reviews] == [("S1", date(2026, 4, 30))]


@pytest.mark.parametrize("site_id", ["assens", "odsherred"])
def test_sites_without_a_medical_review_in_their_seed(site_id: str) -> None:
    rules = load_site(site_id).rules
    assert rules.medical_reviews == ()
    assert "ingen kilde i kommunens standard" in rules.medical_reviews_source.lower()
    assert medical_review_due(running(site_id, date(2020, 1, 1), paragraph="SUL142"), rules) is None


def test_medical_reviews_are_listed_apart_from_plan_reviews() -> None:
    site, hours = load_site("gladsaxe"), load_site_hours("gladsaxe")
    case = running("gladsaxe", date(2026, 1, 10), paragraph="SUL142", plan_reviewed_on=date(2026, 6, 1))
    overview = deadline_overview([case], [], site, hours, date(2026, 7, 1))
    assert [(m.case_id, m.due, m.status) for m in overview.medical_reviews] == [("S1", date(2026, 7, 10), "ok")]
    assert overview.plan_reviews == ()  # reviewed 1 June: next in December
    assert overview.to_json_dict()["medical_reviews"] == [
        {"case_id": "S1", "citizen_id": "B1", "due": "2026-07-10", "status": "ok"}
    ]


# --- the clock's start ------------------------------------------------------------------------


def test_odsherreds_clock_waits_for_the_first_personal_attendance() -> None:
    """004 "Behandlingsgaranti": "De 14 dage regnes fra det tidspunkt, hvor borgeren personligt
    møder op i teamet med et udtrykt ønske om behandling"."""
    site, hours = load_site("odsherred"), load_site_hours("odsherred")
    phoned = CaseFacts("S1", "B1", "rusmiddelteamet", "SEL101", date(2026, 3, 2))
    row = deadline_overview([phoned], [], site, hours, date(2026, 3, 30)).requests[0]
    assert (row.status, row.deadline, row.days_left, row.last_open_day) == ("awaiting_attendance", None, None, None)
    assert row.to_json_dict()["status"] == "awaiting_attendance" and row.to_json_dict()["deadline"] is None
    came = phoned._replace(personal_attendance_on=date(2026, 3, 20))
    row = deadline_overview([came], [], site, hours, date(2026, 3, 30)).requests[0]
    assert (row.deadline, row.days_left) == (date(2026, 4, 3), 4)  # 14 days from the attendance
    counts = request_status_counts(
        [("SEL101", False, "rusmiddelteamet", date(2026, 3, 2), None, 2)], site, hours, date(2026, 3, 30)
    )
    assert counts["awaiting_attendance"] == 2 and counts["overdue"] == 0


@pytest.mark.parametrize("site_id", ["odense", "gladsaxe", "assens"])
def test_elsewhere_the_request_itself_starts_the_clock(site_id: str) -> None:
    """Negative: 000 § 8.1 "første gang henvender sig til kommunen", 003 § 2.3 "efter du har
    henvendt dig", 002 afsnit 6 "Henvendelse kan ske personligt, telefonisk eller skriftligt"."""
    site, hours = load_site(site_id), load_site_hours(site_id)
    phoned = CaseFacts("S1", "B1", DEPARTMENT[site_id], "SEL101", date(2026, 3, 2))
    row = deadline_overview([phoned], [], site, hours, date(2026, 3, 10)).requests[0]
    assert row.deadline == date(2026, 3, 16) and row.status != "awaiting_attendance"


def test_awaiting_requests_come_after_those_with_a_deadline() -> None:
    site, hours = load_site("odsherred"), load_site_hours("odsherred")
    cases = [
        CaseFacts("S1", "B1", "rusmiddelteamet", "SEL101", date(2026, 3, 2)),
        CaseFacts("S2", "B2", "rusmiddelteamet", "SEL101", date(2026, 3, 25), personal_attendance_on=date(2026, 3, 25)),
    ]
    rows = deadline_overview(cases, [], site, hours, date(2026, 3, 30)).requests
    assert [r.case_id for r in rows] == ["S2", "S1"]


# --- complaints and access to records ------------------------------------------------------


@pytest.mark.parametrize(("site_id", "deadline"), [("odense", date(2026, 3, 30)), ("odsherred", date(2026, 3, 30))])
def test_a_complaint_is_answered_within_four_weeks(site_id: str, deadline: date) -> None:
    """000 § 8.1: "Odense Kommune skal svare på borgerens klage senest 4 uger efter at klagen er
    afleveret/indgivet"; 004: "Klage skal sendes til kommunen, som har 4 uger til at genvurdere"."""
    assert complaint_deadline("complaint", date(2026, 3, 2), load_site(site_id).rules) == deadline


@pytest.mark.parametrize("site_id", ["gladsaxe", "assens"])
def test_no_answer_deadline_where_the_seed_gives_the_citizens_deadline_only(site_id: str) -> None:
    """Negative: 003 § 4 ("senest fire uger efter modtaget afgørelse") and 002 ("senest fire uger
    efter, at borger har modtaget afgørelsen") give the citizen's deadline to complain, not one
    for the answer."""
    rules = load_site(site_id).rules
    assert complaint_deadline("complaint", date(2026, 3, 2), rules) is None
    assert "ingen kilde i kommunens standard" in rules.complaint_answer_days_source.lower()


def test_gladsaxe_answers_access_requests_within_seven_working_days() -> None:
    """003 § 4.7: "En anmodning om aktindsigt skal som udgangspunkt besvares inden for syv
    arbejdsdage efter modtagelsen": weekends and holidays do not count."""
    rules = load_site("gladsaxe").rules
    assert complaint_deadline("access", date(2026, 3, 2), rules) == date(2026, 3, 11)  # Mon → Wed
    # Received Friday 27 March 2026: Skærtorsdag, Langfredag and Anden påskedag are skipped.
    assert complaint_deadline("access", date(2026, 3, 27), rules) == date(2026, 4, 10)
    assert add_working_days(date(2025, 12, 23), 2) == date(2025, 12, 29)  # Christmas Day, 2. juledag


@pytest.mark.parametrize("site_id", ["odense", "assens", "odsherred"])
def test_no_access_deadline_where_the_seed_names_none(site_id: str) -> None:
    rules = load_site(site_id).rules
    assert complaint_deadline("access", date(2026, 3, 2), rules) is None
    assert "ingen kilde i kommunens standard" in rules.access_answer_working_days_source.lower()


def test_complaints_on_the_overview() -> None:
    site, hours = load_site("gladsaxe"), load_site_hours("gladsaxe")
    complaints = [
        ComplaintFacts(1, "B1", "access", date(2026, 3, 2)),
        ComplaintFacts(2, "B2", "complaint", date(2026, 3, 1)),
        ComplaintFacts(3, "B3", "access", date(2026, 3, 2), answered_on=date(2026, 3, 5)),
    ]
    overview = deadline_overview([], [], site, hours, date(2026, 3, 10), complaints=complaints)
    assert overview.to_json_dict()["complaints"] == [
        {
            "id": 1,
            "citizen_id": "B1",
            "kind": "access",
            "received": "2026-03-02",
            "deadline": "2026-03-11",
            "status": "warn",
        },
        {
            "id": 2,
            "citizen_id": "B2",
            "kind": "complaint",
            "received": "2026-03-01",
            "deadline": None,
            "status": "no_deadline",
        },
    ]


# --- citations ---------------------------------------------------------------------------------


def test_the_four_follow_up_statuses_are_cited_to_the_seeds_that_name_them() -> None:
    from skranke.domain import deadlines, vocabulary

    # Only 002 § 10 and 004 name færdigbehandlet, andet tilbud, hospital and anden årsag.
    for module in (deadlines, vocabulary):
        text = Path(str(module.__file__)).read_text(encoding="utf-8")
        assert "(000 § 4.1, 001 § 2.3, 002 § 10, 003 § 2.7)" not in text
        assert "the first four call for follow-up (000, 002, 003, 004)" not in text
        assert "002 § 10 and 004" in text
