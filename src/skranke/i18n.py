"""What the user reads: gettext catalogues (Danish, English) and Danish formatting via babel.

Message ids are English; `locale/<lang>/LC_MESSAGES/skranke.po` holds the catalogues. They are
compiled on first use, so the repository carries no generated .mo files; the compiled catalogue
is kept in the user's cache folder (`skranke.cache`) until the .po file or skranke changes, so
a start reads it with the standard library instead of parsing the .po with babel.
"""

from __future__ import annotations

import gettext
import math
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from io import BytesIO
from pathlib import Path

from skranke import __version__
from skranke import cache as compiled_cache

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "skranke"
BABEL_LOCALES = {"da": "da_DK", "en": "en_GB"}

_language = "da"
_translations: gettext.NullTranslations | None = None  # compiled on first use


@cache
def _compiled(language: str) -> gettext.NullTranslations:
    po = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.is_file():
        return gettext.NullTranslations()
    entry, key = f"locale/{language}-{DOMAIN}.mo", (__version__, str(po), compiled_cache.file_key(po))
    mo = compiled_cache.read(entry, key)
    if not isinstance(mo, bytes):
        mo = _compile(po, language)
        compiled_cache.write(entry, key, mo)
    return gettext.GNUTranslations(BytesIO(mo))


def _compile(po: Path, language: str) -> bytes:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def set_language(language: str) -> None:
    global _language, _translations
    if language not in BABEL_LOCALES:
        raise ValueError(f"unsupported language {language!r}")
    _language = language
    _translations = _compiled(language)


def language() -> str:
    return _language


def _active() -> gettext.NullTranslations:
    global _translations
    if _translations is None:
        _translations = _compiled(_language)
    return _translations


def _(message: str) -> str:
    return _active().gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return _active().ngettext(singular, plural, count)


def babel_locale() -> str:
    return BABEL_LOCALES[_language]


# --- formatting ------------------------------------------------------------------------
#
# CLDR patterns, formatted here for the few fields the desk uses: the numbers need no locale,
# and the names of weekdays and months are babel's CLDR data, read once and then kept in the
# cache folder. A start thus shows "torsdag den 9. april 2026" without importing babel and
# loading its locale data (~25 ms of the first frame, benchmarks/startup.py). Any other field
# in a translated pattern is formatted by babel. tests/test_dates_as_babel.py holds every
# function here to babel's own output.


def long_date(day: date) -> str:
    """'mandag den 6. april 2026' / 'Monday 6 April 2026'; the pattern is per language."""
    return format_pattern(day, _("EEEE d MMMM y"))


def week_number(day: date) -> int:
    # Danish (and British) weeks are ISO weeks (Monday first, the week with 4 January is week 1).
    return day.isocalendar().week


def weekday_name(day: date) -> str:
    return _calendar_words(_language)[0][day.weekday()]


def clock_time(moment: datetime | time) -> str:
    """08.15: the Danish way; chosen deliberately for both languages on one screen."""
    return f"{moment.hour:02d}.{moment.minute:02d}"


def day_month(day: date) -> str:
    return f"{day.day:02d}.{day.month:02d}."


def short_date(day: date) -> str:
    return f"{day.day:02d}.{day.month:02d}.{day.year}"


_DANISH_DATE = re.compile(r"(\d{1,2})[.\-/](\d{1,2})[.\-/](\d{4})|(\d{2})(\d{2})(\d{4})")


def parse_date(typed: str) -> date | None:
    """A date as the desk types it: 07.12.2026, 7-12-2026, 07122026 (and 2026-12-07); None if not one."""
    text = typed.strip()
    match = _DANISH_DATE.fullmatch(text)
    try:
        if match is None:
            return date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
        day, month, year = (int(part) for part in (match.groups()[:3] if match[1] else match.groups()[3:]))
        return date(year, month, day)
    except ValueError:
        return None


_DECIMAL = re.compile(r"\s*([+-]?)(\d+)(?:[.,](\d+))?\s*")


def parse_decimal_text(text: str, places: int = 2) -> Decimal:
    """A number as Danish systems and the desk write it: comma or point as the decimal mark, at
    most `places` decimals, no thousands separator. "1.000" is refused (it reads as a thousand to
    a Danish eye and as one to Python): the ValueError's message says so, in the interface
    language. The one rule for the export files (sync.rows) and every amount typed at the desk."""
    match = _DECIMAL.fullmatch(text)
    if match is None:
        raise ValueError(_("not a number: write e.g. 12,5 or 12.5 (no thousands separator)"))
    sign, whole, fraction = match.groups()
    if fraction is None:
        return Decimal(sign + whole)
    if len(fraction) > places:
        raise ValueError(
            _("more than {places} decimals (a thousands separator? write 1000, not 1.000)").format(places=places)
        )
    return Decimal(f"{sign}{whole}.{fraction}")


def near_date(day: date, today: date) -> str:
    """'22.07.' in the clock's year, '22.07.2023' in any other: a date is never read in the wrong year."""
    return day_month(day) if day.year == today.year else short_date(day)


def weekday_date(day: date, today: date | None = None) -> str:
    """'onsdag 1. april' / 'Wednesday 1 April': a day near today, said the way the desk says it;
    with the year when it is not today's year (given `today`, the clock's)."""
    if today is not None and day.year != today.year:
        return long_date(day)
    return format_pattern(day, _("EEEE d MMMM"))


# A CLDR date pattern: quoted text ('den', '' for a quote), runs of one letter, anything else.
_PATTERN_PART = re.compile(r"'(?:[^']|'')*'|([A-Za-z])\1*|[^'A-Za-z]+")


def format_pattern(day: date, pattern: str) -> str:
    """`day` by the CLDR date `pattern` in the interface language, as babel's format_date."""
    weekdays, months = _calendar_words(_language)
    parts = []
    for match in _PATTERN_PART.finditer(pattern):
        part = match.group(0)
        if part.startswith("'"):
            parts.append(part[1:-1].replace("''", "'") if part != "''" else "'")
        elif part == "EEEE":
            parts.append(weekdays[day.weekday()])
        elif part == "MMMM":
            parts.append(months[day.month - 1])
        elif part in ("d", "M", "y"):
            parts.append(str({"d": day.day, "M": day.month, "y": day.year}[part]))
        elif part in ("dd", "MM"):
            parts.append(f"{day.day if part == 'dd' else day.month:02d}")
        elif match.group(1):  # a field not formatted here: babel formats the whole pattern
            from babel.dates import format_date

            return format_date(day, pattern, locale=babel_locale())
        else:
            parts.append(part)
    return "".join(parts)


@cache
def _calendar_words(language: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The wide weekday names (Monday first) and month names, as dates use them, from babel."""
    import importlib.util

    # Found, not imported: another babel (which rewrites its __init__.py) reads the names anew.
    babel = importlib.util.find_spec("babel")
    locale = BABEL_LOCALES[language]
    key = (__version__, locale, compiled_cache.file_key(babel.origin) if babel and babel.origin else None)
    entry = f"locale/{locale}-calendar.pickle"
    words = compiled_cache.read(entry, key)
    if not isinstance(words, tuple):
        from babel.dates import get_day_names, get_month_names

        days = get_day_names("wide", context="format", locale=locale)
        month_names = get_month_names("wide", context="format", locale=locale)
        words = (tuple(days[i] for i in range(7)), tuple(month_names[m] for m in range(1, 13)))
        compiled_cache.write(entry, key, words)
    return words


def until(delta: timedelta) -> str:
    """One rule for every countdown: 'om 25 min.', 'om 1 time og 45 min.', 'om 2 timer', 'om 3 dage'.

    Minutes are rounded up, so the last half minute before closing reads 'om 1 min.', and the
    count agrees with the clock on the screen (hh.mm); below an hour minutes alone, below a day
    hours and the minutes left over (left out when 0), from a day on whole days (rounded down).
    """
    minutes = max(math.ceil(delta.total_seconds() / 60), 0)
    if minutes < 60:
        return _("in {minutes} min.").format(minutes=minutes)
    if minutes < 24 * 60:
        hours, rest = divmod(minutes, 60)
        hours_text = ngettext("{count} hour", "{count} hours", hours).format(count=hours)
        if rest == 0:
            return _("in {hours}").format(hours=hours_text)
        return _("in {hours} and {minutes} min.").format(hours=hours_text, minutes=rest)
    days = minutes // (24 * 60)
    return ngettext("in {count} day", "in {count} days", days).format(count=days)


def whole_number(number: int) -> str:
    """47.969 in Danish, 47,969 in English."""
    return format(number, ",").replace(",", "." if _language == "da" else ",")


def file_fault(error: OSError) -> str:
    """Why a file cannot be read, in the interface language (the system's own words are
    English under the C locale a service runs in)."""
    if isinstance(error, FileNotFoundError):
        return _("it does not exist")
    if isinstance(error, PermissionError):
        return _("no permission to read it")
    if isinstance(error, IsADirectoryError):
        return _("it is a folder, not a file")
    return error.strerror or type(error).__name__


def toml_fault(error: ValueError) -> str:
    """Where a TOML file breaks ("line 3, column 7"); tomllib's own words are English."""
    found = re.search(r"at line (\d+), column (\d+)", str(error))
    if found is None:
        return _("not valid TOML")
    return _("not valid TOML at line {line}, column {column}").format(line=found[1], column=found[2])
