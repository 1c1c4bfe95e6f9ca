"""Every screen of the application, written once: its mode, key, words and how it is made.

The app's key bindings, its modes, the command palette's screen entries and the title a sign-in
names ("Sign in to see Frister.") are all made from `screens()`; a new screen is one entry here.
The screens are imported when first shown, so "I dag" paints without the other screens' modules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.binding import Binding

from skranke.i18n import _

if TYPE_CHECKING:
    from textual.screen import Screen


@dataclass(frozen=True)
class ScreenEntry:
    mode: str  # Textual's mode name, and the argument of the action open('…')
    key: str
    label: str  # in the footer and the help
    title: str  # in the palette and the sign-in's words
    description: str  # the footer key's tooltip and the palette's help line
    make: Callable[[], Screen[Any]]
    signed_in: bool = True  # shows or changes citizens: a signed-in person first (DESIGN §1, §4)
    in_footer: bool = True

    @property
    def action(self) -> str:
        return f"open({self.mode!r})"

    def binding(self) -> Binding:
        return Binding(
            self.key,
            self.action,
            self.label,
            id=f"screen.{self.mode}",
            tooltip=self.description,
            show=self.in_footer,
        )


def _today() -> Screen[Any]:
    from skranke.ui.screens.today import TodayScreen

    return TodayScreen()


def _deadlines() -> Screen[Any]:
    from skranke.ui.screens.deadlines import DeadlinesScreen

    return DeadlinesScreen()


def _citizens() -> Screen[Any]:
    from skranke.ui.screens.citizens import CitizensScreen

    return CitizensScreen()


def _queue() -> Screen[Any]:
    from skranke.ui.screens.queue import QueueScreen

    return QueueScreen()


def _intake() -> Screen[Any]:
    from skranke.ui.screens.intake import IntakeScreen

    return IntakeScreen()


def _tasks() -> Screen[Any]:
    from skranke.ui.screens.tasks import TasksScreen

    return TasksScreen()


def _sync() -> Screen[Any]:
    from skranke.ui.screens.sync import SyncScreen

    return SyncScreen()


def _stock() -> Screen[Any]:
    from skranke.ui.screens.stock import StockScreen

    return StockScreen()


def _figures() -> Screen[Any]:
    from skranke.ui.screens.figures import FiguresScreen

    return FiguresScreen()


def screens() -> tuple[ScreenEntry, ...]:
    """The screens in the footer's order, their words in the interface language."""
    return (
        ScreenEntry(
            mode="today",
            key="d",
            label=_("Today"),
            title=_("Today"),
            description=_("Opening hours of every department, counts"),
            make=_today,
            signed_in=False,
        ),
        ScreenEntry(
            mode="deadlines",
            key="f",
            label=_("Deadlines"),
            title=_("Deadlines"),
            description=_("14-day guarantee, follow-ups, plan reviews"),
            make=_deadlines,
        ),
        ScreenEntry(
            mode="citizens",
            key="b",
            label=_("Citizen"),
            title=_("Citizen"),
            description=_("Find a citizen and check them in"),
            make=_citizens,
        ),
        ScreenEntry(
            mode="queue",
            key="m",
            label=_("Medicine"),
            title=_("Medicine dispensing"),
            description=_("Waiting, expected today, deliveries, done"),
            make=_queue,
        ),
        ScreenEntry(
            mode="intake",
            key="n",
            label=_("New request"),
            title=_("New request"),
            description=_("Ny henvendelse: the intake form"),
            make=_intake,
        ),
        ScreenEntry(
            mode="tasks",
            key="o",
            label=_("Tasks"),
            title=_("Tasks"),
            description=_("Notifications, referrals, follow-ups"),
            make=_tasks,
        ),
        ScreenEntry(
            mode="sync",
            key="s",
            label=_("Sync"),
            title=_("Sync"),
            description=_("Imports, rejected files, outbox"),
            make=_sync,
            in_footer=False,  # an 80-column footer holds seven keys; in help and the palette
        ),
        ScreenEntry(
            mode="stock",
            key="g",
            label=_("Stock"),
            title=_("Stock"),
            description=_("Narcotics ledger: balance, issues, receipts, counts"),
            make=_stock,
            in_footer=False,  # as Sync: in help and the palette
        ),
        ScreenEntry(
            mode="figures",
            key="k",
            label=_("Key figures"),
            title=_("Key figures"),
            description=_("Nøgletal: the guarantee kept, discharges, the site's targets"),
            make=_figures,
            in_footer=False,  # as Sync and Lager: in help and the palette
        ),
    )


def screen_bindings() -> list[Binding]:
    return [entry.binding() for entry in screens()]


def screen_modes() -> dict[str, str | Callable[[], Screen[Any]]]:
    """Textual's MODES: each mode's screen, made when the mode is first shown."""
    return {entry.mode: entry.make for entry in screens()}


def signed_in_modes() -> dict[str, Callable[[], Screen[Any]]]:
    """The modes that ask for a sign-in first; dropped, not hidden, when the desk locks."""
    return {entry.mode: entry.make for entry in screens() if entry.signed_in}


def screen_title(mode: str) -> str:
    return next((entry.title for entry in screens() if entry.mode == mode), mode)


def palette_screens() -> list[tuple[str, str, str]]:
    """(title, help, action) of each screen for the command palette."""
    return [(entry.title, entry.description, entry.action) for entry in screens()]
