"""Snapshots of "I dag" at fixed moments: what the desk sees on the days that matter."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from tests.ui.conftest import SIZES, AppAt, SnapCompare, settle


class TestTodayScreen:
    @pytest.mark.parametrize(
        "now",
        [
            pytest.param("2026-04-07T09:20", id="weekday-morning"),
            pytest.param("2026-04-09T13:00", id="thursday-between-stabilisering-intervals"),
            pytest.param("2026-04-06T10:00", id="anden-paaskedag"),
            pytest.param("2026-12-24T10:30", id="christmas-eve"),
            pytest.param("2026-04-11T12:00", id="saturday"),
        ],
    )
    @SIZES
    def test_today(self, snap_compare: SnapCompare, size: tuple[int, int], app_at: AppAt, now: str) -> None:
        assert snap_compare(app_at(now), terminal_size=size, run_before=settle)

    @SIZES
    def test_help_screen(self, snap_compare: SnapCompare, size: tuple[int, int], app_at: AppAt) -> None:
        assert snap_compare(app_at("2026-04-07T09:20"), press=["f1"], terminal_size=size, run_before=settle)

    @SIZES
    def test_error_modal(self, snap_compare: SnapCompare, size: tuple[int, int], app_at: AppAt) -> None:
        from skranke.ui.screens.error import ErrorScreen

        async def fail(pilot: Pilot[None]) -> None:
            await settle(pilot)
            pilot.app.push_screen(
                ErrorScreen("Noget gik galt", "Filen kunne ikke læses: /srv/skranke/indbakke/sager_2026-04-07.csv")
            )
            await pilot.pause()

        assert snap_compare(app_at("2026-04-07T09:20"), terminal_size=size, run_before=fail)


class TestTodayAlerts:
    @SIZES
    def test_overdue_requests_turn_the_deadline_count_red(
        self, snap_compare: SnapCompare, size: tuple[int, int], app_at: AppAt
    ) -> None:
        from tests.ui.test_deadlines_snapshots import all_overdue

        assert snap_compare(app_at("2026-04-07T09:20", prepare=all_overdue), terminal_size=size, run_before=settle)

    @SIZES
    def test_a_site_whose_hours_are_not_given(
        self, snap_compare: SnapCompare, size: tuple[int, int], app_at: AppAt
    ) -> None:
        assert snap_compare(app_at("2026-11-24T10:00", site="assens"), terminal_size=size, run_before=settle)
