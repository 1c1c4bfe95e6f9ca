"""The yearly statement of the controlled-substance accounts to Lægemiddelstyrelsen (BEK 2446/2021
§§ 20-21; DESIGN §1 "Controlled-substance accounts"; issue 27): per substance and preparation,
the year's opening balance, receipts, issues, waste, transfers, count differences and closing
balance, in mg (and ml beside for a liquid), with the centre, the permit holder, when and by whom
it was made, and page numbers. A4 landscape: nine columns of figures read side by side.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from fpdf.fonts import FontFace

from skranke.documents.pdf import FONT, Document, amount
from skranke.i18n import _, clock_time, short_date

MARGIN_MM = 12.0


@dataclass(frozen=True, kw_only=True)
class StatementLine:
    """One preparation's year, in mg; `mg_per_ml` (a liquid's strength) puts ml beside each figure."""

    preparation: str  # the site file's id
    name: str
    substance: str = ""  # "metadon", "buprenorfin": the statement groups by it
    strength: str = ""
    mg_per_ml: Decimal | None = None
    opening_mg: Decimal
    received_mg: Decimal
    issued_mg: Decimal
    wasted_mg: Decimal
    transferred_in_mg: Decimal
    transferred_out_mg: Decimal
    count_difference_mg: Decimal  # counted minus the ledger's balance, summed over the year's counts
    closing_mg: Decimal

    @property
    def expected_closing_mg(self) -> Decimal:
        """What the movements leave: opening + received − issued − wasted ± transfers + count differences."""
        return (
            self.opening_mg
            + self.received_mg
            - self.issued_mg
            - self.wasted_mg
            + self.transferred_in_mg
            - self.transferred_out_mg
            + self.count_difference_mg
        )

    @property
    def balances(self) -> bool:
        return self.expected_closing_mg == self.closing_mg


@dataclass(frozen=True, kw_only=True)
class YearStatementDocument:
    year: int
    centre_name: str
    centre_address: str = ""
    permit_holder: str  # who holds the permit (Lægemiddelstyrelsen's tilladelse), as the site names them
    lines: tuple[StatementLine, ...]
    made_at: datetime
    made_by: str  # "SYG (Sygeplejerske Sørensen)": who made the statement


def figure_headings() -> list[str]:
    return [
        _("Opening balance"),
        _("Received"),
        _("Issued"),
        _("Wasted"),
        _("Transferred in"),
        _("Transferred out"),
        _("Count differences"),
        _("Closing balance"),
    ]


def _figures(line: StatementLine) -> list[Decimal]:
    return [
        line.opening_mg,
        line.received_mg,
        line.issued_mg,
        line.wasted_mg,
        line.transferred_in_mg,
        line.transferred_out_mg,
        line.count_difference_mg,
        line.closing_mg,
    ]


class _StatementPdf(Document):
    def __init__(self, statement: YearStatementDocument) -> None:
        self.statement = statement
        super().__init__(size="A4", orientation="landscape", title=title(statement), made_at=statement.made_at)

    def footer(self) -> None:
        # Every page says whose statement it is, when it was made and which page of how many.
        statement = self.statement
        self.set_y(-MARGIN_MM)
        self.set_font(FONT, style="", size=8)
        made = _("{centre} · {year} · made {date} {time} by {staff}").format(
            centre=statement.centre_name,
            year=statement.year,
            date=short_date(statement.made_at.date()),
            time=clock_time(statement.made_at),
            staff=statement.made_by,
        )
        page = _("Page {page} of {pages}").format(page=self.page_no(), pages=self.alias_nb_pages_text)
        self.cell(self.epw * 0.8, 5, self.fitted(made, self.epw * 0.8))
        self.cell(self.epw * 0.2, 5, page, align="R")

    @property
    def alias_nb_pages_text(self) -> str:
        return str(self.str_alias_nb_pages)


def title(statement: YearStatementDocument) -> str:
    return _("Controlled substances: yearly statement {year}").format(year=statement.year)


def year_statement_pdf(statement: YearStatementDocument) -> bytes:
    """The statement as PDF pages: a heading, one table grouped by substance (its headings repeated
    on every page), a line per preparation whose figures do not add up, and room to sign."""
    pdf = _StatementPdf(statement)
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_auto_page_break(True, margin=MARGIN_MM + 6)
    pdf.add_page()
    pdf.set_font(style="B", size=15)
    pdf.cell(pdf.epw, 8, pdf.fitted(title(statement), pdf.epw), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(style="", size=10)
    for text in (
        _("To Lægemiddelstyrelsen: accounts of controlled substances (BEK 2446/2021 §§ 20-21)"),
        _("Period: {first} to {last}").format(first=f"01.01.{statement.year}", last=f"31.12.{statement.year}"),
        " · ".join(part for part in (statement.centre_name, statement.centre_address) if part),
        _("Permit holder: {holder}").format(holder=statement.permit_holder),
        _("Made {date} at {time} by {staff}").format(
            date=short_date(statement.made_at.date()), time=clock_time(statement.made_at), staff=statement.made_by
        ),
    ):
        pdf.cell(pdf.epw, 5.5, pdf.fitted(text, pdf.epw), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(size=8)
    headings = [_("Preparation"), *figure_headings()]
    name_width = 45.0
    widths = [name_width, *[(pdf.epw - name_width) / 8] * 8]
    group_style = FontFace(emphasis="BOLD", fill_color=(230, 230, 230))
    with pdf.table(
        col_widths=widths,
        text_align=("LEFT", *["RIGHT"] * 8),
        line_height=4.2,
        padding=1.2,
        repeat_headings=1,
    ) as table:
        heading = table.row()
        for text in headings:
            heading.cell(text, align="CENTER")
        for substance, lines in _by_substance(statement.lines):
            if substance:
                table.row().cell(substance, colspan=len(headings), style=group_style, align="LEFT")
            for line in lines:
                row = table.row()
                name = " ".join(part for part in (line.name, line.strength) if part)
                row.cell(name if line.balances else f"{name} (!)")
                for value in _figures(line):
                    row.cell(amount(value, line.mg_per_ml).replace(" (", "\n("))
    if not statement.lines:
        pdf.ln(2)
        pdf.cell(pdf.epw, 6, _("No movements of controlled substances in {year}.").format(year=statement.year))
    pdf.ln(4)
    pdf.set_font(size=9)
    pdf.multi_cell(
        pdf.epw,
        4.5,
        _(
            "Closing balance = opening balance + received − issued − wasted + transferred in − transferred out "
            "+ count differences. In mg; a liquid's ml beside, from its strength."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    for line in statement.lines:
        if not line.balances:
            pdf.set_font(style="B", size=9)
            pdf.multi_cell(
                pdf.epw,
                4.5,
                _("(!) {name}: the movements give {expected} but the closing balance is {closing}.").format(
                    name=line.name, expected=amount(line.expected_closing_mg), closing=amount(line.closing_mg)
                ),
                new_x="LMARGIN",
                new_y="NEXT",
            )
    pdf.set_font(style="", size=10)
    pdf.ln(12)
    pdf.cell(pdf.epw / 2, 6, "_" * 45, new_x="LMARGIN", new_y="NEXT")
    pdf.cell(pdf.epw / 2, 5, _("Date and signature of the permit holder"), new_x="LMARGIN", new_y="NEXT")
    return pdf.pdf_bytes()


def _by_substance(lines: tuple[StatementLine, ...]) -> list[tuple[str, list[StatementLine]]]:
    """The lines grouped by substance in the order they first come (lines without one: no heading)."""
    groups: dict[str, list[StatementLine]] = {}
    for line in lines:
        groups.setdefault(line.substance, []).append(line)
    return list(groups.items())
