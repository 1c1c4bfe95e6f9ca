"""What holds back "I dag"'s first frame (benchmarks/startup.py measures it from outside): the
database and the footer's keys come after it, the whole screen is sent once the start-up batch
ends, and the footer recomposes once per burst of binding changes, only when what it shows
differs."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import DataTable
from textual.widgets._footer import FooterKey  # as src/skranke/ui/widgets/footer.py

from skranke.ui.app_base import SkrankeAppBase
from skranke.ui.screens.today import TodayScreen
from skranke.ui.widgets.counts import CountsPanel
from skranke.ui.widgets.footer import SkrankeFooter
from tests.ui.conftest import TERMINAL, AppAt, screen_of, settle

NOW = "2026-04-09T09:30"


async def test_the_counts_are_read_after_the_first_frame(app_at: AppAt, monkeypatch: pytest.MonkeyPatch) -> None:
    asked_before_the_frame: list[bool] = []
    read_counts = CountsPanel.refresh_counts

    def noted(panel: CountsPanel) -> Any:
        asked_before_the_frame.append(panel.app.first_frame_due)  # type: ignore[attr-defined]
        return read_counts(panel)

    monkeypatch.setattr(CountsPanel, "refresh_counts", noted)
    app = app_at(NOW)
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        assert asked_before_the_frame == [False]
        assert app.screen.query_one(CountsPanel).loaded


async def test_the_footer_keys_follow_the_first_frame(app_at: AppAt, monkeypatch: pytest.MonkeyPatch) -> None:
    keys_at_ready: list[int] = []
    ready = SkrankeAppBase._on_ready

    def noted(app: SkrankeAppBase) -> None:
        keys_at_ready.append(len(app.screen.query(FooterKey)))
        ready(app)

    monkeypatch.setattr(SkrankeAppBase, "_on_ready", noted)
    app = app_at(NOW)
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        assert keys_at_ready == [0]  # not in the first frame: composed just after it
        descriptions = [str(key.description) for key in app.screen.query(FooterKey)]
        assert "I dag" in descriptions and "Hjælp" in descriptions
        assert not app.first_frame_due


async def test_the_footer_recomposes_once_for_a_burst_and_not_for_hidden_keys(
    app_at: AppAt, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_at(NOW)
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        footer = app.screen.query_one(SkrankeFooter)
        recomposed: list[int] = []
        recompose = SkrankeFooter.recompose

        async def counted(self: SkrankeFooter) -> None:
            recomposed.append(1)
            await recompose(self)

        monkeypatch.setattr(SkrankeFooter, "recompose", counted)
        screen = screen_of(app, TodayScreen)
        # The table's focus moving away and back: only its hidden cursor keys come and go.
        for _ in range(2):
            screen.set_focus(None)
            await settle(pilot)
            screen.set_focus(screen.query_one("#departments", DataTable))
            await settle(pilot)
        assert recomposed == []
        # A burst of announcements after which what is shown differs (as a screen's keys do
        # when someone signs in): one recompose, however many announcements.
        what_to_show = SkrankeFooter._what_to_show
        monkeypatch.setattr(SkrankeFooter, "_what_to_show", lambda self: (*what_to_show(self), "changed"))
        for _ in range(5):
            screen.refresh_bindings()
        await settle(pilot)
        assert recomposed == [1]
        assert footer.is_attached
