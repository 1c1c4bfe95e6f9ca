"""How a department's state reads at the desk: 'åben · lukker kl. 11.45 (om 25 min.)'."""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.text import Text

from skranke.i18n import _, clock_time, short_date, until, weekday_name
from skranke.services.today import DepartmentDay
from skranke.services.wording import department_name as department_name  # one helper for screens and CLI

OPEN_STYLE = "bold green"
SOON_STYLE = "bold yellow"
CLOSED_STYLE = "dim"


def intervals_text(row: DepartmentDay) -> str:
    if row.hours_unknown and not row.intervals:
        return _("not given")
    if not row.intervals:
        return _("closed")
    return ", ".join(f"{clock_time(i.start)}–{clock_time(i.end)}" for i in row.intervals)


def _day_word(moment: datetime, now: datetime) -> str:
    days = (moment.date() - now.date()).days
    if days == 1:
        return _("tomorrow")
    if days < 7:
        return weekday_name(moment.date())
    return short_date(moment.date())


def state_text(row: DepartmentDay, now: datetime) -> tuple[str, str]:
    """The live state and the style it is drawn in (open, closing soon, closed)."""
    state = row.state
    if state is None:
        return "", CLOSED_STYLE
    if state.unknown:
        return _("hours not given by the site"), SOON_STYLE
    if state.open_now:
        if state.closes_at is None:
            return _("open"), OPEN_STYLE
        left = state.closes_at - now
        text = _("open · closes at {time} ({until})").format(time=clock_time(state.closes_at), until=until(left))
        return text, SOON_STYLE if left <= timedelta(minutes=30) else OPEN_STYLE
    if state.opens_at is None:
        return _("closed · no opening in the next weeks"), CLOSED_STYLE
    if state.opens_later_today:
        return _("closed · opens at {time} ({until})").format(
            time=clock_time(state.opens_at), until=until(state.opens_at - now)
        ), CLOSED_STYLE
    template = (
        _("closed today · next opening {day} at {time}")
        if not row.intervals
        else _("closed for today · next opening {day} at {time}")
    )
    return template.format(day=_day_word(state.opens_at, now), time=clock_time(state.opens_at)), CLOSED_STYLE


def plain(text: str) -> Text:
    """User and file text is never read as markup (a name with '[' stays a name)."""
    return Text(text)
