"""Every string the user reads has a Danish translation, and the catalogues load."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import skranke
from skranke import i18n

SOURCE = Path(skranke.__file__).resolve().parent


def _messages_in_code() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(SOURCE), method_map=[("**.py", "python")], keywords={"_": None, "ngettext": (1, 2)}
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _catalogue(language: str) -> Catalog:
    with (SOURCE / "locale" / language / "LC_MESSAGES" / "skranke.po").open("rb") as handle:
        return read_po(handle, locale=language)


def test_every_message_in_the_code_is_translated_to_danish() -> None:
    catalogue = _catalogue("da")
    untranslated = sorted(m for m in _messages_in_code() if not ((found := catalogue.get(m)) and found.string))
    assert untranslated == []


PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def test_placeholders_survive_translation() -> None:
    # Every {name}, {value!r}, {line} of the English text stands in the Danish text too.
    for language in ("da", "en"):
        for message in _catalogue(language):
            if not message.id:
                continue
            assert message.string is not None, message.id  # read_po gives "" for an empty msgstr
            ids = (message.id,) if isinstance(message.id, str) else tuple(message.id)
            strings = (message.string,) if isinstance(message.string, str) else tuple(message.string)
            wanted = set().union(*(PLACEHOLDER.findall(text) for text in ids))
            for text in strings:
                assert set(PLACEHOLDER.findall(text)) == wanted, (language, message.id, text)


def test_switching_language_changes_what_is_read() -> None:
    i18n.set_language("en")
    assert i18n._("Today") == "Today"
    i18n.set_language("da")
    assert i18n._("Today") == "I dag"


def _entries(language: str) -> list[tuple[str, str]]:
    """(context, msgid) of every entry as written, duplicates kept: babel keeps one of two."""
    lines = (SOURCE / "locale" / language / "LC_MESSAGES" / "skranke.po").read_text(encoding="utf-8").splitlines()
    entries, context, index = [], "", 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("msgctxt "):
            context = line[len("msgctxt ") :]
        elif line.startswith("msgid "):
            text = [line[len("msgid ") :]]
            while index + 1 < len(lines) and lines[index + 1].startswith('"'):
                index += 1
                text.append(lines[index])
            entries.append((context, "".join(text)))
            context = ""
        index += 1
    return entries


def test_no_message_is_in_a_catalogue_twice() -> None:
    # Two entries of one msgid: one translation silently wins ("Home" was both the key and the
    # Done tab's take-home column, and the column read "Til start").
    for language in ("da", "en"):
        entries = _entries(language)
        twice = sorted({entry for entry in entries if entries.count(entry) > 1})
        assert twice == [], (language, twice)
