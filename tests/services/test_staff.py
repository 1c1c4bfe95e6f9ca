"""Staff, sign-in, roles and the audit log, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from skranke.services.access import PERMISSIONS, ROLES, AccessError, Actor
from skranke.services.audit import audit_events
from skranke.services.citizens import citizen_card, citizen_labels, reveal_cpr
from skranke.services.context import Skranke
from skranke.services.staff import StaffInputError, add_staff, disable_staff, list_staff, set_pin, sign_in
from skranke.services.sync import run_sync
from skranke.store.models import Citizen
from tests.conftest import TEST_PIN, SkrankeAt, signed_in

NOW = "2026-04-09T09:30"


def _citizen(skranke: Skranke) -> None:
    with skranke.database.transaction() as session:
        session.add(Citizen(id="B1", cpr="0101801234", first_name="Søren", last_name="Ærø", alias="", phone=""))


def test_the_first_staff_member_needs_no_sign_in_but_must_be_an_admin(skranke_at: SkrankeAt) -> None:
    skranke = skranke_at(NOW)
    with pytest.raises(StaffInputError, match="admin"):
        add_staff(skranke, None, "KJ", "Karen Jensen", ["reception"], "1111")
    add_staff(skranke, None, "AH", "Anne Holm", ["admin"], "4444")
    with pytest.raises(AccessError, match="Log ind"):  # the second needs an admin signed in
        add_staff(skranke, None, "KJ", "Karen Jensen", ["reception"], "1111")
    admin = sign_in(skranke, "ah", "4444")
    member = add_staff(skranke, admin, "kj", "Karen Jensen", ["reception", "nurse"], "1111")
    assert member.staff_id == "KJ" and member.roles == ("nurse", "reception")
    assert [m.staff_id for m in list_staff(skranke, admin)] == ["AH", "KJ"]


@pytest.mark.parametrize(
    ("initials", "roles", "pin", "wrong"),
    [
        ("K", ["reception"], "1111", "Initialer"),
        ("KJ", ["janitor"], "1111", "Roller"),
        ("KJ", ["reception"], "12", "PIN"),
    ],
)
def test_bad_staff_input_names_what_is_wrong(
    skranke_at: SkrankeAt, initials: str, roles: list[str], pin: str, wrong: str
) -> None:
    skranke = skranke_at(NOW)
    admin = signed_in(skranke, "admin", initials="ADM")
    with pytest.raises(StaffInputError, match=wrong):
        add_staff(skranke, admin, initials, "Karen", roles, pin)


def test_five_wrong_pins_lock_the_id_for_fifteen_minutes(db_url: str) -> None:
    from tests.conftest import make_skranke

    skranke = make_skranke(NOW, db_url)
    signed_in(skranke, "nurse", initials="MN")
    for attempt in range(1, 5):
        with pytest.raises(AccessError, match=f"{5 - attempt} forsøg tilbage"):
            sign_in(skranke, "MN", "0000")
    with pytest.raises(AccessError, match=r"låst til kl\. 09\.45"):
        sign_in(skranke, "MN", "0000")
    with pytest.raises(AccessError, match="låst"):  # the right PIN waits too
        sign_in(skranke, "MN", TEST_PIN)
    skranke.close()
    later = make_skranke("2026-04-09T09:44", db_url)
    with pytest.raises(AccessError, match="låst"):
        sign_in(later, "MN", TEST_PIN)
    later.close()
    after = make_skranke("2026-04-09T09:45", db_url)
    assert sign_in(after, "MN", TEST_PIN).staff_id == "MN"
    after.close()


def test_a_disabled_id_and_an_unknown_one_cannot_sign_in(skranke_at: SkrankeAt) -> None:
    skranke = skranke_at(NOW)
    admin = signed_in(skranke, "admin", initials="ADM")
    add_staff(skranke, admin, "KJ", "Karen", ["reception"], "1111")
    disable_staff(skranke, admin, "KJ")
    with pytest.raises(AccessError, match="deaktiveret"):
        sign_in(skranke, "KJ", "1111")
    with pytest.raises(AccessError, match="Ukendte initialer"):
        sign_in(skranke, "ZZ", "1111")


def test_the_pin_is_never_stored_logged_raised_or_audited(
    skranke_at: SkrankeAt, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    skranke = skranke_at(NOW)
    add_staff(skranke, None, "AH", "Anne Holm", ["admin"], "735591")
    messages = []
    for pin in ("735592", "735593"):
        with pytest.raises(AccessError) as refused:
            sign_in(skranke, "AH", pin)
        messages.append(str(refused.value) + repr(refused.value))
    admin = sign_in(skranke, "AH", "735591")
    set_pin(skranke, admin, "AH", "246801")
    from sqlalchemy import inspect, text

    dumped = []
    with skranke.database.reading() as session:
        for table in inspect(session.connection()).get_table_names():
            dumped += [repr(tuple(row)) for row in session.execute(text(f'SELECT * FROM "{table}"'))]
    everything = "\n".join([*dumped, *messages, caplog.text])
    for pin in ("735591", "735592", "735593", "246801"):
        assert pin not in everything
    events = audit_events(skranke, admin)
    assert [e.action for e in events].count("sign_in_failed") == 2
    assert all(pin not in json.dumps(e.to_json_dict()) for e in events for pin in ("735592", "735593"))


# Every role against every action a service offers today: allowed exactly where DESIGN §1 says.
def _actions(skranke: Skranke, actor: Actor) -> dict[str, Callable[[], object]]:
    return {
        "open_citizen": lambda: citizen_card(skranke, actor, "B1"),
        "view_deadlines": lambda: citizen_labels(skranke, actor, ["B1"]),
        "reveal_cpr": lambda: reveal_cpr(skranke, actor, "B1"),
        "sync": lambda: run_sync(skranke, actor=actor, dry_run=True),
        "read_audit": lambda: audit_events(skranke, actor),
        "manage_staff": lambda: list_staff(skranke, actor),
    }


ALLOWED = {
    "reception": {"open_citizen", "view_deadlines"},
    "nurse": {"open_citizen", "view_deadlines", "reveal_cpr"},
    "doctor": {"open_citizen", "view_deadlines", "reveal_cpr"},
    "admin": {"view_deadlines", "sync", "read_audit", "manage_staff"},
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_do_exactly_its_actions(skranke_at: SkrankeAt, tmp_path: Path, role: str) -> None:
    skranke = skranke_at(NOW, inbox=str(tmp_path / "inbox"), outbox=str(tmp_path / "outbox"))
    _citizen(skranke)
    actor = signed_in(skranke, role, initials="ZZ")
    for action, call in _actions(skranke, actor).items():
        assert (action in PERMISSIONS[role]) == (action in ALLOWED[role])
        if action in ALLOWED[role]:
            call()
        else:
            with pytest.raises(AccessError, match="må ikke"):
                call()


def test_nobody_signed_in_may_open_a_card(skranke_at: SkrankeAt) -> None:
    skranke = skranke_at(NOW)
    _citizen(skranke)
    with pytest.raises(AccessError, match="Log ind"):
        citizen_card(skranke, None, "B1")


def test_every_look_is_in_the_audit_log_with_who_and_where(skranke_at: SkrankeAt) -> None:
    skranke = skranke_at(NOW, workstation="skranke-1")
    _citizen(skranke)
    nurse = signed_in(skranke, "nurse", initials="MN")
    citizen_card(skranke, nurse, "B1")
    reveal_cpr(skranke, nurse, "B1")
    citizen_labels(skranke, nurse, ["B1"])
    admin = sign_in(skranke, "ADM", TEST_PIN)
    looks = [(e.staff, e.workstation, e.action) for e in audit_events(skranke, admin, citizen_id="B1")]
    assert looks == [
        ("MN", "skranke-1", "open_citizen"),
        ("MN", "skranke-1", "reveal_cpr"),
        ("MN", "skranke-1", "list_deadlines"),
    ]
    assert audit_events(skranke, admin, citizen_id="B1", since=date(2026, 4, 10)) == []
    assert {e.staff for e in audit_events(skranke, admin, staff_id="mn")} == {"MN"}


def test_a_sync_names_who_ran_it(skranke_at: SkrankeAt, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "borgere.csv").write_text("borger_id;alias\nB7;Maagen\n", encoding="utf-8")
    skranke = skranke_at(NOW, inbox=str(inbox), outbox=str(tmp_path / "outbox"), workstation="pc-7")
    run_sync(skranke)  # a scheduled task: the workstation itself
    admin = signed_in(skranke, "admin", initials="ADM")
    syncs = [(e.staff, e.workstation, e.entity_id) for e in audit_events(skranke, admin) if e.action == "sync"]
    assert syncs == [("workstation", "pc-7", "borgere.csv")]


def test_a_pin_hashed_with_the_old_argon2_profile_still_signs_in_and_is_rehashed(skranke_at: SkrankeAt) -> None:
    from argon2 import PasswordHasher

    from skranke.services.staff import PIN_HASH_MEMORY_KIB, PIN_HASH_TIME_COST
    from skranke.store.models import Staff

    skranke = skranke_at(NOW)
    add_staff(skranke, None, "AH", "Anne Holm", ["admin"], "4444")
    old_hash = PasswordHasher().hash("4444")  # argon2-cffi's defaults, as stores made before had
    with skranke.database.transaction() as session:
        session.get_one(Staff, "AH").pin_hash = old_hash

    with pytest.raises(AccessError):  # a wrong PIN is refused and leaves the old hash alone
        sign_in(skranke, "AH", "4445")
    with skranke.database.reading() as session:
        assert session.get_one(Staff, "AH").pin_hash == old_hash

    admin = sign_in(skranke, "AH", "4444")
    with skranke.database.reading() as session:
        new_hash = session.get_one(Staff, "AH").pin_hash
    assert new_hash != old_hash
    assert f"m={PIN_HASH_MEMORY_KIB},t={PIN_HASH_TIME_COST},p=1" in new_hash
    assert PasswordHasher().verify(new_hash, "4444")
    assert sign_in(skranke, "AH", "4444").staff_id == "AH"  # and the new hash signs in
    with skranke.database.reading() as session:
        assert session.get_one(Staff, "AH").pin_hash == new_hash  # once: a current hash is kept
    # No event of its own: the attempts are what the log shows.
    actions = [e.action for e in audit_events(skranke, admin) if e.staff == "AH"]
    assert actions == ["staff_add", "sign_in_failed", "sign_in", "sign_in"]


def test_pins_are_hashed_at_owasps_minimum_argon2id_profile_outside_the_tests() -> None:
    """The suite hashes cheaply (tests/conftest.py); the shipped profile is this one, in literals."""
    from argon2 import PasswordHasher

    from tests.conftest import PRODUCTION_PIN_HASH

    time_cost, memory_kib, parallelism = PRODUCTION_PIN_HASH
    assert (time_cost, memory_kib, parallelism) == (2, 19456, 1)
    made = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism).hash("4711")
    assert made.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
