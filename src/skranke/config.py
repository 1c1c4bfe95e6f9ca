"""Settings: command line over environment (SKRANKE_*) over a TOML file over defaults."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from platformdirs import user_config_path
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

ENV_PREFIX = "SKRANKE_"


def config_file() -> Path:
    """The user's config file; SKRANKE_CONFIG points elsewhere (tests point it at nothing)."""
    override = os.environ.get("SKRANKE_CONFIG")
    if override is not None:
        return Path(override)
    return user_config_path("skranke", appauthor=False) / "config.toml"


class SettingsError(ValueError):
    pass


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    db: str | None = None  # SQLAlchemy URL; None: a SQLite file in the user data directory
    site: str = "odense"  # shipped site id or path to a site TOML file
    now: str | None = None  # ISO date-time that fixes the clock
    inbox: Path | None = None  # default: beside the database
    outbox: Path | None = None
    language: str = "da"
    workstation: str = ""  # the name in the audit log; default: the host name
    staff: str | None = None  # initials to sign in as (the PIN never comes from here)

    @field_validator("language")
    @classmethod
    def _supported_language(cls, value: str) -> str:
        if value not in ("da", "en"):
            raise ValueError("language must be 'da' or 'en'")
        return value


def _from_file() -> dict[str, Any]:
    path = config_file()
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"{path}: not valid TOML: {error}") from None
    unknown = sorted(set(data) - set(Settings.model_fields))
    if unknown:
        raise SettingsError(f"{path}: unknown setting(s) {unknown}; known: {sorted(Settings.model_fields)}")
    return data


def _from_environment() -> dict[str, str]:
    return {
        name: os.environ[ENV_PREFIX + name.upper()]
        for name in Settings.model_fields
        if os.environ.get(ENV_PREFIX + name.upper())
    }


def load_settings(**command_line: Any) -> Settings:
    """Defaults, then the TOML file, then SKRANKE_* variables, then the command line.

    Merged by hand rather than with pydantic-settings: that import alone cost ~180 ms of
    the start-up budget (benchmarks/startup.py), for four dictionaries' worth of work.
    """
    given = {k: v for k, v in command_line.items() if v is not None}
    merged = {**_from_file(), **_from_environment(), **given}
    try:
        return Settings(**merged)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise SettingsError(f"settings ({config_file()} / SKRANKE_* / command line): {problems}") from None
