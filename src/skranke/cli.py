"""The command line: `skranke` opens the application; subcommands print or export."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from skranke.clock import TIMEZONE, FixedClock, to_local
from skranke.config import SettingsError, load_settings
from skranke.i18n import _, clock_time, long_date, ngettext, set_language, short_date, week_number
from skranke.services.access import AccessError, Actor, role_words
from skranke.services.context import Skranke, UsageError
from skranke.services.errors import DatabaseUnavailable, DeskRefusal
from skranke.services.staff import StaffInputError
from skranke.sites import SiteError

if TYPE_CHECKING:
    from skranke.services.intake import IntakeAnswers, IntakeAssessment

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_INTERNAL, EXIT_ACCESS = 0, 1, 2, 3, 4
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
    _staff_commands(commands, common)
    _desk_commands(commands, common)
    _complaint_commands(commands, common)
    _store_commands(commands, common)

    intake = commands.add_parser(
        "intake",
        parents=[common],
        help=_("register a request for treatment (the form's model)"),
        description=_(
            "Reads a request for treatment as JSON (the intake form's model), routes it by the site's "
            "rules and registers it; --dry-run computes everything and registers nothing."
        ),
    )
    intake.add_argument("file", type=Path, metavar=_("FILE.json"), help=_("the answers as DESIGN §3's JSON"))
    intake.add_argument("--dry-run", action="store_true", help=_("route and check, register nothing"))
    intake.add_argument("--json", action="store_true", help=_("machine-readable output (codes, not words)"))
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
            staff=options.get("staff"),
            key_file=options.get("key_file"),
        )
        set_language(settings.language)
        handler = COMMANDS[args.command or "app"]
        skranke = Skranke.from_settings(settings, may_create=options.get("create", False))
        if args.command != "encrypt":  # the one command that does what the warning asks
            skranke.on_plain_store = _warn_plain_store
        try:
            _check_places(skranke, options)
            return handler(skranke, args)
        finally:
            # Closed here, not when collected: SQLite removes its -wal and -shm files only when
            # the last connection closes, and a caller (a test, a script) may look at once.
            skranke.close()
    except (UsageError, SettingsError, SiteError) as error:
        print(f"skranke: {error}", file=sys.stderr)
        return EXIT_USAGE
    except AccessError as error:
        print(f"skranke: {error}", file=sys.stderr)
        return EXIT_ACCESS
    except (StaffInputError, DeskRefusal) as error:
        print(f"skranke: {error}", file=sys.stderr)
        return EXIT_REJECTED
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
        print(
            "skranke: "
            + _("internal error ({kind}: {error}); details in {log}").format(
                kind=type(error).__name__, error=error, log=log
            ),
            file=sys.stderr,
        )
        return EXIT_INTERNAL


# An ISO date-time as JSON carries it: with seconds, fractions and an offset (or Z), or naive.
_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?")


def _copenhagen_times(value: Any) -> Any:
    """Every date-time in a JSON answer in Copenhagen time with its offset (+01:00/+02:00), so a
    script never meets UTC from the store beside local time from the clock (DESIGN §3)."""
    if isinstance(value, dict):
        return {key: _copenhagen_times(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_copenhagen_times(item) for item in value]
    if isinstance(value, str) and _ISO_MOMENT.fullmatch(value):
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        # A naive one can only be the clock's own (Copenhagen) time: the store's come back in UTC.
        return to_local(moment).isoformat()
    return value


def _print_json(value: dict) -> None:
    print(json.dumps(_copenhagen_times(value), ensure_ascii=False, indent=2))


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


def _daily_backup(skranke: Skranke) -> None:
    """The day's backup after close-day, when there is none yet (DESIGN §1); a backup that cannot
    be made is said on stderr and does not undo the closed day."""
    from skranke.services.errors import DeskRefusal
    from skranke.services.storage import daily_backup

    try:
        daily_backup(skranke)  # in the audit log when made
    except (DeskRefusal, DatabaseUnavailable, UsageError, OSError) as error:
        print("skranke: " + _("the day's backup was not made: {error}").format(error=error), file=sys.stderr)


def _warn_plain_store(warning: str) -> None:
    print(f"skranke: {warning}", file=sys.stderr)


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
    start = result.skranke.clock.now()
    if not isinstance(result.skranke.clock, FixedClock):
        print(
            _("The demo's clock starts at {day} {time} and runs on (--now fixes it).").format(
                day=long_date(start.date()), time=clock_time(start)
            )
        )
    print(_("Demo staff (initials, PIN, role):"))
    for initials, name, roles, pin in result.staff:
        print(f"  {initials:<3} {pin}  {role_words(roles):<16} {name}")
    try:
        return EXIT_OK if args.no_open else run_app(result.skranke, args)
    finally:
        result.skranke.close()


def run_hours(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services.today import day_overview

    now = skranke.clock.now()
    overview = day_overview(skranke.site, skranke.hours, args.date or now.date(), now)
    if args.json:
        _print_json(overview.to_json_dict())
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
        _print_json(overview.to_json_dict())
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
        if request.days_left is None:  # the clock has not started: no deadline yet (004)
            print(
                f"  {status_word(request.status)}  {request.case_id:<8} {request.citizen_id:<8} "
                f"{department(request.department):<{width}}  {request.paragraph:<7} {day(request.contact_date)}"
            )
            continue
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
    print(_("Medical reviews ({count})").format(count=len(overview.medical_reviews)))
    for review in overview.medical_reviews:
        print(f"  {status_word(review.status):<12} {review.case_id:<8} {review.citizen_id:<8} {day(review.due)}")
    print(_("Complaints ({count})").format(count=len(overview.complaints)))
    for complaint in overview.complaints:
        print("  " + _complaint_line(complaint))
    return EXIT_OK


# --- complaints and access requests ------------------------------------------------------------


def _complaint_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    complaint = commands.add_parser(
        "complaint",
        parents=[common],
        help=_("complaints and requests for access to records, with their deadlines (reception)"),
    )
    actions = complaint.add_subparsers(dest="action", parser_class=_Parser, required=True)
    add = actions.add_parser("add", parents=[common], help=_("register a complaint or an access request"))
    add.add_argument("citizen", metavar=_("CITIZEN"), help=_("the citizen's id"))
    add.add_argument("--kind", required=True, choices=["complaint", "access"])
    add.add_argument("--received", required=True, type=_date, metavar=_("YYYY-MM-DD"), help=_("the day it came"))
    add.add_argument("--json", action="store_true", help=_("machine-readable output"))
    answer = actions.add_parser("answer", parents=[common], help=_("record the day a complaint was answered"))
    answer.add_argument("complaint", type=int, metavar=_("ID"), help=_("the complaint's number"))
    answer.add_argument("--on", required=True, type=_date, metavar=_("YYYY-MM-DD"), help=_("the day it was answered"))
    answer.add_argument("--json", action="store_true", help=_("machine-readable output"))


def _complaint_line(complaint) -> str:
    from skranke.services.wording import complaint_kind_word, complaint_status_word

    deadline = short_date(complaint.deadline) if complaint.deadline else _("no deadline in the site's standard")
    return (
        f"{complaint.complaint_id:>5} {complaint.citizen_id:<8} {complaint_kind_word(complaint.kind):<12} "
        f"{short_date(complaint.received)} → {deadline}  {complaint_status_word(complaint.status)}"
    )


def run_complaint(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services.complaints import add_complaint, answer_complaint

    if args.action == "add":
        result = add_complaint(skranke, _needs_actor(skranke), args.citizen, args.kind, args.received)
    else:
        result = answer_complaint(skranke, _needs_actor(skranke), args.complaint, args.on)
    if args.json:
        _print_json(result.to_json_dict())
    else:
        print(_complaint_line(result))
    return EXIT_OK


def run_sync(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services.sync import SyncError, outcome_label
    from skranke.services.sync import run_sync as sync

    try:
        actor = signed_in_actor(skranke)  # None: a scheduled task, recorded as the workstation
        result = sync(skranke, args.paths, outbox=args.outbox, dry_run=args.dry_run, actor=actor)
    except SyncError as error:
        print(f"skranke: {error}", file=sys.stderr)
        return EXIT_REJECTED
    if args.json:
        _print_json(result.to_json_dict())
    else:
        if not result.files:
            print(_("No files to import in {folder}").format(folder=skranke.inbox))
        for file in result.files:
            print(
                _("{name}: {outcome} — {rows}, {inserted}, {updated}, {unchanged}").format(
                    name=file.name,
                    outcome=outcome_label(file.outcome),
                    rows=ngettext("{count} row", "{count} rows", file.rows).format(count=file.rows),
                    inserted=ngettext("{count} new", "{count} new", file.inserted).format(count=file.inserted),
                    updated=ngettext("{count} changed", "{count} changed", file.updated).format(count=file.updated),
                    unchanged=ngettext("{count} unchanged", "{count} unchanged", file.unchanged).format(
                        count=file.unchanged
                    ),
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


def run_intake(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services.intake import IntakeRejected, assess_intake, read_answers_file

    try:
        answers = read_answers_file(skranke, args.file)
    except IntakeRejected as error:
        if args.json:
            _print_json({"errors": [p.to_json_dict() for p in error.problems]})
        # A file that cannot be read names itself; a wrong field is named after the file.
        print(f"skranke: {args.file}: {error}" if error.problems else f"skranke: {error}", file=sys.stderr)
        for problem in error.problems:
            print(f"skranke: {args.file}: {problem}", file=sys.stderr)
        return EXIT_REJECTED
    if not args.dry_run:
        return _register_intake(skranke, args, answers)
    assessment = assess_intake(skranke, answers)
    if args.json:
        _print_json(assessment.to_json_dict())
    else:
        _print_assessment(skranke, assessment)
        print(_("Dry run: nothing was registered."))
    return EXIT_OK


def _register_intake(skranke: Skranke, args: argparse.Namespace, answers: IntakeAnswers) -> int:
    """Register the request, signed in with --staff (or SKRANKE_STAFF) and SKRANKE_PIN."""
    from skranke.services.intake import IntakeRefused, register_intake

    actor = signed_in_actor(skranke)
    if actor is None:
        print(
            "skranke: " + _("registering a request needs a signed-in staff member; check the file with --dry-run"),
            file=sys.stderr,
        )
        return EXIT_ACCESS
    try:
        result = register_intake(skranke, actor, answers)
    except IntakeRefused as error:
        print(f"skranke: {args.file}: {error}", file=sys.stderr)
        return EXIT_REJECTED
    if args.json:
        _print_json(result.to_json_dict())
    else:
        print(_("Registered: citizen {citizen}, case {case}.").format(citizen=result.citizen_id, case=result.case_id))
        if not result.new_citizen:
            print(_("The citizen was already known and is reused."))
        _print_assessment(skranke, result.assessment)
    return EXIT_OK


def _print_assessment(skranke: Skranke, assessment: IntakeAssessment) -> None:
    from skranke.services.intake import criterion_state_label, eligible_label, task_kind_label

    def department_name(department_id: str) -> str:
        return skranke.site.department(department_id).name

    routing = assessment.routing
    if assessment.department is not None:
        print(_("Department: {name}").format(name=department_name(assessment.department)))
    elif assessment.referral is not None:
        print(_("Referral: {referral} (not a case here)").format(referral=assessment.referral))
    if routing is None:
        print(_("No routing rule of the site fits these answers: choose the department by hand."))
    else:
        print(f"  {routing.explanation} ({routing.source})")
        if routing.alternatives:
            names = ", ".join(department_name(d) for d in routing.alternatives)
            print("  " + _("Or: {departments}").format(departments=names))
        if routing.together_with:
            print("  " + _("Together with: {partner}").format(partner=routing.together_with))
    if assessment.paragraph is not None:
        print(_("Paragraph: {paragraph}").format(paragraph=assessment.paragraph))
    if assessment.deadline is not None:
        print(
            _("Deadline: {deadline} (last open day {day})").format(
                deadline=short_date(assessment.deadline),
                day=short_date(assessment.last_open_day) if assessment.last_open_day else "–",
            )
        )
        for appointment in assessment.book_before_deadline:
            print(
                "  "
                + _("Book before the deadline: {kind} ({source})").format(
                    kind=appointment.kind, source=appointment.source
                )
            )
    elif assessment.guarantee == "awaiting_attendance":
        print(
            _("No deadline yet: the 14 days count from the citizen's first personal attendance ({source})").format(
                source=skranke.site.rules.clock_start_event_source
            )
        )
    elif assessment.exempt_reason == "anonymous":
        print(_("No treatment guarantee: anonymous treatment (SEL § 101a)"))
    elif assessment.exempt_reason == "free_choice_may_waive":
        print(_("The deadline may be waived: the citizen chooses another provider"))
    elif assessment.guarantee == "not_covered":
        print(
            _("No treatment guarantee: the site does not guarantee {paragraph}").format(paragraph=assessment.paragraph)
        )
    for check in assessment.eligibility:
        print(f"{check.name}: {eligible_label(check.eligible)} ({check.source})")
        for criterion in check.criteria:
            print(f"  {criterion_state_label(criterion.state):<14} {criterion.label}")
    if assessment.tasks:
        print(_("Tasks:"))
        for task in assessment.tasks:
            print(f"  {short_date(task.due)}  {task_kind_label(task.kind)} ({task.source})")
            if task.note:
                print(f"              {task.note}")


COMMANDS: dict[str, Callable[[Skranke, argparse.Namespace], int]] = {
    "app": run_app,
    "demo": run_demo,
    "hours": run_hours,
    "sync": run_sync,
    "deadlines": run_deadlines,
    "intake": run_intake,
}


# --- staff and the audit log ---------------------------------------------------------------


def _staff_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    staff = commands.add_parser(
        "staff",
        parents=[common],
        help=_("staff and their PINs (admin)"),
        description=_(
            "Add, list and disable staff, set PINs and lift lock-outs. The first staff member "
            "of a new store needs no sign-in and must have the role admin."
        ),
    )
    actions = staff.add_subparsers(dest="staff_command", parser_class=_Parser, required=True)
    add = actions.add_parser(
        "add", parents=[common], help=_("add a staff member (new PIN from SKRANKE_NEW_PIN or a prompt)")
    )
    add.add_argument("initials", metavar=_("INITIALS"), help=_("the staff member's initials"))
    add.add_argument("--name", required=True, metavar=_("NAME"), help=_("full name"))
    add.add_argument("--roles", required=True, metavar=_("ROLE,ROLE"), help=_("reception, nurse, doctor, admin"))
    listing = actions.add_parser("list", parents=[common], help=_("list staff"))
    listing.add_argument("--json", action="store_true", help=_("machine-readable output"))
    disable = actions.add_parser("disable", parents=[common], help=_("disable a staff member"))
    disable.add_argument("initials", metavar=_("INITIALS"), help=_("the staff member's initials"))
    pin = actions.add_parser("pin", parents=[common], help=_("set a new PIN (from SKRANKE_NEW_PIN or a prompt)"))
    pin.add_argument("initials", metavar=_("INITIALS"), help=_("the staff member's initials"))
    unlock = actions.add_parser("unlock", parents=[common], help=_("lift a PIN lock-out (five wrong PINs)"))
    unlock.add_argument("initials", metavar=_("INITIALS"), help=_("the staff member's initials"))

    audit = commands.add_parser(
        "audit",
        parents=[common],
        help=_("who looked at or changed what (admin)"),
        description=_(
            "The audit log, oldest first: every sign-in, look at a citizen and "
            "action, with staff member and workstation."
        ),
    )
    audit.add_argument("--citizen", metavar=_("ID"), help=_("only events about this citizen"))
    # --staff signs in; the staff member whose events are wanted is --by.
    audit.add_argument("--by", metavar=_("INITIALS"), help=_("only events by this staff member"))
    audit.add_argument("--since", type=_date, metavar=_("YYYY-MM-DD"), help=_("only events from this day on"))
    audit.add_argument("--json", action="store_true", help=_("machine-readable output"))
    checks = audit.add_subparsers(dest="audit_command", parser_class=_Parser, metavar=_("COMMAND"))
    verify = checks.add_parser(
        "verify",
        parents=[common],
        help=_("check the audit log's hash chain (admin)"),
        description=_(
            "Walks the audit log in order and checks each event's SHA-256 against its content and "
            "the event before it. Exit 1 names the first event changed, inserted or next to events removed."
        ),
    )
    verify.add_argument("--json", action="store_true", help=_("machine-readable output"))


def _read_pin(prompt: str, variable: str, twice: bool = False) -> str:
    import getpass
    import os

    given = os.environ.get(variable)
    if given:
        return given
    if not sys.stdin.isatty():
        raise AccessError(_("No PIN: set {variable} or run the command in a terminal.").format(variable=variable))
    pin = getpass.getpass(prompt)
    if twice and getpass.getpass(_("Once more: ")) != pin:
        raise StaffInputError(_("The two PINs differ."))
    return pin


def signed_in_actor(skranke: Skranke) -> Actor | None:
    """The --staff / SKRANKE_STAFF person, signed in with SKRANKE_PIN or a hidden prompt; else None."""
    from skranke.services.staff import sign_in

    initials = skranke.settings.staff
    if not initials:
        return None
    return sign_in(skranke, initials, _read_pin(_("PIN for {staff}: ").format(staff=initials.upper()), "SKRANKE_PIN"))


def _needs_actor(skranke: Skranke) -> Actor:
    actor = signed_in_actor(skranke)
    if actor is None:
        raise AccessError(_("Sign in with --staff INITIALS (or SKRANKE_STAFF) and the PIN in SKRANKE_PIN."))
    return actor


def run_staff(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services import staff

    if args.staff_command == "add":
        first = staff.staff_count(skranke) == 0
        actor = None if first and not skranke.settings.staff else _needs_actor(skranke)
        pin = _read_pin(_("New PIN: "), "SKRANKE_NEW_PIN", twice=True)
        member = staff.add_staff(skranke, actor, args.initials, args.name, args.roles.split(","), pin)
        print(_("{staff} added with roles {roles}.").format(staff=member.staff_id, roles=role_words(member.roles)))
        return EXIT_OK
    actor = _needs_actor(skranke)
    if args.staff_command == "list":
        members = staff.list_staff(skranke, actor)
        if args.json:
            _print_json(
                {
                    "staff": [
                        {
                            "id": m.staff_id,
                            "name": m.name,
                            "roles": list(m.roles),
                            "active": m.active,
                            "locked_until": m.locked_until.isoformat() if m.locked_until else None,
                        }
                        for m in members
                    ]
                }
            )
            return EXIT_OK
        for m in members:
            state = _("active") if m.active else _("disabled")
            locked = (
                "  " + _("locked until {time}").format(time=clock_time(m.locked_until.astimezone(TIMEZONE)))
                if m.locked_until and m.locked_until > skranke.clock.now()
                else ""
            )
            print(f"{m.staff_id:<6} {m.name:<30} {role_words(m.roles):<40} {state}{locked}")
        return EXIT_OK
    if args.staff_command == "disable":
        member = staff.disable_staff(skranke, actor, args.initials)
        print(_("{staff} is disabled.").format(staff=member.staff_id))
        return EXIT_OK
    if args.staff_command == "unlock":
        member = staff.unlock_staff(skranke, actor, args.initials)
        print(_("{staff} can sign in again.").format(staff=member.staff_id))
        return EXIT_OK
    pin = _read_pin(_("New PIN: "), "SKRANKE_NEW_PIN", twice=True)
    member = staff.set_pin(skranke, actor, args.initials, pin)
    print(_("{staff} has a new PIN.").format(staff=member.staff_id))
    return EXIT_OK


def run_audit(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services.audit import audit_events

    if getattr(args, "audit_command", None) == "verify":
        return run_audit_verify(skranke, args)
    actor = _needs_actor(skranke)
    events = audit_events(skranke, actor, citizen_id=args.citizen, staff_id=args.by, since=args.since)
    if args.json:
        _print_json({"events": [e.to_json_dict() for e in events]})
        return EXIT_OK
    for event in events:
        print(event.text_line())
    return EXIT_OK


def run_audit_verify(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services.audit import chain_json, chain_sentence, verify_chain

    check = verify_chain(skranke, _needs_actor(skranke))
    sentence = chain_sentence(check, skranke.clock.now())
    if args.json:
        _print_json(chain_json(check))
    elif check.whole:
        print(sentence)
    if not check.whole:
        print(f"skranke: {sentence}", file=sys.stderr)
        return EXIT_REJECTED
    return EXIT_OK


COMMANDS["staff"] = run_staff
COMMANDS["audit"] = run_audit


# --- check-in and the medicine window --------------------------------------------------------


def _desk_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    queue = commands.add_parser(
        "queue", parents=[common], help=_("the medicine room's day: waiting, due, done (no names)")
    )
    queue.add_argument("--date", type=_date, metavar=_("YYYY-MM-DD"), help=_("the day (default: today)"))
    queue.add_argument("--service", metavar=_("ID"), help=_("medicinudlevering (default) or heroinklinikken"))
    queue.add_argument("--json", action="store_true", help=_("machine-readable output"))

    check_in = commands.add_parser("check-in", parents=[common], help=_("check a citizen in (reception)"))
    check_in.add_argument("citizen", metavar=_("CITIZEN"), help=_("the citizen's id"))
    check_in.add_argument(
        "--department", metavar=_("ID"), help=_("where to (default: what the citizen is due for today)")
    )
    check_in.add_argument(
        "--undo", action="store_true", help=_("undo today's check-in (the same day, before a dose on it)")
    )
    check_in.add_argument("--reason", metavar=_("REASON"), help=_("why the check-in is undone (with --undo)"))
    check_in.add_argument("--json", action="store_true", help=_("machine-readable output"))

    dispense = commands.add_parser(
        "dispense", parents=[common], help=_("record a dose given, refused or missed (nurse)")
    )
    dispense.add_argument("prescription", metavar=_("PRESCRIPTION"), help=_("the order's id"))
    dispense.add_argument("--outcome", required=True, choices=["given", "refused", "missed"])
    dispense.add_argument("--dose-number", type=int, choices=[1, 2], help=_("dose 1 or 2 of a twice-daily order"))
    dispense.add_argument("--reason", default="", help=_("why a dose was refused (intoxicated, declined, other: text)"))
    dispense.add_argument("--json", action="store_true", help=_("machine-readable output"))

    void = commands.add_parser("void", parents=[common], help=_("void a recorded dose with a reason (doctor)"))
    void.add_argument("dispensing", type=int, metavar=_("DISPENSING"), help=_("the record's number"))
    void.add_argument("--reason", required=True)
    void.add_argument("--json", action="store_true", help=_("machine-readable output"))

    release = commands.add_parser("release", parents=[common], help=_("lift a missed-days hold for today (doctor)"))
    release.add_argument("prescription", metavar=_("PRESCRIPTION"), help=_("the order's id"))
    release.add_argument("--reason", required=True)
    release.add_argument("--dose-mg", type=_decimal, metavar="MG", help=_("a reduced dose for today"))
    release.add_argument("--json", action="store_true", help=_("machine-readable output"))

    close = commands.add_parser("close-day", parents=[common], help=_("due doses not given become missed (nurse)"))
    close.add_argument("--date", type=_date, metavar=_("YYYY-MM-DD"), help=_("the day (default: today)"))
    close.add_argument("--service", metavar=_("ID"), help=_("medicinudlevering (default) or heroinklinikken"))
    close.add_argument("--json", action="store_true", help=_("machine-readable output"))


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise argparse.ArgumentTypeError(_("'{text}' is not a number of mg").format(text=text)) from None


def run_queue(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services.queue import queue
    from skranke.services.wording import alert_text, dose_state_word, format_mg, outcome_word, refusal_text

    view = queue(skranke, args.date, args.service)
    names = {p.id: p.name for p in skranke.site.preparations}
    if args.json:
        _print_json(view.to_json_dict())
        return EXIT_OK
    print(f"{view.service_name} · {long_date(view.day)}")
    print(_("Waiting ({count})").format(count=len(view.waiting)))
    for w in view.waiting:
        print(
            f"  {clock_time(w.checked_in_at)}  {w.person.citizen_id:<8} {w.person.display:<14} "
            + _("{minutes} min.").format(minutes=w.minutes_waiting)
        )
    print(_("Due today ({count})").format(count=len(view.due)))
    for d in view.due:
        alerts = "; ".join(alert_text(a) for a in d.dose.alerts)
        print(
            f"  {d.dose.order.id:<8} {d.person.citizen_id:<8} {d.person.display:<14} "
            f"{names.get(d.dose.order.preparation, d.dose.order.preparation):<14} "
            f"{format_mg(d.dose.dose_mg)} mg  {dose_state_word(d.dose.state):<13} {alerts}"
        )
    print(_("Deliveries ({count})").format(count=len(view.deliveries)))
    for d in view.deliveries:
        print(f"  {d.dose.order.id:<8} {d.person.citizen_id:<8} {format_mg(d.dose.dose_mg)} mg × {d.dose.covers_days}")
    print(_("Done ({count})").format(count=len(view.done)))
    for r in view.done:
        print(
            f"  {r.dispensing_id:>5} {clock_time(r.recorded_at)} {r.prescription_id:<8} {r.person.citizen_id:<8} "
            f"{outcome_word(r.outcome):<8} {r.staff}"
            + ("  " + _("voided") if r.voided else "")
            + (f"  {refusal_text(r.reason)}" if r.reason and not r.voided else "")
        )
    return EXIT_OK


def run_check_in(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services.reception import check_in, known_place, undo_check_in

    # Wrong input is said before anyone is asked to sign in (exit 2).
    if args.department is not None:
        known_place(skranke, args.department)
    if args.undo and not (args.reason or "").strip():
        raise UsageError(_("--undo needs --reason: say why the check-in is undone."))
    if args.reason is not None and not args.undo:
        raise UsageError(_("--reason goes with --undo."))
    if args.undo:
        undone = undo_check_in(skranke, _needs_actor(skranke), args.citizen, args.reason, args.department)
        if args.json:
            _print_json(undone.to_json_dict())
        else:
            print(undone.words(skranke.clock.now().tzinfo))
        return EXIT_OK
    result = check_in(skranke, _needs_actor(skranke), args.citizen, args.department)
    if args.json:
        _print_json(result.to_json_dict())
    else:
        print(result.words(skranke.clock.now().tzinfo))
    return EXIT_OK


def run_dispense(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services.dispensing import REFUSAL_REASONS, dispense
    from skranke.services.wording import outcome_word

    refusal, _sep, text = args.reason.partition(":")
    if refusal.strip() not in REFUSAL_REASONS:
        refusal, text = "", args.reason
    result = dispense(
        skranke,
        _needs_actor(skranke),
        args.prescription,
        args.outcome,
        args.dose_number,
        reason=text.strip(),
        refusal=refusal.strip() or None,
    )
    if args.json:
        _print_json(result.to_json_dict())
    else:
        print(
            _("Dose {number} of {order}: {outcome} (record {id}).").format(
                number=result.dose_number,
                order=result.prescription_id,
                outcome=outcome_word(result.outcome),
                id=result.dispensing_id,
            )
        )
    return EXIT_OK


def run_void(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services.dispensing import void

    result = void(skranke, _needs_actor(skranke), args.dispensing, args.reason)
    if args.json:
        _print_json(result.to_json_dict())
    else:
        print(_("Record {id} is voided.").format(id=result.dispensing_id))
    return EXIT_OK


def run_release(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services.dispensing import release

    result = release(skranke, _needs_actor(skranke), args.prescription, args.reason, args.dose_mg)
    if args.json:
        _print_json(result.to_json_dict())
    else:
        print(_("The hold on {order} is released for today.").format(order=result.prescription_id))
    return EXIT_OK


def run_close_day(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services.dispensing import close_day

    result = close_day(skranke, _needs_actor(skranke), args.date, args.service)
    if args.json:
        _print_json(result.to_json_dict())
    else:
        print(
            ngettext(
                "{count} dose recorded as missed.", "{count} doses recorded as missed.", len(result.missed)
            ).format(count=len(result.missed))
        )
    sys.stdout.flush()  # the answer first; the day's backup after it
    _daily_backup(skranke)
    return EXIT_OK


COMMANDS["queue"] = run_queue
COMMANDS["check-in"] = run_check_in
COMMANDS["dispense"] = run_dispense
COMMANDS["void"] = run_void
COMMANDS["release"] = run_release
COMMANDS["close-day"] = run_close_day
COMMANDS["complaint"] = run_complaint


# --- the store's file: encryption ----------------------------------------------------------------


def _store_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    encrypt = commands.add_parser(
        "encrypt",
        parents=[common],
        help=_("encrypt a plain SQLite store from before (admin)"),
        description=_(
            "Encrypts a plain SQLite store with the key in the key file (a new key is written there "
            "when there is none). The plain file is kept beside it: delete it once the encrypted "
            "store works. Close skranke on every workstation first."
        ),
    )
    encrypt.add_argument("--json", action="store_true", help=_("machine-readable output"))

    backup = commands.add_parser(
        "backup",
        parents=[common],
        help=_("a checked, encrypted copy of the SQLite store (admin)"),
        description=_(
            "Copies the SQLite store while others keep working, encrypted with the store's key, and "
            "checks the copy. Without --to it goes into the backup folder, where the newest 14 daily "
            "and 12 monthly backups are kept. `backup verify FILE` checks a backup."
        ),
    )
    backup.add_argument("--to", type=Path, metavar=_("DIR"), help=_("the folder to write the backup to"))
    backup.add_argument(
        "--to-recipient",
        metavar=_("AGE_PUBLIC_KEY"),
        help=_("also an offsite copy encrypted to this age public key (age1…), which this PC cannot read"),
    )
    backup.add_argument("--json", action="store_true", help=_("machine-readable output"))
    checks = backup.add_subparsers(dest="backup_command", parser_class=_Parser, metavar="verify")
    verify = checks.add_parser("verify", parents=[common], help=_("check a backup file whole"))
    verify.add_argument("file", type=Path, metavar=_("FILE"), help=_("the backup file"))
    verify.add_argument("--json", action="store_true", help=_("machine-readable output"))

    restore = commands.add_parser(
        "restore",
        parents=[common],
        help=_("put a backup in the SQLite store's place (admin)"),
        description=_(
            "Checks the backup, keeps the current store aside and puts the backup in its place. "
            "Close skranke on every workstation first."
        ),
    )
    restore.add_argument("file", type=Path, metavar=_("FILE"), help=_("the backup file"))
    restore.add_argument("--json", action="store_true", help=_("machine-readable output"))


def run_encrypt(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services.storage import encrypt

    result = encrypt(skranke, _needs_actor(skranke))
    if args.json:
        _print_json(result.to_json_dict())
        return EXIT_OK
    print(
        _("{database} is encrypted ({rows} rows checked) with the key in {key}.").format(
            database=result.store, rows=result.rows, key=result.key_file
        )
    )
    print(
        _(
            "The plain copy {copy} can be read by anyone: delete it once skranke works with the encrypted "
            "store, and keep a copy of the key somewhere safe (without it the store cannot be read)."
        ).format(copy=result.plain_copy)
    )
    return EXIT_OK


COMMANDS["encrypt"] = run_encrypt


def _backup_line(facts) -> str:
    taken = _("at an unknown time")
    if facts.taken_at is not None:
        moment = to_local(facts.taken_at)
        taken = _("taken {day} at {time}").format(day=short_date(moment.date()), time=clock_time(moment))
    return _("{file}: {taken}, revision {revision}, {rows} rows in {tables} tables").format(
        file=facts.file, taken=taken, revision=facts.revision, rows=facts.rows, tables=len(facts.counts)
    )


def run_backup(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services import storage

    if args.backup_command == "verify":
        facts = storage.verify_backup(skranke, args.file)
        if args.json:
            _print_json({**facts.to_json_dict(), "ok": True})
        else:
            print(_("Whole: {backup}.").format(backup=_backup_line(facts)))
        return EXIT_OK
    storage.check_backup_target(skranke)  # PostgreSQL: before any sign-in asks for a PIN
    result = storage.backup(skranke, _needs_actor(skranke), args.to, recipient=args.to_recipient)
    if args.json:
        _print_json(result.to_json_dict())
        return EXIT_OK
    print(_("Backup written and checked: {backup}.").format(backup=_backup_line(result.backup)))
    if result.age_file:
        print(_("Offsite copy (age): {file}").format(file=result.age_file))
    for name in result.removed:
        print(_("Removed by the retention (14 daily, 12 monthly): {name}").format(name=name))
    return EXIT_OK


def run_restore(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services import storage

    storage.check_backup_target(skranke)
    actor, sign_in_after = storage.restore_actor(skranke, lambda: _needs_actor(skranke))
    result = storage.restore(skranke, actor, args.file)
    if sign_in_after:
        storage.sign_in_after_restore(skranke, result, lambda: _needs_actor(skranke))
    if args.json:
        _print_json(result.to_json_dict())
        return EXIT_OK
    print(_("Restored into {store}: {backup}.").format(store=result.store, backup=_backup_line(result.backup)))
    if result.kept_aside:
        print(_("The store as it was is kept aside: {file}").format(file=result.kept_aside))
    return EXIT_OK


COMMANDS["backup"] = run_backup
COMMANDS["restore"] = run_restore
