"""Property: every sync either imports exactly the valid file or rejects it, the store as it was."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from skranke.services.context import Skranke
from skranke.services.sync import import_file
from skranke.sites import load_site
from skranke.store.imports import TABLES, data_columns
from skranke.sync.reader import sort_key
from tests.conftest import make_skranke
from tests.sync.strategies import (
    TODAY,
    BrokenSample,
    ExportSample,
    broken_export_files,
    export_bundles,
    export_files,
)

# Long-running: left out by `pytest -m "not slow"` (README, Testing).
pytestmark = pytest.mark.slow

SITE = load_site("odense")
NOW = f"{TODAY}T09:00"
PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def store_state(skranke: Skranke) -> dict[str, list[tuple[Any, ...]]]:  # rows of columns of any type
    state: dict[str, list[tuple[Any, ...]]] = {}
    with skranke.database.reading() as session:
        for kind, model in TABLES.items():
            columns = [model.__table__.c[name] for name in data_columns(kind)]
            state[kind] = sorted(tuple(row) for row in session.execute(select(*columns)))
    return state


def fresh_store_with(bundle: list[ExportSample]) -> tuple[Skranke, Path]:
    folder = Path(tempfile.mkdtemp(prefix="skranke-property-"))
    skranke = make_skranke(NOW, f"sqlite:///{folder / 'store.db'}", inbox=str(folder / "inbox"))
    for sample in sorted(bundle, key=lambda s: sort_key(s.name)):
        path = folder / sample.name
        path.write_bytes(sample.data)
        assert import_file(skranke, path).outcome in ("imported", "unchanged"), sample.name
    return skranke, folder


@PROPERTY
@given(bundle=export_bundles(SITE), sample=st.one_of(export_files(SITE), broken_export_files(SITE)))
def test_a_file_is_imported_exactly_or_rejected_leaving_the_store_as_it_was(
    bundle: list[ExportSample], sample: ExportSample | BrokenSample
) -> None:
    skranke, folder = fresh_store_with(bundle)
    try:
        before = store_state(skranke)
        path = folder / "next" / sample.name
        path.parent.mkdir()
        path.write_bytes(sample.data)
        outcome = import_file(skranke, path)
        after = store_state(skranke)
        if outcome.outcome == "rejected":
            assert after == before
            assert outcome.errors, "a rejected file names its reasons"
            if hasattr(sample, "expected"):  # a valid file is refused only for what the store holds
                assert all(
                    "borger findes ikke: hverken i databasen eller i en tidligere fil" in e
                    or "CPR-nummeret tilhører allerede borger" in e
                    for e in outcome.errors
                ), outcome.errors
            return
        assert hasattr(sample, "expected"), f"a broken file was imported: {sample.faults}"
        # Exactly the file: every row of it is in the store as read; every other row untouched.
        columns = data_columns(sample.kind)
        written = {tuple(row[c] for c in columns) for _line, row in sample.expected}
        keys = {row[0] for row in written}
        assert written <= set(after[sample.kind])
        untouched = [row for row in before[sample.kind] if row[0] not in keys]
        assert sorted(untouched + sorted(written)) == after[sample.kind]
        for kind in TABLES:
            if kind != sample.kind:
                assert after[kind] == before[kind]
    finally:
        skranke.close()


@PROPERTY
@given(bundle=export_bundles(SITE))
def test_a_valid_morning_export_imports_whole_and_again_changes_nothing(bundle: list[ExportSample]) -> None:
    skranke, folder = fresh_store_with(bundle)
    try:
        first = store_state(skranke)
        assert sum(len(rows) for rows in first.values()) == sum(len(s.expected) for s in bundle)
        again = folder / "again"
        again.mkdir()
        for sample in sorted(bundle, key=lambda s: sort_key(s.name)):
            (again / sample.name).write_bytes(sample.data)
            assert import_file(skranke, again / sample.name).outcome == "unchanged"
        assert store_state(skranke) == first
    finally:
        skranke.close()
