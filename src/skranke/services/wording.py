"""The codes of the deadlines contract in words, for the screens and the text output alike.

JSON keeps the codes (`warn`, `deadline_on_closed_day`, `stabilisering`); what a person reads
says them in the interface language, with the department's name.
"""

from __future__ import annotations

from skranke.domain.site import Site
from skranke.domain.vocabulary import REFUSAL_REASONS
from skranke.i18n import _


def status_word(status: str) -> str:
    return {
        "ok": _("ok"),
        "warn": _("soon"),
        "overdue": _("overdue"),
        "due": _("due"),
        "upcoming": _("upcoming"),
        "awaiting_attendance": _("awaiting personal attendance"),
    }.get(status, status)


def complaint_kind_word(kind: str) -> str:
    return {"complaint": _("complaint"), "access": _("access to records")}.get(kind, kind)


def complaint_status_word(status: str) -> str:
    """A complaint's status: a countdown's words, or answered / no deadline in the standard."""
    return {
        "answered": _("answered"),
        "no_deadline": _("no source in the municipality's standard"),
    }.get(status) or status_word(status)


def flag_word(flag: str) -> str:
    return {
        "last_open_day_passed": _("last open day passed"),
        "offer_other_provider": _("offer another provider"),
        "deadline_on_closed_day": _("deadline on a closed day"),
        "no_open_day_before_deadline": _("no open day before the deadline"),
        "hours_unknown": _("hours not given"),
        "unknown_department": _("unknown department"),
        "no_appointment": _("no appointment booked"),
        "appointment_after_deadline": _("appointment after the deadline"),
        "appointment_outside_hours": _("appointment outside opening hours"),
        "appointment_unknown_department": _("appointment in an unknown department"),
        "free_choice_not_for_heroin": _("no free choice for heroin"),
        "consent_unknown": _("consent not recorded"),
    }.get(flag, flag)


def reason_word(reason: str) -> str:
    return {
        "anonymous": _("anonymous (§ 101a): no guarantee"),
        "free_choice_may_waive": _("free choice: the deadline may be waived"),
    }.get(reason, reason)


def dose_state_word(state: str) -> str:
    """A due dose's state (domain.dispensing) in words, on the Medicin screen and in `queue`."""
    return {"due": _("ready"), "hold": _("awaits doctor"), "blocked": _("blocked")}.get(state, state)


def refusal_word(refusal: str) -> str:
    """A refused dose's reason code (domain.vocabulary.REFUSAL_REASONS) in words."""
    words = {"intoxicated": _("intoxicated"), "declined": _("citizen declined"), "other": _("other")}
    return words.get(refusal, refusal)


def refusal_text(stored: str) -> str:
    """A refused dose's stored reason ("declined vil komme i eftermiddag": its code, then what was
    written) in words: "borgeren afslog: vil komme i eftermiddag". Any other text as it is."""
    code, _space, written = stored.partition(" ")
    if code not in REFUSAL_REASONS:
        return stored
    return f"{refusal_word(code)}: {written}" if written else refusal_word(code)


def department_name(site: Site, department_id: str) -> str:
    """The department's name; an id the site does not know is shown as it is."""
    try:
        return site.department(department_id).name
    except KeyError:
        return department_id
