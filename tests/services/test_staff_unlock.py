"""An admin lifts a PIN lock-out (five wrong PINs) before its 15 minutes are up; logged."""

from __future__ import annotations

import pytest

from skranke.cli import main
from skranke.services.access import AccessError
from skranke.services.audit import audit_events
from skranke.services.context import Skranke
from skranke.services.staff import StaffInputError, sign_in, unlock_staff
from tests.conftest import TEST_PIN, make_skranke, signed_in

NOW = "2026-04-09T09:30"


def locked_mn(skranke: Skranke) -> None:
    signed_in(skranke, "nurse", initials="MN")
    for _ in range(5):
        with pytest.raises(AccessError):
            sign_in(skranke, "MN", "0000")
    with pytest.raises(AccessError, match="låst"):
        sign_in(skranke, "MN", TEST_PIN)


def test_an_admin_unlocks_a_locked_out_pin_and_it_is_logged(db_url: str) -> None:
    skranke = make_skranke(NOW, db_url)
    try:
        locked_mn(skranke)
        admin = sign_in(skranke, "ADM", TEST_PIN)
        member = unlock_staff(skranke, admin, "mn")
        assert member.staff_id == "MN" and member.locked_until is None
        assert sign_in(skranke, "MN", TEST_PIN).staff_id == "MN"  # well before 09.45
        unlocks = [e for e in audit_events(skranke, admin) if e.action == "staff_unlock"]
        assert [(e.staff, e.entity, e.entity_id, e.detail) for e in unlocks] == [
            ("ADM", "staff", "MN", {"was_locked": True})
        ]
    finally:
        skranke.close()


def test_only_an_admin_may_unlock_and_only_a_known_id(db_url: str) -> None:
    skranke = make_skranke(NOW, db_url)
    try:
        locked_mn(skranke)
        nurse = signed_in(skranke, "nurse", initials="KJ")
        with pytest.raises(AccessError):
            unlock_staff(skranke, nurse, "MN")
        with pytest.raises(AccessError):
            unlock_staff(skranke, None, "MN")
        with pytest.raises(StaffInputError, match="ZZ"):
            unlock_staff(skranke, sign_in(skranke, "ADM", TEST_PIN), "ZZ")
        with pytest.raises(AccessError, match="låst"):
            sign_in(skranke, "MN", TEST_PIN)  # still locked
    finally:
        skranke.close()


def test_the_unlock_command(db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    skranke = make_skranke(NOW, db_url)
    locked_mn(skranke)
    signed_in(skranke, "reception", initials="KJ")
    skranke.close()
    monkeypatch.setenv("SKRANKE_PIN", TEST_PIN)
    common = ["--db", db_url, "--now", NOW]
    assert main(["staff", "unlock", "MN", *common, "--staff", "KJ"]) == 4  # not an admin
    assert main(["staff", "unlock", "ZZ", *common, "--staff", "ADM"]) == 1  # no such id
    capsys.readouterr()
    assert main(["staff", "unlock", "MN", *common, "--staff", "ADM"]) == 0
    assert "MN" in capsys.readouterr().out
    after = make_skranke(NOW, db_url)
    try:
        assert sign_in(after, "MN", TEST_PIN).staff_id == "MN"
    finally:
        after.close()
