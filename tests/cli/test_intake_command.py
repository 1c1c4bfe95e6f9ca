"""`skranke intake FILE.json --dry-run [--json]`: one request per route, a bad file naming every
wrong field, and registering refused until a staff member is signed in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from skranke.cli import main

NOW = "2025-12-12T10:00"  # a Friday: day 14 is Anden juledag


def request(**answers: Any) -> dict[str, Any]:
    """DESIGN §3's example, changed where a test says so."""
    return {
        "contact_date": "2025-12-12",
        "channel": "personal",
        "cpr": "0101901234",  # 35 on the contact date
        "first_name": "Jens",
        "last_name": "Hansen",
        "alias": "",
        "phone": "",
        "age": None,
        "anonymous": False,
        "substances": ["hash", "kokain"],
        "main_substance": "hash",
        "wants_substitution": False,
        "severe_mental_illness": False,
        "children_under_18_at_home": False,
        "pregnant": False,
        "self_supporting": True,
        "has_housing": True,
        "free_choice": False,
        "areas": {"substances": "", "social": "", "health": "", "work": "", "housing": "", "other": ""},
        **answers,
    }


def run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: Any, *options: str, site: str = "odense"
) -> tuple[int, str, str]:
    path = tmp_path / "henvendelse.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    database = tmp_path / "skranke.db"
    code = main(["intake", str(path), "--site", site, "--now", NOW, "--db", f"sqlite:///{database}", *options])
    captured = capsys.readouterr()
    assert not database.exists()  # a dry run, or a refusal, writes nothing
    return code, captured.out, captured.err


def dry_run(capsys: pytest.CaptureFixture[str], tmp_path: Path, site: str = "odense", **answers: Any) -> dict[str, Any]:
    code, out, err = run(capsys, tmp_path, request(**answers), "--dry-run", "--json", site=site)
    assert code == 0, err
    document: dict[str, Any] = json.loads(out)
    return document


def test_over_30_with_drugs_in_odense(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    result = dry_run(capsys, tmp_path, children_under_18_at_home=True)
    assert {k: result[k] for k in ("paragraph", "department", "referral", "deadline", "last_open_day")} == {
        "paragraph": "SEL101",
        "department": "stabilisering",
        "referral": None,
        "deadline": "2025-12-26",
        "last_open_day": "2025-12-24",
    }
    assert result["routing"]["rule"] == "over-30"
    assert result["routing"]["source"] == "000 § 2.1, § 5.2, § 5.3"
    assert result["routing"]["explanation"].startswith("Over 30 år")
    assert result["routing"]["alternatives"] == ["stoffrihed"]
    assert result["book_before_deadline"] == [{"kind": "visitation", "source": "000 § 3.1, § 4.2"}]
    assert set(result["eligibility"]) == {"anonymous", "heroin_clinic"}
    assert result["eligibility"]["anonymous"]["eligible"] is True
    assert result["eligibility"]["heroin_clinic"]["eligible"] is False
    assert [(t["kind"], t["due"], t["source"]) for t in result["tasks"]] == [
        ("notify_children_services", "2025-12-12", "000 § 7.3"),
        ("doctor_talk", "2025-12-26", "000 § 3.1, § 1.4.1"),
    ]
    assert "citizen_id" not in result and "case_id" not in result


def test_17_the_day_before_the_18th_birthday_in_odense(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    result = dry_run(capsys, tmp_path, cpr="1312074321", substances=["alkohol"], main_substance="alkohol")
    assert (result["age"], result["department"], result["paragraph"]) == (17, "unge-og-rusmidler", "SUL141")
    assert result["last_open_day"] == "2025-12-24"  # Unge & Rusmidler: the weekday before Juledag
    # Under 18 in Odense: the child assessment (000 § 4.3) and the parents' consent (§ 7.4.2).
    assert [t["kind"] for t in result["tasks"]] == ["child_assessment", "parental_consent", "doctor_talk"]


def test_18_on_the_contact_date_is_an_adult(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    result = dry_run(capsys, tmp_path, cpr="1212074321", substances=["alkohol"], main_substance="alkohol")
    assert (result["age"], result["routing"]["rule"], result["referral"]) == (
        18,
        "alcohol-only",
        "Alkoholbehandlingen, Sundhedsforvaltningen",
    )
    assert (result["department"], result["paragraph"], result["deadline"], result["guarantee"]) == (
        None,
        None,
        None,
        "no_case",
    )


def test_substitution_in_odense(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    result = dry_run(
        capsys, tmp_path, substances=["heroin", "benzodiazepiner"], main_substance="heroin", wants_substitution=True
    )
    assert (result["routing"]["rule"], result["paragraph"], result["deadline"]) == (
        "benzodiazepines-opiates",
        "SUL142",
        "2025-12-26",
    )


def test_anonymous_in_odense(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    result = dry_run(capsys, tmp_path, anonymous=True, cpr="", first_name="", last_name="", alias="Kim", age=24)
    assert (result["routing"]["rule"], result["paragraph"], result["guarantee"], result["exempt_reason"]) == (
        "anonymous",
        "SEL101a",
        "exempt",
        "anonymous",
    )
    assert result["deadline"] is None
    assert result["eligibility"]["anonymous"]["eligible"] is True


def test_gladsaxe_books_visitation_and_doctor_before_the_deadline(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    result = dry_run(capsys, tmp_path, site="gladsaxe", pregnant=True)
    assert (result["department"], result["routing"]["rule"]) == ("saerligt-udsatte", "pregnant")
    assert [b["kind"] for b in result["book_before_deadline"]] == ["visitation", "læge"]
    assert "familieambulatoriet" in [t["kind"] for t in result["tasks"]]
    assert result["last_open_day"] == "2025-12-24"


def test_assens_has_no_hours_so_no_last_open_day(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    result = dry_run(capsys, tmp_path, site="assens")
    assert (result["department"], result["deadline"], result["last_open_day"]) == ("misbrugscenter", "2025-12-26", None)
    assert "hours_unknown" in result["flags"]


def test_odsherred_alcohol_is_a_guaranteed_case(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    result = dry_run(capsys, tmp_path, site="odsherred", substances=["alkohol"], main_substance="alkohol")
    assert (result["department"], result["paragraph"], result["deadline"]) == (
        "rusmiddelteamet",
        "SUL141",
        "2025-12-26",
    )


def test_odsherred_phoned_request_awaits_the_personal_attendance(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """004 "Behandlingsgaranti": "De 14 dage regnes fra det tidspunkt, hvor borgeren personligt
    møder op i teamet"; a phone call gives no deadline yet, and the text says why."""
    result = dry_run(capsys, tmp_path, site="odsherred", channel="phone")
    assert (result["guarantee"], result["deadline"], result["last_open_day"]) == ("awaiting_attendance", None, None)
    code, out, _err = run(capsys, tmp_path, request(channel="phone"), "--dry-run", site="odsherred")
    assert code == 0
    assert "Ingen frist endnu: de 14 dage regnes fra borgerens første personlige fremmøde (004" in out
    assert "Frist:" not in out


def test_free_choice_waives_the_deadline(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    result = dry_run(capsys, tmp_path, free_choice=True)
    assert (result["guarantee"], result["exempt_reason"], result["deadline"]) == (
        "exempt",
        "free_choice_may_waive",
        None,
    )


def test_the_text_answer_is_danish(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _err = run(capsys, tmp_path, request(children_under_18_at_home=True), "--dry-run")
    assert code == 0
    assert "Afdeling: Stabilisering" in out
    assert "Frist: 26.12.2025 (sidste åbningsdag 24.12.2025)" in out
    assert "Underretning til børne- og familieområdet (000 § 7.3)" in out
    assert out.rstrip().endswith("Prøvekørsel: intet er registreret.")


BAD = request(
    contact_date="2025-12-13",  # after --now
    channel="fax",
    requested_by="nabo",
    cpr="0101901234",
    anonymous=True,  # with a CPR and without alias and age
    substances=["hash", "lsd"],
    pregnant="ja",
    areas={"social": 3, "work": {"answer": "jobless", "note": "Ledig"}},
    colour="blå",
)


def test_a_bad_file_names_every_wrong_field(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, tmp_path, BAD, "--dry-run", "--json")
    assert code == 1
    problems = {p["field"]: p["message"] for p in json.loads(out)["errors"]}
    assert problems == {
        "contact_date": "ligger efter i dag (2025-12-12)",
        "channel": "skal være en af 'personal', 'phone', 'written'",
        "requested_by": "skal være en af 'citizen', 'relative', 'professional'",
        "cpr": "skal være tom ved anonym behandling",
        "alias": "skal udfyldes ved anonym behandling",
        "age": "skal udfyldes ved anonym behandling",
        "substances.1": "skal være en af 'alkohol', 'hash', 'kokain', 'amfetamin', 'ecstasy', 'heroin', "
        "'opioider', 'benzodiazepiner', 'andet'",
        "pregnant": "skal være true eller false",
        "areas.social": "skal være en note (tekst) eller et objekt med answer og note",
        "areas.work.answer": "skal være en af 'employed', 'in_education', 'unemployed', 'on_benefits', 'pension'",
        "colour": "er ikke et felt i henvendelsesskemaet",
    }
    lines = err.splitlines()
    assert lines[0].endswith("henvendelse.json: 11 forkerte felter")
    assert len(lines) == 12
    assert all(f"henvendelse.json: {field}: " in err for field in problems)


STRUCTURED_AREAS = {
    "substances": {"answer": "daily", "note": "Kokain hver dag"},
    "social": {"answer": "no_network", "note": ""},
    "health": {"answer": "physical_and_mental", "note": "Hepatitis C, angst"},
    "work": {"answer": "unemployed", "note": ""},
    "housing": "Bor hos en ven",  # the note alone, as before
    "other": {"answer": "probation_service", "note": "Vilkår om behandling"},
}


def test_structured_area_answers_are_read(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, tmp_path, request(areas=STRUCTURED_AREAS), "--dry-run", "--json")
    assert (code, err) == (0, "")
    assert json.loads(out)["department"] == "stabilisering"


def test_an_unknown_area_answer_names_the_field_and_its_codes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    areas = {**STRUCTURED_AREAS, "housing": {"answer": "tent", "note": ""}, "social": {"answer": "none"}}
    code, out, err = run(capsys, tmp_path, request(areas=areas), "--dry-run", "--json")
    assert code == 1
    assert json.loads(out)["errors"] == [
        {
            "field": "areas.social.answer",
            "code": "literal_error",
            "message": "skal være en af 'supportive_network', 'limited_network', 'no_network'",
        },
        {
            "field": "areas.housing.answer",
            "code": "literal_error",
            "message": "skal være en af 'own_home', 'with_family', 'temporary', 'homeless'",
        },
    ]
    assert err.splitlines()[0].endswith("henvendelse.json: 2 forkerte felter")


def test_a_bad_file_in_english(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _out, err = run(capsys, tmp_path, request(cpr="0113901234"), "--dry-run", "--language", "en")
    assert code == 1
    assert err.splitlines()[-1].endswith("henvendelse.json: cpr: holds no valid birth date (DDMMYY)")


@pytest.mark.parametrize(
    ("content", "message"),
    [("{", "er ikke gyldig JSON: linje 1, kolonne 2"), ("[]", "(hele filen): skal være et objekt")],
)
def test_a_file_that_is_no_request(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, message: str
) -> None:
    code, _out, err = run(capsys, tmp_path, content, "--dry-run")
    assert code == 1
    assert message in err


def test_registering_needs_a_signed_in_staff_member(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, tmp_path, request())
    assert code == 4
    assert out == ""
    assert "logget ind medarbejder" in err
    # A bad file is named before that.
    assert run(capsys, tmp_path, BAD)[0] == 1
