"""Every date-time in every `--json` answer is Copenhagen time with its offset (+01:00 or
+02:00), never UTC (+00:00 or Z) and never naive, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from skranke.cli import _copenhagen_times, main
from skranke.clock import TIMEZONE
from skranke.demo.scenario import write_demo_exports
from skranke.services.context import Skranke
from tests.cli.test_intake_command import request
from tests.conftest import make_skranke

NOW = "2026-11-23T09:30"
AFTER_HOURS = "2026-11-23T18:00"
MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _moments(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _moments(item)
    elif isinstance(value, list):
        for item in value:
            yield from _moments(item)
    elif isinstance(value, str) and MOMENT.match(value):
        yield value


def _assert_copenhagen(document: Any) -> int:
    found = list(_moments(document))
    for text in found:
        assert re.search(r"[+-]\d{2}:\d{2}$", text), text
        moment = datetime.fromisoformat(text)
        assert moment.utcoffset() == moment.astimezone(TIMEZONE).utcoffset(), text
        assert not text.endswith("+00:00"), text
    return len(found)


def _json(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    staff: tuple[str, str] | None = None,
    code: int = 0,
) -> Any:
    if staff:
        monkeypatch.setenv("SKRANKE_STAFF", staff[0])
        monkeypatch.setenv("SKRANKE_PIN", staff[1])
    else:
        monkeypatch.delenv("SKRANKE_STAFF", raising=False)
    result = main([*argv, "--json"])
    captured = capsys.readouterr()
    assert result == code, captured.err
    return json.loads(captured.out)


NURSE, DOCTOR, ADMIN, RECEPTION = ("MN", "2222"), ("PL", "3333"), ("AH", "4444"), ("KJ", "1111")


def test_every_json_time_is_copenhagen_time(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, db_url: str
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert main(["demo", "--no-open", "--db", db_url, "--now", NOW]) == 0
    capsys.readouterr()
    at = ["--db", db_url, "--now", NOW]
    counts: dict[str, int] = {}

    def answer(name: str, argv: list[str], staff: tuple[str, str] | None = None, code: int = 0) -> Any:
        document = _json(capsys, monkeypatch, argv, staff, code)
        counts[name] = _assert_copenhagen(document)
        return document

    answer("hours", ["hours", *at])
    answer("deadlines", ["deadlines", *at])
    day = answer("queue", ["queue", *at])
    waiting = {w["citizen_id"] for w in day["waiting"]}
    arriving = next(d for d in day["due"] if d["state"] == "due" and d["citizen_id"] not in waiting)
    answer("check-in", ["check-in", arriving["citizen_id"], *at], RECEPTION)
    given = answer("dispense", ["dispense", arriving["prescription_id"], "--outcome", "given", *at], NURSE)
    answer("void", ["void", str(given["dispensing_id"]), "--reason", "forkert borger", *at], DOCTOR)
    held = [d for d in day["due"] if d["state"] == "hold"]
    if held:
        answer("release", ["release", held[0]["prescription_id"], "--reason", "set af lægen", *at], DOCTOR)
    answer("queue again", ["queue", *at])
    answer("close-day", ["close-day", "--db", db_url, "--now", AFTER_HOURS], NURSE)

    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(request(contact_date="2026-11-23")), encoding="utf-8")
    answer("intake", ["intake", str(answers), "--dry-run", *at])
    exports = tmp_path / "exports"
    exports.mkdir()
    skranke: Skranke = make_skranke(NOW, db_url)
    write_demo_exports(exports, skranke.clock.now().date(), skranke.site)
    skranke.close()
    answer("sync", ["sync", str(exports), "--dry-run", *at])

    monkeypatch.setenv("SKRANKE_STAFF", "PL")  # five wrong PINs lock PL out: locked_until is a time
    monkeypatch.setenv("SKRANKE_PIN", "0000")
    for _ in range(5):
        assert main(["void", "1", "--reason", "x", *at]) == 4
    capsys.readouterr()
    staff = answer("staff list", ["staff", "list", *at], ADMIN)
    assert next(m for m in staff["staff"] if m["id"] == "PL")["locked_until"] is not None
    answer("audit", ["audit", *at], ADMIN)

    # Where the answer holds times, there were times to check.
    for name in ("queue", "queue again", "check-in", "dispense", "staff list", "audit"):
        assert counts[name] > 0, name


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("2026-07-01T07:00:00+00:00", "2026-07-01T09:00:00+02:00"),
        ("2026-07-01T07:00:00Z", "2026-07-01T09:00:00+02:00"),
        ("2026-01-05T08:15:30.250000+00:00", "2026-01-05T09:15:30.250000+01:00"),
        ("2026-01-05T09:15", "2026-01-05T09:15:00+01:00"),  # naive: the clock's own, Copenhagen
        ("2026-01-05", "2026-01-05"),  # a date stays a date
        ("B0040", "B0040"),
    ],
)
def test_one_offset_for_every_kind_of_time(given: str, shown: str) -> None:
    assert _copenhagen_times({"a": [{"b": given}]}) == {"a": [{"b": shown}]}
