"""The key figures as a PDF (`skranke report --pdf`, DESIGN §1 "Key figures and reporting"): a
heading, bars per month drawn with fpdf2, the table of figures and the site's targets with their
sources. Given words and numbers in, PDF bytes out: no names, no ids, no CPR ever reach here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fpdf.fonts import FontFace

from skranke.documents.pdf import Document
from skranke.i18n import _, clock_time, short_date

MARGIN_MM = 15
BAR_HEIGHT_MM = 45


@dataclass(frozen=True)
class Bar:
    label: str  # the month, e.g. "jan 26"
    value: int | None  # None: under 5 citizens (drawn as an empty slot, said below)
    exceeded: int | None = None


@dataclass(frozen=True)
class TargetLine:
    name: str
    value: str
    target: str
    met: str
    source: str
    missed: bool  # not met: marked


@dataclass(frozen=True)
class ReportDocument:
    title: str
    subtitle: str  # site, department, period
    made_at: datetime
    bars_title: str
    bars: tuple[Bar, ...]
    rows: tuple[tuple[str, str], ...]
    targets: tuple[TargetLine, ...]
    targets_note: str  # where the targets come from, or why there are none
    small_note: str  # what "under 5 borgere" means


def report_pdf(document: ReportDocument) -> bytes:
    pdf = Document(size="A4", orientation="portrait", title=document.title, made_at=document.made_at)
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_auto_page_break(True, margin=MARGIN_MM)
    pdf.add_page()
    pdf.set_font(style="B", size=15)
    pdf.cell(pdf.epw, 8, pdf.fitted(document.title, pdf.epw), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(style="", size=10)
    made = _("Made {date} at {time}").format(
        date=short_date(document.made_at.date()), time=clock_time(document.made_at)
    )
    for text in (document.subtitle, made):
        pdf.cell(pdf.epw, 5.5, pdf.fitted(text, pdf.epw), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    _bars(pdf, document)
    pdf.ln(4)
    pdf.set_font(size=9)
    with pdf.table(col_widths=(110, pdf.epw - 110), text_align=("LEFT", "RIGHT"), line_height=4.6, padding=1) as table:
        heading = table.row()
        heading.cell(_("Key figure"))
        heading.cell(_("Value"))
        for label, value in document.rows:
            row = table.row()
            row.cell(label)
            row.cell(value)
    pdf.ln(4)
    pdf.set_font(style="B", size=11)
    pdf.cell(pdf.epw, 6, _("Targets"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(style="", size=9)
    if document.targets:
        missed_style = FontFace(emphasis="BOLD", color=(170, 0, 0))
        with pdf.table(col_widths=(60, 34, 18, 24), line_height=4.4, padding=1) as table:
            heading = table.row()
            for text in (_("Target"), _("Value"), _("Goal"), _("Met")):
                heading.cell(text)
            for line in document.targets:
                row = table.row()
                row.cell(line.name)
                row.cell(line.value)
                row.cell(line.target)
                row.cell(line.met, style=missed_style if line.missed else None)
        pdf.ln(2)
        for line in document.targets:
            pdf.multi_cell(pdf.epw, 4.2, f"{line.name}: {line.source}", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(pdf.epw, 4.2, document.targets_note, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(size=8)
    pdf.multi_cell(pdf.epw, 4, document.small_note, new_x="LMARGIN", new_y="NEXT")
    return pdf.pdf_bytes()


def _bars(pdf: Document, document: ReportDocument) -> None:
    """Requests per month as bars (the exceeded part darker), drawn with fpdf2's own shapes."""
    pdf.set_font(style="B", size=10)
    pdf.cell(pdf.epw, 6, document.bars_title, new_x="LMARGIN", new_y="NEXT")
    top = pdf.get_y() + 2
    left = pdf.l_margin + 8
    width = pdf.epw - 8
    bottom = top + BAR_HEIGHT_MM
    highest = max([bar.value or 0 for bar in document.bars] + [1])
    slot = width / max(len(document.bars), 1)
    pdf.set_draw_color(120, 120, 120)
    pdf.line(left, bottom, left + width, bottom)
    pdf.set_font(style="", size=7)
    for index, bar in enumerate(document.bars):
        x = left + index * slot + slot * 0.15
        bar_width = slot * 0.7
        if bar.value is not None and bar.value > 0:
            height = BAR_HEIGHT_MM * bar.value / highest
            pdf.set_fill_color(70, 120, 180)
            pdf.rect(x, bottom - height, bar_width, height, style="F")
            if bar.exceeded:
                part = BAR_HEIGHT_MM * bar.exceeded / highest
                pdf.set_fill_color(190, 60, 40)
                pdf.rect(x, bottom - part, bar_width, part, style="F")
        shown = "<5" if bar.value is None else str(bar.value)
        pdf.set_xy(x - slot * 0.15, bottom - (BAR_HEIGHT_MM * (bar.value or 0) / highest) - 4)
        pdf.cell(slot, 4, shown, align="C")
        pdf.set_xy(x - slot * 0.15, bottom + 1)
        pdf.cell(slot, 4, bar.label, align="C")
    pdf.set_xy(pdf.l_margin, bottom + 6)
    pdf.set_font(size=8)
    legend = _("Blue: requests; red: of which the guarantee was exceeded; <5: under 5 citizens.")
    pdf.cell(pdf.epw, 4, legend, new_x="LMARGIN", new_y="NEXT")
