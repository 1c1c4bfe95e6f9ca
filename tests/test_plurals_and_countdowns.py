"""Counts read right in both languages, and every countdown follows one rule, edges included."""

from __future__ import annotations

from datetime import timedelta

import pytest

from skranke import i18n
from skranke.i18n import ngettext, until


@pytest.mark.parametrize(
    ("singular", "plural", "one", "two"),
    [
        ("{count} file", "{count} files", "1 fil", "2 filer"),
        ("{count} row", "{count} rows", "1 række", "2 rækker"),
        ("{count} event", "{count} events", "1 hændelse", "2 hændelser"),
        ("{count} day", "{count} days", "1 dag", "2 dage"),
        ("{count} hour", "{count} hours", "1 time", "2 timer"),
        ("{count} new", "{count} new", "1 ny", "2 nye"),
        ("{count} changed", "{count} changed", "1 ændret", "2 ændrede"),
        ("{count} unchanged", "{count} unchanged", "1 uændret", "2 uændrede"),
        (
            "{count} dose recorded as missed.",
            "{count} doses recorded as missed.",
            "1 dosis registreret som udeblevet.",
            "2 doser registreret som udeblevet.",
        ),
    ],
)
def test_danish_plural_forms(singular: str, plural: str, one: str, two: str) -> None:
    assert ngettext(singular, plural, 1).format(count=1) == one
    assert ngettext(singular, plural, 2).format(count=2) == two
    assert ngettext(singular, plural, 0).format(count=0) == two.replace("2", "0")


def test_english_plural_forms() -> None:
    i18n.set_language("en")
    assert ngettext("{count} file", "{count} files", 1).format(count=1) == "1 file"
    assert ngettext("{count} file", "{count} files", 2).format(count=2) == "2 files"


@pytest.mark.parametrize(
    ("delta", "in_danish", "in_english"),
    [
        (timedelta(0), "om 0 min.", "in 0 min"),
        (timedelta(seconds=1), "om 1 min.", "in 1 min"),  # rounded up: never "0 min." before the time
        (timedelta(seconds=30), "om 1 min.", "in 1 min"),
        (timedelta(minutes=25), "om 25 min.", "in 25 min"),
        (timedelta(minutes=59), "om 59 min.", "in 59 min"),
        (timedelta(minutes=59, seconds=1), "om 1 time", "in 1 hour"),
        (timedelta(minutes=60), "om 1 time", "in 1 hour"),
        (timedelta(minutes=61), "om 1 time og 1 min.", "in 1 hour and 1 min"),
        (timedelta(minutes=105), "om 1 time og 45 min.", "in 1 hour and 45 min"),
        (timedelta(minutes=120), "om 2 timer", "in 2 hours"),
        (timedelta(hours=23, minutes=59), "om 23 timer og 59 min.", "in 23 hours and 59 min"),
        (timedelta(hours=24), "om 1 dag", "in 1 day"),
        (timedelta(hours=47, minutes=59), "om 1 dag", "in 1 day"),
        (timedelta(days=2), "om 2 dage", "in 2 days"),
        (timedelta(days=13), "om 13 dage", "in 13 days"),  # never "om 2 uger"
        (timedelta(minutes=-5), "om 0 min.", "in 0 min"),
    ],
)
def test_countdowns_are_worded_and_rounded_one_way(delta: timedelta, in_danish: str, in_english: str) -> None:
    assert until(delta) == in_danish
    i18n.set_language("en")
    assert until(delta) == in_english
