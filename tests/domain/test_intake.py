"""Intake: the form's model, and routing, eligibility, deadline and tasks by each shipped site's
own rules (data/sites/*.toml), with the seeds' edges (DESIGN §1 "Intake", "Routing and tasks at
intake"). The expected rows are written from the seeds, not copied from the site files."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any, get_args

import pytest
from pydantic import ValidationError

from skranke.domain.hours import SiteHours
from skranke.domain.intake import (
    AREA_ANSWERS,
    AREAS,
    EligibilityResult,
    IntakeAnswers,
    IntakeAssessment,
    Substance,
    age_on,
    evaluate_intake,
    route,
)
from skranke.domain.site import Site, parse_site
from skranke.domain.vocabulary import SUBSTANCES
from skranke.sites import load_site, load_site_hours, shipped_site_ids

CONTACT = date(2026, 3, 30)  # a Monday


def cpr_born(birth: date, serial: str = "123") -> str:
    """A CPR number for a birth date; the 7th digit gives the century as stdnum reads it."""
    if 1900 <= birth.year <= 1999:
        seventh = "0"
    elif 2000 <= birth.year <= 2036:
        seventh = "4"
    else:
        seventh = "5"
    return f"{birth:%d%m%y}{seventh}{serial}"


def birthday(age: int, on: date = CONTACT) -> date:
    """The birth date of someone turning `age` on `on` (never 29 February)."""
    return on.replace(year=on.year - age)


def data(age: int = 35, substances: tuple[str, ...] = ("hash",), **answers: Any) -> dict[str, Any]:
    """The JSON of a request; a CPR born `age` years before the contact date (anonymous: the age)."""
    raw: dict[str, Any] = {
        "contact_date": answers.pop("contact_date", CONTACT).isoformat(),
        "channel": "personal",
        "substances": list(substances),
        **answers,
    }
    if raw.get("anonymous"):
        raw.setdefault("alias", "Kim")
        raw.setdefault("age", age)
    else:
        raw.setdefault("cpr", cpr_born(birthday(age, date.fromisoformat(raw["contact_date"]))))
        raw.setdefault("first_name", "Jens")
        raw.setdefault("last_name", "Hansen")
    return raw


def answers(age: int = 35, substances: tuple[str, ...] = ("hash",), **more: Any) -> IntakeAnswers:
    return IntakeAnswers.parse(data(age, substances, **more), today=CONTACT)


@pytest.fixture(scope="module", params=shipped_site_ids())
def any_site(request: pytest.FixtureRequest) -> Site:
    return load_site(request.param)


def assess(site_id: str, today: date = CONTACT, department: str | None = None, **more: Any) -> IntakeAssessment:
    return evaluate_intake(answers(**more), load_site(site_id), load_site_hours(site_id), today, department)


def errors(raw: dict[str, Any], today: date | None = CONTACT) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        IntakeAnswers.parse(raw, today=today)
    return {".".join(str(p) for p in e["loc"]): e["type"] for e in caught.value.errors()}


# --- the model ------------------------------------------------------------------------------


def test_the_substance_vocabulary_is_one() -> None:
    assert get_args(Substance) == SUBSTANCES


def test_a_complete_request_is_accepted_and_one_substance_is_the_main_one() -> None:
    parsed = answers(35, ("kokain",), requested_by="relative", channel="phone")
    assert parsed.main_substance == "kokain"
    assert parsed.requested_by == "relative"
    assert parsed.cpr == cpr_born(birthday(35))
    assert parsed.age_on_contact == 35


def test_the_cpr_number_is_stored_without_the_dash() -> None:
    raw = data(40)
    raw["cpr"] = raw["cpr"][:6] + "-" + raw["cpr"][6:]
    assert IntakeAnswers.parse(raw, CONTACT).cpr == raw["cpr"].replace("-", "")


def test_every_wrong_field_is_reported_at_once() -> None:
    raw = {
        "contact_date": "2026-02-30",
        "channel": "fax",
        "requested_by": "neighbour",
        "cpr": "3113901234",
        "first_name": "",
        "last_name": "Hansen",
        "age": -1,
        "substances": ["hash", "lsd"],
        "pregnant": "maybe",
        "areas": {"social": "ok", "hobbies": ""},
        "colour": "blue",
    }
    assert errors(raw) == {
        "contact_date": "date_from_datetime_parsing",
        "channel": "literal_error",
        "requested_by": "literal_error",
        "cpr": "cpr_date",
        "age": "greater_than_equal",
        "substances.1": "literal_error",
        "pregnant": "bool_parsing",
        "areas.hobbies": "extra_forbidden",
        "colour": "extra_forbidden",
        "first_name": "required",
    }


def test_missing_required_fields_are_named_with_the_rest() -> None:
    assert errors({"anonymous": True, "cpr": "0101901234"}) == {
        "contact_date": "missing",
        "channel": "missing",
        "substances": "missing",
        "alias": "required_when_anonymous",
        "age": "required_when_anonymous",
        "cpr": "cpr_when_anonymous",
    }


def test_a_citizen_who_is_not_anonymous_needs_cpr_and_names() -> None:
    raw = data(40)
    for field in ("cpr", "first_name", "last_name"):
        raw[field] = ""
    assert errors(raw) == {"cpr": "required", "first_name": "required", "last_name": "required"}


def test_anonymous_needs_alias_and_age_and_no_cpr() -> None:
    assert answers(22, anonymous=True, alias="K").age_on_contact == 22
    raw = {**data(22, anonymous=True), "alias": "", "age": None, "cpr": "0101901234"}
    assert errors(raw) == {
        "alias": "required_when_anonymous",
        "age": "required_when_anonymous",
        "cpr": "cpr_when_anonymous",
    }


@pytest.mark.parametrize(
    ("cpr", "code"), [("12345", "cpr_format"), ("01019O1234", "cpr_format"), ("3002901234", "cpr_date")]
)
def test_a_wrong_cpr_number_is_named(cpr: str, code: str) -> None:
    assert errors(data(40, cpr=cpr)) == {"cpr": code}


def test_a_cpr_born_after_the_request_is_refused_but_one_born_that_day_is_not() -> None:
    assert errors(data(40, cpr=cpr_born(CONTACT + timedelta(days=1)))) == {"cpr": "cpr_future"}
    assert answers(40, cpr=cpr_born(CONTACT)).age_on_contact == 0


def test_the_cpr_check_reads_no_clock() -> None:
    # stdnum's validate() refuses birth dates after the system date; the model compares with
    # the contact date (and `today` given), so a request dated 2041 parses on any machine.
    later = date(2041, 6, 1)
    parsed = IntakeAnswers.parse(data(3, contact_date=later), today=later)
    assert parsed.birth_date == date(2038, 6, 1)
    assert parsed.age_on_contact == 3


def test_a_request_dated_after_today_is_refused() -> None:
    assert errors(data(40), today=CONTACT - timedelta(days=1)) == {"contact_date": "contact_date_future"}
    assert IntakeAnswers.parse(data(40), today=None).contact_date == CONTACT


def test_age_from_the_cpr_on_the_birthday() -> None:
    born = date(2008, 3, 30)
    assert answers(cpr=cpr_born(born)).age_on_contact == 18  # the 18th birthday is the contact date
    assert answers(cpr=cpr_born(born + timedelta(days=1))).age_on_contact == 17
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18


def test_an_age_given_beside_the_cpr_must_agree() -> None:
    assert errors({**data(40), "age": 39}) == {"age": "age_mismatch"}
    assert IntakeAnswers.parse({**data(40), "age": 40}, CONTACT).age_on_contact == 40


def test_the_main_substance_is_one_of_the_substances() -> None:
    assert errors(data(40, ("hash", "kokain"))) == {"main_substance": "required"}
    assert errors(data(40, ("hash", "kokain"), main_substance="heroin")) == {"main_substance": "main_not_in_substances"}
    assert errors(data(40, ("hash", "hash"))) == {"substances": "substance_twice"}
    assert errors(data(40, ())) == {"substances": "too_short"}


def test_each_area_takes_a_short_answer_and_a_note() -> None:
    given = {
        "substances": {"answer": "daily", "note": "Kokain hver dag"},
        "social": {"answer": "limited_network"},
        "health": {"answer": "mental", "note": " Angst "},
        "work": {"answer": "on_benefits", "note": "Kontanthjælp"},
        "housing": {"answer": "homeless", "note": ""},
        "other": {"note": "Sagsbehandler i Voksenrådgivningen"},
    }
    areas = answers(areas=given).areas
    assert {area: (areas.area(area).answer, areas.area(area).note) for area in AREAS} == {
        "substances": ("daily", "Kokain hver dag"),
        "social": ("limited_network", ""),
        "health": ("mental", "Angst"),
        "work": ("on_benefits", "Kontanthjælp"),
        "housing": ("homeless", ""),
        "other": (None, "Sagsbehandler i Voksenrådgivningen"),  # a note without an answer: not assessed
    }


@pytest.mark.parametrize(("area", "code"), [(a, c) for a, codes in AREA_ANSWERS.items() for c in codes])
def test_every_code_of_an_area_is_its_own(area: str, code: str) -> None:
    assert answers(areas={area: {"answer": code}}).areas.area(area).answer == code
    others = [a for a in AREAS if code not in AREA_ANSWERS[a]]
    assert len(others) == len(AREAS) - 1  # no code means something in two areas
    assert errors(data(areas={others[0]: {"answer": code}})) == {f"areas.{others[0]}.answer": "literal_error"}


def test_an_area_as_plain_text_is_its_note_and_not_assessed() -> None:
    areas = answers(areas={"social": "Bor alene", "work": None, "housing": {"answer": "", "note": "Sofa"}}).areas
    assert (areas.social.answer, areas.social.note) == (None, "Bor alene")
    assert (areas.work.answer, areas.work.note) == (None, "")
    assert (areas.housing.answer, areas.housing.note) == (None, "Sofa")
    # Stored, and read again, in the object form.
    dumped = answers(areas={"social": "Bor alene"}).model_dump(mode="json")["areas"]
    assert dumped["social"] == {"answer": None, "note": "Bor alene"}
    assert dumped["work"] == {"answer": None, "note": ""}
    assert IntakeAnswers.parse(data(areas=dumped), today=CONTACT).areas.social.note == "Bor alene"


def test_an_unknown_area_answer_is_named_with_every_other_wrong_field() -> None:
    raw = data(
        channel="fax",
        areas={
            "work": {"answer": "jobless", "note": "Ledig"},
            "housing": {"answer": "own_home", "colour": "blå"},
            "social": 3,
        },
    )
    assert errors(raw) == {
        "channel": "literal_error",
        "areas.work.answer": "literal_error",
        "areas.housing.colour": "extra_forbidden",
        "areas.social": "area_type",
    }
    with pytest.raises(ValidationError) as caught:
        IntakeAnswers.parse(raw, today=CONTACT)
    [work] = [e for e in caught.value.errors() if e["loc"] == ("areas", "work", "answer")]
    assert work["ctx"]["expected"] == "'employed', 'in_education', 'unemployed', 'on_benefits' or 'pension'"


# --- routing ----------------------------------------------------------------------------------

# The four criteria of anonymous treatment met (000 § 1.4.2, 002 § 9, 003 § 5, 004): only then
# does an anonymous request route as anonymous.
# Answers of the form as JSON gives them: a value of any kind per question.
ANONYMOUS_OK: dict[str, Any] = dict(
    self_supporting=True, has_housing=True, wants_substitution=False, severe_mental_illness=False
)

# (site, answers, rule, department or referral): every rule of every shipped site, with its edges.
ROUTES: list[tuple[str, dict[str, Any], str, str]] = [
    # Odense, 000 § 2.1, § 5.1-5.3, § 7.1-7.2.
    ("odense", dict(age=17, substances=("hash",)), "under-18", "unge-og-rusmidler"),
    ("odense", dict(age=17, substances=("alkohol",)), "under-18", "unge-og-rusmidler"),
    ("odense", dict(age=12, substances=("heroin",)), "under-18", "unge-og-rusmidler"),
    ("odense", dict(age=18, substances=("alkohol",)), "alcohol-only", "referral"),
    ("odense", dict(age=60, substances=("alkohol",), anonymous=True), "alcohol-only", "referral"),
    (
        "odense",
        dict(age=18, substances=("alkohol", "hash"), main_substance="alkohol"),
        "main-substance-alcohol",
        "referral",
    ),
    ("odense", dict(age=18, substances=("alkohol", "hash"), main_substance="hash"), "18-30", "unge-og-rusmidler"),
    ("odense", dict(age=45, substances=("heroin",), anonymous=True, **ANONYMOUS_OK), "anonymous", "unge-og-rusmidler"),
    (
        "odense",
        dict(age=40, substances=("heroin",), severe_mental_illness=True),
        "severe-mental-illness-opiates",
        "stabilisering",
    ),
    (
        "odense",
        dict(age=18, substances=("hash",), severe_mental_illness=True),
        "severe-mental-illness-18-30",
        "unge-og-rusmidler",
    ),
    (
        "odense",
        dict(age=30, substances=("kokain",), severe_mental_illness=True),
        "severe-mental-illness-18-30",
        "unge-og-rusmidler",
    ),
    (
        "odense",
        dict(age=31, substances=("kokain",), severe_mental_illness=True),
        "severe-mental-illness-over-30",
        "stabilisering",
    ),
    ("odense", dict(age=18, substances=("benzodiazepiner",)), "benzodiazepines-opiates", "stabilisering"),
    (
        "odense",
        dict(age=25, substances=("hash", "opioider"), main_substance="hash"),
        "benzodiazepines-opiates",
        "stabilisering",
    ),
    ("odense", dict(age=18, substances=("hash",)), "18-30", "unge-og-rusmidler"),
    ("odense", dict(age=30, substances=("amfetamin",)), "18-30", "unge-og-rusmidler"),
    ("odense", dict(age=31, substances=("hash",)), "over-30", "stabilisering"),
    ("odense", dict(age=31, substances=("andet",)), "over-30", "stabilisering"),
    # Gladsaxe, 003 afsnit 1, 2, 3.3.2-3.3.3, 5.
    ("gladsaxe", dict(age=17, substances=("hash",)), "under-18", "unge-under-25"),
    ("gladsaxe", dict(age=17, substances=("hash",), anonymous=True, pregnant=True), "under-18", "unge-under-25"),
    ("gladsaxe", dict(age=18, substances=("hash",), anonymous=True, **ANONYMOUS_OK), "anonymous", "anonym"),
    ("gladsaxe", dict(age=25, substances=("alkohol",)), "alcohol-only-25-and-over", "referral"),
    ("gladsaxe", dict(age=24, substances=("alkohol",)), "18-24", "unge-under-25"),
    ("gladsaxe", dict(age=18, substances=("kokain",), pregnant=True), "pregnant", "saerligt-udsatte"),
    ("gladsaxe", dict(age=18, substances=("hash",)), "18-24", "unge-under-25"),
    ("gladsaxe", dict(age=24, substances=("heroin",)), "18-24", "unge-under-25"),
    ("gladsaxe", dict(age=25, substances=("hash",)), "25-and-over", "voksne-over-25"),
    (
        "gladsaxe",
        dict(age=50, substances=("alkohol", "heroin"), main_substance="alkohol"),
        "25-and-over",
        "voksne-over-25",
    ),
    # Assens, 002 afsnit 4, 5 (MOVE 15-25), 9.
    ("assens", dict(age=14, substances=("hash",)), "under-15", "referral"),
    ("assens", dict(age=15, substances=("alkohol",)), "alcohol-only", "referral"),
    ("assens", dict(age=30, substances=("kokain",), anonymous=True, **ANONYMOUS_OK), "anonymous", "referral"),
    ("assens", dict(age=15, substances=("hash",)), "move-15-25", "misbrugscenter"),
    ("assens", dict(age=25, substances=("hash",)), "move-15-25", "misbrugscenter"),
    ("assens", dict(age=26, substances=("heroin",)), "over-25", "misbrugscenter"),
    # Odsherred, 004 'Målgruppe', 'Mulighed for anonymitet'.
    ("odsherred", dict(age=11, substances=("hash",)), "under-12", "referral"),
    ("odsherred", dict(age=12, substances=("hash",), anonymous=True, **ANONYMOUS_OK), "anonymous", "rusmiddelteamet"),
    ("odsherred", dict(age=12, substances=("alkohol",)), "alcohol-only", "rusmiddelteamet"),
    ("odsherred", dict(age=12, substances=("hash",)), "from-12", "rusmiddelteamet"),
    (
        "odsherred",
        dict(age=70, substances=("alkohol", "heroin"), main_substance="heroin"),
        "from-12",
        "rusmiddelteamet",
    ),
]


@pytest.mark.parametrize(("site_id", "given", "rule", "target"), ROUTES)
def test_routing_rule(site_id: str, given: dict[str, Any], rule: str, target: str) -> None:
    assessment = assess(site_id, **given)
    assert assessment.routing is not None
    assert assessment.routing.rule == rule
    if target == "referral":
        assert assessment.department is None
        assert assessment.referral
        assert assessment.paragraph is None
    else:
        assert assessment.department == target
        assert assessment.referral is None
    rule_data = next(r for r in load_site(site_id).routing if r.id == rule)
    assert assessment.routing.source == rule_data.source
    assert assessment.routing.explanation == rule_data.explanation


def test_every_rule_of_every_site_is_tested() -> None:
    tested = {(site_id, rule) for site_id, _given, rule, _target in ROUTES}
    shipped = {(site_id, rule.id) for site_id in shipped_site_ids() for rule in load_site(site_id).routing}
    assert shipped - tested == set()


def test_odense_names_the_alternatives_and_the_partner() -> None:
    assessment = assess("odense", age=40, substances=("kokain",), severe_mental_illness=True)
    assert assessment.routing is not None
    assert assessment.routing.alternatives == ("stoffrihed",)
    assert assessment.routing.together_with == "Vista Balboa"


def _age_breakpoints(site: Site) -> list[int]:
    ages = {0, 120}
    for rule in site.routing:
        if rule.min_age is not None:
            ages |= {rule.min_age - 1, rule.min_age}
        if rule.max_age is not None:
            ages |= {rule.max_age, rule.max_age + 1}
    return sorted(a for a in ages if 0 <= a <= 120)


def test_no_answer_falls_through_the_routing(any_site: Site) -> None:
    """Every age (each side of every age limit in the rules: the rules are intervals), every
    set of substances with each main substance, and both answers to each yes/no question the
    site's rules test (the others cannot change the outcome)."""
    gaps = []
    flags = tuple(
        name
        for name in (
            "anonymous",
            "severe_mental_illness",
            "pregnant",
            "wants_substitution",
            "children_under_18_at_home",
        )
        if any(getattr(rule, name) is not None for rule in any_site.routing)
    )
    subsets = [s for n in range(1, len(SUBSTANCES) + 1) for s in itertools.combinations(SUBSTANCES, n)]
    # The other fields' defaults made once: model_construct deep-copies every default, 90% of
    # this test's 150,000 probes' time; a copy with the varied answers set is the same answers.
    unanswered = IntakeAnswers.model_construct(contact_date=CONTACT, cpr="")
    for age, used, yes_no in itertools.product(
        _age_breakpoints(any_site), subsets, itertools.product((False, True), repeat=len(flags))
    ):
        for main in used:
            probe = unanswered.model_copy(
                update={"age": age, "substances": used, "main_substance": main, **dict(zip(flags, yes_no))}
            )
            if route(probe, any_site) is None:
                gaps.append((age, used, main, yes_no))
    assert gaps == []


# --- paragraph and deadline -----------------------------------------------------------------


def test_paragraph_follows_the_answers() -> None:
    assert assess("odense", age=40, substances=("kokain",)).paragraph == "SEL101"
    assert assess("odense", age=40, substances=("heroin",), wants_substitution=True).paragraph == "SUL142"
    # Anonymous and eligible: § 101a; anonymous and asking for substitution: not eligible, so
    # the ordinary paragraph (DESIGN §1).
    assert assess("odense", age=40, substances=("heroin",), anonymous=True, **ANONYMOUS_OK).paragraph == "SEL101a"
    not_eligible = {**ANONYMOUS_OK, "wants_substitution": True}
    assert assess("odense", age=40, substances=("heroin",), anonymous=True, **not_eligible).paragraph == "SUL142"
    # Alcohol where the site treats it: Odense under 18 (000 § 5.1, § 7.1), Odsherred (004).
    assert assess("odense", age=16, substances=("alkohol",)).paragraph == "SUL141"
    assert assess("odsherred", age=50, substances=("alkohol",), anonymous=True).paragraph == "SUL141"
    # Odense adults with alcohol only: a referral, no case (000 § 1.1, § 7.1).
    referral = assess("odense", age=18, substances=("alkohol",), children_under_18_at_home=True)
    assert (referral.paragraph, referral.guarantee, referral.deadline) == (None, "no_case", None)
    assert referral.referral == "Alkoholbehandlingen, Sundhedsforvaltningen"


def test_deadline_and_last_open_day_of_the_routed_department() -> None:
    # Friday 2025-12-12: day 14 is Anden juledag; Stabilisering last opens on 24 December.
    friday = date(2025, 12, 12)
    assessment = assess("odense", today=friday, age=40, substances=("kokain",), contact_date=friday)
    assert (assessment.guarantee, assessment.deadline, assessment.days_left) == ("open", date(2025, 12, 26), 14)
    assert assessment.last_open_day == date(2025, 12, 24)
    assert "deadline_on_closed_day" in assessment.flags
    assert [(b.kind, b.source) for b in assessment.book_before_deadline] == [("visitation", "000 § 3.1, § 4.2")]
    # The receptionist's choice: the heroin clinic is open on public holidays too.
    chosen = assess(
        "odense", today=friday, department="heroinklinikken", age=40, substances=("heroin",), contact_date=friday
    )
    assert (chosen.department, chosen.last_open_day) == ("heroinklinikken", date(2025, 12, 26))


def test_a_department_chosen_over_a_referral_opens_a_case() -> None:
    chosen = assess("odense", department="stoffrihed", age=40, substances=("alkohol",))
    assert (chosen.department, chosen.referral, chosen.paragraph, chosen.guarantee) == (
        "stoffrihed",
        None,
        "SUL141",
        "open",
    )


def test_what_must_be_booked_before_the_deadline_is_the_sites() -> None:
    assert [b.kind for b in assess("gladsaxe", age=40, substances=("kokain",)).book_before_deadline] == [
        "visitation",
        "læge",
    ]
    assert [b.kind for b in assess("odsherred", age=40, substances=("kokain",)).book_before_deadline] == ["læge"]
    assert assess("assens", age=40, substances=("kokain",)).book_before_deadline == ()


def test_unknown_hours_give_no_last_open_day() -> None:
    assessment = assess("assens", age=40, substances=("kokain",))
    assert assessment.deadline == CONTACT + timedelta(days=14)
    assert assessment.last_open_day is None
    assert "hours_unknown" in assessment.flags


def test_no_deadline_for_anonymous_or_free_choice_or_an_unguaranteed_paragraph() -> None:
    anonymous = assess("odense", age=40, substances=("kokain",), anonymous=True, **ANONYMOUS_OK)
    assert (anonymous.guarantee, anonymous.exempt_reason, anonymous.deadline) == ("exempt", "anonymous", None)
    assert anonymous.book_before_deadline == ()
    free = assess("odense", age=40, substances=("kokain",), free_choice=True)
    assert (free.guarantee, free.exempt_reason, free.deadline) == ("exempt", "free_choice_may_waive", None)
    # SUL § 141 stk. 2 gives alcohol its 14 days wherever such a case exists (DESIGN §1), so
    # Gladsaxe's alcohol under 25 is guaranteed; a site without the paragraph does not cover it.
    alcohol = assess("gladsaxe", age=20, substances=("alkohol",))
    assert (alcohol.paragraph, alcohol.guarantee) == ("SUL141", "open") and alcohol.deadline is not None


# --- eligibility ----------------------------------------------------------------------------


def _states(result: EligibilityResult) -> dict[str, str]:
    return {c.id: c.state for c in result.criteria}


def _check(assessment: IntakeAssessment, check_id: str) -> EligibilityResult:
    return next(e for e in assessment.eligibility if e.id == check_id)


def test_anonymous_eligibility_gladsaxe() -> None:
    ok = _check(assess("gladsaxe", age=18, substances=("hash",), anonymous=True, **ANONYMOUS_OK), "anonymous")
    assert ok.eligible is True
    assert set(_states(ok).values()) == {"met"}
    young = _check(assess("gladsaxe", age=17, substances=("hash",), anonymous=True, **ANONYMOUS_OK), "anonymous")
    assert (young.eligible, _states(young)["adult"]) == (False, "not_met")
    unanswered = _check(assess("gladsaxe", age=30, substances=("hash",), anonymous=True), "anonymous")
    assert unanswered.eligible is None
    assert _states(unanswered) == {
        "adult": "met",
        "self_supporting": "not_answered",
        "has_housing": "not_answered",
        "no_substitution": "not_answered",
        "no_severe_mental_illness": "not_answered",
    }


@pytest.mark.parametrize(
    "spoiler",
    [
        dict(self_supporting=False),
        dict(has_housing=False),
        dict(wants_substitution=True),
        dict(severe_mental_illness=True),
    ],
)
def test_anonymous_eligibility_odense_fails_on_each_criterion(spoiler: dict[str, Any]) -> None:
    result = _check(
        assess("odense", age=40, substances=("kokain",), anonymous=True, **{**ANONYMOUS_OK, **spoiler}), "anonymous"
    )
    assert result.eligible is False
    assert list(_states(result).values()).count("not_met") == 1


def test_anonymous_eligibility_assens_is_no_social_problems_and_no_substitution() -> None:
    result = _check(assess("assens", age=40, substances=("kokain",), anonymous=True, **ANONYMOUS_OK), "anonymous")
    assert set(_states(result)) == {"self_supporting", "has_housing", "no_substitution"}
    assert result.eligible is True
    wants = _check(
        assess(
            "assens", age=40, substances=("kokain",), anonymous=True, **{**ANONYMOUS_OK, "wants_substitution": True}
        ),
        "anonymous",
    )
    assert wants.eligible is False


def test_heroin_clinic_only_in_odense() -> None:
    assert [e.id for e in assess("odense", age=40, substances=("heroin",)).eligibility] == [
        "anonymous",
        "heroin_clinic",
    ]
    for other in ("gladsaxe", "assens", "odsherred"):
        assert "heroin_clinic" not in [e.id for e in assess(other, age=40, substances=("heroin",)).eligibility]


def test_heroin_clinic_criteria() -> None:
    candidate = _check(
        assess("odense", age=40, substances=("heroin",), pregnant=False, severe_mental_illness=False), "heroin_clinic"
    )
    # Substitution tried, breastfeeding, cooperation: the form does not ask, staff do; a somatic
    # illness that contraindicates is the doctor's judgement (000 § 5.4).
    assert candidate.eligible is None
    assert _states(candidate) == {
        "adult": "met",
        "substitution_tried": "not_answered",
        "heroin_despite_substitution": "met",
        "no_significant_benzodiazepine_or_alcohol_abuse": "met",
        "not_pregnant": "met",
        "not_breastfeeding_or_planning": "not_answered",
        "no_contraindicating_psychiatric_illness": "met",
        "no_contraindicating_somatic_illness": "doctor",
        "able_to_cooperate": "not_answered",
    }
    significant: dict[str, Any] = dict(
        substances=("heroin", "alkohol"), main_substance="heroin", significant_alcohol_or_benzo=True
    )
    spoilers: list[tuple[dict[str, Any], str]] = [
        (dict(age=17), "adult"),
        (significant, "no_significant_benzodiazepine_or_alcohol_abuse"),
        (dict(substances=("kokain",)), "heroin_despite_substitution"),
        (dict(pregnant=True), "not_pregnant"),
    ]
    for spoiler, criterion in spoilers:
        given = {"age": 40, "substances": ("heroin",), **spoiler}
        result = _check(assess("odense", **given), "heroin_clinic")
        assert result.eligible is False, spoiler
        assert _states(result)[criterion] == "not_met", spoiler


# --- tasks ----------------------------------------------------------------------------------


def _tasks(assessment: IntakeAssessment) -> dict[str, tuple[date, str, str]]:
    return {t.kind: (t.due, t.source, t.note) for t in assessment.tasks}


def test_children_tasks_follow_each_sites_wording() -> None:
    """Odense notifies always for a citizen who has children (000 § 7.3); Assens and Odsherred
    notify on concern (002 afsnit 7, 004); Gladsaxe cooperates on concern (003 § 3.3.2). The
    quoted rules per site are in tests/domain/test_intake_seed_rules.py."""
    expected = {
        "odense": ("notify_children_services", "000 § 7.3", "altid"),
        "gladsaxe": (
            "cooperate_children_services",
            "003 § 3.3.2; afsnit 5 'Voksne over 25 år' (Samarbejde & brobygning)",
            "samarbejde",
        ),
        "assens": ("notify_children_services", "002 afsnit 7", "mistanke"),
        "odsherred": ("notify_children_services", "004 'Særlig opmærksomhed på hjemmeboende børn'", "bekymring"),
    }
    for site_id, (kind, source, word) in expected.items():
        with_children = _tasks(
            assess(site_id, age=40, substances=("kokain",), children_under_18_at_home=True, children_concern=True)
        )
        due, task_source, note = with_children[kind]
        assert (due, task_source) == (CONTACT, source), site_id
        assert word in note, site_id
        for no in (False, None):
            without = _tasks(assess(site_id, age=40, substances=("kokain",), children_under_18_at_home=no))
            assert kind not in without, site_id
    # Not when the citizen is referred elsewhere (Odense: enrolled in drug treatment, 000 § 7.3).
    referred = assess("odense", age=40, substances=("alkohol",), children_under_18_at_home=True)
    assert "notify_children_services" not in _tasks(referred)


def test_pregnant_to_familieambulatoriet() -> None:
    expected = {"odense": "Odense Universitetshospital", "gladsaxe": "Region Hovedstaden", "odsherred": "Slagelse"}
    for site_id, place in expected.items():
        due, _source, note = _tasks(assess(site_id, age=30, substances=("kokain",), pregnant=True))[
            "familieambulatoriet"
        ]
        assert due == CONTACT
        assert place in note
        assert "familieambulatoriet" not in _tasks(assess(site_id, age=30, substances=("kokain",), pregnant=False))
    # Also when referred elsewhere: 000 § 7.3 covers alcohol as well.
    assert "familieambulatoriet" in _tasks(assess("odense", age=30, substances=("alkohol",), pregnant=True))
    # Assens's standard names no such referral.
    assert "familieambulatoriet" not in _tasks(assess("assens", age=30, substances=("kokain",), pregnant=True))


def test_under_18_parental_consent() -> None:
    # Odense: before a second talk (000 § 7.4.2); Gladsaxe: before enrolment (003 afsnit 3.3.3, 5).
    assert _tasks(assess("odense", age=17, substances=("hash",)))["parental_consent"][0] == CONTACT
    assert _tasks(assess("gladsaxe", age=17, substances=("hash",)))["parental_consent"][0] == CONTACT + timedelta(
        days=14
    )
    for site_id in ("odense", "gladsaxe"):
        assert "parental_consent" not in _tasks(assess(site_id, age=18, substances=("hash",)))
    assert "parental_consent" not in _tasks(assess("odsherred", age=15, substances=("hash",)))


def test_doctor_talk_within_the_guarantee() -> None:
    for site_id in ("odense", "gladsaxe", "odsherred"):
        assert _tasks(assess(site_id, age=40, substances=("kokain",)))["doctor_talk"][0] == CONTACT + timedelta(days=14)
    # Assens: the doctor assesses medical treatment (002 afsnit 6): when substitution is asked for.
    assert "doctor_talk" not in _tasks(assess("assens", age=40, substances=("heroin",), wants_substitution=False))
    assert "doctor_talk" in _tasks(assess("assens", age=40, substances=("heroin",), wants_substitution=True))
    # No case here, no doctor's talk here.
    assert "doctor_talk" not in _tasks(assess("odense", age=40, substances=("alkohol",)))


# --- the site file --------------------------------------------------------------------------


def _site_with(**intake: Any) -> dict[str, Any]:
    return {
        "id": "t",
        "name": "T",
        "municipality": "T",
        "departments": [{"id": "a", "name": "A", "hours": "Mo-Fr 08:00-15:00"}],
        **intake,
    }


@pytest.mark.parametrize(
    ("intake", "message"),
    [
        ({"routing": [{"id": "x", "department": "b", "source": "s", "explanation": "e"}]}, "unknown departments ['b']"),
        (
            {"routing": [{"id": "x", "department": "a", "referral": "R", "source": "s", "explanation": "e"}]},
            "either a department or a referral",
        ),
        (
            {"routing": [{"id": "x", "department": "a", "source": "s", "explanation": "e", "substances_any": ["lsd"]}]},
            "unknown substance",
        ),
        (
            {
                "routing": [
                    {"id": "x", "department": "a", "source": "s", "explanation": "e", "min_age": 30, "max_age": 18}
                ]
            },
            "min_age 30 is above max_age 18",
        ),
        ({"routing": [{"id": "x", "department": "a", "explanation": "e"}]}, "Field required"),
        (
            {
                "eligibility": [
                    {
                        "id": "c",
                        "name": "C",
                        "source": "s",
                        "criteria": [{"id": "k", "label": "L", "source": "s", "min_age": 18, "asked": True}],
                    }
                ]
            },
            "exactly one of",
        ),
        ({"intake_tasks": [{"kind": "call_mum", "source": "s"}]}, "unknown task kind"),
        ({"guarantee_appointments": [{"kind": "frisør", "source": "s"}]}, "unknown appointment kind"),
    ],
)
def test_a_wrong_intake_rule_in_a_site_file_is_refused(intake: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("[", r"\[").replace("]", r"\]").replace("(", r"\(")):
        parse_site(_site_with(**intake))


def test_every_shipped_rule_cites_a_seed(any_site: Site) -> None:
    sources = [r.source for r in any_site.routing] + [t.source for t in any_site.intake_tasks]
    sources += [c.source for e in any_site.eligibility for c in e.criteria]
    sources += [a.source for a in any_site.guarantee_appointments]
    assert sources
    assert all(s[:3] in {"000", "001", "002", "003", "004"} for s in sources)


def test_a_site_without_routing_rules_leaves_the_choice_to_the_desk() -> None:
    site = parse_site(_site_with())
    hours = SiteHours(site)
    unrouted = evaluate_intake(answers(40, ("kokain",)), site, hours, CONTACT)
    assert (unrouted.routing, unrouted.department, unrouted.paragraph, unrouted.guarantee) == (
        None,
        None,
        None,
        "no_case",
    )
    chosen = evaluate_intake(answers(40, ("kokain",)), site, hours, CONTACT, department="a")
    assert (chosen.department, chosen.paragraph, chosen.deadline) == ("a", "SEL101", CONTACT + timedelta(days=14))
    with pytest.raises(KeyError):
        evaluate_intake(answers(40, ("kokain",)), site, hours, CONTACT, department="b")
