"""The command line: `skranke` opens the application; subcommands print or export."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import NoReturn

from skranke.config import SettingsError, load_settings
from skranke.i18n import _, clock_time, long_date, set_language, week_number
from skranke.services.context import Skranke, UsageError
from skranke.services.errors import DatabaseUnavailable
from skranke.sites import SiteError

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_DATABASE = 5  # the database cannot be used: one sentence names it and what is wrong


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors exit 2 with a one-line message and no traceback."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"skranke: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _common_options() -> _Parser:
    # default=SUPPRESS lets the options stand before or after the subcommand.
    common = _Parser(add_help=False)
    common.add_argument(
        "--db",
        default=argparse.SUPPRESS,
        metavar="URL",
        help="database URL (default: a SQLite file in the user data directory)",
    )
    common.add_argument(
        "--site",
        default=argparse.SUPPRESS,
        metavar="ID|PATH",
        help="site id (odense, gladsaxe, assens, odsherred) or a site TOML file",
    )
    common.add_argument(
        "--now",
        default=argparse.SUPPRESS,
        metavar="ISO-DATETIME",
        help="fix the clock, e.g. 2026-04-06T09:30 (Copenhagen time)",
    )
    common.add_argument("--language", default=argparse.SUPPRESS, choices=["da", "en"])
    common.add_argument(
        "--create",
        action="store_true",
        default=argparse.SUPPRESS,
        help="create a new store at --db if none is there (otherwise a missing one is an error)",
    )
    return common


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date of the form YYYY-MM-DD") from None


def build_parser() -> argparse.ArgumentParser:
    common = _common_options()
    parser = _Parser(prog="skranke", description="The counter: front desk and medication window.", parents=[common])
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)

    demo = commands.add_parser("demo", parents=[common], help="create a demo database and open it")
    demo.add_argument("--no-open", action="store_true", help="only create the demo database")

    hours = commands.add_parser("hours", parents=[common], help="opening hours of every department")
    hours.add_argument("--date", type=_date, metavar="YYYY-MM-DD", help="the day (default: today)")
    hours.add_argument("--json", action="store_true", help="machine-readable output")
    deadlines = commands.add_parser("deadlines", parents=[common], help="14-day guarantee, follow-ups, plan reviews")
    deadlines.add_argument("--json", action="store_true", help="machine-readable output")

    sync = commands.add_parser("sync", parents=[common], help="import export files, write the outbox")
    sync.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="files or folders to import (default: the inbox beside the database)",
    )
    sync.add_argument("--outbox", type=Path, metavar="DIR", help="where local events are written")
    sync.add_argument("--dry-run", action="store_true", help="check and count, change nothing")
    sync.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    options = vars(args)
    try:
        settings = load_settings(
            db=options.get("db"),
            site=options.get("site"),
            now=options.get("now"),
            language=options.get("language"),
        )
        set_language(settings.language)
        handler = COMMANDS[args.command or "app"]
        return handler(Skranke.from_settings(settings, may_create=options.get("create", False)), args)
    except (UsageError, SettingsError, SiteError) as error:
        print(f"skranke: {error}", file=sys.stderr)
        return EXIT_USAGE
    except DatabaseUnavailable as error:
        print(f"skranke: {error}", file=sys.stderr)
        return EXIT_DATABASE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `skranke deadlines | head`: the reader left, nothing is wrong
        sys.stderr.close()
        return EXIT_OK
    except Exception as error:  # noqa: BLE001 — a fault of ours, not of the input: say so, keep the details
        log = _write_crash_log(error, ["skranke", *argv] if argv is not None else sys.argv)
        print(f"skranke: internal error ({type(error).__name__}: {error}); details in {log}", file=sys.stderr)
        return EXIT_INTERNAL


def _write_crash_log(error: BaseException, command_line: Sequence[str]) -> str:
    """Appends the traceback, when it happened (wall clock) and the command that ran."""
    import shlex
    import tempfile
    import traceback

    from platformdirs import user_log_path

    from skranke.clock import SystemClock

    try:
        folder = user_log_path("skranke", appauthor=False)
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = Path(tempfile.gettempdir())
    path = folder / "skranke-error.log"
    # The wall clock, not the session's Clock: --now may fix that, and the log must say when it crashed.
    stamp = SystemClock().now().isoformat(timespec="seconds")
    with path.open("a", encoding="utf-8") as log:
        log.write(f"=== {stamp} {shlex.join(command_line)}\n")
        log.write("".join(traceback.format_exception(error)) + "\n")
    return str(path)


def run_app(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.ui.app import SkrankeApp

    app = SkrankeApp(skranke)
    app.run()
    if app.database_fault is not None:
        # Quit while the database could not be used: say so where scripts and the log see it.
        print(f"skranke: {app.database_fault}", file=sys.stderr)
        return EXIT_DATABASE
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
        number=week_number(overview.day)
    )
    print(heading)
    if overview.holiday:
        print(overview.holiday)
    width = max(len(row.department.name) for row in overview.departments)
    for row in overview.departments:
        intervals = ", ".join(f"{clock_time(i.start)}-{clock_time(i.end)}" for i in row.intervals)
        line = f"{row.department.name:<{width}}  " + (intervals or _("closed"))
        if row.hours_unknown and not row.intervals:
            line = f"{row.department.name:<{width}}  " + _("hours not given by the site")
        elif row.state is not None:
            line += "  (" + (_("open now") if row.state.open_now else _("closed now")) + ")"
        print(line)
    return EXIT_OK


def run_deadlines(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services.deadlines import deadlines

    overview = deadlines(skranke)
    if args.json:
        print(json.dumps(overview.to_json_dict(), ensure_ascii=False, indent=2))
        return EXIT_OK
    print(_("Deadlines at {date}").format(date=long_date(overview.as_of)))
    print(_("Requests ({count})").format(count=len(overview.requests)))
    for request in overview.requests:
        flags = f"  [{', '.join(request.flags)}]" if request.flags else ""
        print(
            f"  {request.status:<8} {request.days_left:>4}  {request.case_id:<10} {request.citizen_id:<10} "
            f"{request.department:<18} {request.paragraph:<7} {request.contact_date} → {request.deadline}"
            " (" + _("last open day {day}").format(day=request.last_open_day or "-") + ")" + flags
        )
    print(_("Exempt ({count})").format(count=len(overview.exempt)))
    for exempt in overview.exempt:
        print(f"  {exempt.case_id:<10} {exempt.citizen_id:<10} {exempt.reason}")
    print(_("Follow-ups ({count})").format(count=len(overview.follow_ups)))
    for follow_up in overview.follow_ups:
        print(
            f"  {follow_up.status:<8} {follow_up.case_id:<10} {follow_up.citizen_id:<10} "
            f"{follow_up.months} mdr. {follow_up.due}"
        )
    print(_("Plan reviews ({count})").format(count=len(overview.plan_reviews)))
    for review in overview.plan_reviews:
        print(f"  {review.status:<8} {review.case_id:<10} {review.citizen_id:<10} {review.due}")
    return EXIT_OK


def run_sync(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services.sync import SyncError, outcome_label
    from skranke.services.sync import run_sync as sync

    try:
        result = sync(skranke, args.paths, outbox=args.outbox, dry_run=args.dry_run)
    except SyncError as error:
        print(f"skranke: {error}", file=sys.stderr)
        return EXIT_REJECTED
    if args.json:
        print(json.dumps(result.to_json_dict(), ensure_ascii=False, indent=2))
    else:
        if not result.files:
            print(_("No files to import in {folder}").format(folder=skranke.inbox))
        for file in result.files:
            print(
                _("{name}: {outcome} — {rows} rows, {inserted} new, {updated} changed, {unchanged} unchanged").format(
                    name=file.name,
                    outcome=outcome_label(file.outcome),
                    rows=file.rows,
                    inserted=file.inserted,
                    updated=file.updated,
                    unchanged=file.unchanged,
                )
            )
            for file_error in file.errors:
                print(f"    {file_error}")
            if file.report:
                print("    " + _("all reasons: {path}").format(path=file.report))
        if result.outbox is not None and result.outbox.events:
            print(
                _("Outbox: {events} events written to {files}").format(
                    events=result.outbox.events, files=", ".join(result.outbox.written)
                )
            )
        if result.dry_run:
            print(_("Dry run: nothing was changed."))
    return EXIT_REJECTED if result.any_rejected else EXIT_OK


COMMANDS: dict[str, Callable[[Skranke, argparse.Namespace], int]] = {
    "app": run_app,
    "demo": run_demo,
    "hours": run_hours,
    "sync": run_sync,
    "deadlines": run_deadlines,
}
