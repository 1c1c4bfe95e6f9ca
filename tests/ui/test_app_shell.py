"""The application shell by keys: quitting asks while someone is signed in, an admin lifts a PIN
lock-out from the palette, the palette's screenshot is saved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot

from skranke.services.access import AccessError
from skranke.services.audit import audit_events
from skranke.services.staff import sign_in
from skranke.ui.screens.confirm import ConfirmDialog
from skranke.ui.screens.sign_in import InitialsDialog
from tests.conftest import TEST_PIN
from tests.ui.conftest import SIZES, TERMINAL, AppAt, SnapCompare, settle, wait_for
from tests.ui.test_deadlines_snapshots import NOW
from tests.ui.test_sign_in import locked_out


def palette_offers_first(app: App[Any], words: str) -> bool:
    """The command palette's search has run and its first offer holds `words`."""
    from textual.command import CommandList

    found = app.screen.query(CommandList)
    return bool(found) and found.first().option_count > 0 and words in str(found.first().get_option_at_index(0).prompt)


@SIZES
def test_the_quit_question_names_who_is_signed_in(
    snap_compare: SnapCompare, app_at: AppAt, size: tuple[int, int]
) -> None:
    async def ask(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog))

    assert snap_compare(app_at(NOW), terminal_size=size, run_before=ask)


@SIZES
def test_the_unlock_asks_for_the_initials(snap_compare: SnapCompare, app_at: AppAt, size: tuple[int, int]) -> None:
    async def ask(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("ctrl+p", *"Lås PIN")
        await wait_for(pilot, lambda: palette_offers_first(pilot.app, "Lås PIN"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, InitialsDialog))

    assert snap_compare(app_at(NOW, prepare=locked_out), terminal_size=size, run_before=ask)


@pytest.mark.parametrize("key", ["q", "ctrl+q"])
async def test_quitting_while_signed_in_asks_first(app_at: AppAt, key: str) -> None:
    app = app_at(NOW)
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        await pilot.press(key)
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "Sygeplejerske Sørensen" in str(app.screen.query_one("#confirm-subject").render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmDialog))
        assert app.return_code is None  # still running, still signed in
        assert app.actor is not None
        await pilot.press(key, "enter")
        await wait_for(pilot, lambda: app.return_code is not None)
        assert app.return_code == 0


async def test_quitting_from_the_palette_asks_too(app_at: AppAt) -> None:
    app = app_at(NOW)
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"Afslut")
        await wait_for(pilot, lambda: palette_offers_first(app, "Afslut"))  # it searches after a debounce
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("j")
        await wait_for(pilot, lambda: app.return_code is not None)


async def test_quitting_with_nobody_signed_in_is_at_once(app_at: AppAt) -> None:
    app = app_at(NOW, roles=None)
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await wait_for(pilot, lambda: app.return_code is not None)
        assert not any(isinstance(s, ConfirmDialog) for s in app.screen_stack)


async def test_an_admin_unlocks_a_pin_from_the_palette(app_at: AppAt) -> None:
    app = app_at(NOW, prepare=locked_out)  # MN locked out; SYG signed in as nurse and admin
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"Lås PIN")
        await wait_for(pilot, lambda: palette_offers_first(app, "Lås PIN"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, InitialsDialog))
        await pilot.press("m", "n", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "MN" in str(app.screen.query_one("#confirm-subject").render())
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmDialog))
    assert sign_in(app.skranke, "MN", TEST_PIN).staff_id == "MN"
    admin = sign_in(app.skranke, "SYG", TEST_PIN)
    assert [e.entity_id for e in audit_events(app.skranke, admin) if e.action == "staff_unlock"] == ["MN"]


async def test_unlock_is_not_offered_to_who_is_not_an_admin(app_at: AppAt) -> None:
    app = app_at(NOW, prepare=locked_out, roles=("nurse",))
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        assert "unlock_pin" not in [action for _, _, action in app.palette_commands()]
        app_actions_before = len(app.screen_stack)
        await pilot.press("ctrl+p", *"Lås PIN")
        await pilot.pause(0.3)  # the palette searches after a short debounce (it finds nothing here)
        await pilot.press("enter")
        await pilot.pause()
        assert not any(isinstance(s, InitialsDialog) for s in app.screen_stack)
        assert len(app.screen_stack) <= app_actions_before + 1
    with pytest.raises(AccessError):
        sign_in(app.skranke, "MN", TEST_PIN)


async def test_the_palette_saves_a_screenshot(app_at: AppAt, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # No ~/Downloads here (as on many clinic PCs): skranke's own folder, made when needed.
    monkeypatch.setattr("platformdirs.user_downloads_path", lambda: tmp_path / "no-downloads")
    monkeypatch.setattr("platformdirs.user_data_path", lambda name: tmp_path / "data" / name)
    app = app_at(NOW, roles=None)
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"Skærmbillede")
        await pilot.pause(0.3)
        await pilot.press("enter")
        folder = tmp_path / "data" / "skranke" / "screenshots"
        await wait_for(pilot, lambda: any(folder.glob("*.svg")) if folder.is_dir() else False)
        await wait_for(pilot, lambda: any("Skærmbillede gemt" in str(n.message) for n in app._notifications))
        (saved,) = folder.glob("*.svg")
        assert Path(saved).read_text().startswith("<svg")
