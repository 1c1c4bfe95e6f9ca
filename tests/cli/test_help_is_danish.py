"""`--help` and argparse's own errors speak Danish; every command and option is described."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from skranke.cli import build_parser, main

ENGLISH_OF_ARGPARSE = ["usage:", "options:", "positional arguments", "show this help message", "invalid choice"]


def _help(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--help"])
    assert exit_.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize(
    "command", [[], ["demo"], ["hours"], ["deadlines"], ["sync"]], ids=lambda c: c[0] if c else "skranke"
)
def test_help_is_danish_with_a_description_and_every_option_explained(
    capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    text = _help(capsys, *command)
    assert text.startswith("brug: skranke")
    assert "tilvalg:" in text and "vis denne hjælp og afslut" in text
    assert not [word for word in ENGLISH_OF_ARGPARSE if word in text]
    # A description of the command stands between the usage and the options.
    description = text.split("\n\n")[1]
    assert len(description) > 30 and not description.startswith(("tilvalg", "argumenter"))
    # Every option line has its explanation beside it or on the next line.
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if re.match(r"^  -", line):
            explained = len(line.split("  ")) > 2 or lines[index + 1].startswith(" " * 10)
            assert explained, line


def test_the_top_help_lists_every_command_in_danish(capsys: pytest.CaptureFixture[str]) -> None:
    text = _help(capsys)
    assert "kommandoer:" in text
    for command, words in {
        "demo": "demodatabase",
        "hours": "åbningstider",
        "deadlines": "garanti",
        "sync": "indlæs",
    }.items():
        assert re.search(rf"^\s+{command}\s+.*{words}", text, re.MULTILINE), command


def test_argparse_errors_are_danish(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--language", "fr", "hours"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "ugyldigt valg: 'fr'" in err and "brug:" in err and "invalid choice" not in err
    with pytest.raises(SystemExit):
        main(["hours", "--bogus"])
    assert "ukendte argumenter: --bogus" in capsys.readouterr().err


def test_english_help_with_language_en(capsys: pytest.CaptureFixture[str]) -> None:
    text = _help(capsys, "--language", "en", "deadlines")
    assert text.startswith("usage: skranke deadlines") and "show this help message and exit" in text
    assert "Waiting requests" in text


def test_every_user_facing_message_of_argparse_has_a_danish_translation() -> None:
    # The message ids are argparse's own texts: read them from the running Python's argparse,
    # so a new Python with new messages fails here rather than speaking English to the desk.
    import argparse
    import ast

    from babel.messages.pofile import read_po

    from skranke.i18n import LOCALE_DIR

    programmer_errors: tuple[str, ...] = (
        "not defined",
        "invalid argument for",
        "must be optional",
        "is not callable",
        "cannot",
    )
    programmer_errors += ("dest= is required", "conflict", "must start with", "mode %r", "unexpected option")
    source = Path(argparse.__file__).read_text(encoding="utf-8")
    wanted = {
        node.args[0].value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("_", "ngettext")
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
        and not any(marker in node.args[0].value for marker in programmer_errors)
    }
    with (LOCALE_DIR / "da" / "LC_MESSAGES" / "skranke.po").open("rb") as handle:
        catalogue = read_po(handle, locale="da")
    missing = sorted(m for m in wanted if not ((message := catalogue.get(m)) and message.string))
    assert missing == []
    assert build_parser().prog == "skranke"
