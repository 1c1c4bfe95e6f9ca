"""The compiled catalogues are kept in the cache folder, and compiled anew when a .po changes."""

from __future__ import annotations

import gettext
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from skranke import i18n
from skranke.cache import CACHE_VARIABLE


@pytest.fixture
def own_catalogues(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the shipped catalogues and an empty cache folder, for this test alone."""
    locale = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, locale)
    monkeypatch.setattr(i18n, "LOCALE_DIR", locale)
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path / "cache"))
    i18n._compiled.cache_clear()
    yield locale
    i18n._compiled.cache_clear()


def _fresh(language: str) -> gettext.NullTranslations:
    i18n._compiled.cache_clear()  # as a new process would
    return i18n._compiled(language)


def test_a_cached_catalogue_translates_as_the_po_file_says(
    own_catalogues: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled = _fresh("da")
    assert list((own_catalogues.parent / "cache" / "locale").iterdir())
    monkeypatch.setattr(i18n, "_compile", lambda *_: pytest.fail("compiled again although cached"))
    cached = _fresh("da")
    assert cached.gettext("Deadlines") == compiled.gettext("Deadlines") == "Frister"
    assert cached.ngettext("{count} day", "{count} days", 2) == "{count} dage"


def test_a_changed_po_file_is_compiled_anew(own_catalogues: Path) -> None:
    assert _fresh("da").gettext("Deadlines") == "Frister"
    po = own_catalogues / "da" / "LC_MESSAGES" / "skranke.po"
    text = po.read_text(encoding="utf-8").replace('msgstr "Frister"', 'msgstr "Tidsfrister"', 1)
    before = po.stat().st_mtime_ns
    po.write_text(text, encoding="utf-8")
    os.utime(po, ns=(before + 10**9, before + 10**9))
    assert _fresh("da").gettext("Deadlines") == "Tidsfrister"
