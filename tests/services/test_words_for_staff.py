"""What staff read about roles and the audit log is in their language: role names and
what each logged event says happened, never the codes the store and --json keep."""

from __future__ import annotations

from datetime import datetime

import pytest

from skranke.clock import TIMEZONE
from skranke.i18n import set_language
from skranke.services.access import ROLES, AccessError, Actor, require, role_word
from skranke.services.audit import ACTIONS, AuditEntry, action_word


def test_a_refusal_names_the_roles_in_danish() -> None:
    nurse = Actor("MN", "Mette Nielsen", frozenset({"nurse", "reception"}), "vindue-1")
    with pytest.raises(AccessError) as refused:
        require(nurse, "read_audit")
    assert str(refused.value) == "MN må ikke læse loggen (roller: reception, sygeplejerske)."
    set_language("en")
    with pytest.raises(AccessError) as refused:
        require(nurse, "read_audit")
    assert "(roles: reception, nurse)" in str(refused.value)


def test_every_role_has_a_danish_word() -> None:
    assert [role_word(r) for r in ROLES] == ["reception", "sygeplejerske", "læge", "administrator"]


def test_every_logged_action_is_worded() -> None:
    set_language("en")
    english = {action: action_word(action) for action in ACTIONS}
    set_language("da")
    for action in ACTIONS:
        assert action_word(action) != action and "_" not in action_word(action), action
        assert action_word(action) != english[action] or action in {"check_in"}, action


def test_an_audit_line_says_what_happened_in_words() -> None:
    entry = AuditEntry(
        at=datetime(2026, 11, 23, 9, 41, 7, tzinfo=TIMEZONE),
        staff="KJ",
        workstation="skranke-1",
        action="search",
        citizen_id="B0040",
        entity="citizen",
        entity_id="B0040",
        detail={},
    )
    line = entry.text_line()
    assert line.startswith("23.11.2026 09.41.07  KJ")
    assert "fundet i en søgning" in line and line.endswith(" B0040      borger B0040")
    assert "search" not in line and "citizen" not in line
