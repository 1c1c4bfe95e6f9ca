"""The audit log's hash chain in a real store, SQLite and PostgreSQL (DESIGN §1, issue 25):
written by every path that logs, whole when nobody touched it, and `verify_chain` naming the
first edited, removed or inserted event after someone with database access dropped the
triggers. Two workstations writing at once give one chain."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Row, create_engine, event, text
from sqlalchemy.orm import Session

from skranke.domain.audit_chain import EDITED, INSERTED, REMOVED, event_hash
from skranke.services.access import AccessError, Actor
from skranke.services.audit import audit_events, record, verify_chain
from skranke.services.citizens import citizen_card, citizen_labels
from skranke.services.context import Skranke
from skranke.services.staff import sign_in, sign_out
from skranke.store.errors import DatabaseUnavailable
from tests.conftest import TEST_PIN, SkrankeAt, make_skranke, signed_in, store_engine

NOW = "2026-04-06T09:30"
Desk = tuple[Skranke, Actor]  # the store and its admin, signed in


@pytest.fixture
def desk(skranke_at: SkrankeAt) -> Desk:
    """A store with staff, two citizens and a morning's events; the admin signed in."""
    from skranke.store.models import Citizen

    skranke = skranke_at(NOW)
    nurse = signed_in(skranke, "nurse", initials="SYG")
    with skranke.database.transaction() as session:
        session.add_all(
            [
                Citizen(id="B1", cpr="0101801234", first_name="Søren", last_name="Ågård"),
                Citizen(id="B2", cpr=None, first_name="Åse", last_name="Berg", alias="Maagen"),
            ]
        )
    citizen_labels(skranke, nurse, ["B1", "B2"])  # record_looks: one event per citizen
    citizen_card(skranke, nurse, "B1")  # record
    sign_out(skranke, nurse, "key")
    admin = sign_in(skranke, "ADM", TEST_PIN)
    return skranke, admin


def _stored(skranke: Skranke) -> Sequence[Row[Any]]:
    with skranke.database.reading() as session:
        return session.execute(text("SELECT id, action, prev_hash, hash FROM audit_events ORDER BY id")).all()


def _with_triggers_dropped(skranke: Skranke, *statements: str, **values: object) -> None:
    """What someone with database access can do: the append-only triggers out of the way."""
    engine = store_engine(skranke.database_url)
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER IF EXISTS audit_events_no_update"))
            connection.execute(text("DROP TRIGGER IF EXISTS audit_events_no_delete"))
        else:
            connection.execute(text("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events"))
        for statement in statements:
            connection.execute(text(statement), values)
    engine.dispose()


def _forge(skranke: Skranke, event_id: int, prev_hash: str) -> None:
    """An event of one's own, its hash computed as skranke would."""
    from datetime import UTC, datetime

    at = datetime(2026, 4, 6, 7, 31, tzinfo=UTC)
    own = event_hash(prev_hash, event_id, at, "SYG", "pc1", "dispense", "B2", "dispensing", "99", {"outcome": "given"})
    _with_triggers_dropped(
        skranke,
        "INSERT INTO audit_events (id, at, actor, workstation, action, citizen_id, entity, entity_id, detail, "
        "prev_hash, hash) VALUES (:id, :at, 'SYG', 'pc1', 'dispense', 'B2', 'dispensing', '99', "
        '\'{"outcome": "given"}\', :prev, :own)',
        id=event_id,
        at=at.replace(tzinfo=None),
        prev=prev_hash,
        own=own,
    )


def test_every_path_that_logs_chains_its_events_and_the_log_is_whole(desk: Desk) -> None:
    skranke, admin = desk
    rows = _stored(skranke)
    actions = [row.action for row in rows]
    assert {"staff_add", "sign_in", "list_deadlines", "open_citizen", "sign_out"} <= set(actions)
    # Ids given by the chain, one after the other; each event names the one before it.
    assert [row.id for row in rows] == list(range(1, len(rows) + 1))
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(rows))

    check = verify_chain(skranke, admin)

    assert check.whole and check.events == len(rows) and check.last_hash == rows[-1].hash


def test_the_citizen_card_shows_its_own_look_among_the_latest(desk: Desk) -> None:
    skranke, _admin = desk
    nurse = signed_in(skranke, "nurse", initials="SYH")
    card = citizen_card(skranke, nurse, "B2")
    assert card is not None and (card.looks[0].staff, card.looks[0].action) == ("SYH", "open_citizen")


def test_the_check_is_logged_after_the_walk(desk: Desk) -> None:
    skranke, admin = desk
    first = verify_chain(skranke, admin)
    second = verify_chain(skranke, admin)
    # The first check's own event is in the second's walk.
    assert second.events == first.events + 1
    logged = audit_events(skranke, admin)[-1]
    assert logged.action == "audit_verify" and logged.staff == "ADM"
    assert logged.detail == {
        "whole": True,
        "events": second.events,
        "last_hash": second.last_hash,
        "first_broken": None,
    }


def test_only_an_administrator_may_check_the_chain(desk: Desk) -> None:
    skranke, _admin = desk
    nurse = signed_in(skranke, "nurse", initials="SYH")
    with pytest.raises(AccessError, match="må ikke læse loggen"):
        verify_chain(skranke, nurse)
    with pytest.raises(AccessError):
        verify_chain(skranke, None)


def test_an_edited_detail_is_named(desk: Desk) -> None:
    skranke, admin = desk
    looked = next(row for row in _stored(skranke) if row.action == "open_citizen")
    _with_triggers_dropped(
        skranke, 'UPDATE audit_events SET detail = \'{"note": "nothing"}\' WHERE id = :id', id=looked.id
    )
    broken = verify_chain(skranke, admin).broken
    assert broken is not None and (broken.problem, broken.event_id, broken.action) == (
        EDITED,
        looked.id,
        "open_citizen",
    )


def test_an_edit_with_its_hash_computed_again_is_named(desk: Desk) -> None:
    from skranke.store.audit_chain import chain_events

    skranke, admin = desk
    with skranke.database.reading() as session:
        target = list(chain_events(session, 1_000))[3]
    changed = target._replace(staff="XX")
    own = event_hash(changed.prev_hash, *changed[:9])
    _with_triggers_dropped(
        skranke, "UPDATE audit_events SET actor = 'XX', hash = :own WHERE id = :id", own=own, id=target.id
    )
    broken = verify_chain(skranke, admin).broken
    assert broken is not None and (broken.problem, broken.event_id) == (EDITED, target.id)


def test_a_deleted_event_is_named_by_the_one_after_the_gap(desk: Desk) -> None:
    skranke, admin = desk
    rows = _stored(skranke)
    _with_triggers_dropped(skranke, "DELETE FROM audit_events WHERE id = :id", id=rows[2].id)
    broken = verify_chain(skranke, admin).broken
    assert broken is not None and (broken.problem, broken.event_id, broken.missing) == (REMOVED, rows[3].id, "before")


def test_the_newest_events_deleted_are_named_by_the_head(desk: Desk) -> None:
    skranke, admin = desk
    rows = _stored(skranke)
    _with_triggers_dropped(skranke, "DELETE FROM audit_events WHERE id > :id", id=rows[-3].id)
    broken = verify_chain(skranke, admin).broken
    assert broken is not None and (broken.problem, broken.event_id, broken.missing) == (REMOVED, rows[-3].id, "after")


def test_a_forged_event_before_the_first_is_named_even_with_its_own_hash_right(desk: Desk) -> None:
    skranke, admin = desk
    _forge(skranke, 0, "e" * 64)  # a hash of its own, but no event before it has that hash
    broken = verify_chain(skranke, admin).broken
    assert broken is not None and (broken.problem, broken.event_id, broken.action) == (INSERTED, 0, "dispense")


def test_a_forged_event_past_the_head_is_named_even_when_it_chains(desk: Desk) -> None:
    skranke, admin = desk
    rows = _stored(skranke)
    forged = rows[-1].id + 1
    _forge(skranke, forged, rows[-1].hash)  # joins the last event; the head was not moved
    broken = verify_chain(skranke, admin).broken
    assert broken is not None and (broken.problem, broken.event_id) == (INSERTED, forged)
    # The desk writes on (the check's own event took the next free id), and the forged event
    # is still named now that real events follow it.
    assert _stored(skranke)[-1].id == forged + 1
    sign_out(skranke, admin, "key")
    broken = verify_chain(skranke, admin).broken
    assert broken is not None and (broken.problem, broken.event_id) == (INSERTED, forged)


def _hold_the_head(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """Thread "A" stops with the chain's head taken until released; returns (held, release)."""
    import skranke.store.audit_chain as chain

    held, release = threading.Event(), threading.Event()

    def head_taken(session: Session) -> None:
        if threading.current_thread().name == "A":
            held.set()
            assert release.wait(60), "never released"

    monkeypatch.setattr(chain, "_head_taken", head_taken)
    return held, release


def _start(name: str, work: Callable[[], object], failures: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            work()
        except BaseException as error:  # noqa: BLE001 - the test reports what a workstation met
            failures.append(error)

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


def test_two_workstations_writing_at_once_chain_one_after_the_other_on_postgresql(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workstation A holds the head (stopped there); B's write waits for A's row lock, seen in
    pg_locks, never reading the head A is about to move; then both are in one chain, B after A."""
    import skranke.store.audit_chain as chain

    opened = [make_skranke(NOW, pg_url, workstation="pc-a"), make_skranke(NOW, pg_url, workstation="pc-b")]
    try:
        first, second = opened
        nurse = signed_in(first, "nurse", initials="SYG")
        other = sign_in(second, "SYG", TEST_PIN)
        held, release = _hold_the_head(monkeypatch)
        pids: list[int] = []

        def taking_head(session: Session) -> None:
            if threading.current_thread().name == "B":
                pids.append(session.execute(text("SELECT pg_backend_pid()")).scalar_one())

        monkeypatch.setattr(chain, "_taking_head", taking_head)
        failures: list[BaseException] = []
        a = _start("A", lambda: sign_out(first, nurse, "key"), failures)
        assert held.wait(60)
        b = _start("B", lambda: sign_out(second, other, "key"), failures)
        watcher = create_engine(pg_url)
        try:
            deadline = time.monotonic() + 60
            while True:  # until B waits on a lock: an event in the server, not a guess at time
                with watcher.connect() as connection:
                    waiting = (
                        pids
                        and connection.execute(
                            text("SELECT count(*) FROM pg_locks WHERE pid = :pid AND NOT granted"), {"pid": pids[0]}
                        ).scalar_one()
                    )
                if waiting:
                    break
                assert time.monotonic() < deadline and b.is_alive(), "B never waited for the head"
                time.sleep(0.01)
        finally:
            watcher.dispose()
        release.set()
        a.join(60)
        b.join(60)
        assert not failures, failures
        a_event, b_event = _stored(first)[-2:]
        assert (a_event.action, b_event.action) == ("sign_out", "sign_out")
        assert b_event.prev_hash == a_event.hash and b_event.id == a_event.id + 1
        with first.database.reading() as session:
            stations = (
                session.execute(text("SELECT workstation FROM audit_events ORDER BY id DESC LIMIT 2")).scalars().all()
            )
        assert stations == ["pc-b", "pc-a"]
        admin = sign_in(first, "ADM", TEST_PIN)
        assert verify_chain(first, admin).whole
    finally:
        for skranke in opened:
            skranke.close()


def test_two_workstations_writing_at_once_chain_one_after_the_other_on_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workstation A holds the head (stopped there); B, told not to wait, finds the store
    locked and writes nothing; once A has committed, B's event chains onto A's."""
    url = f"sqlite:///{tmp_path / 'skranke.db'}"
    opened = [make_skranke(NOW, url, workstation="pc-a"), make_skranke(NOW, url, workstation="pc-b")]
    try:
        first, second = opened
        nurse = signed_in(first, "nurse", initials="SYG")
        other = sign_in(second, "SYG", TEST_PIN)
        # B gives up at once instead of waiting out the busy timeout.
        event.listen(
            second.database.engine, "connect", lambda connection, _: connection.execute("PRAGMA busy_timeout=0")
        )
        second.database.engine.dispose()
        held, release = _hold_the_head(monkeypatch)
        failures: list[BaseException] = []
        a = _start("A", lambda: sign_out(first, nurse, "key"), failures)
        assert held.wait(60)
        before = len(_stored(second))
        with pytest.raises(DatabaseUnavailable):
            sign_out(second, other, "key")
        assert len(_stored(second)) == before
        release.set()
        a.join(60)
        assert not failures, failures
        sign_out(second, other, "key")
        rows = _stored(first)
        assert [r.action for r in rows[-2:]] == ["sign_out", "sign_out"]
        assert rows[-1].prev_hash == rows[-2].hash
        admin = sign_in(first, "ADM", TEST_PIN)
        assert verify_chain(first, admin).whole
    finally:
        for skranke in opened:
            skranke.close()


def test_a_use_case_rolled_back_leaves_no_event_and_no_gap(desk: Desk) -> None:
    skranke, admin = desk
    before = _stored(skranke)
    with pytest.raises(RuntimeError), skranke.database.transaction() as session:
        record(session, admin, skranke.clock.now(), "read_audit")
        raise RuntimeError("the act failed")
    with skranke.database.transaction(dry_run=True) as session:
        record(session, admin, skranke.clock.now(), "read_audit")
    assert _stored(skranke) == before
    sign_out(skranke, admin, "key")
    after = _stored(skranke)
    assert after[-1].id == before[-1].id + 1 and after[-1].prev_hash == before[-1].hash


def test_a_use_case_that_reads_first_chains_after_a_write_that_came_between(skranke_at: SkrankeAt) -> None:
    """SQLite: a transaction that read before its first write and wrote after another
    workstation's commit would fail at once (SQLITE_BUSY_SNAPSHOT) if the read had begun it;
    the head is taken by a write, so the late writer chains onto the other's event instead."""
    first, second = skranke_at(NOW, workstation="pc-a"), skranke_at(NOW, workstation="pc-b")
    nurse = signed_in(first, "nurse", initials="SYG")
    other = sign_in(second, "SYG", TEST_PIN)
    with first.database.transaction() as session:
        session.execute(text("SELECT count(*) FROM audit_events")).scalar_one()
        sign_out(second, other, "key")  # committed while the first use case is open
        record(session, nurse, first.clock.now(), "read_audit")
    rows = _stored(first)
    assert [r.action for r in rows[-2:]] == ["sign_out", "read_audit"]
    assert rows[-1].prev_hash == rows[-2].hash
    assert verify_chain(first, sign_in(first, "ADM", TEST_PIN)).whole
