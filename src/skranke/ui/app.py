"""The skranke application: one key per screen, the command palette, an explicit theme."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

from textual import events, on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.reactive import Reactive
from textual.screen import Screen
from textual.theme import Theme
from textual.worker import Worker, WorkerState

from skranke.i18n import _
from skranke.resources import styles_dir
from skranke.services.context import Skranke
from skranke.ui.providers import ScreensProvider
from skranke.ui.screens.error import ErrorScreen
from skranke.ui.screens.help import HelpScreen
from skranke.ui.screens.today import TodayScreen
from skranke.ui.textual_words import SkrankeCommandPalette, translate, translated

if TYPE_CHECKING:
    from skranke.ui.screens.sync import SyncScreen

# Drawn the same whatever TEXTUAL_THEME says: snapshots and clinics see one look.
SKRANKE_THEME = Theme(
    name="skranke",
    primary="#2F6F9F",
    secondary="#4F8A8B",
    accent="#D08C2E",
    warning="#E0A526",
    error="#C8423B",
    success="#3D9A50",
    foreground="#E6E6E6",
    background="#16191D",
    surface="#1F2328",
    panel="#2A3038",
    dark=True,
)


def _deadlines_screen() -> Screen:
    # Imported when first shown: "I dag" paints without the other screens' modules.
    from skranke.ui.screens.deadlines import DeadlinesScreen

    return DeadlinesScreen()


def _sync_screen() -> Screen:
    from skranke.ui.screens.sync import SyncScreen

    return SyncScreen()


class SkrankeApp(App[None]):
    TITLE = "skranke"
    CSS_PATH = [styles_dir() / "app.tcss"]
    COMMANDS = App.COMMANDS | {ScreensProvider}
    MODES = {"today": TodayScreen, "deadlines": _deadlines_screen, "sync": _sync_screen}
    DEFAULT_MODE = "today"
    BINDINGS = [
        Binding("d", "switch_mode('today')", _("Today"), id="screen.today", tooltip=_("Opening hours and counts")),
        Binding(
            "f",
            "switch_mode('deadlines')",
            _("Deadlines"),
            id="screen.deadlines",
            tooltip=_("14-day guarantee, follow-ups, plan reviews"),
        ),
        Binding("s", "switch_mode('sync')", _("Sync"), id="screen.sync", tooltip=_("Imports, rejected files, outbox")),
        Binding("f1,question_mark", "help", _("Help"), id="app.help", tooltip=_("All keys")),
        # Shown once, at the footer's right edge (Footer.show_command_palette), not in the row too.
        Binding("ctrl+p", "command_palette", _("Commands"), id="app.palette", show=False, priority=True),
        # Not in the footer: an 80-column footer holds seven keys, and these are in help and palette.
        Binding("q", "quit", _("Quit"), id="app.quit", show=False),
        # Textual's own ctrl+q, with its words in ours.
        Binding("ctrl+q", "quit", _("Quit"), id="app.quit_anywhere", show=False, priority=True),
    ]

    # The app's own theme as the reactive's default: applied once at start (setting it in
    # __init__ would restyle every widget a second time), and TEXTUAL_THEME cannot change it.
    theme: Reactive[str] = Reactive("skranke")

    def __init__(self, skranke: Skranke) -> None:
        self.skranke = skranke
        super().__init__()
        self.register_theme(SKRANKE_THEME)

    def palette_commands(self) -> list[tuple[str, str, str]]:
        return [
            (_("Today"), _("Opening hours of every department, counts"), "switch_mode('today')"),
            (_("Deadlines"), _("14-day guarantee, follow-ups, plan reviews"), "switch_mode('deadlines')"),
            (_("Sync"), _("Imports, rejected files, outbox"), "switch_mode('sync')"),
            (_("Sync now"), _("Import the inbox and write the outbox"), "sync_now"),
            (_("Help"), _("All keys"), "help"),
        ]

    def help_bindings(self, screen: Screen | None = None) -> list[tuple[str, str]]:
        """The application's keys, those of the screen the help was opened from, then the rest
        of what is active there (Textual's own keys: fields, tables, copying) in our words."""
        # The screen's own BINDINGS, not those it inherits from Textual's Screen (listed below).
        own = [*self.BINDINGS, *(vars(type(screen)).get("BINDINGS", []) if screen is not None else [])]
        rows = [
            (self._keys_shown(b), translate(b.description)) for b in own if isinstance(b, Binding) and b.description
        ]
        listed = {key.strip() for b in own if isinstance(b, Binding) for key in b.key.split(",")}
        by_action: dict[str, list[Binding]] = {}
        for active in (screen or self.screen).active_bindings.values():
            binding = active.binding
            if binding.system or not binding.description or binding.key in listed:
                continue
            by_action.setdefault(binding.action, []).append(translated(binding))
        for bindings in by_action.values():
            keys = ", ".join(dict.fromkeys(self.get_key_display(b) for b in bindings))
            rows.append((keys, bindings[0].description))
        return [*rows, ("esc", _("Close a dialog"))]

    def _keys_shown(self, binding: Binding) -> str:
        """'f1, ?' rather than 'f1,question_mark'."""
        if binding.key_display:
            return binding.key_display
        return ", ".join(self.get_key_display(Binding(key.strip(), "")) for key in binding.key.split(","))

    async def action_sync_now(self) -> None:
        await self.switch_mode("sync")
        # The "sync" mode's screen is a SyncScreen (see MODES).
        cast("SyncScreen", self.screen).action_run_sync()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    # --- Textual's own commands and messages, in the interface language --------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield SystemCommand(_("Theme"), _("Change the current theme"), self.action_change_theme)
        yield SystemCommand(_("Quit"), _("Quit the application"), self.action_quit)
        yield SystemCommand(_("Keys"), _("Every key of this screen and the application"), self.action_help)
        if screen.maximized is not None:
            yield SystemCommand(
                _("Minimize"), _("Minimize the widget and restore to normal size"), screen.action_minimize
            )
        elif screen.focused is not None and screen.focused.allow_maximize:
            yield SystemCommand(_("Maximize"), _("Maximize the focused widget"), screen.action_maximize)
        yield SystemCommand(
            _("Screenshot"),
            _("Save an SVG picture of the screen"),
            lambda: self.set_timer(0.1, self.deliver_screenshot),
        )

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(cast("App[object]", self)):
            self.push_screen(SkrankeCommandPalette(id="--command-palette"))

    def search_themes(self) -> None:
        from textual.theme import ThemeProvider

        self.push_screen(CommandPalette(providers=[ThemeProvider], placeholder=_("Search for themes…")))

    def action_show_help_panel(self) -> None:
        # Textual's keys panel would list its English texts: ours is the help screen.
        self.action_help()

    def action_help_quit(self) -> None:
        """ctrl+c copies; who pressed it to leave is told which key quits."""
        quit_keys = [
            self.get_key_display(a.binding)
            for a in self.active_bindings.values()
            if a.binding.action in ("quit", "app.quit")
        ]
        if quit_keys:
            self.notify(_("Press {key} to quit").format(key=min(quit_keys, key=len)), title=_("Do you want to quit?"))

    @on(events.DeliveryComplete)
    def _screenshot_saved(self, event: events.DeliveryComplete) -> None:
        if event.name == "screenshot":
            event.prevent_default()  # Textual's own notice is in English
            saved = _("Saved screenshot to {path}").format(path=event.path) if event.path else _("Saved screenshot")
            self.notify(saved, title=_("Screenshot"), markup=False)

    @on(events.DeliveryFailed)
    def _screenshot_failed(self, event: events.DeliveryFailed) -> None:
        if event.name == "screenshot":
            event.prevent_default()
            self.notify(_("Failed to save screenshot"), title=_("Screenshot"), severity="error")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Every worker's failure ends here, as a modal with the reason."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.push_screen(ErrorScreen(_("Something went wrong"), str(event.worker.error)))

    def on_unmount(self) -> None:
        self.skranke.close()
