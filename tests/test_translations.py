"""Every string the user reads has a Danish translation, and the catalogues load."""

from __future__ import annotations

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


def test_placeholders_survive_translation():
    catalogue = _catalogue("da")
    for message in catalogue:
        if not message.id or not isinstance(message.id, str):
            continue
        for placeholder in ("{time}", "{until}", "{count}", "{day}", "{number}"):
            if placeholder in message.id:
                assert placeholder in message.string, message.id


def test_switching_language_changes_what_is_read():
    i18n.set_language("en")
    assert i18n._("Today") == "Today"
    i18n.set_language("da")
    assert i18n._("Today") == "I dag"
