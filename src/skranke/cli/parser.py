"""The parser's parts: usage errors as exit 2, the options every command takes (defined once),
`--json`, argument types, and argparse's own words in the chosen language."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn

from skranke.cli.errors import EXIT_USAGE
from skranke.config import SettingsError, load_settings
from skranke.i18n import _, ngettext, parse_decimal_text, set_language


class Parser(argparse.ArgumentParser):
    """argparse, but usage errors exit 2 with a one-line message and no traceback."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"skranke: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _common_options() -> Parser:
    # default=SUPPRESS lets the options stand before or after the subcommand.
    common = Parser(add_help=False)
    common.add_argument(
        "--db",
        default=argparse.SUPPRESS,
        metavar="URL",
        help=_("database URL (default: a SQLite file in the user data directory)"),
    )
    common.add_argument(
        "--site",
        default=argparse.SUPPRESS,
        metavar=_("ID|PATH"),
        help=_("site id (odense, gladsaxe, assens, odsherred) or a site TOML file"),
    )
    common.add_argument(
        "--now",
        default=argparse.SUPPRESS,
        metavar=_("ISO-DATETIME"),
        help=_("fix the clock, e.g. 2026-04-06T09:30 (Copenhagen time)"),
    )
    common.add_argument(
        "--language",
        default=argparse.SUPPRESS,
        choices=["da", "en"],
        help=_("the interface language: da (Danish, the default) or en (English)"),
    )
    common.add_argument(
        "--staff",
        default=argparse.SUPPRESS,
        metavar=_("INITIALS"),
        help=_("sign in as this staff member (also SKRANKE_STAFF); the PIN from SKRANKE_PIN or a prompt"),
    )
    common.add_argument(
        "--key-file",
        default=argparse.SUPPRESS,
        type=Path,
        metavar=_("FILE"),
        help=_(
            "the encrypted SQLite store's key (also SKRANKE_KEY_FILE; default: store.key in the user config folder)"
        ),
    )
    common.add_argument(
        "--create",
        action="store_true",
        default=argparse.SUPPRESS,
        help=_("create a new store at --db if none is there (otherwise a missing one is an error)"),
    )
    return common


class Commands:
    """A level of subcommands; each one takes the common options, before or after its name."""

    def __init__(self, subparsers: argparse._SubParsersAction[Any], common: Parser) -> None:
        self._subparsers = subparsers
        self._common = common

    def add(self, name: str, **texts: Any) -> Parser:
        """A subcommand with the common options; `texts` are argparse's help= and description=."""
        parser: Parser = self._subparsers.add_parser(name, parents=[self._common], **texts)
        return parser

    def below(self, parser: Parser, dest: str, **options: Any) -> Commands:
        """Subcommands of `parser` (staff add, backup verify), stored in `dest`."""
        return Commands(parser.add_subparsers(dest=dest, parser_class=Parser, **options), self._common)


def application_arguments(arguments: Sequence[str]) -> argparse.Namespace | None:
    """The arguments parsed, when they only open the application (common options, no command);
    None otherwise: then the whole parser, with every command, parses them and says what is wrong.

    The whole parser builds some 40 subcommand parsers (~10 ms); the application, which a desk
    opens many times a day, needs none of them before its first frame."""
    quick = _common_options()
    quick.exit_on_error = False
    try:
        args, rest = quick.parse_known_args(list(arguments))
    except argparse.ArgumentError:
        return None
    if rest:  # a command, --help, or something to be refused with the whole parser's words
        return None
    args.command = None
    return args


def root_parser() -> tuple[Parser, Commands]:
    """The `skranke` parser and its level of subcommands, both with the common options."""
    _argparse_speaks_our_language()
    common = _common_options()
    parser = Parser(
        prog="skranke",
        description=_("The counter: front desk and medication window. Without a command: the application."),
        parents=[common],
    )
    commands = parser.add_subparsers(dest="command", parser_class=Parser, title=_("commands"), metavar=_("COMMAND"))
    return parser, Commands(commands, common)


def add_json_option(parser: argparse.ArgumentParser, *, codes: bool = False) -> None:
    """`--json`; `codes`: the answer holds codes where the text holds words (hours, deadlines)."""
    if codes:
        parser.add_argument("--json", action="store_true", help=_("machine-readable output (codes, not words)"))
    else:
        parser.add_argument("--json", action="store_true", help=_("machine-readable output"))


def day_argument(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("{text!r} is not a date of the form YYYY-MM-DD").format(text=text)) from None


def mg_argument(text: str) -> Decimal:
    """An amount in mg by the desk's one rule (i18n.parse_decimal_text): "1.000" is refused, never 1 mg."""
    try:
        return parse_decimal_text(text)
    except ValueError as problem:
        raise argparse.ArgumentTypeError(
            _("'{text}' is not a number of mg: {problem}").format(text=text, problem=problem)
        ) from None


def _argparse_speaks_our_language() -> None:
    """argparse's own words ("usage:", "options", its errors) through our catalogues.

    argparse looks them up at call time through its module's `_` and `ngettext` (gettext's,
    domain "argparse", which has no Danish catalogue); the message ids are its English texts.
    """
    vars(argparse)["_"] = _
    vars(argparse)["ngettext"] = ngettext


def _language_asked_for(argv: Sequence[str]) -> str | None:
    """`--language` before the parser exists: the parser's own help is in that language."""
    for index, word in enumerate(argv):
        if word == "--language" and index + 1 < len(argv):
            return argv[index + 1]
        if word.startswith("--language="):
            return word.split("=", 1)[1]
    return None


def choose_language(argv: Sequence[str]) -> None:
    try:
        chosen = load_settings(language=_language_asked_for(argv)).language
    except SettingsError:  # a wrong value is reported by the parser or the settings later
        chosen = "da"
    set_language(chosen)
