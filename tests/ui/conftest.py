"""Snapshot helpers: the app at a fixed size and a fixed moment, workers finished first."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterable, Iterator
from pathlib import Path, PurePath
from types import CodeType, FunctionType
from typing import Any, Protocol, TypeVar

import pytest
import textual._callback as textual_callback
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.worker import WorkerCancelled, WorkerFailed

from skranke.services.context import Skranke
from skranke.ui.app import SkrankeApp
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

    for _ in range(200):
        await pilot.pause()
        await finished_workers(pilot)
        await pilot.pause()
        if all(panel.loaded for panel in pilot.app.screen.query(CountsPanel)):
            return
    raise AssertionError("the screen did not settle: counts never arrived")


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

    for _ in range(100):
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
    for _ in range(200):
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
