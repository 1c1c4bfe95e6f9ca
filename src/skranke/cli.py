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
from skranke.i18n import _, clock_time, long_date, ngettext, set_language, short_date, week_number
from skranke.services.context import Skranke, UsageError
from skranke.sites import SiteError

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


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
    return common


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("{text!r} is not a date of the form YYYY-MM-DD").format(text=text)) from None


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


def _choose_language(argv: Sequence[str]) -> None:
    try:
        chosen = load_settings(language=_language_asked_for(argv)).language
    except SettingsError:  # a wrong value is reported by the parser or the settings later
        chosen = "da"
    set_language(chosen)


def build_parser() -> argparse.ArgumentParser:
    _argparse_speaks_our_language()
    common = _common_options()
    parser = _Parser(
        prog="skranke",
        description=_("The counter: front desk and medication window. Without a command: the application."),
        parents=[common],
    )
    commands = parser.add_subparsers(dest="command", parser_class=_Parser, title=_("commands"), metavar=_("COMMAND"))

    demo = commands.add_parser(
        "demo",
        parents=[common],
        help=_("create a demo database and open it"),
        description=_(
            "Writes synthetic export files (80 citizens, dates around --now) into a fresh demo "
            "database's inbox, imports them with the real importer and opens the application."
        ),
    )
    demo.add_argument("--no-open", action="store_true", help=_("only create the demo database"))

    hours = commands.add_parser(
        "hours",
        parents=[common],
        help=_("opening hours of every department"),
        description=_("The opening hours of every department and service on one day, and which are open now."),
    )
    hours.add_argument("--date", type=_date, metavar=_("YYYY-MM-DD"), help=_("the day (default: today)"))
    hours.add_argument("--json", action="store_true", help=_("machine-readable output (codes, not words)"))
    deadlines = commands.add_parser(
        "deadlines",
        parents=[common],
        help=_("14-day guarantee, follow-ups, plan reviews"),
        description=_(
            "Waiting requests and their 14-day treatment guarantee, exempt requests, follow-ups "
            "after discharge and plan reviews due, as of today (or --now)."
        ),
    )
    deadlines.add_argument("--json", action="store_true", help=_("machine-readable output (codes, not words)"))

    sync = commands.add_parser(
        "sync",
        parents=[common],
        help=_("import export files, write the outbox"),
        description=_(
            "Imports the journal system's export files (each file whole or not at all) and writes "
            "the events recorded here to the outbox."
        ),
    )
    sync.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar=_("PATH"),
        help=_("files or folders to import (default: the inbox beside the database)"),
    )
    sync.add_argument("--outbox", type=Path, metavar=_("DIR"), help=_("where local events are written"))
    sync.add_argument("--dry-run", action="store_true", help=_("check and count, change nothing"))
    sync.add_argument("--json", action="store_true", help=_("machine-readable output (codes, not words)"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    _choose_language(arguments)
    args = build_parser().parse_args(arguments)
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
        return handler(Skranke.from_settings(settings), args)
    except (UsageError, SettingsError, SiteError) as error:
        print(f"skranke: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `skranke deadlines | head`: the reader left, nothing is wrong
        sys.stderr.close()
        return EXIT_OK
    except Exception as error:  # noqa: BLE001 — a fault of ours, not of the input: say so, keep the details
        log = _write_crash_log(error)
        print(f"skranke: internal error ({type(error).__name__}: {error}); details in {log}", file=sys.stderr)
        return EXIT_INTERNAL


def _write_crash_log(error: BaseException) -> str:
    import tempfile
    import traceback

    from platformdirs import user_log_path

    try:
        folder = user_log_path("skranke", appauthor=False)
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = Path(tempfile.gettempdir())
    path = folder / "skranke-error.log"
    with path.open("a", encoding="utf-8") as log:
        log.write("".join(traceback.format_exception(error)) + "\n")
    return str(path)


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
    from skranke.services.wording import department_name, flag_word, reason_word, status_word

    overview = deadlines(skranke)
    if args.json:
        print(json.dumps(overview.to_json_dict(), ensure_ascii=False, indent=2))
        return EXIT_OK

    def day(value: date | None) -> str:
        return short_date(value) if value else "–"

    def department(department_id: str) -> str:
        return department_name(skranke.site, department_id)

    print(_("Deadlines at {date}").format(date=long_date(overview.as_of)))
    print(_("Requests ({count})").format(count=len(overview.requests)))
    width = max((len(department(r.department)) for r in overview.requests), default=0)
    for request in overview.requests:
        notes = f"  [{', '.join(flag_word(f) for f in request.flags)}]" if request.flags else ""
        days = ngettext("{count} day", "{count} days", abs(request.days_left)).format(count=request.days_left)
        print(
            f"  {status_word(request.status):<12} {days:>9}  {request.case_id:<8} {request.citizen_id:<8} "
            f"{department(request.department):<{width}}  {request.paragraph:<7} "
            f"{day(request.contact_date)} → {day(request.deadline)}"
            " (" + _("last open day {day}").format(day=day(request.last_open_day)) + ")" + notes
        )
    print(_("Exempt ({count})").format(count=len(overview.exempt)))
    for exempt in overview.exempt:
        print(f"  {exempt.case_id:<8} {exempt.citizen_id:<8} {reason_word(exempt.reason)}")
    print(_("Follow-ups ({count})").format(count=len(overview.follow_ups)))
    for follow_up in overview.follow_ups:
        months = ngettext("after {count} month", "after {count} months", follow_up.months).format(
            count=follow_up.months
        )
        print(
            f"  {status_word(follow_up.status):<12} {follow_up.case_id:<8} {follow_up.citizen_id:<8} "
            f"{months:<18} {day(follow_up.due)}"
        )
    print(_("Plan reviews ({count})").format(count=len(overview.plan_reviews)))
    for review in overview.plan_reviews:
        print(f"  {status_word(review.status):<12} {review.case_id:<8} {review.citizen_id:<8} {day(review.due)}")
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
                _("{name}: {outcome} — {rows}, {inserted} new, {updated} changed, {unchanged} unchanged").format(
                    name=file.name,
                    outcome=outcome_label(file.outcome),
                    rows=ngettext("{count} row", "{count} rows", file.rows).format(count=file.rows),
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
                _("Outbox: {events} written to {files}").format(
                    events=ngettext("{count} event", "{count} events", result.outbox.events).format(
                        count=result.outbox.events
                    ),
                    files=", ".join(result.outbox.written),
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
