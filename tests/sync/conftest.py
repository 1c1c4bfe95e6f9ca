"""Fixtures for the export-file tests: the Odense site, a fixed "today", real files on disk."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal, Protocol, TypeVar

import pytest

from skranke.domain.site import Site
from skranke.sites import load_site
from skranke.sync import ParsedFile, read_export
from skranke.sync.rows import ExportRow

# CPR birth dates are checked against "today"; tests pass it, so they never age.
TODAY = date(2025, 6, 1)
RowT = TypeVar("RowT", bound=ExportRow)


def models(parsed: ParsedFile, kind: type[RowT]) -> list[RowT]:
    """The file's rows as the model of its kind (`parsed.models` is typed as the base class)."""
    built = parsed.models  # built anew on each read
    rows = [m for m in built if isinstance(m, kind)]
    assert len(rows) == len(built), f"not all rows are {kind.__name__}"
    return rows


class Read(Protocol):
    """The `read` fixture: write a file and read it back as an export."""

    def __call__(
        self,
        name: str,
        text: str | bytes,
        encoding: str = "utf-8",
        *,
        today: date = TODAY,
        unknown_columns: Literal["reject", "ignore"] = "reject",
    ) -> ParsedFile: ...


@pytest.fixture(scope="session")
def site() -> Site:
    return load_site("odense")


@pytest.fixture
def read(tmp_path: Path, site: Site) -> Read:
    """Write `text` (or bytes) to tmp_path/name in `encoding` and read it back as a real file."""

    def reader(
        name: str,
        text: str | bytes,
        encoding: str = "utf-8",
        *,
        today: date = TODAY,
        unknown_columns: Literal["reject", "ignore"] = "reject",
    ) -> ParsedFile:
        path = tmp_path / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode(encoding))
        return read_export(path, None, site, today=today, unknown_columns=unknown_columns)

    return reader
