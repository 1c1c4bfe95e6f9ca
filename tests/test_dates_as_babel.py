"""skranke.i18n formats dates and times without babel at start-up: exactly as babel would."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

import pytest
from babel.dates import format_date, format_time
from babel.messages.pofile import read_po

from skranke import i18n
from skranke.clock import TIMEZONE
from skranke.i18n import (
    LOCALE_DIR,
    clock_time,
    day_month,
    format_pattern,
    long_date,
    set_language,
    short_date,
    week_number,
    weekday_date,
    weekday_name,
)

# Four years, two of them leap years, with every weekday, month and ISO week 53 of 2026.
DAYS = [date(2024, 1, 1) + timedelta(days=n) for n in range(4 * 366)]


@pytest.fixture(params=["da", "en"])
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    language: str = request.param
    set_language(language)
    yield language
    set_language("da")


def test_every_day_reads_as_babel_writes_it(language: str) -> None:
    locale = i18n.BABEL_LOCALES[language]
    long_pattern, weekday_pattern = i18n._("EEEE d MMMM y"), i18n._("EEEE d MMMM")
    for day in DAYS:
        assert long_date(day) == format_date(day, long_pattern, locale=locale)
        assert weekday_date(day) == format_date(day, weekday_pattern, locale=locale)
        assert weekday_name(day) == format_date(day, "EEEE", locale=locale)
        assert day_month(day) == format_date(day, "dd.MM.", locale=locale)
        assert short_date(day) == format_date(day, "dd.MM.y", locale=locale)
        assert week_number(day) == int(format_date(day, "w", locale=locale))


def test_every_minute_reads_as_babel_writes_it(language: str) -> None:
    locale = i18n.BABEL_LOCALES[language]
    start = datetime(2026, 3, 29, 0, 0, tzinfo=TIMEZONE)  # the night summer time begins
    for minute in range(0, 24 * 60, 7):
        moment = start + timedelta(minutes=minute)
        assert clock_time(moment) == format_time(moment, "HH.mm", locale=locale)
        assert clock_time(moment.time()) == format_time(moment.time(), "HH.mm", locale=locale)
    assert clock_time(time(8, 5)) == "08.05"


def test_each_catalogue_s_date_patterns_read_as_babel_writes_them() -> None:
    for language, locale in i18n.BABEL_LOCALES.items():
        with (LOCALE_DIR / language / "LC_MESSAGES" / "skranke.po").open("rb") as handle:
            catalogue = read_po(handle)
        patterns = [
            m.string
            for m in catalogue
            if isinstance(m.id, str) and m.id.startswith("EEEE") and isinstance(m.string, str)
        ]
        assert len(patterns) >= 2
        set_language(language)
        for pattern in patterns:
            for day in DAYS[::5]:
                assert format_pattern(day, pattern) == format_date(day, pattern, locale=locale)
    set_language("da")


def test_a_field_not_formatted_here_is_left_to_babel(language: str) -> None:
    locale = i18n.BABEL_LOCALES[language]
    for pattern in ("EEE d. MMM ''yy", "QQQ y", "d 'o''clock' MMMM"):
        assert format_pattern(date(2026, 4, 9), pattern) == format_date(date(2026, 4, 9), pattern, locale=locale)
