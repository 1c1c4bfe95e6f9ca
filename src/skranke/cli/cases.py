"""The front office: opening hours, deadlines, requests for treatment (intake), complaints."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from skranke.cli.errors import EXIT_ACCESS, EXIT_OK, EXIT_REJECTED
from skranke.cli.output import print_json
from skranke.cli.parser import Commands, add_json_option, day_argument
from skranke.cli.sign_in import needs_actor, signed_in_actor
from skranke.i18n import _, clock_time, long_date, ngettext, short_date, week_number
from skranke.services.context import Skranke

if TYPE_CHECKING:
    from skranke.domain.deadlines import ComplaintDeadline
    from skranke.domain.intake import IntakeAnswers, IntakeAssessment


def add_hours(commands: Commands) -> None:
    hours = commands.add(
        "hours",
        help=_("opening hours of every department"),
        description=_("The opening hours of every department and service on one day, and which are open now."),
    )
    hours.add_argument("--date", type=day_argument, metavar=_("YYYY-MM-DD"), help=_("the day (default: today)"))
    add_json_option(hours, codes=True)


def add_deadlines(commands: Commands) -> None:
    deadlines = commands.add(
        "deadlines",
        help=_("14-day guarantee, follow-ups, plan reviews"),
        description=_(
            "Waiting requests and their 14-day treatment guarantee, exempt requests, follow-ups "
            "after discharge and plan reviews due, as of today (or --now)."
        ),
    )
    add_json_option(deadlines, codes=True)


def add_complaint(commands: Commands) -> None:
    complaint = commands.add(
        "complaint",
        help=_("complaints and requests for access to records, with their deadlines (reception)"),
    )
    actions = commands.below(complaint, "action", required=True)
    add = actions.add("add", help=_("register a complaint or an access request"))
    add.add_argument("citizen", metavar=_("CITIZEN"), help=_("the citizen's id"))
    add.add_argument("--kind", required=True, choices=["complaint", "access"])
    add.add_argument("--received", required=True, type=day_argument, metavar=_("YYYY-MM-DD"), help=_("the day it came"))
    add_json_option(add)
    answer = actions.add("answer", help=_("record the day a complaint was answered"))
    answer.add_argument("complaint", type=int, metavar=_("ID"), help=_("the complaint's number"))
    answer.add_argument(
        "--on", required=True, type=day_argument, metavar=_("YYYY-MM-DD"), help=_("the day it was answered")
    )
    add_json_option(answer)


def add_intake(commands: Commands) -> None:
    intake = commands.add(
        "intake",
        help=_("register a request for treatment (the form's model)"),
        description=_(
            "Reads a request for treatment as JSON (the intake form's model), routes it by the site's "
            "rules and registers it; --dry-run computes everything and registers nothing."
        ),
    )
    intake.add_argument("file", type=Path, metavar=_("FILE.json"), help=_("the answers as DESIGN §3's JSON"))
    intake.add_argument("--dry-run", action="store_true", help=_("route and check, register nothing"))
    add_json_option(intake, codes=True)


def run_hours(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services.today import day_overview

    now = skranke.clock.now()
    overview = day_overview(skranke.site, skranke.hours, args.date or now.date(), now)
    if args.json:
        print_json(overview.to_json_dict())
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
        print_json(overview.to_json_dict())
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


def _complaint_line(complaint: ComplaintDeadline) -> str:
    from skranke.services.wording import complaint_kind_word, complaint_status_word

    deadline = short_date(complaint.deadline) if complaint.deadline else _("no deadline in the site's standard")
    return (
        f"{complaint.complaint_id:>5} {complaint.citizen_id:<8} {complaint_kind_word(complaint.kind):<12} "
        f"{short_date(complaint.received)} → {deadline}  {complaint_status_word(complaint.status)}"
    )


def run_complaint(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services.complaints import add_complaint, answer_complaint

    if args.action == "add":
        result = add_complaint(skranke, needs_actor(skranke), args.citizen, args.kind, args.received)
    else:
        result = answer_complaint(skranke, needs_actor(skranke), args.complaint, args.on)
    if args.json:
        print_json(result.to_json_dict())
    else:
        print(_complaint_line(result))
    return EXIT_OK


def run_intake(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services.intake import IntakeRejected, assess_intake, read_answers_file

    try:
        answers = read_answers_file(skranke, args.file)
    except IntakeRejected as error:
        if args.json:
            print_json({"errors": [p.to_json_dict() for p in error.problems]})
        # A file that cannot be read names itself; a wrong field is named after the file.
        print(f"skranke: {args.file}: {error}" if error.problems else f"skranke: {error}", file=sys.stderr)
        for problem in error.problems:
            print(f"skranke: {args.file}: {problem}", file=sys.stderr)
        return EXIT_REJECTED
    if not args.dry_run:
        return _register_intake(skranke, args, answers)
    assessment = assess_intake(skranke, answers)
    if args.json:
        print_json(assessment.to_json_dict())
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
        print_json(result.to_json_dict())
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


HANDLERS = {
    "hours": run_hours,
    "deadlines": run_deadlines,
    "complaint": run_complaint,
    "intake": run_intake,
}
