"""`skranke report`: the key figures (DESIGN §3, §1 "Key figures and reporting") as text, JSON,
CSV or a PDF, and `--smdb`, the CSV basis for the municipality's report to Stofmisbrugsdatabasen.
No names and no CPR in any of them; the register's basis carries the CPR only for an admin."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from skranke.cli.errors import EXIT_OK
from skranke.cli.output import print_json
from skranke.cli.parser import Commands, day_argument
from skranke.cli.sign_in import needs_actor
from skranke.i18n import _
from skranke.services.context import Skranke


def add_parsers(commands: Commands) -> None:
    report = commands.add(
        "report",
        help=_("the key figures: the guarantee, discharges, returns, targets (doctor, leader)"),
        description=_(
            "The key figures per month over a period (default: this month and the 12 before): requests, "
            "started within 14 days, exceeded, days to start, discharges by status and outcome, follow-ups, "
            "returns within 12 months, and the site's targets with their sources. A figure over fewer than "
            "5 citizens says so and shows no number."
        ),
    )
    report.add_argument("--from", dest="first", type=day_argument, metavar=_("YYYY-MM-DD"), help=_("first day"))
    report.add_argument("--to", dest="last", type=day_argument, metavar=_("YYYY-MM-DD"), help=_("last day"))
    report.add_argument("--department", metavar=_("ID"), help=_("one department only"))
    shown = report.add_mutually_exclusive_group()
    shown.add_argument("--json", action="store_true", help=_("print JSON"))
    shown.add_argument("--csv", action="store_true", help=_("print CSV (;)"))
    shown.add_argument("--pdf", type=Path, metavar=_("FILE"), help=_("write the report as a PDF"))
    shown.add_argument(
        "--smdb",
        action="store_true",
        help=_("print the CSV basis for the register (SMDB): one row per case; CPR only for an admin"),
    )


def run_report(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services import report as figures

    actor = needs_actor(skranke)
    if args.smdb:
        basis = figures.smdb_basis(skranke, actor, args.first, args.last, args.department)
        sys.stdout.write(basis.text)
        return EXIT_OK
    output = "json" if args.json else "csv" if args.csv else "pdf" if args.pdf else "text"
    result = figures.report(skranke, actor, args.first, args.last, args.department, output=output)
    if args.json:
        print_json(result.to_json_dict())
    elif args.csv:
        sys.stdout.write(figures.report_csv(result))
    elif args.pdf:
        args.pdf.write_bytes(figures.report_pdf(result, skranke.site.name, skranke.clock.now()))
        print(_("Written: {file}").format(file=args.pdf))
    else:
        _print_text(skranke, result)
    return EXIT_OK


def _print_text(skranke: Skranke, result: object) -> None:
    from skranke.domain.figures import Report
    from skranke.services.report import figure_rows, target_rows

    assert isinstance(result, Report)
    where = result.department or skranke.site.name
    print(
        _("Key figures {first} – {last}, {where}").format(
            first=result.first.isoformat(), last=result.last.isoformat(), where=where
        )
    )
    for label, value in figure_rows(result.total):
        print(f"  {label:<40} {value}")
    if result.targets:
        print(_("Targets:"))
        for name, value, target, met, source in target_rows(result):
            print(f"  {name}: {value} ({target}) – {met}")
            print(f"    {source}")
    else:
        print(_("No targets: {why}").format(why=result.targets_source or "–"))


HANDLERS = {"report": run_report}
