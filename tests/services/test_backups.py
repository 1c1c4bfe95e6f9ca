"""Backups of the SQLite store (DESIGN §1): consistent while another process records doses,
encrypted, checked, restored row for row; damaged ones refused naming what; one a day by itself,
kept 14 daily and 12 monthly; an offsite copy for an age key."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pyrage
import pytest
from sqlalchemy import text

from skranke.services.access import Actor
from skranke.services.audit import verify_chain
from skranke.services.context import Skranke, UsageError
from skranke.services.demo import create_demo
from skranke.services.staff import sign_in
from skranke.services.storage import (
    StoreRefusal,
    backup,
    backups_in,
    daily_backup,
    restore,
    verify_backup,
)
from skranke.store.cipher import SQLITE_HEADER, read_key
from skranke.store.copies import check_copy
from skranke.store.schema import HEAD_REVISION
from tests.conftest import PROCESS_KEY_FILE, make_skranke

NOW = "2026-04-09T09:30"
Demo = tuple[Skranke, Actor]  # the demo store and its admin, signed in

# Another workstation at the window: records the next due dose each time it reads "dose" and
# answers with the record's id once it is committed; "stop" ends it.
WINDOW = """
import sys
from skranke.config import load_settings
from skranke.services.context import Skranke
from skranke.services.dispensing import dispense
from skranke.services.queue import queue
from skranke.services.staff import sign_in

skranke = Skranke.from_settings(load_settings(db=sys.argv[1], now=sys.argv[2]))
nurse = sign_in(skranke, "MN", "2222")
print("ready", flush=True)
for line in sys.stdin:
    if line.strip() != "dose":
        break
    row = next(r for r in queue(skranke).due if r.dose.state == "due")
    print(dispense(skranke, nurse, row.dose.order.id, "given", row.dose.dose_number).dispensing_id, flush=True)
"""


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    """The demo store (80 citizens, a morning at the window) and its admin, signed in."""
    skranke = create_demo(make_skranke(NOW, f"sqlite:///{tmp_path / 'skranke.db'}", backup_dir=tmp_path / "backups"))
    yield skranke.skranke, sign_in(skranke.skranke, "AH", "4444")
    skranke.skranke.close()


def rows_of(path: Path, table: str, key: bytes) -> list[tuple[object, ...]]:
    from skranke.store.copies import _open

    connection = _open(path, key, read_only=True)
    try:
        rows: list[tuple[object, ...]] = connection.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()
        return rows
    finally:
        connection.close()


def dispensing_ids(skranke: Skranke) -> set[int]:
    with skranke.database.reading() as session:
        return set(session.execute(text("SELECT id FROM dispensings")).scalars())


class Window:
    def __init__(self, url: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", WINDOW, url, NOW], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.read() == "ready"

    def read(self) -> str:
        assert self.process.stdout is not None
        return self.process.stdout.readline().strip()

    def dose(self) -> int:
        assert self.process.stdin is not None
        self.process.stdin.write("dose\n")
        self.process.stdin.flush()
        return int(self.read())

    def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        assert self.process.wait(timeout=60) == 0


def test_a_backup_taken_while_another_process_records_doses_holds_every_dose_before_it(
    demo: Demo, tmp_path: Path
) -> None:
    skranke, admin = demo
    window = Window(skranke.database_url)
    try:
        before = {window.dose() for _ in range(3)}
        during: list[int] = []
        # At the backup's snapshot, the window records another dose: committed while the copy is
        # taken, so not in it, and not in the way of it either.
        result = backup(skranke, admin, tmp_path, at_snapshot=lambda: during.append(window.dose()))
        after = window.dose()
    finally:
        window.stop()

    key = read_key(PROCESS_KEY_FILE)
    copy = Path(result.backup.file)
    copied = {row[0] for row in rows_of(copy, "dispensings", key)}
    assert before <= copied
    assert during[0] not in copied and after not in copied
    assert dispensing_ids(skranke) >= copied | {during[0], after}
    assert result.backup.counts["dispensings"] == len(copied)
    assert verify_backup(skranke, copy).counts == result.backup.counts


def test_a_backup_is_encrypted_and_shows_no_cpr_or_name(demo: Demo, tmp_path: Path) -> None:
    skranke, admin = demo
    with skranke.database.reading() as session:
        cpr, last_name = session.execute(
            text("SELECT cpr, last_name FROM citizens WHERE cpr IS NOT NULL ORDER BY id LIMIT 1")
        ).one()
    content = Path(backup(skranke, admin, tmp_path).backup.file).read_bytes()
    assert not content.startswith(SQLITE_HEADER)
    assert cpr.encode() not in content and last_name.encode() not in content


def test_a_backup_is_in_the_audit_log_and_needs_an_admin(demo: Demo, tmp_path: Path) -> None:
    from skranke.services.access import AccessError

    skranke, admin = demo
    result = backup(skranke, admin, tmp_path)
    with skranke.database.reading() as session:
        events = session.execute(text("SELECT actor, detail FROM audit_events WHERE action = 'backup'")).all()
    assert len(events) == 1 and events[0][0] == "AH" and result.backup.file in events[0][1]
    with pytest.raises(AccessError):
        backup(skranke, sign_in(skranke, "MN", "2222"), tmp_path)


def _flip_a_byte(path: Path, offset: int) -> None:
    with path.open("r+b") as file:
        file.seek(offset)
        byte = file.read(1)
        file.seek(offset)
        file.write(bytes([byte[0] ^ 0x01]))


@pytest.mark.parametrize(
    ("damage", "named"),
    [
        (lambda p: _flip_a_byte(p, 4096 * 5 + 200), "side 6 er ændret"),
        (lambda p: p.write_bytes(p.read_bytes()[:-1000]), "er afkortet"),
        (lambda p: p.write_bytes(p.read_bytes()[: 4096 * 20]), "er beskadiget"),
        (lambda p: _flip_a_byte(p, 300), "første side er beskadiget"),
    ],
    ids=["altered page", "truncated", "cut at a page", "altered first page"],
)
def test_a_damaged_backup_fails_verify_naming_what_and_is_never_restored(
    demo: Demo, tmp_path: Path, damage: Callable[[Path], object], named: str
) -> None:
    skranke, admin = demo
    file = Path(backup(skranke, admin, tmp_path).backup.file)
    damage(file)
    with pytest.raises(StoreRefusal) as refused:
        verify_backup(skranke, file)
    assert str(file) in str(refused.value) and named in str(refused.value)

    store = skranke.database.sqlite_file
    assert store is not None
    before = dispensing_ids(skranke)
    with pytest.raises(StoreRefusal):
        restore(skranke, admin, file)
    assert dispensing_ids(skranke) == before
    assert not list(store.parent.glob("*before-restore*")) and not list(store.parent.glob(".*restoring"))


def test_rows_removed_from_a_backup_fail_verify(demo: Demo, tmp_path: Path) -> None:
    from skranke.store.copies import _open

    skranke, admin = demo
    file = Path(backup(skranke, admin, tmp_path).backup.file)
    connection = _open(file, read_key(PROCESS_KEY_FILE))
    connection.execute("DELETE FROM sync_log WHERE id = (SELECT max(id) FROM sync_log)")
    connection.close()
    with pytest.raises(StoreRefusal) as refused:
        verify_backup(skranke, file)
    assert "sync_log: 4/5" in str(refused.value)  # the demo's five files: the last one removed


def test_restore_gives_the_store_back_row_for_row_and_keeps_the_current_one_aside(demo: Demo, tmp_path: Path) -> None:
    from skranke.services.reception import check_in

    skranke, admin = demo
    result = backup(skranke, admin, tmp_path)
    key = read_key(PROCESS_KEY_FILE)
    store = skranke.database.sqlite_file
    assert store is not None
    tables = sorted(result.backup.counts)
    backed_up = {table: rows_of(Path(result.backup.file), table, key) for table in tables}
    reception = sign_in(skranke, "KJ", "1111")
    with skranke.database.reading() as session:
        walk_in = session.execute(
            text("SELECT id FROM citizens WHERE id NOT IN (SELECT citizen_id FROM check_ins) ORDER BY id LIMIT 1")
        ).scalar_one()
    check_in(skranke, reception, walk_in, "stoffrihed")  # after the backup: lost by the restore, kept aside
    before_restore = dispensing_ids(skranke)

    restored = restore(skranke, admin, Path(result.backup.file))
    assert restored.backup.taken_at == datetime.fromisoformat("2026-04-09T09:30:00+02:00")
    assert restored.backup.revision == HEAD_REVISION
    skranke.close()  # the audit event of the restore is the one row the store has more
    for table in tables:
        rows = rows_of(store, table, key)
        if table == "audit_events":
            assert rows[: len(backed_up[table])] == backed_up[table]
            assert [row for row in rows[len(backed_up[table]) :] if "restore" in row] != []
        elif table != "audit_chain":  # its head moved on with that event
            assert rows == backed_up[table], table
    # The restored log's chain is whole, the restore chained onto the backup's head.
    check = verify_chain(skranke, admin)
    assert check.whole, check.broken
    assert restored.kept_aside is not None
    aside = Path(restored.kept_aside)
    assert {row[0] for row in rows_of(aside, "dispensings", key)} == before_restore
    assert any(row[1] == walk_in for row in rows_of(aside, "check_ins", key))
    assert not any(row[1] == walk_in for row in rows_of(store, "check_ins", key))


def test_the_daily_backup_over_forty_days_keeps_14_daily_and_12_monthly(tmp_path: Path) -> None:
    url, folder = f"sqlite:///{tmp_path / 'skranke.db'}", tmp_path / "backups"
    first = date(2026, 1, 25)
    for n in range(40):
        day = first + timedelta(days=n)
        skranke = make_skranke(f"{day.isoformat()}T08:00", url, backup_dir=folder)
        try:
            made = daily_backup(skranke)
            assert made is not None and made.backup.taken_at is not None
            assert made.backup.taken_at.date() == day
            assert daily_backup(skranke) is None  # one a day
        finally:
            skranke.close()
    kept = sorted(moment.date() for moment in backups_in(folder, "skranke").values())
    assert kept == [date(2026, 1, 31)] + [date(2026, 2, 20) + timedelta(days=n) for n in range(14)]
    assert len(list(folder.iterdir())) == 15
    key = read_key(PROCESS_KEY_FILE)
    assert all(check_copy(path, key).taken_at for path in folder.iterdir())


def test_the_daily_backup_is_the_workstation_s_own(tmp_path: Path) -> None:
    skranke = make_skranke(NOW, f"sqlite:///{tmp_path / 'skranke.db'}", backup_dir=tmp_path / "b")
    try:
        daily_backup(skranke)
        with skranke.database.reading() as session:
            actor, detail = session.execute(
                text("SELECT actor, detail FROM audit_events WHERE action = 'backup'")
            ).one()
        assert actor == "workstation" and '"automatic": true' in detail.replace(" ", "").replace(":", ": ")
    finally:
        skranke.close()


def test_on_postgresql_the_server_s_tools_back_up(tmp_path: Path) -> None:
    skranke = make_skranke(NOW, "postgresql+psycopg://postgres@127.0.0.1:5999/skranke")
    with pytest.raises(UsageError) as refused:
        backup(skranke, None, tmp_path)
    assert "pg_dump" in str(refused.value)
    assert daily_backup(skranke) is None


def test_an_offsite_copy_decrypts_with_its_identity_only(demo: Demo, tmp_path: Path) -> None:
    skranke, admin = demo
    identity = pyrage.x25519.Identity.generate()
    result = backup(skranke, admin, tmp_path, recipient=str(identity.to_public()))
    assert result.age_file is not None
    age_file = Path(result.age_file)
    assert age_file.read_bytes().startswith(b"age-encryption.org/v1")
    with pytest.raises(pyrage.DecryptError):
        pyrage.decrypt(age_file.read_bytes(), [pyrage.x25519.Identity.generate()])
    decrypted = tmp_path / "offsite.db"
    decrypted.write_bytes(pyrage.decrypt(age_file.read_bytes(), [identity]))
    assert decrypted.read_bytes() == Path(result.backup.file).read_bytes()
    assert verify_backup(skranke, decrypted).counts == result.backup.counts
    with pytest.raises(StoreRefusal) as refused:
        verify_backup(skranke, age_file)
    assert "age" in str(refused.value)
