"""Validated rows of the export files (DESIGN §3), one pydantic model per file kind.

The models use the English names of the store's columns (`skranke.store.models`), one field per
column, so a service can hand `row.model_dump()` to an upsert. The Danish column names of the
files are mapped to these fields in `COLUMNS`; `skranke.sync.reader` does that mapping, drops
empty cells (so optional fields take their defaults) and validates each row with
`Model.model_validate(values, context=RowContext)`.

Every field accepts the text of a CSV cell as well as an already typed value (a `date`, a
`Decimal`, a `bool`), so the models work the same when fed from elsewhere (a form, a test).

Vocabulary fields need the site: pass a `RowContext` (built once per file with
`RowContext.for_site(site)`), or the `Site` itself, as the validation context.

Forgiving, within limits (each one documented where it is parsed):
- dates `YYYY-MM-DD`, `DD-MM-YYYY`, `DD.MM.YYYY` (one-digit day and month allowed);
- date-times the same dates with `HH:MM` or `HH.MM` (optional seconds), or ISO 8601 with `T`
  and an optional UTC offset; a time without offset is Copenhagen time;
- decimals with comma or point, at most two decimals (a third is refused: "1.000" may be a
  Danish thousands separator, and the store keeps two decimals);
- booleans ja/nej, j/n, 1/0, true/false, yes/no, sand/falsk;
- paragraphs `SEL101`, `SEL101a`, `SUL142`, `SUL141` in any case, with spaces, `§`, `-` or `.`
  inside (`sel § 101 a`, `SUL-142`); the law's abbreviation is required (a bare `101` is refused);
- closing statuses in Danish letters or ASCII, any case, `_` for space; the SMDB long forms
  `udskrevet til andet tilbud` and `udskrevet til hospital` are accepted as well;
- departments by site id (case, `_`, space and `-` folded); preparations by site id or name
  (Danish letters or ASCII, any case);
- pickup rules with or without `RRULE:`, any case, a trailing `;` dropped; stored upper-case.

Consistency checks sit on the later field, so the error names that column: `behandlingsstart`
before `henvendelse`, `gyldig_til` before `gyldig_fra`, and `afslutningsstatus` for "closed
without status" or "status without closing date". A check is skipped when the field it compares
with is itself wrong (that error is reported once, on its own column).
"""

from __future__ import annotations

import re
from collections import namedtuple
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Any, ClassVar, NamedTuple, NoReturn
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr
from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError
from stdnum.dk import cpr as stdnum_cpr
from stdnum.exceptions import InvalidComponent, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError

from skranke.domain.dispensing import is_daily_rule
from skranke.domain.site import Site, normalise_key
from skranke.domain.vocabulary import APPOINTMENT_KINDS, CLOSING_STATUSES, GOALS_REACHED, OUTCOMES, PARAGRAPHS
from skranke.i18n import _, parse_decimal_text

TIMEZONE = ZoneInfo("Europe/Copenhagen")

#: The file kinds in dependency order: a sync takes files in this order, then by name.
KIND_ORDER: tuple[str, ...] = ("borgere", "sager", "ordinationer", "aftaler")
#: Every file kind a sync reads, in the order it takes them: the journal's four, then the pharmacy
#: system's receipts (`lager*.csv`, optional: DESIGN §3), which name no citizen and come after
#: the orders.
FILE_KINDS: tuple[str, ...] = (*KIND_ORDER, "lager")


# --- errors -----------------------------------------------------------------------------


def invalid(reason: str) -> NoReturn:
    """Raise a validation error whose message is exactly `reason` (no "Value error, ").

    `reason` is what the user reads: translated by the caller, when the error is raised (never
    kept in a module constant or a cache, so a change of language takes effect at once).
    """
    # The reason goes in as context, so braces in a value are never taken as a template.
    raise PydanticCustomError("skranke", "{reason}", {"reason": reason})


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- cell parsers -----------------------------------------------------------------------

_DATE = re.compile(r"\s*(?:(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})([.-])(\d{1,2})\5(\d{4}))\s*")
_DATETIME = re.compile(
    r"\s*(?:(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})([.-])(\d{1,2})\5(\d{4}))"
    r"(?:\s+|T)(\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:[.,]\d{1,6})?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?\s*"
)
_BOOLEANS = {
    "ja": True, "j": True, "1": True, "true": True, "yes": True, "y": True, "sand": True,
    "nej": False, "n": False, "0": False, "false": False, "no": False, "falsk": False,
}  # fmt: skip


def _ymd(match: re.Match[str]) -> tuple[int, int, int]:
    if match[1]:
        return int(match[1]), int(match[2]), int(match[3])
    return int(match[7]), int(match[6]), int(match[4])


def parse_date(value: Any) -> date:
    """A date cell: `YYYY-MM-DD`, `DD-MM-YYYY` or `DD.MM.YYYY`."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        invalid(_("not a date: write YYYY-MM-DD, DD-MM-YYYY or DD.MM.YYYY"))
    return _date_text(value)


# Exports repeat dates and times a lot; parsed values are immutable, so they are cached
# (a bad value raises, and raising calls are never cached: no message is kept in a language).
@lru_cache(maxsize=1 << 14)
def _date_text(value: str) -> date:
    match = _DATE.fullmatch(value)
    if match is None:
        invalid(_("not a date: write YYYY-MM-DD, DD-MM-YYYY or DD.MM.YYYY"))
    try:
        return date(*_ymd(match))
    except ValueError:
        invalid(_("no such date"))


def parse_optional_date(value: Any) -> date | None:
    return None if _blank(value) else parse_date(value)


def parse_datetime(value: Any) -> datetime:
    """A date and time, as an aware datetime in Europe/Copenhagen.

    Accepts the three date forms followed by `HH:MM` or `HH.MM` (seconds optional), and ISO
    8601 with `T`. A time without a UTC offset is Copenhagen wall time; a wall time that does
    not exist (the hour skipped in spring) is refused; an ambiguous one (the hour repeated in
    autumn) is taken as the first, summer-time, occurrence.
    """
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return _localise(value)
        return value.astimezone(TIMEZONE)
    if not isinstance(value, str):
        invalid(_("not a date and time: write e.g. 2025-03-01 08:15 or 01.03.2025 08.15"))
    return _datetime_text(value)


@lru_cache(maxsize=1 << 14)
def _datetime_text(value: str) -> datetime:
    match = _DATETIME.fullmatch(value)
    if match is None:
        if _DATE.fullmatch(value):
            invalid(_("a time is missing: write e.g. 2025-03-01 08:15 or 01.03.2025 08.15"))
        invalid(_("not a date and time: write e.g. 2025-03-01 08:15 or 01.03.2025 08.15"))
    try:
        naive = datetime(*_ymd(match), int(match[8]), int(match[9]), int(match[10] or 0))
    except ValueError:
        invalid(_("no such date or time"))
    offset = match[11]
    if offset is None:
        return _localise(naive)
    if offset == "Z":
        tz = UTC
    else:
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        minutes = int(digits[:2]) * 60 + int(digits[2:])
        if minutes >= 24 * 60:
            invalid(_("UTC offset {offset} out of range").format(offset=offset))
        tz = timezone(sign * timedelta(minutes=minutes))
    try:
        return naive.replace(tzinfo=tz).astimezone(TIMEZONE)
    except OverflowError:  # 0001-01-01 or 9999-12-31 moved past the calendar's ends
        invalid(_("no such date or time"))


def _localise(naive: datetime) -> datetime:
    local = naive.replace(tzinfo=TIMEZONE)
    try:
        round_trip = local.astimezone(UTC).astimezone(TIMEZONE).replace(tzinfo=None)
    except OverflowError:  # 0001-01-01 before 01:00 is before the calendar's first UTC moment
        invalid(_("no such date or time"))
    if round_trip != naive:
        invalid(
            _("{time} does not exist in Copenhagen (clocks go forward)").format(time=naive.strftime("%Y-%m-%d %H:%M"))
        )
    return local


def parse_decimal(value: Any, *, places: int = 2) -> Decimal:
    """Comma or point as the decimal mark; at most `places` decimals; no thousands separator."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            invalid(_("not a number"))
        if value != value.quantize(Decimal(1).scaleb(-places)):
            invalid(_("more than {places} decimals").format(places=places))
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, float):
        return parse_decimal(Decimal(repr(value)), places=places)
    if not isinstance(value, str):
        invalid(_("not a number"))
    try:
        return parse_decimal_text(value, places)
    except ValueError as error:
        invalid(str(error))


def parse_bool(value: Any) -> bool:
    """ja/nej, j/n, 1/0, true/false (also yes/no, sand/falsk), any case."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        result = _BOOLEANS.get(value.strip().lower())
        if result is not None:
            return result
    invalid(_("not ja/nej: write ja or nej (also j/n, 1/0, true/false)"))


@lru_cache(maxsize=4096)
def _fold(text: str) -> str:
    """Vocabulary key: Danish letters to ASCII, case, and `_`, `-`, spaces folded."""
    return normalise_key(text).replace("-", " ")


_PARAGRAPHS = {p.upper(): p for p in PARAGRAPHS}
_PARAGRAPH_NOISE = re.compile(r"[\s§.\-_]+")


def parse_paragraph(value: Any) -> str:
    if not isinstance(value, str):
        invalid(_("not a paragraph"))
    return _paragraph_text(value)


@lru_cache(maxsize=256)
def _paragraph_text(value: str) -> str:
    key = _PARAGRAPH_NOISE.sub("", value).upper()
    found = _PARAGRAPHS.get(key)
    if found is None:
        invalid(_("unknown paragraph: use one of {paragraphs}").format(paragraphs=", ".join(sorted(PARAGRAPHS))))
    return found


_CLOSING_STATUSES = {_fold(s): s for s in CLOSING_STATUSES} | {
    _fold("udskrevet til andet tilbud"): "andet tilbud",
    _fold("udskrevet til hospital"): "hospital",
}


def parse_closing_status(value: Any) -> str | None:
    if _blank(value):
        return None
    if not isinstance(value, str):
        invalid(_("not a closing status"))
    found = _CLOSING_STATUSES.get(_fold(value))  # _fold is cached
    if found is None:
        invalid(_("unknown closing status: use one of {statuses}").format(statuses=", ".join(sorted(CLOSING_STATUSES))))
    return found


_OUTCOMES = {_fold(o): o for o in OUTCOMES}
_GOALS_REACHED = {_fold(g): g for g in GOALS_REACHED} | {_fold("j"): "ja", _fold("n"): "nej"}


def parse_outcome(value: Any) -> str | None:
    """udfald: stoffri, reduceret, uaendret (also `uændret`), any case; empty: not given."""
    if _blank(value):
        return None
    if not isinstance(value, str):
        invalid(_("not an outcome"))
    found = _OUTCOMES.get(_fold(value))
    if found is None:
        invalid(_("unknown outcome (udfald): use one of {outcomes}").format(outcomes=", ".join(OUTCOMES)))
    return found


def parse_goals_reached(value: Any) -> str | None:
    """maal_opnaaet: ja, delvist, nej (also j/n), any case; empty: not given."""
    if _blank(value):
        return None
    if not isinstance(value, str):
        invalid(_("not an answer to whether the goals were reached"))
    found = _GOALS_REACHED.get(_fold(value))
    if found is None:
        invalid(_("unknown value for maal_opnaaet: use one of {answers}").format(answers=", ".join(GOALS_REACHED)))
    return found


_APPOINTMENT_KINDS = {_fold(k): k for k in APPOINTMENT_KINDS}


def parse_appointment_kind(value: Any) -> str:
    if not isinstance(value, str):
        invalid(_("not an appointment type"))
    found = _APPOINTMENT_KINDS.get(_fold(value))
    if found is None:
        invalid(_("unknown appointment type: use one of {kinds}").format(kinds=", ".join(sorted(APPOINTMENT_KINDS))))
    return found


def parse_doses_per_day(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value in (1, 2):
        return value
    if isinstance(value, str) and value.strip() in ("1", "2"):
        return int(value)
    invalid(_("doses per day must be 1 or 2"))


# The longest review interval a plan may agree (months): the courses in the seeds run 3, 4 or 6
# months (004); 24 catches a typing slip (60 for 6) without refusing a long agreed course.
MAX_PLAN_INTERVAL_MONTHS = 24


def parse_plan_interval(value: Any) -> int | None:
    """plan_interval_mdr: whole months from 1 to MAX_PLAN_INTERVAL_MONTHS; empty: not agreed."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = str(value).strip()
        if not text:
            return None
        if not text.isdigit():
            invalid(_("plan_interval_mdr must be whole months (1 to {most})").format(most=MAX_PLAN_INTERVAL_MONTHS))
        number = int(text)
    if not 1 <= number <= MAX_PLAN_INTERVAL_MONTHS:
        invalid(_("plan_interval_mdr must be whole months (1 to {most})").format(most=MAX_PLAN_INTERVAL_MONTHS))
    return number


_UNTIL_UTC = re.compile(r"UNTIL=\d{8}T\d{6}Z", re.IGNORECASE)
_RRULE_START = datetime(2000, 1, 1)


@lru_cache(maxsize=4096)
def _check_rrule(text: str) -> tuple[str, None] | tuple[None, tuple[str, ...]]:
    """(canonical rule, None) or (None, problem). Cached: pickup rules repeat a lot.

    A problem is a code and its details, in no language: `_rrule_reason` words it when the
    error is raised, so the cache never keeps a message in the language of its first call.
    """
    rule = text.strip()
    if rule[:6].upper() == "RRULE:":
        rule = rule[6:].strip()
    rule = rule.upper().strip(";")  # a trailing ";" is a common slip
    if not rule:
        return None, ("empty",)
    if "\n" in rule or "\r" in rule or ":" in rule:
        return None, ("not_only_rrule",)
    if _UNTIL_UTC.search(rule):
        return None, ("until_utc",)
    if any(part.count("=") != 1 for part in rule.split(";")):
        return None, ("not_pairs",)  # dateutil would say "not enough values to unpack"
    try:
        parsed = rrulestr(rule, dtstart=_RRULE_START)
    except TypeError:  # dateutil's way of saying FREQ is missing
        return None, ("no_freq",)
    except (ValueError, KeyError, IndexError) as error:
        return None, _dateutil_problem(error)
    if not isinstance(parsed, rrule):
        return None, ("not_one_rrule",)
    # rrulestr accepted it, so it is NAME=VALUE pairs separated by ";".
    parts = dict(part.split("=", 1) for part in rule.split(";") if part)
    if parts["FREQ"] not in ("DAILY", "WEEKLY", "MONTHLY", "YEARLY"):
        return None, ("not_days",)
    if int(parts.get("INTERVAL", "1")) < 1:
        return None, ("interval",)
    return rule, None


_DATEUTIL_INVALID = re.compile(r"invalid '(\w+)': (.*)", re.DOTALL)
_DATEUTIL_UNKNOWN = re.compile(r"unknown parameter '(\w+)'")


def _dateutil_problem(error: Exception) -> tuple[str, ...]:
    """dateutil's two common complaints as codes; anything else keeps dateutil's own words."""
    text = str(error)
    if match := _DATEUTIL_INVALID.fullmatch(text):
        return "invalid_part", match[1], match[2]
    if match := _DATEUTIL_UNKNOWN.fullmatch(text):
        return "unknown_part", match[1]
    return "dateutil", text


def _rrule_reason(code: str, *details: str) -> str:
    """What the user reads for a `_check_rrule` problem, in the language of the moment."""
    example = "FREQ=WEEKLY;BYDAY=MO,TH"
    if code == "empty":
        return _("empty pickup rule: give an RRULE, e.g. FREQ=DAILY")
    if code == "not_only_rrule":
        return _("only the RRULE itself is accepted, e.g. {example}").format(example=example)
    if code == "until_utc":
        return _("UNTIL must be a local date (UNTIL=20251231), not a UTC time")
    if code == "not_pairs":
        return _("not a valid RRULE: write NAME=VALUE parts separated by ';', e.g. {example}").format(example=example)
    if code == "no_freq":
        return _("not a valid RRULE: FREQ is missing")
    if code == "invalid_part":
        return _("not a valid RRULE: {name} cannot be {value!r}").format(name=details[0], value=details[1])
    if code == "unknown_part":
        return _("not a valid RRULE: unknown part {name!r}").format(name=details[0])
    if code == "not_one_rrule":
        return _("only one RRULE is accepted, e.g. {example}").format(example=example)
    if code == "not_days":
        return _("pickups are days: FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY")
    if code == "interval":
        return _("not a valid RRULE: INTERVAL must be 1 or more")
    return _("not a valid RRULE: {error}").format(error=details[0] if details else code)


def parse_pickup_rule(value: Any) -> str:
    """An RFC 5545 RRULE (with or without the `RRULE:` prefix), stored upper-case without it.

    Checked with `dateutil.rrule.rrulestr`; pickups are calendar days, so sub-daily
    frequencies and UTC `UNTIL` times are refused. Expand with a naive `dtstart`.
    """
    if not isinstance(value, str):
        invalid(_("not a pickup rule"))
    rule, problem = _check_rrule(value)
    if problem is not None:
        invalid(_rrule_reason(*problem))
    assert rule is not None  # _check_rrule gives exactly one of rule and problem
    return rule


def parse_dose(value: Any) -> Decimal:
    """A dose in mg: more than 0, under a million, at most two decimals."""
    dose = parse_decimal(value)
    if dose <= 0:
        invalid(_("dose must be more than 0 mg"))
    if dose >= 1_000_000:
        invalid(_("dose too large (at most 999999,99 mg)"))
    return dose


def parse_amount(value: Any) -> Decimal:
    """An amount received in mg (`lager*.csv`): more than 0, under a million, two decimals."""
    amount = parse_decimal(value)
    if amount <= 0:
        invalid(_("amount must be more than 0 mg"))
    if amount >= 1_000_000:
        invalid(_("amount too large (at most 999999,99 mg)"))
    return amount


def common_cpr_digits(text: str) -> str | None:
    """The ten digits of a CPR number written the common way (`DDMMYY-SSSS` or `DDMMYYSSSS`,
    `text` already stripped); None for any other form, which stdnum's own rules then judge."""
    if len(text) == 11 and text[6] == "-":
        number = text[:6] + text[7:]
    elif len(text) == 10:
        number = text
    else:
        return None
    return number if number.isascii() and number.isdigit() else None


@lru_cache(maxsize=1024)
def _cpr_century(year_digits: str, seventh: str) -> int:
    """stdnum's birth year for YY and the 7th digit (which gives the century): 1,000 keys."""
    return stdnum_cpr.get_birth_date(f"0101{year_digits}{seventh}000").year


def cpr_birth_date(number: str) -> date:
    """The same date as `stdnum.dk.cpr.get_birth_date`, without its per-call `clean`."""
    try:
        return date(_cpr_century(number[4:6], number[6]), int(number[2:4]), int(number[0:2]))
    except ValueError:
        raise InvalidComponent("The number does not contain valid birth date information.") from None


def normalise_cpr(value: str, today: date | None = None) -> str:
    """10 digits without the dash, checked by `stdnum.dk.cpr`; raises a validation error.

    stdnum does not enforce modulus 11 (numbers after 2007 fail it) and refuses birth dates
    after today. `today=None` is stdnum's own `validate` (the system date); a given `today`
    makes the check deterministic. The common form (`DDMMYY-SSSS` or 10 digits) takes a fast
    path with the same result: stdnum's `compact` and `validate` cost ~10 µs a number.
    """
    common = common_cpr_digits(value.strip())
    try:
        if common is not None:
            number = common
            if cpr_birth_date(number) > (today or date.today()):
                raise InvalidComponent("birth date in the future")
            return number
        if today is None:
            return stdnum_cpr.validate(value)
        number = stdnum_cpr.compact(value)
        if not number.isdigit() or not number.isascii():
            raise InvalidFormat()
        if len(number) != 10:
            raise InvalidLength()
        if stdnum_cpr.get_birth_date(number) > today:
            raise InvalidComponent("birth date in the future")
        return number
    except InvalidLength:  # before InvalidFormat: it is a subclass
        invalid(_("CPR number must have 10 digits: DDMMYY-SSSS"))
    except InvalidFormat:
        invalid(_("CPR number must be digits: DDMMYY-SSSS"))
    except InvalidComponent as error:
        if "born yet" in str(error) or "future" in str(error):
            invalid(_("CPR number has a birth date in the future"))
        invalid(_("CPR number has no valid birth date (DDMMYY)"))
    except StdnumError:
        invalid(_("not a valid CPR number"))


def mask_cpr(value: str) -> str:
    """For reports: keep the birth-date part of a (possibly wrong) CPR value, hide the rest."""
    return value[:6] + re.sub(r"[^\s-]", "*", value[6:])


# --- the site as validation context -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RowContext:
    """What row validation needs from the site, as look-up dicts built once per file."""

    departments: Mapping[str, str]  # folded id -> id
    preparations: Mapping[str, str]  # folded id or name -> id
    department_ids: tuple[str, ...]
    preparation_ids: tuple[str, ...]
    today: date | None = None  # for the CPR birth-date check; None: the system date
    site_id: str = ""
    # Preparations given only under supervision at the clinic (heroin): id -> name.
    supervised_only: Mapping[str, str] = field(default_factory=dict)
    partners: Mapping[str, str] = field(default_factory=dict)  # folded name -> name

    @classmethod
    def for_site(cls, site: Site, today: date | None = None) -> RowContext:
        departments = {_fold(d.id): d.id for d in site.all_departments()}
        preparations: dict[str, str] = {}
        for preparation in site.preparations:
            preparations.setdefault(_fold(preparation.name), preparation.id)
        for preparation in site.preparations:  # ids win over names
            preparations[_fold(preparation.id)] = preparation.id
        return cls(
            departments=departments,
            preparations=preparations,
            department_ids=tuple(d.id for d in site.all_departments()),
            preparation_ids=tuple(p.id for p in site.preparations),
            today=today,
            site_id=site.id,
            supervised_only={p.id: p.name for p in site.preparations if not p.take_home_allowed},
            partners={_fold(name): name for name in site.partners()},
        )


_SITE_CONTEXTS: dict[tuple[int, date | None], tuple[Site, RowContext]] = {}


def row_context(context: Any) -> RowContext:
    """The validation context as a RowContext: given as one, as a Site, or as
    {"site": Site, "today": date}. Contexts made from a Site are kept (sites are few)."""
    if isinstance(context, RowContext):
        return context
    today = None
    site = context
    if isinstance(context, Mapping):
        site, today = context.get("site"), context.get("today")
    if not isinstance(site, Site):
        raise TypeError("row validation needs the site: pass context=RowContext.for_site(site)")
    key = (id(site), today)
    cached = _SITE_CONTEXTS.get(key)
    if cached is None or cached[0] is not site:
        cached = _SITE_CONTEXTS[key] = (site, RowContext.for_site(site, today))
    return cached[1]


def department_id(value: Any, ctx: RowContext) -> str:
    found = ctx.departments.get(_fold(value)) if isinstance(value, str) else None
    if found is None:
        invalid(
            _("unknown department {value!r}: the site has {known}").format(
                value=str(value).strip(), known=", ".join(ctx.department_ids)
            )
        )
    return found


def partner_name(value: Any, ctx: RowContext) -> str | None:
    """A partner the site names (as the site spells it); empty: none."""
    if _blank(value):
        return None
    found = ctx.partners.get(_fold(value)) if isinstance(value, str) else None
    if found is None:
        invalid(
            _("unknown partner {value!r} (samarbejde): the site has {known}").format(
                value=str(value).strip(), known=", ".join(ctx.partners.values()) or _("none")
            )
        )
    return found


def preparation_id(value: Any, ctx: RowContext) -> str:
    found = ctx.preparations.get(_fold(value)) if isinstance(value, str) else None
    if found is None:
        invalid(
            _("unknown preparation {value!r}: the site has {known}").format(
                value=str(value).strip(), known=", ".join(ctx.preparation_ids)
            )
        )
    return found


# --- the models ---------------------------------------------------------------------------

Key = Annotated[str, Field(min_length=1, max_length=64)]
Name = Annotated[str, Field(max_length=200)]
Date = Annotated[date, BeforeValidator(parse_date)]
OptionalDate = Annotated[date | None, BeforeValidator(parse_optional_date)]
Bool = Annotated[bool, BeforeValidator(parse_bool)]
OptionalBool = Annotated[bool | None, BeforeValidator(parse_bool)]  # an empty cell: not given


class ExportRow(BaseModel):
    """Common to the four row models. `KIND`: the file kind; the first field is the key."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    KIND: ClassVar[str]


class CitizenRow(ExportRow):
    """A line of `borgere*.csv` → table `citizens`."""

    KIND: ClassVar[str] = "borgere"

    id: Key
    cpr: str | None = None  # 10 digits, no dash; None: anonymous
    first_name: Name = ""
    last_name: Name = ""
    alias: Name = ""
    phone: Annotated[str, Field(max_length=40)] = ""

    @field_validator("cpr", mode="before")
    @classmethod
    def _cpr(cls, value: Any, info: ValidationInfo) -> str | None:
        if _blank(value):
            return None
        if not isinstance(value, str):
            invalid(_("CPR number must be text"))
        return normalise_cpr(value, _today(info.context))


def _today(context: Any) -> date | None:
    """The CPR check's "today" from the context (None: stdnum uses the system date)."""
    if isinstance(context, RowContext):
        return context.today
    if isinstance(context, Mapping):
        return context.get("today")
    return None


class CaseRow(ExportRow):
    """A line of `sager*.csv` → table `cases`."""

    KIND: ClassVar[str] = "sager"

    id: Key
    citizen_id: Key
    department: str
    paragraph: Annotated[str, BeforeValidator(parse_paragraph)]
    contact_date: Date
    treatment_start: OptionalDate = None
    free_choice: Bool = False
    closed_on: OptionalDate = None
    closing_status: Annotated[str | None, BeforeValidator(parse_closing_status)] = Field(None, validate_default=True)
    plan_reviewed_on: OptionalDate = None
    # The citizen's consent to a follow-up call after discharge (Gladsaxe asks for it, 003 § 2.7);
    # None: the export did not say.
    follow_up_consent: OptionalBool = None
    # plan_interval_mdr: the review interval agreed in the plan (004, 000 § 4.1); None: the site's.
    plan_interval_months: Annotated[int | None, BeforeValidator(parse_plan_interval)] = None
    # laege_gennemgang: the last medical review (003 § 3.4, 000 § 2.1, 001).
    medical_reviewed_on: OptionalDate = None
    # personligt_fremmoede: the first personal attendance, where the site's clock starts there (004).
    personal_attendance_on: OptionalDate = None
    # samarbejde: the partner the course is shared with, one the site names (Odense: Vista
    # Balboa, 000 § 2.1); None: none.
    partner: str | None = None
    # udfald, maal_opnaaet: the outcome at discharge (DESIGN §1 "Key figures"); None: not given.
    outcome: Annotated[str | None, BeforeValidator(parse_outcome)] = None
    goals_reached: Annotated[str | None, BeforeValidator(parse_goals_reached)] = None

    @field_validator("partner", mode="before")
    @classmethod
    def _partner(cls, value: Any, info: ValidationInfo) -> str | None:
        return partner_name(value, row_context(info.context))

    @field_validator("department", mode="before")
    @classmethod
    def _department(cls, value: Any, info: ValidationInfo) -> str:
        return department_id(value, row_context(info.context))

    @field_validator("treatment_start")
    @classmethod
    def _start_after_contact(cls, value: date | None, info: ValidationInfo) -> date | None:
        contact = info.data.get("contact_date")
        if value is not None and contact is not None and value < contact:
            invalid(_("treatment start is before the request (henvendelse {date})").format(date=contact.isoformat()))
        return value

    @field_validator("personal_attendance_on")
    @classmethod
    def _attendance_after_contact(cls, value: date | None, info: ValidationInfo) -> date | None:
        contact = info.data.get("contact_date")
        if value is not None and contact is not None and value < contact:
            invalid(
                _("the personal attendance is before the request (henvendelse {date})").format(date=contact.isoformat())
            )
        return value

    @field_validator("closing_status")
    @classmethod
    def _closed_with_status(cls, value: str | None, info: ValidationInfo) -> str | None:
        if "closed_on" not in info.data:  # afsluttet itself was wrong: reported there
            return value
        closed = info.data["closed_on"]
        if closed is not None and value is None:
            invalid(_("the case is closed (afsluttet): afslutningsstatus is required"))
        if closed is None and value is not None:
            invalid(_("afslutningsstatus given, but the closing date (afsluttet) is empty"))
        return value


class PrescriptionRow(ExportRow):
    """A line of `ordinationer*.csv` → table `prescriptions`."""

    KIND: ClassVar[str] = "ordinationer"

    id: Key
    citizen_id: Key
    preparation: str
    dose_mg: Decimal
    doses_per_day: Annotated[int, BeforeValidator(parse_doses_per_day)] = 1
    pickup_rule: Annotated[str, BeforeValidator(parse_pickup_rule)]
    supervised: Bool = True
    valid_from: Date
    valid_to: OptionalDate = None
    prescribed_by: Name = ""
    delivery: Bool = False
    last_dispensed_on: OptionalDate = None
    # udlevering_godkendt: the visitation committee's approval of medicine dispensed away from
    # the centre (Gladsaxe, 003 § 3.2.1); optional, read at the window, not checked here.
    approved_on: OptionalDate = None

    @field_validator("preparation", mode="before")
    @classmethod
    def _preparation(cls, value: Any, info: ValidationInfo) -> str:
        return preparation_id(value, row_context(info.context))

    @field_validator("dose_mg", mode="before")
    @classmethod
    def _dose(cls, value: Any) -> Decimal:
        return parse_dose(value)

    @field_validator("valid_to")
    @classmethod
    def _valid_period(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("valid_from")
        if value is not None and start is not None and value < start:
            invalid(_("valid to is before valid from (gyldig_fra {date})").format(date=start.isoformat()))
        return value

    # Heroin (a preparation the site gives only under supervision) is never taken home or
    # delivered (DESIGN §1; 000 § 5.4 "overvåget indtag"): an order that would be is refused on
    # the column that says so. Skipped when the preparation itself was wrong.
    @field_validator("pickup_rule")
    @classmethod
    def _supervised_only_daily(cls, value: str, info: ValidationInfo) -> str:
        name = _supervised_only(info)
        if name is not None and not is_daily_rule(value):
            invalid(
                _(
                    "{preparation} is given only under supervision, every day: the pickup rule must be FREQ=DAILY"
                ).format(preparation=name)
            )
        return value

    @field_validator("supervised")
    @classmethod
    def _supervised_only_supervised(cls, value: bool, info: ValidationInfo) -> bool:
        name = _supervised_only(info)
        if name is not None and not value:
            invalid(
                _("{preparation} is given only under supervision and never taken home: overvaaget must be ja").format(
                    preparation=name
                )
            )
        return value

    @field_validator("delivery")
    @classmethod
    def _supervised_only_not_delivered(cls, value: bool, info: ValidationInfo) -> bool:
        name = _supervised_only(info)
        if name is not None and value:
            invalid(
                _(
                    "{preparation} is given only under supervision at the clinic and never delivered: "
                    "udbringning must be nej"
                ).format(preparation=name)
            )
        return value


def _supervised_only(info: ValidationInfo) -> str | None:
    """The name of the row's preparation when the site gives it only under supervision."""
    preparation = info.data.get("preparation")
    if preparation is None:
        return None
    return row_context(info.context).supervised_only.get(preparation)


class AppointmentRow(ExportRow):
    """A line of `aftaler*.csv` → table `appointments`."""

    KIND: ClassVar[str] = "aftaler"

    id: Key
    citizen_id: Key
    department: str
    starts_at: Annotated[AwareDatetime, BeforeValidator(parse_datetime)]
    kind: Annotated[str, BeforeValidator(parse_appointment_kind)] = "samtale"
    clinician: Name = ""

    @field_validator("department", mode="before")
    @classmethod
    def _department(cls, value: Any, info: ValidationInfo) -> str:
        return department_id(value, row_context(info.context))


class ReceiptRow(ExportRow):
    """A line of `lager*.csv` → table `pending_receipts`: a receipt from the pharmacy system,
    waiting for a witness at the window (DESIGN §1 "Controlled-substance accounts")."""

    KIND: ClassVar[str] = "lager"

    id: Key  # bevaegelse_id
    preparation: str
    strength: Annotated[str, Field(max_length=64)] = ""
    mg: Decimal
    lot: Annotated[str, Field(max_length=100)] = ""
    supplier: Name = ""
    invoice: Annotated[str, Field(max_length=100)] = ""
    received_on: OptionalDate = None

    @field_validator("preparation", mode="before")
    @classmethod
    def _preparation(cls, value: Any, info: ValidationInfo) -> str:
        return preparation_id(value, row_context(info.context))

    @field_validator("mg", mode="before")
    @classmethod
    def _mg(cls, value: Any) -> Decimal:
        return parse_amount(value)


MODELS: dict[str, type[ExportRow]] = {
    "borgere": CitizenRow,
    "sager": CaseRow,
    "ordinationer": PrescriptionRow,
    "aftaler": AppointmentRow,
    "lager": ReceiptRow,
}

# A validated row is kept as a named tuple of its model's fields, in the model's order: a model
# instance with its own dict took ~350 bytes a row beside ~90 for a tuple (80,000 citizens held
# until the whole file is known to be good: ~20 MB). Read by the same attribute names.
ROW_VALUES: dict[str, type[tuple[Any, ...]]] = {
    kind: namedtuple(f"{model.__name__}Values", list(model.model_fields)) for kind, model in MODELS.items()
}


# --- file columns -> fields ----------------------------------------------------------------


class Column(NamedTuple):
    name: str  # as DESIGN §3 writes it (ASCII); files may use Danish letters, any case
    field: str
    required: bool = False


COLUMNS: dict[str, tuple[Column, ...]] = {
    "borgere": (
        Column("borger_id", "id", True),
        Column("cpr", "cpr"),
        Column("fornavn", "first_name"),
        Column("efternavn", "last_name"),
        Column("alias", "alias"),
        Column("telefon", "phone"),
    ),
    "sager": (
        Column("sag_id", "id", True),
        Column("borger_id", "citizen_id", True),
        Column("afdeling", "department", True),
        Column("paragraf", "paragraph", True),
        Column("henvendelse", "contact_date", True),
        Column("behandlingsstart", "treatment_start"),
        Column("frit_valg", "free_choice"),
        Column("afsluttet", "closed_on"),
        Column("afslutningsstatus", "closing_status"),
        Column("plan_revideret", "plan_reviewed_on"),
        Column("samtykke_opfoelgning", "follow_up_consent"),
        Column("plan_interval_mdr", "plan_interval_months"),
        Column("laege_gennemgang", "medical_reviewed_on"),
        Column("personligt_fremmoede", "personal_attendance_on"),
        Column("samarbejde", "partner"),
        Column("udfald", "outcome"),
        Column("maal_opnaaet", "goals_reached"),
    ),
    "ordinationer": (
        Column("ordination_id", "id", True),
        Column("borger_id", "citizen_id", True),
        Column("praeparat", "preparation", True),
        Column("dosis_mg", "dose_mg", True),
        Column("doser_pr_dag", "doses_per_day"),
        Column("udlevering", "pickup_rule", True),
        Column("overvaaget", "supervised"),
        Column("gyldig_fra", "valid_from", True),
        Column("gyldig_til", "valid_to"),
        Column("ordineret_af", "prescribed_by"),
        Column("udbringning", "delivery"),
        Column("sidst_udleveret", "last_dispensed_on"),
        Column("udlevering_godkendt", "approved_on"),
    ),
    "aftaler": (
        Column("aftale_id", "id", True),
        Column("borger_id", "citizen_id", True),
        Column("afdeling", "department", True),
        Column("tidspunkt", "starts_at", True),
        Column("type", "kind"),
        Column("behandler", "clinician"),
    ),
    "lager": (
        Column("bevaegelse_id", "id", True),
        Column("praeparat", "preparation", True),
        Column("styrke", "strength"),
        Column("maengde_mg", "mg", True),
        Column("lot", "lot"),
        Column("leverandoer", "supplier"),
        Column("faktura", "invoice"),
        Column("modtaget", "received_on"),
    ),
}


def header_key(name: str) -> str:
    """A header cell as a look-up key: case, Danish letters, BOM, `_`, `-` and spaces folded.

    `Fødselsdato`, ` foedselsdato `, `FOEDSELS_DATO` all give `foedselsdato`.
    """
    return normalise_key(name.replace("\ufeff", "")).replace(" ", "").replace("-", "")


HEADER_KEYS: dict[str, dict[str, Column]] = {
    kind: {header_key(column.name): column for column in columns} for kind, columns in COLUMNS.items()
}
