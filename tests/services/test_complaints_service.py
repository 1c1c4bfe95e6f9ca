"""Complaints and access requests at the desk: registered by reception with their audit event,
shown on Frister with the site's deadline, answered once (issue 24; 000 § 8.1, 003 § 4.7, 004)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import insert, select

from skranke.services.access import AccessError
from skranke.services.complaints import ComplaintRefused, add_complaint, answer_complaint
from skranke.services.context import Skranke
from skranke.services.deadlines import citizen_deadlines, deadlines, deadlines_page
from skranke.store.models import AuditEvent, Citizen, Complaint
from tests.conftest import SkrankeAt, signed_in, table_of


def with_citizen(skranke: Skranke) -> None:
    with skranke.database.transaction() as session:
        session.connection().execute(
            insert(table_of(Citizen)),
            [{"id": "B1", "cpr": None, "first_name": "Ane", "last_name": "Berg", "alias": "", "phone": ""}],
        )


def test_reception_registers_an_access_request_and_frister_counts_working_days(skranke_at: SkrankeAt) -> None:
    """Gladsaxe 003 § 4.7: "besvares inden for syv arbejdsdage efter modtagelsen"."""
    skranke = skranke_at("2026-12-21T09:00", site="gladsaxe")
    with_citizen(skranke)
    reception = signed_in(skranke, "reception")
    row = add_complaint(skranke, reception, "B1", "access", date(2026, 12, 21))
    # Juledag, 2. juledag (a Saturday) and the weekend skipped; Juleaftensdag is no public holiday.
    assert row.deadline == date(2026, 12, 31) and row.status == "ok"
    with skranke.database.reading() as session:
        stored = session.scalars(select(Complaint)).one()
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "complaint_add")).one()
    assert (stored.citizen_id, stored.kind, stored.recorded_by) == ("B1", "access", reception.staff_id)
    assert (event.citizen_id, event.entity_id) == ("B1", str(stored.id))
    assert [c.to_json_dict() for c in deadlines(skranke).complaints] == [row.to_json_dict()]
    page = deadlines_page(skranke)
    assert page.totals["complaints"] == 1 and page.overview.complaints == (row,)
    assert citizen_deadlines(skranke, "B1").complaints == (row,)
    answered = answer_complaint(skranke, reception, stored.id, date(2026, 12, 21))
    assert answered.status == "answered"
    assert deadlines(skranke).complaints == ()  # answered: off the list
    with pytest.raises(ComplaintRefused):
        answer_complaint(skranke, reception, stored.id, date(2026, 12, 21))  # once only


def test_a_complaint_in_odense_is_due_in_four_weeks(skranke_at: SkrankeAt) -> None:
    """000 § 8.1: "senest 4 uger efter at klagen er afleveret/indgivet"."""
    skranke = skranke_at("2026-03-10T09:00")
    with_citizen(skranke)
    row = add_complaint(skranke, signed_in(skranke, "reception"), "B1", "complaint", date(2026, 3, 2))
    assert (row.deadline, row.status) == (date(2026, 3, 30), "ok")


def test_refused_input_and_roles(skranke_at: SkrankeAt) -> None:
    skranke = skranke_at("2026-03-10T09:00")
    with_citizen(skranke)
    reception = signed_in(skranke, "reception")
    with pytest.raises(ComplaintRefused):
        add_complaint(skranke, reception, "nobody", "complaint", date(2026, 3, 2))
    with pytest.raises(ComplaintRefused):
        add_complaint(skranke, reception, "B1", "complaint", date(2026, 3, 11))  # in the future
    with pytest.raises(AccessError):
        add_complaint(skranke, None, "B1", "complaint", date(2026, 3, 2))
    with pytest.raises(AccessError):
        add_complaint(skranke, signed_in(skranke, "admin", initials="AD"), "B1", "complaint", date(2026, 3, 2))
    with skranke.database.reading() as session:
        assert session.scalars(select(Complaint)).all() == []
