"""Ny henvendelse without an app: the words a receptionist reads beside the form (summary,
routing, review) and the wizard's rules (a step's errors, the reason for another department,
a draft's values, a blank form), as pure functions over the answers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from rich.text import Text

from skranke.domain.site import Site
from skranke.services.intake import Draft, FieldProblem, IntakePreview, picked_citizen, preview_intake
from skranke.ui.intake_form import (
    STEPS,
    answers_from_form,
    form_values,
    is_blank,
    resumed_step,
    routing_error,
    step_after,
    step_before,
    step_errors,
)
from skranke.ui.intake_text import draft_line, picked_text, review_text, routing_text, summary_text
from tests.conftest import make_skranke

NOW = "2026-03-30T09:00"  # a Monday
TODAY = date(2026, 3, 30)
AREAS = ("substances", "social", "health", "work", "housing", "other")
NOTHING_ASSESSED = {area: {"answer": None, "note": ""} for area in AREAS}
REQUEST = {"contact_date": "2026-03-30", "channel": "personal", "requested_by": "citizen", "areas": NOTHING_ASSESSED}
JENS = {"anonymous": False, "cpr": "0101801234", "first_name": "Jens", "last_name": "Hansen"}


def previewed(site: str, answers: dict[str, Any], department: str | None = None) -> tuple[IntakePreview, Site]:
    skranke = make_skranke(NOW, None, site)  # assessing needs no database
    return preview_intake(skranke, answers, department), skranke.site


def lines(text: Text) -> list[str]:
    return text.plain.splitlines()


def test_a_minor_with_hash_goes_to_the_youth_department_with_the_childrens_tasks() -> None:
    # Odense 000 § 2.1, § 5.1, § 7.1: under 18, both drugs and alcohol, in Unge & Rusmidler.
    minor = {**REQUEST, "anonymous": False, "cpr": "0101104123", "first_name": "Ida", "last_name": "Berg"}
    preview, site = previewed("odense", {**minor, "substances": ["hash"]})
    summary = lines(summary_text(preview, site))
    assert summary[:4] == [
        "Frist: 13.04.2026",
        "Afdeling: Unge & Rusmidler",
        "Paragraf: SEL101",
        "Sidste åbne dag: 13.04.2026",
    ]
    assert "· 30.03.2026 Forældresamtykke" in summary and "· 30.03.2026 Børnefaglig undersøgelse" in summary
    routing = lines(routing_text(preview, site))
    assert routing[1] == "Regel under-18, kilde 000 § 2.1, § 5.1, § 7.1"
    assert "  ikke opfyldt      Over 18 år" in routing  # the heroin clinic's checklist


def test_an_anonymous_request_not_eligible_keeps_its_deadline_and_says_why() -> None:
    # Odense 000 § 1.4.2: no other social problems; without a home the citizen is not eligible,
    # and keeps the 14 days (issue 24).
    anonymous = {**REQUEST, "anonymous": True, "alias": "Ræven", "age": "30", "substances": ["kokain"]}
    given = {"self_supporting": True, "has_housing": False, "wants_substitution": False, "severe_mental_illness": False}
    preview, site = previewed("odense", {**anonymous, **given})
    summary = lines(summary_text(preview, site))
    assert summary[0] == "Frist: 13.04.2026" and "Paragraf: SEL101" in summary
    assert "· anonym behandling ikke mulig: kriterier ikke opfyldt" in summary
    assert not any("Ingen behandlingsgaranti" in line for line in summary)
    routing = lines(routing_text(preview, site))
    assert "Anonym behandling (SEL § 101a): opfylder ikke kriterierne (000 § 1.4.2)" in routing
    assert "  ikke opfyldt   Har en bolig" in routing and "  opfyldt        Selvforsørgende" in routing


def test_an_eligible_anonymous_request_has_no_guarantee() -> None:
    anonymous = {**REQUEST, "anonymous": True, "alias": "Ræven", "age": "30", "substances": ["kokain"]}
    given = {"self_supporting": True, "has_housing": True, "wants_substitution": False, "severe_mental_illness": False}
    preview, site = previewed("odense", {**anonymous, **given})
    assert "Ingen behandlingsgaranti: anonym behandling (SEL § 101a)" in lines(summary_text(preview, site))


def test_the_heroin_clinics_checklist_shows_each_criterion_and_what_the_doctor_judges() -> None:
    # Odense 000 § 5.4; the somatic illness has no question on the form: the doctor judges it.
    heroin = {**REQUEST, **JENS, "substances": ["heroin", "alkohol"], "main_substance": "heroin"}
    answers = {
        **heroin,
        "wants_substitution": True,
        "significant_alcohol_or_benzo": False,
        "severe_mental_illness": False,
    }
    preview, site = previewed("odense", answers)
    routing = lines(routing_text(preview, site))
    assert "Eller: Stoffrihed" in routing
    assert "Heroinklinikken: ikke afgjort: nogle kriterier er ikke besvaret (000 § 5.4)" in routing
    # The column is as wide as "vurderes af lægen", so the criteria line up.
    assert "  vurderes af lægen Ingen sværere somatisk lidelse, der kontraindicerer behandling" in routing
    assert "  opfyldt           Misbrug af heroin (på trods af substitutionsbehandling)" in routing
    assert lines(summary_text(preview, site))[1:3] == ["Afdeling: Stabilisering", "Paragraf: SUL142"]


def test_odsherred_waits_for_the_personal_attendance() -> None:
    # 004 'Behandlingsgaranti': the 14 days count from the citizen's first personal attendance.
    preview, site = previewed("odsherred", {**REQUEST, **JENS, "channel": "phone", "substances": ["kokain"]})
    summary = lines(summary_text(preview, site))
    assert summary[0] == "Frist: afventer personligt fremmøde"
    assert summary[3].startswith("Ingen frist endnu: de 14 dage regnes fra borgerens første personlige fremmøde (004")
    assert not any(line.startswith("Sidste åbne dag") for line in summary)


def test_before_the_answers_hold_together() -> None:
    preview, site = previewed("odense", {**REQUEST, "substances": []})
    assert lines(summary_text(preview, site)) == ["Frist: 13.04.2026", "Sidste åbne dag: når svarene er udfyldt"]
    assert routing_text(preview, site).plain == "Visitationen vises, når svarene er udfyldt."
    review = lines(review_text({**REQUEST, "substances": []}, preview, None))
    assert review[-len(preview.problems) - 1].startswith(f"Ikke klar: {len(preview.problems)} forkerte felter")


def test_the_review_of_a_known_citizen_masks_the_cpr_and_names_each_answer() -> None:
    picked = picked_citizen("B7", "0101801234", "Jens", "Hansen", "", "12345678")
    areas = {**NOTHING_ASSESSED, "substances": {"answer": "daily", "note": "Kokain hver dag"}}
    answers = {**REQUEST, **JENS, "channel": "phone", "substances": ["kokain"], "areas": areas}
    preview, _site = previewed("odense", answers)
    review = lines(review_text(answers, preview, picked))
    assert "  Kendt borger: B7" in review and "  CPR-nummer: 010180-****" in review
    assert "  Hvordan: Telefonisk" in review
    assert "  1. Brug af rusmidler, stoffer og alkohol: Dagligt · Kokain hver dag" in review
    assert "  4. Arbejde og/eller uddannelse: ikke afdækket" in review
    assert review[-1] == "Klar: Ctrl+R registrerer henvendelsen."
    assert "0101801234" not in review_text(answers, preview, picked).plain


def test_the_picked_citizen_is_named_with_the_age_on_the_day_of_the_request() -> None:
    picked = picked_citizen("B7", "0101801234", "Jens", "Hansen", "", "")
    said = picked_text(picked, date(2026, 3, 30)).plain
    assert said.startswith("Kendt borger B7 (JH, 010180-****, født 01.01.1980, 46 år)")
    anonymous = picked_citizen("B9", "", "", "", "Hansen-ræven", "")
    assert picked_text(anonymous, TODAY).plain.startswith("Kendt borger B9 (Hansen-ræven, anonym)")


# --- the wizard's rules ---------------------------------------------------------------------


def test_the_steps_in_order() -> None:
    assert (step_after("identity"), step_after("review"), step_before("identity")) == ("request", None, None)
    assert step_before("review") == "routing"


def test_a_step_names_only_its_own_wrong_fields() -> None:
    problems = [
        FieldProblem("cpr", "invalid", "ugyldigt CPR-nummer"),
        FieldProblem("cpr", "too_old", "for gammel"),
        FieldProblem("channel", "missing", "mangler"),
    ]
    errors = step_errors("identity", problems, "30.03.2026", TODAY)
    assert errors["cpr"] == "ugyldigt CPR-nummer; for gammel"
    assert errors["first_name"] == "" and "channel" not in errors


def test_a_date_of_the_request_that_is_no_date_says_how_to_write_one() -> None:
    problems = [FieldProblem("contact_date", "date_from_datetime_parsing", "Input should be a valid date")]
    errors = step_errors("request", problems, "32.03.2026", TODAY)
    assert errors["contact_date"] == "Dato for henvendelsen: skriv datoen som DD.MM.ÅÅÅÅ, fx 30.03.2026"
    # A real date with a problem (in the future) keeps the model's words.
    assert step_errors("request", problems, "31.03.2026", TODAY)["contact_date"] == "Input should be a valid date"


def test_another_department_than_the_routing_suggests_needs_a_reason() -> None:
    answers = {**REQUEST, **JENS, "substances": ["heroin"], "main_substance": "heroin"}
    routed, _site = previewed("odense", answers)
    chosen, _site = previewed("odense", answers, "heroinklinikken")
    assert routing_error(chosen, routed.assessment, "heroinklinikken", "") == (
        "Sig hvorfor borgeren skal til en anden afdeling end visitationen foreslår."
    )
    assert routing_error(chosen, routed.assessment, "heroinklinikken", "Lægens vurdering") == ""
    assert routing_error(chosen, routed.assessment, "stoffrihed", "") == ""  # the routing's alternative


@pytest.mark.parametrize("picked", [False, True], ids=["typed", "picked"])
def test_a_drafts_answers_fill_the_form_and_read_back_the_same(picked: bool) -> None:
    answers = {
        **REQUEST,
        **JENS,
        "substances": ["hash", "kokain"],
        "main_substance": "kokain",
        "children_under_18_at_home": True,
        "pregnant": False,
        "areas": {**NOTHING_ASSESSED, "housing": {"answer": "temporary", "note": "Sofa hos en ven"}},
    }
    form = form_values(answers)
    assert (form["contact_date"], form["pregnant"], form["has_children"]) == ("30.03.2026", "no", None)
    who = picked_citizen("B7", "0101801234", "Jens", "Hansen", "", "") if picked else None
    if who is not None:
        form["cpr"] = who.masked_cpr  # as the form shows it
    assert answers_from_form(form, who) == answers


def test_a_draft_of_the_earlier_form_kept_an_areas_note_alone() -> None:
    form = form_values({"areas": {"work": "Ledig siden jul", "housing": {"answer": "nowhere", "note": ""}}})
    assert (form["areas.work.answer"], form["areas.work.note"]) == (None, "Ledig siden jul")
    assert form["areas.housing.answer"] is None  # no such code: not assessed


def test_a_form_with_only_todays_date_is_blank() -> None:
    blank = answers_from_form(form_values({"contact_date": "2026-03-30"}), None)
    assert is_blank(blank, TODAY, None, "", None)
    assert not is_blank({**blank, "contact_date": "2026-03-27"}, TODAY, None, "", None)
    assert not is_blank({**blank, "first_name": "Ida"}, TODAY, None, "", None)
    assert not is_blank(blank, TODAY, "stoffrihed", "", None)


def test_a_draft_is_resumed_on_its_step_and_listed_with_it() -> None:
    draft = Draft(3, {}, "areas", None, "", datetime(2026, 3, 30, 7, 5, tzinfo=UTC), "Jens Hansen")
    assert resumed_step(draft) == "areas"
    assert resumed_step(Draft(3, {}, "gone", None, "", draft.updated_at, "")) == STEPS[0]
    assert draft_line(draft, UTC) == "Jens Hansen  ·  Afdækning  ·  30.03.2026 07.05"
