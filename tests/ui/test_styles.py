"""The application's stylesheet keeps its parsed rules while the CSS and the theme's colours stay."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from skranke.cache import CACHE_VARIABLE
from skranke.ui.app import SkrankeApp
from tests.ui.conftest import TERMINAL, AppAt, settle


async def test_another_theme_from_the_palette_still_restyles_every_widget(app_at: AppAt) -> None:
    app = app_at("2026-04-07T09:20", roles=None)
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        dark = app.screen.styles.background
        table = app.screen.query_one("#departments")
        dark_table = table.styles.background
        app.theme = "textual-light"
        await pilot.pause()
        await pilot.pause()
        assert app.screen.styles.background != dark
        assert app.screen.styles.background == app.current_theme.to_color_system().background
        assert table.styles.background != dark_table
        app.theme = "skranke"
        await pilot.pause()
        await pilot.pause()
        assert app.screen.styles.background == dark


def _rules(app: SkrankeApp) -> list[str]:
    """Each rule's selectors and declarations, as text."""
    return [f"{rule.selectors} {sorted(map(repr, rule.styles.get_rules().items()))}" for rule in app.stylesheet.rules]


async def _first_frame(app: SkrankeApp) -> list[str]:
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        return _rules(app)


async def test_the_rules_parsed_at_one_start_are_read_at_the_next(
    app_at: AppAt, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from textual.css.model import RuleSet
    from textual.css.parse import parse as original  # what textual.css.stylesheet calls `parse`

    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path / "cache"))
    parsed = await _first_frame(app_at("2026-04-07T09:20", roles=None))
    parses: list[object] = []

    def counted(*args: Any, **kwargs: Any) -> Iterable[RuleSet]:  # parse's own arguments, passed on
        parses.append(args[2])
        return original(*args, **kwargs)

    monkeypatch.setattr("textual.css.stylesheet.parse", counted)
    assert await _first_frame(app_at("2026-04-07T09:20", roles=None)) == parsed
    assert parses == []


async def test_css_edited_since_the_last_start_is_parsed_anew(
    app_at: AppAt, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path / "cache"))
    monkeypatch.setattr(SkrankeApp, "CSS", "#today-clock { color: red; }")
    first = await _first_frame(app_at("2026-04-07T09:20", roles=None))
    monkeypatch.setattr(SkrankeApp, "CSS", "#today-clock { color: green; }")
    edited = await _first_frame(app_at("2026-04-07T09:20", roles=None))
    red, green = "Color(255, 0, 0)", "Color(0, 128, 0)"
    assert [rule for rule in first if "#today-clock" in rule and red in rule]
    assert [rule for rule in edited if "#today-clock" in rule and green in rule]
    assert not [rule for rule in edited if "#today-clock" in rule and red in rule]
