"""`skranke hours`: the JSON contract and the exit codes, checked against the rules by date."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from skranke.cli import main


def hours_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    code = main(["hours", "--site", "odense", "--json", *args])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    document: dict[str, Any] = json.loads(captured.out)
    return document


def by_id(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["id"]: d for d in result["departments"]}


def spans(department: dict[str, Any]) -> list[tuple[str, str]]:
    return [(i["start"], i["end"]) for i in department["intervals"]]


def test_anden_paaskedag_only_the_medicine_room_and_heroin_clinic_open(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    result = hours_json(
        capsys, "--date", "2026-04-06", "--now", "2026-04-06T10:00", "--db", f"sqlite:///{tmp_path}/x.db"
    )
    assert result["site"] == "odense"
    assert result["date"] == "2026-04-06"
    assert result["holiday"] == "Anden påskedag"
    departments = by_id(result)
    for closed in ("unge-og-rusmidler", "stabilisering", "stoffrihed"):
        assert departments[closed]["intervals"] == []
        assert departments[closed]["open_now"] is False
    assert spans(departments["medicinudlevering"]) == [("08:15", "11:15"), ("14:30", "17:00")]
    assert spans(departments["heroinklinikken"]) == [("08:15", "11:30"), ("14:30", "17:15")]
    assert departments["heroinklinikken"]["open_now"] is True
    assert departments["heroinklinikken"]["next_change"] == "2026-04-06T11:30:00+02:00"
    assert departments["stabilisering"]["next_change"] == "2026-04-07T08:15:00+02:00"


def test_store_bededag_2023_is_closed_but_the_same_friday_in_2024_is_not(capsys: pytest.CaptureFixture[str]) -> None:
    bededag = hours_json(capsys, "--date", "2023-05-05", "--now", "2026-01-01T12:00")
    assert bededag["holiday"] == "Store bededag"
    assert by_id(bededag)["stabilisering"]["intervals"] == []
    normal = hours_json(capsys, "--date", "2024-04-26", "--now", "2026-01-01T12:00")
    assert normal["holiday"] is None
    assert spans(by_id(normal)["stabilisering"]) == [("08:15", "11:45")]
    assert spans(by_id(normal)["unge-og-rusmidler"]) == [("08:00", "13:00")]


def test_thursday_gives_stabilisering_both_intervals(capsys: pytest.CaptureFixture[str]) -> None:
    result = hours_json(capsys, "--date", "2026-04-09", "--now", "2026-04-09T13:00")
    stabilisering = by_id(result)["stabilisering"]
    assert spans(stabilisering) == [("08:15", "11:45"), ("15:00", "17:00")]
    assert stabilisering["open_now"] is False
    assert stabilisering["next_change"] == "2026-04-09T15:00:00+02:00"


def test_another_date_than_now_gives_no_live_state(capsys: pytest.CaptureFixture[str]) -> None:
    result = hours_json(capsys, "--date", "2026-04-10", "--now", "2026-04-09T13:00")
    assert all(d["open_now"] is None and d["next_change"] is None for d in result["departments"])


def test_christmas_eve_is_named_and_keeps_thursday_hours(capsys: pytest.CaptureFixture[str]) -> None:
    # Not a public holiday; the seeds give no other hours (a closure is a dated exception).
    result = hours_json(capsys, "--date", "2026-12-24", "--now", "2026-12-24T09:00")
    assert result["holiday"] == "Juleaftensdag"
    assert spans(by_id(result)["stoffrihed"]) == [("08:00", "17:00")]
    assert spans(by_id(result)["medicinudlevering"]) == [("08:15", "11:15"), ("14:30", "17:00")]


@pytest.mark.parametrize("bad", ["2026-13-01", "06-04-2026", "i morgen"])
def test_a_bad_date_exits_2_with_a_message_naming_it(capsys: pytest.CaptureFixture[str], bad: str) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["hours", "--date", bad])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert bad in err and "ÅÅÅÅ-MM-DD" in err
    assert "Traceback" not in err


def test_a_bad_now_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hours", "--now", "yesterday"]) == 2
    assert "--now 'yesterday'" in capsys.readouterr().err


def test_an_unknown_site_exits_2_naming_the_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hours", "--site", "aarhus"]) == 2
    err = capsys.readouterr().err
    assert "aarhus" in err and "odense" in err


def test_a_malformed_site_file_names_file_department_and_position(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    site = tmp_path / "broken.toml"
    site.write_text(
        'id = "broken"\nname = "B"\nmunicipality = "M"\n'
        '[[departments]]\nid = "team"\nname = "Team"\nhours = "Mo-Fr 08:00-1x:00"\n',
        encoding="utf-8",
    )
    assert main(["hours", "--site", str(site)]) == 2
    err = capsys.readouterr().err
    assert str(site) in err and "'team'" in err and "line 1, column 13" in err


def test_a_site_file_that_is_not_utf8_exits_2_naming_it(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    site = tmp_path / "vejle.toml"
    site.write_bytes('id = "vejle"\nname = "Behandlingscenter Vejle, Nørregade"\n'.encode("cp1252"))
    assert main(["hours", "--site", str(site)]) == 2
    err = capsys.readouterr().err
    assert str(site) in err and "UTF-8" in err and "Traceback" not in err


def test_text_output_is_danish(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hours", "--date", "2026-04-09", "--now", "2026-04-09T13:00"]) == 0
    out = capsys.readouterr().out
    assert "torsdag den 9. april 2026 · uge 15" in out
    assert "Stabilisering      08.15-11.45, 15.00-17.00  (lukket nu)" in out


def test_options_from_the_environment_and_the_command_line_wins(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SKRANKE_NOW", "2026-04-09T13:00")
    result = hours_json(capsys)
    assert result["date"] == "2026-04-09"
    result = hours_json(capsys, "--now", "2026-04-06T10:00")
    assert result["date"] == "2026-04-06"


def test_hours_a_seed_does_not_give_are_reported_unknown_not_closed(capsys: pytest.CaptureFixture[str]) -> None:
    result = hours_json(capsys, "--site", "assens", "--date", "2026-11-24", "--now", "2026-11-24T10:00")
    for department in result["departments"]:
        assert department["hours_known"] is False
        assert department["open_now"] is None
