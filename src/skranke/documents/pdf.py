"""What every document shares: the shipped font (DejaVu Sans, so æøå print on any machine),
numbers as the interface language writes them, and text fitted to a width with "…"."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Literal

from fpdf import FPDF

from skranke.i18n import language

FONT = "DejaVuSans"
FONTS = Path(__file__).resolve().parent / "fonts"
ELLIPSIS = "…"


class Document(FPDF):
    """An FPDF page set in millimetres with the shipped font, dated by the caller (no clock here)."""

    def __init__(
        self,
        *,
        size: tuple[float, float] | str,
        orientation: Literal["portrait", "landscape"],
        title: str,
        made_at: datetime,
    ) -> None:
        super().__init__(orientation=orientation, unit="mm", format=size)
        self.add_font(FONT, "", FONTS / "DejaVuSans.ttf")
        self.add_font(FONT, "B", FONTS / "DejaVuSans-Bold.ttf")
        self.set_font(FONT, size=10)
        self.set_title(title)
        self.set_creator("skranke")
        self.set_lang(language())
        self.set_creation_date(made_at)

    def fitted(self, text: str, width: float) -> str:
        """`text` as it fits `width` mm in the current font: whole, or shortened at the end with
        "…" (a name is never cut off silently)."""
        text = " ".join(text.split())
        if self.get_string_width(text) <= width:
            return text
        low, high = 0, len(text)
        while low < high:  # the longest start that fits with the ellipsis after it
            middle = (low + high + 1) // 2
            if self.get_string_width(text[:middle].rstrip() + ELLIPSIS) <= width:
                low = middle
            else:
                high = middle - 1
        return text[:low].rstrip() + ELLIPSIS

    def pdf_bytes(self) -> bytes:
        return bytes(self.output())


def number(value: Decimal | int) -> str:
    """1.234,5 in Danish, 1,234.5 in English; no trailing zeros."""
    text = f"{Decimal(value).normalize():,f}"
    if language() == "da":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return text


def amount(mg: Decimal, mg_per_ml: Decimal | None = None, *, ml: Decimal | None = None) -> str:
    """'240 mg' or '240 mg (24 ml)': a liquid's volume beside its mg, given or worked out from
    the strength (mg per ml)."""
    if ml is None and mg_per_ml:
        ml = (mg / mg_per_ml).quantize(Decimal("0.1"), ROUND_HALF_UP)
    words = f"{number(mg)} mg"
    return f"{words} ({number(ml)} ml)" if ml is not None else words
