"""Property tests over generated export files (tests/sync/strategies.py)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from skranke.sites import load_site
from skranke.sync import read_export, sort_key

from .strategies import BrokenSample, ExportSample, broken_export_files, export_bundles, export_files

# Long-running: left out by `pytest -m "not slow"` (README, Testing).
pytestmark = pytest.mark.slow

SITE = load_site("odense")
PROPERTY = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(sample=export_files(SITE))
def test_valid_files_read_back_exactly(sample: ExportSample) -> None:
    parsed = read_export(sample.data, sample.name, SITE, today=sample.today)
    assert parsed.ok, [str(e) for e in parsed.errors]
    assert parsed.kind == sample.kind
    assert parsed.encoding == sample.detected_encoding
    assert [(row.line, row.row._asdict()) for row in parsed.rows] == sample.expected


@PROPERTY
@given(sample=broken_export_files(SITE))
def test_broken_files_report_every_fault_where_it_is(sample: BrokenSample) -> None:
    parsed = read_export(sample.data, sample.name, SITE, today=sample.today)
    assert not parsed.ok
    found = {(e.line, e.column) for e in parsed.errors}
    assert found == sample.errors, (sample.faults, [str(e) for e in parsed.errors])
    if sample.file_level:
        assert parsed.rows == []
    else:  # a row is either read or reported, never both
        assert not {row.line for row in parsed.rows} & {line for line, _ in sample.errors}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bundle=export_bundles(SITE))
def test_bundles_read_in_dependency_order_and_refer_to_their_citizens(bundle: list[ExportSample]) -> None:
    ordered = sorted(bundle, key=lambda s: sort_key(s.name))
    assert [s.kind for s in ordered] == ["borgere", "sager", "ordinationer", "aftaler"]
    citizens: set[str] = set()
    for sample in ordered:
        parsed = read_export(sample.data, sample.name, SITE, today=sample.today)
        assert parsed.ok, [str(e) for e in parsed.errors]
        if sample.kind == "borgere":
            citizens = {row.row.id for row in parsed.rows}
        else:
            assert {row.row.citizen_id for row in parsed.rows} <= citizens
