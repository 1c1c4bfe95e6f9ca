"""Reading export files written to disk as bytes: encodings, separators, formats, errors."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skranke.domain.site import Site
from skranke.i18n import set_language
from skranke.sync import (
    KIND_ORDER,
    AppointmentRow,
    CaseRow,
    CitizenRow,
    ParsedFile,
    PrescriptionRow,
    RowError,
    kind_of,
    read_export,
    sort_exports,
    sort_key,
    write_report,
)
from skranke.sync.reader import export_lines

from .conftest import TODAY, Read, models

CPH = ZoneInfo("Europe/Copenhagen")

CITIZENS = (
    "borger_id;cpr;fornavn;efternavn;alias;telefon\r\n"
    "B1;010180-1234;Søren;Ærøskøbing;Sørens;63 75 17 50\r\n"
    "B2;;Åse;Østergård;;\r\n"
)


def _errors(parsed: ParsedFile) -> list[tuple[int, str | None]]:
    return [(e.line, e.column) for e in parsed.errors]


# --- encodings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "prefix", "detected"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
        ("cp1252", b"", "cp1252"),
    ],
)
def test_encodings_give_the_same_danish_letters(read: Read, encoding: str, prefix: bytes, detected: str) -> None:
    parsed = read("borgere.csv", prefix + CITIZENS.encode(encoding))
    assert parsed.ok, parsed.errors
    assert parsed.encoding == detected
    first, second = models(parsed, CitizenRow)
    assert (first.first_name, first.last_name, first.alias) == ("Søren", "Ærøskøbing", "Sørens")
    assert (second.first_name, second.last_name) == ("Åse", "Østergård")


def test_bom_does_not_end_up_in_the_first_column_name(read: Read) -> None:
    parsed = read("borgere.csv", b"\xef\xbb\xbf" + CITIZENS.encode())
    assert parsed.columns[0] == "borger_id"
    assert models(parsed, CitizenRow)[0].id == "B1"


def test_encoding_is_decided_for_the_whole_file(read: Read) -> None:
    # One line in Windows-1252 makes the whole file Windows-1252, even the lines that would
    # have been valid UTF-8 on their own: "Ã¦" stays "Ã¦", never turns into "æ".
    text = "borger_id;fornavn\r\nB1;Ã¦\r\nB2;Søren\r\n"
    parsed = read("borgere.csv", text.encode("cp1252"))
    assert parsed.encoding == "cp1252"
    assert [m.first_name for m in models(parsed, CitizenRow)] == ["Ã¦", "Søren"]


def test_utf16_is_refused_with_a_hint(read: Read) -> None:
    parsed = read("borgere.csv", CITIZENS.encode("utf-16"))
    assert not parsed.ok
    assert parsed.errors[0].line == 0
    assert parsed.errors[0].reason == (
        "UTF-16-filer kan ikke læses: gem som CSV UTF-8 (kommasepareret) eller CSV (semikolonsepareret)"
    )


def test_bytes_undefined_in_cp1252_are_a_file_error_with_the_line(read: Read) -> None:
    data = b"borger_id;fornavn\r\nB1;ok\r\nB2;\x81\r\n"
    parsed = read("borgere.csv", data)
    assert _errors(parsed) == [(3, None)]
    assert parsed.errors[0].reason == "hverken UTF-8 eller Windows-1252 (byte 0x81)"


# --- separators and layout -------------------------------------------------------------------


@pytest.mark.parametrize("separator", [";", ",", "\t"])
def test_each_separator_is_sniffed_from_the_header(read: Read, separator: str) -> None:
    text = CITIZENS.replace(";", separator).replace("63 75 17 50", '"63,75;17\t50"')
    parsed = read("borgere.csv", text)
    assert parsed.ok, parsed.errors
    assert parsed.separator == separator
    assert models(parsed, CitizenRow)[0].phone == "63,75;17\t50"


def test_excel_sep_line_sets_the_separator(read: Read) -> None:
    parsed = read("borgere.csv", "sep=,\r\nborger_id,fornavn\r\nB1,Ib\r\nB2,x\r\n")
    assert parsed.ok, parsed.errors
    assert parsed.separator == ","
    assert [(r.line, r.row.id) for r in parsed.rows] == [(3, "B1"), (4, "B2")]


def test_an_unknown_excel_sep_line_is_an_error(read: Read) -> None:
    parsed = read("borgere.csv", "sep=|\r\nborger_id|fornavn\r\nB1|Ib\r\n")
    assert _errors(parsed) == [(1, None)]
    assert str(parsed.errors[0]) == (
        "borgere.csv:1: skilletegnet kan ikke bruges: brug semikolon, komma eller tabulator (værdi 'sep=|')"
    )


def test_blank_lines_are_skipped_and_line_numbers_stay_physical(read: Read) -> None:
    text = "\r\nborger_id;fornavn\r\nB1;a\r\n\r\n;\r\nB2;b\r\n\r\n\r\n  \r\n"
    parsed = read("borgere.csv", text)
    assert parsed.ok, parsed.errors
    assert [(r.line, r.row.id) for r in parsed.rows] == [(3, "B1"), (6, "B2")]


def test_quoted_fields_across_lines_count_their_lines(read: Read) -> None:
    text = 'borger_id;fornavn;alias\nB1;"Anne\nMarie";"a ""quote"""\nB2;x;"bad;\n"\nB3;;\n'
    parsed = read("borgere.csv", text)
    assert parsed.ok, parsed.errors
    assert [(r.line, r.row.id) for r in parsed.rows] == [(2, "B1"), (4, "B2"), (6, "B3")]
    assert models(parsed, CitizenRow)[0].first_name == "Anne\nMarie"
    assert models(parsed, CitizenRow)[0].alias == 'a "quote"'


def test_lf_and_crlf_line_ends_read_alike(read: Read) -> None:
    parsed = read("borgere.csv", CITIZENS.replace("\r\n", "\n"))
    assert parsed.ok and [m.id for m in models(parsed, CitizenRow)] == ["B1", "B2"]


def test_cells_are_stripped_and_empty_optional_cells_take_defaults(read: Read) -> None:
    parsed = read("borgere.csv", "borger_id ; fornavn ; efternavn\r\n  B1 ;  Ib  ;   \r\n")
    assert parsed.ok, parsed.errors
    assert models(parsed, CitizenRow)[0] == CitizenRow(id="B1", first_name="Ib")


def test_header_only_is_a_valid_empty_file(read: Read) -> None:
    parsed = read("aftaler.csv", "aftale_id;borger_id;afdeling;tidspunkt\r\n")
    assert parsed.ok and parsed.rows == []


def test_empty_file_is_an_error(read: Read) -> None:
    parsed = read("borgere.csv", b"\r\n\r\n")
    assert _errors(parsed) == [(0, None)]
    assert parsed.errors[0].reason == "filen er tom: ingen overskriftslinje"


def test_trailing_separator_in_header_and_rows_is_tolerated(read: Read) -> None:
    parsed = read("borgere.csv", "borger_id;fornavn;\r\nB1;Ib;\r\nB2;Bo;\r\n")
    assert parsed.ok, parsed.errors
    assert [m.first_name for m in models(parsed, CitizenRow)] == ["Ib", "Bo"]


def test_value_under_unnamed_column_is_an_error(read: Read) -> None:
    parsed = read("borgere.csv", "borger_id;fornavn;\r\nB1;Ib;oops\r\n")
    assert _errors(parsed) == [(2, "#3")]
    assert parsed.errors[0].reason == "en værdi under en kolonne uden navn"


def test_row_with_wrong_number_of_cells(read: Read) -> None:
    parsed = read("borgere.csv", "borger_id;fornavn;alias\r\nB1;Ib\r\nB2;Bo;x;extra\r\nB3;ok;;\r\n")
    assert _errors(parsed) == [(2, None), (3, None)]
    assert parsed.errors[0].reason == "rækken har 2 celler, overskriftslinjen 3"
    assert [m.id for m in models(parsed, CitizenRow)] == ["B3"]


# --- header names ------------------------------------------------------------------------------


def test_ascii_and_danish_header_spellings(read: Read) -> None:
    ascii_ = (
        "ORDINATION_ID;Borger_Id;praeparat;Dosis_mg;doser pr dag;udlevering;overvaaget;gyldig_fra;Gyldig-Til;ordineret_af\r\n"
        'O1;B1;metadon;45,5;1;"FREQ=WEEKLY;BYDAY=MO,TH";nej;01.02.2025;2025-12-31;Dr. Ørum\r\n'
    )
    danish = ascii_.replace("praeparat", " Præparat ").replace("overvaaget", "OVERVÅGET")
    for text in (ascii_, danish):
        parsed = read("ordinationer.csv", text)
        assert parsed.ok, parsed.errors
        assert models(parsed, PrescriptionRow)[0].supervised is False


def test_missing_required_column_is_named(read: Read) -> None:
    parsed = read("sager.csv", "sag_id;borger_id;afdeling;henvendelse\r\nS1;B1;stoffrihed;2025-01-01\r\n")
    assert _errors(parsed) == [(1, "paragraf")]
    assert parsed.errors[0].reason == "påkrævet kolonne mangler"
    assert parsed.rows == []


def test_every_missing_required_column_is_named(read: Read) -> None:
    parsed = read("ordinationer.csv", "ordination_id;borger_id;praeparat\r\n")
    assert {e.column for e in parsed.errors} == {"dosis_mg", "udlevering", "gyldig_fra"}


def test_unknown_columns_reject_the_file_by_default(read: Read) -> None:
    text = "borger_id;fornavn;fødselsdato;bemærkning\r\nB1;Ib;1980-01-01;x\r\n"
    parsed = read("borgere.csv", text)
    assert _errors(parsed) == [(1, "fødselsdato, bemærkning")]
    assert parsed.errors[0].reason == (
        "ukendte kolonner i borgere-filen (semikolonsepareret); "
        "kolonnerne er: borger_id, cpr, fornavn, efternavn, alias, telefon"
    )


def test_one_unknown_column_in_a_comma_separated_file(read: Read) -> None:
    parsed = read("borgere.csv", "borger_id,fornavn,alder\r\nB1,Ib,40\r\n")
    assert _errors(parsed) == [(1, "alder")]
    assert parsed.errors[0].reason.startswith("ukendt kolonne i borgere-filen (kommasepareret); kolonnerne er:")


def test_unknown_columns_can_be_ignored(read: Read) -> None:
    text = "borger_id;fornavn;fødselsdato\r\nB1;Ib;1980-01-01\r\n"
    parsed = read("borgere.csv", text, unknown_columns="ignore")
    assert parsed.ok, parsed.errors
    assert models(parsed, CitizenRow) == [CitizenRow(id="B1", first_name="Ib")]


def test_a_column_given_twice_is_an_error(read: Read) -> None:
    parsed = read("ordinationer.csv", "ordination_id;borger_id;praeparat;dosis_mg;udlevering;gyldig_fra;Præparat\r\n")
    assert _errors(parsed) == [(1, "Præparat")]
    assert parsed.errors[0].reason == "kolonnen står to gange (også som 'praeparat')"


# --- formats -------------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["2025-02-03", "03-02-2025", "03.02.2025", "3.2.2025", " 2025-2-3 "])
def test_each_date_form(read: Read, written: str) -> None:
    text = f"sag_id;borger_id;afdeling;paragraf;henvendelse\r\nS1;B1;stoffrihed;SEL101;{written}\r\n"
    parsed = read("sager.csv", text)
    assert parsed.ok, parsed.errors
    assert models(parsed, CaseRow)[0].contact_date == date(2025, 2, 3)


@pytest.mark.parametrize("written", ["2025/02/03", "03/02/2025", "20250203", "3-2-25", "2025-02-03 10:00"])
def test_other_date_forms_are_refused(read: Read, written: str) -> None:
    text = f"sag_id;borger_id;afdeling;paragraf;henvendelse\r\nS1;B1;stoffrihed;SEL101;{written}\r\n"
    parsed = read("sager.csv", text)
    assert _errors(parsed) == [(2, "henvendelse")]
    assert parsed.errors[0].reason == "ikke en dato: skriv ÅÅÅÅ-MM-DD, DD-MM-ÅÅÅÅ eller DD.MM.ÅÅÅÅ"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2025-03-04 08:15", datetime(2025, 3, 4, 8, 15, tzinfo=CPH)),
        ("04-03-2025 08:15", datetime(2025, 3, 4, 8, 15, tzinfo=CPH)),
        ("04.03.2025 08.15", datetime(2025, 3, 4, 8, 15, tzinfo=CPH)),
        ("2025-03-04T08:15", datetime(2025, 3, 4, 8, 15, tzinfo=CPH)),
        ("2025-03-04T08:15:30", datetime(2025, 3, 4, 8, 15, 30, tzinfo=CPH)),
        ("2025-07-04T06:15:00Z", datetime(2025, 7, 4, 8, 15, tzinfo=CPH)),
        ("2025-07-04T08:15:00+02:00", datetime(2025, 7, 4, 8, 15, tzinfo=CPH)),
        ("4.7.2025 8.15", datetime(2025, 7, 4, 8, 15, tzinfo=CPH)),
    ],
)
def test_each_date_time_form(read: Read, written: str, expected: datetime) -> None:
    text = f"aftale_id;borger_id;afdeling;tidspunkt;type\r\nA1;B1;heroinklinikken;{written};laege\r\n"
    parsed = read("aftaler.csv", text)
    assert parsed.ok, parsed.errors
    row = models(parsed, AppointmentRow)[0]
    assert row.starts_at == expected
    assert row.starts_at.utcoffset() == expected.utcoffset()
    assert row.kind == "læge"


def test_time_that_clocks_skip_is_refused(read: Read) -> None:
    text = "aftale_id;borger_id;afdeling;tidspunkt\r\nA1;B1;heroinklinikken;30.03.2025 02.30\r\n"
    parsed = read("aftaler.csv", text)
    assert _errors(parsed) == [(2, "tidspunkt")]
    assert parsed.errors[0].reason == "2025-03-30 02:30 findes ikke i dansk tid (uret stilles frem)"


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("2025-03-04", "klokkeslæt mangler: skriv f.eks. 2025-03-01 08:15 eller 01.03.2025 08.15"),
        ("i morgen", "ikke et tidspunkt: skriv f.eks. 2025-03-01 08:15 eller 01.03.2025 08.15"),
        ("2025-03-04 25:00", "dato eller klokkeslæt findes ikke"),
        ("2025-03-04T08:15+25:00", "UTC-forskydningen +25:00 er for stor"),
        # Moved to UTC or to Copenhagen time, these leave the calendar: an error, not a crash.
        ("0001-01-01 00:30", "dato eller klokkeslæt findes ikke"),
        ("9999-12-31T23:30-01:00", "dato eller klokkeslæt findes ikke"),
    ],
)
def test_bad_date_times_are_refused_with_the_reason(read: Read, written: str, reason: str) -> None:
    text = f"aftale_id;borger_id;afdeling;tidspunkt\r\nA1;B1;heroinklinikken;{written}\r\n"
    parsed = read("aftaler.csv", text)
    assert _errors(parsed) == [(2, "tidspunkt")]
    assert parsed.errors[0].reason == reason


@pytest.mark.parametrize(("written", "dose"), [("45,5", "45.5"), ("45.5", "45.5"), ("120", "120"), ("0,25", "0.25")])
def test_comma_and_point_decimals(read: Read, written: str, dose: str) -> None:
    text = (
        "ordination_id;borger_id;praeparat;dosis_mg;udlevering;gyldig_fra\r\n"
        f"O1;B1;Metadon;{written};FREQ=DAILY;2025-01-01\r\n"
    )
    parsed = read("ordinationer.csv", text)
    assert parsed.ok, parsed.errors
    assert models(parsed, PrescriptionRow)[0].dose_mg == Decimal(dose)


def test_comma_decimal_in_a_comma_separated_file_is_quoted(read: Read) -> None:
    text = 'ordination_id,borger_id,praeparat,dosis_mg,udlevering,gyldig_fra\r\nO1,B1,morfin,"12,5",FREQ=DAILY,1.1.2025\r\n'
    parsed = read("ordinationer.csv", text)
    assert parsed.ok, parsed.errors
    assert models(parsed, PrescriptionRow)[0].dose_mg == Decimal("12.5")


@pytest.mark.parametrize(
    ("written", "expected"),
    [("ja", True), ("JA", True), ("j", True), ("1", True), ("true", True),
     ("nej", False), ("N", False), ("0", False), ("False", False), ("", True)],
)  # fmt: skip
def test_booleans(read: Read, written: str, expected: bool) -> None:
    text = (
        "ordination_id;borger_id;praeparat;dosis_mg;udlevering;gyldig_fra;overvaaget\r\n"
        f"O1;B1;metadon;10;FREQ=DAILY;2025-01-01;{written}\r\n"
    )
    parsed = read("ordinationer.csv", text)
    assert parsed.ok, parsed.errors
    assert models(parsed, PrescriptionRow)[0].supervised is expected


# --- the four kinds ------------------------------------------------------------------------------


def test_a_full_cases_file(read: Read, site: Site) -> None:
    text = (
        "sag_id;borger_id;afdeling;paragraf;henvendelse;behandlingsstart;frit_valg;afsluttet;afslutningsstatus;plan_revideret\r\n"
        "S1;B1;Stabilisering;SEL 101;12.12.2025;;nej;;;\r\n"
        "S2;B2;unge-og-rusmidler;sel § 101a;01-02-2024;2024-02-05;JA;2024-06-01;faerdigbehandlet;2024-05-01\r\n"
        "S3;B3;HEROINKLINIKKEN;SUL142;2024-01-01;2024-01-01;n;2024-03-01;eget oenske;\r\n"
        "S4;B3;stoffrihed;sul-141;2024-01-01;;;2024-03-01;udskrevet til andet tilbud;\r\n"
    )
    parsed = read("sager_2025.csv", text)
    assert parsed.ok, parsed.errors
    s1, s2, s3, s4 = models(parsed, CaseRow)
    assert s1 == CaseRow.model_validate(
        dict(id="S1", citizen_id="B1", department="stabilisering", paragraph="SEL101", contact_date=date(2025, 12, 12)),
        context=site,
    )
    assert (s2.department, s2.paragraph, s2.free_choice, s2.closing_status) == (
        "unge-og-rusmidler", "SEL101a", True, "færdigbehandlet",
    )  # fmt: skip
    assert (s3.department, s3.paragraph, s3.closing_status) == ("heroinklinikken", "SUL142", "eget ønske")
    assert (s4.paragraph, s4.closing_status) == ("SUL141", "andet tilbud")


def test_consent_to_follow_up_is_optional_and_yes_no(read: Read) -> None:
    # samtykke_opfoelgning (Gladsaxe asks for it, 003 § 2.7): an empty cell is "not given".
    text = (
        "sag_id;borger_id;afdeling;paragraf;henvendelse;afsluttet;afslutningsstatus;Samtykke_Opfølgning\r\n"
        "S1;B1;stoffrihed;SEL101;2025-01-01;2025-06-01;færdigbehandlet;ja\r\n"
        "S2;B2;stoffrihed;SEL101;2025-01-01;2025-06-01;færdigbehandlet;nej\r\n"
        "S3;B3;stoffrihed;SEL101;2025-01-01;2025-06-01;færdigbehandlet;\r\n"
    )
    parsed = read("sager.csv", text)
    assert parsed.ok, parsed.errors
    assert [m.follow_up_consent for m in models(parsed, CaseRow)] == [True, False, None]
    refused = read("sager.csv", text.replace(";nej\r\n", ";kun måske\r\n"))
    assert [(e.line, e.column) for e in refused.errors] == [(3, "Samtykke_Opfølgning")]


def test_a_full_prescriptions_file(read: Read, site: Site) -> None:
    text = (
        "ordination_id;borger_id;praeparat;dosis_mg;doser_pr_dag;udlevering;overvaaget;gyldig_fra;gyldig_til;ordineret_af;udbringning;sidst_udleveret\r\n"
        "O1;B1;Metadon;85;1;FREQ=DAILY;ja;2025-01-01;;Læge Ørum;nej;2025-05-31\r\n"
        'O2;B2;diacetylmorfin (heroin);200,5;2;"RRULE:freq=daily;until=20251231;";;01.01.2025;31.12.2025;;;\r\n'
        'O3;B3;BUPRENORFIN;8;;"FREQ=WEEKLY;INTERVAL=2;BYDAY=TH";nej;2025-01-01;2025-01-01;;ja;01.01.2025\r\n'
    )
    parsed = read("ordinationer.csv", text)
    assert parsed.ok, parsed.errors
    o1, o2, o3 = models(parsed, PrescriptionRow)
    assert o1 == PrescriptionRow.model_validate(
        dict(id="O1", citizen_id="B1", preparation="metadon", dose_mg=Decimal(85), doses_per_day=1,
             pickup_rule="FREQ=DAILY", supervised=True, valid_from=date(2025, 1, 1), prescribed_by="Læge Ørum",
             last_dispensed_on=date(2025, 5, 31)),
        context=site,
    )  # fmt: skip
    assert (o2.preparation, o2.dose_mg, o2.doses_per_day, o2.pickup_rule, o2.supervised, o2.delivery) == (
        "diacetylmorfin", Decimal("200.5"), 2, "FREQ=DAILY;UNTIL=20251231", True, False,
    )  # fmt: skip
    assert o2.last_dispensed_on is None
    assert (o3.preparation, o3.doses_per_day, o3.supervised) == ("buprenorfin", 1, False)
    assert (o3.delivery, o3.last_dispensed_on) == (True, date(2025, 1, 1))


def test_heroin_that_would_go_home_rejects_the_file_naming_line_and_column(read: Read) -> None:
    text = (
        "ordination_id;borger_id;praeparat;dosis_mg;doser_pr_dag;udlevering;overvaaget;gyldig_fra;udbringning\r\n"
        "O1;B1;diacetylmorfin;200;2;FREQ=DAILY;ja;2025-01-01;nej\r\n"
        "O2;B2;diacetylmorfin;200;2;FREQ=DAILY;ja;2025-01-01;ja\r\n"
        "O3;B3;Diacetylmorfin (heroin);200;2;FREQ=DAILY;nej;2025-01-01;\r\n"
        'O4;B4;diacetylmorfin;200;1;"FREQ=WEEKLY;BYDAY=MO,TH";;2025-01-01;\r\n'
        "O5;B5;metadon;80;1;FREQ=DAILY;nej;2025-01-01;ja\r\n"
    )
    parsed = read("ordinationer.csv", text)
    assert not parsed.ok
    assert [(e.line, e.column) for e in parsed.errors] == [(3, "udbringning"), (4, "overvaaget"), (5, "udlevering")]
    reasons = [e.reason for e in parsed.errors]
    assert (
        reasons[0].startswith("Diacetylmorfin (heroin) gives kun under overvågning")
        and "bringes aldrig ud" in reasons[0]
    )
    assert "aldrig tages med hjem" in reasons[1]
    assert "FREQ=DAILY" in reasons[2]


def test_a_full_appointments_file(read: Read) -> None:
    text = (
        "aftale_id;borger_id;afdeling;tidspunkt;type;behandler\r\n"
        "A1;B1;stoffrihed;2025-03-04 09:00;visitation;Sanne Krog\r\n"
        "A2;B1;Stoffrihed;2025-03-05 09:00;;\r\n"
    )
    parsed = read("aftaler.csv", text)
    assert parsed.ok, parsed.errors
    a1, a2 = models(parsed, AppointmentRow)
    assert isinstance(a1, AppointmentRow)
    assert (a1.kind, a1.clinician, a2.kind) == ("visitation", "Sanne Krog", "samtale")


def test_citizen_cpr_is_stored_as_ten_digits_and_may_be_empty(read: Read) -> None:
    parsed = read("borgere.csv", CITIZENS)
    assert [m.cpr for m in models(parsed, CitizenRow)] == ["0101801234", None]


# --- errors --------------------------------------------------------------------------------------


def test_every_bad_row_is_reported_with_line_and_column(read: Read) -> None:
    text = (
        "sag_id;borger_id;afdeling;paragraf;henvendelse;behandlingsstart;frit_valg;afsluttet;afslutningsstatus\r\n"
        "S1;B1;stabilisering;SEL101;2025-01-10;2025-01-09;;;\r\n"  # 2: start before request
        "S2;B1;nowhere;SEL101;2025-01-10;;;;\r\n"  # 3: unknown department
        "S3;B1;stoffrihed;SEL101;2025-01-10;;;;\r\n"  # 4: fine
        "S4;B1;stoffrihed;SEL 102;31.02.2025;;maybe;;\r\n"  # 5: paragraph, date, boolean
        "S5;;stoffrihed;SEL101;2025-01-10;;;2025-02-01;\r\n"  # 6: no citizen, no status
        "S6;B1;stoffrihed;SEL101;2025-01-10;;;;hospital\r\n"  # 7: status without date
        "S3;B2;stoffrihed;SEL101;2025-01-10;;;;\r\n"  # 8: duplicate key
        "S8;B1;stoffrihed;SEL101;2025-01-10;;;;død\r\n"  # 9: unknown status
    )
    parsed = read("sager.csv", text)
    assert _errors(parsed) == [
        (2, "behandlingsstart"),
        (3, "afdeling"),
        (5, "paragraf"),
        (5, "henvendelse"),
        (5, "frit_valg"),
        (6, "borger_id"),
        (6, "afslutningsstatus"),
        (7, "afslutningsstatus"),
        (8, "sag_id"),
        (9, "afslutningsstatus"),
    ]
    assert [r.row.id for r in parsed.rows] == ["S3"]  # rows without errors are kept; file not ok
    assert not parsed.ok
    by_place = {(e.line, e.column): e for e in parsed.errors}
    assert by_place[(3, "afdeling")].value == "nowhere"
    assert by_place[(3, "afdeling")].reason.startswith("ukendt afdeling 'nowhere': stedet har ")
    assert by_place[(2, "behandlingsstart")].reason == (
        "behandlingsstart ligger før henvendelsen (henvendelse 2025-01-10)"
    )
    assert by_place[(5, "paragraf")].reason == "ukendt paragraf: brug en af SEL101, SEL101a, SUL141, SUL142"
    assert by_place[(5, "henvendelse")].reason == "datoen findes ikke"
    assert by_place[(5, "frit_valg")].reason == "ikke ja/nej: skriv ja eller nej (også j/n, 1/0, true/false)"
    assert by_place[(6, "borger_id")].reason == "tom, men skal udfyldes"
    assert by_place[(6, "afslutningsstatus")].reason == (
        "sagen har en afslutningsdato (afsluttet): afslutningsstatus skal udfyldes"
    )
    assert by_place[(7, "afslutningsstatus")].reason == (
        "afslutningsstatus er udfyldt, men afslutningsdatoen (afsluttet) er tom"
    )
    assert by_place[(8, "sag_id")].reason == "står to gange (første gang på linje 4)"
    assert by_place[(9, "afslutningsstatus")].reason.startswith("ukendt afslutningsstatus: brug en af ")
    assert by_place[(5, "henvendelse")].value == "31.02.2025"


def test_unknown_department_and_preparation_are_named(read: Read) -> None:
    appointments = read(
        "aftaler.csv", "aftale_id;borger_id;afdeling;tidspunkt\r\nA1;B1;Vista Balboa;2025-01-01 10:00\r\n"
    )
    assert _errors(appointments) == [(2, "afdeling")]
    assert appointments.errors[0].reason == (
        "ukendt afdeling 'Vista Balboa': stedet har "
        "unge-og-rusmidler, stabilisering, stoffrihed, heroinklinikken, medicinudlevering"
    )
    prescriptions = read(
        "ordinationer.csv",
        "ordination_id;borger_id;praeparat;dosis_mg;udlevering;gyldig_fra\r\nO1;B1;Kokain;10;FREQ=DAILY;2025-01-01\r\n",
    )
    assert _errors(prescriptions) == [(2, "praeparat")]
    assert prescriptions.errors[0].reason == (
        "ukendt præparat 'Kokain': stedet har metadon, buprenorfin, diacetylmorfin, morfin"
    )


@pytest.mark.parametrize(
    ("cpr", "reason"),
    [
        ("010180-123", "CPR-nummeret skal have 10 cifre: DDMMÅÅ-XXXX"),
        ("010180-12345", "CPR-nummeret skal have 10 cifre: DDMMÅÅ-XXXX"),
        ("0101801A34", "CPR-nummeret må kun have cifre: DDMMÅÅ-XXXX"),
        ("320180-1234", "CPR-nummeret har ingen gyldig fødselsdato (DDMMÅÅ)"),
        ("290223-1234", "CPR-nummeret har ingen gyldig fødselsdato (DDMMÅÅ)"),  # 2023 is not a leap year
        ("010130-4234", "CPR-nummerets fødselsdato ligger i fremtiden"),  # 7th digit 4, year 30: born 2030
    ],
)
def test_bad_cpr(read: Read, cpr: str, reason: str) -> None:
    parsed = read("borgere.csv", f"borger_id;cpr\r\nB1;{cpr}\r\n")
    assert _errors(parsed) == [(2, "cpr")]
    assert parsed.errors[0].reason == reason
    value = parsed.errors[0].value
    assert value is not None and ("*" in value or len(cpr) <= 6)  # masked in reports


def test_cpr_birth_date_is_checked_against_today(read: Read) -> None:
    text = "borger_id;cpr\r\nB1;010125-4321\r\n"  # born 1 January 2025
    assert read("borgere.csv", text, today=date(2025, 1, 1)).ok
    assert not read("borgere.csv", text, today=date(2024, 12, 31)).ok


def test_cpr_without_modulus_11_is_accepted(read: Read) -> None:
    # Numbers after 2007 need not pass the old checksum; this one does not.
    parsed = read("borgere.csv", "borger_id;cpr\r\nB1;0101801235\r\n")
    assert parsed.ok, parsed.errors


def test_same_cpr_twice_is_an_error(read: Read) -> None:
    parsed = read("borgere.csv", "borger_id;cpr\r\nB1;010180-1234\r\nB2;0101801234\r\n")
    assert _errors(parsed) == [(3, "cpr")]
    assert [r.line for r in parsed.rows] == [2]
    assert parsed.errors[0].reason == "CPR-nummeret står også ved borger_id 'B1' på linje 2"
    assert parsed.errors[0].value == "010180****"  # masked


PAIRS = "ikke en gyldig RRULE: skriv NAVN=VÆRDI adskilt af ';', f.eks. FREQ=WEEKLY;BYDAY=MO,TH"


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        ("FREQ=SOMETIMES", "ikke en gyldig RRULE: FREQ kan ikke være 'SOMETIMES'"),
        ("BYDAY=MO", "ikke en gyldig RRULE: FREQ mangler"),
        ("FREQ=WEEKLY;BYDAY=XX", "ikke en gyldig RRULE: BYDAY kan ikke være 'XX'"),
        ("FREQ=DAILY;HVER=1", "ikke en gyldig RRULE: ukendt del 'HVER'"),
        ("FREQ=HOURLY", "udlevering sker på dage: FREQ skal være DAILY, WEEKLY, MONTHLY eller YEARLY"),
        ("FREQ=DAILY;INTERVAL=0", "ikke en gyldig RRULE: INTERVAL skal være 1 eller mere"),
        ("FREQ=DAILY;UNTIL=20251231T235959Z", "UNTIL skal være en dato (UNTIL=20251231), ikke et UTC-tidspunkt"),
        ("RRULE:FREQ=DAILY\nEXDATE:20250101", "skriv kun selve reglen, f.eks. FREQ=WEEKLY;BYDAY=MO,TH"),
        ("hver mandag", PAIRS),
        ("FREQ=DAILY;;BYDAY=MO", PAIRS),
        (";", "tom udleveringsregel: skriv en RRULE, f.eks. FREQ=DAILY"),
    ],
)
def test_bad_rrule_is_refused_with_the_reason(read: Read, rule: str, reason: str) -> None:
    text = (
        f'ordination_id;borger_id;praeparat;dosis_mg;udlevering;gyldig_fra\r\nO1;B1;metadon;10;"{rule}";2025-01-01\r\n'
    )
    parsed = read("ordinationer.csv", text)
    assert _errors(parsed) == [(2, "udlevering")]
    assert parsed.errors[0].reason == reason


@pytest.mark.parametrize(
    ("cells", "column", "reason"),
    [
        ("0;1", "dosis_mg", "dosis skal være mere end 0 mg"),
        ("-5;1", "dosis_mg", "dosis skal være mere end 0 mg"),
        ("1000000;1", "dosis_mg", "dosis for stor (højst 999999,99 mg)"),
        ("1.000;1", "dosis_mg", "mere end 2 decimaler (tusindtalsseparator? skriv 1000, ikke 1.000)"),
        ("12,345;1", "dosis_mg", "mere end 2 decimaler (tusindtalsseparator? skriv 1000, ikke 1.000)"),
        ("ti;1", "dosis_mg", "ikke et tal: skriv f.eks. 12,5 eller 12.5 (uden tusindtalsseparator)"),
        ("10;3", "doser_pr_dag", "doser pr. dag skal være 1 eller 2"),
    ],
)
def test_bad_dose(read: Read, cells: str, column: str, reason: str) -> None:
    text = (
        "ordination_id;borger_id;praeparat;dosis_mg;doser_pr_dag;udlevering;gyldig_fra\r\n"
        f"O1;B1;metadon;{cells};FREQ=DAILY;2025-01-01\r\n"
    )
    parsed = read("ordinationer.csv", text)
    assert _errors(parsed) == [(2, column)]
    assert parsed.errors[0].reason == reason


def test_valid_to_before_valid_from(read: Read) -> None:
    text = (
        "ordination_id;borger_id;praeparat;dosis_mg;udlevering;gyldig_fra;gyldig_til\r\n"
        "O1;B1;metadon;10;FREQ=DAILY;2025-01-02;2025-01-01\r\n"
    )
    parsed = read("ordinationer.csv", text)
    assert _errors(parsed) == [(2, "gyldig_til")]
    assert parsed.errors[0].reason == "gyldig til ligger før gyldig fra (gyldig_fra 2025-01-02)"


def test_duplicate_keys_are_reported_on_every_later_line(read: Read) -> None:
    parsed = read("borgere.csv", "borger_id;fornavn\r\nB1;a\r\nB1;b\r\nB2;c\r\nB1;d\r\n")
    assert _errors(parsed) == [(3, "borger_id"), (5, "borger_id")]
    assert all(e.reason == "står to gange (første gang på linje 2)" for e in parsed.errors)
    assert [r.line for r in parsed.rows] == [2, 4]


def test_too_long_values(read: Read) -> None:
    parsed = read("borgere.csv", f"borger_id;fornavn\r\n{'x' * 65};{'y' * 201}\r\n")
    assert _errors(parsed) == [(2, "borger_id"), (2, "fornavn")]
    assert [e.reason for e in parsed.errors] == ["for lang (højst 64 tegn)", "for lang (højst 200 tegn)"]


def test_unknown_file_prefix(read: Read, tmp_path: Path, site: Site) -> None:
    parsed = read("patienter.csv", CITIZENS)
    assert parsed.kind is None
    assert parsed.errors == [
        RowError("patienter.csv", 0, None, None, parsed.errors[0].reason),
    ]
    assert parsed.errors[0].reason == (
        "ukendt filtype: navnet skal begynde med borgere*, sager*, ordinationer*, aftaler*, lager*"
    )


def test_read_from_bytes_needs_a_name(site: Site) -> None:
    parsed = read_export(CITIZENS.encode(), "Borgere-2025.CSV", site, today=TODAY)
    assert parsed.ok and parsed.kind == "borgere" and parsed.name == "Borgere-2025.CSV"
    with pytest.raises(TypeError):
        read_export(CITIZENS.encode(), None, site)


def test_sha256_of_the_bytes(read: Read) -> None:
    import hashlib

    parsed = read("borgere.csv", CITIZENS)
    assert parsed.sha256 == hashlib.sha256(CITIZENS.encode()).hexdigest()


# --- report --------------------------------------------------------------------------------------


def test_write_report_one_line_per_error(read: Read, tmp_path: Path) -> None:
    text = 'borger_id;cpr;fornavn\r\nB1;320180-1234;a\r\nB1;;"two\nlines"\r\n'
    parsed = read("borgere.csv", text)
    report = write_report(parsed, tmp_path / "borgere.csv.fejl.txt")
    lines = report.read_text(encoding="utf-8").splitlines()
    assert lines == [
        "borgere.csv:2: kolonne 'cpr': CPR-nummeret har ingen gyldig fødselsdato (DDMMÅÅ) (værdi '320180-****')",
        "borgere.csv:3: kolonne 'borger_id': står to gange (første gang på linje 2) (værdi 'B1')",
    ]


def test_report_in_english(read: Read, tmp_path: Path) -> None:
    set_language("en")
    text = 'borger_id;cpr;fornavn\r\nB1;320180-1234;a\r\nB1;;"two\nlines"\r\n'
    parsed = read("borgere.csv", text)
    report = write_report(parsed, tmp_path / "borgere.csv.fejl.txt")
    assert report.read_text(encoding="utf-8").splitlines() == [
        "borgere.csv:2: column 'cpr': CPR number has no valid birth date (DDMMYY) (value '320180-****')",
        "borgere.csv:3: column 'borger_id': duplicate key (first on line 2) (value 'B1')",
    ]


def test_the_language_of_the_moment_words_each_error(read: Read) -> None:
    # Parsing is cached (dates, pickup rules): a cached failure must not keep its first language.
    text = (
        "ordination_id;borger_id;praeparat;dosis_mg;udlevering;gyldig_fra\r\nO1;B1;metadon;10;FREQ=HOURLY;1.13.2025\r\n"
    )
    danish = [e.reason for e in read("ordinationer.csv", text).errors]
    set_language("en")
    english = [e.reason for e in read("ordinationer.csv", text).errors]
    set_language("da")
    assert (
        [e.reason for e in read("ordinationer.csv", text).errors]
        == danish
        == [
            "udlevering sker på dage: FREQ skal være DAILY, WEEKLY, MONTHLY eller YEARLY",
            "datoen findes ikke",
        ]
    )
    assert english == ["pickups are days: FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY", "no such date"]


def test_a_row_error_line_is_worded_when_it_is_written() -> None:
    error = RowError("sager.csv", 3, "afdeling", "kantinen", "ukendt afdeling 'kantinen'")
    assert str(error) == "sager.csv:3: kolonne 'afdeling': ukendt afdeling 'kantinen' (værdi 'kantinen')"
    set_language("en")
    assert str(error) == "sager.csv:3: column 'afdeling': ukendt afdeling 'kantinen' (value 'kantinen')"
    assert str(RowError("sager.csv", 0, None, None, "x")) == "sager.csv: x"


def test_report_of_a_file_error_has_no_line(read: Read, tmp_path: Path) -> None:
    parsed = read("x.csv", CITIZENS)
    lines = write_report(parsed, tmp_path / "r.txt").read_text(encoding="utf-8").splitlines()
    assert lines == ["x.csv: ukendt filtype: navnet skal begynde med borgere*, sager*, ordinationer*, aftaler*, lager*"]


def test_report_keeps_values_on_one_line() -> None:
    error = RowError("f.csv", 4, "fornavn", "a\nb" + "c" * 100, "too long")
    assert str(error).count("\n") == 0
    assert str(error).endswith("…')")


# --- order of files ------------------------------------------------------------------------------


def test_kind_of_and_dependency_order() -> None:
    names = ["aftaler_1.csv", "ordinationer.csv", "Sager_b.csv", "sager_a.csv", "borgere_2.csv",
             "BORGERE_1.csv", "noter.csv"]  # fmt: skip
    assert [kind_of(n) for n in names] == ["aftaler", "ordinationer", "sager", "sager", "borgere", "borgere", None]
    assert sort_exports(names) == [
        "BORGERE_1.csv", "borgere_2.csv", "sager_a.csv", "Sager_b.csv", "ordinationer.csv",
        "aftaler_1.csv", "noter.csv",
    ]  # fmt: skip
    assert KIND_ORDER == ("borgere", "sager", "ordinationer", "aftaler")
    paths = [Path("/in/aftaler.csv"), Path("/in/borgere.csv")]
    assert sorted(paths, key=sort_key) == [Path("/in/borgere.csv"), Path("/in/aftaler.csv")]


def test_bom_then_not_utf8_is_an_error_not_a_guess(read: Read) -> None:
    data = b"\xef\xbb\xbfborger_id;fornavn\r\nB1;S\xf8ren\r\n"
    parsed = read("borgere.csv", data)
    assert _errors(parsed) == [(2, None)]
    assert parsed.errors[0].reason == "begynder med et UTF-8-BOM, men er ikke UTF-8 (byte 0xf8)"


def test_excel_sep_line_for_tab(read: Read) -> None:
    parsed = read("borgere.csv", "sep=\t\r\nborger_id\tfornavn\r\nB1\tIb\r\n")
    assert parsed.ok, parsed.errors
    assert parsed.separator == "\t"


def test_csv_error_is_reported_with_its_line(read: Read) -> None:
    import csv

    limit = csv.field_size_limit()
    text = 'borger_id;fornavn\r\nB1;ok\r\nB2;"' + "x" * (limit + 10) + '"\r\n'
    parsed = read("borgere.csv", text)
    assert [e.line for e in parsed.errors] == [3]
    assert parsed.errors[0].reason == (
        f'kan ikke læses som CSV: en celle er længere end {limit} tegn (mangler et afsluttende "?)'
    )


@given(st.lists(st.sampled_from(["a", ";", '"', "\r", "\n", "\r\n", "\u2028", "\x85", "\x0c", "æ"])).map("".join))
def test_export_lines_are_stringio_lines(text: str) -> None:
    # The reader's lines without StringIO's copy: the same lines, endings kept, for any mix of
    # LF, CRLF, lone CR and the breaks str.splitlines would add (which a CSV line does not end at).
    assert list(export_lines(text)) == list(io.StringIO(text, newline=""))


def test_a_course_shared_with_a_partner_the_site_names(read: Read) -> None:
    """samarbejde: Odense's course with Vista Balboa (000 § 2.1) is read as the site spells the
    partner; a partner the site does not name is an error in its line and column."""
    text = (
        "sag_id;borger_id;afdeling;paragraf;henvendelse;samarbejde\r\n"
        "S1;B1;stabilisering;SUL142;2025-01-10;vista balboa\r\n"
        "S2;B1;stabilisering;SUL142;2025-01-10;\r\n"
        "S3;B1;stabilisering;SUL142;2025-01-10;Psykiatrien\r\n"
    )
    parsed = read("sager.csv", text)
    assert [(r.row.id, r.row.partner) for r in parsed.rows] == [("S1", "Vista Balboa"), ("S2", None)]
    assert _errors(parsed) == [(4, "samarbejde")]
    assert parsed.errors[0].reason == "ukendt samarbejdspartner 'Psykiatrien' (samarbejde): stedet har Vista Balboa"


def test_the_outcome_at_discharge_is_read_and_a_bad_value_named_in_its_line(read: Read) -> None:
    """udfald and maal_opnaaet (DESIGN §1 "Key figures"): optional, Danish letters or ASCII,
    any case; another word is an error in its line and column, naming the words it takes."""
    text = (
        "sag_id;borger_id;afdeling;paragraf;henvendelse;afsluttet;afslutningsstatus;udfald;maal_opnaaet\r\n"
        "S1;B1;stabilisering;SUL142;2025-01-10;2025-06-01;færdigbehandlet;Stoffri;JA\r\n"
        "S2;B1;stabilisering;SUL142;2025-01-10;2025-06-01;udeblevet;uændret;nej\r\n"
        "S3;B1;stabilisering;SUL142;2025-01-10;;;;\r\n"
        "S4;B1;stabilisering;SUL142;2025-01-10;2025-06-01;hospital;bedre;delvist\r\n"
        "S5;B1;stabilisering;SUL142;2025-01-10;2025-06-01;hospital;reduceret;måske\r\n"
    )
    parsed = read("sager.csv", text)
    assert [(r.row.id, r.row.outcome, r.row.goals_reached) for r in parsed.rows] == [
        ("S1", "stoffri", "ja"),
        ("S2", "uaendret", "nej"),
        ("S3", None, None),
    ]
    assert _errors(parsed) == [(5, "udfald"), (6, "maal_opnaaet")]
