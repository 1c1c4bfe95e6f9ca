"""The application on a store without its key (the banner names it) and on a plain store from
before encryption (a warning on screen at every start)."""

from __future__ import annotations

from pathlib import Path

from skranke.services.errors import Reason
from skranke.ui.app import SkrankeApp
from skranke.ui.widgets.database import DatabaseBanner
from tests.conftest import make_skranke, plain_store
from tests.ui.conftest import TERMINAL, settle
from tests.ui.test_database_faults import text_of, until

NOW = "2026-04-09T09:00"


async def test_a_store_without_its_key_is_named_in_the_banner(tmp_path: Path) -> None:
    path, key_file = tmp_path / "skranke.db", tmp_path / "store.key"
    made = make_skranke(NOW, f"sqlite:///{path}", key_file=key_file)
    assert made.database.encrypted
    made.close()
    key_file.unlink()
    app = SkrankeApp(make_skranke(NOW, f"sqlite:///{path}", key_file=key_file))
    async with app.run_test(size=TERMINAL) as pilot:
        await until(pilot, lambda: app.database_fault is not None)
        assert app.database_fault is not None and app.database_fault.reason == Reason.KEY_MISSING
        banner = text_of(app.screen.query_one(DatabaseBanner))
        assert f"Databasen {path} er krypteret, og dens nøglefil {key_file} mangler" in banner
        assert "læg databasens nøglefil tilbage" in banner
        assert not key_file.exists()


async def test_a_plain_store_is_warned_about_on_screen(tmp_path: Path) -> None:
    path = tmp_path / "skranke.db"
    plain_store(path)
    app = SkrankeApp(make_skranke(NOW, f"sqlite:///{path}"))
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        await until(pilot, lambda: any("ikke krypteret" in str(n.message) for n in app._notifications))
        (notice,) = [n for n in app._notifications if "ikke krypteret" in str(n.message)]
        assert notice.severity == "warning" and "skranke encrypt" in str(notice.message)


async def test_an_encrypted_store_brings_no_warning(tmp_path: Path) -> None:
    app = SkrankeApp(make_skranke(NOW, f"sqlite:///{tmp_path / 'skranke.db'}"))
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        assert app.skranke.database.encrypted
        assert not [n for n in app._notifications if "ikke krypteret" in str(n.message)]


async def test_the_day_s_backup_runs_in_a_worker_once_a_day(tmp_path: Path) -> None:
    """What the application starts ten seconds after start (not in tests: headless apps are many)."""
    folder = tmp_path / "backups"
    app = SkrankeApp(make_skranke(NOW, f"sqlite:///{tmp_path / 'skranke.db'}", backup_dir=folder))
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        for _ in range(2):
            await app.daily_backup().wait()
        assert [p.name for p in folder.iterdir()] == ["skranke-2026-04-09T090000.db"]
        assert not [n for n in app._notifications if n.severity == "warning"]


async def test_a_day_s_backup_that_fails_is_told_and_the_desk_goes_on(tmp_path: Path) -> None:
    folder = tmp_path / "not-a-folder"
    folder.write_text("", encoding="utf-8")  # a file where the backup folder should be
    app = SkrankeApp(make_skranke(NOW, f"sqlite:///{tmp_path / 'skranke.db'}", backup_dir=folder))
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        await app.daily_backup().wait()
        await until(pilot, lambda: any("sikkerhedskopi" in str(n.message) for n in app._notifications))
        assert app.database_fault is None
