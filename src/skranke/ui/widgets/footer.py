"""The footer of every screen: compact on a narrow terminal, so that every label stays."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, FooterLabel

from skranke.i18n import _
from skranke.ui.app_base import skranke_app
from skranke.ui.formatting import NARROW
from skranke.ui.textual_words import translate

# What the right edge holds: "^p Kommandoer" and a little air.
PALETTE_CELLS = 18


class SkrankeFooter(Footer):
    """Textual's footer; below NARROW columns the compact style (less space between keys)
    keeps all labels of an 80-column terminal in view.

    Textual's footer shows nothing in a screen's first frame and composes its keys once the
    screen's bindings are first announced, then again at every announcement (each move of the
    focus). This one composes its keys at once, and again only when what it would show differs
    (a recomposed footer is a dozen widgets mounted and styled anew).
    """

    def __init__(self) -> None:
        super().__init__()
        # Composed before it is mounted: the compact style is known by then, as on_mount sets it.
        compact = self.app.size.width < NARROW
        self.set_reactive(Footer.compact, compact)
        self.set_class(compact, "-compact", update=False)
        self._bindings_ready = True
        self._shown: tuple[object, ...] | None = None  # what the keys were composed from
        self._recompose_due = False  # a look at the bindings is scheduled

    def _what_to_show(self) -> tuple[object, ...]:
        """What `compose` makes the keys from: the bindings it shows and the command palette's
        (hidden, at the right edge). The keys a focused field keeps to itself (an Input's
        arrows and ctrl+u, a list's) are not shown, so a Tab between two fields that differ only
        in those composes nothing."""
        palette = self.app.COMMAND_PALETTE_BINDING
        bindings = tuple(
            (key, binding.key, binding.key_display, binding.action, binding.description, binding.group, enabled, tip)
            for key, (_node, binding, enabled, tip) in self.screen.active_bindings.items()
            if binding.show or key == palette
        )
        return bindings, self.app.size.width, self.compact

    def _keys_wait(self) -> bool:
        """On the application's first screen the keys are composed just after its first frame:
        a dozen widgets that would hold back the day's hours and departments (the counts are
        read after that frame too; benchmarks/startup.py)."""
        app = skranke_app(self)
        if not app.first_frame_due:
            return False
        if not self._recompose_due:
            self._recompose_due = True
            # In the footer's own queue: its keys are bound to its state as they are composed.
            app.after_first_frame(lambda: self.call_later(self._recompose_if_changed))
        return True

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Textual's footer recomposes after the next refresh at every announcement, and they come
        in bursts: four or five as a screen starts; one key can announce two (the focus leaves a
        field, then reaches the next), with the focus on the step's container between them for a
        moment. So the look is taken once, after the refresh, at what is shown then."""
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen or self._keys_wait():
            return
        if not self._recompose_due:
            self._recompose_due = True
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        self._recompose_due = False
        if self.is_attached and self._shown != self._what_to_show():
            await self.recompose()

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
        if self._keys_wait():
            return
        self._shown = self._what_to_show()
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
