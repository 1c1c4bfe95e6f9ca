"""The footer of every screen: compact on a narrow terminal, so that every label stays."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, FooterLabel

from skranke.i18n import _
from skranke.ui.formatting import NARROW
from skranke.ui.textual_words import translate

# What the right edge holds: "^p Kommandoer" and a little air.
PALETTE_CELLS = 18


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

    def compose(self) -> ComposeResult:
        """Every key that fits, whole; when some do not, they are left out (help lists them all)
        and a '… f1' says so: a label is never cut in the middle."""
        more = _("… F1: all keys")
        room = self.app.size.width - PALETTE_CELLS - len(more) - 2
        used = 0
        full = False
        for widget in super().compose():
            if isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):
                # Bound to the footer's compact state: given it before mounting, so the key is
                # not styled with its own default (compact) and then restyled (~1 ms a key).
                widget.set_reactive(FooterKey.compact, self.compact)
                widget.set_class(self.compact, "-compact", update=False)
            if isinstance(widget, FooterKey) and widget.action != "command_palette":
                # Textual's own widgets (a Select's open list) bring English labels.
                widget.description = translate(widget.description)
                cells = len(widget.key_display) + len(widget.description) + (2 if self.compact else 3)
                if full or used + cells > room:
                    if not full:
                        yield FooterLabel(more)
                    full = True
                    continue
                used += cells
            yield widget
