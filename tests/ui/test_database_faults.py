"""The application when the database cannot be used: said on every screen, never an empty
list, retried, and recovered from without a restart."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable, Static, TabbedContent

from skranke.services.access import Actor
from skranke.services.errors import Reason
from skranke.ui.app import SkrankeApp
from skranke.ui.screens.today import TodayScreen
from skranke.ui.widgets.database import DatabaseBanner, NotFetched
from tests.conftest import PostgresDatabase, make_skranke
from tests.ui.conftest import TERMINAL, SnapCompare, finished_workers, rounds, screen_of, settle

NOW = "2026-04-09T09:00"
# Nothing listens there: the connection is refused at once, the same on every machine.
UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:5999/skranke"
NARROW = (80, 24)


def app_on(db_url: str, **settings: Any) -> SkrankeApp:  # as make_skranke takes them
    """The app with a nurse signed in before the database went away (no store needed for that)."""
    app = SkrankeApp(make_skranke(NOW, db_url, **settings))
    app.actor = Actor("SYG", "Sygeplejerske Sørensen", frozenset({"nurse", "admin"}), "test")
    return app


async def until(pilot: Pilot[None], condition: Callable[[], object]) -> None:
    async for _ in rounds():
        await pilot.pause()
        await finished_workers(pilot)
        await pilot.pause()
        if condition():
            return
    raise AssertionError("the screen never got there")


def text_of(widget: Static) -> str:
    return str(widget.render())


def counts(app: SkrankeApp) -> tuple[str, str]:
    return text_of(app.screen.query_one("#count-waiting", Static)), text_of(
        app.screen.query_one("#count-deadlines", Static)
    )


async def open_deadlines_unavailable(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("f")
    await until(pilot, lambda: pilot.app.screen.has_class("-database-unavailable"))


async def test_an_unreachable_database_is_named_and_no_list_looks_empty() -> None:
    app = app_on(UNREACHABLE)
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        assert app.database_fault is not None and app.database_fault.reason == Reason.UNREACHABLE
        banner = app.screen.query_one(DatabaseBanner)
        assert banner.display
        assert "Databaseserveren for postgresql+psycopg://postgres@127.0.0.1:5999/skranke svarer ikke" in text_of(
            banner
        )
        assert "prøver selv igen" in text_of(banner)
        assert counts(app) == ("Tjekket ind: kunne ikke hentes", "Frister: kunne ikke hentes")
        assert app.screen.query_one("#departments", DataTable).row_count > 0  # the hours need no database

        await pilot.press("f")
        await until(pilot, lambda: app.screen.has_class("-database-unavailable"))
        assert app.screen.query_one(DatabaseBanner).display
        requests = app.screen.query_one("#requests", DataTable)
        assert not requests.display  # hidden: an empty list would read "nothing is due"
        shown = [text_of(n) for n in app.screen.query(NotFetched) if n.display]
        assert shown == ["Listen: kunne ikke hentes"] * 5  # on every tab
        assert str(app.screen.query_one(TabbedContent).get_tab("tab-requests").label) == "Henvendelser (–)"

        await pilot.press("s")
        await until(pilot, lambda: app.screen.has_class("-database-unavailable"))
        assert [text_of(n) for n in app.screen.query(NotFetched) if n.display] == [
            "Synkroniseringsoversigten: kunne ikke hentes"
        ]
        assert not app.screen.query_one("#sync-runs", DataTable).display


async def test_the_app_recovers_when_the_database_comes_back(tmp_path: Path) -> None:
    folder = tmp_path / "share"  # a network share not mounted yet
    app = app_on(f"sqlite:///{folder / 'skranke.db'}")
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        assert app.database_fault is not None and app.database_fault.reason == Reason.FOLDER_MISSING
        assert not folder.exists()
        app.retry_database()  # what the timer does every few seconds
        await until(pilot, lambda: not app.workers)
        assert app.database_fault is not None  # still missing: still said

        folder.mkdir()
        app.retry_database()
        await until(pilot, lambda: app.database_fault is None and counts(app)[0] == "Tjekket ind i dag: 0")
        assert not app.screen.query_one(DatabaseBanner).display
        assert counts(app)[1] == "Frister: 0 tæt på, 0 overskredne"


async def test_a_server_cut_off_during_the_day_is_shown_and_recovered_from(
    pg_database: PostgresDatabase, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    app = app_on(pg_database.url, inbox=inbox, outbox=tmp_path / "outbox")
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        assert app.database_fault is None
        assert counts(app)[0] == "Tjekket ind i dag: 0"

        pg_database.cut_off()  # the server restarts: sessions ended, new ones refused for now
        screen_of(app, TodayScreen).refresh_state()  # the minute's refresh
        await until(pilot, lambda: app.database_fault is not None and counts(app)[0].endswith("kunne ikke hentes"))
        assert pg_database.name in text_of(app.screen.query_one(DatabaseBanner))

        # A write started now is refused with a message, and nothing of it is kept.
        inbox.mkdir()
        (inbox / "borgere_1.csv").write_text("borger_id;cpr;fornavn\nB1;010180-1234;Anna\n", encoding="utf-8")
        await pilot.press("s")
        await pilot.press("i")
        await until(pilot, lambda: any("standset" in n.message for n in app._notifications))
        assert (inbox / "borgere_1.csv").exists()  # still waiting in the inbox

        pg_database.let_in()
        app.retry_database()
        await until(pilot, lambda: app.database_fault is None and not app.screen.has_class("-database-unavailable"))
        assert app.screen.query_one("#sync-runs", DataTable).display
        await pilot.press("d")
        await until(pilot, lambda: counts(app)[0] == "Tjekket ind i dag: 0")
        with app.skranke.database.reading() as session:
            from sqlalchemy import text

            assert session.execute(text("SELECT count(*) FROM citizens")).scalar_one() == 0


async def test_the_citizen_card_says_it_could_not_be_fetched_and_reloads(tmp_path: Path) -> None:
    from skranke.services.errors import DatabaseUnavailable
    from skranke.store.models import Citizen
    from skranke.ui.screens.citizen import CitizenScreen

    app = app_on(f"sqlite:///{tmp_path / 'skranke.db'}")
    with app.skranke.database.transaction() as session:
        session.add(Citizen(id="B1", cpr=None, first_name="Anna", last_name="Berg", alias="", phone=""))
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        app.push_screen(CitizenScreen("B1"))
        await until(pilot, lambda: getattr(app.screen, "loaded", False))
        heading = app.screen.query_one("#citizen-heading", Static)
        assert "Anna Berg" in text_of(heading)

        # The connection goes while the card is open (a fault met by another screen's worker).
        app.report_database_fault(DatabaseUnavailable(Reason.LOST, str(tmp_path / "skranke.db")))
        await until(pilot, lambda: app.screen.has_class("-database-unavailable"))
        assert not heading.display
        assert [text_of(n) for n in app.screen.query(NotFetched) if n.display] == ["Borgerkortet: kunne ikke hentes"]
        assert "Forbindelsen til databasen" in text_of(app.screen.query_one(DatabaseBanner))

        app.retry_database()
        await until(pilot, lambda: app.database_fault is None and heading.display)
        assert "Anna Berg" in text_of(heading)


class TestUnreachableSnapshots:
    def test_today(self, snap_compare: SnapCompare) -> None:
        assert snap_compare(app_on(UNREACHABLE), terminal_size=TERMINAL, run_before=settle)

    def test_today_narrow(self, snap_compare: SnapCompare) -> None:
        assert snap_compare(app_on(UNREACHABLE), terminal_size=NARROW, run_before=settle)

    def test_deadlines(self, snap_compare: SnapCompare) -> None:
        assert snap_compare(app_on(UNREACHABLE), terminal_size=TERMINAL, run_before=open_deadlines_unavailable)

    def test_deadlines_narrow(self, snap_compare: SnapCompare) -> None:
        assert snap_compare(app_on(UNREACHABLE), terminal_size=NARROW, run_before=open_deadlines_unavailable)
