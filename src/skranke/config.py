"""Settings: command line over environment (SKRANKE_*) over a TOML file over defaults."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from platformdirs import user_config_path
from pydantic import ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


def config_file() -> Path:
    """The user's config file; SKRANKE_CONFIG points elsewhere (tests point it at nothing)."""
    override = os.environ.get("SKRANKE_CONFIG")
    if override is not None:
        return Path(override)
    return user_config_path("skranke", appauthor=False) / "config.toml"


class SettingsError(ValueError):
    pass


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SKRANKE_", extra="ignore")

    db: str | None = None  # SQLAlchemy URL; None: a SQLite file in the user data directory
    site: str = "odense"  # shipped site id or path to a site TOML file
    now: str | None = None  # ISO date-time that fixes the clock
    inbox: Path | None = None  # default: beside the database
    outbox: Path | None = None
    language: str = "da"
    workstation: str = ""

    @field_validator("language")
    @classmethod
    def _supported_language(cls, value: str) -> str:
        if value not in ("da", "en"):
            raise ValueError("language must be 'da' or 'en'")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, config_file()))


def load_settings(**command_line: Any) -> Settings:
    """Settings with the command line's non-empty values winning."""
    given = {k: v for k, v in command_line.items() if v is not None}
    try:
        return Settings(**given)
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"{config_file()}: not valid TOML: {error}") from None
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise SettingsError(f"settings ({config_file()} / SKRANKE_* / command line): {problems}") from None
