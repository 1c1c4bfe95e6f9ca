"""The skranke application: one key per screen, the command palette, an explicit theme."""

from __future__ import annotations

import contextlib
import threading
from collections import deque
from collections.abc import Iterable
from functools import partial
from time import monotonic
from typing import TYPE_CHECKING, Any, cast

from textual import events, on, work
from textual._context import active_message_pump
from textual._queue import Queue
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.css.model import RuleSet
from textual.css.stylesheet import Stylesheet
from textual.css.types import CSSLocation
from textual.message import Message
from textual.message_pump import MessagePump
from textual.reactive import Reactive
from textual.screen import Screen
from textual.theme import Theme
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from skranke import __version__
from skranke import cache as compiled_cache
from skranke.collector import keep_start_up_objects
from skranke.i18n import _
from skranke.resources import styles_dir
from skranke.services.access import Actor
from skranke.services.errors import DatabaseUnavailable
from skranke.services.staff import sign_out
from skranke.ui.app_base import SkrankeAppBase
from skranke.ui.providers import ScreensProvider
from skranke.ui.registry import palette_screens, screen_bindings, screen_modes, screen_title, signed_in_modes
from skranke.ui.textual_words import SkrankeCommandPalette, translate, translated
from skranke.ui.widgets.staff_bar import StaffBar

if TYPE_CHECKING:
    from skranke.services.context import Skranke
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


class _SteadyStylesheet(Stylesheet):
    """Textual's stylesheet, parsed once per start, or not at all when the CSS is as last time.

    Textual clears its parsed rules whenever the CSS variables are set, even to the same values,
    and reparses everything into a fresh stylesheet, whose rules it then parses once more:
    styles/app.tcss three times before the first frame. Here the parsed rules stay while the
    variables are the same, a reparse parses only what changed, and the rules are kept in the
    cache folder (skranke.cache) under each source's CSS, the variables and Textual's parser,
    so a start reads them instead of tokenising the CSS (~15 ms to ~2 ms of the first frame).
    (Relies on Textual's `_variables` and `_parse_rules`: textual is pinned in pyproject.toml.)
    """

    _ENTRY = "styles.pickle"

    def __init__(self, *, variables: dict[str, str] | None = None) -> None:
        super().__init__(variables=variables)
        self._kept: dict[tuple[object, ...], list[RuleSet]] | None = None  # read on first use
        self._kept_changed = False

    def set_variables(self, variables: dict[str, str]) -> None:
        if variables != self._variables:
            super().set_variables(variables)
            self._kept = None

    def reparse(self) -> None:
        self.parse()

    def parse(self) -> None:
        super().parse()
        if self._kept_changed:
            self._kept_changed = False
            compiled_cache.write(self._ENTRY, self._cache_key(), self._kept)

    def _parse_rules(
        self, css: str, read_from: CSSLocation, is_default_rules: bool = False, tie_breaker: int = 0, scope: str = ""
    ) -> list[RuleSet]:
        if self._kept is None:
            kept = compiled_cache.read(self._ENTRY, self._cache_key())
            self._kept = kept if isinstance(kept, dict) else {}
        source = (css, read_from, is_default_rules, tie_breaker, scope)
        rules = self._kept.get(source)
        if rules is None:
            rules = super()._parse_rules(css, read_from, is_default_rules, tie_breaker, scope)
            for earlier in [kept for kept in self._kept if kept[1:] == source[1:]]:
                del self._kept[earlier]  # the same source as it read before an edit
            self._kept[source] = rules
            self._kept_changed = True
        return rules

    def _cache_key(self) -> tuple[object, ...]:
        import textual.css.parse

        return (__version__, compiled_cache.file_key(textual.css.parse.__file__), sorted(self._variables.items()))


SIGNED_IN_MODES = signed_in_modes()
IDLE_CHECK_SECONDS = 5
# Type-ahead (DESIGN §1 "Safe at the window"): how many rounds a key may take to settle
# (its bubbling, the messages it posts, a pushed screen's mount and focus), and how long a
# screen may keep keys waiting before they are let through anyway, so none is ever stuck.
TYPE_AHEAD_ROUNDS = 50
TYPE_AHEAD_MAX_SECONDS = 2.0
START_UP_SETTLED_SECONDS = 3.0  # the first screen painted and its counts read (~1 s)
# The day's backup starts after the start-up has settled (ui.app.SkrankeApp.daily_backup).
DAILY_BACKUP_AFTER_SECONDS = 10.0


class SkrankeApp(SkrankeAppBase):
    TITLE = "skranke"
    CSS_PATH = [styles_dir() / "app.tcss"]
    COMMANDS = App.COMMANDS | {ScreensProvider}
    MODES = screen_modes()
    DEFAULT_MODE = "today"
    BINDINGS = [
        # First after the screen's own keys: a narrow footer leaves out keys from the end.
        Binding("l", "lock", _("Lock"), id="app.lock", tooltip=_("Lock the desk: back to I dag, nobody signed in")),
        Binding("f1,question_mark", "help", _("Help"), id="app.help", tooltip=_("All keys")),
        # One key per screen (ui.registry), in the footer's order.
        *screen_bindings(),
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
        self._last_activity = monotonic()
        super().__init__(skranke)
        self.register_theme(SKRANKE_THEME)
        # Made anew with our theme's variables (App.__init__ made one with textual-dark's: not
        # registered yet), before any CSS is read into it.
        self.stylesheet = _SteadyStylesheet(variables=self.get_css_variables())
        # Type-ahead: keys that came while an earlier key was still being acted on.
        self._held_input: deque[events.Key | events.Paste] = deque()
        self._input_in_flight = False
        self._input_generation = 0
        self._input_watchdog: Timer | None = None
        self._input_not_waited_for: Screen[Any] | None = None
        # A signed-in screen being opened after the sign-in: keys typed after the PIN are its.
        self._opening_mode = False
        skranke.on_plain_store = self._plain_store_opened

    # How long the warning about a plain store stays up (it comes again at every start).
    PLAIN_STORE_NOTICE_SECONDS = 60.0

    def _plain_store_opened(self, warning: str) -> None:
        """The database opened is a plain SQLite store from before encryption: say so on screen.
        It is opened in a worker, or on this thread when something needs it at once."""
        if threading.get_ident() == self._thread_id:
            self._show_plain_store(warning)
        else:
            self.call_from_thread(self._show_plain_store, warning)

    def _show_plain_store(self, warning: str) -> None:
        self.notify(
            warning, title=_("Not encrypted"), severity="warning", timeout=self.PLAIN_STORE_NOTICE_SECONDS, markup=False
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="daily-backup")
    def daily_backup(self) -> None:
        """The day's backup when the backup folder holds none of today (a look at the folder first:
        cheap). A backup that fails is said, never shown as the database's fault: the desk works on."""
        from skranke.services.storage import daily_backup

        try:
            daily_backup(self.skranke)
        except DatabaseUnavailable:
            return  # the banner says it already, and the next start tries again
        except Exception as error:  # noqa: BLE001 — the backup's fault is told, the counter goes on
            message = _("The day's backup was not made: {error}").format(error=error)
            self.call_from_thread(self.notify, message, severity="warning", timeout=30, markup=False)

    def on_mount(self) -> None:
        # Real elapsed time, not the Clock: with --now fixed the desk still locks when left.
        self.set_interval(IDLE_CHECK_SECONDS, self._lock_when_idle)
        if not self.is_headless:  # a test's app is one of many in its process: nothing to keep
            # By then the first screen and its database reads have made what lives as long as the app.
            self.set_timer(START_UP_SETTLED_SECONDS, keep_start_up_objects)
            # The first start of a day backs the store up (DESIGN §1), after the first screen's
            # reads and in a worker of its own: the counter never waits for it.
            self.set_timer(DAILY_BACKUP_AFTER_SECONDS, self.daily_backup)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp)):
            self._last_activity = monotonic()
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            if self._input_in_flight or self._held_input:
                self._held_input.append(event)
            else:
                await self._dispatch_input(event)
            return
        await super().on_event(event)

    # --- type-ahead ------------------------------------------------------------------------
    # Textual hands a key to the widget focused when the app reads it, and that widget acts on
    # it later, in its own queue. A Tab or Enter changes the focus only when it is acted on
    # (a binding reached by bubbling, Input.Submitted, Widget.focus() through call_later), and
    # a pushed screen takes the focus only once it has mounted. Keys read in between (a burst
    # from tmux, a paste, a scanner) went to the old widget or to a screen with no focus yet:
    # "MN⇥2222⏎" left the PIN empty. So one key at a time: the next is handed on only when
    # every message the last one caused has been handled, in the order the keys came.
    # (Reads Textual's message-pump internals: textual is pinned in pyproject.toml.)

    async def _dispatch_input(self, event: events.Key | events.Paste) -> None:
        self._input_in_flight = True
        self._input_generation += 1
        generation = self._input_generation
        if self._input_watchdog is not None:
            self._input_watchdog.stop()
        self._input_watchdog = self.set_timer(TYPE_AHEAD_MAX_SECONDS, partial(self._release_input, generation, True))
        await super().on_event(event)
        self._settle_input(generation, 0)

    def _message_pumps(self) -> list[MessagePump]:
        """The app and every node of the screens in its stack. A plain stack over `_nodes`:
        this runs several times a key over a few hundred widgets, and Textual's generator
        walk was a sixth of the time a key took on the intake form."""
        pumps: list[MessagePump] = [self]
        stack: list[Any] = list(reversed(self.screen_stack))
        while stack:
            node = stack.pop()
            pumps.append(node)
            # The NodeList's own list: its __iter__ and __len__ were a third of the walk.
            children = node._nodes._nodes
            if children:
                stack.extend(children)
        return pumps

    def _settle_input(self, generation: int, rounds: int) -> None:
        """A round: a callback queued behind the messages of every pump that has any (waiting
        or in hand); when all have run, the next round, until no pump has any: the next key."""
        busy = self._busy_pumps()
        if not busy or rounds >= TYPE_AHEAD_ROUNDS:
            self.call_later(self._release_input, generation)
            return
        arrived = _SettleRound(self, generation, rounds)
        for pump in busy:
            # A screen or widget still being built gets nothing from us: the app's own
            # callback makes the round, and the next one looks again.
            target = pump if pump._is_mounted and not pump._closing else self
            # call_later's own message without its partial: Textual counts the parameters of a
            # partial's function with inspect.signature at every call, but reads a callable's own
            # count (`_param_count`) as it is.
            if target.post_message(events.Callback(callback=arrived)):
                arrived.waiting += 1
        if arrived.waiting == 0:
            self.call_later(self._release_input, generation)

    def _busy_pumps(self) -> list[MessagePump]:
        """The pumps with a message waiting or in hand (`busy_pumps`). The pump whose callback
        runs this check is not counted for the callback itself."""
        return busy_pumps(self, self._message_pumps(), here=active_message_pump.get(None))

    def input_ready(self) -> None:
        """Called by a screen that held keys back (`ready_for_input` False) once it can take
        them: what it did meanwhile (a screen pushed, a focus moved) settles first."""
        if self._input_in_flight:
            self.call_later(self._settle_input, self._input_generation, 0)

    async def _release_input(self, generation: int, overdue: bool = False) -> None:
        if generation != self._input_generation or not self._input_in_flight:
            return
        # A screen that is still getting ready (a dialog loading what it shows before its
        # field takes the focus) says so; the watchdog lets the keys through in any case.
        screen = self.screen
        if overdue:
            self._input_not_waited_for = screen  # not ready in time (a database down): no more waits
        elif self._opening_mode or (
            not getattr(screen, "ready_for_input", True) and screen is not self._input_not_waited_for
        ):
            return
        if self._input_watchdog is not None:
            self._input_watchdog.stop()
            self._input_watchdog = None
        self._input_in_flight = False
        if self._held_input:
            await self._dispatch_input(self._held_input.popleft())

    # --- signing in and locking ---------------------------------------------------------

    async def action_open(self, mode: str) -> None:
        """Switch to a screen; those with citizens ask for a sign-in first."""
        if mode in SIGNED_IN_MODES and self.actor is None:
            from skranke.ui.screens.sign_in import SignInScreen  # the dialogs: not for the first frame

            self.push_screen(
                SignInScreen(_("Sign in to see {screen}.").format(screen=screen_title(mode))),
                callback=lambda actor: self._signed_in(actor, mode),
            )
            return
        await self.switch_mode(mode)

    def action_sign_in(self) -> None:
        from skranke.ui.screens.sign_in import SignInScreen

        if self.actor is None and not isinstance(self.screen, SignInScreen):
            self.push_screen(SignInScreen(), callback=lambda actor: self._signed_in(actor, None))

    def _signed_in(self, actor: Actor | None, mode: str | None) -> None:
        if actor is None:
            return
        self._set_actor(actor)
        if mode is not None:
            # Between the sign-in's going and the screen's coming, I dag is in view for a moment:
            # keys typed after the PIN wait for the screen they were typed for.
            self._opening_mode = True

            async def open_it() -> None:
                try:
                    await self.switch_mode(mode)
                finally:
                    self._opening_mode = False
                    self.input_ready()

            self.call_later(open_it)

    def _set_actor(self, actor: Actor | None) -> None:
        self.actor = actor
        self._last_activity = monotonic()
        for bar in self.query(StaffBar):
            bar.show()
        for screen in self.screen_stack:
            for bar in screen.query(StaffBar):
                bar.show()

    async def action_lock(self, reason: str = "key") -> None:
        """Back to "I dag" with no citizen data anywhere on screen; the same or another person signs in."""
        actor = self.actor
        self._set_actor(None)
        self.clear_notifications()  # a toast may name a citizen or show a revealed CPR
        while len(self.screen_stack) > 1:
            self.pop_screen()
        if self.current_mode != "today":
            await self.switch_mode("today")
        # The screens that held citizens are dropped, not hidden: they are built anew after a sign-in.
        for mode, factory in SIGNED_IN_MODES.items():
            await self.remove_mode(mode)
            self.add_mode(mode, factory)
        self._set_actor(None)
        if actor is not None:
            self._record_sign_out(actor, reason)

    @work(thread=True, exit_on_error=False, group="sign-out")
    def _record_sign_out(self, actor: Actor, reason: str) -> None:
        sign_out(self.skranke, actor, reason)

    async def _lock_when_idle(self) -> None:
        idle_minutes = self.skranke.site.idle_lock_minutes
        if self.actor is not None and monotonic() - self._last_activity >= idle_minutes * 60:
            await self.action_lock("idle")

    def palette_commands(self) -> list[tuple[str, str, str]]:
        return [
            *palette_screens(),
            (_("Sign in"), _("Initials and PIN"), "sign_in"),
            (_("Lock"), _("Back to I dag, nobody signed in"), "lock"),
            (_("Sync now"), _("Import the inbox and write the outbox"), "sync_now"),
            (_("Help"), _("All keys"), "help"),
            *(
                [(_("Unlock PIN"), _("Lift a staff member's lock-out after five wrong PINs"), "unlock_pin")]
                if self.actor is not None and self.actor.may("manage_staff")
                else []
            ),
        ]

    # --- an admin lifts a PIN lock-out -------------------------------------------------------

    def action_unlock_pin(self) -> None:
        from skranke.ui.screens.sign_in import InitialsDialog

        if self.actor is not None and self.actor.may("manage_staff"):
            self.push_screen(InitialsDialog(_("Unlock PIN")), callback=self._unlock_asked)

    def _unlock_asked(self, initials: str | None) -> None:
        from skranke.ui.screens.confirm import ConfirmDialog

        if initials:
            dialog = ConfirmDialog(
                _("Unlock PIN?"),
                initials,
                _("The lock-out after five wrong PINs is lifted now; the PIN stays the same."),
            )
            self.push_screen(dialog, callback=partial(self._unlock_confirmed, initials))

    def _unlock_confirmed(self, initials: str, confirmed: bool | None) -> None:
        if confirmed:
            self._unlock(initials)

    @work(thread=True, exit_on_error=False, group="staff-unlock")
    def _unlock(self, initials: str) -> None:
        from skranke.services.access import AccessError
        from skranke.services.staff import StaffInputError, unlock_staff

        try:
            member = unlock_staff(self.skranke, self.actor, initials)
        except (AccessError, StaffInputError) as refused:
            self.call_from_thread(self.notify, str(refused), severity="error", markup=False)
            return
        self.call_from_thread(self.notify, _("{staff} can sign in again.").format(staff=member.staff_id), markup=False)

    def help_bindings(self, screen: Screen[Any] | None = None) -> list[tuple[str, str]]:
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
        if self.actor is None:
            await self.action_open("sync")
            return
        await self.switch_mode("sync")
        # The "sync" mode's screen is a SyncScreen (see MODES).
        cast("SyncScreen", self.screen).action_run_sync()

    async def action_quit(self) -> None:
        """q, ctrl+q and the palette's Quit: at once when nobody is signed in, else asked first
        (a stray q must not sign a nurse out of the window in the middle of a dose)."""
        if self.actor is None:
            await super().action_quit()
            return
        from skranke.ui.screens.confirm import ConfirmDialog

        if isinstance(self.screen, ConfirmDialog) and self.screen.id == "confirm-quit":
            return
        dialog = ConfirmDialog(
            _("Quit skranke?"),
            _("{name} is signed in and will be signed out.").format(name=self.actor.name),
            confirm_words=_("Enter quits · Esc goes back"),
        )
        dialog.id = "confirm-quit"
        self.push_screen(dialog, callback=self._quit_confirmed)

    def _quit_confirmed(self, confirmed: bool | None) -> None:
        if confirmed:
            self.exit()

    def action_help(self) -> None:
        from skranke.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    # --- Textual's own commands and messages, in the interface language --------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
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
            lambda: self.set_timer(0.1, self.screenshot_to_folder),
        )

    def screenshot_to_folder(self) -> None:
        """Textual saves into ~/Downloads, and fails where there is none (a clinic PC, a server):
        there if it exists, else skranke's own folder, made when first needed."""
        from platformdirs import user_data_path, user_downloads_path

        folder = user_downloads_path()
        if not folder.is_dir():
            folder = user_data_path("skranke") / "screenshots"
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError:
                self.notify(_("Failed to save screenshot"), title=_("Screenshot"), severity="error")
                return
        self.deliver_screenshot(path=str(folder))

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
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.worker_failed(event.worker.error)

    def worker_failed(self, error: BaseException) -> None:
        """Every worker's failure ends here (Worker.StateChanged does not bubble: screens and
        widgets forward theirs, see skranke.ui.widgets.database.ForwardsWorkerErrors): a database
        fault as the app-wide banner, retried; anything else as a modal with the reason."""
        if isinstance(error, DatabaseUnavailable):
            self.report_database_fault(error)
            return
        from skranke.ui.screens.error import ErrorScreen

        self.push_screen(ErrorScreen(_("Something went wrong"), str(error)))

    def on_unmount(self) -> None:
        if self.actor is not None:
            # Quitting must not fail on an unreachable database.
            with contextlib.suppress(Exception):
                sign_out(self.skranke, self.actor, "quit")
        self.skranke.close()


class _SettleRound:
    """One round of type-ahead settling: called back once by every busy pump, and when the last
    has called, the next round. A class rather than a closure: Textual counts a callback's
    parameters with `inspect.signature` unless the callable says (`_param_count`), and a new
    closure each round cost that on every callback of every key (posted as the Callback message
    itself: call_later would wrap it in a partial, whose count is made anew each time)."""

    _param_count = 0

    def __init__(self, app: SkrankeApp, generation: int, rounds: int) -> None:
        self.app = app
        self.generation = generation
        self.rounds = rounds
        self.waiting = 0

    def __call__(self) -> None:
        self.waiting -= 1
        if self.waiting == 0 and self.generation == self.app._input_generation:
            self.app._settle_input(self.generation, self.rounds + 1)


def busy_pumps(app: App[Any], pumps: Iterable[MessagePump], here: MessagePump | None = None) -> list[MessagePump]:
    """Of `pumps`, those with a message waiting or in hand. An empty queue is not enough: a
    widget may be in the middle of a handler (awaiting) that will post more. One that waits for
    its next message is idle: its queue's event has it as a waiter (Textual's own queue). The
    type-ahead asks this before it hands on a key; the screen tests' wait after a key too."""
    busy: list[MessagePump] = []
    for pump in pumps:
        if pump._closed:
            continue
        queue: Queue[Message | None] = pump._message_queue
        if (
            # The loop takes the message after the one in hand out of the queue to peek at it.
            queue.values  # qsize() without the call: this runs for every widget, several times a key
            or pump._pending_message is not None
            or pump._next_callbacks
            or (pump is not app and not pump._is_mounted)
            or (pump is not here and pump._running and not queue.ready_event._waiters)
        ):
            busy.append(pump)
    return busy
