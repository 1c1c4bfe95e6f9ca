"""A fault of ours: exit 3, one sentence, and a log entry saying when and what was run."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from skranke import cli
from skranke.services.context import Skranke


def test_the_crash_log_has_the_time_and_the_command_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))

    def broken(skranke: Skranke, args: argparse.Namespace) -> None:
        raise RuntimeError("a bug of ours")

    monkeypatch.setitem(cli.COMMANDS, "deadlines", broken)
    code = cli.main(["deadlines", "--now", "2026-04-09T09:00", "--site", "odense"])
    err = capsys.readouterr().err
    assert code == cli.EXIT_INTERNAL and "Traceback" not in err
    log = next((tmp_path / "state").rglob("skranke-error.log")).read_text(encoding="utf-8")
    header = log.splitlines()[0]
    # The wall clock's moment (not --now) and the command as typed.
    assert re.fullmatch(
        r"=== \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d \S*skranke\S* deadlines --now 2026-04-09T09:00 --site odense",
        header,
    ), header
    assert "RuntimeError: a bug of ours" in log
