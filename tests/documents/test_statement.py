"""The yearly statement to Lægemiddelstyrelsen (BEK 2446/2021 §§ 20-21): every figure of every line."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from skranke.documents.statement import StatementLine, YearStatementDocument, year_statement_pdf
from tests.documents.conftest import page_count, page_png, pdf_text

METHADONE = StatementLine(
    preparation="metadon",
    name="Metadon oral opløsning",
    strength="10 mg/ml",
    substance="Metadon",
    mg_per_ml=Decimal(10),
    opening_mg=Decimal(12000),
    received_mg=Decimal(2920000),
    issued_mg=Decimal("2890500.5"),
    wasted_mg=Decimal(250),
    transferred_in_mg=Decimal(500),
    transferred_out_mg=Decimal(1000),
    count_difference_mg=Decimal("-12.5"),
    closing_mg=Decimal(40737),
)
BUPRENORPHINE = StatementLine(
    preparation="buprenorfin",
    name="Buprenorfin",
    strength="8 mg",
    substance="Buprenorfin",
    opening_mg=Decimal(800),
    received_mg=Decimal(20000),
    issued_mg=Decimal(19000),
    wasted_mg=Decimal(8),
    transferred_in_mg=Decimal(0),
    transferred_out_mg=Decimal(16),
    count_difference_mg=Decimal(0),
    closing_mg=Decimal(1776),
)


def statement(*lines: StatementLine) -> YearStatementDocument:
    return YearStatementDocument(
        year=2026,
        centre_name="Misbrugscenter Odense",
        centre_address="Østre Stationsvej 27, 5000 Odense C",
        permit_holder="Overlæge Jens Ærø",
        lines=lines,
        made_at=datetime(2027, 1, 4, 9, 30, tzinfo=UTC),
        made_by="SYG",
    )


def test_each_line_has_its_figures_in_mg_and_a_liquid_its_ml_beside() -> None:
    assert METHADONE.balances and BUPRENORPHINE.balances
    text = pdf_text(year_statement_pdf(statement(METHADONE, BUPRENORPHINE)))
    words = " ".join(text.split())  # a cell's second line (the ml) comes on a line of its own
    for row in [
        "Metadon oral opløsning 10 mg/ml 12.000 mg (1.200 ml) 2.920.000 mg (292.000 ml) 2.890.500,5 mg "
        "(289.050,1 ml) 250 mg (25 ml) 500 mg (50 ml) 1.000 mg (100 ml) -12,5 mg (-1,3 ml) 40.737 mg (4.073,7 ml)",
        "Buprenorfin 8 mg 800 mg 20.000 mg 19.000 mg 8 mg 0 mg 16 mg 0 mg 1.776 mg",
    ]:
        assert row in words
    assert "(!)" not in text


def test_the_statement_names_the_year_centre_permit_holder_maker_and_pages() -> None:
    text = pdf_text(year_statement_pdf(statement(METHADONE)))
    assert "Euforiserende stoffer: årsopgørelse 2026" in text
    assert "BEK 2446/2021 §§ 20-21" in text
    assert "Periode: 01.01.2026 til 31.12.2026" in text
    assert "Misbrugscenter Odense · Østre Stationsvej 27, 5000 Odense C" in text
    assert "Tilladelsesindehaver: Overlæge Jens Ærø" in text
    assert "Udarbejdet 04.01.2027 kl. 09.30 af SYG" in text  # as given: the caller gives local time
    for heading in ("Beholdning primo", "Modtaget", "Udleveret", "Kasseret", "Overført ind", "Overført ud"):
        assert heading in text
    assert "Side 1 af 1" in text


def test_a_long_statement_runs_over_pages_numbered_of_the_whole() -> None:
    data = year_statement_pdf(statement(*[METHADONE, BUPRENORPHINE] * 20))
    pages = page_count(data)
    assert pages > 1
    text = pdf_text(data)
    assert f"Side 1 af {pages}" in text and f"Side {pages} af {pages}" in text
    assert text.count("Beholdning primo") == pages  # the headings again on every page


def test_a_line_whose_movements_do_not_give_its_closing_balance_is_marked() -> None:
    wrong = StatementLine(**{**BUPRENORPHINE.__dict__, "closing_mg": Decimal(1800)})
    assert not wrong.balances and wrong.expected_closing_mg == Decimal(1776)
    text = pdf_text(year_statement_pdf(statement(wrong)))
    assert "Buprenorfin 8 mg (!)" in text
    assert "(!) Buprenorfin: bevægelserne giver 1.776 mg, men beholdningen ultimo er 1.800 mg." in text


def test_a_year_without_movements_says_so_and_still_renders() -> None:
    data = year_statement_pdf(statement())
    assert "Ingen bevægelser af euforiserende stoffer i 2026." in pdf_text(data)
    assert page_png(data, dpi=50).size[0] > page_png(data, dpi=50).size[1]  # A4 landscape
