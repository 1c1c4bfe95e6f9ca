"""Undoing a check-in, who waits at the window, and a search logged once: SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update

from skranke.services.access import AccessError
from skranke.services.audit import audit_events
from skranke.services.context import Skranke, UsageError
from skranke.services.dispensing import dispense
from skranke.services.errors import DeskRefusal
from skranke.services.queue import queue
from skranke.services.reception import check_in, search_citizens, undo_check_in, waiting_at_window
from skranke.store.models import AuditEvent, CheckIn, OutboxEvent
from tests.conftest import SkrankeAt, signed_in
from tests.services.test_dispensing_service import NOW, Desk, seed


@pytest.fixture
def desk(skranke_at: SkrankeAt) -> Desk:
    skranke = skranke_at(NOW)
    seed(skranke)
    return skranke, signed_in(skranke, "reception", initials="KJ"), signed_in(skranke, "nurse", initials="SYG")


def _events(skranke: Skranke, action: str) -> list[AuditEvent]:
    with skranke.database.reading() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _check_ins(skranke: Skranke) -> list[CheckIn]:
    with skranke.database.reading() as session:
        return list(session.scalars(select(CheckIn).order_by(CheckIn.id)))


def test_undo_the_same_day_is_recorded_not_deleted_and_the_citizen_may_check_in_again(desk: Desk) -> None:
    skranke, reception, _nurse = desk
    check_in(skranke, reception, "B1")
    assert [w.person.citizen_id for w in queue(skranke).waiting] == ["B1"]

    undone = undo_check_in(skranke, reception, "B1", "forkert borger")
    assert (undone.name, undone.place, undone.staff_id, undone.reason) == (
        "Søren Ågård",
        "medicinudlevering",
        "KJ",
        "forkert borger",
    )
    assert undone.words(skranke.clock.now().tzinfo) == (
        "Indtjekningen af Søren Ågård på Medicinudlevering kl. 09.30 er fortrudt (forkert borger)."
    )
    [row] = _check_ins(skranke)
    assert (row.undone_by, row.undo_reason, row.undone_at is not None) == ("KJ", "forkert borger", True)
    assert queue(skranke).waiting == []  # it stops counting as waiting
    [event] = _events(skranke, "check_in_undo")
    assert (event.staff, event.citizen_id, event.entity_id, event.detail["reason"]) == (
        "KJ",
        "B1",
        "medicinudlevering",
        "forkert borger",
    )
    with skranke.database.reading() as session:
        kinds = [e.kind for e in session.scalars(select(OutboxEvent).order_by(OutboxEvent.id))]
    assert kinds == ["check_in", "check_in_undo"]

    check_in(skranke, reception, "B1")  # after an undo, the day is free again
    assert [(c.undone_at is None) for c in _check_ins(skranke)] == [False, True]
    assert [w.person.citizen_id for w in queue(skranke).waiting] == ["B1"]


def test_not_twice(desk: Desk) -> None:
    skranke, reception, _nurse = desk
    check_in(skranke, reception, "B1")
    undo_check_in(skranke, reception, "B1", "forkert borger")
    with pytest.raises(DeskRefusal, match=r"Søren Ågård er ikke tjekket ind i dag: .* fortrudt kl\. 09\.30 af KJ"):
        undo_check_in(skranke, reception, "B1", "igen")
    assert len(_events(skranke, "check_in_undo")) == 1


def test_refused_once_a_dose_is_given_on_it(desk: Desk) -> None:
    skranke, reception, nurse = desk
    check_in(skranke, reception, "B1")
    dispense(skranke, nurse, "O1", "given")
    with pytest.raises(DeskRefusal, match="kun fortrydes samme dag, før der er givet en dosis"):
        undo_check_in(skranke, reception, "B1", "forkert borger")
    assert [c.undone_at for c in _check_ins(skranke)] == [None]
    assert _events(skranke, "check_in_undo") == []


def test_a_dose_elsewhere_does_not_stop_the_undo_of_another_place(desk: Desk) -> None:
    skranke, reception, nurse = desk
    check_in(skranke, reception, "B1", "stoffrihed")
    dispense(skranke, nurse, "O1", "given")  # given at the medicine room, not on this check-in
    assert undo_check_in(skranke, reception, "B1", "forkert afdeling").place == "stoffrihed"


def test_only_the_same_day(desk: Desk, skranke_at: SkrankeAt) -> None:
    skranke, reception, _nurse = desk
    check_in(skranke, reception, "B1")
    tomorrow = skranke_at("2026-04-10T09:30")
    with pytest.raises(DeskRefusal, match="ikke tjekket ind i dag: der er intet at fortryde"):
        undo_check_in(tomorrow, reception, "B1", "for sent")


def test_a_reason_a_known_department_and_reception_are_needed(desk: Desk) -> None:
    skranke, reception, _nurse = desk
    check_in(skranke, reception, "B1")
    with pytest.raises(UsageError, match="årsagen"):
        undo_check_in(skranke, reception, "B1", "  ")
    with pytest.raises(UsageError, match="Ukendt afdeling 'nope'"):
        undo_check_in(skranke, reception, "B1", "fejl", department="nope")
    with pytest.raises(UsageError, match="Ukendt afdeling 'nope'"):
        check_in(skranke, reception, "B2", "nope")
    with pytest.raises(AccessError):
        undo_check_in(skranke, signed_in(skranke, "admin", initials="ADM"), "B1", "fejl")


def test_the_database_refuses_to_delete_a_check_in_or_change_more_than_its_undo(desk: Desk) -> None:
    from sqlalchemy.exc import DatabaseError

    skranke, reception, _nurse = desk
    check_in(skranke, reception, "B1")
    with pytest.raises(DatabaseError), skranke.database.transaction() as session:
        session.execute(delete(CheckIn))
    with pytest.raises(DatabaseError), skranke.database.transaction() as session:
        session.execute(update(CheckIn).values(department="stoffrihed"))
    assert len(_check_ins(skranke)) == 1


def test_a_search_is_one_event_with_its_hits(desk: Desk) -> None:
    skranke, reception, _nurse = desk
    hits = search_citizens(skranke, reception, "s")  # Søren Ågård and Åse Berg (Maagen) by their s
    assert [(h.name, h.alias) for h in hits] == [("Åse Berg", "Maagen"), ("Søren Ågård", "")]
    [event] = _events(skranke, "search")
    assert (event.staff, event.citizen_id, event.detail) == (
        "KJ",
        None,
        {"citizen_ids": ["B2", "B1"], "query_length": 1},
    )
    search_citizens(skranke, reception, "soeren")  # one hit: the event names the citizen too
    assert [(e.citizen_id, e.detail["citizen_ids"]) for e in _events(skranke, "search")][1] == ("B1", ["B1"])
    search_citizens(skranke, reception, "nobody")
    assert len(_events(skranke, "search")) == 2  # nobody shown, nobody looked at
    # "Who looked at my record" finds the search that showed B1 among others too.
    admin = signed_in(skranke, "admin", initials="ADM")
    looks = [(e.action, e.citizen_id) for e in audit_events(skranke, admin, citizen_id="B1") if e.action == "search"]
    assert looks == [("search", None), ("search", "B1")]
    assert [e.action for e in audit_events(skranke, admin, citizen_id="B") if e.action == "search"] == []


def test_reception_sees_who_waits_at_the_window_without_doses(desk: Desk, skranke_at: SkrankeAt) -> None:
    skranke, reception, nurse = desk
    check_in(skranke, reception, "B1")
    check_in(skranke, reception, "B2", "stoffrihed")  # not at the window
    [waiting] = waiting_at_window(skranke, reception)
    assert (waiting.citizen_id, waiting.name, waiting.place, waiting.minutes) == (
        "B1",
        "Søren Ågård",
        "medicinudlevering",
        0,
    )
    assert not any("dose" in field for field in waiting.__dataclass_fields__)
    waiting_at_window(skranke, reception)  # seen again the same day: not logged again
    assert [(e.staff, e.citizen_id) for e in _events(skranke, "list_waiting")] == [("KJ", "B1")]
    [later] = waiting_at_window(skranke_at("2026-04-09T09:47"), reception)
    assert (later.minutes, later.checked_in_at.strftime("%H.%M")) == (17, "09.30")
    dispense(skranke, nurse, "O1", "given")
    assert waiting_at_window(skranke, reception) == []  # served
    with pytest.raises(AccessError):
        waiting_at_window(skranke, signed_in(skranke, "admin", initials="ADM"))
