"""PostgreSQL on another machine only over TLS that checks the server (DESIGN §1 "PostgreSQL in
transit"): refused before any connection is tried, tested without a network."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from skranke.cli import EXIT_DATABASE, main
from skranke.store.database import Database
from skranke.store.engine import is_local_host, parse_url
from skranke.store.errors import DatabaseUnavailable, Reason

NOW = datetime(2026, 4, 9, 7, 30, tzinfo=UTC)
# .invalid never resolves (RFC 2606): a connection tried would fail as "does not answer".
REMOTE = "postgresql+psycopg://skranke@db.skranke.invalid/skranke"


@pytest.fixture(autouse=True)
def no_connection(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Any connection psycopg is asked for is recorded and refused: nothing reaches a network."""
    tried: list[str] = []

    def connect(conninfo: str = "", **kwargs: Any) -> None:
        options = {k: v for k, v in kwargs.items() if k not in ("context", "autocommit", "prepare_threshold")}
        tried.append(psycopg.conninfo.make_conninfo(conninfo, **options))
        raise psycopg.OperationalError("connection refused (test)")

    monkeypatch.setattr(psycopg, "connect", connect)  # what SQLAlchemy's dialect calls
    monkeypatch.delenv("PGHOST", raising=False)
    monkeypatch.delenv("PGHOSTADDR", raising=False)
    monkeypatch.delenv("PGSSLROOTCERT", raising=False)
    return tried


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://skranke@localhost/skranke",
        "postgresql+psycopg://skranke@127.0.0.1:5432/skranke",
        "postgresql+psycopg://skranke@[::1]/skranke",
        "postgresql+psycopg:///skranke",  # libpq's Unix socket
        "postgresql+psycopg:///skranke?host=/var/run/postgresql",
    ],
)
def test_this_machine_needs_no_tls(url: str) -> None:
    assert parse_url(url).get_backend_name() == "postgresql"


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.0.1.1", "::1", "[::1]", "/tmp", "@skranke"])
def test_local_hosts(host: str) -> None:
    assert is_local_host(host)


@pytest.mark.parametrize("host", ["db.skranke.invalid", "10.0.0.5", "192.168.1.2", "fe80::1", "localhost.example"])
def test_other_machines(host: str) -> None:
    assert not is_local_host(host)


@pytest.mark.parametrize(
    "url",
    [
        REMOTE,
        REMOTE + "?sslmode=require",  # encrypted, but the server is not checked: anyone can stand in for it
        REMOTE + "?sslmode=verify-ca&sslrootcert=/etc/hosts",  # checks the CA, not that it is this server
        "postgresql+psycopg://skranke@localhost/skranke?host=localhost,db.skranke.invalid",
        "postgresql+psycopg://skranke@localhost/skranke?hostaddr=10.0.0.5",
    ],
)
def test_another_machine_without_verify_full_is_refused_before_connecting(url: str, no_connection: list[str]) -> None:
    with pytest.raises(DatabaseUnavailable) as raised:
        Database.open(url, NOW)
    assert raised.value.reason == Reason.NOT_VERIFIED_TLS
    assert no_connection == []


def test_pghost_of_another_machine_counts_too(monkeypatch: pytest.MonkeyPatch, no_connection: list[str]) -> None:
    monkeypatch.setenv("PGHOST", "db.skranke.invalid")
    with pytest.raises(DatabaseUnavailable) as raised:
        Database.open("postgresql+psycopg:///skranke", NOW)
    assert raised.value.reason == Reason.NOT_VERIFIED_TLS and no_connection == []


def test_verify_full_needs_the_authority_s_certificate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_connection: list[str]
) -> None:
    missing = tmp_path / "root.crt"
    with pytest.raises(DatabaseUnavailable) as raised:
        Database.open(f"{REMOTE}?sslmode=verify-full&sslrootcert={missing}", NOW)
    assert raised.value.reason == Reason.NO_ROOT_CERTIFICATE and raised.value.detail == str(missing)
    assert str(missing) in str(raised.value)

    # libpq's default place (~/.postgresql/root.crt, or PGSSLROOTCERT) when the URL gives none.
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(DatabaseUnavailable) as raised:
        Database.open(f"{REMOTE}?sslmode=verify-full", NOW)
    assert raised.value.detail == str(tmp_path / ".postgresql" / "root.crt")
    assert no_connection == []


def test_verify_full_with_a_certificate_is_tried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_connection: list[str]
) -> None:
    root = tmp_path / "root.crt"
    root.write_text("-----BEGIN CERTIFICATE-----\n", encoding="ascii")
    for url in (f"{REMOTE}?sslmode=verify-full&sslrootcert={root}", f"{REMOTE}?sslmode=verify-full&sslrootcert=system"):
        with pytest.raises(DatabaseUnavailable) as raised:
            Database.open(url, NOW)
        assert raised.value.reason == Reason.UNREACHABLE  # tried, and our test's psycopg refused it
    assert len(no_connection) == 2 and all("sslmode=verify-full" in tried for tried in no_connection)

    monkeypatch.setenv("PGSSLROOTCERT", str(root))
    with pytest.raises(DatabaseUnavailable) as raised:
        Database.open(f"{REMOTE}?sslmode=verify-full", NOW)
    assert raised.value.reason == Reason.UNREACHABLE and len(no_connection) == 3


def test_the_command_line_says_how_to_fix_it(capsys: pytest.CaptureFixture[str], no_connection: list[str]) -> None:
    code = main(["deadlines", "--db", REMOTE, "--now", "2026-04-09T09:30"])
    captured = capsys.readouterr()
    assert code == EXIT_DATABASE
    (line,) = captured.err.strip().splitlines()
    assert line.startswith(f"skranke: Databaseserveren for {REMOTE} er en anden maskine")
    assert "sslmode=verify-full" in line and "sslrootcert=" in line
    assert no_connection == []
