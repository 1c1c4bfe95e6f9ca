"""Reading site files (`data/sites/<id>.toml`) into validated `Site` values."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from pydantic import ValidationError

from skranke.domain.hours import HoursRuleError, SiteHours
from skranke.domain.site import Site
from skranke.i18n import _
from skranke.resources import sites_dir


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


@cache
def _load(path: Path) -> tuple[Site, SiteHours]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise SiteError(f"{path}: not valid TOML: {error}") from None
    except OSError as error:
        raise SiteError(f"{path}: cannot be read: {error.strerror}") from None
    except UnicodeDecodeError:
        raise SiteError(_("{path}: not UTF-8 text (save the site file as UTF-8)").format(path=path)) from None
    try:
        site = Site.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(f"{_location(data, tuple(e['loc']))}: {e['msg']}" for e in error.errors())
        raise SiteError(f"{path}: {problems}") from None
    try:
        return site, SiteHours(site)
    except HoursRuleError as error:
        raise SiteError(f"{path}: {error}") from None


def load_site(site: str) -> Site:
    return _load(resolve_site_path(site).resolve())[0]


def load_site_hours(site: str) -> SiteHours:
    return _load(resolve_site_path(site).resolve())[1]
