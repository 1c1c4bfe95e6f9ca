"""Registering a request (one transaction) and the drafts that keep an unfinished form, on both backends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import func, select

from skranke.services.access import AccessError
from skranke.services.context import Skranke
from skranke.services.deadlines import deadlines
from skranke.services.intake import (
    IntakeRefused,
    discard_draft,
    list_drafts,
    pick_citizen,
    read_answers,
    register_intake,
    resume_draft,
    save_draft,
)
from skranke.services.reception import search_citizens
from skranke.store.models import AuditEvent, Base, Case, Citizen, Intake, OutboxEvent, Task
from tests.conftest import TEST_PIN, SkrankeAt, signed_in

NOW = "2026-03-30T09:00"
# The criteria of anonymous treatment met (000 § 1.4.2): only then is a request registered without CPR.
ANONYMOUS_OK = {
    "self_supporting": True,
    "has_housing": True,
    "wants_substitution": False,
    "severe_mental_illness": False,
}

REQUEST = {
    "contact_date": "2026-03-30",
    "channel": "personal",
    "cpr": "0101901234",
    "first_name": "Jens",
    "last_name": "Hansen",
    "substances": ["kokain"],
    "children_under_18_at_home": True,
}


def count(skranke: Skranke, model: type[Base]) -> int:
    with skranke.database.reading() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_registering_writes_citizen_case_tasks_audit_and_outbox_at_once(skranke_at: SkrankeAt) -> None:
    skranke = skranke_at(NOW)
    actor = signed_in(skranke, "reception", initials="KJ")
    result = register_intake(skranke, actor, read_answers(skranke, REQUEST))
    assert (result.citizen_id, result.case_id, result.new_citizen) == ("H00001", "HS00001", True)
    with skranke.database.reading() as session:
        case = session.get_one(Case, result.case_id)
        assert (case.department, case.paragraph, case.contact_date.isoformat()) == (
            "stabilisering",
            "SEL101",
            "2026-03-30",
        )
        assert session.get_one(Citizen, "H00001").cpr == "0101901234"
        tasks = session.scalars(select(Task)).all()
        assert {(t.kind, t.case_id, t.created_by) for t in tasks} == {
            ("notify_children_services", "HS00001", "KJ"),
            ("doctor_talk", "HS00001", "KJ"),
        }
        intake = session.scalars(select(Intake)).one()
        assert (intake.status, intake.staff_id, intake.case_id) == ("registered", "KJ", "HS00001")
        assert intake.answers["answers"]["children_under_18_at_home"] is True
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "intake")).one()
        assert (event.staff, event.citizen_id, event.entity_id) == ("KJ", "H00001", "HS00001")
        outbox = session.scalars(select(OutboxEvent).where(OutboxEvent.kind == "intake")).one()
        assert outbox.payload["case_id"] == "HS00001"
    # On Frister at once, with the deadline of the assessment.
    waiting = {r.case_id: r for r in deadlines(skranke).requests}
    assert waiting["HS00001"].deadline == result.assessment.deadline


def test_a_known_cpr_reuses_the_citizen(skranke_at: SkrankeAt) -> None:
    skranke = skranke_at(NOW)
    actor = signed_in(skranke, "reception", initials="KJ")
    first = register_intake(skranke, actor, read_answers(skranke, REQUEST))
    second = register_intake(skranke, actor, read_answers(skranke, {**REQUEST, "cpr": "010190-1234"}))
    assert (second.citizen_id, second.new_citizen) == (first.citizen_id, False)
    assert second.case_id != first.case_id
    assert count(skranke, Citizen) == 1


def known_citizens(skranke: Skranke) -> None:
    with skranke.database.transaction() as session:
        session.add_all(
            [
                Citizen(
                    id="B7", cpr="0101901234", first_name="Jens", last_name="Hansen", alias="", phone="12 34 56 78"
                ),
                Citizen(id="B8", cpr=None, first_name="", last_name="", alias="Ræven", phone=""),
            ]
        )


def test_a_citizen_found_by_name_and_picked_is_reused(skranke_at: SkrankeAt) -> None:
    skranke = skranke_at(NOW)
    known_citizens(skranke)
    actor = signed_in(skranke, "reception", initials="KJ")
    [hit] = search_citizens(skranke, actor, "jens hans")
    assert (hit.citizen_id, hit.display, hit.masked_cpr) == ("B7", "JH", "010190-****")
    picked = pick_citizen(skranke, actor, hit.citizen_id)
    assert picked is not None
    assert (picked.cpr, picked.first_name, picked.last_name, picked.phone) == (
        "0101901234",
        "Jens",
        "Hansen",
        "12 34 56 78",
    )
    assert picked.birth_date is not None
    assert (picked.masked_cpr, picked.birth_date.isoformat(), picked.anonymous) == ("010190-****", "1990-01-01", False)
    form = {**REQUEST, "cpr": picked.cpr, "first_name": picked.first_name, "last_name": picked.last_name}
    result = register_intake(skranke, actor, read_answers(skranke, form), citizen_id=picked.citizen_id)
    assert (result.citizen_id, result.new_citizen) == ("B7", False)
    assert count(skranke, Citizen) == 2
    with skranke.database.reading() as session:
        assert session.get_one(Case, result.case_id).citizen_id == "B7"
        assert session.scalars(select(Intake)).one().citizen_id == "B7"
        looks = session.scalars(select(AuditEvent).where(AuditEvent.citizen_id == "B7").order_by(AuditEvent.id)).all()
        assert [(e.action, e.staff) for e in looks] == [("search", "KJ"), ("open_citizen", "KJ"), ("intake", "KJ")]
        assert looks[1].detail == {"for": "intake"}


def test_an_anonymous_citizen_picked_is_reused_without_a_cpr(skranke_at: SkrankeAt) -> None:
    skranke = skranke_at(NOW)
    known_citizens(skranke)
    actor = signed_in(skranke, "reception", initials="KJ")
    picked = pick_citizen(skranke, actor, "B8")
    assert picked is not None and picked.anonymous and picked.masked_cpr == ""
    anonymous = {"cpr": "", "first_name": "", "last_name": "", "anonymous": True, "alias": "Ræven", "age": 24}
    form = {**REQUEST, **anonymous, **ANONYMOUS_OK}
    result = register_intake(skranke, actor, read_answers(skranke, form), citizen_id="B8")
    assert (result.citizen_id, result.new_citizen) == ("B8", False)
    assert count(skranke, Citizen) == 2


def test_a_picked_citizen_must_be_the_one_the_answers_name(skranke_at: SkrankeAt) -> None:
    skranke = skranke_at(NOW)
    known_citizens(skranke)
    actor = signed_in(skranke, "reception", initials="KJ")
    other = read_answers(skranke, {**REQUEST, "cpr": "0202021234"})
    with pytest.raises(IntakeRefused, match="B7"):
        register_intake(skranke, actor, other, citizen_id="B7")
    with pytest.raises(IntakeRefused, match="B99"):
        register_intake(skranke, actor, read_answers(skranke, REQUEST), citizen_id="B99")
    assert pick_citizen(skranke, actor, "B99") is None
    assert count(skranke, Case) == count(skranke, Intake) == 0
    assert count(skranke, Citizen) == 2


def test_structured_area_answers_are_stored_with_the_intake(skranke_at: SkrankeAt) -> None:
    skranke = skranke_at(NOW)
    actor = signed_in(skranke, "reception", initials="KJ")
    areas = {"work": {"answer": "employed", "note": "Tømrer"}, "housing": "Egen lejlighed"}
    register_intake(skranke, actor, read_answers(skranke, {**REQUEST, "areas": areas}))
    with skranke.database.reading() as session:
        stored = session.scalars(select(Intake)).one().answers["answers"]["areas"]
    assert stored["work"] == {"answer": "employed", "note": "Tømrer"}
    assert stored["housing"] == {"answer": None, "note": "Egen lejlighed"}
    assert stored["health"] == {"answer": None, "note": ""}


def test_an_anonymous_citizen_gets_an_alias_and_no_cpr(skranke_at: SkrankeAt) -> None:
    skranke = skranke_at(NOW)
    actor = signed_in(skranke, "reception", initials="KJ")
    anonymous = {"cpr": "", "first_name": "", "last_name": "", "anonymous": True, "alias": "Ræv", "age": 24}
    answers = {**REQUEST, **anonymous, **ANONYMOUS_OK}
    result = register_intake(skranke, actor, read_answers(skranke, answers))
    with skranke.database.reading() as session:
        person = session.get_one(Citizen, result.citizen_id)
        assert (person.cpr, person.alias) == (None, "Ræv")
        assert session.get_one(Case, result.case_id).paragraph == "SEL101a"


def test_another_department_needs_a_reason_and_keeps_it(skranke_at: SkrankeAt) -> None:
    skranke = skranke_at(NOW)
    actor = signed_in(skranke, "reception", initials="KJ")
    answers = read_answers(skranke, REQUEST)
    with pytest.raises(IntakeRefused, match="Sig hvorfor"):
        register_intake(skranke, actor, answers, department="heroinklinikken")
    assert count(skranke, Case) == 0
    result = register_intake(skranke, actor, answers, department="heroinklinikken", reason="Lægens vurdering")
    with skranke.database.reading() as session:
        stored = session.scalars(select(Intake)).one().answers
        assert (stored["department"], stored["reason"]) == ("heroinklinikken", "Lægens vurdering")
        assert session.get_one(Case, result.case_id).department == "heroinklinikken"


def test_a_referral_is_no_case(skranke_at: SkrankeAt) -> None:
    skranke = skranke_at(NOW)
    actor = signed_in(skranke, "reception", initials="KJ")
    with pytest.raises(IntakeRefused):
        register_intake(skranke, actor, read_answers(skranke, {**REQUEST, "substances": ["alkohol"]}))
    assert count(skranke, Case) == count(skranke, Citizen) == count(skranke, Intake) == 0


def test_registering_needs_the_intake_role(skranke_at: SkrankeAt) -> None:
    skranke = skranke_at(NOW)
    admin = signed_in(skranke, "admin", initials="ADM")
    with pytest.raises(AccessError):
        register_intake(skranke, admin, read_answers(skranke, REQUEST))
    with pytest.raises(AccessError):
        save_draft(skranke, None, None, {}, "identity")


def test_a_draft_becomes_the_registered_intake(skranke_at: SkrankeAt) -> None:
    skranke = skranke_at(NOW)
    actor = signed_in(skranke, "reception", initials="KJ")
    draft = save_draft(skranke, actor, None, {"cpr": "0101901234"}, "identity")
    assert save_draft(skranke, actor, draft, dict(REQUEST), "review") == draft
    assert [d.draft_id for d in list_drafts(skranke, actor)] == [draft]
    result = register_intake(skranke, actor, read_answers(skranke, REQUEST), draft_id=draft)
    assert result.intake_id == draft
    assert list_drafts(skranke, actor) == []
    assert count(skranke, Intake) == 1


def test_discarded_drafts_keep_no_answers_and_old_ones_are_removed(skranke_at: SkrankeAt) -> None:
    skranke = skranke_at(NOW)
    actor = signed_in(skranke, "reception", initials="KJ")
    old = save_draft(skranke, actor, None, {"cpr": "0101901234"}, "identity")
    gone = save_draft(skranke, actor, None, {"alias": "Ræv"}, "identity")
    discard_draft(skranke, actor, gone)
    assert resume_draft(skranke, actor, gone) is None
    # Seven days (the site's draft_keep_days) later, the untouched draft is removed.
    later = skranke_at("2026-04-06T09:01")
    assert list_drafts(later, actor) == []
    assert resume_draft(later, actor, old) is None
    assert count(later, Intake) == 0


_SAVE_AND_WAIT = """
import sys, time
from skranke.config import load_settings
from skranke.services.context import Skranke
from skranke.services.intake import save_draft
from skranke.services.staff import sign_in

skranke = Skranke.from_settings(load_settings(db=sys.argv[1], site="odense", now=sys.argv[2]))
actor = sign_in(skranke, "KJ", sys.argv[3])
answers = {}
draft = None
areas = {"social": {"answer": "limited_network", "note": "Bor alene"}, "work": {"answer": "on_benefits", "note": ""}}
for key, value in [("contact_date", "2026-03-30"), ("channel", "phone"), ("cpr", "0101901234"),
                   ("first_name", "Jens"), ("last_name", "Hansen"), ("substances", ["kokain", "hash"]),
                   ("main_substance", "kokain"), ("pregnant", False), ("areas", areas)]:
    answers[key] = value  # the form saves after each change
    draft = save_draft(skranke, actor, draft, answers, "areas", citizen_id="B7")
print(draft, flush=True)
time.sleep(600)
"""


def test_a_draft_survives_a_killed_process(skranke_at: SkrankeAt, db_url: str) -> None:
    skranke = skranke_at(NOW)
    known_citizens(skranke)
    actor = signed_in(skranke, "reception", initials="KJ")
    process = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(_SAVE_AND_WAIT), db_url, NOW, TEST_PIN],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    try:
        assert process.stdout is not None
        draft = int(process.stdout.readline())
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL
    resumed = resume_draft(skranke, actor, draft)
    assert resumed is not None and (resumed.step, resumed.citizen_id) == ("areas", "B7")
    assert resumed.answers == {
        "contact_date": "2026-03-30",
        "channel": "phone",
        "cpr": "0101901234",
        "first_name": "Jens",
        "last_name": "Hansen",
        "substances": ["kokain", "hash"],
        "main_substance": "kokain",
        "pregnant": False,
        "areas": {
            "social": {"answer": "limited_network", "note": "Bor alene"},
            "work": {"answer": "on_benefits", "note": ""},
        },
    }
    resumed_answers = read_answers(skranke, resumed.answers)
    assert resumed_answers.main_substance == "kokain"
    assert (resumed_answers.areas.social.answer, resumed_answers.areas.work.answer) == (
        "limited_network",
        "on_benefits",
    )


def test_odsherred_request_by_phone_waits_on_frister_for_the_personal_attendance(skranke_at: SkrankeAt) -> None:
    """004 "Behandlingsgaranti": the 14 days count from the first personal attendance. A phoned
    request is registered without one and is listed as awaiting it, with no deadline; one made
    in person carries the attendance and its deadline."""
    skranke = skranke_at(NOW, site="odsherred")
    actor = signed_in(skranke, "reception", initials="KJ")
    phoned = register_intake(skranke, actor, read_answers(skranke, {**REQUEST, "channel": "phone"}))
    came = register_intake(skranke, actor, read_answers(skranke, {**REQUEST, "cpr": "0202901234", "first_name": "Ole"}))
    with skranke.database.reading() as session:
        assert session.get_one(Case, phoned.case_id).personal_attendance_on is None
        came_in = session.get_one(Case, came.case_id).personal_attendance_on
        assert came_in is not None and came_in.isoformat() == "2026-03-30"
    waiting = {r.case_id: r for r in deadlines(skranke).requests}
    assert (waiting[phoned.case_id].status, waiting[phoned.case_id].deadline) == ("awaiting_attendance", None)
    deadline = waiting[came.case_id].deadline
    assert deadline is not None and deadline.isoformat() == "2026-04-13"
    assert phoned.assessment.guarantee == "awaiting_attendance"


def test_odense_course_with_vista_balboa_is_registered_with_its_partner(skranke_at: SkrankeAt) -> None:
    """000 § 2.1: severe mental illness and extensive abuse are treated "i et samarbejde mellem
    Behandlingscenter Odense og rehabiliteringstilbuddet Vista Balboa": the case carries the
    partner, so its medical review every third month follows it."""
    skranke = skranke_at(NOW)
    actor = signed_in(skranke, "reception", initials="KJ")
    shared = register_intake(
        skranke, actor, read_answers(skranke, {**REQUEST, "substances": ["heroin"], "severe_mental_illness": True})
    )
    alone = register_intake(skranke, actor, read_answers(skranke, {**REQUEST, "cpr": "0202901234"}))
    with skranke.database.reading() as session:
        assert session.get_one(Case, shared.case_id).partner == "Vista Balboa"
        assert session.get_one(Case, alone.case_id).partner is None
