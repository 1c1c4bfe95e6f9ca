"""Every string the user reads has a Danish translation, and the catalogues load."""

from __future__ import annotations

import re
from pathlib import Path

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


def _catalogue(language: str):
    with (SOURCE / "locale" / language / "LC_MESSAGES" / "skranke.po").open("rb") as handle:
        return read_po(handle, locale=language)


def test_every_message_in_the_code_is_translated_to_danish():
    catalogue = _catalogue("da")
    untranslated = sorted(m for m in _messages_in_code() if not (catalogue.get(m) and catalogue.get(m).string))
    assert untranslated == []


PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def test_placeholders_survive_translation():
    # Every {name}, {value!r}, {line} of the English text stands in the Danish text too.
    for language in ("da", "en"):
        for message in _catalogue(language):
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            wanted = set().union(*(PLACEHOLDER.findall(text) for text in ids))
            for text in strings:
                assert set(PLACEHOLDER.findall(text)) == wanted, (language, message.id, text)


def test_switching_language_changes_what_is_read():
    i18n.set_language("en")
    assert i18n._("Today") == "Today"
    i18n.set_language("da")
    assert i18n._("Today") == "I dag"
