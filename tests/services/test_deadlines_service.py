"""Frister from the store on SQLite and PostgreSQL: the JSON contract, sorting, counts, the card."""

from __future__ import annotations

from datetime import date, datetime

from skranke.clock import TIMEZONE
from skranke.services.citizens import citizen_card
from skranke.services.context import Skranke
from skranke.services.counts import desk_counts
from skranke.services.deadlines import deadlines, request_counts
from skranke.store.models import Appointment, Case, Citizen
from tests.conftest import SkrankeAt, signed_in


def seed(skranke: Skranke) -> None:
    with skranke.database.transaction() as session:
        session.add_all(
            [
                Citizen(
                    id="B1", cpr="0101801234", first_name="Anna", last_name="Hansen", alias="", phone="20 30 40 50"
                ),
                Citizen(id="B2", cpr=None, first_name="", last_name="", alias="Kaj", phone=""),
                Citizen(id="B3", cpr="0202901234", first_name="Bo", last_name="Lund", alias="", phone=""),
                Citizen(id="B4", cpr="0303701234", first_name="Eva", last_name="Juul", alias="", phone=""),
            ]
        )
        session.flush()
        session.add_all(
            [
                # Fri 2025-12-12 + 14 = Anden juledag; 24 Dec is the last day Stabilisering is open.
                Case(
                    id="S1",
                    citizen_id="B1",
                    department="stabilisering",
                    paragraph="SEL101",
                    contact_date=date(2025, 12, 12),
                ),
                Case(
                    id="S2",
                    citizen_id="B2",
                    department="unge-og-rusmidler",
                    paragraph="SEL101a",
                    contact_date=date(2025, 12, 10),
                ),
                Case(
                    id="S3",
                    citizen_id="B3",
                    department="stoffrihed",
                    paragraph="SUL142",
                    contact_date=date(2025, 11, 28),
                ),  # deadline 12 Dec: overdue on the 15th
                Case(
                    id="S4",
                    citizen_id="B4",
                    department="stoffrihed",
                    paragraph="SEL101",
                    contact_date=date(2025, 1, 31),
                    treatment_start=date(2025, 2, 3),
                    closed_on=date(2025, 11, 20),
                    closing_status="færdigbehandlet",
                ),
                Case(
                    id="S5",
                    citizen_id="B3",
                    department="stoffrihed",
                    paragraph="SUL142",
                    contact_date=date(2025, 5, 1),
                    treatment_start=date(2025, 5, 10),
                    plan_reviewed_on=date(2025, 6, 20),
                ),
            ]
        )
        session.add(
            Appointment(
                id="A1",
                citizen_id="B1",
                department="stabilisering",
                kind="visitation",
                starts_at=datetime(2025, 12, 29, 9, 0, tzinfo=TIMEZONE),
            )
        )


def test_the_overview_follows_the_rules_and_the_contract(skranke_at: SkrankeAt) -> None:
    skranke = skranke_at("2025-12-15T09:00")
    seed(skranke)
    document = deadlines(skranke).to_json_dict()
    assert document["as_of"] == "2025-12-15"
    assert [r["case_id"] for r in document["requests"]] == ["S3", "S1"]  # by days left
    overdue, christmas = document["requests"]
    assert overdue == {
        "case_id": "S3",
        "citizen_id": "B3",
        "department": "stoffrihed",
        "paragraph": "SUL142",
        "contact_date": "2025-11-28",
        "deadline": "2025-12-12",
        "days_left": -3,
        "status": "overdue",
        "status_reason": "deadline_passed",
        "last_open_day": "2025-12-12",
        "flags": ["offer_other_provider", "no_appointment"],
    }
    assert christmas["deadline"] == "2025-12-26" and christmas["last_open_day"] == "2025-12-24"
    assert christmas["days_left"] == 11 and christmas["status"] == "ok"
    assert christmas["flags"] == ["deadline_on_closed_day", "appointment_after_deadline"]
    assert document["exempt"] == [{"case_id": "S2", "citizen_id": "B2", "reason": "anonymous"}]
    assert {(f["case_id"], f["months"], f["due"]) for f in document["follow_ups"]} == {("S4", 1, "2025-12-20")}
    assert document["plan_reviews"] == [
        {"case_id": "S5", "citizen_id": "B3", "due": "2025-12-20", "status": "ok"}
    ]  # 5 days left


def test_counts_on_i_dag(skranke_at: SkrankeAt) -> None:
    skranke = skranke_at("2025-12-15T09:00")
    seed(skranke)
    assert request_counts(skranke).overdue == 1
    counts = desk_counts(skranke)
    assert (counts.deadlines_warn, counts.deadlines_overdue, counts.checked_in_today) == (0, 1, 0)


def test_the_citizen_card_masks_the_cpr_number(skranke_at: SkrankeAt) -> None:
    skranke = skranke_at("2025-12-15T09:00")
    seed(skranke)
    actor = signed_in(skranke, "reception")
    card = citizen_card(skranke, actor, "B1")
    assert card is not None
    assert card.masked_cpr == "010180-****" and "1234" not in card.masked_cpr
    assert [c.id for c in card.cases] == ["S1"]
    assert [a.id for a in card.appointments] == ["A1"]
    other = citizen_card(skranke, actor, "B2")
    assert other is not None and other.masked_cpr == ""
    assert citizen_card(skranke, actor, "nobody") is None


def test_an_empty_store_has_nothing_due(skranke_at: SkrankeAt) -> None:
    document = deadlines(skranke_at("2026-04-09T09:00")).to_json_dict()
    assert document == {
        "as_of": "2026-04-09",
        "requests": [],
        "exempt": [],
        "follow_ups": [],
        "plan_reviews": [],
        "medical_reviews": [],
        "complaints": [],
    }
