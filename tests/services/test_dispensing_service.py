"""Check-in, the queue and recording doses on SQLite and PostgreSQL: never twice, never on hold."""

from __future__ import annotations

import multiprocessing
import multiprocessing.queues
import multiprocessing.synchronize
from datetime import date, timedelta
from decimal import Decimal

import pytest

from skranke.services.access import AccessError, Actor
from skranke.services.audit import audit_events
from skranke.services.context import Skranke
from skranke.services.dispensing import close_day, dispense, release, void
from skranke.services.errors import DeskRefusal
from skranke.services.queue import queue, window_queue
from skranke.services.reception import check_in, search_citizens
from skranke.store.models import Citizen, Prescription, Task
from tests.conftest import SkrankeAt, make_skranke, signed_in, workstations

NOW = "2026-04-09T09:30"  # a Thursday
TODAY = date(2026, 4, 9)
Desk = tuple[Skranke, Actor, Actor]  # the store, a nurse and a doctor, signed in


def seed(skranke: Skranke, last_dispensed: date | None = TODAY - timedelta(days=1), **order: object) -> None:
    with skranke.database.transaction() as session:
        session.add(Citizen(id="B1", cpr="0101801234", first_name="Søren", last_name="Ågård", alias="", phone=""))
        session.add(Citizen(id="B2", cpr="1502851234", first_name="Åse", last_name="Berg", alias="Maagen", phone=""))
        session.flush()
        values = dict(
            id="O1",
            citizen_id="B1",
            preparation="metadon",
            dose_mg=Decimal("60"),
            doses_per_day=1,
            pickup_rule="FREQ=DAILY",
            supervised=True,
            valid_from=date(2026, 1, 1),
            valid_to=None,
            delivery=False,
            last_dispensed_on=last_dispensed,
        )
        session.add(Prescription(**(values | order)))


@pytest.fixture
def desk(skranke_at: SkrankeAt) -> Desk:
    skranke = skranke_at(NOW)
    seed(skranke)
    return skranke, signed_in(skranke, "nurse", initials="SYG"), signed_in(skranke, "doctor", initials="LGE")


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("soeren", ["B1"]),
        ("Søren", ["B1"]),
        ("aase", ["B2"]),
        ("Åse", ["B2"]),
        ("maagen", ["B2"]),
        ("010180", ["B1"]),
        ("010180-12", ["B1"]),
        ("0101801234", ["B1"]),
        ("15.02.1985", ["B2"]),
        ("b2", ["B2"]),
        ("berg åse", ["B2"]),
        ("nobody", []),
    ],
)
def test_search_by_name_alias_cpr_birth_date_or_id(desk: Desk, typed: str, found: list[str]) -> None:
    skranke, nurse, _doctor = desk
    hits = search_citizens(skranke, nurse, typed)
    assert [h.citizen_id for h in hits] == found
    assert all(h.masked_cpr.endswith("-****") for h in hits)
    assert all(h.display in ("SÅ", "Maagen") for h in hits)  # initials or alias, never the name


def test_a_second_check_in_the_same_day_is_refused_with_who_and_when(desk: Desk) -> None:
    skranke, nurse, _doctor = desk
    first = check_in(skranke, nurse, "B1")
    assert first.place == "medicinudlevering"  # a dose is due today
    with pytest.raises(DeskRefusal, match=r"allerede tjekket ind på Medicinudlevering i dag kl\. 09\.30 af SYG"):
        check_in(skranke, nurse, "B1")
    check_in(skranke, nurse, "B1", "stoffrihed")  # another place is another check-in


def test_the_queue_lists_waiting_due_and_done(desk: Desk) -> None:
    skranke, nurse, _doctor = desk
    check_in(skranke, nurse, "B1")
    view = queue(skranke)
    assert [w.person.citizen_id for w in view.waiting] == ["B1"]
    assert [(d.dose.order.id, d.arrived, d.dose.state, d.dose.missed_days) for d in view.due] == [
        ("O1", True, "due", 0)
    ]
    dispense(skranke, nurse, "O1", "given")
    view = queue(skranke)
    assert view.due == [] and view.waiting == []
    assert [(r.outcome, r.staff, r.dose_mg) for r in view.done] == [("given", "SYG", Decimal("60"))]
    assert view.to_json_dict()["done"][0]["dose_mg"] == 60


def _queue_looks(skranke: Skranke) -> list[tuple[str, str | None, str]]:
    events = audit_events(skranke, signed_in(skranke, "admin", initials="ADM"))
    return sorted((e.staff, e.citizen_id, e.detail.get("service", "")) for e in events if e.action == "list_queue")


def test_the_window_queue_is_a_nurses_and_each_citizen_in_it_a_logged_look(desk: Desk) -> None:
    skranke, nurse, doctor = desk
    receptionist = signed_in(skranke, "reception", initials="KJ")
    with pytest.raises(AccessError, match="KJ må ikke se udleveringskøen"):
        window_queue(skranke, receptionist)
    assert _queue_looks(skranke) == []  # refused: nothing shown, nothing logged

    view = window_queue(skranke, nurse)
    assert [d.person.citizen_id for d in view.due] == ["B1"]
    assert _queue_looks(skranke) == [("SYG", "B1", "medicinudlevering")]
    # Read again after every dose at any workstation: the same citizen is not logged again today.
    check_in(skranke, nurse, "B1")
    window_queue(skranke, nurse)
    assert _queue_looks(skranke) == [("SYG", "B1", "medicinudlevering")]
    # Another person at the window looks for herself.
    window_queue(skranke, doctor)
    assert _queue_looks(skranke) == [("LGE", "B1", "medicinudlevering"), ("SYG", "B1", "medicinudlevering")]


def test_the_store_gives_orders_and_dose_records_in_the_rules_field_order(desk: Desk) -> None:
    """The queue makes an Order from a prescription row as it is, and a DoseRecord from a
    dispensing row's first ten values: the store's columns must come in the rules' field order."""
    from skranke.domain.dispensing import DoseRecord, Order
    from skranke.store.window import dispensings_between, last_given_doses, prescriptions_valid_on

    skranke, nurse, _doctor = desk
    dispense(skranke, nurse, "O1", "given")
    with skranke.database.reading() as session:
        orders = prescriptions_valid_on(session, TODAY)
        today = dispensings_between(session, TODAY, TODAY)
        earlier = last_given_doses(session, TODAY + timedelta(days=1))
    assert orders and today and earlier
    assert orders[0]._fields == Order._fields
    for row in (*today, *earlier):
        assert row._fields[:10] == DoseRecord._fields
        assert isinstance(row.voided, bool) and row.voided is False


def test_never_twice_and_a_void_frees_the_dose(desk: Desk) -> None:
    skranke, nurse, doctor = desk
    given = dispense(skranke, nurse, "O1", "given")
    with pytest.raises(DeskRefusal, match=r"allerede givet kl\. 09\.30 af SYG"):
        dispense(skranke, nurse, "O1", "given")
    with pytest.raises(AccessError):
        void(skranke, nurse, given.dispensing_id, "forkert borger")
    void(skranke, doctor, given.dispensing_id, "forkert borger")
    again = dispense(skranke, nurse, "O1", "given")
    done = queue(skranke).done
    assert [(r.dispensing_id, r.voided) for r in done] == [(given.dispensing_id, True), (again.dispensing_id, False)]


def test_a_held_dose_waits_for_a_doctor(skranke_at: SkrankeAt) -> None:
    skranke = skranke_at(NOW)
    seed(skranke, last_dispensed=TODAY - timedelta(days=5))  # 4 days without methadone: the threshold
    nurse = signed_in(skranke, "nurse", initials="SYG")
    doctor = signed_in(skranke, "doctor", initials="LGE")
    [row] = queue(skranke).due
    assert row.dose.state == "hold" and row.dose.missed_days == 4
    with pytest.raises(DeskRefusal, match=r"afventer lægevurdering: 4 dage uden medicin \(grænse 4\)"):
        dispense(skranke, nurse, "O1", "given")
    with pytest.raises(AccessError):
        release(skranke, nurse, "O1", "set af læge")
    release(skranke, doctor, "O1", "set af læge", Decimal("30"))
    result = dispense(skranke, nurse, "O1", "given")
    assert result.dose_mg == Decimal("30")


def test_a_refusal_needs_a_reason_and_intoxication_tells_the_doctor(desk: Desk) -> None:
    skranke, nurse, _doctor = desk
    with pytest.raises(DeskRefusal, match="grund"):
        dispense(skranke, nurse, "O1", "refused")
    dispense(skranke, nurse, "O1", "refused", refusal="intoxicated", reason="påvirket af alkohol")
    with skranke.database.reading() as session:
        [task] = session.query(Task).all()
    assert (task.kind, task.citizen_id, task.created_by) == ("tell_doctor", "B1", "SYG")


def test_closing_the_day_records_what_was_not_given(skranke_at: SkrankeAt) -> None:
    skranke = skranke_at("2026-04-09T17:30")
    seed(skranke)
    nurse = signed_in(skranke, "nurse", initials="SYG")
    result = close_day(skranke, nurse)
    assert [(m.prescription_id, m.outcome) for m in result.missed] == [("O1", "missed")]
    with pytest.raises(DeskRefusal, match="allerede lukket"):
        close_day(skranke, nurse)
    assert queue(skranke).due == []


def test_the_day_cannot_be_closed_while_the_service_is_open(desk: Desk) -> None:
    skranke, nurse, _doctor = desk
    with pytest.raises(DeskRefusal, match=r"åbent til kl\. 17\.00"):
        close_day(skranke, nurse)


def test_reception_may_check_in_but_not_dispense(desk: Desk) -> None:
    skranke, _nurse, _doctor = desk
    receptionist = signed_in(skranke, "reception", initials="KJ")
    check_in(skranke, receptionist, "B1")
    with pytest.raises(AccessError, match="må ikke registrere doser"):
        dispense(skranke, receptionist, "O1", "given")


def _give(
    url: str,
    initials: str,
    rounds: int,
    start: multiprocessing.synchronize.Barrier,
    results: multiprocessing.queues.Queue[tuple[str, object]],
) -> None:
    """A workstation open all morning: each round, O1 given the moment the test says go."""
    from skranke.services.staff import sign_in
    from tests.conftest import TEST_PIN

    skranke = make_skranke(NOW, url)
    actor = sign_in(skranke, initials, TEST_PIN)
    try:
        for _round in range(rounds):
            start.wait(60)  # with the other workstation, once the test has voided the last dose
            try:
                results.put(("given", dispense(skranke, actor, "O1", "given").dispensing_id))
            except DeskRefusal as refusal:
                results.put(("refused", str(refusal)))
            except Exception as error:  # noqa: BLE001 — anything else is what this test is looking for
                results.put(("error", repr(error)))
    finally:
        skranke.close()


@pytest.mark.slow
def test_two_workstations_giving_the_same_dose_at_once_record_it_once(db_url: str) -> None:
    setup = make_skranke(NOW, db_url)
    seed(setup)
    signed_in(setup, "nurse", initials="SYG")
    signed_in(setup, "nurse", initials="MN")
    setup.close()
    # The two workstations stay open for every round (a process each round cost most of the
    # test in starting and signing in); the test voids the dose between rounds.
    rounds = 5
    context = workstations()
    start, results = context.Barrier(3), context.Queue()
    workers = [context.Process(target=_give, args=(db_url, who, rounds, start, results)) for who in ("SYG", "MN")]
    for worker in workers:
        worker.start()
    try:
        for _round in range(rounds):
            start.wait(60)
            outcomes = sorted([results.get(timeout=60) for _ in workers])
            assert [o[0] for o in outcomes] == ["given", "refused"], outcomes
            assert "allerede givet kl. 09.30 af" in outcomes[1][1]
            check = make_skranke(NOW, db_url)
            doctor = signed_in(check, "doctor", initials=f"L{'ABCDE'[_round]}")
            void(check, doctor, outcomes[0][1], "næste runde")
            check.close()
    finally:
        start.abort()  # a failed round: the workstations stop waiting for the next
        for worker in workers:
            worker.join(60)


def test_a_dose_given_long_ago_still_counts_the_missed_days(skranke_at: SkrankeAt) -> None:
    # The queue reads each citizen's last given dose however old, not a window of recent weeks:
    # 59 days without methadone is a hold, never "no history".
    from datetime import datetime

    from skranke.clock import TIMEZONE
    from skranke.store.models import Dispensing

    skranke = skranke_at(NOW)
    seed(skranke, last_dispensed=None)
    given, refused = TODAY - timedelta(days=60), TODAY - timedelta(days=3)
    with skranke.database.transaction() as session:
        for day, outcome, reason in ((given, "given", ""), (refused, "refused", "declined")):
            session.add(
                Dispensing(
                    prescription_id="O1",
                    citizen_id="B1",
                    preparation="metadon",
                    service_date=day,
                    dose_number=1,
                    recorded_at=datetime.combine(day, datetime.min.time(), TIMEZONE).replace(hour=9),
                    outcome=outcome,
                    dose_mg=Decimal("60") if outcome == "given" else None,
                    take_home_mg=Decimal(0),
                    covers_days=1,
                    staff_id=None,
                    workstation="test",
                    reason=reason,
                )
            )
    [row] = queue(skranke).due
    assert (row.dose.state, row.dose.missed_days) == ("hold", 59)


def _busy_desk(
    url: str,
    role: str,
    initials: str,
    rounds: int,
    start: multiprocessing.synchronize.Barrier,
    results: multiprocessing.queues.Queue[tuple[str, list[str]]],
) -> None:
    """One workstation's loop: check-ins and doses, or reading the queue, each its own transaction."""
    from skranke.services.staff import sign_in
    from tests.conftest import TEST_PIN

    skranke = make_skranke(NOW, url)
    actor = sign_in(skranke, initials, TEST_PIN)
    errors: list[str] = []
    start.wait(60)  # the three loops run side by side, whoever was ready first
    try:
        for number in range(rounds):
            try:
                if role == "reception":
                    check_in(skranke, actor, f"C{number}")
                elif role == "nurse":
                    dispense(skranke, actor, f"P{number}", "given")
                else:
                    queue(skranke)
            except DeskRefusal:
                pass  # a dose whose citizen has not arrived yet is still given: no rule refuses it
            except Exception as error:  # noqa: BLE001 — a lock error is exactly what this test looks for
                errors.append(repr(error))
    finally:
        skranke.close()
    results.put((role, errors))


@pytest.mark.slow
def test_checking_in_and_dispensing_while_another_reads_gives_no_lock_error(db_url: str) -> None:
    setup = make_skranke(NOW, db_url)
    rounds = 25
    with setup.database.transaction() as session:
        for number in range(rounds):
            session.add(Citizen(id=f"C{number}", cpr=None, first_name="", last_name="", alias=f"A{number}", phone=""))
        session.flush()
        for number in range(rounds):
            session.add(
                Prescription(
                    id=f"P{number}",
                    citizen_id=f"C{number}",
                    preparation="metadon",
                    dose_mg=Decimal("50"),
                    doses_per_day=1,
                    pickup_rule="FREQ=DAILY",
                    supervised=True,
                    valid_from=date(2026, 1, 1),
                    valid_to=None,
                    delivery=False,
                    last_dispensed_on=TODAY - timedelta(days=1),
                )
            )
    signed_in(setup, "reception", initials="KJ")
    signed_in(setup, "nurse", initials="MN")
    setup.close()
    context = workstations()
    start, results = context.Barrier(3), context.Queue()
    workers = [
        context.Process(target=_busy_desk, args=(db_url, role, initials, rounds, start, results))
        for role, initials in (("reception", "KJ"), ("nurse", "MN"), ("reader", "MN"))
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    outcomes = dict(results.get(timeout=5) for _ in workers)
    assert outcomes == {"reception": [], "nurse": [], "reader": []}
    check = make_skranke(NOW, db_url)
    view = queue(check)
    assert len(view.done) == rounds and view.due == []
    check.close()


def test_missed_only_after_the_doses_interval_has_ended(skranke_at: SkrankeAt) -> None:
    skranke = skranke_at(NOW)  # 09.30: the medicine room is open until 11.15 and again 14.30-17.00
    seed(skranke)
    nurse = signed_in(skranke, "nurse", initials="SYG")
    with pytest.raises(DeskRefusal, match=r"åbent for denne dosis til kl\. 17\.00"):
        dispense(skranke, nurse, "O1", "missed")
    assert queue(skranke).done == []
    later = skranke_at("2026-04-09T17:05")
    result = dispense(later, nurse, "O1", "missed")
    assert result.outcome == "missed"


def test_release_is_refused_on_an_order_that_is_not_held(desk: Desk) -> None:
    skranke, nurse, doctor = desk
    with pytest.raises(DeskRefusal, match="ikke tilbageholdt"):
        release(skranke, doctor, "O1", "ny dosis", Decimal("50"))
    [row] = queue(skranke).due
    assert row.dose.dose_mg == Decimal("60") and row.dose.state == "due"
    assert dispense(skranke, nurse, "O1", "given").dose_mg == Decimal("60")


def test_voiding_an_intoxicated_refusal_closes_the_doctors_task_and_says_so(desk: Desk) -> None:
    skranke, nurse, doctor = desk
    refused = dispense(skranke, nurse, "O1", "refused", refusal="intoxicated", reason="lugter af alkohol")
    with skranke.database.reading() as session:
        [task] = session.query(Task).all()
        assert task.note == "påvirket: lugter af alkohol" and task.done_at is None
    void(skranke, doctor, refused.dispensing_id, "forkert borger")
    with skranke.database.reading() as session:
        [task] = session.query(Task).all()
        assert task.done_by == "LGE" and task.outcome == "voided"
        assert "Afvisningen blev annulleret af LGE" in task.note and "forkert borger" in task.note
    [event] = [
        e
        for e in audit_events(skranke, signed_in(skranke, "admin", initials="AUD"), citizen_id="B1")
        if e.action == "void"
    ]
    assert event.detail["tasks"] == [task.id]


def test_a_wrong_birth_date_records_no_dose_and_is_logged(desk: Desk) -> None:
    from skranke.services.dispensing import confirm_identity

    skranke, nurse, _doctor = desk
    assert confirm_identity(skranke, nurse, "O1", 1, "010180") is True
    assert confirm_identity(skranke, nurse, "O1", 1, "020180") is False
    events = [
        e for e in audit_events(skranke, signed_in(skranke, "admin", initials="AUD")) if e.action == "identity_mismatch"
    ]
    assert [(e.staff, e.citizen_id, e.entity, e.entity_id) for e in events] == [("SYG", "B1", "prescription", "O1")]
    assert "020180" not in str(events[0].detail)
    assert queue(skranke).done == []


def test_the_queue_is_logged_once_a_day_per_person_and_workstation_across_restarts(db_url: str) -> None:
    first = make_skranke(NOW, db_url)
    seed(first)
    nurse = signed_in(first, "nurse", initials="SYG")
    window_queue(first, nurse)
    window_queue(first, nurse)
    again = make_skranke(NOW, db_url)  # another start of the app, or a sign-in after a lock
    window_queue(again, nurse)
    admin = signed_in(again, "admin", initials="AUD")
    looks = [e for e in audit_events(again, admin) if e.action == "list_queue"]
    assert sorted(e.citizen_id or "" for e in looks) == ["B1"]  # a None (typed optional) still fails
    first.close()
    again.close()


def test_an_unknown_service_is_a_usage_error(desk: Desk) -> None:
    from skranke.services.context import UsageError

    skranke, nurse, _doctor = desk
    with pytest.raises(UsageError, match="Ukendt"):
        queue(skranke, service="nope")
    with pytest.raises(UsageError):
        close_day(skranke, nurse, service="nope")
