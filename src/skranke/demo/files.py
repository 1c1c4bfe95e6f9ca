"""The synthetic export files' format: the inbox contract of DESIGN §3, as a journal writes it.

The files follow the contract the way a Danish journal system and Excel write them: `;`
separated, UTF-8 with BOM, CRLF line ends, dates `DD-MM-YYYY`, times `DD-MM-YYYY HH:MM`
(Copenhagen time), decimals with a comma, booleans `ja`/`nej`.

The columns are the importer's (`skranke.sync.rows.COLUMNS`: name, field, order), so a column
added there is written here too: a row is given as cells by field name, and `file_row` puts
them in the file's order, empty where a generator has nothing to say.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from skranke.sync.rows import COLUMNS, KIND_ORDER, Column

__all__ = [
    "DELIMITER",
    "ENCODING",
    "FIELDS",
    "HEADERS",
    "KINDS",
    "LINE_END",
    "file_row",
    "format_bool",
    "format_date",
    "format_datetime",
    "format_decimal",
    "write_csv",
]

KINDS: tuple[str, ...] = KIND_ORDER  # dependency order

# Columns the synthetic files leave out. No demo order needs a visitation committee's approval
# (`udlevering_godkendt`, Gladsaxe 003 § 3.2.1), and the files were written without it before
# their columns were taken from the importer's: leaving it out keeps the demo's files as they were.
LEFT_OUT: dict[str, frozenset[str]] = {"ordinationer": frozenset({"approved_on"})}

FILE_COLUMNS: dict[str, tuple[Column, ...]] = {
    kind: tuple(c for c in COLUMNS[kind] if c.field not in LEFT_OUT.get(kind, frozenset())) for kind in KINDS
}
HEADERS: dict[str, tuple[str, ...]] = {kind: tuple(c.name for c in columns) for kind, columns in FILE_COLUMNS.items()}
FIELDS: dict[str, tuple[str, ...]] = {kind: tuple(c.field for c in columns) for kind, columns in FILE_COLUMNS.items()}
_FIELD_SETS: dict[str, frozenset[str]] = {kind: frozenset(fields) for kind, fields in FIELDS.items()}

DELIMITER = ";"
ENCODING = "utf-8-sig"  # UTF-8 with BOM, as Excel writes "CSV UTF-8"
LINE_END = "\r\n"


def file_row(kind: str, cells: Mapping[str, str]) -> list[str]:
    """Cells by field name (`CaseRow.contact_date` …) in the file's column order, "" where absent.

    A field the file has no column for is a mistake in the generator, not an empty cell.
    """
    unknown = cells.keys() - _FIELD_SETS[kind]
    if unknown:
        raise ValueError(f"no column in {kind} for {sorted(unknown)}")
    return [cells.get(name, "") for name in FIELDS[kind]]


def format_date(value: date | None) -> str:
    return "" if value is None else f"{value.day:02d}-{value.month:02d}-{value.year:04d}"


def format_datetime(value: datetime) -> str:
    return f"{value.day:02d}-{value.month:02d}-{value.year:04d} {value.hour:02d}:{value.minute:02d}"


def format_bool(value: bool) -> str:
    return "ja" if value else "nej"


def format_decimal(value: Decimal) -> str:
    """80 → "80", 72.5 → "72,5": a comma, and no decimals when there are none."""
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def write_csv(path: Path, kind: str, rows: Iterable[Sequence[str]]) -> int:
    """Write one export file atomically (temporary name, then rename); return the row count.

    The temporary name starts with a dot and does not end in .csv, so a sync watching the
    folder never picks up a half-written file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    count = 0
    try:
        with partial.open("w", encoding=ENCODING, newline="") as handle:
            writer = csv.writer(handle, delimiter=DELIMITER, lineterminator=LINE_END)
            writer.writerow(HEADERS[kind])
            for row in rows:
                writer.writerow(row)
                count += 1
        os.replace(partial, path)
    finally:
        if partial.exists():
            partial.unlink()
    return count
