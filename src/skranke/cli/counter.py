"""Reception and the medicine window: queue, check-in, dispense, label, void, release, close-day."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from skranke.cli.errors import EXIT_OK
from skranke.cli.output import print_json
from skranke.cli.parser import Commands, add_json_option, day_argument, mg_argument
from skranke.cli.sign_in import needs_actor
from skranke.i18n import _, clock_time, long_date, ngettext
from skranke.services.context import Skranke, UsageError
from skranke.services.errors import DatabaseUnavailable


def add_parsers(commands: Commands) -> None:
    queue = commands.add("queue", help=_("the medicine room's day: waiting, due, done (no names)"))
    queue.add_argument("--date", type=day_argument, metavar=_("YYYY-MM-DD"), help=_("the day (default: today)"))
    queue.add_argument("--service", metavar=_("ID"), help=_("medicinudlevering (default) or heroinklinikken"))
    add_json_option(queue)

    check_in = commands.add("check-in", help=_("check a citizen in (reception)"))
    check_in.add_argument("citizen", metavar=_("CITIZEN"), help=_("the citizen's id"))
    check_in.add_argument(
        "--department", metavar=_("ID"), help=_("where to (default: what the citizen is due for today)")
    )
    check_in.add_argument(
        "--undo", action="store_true", help=_("undo today's check-in (the same day, before a dose on it)")
    )
    check_in.add_argument("--reason", metavar=_("REASON"), help=_("why the check-in is undone (with --undo)"))
    add_json_option(check_in)

    dispense = commands.add("dispense", help=_("record a dose given, refused or missed (nurse)"))
    dispense.add_argument("prescription", metavar=_("PRESCRIPTION"), help=_("the order's id"))
    dispense.add_argument("--outcome", required=True, choices=["given", "refused", "missed"])
    dispense.add_argument("--dose-number", type=int, choices=[1, 2], help=_("dose 1 or 2 of a twice-daily order"))
    dispense.add_argument("--reason", default="", help=_("why a dose was refused (intoxicated, declined, other: text)"))
    dispense.add_argument(
        "--label",
        type=Path,
        metavar=_("FILE"),
        help=_("write the take-home label of a dose given with take-home to FILE (PDF)"),
    )
    add_json_option(dispense)

    label = commands.add(
        "label",
        help=_("a dose's take-home label again: to the label printer, else saved as PDF (nurse)"),
    )
    label.add_argument("dispensing", type=int, metavar=_("DISPENSING"), help=_("the record's number"))
    label.add_argument("--to", type=Path, metavar=_("FILE"), help=_("save the PDF here instead of printing it"))
    add_json_option(label)

    void = commands.add("void", help=_("void a recorded dose with a reason (doctor)"))
    void.add_argument("dispensing", type=int, metavar=_("DISPENSING"), help=_("the record's number"))
    void.add_argument("--reason", required=True)
    add_json_option(void)

    release = commands.add("release", help=_("lift a missed-days hold for today (doctor)"))
    release.add_argument("prescription", metavar=_("PRESCRIPTION"), help=_("the order's id"))
    release.add_argument("--reason", required=True)
    release.add_argument("--dose-mg", type=mg_argument, metavar="MG", help=_("a reduced dose for today"))
    add_json_option(release)

    close = commands.add("close-day", help=_("due doses not given become missed (nurse)"))
    close.add_argument("--date", type=day_argument, metavar=_("YYYY-MM-DD"), help=_("the day (default: today)"))
    close.add_argument("--service", metavar=_("ID"), help=_("medicinudlevering (default) or heroinklinikken"))
    add_json_option(close)


def run_queue(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services.queue import queue
    from skranke.services.wording import alert_text, dose_state_word, format_mg, outcome_word, refusal_text

    view = queue(skranke, args.date, args.service)
    names = {p.id: p.name for p in skranke.site.preparations}
    if args.json:
        print_json(view.to_json_dict())
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
        undone = undo_check_in(skranke, needs_actor(skranke), args.citizen, args.reason, args.department)
        if args.json:
            print_json(undone.to_json_dict())
        else:
            print(undone.words(skranke.clock.now().tzinfo))
        return EXIT_OK
    result = check_in(skranke, needs_actor(skranke), args.citizen, args.department)
    if args.json:
        print_json(result.to_json_dict())
    else:
        print(result.words(skranke.clock.now().tzinfo))
    return EXIT_OK


def run_dispense(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.domain.vocabulary import REFUSAL_REASONS
    from skranke.services.dispensing import dispense
    from skranke.services.wording import outcome_word

    refusal, _sep, text = args.reason.partition(":")
    if refusal.strip() not in REFUSAL_REASONS:
        refusal, text = "", args.reason
    actor = needs_actor(skranke)
    result = dispense(
        skranke,
        actor,
        args.prescription,
        args.outcome,
        args.dose_number,
        reason=text.strip(),
        refusal=refusal.strip() or None,
    )
    answer = result.to_json_dict()
    words = [
        _("Dose {number} of {order}: {outcome} (record {id}).").format(
            number=result.dose_number,
            order=result.prescription_id,
            outcome=outcome_word(result.outcome),
            id=result.dispensing_id,
        )
    ]
    if result.stock_negative:
        words.append(_("The narcotics ledger is below zero for this preparation: the dose is given, check the stock."))
    if args.label is not None:
        # The dose is recorded whatever becomes of the label: its answer says which.
        if result.outcome == "given" and result.take_home_mg > 0:
            from skranke.services.labels import deliver_label, take_home_label

            data = take_home_label(skranke, actor, result.dispensing_id)
            delivery = deliver_label(skranke, result.dispensing_id, data, args.label)
            answer["label"] = str(delivery.path)
            words.append(delivery.words())
        else:
            answer["label"] = None
            words.append(_("Nothing goes home with this dose: no label written."))
    if args.json:
        print_json(answer)
    else:
        print("\n".join(words))
    return EXIT_OK


def run_label(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services.labels import deliver_label, take_home_label

    data = take_home_label(skranke, needs_actor(skranke), args.dispensing)
    delivery = deliver_label(skranke, args.dispensing, data, args.to)
    if args.json:
        print_json(
            {
                "dispensing_id": delivery.dispensing_id,
                "printer": delivery.printer,
                "path": str(delivery.path) if delivery.path is not None else None,
            }
        )
    else:
        print(delivery.words())
    return EXIT_OK


def run_void(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services.dispensing import void

    result = void(skranke, needs_actor(skranke), args.dispensing, args.reason)
    if args.json:
        print_json(result.to_json_dict())
    else:
        print(_("Record {id} is voided.").format(id=result.dispensing_id))
    return EXIT_OK


def run_release(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services.dispensing import release

    result = release(skranke, needs_actor(skranke), args.prescription, args.reason, args.dose_mg)
    if args.json:
        print_json(result.to_json_dict())
    else:
        print(_("The hold on {order} is released for today.").format(order=result.prescription_id))
    return EXIT_OK


def run_close_day(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services.dispensing import close_day
    from skranke.services.wording import format_mg

    result = close_day(skranke, needs_actor(skranke), args.date, args.service)
    if args.json:
        print_json(result.to_json_dict())
    else:
        print(
            ngettext(
                "{count} dose recorded as missed.", "{count} doses recorded as missed.", len(result.missed)
            ).format(count=len(result.missed))
        )
        for line in result.counts:
            if line.counted_mg is None:
                print(
                    _("{preparation}: the ledger says {expected} mg; not counted today.").format(
                        preparation=line.preparation, expected=format_mg(line.expected_mg)
                    )
                )
            else:
                print(
                    _("{preparation}: ledger {expected} mg, counted {counted} mg (difference {difference} mg).").format(
                        preparation=line.preparation,
                        expected=format_mg(line.expected_mg),
                        counted=format_mg(line.counted_mg),
                        difference=format_mg(line.difference_mg or 0),
                    )
                )
    sys.stdout.flush()  # the answer first; the day's backup after it
    _daily_backup(skranke)
    return EXIT_OK


def _daily_backup(skranke: Skranke) -> None:
    """The day's backup after close-day, when there is none yet (DESIGN §1); a backup that cannot
    be made is said on stderr and does not undo the closed day."""
    from skranke.services.errors import DeskRefusal
    from skranke.services.storage import daily_backup

    try:
        daily_backup(skranke)  # in the audit log when made
    except (DeskRefusal, DatabaseUnavailable, UsageError, OSError) as error:
        print("skranke: " + _("the day's backup was not made: {error}").format(error=error), file=sys.stderr)


HANDLERS = {
    "queue": run_queue,
    "check-in": run_check_in,
    "dispense": run_dispense,
    "label": run_label,
    "void": run_void,
    "release": run_release,
    "close-day": run_close_day,
}
