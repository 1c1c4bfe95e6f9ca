"""Reading one export file (DESIGN §3) into validated rows and a list of every error.

`read_export(source, name, site)` never raises on bad input: whatever is wrong with the file
ends up in `ParsedFile.errors`, each error with the file name, the physical line (the header is
line 1, blank lines and lines inside quoted fields count), the column as written in the file,
the offending value and the reason. A file is importable when `ParsedFile.ok`.

Decisions, beyond DESIGN §3:
- The encoding is decided for the whole file: UTF-8 (a BOM is dropped) when the bytes decode as
  UTF-8, else Windows-1252. A file that starts with a UTF-8 BOM must be UTF-8 (no fallback).
  A UTF-16 file (Excel's "Unicode text") is refused with a hint.
- The separator (`;`, `,`, tab) is the one that splits the header into the most known column
  names; `;` wins a tie. An Excel `sep=X` first line is honoured.
- Header names are matched after folding case, Danish letters (æ→ae, ø→oe, å→aa), `_`, `-`,
  spaces and a stray BOM: `Præparat`, `PRAEPARAT`, ` praeparat ` and `gyldig-til` all match.
- Unknown columns reject the file (by default), naming them: a misspelt optional column (say
  `overvget`) would otherwise be dropped silently and its default used — for `overvaaget`
  (supervised intake) that is a safety matter. `unknown_columns="ignore"` skips them instead.
  A column named twice is always an error. Header cells left empty (a trailing separator) are
  ignored, but a value under one is an error.
- Blank lines (also `;;;;`) are skipped wherever they are; leading blank lines before the header
  too. A row with fewer cells than the header, or with non-empty extra cells, is an error.
- Cells are stripped; an empty cell is "not given": optional columns take their default, a
  required column reports "required value is empty".
- Duplicate keys are reported on every later line, naming the first; so is a CPR number used by
  two citizens (the store keeps CPR unique). References between files (a case's borger_id) are
  not checked here: that needs the database.
- CPR values are masked in error values (`010180-****`): reports are files that get mailed.
- Line 0 in an error means the file as a whole (its name, its encoding, no header at all).
- `rows` holds every row without an error of its own (a row is in `rows` or has errors, never
  both), even when other rows fail: the caller rejects the file as a whole.
- Speed: one `RowContext` (look-up dicts) per file; rows checked a batch at a time by column
  (`skranke.sync.columns`: each distinct cell of a column parsed once by the model's own parser),
  a row with any problem by its model, whose errors are reported; the cyclic garbage collector
  paused while rows are built.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path, PurePath
from typing import Any, Literal, NamedTuple, TypeVar

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from skranke.collector import collector_paused
from skranke.domain.site import Site
from skranke.i18n import _, ngettext
from skranke.sync.columns import FileMemo, validate_batch
from skranke.sync.rows import (
    COLUMNS,
    FILE_KINDS,
    HEADER_KEYS,
    MODELS,
    ROW_VALUES,
    ExportRow,
    RowContext,
    header_key,
    mask_cpr,
)

# Records checked by column at a time: large enough that each distinct cell of a batch is parsed
# once, small enough that a batch's cells and columns stay a few MB.
BATCH = 4096

SEPARATORS = (";", ",", "\t")
_Name = TypeVar("_Name", str, Path, PurePath)


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in a file. `line` 0: the file as a whole; `column` None: the whole row.

    `reason` is already in the user's language (worded when the error was found); `str()`
    words the rest of the line in the language of the moment.
    """

    file: str
    line: int
    column: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        """`file:line: column 'x': reason (value 'y')`, the line and column words translated."""
        text = f"{self.file}:{self.line}:" if self.line else f"{self.file}:"
        if self.column is not None:
            text += " " + _("column '{column}'").format(column=self.column) + ":"
        text += " " + self.reason
        if self.value:
            text += " " + _("(value '{value}')").format(value=_shorten(self.value))
        return text


def _shorten(value: str, limit: int = 80) -> str:
    text = value.replace("\r", "\\r").replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ParsedRow(NamedTuple):
    line: int  # physical line where the row starts
    # The row's validated values: a named tuple of its kind's model fields (ROW_VALUES), read by
    # the model's attribute names (row.id, row.citizen_id); `ParsedFile.models` gives models.
    row: Any


@dataclass(slots=True)
class ParsedFile:
    name: str
    kind: str | None  # None: the name has no known prefix
    encoding: str | None = None  # "utf-8", "utf-8-sig" or "cp1252"
    separator: str | None = None
    sha256: str = ""
    columns: tuple[str, ...] = ()  # the header cells as written
    rows: list[ParsedRow] = field(default_factory=list)  # the rows without errors
    errors: list[RowError] = field(default_factory=list)  # all errors, in line order

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def models(self) -> list[ExportRow]:
        """The rows as their kind's models (built anew: the rows themselves are kept as tuples)."""
        if self.kind is None:
            return []
        model = MODELS[self.kind]
        return [model.model_construct(**parsed.row._asdict()) for parsed in self.rows]


# --- file names --------------------------------------------------------------------------


def kind_of(name: str | os.PathLike[str]) -> str | None:
    """`borgere_2025-03-01.csv` → "borgere"; None when the name has no known prefix."""
    base = PurePath(name).name.lower()
    for kind in FILE_KINDS:
        if base.startswith(kind):
            return kind
    return None


def sort_key(name: str | os.PathLike[str]) -> tuple[int, str, str]:
    """Dependency order: borgere, sager, ordinationer, aftaler, lager, then by name; unknown last."""
    base = PurePath(name).name
    kind = kind_of(base)
    rank = FILE_KINDS.index(kind) if kind else len(FILE_KINDS)
    return rank, base.casefold(), base


def sort_exports(names: Iterable[_Name]) -> list[_Name]:
    """The names (or paths) in the order a sync takes them."""
    return sorted(names, key=sort_key)


# --- reading -----------------------------------------------------------------------------


def decode_export(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (BOM dropped) if the whole file decodes, else Windows-1252.

    Raises UnicodeDecodeError for UTF-16 and for bytes Windows-1252 leaves undefined.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnicodeDecodeError("utf-16", data, 0, 2, "UTF-16 is not supported")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"  # a BOM promises UTF-8: no fallback
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252"), "cp1252"


def sniff_separator(header_line: str, kind: str) -> str:
    """The separator that splits the header into the most known column names (`;` on a tie)."""
    known = HEADER_KEYS[kind]
    best, best_count = SEPARATORS[0], -1
    for separator in SEPARATORS:
        cells = next(csv.reader([header_line], delimiter=separator), [])
        count = sum(header_key(cell) in known for cell in cells)
        if count > best_count:
            best, best_count = separator, count
    return best


def read_export(
    source: str | os.PathLike[str] | bytes,
    name: str | None,
    site: Site | RowContext,
    *,
    today: date | None = None,
    unknown_columns: Literal["reject", "ignore"] = "reject",
) -> ParsedFile:
    """Read and validate one export file; every problem is in the result's `errors`.

    `source` is a path or the file's bytes; `name` is the file name used for the kind and in
    errors (default: the path's name). `site` gives the departments and preparations (a
    prepared `RowContext` also works). `today` is the date CPR birth dates must not be after
    (default: the system date, which is what stdnum uses).
    """
    if isinstance(source, bytes):
        if name is None:
            raise TypeError("read_export(bytes, name=None): give the file name")
        data = source
    else:
        path = Path(source)
        name = name if name is not None else path.name
        data = path.read_bytes()

    parsed = ParsedFile(name=name, kind=kind_of(name), sha256=hashlib.sha256(data).hexdigest())
    if parsed.kind is None:
        prefixes = ", ".join(f"{k}*" for k in FILE_KINDS)
        reason = _("unknown kind of file: the name must start with {prefixes}").format(prefixes=prefixes)
        parsed.errors.append(RowError(name, 0, None, None, reason))
        return parsed

    try:
        text, parsed.encoding = decode_export(data)
    except UnicodeDecodeError as error:
        if error.encoding == "utf-16":
            line = 0
            reason = _("UTF-16 files are not supported: save as CSV (UTF-8) or CSV (semikolonsepareret)")
        elif error.encoding == "utf-8":  # after a BOM: offsets count from after it
            start = error.start + 3
            line = data.count(b"\n", 0, start) + 1
            reason = _("starts with a UTF-8 BOM but is not UTF-8 (byte {byte})").format(byte=f"0x{data[start]:02x}")
        else:
            line = data.count(b"\n", 0, error.start) + 1
            reason = _("neither UTF-8 nor Windows-1252 (byte {byte})").format(byte=f"0x{data[error.start]:02x}")
        parsed.errors.append(RowError(name, line, None, None, reason))
        return parsed

    # The CPR check's "today", read once per file when not given (stdnum would read it per row).
    if isinstance(site, RowContext):
        today = today or site.today or date.today()
        context = site if site.today == today else replace(site, today=today)
    else:
        context = RowContext.for_site(site, today or date.today())
    with collector_paused():
        _read_rows(parsed, text, context, unknown_columns)
    return parsed


def export_lines(text: str) -> Iterator[str]:
    """The lines of `text` with their endings, as `io.StringIO(text, newline="")` gives them (a
    line ends at LF, CRLF or a lone CR), one at a time: StringIO keeps its own copy of the text
    at four bytes a character (16 MB for a 4 MB export, while its rows are built)."""
    if text.count("\r") != text.count("\r\n"):  # a lone CR ends a line too (old Mac files)
        yield from io.StringIO(text, newline="")
        return
    start = 0
    while (end := text.find("\n", start)) >= 0:
        yield text[start : end + 1]
        start = end + 1
    if start < len(text):
        yield text[start:]


def _read_rows(parsed: ParsedFile, text: str, context: RowContext, unknown_columns: str) -> None:
    name, kind = parsed.name, parsed.kind
    assert kind is not None
    errors = parsed.errors
    stream = export_lines(text)

    # The header: the first non-blank line; an Excel "sep=;" line before it sets the separator.
    header_line_no, header_line, separator = 0, "", None
    for raw in stream:
        header_line_no += 1
        if not raw.strip():
            continue
        line_text = raw.rstrip("\r\n")
        if separator is None and line_text.lower().startswith("sep=") and len(line_text) == 5:
            separator = line_text[4]
            if separator not in SEPARATORS:
                reason = _("unsupported separator: use semicolon, comma or tab")
                errors.append(RowError(name, header_line_no, None, line_text, reason))
                return
            continue
        header_line = raw
        break
    if not header_line:
        errors.append(RowError(name, 0, None, None, _("the file is empty: no header line")))
        return
    if separator is None:
        separator = sniff_separator(header_line, kind)
    parsed.separator = separator

    header = next(csv.reader([header_line], delimiter=separator))
    parsed.columns = tuple(cell.strip() for cell in header)
    known = HEADER_KEYS[kind]
    fields: list[str | None] = []  # per position: the model field, or None (ignored)
    column_of: dict[str, tuple[int, str]] = {}  # field -> (position, header as written)
    unknown: list[str] = []
    for position, cell in enumerate(parsed.columns):
        column = known.get(header_key(cell)) if cell else None
        if column is None:
            if cell:
                unknown.append(cell)
            fields.append(None)
            continue
        if column.field in column_of:
            first = column_of[column.field][1]
            reason = _("column given twice (also as '{first}')").format(first=first)
            errors.append(RowError(name, header_line_no, cell, None, reason))
        column_of[column.field] = (position, cell)
        fields.append(column.field)
    if unknown and unknown_columns == "reject":
        reason = ngettext(
            "unknown column for {kind} ({separated}); the columns are: {expected}",
            "unknown columns for {kind} ({separated}); the columns are: {expected}",
            len(unknown),
        ).format(
            kind=kind,
            separated=_separated(separator),
            expected=", ".join(c.name for c in COLUMNS[kind]),
        )
        errors.append(RowError(name, header_line_no, ", ".join(unknown), None, reason))
    for column in COLUMNS[kind]:
        if column.required and column.field not in column_of:
            errors.append(RowError(name, header_line_no, column.name, None, _("required column is missing")))
    if errors:
        return

    validate = MODELS[kind].__pydantic_validator__.validate_python
    width = len(fields)
    key_header = column_of["id"][1]
    seen_keys: dict[str, int] = {}
    seen_cprs: dict[str, int] = {}  # CPR number -> the row's place in `rows`
    # A row is kept as a named tuple of its model's fields in the model's order: the order of the
    # columns checked by column, and of a model's __dict__ (tests/sync/test_columns.py compares
    # the two paths value by value).
    as_values = ROW_VALUES[kind]._make  # type: ignore[attr-defined]
    is_citizen = kind == "borgere"
    cpr_at = ROW_VALUES[kind]._fields.index("cpr") if is_citizen else -1  # type: ignore[attr-defined]
    unnamed_positions = [i for i, f in enumerate(fields) if f is None and not parsed.columns[i]]
    rows = parsed.rows
    # Pairs of (field, position) for the cells that feed the model.
    used = [(f, i) for i, f in enumerate(fields) if f is not None]
    memo = FileMemo()
    # Records waiting to be checked by column, with the physical line each starts on.
    batch: list[list[str]] = []
    batch_lines: list[int] = []
    # Lines of the batch already reported (a value under an unnamed column): checked, never kept.
    reported: set[int] = set()

    def check_batch() -> None:
        """The waiting records by column; a row with any problem by its model (its errors)."""
        if not batch:
            return
        checked = validate_batch(kind, used, batch, context, memo)
        if not checked.needs_model and not reported and _all_new(checked.keys, seen_keys):
            cprs = [row[cpr_at] for row in checked.values] if is_citizen else []
            if not is_citizen or _all_new([c for c in cprs if c is not None], seen_cprs):
                # The common batch: every row good and new, taken whole.
                first = len(rows)
                seen_keys.update(zip(checked.keys, batch_lines))
                seen_cprs.update((cpr, first + i) for i, cpr in enumerate(cprs) if cpr is not None)
                rows.extend(map(ParsedRow, batch_lines, map(as_values, checked.values)))
                batch.clear()
                batch_lines.clear()
                return
        for index, (start, record) in enumerate(zip(batch_lines, batch)):
            by_model = index in checked.needs_model
            if by_model:
                values = {f: s for f, i in used if (s := record[i].strip())}
                if not values:
                    continue  # only separators, or only ignored columns: a blank line
            key = checked.keys[index]
            duplicate = start in reported  # checked for its other errors, but not kept
            if key:
                first_line = seen_keys.get(key)
                if first_line is not None:
                    duplicate = True
                    reason = _("duplicate key (first on line {line})").format(line=first_line)
                    errors.append(RowError(name, start, key_header, key, reason))
                else:
                    seen_keys[key] = start
            if by_model:
                try:
                    row = as_values(validate(values, context=context).__dict__.values())
                except ValidationError as error:
                    for item in error.errors(include_url=False):
                        errors.append(_row_error(name, start, item, column_of, record, kind))
                    continue
            else:
                row = as_values(checked.values[index])
            if is_citizen and row.cpr is not None:
                at = seen_cprs.get(row.cpr)
                if at is not None:
                    duplicate = True
                    other = rows[at]
                    reason = _("CPR number also given for borger_id '{citizen}' on line {line}").format(
                        citizen=other.row.id, line=other.line
                    )
                    errors.append(RowError(name, start, column_of["cpr"][1], mask_cpr(row.cpr), reason))
                elif not duplicate:
                    seen_cprs[row.cpr] = len(rows)  # where the row goes, just below
            if not duplicate:
                rows.append(ParsedRow(start, row))
        batch.clear()
        batch_lines.clear()
        reported.clear()

    reader = csv.reader(stream, delimiter=separator)
    line = header_line_no  # physical lines consumed so far
    try:
        for record in reader:
            start = line + 1
            line = header_line_no + reader.line_num
            if len(record) != width:
                if not any(cell.strip() for cell in record):
                    continue  # blank line
                if len(record) < width or any(c.strip() for c in record[width:]):
                    reason = _("the row has {cells} cells, the header {header}").format(cells=len(record), header=width)
                    check_batch()  # the errors stay in line order
                    errors.append(RowError(name, start, None, None, reason))
                    continue
                record = record[:width]
            if unnamed_positions and any(record[i].strip() for i in unnamed_positions):
                check_batch()
                for i in unnamed_positions:
                    if record[i].strip():
                        reason = _("a value under a column without a name")
                        errors.append(RowError(name, start, f"#{i + 1}", record[i].strip(), reason))
                reported.add(start)
            batch.append(record)
            batch_lines.append(start)
            if len(batch) >= BATCH:
                check_batch()
        check_batch()
    except csv.Error as error:
        check_batch()
        errors.append(RowError(name, header_line_no + reader.line_num, None, None, _csv_reason(error)))


def _all_new(keys: list[str], seen: dict[str, int]) -> bool:
    """No key twice among `keys`, none of them seen before."""
    return len(set(keys)) == len(keys) and seen.keys().isdisjoint(keys)


def _separated(separator: str) -> str:
    if separator == ";":
        return _("semicolon-separated")
    if separator == ",":
        return _("comma-separated")
    return _("tab-separated")


def _csv_reason(error: csv.Error) -> str:
    text = str(error)
    if text.startswith("field larger than field limit"):
        return _('not readable as CSV: a cell is longer than {limit} characters (a quote " not closed?)').format(
            limit=csv.field_size_limit()
        )
    return _("not readable as CSV: {error}").format(error=text)


def _pydantic_reason(item: ErrorDetails) -> str:
    """Pydantic's own errors, by type, in the user's language (ours, type "skranke", already are).

    The reader gives the models only non-empty, stripped text cells of known columns, so a
    required column left empty ("missing") and the length limits are the pydantic errors that
    can occur. Any other type would keep pydantic's English message.
    """
    kind = item["type"]
    if kind == "skranke":
        return item["msg"]
    if kind in ("missing", "string_too_short"):
        return _("required value is empty")
    if kind == "string_too_long":
        return _("too long (at most {max_length} characters)").format(max_length=item["ctx"]["max_length"])
    return item["msg"]


def _row_error(
    name: str,
    line: int,
    item: ErrorDetails,
    column_of: dict[str, tuple[int, str]],
    record: list[str],
    kind: str,
) -> RowError:
    loc = item.get("loc") or ()
    field_name = loc[0] if loc and isinstance(loc[0], str) else None
    column: str | None = None
    value: str | None = None
    if field_name is not None:
        if field_name in column_of:
            position, column = column_of[field_name]
            value = record[position].strip()
        else:
            column = next((c.name for c in COLUMNS[kind] if c.field == field_name), field_name)
    reason = _pydantic_reason(item)
    if field_name == "cpr" and value:
        value = mask_cpr(value)
    return RowError(name, line, column, value, reason)


def write_report(parsed: ParsedFile, path: str | os.PathLike[str]) -> Path:
    """A plain-text report, one line per error: `file:line: column 'x': reason (value 'y')`."""
    target = Path(path)
    with target.open("w", encoding="utf-8", newline="\n") as out:
        for error in parsed.errors:
            out.write(f"{error}\n")
    return target
