"""Fixtures for the export-file tests: the Odense site, a fixed "today", real files on disk."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from skranke.domain.site import Site
from skranke.sites import load_site
from skranke.sync import ParsedFile, read_export

# CPR birth dates are checked against "today"; tests pass it, so they never age.
TODAY = date(2025, 6, 1)


@pytest.fixture(scope="session")
def site() -> Site:
    return load_site("odense")


@pytest.fixture
def read(tmp_path: Path, site: Site):
    """Write `text` (or bytes) to tmp_path/name in `encoding` and read it back as a real file."""

    def reader(name: str, text: str | bytes, encoding: str = "utf-8", **options) -> ParsedFile:
        path = tmp_path / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode(encoding))
        options.setdefault("today", TODAY)
        return read_export(path, None, site, **options)

    return reader
