"""Reading site files (`data/sites/<id>.toml`) into validated `Site` values.

A file validated once is kept, validated, in the user's cache folder (`skranke.cache`) under a
key of the file's path, size and modification time, skranke's version and the files of the
code that validates it. Start-up and every command then read the site without pydantic (whose
import alone costs about half of a bare Textual app's first frame, benchmarks/startup.py). A
changed file, or changed skranke, is validated anew; a file that does not validate is refused
every time, and never cached.
"""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

from skranke import __version__, cache
from skranke.domain import hours as hours_module
from skranke.domain import site as site_module
from skranke.domain import vocabulary as vocabulary_module
from skranke.domain.hours import HoursRuleError, SiteHours
from skranke.domain.site import Site, parse_site
from skranke.i18n import _, file_fault, toml_fault
from skranke.resources import sites_dir

# What a cached site was validated by: an edit to any of these validates every site anew.
_VALIDATING_CODE = (__file__, site_module.__file__, vocabulary_module.__file__, hours_module.__file__)


class SiteError(ValueError):
    """A site that cannot be used; the message names the file and what is wrong where."""


def _location(site_data: dict[str, Any], loc: tuple[Any, ...]) -> str:
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
            raise SiteError(_("site file {path} does not exist").format(path=candidate))
        return candidate
    shipped = sites_dir() / f"{site}.toml"
    if not shipped.is_file():
        known = ", ".join(shipped_site_ids())
        raise SiteError(
            _("unknown site '{site}': give one of {known} or the path of a .toml file").format(site=site, known=known)
        )
    return shipped


def shipped_site_ids() -> list[str]:
    return sorted(p.stem for p in sites_dir().glob("*.toml"))


Fingerprint = tuple[object, ...]


def _fingerprint(path: Path) -> Fingerprint:
    """Changes whenever the file or what validated it may have: the cache key (path and all).
    A file that cannot be read gives None (and is then refused by `_validated`); so does a code
    file without its source beside the bytecode, where the version says which code it is."""
    code = tuple(cache.file_key(source) for source in _VALIDATING_CODE)
    return (__version__, str(path), cache.file_key(path), code)


def _cache_entry(path: Path) -> str:
    # zlib, not hashlib (whose OpenSSL costs a few ms of the start): two paths that meet only
    # share an entry, whose key tells them apart.
    return f"sites/{path.stem}-{zlib.crc32(str(path).encode()):08x}.pickle"


def _from_cache(path: Path, fingerprint: Fingerprint) -> Site | None:
    site = cache.read(_cache_entry(path), fingerprint)
    return site if isinstance(site, Site) else None


def _validated(path: Path) -> Site:
    import tomllib

    from pydantic import ValidationError

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise SiteError(f"{path}: {toml_fault(error)}") from None
    except OSError as error:
        raise SiteError(_("{path}: cannot be read: {reason}").format(path=path, reason=file_fault(error))) from None
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
        cache.write(_cache_entry(path), fingerprint, site)
    _loaded[path] = (fingerprint, site, hours)
    return site, hours


def load_site(site: str) -> Site:
    return _load(resolve_site_path(site).resolve())[0]


def load_site_hours(site: str) -> SiteHours:
    return _load(resolve_site_path(site).resolve())[1]
