"""Nøgletal: the key figures over a period, and the register's basis (DESIGN §1 "Key figures and
reporting"; `skranke report`, the Nøgletal screen).

Who may: the doctor and the leader (admin) — `view_figures` in services.access. The figures
name no one (ids never leave domain.figures; a figure over 1-4 citizens is only "under 5"); the
register's basis (`smdb`) is one row per case with its citizen id, and the CPR number only for
an admin, since the municipality's report to Danmarks Statistik is theirs to make. Each read is
one transaction with its audit event.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from skranke.collector import collector_paused
from skranke.domain.deadlines import CaseFacts, add_months, evaluate_guarantee
from skranke.domain.figures import (
    UNKNOWN,
    Amount,
    CaseRecord,
    Figures,
    FollowUpRecord,
    Report,
    Share,
    key_figures,
    month_starts,
)
from skranke.i18n import _
from skranke.services.access import Actor, require
from skranke.services.context import Skranke, UsageError

if TYPE_CHECKING:
    from collections.abc import Sequence

# The screen and `report` without dates: the current month and the 12 before it.
DEFAULT_MONTHS = 12


@dataclass(frozen=True)
class Period:
    first: date
    last: date


def default_period(today: date, months: int = DEFAULT_MONTHS) -> Period:
    return Period(add_months(today.replace(day=1), -months), today)


def period_of(today: date, first: date | None, last: date | None) -> Period:
    """The period asked for: `--from`/`--to`, each defaulting as `default_period` does."""
    default = default_period(today)
    period = Period(first or default.first, last or default.last)
    if period.last < period.first:
        raise UsageError(
            _("The period ends before it begins (--from {first}, --to {last}).").format(
                first=period.first.isoformat(), last=period.last.isoformat()
            )
        )
    return period


def _department(skranke: Skranke, department: str | None) -> str | None:
    if department is None:
        return None
    ids = [d.id for d in skranke.site.all_departments()]
    if department not in ids:
        raise UsageError(
            _("Unknown department {department}: use one of {departments}.").format(
                department=department, departments=", ".join(ids)
            )
        )
    return department


def _read(skranke: Skranke, session: Any, period: Period) -> tuple[list[CaseRecord], list[FollowUpRecord]]:
    from skranke.store.figures import figure_case_rows, follow_up_rows

    longest = max(skranke.site.rules.follow_up_months, default=0)
    closed_from = add_months(period.first, -longest)
    cases = list(map(CaseRecord._make, figure_case_rows(session, period.first, closed_from)))
    zone = skranke.clock.now().tzinfo
    follow_ups = [
        FollowUpRecord(case_id, month, done_at.astimezone(zone).date())
        for case_id, month, done_at in follow_up_rows(session, closed_from, period.last)
        if case_id is not None and month is not None
    ]
    return cases, follow_ups


def report(
    skranke: Skranke,
    actor: Actor | None,
    first: date | None = None,
    last: date | None = None,
    department: str | None = None,
    *,
    output: str = "screen",
) -> Report:
    """The key figures over [first, last] (default: this month and the 12 before), counted as on
    today; the look is audited with the period and where it went (`output`)."""
    from skranke.services import audit

    signed_in = require(actor, "view_figures")
    now = skranke.clock.now()
    period = period_of(now.date(), first, last)
    place = _department(skranke, department)
    with collector_paused():  # a year is some 40,000 rows
        with skranke.database.transaction() as session:
            cases, follow_ups = _read(skranke, session, period)
            audit.record(
                session,
                signed_in,
                now,
                "report",
                entity="department" if place else "",
                entity_id=place or "",
                detail={"from": period.first.isoformat(), "to": period.last.isoformat(), "output": output},
            )
        return key_figures(cases, follow_ups, skranke.site, period.first, period.last, now.date(), place)


def months_of(report: Report) -> list[date]:
    return month_starts(report.first, report.last)


# --- the register's basis -------------------------------------------------------------------

# One row per case with a request, a start or a discharge in the period, named as Danmarks
# Statistik's Stofmisbrugsdatabasen (SMDB) names its registrations where those names are public:
# "Registrer anmodning", "Iværksæt behandling", "Afslut behandling" (dst.dk's guide to the
# reporting), the end status in SMDB's words (the closing statuses, 002 § 10, 004). skranke
# writes a basis for the municipality's own report, never a submission (DESIGN §1).
SMDB_COLUMNS = (
    "sag_id",
    "borger_id",
    "cpr",
    "afdeling",
    "lovgrundlag",
    "anmodning_dato",
    "behandling_ivaerksat_dato",
    "dage_til_ivaerksaettelse",
    "behandlingsgaranti_overskredet",
    "frit_valg",
    "afslutning_dato",
    "afslutning_status",
    "udfald",
    "maal_opnaaet",
)
_LAW = {"SEL101": "SEL § 101", "SEL101a": "SEL § 101a", "SUL142": "SUL § 142", "SUL141": "SUL § 141"}


@dataclass(frozen=True)
class SmdbBasis:
    text: str  # the CSV, `;`-separated, UTF-8 (Excel reads it with the BOM the CLI writes)
    rows: int
    with_cpr: bool


def smdb_basis(
    skranke: Skranke,
    actor: Actor | None,
    first: date | None = None,
    last: date | None = None,
    department: str | None = None,
) -> SmdbBasis:
    """The CSV basis for the municipality's report to SMDB; the CPR column only for an admin."""
    from skranke.services import audit
    from skranke.store.figures import smdb_rows

    signed_in = require(actor, "view_figures")
    with_cpr = "admin" in signed_in.roles
    now = skranke.clock.now()
    period = period_of(now.date(), first, last)
    place = _department(skranke, department)
    columns = [c for c in SMDB_COLUMNS if with_cpr or c != "cpr"]
    with skranke.database.transaction() as session:
        rows = smdb_rows(session, period.first, period.last, place)
        audit.record(
            session,
            signed_in,
            now,
            "smdb_export",
            entity="department" if place else "",
            entity_id=place or "",
            detail={
                "from": period.first.isoformat(),
                "to": period.last.isoformat(),
                "rows": len(rows),
                "cpr": with_cpr,
            },
        )
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        values = _smdb_values(skranke, row, now)
        writer.writerow([values[c] for c in columns])
    return SmdbBasis(buffer.getvalue(), len(rows), with_cpr)


def _smdb_values(skranke: Skranke, row: Sequence[Any], now: datetime) -> dict[str, Any]:
    (case_id, citizen_id, cpr, department, paragraph, contact, start, closed, status, free_choice, outcome, goals) = row
    facts = CaseFacts(case_id, citizen_id, department, paragraph, contact, start, free_choice, closed, status)
    guarantee = evaluate_guarantee(facts, skranke.site.rules)
    if guarantee.state == "met":
        exceeded = "nej" if guarantee.met_in_time else "ja"
    elif guarantee.deadline is not None and guarantee.deadline < (closed or now.date()):
        exceeded = "ja"
    elif guarantee.state in ("exempt", "not_covered"):
        exceeded = ""
    else:
        exceeded = "nej"
    return {
        "sag_id": case_id,
        "borger_id": citizen_id,
        "cpr": f"{cpr[:6]}-{cpr[6:]}" if cpr else "",
        "afdeling": department,
        "lovgrundlag": _LAW.get(paragraph, paragraph),
        "anmodning_dato": contact.isoformat(),
        "behandling_ivaerksat_dato": start.isoformat() if start else "",
        "dage_til_ivaerksaettelse": (start - contact).days if start else "",
        "behandlingsgaranti_overskredet": exceeded,
        "frit_valg": "ja" if free_choice else "nej",
        "afslutning_dato": closed.isoformat() if closed else "",
        "afslutning_status": status or "",
        "udfald": outcome or "",
        "maal_opnaaet": goals or "",
    }


# --- the figures as words (the screen, the CSV and the PDF show the same) ----------------------


def under_5() -> str:
    return _("under 5 citizens")


def count_text(value: Amount) -> str:
    return under_5() if value.small else str(value.count)


def share_text(value: Share) -> str:
    """ "12 af 40 (30,0 %)", "under 5 borgere", or "–" when there is nothing to count."""
    if value.small:
        return under_5()
    if value.small_part:
        return _("under 5 of {whole}").format(whole=value.whole.count)
    percent = value.percent()
    if percent is None:
        return "–"
    return _("{part} of {whole} ({percent} %)").format(
        part=value.part, whole=value.whole.count, percent=format_percent(percent)
    )


def format_percent(percent: float) -> str:
    return f"{percent:.1f}".replace(".", ",")


def days_text(value: float | int | None, small: bool) -> str:
    if small:
        return under_5()
    if value is None:
        return "–"
    return format_percent(float(value)).removesuffix(",0")


def figure_rows(figures: Figures) -> list[tuple[str, str]]:
    """The figures of one group as (label, value) lines, in the report's order."""
    days = figures.days_to_start
    rows = [
        (_("Requests"), count_text(figures.requests)),
        (_("Under the guarantee"), count_text(figures.guaranteed)),
        (_("Started within 14 days"), count_text(figures.started_in_time)),
        (_("Guarantee exceeded"), count_text(figures.exceeded)),
        (_("Median days to start"), days_text(days.median, days.small)),
        (_("90th percentile days to start"), days_text(days.p90, days.small)),
        (_("Discharges"), count_text(figures.discharges)),
    ]
    rows += [(_("Status: {status}").format(status=s), count_text(a)) for s, a in figures.by_status.items()]
    rows += [
        (_("Outcome: {outcome}").format(outcome=outcome_word(o)), count_text(a)) for o, a in figures.by_outcome.items()
    ]
    rows += [
        (_("Goals reached: {answer}").format(answer=outcome_word(g)), count_text(a))
        for g, a in figures.by_goals.items()
    ]
    rows += [
        (_("Ended as planned"), share_text(figures.ended_as_planned)),
        (_("Follow-ups due"), count_text(figures.follow_ups_due)),
        (_("Follow-ups made on time"), share_text(figures.follow_ups_on_time)),
        (_("Returned within 12 months"), share_text(figures.returned)),
    ]
    return rows


def outcome_word(word: str) -> str:
    return {
        "stoffri": _("drug-free"),
        "reduceret": _("reduced"),
        "uaendret": _("unchanged"),
        "ja": _("yes"),
        "delvist": _("partly"),
        "nej": _("no"),
        UNKNOWN: _("not given"),
    }.get(word, word)


def target_rows(report: Report) -> list[tuple[str, str, str, str, str]]:
    """(name, value, target, met, source) of each of the site's targets."""
    rows = []
    for result in report.targets:
        target = result.target
        sign = "≥" if target.comparison == "at_least" else "≤"
        met = result.met
        rows.append(
            (
                target.name,
                share_text(result.value),
                f"{sign} {target.percent} %",
                _("not enough data") if met is None else (_("met") if met else _("not met")),
                target.source,
            )
        )
    return rows


def report_csv(report: Report) -> str:
    """The report as CSV (`;`): one line per figure and month, then the targets; no ids."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["periode", "afdeling", "noegletal", "vaerdi"])
    place = report.department or ""
    span = f"{report.first.isoformat()}..{report.last.isoformat()}"
    for label, value in figure_rows(report.total):
        writer.writerow([span, place, label, value])
    for month, figures in report.months:
        for label, value in figure_rows(figures):
            writer.writerow([month.strftime("%Y-%m"), place, label, value])
    for name, value, target, met, source in target_rows(report):
        writer.writerow([span, place, _("Target: {name}").format(name=name), f"{value}; {target}; {met}; {source}"])
    return buffer.getvalue()


def month_label(month: date) -> str:
    """ "jan 26": a bar's label, in the interface language."""
    from skranke.i18n import format_pattern

    return format_pattern(month, "MMM yy").replace(".", "")


def report_pdf(report: Report, site_name: str, made_at: datetime) -> bytes:
    """The report as a PDF (documents.report): the same figures, bars and targets as the screen."""
    from skranke.documents.report import Bar, ReportDocument, TargetLine
    from skranke.documents.report import report_pdf as render

    where = site_name if report.department is None else f"{site_name}, {report.department}"
    bars = tuple(
        Bar(month_label(month), figures.requests.shown(), figures.exceeded.shown()) for month, figures in report.months
    )
    targets = tuple(
        TargetLine(name, value, goal, met, source, missed=result.met is False)
        for (name, value, goal, met, source), result in zip(target_rows(report), report.targets, strict=True)
    )
    document = ReportDocument(
        title=_("Key figures"),
        subtitle=_("{where}: {first} to {last}").format(
            where=where, first=report.first.isoformat(), last=report.last.isoformat()
        ),
        made_at=made_at,
        bars_title=_("Requests per month"),
        bars=bars,
        rows=tuple(figure_rows(report.total)),
        targets=targets,
        targets_note=report.targets_source or "–",
        small_note=_(
            "A figure over fewer than 5 citizens is shown only as 'under 5 citizens', never as a number or a "
            "percentage: so few would be recognised."
        ),
    )
    return render(document)
