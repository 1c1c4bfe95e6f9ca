"""Settings: command line over environment (SKRANKE_*) over a TOML file over defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from skranke.i18n import _, toml_fault

ENV_PREFIX = "SKRANKE_"
LANGUAGES = ("da", "en")


def config_file() -> Path:
    """The user's config file; SKRANKE_CONFIG points elsewhere (tests point it at nothing)."""
    override = os.environ.get("SKRANKE_CONFIG")
    if override is not None:
        return Path(override)
    from platformdirs import user_config_path

    return user_config_path("skranke", appauthor=False) / "config.toml"


def key_file(setting: Path | None = None) -> Path:
    """The key of the encrypted SQLite store: `key_file` in the settings (--key-file,
    SKRANKE_KEY_FILE, config.toml), else `store.key` beside config.toml's usual place."""
    if setting is not None:
        return setting.expanduser()
    override = os.environ.get("SKRANKE_KEY_FILE")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_path

    return user_config_path("skranke", appauthor=False) / "store.key"


class SettingsError(ValueError):
    pass


# A plain dataclass, checked by `load_settings`: pydantic's import alone would cost more of
# the start-up than everything else settings do (benchmarks/startup.py).
@dataclass(frozen=True)
class Settings:
    db: str | None = None  # SQLAlchemy URL; None: a SQLite file in the user data directory
    site: str = "odense"  # shipped site id or path to a site TOML file
    now: str | None = None  # ISO date-time that fixes the clock
    inbox: Path | None = None  # default: beside the database
    outbox: Path | None = None
    language: str = "da"
    workstation: str = ""  # the name in the audit log; default: the host name
    staff: str | None = None  # initials to sign in as (the PIN never comes from here)
    key_file: Path | None = None  # the encrypted SQLite store's key; default: config.key_file()
    backup_dir: Path | None = None  # the daily backups; default: backups/ in the user data directory
    label_printer: str | None = None  # the CUPS printer take-home labels go to (lp -d); None: saved as PDF


SETTING_NAMES = tuple(f.name for f in fields(Settings))
_PATHS = ("inbox", "outbox", "key_file", "backup_dir")
_OPTIONAL = ("db", "now", "inbox", "outbox", "staff", "key_file", "backup_dir", "label_printer")


def _checked(values: dict[str, Any]) -> Settings:
    """Each value of the type its setting takes; a path may be given as text."""
    problems = []
    for name, value in values.items():
        if name not in SETTING_NAMES:
            problems.append(_("{name}: not a setting").format(name=name))
        elif value is None and name in _OPTIONAL:
            continue
        if name in _PATHS and isinstance(value, (str, Path)):
            values[name] = Path(value)
        elif not isinstance(value, str):
            problems.append(
                _("{name}: must be text, not {kind} {value}").format(
                    name=name, kind=type(value).__name__, value=repr(value)
                )
            )
        elif name == "language" and value not in LANGUAGES:
            problems.append(_("language: must be 'da' or 'en', not '{value}'").format(value=value))
    if problems:
        raise SettingsError(
            _("settings ({file} / SKRANKE_* / command line): {problems}").format(
                file=config_file(), problems="; ".join(problems)
            )
        )
    return Settings(**values)


def _from_file() -> dict[str, Any]:
    path = config_file()
    if not path.is_file():
        return {}
    import tomllib  # only when there is a file to read

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"{path}: {toml_fault(error)}") from None
    unknown = sorted(set(data) - set(SETTING_NAMES))
    if unknown:
        raise SettingsError(
            _("{path}: unknown settings {unknown}; known: {known}").format(
                path=path, unknown=", ".join(unknown), known=", ".join(sorted(SETTING_NAMES))
            )
        )
    return data


def _from_environment() -> dict[str, str]:
    return {
        name: os.environ[ENV_PREFIX + name.upper()]
        for name in SETTING_NAMES
        if os.environ.get(ENV_PREFIX + name.upper())
    }


def load_settings(**command_line: Any) -> Settings:
    """Defaults, then the TOML file, then SKRANKE_* variables, then the command line.

    Merged and checked by hand rather than with pydantic(-settings): their imports alone cost
    more of the start-up budget (benchmarks/startup.py) than four dictionaries' worth of work.
    """
    given = {k: v for k, v in command_line.items() if v is not None}
    return _checked({**_from_file(), **_from_environment(), **given})
