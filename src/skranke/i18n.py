"""What the user reads: gettext catalogues (Danish, English) and Danish formatting via babel.

Message ids are English; `locale/<lang>/LC_MESSAGES/skranke.po` holds the catalogues. They are
compiled on first use, so the repository carries no generated .mo files; the compiled catalogue
is kept in the user's cache folder (`skranke.cache`) until the .po file or skranke changes, so
a start reads it with the standard library instead of parsing the .po with babel.
"""

from __future__ import annotations

import gettext
import math
from datetime import date, datetime, time, timedelta
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.dates import format_date, format_time

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


def long_date(day: date) -> str:
    """'mandag den 6. april 2026' / 'Monday 6 April 2026'; the pattern is per language."""
    return format_date(day, _("EEEE d MMMM y"), locale=babel_locale())


def week_number(day: date) -> int:
    # Danish weeks are ISO weeks (Monday first, the week with 4 January is week 1).
    return int(format_date(day, "w", locale=babel_locale()))


def weekday_name(day: date) -> str:
    return format_date(day, "EEEE", locale=babel_locale())


def clock_time(moment: datetime | time) -> str:
    """08.15: the Danish way; chosen deliberately for both languages on one screen."""
    return format_time(moment, "HH.mm", locale=babel_locale())


def day_month(day: date) -> str:
    return format_date(day, "dd.MM.", locale=babel_locale())


def short_date(day: date) -> str:
    return format_date(day, "dd.MM.y", locale=babel_locale())


def weekday_date(day: date) -> str:
    """'onsdag 1. april' / 'Wednesday 1 April': a day near today, said the way the desk says it."""
    return format_date(day, _("EEEE d MMMM"), locale=babel_locale())


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
