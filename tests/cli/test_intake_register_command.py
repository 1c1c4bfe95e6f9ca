"""`skranke intake FILE.json` without --dry-run: registered by a signed-in staff member."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from skranke.cli import main
from tests.cli.test_intake_command import NOW, request


def prepared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A store with the reception's KJ, signed in through the environment as a script would."""
    url = f"sqlite:///{tmp_path / 'skranke.db'}"
    monkeypatch.setenv("SKRANKE_NEW_PIN", "4711")
    assert main(["staff", "add", "AH", "--name", "Anne Holm", "--roles", "admin", "--db", url, "--create"]) == 0
    monkeypatch.setenv("SKRANKE_STAFF", "AH")
    monkeypatch.setenv("SKRANKE_PIN", "4711")
    assert main(["staff", "add", "KJ", "--name", "Karen Jensen", "--roles", "reception", "--db", url]) == 0
    monkeypatch.setenv("SKRANKE_STAFF", "KJ")
    return url


def register(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, url: str, content: dict[str, Any], *options: str
) -> tuple[int, str, str]:
    path = tmp_path / "henvendelse.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    capsys.readouterr()
    code = main(["intake", str(path), "--now", NOW, "--db", url, *options])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_registered_with_citizen_and_case(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = prepared(tmp_path, monkeypatch)
    code, out, err = register(capsys, tmp_path, url, request(children_under_18_at_home=True), "--json")
    assert code == 0, err
    answer = json.loads(out)
    assert (answer["citizen_id"], answer["case_id"], answer["department"]) == ("H00001", "HS00001", "stabilisering")
    assert answer["deadline"] == "2025-12-26"
    assert {t["kind"] for t in answer["tasks"]} >= {"notify_children_services"}
    # The same CPR again: the citizen is reused, a new case opened.
    code, out, err = register(capsys, tmp_path, url, request())
    assert code == 0, err
    assert "H00001" in out and "HS00002" in out
    code, out, _ = main_deadlines(capsys, url)
    assert {r["case_id"] for r in json.loads(out)["requests"]} == {"HS00001", "HS00002"}


def main_deadlines(capsys: pytest.CaptureFixture[str], url: str) -> tuple[int, str, str]:
    code = main(["deadlines", "--json", "--now", NOW, "--db", url])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_wrong_pin_or_role_registers_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = prepared(tmp_path, monkeypatch)
    monkeypatch.setenv("SKRANKE_PIN", "0000")
    code, _, err = register(capsys, tmp_path, url, request())
    assert code == 4, err
    monkeypatch.setenv("SKRANKE_STAFF", "AH")
    monkeypatch.setenv("SKRANKE_PIN", "4711")
    code, _, err = register(capsys, tmp_path, url, request())
    assert code == 4 and "AH" in err
    code, out, _ = main_deadlines(capsys, url)
    assert json.loads(out)["requests"] == []


def test_a_bad_file_names_every_field_when_signed_in_too(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = prepared(tmp_path, monkeypatch)
    bad = request(cpr="12345", channel="fax", substances=[])
    code, _, err = register(capsys, tmp_path, url, bad)
    assert code == 1
    for field in ("cpr", "channel", "substances"):
        assert f": {field}: " in err


def test_a_referral_is_refused_with_exit_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = prepared(tmp_path, monkeypatch)
    code, _, err = register(capsys, tmp_path, url, request(substances=["alkohol"], main_substance="alkohol"))
    assert code == 1 and "Alkohol" in err
