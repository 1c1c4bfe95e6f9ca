"""Type-ahead: keys that come faster than the screen repaints (a burst from tmux, a paste, a
barcode scanner) land in the fields they were typed for, in order, none dropped.

`pilot.press` waits until the app is idle after every key, so it cannot send what a terminal
sends in one read; `burst` puts every key in the app's queue at once, as the driver does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Input

from skranke.services.context import Skranke
from skranke.ui.app import SkrankeApp
from skranke.ui.screens.deadlines import DeadlinesScreen
from skranke.ui.screens.intake import IntakeScreen
from skranke.ui.screens.sign_in import SignInScreen
from tests.conftest import TEST_PIN, make_skranke, signed_in
from tests.ui.conftest import TERMINAL, AppAt, screen_of, settle, wait_for
from tests.ui.test_deadlines_snapshots import NOW
from tests.ui.test_sign_in import staff

KEY_CHARACTERS = {"tab": "\t", "enter": "\r", "space": " ", "escape": "\x1b"}


@pytest.fixture(autouse=True)
def no_watchdog_in_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """The type-ahead lets held keys through after 2 s whatever happens (a safety valve); on a
    loaded CI machine a sign-in and a screen can take that long, so here the valve waits longer:
    these tests wait on the events, never on the clock."""
    monkeypatch.setattr("skranke.ui.app.TYPE_AHEAD_MAX_SECONDS", 60.0)


def burst(app: SkrankeApp, *keys: str) -> None:
    """Every key in the app's queue before it has handled the first (what one terminal read gives)."""
    for key in keys:
        app.post_message(events.Key(key, KEY_CHARACTERS.get(key, key if len(key) == 1 else None)))


async def test_a_burst_signs_in_from_i_dag(app_at: AppAt) -> None:
    # "fMN⇥2468⏎" in one send: the sign-in is pushed by `f`, the initials and PIN land in their fields.
    app = app_at(NOW, prepare=staff, roles=None)
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        burst(app, "f", "M", "N", "tab", *TEST_PIN, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DeadlinesScreen) and app.screen.loaded)
        assert app.actor is not None and app.actor.staff_id == "MN"


async def test_a_burst_with_enter_between_the_fields(app_at: AppAt) -> None:
    app = app_at(NOW, prepare=staff, roles=None)
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
        burst(app, "K", "J", "enter", *TEST_PIN, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DeadlinesScreen) and app.screen.loaded)
        assert app.actor is not None and app.actor.staff_id == "KJ"


async def test_one_press_call_signs_in(app_at: AppAt) -> None:
    app = app_at(NOW, prepare=staff, roles=None)
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        await pilot.press("f", "M", "N", "tab", *TEST_PIN, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DeadlinesScreen) and app.screen.loaded)
        assert app.actor is not None and app.actor.staff_id == "MN"


async def test_a_burst_fills_the_intake_form_field_by_field(app_at: AppAt) -> None:
    # From I dag: `n` opens the form (its drafts read first), then search ⇥ anonymous ⇥ CPR ⇥ names.
    app = app_at("2026-03-30T09:00")
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        burst(app, "n", "tab", "tab", *"0101901234", "tab", *"Ida", "tab", *"Testesen", "tab", *"Bien")
        await wait_for(pilot, lambda: isinstance(app.screen, IntakeScreen) and app.screen.loaded)
        screen = app.screen
        assert isinstance(screen, IntakeScreen)
        await wait_for(pilot, lambda: screen.query_one("#f-alias", Input).value == "Bien")
        answers = screen.answers()
        assert (answers["cpr"], answers["first_name"], answers["last_name"], answers["alias"]) == (
            "0101901234",
            "Ida",
            "Testesen",
            "Bien",
        )
        assert screen.query_one("#f-citizen-search", Input).value == ""


async def test_one_press_call_fills_the_intake_form(app_at: AppAt) -> None:
    app = app_at("2026-03-30T09:00")
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        await pilot.press("n", "tab", "tab", *"0101901234", "tab", *"Ida", "tab", *"Testesen")
        await wait_for(pilot, lambda: isinstance(app.screen, IntakeScreen) and app.screen.loaded)
        screen = app.screen
        assert isinstance(screen, IntakeScreen)
        await wait_for(pilot, lambda: screen.query_one("#f-last_name", Input).value == "Testesen")
        assert screen.answers()["first_name"] == "Ida"


class AskDialog(ModalScreen[str]):
    """Like the dose dialog: pushed by a key, its field takes the focus as it mounts."""

    BINDINGS = [Binding("escape", "dismiss('')", "")]

    def compose(self) -> ComposeResult:
        yield Input(id="asked", restrict=r"\d*")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _done(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)


class SlowDialog(AskDialog):
    """A dialog that reads what it shows first (a worker), and only then focuses its field."""

    def __init__(self) -> None:
        super().__init__()
        self.ready_for_input = False

    def on_mount(self) -> None:
        self.set_timer(0.3, self._loaded)

    def _loaded(self) -> None:
        self.query_one(Input).focus()
        self.ready_for_input = True
        app = self.app
        assert isinstance(app, SkrankeApp)  # the DialogApp below
        app.input_ready()


class DialogApp(SkrankeApp):
    BINDINGS = [
        *SkrankeApp.BINDINGS,
        Binding("x", "ask", ""),
        Binding("y", "ask_slowly", ""),
        Binding("z", "mark", ""),
    ]

    def __init__(self, skranke: Skranke) -> None:
        super().__init__(skranke)
        self.answers: list[str | None] = []  # a dismissed dialog's result, None if it gave none
        self.marks = 0

    def action_ask(self) -> None:
        self.push_screen(AskDialog(), callback=self.answers.append)

    def action_ask_slowly(self) -> None:
        self.push_screen(SlowDialog(), callback=self.answers.append)

    def action_mark(self) -> None:
        self.marks += 1


def dialog_app(tmp_path: Path) -> DialogApp:
    skranke = make_skranke(NOW, f"sqlite:///{tmp_path / 'dialog.db'}")
    app = DialogApp(skranke)
    app.actor = signed_in(skranke, "nurse")
    return app


async def test_a_burst_that_pushes_a_dialog_types_into_its_field(tmp_path: Path) -> None:
    # "⏎g" on the queue: the key that opens a dialog, then what is meant for the dialog.
    app = dialog_app(tmp_path)
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        burst(app, "x", *"010190", "enter", "z", "x", "4", "2", "enter")
        await wait_for(pilot, lambda: len(app.answers) == 2)
        assert app.answers == ["010190", "42"]
        assert app.marks == 1  # the key after the dialog closed acted on the screen beneath, once


async def test_keys_wait_for_a_dialog_that_says_it_is_not_ready(tmp_path: Path) -> None:
    app = dialog_app(tmp_path)
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        burst(app, "y", *"311299", "enter")
        await wait_for(pilot, lambda: len(app.answers) == 1)
        assert app.answers == ["311299"]


async def test_a_paste_after_keys_keeps_its_place(tmp_path: Path) -> None:
    app = dialog_app(tmp_path)
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        burst(app, "x", "1")
        app.post_message(events.Paste("234"))
        burst(app, "5", "enter")
        await wait_for(pilot, lambda: len(app.answers) == 1)
        assert app.answers == ["12345"]


async def test_keys_after_the_pin_wait_for_the_screen_it_opens(app_at: AppAt) -> None:
    # "MN⇥2468⏎" then `t` at once: the `t` is for Frister (its next tab), not the PIN field.
    app = app_at(NOW, prepare=staff, roles=None)
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        burst(app, "f", "M", "N", "tab", *TEST_PIN, "enter", "t")
        await wait_for(pilot, lambda: isinstance(app.screen, DeadlinesScreen) and app.screen.loaded)
        from textual.widgets import TabbedContent

        await wait_for(pilot, lambda: app.screen.query_one(TabbedContent).active == "tab-exempt")


async def test_keys_after_down_wait_for_the_search_it_runs(app_at: AppAt) -> None:
    # "niel↓x" in one send on Borger: the Down runs the search at once and the `x` waits for the
    # hits, so it acts on the first hit (undo a check-in) instead of landing in the field ("nielx").
    from skranke.ui.screens.check_in import ReasonDialog
    from skranke.ui.screens.citizens import CitizensScreen

    app = app_at(NOW, prepare=staff, roles=None)
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        burst(app, "b", "K", "J", "tab", *TEST_PIN, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CitizensScreen))
        borger = screen_of(app, CitizensScreen)
        burst(app, "n", "i", "e", "l", "down", "x")
        await wait_for(pilot, lambda: borger.shown_query == "niel" and borger.ready_for_input)
        await wait_for(pilot, lambda: borger.query_one("#citizen-query", Input).value == "niel")
        # The first hit is not checked in today: the undo says so (no reason asked, nothing recorded).
        await wait_for(pilot, lambda: any("intet at fortryde" in str(n.message) for n in app._notifications))
        assert not isinstance(app.screen, ReasonDialog)
