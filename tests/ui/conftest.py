"""Snapshot helpers: the app at a fixed size and a fixed moment, workers finished first."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import gc
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from pathlib import Path, PurePath
from types import CodeType, FunctionType
from typing import Any, Protocol, TypeVar

import pytest
import textual._callback as textual_callback
import textual.app
import textual.pilot
from textual.app import App, ScreenStackError, UnknownModeError
from textual.driver import Driver
from textual.message import Message
from textual.message_pump import MessagePump
from textual.pilot import Pilot, WaitForScreenTimeout
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.worker import WorkerCancelled, WorkerFailed

from skranke.services.context import Skranke
from skranke.ui.app import SkrankeApp, busy_pumps
from tests.conftest import make_skranke, signed_in

TERMINAL = (120, 36)
NARROW_TERMINAL = (80, 24)  # what many clinic PCs open

# Every snapshot at both sizes: the wide one and 80x24.
SIZES = pytest.mark.parametrize(
    "size", [pytest.param(TERMINAL, id="120x36"), pytest.param(NARROW_TERMINAL, id="80x24")]
)


class SnapCompare(Protocol):
    """pytest-textual-snapshot's `snap_compare` fixture, as its `compare` is declared (the plugin
    ships no types and annotates the fixture's return as taking a path only)."""

    def __call__(
        self,
        app: str | PurePath | App[Any],
        press: Iterable[str] = (),
        terminal_size: tuple[int, int] = (80, 24),
        run_before: Callable[[Pilot[Any]], Awaitable[None] | None] | None = None,
    ) -> bool: ...


class AppAt(Protocol):
    """The `app_at` fixture: the app on a fresh store at `now`, signed in unless `roles` is None."""

    def __call__(
        self,
        now: str,
        site: str = "odense",
        prepare: Callable[[Skranke], object] | None = None,
        roles: tuple[str, ...] | None = ("nurse", "admin"),
        **settings: Any,
    ) -> SkrankeApp: ...


async def settle(pilot: Pilot[None]) -> None:
    """Let mounts, workers (database counts) and the repaint after them finish."""
    from skranke.ui.widgets.counts import CountsPanel

    async for _ in rounds():
        await pilot.pause()
        await finished_workers(pilot)
        await pilot.pause()
        if all(panel.loaded for panel in pilot.app.screen.query(CountsPanel)):
            return
    raise AssertionError("the screen did not settle: counts never arrived")


# How long a test waits for what it waits on before it fails. A round of waiting is no longer a
# clock's 20 ms or more (see `until_quiet`), so the bound is in seconds, not in rounds.
WAIT_GIVE_UP_SECONDS = 20.0


async def rounds() -> AsyncIterator[None]:
    """Rounds of a wait, until WAIT_GIVE_UP_SECONDS. After the first, a round begins with a
    moment's sleep: what is waited for then comes from a timer or a thread (a poll, a debounce),
    and looking again at once would only take the CPU from it."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + WAIT_GIVE_UP_SECONDS
    yield None
    while loop.time() < give_up:
        await asyncio.sleep(0.005)
        yield None


# Textual counts a callback's parameters with inspect.signature unless the callable says
# (`_param_count`), and call_later wraps every callback in a new partial, so the count is made
# again each time. Pilot's wait after each key and pause posts a new closure to every widget on
# the screen: a few hundred signatures a key. The count of a plain function depends only on
# its code, so it is kept per code object (the same answer, once); anything else as before.
_textual_count_parameters = textual_callback._count_parameters
_parameter_counts: dict[CodeType, int] = {}


def _count_parameters_once(func: Callable[..., Any]) -> int:
    code = getattr(func, "__code__", None)
    if not isinstance(func, FunctionType) or code is None:
        return _textual_count_parameters(func)
    if code not in _parameter_counts:
        _parameter_counts[code] = _textual_count_parameters(func)
    return _parameter_counts[code]


textual_callback._count_parameters = _count_parameters_once


# Textual's Pilot waits after every key and every pause until the process looks idle: it sleeps
# 20 ms, and again while any thread used more than 1 ms of CPU meanwhile (up to a second). Twice a
# key, that guess was most of a journey's wall time, and on a loaded machine a guess. The app and
# Textual say when the work is done: the driver's key has reached the app's queue, the type-ahead
# has handed the last key on, no message pump has a message waiting or in hand, no worker runs.
# The wait is on those, never on a clock; like Textual's, it gives up after a while.
QUIET_GIVE_UP_SECONDS = 10.0

# Messages the headless driver has sent that the loop has not yet put in the app's queue
# (Driver.send_message goes through run_coroutine_threadsafe: a task not yet started).
_sent_by_driver: list[concurrent.futures.Future[bool]] = []


def _send_message_tracked(self: Driver, message: Message) -> None:
    """Driver.send_message, keeping the future of the post so that a wait can see it arrive."""
    _sent_by_driver.append(asyncio.run_coroutine_threadsafe(self._app._post_message(message), loop=self._loop))


def _busy_pumps(app: App[Any]) -> list[MessagePump]:
    """The app's and its screens' pumps with a message waiting or in hand (as SkrankeApp's
    type-ahead counts them; no pump is running this code, so a running pump that does not
    wait on its queue is in the middle of a handler)."""
    if isinstance(app, SkrankeApp):
        pumps = app._message_pumps()
    else:
        pumps = [app, *(node for screen in app.screen_stack for node in screen.walk_children(with_self=True))]
    return busy_pumps(app, pumps)


def _update_pending(app: App[Any]) -> bool:
    """The current screen has a layout, scroll, repaint or recompose to make (what its
    `_on_idle` starts the update timer for)."""
    screen = app.screen
    return not app._batch_count and bool(
        screen._layout_required
        or screen._scroll_required
        or screen._repaint_required
        or screen._recompose_required
        or screen._dirty_widgets
    )


# Timers of a frame or two that Textual sets for its own next step: a mode switch holds the
# screen's updates back for 50 ms (App.delay_update), a relabelled tab moves its underline after
# 20 ms, an animation starts after its delay. The screen is not what the desk shows until they
# have run, so a wait waits for them too (the timer's end is the event). Longer timers are a
# debounce (a search, the draft) or a poll, which tests wait for by what they bring.
SHORT_TIMER_SECONDS = 0.1
_short_timers: list[Timer] = []
_textual_set_timer = MessagePump.set_timer


def _set_timer_tracked(
    self: MessagePump, delay: float, callback: Any = None, *, name: str | None = None, pause: bool = False
) -> Timer:
    timer = _textual_set_timer(self, delay, callback, name=name, pause=pause)
    if delay <= SHORT_TIMER_SECONDS:
        _short_timers.append(timer)
    return timer


def _short_timer_running() -> bool:
    """A short timer not yet run (a paused or stopped one runs nothing)."""
    _short_timers[:] = [timer for timer in _short_timers if timer._task is not None and not timer._task.done()]
    return any(timer._active.is_set() for timer in _short_timers)


def _callbacks_due(app: App[Any]) -> bool:
    """Work promised for after a refresh (`call_after_refresh`, the application's
    `after_first_frame`): the screen runs it once it is idle."""
    return bool(app.screen._callbacks) or (isinstance(app, SkrankeApp) and app.first_frame_due)


def _input_settled(app: App[Any]) -> bool:
    return not isinstance(app, SkrankeApp) or not (app._input_in_flight or app._held_input)


async def _round_through(pumps: list[tuple[App[Any], MessagePump]]) -> None:
    """Until every one of `pumps` (each with its app) has handled what it had when asked (Pilot's own way of waiting
    for the screen, over the busy pumps only)."""
    done = asyncio.Event()
    waiting = 0

    def arrived() -> None:
        nonlocal waiting
        waiting -= 1
        if waiting == 0:
            done.set()

    for app, pump in pumps:
        target = pump if pump._is_mounted and not pump._closing else app
        if target.call_later(arrived):
            waiting += 1
    if waiting:
        await done.wait()
    else:
        await asyncio.sleep(0)


async def until_quiet(min_sleep: float = 0.0, max_sleep: float = 1.0) -> None:
    """In place of textual._wait.wait_for_idle (same signature; its sleeps are not needed): until
    the keys sent have arrived and been acted on, and no pump or worker has anything left."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + QUIET_GIVE_UP_SECONDS
    while loop.time() < give_up:
        while _sent_by_driver:
            with contextlib.suppress(Exception):  # a post refused by a closing app is no wait
                await asyncio.wrap_future(_sent_by_driver.pop(0))
        # Every app a pilot drives (a test of two workstations has two): Textual's wait looked
        # at the whole process too.
        apps = [app for app in _piloted if not (app._closing or app._closed or app._exception_event.is_set())]
        for app in apps:
            with contextlib.suppress(WorkerFailed, WorkerCancelled):
                await app.workers.wait_for_complete()
        busy = [(app, pump) for app in apps for pump in _busy_pumps(app)]
        # A screen with callbacks due runs them when it is next idle: a round through it gets there.
        busy += [(app, app.screen) for app in apps if _callbacks_due(app) and (app, app.screen) not in busy]
        if busy:
            await _round_through(busy)
            continue
        if any(app._batch_count for app in apps) or _short_timer_running():
            # Updates held back (a batch open) or on a short timer (SHORT_TIMER_SECONDS): a
            # screenshot taken before shows the last layout, or a tab's underline as wide as its
            # old label. No message says when they end: look again soon.
            await asyncio.sleep(0.005)
            continue
        if any(_update_pending(app) for app in apps):
            # The screen lays out and paints on a 60 Hz timer once its pumps are idle: do now
            # what that timer would (as Pilot.pause does at its end), then look again at what
            # the new layout sent (sizes to widgets, a table's columns).
            # In the app's own context: a node finds its app there (`is_current` asks it).
            for app in apps:
                if _update_pending(app):
                    with app._context():
                        app.screen._on_timer_update()
            await asyncio.sleep(0)
        elif all(_input_settled(app) for app in apps):
            if not _sent_by_driver and not any(worker.is_running for app in apps for worker in app.workers):
                return
        else:
            # Keys held by a screen not yet ready: it says so when it is (or the type-ahead's
            # watchdog lets them through); look again soon rather than spin.
            await asyncio.sleep(0.005)


async def _wait_for_busy_pumps(self: Pilot[Any], timeout: float = 30.0) -> bool:
    """In place of Pilot._wait_for_screen (same signature and answers), which `press` ends with
    and `pause` begins with: until what the screen's pumps had queued has been handled. Textual's
    posts a callback to every widget of the screen and waits for each to run it, a few ms on a
    form of some 250 widgets and most of a `pause`; a pump with nothing waiting or in hand has
    nothing to finish, so only the busy ones are waited for (as `until_quiet` does)."""
    app = self.app
    try:
        app.screen
    except (ScreenStackError, UnknownModeError):  # as Textual's: no screen, nothing waited for
        return False
    busy = [(app, pump) for pump in _busy_pumps(app)]
    if not busy:
        return True
    handled: asyncio.Future[None] = asyncio.ensure_future(_round_through(busy))
    failed: asyncio.Future[bool] = asyncio.ensure_future(app._exception_event.wait())
    either: list[asyncio.Future[Any]] = [handled, failed]
    done, pending = await asyncio.wait(either, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    if not done:
        raise WaitForScreenTimeout("Timed out while waiting for widgets to process pending messages.")
    return handled in done


# The apps a Pilot has been made for (run_test, and the snapshot plugin's auto-pilot).
_piloted: weakref.WeakSet[App[Any]] = weakref.WeakSet()
_pilot_init = Pilot.__init__


def _pilot_init_noted(self: Pilot[Any], app: App[Any]) -> None:
    _pilot_init(self, app)
    _piloted.add(app)


# Each screen test builds an application of its own: a few hundred widgets, their styles and
# caches, ~150,000 objects that live for the test and are then garbage. Python's collector sweeps
# its oldest generation whenever a quarter more objects have reached it since the last sweep, and
# each new application brought that about again and again: ~4 full sweeps a test of the whole
# heap (pytest, hypothesis, SQLAlchemy, the modules: ~300,000 objects, ~0.3 s each), about half
# of test_intake_questions.py's CPU time. As the application does after its start
# (skranke.collector.keep_start_up_objects), what was made before the first screen test is kept
# out of every later sweep, and the youngest generation is swept every 7,000 new objects rather
# than 700 (Textual's rendering makes thousands per key, nearly all freed at once), so fewer of a
# test's objects are promoted and swept again. Only when the collector runs changes, not what it
# frees; both are restored when the session ends.
UI_TESTS_GC_THRESHOLD_0 = 7000


@pytest.fixture(scope="session", autouse=True)
def collector_for_screen_tests() -> Iterator[None]:
    threshold = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(UI_TESTS_GC_THRESHOLD_0, *threshold[1:])
    yield
    gc.set_threshold(*threshold)
    gc.unfreeze()


@pytest.fixture(autouse=True)
def wait_on_events(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Driver, "send_message", _send_message_tracked)
    monkeypatch.setattr(textual.pilot, "wait_for_idle", until_quiet)
    monkeypatch.setattr(textual.app, "wait_for_idle", until_quiet)
    monkeypatch.setattr(Pilot, "__init__", _pilot_init_noted)
    monkeypatch.setattr(Pilot, "_wait_for_screen", _wait_for_busy_pumps)
    monkeypatch.setattr(MessagePump, "set_timer", _set_timer_tracked)
    _short_timers.clear()


@pytest.fixture(autouse=True)
def steady_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    """A blinking cursor is drawn or not by the moment of the snapshot: keep it steady."""
    from textual.reactive import reactive
    from textual.widgets import Input

    monkeypatch.setattr(Input, "cursor_blink", reactive(False, init=False))
    Input.cursor_blink.__set_name__(Input, "cursor_blink")


# The intake form keeps its draft 0.5 s after the last change. Tests do not wait for that timer:
# it is set an hour out, and `draft_kept` saves at a named point, through the form's own flush
# (as when a step is left or the desk locks). With a short timer every key a test typed saved a
# draft and redrew the preview, most of what the intake journeys cost.
TEST_SAVE_AFTER_SECONDS = 3600.0


@pytest.fixture(autouse=True)
def quick_draft_saves(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("skranke.ui.screens.intake.SAVE_AFTER_SECONDS", TEST_SAVE_AFTER_SECONDS)


async def draft_kept(pilot: Pilot[None]) -> None:
    """The intake form's pending save made now (the debounce's timer stopped) and its worker done."""
    from skranke.ui.screens.intake import IntakeScreen

    async for _ in rounds():
        screen = pilot.app.screen
        if isinstance(screen, IntakeScreen):
            screen.flush_draft()
        await finished_workers(pilot)
        await pilot.pause()
        screen = pilot.app.screen
        if not isinstance(screen, IntakeScreen) or screen._save_timer is None:
            return
    raise AssertionError("the draft was never kept")


async def wait_for(pilot: Pilot[None], condition: Callable[[], object]) -> None:
    """Until `condition()` holds, letting workers and messages run: never a fixed pause."""
    async for _ in rounds():
        await finished_workers(pilot)
        await pilot.pause()
        if condition():
            return
    raise AssertionError("the screen never got there")


def focused(app: App[Any]) -> Widget | None:
    """`app.focused`, read anew: mypy keeps an `is` check's narrowing of the attribute across awaits."""
    return app.focused


ScreenT = TypeVar("ScreenT", bound=Screen[Any])


def screen_of(app: App[Any], kind: type[ScreenT]) -> ScreenT:
    """The app's current screen as the one a test has led it to (`app.screen` is any Screen)."""
    screen = app.screen
    assert isinstance(screen, kind), f"{type(screen).__name__} is shown, not {kind.__name__}"
    return screen


def painted(screen: Screen[Any]) -> bool:
    """Every widget of the screen has measured, laid out and painted what it holds.

    A DataTable widens its columns for new rows only when it is next idle, and a widget tells
    the screen of a new layout only after that: on a loaded machine a snapshot can fall between
    (rows drawn in the header's widths). Waiting on these flags is waiting on the event itself."""
    from textual.widgets import DataTable

    widgets = screen.walk_children(Widget, with_self=True)  # a screen holds only widgets
    return not (
        any(table._require_update_dimensions for table in screen.query(DataTable))
        or any(w._layout_required or w._repaint_required or not w._message_queue.empty() for w in widgets)
        or screen._dirty_widgets
    )


async def finished_workers(pilot: Pilot[None]) -> None:
    """Waits for the workers; one that failed was reported on the screen (banner or modal),
    which is what the test then looks at."""
    # A read that a newer read of the same exclusive group cancelled is no failure either.
    with contextlib.suppress(WorkerFailed, WorkerCancelled):
        await pilot.app.workers.wait_for_complete()


@pytest.fixture
def app_at(tmp_path: Path) -> Iterator[AppAt]:
    apps: list[SkrankeApp] = []

    def factory(
        now: str,
        site: str = "odense",
        prepare: Callable[[Skranke], object] | None = None,
        roles: tuple[str, ...] | None = ("nurse", "admin"),
        **settings: Any,
    ) -> SkrankeApp:
        """The app on a fresh store; signed in as SYG (nurse and admin) unless `roles` is None."""
        skranke = make_skranke(now, f"sqlite:///{tmp_path / 'ui.db'}", site, **settings)
        if prepare is not None:
            prepare(skranke)
        actor = signed_in(skranke, *roles, initials="SYG", name="Sygeplejerske Sørensen") if roles else None
        app = SkrankeApp(skranke)
        app.actor = actor
        apps.append(app)
        return app

    yield factory
