"""The seeds' second reading at intake (issue 24): each rule per site, with the seed sentence it
implements quoted, and its negative cases. The rows are written from the seeds
(../shared/seeds/000-004), not copied from the site files."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest

from skranke.domain.intake import (
    ANONYMOUS_ELIGIBILITY_NOT_ANSWERED,
    ANONYMOUS_NOT_ELIGIBLE,
    CHILDREN_CONCERN_NOT_ANSWERED,
    IntakeAnswers,
    IntakeAssessment,
    IntakeTask,
    evaluate_intake,
)
from skranke.sites import load_site, load_site_hours, shipped_site_ids

CONTACT = date(2026, 3, 30)  # a Monday
DAY_14 = CONTACT + timedelta(days=14)
# Answers of the form as JSON gives them: a value of any kind per question.
ANONYMOUS_OK: dict[str, Any] = dict(
    self_supporting=True, has_housing=True, wants_substitution=False, severe_mental_illness=False
)


def cpr_for(age: int) -> str:
    born = CONTACT.replace(year=CONTACT.year - age)
    return f"{born:%d%m%y}{'0' if born.year < 2000 else '4'}123"


def request(age: int = 40, substances: tuple[str, ...] = ("kokain",), **more: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "contact_date": CONTACT.isoformat(),
        "channel": "personal",
        "substances": list(substances),
        **more,
    }
    if raw.get("anonymous"):
        raw.setdefault("alias", "Ræven")
        raw.setdefault("age", age)
    else:
        raw.setdefault("cpr", cpr_for(age))
        raw.setdefault("first_name", "Jens")
        raw.setdefault("last_name", "Hansen")
    return raw


def assess(site_id: str, age: int = 40, substances: tuple[str, ...] = ("kokain",), **more: Any) -> IntakeAssessment:
    answers = IntakeAnswers.parse(request(age, substances, **more), today=CONTACT)
    return evaluate_intake(answers, load_site(site_id), load_site_hours(site_id), CONTACT)


def kinds(assessment: IntakeAssessment) -> list[str]:
    return [t.kind for t in assessment.tasks]


def task(assessment: IntakeAssessment, kind: str) -> IntakeTask:
    return next(t for t in assessment.tasks if t.kind == kind)


def states(assessment: IntakeAssessment, check_id: str) -> dict[str, str]:
    check = next(e for e in assessment.eligibility if e.id == check_id)
    return {c.id: c.state for c in check.criteria}


# --- 1. eligibility decides anonymity -------------------------------------------------------

# Odense 000 § 1.4.2: "anonym, ambulans behandling af stofbrug til borgere, der har et
# behandlingskrævende stofbrug, men som ikke har andre sociale problemer" and "Der er ikke
# behandlingsgaranti for borgere, der henvender sig om anonym ambulans behandling".
# Assens 002 § 9: "men herudover ikke har andre sociale problemer" / "omfatter ikke
# substitutionsbehandling". Gladsaxe 003 § 5: "borger skal være selvforsørgende samt have en
# bolig, og ikke efterspørge substitutionsbehandling eller have en psykisk lidelse, som kræver
# behandling". Odsherred 004: "for stofmisbrugere, uden andre sociale problemer end rusmidler"
# and "Anonym stofmisbrugsbehandling efter SEL § 101a er ikke omfattet af behandlingsgarantien".
# Each site: (age, substances, what the eligible request becomes, the criterion a spoiler fails).
ANONYMOUS_SITES = {
    "odense": ("unge-og-rusmidler", "has_housing"),
    "gladsaxe": ("anonym", "has_housing"),
    "assens": (None, "has_housing"),  # a referral to Odense, Kolding or Esbjerg (002 § 9)
    "odsherred": ("rusmiddelteamet", "has_housing"),
}


@pytest.mark.parametrize("site_id", sorted(ANONYMOUS_SITES))
def test_an_eligible_anonymous_request_stays_exempt(site_id: str) -> None:
    department, _spoiled = ANONYMOUS_SITES[site_id]
    result = assess(site_id, age=30, anonymous=True, **ANONYMOUS_OK)
    assert result.routing is not None and result.routing.rule == "anonymous"
    assert result.department == department
    assert result.deadline is None
    assert ANONYMOUS_NOT_ELIGIBLE not in result.flags
    if department is None:  # Assens: anonymous treatment is elsewhere, by agreement
        assert (result.guarantee, result.referral is not None) == ("no_case", True)
    else:
        assert (result.paragraph, result.guarantee, result.exempt_reason) == ("SEL101a", "exempt", "anonymous")


@pytest.mark.parametrize("site_id", sorted(ANONYMOUS_SITES))
def test_a_not_eligible_anonymous_request_keeps_its_paragraph_and_deadline(site_id: str) -> None:
    """A citizen does not lose the 14 days by ticking a box (issue 24, DESIGN §1)."""
    _department, spoiled = ANONYMOUS_SITES[site_id]
    result = assess(site_id, age=30, anonymous=True, **{**ANONYMOUS_OK, spoiled: False})
    assert result.paragraph == "SEL101"
    assert (result.guarantee, result.exempt_reason, result.deadline) == ("open", None, DAY_14)
    assert result.flags[0] == ANONYMOUS_NOT_ELIGIBLE
    assert result.routing is not None and result.routing.rule != "anonymous"
    assert states(result, "anonymous")[spoiled] == "not_met"


def test_not_eligible_for_substitution_keeps_sul_142() -> None:
    # Odense, anonymous, wants substitution, no housing: the example of issue 24.
    result = assess(
        "odense", age=35, substances=("heroin",), anonymous=True, wants_substitution=True, has_housing=False
    )
    assert (result.paragraph, result.department, result.guarantee) == ("SUL142", "stabilisering", "open")
    assert result.deadline == DAY_14 and ANONYMOUS_NOT_ELIGIBLE in result.flags


@pytest.mark.parametrize("site_id", sorted(ANONYMOUS_SITES))
def test_unanswered_criteria_keep_the_guarantee_until_answered(site_id: str) -> None:
    """Eligible null: the seeds make anonymity conditional on the criteria; the guarantee is
    the law's default, so only a met checklist takes it away."""
    result = assess(site_id, age=30, anonymous=True)
    check = next(e for e in result.eligibility if e.id == "anonymous")
    assert check.eligible is None
    assert (result.paragraph, result.guarantee, result.deadline) == ("SEL101", "open", DAY_14)
    assert ANONYMOUS_ELIGIBILITY_NOT_ANSWERED in result.flags


def test_not_anonymous_raises_no_anonymity_flag() -> None:
    result = assess("odense", age=35, has_housing=False)
    assert not {ANONYMOUS_NOT_ELIGIBLE, ANONYMOUS_ELIGIBILITY_NOT_ANSWERED} & set(result.flags)


@pytest.mark.parametrize("cpr", [None, "absent"])
def test_cpr_may_be_null_or_absent_for_an_anonymous_citizen(cpr: str | None) -> None:
    raw = request(30, anonymous=True, **ANONYMOUS_OK)
    if cpr is None:
        raw["cpr"] = None
    answers = IntakeAnswers.parse(raw, today=CONTACT)
    assert (answers.cpr, answers.age_on_contact) == ("", 30)


def test_odsherred_anonymous_alcohol_is_sul_141_with_the_guarantee() -> None:
    """004: "Både for alkohol- og stofmisbrugsbehandling er der behandlingsgaranti på 14 dage";
    SUL § 141 stk. 7 as quoted: "Behandling og rådgivning til alkoholmisbrugere skal ydes
    anonymt, hvis alkoholmisbrugeren ønsker det". No § 101a criteria for alcohol."""
    result = assess("odsherred", age=50, substances=("alkohol",), anonymous=True)
    assert result.routing is not None and result.routing.rule == "alcohol-only"
    assert (result.paragraph, result.guarantee, result.deadline) == ("SUL141", "open", DAY_14)
    assert "ingen behandlingsgaranti" not in result.routing.explanation
    assert "anonymt" in result.routing.explanation
    assert not {ANONYMOUS_NOT_ELIGIBLE, ANONYMOUS_ELIGIBILITY_NOT_ANSWERED} & set(result.flags)
    # Negative: anonymous drug treatment there is § 101a, without the guarantee.
    drugs = assess("odsherred", age=50, substances=("hash",), anonymous=True, **ANONYMOUS_OK)
    assert (drugs.paragraph, drugs.guarantee) == ("SEL101a", "exempt")


# --- 2. the heroin clinic (Odense, 000 § 5.4) -----------------------------------------------

# 000 § 5.4: "Ikke have et betydende misbrug af benzodiazepiner og alkohol. Borgere i stabil
# behandling med benzodiazepiner er dog ikke ekskluderet fra behandlingen." and "Ikke have
# sværere somatisk eller psykiatrisk lidelse, som kontraindicerer behandling."
SIGNIFICANT = "no_significant_benzodiazepine_or_alcohol_abuse"
HEROIN_AND_ALCOHOL: dict[str, Any] = dict(substances=("heroin", "alkohol"), main_substance="heroin")


@pytest.mark.parametrize(
    ("given", "state"),
    [
        (dict(substances=("heroin",)), "met"),  # no use of either: no abuse of either
        ({**HEROIN_AND_ALCOHOL, "significant_alcohol_or_benzo": False}, "met"),  # some use is not significant
        ({**HEROIN_AND_ALCOHOL, "significant_alcohol_or_benzo": True}, "not_met"),
        (HEROIN_AND_ALCOHOL, "not_answered"),
        (
            dict(substances=("heroin", "benzodiazepiner"), main_substance="heroin", stable_benzo_treatment=True),
            "doctor",
        ),
        (
            dict(
                substances=("heroin", "benzodiazepiner"),
                main_substance="heroin",
                significant_alcohol_or_benzo=True,
                stable_benzo_treatment=True,
            ),
            "doctor",
        ),
    ],
)
def test_heroin_clinic_asks_about_significant_abuse(given: dict[str, Any], state: str) -> None:
    given = {"substances": ("heroin",), **given}
    substances = given.pop("substances")
    result = assess("odense", age=40, substances=substances, **given)
    assert states(result, "heroin_clinic")[SIGNIFICANT] == state


def test_use_of_alcohol_alone_no_longer_fails_the_heroin_clinic() -> None:
    result = assess("odense", age=40, **HEROIN_AND_ALCOHOL, significant_alcohol_or_benzo=False)
    check = next(e for e in result.eligibility if e.id == "heroin_clinic")
    assert check.eligible is not False


@pytest.mark.parametrize(("illness", "state"), [(True, "doctor"), (False, "met"), (None, "not_answered")])
def test_a_contraindicating_illness_is_the_doctors_judgement(illness: bool | None, state: str) -> None:
    result = assess("odense", age=40, substances=("heroin",), severe_mental_illness=illness)
    found = states(result, "heroin_clinic")
    assert found["no_contraindicating_psychiatric_illness"] == state
    assert found["no_contraindicating_somatic_illness"] == "doctor"  # the form has no such question
    check = next(e for e in result.eligibility if e.id == "heroin_clinic")
    assert check.eligible is None  # "vurderes af lægen": never "not met" from a yes/no box


def test_only_odense_has_the_heroin_clinic() -> None:
    for site_id in ("gladsaxe", "assens", "odsherred"):
        assert "heroin_clinic" not in [e.id for e in assess(site_id, substances=("heroin",)).eligibility]


# --- 3. children's tasks, concern-based and in each site's words ----------------------------


@pytest.mark.parametrize("at_home", [True, False])
def test_odense_notifies_always_for_a_citizen_who_has_children(at_home: bool) -> None:
    """000 § 7.3: "Når der er indskrevet en borger, der har børn, i stofbehandling i Odense
    Kommune, så underretter behandlingsstedet altid Børn- og Ungeforvaltningen." Children at
    home or not; no concern asked."""
    answers: dict[str, Any] = dict(children_under_18_at_home=True) if at_home else dict(has_children=True)
    result = assess("odense", **answers, children_concern=False)
    notify = task(result, "notify_children_services")
    assert (notify.due, notify.source) == (CONTACT, "000 § 7.3")
    assert "altid" in notify.note and "skærpet" not in notify.note.lower()
    assert CHILDREN_CONCERN_NOT_ANSWERED not in result.flags


def test_odense_negative_cases() -> None:
    assert "notify_children_services" not in kinds(assess("odense", has_children=False))
    assert "notify_children_services" not in kinds(assess("odense"))
    # "indskrevet ... i stofbehandling": not for a citizen referred to alcohol treatment.
    assert "notify_children_services" not in kinds(assess("odense", substances=("alkohol",), has_children=True))


# (site, task kind, source, the seed's words): Assens 002 afsnit 7 "hvis der er mistanke om, at
# et barn eller en ung mistrives"; Odsherred 004 "skærpet underretningspligt, hvis det vurderes,
# at der er grund til bekymring"; Gladsaxe 003 § 3.3.2 "og det giver anledning til bekymring for
# børnenes trivsel, tages der altid initiativ til et samarbejde med Familieafdelingen".
CONCERN_SITES = [
    ("assens", "notify_children_services", "002 afsnit 7", "mistanke"),
    ("odsherred", "notify_children_services", "004 'Særlig opmærksomhed på hjemmeboende børn'", "bekymring"),
    ("gladsaxe", "cooperate_children_services", "003 § 3.3.2", "samarbejde med Familieafdelingen"),
]


@pytest.mark.parametrize(("site_id", "kind", "source", "words"), CONCERN_SITES)
def test_on_concern_the_sites_task(site_id: str, kind: str, source: str, words: str) -> None:
    result = assess(site_id, children_under_18_at_home=True, children_concern=True)
    found = task(result, kind)
    assert found.source.startswith(source) and words in found.note
    assert found.due == CONTACT


@pytest.mark.parametrize(("site_id", "kind", "source", "words"), CONCERN_SITES)
def test_no_concern_no_task(site_id: str, kind: str, source: str, words: str) -> None:
    cases: tuple[dict[str, Any], ...] = (
        dict(children_under_18_at_home=True, children_concern=False),
        dict(children_under_18_at_home=False, children_concern=True),
        dict(),
    )
    for answers in cases:
        result = assess(site_id, **answers)
        assert kind not in kinds(result), answers
        assert "notify_children_services" not in kinds(result), answers
        assert CHILDREN_CONCERN_NOT_ANSWERED not in result.flags, answers


@pytest.mark.parametrize(("site_id", "kind", "source", "words"), CONCERN_SITES)
def test_unanswered_concern_is_flagged_not_notified(site_id: str, kind: str, source: str, words: str) -> None:
    """Concern null with children at home: the seeds make the task a judgement of concern, so
    no task is raised on an unasked question; the form flags that it must be assessed."""
    result = assess(site_id, children_under_18_at_home=True)
    assert kind not in kinds(result)
    assert CHILDREN_CONCERN_NOT_ANSWERED in result.flags


def test_gladsaxe_cooperates_and_never_notifies() -> None:
    cases: tuple[dict[str, Any], ...] = (
        dict(children_under_18_at_home=True, children_concern=True),
        dict(pregnant=True),
    )
    for answers in cases:
        assert "notify_children_services" not in kinds(assess("gladsaxe", **answers))


def test_gladsaxe_pregnant_cooperation_with_familieafdelingen() -> None:
    """003 § 3.3.2: "Gravide med brug af rusmidler opfordres til at kontakte Familieambulatoriet
    i Region Hovedstaden og der indledes et samarbejde med Gladsaxe Familieafdeling"."""
    assert "cooperate_children_services" in kinds(assess("gladsaxe", age=30, pregnant=True))
    assert "cooperate_children_services" not in kinds(assess("gladsaxe", age=30, pregnant=False))


# --- 4. the three new tasks -----------------------------------------------------------------


def test_odense_child_assessment_under_18() -> None:
    """000 § 4.3: "Hvis borgeren er under 18 år, skal kommunen udarbejde en børnefaglig
    undersøgelse og i forlængelse heraf en handleplan jf. servicelovens § 50 og § 140.\""""
    found = task(assess("odense", age=17, substances=("hash",)), "child_assessment")
    assert (found.due, found.source) == (CONTACT, "000 § 4.3")
    assert "ingen kilde i kommunens standard" in found.note
    assert "child_assessment" not in kinds(assess("odense", age=18, substances=("hash",)))
    for site_id in ("gladsaxe", "assens", "odsherred"):
        assert "child_assessment" not in kinds(assess(site_id, age=16, substances=("hash",)))


def test_gladsaxe_detention_contract_offered_to_pregnant_citizens() -> None:
    """003 § 3.3.2: "Gladsaxe Rusmiddelcenter tilbyder, som et element i behandlingstilbuddet at
    indgå kontrakt om tilbageholdelse i døgnbehandling af den gravide"; afsnit 5: "Ligeledes
    tilbydes gravide kontrakt om tilbageholdelse.\""""
    found = task(assess("gladsaxe", age=30, pregnant=True), "detention_contract_offer")
    assert (found.due, found.source) == (DAY_14, "003 § 3.3.2; afsnit 5")
    assert "ingen kilde i kommunens standard" in found.note
    assert "detention_contract_offer" not in kinds(assess("gladsaxe", age=30, pregnant=False))
    assert "detention_contract_offer" not in kinds(assess("gladsaxe", age=30))
    for site_id in ("odense", "assens", "odsherred"):
        assert "detention_contract_offer" not in kinds(assess(site_id, age=30, pregnant=True))


def test_assens_mandatory_hiv_and_hepatitis_screening() -> None:
    """002 afsnit 5: "Screening for HIV og Hepatitis (obligatorisk)"."""
    found = task(assess("assens", age=40), "infection_screening")
    assert (found.due, found.source) == (DAY_14, "002 afsnit 5")
    # Only for a case at the centre: not for a referral (alcohol only, 002 afsnit 1, 4).
    assert "infection_screening" not in kinds(assess("assens", age=40, substances=("alkohol",)))
    for site_id in ("odense", "gladsaxe", "odsherred"):
        assert "infection_screening" not in kinds(assess(site_id, age=40))


# --- 5. smaller items -----------------------------------------------------------------------


@pytest.mark.parametrize(("age", "department"), [(25, "unge-og-rusmidler"), (45, "stabilisering")])
def test_odense_alcohol_only_with_severe_mental_illness_goes_with_vista_balboa(age: int, department: str) -> None:
    """000 § 2.1: "Borgere med svære sindslidelser og et omfattende stof- og/eller
    alkoholmisbrug bliver behandlet i et samarbejde mellem Behandlingscenter Odense og
    rehabiliteringstilbuddet Vista Balboa.\""""
    result = assess("odense", age=age, substances=("alkohol",), severe_mental_illness=True)
    assert result.routing is not None and result.routing.together_with == "Vista Balboa"
    assert (result.department, result.referral, result.paragraph) == (department, None, "SUL141")
    # Negative: alcohol only without it is referred to Alkoholbehandlingen (000 § 7.1).
    plain = assess("odense", age=age, substances=("alkohol",), severe_mental_illness=False)
    assert (plain.department, plain.referral) == (None, "Alkoholbehandlingen, Sundhedsforvaltningen")


def _department_blocks(site_id: str) -> list[dict[str, str]]:
    return [{"hours": d.hours, "source": d.source} for d in load_site(site_id).all_departments()]


@pytest.mark.parametrize("site_id", shipped_site_ids())
def test_holidays_assumed_closed_cite_no_seed(site_id: str) -> None:
    """No seed says its weekday departments close on public holidays: the source says so
    ("ingen kilde i kommunens standard") and names the practice followed."""
    for department in _department_blocks(site_id):
        if re.search(r"\bPH off\b", department["hours"]):
            assert "ingen kilde i kommunens standard" in department["source"]
            assert "praksis" in department["source"]


def test_odense_email_is_cited_to_section_2_1() -> None:
    """The addresses are in 000 § 2.1 ("Kontaktadresser for stofbehandling Odense")."""
    from skranke.sites import resolve_site_path

    text = resolve_site_path("odense").read_text(encoding="utf-8")
    assert "(000 § 1)" not in text
    assert '"ungegrusmidler@odense.dk" (000 § 2.1' in text


def test_skaerpet_underretningspligt_only_where_the_seed_says_it() -> None:
    """002 afsnit 7 and 004 say "skærpede/skærpet underretningspligt"; 000 § 7.3 and 003 do not."""
    for site_id in ("odense", "gladsaxe"):
        for rule in load_site(site_id).intake_tasks:
            assert "skærpet" not in rule.note.lower() and "skærpet" not in rule.source.lower(), site_id
    for site_id in ("assens", "odsherred"):
        notes = " ".join(rule.note.lower() for rule in load_site(site_id).intake_tasks)
        assert "skærpet" in notes or "sel § 153" in notes, site_id


def test_one_task_per_kind() -> None:
    """Gladsaxe cooperates with Familieafdelingen for children of concern and for a pregnancy
    (003 § 3.3.2): one cooperation task, not two."""
    result = assess("gladsaxe", age=30, pregnant=True, children_under_18_at_home=True, children_concern=True)
    assert kinds(result).count("cooperate_children_services") == 1


# --- Odsherred's clock at the first personal attendance, in the intake's preview ------------


@pytest.mark.parametrize("channel", ["phone", "written"])
def test_odsherred_request_by_phone_or_letter_awaits_the_personal_attendance(channel: str) -> None:
    """004 "Behandlingsgaranti": "De 14 dage regnes fra det tidspunkt, hvor borgeren personligt
    møder op i teamet med et udtrykt ønske om behandling". A call or a letter starts no clock: the
    preview says so and gives no deadline and no appointments to book before one."""
    result = assess("odsherred", channel=channel)
    assert (result.guarantee, result.deadline, result.last_open_day) == ("awaiting_attendance", None, None)
    assert result.book_before_deadline == ()
    assert result.to_json_dict()["guarantee"] == "awaiting_attendance"


def test_odsherred_request_in_person_starts_the_clock_that_day() -> None:
    result = assess("odsherred", channel="personal")
    assert (result.guarantee, result.deadline) == ("open", DAY_14)


@pytest.mark.parametrize("site_id", ["odense", "gladsaxe", "assens"])
def test_elsewhere_a_phoned_request_starts_the_clock(site_id: str) -> None:
    """Negative: 000 § 8.1, 002 afsnit 6 and 003 § 2.3 count from the request, however made
    ("Henvendelse kan ske personligt, telefonisk eller skriftligt", 002 afsnit 6)."""
    result = assess(site_id, channel="phone")
    assert (result.guarantee, result.deadline) == ("open", DAY_14)
