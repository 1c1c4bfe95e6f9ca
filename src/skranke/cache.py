"""What start-up would otherwise work out anew each time: kept in the user's cache folder.

Each entry is a pickle under a key: the key is stored first and compared before the value is
read, so a stale entry's value is never unpickled. An entry that is missing, cut short or
unreadable is simply not used, and a folder that cannot be written only costs the work.
The folder is the user's own (SKRANKE_CACHE_DIR overrides it), as their config file is.
"""

from __future__ import annotations

import contextlib
import os
import pickle
from pathlib import Path

CACHE_VARIABLE = "SKRANKE_CACHE_DIR"


def cache_dir() -> Path:
    override = os.environ.get(CACHE_VARIABLE)
    if override:
        return Path(override)
    from platformdirs import user_cache_path

    return user_cache_path("skranke", appauthor=False)


def file_key(path: Path | str) -> tuple[int, int] | None:
    """What tells a changed file: its modification time and size (None: it cannot be read)."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


def read(name: str, key: object) -> object | None:
    """The value stored under `key` in the entry `name` (e.g. 'sites/ab12.pickle'), else None."""
    try:
        with (cache_dir() / name).open("rb") as entry:
            if pickle.load(entry) != key:
                return None
            value: object = pickle.load(entry)
            return value
    except Exception:  # noqa: BLE001 — missing, unreadable, cut short or from other code: not used
        return None


def write(name: str, key: object, value: object) -> None:
    target = cache_dir() / name
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with partial.open("wb") as entry:
            pickle.dump(key, entry, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(value, entry, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, target)  # whole or not at all, also with two processes starting at once
    except OSError:  # e.g. a read-only home: the work is done again on the next start
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
