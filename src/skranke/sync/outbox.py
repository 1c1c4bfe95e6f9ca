"""The outbox: locally recorded events written to a folder as CSV files, atomically.

One file per batch, named after the range of event ids it holds:
`haendelser_000000001-000000042.csv` (ids wider than 9 digits just get longer). The caller
(the sync service) reads events after its watermark, calls `write_outbox_file`, and then
commits the new watermark. A crash between the two leaves a complete file and an old
watermark; on the next run `existing_outbox_ranges` shows the file, and writing the same range
again returns it untouched, so every event reaches the outbox exactly once. Writing a range
that overlaps a different existing file is refused (`OutboxConflict`): it would duplicate events.

Format: `;`-separated UTF-8 (no BOM), a header row with the events' keys, CRLF line ends,
as the export files are. Values: None → empty; booleans → ja/nej; dates and datetimes → ISO
8601; dicts and lists → compact JSON; everything else → str().

Writing: a hidden temporary file in the same folder (`.haendelser_….tmp`), flushed and fsynced,
then `os.replace`d to the final name, then the folder is fsynced (where the OS allows it:
not on Windows). Readers of the folder never see a half-written `haendelser_*.csv`.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, NamedTuple

from skranke.i18n import _

PREFIX = "haendelser"
_NAME = re.compile(rf"^{PREFIX}_(\d+)-(\d+)\.csv$")


class OutboxConflict(RuntimeError):
    """An existing outbox file overlaps the range being written with other bounds."""


class OutboxFile(NamedTuple):
    first_id: int
    last_id: int
    path: Path


def outbox_file_name(first_id: int, last_id: int) -> str:
    return f"{PREFIX}_{first_id:09d}-{last_id:09d}.csv"


def existing_outbox_ranges(directory: str | os.PathLike[str]) -> list[OutboxFile]:
    """The outbox files already in `directory`, by first id. Temporary files are not listed."""
    folder = Path(directory)
    if not folder.is_dir():
        return []
    found = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match and entry.is_file():
            found.append(OutboxFile(int(match[1]), int(match[2]), entry))
    return sorted(found)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str)
    return str(value)


def _fsync_directory(folder: Path) -> None:
    if os.name == "nt":  # directories cannot be opened for fsync on Windows
        return
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems (network shares) do not support it
    finally:
        os.close(fd)


def write_outbox_file(
    directory: str | os.PathLike[str],
    events: Sequence[Mapping[str, Any]],
    first_id: int,
    last_id: int,
) -> Path:
    """Write `events` (ids `first_id`..`last_id`) as one outbox file; return its path.

    Idempotent: if the file for exactly this range exists, it is returned as it is. Events are
    mappings with the same keys (the first one's order gives the header); when they carry an
    `event_id`, it must lie within the range.
    """
    if not events:
        raise ValueError("no events to write")
    if first_id > last_id:
        raise ValueError(f"empty range {first_id}-{last_id}")
    folder = Path(directory)
    final = folder / outbox_file_name(first_id, last_id)
    if final.is_file():
        return final
    for existing in existing_outbox_ranges(folder):
        if existing.first_id <= last_id and first_id <= existing.last_id:
            raise OutboxConflict(
                _("{name} already holds events {first}-{last}, which overlap {new_first}-{new_last}").format(
                    name=existing.path.name,
                    first=existing.first_id,
                    last=existing.last_id,
                    new_first=first_id,
                    new_last=last_id,
                )
            )

    header = list(events[0].keys())
    keys = set(header)
    for number, event in enumerate(events):
        if set(event.keys()) != keys:
            raise ValueError(f"event #{number} has keys {sorted(event)}, expected {sorted(keys)}")
        event_id = event.get("event_id")
        if isinstance(event_id, int) and not first_id <= event_id <= last_id:
            raise ValueError(f"event_id {event_id} is outside the range {first_id}-{last_id}")

    folder.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{final.stem}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
            writer.writerow(header)
            for event in events:
                writer.writerow([_cell(event[key]) for key in header])
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, final)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _fsync_directory(folder)
    return final
