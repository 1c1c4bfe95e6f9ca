"""`skranke intake` and anonymity (issue 24, DESIGN §3): `"cpr": null` is accepted; a request
from a citizen not eligible for SEL § 101a keeps its paragraph and deadline and is refused
without a CPR number (exit 1, naming the criteria not met); an eligible one registers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from skranke.cli import main
from tests.cli.test_intake_command import NOW, request
from tests.cli.test_intake_register_command import prepared, register

# 000 § 1.4.2: "borgere, der har et behandlingskrævende stofbrug, men som ikke har andre sociale
# problemer"; Odense, 35, anonymous, no housing: not eligible.
NOT_ELIGIBLE = request(cpr=None, first_name="", last_name="", anonymous=True, alias="Ræven", age=35, has_housing=False)


def dry_run(capsys: pytest.CaptureFixture[str], tmp_path: Path, content: dict[str, Any]) -> tuple[int, str, str]:
    path = tmp_path / "henvendelse.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    capsys.readouterr()
    code = main(["intake", str(path), "--dry-run", "--json", "--now", NOW, "--site", "odense"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cpr_null_is_accepted_and_a_not_eligible_request_keeps_its_deadline(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = dry_run(capsys, tmp_path, NOT_ELIGIBLE)
    assert code == 0, err
    answer = json.loads(out)
    assert (answer["paragraph"], answer["guarantee"], answer["deadline"]) == ("SEL101", "open", "2025-12-26")
    assert answer["flags"][0] == "anonymous_not_eligible"
    assert answer["eligibility"]["anonymous"]["eligible"] is False


def test_cpr_absent_is_accepted(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    content = {k: v for k, v in NOT_ELIGIBLE.items() if k != "cpr"}
    code, _out, err = dry_run(capsys, tmp_path, content)
    assert code == 0, err


def test_registering_a_not_eligible_anonymous_request_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = prepared(tmp_path, monkeypatch)
    code, out, err = register(capsys, tmp_path, url, NOT_ELIGIBLE)
    assert code == 1
    assert "Har en bolig" in err and "CPR" in err
    assert out == ""
    code = main(["deadlines", "--json", "--now", NOW, "--db", url])
    assert json.loads(capsys.readouterr().out)["requests"] == []  # nothing registered


def test_registering_with_unanswered_criteria_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = prepared(tmp_path, monkeypatch)
    unanswered = {**NOT_ELIGIBLE, "has_housing": None, "self_supporting": None}
    code, _out, err = register(capsys, tmp_path, url, unanswered)
    assert code == 1
    assert "Selvforsørgende" in err and "Har en bolig" in err


def test_an_eligible_anonymous_request_registers_without_cpr(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = prepared(tmp_path, monkeypatch)
    code, out, err = register(capsys, tmp_path, url, {**NOT_ELIGIBLE, "has_housing": True}, "--json")
    assert code == 0, err
    answer = json.loads(out)
    assert (answer["paragraph"], answer["guarantee"], answer["deadline"]) == ("SEL101a", "exempt", None)
    assert answer["flags"] == []
