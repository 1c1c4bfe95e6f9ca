"""Opening the application parses its options without building every command's parser
(`cli.parser.application_arguments`): what it gives must be what the whole parser gives, and
everything else (a command, --help, a wrong value) must be left to the whole parser."""

from __future__ import annotations

import argparse
import io
from contextlib import redirect_stderr, redirect_stdout

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skranke.cli import build_parser
from skranke.cli.parser import application_arguments

TOKENS = [
    "--db",
    "--db=/tmp/x.db",
    "--d",
    "--site",
    "odense",
    "--now",
    "2026-04-09T09:30",
    "--language",
    "en",
    "da",
    "xx",
    "--staff",
    "KJ",
    "--key-file",
    "k.key",
    "--create",
    "-h",
    "--help",
    "--json",
    "hours",
    "queue",
    "--",
    "-x",
]


def whole_parser(arguments: list[str]) -> argparse.Namespace | None:
    """What `skranke` with every command makes of the arguments; None where it exits."""
    try:  # its usage and help are not ours to read here
        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
            return build_parser().parse_args(arguments)
    except SystemExit:
        return None


@given(arguments=st.lists(st.sampled_from(TOKENS), max_size=6))
def test_the_quick_parse_is_the_whole_parsers_when_it_answers(arguments: list[str]) -> None:
    quick = application_arguments(arguments)
    whole = whole_parser(arguments)
    if quick is not None:
        assert whole == quick
        assert quick.command is None
    elif whole is not None:
        # Left to the whole parser: only what is not the bare application.
        assert whole.command is not None


@pytest.mark.parametrize(
    "arguments",
    [[], ["--db", "/tmp/x.db", "--now", "2026-04-09T09:30"], ["--language", "en", "--site", "assens", "--create"]],
)
def test_the_application_is_opened_with_the_options_given(arguments: list[str]) -> None:
    args = application_arguments(arguments)
    assert args is not None
    assert vars(args) == vars(build_parser().parse_args(arguments))


@pytest.mark.parametrize(
    "arguments",
    [["hours", "--json"], ["--help"], ["-h"], ["--language", "xx"], ["--db"], ["--json"], ["--db", "x", "queue"]],
)
def test_commands_help_and_mistakes_go_to_the_whole_parser(arguments: list[str]) -> None:
    assert application_arguments(arguments) is None
