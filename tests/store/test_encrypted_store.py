"""A SQLite store at rest is encrypted (SQLCipher 4, a raw key from the key file), its WAL and its
before-upgrade copies too (DESIGN §1 "Security at rest and backups")."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from skranke.store.cipher import SQLITE_HEADER, KeyFileError, key_for_new_store, read_key
from skranke.store.database import Database
from skranke.store.engine import make_engine, parse_url
from skranke.store.errors import DatabaseUnavailable, Reason
from tests.conftest import plain_store

NOW = datetime(2026, 4, 9, 7, 30, tzinfo=UTC)
CPR = b"0101901234"
NAME = "Zacharias Wiberg-Hånsen"


def _insert_citizen(database: Database) -> None:
    with database.transaction() as session:
        session.execute(
            text(
                "INSERT INTO citizens (id, cpr, first_name, last_name, alias, phone) "
                "VALUES ('Z1', :cpr, 'Zacharias', 'Wiberg-Hånsen', '', '')"
            ),
            {"cpr": CPR.decode()},
        )


def _bytes_on_disk(path: Path) -> tuple[bytes, bytes]:
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes(), wal.read_bytes() if wal.exists() else b""


def test_a_new_store_and_its_wal_show_no_header_cpr_or_name(tmp_path: Path) -> None:
    path = tmp_path / "skranke.db"
    database = Database.open(f"sqlite:///{path}", NOW, key_file=tmp_path / "store.key")
    try:
        assert database.encrypted and not database.plain
        _insert_citizen(database)
        main, wal = _bytes_on_disk(path)  # the engine is open: the citizen is still in the WAL
        assert len(wal) > 0
        for content in (main, wal):
            assert SQLITE_HEADER not in content
            assert CPR not in content
            assert NAME.encode() not in content and b"Wiberg" not in content
        with database.reading() as session:
            assert session.execute(text("SELECT cpr FROM citizens WHERE id = 'Z1'")).scalar_one() == CPR.decode()
    finally:
        database.close()


def test_the_same_search_finds_the_cpr_in_a_plain_store(tmp_path: Path) -> None:
    """What the test above looks for is there to be found when the store is not encrypted."""
    path = tmp_path / "plain.db"
    plain_store(path)
    database = Database.open(f"sqlite:///{path}", NOW, key_file=tmp_path / "store.key")
    try:
        assert database.plain and not database.encrypted
        _insert_citizen(database)
        main, wal = _bytes_on_disk(path)
        assert main.startswith(SQLITE_HEADER)
        assert CPR in main + wal and b"Wiberg" in main + wal
    finally:
        database.close()
    assert not (tmp_path / "store.key").exists()  # a plain store is opened without a key


def test_the_key_file_is_made_with_the_first_store_0600_and_never_written_over(tmp_path: Path) -> None:
    key_file = tmp_path / "config" / "store.key"
    Database.open(f"sqlite:///{tmp_path / 'a.db'}", NOW, key_file=key_file).close()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    written = key_file.read_bytes()
    assert len(read_key(key_file)) == 32 and written.strip() == read_key(key_file).hex().encode()

    # A second new store is encrypted with the same key; the file stays as it was.
    Database.open(f"sqlite:///{tmp_path / 'b.db'}", NOW, key_file=key_file).close()
    assert key_file.read_bytes() == written
    Database.open(f"sqlite:///{tmp_path / 'a.db'}", NOW, key_file=key_file, create=False).close()


def test_a_malformed_key_file_is_never_replaced(tmp_path: Path) -> None:
    key_file = tmp_path / "store.key"
    key_file.write_text("not a key\n", encoding="ascii")
    with pytest.raises(DatabaseUnavailable) as raised:
        Database.open(f"sqlite:///{tmp_path / 'new.db'}", NOW, key_file=key_file)
    assert raised.value.reason == Reason.KEY_UNREADABLE and raised.value.detail == str(key_file)
    assert key_file.read_text(encoding="ascii") == "not a key\n"
    with pytest.raises(KeyFileError):
        key_for_new_store(key_file)


def test_a_key_typed_back_in_groups_is_read(tmp_path: Path) -> None:
    key = bytes(range(32))
    key_file = tmp_path / "store.key"
    hex_key = key.hex().upper()
    key_file.write_text(" ".join(hex_key[i : i + 8] for i in range(0, 64, 8)) + "\n", encoding="ascii")
    assert read_key(key_file) == key


@pytest.mark.parametrize("problem", ["missing", "wrong"])
def test_an_encrypted_store_without_its_key_is_a_named_fault(tmp_path: Path, problem: str) -> None:
    path, key_file = tmp_path / "skranke.db", tmp_path / "store.key"
    Database.open(f"sqlite:///{path}", NOW, key_file=key_file).close()
    if problem == "missing":
        key_file.unlink()
    else:
        key_file.write_text(bytes(32).hex() + "\n", encoding="ascii")
    before = path.read_bytes()
    with pytest.raises(DatabaseUnavailable) as raised:
        Database.open(f"sqlite:///{path}", NOW, key_file=key_file)
    assert raised.value.reason == (Reason.KEY_MISSING if problem == "missing" else Reason.WRONG_KEY)
    assert str(key_file) in str(raised.value) and str(path) in str(raised.value)
    assert path.read_bytes() == before
    if problem == "missing":
        assert not key_file.exists()  # an existing store never gets a new key


def test_the_copy_before_an_upgrade_is_encrypted_with_the_same_key(tmp_path: Path) -> None:
    from alembic import command

    from skranke.store.schema import _config

    path, key_file = tmp_path / "old.db", tmp_path / "store.key"
    engine = make_engine(parse_url(f"sqlite:///{path}"), key_for_new_store(key_file))
    with engine.begin() as connection:
        command.upgrade(_config(connection), "0001")
        connection.execute(
            text(
                "INSERT INTO citizens (id, cpr, first_name, last_name, alias, phone) "
                "VALUES ('B1', :cpr, 'Keep', 'Me', '', '')"
            ),
            {"cpr": CPR.decode()},
        )
    engine.dispose()

    database = Database.open(f"sqlite:///{path}", NOW, key_file=key_file)
    database.close()
    assert database.backup_location is not None
    copy = Path(database.backup_location)
    content = copy.read_bytes()
    assert SQLITE_HEADER not in content and CPR not in content
    reopened = make_engine(parse_url(f"sqlite:///{copy}"), read_key(key_file))
    with reopened.connect() as connection:
        assert connection.execute(text("SELECT first_name FROM citizens")).scalar_one() == "Keep"
    reopened.dispose()
