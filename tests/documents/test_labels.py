"""The take-home label (issue 27): what a citizen and a pharmacist read on the bottle."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

from skranke.documents.labels import LABEL_SIZE_MM, TakeHomeLabel, take_home_label_pdf
from skranke.i18n import set_language
from tests.documents.conftest import page_count, page_png, pdf_text

LABEL = TakeHomeLabel(
    citizen_name="Søren Ågård Østergaard",
    birth_date=date(1971, 5, 3),
    preparation="Metadon oral opløsning",
    strength="1 mg/ml",
    dose_per_day_mg=Decimal("72.5"),
    dose_per_day_ml=Decimal("72.5"),
    days=3,
    total_mg=Decimal("217.5"),
    total_ml=Decimal("217.5"),
    handed_out=date(2026, 4, 14),
    staff="SYG",
    centre_name="Misbrugscenter Odense",
    centre_address="Østre Stationsvej 27, 5000 Odense C",
    centre_phone="66 13 13 72",
    dispensing_id=123,
    made_at=datetime(2026, 4, 14, 7, 12, tzinfo=UTC),
)


def test_the_label_says_who_what_how_much_and_the_warning_in_danish() -> None:
    text = pdf_text(take_home_label_pdf(LABEL))
    assert "Søren Ågård Østergaard" in text  # æøå survive: the font is embedded
    assert "født 03.05.1971" in text
    assert "Metadon oral opløsning 1 mg/ml" in text
    assert "Dosis pr. dag: 72,5 mg (72,5 ml)" in text
    assert "3 dage · i alt 217,5 mg (217,5 ml)" in text
    assert "Udleveret 14.04.2026 af SYG · nr. 123" in text
    assert "Opbevares utilgængeligt for børn" in text
    assert "Misbrugscenter Odense" in text and "Tlf. 66 13 13 72" in text


def test_the_label_follows_the_interface_language() -> None:
    set_language("en")
    text = pdf_text(take_home_label_pdf(LABEL))
    assert "Keep out of the reach of children" in text
    assert "Dose per day: 72.5 mg (72.5 ml)" in text


def test_a_long_name_is_shortened_with_an_ellipsis_never_cut_off() -> None:
    long = "Karl-Johan Æbelø Christoffersen-Ørnsbjerg Vestergaard Mikkelsen"
    text = pdf_text(take_home_label_pdf(replace(LABEL, citizen_name=long)))
    first = text.splitlines()[0]
    shown = first.split(" født")[0]
    assert shown.endswith("…")
    assert long.startswith(shown[:-1].rstrip())
    assert "født 03.05.1971" in first  # the birth date beside it is whole


def test_one_day_and_an_anonymous_citizen() -> None:
    text = pdf_text(take_home_label_pdf(replace(LABEL, birth_date=None, days=1, total_ml=None, dose_per_day_ml=None)))
    assert "1 dag · i alt 217,5 mg" in text
    assert "ml" not in text.replace("mg/ml", "")
    assert "født" not in text


def test_the_label_is_one_page_of_the_label_size_with_ink_on_it() -> None:
    data = take_home_label_pdf(LABEL)
    assert page_count(data) == 1
    image = page_png(data, dpi=203)  # a Brother QL prints at 300 dpi, a thermal label printer at 203
    width_mm, height_mm = (pixels / 203 * 25.4 for pixels in image.size)
    assert abs(width_mm - LABEL_SIZE_MM[0]) < 0.5 and abs(height_mm - LABEL_SIZE_MM[1]) < 0.5
    grey = image.convert("L")
    histogram = grey.histogram()
    dark = sum(histogram[:128])
    assert 0.02 < dark / (grey.width * grey.height) < 0.5  # text printed, not a blank or black page
    # Nothing printed in the 2 mm at the edges: the cutter and the printer's own margin take them.
    edge = round(2 / 25.4 * 203)
    for box in (
        (0, 0, grey.width, edge),
        (0, grey.height - edge, grey.width, grey.height),
        (0, 0, edge, grey.height),
        (grey.width - edge, 0, grey.width, grey.height),
    ):
        darkest = grey.crop(box).getextrema()[0]
        assert isinstance(darkest, int | float)  # one band ("L"): (min, max), not a pair a band
        assert darkest > 200, box
