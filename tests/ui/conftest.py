"""Snapshot helpers: the app at a fixed size and a fixed moment, workers finished first."""

from __future__ import annotations

import pytest

from skranke.ui.app import SkrankeApp
from tests.conftest import make_skranke

TERMINAL = (120, 36)
NARROW_TERMINAL = (80, 24)  # what many clinic PCs open

# Every snapshot at both sizes: the wide one and 80x24.
SIZES = pytest.mark.parametrize(
    "size", [pytest.param(TERMINAL, id="120x36"), pytest.param(NARROW_TERMINAL, id="80x24")]
)


async def settle(pilot) -> None:
    """Let mounts, workers (database counts) and the repaint after them finish."""
    from skranke.ui.widgets.counts import CountsPanel

    for _ in range(200):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if all(panel.loaded for panel in pilot.app.screen.query(CountsPanel)):
            return
    raise AssertionError("the screen did not settle: counts never arrived")


@pytest.fixture
def app_at(tmp_path):
    apps: list[SkrankeApp] = []

    def factory(now: str, site: str = "odense", prepare=None, **settings) -> SkrankeApp:
        skranke = make_skranke(now, f"sqlite:///{tmp_path / 'ui.db'}", site, **settings)
        if prepare is not None:
            prepare(skranke)
        app = SkrankeApp(skranke)
        apps.append(app)
        return app

    yield factory
