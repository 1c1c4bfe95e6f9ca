"""The narcotics ledger (DESIGN §3 `stock`): receive, witness, waste, transfer, count, balance,
ledger, year. A second person's PIN (the witness) comes from SKRANKE_WITNESS_PIN or a hidden
prompt, as the signed-in person's own from SKRANKE_PIN."""

from __future__ import annotations

import argparse
from pathlib import Path

from skranke.cli.errors import EXIT_OK
from skranke.cli.output import print_json
from skranke.cli.parser import Commands, add_json_option, day_argument, mg_argument
from skranke.cli.sign_in import needs_actor, read_pin
from skranke.i18n import _, clock_time, short_date
from skranke.services.context import Skranke


def add_parsers(commands: Commands) -> None:
    stock = commands.add(
        "stock",
        help=_("the narcotics ledger: receipts, waste, counts, balance (nurse)"),
        description=_(
            "The narcotics ledger per service and preparation, in mg (ml beside it for a liquid). "
            "A receipt, a waste, a transfer and a count that differs are witnessed by a second person, "
            "whose PIN comes from SKRANKE_WITNESS_PIN or a hidden prompt."
        ),
    )
    actions = commands.below(stock, "stock_command", required=True, metavar=_("COMMAND"))

    def with_service(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--service", metavar=_("ID"), help=_("medicinudlevering (default) or heroinklinikken"))
        add_json_option(parser)

    def witnessed(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--witness", required=True, metavar=_("INITIALS"), help=_("the second person (PIN: SKRANKE_WITNESS_PIN)")
        )

    receive = actions.add("receive", help=_("record a receipt (witnessed)"))
    receive.add_argument("preparation", metavar=_("PREP"), help=_("the preparation, e.g. metadon"))
    receive.add_argument("--mg", required=True, type=mg_argument, metavar="MG", help=_("the amount in mg"))
    receive.add_argument("--lot", default="", metavar=_("LOT"), help=_("the lot number"))
    receive.add_argument("--supplier", default="", metavar=_("SUPPLIER"), help=_("who delivered it"))
    receive.add_argument("--invoice", default="", metavar=_("INVOICE"), help=_("the invoice number"))
    witnessed(receive)
    with_service(receive)

    witness = actions.add("witness", help=_("take an imported receipt (lager*.csv) into stock (witnessed)"))
    witness.add_argument("receipt", metavar=_("RECEIPT_ID"), help=_("the receipt's bevaegelse_id"))
    witnessed(witness)
    with_service(witness)

    waste = actions.add("waste", help=_("record waste or spill (reason, witnessed)"))
    waste.add_argument("preparation", metavar=_("PREP"), help=_("the preparation, e.g. metadon"))
    waste.add_argument("--mg", required=True, type=mg_argument, metavar="MG", help=_("the amount in mg"))
    waste.add_argument("--reason", required=True, metavar=_("REASON"), help=_("what happened"))
    witnessed(waste)
    with_service(waste)

    transfer = actions.add("transfer", help=_("move stock to another service (witnessed)"))
    transfer.add_argument("preparation", metavar=_("PREP"), help=_("the preparation, e.g. metadon"))
    transfer.add_argument("--mg", required=True, type=mg_argument, metavar="MG", help=_("the amount in mg"))
    transfer.add_argument("--to", required=True, metavar=_("SERVICE"), help=_("the service it goes to"))
    witnessed(transfer)
    with_service(transfer)

    count = actions.add("count", help=_("record a count against the ledger (a difference needs a reason)"))
    count.add_argument("preparation", metavar=_("PREP"), help=_("the preparation, e.g. metadon"))
    count.add_argument("--mg", required=True, type=mg_argument, metavar="MG", help=_("the amount counted, in mg"))
    count.add_argument("--reason", default="", metavar=_("REASON"), help=_("why the count differs"))
    witnessed(count)
    with_service(count)

    balance = actions.add("balance", help=_("each preparation's balance and last count"))
    with_service(balance)

    ledger = actions.add("ledger", help=_("the entries with the running balance"))
    ledger.add_argument("--prep", metavar=_("PREP"), help=_("only this preparation"))
    ledger.add_argument("--since", type=day_argument, metavar=_("YYYY-MM-DD"), help=_("from this day on"))
    with_service(ledger)

    year = actions.add("year", help=_("the yearly statement per preparation (Lægemiddelstyrelsen)"))
    year.add_argument("year", type=int, metavar=_("YYYY"), help=_("the year"))
    year.add_argument("--pdf", type=Path, metavar=_("FILE"), help=_("also write the statement as a PDF to FILE"))
    with_service(year)


def _witness_pin(args: argparse.Namespace) -> str:
    return read_pin(_("PIN for the witness {staff}: ").format(staff=args.witness.upper()), "SKRANKE_WITNESS_PIN")


def _mg(value: object) -> str:
    from skranke.services.wording import format_mg

    return format_mg(value)


def run_stock(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services import stock

    command = args.stock_command
    if command in ("balance", "ledger", "year"):
        return _READS[command](skranke, args)
    actor = needs_actor(skranke)
    pin = _witness_pin(args)
    if command == "receive":
        result = stock.receive(
            skranke,
            actor,
            args.preparation,
            args.mg,
            args.witness,
            pin,
            lot=args.lot,
            supplier=args.supplier,
            invoice=args.invoice,
            service=args.service,
        )
    elif command == "witness":
        result = stock.witness_receipt(skranke, actor, args.receipt, args.witness, pin, args.service)
    elif command == "waste":
        result = stock.waste(skranke, actor, args.preparation, args.mg, args.reason, args.witness, pin, args.service)
    elif command == "transfer":
        result = stock.transfer(skranke, actor, args.preparation, args.mg, args.to, args.witness, pin, args.service)
    else:
        result = stock.count(skranke, actor, args.preparation, args.mg, args.reason, args.witness, pin, args.service)
    if args.json:
        print_json(result.to_json_dict())
        return EXIT_OK
    print(result.words())
    return EXIT_OK


def _run_balance(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services.stock import balances

    lines = balances(skranke, needs_actor(skranke), args.service)
    if args.json:
        print_json({"balances": [line.to_json_dict() for line in lines]})
        return EXIT_OK
    for line in lines:
        ml = f" ({_mg(line.ml)} ml)" if line.ml is not None else ""
        counted = (
            _("last counted {day}: {difference} mg difference").format(
                day=short_date(line.last_count.at.astimezone(skranke.clock.now().tzinfo).date()),
                difference=_mg(line.last_count.difference_mg),
            )
            if line.last_count
            else _("never counted")
        )
        due = "  " + _("count due") if line.count_due else ""
        print(f"{line.name:<24} {_mg(line.mg):>10} mg{ml}  {counted}{due}")
    return EXIT_OK


def _run_ledger(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services.stock import ledger
    from skranke.services.wording import stock_kind_word

    lines = ledger(skranke, needs_actor(skranke), args.prep, args.since, args.service)
    if args.json:
        print_json({"entries": [line.to_json_dict() for line in lines]})
        return EXIT_OK
    zone = skranke.clock.now().tzinfo
    for line in lines:
        moment = line.recorded_at.astimezone(zone)
        who = line.staff + (f"/{line.witness}" if line.witness else "")
        note = line.reason or line.lot or (f"#{line.dispensing_id}" if line.dispensing_id else "")
        print(
            f"{line.entry_id:>6} {short_date(moment.date())} {clock_time(moment)} {line.preparation:<14} "
            f"{stock_kind_word(line.kind):<14} {_mg(line.mg):>9} {_mg(line.balance_mg):>10}  {who:<8} {note}"
        )
    return EXIT_OK


def _run_year(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services.stock import save_year_statement, year_statement

    actor = needs_actor(skranke)
    if args.pdf is not None:
        report = save_year_statement(skranke, actor, args.year, args.pdf, args.service)
    else:
        report = year_statement(skranke, actor, args.year, args.service)
    if args.json:
        print_json(report.to_json_dict())
        return EXIT_OK
    print(
        _("Narcotics ledger {year} · {site} · {service}").format(
            year=report.year, site=report.site_name, service=report.service_name
        )
    )
    for line in report.lines:
        s = line.statement
        print(f"{line.name} {line.strength}".rstrip())
        figures = [
            (_("Opening balance"), s.opening_mg),
            (_("Received"), s.received_mg),
            (_("Issued"), s.issued_mg),
            (_("Wasted"), s.wasted_mg),
            (_("Transferred in"), s.transferred_in_mg),
            (_("Transferred out"), s.transferred_out_mg),
            (_("Count differences"), s.count_difference_mg),
            (_("Closing balance"), s.closing_mg),
        ]
        width = max(len(label) for label, _value in figures)  # the words' length differs by language
        for label, value in figures:
            print(f"  {label:<{width}} {_mg(value):>12} mg")
    if args.pdf is not None:
        print(_("The statement as PDF: {path}").format(path=args.pdf))
    return EXIT_OK


_READS = {"balance": _run_balance, "ledger": _run_ledger, "year": _run_year}

HANDLERS = {"stock": run_stock}
