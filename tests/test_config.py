"""Settings come from the command line, the environment and a TOML file, in that order."""

from __future__ import annotations

from pathlib import Path

import pytest

from skranke.config import SettingsError, load_settings


def test_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SKRANKE_CONFIG", str(tmp_path / "none.toml"))
    settings = load_settings()
    assert settings.site == "odense" and settings.db is None and settings.language == "da"


def test_command_line_over_environment_over_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('site = "gladsaxe"\ndb = "sqlite:///file.db"\nnow = "2026-01-01T08:00"\n', encoding="utf-8")
    monkeypatch.setenv("SKRANKE_CONFIG", str(config))
    assert load_settings().site == "gladsaxe"
    monkeypatch.setenv("SKRANKE_SITE", "assens")
    settings = load_settings()
    assert settings.site == "assens" and settings.db == "sqlite:///file.db"
    assert load_settings(site="odsherred").site == "odsherred"
    assert load_settings(site=None).site == "assens"  # an option not given does not win


def test_a_broken_config_file_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('site = "odense\n', encoding="utf-8")
    monkeypatch.setenv("SKRANKE_CONFIG", str(config))
    with pytest.raises(SettingsError, match=r"config\.toml: ikke gyldig TOML"):
        load_settings()


def test_an_unknown_key_in_the_config_file_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('database = "x"\n', encoding="utf-8")
    monkeypatch.setenv("SKRANKE_CONFIG", str(config))
    with pytest.raises(SettingsError, match=r"ukendte indstillinger database; kendte: backup_dir, db, inbox, key_file"):
        load_settings()


def test_an_unsupported_language_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SKRANKE_CONFIG", str(tmp_path / "none.toml"))
    with pytest.raises(SettingsError, match="language"):
        load_settings(language="sv")


def test_a_setting_of_the_wrong_type_in_the_config_file_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('site = 5\ninbox = "/srv/skranke/inbox"\n', encoding="utf-8")
    monkeypatch.setenv("SKRANKE_CONFIG", str(config))
    with pytest.raises(SettingsError, match=r"config\.toml / SKRANKE_\* / kommandolinjen\): site: skal være tekst"):
        load_settings()
    settings = load_settings(site="assens")
    assert settings.inbox == Path("/srv/skranke/inbox")  # a path is read as one
