"""The codes of the deadlines and dispensing contracts in words, for the screens and the text
output alike.

JSON keeps the codes (`warn`, `deadline_on_closed_day`, `stabilisering`, `missed_days`); what a
person reads says them in the interface language, with the department's name and the numbers.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from skranke.domain.site import Site
from skranke.domain.vocabulary import REFUSAL_REASONS
from skranke.i18n import _, clock_time, ngettext, short_date
from skranke.services.places import place_name

if TYPE_CHECKING:
    from skranke.domain.dispensing import Alert


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
    return place_name(site, department_id)


# --- dispensing ---------------------------------------------------------------------------


def outcome_word(outcome: str) -> str:
    return {"given": _("given"), "refused": _("refused"), "missed": _("missed")}.get(outcome, outcome)


def alert_text(alert: Alert) -> str:
    """An alert in the interface language, with its numbers (DESIGN §3 codes)."""
    p = alert.params
    code = alert.code
    if code == "missed_days":
        days = int(str(p["days"]))
        return ngettext(
            "{days} day without medicine (threshold {threshold})",
            "{days} days without medicine (threshold {threshold})",
            days,
        ).format(days=days, threshold=p["threshold"])
    if code == "hold_reassessment":
        return _("awaiting a doctor's reassessment: {days} days without medicine (threshold {threshold})").format(**p)
    if code == "no_history":
        return _("no dose known: days without medicine unknown")
    if code == "released":
        dose = p.get("dose_mg")
        words = _("released by {staff}: {reason}").format(staff=p.get("staff_id"), reason=p.get("reason"))
        return words + (" " + _("(reduced to {dose} mg)").format(dose=format_mg(dose)) if dose is not None else "")
    if code == "ends_soon":
        days_left = int(str(p["days_left"]))
        return ngettext(
            "the order ends in {days} day ({day})", "the order ends in {days} days ({day})", days_left
        ).format(days=days_left, day=_day(p["valid_to"]))
    if code == "interval_not_reached":
        moment = p.get("not_before")
        if p.get("reason") == "one_interval":
            return _("dose 2 cannot be given today: the service has only one opening interval")
        if p.get("reason") == "same_interval":
            return _("dose 1 was given in this opening interval: never two doses in one interval")
        return _("dose 2 belongs to the afternoon interval, which opens at {time}").format(
            time=clock_time(moment) if isinstance(moment, datetime) else "–"
        )
    if code == "approval_missing":
        if p.get("kind") == "take_home":
            return _("take-home needs the visitation committee's approval: no approval date recorded")
        return _("delivery needs the visitation committee's approval: no approval date recorded")
    if code == "first_dose_pending":
        return _("dose 1 is not recorded yet")
    if code == "closed_day_in_period":
        return _("the service is closed on {day}: this pickup covers it").format(day=_day(p["day"]))
    if code == "not_pickup_day":
        following = p.get("next")
        return _("not a pickup day; next pickup {day}").format(day=_day(following))
    if code == "expired":
        return _("the order expired on {day}").format(day=_day(p["valid_to"]))
    if code == "not_yet_valid":
        return _("the order is valid from {day}").format(day=_day(p["valid_from"]))
    if code == "take_home_not_allowed":
        return _("this preparation is only given under supervision")
    if code == "already_covered":
        return _("covered until {day} by the dose of {given}").format(
            day=_day(p["until"]),
            given=_day(p["service_date"]),
        )
    return code


def threshold_source(alert: Alert) -> str | None:
    """Where a missed-days threshold comes from (the site file's words: no seed gives one), for
    the dose dialog's explanation line; None for an alert without a threshold."""
    if alert.code not in ("missed_days", "hold_reassessment") or not alert.params.get("source"):
        return None
    return _("Threshold {threshold} days: {source}.").format(
        threshold=alert.params["threshold"], source=alert.params["source"]
    )


def _day(value: object) -> str:
    return short_date(value) if isinstance(value, date) else "–"


def format_mg(value: Any) -> str:
    """72,5 / 60: Danish decimal comma, no trailing zeros."""
    number = Decimal(str(value)).normalize()
    return f"{number:f}".replace(".", ",")


def stock_kind_word(kind: str) -> str:
    """A ledger entry's kind in words (receipt, issue, waste, …)."""
    return {
        "receipt": _("Receipt"),
        "issue": _("Issue"),
        "reversal": _("Reversal"),
        "waste": _("Waste"),
        "transfer_out": _("Transfer out"),
        "transfer_in": _("Transfer in"),
        "count": _("Count"),
    }.get(kind, kind)
