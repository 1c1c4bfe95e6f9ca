"""The command line on encrypted stores: the key's faults exit 5 with one sentence, a plain store
from before warns until `skranke encrypt` converts it, and the demo is unreadable on disk."""

from __future__ import annotations

import json
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from skranke.cli import EXIT_ACCESS, EXIT_DATABASE, EXIT_OK, EXIT_REJECTED, main
from skranke.store.cipher import SQLITE_HEADER
from tests.conftest import plain_store

NOW = ["--now", "2026-04-09T09:30"]
PLAIN_WARNING = "er ikke krypteret"


def _one_sentence(capsys: pytest.CaptureFixture[str], code: int, expected: int) -> str:
    captured = capsys.readouterr()
    assert code == expected, captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("skranke: "), captured.err
    assert "Traceback" not in captured.err and "sqlcipher" not in captured.err.lower()
    return lines[0]


@pytest.fixture
def encrypted_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    key_file = tmp_path / "keys" / "store.key"
    monkeypatch.setenv("SKRANKE_KEY_FILE", str(key_file))
    path = tmp_path / "skranke.db"
    assert main(["deadlines", "--db", str(path), "--create", *NOW]) == EXIT_OK
    return path, key_file


def test_a_missing_key_exits_5_naming_the_key_file(
    capsys: pytest.CaptureFixture[str], encrypted_store: tuple[Path, Path]
) -> None:
    path, key_file = encrypted_store
    key_file.rename(key_file.with_name("elsewhere.key"))
    capsys.readouterr()
    sentence = _one_sentence(capsys, main(["deadlines", "--db", str(path), *NOW]), EXIT_DATABASE)
    assert f"Databasen {path} er krypteret, og dens nøglefil {key_file} mangler" in sentence
    assert not key_file.exists()


def test_a_wrong_key_exits_5_and_the_right_one_given_with_key_file_opens(
    capsys: pytest.CaptureFixture[str], encrypted_store: tuple[Path, Path], tmp_path: Path
) -> None:
    path, key_file = encrypted_store
    right = key_file.with_name("right.key")
    key_file.rename(right)
    key_file.write_text("ab" * 32 + "\n", encoding="ascii")
    capsys.readouterr()
    sentence = _one_sentence(capsys, main(["deadlines", "--db", str(path), *NOW]), EXIT_DATABASE)
    assert f"Databasen {path} kan ikke åbnes med nøglen i {key_file}" in sentence

    assert main(["deadlines", "--db", str(path), *NOW, "--key-file", str(right)]) == EXIT_OK


def test_a_key_file_that_holds_no_key_exits_5(
    capsys: pytest.CaptureFixture[str], encrypted_store: tuple[Path, Path]
) -> None:
    path, key_file = encrypted_store
    key_file.write_text("hemmeligt\n", encoding="ascii")
    capsys.readouterr()
    sentence = _one_sentence(capsys, main(["deadlines", "--db", str(path), *NOW]), EXIT_DATABASE)
    assert f"Nøglefilen {key_file}" in sentence and "64 hexadecimale tegn" in sentence


def test_the_demo_store_on_disk_holds_no_cpr_or_name_of_the_demo(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from skranke.store.database import Database

    path = tmp_path / "demo.db"
    assert main(["demo", "--no-open", "--db", str(path), *NOW]) == EXIT_OK
    database = Database.open(f"sqlite:///{path}", datetime.now(UTC), create=False)
    try:
        with database.reading() as session:
            rows = session.execute(
                text("SELECT cpr, first_name, last_name FROM citizens WHERE cpr IS NOT NULL ORDER BY id LIMIT 5")
            ).all()
    finally:
        database.close()
    assert len(rows) == 5
    content = path.read_bytes()
    assert not content.startswith(SQLITE_HEADER)
    for cpr, first_name, last_name in rows:
        assert cpr.encode() not in content
        assert f"{first_name} {last_name}".encode() not in content and last_name.encode() not in content


def _staff_and_admin(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """AH (admin) and KJ (reception), both with the PIN in SKRANKE_PIN."""
    monkeypatch.setenv("SKRANKE_NEW_PIN", "4711")
    monkeypatch.setenv("SKRANKE_PIN", "4711")
    assert main(["staff", "add", "AH", "--name", "Anne Holm", "--roles", "admin", "--db", db, *NOW]) == EXIT_OK
    add = ["staff", "add", "KJ", "--name", "Karen Jensen", "--roles", "reception", "--db", db, *NOW, "--staff", "AH"]
    assert main(add) == EXIT_OK


def test_a_plain_store_warns_until_encrypt_converts_it_with_a_copy_kept(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "skranke.db"
    plain_store(path)
    db = str(path)
    _staff_and_admin(db, monkeypatch)
    capsys.readouterr()

    assert main(["deadlines", "--json", "--db", db, *NOW]) == EXIT_OK
    captured = capsys.readouterr()
    before = json.loads(captured.out)
    assert PLAIN_WARNING in captured.err and "skranke encrypt" in captured.err

    # Only an administrator encrypts.
    code = main(["encrypt", "--db", db, *NOW, "--staff", "KJ"])
    assert _one_sentence(capsys, code, EXIT_ACCESS)
    assert path.read_bytes().startswith(SQLITE_HEADER)

    assert main(["encrypt", "--json", "--db", db, *NOW, "--staff", "AH"]) == EXIT_OK
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert PLAIN_WARNING not in captured.err

    content = path.read_bytes()
    assert not content.startswith(SQLITE_HEADER) and b"Anne Holm" not in content
    copy = tmp_path / "skranke.plain-20260409T093000.db"
    assert result["plain_copy"] == str(copy) and result["rows"] > 0
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600  # readable in clear: its owner only
    with sqlite3.connect(copy) as plain:  # the copy kept beside it: the store as it was
        assert plain.execute("SELECT name FROM staff ORDER BY id").fetchall() == [("Anne Holm",), ("Karen Jensen",)]

    assert main(["deadlines", "--json", "--db", db, *NOW]) == EXIT_OK
    captured = capsys.readouterr()
    assert json.loads(captured.out) == before and captured.err == ""

    assert main(["audit", "--json", "--db", db, *NOW, "--staff", "AH"]) == EXIT_OK
    events = json.loads(capsys.readouterr().out)["events"]
    encrypted = [e for e in events if e["action"] == "encrypt"]
    assert len(encrypted) == 1 and encrypted[0]["staff"] == "AH"
    assert encrypted[0]["detail"]["plain_copy"] == str(copy)

    # Once encrypted, encrypting again is refused (exit 1): no second copy.
    code = main(["encrypt", "--db", db, *NOW, "--staff", "AH"])
    assert "er allerede krypteret" in _one_sentence(capsys, code, EXIT_REJECTED)
    assert [p.name for p in tmp_path.iterdir() if ".plain-" in p.name] == [copy.name]


OTHER_WORKSTATION = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1])
connection.execute("SELECT count(*) FROM staff").fetchone()
print("open", flush=True)
sys.stdin.read()
"""


@contextmanager
def open_elsewhere(path: Path) -> Iterator[None]:
    """Another process (a second skranke) with the store open until the block ends."""
    process = subprocess.Popen(
        [sys.executable, "-c", OTHER_WORKSTATION, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "open"
        yield
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=30)


def test_encrypt_refuses_while_another_process_has_the_store_open(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "skranke.db"
    plain_store(path)
    _staff_and_admin(str(path), monkeypatch)
    with open_elsewhere(path):
        capsys.readouterr()
        code = main(["encrypt", "--db", str(path), *NOW, "--staff", "AH"])
        assert "er åben i en anden skranke" in _one_sentence(capsys, code, EXIT_REJECTED)
        assert path.read_bytes().startswith(SQLITE_HEADER)
        assert sorted(p.name for p in tmp_path.iterdir() if "plain" in p.name or p.name.startswith(".")) == []
    assert main(["encrypt", "--db", str(path), *NOW, "--staff", "AH"]) == EXIT_OK
