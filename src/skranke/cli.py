"""The command line: `skranke` opens the application; subcommands print or export."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date

from skranke.config import SettingsError, load_settings
from skranke.i18n import _, clock_time, long_date, set_language, week_number
from skranke.services.context import Skranke, UsageError
from skranke.sites import SiteError

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors exit 2 with a one-line message and no traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"skranke: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _common_options() -> argparse.ArgumentParser:
    # default=SUPPRESS lets the options stand before or after the subcommand.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS, metavar="URL",
                        help="database URL (default: a SQLite file in the user data directory)")
    common.add_argument("--site", default=argparse.SUPPRESS, metavar="ID|PATH",
                        help="site id (odense, gladsaxe, assens, odsherred) or a site TOML file")
    common.add_argument("--now", default=argparse.SUPPRESS, metavar="ISO-DATETIME",
                        help="fix the clock, e.g. 2026-04-06T09:30 (Copenhagen time)")
    common.add_argument("--language", default=argparse.SUPPRESS, choices=["da", "en"])
    return common


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date of the form YYYY-MM-DD") from None


def build_parser() -> argparse.ArgumentParser:
    common = _common_options()
    parser = _Parser(prog="skranke", description="The counter: front desk and medication window.",
                     parents=[common])
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)

    demo = commands.add_parser("demo", parents=[common], help="create a demo database and open it")
    demo.add_argument("--no-open", action="store_true", help="only create the demo database")

    hours = commands.add_parser("hours", parents=[common], help="opening hours of every department")
    hours.add_argument("--date", type=_date, metavar="YYYY-MM-DD", help="the day (default: today)")
    hours.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    options = vars(args)
    try:
        settings = load_settings(
            db=options.get("db"), site=options.get("site"), now=options.get("now"),
            language=options.get("language"),
        )
        set_language(settings.language)
        handler = COMMANDS[args.command or "app"]
        return handler(Skranke.from_settings(settings), args)
    except (UsageError, SettingsError, SiteError) as error:
        print(f"skranke: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def run_app(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.ui.app import SkrankeApp

    SkrankeApp(skranke).run()
    return EXIT_OK


def run_demo(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services.demo import create_demo

    result = create_demo(skranke)
    print(_("Demo database ready: {location}").format(location=result.location))
    if args.no_open:
        return EXIT_OK
    return run_app(result.skranke, args)


def run_hours(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services.today import day_overview

    now = skranke.clock.now()
    overview = day_overview(skranke.site, skranke.hours, args.date or now.date(), now)
    if args.json:
        print(json.dumps(overview.to_json_dict(), ensure_ascii=False, indent=2))
        return EXIT_OK
    heading = f"{skranke.site.name} · {long_date(overview.day)} · " + _("week {number}").format(
        number=week_number(overview.day))
    print(heading)
    if overview.holiday:
        print(overview.holiday)
    width = max(len(row.department.name) for row in overview.departments)
    for row in overview.departments:
        intervals = ", ".join(f"{clock_time(i.start)}-{clock_time(i.end)}" for i in row.intervals)
        line = f"{row.department.name:<{width}}  {intervals or _('closed')}"
        if row.hours_unknown and not row.intervals:
            line = f"{row.department.name:<{width}}  {_('hours not given by the site')}"
        elif row.state is not None:
            line += "  (" + (_("open now") if row.state.open_now else _("closed now")) + ")"
        print(line)
    return EXIT_OK


COMMANDS: dict[str, Callable[[Skranke, argparse.Namespace], int]] = {
    "app": run_app,
    "demo": run_demo,
    "hours": run_hours,
}
