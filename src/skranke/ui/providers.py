"""Command palette: every screen and action reachable by name."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from skranke.ui.app_base import skranke_app


class ScreensProvider(Provider):
    def _commands(self) -> list[tuple[str, str, str]]:
        # (title, help, action) — titles are what the receptionist types.
        # Provider.app is typed App[object]; the palette only runs inside SkrankeApp.
        return skranke_app(self).palette_commands()

    async def discover(self) -> Hits:
        for title, help_text, action in self._commands():
            yield DiscoveryHit(title, partial(self.app.run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, action in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self.app.run_action, action), help=help_text)
