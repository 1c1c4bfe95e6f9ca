"""Tabs whose tables are filled when a tab is first shown after each read of the screen's data.

A DataTable of a few hundred rows takes Textual a few tenths of a second to lay out: a screen
that reloads often (the queue after every dose at any workstation, Frister per department)
fills the tab in view at once and the others only if they are opened before the next read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from textual.widgets import TabbedContent


class TabTables:
    """Mixed into a screen with one TabbedContent: `fill_tables(fillers)` after each read, with
    a filler per tab id, and `fill_shown_tab(tab)` when a tab is activated."""

    _fillers: Mapping[str, Callable[[], None]] | None = None
    _filled: frozenset[str] = frozenset()

    def fill_tables(self, fillers: Mapping[str, Callable[[], None]], active: str | None) -> None:
        self._fillers, self._filled = fillers, frozenset()
        self.fill_shown_tab(active or next(iter(fillers)))

    def fill_shown_tab(self, tab: str | None) -> None:
        if self._fillers is None or tab is None or tab in self._filled or tab not in self._fillers:
            return
        self._filled |= {tab}
        self._fillers[tab]()

    @staticmethod
    def activated_tab(event: TabbedContent.TabActivated) -> str | None:
        return event.pane.id
