"""What Frister and the citizen card say about a deadline: why a row has its status, and what
each flag means with the seed it comes from (DESIGN §1 "The 14-day treatment guarantee")."""

from __future__ import annotations

import re
from datetime import date

from skranke.domain.deadlines import RequestDeadline
from skranke.domain.site import Site
from skranke.i18n import _, short_date, weekday_date
from skranke.services.wording import flag_word

STATUS_STYLE = {
    "ok": "green",
    "warn": "bold yellow",
    "overdue": "bold red",
    "due": "bold yellow",
    "upcoming": "green",
    "awaiting_attendance": "yellow",
    "no_deadline": "yellow",
}

# A quoted passage in parentheses, "('senest 14 dage ...')": the site file keeps it, the screen
# shows the citation only.
_QUOTE = re.compile(r"\s*\('[^']*'\)")

# Anonymous treatment under SEL § 101a has no guarantee whatever the site (not a site setting).
ANONYMOUS_SOURCE = "000 § 1.4.2; 004 'Behandlingsgaranti'"


def citation(source: str) -> str:
    """'000 § 3.2 ('forpligtet ...'); 001 § 2.2' → '000 § 3.2; 001 § 2.2': where, not the quote."""
    return _QUOTE.sub("", source).strip()


def reason_source(reason: str, site: Site) -> str:
    return citation(ANONYMOUS_SOURCE if reason == "anonymous" else site.rules.free_choice_source)


def status_why(request: RequestDeadline, today: date) -> str:
    """Why the row has its status: 'sidste åbne dag var onsdag 1. april', 'fristen er overskredet'."""
    reason = request.status_reason
    last_open = request.last_open_day
    if request.deadline is None:  # awaiting the first personal attendance (004)
        return _("the 14 days count from the first personal attendance, not recorded yet")
    if reason == "deadline_passed":
        return _("the deadline has passed ({date})").format(date=short_date(request.deadline))
    if reason == "last_open_day_passed" and last_open is not None:
        return _("last open day was {day}").format(day=weekday_date(last_open, today))
    if reason == "last_open_day_today":
        return _("last open day is today")
    if reason == "last_open_day_soon" and last_open is not None:
        return _("last open day is {day}").format(day=weekday_date(last_open, today))
    if reason == "deadline_soon":
        return _("deadline {day}; opening hours not known").format(day=weekday_date(request.deadline, today))
    if last_open is not None:
        return _("in time: last open day is {day}").format(day=weekday_date(last_open, today))
    return _("in time: deadline {day}").format(day=weekday_date(request.deadline, today))


def _hours_source(site: Site, department_id: str) -> str:
    try:
        source = site.department(department_id).source
    except KeyError:
        return _("site file {name}").format(name=f"{site.id}.toml")
    return _("opening hours: {source}").format(source=source) if source else f"{site.id}.toml"


def _kind_name(kind: str) -> str:
    return {"visitation": _("visitation talk"), "læge": _("doctor's talk"), "laege": _("doctor's talk")}.get(kind, kind)


def flag_explanation(flag: str, request: RequestDeadline, site: Site) -> tuple[str, str]:
    """(what the flag means for the desk, the source it rests on)."""
    rules = site.rules
    kinds = "/".join(_kind_name(kind) for kind in rules.guarantee_appointment_kinds)
    hours = _hours_source(site, request.department)
    site_file = _("site file {name}").format(name=f"{site.id}.toml")
    explanations: dict[str, tuple[str, str]] = {
        "last_open_day_passed": (
            _("the department does not open again before the deadline: treatment cannot start in time"),
            hours,
        ),
        "offer_other_provider": (
            _("the municipality must offer a place with another approved provider"),
            rules.offer_other_provider_when_overdue_source,
        ),
        "deadline_on_closed_day": (_("the deadline falls on a day the department is closed"), hours),
        "no_open_day_before_deadline": (_("the department is not open on any day up to the deadline"), hours),
        "hours_unknown": (_("the site file does not give the department's opening hours"), hours),
        "unknown_department": (_("the department is not in the site file"), site_file),
        "no_appointment": (
            _("no {kinds} booked; it must lie within the deadline").format(kinds=kinds),
            rules.guarantee_appointment_kinds_source,
        ),
        "appointment_after_deadline": (
            _("{kinds} booked after the deadline; it must lie within it").format(kinds=kinds),
            rules.guarantee_appointment_kinds_source,
        ),
        "appointment_outside_hours": (
            _("an appointment lies outside the department's opening hours"),
            rules.appointments_outside_hours_by_agreement_source,
        ),
        "appointment_unknown_department": (_("an appointment is in a department not in the site file"), site_file),
        "free_choice_not_for_heroin": (
            _("free choice does not waive the deadline of heroin treatment"),
            rules.heroin_departments_source,
        ),
    }
    return explanations.get(flag, (flag_word(flag), ""))


def explained_flags(request: RequestDeadline, site: Site) -> list[str]:
    """One line per flag: the explanation, then its source in parentheses."""
    lines = []
    for flag in request.flags:
        text, source = flag_explanation(flag, request, site)
        source = citation(source)
        lines.append(f"{text} ({source})" if source else text)
    return lines
