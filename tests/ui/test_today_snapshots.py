"""Snapshots of "I dag" at fixed moments: what the desk sees on the days that matter."""

from __future__ import annotations

import pytest

from tests.ui.conftest import TERMINAL, settle


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
    def test_today(self, snap_compare, app_at, now):
        assert snap_compare(app_at(now), terminal_size=TERMINAL, run_before=settle)

    def test_help_screen(self, snap_compare, app_at):
        assert snap_compare(app_at("2026-04-07T09:20"), press=["f1"], terminal_size=TERMINAL, run_before=settle)


class TestTodayAlerts:
    def test_overdue_requests_turn_the_deadline_count_red(self, snap_compare, app_at):
        from tests.ui.test_deadlines_snapshots import all_overdue

        assert snap_compare(app_at("2026-04-07T09:20", prepare=all_overdue), terminal_size=TERMINAL, run_before=settle)

    def test_a_site_whose_hours_are_not_given(self, snap_compare, app_at):
        assert snap_compare(app_at("2026-11-24T10:00", site="assens"), terminal_size=TERMINAL, run_before=settle)
