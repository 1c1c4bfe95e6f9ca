"""The narcotics ledger on SQLite and PostgreSQL: entries, witnesses, the dose's issue, counts."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from skranke.services import stock
from skranke.services.access import AccessError, Actor
from skranke.services.audit import audit_events
from skranke.services.context import Skranke
from skranke.services.dispensing import DoseResult, close_day, dispense, void
from skranke.services.errors import DeskRefusal
from skranke.store.models import Citizen, Dispensing, Prescription, StockEntry, Task
from tests.conftest import TEST_PIN, SkrankeAt, make_skranke, signed_in, store_engine, workstations

NOW = "2026-04-09T09:30"  # a Thursday
TODAY = date(2026, 4, 9)
ROOM, CLINIC = "medicinudlevering", "heroinklinikken"
Desk = tuple[Skranke, Actor, Actor]  # the `desk` fixture: the store, a nurse and her witness


def add_order(skranke: Skranke, citizen: str, order: str, dose: str = "60", weekly: bool = False) -> None:
    """A citizen with a methadone order due today: daily at the window, or weekly with take-home."""
    with skranke.database.transaction() as session:
        session.add(Citizen(id=citizen, cpr=None, first_name="Test", last_name=citizen, alias="", phone=""))
        session.flush()
        session.add(
            Prescription(
                id=order,
                citizen_id=citizen,
                preparation="metadon",
                dose_mg=Decimal(dose),
                doses_per_day=1,
                pickup_rule="FREQ=WEEKLY;BYDAY=TH" if weekly else "FREQ=DAILY",
                supervised=True,
                valid_from=date(2026, 1, 1),
                valid_to=None,
                delivery=False,
                last_dispensed_on=TODAY - timedelta(days=1),
            )
        )


@pytest.fixture
def desk(skranke_at: SkrankeAt) -> Desk:
    skranke = skranke_at(NOW)
    return skranke, signed_in(skranke, "nurse", initials="SYG"), signed_in(skranke, "nurse", initials="MN")


def balance_of(skranke: Skranke, actor: Actor, preparation: str = "metadon", service: str | None = None) -> Decimal:
    return next(b.mg for b in stock.balances(skranke, actor, service) if b.preparation == preparation)


def test_a_receipt_is_witnessed_and_audited_and_the_ledger_runs_its_balance(desk: Desk) -> None:
    skranke, nurse, _witness = desk
    first = stock.receive(skranke, nurse, "metadon", Decimal(500), "MN", TEST_PIN, lot="L1", supplier="Apotek")
    stock.receive(skranke, nurse, "metadon", Decimal("250.5"), "mn", TEST_PIN)
    assert (first.line.kind, first.line.mg, first.line.witness, first.line.staff) == (
        "receipt",
        Decimal(500),
        "MN",
        "SYG",
    )
    assert first.line.ml == Decimal("500.00")  # methadone 1 mg/ml: ml beside mg
    assert [line.balance_mg for line in stock.ledger(skranke, nurse)] == [500, Decimal("750.5")]
    assert balance_of(skranke, nurse) == Decimal("750.5")
    events = [
        e for e in audit_events(skranke, signed_in(skranke, "admin", initials="ADX")) if e.action == "stock_receive"
    ]
    assert len(events) == 2 and events[0].detail["witness"] == "MN"


def test_the_same_person_or_a_wrong_pin_as_witness_is_refused_and_nothing_is_written(desk: Desk) -> None:
    skranke, nurse, _witness = desk
    with pytest.raises(DeskRefusal, match="en anden person end SYG"):
        stock.receive(skranke, nurse, "metadon", Decimal(100), "SYG", TEST_PIN)
    with pytest.raises(AccessError, match="MN"):
        stock.receive(skranke, nurse, "metadon", Decimal(100), "MN", "0000")
    assert stock.ledger(skranke, nurse) == []
    # The witness's wrong PINs count as at sign-in: the fifth locks them out.
    for _attempt in range(4):
        with pytest.raises(AccessError):
            stock.waste(skranke, nurse, "metadon", Decimal(1), "spild", "MN", "0000")
    with pytest.raises(AccessError, match="låst"):
        stock.receive(skranke, nurse, "metadon", Decimal(100), "MN", TEST_PIN)
    with skranke.database.reading() as session:
        assert session.scalar(select(func.count()).select_from(StockEntry)) == 0


def test_a_receptionist_cannot_witness(desk: Desk) -> None:
    skranke, nurse, _witness = desk
    signed_in(skranke, "reception", initials="RC")
    with pytest.raises(AccessError, match="RC"):
        stock.receive(skranke, nurse, "metadon", Decimal(100), "RC", TEST_PIN)


def test_a_dose_issues_its_amount_with_take_home_and_a_void_reverses_it(desk: Desk) -> None:
    skranke, nurse, _witness = desk
    add_order(skranke, "B1", "O1", "60")
    add_order(skranke, "B2", "O2", "40", weekly=True)
    stock.receive(skranke, nurse, "metadon", Decimal(1000), "MN", TEST_PIN)
    daily = dispense(skranke, nurse, "O1", "given")
    weekly = dispense(skranke, nurse, "O2", "given")
    assert weekly.take_home_mg == 240 and not weekly.stock_negative
    assert balance_of(skranke, nurse) == 1000 - 60 - 280
    doctor = signed_in(skranke, "doctor", initials="LGE")
    void(skranke, doctor, daily.dispensing_id, "forkert borger")
    assert balance_of(skranke, nurse) == 1000 - 280
    kinds = [(line.kind, line.mg, line.dispensing_id) for line in stock.todays_issues(skranke, nurse)]
    assert kinds == [
        ("issue", Decimal(-60), daily.dispensing_id),
        ("issue", Decimal(-280), weekly.dispensing_id),
        ("reversal", Decimal(60), daily.dispensing_id),
    ]


def test_a_dose_below_zero_is_given_flagged_and_raises_one_task(desk: Desk) -> None:
    skranke, nurse, _witness = desk
    add_order(skranke, "B1", "O1", "60")
    add_order(skranke, "B2", "O2", "60")
    stock.receive(skranke, nurse, "metadon", Decimal(100), "MN", TEST_PIN)
    assert not dispense(skranke, nurse, "O1", "given").stock_negative
    below = dispense(skranke, nurse, "O2", "given")
    assert below.outcome == "given" and below.stock_negative
    assert below.to_json_dict()["stock_negative"] is True
    assert balance_of(skranke, nurse) == -20
    with skranke.database.reading() as session:
        tasks = session.scalars(select(Task).where(Task.kind == "stock_negative")).all()
    assert len(tasks) == 1 and tasks[0].citizen_id is None and "-20" in tasks[0].note


def test_a_count_that_differs_needs_reason_and_witness_and_beyond_tolerance_a_task(desk: Desk) -> None:
    skranke, nurse, _witness = desk
    stock.receive(skranke, nurse, "metadon", Decimal(500), "MN", TEST_PIN)
    same = stock.count(skranke, nurse, "metadon", Decimal(500))  # no difference: no witness needed
    assert same.line.mg == 0 and same.task_id is None
    with pytest.raises(DeskRefusal, match="angiv årsagen"):
        stock.count(skranke, nurse, "metadon", Decimal(497), witness="MN", witness_pin=TEST_PIN)
    with pytest.raises(DeskRefusal, match="et vidne bekræfter"):
        stock.count(skranke, nurse, "metadon", Decimal(497), reason="spild ved afmåling")
    small = stock.count(skranke, nurse, "metadon", Decimal(497), "spild ved afmåling", "MN", TEST_PIN)
    # metadon: 5 mg tolerance
    assert (small.line.mg, small.beyond_tolerance, small.task_id) == (Decimal(-3), False, None)
    big = stock.count(skranke, nurse, "metadon", Decimal(480), "flaske mangler", "MN", TEST_PIN)
    assert big.beyond_tolerance and big.task_id is not None
    assert balance_of(skranke, nurse) == 480  # after a count the ledger says what the shelf holds
    [line] = [b for b in stock.balances(skranke, nurse) if b.preparation == "metadon"]
    assert line.last_count is not None and line.last_count.difference_mg == -17 and not line.count_due
    assert {b.preparation for b in stock.counts_due(skranke, nurse)} == {"buprenorfin", "diacetylmorfin", "morfin"}


def test_waste_needs_a_reason_and_transfer_moves_between_services(desk: Desk) -> None:
    skranke, nurse, _witness = desk
    stock.receive(skranke, nurse, "metadon", Decimal(300), "MN", TEST_PIN)
    with pytest.raises(DeskRefusal):
        stock.waste(skranke, nurse, "metadon", Decimal(10), " ", "MN", TEST_PIN)
    with pytest.raises(DeskRefusal, match="300"):
        stock.waste(skranke, nurse, "metadon", Decimal(301), "spild", "MN", TEST_PIN)
    stock.waste(skranke, nurse, "metadon", Decimal(10), "væltet bæger", "MN", TEST_PIN)
    stock.transfer(skranke, nurse, "metadon", Decimal(90), CLINIC, "MN", TEST_PIN)
    assert balance_of(skranke, nurse) == 200
    assert balance_of(skranke, nurse, service=CLINIC) == 90
    [entry_in] = stock.ledger(skranke, nurse, service=CLINIC)
    assert (entry_in.kind, entry_in.other_service) == ("transfer_in", ROOM)


def test_close_day_shows_expected_against_counted(skranke_at: SkrankeAt) -> None:
    skranke = skranke_at("2026-04-09T17:30")
    nurse, _witness = signed_in(skranke, "nurse", initials="SYG"), signed_in(skranke, "nurse", initials="MN")
    stock.receive(skranke, nurse, "metadon", Decimal(500), "MN", TEST_PIN)
    stock.receive(skranke, nurse, "buprenorfin", Decimal(80), "MN", TEST_PIN)
    stock.count(skranke, nurse, "metadon", Decimal(498), "spild", "MN", TEST_PIN)
    result = close_day(skranke, nurse)
    counts = {c["preparation"]: c for c in result.to_json_dict()["counts"]}
    assert counts["metadon"] | {"at": None} == {
        "preparation": "metadon",
        "expected_mg": 500,
        "counted_mg": 498,
        "difference_mg": -2,
        "at": None,
    }
    assert counts["buprenorfin"]["expected_mg"] == 80 and counts["buprenorfin"]["counted_mg"] is None


@pytest.mark.parametrize("statement", ["UPDATE stock_entries SET mg = 1", "DELETE FROM stock_entries"])
def test_the_database_refuses_changing_or_deleting_an_entry(desk: Desk, db_url: str, statement: str) -> None:
    skranke, nurse, _witness = desk
    stock.receive(skranke, nurse, "metadon", Decimal(500), "MN", TEST_PIN)
    engine = store_engine(db_url)
    try:
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()
    assert balance_of(skranke, nurse) == 500


def test_the_database_refuses_an_unwitnessed_receipt_or_a_second_issue(desk: Desk) -> None:
    from sqlalchemy.exc import IntegrityError

    skranke, nurse, _witness = desk
    now = skranke.clock.now()
    base = dict(service=ROOM, preparation="metadon", staff_id="SYG", recorded_at=now, workstation="t")
    with pytest.raises(IntegrityError), skranke.database.transaction() as session:
        session.add(StockEntry(kind="receipt", mg=Decimal(10), **base))
    with pytest.raises(IntegrityError), skranke.database.transaction() as session:
        session.add(StockEntry(kind="receipt", mg=Decimal(10), witness_id="SYG", **base))
    add_order(skranke, "B1", "O1")
    dose = dispense(skranke, nurse, "O1", "given")
    with pytest.raises(IntegrityError), skranke.database.transaction() as session:
        session.add(StockEntry(kind="issue", mg=Decimal(-60), dispensing_id=dose.dispensing_id, **base))


# --- two workstations, and any sequence of acts -------------------------------------------


def _give(url: str, staff: str, orders: list[str], start: Barrier, results: Queue[tuple[str, int | str]]) -> None:
    """A workstation open all morning: each round, its next order given the moment the test says go."""
    skranke = make_skranke(NOW, url)
    from skranke.services.staff import sign_in

    actor = sign_in(skranke, staff, TEST_PIN)
    try:
        for order in orders:
            start.wait(60)  # with the other workstation, once the test has the last round's doses
            try:
                results.put(("given", dispense(skranke, actor, order, "given").dispensing_id))
            except Exception as error:  # noqa: BLE001 — anything else is what this test is looking for
                results.put(("error", repr(error)))
    finally:
        skranke.close()


@pytest.mark.slow
def test_two_workstations_giving_doses_at_once_write_one_issue_each(db_url: str) -> None:
    setup = make_skranke(NOW, db_url)
    nurse, _other = signed_in(setup, "nurse", initials="SYG"), signed_in(setup, "nurse", initials="MN")
    stock.receive(setup, nurse, "metadon", Decimal(1000), "MN", TEST_PIN)
    for index in range(6):
        add_order(setup, f"B{index}", f"O{index}", "50")
    setup.close()
    # Rounds (0, 1), (2, 3), (4, 5): SYG gives the even orders, MN the odd, both open all along.
    context = workstations()
    start, results = context.Barrier(3), context.Queue()
    workers = [
        context.Process(target=_give, args=(db_url, who, [f"O{index}" for index in range(first, 6, 2)], start, results))
        for who, first in (("SYG", 0), ("MN", 1))
    ]
    for worker in workers:
        worker.start()
    given_ids: list[int] = []
    try:
        for _round in range(3):
            start.wait(60)
            outcomes = [results.get(timeout=60) for _ in workers]
            assert all(kind == "given" for kind, _id in outcomes), outcomes
            given_ids += [dispensing_id for _kind, dispensing_id in outcomes]
    finally:
        start.abort()  # a failed round: the workstations stop waiting for the next
        for worker in workers:
            worker.join(60)
    check = make_skranke(NOW, db_url)
    try:
        with check.database.reading() as session:
            issues = session.execute(
                select(StockEntry.dispensing_id, func.count())
                .where(StockEntry.kind == "issue")
                .group_by(StockEntry.dispensing_id)
            ).all()
        assert sorted(issues) == sorted((i, 1) for i in given_ids)
        assert balance_of(check, signed_in(check, "nurse", initials="KO")) == 1000 - 6 * 50
    finally:
        check.close()


ACTS = st.lists(
    st.one_of(
        st.tuples(st.just("receive"), st.integers(1, 400)),
        st.tuples(st.just("dose"), st.sampled_from(["daily", "weekly"])),
        st.tuples(st.just("void"), st.integers(0, 9)),
        st.tuples(st.just("waste"), st.integers(1, 50)),
        st.tuples(st.just("transfer"), st.integers(1, 80)),
    ),
    max_size=10,
)
_examples = itertools.count()


def issued_mg(dose: DoseResult) -> Decimal:
    """What a given dose took from the stock: the dose and its take-home (a given dose has its mg)."""
    assert dose.dose_mg is not None
    return dose.dose_mg + dose.take_home_mg


@pytest.mark.slow
def test_any_sequence_of_acts_keeps_the_balance_and_one_issue_per_dose(desk: Desk) -> None:
    skranke, nurse, _witness = desk
    doctor = signed_in(skranke, "doctor", initials="LGE")

    @settings(max_examples=15)
    @given(acts=ACTS)
    def run(acts: list[tuple[str, int] | tuple[str, str]]) -> None:
        example = next(_examples)
        before = balance_of(skranke, nurse)
        expected = before
        doses: list[DoseResult] = []
        voided: set[int] = set()
        for number, (act, value) in enumerate(acts):
            if act == "receive":
                assert isinstance(value, int)  # every act but a dose draws a number (ACTS)
                stock.receive(skranke, nurse, "metadon", Decimal(value), "MN", TEST_PIN)
                expected += value
            elif act == "dose":
                citizen, order = f"P{example}C{number}", f"P{example}O{number}"
                add_order(skranke, citizen, order, "30", weekly=value == "weekly")
                result = dispense(skranke, nurse, order, "given")
                expected -= issued_mg(result)
                assert result.stock_negative == (expected < 0)
                doses.append(result)
            elif act == "void" and doses:
                assert isinstance(value, int)
                dose = doses[value % len(doses)]
                if dose.dispensing_id in voided:
                    continue
                void(skranke, doctor, dose.dispensing_id, "fejl")
                voided.add(dose.dispensing_id)
                expected += issued_mg(dose)
            elif act in ("waste", "transfer"):
                assert isinstance(value, int)
                try:
                    if act == "waste":
                        stock.waste(skranke, nurse, "metadon", Decimal(value), "spild", "MN", TEST_PIN)
                    else:
                        stock.transfer(skranke, nurse, "metadon", Decimal(value), CLINIC, "MN", TEST_PIN)
                except DeskRefusal:
                    assert value > expected  # refused only beyond the balance
                else:
                    expected -= value
        assert balance_of(skranke, nurse) == expected
        with skranke.database.reading() as session:
            for dose in doses:
                kinds = sorted(
                    session.scalars(select(StockEntry.kind).where(StockEntry.dispensing_id == dose.dispensing_id))
                )
                assert kinds == (["issue", "reversal"] if dose.dispensing_id in voided else ["issue"])
            # Every dose given anywhere in the store has exactly one issue.
            given_count = session.scalar(
                select(func.count()).select_from(Dispensing).where(Dispensing.outcome == "given")
            )
            issue_count = session.scalar(select(func.count()).select_from(StockEntry).where(StockEntry.kind == "issue"))
            assert given_count == issue_count

    run()
