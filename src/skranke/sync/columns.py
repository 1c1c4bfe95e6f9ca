"""Validating an export's rows a column at a time, with the row models as the authority.

The models of `skranke.sync.rows` check one row at a time: pydantic and the parsers it calls
cost ~5 µs a row, most of a bulk import's reading. An export repeats few distinct values in most
columns (a few thousand dates, the site's departments, two booleans), so here each distinct cell
of such a column is parsed once, by the very parser the model calls; the columns of unique
values (keys, names, CPR numbers) get the model's plain checks; then the models' cross-field
checks run on the parsed columns.

A row is taken from here only when every cell parsed and every check passed. Any row with a
problem (an empty required cell, a value a parser refuses, a failed cross-field check) is left
to its model (`ColumnBatch.needs_model`), so its errors are the model's own words on the model's
own columns. `tests/sync/test_columns.py` holds the two to the same values, row by row, on
generated files of good and bad cells.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import repeat
from typing import Any

from pydantic_core import PydanticCustomError, PydanticUndefined

from skranke.domain.dispensing import is_daily_rule
from skranke.sync.rows import (
    MODELS,
    RowContext,
    common_cpr_digits,
    cpr_birth_date,
    department_id,
    parse_amount,
    parse_appointment_kind,
    parse_bool,
    parse_closing_status,
    parse_date,
    parse_datetime,
    parse_dose,
    parse_doses_per_day,
    parse_goals_reached,
    parse_outcome,
    parse_paragraph,
    parse_pickup_rule,
    parse_plan_interval,
    partner_name,
    preparation_id,
)

# A cell the fast path leaves to the model: refused by its parser, or empty where required.
_NEEDS_MODEL = object()


@dataclass(frozen=True, slots=True)
class _Repeating:
    """A column of repeated values: each distinct cell parsed once by `parse(text, context)`."""

    parse: Callable[[str, RowContext], Any]


@dataclass(frozen=True, slots=True)
class _Text:
    """A column of text kept as written (stripped), at most `max_length` characters."""

    max_length: int


class _Cpr:
    """The CPR column: 10 digits with or without the dash, a birth date not after today."""


_KEY = _Text(64)  # the models' `Key`; its minimum of one character is the required check
_NAME = _Text(200)
_DATE = _Repeating(lambda text, _context: parse_date(text))
_BOOL = _Repeating(lambda text, _context: parse_bool(text))
_DEPARTMENT = _Repeating(department_id)

# Per kind, per model field: how its column is checked. The fields' defaults and which of them
# are required come from the models themselves.
_PLANS: dict[str, dict[str, _Repeating | _Text | _Cpr]] = {
    "borgere": {
        "id": _KEY,
        "cpr": _Cpr(),
        "first_name": _NAME,
        "last_name": _NAME,
        "alias": _NAME,
        "phone": _Text(40),
    },
    "sager": {
        "id": _KEY,
        "citizen_id": _KEY,
        "department": _DEPARTMENT,
        "paragraph": _Repeating(lambda text, _context: parse_paragraph(text)),
        "contact_date": _DATE,
        "treatment_start": _DATE,
        "free_choice": _BOOL,
        "closed_on": _DATE,
        "closing_status": _Repeating(lambda text, _context: parse_closing_status(text)),
        "plan_reviewed_on": _DATE,
        "plan_interval_months": _Repeating(lambda text, _context: parse_plan_interval(text)),
        "medical_reviewed_on": _DATE,
        "personal_attendance_on": _DATE,
        "partner": _Repeating(partner_name),
        "follow_up_consent": _BOOL,
        "outcome": _Repeating(lambda text, _context: parse_outcome(text)),
        "goals_reached": _Repeating(lambda text, _context: parse_goals_reached(text)),
    },
    "ordinationer": {
        "id": _KEY,
        "citizen_id": _KEY,
        "preparation": _Repeating(preparation_id),
        "dose_mg": _Repeating(lambda text, _context: parse_dose(text)),
        "doses_per_day": _Repeating(lambda text, _context: parse_doses_per_day(text)),
        "pickup_rule": _Repeating(lambda text, _context: parse_pickup_rule(text)),
        "supervised": _BOOL,
        "valid_from": _DATE,
        "valid_to": _DATE,
        "prescribed_by": _NAME,
        "delivery": _BOOL,
        "last_dispensed_on": _DATE,
        "approved_on": _DATE,
    },
    "lager": {
        "id": _KEY,
        "preparation": _Repeating(preparation_id),
        "strength": _Text(64),
        "mg": _Repeating(lambda text, _context: parse_amount(text)),
        "lot": _Text(100),
        "supplier": _NAME,
        "invoice": _Text(100),
        "received_on": _DATE,
    },
    "aftaler": {
        "id": _KEY,
        "citizen_id": _KEY,
        "department": _DEPARTMENT,
        "starts_at": _Repeating(lambda text, _context: parse_datetime(text)),
        "kind": _Repeating(lambda text, _context: parse_appointment_kind(text)),
        "clinician": _NAME,
    },
}


def _default(kind: str, field: str) -> Any:
    """What an empty cell or a missing column gives: the model's default, or _NEEDS_MODEL when
    the field is required (the model words "required value is empty")."""
    info = MODELS[kind].model_fields[field]
    if info.is_required():
        return _NEEDS_MODEL
    default = info.get_default(call_default_factory=True)
    # A default the model validates (closing_status) is a parser's None for "not given".
    return default if default is not PydanticUndefined else _NEEDS_MODEL


_DEFAULTS: dict[str, dict[str, Any]] = {
    kind: {field: _default(kind, field) for field in MODELS[kind].model_fields} for kind in MODELS
}


# Per field, the parsed value of each distinct cell of a file (cells repeat across its batches).
FileMemo = dict[str, dict[str, Any]]


@dataclass(slots=True)
class ColumnBatch:
    """A batch of records read by column: for record `i`, `keys[i]` is its stripped key cell,
    and either `values[i]` holds its model's fields in the model's order or `i` is in
    `needs_model`."""

    keys: list[str]
    values: list[tuple[Any, ...]]
    needs_model: set[int]


def validate_batch(
    kind: str,
    used: Sequence[tuple[str, int]],
    records: Sequence[Sequence[str]],
    context: RowContext,
    memo: FileMemo,
) -> ColumnBatch:
    """Check `records` (raw cells, all as wide as the header) by column. `used` pairs each model
    field given in the file with its position in a record."""
    plans = _PLANS[kind]
    defaults = _DEFAULTS[kind]
    count = len(records)
    cells_at = list(zip(*records))
    position_of = dict(used)
    needs_model: set[int] = set()
    columns: list[Any] = []
    keys: list[str] = []
    for field, default in defaults.items():
        position = position_of.get(field)
        if position is None:  # the column is not in the file: every row takes the default
            columns.append(repeat(default, count))
            continue
        cells = cells_at[position]
        plan = plans[field]
        if isinstance(plan, _Text):
            parsed: list[Any] = list(map(str.strip, cells))
            if field == "id":
                keys = parsed
            _mark_text(parsed, plan.max_length, default, needs_model)
        else:
            if isinstance(plan, _Repeating):
                parsed, refused = _repeating_column(cells, plan, default, context, memo.setdefault(field, {}))
            else:
                parsed, refused = _cpr_column(cells, context.today or date.today())
            if refused:
                needs_model.update(i for i, value in enumerate(parsed) if value is _NEEDS_MODEL)
        columns.append(parsed)
    values = list(zip(*columns))
    check = _ROW_CHECKS.get(kind)
    if check is not None:
        fields = list(defaults)
        check(values, fields, needs_model, context)
    return ColumnBatch(keys, values, needs_model)


def _repeating_column(
    cells: Sequence[str], plan: _Repeating, default: Any, context: RowContext, memo: dict[str, Any]
) -> tuple[list[Any], bool]:
    """The parsed column, and whether any of its cells is left to the model."""
    distinct = set(cells)
    for cell in distinct.difference(memo):
        text = cell.strip()
        if not text:
            memo[cell] = default
            continue
        try:
            memo[cell] = plan.parse(text, context)
        except (PydanticCustomError, ValueError, TypeError, ArithmeticError):
            memo[cell] = _NEEDS_MODEL  # the model says why
    refused = any(memo[cell] is _NEEDS_MODEL for cell in distinct)
    return list(map(memo.__getitem__, cells)), refused


def _mark_text(texts: list[str], max_length: int, default: Any, needs_model: set[int]) -> None:
    """Rows whose text is too long, or empty where the field is required, go to the model."""
    if max(map(len, texts), default=0) > max_length:
        needs_model.update(i for i, text in enumerate(texts) if len(text) > max_length)
    if default is _NEEDS_MODEL and "" in texts:
        needs_model.update(i for i, text in enumerate(texts) if not text)


def _cpr_column(cells: Sequence[str], today: date) -> tuple[list[Any], bool]:
    """The common forms (`DDMMYY-SSSS`, 10 digits) as the model normalises them; any other
    form, or a birth date the model would refuse, goes to the model (and the flag says so)."""
    parsed: list[Any] = []
    refused = False
    born_in_time: dict[str, bool] = {}  # DDMMYY and the century digit: a few thousand
    append = parsed.append
    for cell in cells:
        text = cell.strip()
        if not text:
            append(None)
            continue
        number = common_cpr_digits(text)
        if number is None:  # another form: the model's (stdnum's) own rules
            append(_NEEDS_MODEL)
            refused = True
            continue
        birth = number[:7]
        valid = born_in_time.get(birth)
        if valid is None:
            try:
                valid = born_in_time[birth] = cpr_birth_date(number) <= today
            except ValueError:  # no such date
                valid = born_in_time[birth] = False
        if valid:
            append(number)
        else:
            append(_NEEDS_MODEL)
            refused = True
    return parsed, refused


# --- the models' cross-field checks, on parsed rows ------------------------------------------


def _case_checks(values: list[tuple[Any, ...]], fields: list[str], needs_model: set[int], _context: RowContext) -> None:
    """CaseRow: treatment and the personal attendance on or after the request; closed with a
    status, open without."""
    contact, start = fields.index("contact_date"), fields.index("treatment_start")
    closed, status = fields.index("closed_on"), fields.index("closing_status")
    attended = fields.index("personal_attendance_on")
    for index, row in enumerate(values):
        if index in needs_model:
            continue
        starts_early = row[start] is not None and row[start] < row[contact]
        starts_early = starts_early or (row[attended] is not None and row[attended] < row[contact])
        status_mismatch = (row[closed] is None) != (row[status] is None)
        if starts_early or status_mismatch:
            needs_model.add(index)


def _prescription_checks(
    values: list[tuple[Any, ...]], fields: list[str], needs_model: set[int], context: RowContext
) -> None:
    """PrescriptionRow: valid to on or after valid from; a supervised-only preparation (heroin)
    every day, supervised, never delivered."""
    valid_from, valid_to = fields.index("valid_from"), fields.index("valid_to")
    preparation, rule = fields.index("preparation"), fields.index("pickup_rule")
    supervised, delivery = fields.index("supervised"), fields.index("delivery")
    supervised_only = context.supervised_only
    for index, row in enumerate(values):
        if index in needs_model:
            continue
        ends_early = row[valid_to] is not None and row[valid_to] < row[valid_from]
        unsupervised = row[preparation] in supervised_only and (
            not is_daily_rule(row[rule]) or not row[supervised] or row[delivery]
        )
        if ends_early or unsupervised:
            needs_model.add(index)


_ROW_CHECKS: dict[str, Callable[[list[tuple[Any, ...]], list[str], set[int], RowContext], None]] = {
    "sager": _case_checks,
    "ordinationer": _prescription_checks,
}
