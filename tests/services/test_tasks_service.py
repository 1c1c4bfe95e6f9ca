"""Opgaver: open and done tasks, outcomes, and Frister's follow-ups recorded as made."""

from __future__ import annotations

from datetime import date

import pytest

from skranke.services.access import AccessError
from skranke.services.context import Skranke
from skranke.services.deadlines import deadlines
from skranke.services.intake import read_answers, register_intake
from skranke.services.tasks import TaskRefused, complete_task, open_task_count, record_follow_up, tasks_view
from skranke.store.models import Case, Citizen
from tests.conftest import SkrankeAt, signed_in

NOW = "2026-03-30T09:00"


def closed_case(skranke: Skranke) -> None:
    """Discharged 1 March (færdigbehandlet): Odense's one-month follow-up is due 1 April."""
    with skranke.database.transaction() as session:
        session.add(Citizen(id="B1", cpr="0101801234", first_name="Ole", last_name="Berg"))
        session.add(
            Case(
                id="S1",
                citizen_id="B1",
                department="stabilisering",
                paragraph="SEL101",
                contact_date=date(2025, 9, 1),
                treatment_start=date(2025, 9, 10),
                closed_on=date(2026, 3, 1),
                closing_status="færdigbehandlet",
            )
        )


def test_a_recorded_follow_up_leaves_frister(skranke_at: SkrankeAt) -> None:
    skranke = skranke_at(NOW)
    closed_case(skranke)
    actor = signed_in(skranke, "reception", initials="KJ")
    [follow_up] = [f for f in deadlines(skranke).follow_ups if f.case_id == "S1"]
    assert follow_up.months == 1
    with pytest.raises(TaskRefused):
        record_follow_up(skranke, actor, "S1", "B1", 1, follow_up.due, "maybe")
    record_follow_up(skranke, actor, "S1", "B1", 1, follow_up.due, "not_reached")
    assert [f for f in deadlines(skranke).follow_ups if f.case_id == "S1"] == []
    with pytest.raises(TaskRefused):
        record_follow_up(skranke, actor, "S1", "B1", 1, follow_up.due, "reached")
    [done] = tasks_view(skranke, actor).done
    assert (done.kind, done.citizen, done.outcome, done.done_by) == ("follow_up", "OB", "not_reached", "KJ")


def test_intake_tasks_are_open_until_done(skranke_at: SkrankeAt) -> None:
    skranke = skranke_at(NOW)
    actor = signed_in(skranke, "reception", initials="KJ")
    answers = {
        "contact_date": "2026-03-30",
        "channel": "personal",
        "cpr": "0101901234",
        "first_name": "Jens",
        "last_name": "Hansen",
        "substances": ["kokain"],
        "children_under_18_at_home": True,
    }
    register_intake(skranke, actor, read_answers(skranke, answers))
    view = tasks_view(skranke, actor)
    assert {t.kind for t in view.open} == {"notify_children_services", "doctor_talk"}
    assert all(t.citizen == "JH" and t.case_id == "HS00001" for t in view.open)
    due_today = sum(1 for t in view.open if t.due <= date(2026, 3, 30))
    assert open_task_count(skranke) == due_today
    notify = next(t for t in view.open if t.kind == "notify_children_services")
    with pytest.raises(TaskRefused):
        complete_task(skranke, actor, notify.task_id, "reached")  # only follow-ups are reached
    complete_task(skranke, actor, notify.task_id)
    with pytest.raises(TaskRefused):
        complete_task(skranke, actor, notify.task_id)
    view = tasks_view(skranke, actor)
    assert [t.kind for t in view.open] == ["doctor_talk"]
    assert [(t.kind, t.outcome, t.done_by) for t in view.done] == [("notify_children_services", "done", "KJ")]


def test_tasks_need_a_role_that_sees_them(skranke_at: SkrankeAt) -> None:
    skranke = skranke_at(NOW)
    admin = signed_in(skranke, "admin", initials="ADM")
    with pytest.raises(AccessError):
        tasks_view(skranke, admin)
