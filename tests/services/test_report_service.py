"""services.report on both databases: one read, the roles that may, the audit event, no ids out."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from skranke.services.access import AccessError
from skranke.services.audit import audit_events
from skranke.services.report import report, report_csv, smdb_basis
from skranke.store.models import Case, Citizen, Task
from tests.conftest import SkrankeAt, signed_in

NOW = "2026-03-20T10:00"


def _store(skranke: Any) -> None:
    with skranke.database.transaction() as session:
        for n in range(8):
            session.add(Citizen(id=f"B{n}", cpr=f"01018{n}1234"[:10], first_name=f"Navn{n}", last_name="Hemmelig"))
        session.flush()
        for n in range(6):  # January: six requests, five started by day 14, one on day 20
            days = 20 if n == 5 else 10
            session.add(
                Case(id=f"S{n}", citizen_id=f"B{n}", department="stabilisering", paragraph="SEL101",
                     contact_date=date(2026, 1, 5), treatment_start=date(2026, 1, 5 + days))
            )  # fmt: skip
        for n in range(6, 8):  # two discharges in February
            session.add(
                Case(id=f"S{n}", citizen_id=f"B{n}", department="stoffrihed", paragraph="SUL142",
                     contact_date=date(2025, 6, 1), treatment_start=date(2025, 6, 3), closed_on=date(2026, 2, 2),
                     closing_status="færdigbehandlet", outcome="stoffri", goals_reached="ja")
            )  # fmt: skip


def test_the_doctor_reads_the_figures_and_the_look_is_audited(skranke_at: SkrankeAt) -> None:
    skranke = skranke_at(NOW)
    doctor = signed_in(skranke, "doctor", initials="LAE")
    _store(skranke)
    result = report(skranke, doctor, date(2026, 1, 1), date(2026, 2, 28), output="json")
    data = result.to_json_dict()
    assert data["guarantee"]["requests"] == 6
    assert data["guarantee"]["started_in_time"] == 5
    assert data["guarantee"]["exceeded"] == "<5"  # one citizen: never a number
    assert data["discharges"]["by_status"]["færdigbehandlet"] == "<5"
    assert [m["month"] for m in data["months"]] == ["2026-01", "2026-02"]
    text = json.dumps(data, ensure_ascii=False) + report_csv(result)
    assert "Hemmelig" not in text and "B1" not in text and "010181" not in text
    admin = signed_in(skranke, "admin", initials="LED")
    looks = [e for e in audit_events(skranke, admin) if e.action == "report"]
    assert [(e.staff, e.detail["from"], e.detail["output"]) for e in looks] == [("LAE", "2026-01-01", "json")]


@pytest.mark.parametrize("role", ["reception", "nurse"])
def test_the_desk_may_not_read_the_figures(skranke_at: SkrankeAt, role: str) -> None:
    skranke = skranke_at(NOW)
    with pytest.raises(AccessError, match="se nøgletallene"):
        report(skranke, signed_in(skranke, role, initials="RC"))


def test_the_register_basis_carries_the_cpr_only_for_an_admin(skranke_at: SkrankeAt) -> None:
    skranke = skranke_at(NOW)
    doctor = signed_in(skranke, "doctor", initials="LAE")
    admin = signed_in(skranke, "admin", initials="LED")
    _store(skranke)
    for_doctor = smdb_basis(skranke, doctor, date(2026, 1, 1), date(2026, 2, 28))
    for_admin = smdb_basis(skranke, admin, date(2026, 1, 1), date(2026, 2, 28))
    header = for_admin.text.splitlines()[0].split(";")
    assert "cpr" in header and "cpr" not in for_doctor.text.splitlines()[0].split(";")
    assert for_admin.rows == for_doctor.rows == 8
    lines = {
        line.split(";")[0]: dict(zip(header, line.split(";"), strict=True)) for line in for_admin.text.splitlines()[1:]
    }
    assert lines["S5"]["behandlingsgaranti_overskredet"] == "ja"
    assert lines["S0"]["behandlingsgaranti_overskredet"] == "nej"
    assert lines["S6"]["afslutning_status"] == "færdigbehandlet" and lines["S6"]["udfald"] == "stoffri"
    assert lines["S1"]["cpr"] == "010181-1234"
    assert "Hemmelig" not in for_admin.text
    events = [e for e in audit_events(skranke, admin) if e.action == "smdb_export"]
    assert [(e.staff, e.detail["cpr"], e.detail["rows"]) for e in events] == [("LAE", False, 8), ("LED", True, 8)]


def test_follow_ups_recorded_at_the_desk_count_on_time(skranke_at: SkrankeAt) -> None:
    from datetime import UTC, datetime

    skranke = skranke_at(NOW)
    doctor = signed_in(skranke, "doctor", initials="LAE")
    _store(skranke)  # S6, S7 closed 2 February: Odense's 1-month follow-up due 2 March
    with skranke.database.transaction() as session:
        session.add(
            Task(kind="follow_up", citizen_id="B6", case_id="S6", due=date(2026, 3, 2), follow_up_month=1,
                 created_at=datetime(2026, 3, 1, tzinfo=UTC), done_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
                 done_by="LAE", outcome="reached")
        )  # fmt: skip
    figures = report(skranke, doctor, date(2026, 3, 1), date(2026, 3, 20)).total
    assert (figures.follow_ups_due.count, figures.follow_ups_on_time.part) == (2, 1)
