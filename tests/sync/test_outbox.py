"""The outbox: atomic, idempotent files of locally recorded events."""

from __future__ import annotations

import csv
import os
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from skranke.sync import OutboxConflict, OutboxFile, existing_outbox_ranges, write_outbox_file


def _events(first: int, last: int) -> list[dict[str, Any]]:  # as write_outbox_file takes them
    return [
        {
            "event_id": n,
            "kind": "dispensing",
            "occurred_at": datetime(2025, 3, 1, 8, 15, n % 60, tzinfo=UTC),
            "citizen_id": f"B{n}",
            "dose_mg": Decimal("45.5"),
            "supervised": n % 2 == 0,
            "note": 'med ; semikolon, "citat" og\nlinjeskift' if n == first else None,
            "payload": {"æ": "ø", "n": n},
        }
        for n in range(first, last + 1)
    ]


def _read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def test_writes_semicolon_utf8_csv_with_header(tmp_path: Path) -> None:
    path = write_outbox_file(tmp_path, _events(1, 3), 1, 3)
    assert path == tmp_path / "haendelser_000000001-000000003.csv"
    rows = _read(path)
    assert rows[0] == ["event_id", "kind", "occurred_at", "citizen_id", "dose_mg", "supervised", "note", "payload"]
    assert rows[1] == [
        "1", "dispensing", "2025-03-01T08:15:01+00:00", "B1", "45.5", "nej",
        'med ; semikolon, "citat" og\nlinjeskift', '{"n":1,"æ":"ø"}',
    ]  # fmt: skip
    assert rows[2][5:7] == ["ja", ""]
    assert len(rows) == 4
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_no_temporary_file_is_left(tmp_path: Path) -> None:
    write_outbox_file(tmp_path, _events(1, 2), 1, 2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["haendelser_000000001-000000002.csv"]


def test_rerun_is_idempotent(tmp_path: Path) -> None:
    first = write_outbox_file(tmp_path, _events(1, 2), 1, 2)
    content, stat = first.read_bytes(), first.stat()
    again = write_outbox_file(tmp_path, _events(1, 2), 1, 2)
    assert again == first
    assert again.read_bytes() == content
    assert again.stat().st_mtime_ns == stat.st_mtime_ns  # not rewritten
    assert len(list(tmp_path.iterdir())) == 1


def test_existing_ranges_for_crash_recovery(tmp_path: Path) -> None:
    assert existing_outbox_ranges(tmp_path / "missing") == []
    write_outbox_file(tmp_path, _events(11, 12), 11, 12)
    write_outbox_file(tmp_path, _events(1, 10), 1, 10)
    (tmp_path / ".haendelser_000000013-000000014.x.tmp").write_text("half")
    (tmp_path / "notes.txt").write_text("x")
    ranges = existing_outbox_ranges(tmp_path)
    assert [(r.first_id, r.last_id) for r in ranges] == [(1, 10), (11, 12)]
    assert isinstance(ranges[0], OutboxFile) and ranges[0].path.name == "haendelser_000000001-000000010.csv"


def test_overlapping_range_is_refused(tmp_path: Path) -> None:
    write_outbox_file(tmp_path, _events(1, 10), 1, 10)
    message = "haendelser_000000001-000000010.csv indeholder allerede hændelserne 1-10, som overlapper 5-12"
    with pytest.raises(OutboxConflict, match=message):
        write_outbox_file(tmp_path, _events(5, 12), 5, 12)
    write_outbox_file(tmp_path, _events(11, 12), 11, 12)  # the next range is fine


def test_wide_ids(tmp_path: Path) -> None:
    path = write_outbox_file(tmp_path, _events(1_234_567_890, 1_234_567_891), 1_234_567_890, 1_234_567_891)
    assert path.name == "haendelser_1234567890-1234567891.csv"
    assert existing_outbox_ranges(tmp_path)[0][:2] == (1_234_567_890, 1_234_567_891)


def test_failure_while_writing_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(source: str, target: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("skranke.sync.outbox.os.replace", crash)
    with pytest.raises(OSError, match="disk full"):
        write_outbox_file(tmp_path, _events(1, 2), 1, 2)
    assert list(tmp_path.iterdir()) == []


def test_data_is_fsynced_before_the_rename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        calls.append("fsync")
        real_fsync(fd)

    def replace(source: str, target: str) -> None:
        calls.append("replace")
        real_replace(source, target)

    monkeypatch.setattr("skranke.sync.outbox.os.fsync", fsync)
    monkeypatch.setattr("skranke.sync.outbox.os.replace", replace)
    write_outbox_file(tmp_path, _events(1, 1), 1, 1)
    assert calls[:2] == ["fsync", "replace"]
    if os.name != "nt":
        assert calls[2:] == ["fsync"]  # the directory


@pytest.mark.parametrize(
    ("events", "first", "last", "message"),
    [
        ([], 1, 1, "no events"),
        (_events(1, 1), 2, 1, "empty range"),
        (_events(1, 1) + [{"event_id": 2}], 1, 2, "keys"),
        (_events(1, 3), 1, 2, "outside the range"),
    ],
)
def test_bad_calls(tmp_path: Path, events: list[dict[str, Any]], first: int, last: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        write_outbox_file(tmp_path, events, first, last)
    assert list(tmp_path.iterdir()) == []


def test_creates_the_directory(tmp_path: Path) -> None:
    path = write_outbox_file(tmp_path / "udbakke" / "2025", [{"event_id": 1, "day": date(2025, 1, 2)}], 1, 1)
    assert _read(path) == [["event_id", "day"], ["1", "2025-01-02"]]
