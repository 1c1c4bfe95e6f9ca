"""Staff and the audit log: staff add/list/disable/pin/unlock, audit, audit verify."""

from __future__ import annotations

import argparse
import sys

from skranke.cli.errors import EXIT_OK, EXIT_REJECTED
from skranke.cli.output import print_json
from skranke.cli.parser import Commands, add_json_option, day_argument
from skranke.cli.sign_in import needs_actor, read_pin
from skranke.clock import TIMEZONE
from skranke.i18n import _, clock_time
from skranke.services.access import role_words
from skranke.services.context import Skranke


def add_parsers(commands: Commands) -> None:
    staff = commands.add(
        "staff",
        help=_("staff and their PINs (admin)"),
        description=_(
            "Add, list and disable staff, set PINs and lift lock-outs. The first staff member "
            "of a new store needs no sign-in and must have the role admin."
        ),
    )
    actions = commands.below(staff, "staff_command", required=True)
    add = actions.add("add", help=_("add a staff member (new PIN from SKRANKE_NEW_PIN or a prompt)"))
    add.add_argument("initials", metavar=_("INITIALS"), help=_("the staff member's initials"))
    add.add_argument("--name", required=True, metavar=_("NAME"), help=_("full name"))
    add.add_argument("--roles", required=True, metavar=_("ROLE,ROLE"), help=_("reception, nurse, doctor, admin"))
    listing = actions.add("list", help=_("list staff"))
    add_json_option(listing)
    disable = actions.add("disable", help=_("disable a staff member"))
    disable.add_argument("initials", metavar=_("INITIALS"), help=_("the staff member's initials"))
    pin = actions.add("pin", help=_("set a new PIN (from SKRANKE_NEW_PIN or a prompt)"))
    pin.add_argument("initials", metavar=_("INITIALS"), help=_("the staff member's initials"))
    unlock = actions.add("unlock", help=_("lift a PIN lock-out (five wrong PINs)"))
    unlock.add_argument("initials", metavar=_("INITIALS"), help=_("the staff member's initials"))

    audit = commands.add(
        "audit",
        help=_("who looked at or changed what (admin)"),
        description=_(
            "The audit log, oldest first: every sign-in, look at a citizen and "
            "action, with staff member and workstation."
        ),
    )
    audit.add_argument("--citizen", metavar=_("ID"), help=_("only events about this citizen"))
    # --staff signs in; the staff member whose events are wanted is --by.
    audit.add_argument("--by", metavar=_("INITIALS"), help=_("only events by this staff member"))
    audit.add_argument("--since", type=day_argument, metavar=_("YYYY-MM-DD"), help=_("only events from this day on"))
    add_json_option(audit)
    checks = commands.below(audit, "audit_command", metavar=_("COMMAND"))
    verify = checks.add(
        "verify",
        help=_("check the audit log's hash chain (admin)"),
        description=_(
            "Walks the audit log in order and checks each event's SHA-256 against its content and "
            "the event before it. Exit 1 names the first event changed, inserted or next to events removed."
        ),
    )
    add_json_option(verify)


def run_staff(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services import staff

    if args.staff_command == "add":
        first = staff.staff_count(skranke) == 0
        actor = None if first and not skranke.settings.staff else needs_actor(skranke)
        pin = read_pin(_("New PIN: "), "SKRANKE_NEW_PIN", twice=True)
        member = staff.add_staff(skranke, actor, args.initials, args.name, args.roles.split(","), pin)
        print(_("{staff} added with roles {roles}.").format(staff=member.staff_id, roles=role_words(member.roles)))
        return EXIT_OK
    actor = needs_actor(skranke)
    if args.staff_command == "list":
        members = staff.list_staff(skranke, actor)
        if args.json:
            print_json(
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
    pin = read_pin(_("New PIN: "), "SKRANKE_NEW_PIN", twice=True)
    member = staff.set_pin(skranke, actor, args.initials, pin)
    print(_("{staff} has a new PIN.").format(staff=member.staff_id))
    return EXIT_OK


def run_audit(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services.audit import audit_events

    if getattr(args, "audit_command", None) == "verify":
        return run_audit_verify(skranke, args)
    actor = needs_actor(skranke)
    events = audit_events(skranke, actor, citizen_id=args.citizen, staff_id=args.by, since=args.since)
    if args.json:
        print_json({"events": [e.to_json_dict() for e in events]})
        return EXIT_OK
    for event in events:
        print(event.text_line())
    return EXIT_OK


def run_audit_verify(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services.audit import chain_json, chain_sentence, verify_chain

    check = verify_chain(skranke, needs_actor(skranke))
    sentence = chain_sentence(check, skranke.clock.now())
    if args.json:
        print_json(chain_json(check))
    elif check.whole:
        print(sentence)
    if not check.whole:
        print(f"skranke: {sentence}", file=sys.stderr)
        return EXIT_REJECTED
    return EXIT_OK


HANDLERS = {"staff": run_staff, "audit": run_audit}
