"""The footer of every screen: compact on a narrow terminal, so that every label stays."""

from __future__ import annotations

from textual.widgets import Footer

from skranke.ui.formatting import NARROW


class SkrankeFooter(Footer):
    """Textual's footer; below NARROW columns the compact style (less space between keys)
    keeps all labels of an 80-column terminal in view."""

    def on_mount(self) -> None:
        super().on_mount()
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        self.compact = self.app.size.width < NARROW
