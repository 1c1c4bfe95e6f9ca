"""Reading back what a document shows: its text (pypdf) and its first page as pixels (pypdfium2)."""

from __future__ import annotations

import io

from PIL.Image import Image
from pypdf import PdfReader


def pdf_text(data: bytes) -> str:
    """Every page's text, the lines of a page as a reader extracts them."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def page_count(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def page_png(data: bytes, dpi: int = 200) -> Image:
    """The first page as a PIL image, as a printer at `dpi` would lay it down."""
    import pypdfium2 as pdfium

    image: Image = pdfium.PdfDocument(data)[0].render(scale=dpi / 72).to_pil()  # pypdfium2 is untyped
    return image
