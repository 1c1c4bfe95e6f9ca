"""Lager: the narcotics ledger on screen (DESIGN §4 "Lager"): snapshots of its states and its
dialogs at 120x36 and 80x24, a journey by keys alone that checks the store and the audit log,
and another workstation's dose seen within two seconds."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from typing import TypedDict

import pytest
from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import DataTable

from skranke.demo.stock import write_demo_receipts
from skranke.services import stock
from skranke.services.audit import audit_events
from skranke.services.context import Skranke
from skranke.services.dispensing import dispense
from skranke.services.staff import add_staff, sign_in
from skranke.services.sync import run_sync
from skranke.store.models import StockEntry
from skranke.ui.app import SkrankeApp
from skranke.ui.screens.sign_in import SignInScreen
from skranke.ui.screens.stock import StockDialog, StockScreen
from tests.conftest import TEST_PIN, make_skranke, signed_in
from tests.ui.conftest import SIZES, TERMINAL, AppAt, SnapCompare, screen_of, settle, wait_for
from tests.ui.test_database_faults import UNREACHABLE, app_on, until
from tests.ui.test_queue_screen import NOW, busy, every_alert


def demo_staff(skranke: Skranke) -> None:
    from skranke.services.demo import DEMO_STAFF

    admin = signed_in(skranke, "admin", initials="ADM")
    for initials, name, roles, pin in DEMO_STAFF:
        add_staff(skranke, admin, initials, name, roles, pin)


def receipt_waiting(skranke: Skranke) -> None:
    """Today's delivery from the pharmacy system, through the inbox (lager*.csv)."""
    skranke.inbox.mkdir(parents=True, exist_ok=True)
    write_demo_receipts(skranke.inbox, skranke.clock.now().date(), skranke.site)
    run_sync(skranke)


def normal(skranke: Skranke) -> None:
    """The demo's month of the ledger and its morning (issues, a void's reversal), a receipt waiting."""
    busy(skranke)
    receipt_waiting(skranke)


def alerts(skranke: Skranke) -> None:
    """Below zero (a dose with nothing received), a count beyond the tolerance, counts due and
    a receipt waiting."""
    every_alert(skranke)  # SYG, a nurse, among its staff
    nurse = sign_in(skranke, "SYG", TEST_PIN)
    signed_in(skranke, "nurse", initials="MN")
    dispense(skranke, nurse, "O2", "given")
    stock.receive(skranke, nurse, "morfin", Decimal(200), "MN", TEST_PIN, lot="L7")
    stock.count(skranke, nurse, "morfin", Decimal(150), "glas knust ved optælling", "MN", TEST_PIN)
    receipt_waiting(skranke)


async def open_stock(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("g")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, StockScreen) and pilot.app.screen.loaded)
    await wait_for(pilot, lambda: _painted(pilot))


def _painted(pilot: Pilot[None]) -> bool:
    from tests.ui.conftest import painted

    return painted(pilot.app.screen)


def dialog_after(*keys: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run_before(pilot: Pilot[None]) -> None:
        await open_stock(pilot)
        await pilot.press(*keys)
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, StockDialog) and _painted(pilot))

    return run_before


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


class InboxSettings(TypedDict):
    """The folders of `skranke sync`, as settings (a TypedDict: passed with ** to `app_at`)."""

    inbox: Path
    outbox: Path


def inbox_settings() -> InboxSettings:
    return {"inbox": Path("inbox"), "outbox": Path("outbox")}


def signed_in_as_syg(app_at: AppAt, prepare: Callable[[Skranke], object]) -> SkrankeApp:
    """The app on a store `prepare` made (its staff has SYG, a nurse), SYG signed in."""
    app = app_at(NOW, prepare=prepare, roles=None, **inbox_settings())
    app.actor = sign_in(app.skranke, "SYG", TEST_PIN)
    return app


class TestStockSnapshots:
    @SIZES
    def test_empty(self, snap_compare: SnapCompare, size: tuple[int, int], app_at: AppAt) -> None:
        assert snap_compare(app_at(NOW, **inbox_settings()), terminal_size=size, run_before=open_stock)

    @SIZES
    def test_normal(self, snap_compare: SnapCompare, size: tuple[int, int], app_at: AppAt) -> None:
        app = signed_in_as_syg(app_at, normal)
        assert snap_compare(app, terminal_size=size, run_before=open_stock)

    @SIZES
    def test_normal_ledger(self, snap_compare: SnapCompare, size: tuple[int, int], app_at: AppAt) -> None:
        app = signed_in_as_syg(app_at, normal)
        assert snap_compare(app, terminal_size=size, run_before=dialog_free("right", "right", "right"))

    @SIZES
    def test_alerts(self, snap_compare: SnapCompare, size: tuple[int, int], app_at: AppAt) -> None:
        app = signed_in_as_syg(app_at, alerts)
        assert snap_compare(app, terminal_size=size, run_before=open_stock)

    @SIZES
    def test_could_not_load(self, snap_compare: SnapCompare, size: tuple[int, int]) -> None:
        async def unavailable(pilot: Pilot[None]) -> None:
            await settle(pilot)
            await pilot.press("g")
            await until(pilot, lambda: pilot.app.screen.has_class("-database-unavailable"))

        assert snap_compare(app_on(UNREACHABLE), terminal_size=size, run_before=unavailable)

    @SIZES
    @pytest.mark.parametrize("key", ["r", "x", "c", "t", "w"])
    def test_dialog(self, snap_compare: SnapCompare, size: tuple[int, int], key: str, app_at: AppAt) -> None:
        app = signed_in_as_syg(app_at, normal)
        assert snap_compare(app, terminal_size=size, run_before=dialog_after(key))


def dialog_free(*keys: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run_before(pilot: Pilot[None]) -> None:
        await open_stock(pilot)
        await pilot.press(*keys)
        await wait_for(pilot, lambda: _painted(pilot))

    return run_before


def entries(app: SkrankeApp) -> list[StockEntry]:
    with app.skranke.database.reading() as session:
        return list(session.scalars(select(StockEntry).order_by(StockEntry.id)))


async def test_receive_and_count_by_keys_alone_with_a_witness_pin(app_at: AppAt) -> None:
    """From I dag, nobody signed in: MN signs in by keys, g, a delivery witnessed by PL (a
    wrong PIN first: refused, nothing written), then a count with a small difference."""
    app = app_at(NOW, prepare=demo_staff, roles=None)
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
        await pilot.press(*"MN", "enter")
        await pilot.pause()
        await pilot.press(*"2222", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, StockScreen) and app.screen.loaded)

        await pilot.press("r")  # metadon, the first preparation, is highlighted
        await wait_for(pilot, lambda: isinstance(app.screen, StockDialog))
        dialog = screen_of(app, StockDialog)
        assert "Metadon" in str(dialog.query_one("#stock-subject").render())
        await pilot.press(*"5000", "enter", *"L261109", "enter", *"Sygehusapoteket", "enter")
        await pilot.press(*"F-77", "enter", *"pl", "enter", *"0000", "enter")
        await wait_for(
            pilot, lambda: not dialog.busy and "Intet er registreret" in str(dialog.query_one(".dialog-error").render())
        )
        assert app.screen is dialog and entries(app) == []
        await pilot.press(*"3333", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, StockScreen))

        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, StockDialog))
        count_dialog = app.screen
        await pilot.press(*"4998", "enter")
        assert "difference -2 mg" in str(count_dialog.query_one("#stock-summary").render())
        await pilot.press(*"spild ved afmåling", "enter", *"PL", "enter", *"3333", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, StockScreen))
        await wait_for(
            pilot, lambda: str(app.screen.query_one("#balances", DataTable).get_row("metadon")[2]) == "4998 mg"
        )

    receipt, counted = entries(app)
    assert (receipt.kind, receipt.preparation, receipt.mg, receipt.staff_id, receipt.witness_id) == (
        "receipt",
        "metadon",
        Decimal(5000),
        "MN",
        "PL",
    )
    assert (receipt.lot, receipt.supplier, receipt.invoice) == ("L261109", "Sygehusapoteket", "F-77")
    assert (counted.kind, counted.mg, counted.counted_mg, counted.reason, counted.witness_id) == (
        "count",
        Decimal(-2),
        Decimal(4998),
        "spild ved afmåling",
        "PL",
    )
    admin = sign_in(app.skranke, "AH", "4444")
    actions = [(e.action, e.staff) for e in audit_events(app.skranke, admin)]
    assert ("witness_failed", "MN") in actions
    assert ("stock_receive", "MN") in actions and ("stock_count", "MN") in actions


async def test_another_workstations_dose_is_in_todays_issues_within_two_seconds(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    setup = make_skranke(NOW, url)
    every_alert(setup)  # SYG, a nurse, among its staff
    setup.close()
    app = SkrankeApp(make_skranke(NOW, url))
    app.actor = sign_in(app.skranke, "SYG", TEST_PIN)
    async with app.run_test(size=TERMINAL) as pilot:
        await open_stock(pilot)
        screen = app.screen
        assert isinstance(screen, StockScreen) and screen._view is not None and screen._view.issues == []
        other = make_skranke(NOW, url)
        dispense(other, sign_in(other, "SYG", TEST_PIN), "O2", "given")
        started = time.monotonic()
        while not (screen._view and screen._view.issues) and time.monotonic() - started < 2.0:
            await pilot.pause(0.1)
        assert screen._view is not None and len(screen._view.issues) == 1, "not seen within 2 seconds"
        assert screen._view.balances[0].mg < 0  # nothing received: below zero, and shown so
