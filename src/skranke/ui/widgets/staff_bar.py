"""The line at the top of every screen: who is signed in, or that no one is."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from skranke.i18n import _


class StaffBar(Static):
    """Redrawn by the app whenever someone signs in or the desk locks."""

    def on_mount(self) -> None:
        self.show()

    def show(self) -> None:
        app = self.app
        actor = getattr(app, "actor", None)
        if actor is None:
            right = Text(_("Not signed in"), style="dim")
        else:
            right = Text.assemble(
                (_("Signed in: {staff}").format(staff=actor.staff_id), "bold"), f" {actor.name} · ", _("l locks")
            )
        line = right
        line.truncate(max(self.size.width, 1), overflow="ellipsis")
        self.update(line)

    def on_resize(self) -> None:
        self.show()
