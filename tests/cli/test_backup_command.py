"""`skranke backup`, `backup verify` and `restore` on the command line: exit codes, JSON, and a
restore onto a PC whose store is gone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skranke.cli import EXIT_ACCESS, EXIT_DATABASE, EXIT_OK, EXIT_REJECTED, EXIT_USAGE, main
from skranke.store.schema import HEAD_REVISION

NOW = ["--now", "2026-04-09T09:30"]


@pytest.fixture
def demo_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "store" / "skranke.db"
    path.parent.mkdir()
    monkeypatch.setenv("SKRANKE_BACKUP_DIR", str(tmp_path / "backups"))
    assert main(["demo", "--no-open", "--db", str(path), *NOW]) == EXIT_OK
    monkeypatch.setenv("SKRANKE_STAFF", "AH")
    monkeypatch.setenv("SKRANKE_PIN", "4444")
    capsys.readouterr()
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_backup_verify_and_restore(demo_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(demo_store)
    code, out, err = run(capsys, "backup", "--json", "--db", db, *NOW)
    assert code == EXIT_OK, err
    made = json.loads(out)
    assert Path(made["file"]) == tmp_path / "backups" / "skranke-2026-04-09T093000.db"
    assert made["taken_at"] == "2026-04-09T09:30:00+02:00" and made["revision"] == HEAD_REVISION
    assert made["tables"]["citizens"] == 80 and made["age_file"] is None and made["removed"] == []

    code, out, err = run(capsys, "backup", "verify", made["file"], "--json")
    assert code == EXIT_OK and json.loads(out)["tables"] == made["tables"]
    code, out, err = run(capsys, "backup", "verify", made["file"])
    assert code == EXIT_OK and out.startswith("Hel: ") and "taget 09.04.2026 kl. 09.30" in out

    code, out, err = run(capsys, "restore", made["file"], "--db", db, "--now", "2026-04-09T10:00")
    assert code == EXIT_OK, err
    assert f"Genskabt i {demo_store}" in out and f"taget 09.04.2026 kl. 09.30, revision {HEAD_REVISION}" in out
    assert "skranke.before-restore-20260409T100000.db" in out


def test_a_damaged_backup_exits_1_naming_it(
    demo_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = run(capsys, "backup", "--json", "--db", str(demo_store), *NOW)
    file = Path(json.loads(out)["file"])
    file.write_bytes(file.read_bytes()[:-100])
    code, out, err = run(capsys, "backup", "verify", str(file))
    assert code == EXIT_REJECTED
    assert err.strip() == f"skranke: Filen {file} er afkortet eller er ingen database (den består ikke af hele sider)."
    code, out, err = run(capsys, "restore", str(file), "--db", str(demo_store), *NOW)
    assert code == EXIT_REJECTED and str(file) in err


def test_verify_without_the_key_exits_5(
    demo_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _err = run(capsys, "backup", "--json", "--db", str(demo_store), *NOW)
    monkeypatch.setenv("SKRANKE_KEY_FILE", str(tmp_path / "nowhere.key"))
    code, out, err = run(capsys, "backup", "verify", json.loads(out)["file"])
    assert code == EXIT_DATABASE and "nowhere.key mangler" in err


def test_only_an_admin_backs_up_or_restores(
    demo_store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SKRANKE_STAFF", "MN")
    monkeypatch.setenv("SKRANKE_PIN", "2222")
    code, _out, err = run(capsys, "backup", "--db", str(demo_store), *NOW)
    assert code == EXIT_ACCESS and "MN må ikke" in err


def test_a_backup_folder_given_must_exist(demo_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "backup", "--to", str(tmp_path / "typo"), "--db", str(demo_store), *NOW)
    assert code == EXIT_USAGE and "typo: mappen findes ikke" in err


def test_on_postgresql_backup_and_restore_are_usage_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # Nothing listens on that port: the refusal comes before any connection or sign-in.
    url = "postgresql+psycopg://postgres@127.0.0.1:5999/skranke"
    for argv in (["backup"], ["restore", str(tmp_path / "x.db")]):
        code, _out, err = run(capsys, *argv, "--db", url, *NOW)
        assert code == EXIT_USAGE, err
        assert "PostgreSQL" in err and "pg_dump" in err


def test_restore_onto_a_pc_whose_store_is_gone_asks_the_backup_s_admin(
    demo_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _err = run(capsys, "backup", "--json", "--db", str(demo_store), *NOW)
    file = json.loads(out)["file"]
    new_pc = tmp_path / "new-pc"
    new_pc.mkdir()
    store = new_pc / "skranke.db"

    monkeypatch.setenv("SKRANKE_PIN", "9999")  # not AH's PIN in the backup
    code, _out, err = run(capsys, "restore", file, "--db", str(store), *NOW)
    assert code == EXIT_ACCESS
    assert not store.exists()  # not left in place without an admin

    monkeypatch.setenv("SKRANKE_PIN", "4444")
    code, out, err = run(capsys, "restore", file, "--db", str(store), *NOW)
    assert code == EXIT_OK, err
    assert "gemt til side" not in out  # there was nothing to keep aside
    code, out, err = run(capsys, "audit", "--json", "--db", str(store), *NOW)
    assert [e["staff"] for e in json.loads(out)["events"] if e["action"] == "restore"] == ["AH"]


def test_close_day_takes_the_day_s_backup(
    demo_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SKRANKE_STAFF", "MN")
    monkeypatch.setenv("SKRANKE_PIN", "2222")
    code, _out, err = run(capsys, "close-day", "--db", str(demo_store), "--now", "2026-04-09T18:00")
    assert code == EXIT_OK and err == ""
    assert [p.name for p in (tmp_path / "backups").iterdir()] == ["skranke-2026-04-09T180000.db"]
    run(capsys, "close-day", "--db", str(demo_store), "--now", "2026-04-09T18:05")
    assert len(list((tmp_path / "backups").iterdir())) == 1  # one a day


OTHER_WORKSTATION = """
import os, sys
from pathlib import Path
from skranke.store.cipher import connect, read_key
connection = connect(Path(sys.argv[1]), read_key(Path(os.environ["SKRANKE_KEY_FILE"])))
connection.execute("PRAGMA journal_mode").fetchone()
connection.execute("SELECT count(*) FROM citizens").fetchone()
print("open", flush=True)
sys.stdin.read()
"""


def test_restore_refuses_while_another_process_has_the_store_open(
    demo_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import subprocess
    import sys

    code, out, _err = run(capsys, "backup", "--json", "--db", str(demo_store), *NOW)
    file = json.loads(out)["file"]
    other = subprocess.Popen(
        [sys.executable, "-c", OTHER_WORKSTATION, str(demo_store)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert other.stdout is not None and other.stdout.readline().strip() == "open"
        code, _out, err = run(capsys, "restore", file, "--db", str(demo_store), *NOW)
        assert code == EXIT_REJECTED and "er åben i en anden skranke" in err
        assert not list(demo_store.parent.glob("*before-restore*"))
        assert not list(demo_store.parent.glob(".*restoring"))
    finally:
        assert other.stdin is not None
        other.stdin.close()
        other.wait(timeout=30)
    code, _out, err = run(capsys, "restore", file, "--db", str(demo_store), *NOW)
    assert code == EXIT_OK, err


def test_verify_of_a_folder_names_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`backup verify` given the backup folder instead of one of its files: exit 1, one sentence."""
    code, _out, err = run(capsys, "backup", "verify", str(tmp_path))
    assert code == EXIT_REJECTED and f"{tmp_path} er en mappe" in err
