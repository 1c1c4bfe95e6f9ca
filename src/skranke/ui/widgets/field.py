"""A text field that costs the screen no new layout per key."""

from __future__ import annotations

from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Input


class Field(Input):
    """Textual's Input, less a layout of the whole screen at every key typed.

    Input keeps the width of its text as its virtual size (how far it can scroll), and sets it
    at every change of the value through a reactive that asks the screen for a new layout: on
    Ny henvendelse, a form of some 250 widgets, ~1 ms of the ~7 ms a typed letter cost. A
    field whose size does not follow its text (no `auto` width or height: every field here)
    changes nothing a layout would move, so the virtual size is set here without one, and the
    scroll kept within it as a layout would (Widget._scroll_update); Input's own watcher then
    finds it set. A field sized by its text, or not yet laid out, is left to Input.
    (Relies on Input's `_watch_value` and `content_width`: textual is pinned in pyproject.toml.)
    """

    def _watch_value(self, value: str) -> None:
        if self.is_mounted and self.size and not self.styles.auto_dimensions:
            virtual_size = Size(self.content_width, 1)
            if virtual_size != self.virtual_size:
                self.set_reactive(Widget.virtual_size, virtual_size)
                self._scroll_update(virtual_size)
        super()._watch_value(value)
