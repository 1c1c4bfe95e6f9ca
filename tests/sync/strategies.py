"""Hypothesis strategies for export files (DESIGN §3): valid files as bytes, and broken ones.

Every sample carries what the importer must make of it, so a property test is one comparison:

    @given(sample=export_files(SITE))
    def test_valid(sample):
        parsed = read_export(sample.data, sample.name, SITE, today=sample.today)
        assert parsed.ok, parsed.errors
        assert [(r.line, r.row._asdict()) for r in parsed.rows] == sample.expected

    @given(sample=broken_export_files(SITE))
    def test_broken(sample):
        parsed = read_export(sample.data, sample.name, SITE, today=sample.today)
        assert {(e.line, e.column) for e in parsed.errors} == sample.errors

Valid files vary everything the contract allows: encoding (UTF-8, UTF-8 with BOM, Windows-1252),
separator (`;`, `,`, tab), line ends (CRLF, LF), quoting (minimal, all), column order, optional
columns left out, header spellings (case, Danish letters or ASCII, `-` or space for `_`,
surrounding spaces), the three date forms (also without leading zeros), the date-time forms,
comma or point decimals, every boolean spelling, vocabulary in Danish letters or ASCII and any
case, `RRULE:` prefixes, quoted values with separators, quotes and line breaks inside, blank
lines inside and at the end. Values are never padded with spaces (the reader strips cells).

Broken files are valid files with one or more independent faults, each on its own row (or the
header), each giving exactly one error at a known (line, column): bad dates, unknown
departments and preparations, bad CPR numbers, bad RRULEs, duplicate keys, empty required
values, bad numbers and booleans, inconsistent dates and closing statuses; or a fault of the
whole file (a required column missing, an unknown column, an unknown file-name prefix).

`export_bundles(site)` gives one valid file of each kind whose rows refer to the citizens of
the `borgere` file, in a shuffled order, for an import test across files.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from skranke.domain.dispensing import is_daily_rule
from skranke.domain.site import Site
from skranke.sync.rows import COLUMNS, KIND_ORDER, Column

TIMEZONE = ZoneInfo("Europe/Copenhagen")
TODAY = date(2025, 6, 1)  # CPR birth dates are generated well before this

ENCODINGS = ("utf-8", "utf-8-sig", "cp1252")
SEPARATORS = (";", ",", "\t")

# Windows-1252 letters that can never look like UTF-8 (no byte in 0x80-0xBF): a file with one
# of them is decoded as Windows-1252, as it must be.
_CP1252_SAFE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789æøåÆØÅé"
_TEXT_EXTRA = " -.'\";,\t"
_UTF8_ONLY = "üŁ€ğ"

_RULES = (
    "FREQ=DAILY",
    "FREQ=WEEKLY;BYDAY=MO,TH",
    "FREQ=WEEKLY;BYDAY=WE",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
    "FREQ=DAILY;INTERVAL=7",
    "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    "FREQ=MONTHLY;BYMONTHDAY=1",
    "FREQ=DAILY;UNTIL=20261231",
)
_DAILY_RULES = tuple(rule for rule in _RULES if is_daily_rule(rule))
_STATUS_SPELLINGS = {
    "færdigbehandlet": ("færdigbehandlet", "faerdigbehandlet", "FÆRDIGBEHANDLET", "Faerdigbehandlet"),
    "andet tilbud": ("andet tilbud", "andet_tilbud", "Andet Tilbud", "udskrevet til andet tilbud"),
    "hospital": ("hospital", "HOSPITAL", "udskrevet til hospital"),
    "anden årsag": ("anden årsag", "anden aarsag", "anden_aarsag", "Anden Årsag"),
    "udeblevet": ("udeblevet", "Udeblevet"),
    "eget ønske": ("eget ønske", "eget oenske", "EGET ØNSKE"),
}
_PARAGRAPH_SPELLINGS = {
    "SEL101": ("SEL101", "sel101", "SEL 101", "SEL § 101", "SEL §101", "sel-101"),
    "SEL101a": ("SEL101a", "SEL101A", "sel 101a", "SEL § 101a", "SEL § 101 a"),
    "SUL142": ("SUL142", "sul142", "SUL 142", "SUL § 142"),
    "SUL141": ("SUL141", "SUL 141", "sul § 141"),
}
_KIND_SPELLINGS = {
    "visitation": ("visitation", "Visitation", "VISITATION"),
    "læge": ("læge", "laege", "Læge", "LAEGE"),
    "samtale": ("samtale", "Samtale"),
}
_BOOL_SPELLINGS = {
    True: ("ja", "Ja", "JA", "j", "J", "1", "true", "True"),
    False: ("nej", "Nej", "NEJ", "n", "N", "0", "false", "FALSE"),
}
_HEADER_DANISH = {"praeparat": "præparat", "overvaaget": "overvåget", "maal_opnaaet": "mål_opnået"}


@dataclass(frozen=True)
class ExportSample:
    """A valid export file and what the importer must read from it."""

    name: str
    kind: str
    data: bytes
    encoding: str  # the encoding it was written in
    separator: str
    expected: list[tuple[int, dict[str, Any]]]  # (start line, model_dump()) per row
    rows: list[dict[str, Any]] = field(repr=False, default_factory=list)  # typed values
    header_line: int = 1
    today: date = TODAY

    @property
    def detected_encoding(self) -> str:
        """What the reader reports: an all-ASCII Windows-1252 file is also valid UTF-8."""
        if self.encoding == "cp1252" and self.data.isascii():
            return "utf-8"
        return self.encoding


@dataclass(frozen=True)
class BrokenSample:
    """An export file with faults, and the (line, column) of every error it must give."""

    name: str
    kind: str
    data: bytes
    errors: frozenset[tuple[int, str | None]]
    faults: tuple[str, ...]  # what was broken, for the failure message
    file_level: bool = False
    today: date = TODAY


# --- typed rows ---------------------------------------------------------------------------

_ids = st.text("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz0123456789-_/", min_size=1, max_size=10)


def _text(utf8: bool, max_size: int = 20) -> st.SearchStrategy[str]:
    alphabet = _CP1252_SAFE + _TEXT_EXTRA + (_UTF8_ONLY if utf8 else "")
    plain = st.text(alphabet, max_size=max_size).map(str.strip)
    with_break = st.tuples(plain, plain).map(lambda p: f"{p[0]}\n{p[1]}".strip())
    return st.one_of(plain, plain, plain, with_break)


@st.composite
def cpr_numbers(draw: st.DrawFn) -> str:
    """Valid for stdnum.dk.cpr: a birth date before TODAY, a 7th digit giving its century."""
    born = draw(st.dates(date(1938, 1, 1), date(2010, 12, 31)))
    century_digits = "0123" if born.year < 2000 else "49"
    serial = draw(st.sampled_from(century_digits)) + f"{draw(st.integers(0, 999)):03d}"
    return f"{born:%d%m%y}{serial}"


_dates = st.dates(date(2015, 1, 1), date(2030, 12, 31))


def _later(draw: st.DrawFn, start: date) -> date:
    return start + timedelta(days=draw(st.integers(0, 400)))


@st.composite
def _citizen(draw: st.DrawFn, utf8: bool) -> dict[str, Any]:
    return {
        "cpr": draw(st.none() | cpr_numbers()),
        "first_name": draw(_text(utf8)),
        "last_name": draw(_text(utf8)),
        "alias": draw(_text(utf8, 10)),
        "phone": draw(st.sampled_from(["", "63 75 17 50", "+45 40281083", "12345678"])),
    }


@st.composite
def _case(draw: st.DrawFn, site: Site) -> dict[str, Any]:
    contact = draw(_dates)
    closed = draw(st.none() | st.just(True))
    closed_on = _later(draw, contact) if closed else None
    start = draw(st.none() | st.just(True))
    return {
        "department": draw(st.sampled_from([d.id for d in site.all_departments()])),
        "paragraph": draw(st.sampled_from(sorted(_PARAGRAPH_SPELLINGS))),
        "contact_date": contact,
        "treatment_start": _later(draw, contact) if start else None,
        "free_choice": draw(st.booleans()),
        "closed_on": closed_on,
        "closing_status": draw(st.sampled_from(sorted(_STATUS_SPELLINGS))) if closed else None,
        "plan_reviewed_on": draw(st.none() | _dates),
        "follow_up_consent": draw(st.none() | st.booleans()),
        "plan_interval_months": draw(st.none() | st.integers(1, 24)),
        "medical_reviewed_on": draw(st.none() | _dates),
        "personal_attendance_on": _later(draw, contact) if draw(st.booleans()) else None,
        "partner": draw(st.none() | st.sampled_from(site.partners())) if site.partners() else None,
        "outcome": draw(st.none() | st.sampled_from(["stoffri", "reduceret", "uaendret"])) if closed else None,
        "goals_reached": draw(st.none() | st.sampled_from(["ja", "delvist", "nej"])) if closed else None,
    }


@st.composite
def _prescription(draw: st.DrawFn, site: Site, utf8: bool) -> dict[str, Any]:
    valid_from = draw(_dates)
    cents = draw(st.integers(1, 99_999))
    dose = Decimal(cents).scaleb(-2).normalize()
    if dose == dose.to_integral():
        dose = dose.quantize(Decimal(1))
    preparation = draw(st.sampled_from([p.id for p in site.preparations]))
    row = {
        "preparation": preparation,
        "dose_mg": dose,
        "doses_per_day": draw(st.sampled_from([1, 2])),
        "pickup_rule": draw(st.sampled_from(_RULES)),
        "supervised": draw(st.booleans()),
        "valid_from": valid_from,
        "valid_to": draw(st.none() | st.just(True)) and _later(draw, valid_from),
        "prescribed_by": draw(_text(utf8)),
        "delivery": draw(st.booleans()),
        "last_dispensed_on": draw(st.none() | _dates),
        "approved_on": draw(st.none() | _dates),
    }
    # Heroin is daily, supervised, never delivered; so is methadone or morphine where the site's
    # heroin clinic supervises them (000 § 5.4): the import refuses such an order of a citizen who
    # also has heroin, and a generated bundle may give one citizen both.
    at_heroin_clinic = preparation in site.dispensing.supervised_at_heroin_clinic
    if not site.preparation(preparation).take_home_allowed or at_heroin_clinic:
        row.update(pickup_rule=draw(st.sampled_from(_DAILY_RULES)), supervised=True, delivery=False)
    return row


@st.composite
def _appointment(draw: st.DrawFn, site: Site, utf8: bool) -> dict[str, Any]:
    day = draw(_dates)
    # 07:00-21:59: never in the hour the clocks skip or repeat.
    moment = datetime(day.year, day.month, day.day, draw(st.integers(7, 21)), draw(st.integers(0, 59)))
    return {
        "department": draw(st.sampled_from([d.id for d in site.all_departments()])),
        "starts_at": moment.replace(tzinfo=TIMEZONE),
        "kind": draw(st.sampled_from(sorted(_KIND_SPELLINGS))),
        "clinician": draw(_text(utf8)),
    }


def _typed_row(kind: str, site: Site, utf8: bool) -> st.SearchStrategy[dict[str, Any]]:
    return {
        "borgere": lambda: _citizen(utf8),
        "sager": lambda: _case(site),
        "ordinationer": lambda: _prescription(site, utf8),
        "aftaler": lambda: _appointment(site, utf8),
    }[kind]()


_DEFAULTS: dict[str, Any] = {
    "cpr": None, "first_name": "", "last_name": "", "alias": "", "phone": "",
    "treatment_start": None, "free_choice": False, "closed_on": None, "closing_status": None,
    "plan_reviewed_on": None, "follow_up_consent": None, "plan_interval_months": None, "medical_reviewed_on": None,
    "personal_attendance_on": None, "partner": None, "outcome": None, "goals_reached": None,
    "doses_per_day": 1, "supervised": True, "valid_to": None,
    "prescribed_by": "", "kind": "samtale", "clinician": "", "delivery": False, "last_dispensed_on": None,
    "approved_on": None,
}  # fmt: skip


# --- rendering cells ------------------------------------------------------------------------


def _render_date(draw: st.DrawFn, value: date) -> str:
    form = draw(st.integers(0, 3))
    if form == 0:
        return f"{value:%Y-%m-%d}"
    if form == 1:
        return f"{value:%d-%m-%Y}"
    if form == 2:
        return f"{value:%d.%m.%Y}"
    return f"{value.day}.{value.month}.{value.year}"


def _render_datetime(draw: st.DrawFn, value: datetime) -> str:
    form = draw(st.integers(0, 4))
    seconds = draw(st.booleans())
    if form == 0:
        return value.strftime("%Y-%m-%d %H:%M" + (":%S" if seconds else ""))
    if form == 1:
        return value.strftime("%d-%m-%Y %H:%M")
    if form == 2:
        return value.strftime("%d.%m.%Y %H.%M")
    if form == 3:
        return value.strftime("%Y-%m-%dT%H:%M" + (":%S" if seconds else ""))
    return value.isoformat()  # with the UTC offset


def _render_decimal(draw: st.DrawFn, value: Decimal) -> str:
    text = f"{value:f}"
    return text.replace(".", ",") if draw(st.booleans()) else text


def _render_department(draw: st.DrawFn, value: str) -> str:
    form = draw(st.integers(0, 3))
    if form == 1:
        return value.upper()
    if form == 2:
        return value.replace("-", " ").title()
    if form == 3:
        return value.replace("-", "_")
    return value


def _render_preparation(draw: st.DrawFn, site: Site, value: str) -> str:
    name = site.preparation(value).name
    return draw(st.sampled_from([value, value.upper(), value.title(), name, name.upper()]))


def _render_rule(draw: st.DrawFn, value: str) -> str:
    prefix = draw(st.sampled_from(["", "RRULE:", "rrule:"]))
    return prefix + (value.lower() if draw(st.booleans()) else value)


def _render(draw: st.DrawFn, site: Site, field_name: str, value: Any) -> str:
    if value is None:
        return ""
    if field_name in (
        "contact_date",
        "treatment_start",
        "closed_on",
        "plan_reviewed_on",
        "medical_reviewed_on",
        "personal_attendance_on",
        "valid_from",
        "valid_to",
        "last_dispensed_on",
        "approved_on",
    ):
        return _render_date(draw, value)
    if field_name == "starts_at":
        return _render_datetime(draw, value)
    if field_name == "dose_mg":
        return _render_decimal(draw, value)
    if field_name == "plan_interval_months":
        return str(value)
    if field_name in ("free_choice", "supervised", "delivery", "follow_up_consent"):
        return draw(st.sampled_from(_BOOL_SPELLINGS[value]))
    if field_name == "department":
        return _render_department(draw, value)
    if field_name == "preparation":
        return _render_preparation(draw, site, value)
    if field_name == "pickup_rule":
        return _render_rule(draw, value)
    if field_name == "paragraph":
        return draw(st.sampled_from(_PARAGRAPH_SPELLINGS[value]))
    if field_name == "closing_status":
        return draw(st.sampled_from(_STATUS_SPELLINGS[value]))
    if field_name == "kind":
        return draw(st.sampled_from(_KIND_SPELLINGS[value]))
    if field_name == "cpr":
        return f"{value[:6]}-{value[6:]}" if draw(st.booleans()) else value
    if field_name == "outcome":  # Danish letters or ASCII, any case
        outcomes: list[str] = [value, value.upper(), value.replace("ae", "æ")]
        return draw(st.sampled_from(outcomes))
    if field_name == "partner":  # case and dashes for spaces are folded
        spellings: list[str] = [value, value.upper(), value.lower().replace(" ", "-")]
        return draw(st.sampled_from(spellings))
    return str(value)


def _render_header(draw: st.DrawFn, name: str) -> str:
    spelled = _HEADER_DANISH.get(name, name) if draw(st.booleans()) else name
    form = draw(st.integers(0, 4))
    if form == 1:
        spelled = spelled.upper()
    elif form == 2:
        spelled = spelled.replace("_", " ").title()
    elif form == 3:
        spelled = spelled.replace("_", "-")
    if draw(st.booleans()):
        spelled = f" {spelled} "
    return spelled


# --- files --------------------------------------------------------------------------------


@dataclass
class _Layout:
    """A file being written: its choices and the physical lines used so far."""

    kind: str
    encoding: str
    separator: str
    line_end: str
    quoting: Literal[0, 1]  # csv.QUOTE_MINIMAL or csv.QUOTE_ALL, as csv.writer's types take them
    columns: list[Column]
    headers: list[str]
    lines: list[str] = field(default_factory=list)  # rendered records, each ending in line_end
    line_no: int = 0  # physical lines written

    def record(self, cells: list[str]) -> int:
        """Append a record; return the line it starts on."""
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=self.separator, lineterminator=self.line_end, quoting=self.quoting).writerow(cells)
        text = buffer.getvalue()
        self.lines.append(text)
        start = self.line_no + 1
        self.line_no += text.count("\n")
        return start

    def blank(self, text: str = "") -> None:
        self.lines.append(text + self.line_end)
        self.line_no += 1

    def data(self) -> bytes:
        return "".join(self.lines).encode(self.encoding)


def _name(draw: st.DrawFn, kind: str) -> str:
    prefix = draw(st.sampled_from([kind, kind.upper(), kind.title()]))
    return (
        prefix
        + draw(st.sampled_from(["", "_2025-03-01", "-morgen", "1"]))
        + draw(st.sampled_from([".csv", ".CSV", ".txt"]))
    )


@st.composite
def _layout(draw: st.DrawFn, kind: str, omit_optional: bool = True) -> _Layout:
    encoding = draw(st.sampled_from(ENCODINGS))
    columns = list(COLUMNS[kind])
    if omit_optional:
        columns = [c for c in columns if c.required or draw(st.booleans()) or draw(st.booleans())]
    if kind == "sager" and len({"closed_on", "closing_status"} & {c.field for c in columns}) == 1:
        columns = [c for c in COLUMNS[kind] if c in columns or c.field in ("closed_on", "closing_status")]
    columns = draw(st.permutations(columns))
    layout = _Layout(
        kind=kind,
        encoding=encoding,
        separator=draw(st.sampled_from(SEPARATORS)),
        line_end=draw(st.sampled_from(["\r\n", "\n"])),
        quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])),
        columns=list(columns),
        headers=[_render_header(draw, c.name) for c in columns],
    )
    if draw(st.integers(0, 9)) == 0:
        layout.blank()  # a blank line before the header
    return layout


@st.composite
def _keys(draw: st.DrawFn, count: int) -> list[str]:
    return draw(st.lists(_ids, min_size=count, max_size=count, unique=True))


@st.composite
def _valid_file(
    draw: st.DrawFn,
    site: Site,
    kind: str,
    min_rows: int,
    max_rows: int,
    citizen_ids: list[str] | None = None,
    omit_optional: bool = True,
) -> tuple[ExportSample, _Layout, list[list[str]], list[int]]:
    layout = draw(_layout(kind, omit_optional))
    utf8 = layout.encoding != "cp1252"
    count = draw(st.integers(min_rows, max_rows))
    keys = draw(_keys(count))
    typed: list[dict[str, Any]] = []
    cprs: set[str] = set()
    for key in keys:
        row = draw(_typed_row(kind, site, utf8))
        if kind == "borgere" and row["cpr"] is not None:
            if row["cpr"] in cprs:
                row["cpr"] = None
            cprs.add(row["cpr"])
        if kind != "borgere":
            pool = citizen_ids or None
            row["citizen_id"] = draw(st.sampled_from(pool)) if pool else draw(_ids)
        row["id"] = key
        typed.append(row)

    layout.record(layout.headers)
    header_line = layout.line_no
    present = {c.field for c in layout.columns}
    expected: list[tuple[int, dict[str, Any]]] = []
    rendered_rows: list[list[str]] = []
    starts: list[int] = []
    for row in typed:
        if draw(st.integers(0, 14)) == 0:
            layout.blank(draw(st.sampled_from(["", layout.separator * (len(layout.columns) - 1)])))
        cells = [_render(draw, site, c.field, row[c.field]) for c in layout.columns]
        start = layout.record(cells)
        rendered_rows.append(cells)
        starts.append(start)
        model = {f: (row[f] if f in present else _DEFAULTS[f]) for f in _fields(kind)}
        expected.append((start, model))
    for _ in range(draw(st.integers(0, 2))):
        layout.blank()

    sample = ExportSample(
        name=_name(draw, kind),
        kind=kind,
        data=layout.data(),
        encoding=layout.encoding,
        separator=layout.separator,
        expected=expected,
        rows=typed,
        header_line=header_line,
    )
    return sample, layout, rendered_rows, starts


def _fields(kind: str) -> list[str]:
    from skranke.sync.rows import MODELS

    return list(MODELS[kind].model_fields)


def export_files(
    site: Site, kinds: tuple[str, ...] = KIND_ORDER, min_rows: int = 0, max_rows: int = 12
) -> st.SearchStrategy[ExportSample]:
    """A valid export file of one of `kinds`."""
    return st.sampled_from(kinds).flatmap(
        lambda kind: _valid_file(site, kind, min_rows, max_rows).map(lambda result: result[0])
    )


@st.composite
def export_bundles(draw: st.DrawFn, site: Site, max_rows: int = 8) -> list[ExportSample]:
    """One valid file of each kind; sager, ordinationer and aftaler refer to the borgere file's
    citizens. Shuffled: sort them with `skranke.sync.sort_key` before importing."""
    citizens = draw(_valid_file(site, "borgere", 1, max_rows))[0]
    ids = [row["id"] for row in citizens.rows]
    others = [draw(_valid_file(site, kind, 0, max_rows, citizen_ids=ids))[0] for kind in KIND_ORDER[1:]]
    return draw(st.permutations([citizens, *others]))


# --- broken files ---------------------------------------------------------------------------

# Faults on one row: (name, kinds it applies to, field it breaks, the bad cell text).
_ROW_FAULTS: list[tuple[str, tuple[str, ...], str, tuple[str, ...]]] = [
    ("bad date", ("sager",), "contact_date", ("2024-13-01", "32.01.2024", "i går", "2024/01/02", "31-02-2024")),
    ("bad date", ("ordinationer",), "valid_from", ("2024-02-30", "01.01.24", "x")),
    ("bad optional date", ("sager",), "plan_reviewed_on", ("2024-00-10", "1.13.2024")),
    ("bad date-time", ("aftaler",), "starts_at", ("2024-03-01", "2024-03-01 25:00", "01.03.2024 8", "nu")),
    ("unknown department", ("sager", "aftaler"), "department", ("nowhere", "stofrihed", "Grønlandsgade")),
    ("unknown preparation", ("ordinationer",), "preparation", ("kokain", "metadonn", "heroin")),
    ("bad CPR", ("borgere",), "cpr", ("010180-12", "320180-1234", "01018A1234", "0101801234567", "010180+1234")),
    (
        "bad RRULE",
        ("ordinationer",),
        "pickup_rule",
        ("FREQ=SOMETIMES", "BYDAY=MO", "FREQ=WEEKLY;BYDAY=XX", "every monday", "FREQ=HOURLY"),
    ),
    ("bad dose", ("ordinationer",), "dose_mg", ("0", "-5", "1.000", "12,345", "ti", "1,5,0", "0,00")),
    ("bad doses per day", ("ordinationer",), "doses_per_day", ("3", "0", "en")),
    ("bad boolean", ("sager",), "free_choice", ("måske", "2", "yes please")),
    ("bad boolean", ("ordinationer",), "supervised", ("måske", "jaja")),
    ("bad boolean", ("sager",), "follow_up_consent", ("måske", "samtykke")),
    ("bad paragraph", ("sager",), "paragraph", ("101", "§ 101", "SEL102", "SUL 143")),
    ("bad closing status", ("sager",), "closing_status", ("færdig", "død")),
    ("bad appointment type", ("aftaler",), "kind", ("telefon", "laeger")),
    ("too long", ("borgere",), "first_name", ("x" * 201,)),
    ("too long", ("borgere",), "phone", ("1" * 41,)),
    ("empty required value", ("sager", "ordinationer", "aftaler"), "citizen_id", ("",)),
    ("empty required value", ("sager",), "contact_date", ("",)),
    ("empty required value", ("ordinationer",), "dose_mg", ("",)),
    ("empty required value", ("aftaler",), "starts_at", ("",)),
]


def _row_fault_options(kind: str, present: set[str]) -> list[tuple[str, str, tuple[str, ...]]]:
    options = [(name, f, values) for name, kinds, f, values in _ROW_FAULTS if kind in kinds and f in present]
    options.append(("duplicate key", "id", ()))
    if kind == "sager" and {"closed_on", "closing_status"} <= present:
        options.append(("closed without status", "closing_status", ()))
        options.append(("status without closing date", "closing_status", ()))
    if kind == "sager" and "treatment_start" in present:
        options.append(("treatment before request", "treatment_start", ()))
    if kind == "ordinationer" and "valid_to" in present:
        options.append(("valid to before valid from", "valid_to", ()))
    if kind == "borgere" and "cpr" in present:
        options.append(("CPR used twice", "cpr", ()))
    return options


@st.composite
def broken_export_files(
    draw: st.DrawFn, site: Site, kinds: tuple[str, ...] = KIND_ORDER, max_rows: int = 10
) -> BrokenSample:
    """An export file with 1-4 faults, each giving exactly one error at a known place."""
    kind = draw(st.sampled_from(kinds))
    file_fault = draw(st.integers(0, 5))
    if file_fault == 0:
        return draw(_file_level_fault(site, kind))

    sample, layout, rendered, starts = draw(_valid_file(site, kind, 2, max_rows, omit_optional=True))
    present = {c.field for c in layout.columns}
    position = {c.field: i for i, c in enumerate(layout.columns)}
    header_of = {c.field: layout.headers[i].strip() for i, c in enumerate(layout.columns)}
    n_faults = draw(st.integers(1, min(4, len(rendered) - 1)))
    # Row 0 is never broken: it is the original that a duplicate key copies.
    targets = draw(st.lists(st.integers(1, len(rendered) - 1), min_size=n_faults, max_size=n_faults, unique=True))
    errors: set[tuple[int, str | None]] = set()
    faults: list[str] = []
    typed = sample.rows
    for target in targets:
        name, field_name, values = draw(st.sampled_from(_row_fault_options(kind, present)))
        cells = rendered[target]
        row = typed[target]
        if name == "duplicate key":
            cells[position["id"]] = rendered[0][position["id"]]
        elif name == "closed without status":
            cells[position["closed_on"]] = _render_date(draw, row["contact_date"])
            cells[position["closing_status"]] = ""
        elif name == "status without closing date":
            cells[position["closed_on"]] = ""
            cells[position["closing_status"]] = "udeblevet"
        elif name == "treatment before request":
            cells[position["treatment_start"]] = _render_date(
                draw, row["contact_date"] - timedelta(days=draw(st.integers(1, 30)))
            )
        elif name == "valid to before valid from":
            cells[position["valid_to"]] = _render_date(
                draw, row["valid_from"] - timedelta(days=draw(st.integers(1, 30)))
            )
        elif name == "CPR used twice":
            # Copy row 0's number (it comes first, so the copy is the one reported).
            original = typed[0]["cpr"]
            if original is None:
                used = {r["cpr"] for r in typed}
                original = next(c for c in ("0101801234", "0202802345", "0303803456") if c not in used)
                rendered[0][position["cpr"]] = original
                typed[0]["cpr"] = original
            cells[position["cpr"]] = original
        else:
            cells[position[field_name]] = draw(st.sampled_from(values))
        errors.add((starts[target], header_of[field_name]))
        faults.append(f"line {starts[target]}: {name} ({header_of[field_name]!r})")

    data = _rewrite(layout, sample, rendered)
    return BrokenSample(sample.name, kind, data, frozenset(errors), tuple(faults))


def _rewrite(layout: _Layout, sample: ExportSample, rendered: list[list[str]]) -> bytes:
    """The file again with the changed cells. Changed cells never add line breaks, so the
    rows keep their lines; blank lines are kept where they were."""
    out = _Layout(**{**layout.__dict__, "lines": [], "line_no": 0})
    for _ in range(sample.header_line - 1):
        out.blank()
    out.record(layout.headers)
    for (start, _), cells in zip(sample.expected, rendered):
        while out.line_no + 1 < start:
            out.blank()
        out.record(cells)
    out.blank()
    return out.data()


@st.composite
def _file_level_fault(draw: st.DrawFn, site: Site, kind: str) -> BrokenSample:
    sample, layout, rendered, _ = draw(_valid_file(site, kind, 0, 5, omit_optional=False))
    fault = draw(st.sampled_from(["missing column", "unknown column", "unknown prefix", "column twice"]))
    if fault == "unknown prefix":
        name = draw(st.sampled_from(["patienter.csv", "export_borgere.csv", "data.csv", "bor.csv"]))
        return BrokenSample(name, kind, sample.data, frozenset({(0, None)}), (fault,), file_level=True)
    headers = list(layout.headers)
    rows = [list(cells) for cells in rendered]
    if fault == "missing column":
        required = [i for i, c in enumerate(layout.columns) if c.required]
        index = draw(st.sampled_from(required))
        errors = {(sample.header_line, layout.columns[index].name)}
        del headers[index]
        for cells in rows:
            del cells[index]
    elif fault == "unknown column":
        extra = draw(st.sampled_from(["bemaerkning", "Fødselsdato", "overvget", "id"]))
        index = draw(st.integers(0, len(headers)))
        headers.insert(index, extra)
        for cells in rows:
            cells.insert(index, "x")
        errors = {(sample.header_line, extra)}
    else:  # the same column twice, the second time spelt differently
        index = draw(st.integers(0, len(headers) - 1))
        twin = layout.columns[index].name.upper()
        headers.append(twin)
        for cells in rows:
            cells.append(cells[index])
        errors = {(sample.header_line, twin)}
    out = _Layout(**{**layout.__dict__, "lines": [], "line_no": 0})
    for _ in range(sample.header_line - 1):
        out.blank()
    out.record(headers)
    for cells in rows:
        out.record(cells)
    return BrokenSample(sample.name, kind, out.data(), frozenset(errors), (fault,), file_level=True)
