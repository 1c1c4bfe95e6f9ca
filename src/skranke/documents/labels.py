"""The take-home label (issue 27, DESIGN §1 "Controlled-substance accounts"): one per take-home
handout, for the bottle or the bag, with who it is for, what and how much, and the warning.

The page is 100 × 62 mm: Brother's 62 mm continuous tape (DK-22205) cut at 100 mm, for the
QL-series desktop printers Danish pharmacies and clinics keep at the counter. A continuous tape
takes a label of any length, so everything fits at a size a citizen can read (a Dymo 89 × 36 mm
address label would need 6 pt type), and the tape is the printer's everyday supply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from skranke.documents.pdf import Document, amount
from skranke.i18n import _, ngettext, short_date

LABEL_SIZE_MM = (100.0, 62.0)  # width × height, landscape on 62 mm tape
MARGIN_MM = 4.0


@dataclass(frozen=True, kw_only=True)
class TakeHomeLabel:
    citizen_name: str
    birth_date: date | None  # None: an anonymous citizen (no CPR)
    preparation: str  # the preparation's name, as the site file writes it
    strength: str = ""  # "1 mg/ml", "8 mg": the product's strength
    dose_per_day_mg: Decimal
    dose_per_day_ml: Decimal | None = None  # a liquid's volume beside the mg
    days: int  # the days the take-home covers
    total_mg: Decimal
    total_ml: Decimal | None = None
    handed_out: date
    staff: str  # the initials of who handed it out
    centre_name: str
    centre_address: str = ""
    centre_phone: str = ""
    dispensing_id: int
    made_at: datetime  # when the label was made (the PDF's date)


def warning_text() -> str:
    """The warning every label carries."""
    return _("Keep out of the reach of children")


def take_home_label_pdf(label: TakeHomeLabel) -> bytes:
    """One label page, every line fitted to the label's width ("…" where a line is longer)."""
    pdf = Document(
        size=(LABEL_SIZE_MM[1], LABEL_SIZE_MM[0]),  # fpdf2 takes a portrait size and turns it
        orientation="landscape",
        title=_("Take-home label {id}").format(id=label.dispensing_id),
        made_at=label.made_at,
    )
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    width = LABEL_SIZE_MM[0] - 2 * MARGIN_MM

    def line(text: str, size: float, height: float, *, bold: bool = False, cell_width: float = width) -> None:
        pdf.set_font(style="B" if bold else "", size=size)
        pdf.cell(cell_width, height, pdf.fitted(text, cell_width), new_x="LMARGIN", new_y="NEXT")

    # Who it is for: the name as wide as the birth date beside it leaves.
    born = _("born {date}").format(date=short_date(label.birth_date)) if label.birth_date else ""
    pdf.set_font(size=9)
    born_width = pdf.get_string_width(born) + 2 if born else 0
    top = pdf.get_y()
    line(label.citizen_name, 13, 6.5, bold=True, cell_width=width - born_width)
    if born:
        pdf.set_xy(MARGIN_MM + width - born_width, top)
        pdf.set_font(style="", size=9)
        pdf.cell(born_width, 6.5, born, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(0.5)
    line(" ".join(part for part in (label.preparation, label.strength) if part), 12, 6, bold=True)
    per_day = amount(label.dose_per_day_mg, ml=label.dose_per_day_ml)
    line(_("Dose per day: {amount}").format(amount=per_day), 10.5, 5.2)
    days = ngettext("{days} day", "{days} days", label.days).format(days=label.days)
    total = amount(label.total_mg, ml=label.total_ml)
    line(_("{days} · in all {amount}").format(days=days, amount=total), 10.5, 5.2, bold=True)
    line(
        _("Handed out {date} by {staff} · no. {id}").format(
            date=short_date(label.handed_out), staff=label.staff, id=label.dispensing_id
        ),
        8.5,
        4.6,
    )
    pdf.ln(1.5)
    pdf.set_font(style="B", size=11.5)
    pdf.cell(width, 8, pdf.fitted(warning_text(), width - 2), border=1, align="C", new_x="LMARGIN", new_y="NEXT")
    # The centre at the foot of the label, where one looks for who to call.
    phone = _("Phone {phone}").format(phone=label.centre_phone) if label.centre_phone else ""
    contact = " · ".join(part for part in (label.centre_address, phone) if part)
    pdf.set_y(max(pdf.get_y() + 1.5, LABEL_SIZE_MM[1] - MARGIN_MM - (8.2 if contact else 4.2)))
    line(label.centre_name, 8.5, 4.2, bold=True)
    if contact:
        line(contact, 8, 4)
    return pdf.pdf_bytes()
