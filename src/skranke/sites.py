"""Reading site files (`data/sites/<id>.toml`) into validated `Site` values.

A file validated once is kept, validated, in the user's cache folder (SKRANKE_CACHE_DIR
overrides it): a pickle under a key of the file's path, size and modification time, skranke's
version and the files of the code that validates it. Start-up and every command then read
the site without pydantic (whose import alone costs about half of a bare Textual app's first
frame, benchmarks/startup.py). A changed file, or changed skranke, is validated anew; a file
that does not validate is refused every time, and never cached. The cache is the user's own,
as is their config file, which can name any site file; an entry that cannot be read is not used.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from pathlib import Path

from skranke import __version__
from skranke.domain import hours as hours_module
from skranke.domain import site as site_module
from skranke.domain import vocabulary as vocabulary_module
from skranke.domain.hours import HoursRuleError, SiteHours
from skranke.domain.site import Site, parse_site
from skranke.i18n import _
from skranke.resources import sites_dir

CACHE_VARIABLE = "SKRANKE_CACHE_DIR"
# What a cached site was validated by: an edit to any of these validates every site anew.
_VALIDATING_CODE = (__file__, site_module.__file__, vocabulary_module.__file__, hours_module.__file__)


class SiteError(ValueError):
    """A site that cannot be used; the message names the file and what is wrong where."""


def _location(site_data: dict, loc: tuple) -> str:
    """Turn pydantic's ('departments', 2, 'hours') into 'department 'stoffrihed' → hours'."""
    parts: list[str] = []
    node: object = site_data
    for step in loc:
        if isinstance(node, list) and isinstance(step, int) and step < len(node):
            item = node[step]
            label = item.get("id") or item.get("date") if isinstance(item, dict) else None
            parts[-1] = f"{parts[-1]}[{step}]" + (f" ({label})" if label else "")
            node = item
        else:
            parts.append(str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return " → ".join(parts) or "(top level)"


def resolve_site_path(site: str) -> Path:
    """`--site` is a shipped site id (odense) or a path to a TOML file."""
    candidate = Path(site).expanduser()
    if candidate.suffix == ".toml" or candidate.exists():
        if not candidate.is_file():
            raise SiteError(f"site file {candidate} does not exist")
        return candidate
    shipped = sites_dir() / f"{site}.toml"
    if not shipped.is_file():
        known = ", ".join(shipped_site_ids())
        raise SiteError(f"unknown site {site!r}: give one of {known} or the path of a .toml file")
    return shipped


def shipped_site_ids() -> list[str]:
    return sorted(p.stem for p in sites_dir().glob("*.toml"))


def cache_dir() -> Path:
    override = os.environ.get(CACHE_VARIABLE)
    if override:
        return Path(override)
    from platformdirs import user_cache_path

    return user_cache_path("skranke", appauthor=False)


Fingerprint = tuple[object, ...]


def _fingerprint(path: Path) -> Fingerprint:
    """Changes whenever the file or what validated it may have: the cache key (path and all)."""
    try:
        stat = path.stat()
    except OSError as error:
        raise SiteError(f"{path}: cannot be read: {error.strerror}") from None
    code: list[tuple[int, int] | None] = []
    for source in _VALIDATING_CODE:
        try:
            code_stat = os.stat(str(source))
            code.append((code_stat.st_mtime_ns, code_stat.st_size))
        except OSError:  # no source beside the bytecode: the version alone says which code it is
            code.append(None)
    return (__version__, str(path), stat.st_mtime_ns, stat.st_size, tuple(code))


def _cache_file(path: Path) -> Path:
    return cache_dir() / "sites" / f"{hashlib.sha256(str(path).encode()).hexdigest()[:24]}.pickle"


def _from_cache(path: Path, fingerprint: Fingerprint) -> Site | None:
    try:
        with _cache_file(path).open("rb") as cached:
            # The key first: a stale entry's site is never unpickled.
            if pickle.load(cached) != fingerprint:
                return None
            site = pickle.load(cached)
    except Exception:  # noqa: BLE001 — missing, unreadable, truncated or from other code: validate anew
        return None
    return site if isinstance(site, Site) else None


def _to_cache(path: Path, fingerprint: Fingerprint, site: Site) -> None:
    target = _cache_file(path)
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with partial.open("wb") as cached:
            pickle.dump(fingerprint, cached, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(site, cached, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, target)  # whole or not at all, also with two processes starting at once
    except OSError:  # a read-only home: the site is validated on every start instead
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)


def _validated(path: Path) -> Site:
    import tomllib

    from pydantic import ValidationError

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise SiteError(f"{path}: not valid TOML: {error}") from None
    except OSError as error:
        raise SiteError(f"{path}: cannot be read: {error.strerror}") from None
    except UnicodeDecodeError:
        raise SiteError(_("{path}: not UTF-8 text (save the site file as UTF-8)").format(path=path)) from None
    try:
        return parse_site(data)
    except ValidationError as error:
        problems = "; ".join(f"{_location(data, tuple(e['loc']))}: {e['msg']}" for e in error.errors())
        raise SiteError(f"{path}: {problems}") from None


def _hours(path: Path, site: Site) -> SiteHours:
    try:
        return SiteHours(site)
    except HoursRuleError as error:
        raise SiteError(f"{path}: {error}") from None


# Per process: the last site read from each path, with the key it was read under.
_loaded: dict[Path, tuple[Fingerprint, Site, SiteHours]] = {}


def _load(path: Path) -> tuple[Site, SiteHours]:
    fingerprint = _fingerprint(path)
    known = _loaded.get(path)
    if known is not None and known[0] == fingerprint:
        return known[1], known[2]
    site = _from_cache(path, fingerprint)
    if site is not None:
        hours = _hours(path, site)
    else:
        site = _validated(path)
        hours = _hours(path, site)  # hours that do not parse are part of a file that does not validate
        _to_cache(path, fingerprint, site)
    _loaded[path] = (fingerprint, site, hours)
    return site, hours


def load_site(site: str) -> Site:
    return _load(resolve_site_path(site).resolve())[0]


def load_site_hours(site: str) -> SiteHours:
    return _load(resolve_site_path(site).resolve())[1]
