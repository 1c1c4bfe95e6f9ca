"""The intake service: answers read against `--now`, assessed at `--now`, problems translated."""

from __future__ import annotations

import pytest

from skranke.i18n import set_language
from skranke.services.intake import IntakeRejected, assess_intake, read_answers
from tests.conftest import make_skranke

REQUEST = {
    "contact_date": "2026-03-23",
    "channel": "phone",
    "requested_by": "professional",
    "cpr": "0101901234",
    "first_name": "Jens",
    "last_name": "Hansen",
    "substances": ["kokain"],
}


def test_assessed_at_the_clocks_date() -> None:
    skranke = make_skranke("2026-03-30T09:00")  # no database: assessing needs none
    assessment = assess_intake(skranke, read_answers(skranke, REQUEST))
    assert assessment.deadline is not None and assessment.last_open_day is not None
    assert (assessment.deadline.isoformat(), assessment.days_left) == ("2026-04-06", 7)
    # Day 14 is Anden påskedag: Stabilisering last opens on Wednesday 1 April.
    assert assessment.last_open_day.isoformat() == "2026-04-01"


def test_the_receptionists_choice_of_department() -> None:
    skranke = make_skranke("2026-03-30T09:00")
    assessment = assess_intake(skranke, read_answers(skranke, REQUEST), department="heroinklinikken")
    assert assessment.last_open_day is not None
    # The heroin clinic is open on public holidays: the deadline day itself.
    assert (assessment.department, assessment.last_open_day.isoformat()) == ("heroinklinikken", "2026-04-06")


def test_a_request_after_the_clocks_date_is_refused() -> None:
    skranke = make_skranke("2026-03-22T23:59")
    with pytest.raises(IntakeRejected) as caught:
        read_answers(skranke, REQUEST)
    assert [str(p) for p in caught.value.problems] == ["contact_date: ligger efter i dag (2026-03-22)"]
    assert str(caught.value) == "1 forkert felt"


def test_problems_in_english() -> None:
    skranke = make_skranke("2026-04-09T09:00")
    set_language("en")
    with pytest.raises(IntakeRejected) as caught:
        read_answers(skranke, {**REQUEST, "substances": ["kokain", "hash"], "main_substance": "heroin"})
    assert [p.to_json_dict() for p in caught.value.problems] == [
        {
            "field": "main_substance",
            "code": "main_not_in_substances",
            "message": "must be one of the substances given: kokain, hash",
        }
    ]


def test_every_area_answer_has_its_own_words_in_both_languages() -> None:
    from skranke.domain.intake import AREA_ANSWERS
    from skranke.services.intake import area_answer_label

    for language in ("da", "en"):
        set_language(language)
        for area, codes in AREA_ANSWERS.items():
            labels = [area_answer_label(code) for code in codes]
            assert len(set(labels)) == len(codes), (language, area)
            assert not set(labels) & set(codes), (language, area)  # a label, never the bare code
    set_language("da")
    assert area_answer_label("on_benefits") == "Anden offentlig ydelse"
