"""Every database fault exits 5 with one sentence naming the database, and nothing is created.

SQLite faults are made in a temporary folder; PostgreSQL faults in a schema of their own (or a
server port where nothing listens, or a database that does not exist).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, inspect, text

from skranke.cli import EXIT_DATABASE, main
from tests.conftest import PG_URL

NOW = ["--now", "2026-04-09T09:00"]
# The commands that use the database; `hours` reads only the site file.
COMMANDS = [["deadlines"], ["deadlines", "--json"], ["sync"], ["demo", "--no-open"]]
DRIVER_WORDS = ["Traceback", "OperationalError", "DatabaseError", "sqlite3", "FATAL", "connection failed", "internal"]


def fault(capsys: pytest.CaptureFixture[str], command: list[str], db: str, *extra: str) -> str:
    """Runs the command; asserts exit 5 and one plain sentence; returns it."""
    code = main([*command, "--db", db, *NOW, *extra])
    captured = capsys.readouterr()
    assert code == EXIT_DATABASE, captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("skranke: "), captured.err
    for word in DRIVER_WORDS:
        assert word not in captured.err
    return lines[0]


def skranke_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_folder_given_as_the_database(capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str]) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    sentence = fault(capsys, command, str(folder))
    assert str(folder) in sentence and "er en mappe, ikke en fil" in sentence
    assert skranke_files(folder) == []


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_file_that_is_not_a_database(capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str]) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping list\n", encoding="utf-8")
    sentence = fault(capsys, command, f"sqlite:///{notes}")
    assert f"Filen {notes} er ikke en database" in sentence
    assert notes.read_text(encoding="utf-8") == "shopping list\n"
    assert skranke_files(tmp_path) == ["notes.txt"]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_sqlite_database_of_another_program_is_left_alone(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str]
) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    before = other.read_bytes()
    sentence = fault(capsys, command, f"sqlite:///{other}", "--create")
    assert str(other) in sentence and "tilhører et andet program" in sentence
    assert other.read_bytes() == before  # no skranke tables, no WAL switch, no backup beside it
    assert skranke_files(tmp_path) == ["other.db"]


def test_a_database_of_a_newer_skranke_is_left_alone(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    newer = tmp_path / "newer.db"
    with sqlite3.connect(newer) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        connection.execute("INSERT INTO alembic_version VALUES ('9999')")
    sentence = fault(capsys, ["deadlines"], str(newer))
    assert "nyere skranke" in sentence
    assert skranke_files(tmp_path) == ["newer.db"]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_missing_folder_is_never_created(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str]
) -> None:
    typo = tmp_path / "dtaa" / "skranke.db"
    sentence = fault(capsys, command, f"sqlite:///{typo}", "--create")
    assert str(typo) in sentence and "Mappen til databasen" in sentence
    assert skranke_files(tmp_path) == []


@pytest.mark.parametrize("command", [["deadlines"], ["sync"]], ids=" ".join)
def test_a_missing_file_is_created_only_on_purpose(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.setenv("SKRANKE_OUTBOX", str(tmp_path / "out"))
    path = tmp_path / "skranke.db"
    sentence = fault(capsys, command, f"sqlite:///{path}")
    assert str(path) in sentence and "--create" in sentence
    assert skranke_files(tmp_path) == []

    assert main([*command, "--db", f"sqlite:///{path}", *NOW, "--create"]) == 0
    assert path.is_file()


def test_an_empty_file_is_not_filled_without_create(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    sentence = fault(capsys, ["deadlines"], str(empty))
    assert "--create" in sentence
    assert empty.stat().st_size == 0 and skranke_files(tmp_path) == ["empty.db"]


def test_a_plain_path_is_a_sqlite_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    sentence = fault(capsys, ["deadlines"], "skranke.db")
    assert str(tmp_path / "skranke.db") in sentence  # where it looked, in full
    assert main(["deadlines", "--db", "skranke.db", *NOW, "--create"]) == 0
    assert (tmp_path / "skranke.db").is_file()
    assert main(["deadlines", "--db", str(tmp_path / "skranke.db"), *NOW]) == 0


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_read_only_database(capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str]) -> None:
    path = tmp_path / "skranke.db"
    assert main(["deadlines", "--db", str(path), *NOW, "--create"]) == 0
    capsys.readouterr()
    before = skranke_files(tmp_path)
    sentence = fault(capsys, command, f"sqlite:///file:{path}?mode=ro&uri=true")
    assert str(path) in sentence and "kan kun læses" in sentence
    assert skranke_files(tmp_path) == before


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder nobody may write in. Root ignores a folder's mode, so as root the folder is also
    made immutable (chattr +i), which stops root too."""
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    immutable = False
    if os.geteuid() == 0:
        made = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, text=True)
        if made.returncode != 0:
            folder.chmod(0o755)
            pytest.skip(f"root, and chattr +i is not allowed here: {made.stderr.strip()}")
        immutable = True
    try:
        yield folder
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o755)


def test_a_read_only_folder(capsys: pytest.CaptureFixture[str], read_only_folder: Path) -> None:
    sentence = fault(capsys, ["deadlines"], str(read_only_folder / "skranke.db"), "--create")
    assert "kan kun læses" in sentence
    assert list(read_only_folder.iterdir()) == []


@pytest.mark.parametrize(
    "url",
    ["postgresql+psycopg://:::", "mysql://clinic@server/skranke", "postgresql+psycopg://postgres@127.0.0.1:5432"],
)
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_url_that_does_not_parse(capsys: pytest.CaptureFixture[str], url: str, command: list[str]) -> None:
    sentence = fault(capsys, command, url)
    assert url in sentence and "kan ikke læses" in sentence


def test_a_password_is_never_shown(capsys: pytest.CaptureFixture[str]) -> None:
    sentence = fault(capsys, ["deadlines"], "postgresql+psycopg://clinic:hunter2@127.0.0.1:5999/skranke")
    assert "hunter2" not in sentence and "clinic:***@127.0.0.1:5999/skranke" in sentence


def test_the_sentence_is_english_with_language_en(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    sentence = fault(capsys, ["deadlines"], str(tmp_path / "skranke.db"), "--language", "en")
    assert sentence == (
        f"skranke: The database {tmp_path / 'skranke.db'} does not exist: check --db for a typing error, "
        "or create a new store on purpose with --create."
    )


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_server_that_does_not_answer(capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    # Nothing listens on this port: refused at once (a silent host is cut off by connect_timeout).
    sentence = fault(capsys, command, "postgresql+psycopg://postgres@127.0.0.1:5999/skranke")
    assert "postgresql+psycopg://postgres@127.0.0.1:5999/skranke" in sentence and "svarer ikke" in sentence


# PostgreSQL: a server that answers.


def _pg_url() -> str:
    assert PG_URL is not None, "the PostgreSQL tests run only with SKRANKE_TEST_PG_URL set"
    return PG_URL


def _admin() -> Engine:
    return create_engine(_pg_url(), isolation_level="AUTOCOMMIT")


def _server_url(database: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(_pg_url()).set(database=database, query={}).render_as_string(hide_password=False)


def _databases() -> set[str]:
    admin = _admin()
    with admin.connect() as connection:
        names = set(connection.execute(text("SELECT datname FROM pg_database")).scalars())
    admin.dispose()
    return names


def _tables(url: str) -> list[str]:
    engine = create_engine(url)
    with engine.connect() as connection:
        tables = sorted(inspect(connection).get_table_names())
    engine.dispose()
    return tables


@pytest.mark.pg
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_postgresql_database_that_does_not_exist(
    capsys: pytest.CaptureFixture[str], pg_url: str, command: list[str]
) -> None:
    name = f"skranke_typo_{uuid.uuid4().hex[:8]}"
    url = _server_url(name)
    sentence = fault(capsys, command, url, "--create")
    assert name in sentence and "findes ikke på serveren" in sentence
    assert name not in _databases()


@pytest.mark.pg
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_postgresql_database_of_another_program_is_left_alone(
    capsys: pytest.CaptureFixture[str], pg_url: str, command: list[str]
) -> None:
    engine = create_engine(pg_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total NUMERIC)"))
    engine.dispose()
    sentence = fault(capsys, command, pg_url, "--create")
    assert "tilhører et andet program" in sentence
    assert _tables(pg_url) == ["invoices"]


@pytest.mark.pg
def test_an_empty_postgresql_database_is_filled_only_on_purpose(
    capsys: pytest.CaptureFixture[str], pg_url: str
) -> None:
    sentence = fault(capsys, ["deadlines"], pg_url)
    assert "--create" in sentence
    assert _tables(pg_url) == []
    assert main(["deadlines", "--db", pg_url, *NOW, "--create"]) == 0
    assert "alembic_version" in _tables(pg_url)


@pytest.mark.pg
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_read_only_postgresql_database(capsys: pytest.CaptureFixture[str], pg_url: str, command: list[str]) -> None:
    read_only = pg_url + "%20-cdefault_transaction_read_only%3Don"
    sentence = fault(capsys, command, read_only, "--create")
    assert "kan kun læses" in sentence
    assert _tables(pg_url) == []


@pytest.mark.pg
def test_a_postgresql_user_that_is_refused(capsys: pytest.CaptureFixture[str], pg_url: str) -> None:
    from sqlalchemy.engine import make_url

    url = make_url(_pg_url()).set(username="skranke_nobody").render_as_string(hide_password=False)
    sentence = fault(capsys, ["deadlines"], url)
    assert "afviste brugernavnet eller adgangskoden" in sentence
