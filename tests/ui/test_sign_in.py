"""Sign-in, lock and change of shift: the screen facing the waiting room shows no citizen when locked."""

from __future__ import annotations

import json

import pytest
from textual.pilot import Pilot

from skranke.cli import main
from skranke.services.access import AccessError
from skranke.services.context import Skranke
from skranke.services.staff import sign_in
from skranke.ui.app import SkrankeApp
from skranke.ui.screens.citizen import CitizenScreen
from skranke.ui.screens.sign_in import SignInScreen
from skranke.ui.screens.today import TodayScreen
from tests.conftest import TEST_PIN, signed_in
from tests.ui.conftest import TERMINAL, AppAt, SnapCompare, screen_of, settle, wait_for
from tests.ui.test_deadlines_snapshots import NOW, demo

SMALL = (80, 24)


def staff(skranke: Skranke) -> None:
    demo(skranke)
    signed_in(skranke, "reception", initials="KJ", name="Karen Jensen")
    signed_in(skranke, "nurse", initials="MN", name="Mette Nielsen")


def locked_out(skranke: Skranke) -> None:
    staff(skranke)
    for _ in range(5):
        with pytest.raises(AccessError):
            sign_in(skranke, "MN", "0000")


async def type_sign_in(pilot: Pilot[None], initials: str, pin: str) -> None:
    await pilot.press(*initials, "enter")
    await pilot.pause()
    await pilot.press(*pin, "enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def ask_for_frister(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("f")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, SignInScreen))


def _visible_text(app: SkrankeApp) -> str:
    return "\n".join(str(widget.render()) for screen in app.screen_stack for widget in screen.query("Static"))


async def test_locking_leaves_no_citizen_on_screen_and_lets_the_next_person_sign_in(app_at: AppAt) -> None:
    app = app_at(NOW, prepare=staff, roles=None)
    async with app.run_test(size=TERMINAL) as pilot:
        await ask_for_frister(pilot)
        await type_sign_in(pilot, "kj", TEST_PIN)
        await wait_for(pilot, lambda: getattr(app.screen, "loaded", False))
        assert app.actor is not None and app.actor.staff_id == "KJ"
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CitizenScreen) and app.screen.loaded)
        card = app.screen
        assert isinstance(card, CitizenScreen)
        citizen_id, name = card.citizen_id, card._card.name
        assert name and name in _visible_text(app)

        await pilot.press("escape", "l")
        await wait_for(pilot, lambda: isinstance(app.screen, TodayScreen))
        assert app.actor is None and len(app.screen_stack) == 1
        assert name not in _visible_text(app) and citizen_id not in _visible_text(app)
        assert "Ikke logget ind" in _visible_text(app)

        await pilot.press("f")  # the next person signs in
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
        await type_sign_in(pilot, "MN", TEST_PIN)
        await wait_for(pilot, lambda: getattr(app.screen, "loaded", False))
        app.push_screen(CitizenScreen(citizen_id))
        await wait_for(pilot, lambda: isinstance(app.screen, CitizenScreen) and app.screen.loaded)
        assert app.actor is not None and app.actor.staff_id == "MN"


def test_the_audit_command_lists_both_looks(
    app_at: AppAt, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same path as above, read back through the command a records officer would use.
    import asyncio

    app = app_at(NOW, prepare=staff, roles=None)

    async def path() -> str:
        async with app.run_test(size=TERMINAL) as pilot:
            await ask_for_frister(pilot)
            await type_sign_in(pilot, "KJ", TEST_PIN)
            await wait_for(pilot, lambda: getattr(app.screen, "loaded", False))
            await pilot.press("down", "enter")
            await wait_for(pilot, lambda: isinstance(app.screen, CitizenScreen) and app.screen.loaded)
            citizen_id = screen_of(app, CitizenScreen).citizen_id
            await pilot.press("escape", "l", "f")
            await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
            await type_sign_in(pilot, "MN", TEST_PIN)
            await wait_for(pilot, lambda: getattr(app.screen, "loaded", False))
            app.push_screen(CitizenScreen(citizen_id))
            await wait_for(pilot, lambda: isinstance(app.screen, CitizenScreen) and app.screen.loaded)
            return citizen_id

    citizen_id = asyncio.run(path())
    capsys.readouterr()
    monkeypatch.setenv("SKRANKE_PIN", TEST_PIN)
    url = app.skranke.database_url  # the engine's URL names SQLCipher's dialect and hides the key
    assert main(["audit", "--citizen", citizen_id, "--json", "--db", url, "--now", NOW, "--staff", "ADM"]) == 0
    events = json.loads(capsys.readouterr().out)["events"]
    opened = [(e["staff"], e["action"]) for e in events if e["action"] == "open_citizen"]
    assert opened == [("KJ", "open_citizen"), ("MN", "open_citizen")]
    assert {e["staff"] for e in events if e["action"] == "list_deadlines"} == {"KJ", "MN"}


class TestSignInScreen:
    @pytest.mark.parametrize("size", [TERMINAL, SMALL], ids=["120x36", "80x24"])
    def test_empty(self, snap_compare: SnapCompare, app_at: AppAt, size: tuple[int, int]) -> None:
        app = app_at(NOW, prepare=staff, roles=None)
        assert snap_compare(app, terminal_size=size, run_before=ask_for_frister)

    @pytest.mark.parametrize("size", [TERMINAL, SMALL], ids=["120x36", "80x24"])
    def test_wrong_pin(self, snap_compare: SnapCompare, app_at: AppAt, size: tuple[int, int]) -> None:
        async def wrong(pilot: Pilot[None]) -> None:
            await ask_for_frister(pilot)
            await type_sign_in(pilot, "KJ", "9999")

        app = app_at(NOW, prepare=staff, roles=None)
        assert snap_compare(app, terminal_size=size, run_before=wrong)

    @pytest.mark.parametrize("size", [TERMINAL, SMALL], ids=["120x36", "80x24"])
    def test_locked_out(self, snap_compare: SnapCompare, app_at: AppAt, size: tuple[int, int]) -> None:
        async def locked(pilot: Pilot[None]) -> None:
            await ask_for_frister(pilot)
            await type_sign_in(pilot, "MN", TEST_PIN)

        app = app_at(NOW, prepare=locked_out, roles=None)
        assert snap_compare(app, terminal_size=size, run_before=locked)

    @pytest.mark.parametrize("size", [TERMINAL, SMALL], ids=["120x36", "80x24"])
    def test_locked_today(self, snap_compare: SnapCompare, app_at: AppAt, size: tuple[int, int]) -> None:
        async def lock(pilot: Pilot[None]) -> None:
            await settle(pilot)
            await pilot.press("f")
            await wait_for(pilot, lambda: getattr(pilot.app.screen, "loaded", False))
            await pilot.press("down", "enter")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, CitizenScreen) and pilot.app.screen.loaded)
            await pilot.press("escape", "l")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, TodayScreen))
            await settle(pilot)

        app = app_at(NOW, prepare=staff)
        assert snap_compare(app, terminal_size=size, run_before=lock)
