"""The command line: `skranke` opens the application; subcommands print or export.

The parser's parts are in `parser`, the exit codes and the table from exceptions to them in
`errors`, and the commands by group: `counter` (reception and the medicine window), `stock` (the
narcotics ledger), `cases` (hours, deadlines, intake, complaints), `staff` (staff and the audit
log), `storage` (demo, sync and the store's file), `app` (no command).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from skranke.cli import cases, counter, report, serve, staff, stock, storage
from skranke.cli.app import run_app
from skranke.cli.errors import (
    EXIT_ACCESS,
    EXIT_DATABASE,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_USAGE,
    ending_for,
)
from skranke.cli.output import copenhagen_times as _copenhagen_times
from skranke.cli.output import warn
from skranke.cli.parser import application_arguments, choose_language, root_parser
from skranke.collector import collect_again
from skranke.config import load_settings
from skranke.i18n import _, set_language
from skranke.services.context import Skranke, UsageError

__all__ = [
    "COMMANDS",
    "EXIT_ACCESS",
    "EXIT_DATABASE",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "EXIT_REJECTED",
    "EXIT_USAGE",
    "_copenhagen_times",
    "build_parser",
    "main",
]

COMMANDS: dict[str, Callable[[Skranke, argparse.Namespace], int]] = {
    "app": run_app,
    **storage.HANDLERS,
    **cases.HANDLERS,
    **staff.HANDLERS,
    **counter.HANDLERS,
    **stock.HANDLERS,
    **report.HANDLERS,
    **serve.HANDLERS,
}


def build_parser() -> argparse.ArgumentParser:
    parser, commands = root_parser()
    # In the order `skranke --help` lists them.
    storage.add_demo(commands)
    cases.add_hours(commands)
    cases.add_deadlines(commands)
    storage.add_sync(commands)
    staff.add_parsers(commands)
    counter.add_parsers(commands)
    stock.add_parsers(commands)
    report.add_parsers(commands)
    cases.add_complaint(commands)
    storage.add_file_commands(commands)
    serve.add_parsers(commands)
    cases.add_intake(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    choose_language(arguments)
    args = application_arguments(arguments) or build_parser().parse_args(arguments)
    if args.command is not None:
        collect_again()  # the application turns it on once its first screen has settled
    options = vars(args)
    try:
        settings = load_settings(
            db=options.get("db"),
            site=options.get("site"),
            now=options.get("now"),
            language=options.get("language"),
            staff=options.get("staff"),
            key_file=options.get("key_file"),
        )
        set_language(settings.language)
        handler = COMMANDS[args.command or "app"]
        skranke = Skranke.from_settings(settings, may_create=options.get("create", False))
        if args.command != "encrypt":  # the one command that does what the warning asks
            skranke.on_plain_store = warn
        try:
            _check_places(skranke, options)
            return handler(skranke, args)
        finally:
            # Closed here, not when collected: SQLite removes its -wal and -shm files only when
            # the last connection closes, and a caller (a test, a script) may look at once.
            skranke.close()
    except BaseException as error:
        ending = ending_for(error)
        if ending is None:  # SystemExit and the like are not ours to end
            raise
        code, tell = ending
        tell(error, ["skranke", *argv] if argv is not None else sys.argv)
        return code


def _check_places(skranke: Skranke, options: dict[str, Any]) -> None:
    """An unknown --department or --service is a usage error (exit 2) naming the known ones,
    before any command reads an empty day for a place that does not exist."""
    known = {d.id for d in skranke.site.all_departments()}
    for option in ("department", "service"):
        value = options.get(option)
        if value is not None and value not in known:
            raise UsageError(
                _("--{option} '{value}' is not a department or service of {site}: give one of {known}").format(
                    option=option, value=value, site=skranke.site.name, known=", ".join(sorted(known))
                )
            )
