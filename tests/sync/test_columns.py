"""The reader checks rows by column (skranke.sync.columns) and leaves a row with any problem to
its model: it must read every file exactly as the models alone would, row for row and error for
error. The reference here is the same reader with every row given to its model."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from functools import cache
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skranke.sites import load_site
from skranke.sync import reader
from skranke.sync.columns import ColumnBatch, FileMemo
from skranke.sync.reader import RowError, read_export
from skranke.sync.rows import COLUMNS, MODELS, RowContext

SITE = load_site("odense")
TODAY = date(2025, 6, 1)

# Per column: cells its model takes (with the forms and borders it allows), and cells it refuses.
_GOOD_DATES = ("2025-01-02", "2.1.2025", "02-01-2025", "31.12.2024", " 2025-01-03 ", "29.02.2024", "2024-05-09")
_BAD_DATES = ("2025-02-30", "2025/01/02", "1.13.2025", "0001-01-01x", "29.02.2025")
_GOOD_BOOLS = ("ja", "Nej", "J", "n", "1", "0", "true", "FALSE", "yes", "no", "sand", "falsk", " ja ")
_GOOD_TEXTS = ("Anna", "  Bo  ", "Ærø Åse", "", "x" * 200, 'a "quoted"; value', "two\nlines")
_GOOD_KEYS = ("A1", "A2", " A3 ", "b-4", "x" * 64)
_BAD_KEYS = ("", "   ", "x" * 65)
_GOOD: dict[str, tuple[str, ...]] = {
    "id": _GOOD_KEYS,
    "citizen_id": _GOOD_KEYS,
    "cpr": ("010180-1234", "0101801234", " 010180-1234 ", "010190-4234", "311299-9999", "290200-4000", "",
            "010625-4000", "010180 1234", "010538-4000"),
    "first_name": _GOOD_TEXTS,
    "last_name": _GOOD_TEXTS,
    "alias": _GOOD_TEXTS,
    "phone": ("12345678", "+45 40 28 10 83", "1" * 40, ""),
    "department": ("stabilisering", "Heroinklinikken", "unge og rusmidler", "UNGE_OG_RUSMIDLER"),
    "paragraph": ("SEL101", "sel § 101 a", "SUL-142", "SUL141"),
    "contact_date": _GOOD_DATES,
    "treatment_start": (*_GOOD_DATES, ""),
    "free_choice": (*_GOOD_BOOLS, ""),
    "closed_on": (*_GOOD_DATES, "", "", ""),
    "closing_status": ("færdigbehandlet", "andet_tilbud", "udskrevet til hospital", "EGET ØNSKE", "", "", ""),
    "plan_reviewed_on": (*_GOOD_DATES, ""),
    "follow_up_consent": (*_GOOD_BOOLS, ""),
    "plan_interval_months": ("3", " 6 ", "24", "1", ""),
    "medical_reviewed_on": (*_GOOD_DATES, ""),
    "personal_attendance_on": (*_GOOD_DATES, "", ""),
    "outcome": ("stoffri", "Reduceret", "uændret", "UAENDRET", "", ""),
    "goals_reached": ("ja", "Delvist", "NEJ", "j", "", ""),
    "partner": ("Vista Balboa", "vista balboa", " VISTA-BALBOA ", "", ""),
    "preparation": ("metadon", "Buprenorfin", "diacetylmorfin", "Diacetylmorfin (heroin)", "MORFIN"),
    "dose_mg": ("10", "10,5", "10.55", "999999,99", " 5 ", "+3", "0,01", "12.50"),
    "doses_per_day": ("1", "2", "", " 2 "),
    "pickup_rule": ("FREQ=DAILY", "RRULE:FREQ=DAILY", "freq=daily;", "FREQ=WEEKLY;BYDAY=MO,TH",
                    "FREQ=DAILY;UNTIL=20251231", "FREQ=DAILY;INTERVAL=2"),
    "supervised": (*_GOOD_BOOLS, ""),
    "valid_from": _GOOD_DATES,
    "valid_to": (*_GOOD_DATES, "", ""),
    "prescribed_by": _GOOD_TEXTS,
    "delivery": (*_GOOD_BOOLS, "", ""),
    "last_dispensed_on": (*_GOOD_DATES, ""),
    "approved_on": (*_GOOD_DATES, "", ""),
    "starts_at": ("2025-03-01 08:15", "01.03.2025 08.15", "2025-10-26 02:30", "2025-03-01T08:15:00Z",
                  "2025-03-01T08:15+01:00", "2025-03-01 8:15:59", "2025-03-30T02:30+01:00"),
    "kind": ("visitation", "Læge", "laege", "SAMTALE", ""),
    "clinician": _GOOD_TEXTS,
    "strength": ("1 mg/ml", "", " 8 mg ", "x" * 64),
    "mg": ("1000", "224,5", "0,01", "999999,99", " 5 "),
    "lot": ("L-77", "", "x" * 100),
    "supplier": _GOOD_TEXTS,
    "invoice": ("F-9", "", "x" * 100),
    "received_on": (*_GOOD_DATES, ""),
}  # fmt: skip
_BAD: dict[str, tuple[str, ...]] = {
    "id": _BAD_KEYS,
    "citizen_id": _BAD_KEYS,
    "cpr": ("010130-4000", "320180-1234", "01018-01234", "abc", "290201-4000", "020625-4000", "０１０１８０１２３４"),
    "first_name": ("y" * 201,),
    "last_name": ("y" * 201,),
    "alias": ("y" * 201,),
    "phone": ("1" * 41,),
    "department": ("ukendt", ""),
    "paragraph": ("101", "", "SEL 102"),
    "contact_date": (*_BAD_DATES, ""),
    "treatment_start": _BAD_DATES,
    "free_choice": ("måske",),
    "closed_on": _BAD_DATES,
    "closing_status": ("ukendt",),
    "plan_reviewed_on": _BAD_DATES,
    "follow_up_consent": ("måske",),
    "plan_interval_months": ("0", "25", "3.5", "-1", "seks"),
    "medical_reviewed_on": _BAD_DATES,
    "personal_attendance_on": _BAD_DATES,
    "partner": ("Vista", "Vista Balboa 2", "Heroinklinikken"),
    "outcome": ("bedre", "stof fri x", "0"),
    "goals_reached": ("måske", "1", "delvis"),
    "preparation": ("aspirin", ""),
    "dose_mg": ("10.555", "0", "-1", "1000000", "1.000", "abc", ""),
    "doses_per_day": ("3", "1.0"),
    "pickup_rule": ("FREQ=HOURLY", "nonsense", "", "FREQ=DAILY;UNTIL=20251231T000000Z"),
    "supervised": ("måske",),
    "valid_from": (*_BAD_DATES, ""),
    "valid_to": _BAD_DATES,
    "prescribed_by": ("y" * 201,),
    "delivery": ("måske",),
    "last_dispensed_on": _BAD_DATES,
    "approved_on": _BAD_DATES,
    "starts_at": ("2025-03-30 02:30", "2025-03-01", "bad", "", "2025-03-01 25:00", "2025-03-01T08:15+24:00"),
    "kind": ("x",),
    "clinician": ("y" * 201,),
    "strength": ("y" * 65,),
    "mg": ("10.555", "0", "-1", "1000000", "abc", ""),
    "lot": ("y" * 101,),
    "supplier": ("y" * 201,),
    "invoice": ("y" * 101,),
    "received_on": _BAD_DATES,
}


@cache  # one strategy a column: made anew for every cell, making them cost more than drawing
def _cell(field: str) -> st.SearchStrategy[str]:
    """Mostly a good cell, so that whole rows are good and the cross-field checks are reached."""
    bad = st.sampled_from(_BAD[field]) | st.text("aA1 -.:;æ", max_size=6)
    good = st.sampled_from(_GOOD[field])
    return st.integers(0, 7).flatmap(lambda n: bad if n == 0 else good)


@st.composite
def export_files(draw: st.DrawFn) -> tuple[str, bytes]:
    """A file of one kind whose every cell is drawn from values good, bad and borderline for its
    column (or any short text), with some optional columns left out and some blank lines."""
    kind = draw(st.sampled_from(list(COLUMNS)))
    chosen = [c for c in COLUMNS[kind] if c.required or draw(st.booleans())]
    chosen = draw(st.permutations(chosen))
    lines: list[str | list[str]] = []  # a str stands for a blank line
    for _ in range(draw(st.integers(1, 25))):
        if draw(st.integers(0, 9)) == 0:
            lines.append(draw(st.sampled_from(["", "   "])) * len(chosen))
            continue
        lines.append([draw(_cell(c.field)) for c in chosen])
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.name for c in chosen])
    for line in lines:
        if isinstance(line, str):
            out.write(";".join([line] * len(chosen)) + "\r\n")
        else:
            writer.writerow(line)
    return f"{kind}.csv", out.getvalue().encode("utf-8")


def _by_model_only(
    kind: str,
    used: Sequence[tuple[str, int]],
    records: Sequence[Sequence[str]],
    context: RowContext,
    memo: FileMemo,
) -> ColumnBatch:
    """Every record to its model: the reader as it was before it checked by column."""
    key = dict(used)["id"]
    return ColumnBatch([record[key].strip() for record in records], [], set(range(len(records))))


# (line, [(type, repr) of each value]) of each row read
Rows = list[tuple[int, list[tuple[type, str]]]]


def _read(name: str, data: bytes) -> tuple[Rows, list[RowError]]:
    parsed = read_export(data, name, SITE, today=TODAY)
    # Values compared with their types and exact forms (Decimal("5") is not Decimal("5.00")).
    rows = [(row.line, [(type(value), repr(value)) for value in row.row]) for row in parsed.rows]
    return rows, parsed.errors


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(file=export_files(), batch=st.sampled_from([1, 2, 3, 4096]))
def test_reading_by_column_gives_what_the_models_give(file: tuple[str, bytes], batch: int) -> None:
    name, data = file
    with mock.patch.object(reader, "BATCH", batch):
        by_column = _read(name, data)
    with mock.patch.object(reader, "validate_batch", _by_model_only):
        by_model = _read(name, data)
    assert by_column == by_model


class _RefusingModel:
    class __pydantic_validator__:
        @staticmethod
        def validate_python(*_args: object, **_kwargs: object) -> None:
            raise AssertionError("a good row went to the per-row model")


def test_a_file_of_good_rows_is_read_by_column_alone() -> None:
    """The point of it: good rows never reach the per-row model."""
    data = (
        "sag_id;borger_id;afdeling;paragraf;henvendelse;behandlingsstart;frit_valg;afsluttet;afslutningsstatus\r\n"
        "S1;B1;stabilisering;SEL101;2025-01-02;2025-01-10;ja;;\r\n"
        "S2;B2;Heroinklinikken;SUL142;02.01.2025;;nej;2025-03-01;færdigbehandlet\r\n"
    ).encode()
    with mock.patch.dict(MODELS, {"sager": _RefusingModel}):  # the reader's own dict, changed in place
        parsed = read_export(data, "sager.csv", SITE, today=TODAY)
    assert parsed.ok
    assert [row.row.id for row in parsed.rows] == ["S1", "S2"]


@pytest.mark.parametrize(
    ("cells", "column"),
    [
        ("S1;B1;stabilisering;SEL101;2025-01-10;2025-01-02;;", "behandlingsstart"),  # starts before the request
        ("S1;B1;stabilisering;SEL101;2025-01-10;;2025-02-01;", "afslutningsstatus"),  # closed, no status
        ("S1;B1;stabilisering;SEL101;2025-01-10;;;udeblevet", "afslutningsstatus"),  # status, not closed
    ],
)
def test_a_row_failing_a_cross_field_check_gets_the_models_error(cells: str, column: str) -> None:
    data = f"sag_id;borger_id;afdeling;paragraf;henvendelse;behandlingsstart;afsluttet;afslutningsstatus\r\n{cells}\r\n"
    parsed = read_export(data.encode(), "sager.csv", SITE, today=TODAY)
    assert [(e.line, e.column) for e in parsed.errors] == [(2, column)]
    assert parsed.rows == []


@pytest.mark.parametrize("batch", [1, 2, 4096])
def test_errors_stay_in_line_order_across_batches(batch: int) -> None:
    """A row of the wrong width is reported as it is read, the checked rows' errors a batch at a
    time: the waiting batch is checked first, so the report still reads top to bottom."""
    data = (
        b"borger_id;cpr;fornavn;\r\n"
        b"B1;320180-1234;Anna;\r\n"  # line 2: no such birth date
        b"B2;010180-1234;Bo;\r\n"
        b"B3;;Carl\r\n"  # line 4: too few cells
        b"B4;;Dan;x\r\n"  # line 5: a value under the unnamed column
        b"B2;;Eva;\r\n"  # line 6: B2 again
    )
    with mock.patch.object(reader, "BATCH", batch):
        parsed = read_export(data, "borgere.csv", SITE, today=TODAY)
    assert [(e.line, e.column) for e in parsed.errors] == [(2, "cpr"), (4, None), (5, "#4"), (6, "borger_id")]
    assert [row.row.id for row in parsed.rows] == ["B2"]  # a row is read or reported, never both
