"""How a command ends when interrupted or when its reader leaves (errors.py's ENDINGS)."""

from __future__ import annotations

import argparse
import io

import pytest

from skranke import cli
from skranke.services.context import Skranke

ARGV = ["deadlines", "--now", "2026-04-09T09:00", "--site", "odense"]


def test_ctrl_c_ends_with_130_and_no_words(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(skranke: Skranke, args: argparse.Namespace) -> None:
        raise KeyboardInterrupt

    monkeypatch.setitem(cli.COMMANDS, "deadlines", interrupted)
    assert cli.main(ARGV) == 130
    assert capsys.readouterr().err == ""


def test_a_reader_that_leaves_is_no_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # `skranke deadlines | head`: the pipe closes under the command; exit 0, stderr closed quietly.
    def reader_left(skranke: Skranke, args: argparse.Namespace) -> None:
        raise BrokenPipeError

    stderr = io.StringIO()
    monkeypatch.setattr("sys.stderr", stderr)
    monkeypatch.setitem(cli.COMMANDS, "deadlines", reader_left)
    assert cli.main(ARGV) == cli.EXIT_OK
    assert stderr.closed
