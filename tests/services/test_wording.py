"""What the desk reads of stored codes: words, never the code."""

from __future__ import annotations

import pytest

from skranke.i18n import set_language
from skranke.services.wording import refusal_text


@pytest.mark.parametrize(
    ("stored", "danish"),
    [
        ("declined vil komme i eftermiddag", "borgeren afslog: vil komme i eftermiddag"),
        ("intoxicated", "påvirket"),
        ("other glemte kortet", "andet: glemte kortet"),
        ("skrevet i hånden før koderne", "skrevet i hånden før koderne"),  # no code: as it is
        ("", ""),
    ],
)
def test_a_refusals_stored_reason_is_read_in_words(stored: str, danish: str) -> None:
    assert refusal_text(stored) == danish


def test_a_refusals_reason_in_english() -> None:
    set_language("en")
    assert refusal_text("declined back at two") == "citizen declined: back at two"
    assert refusal_text("other forgot the card") == "other: forgot the card"
