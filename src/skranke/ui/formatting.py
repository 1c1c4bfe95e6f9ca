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


def state_text(row: DepartmentDay, now: datetime, short: bool = False) -> tuple[str, str]:
    """The live state and the style it is drawn in (open, closing soon, closed).

    `short` (80 columns) leaves out the 'åben · ' / 'lukket i dag · ' before the times: the
    colour and the 'I dag' column say it, and the countdown keeps its room.
    """
    state = row.state
    if state is None:
        return "", CLOSED_STYLE
    if state.unknown:
        return _("hours not given by the site"), SOON_STYLE
    if state.open_now:
        if state.closes_at is None:
            return _("open"), OPEN_STYLE
        left = state.closes_at - now
        template = _("closes at {time} ({until})") if short else _("open · closes at {time} ({until})")
        text = template.format(time=clock_time(state.closes_at), until=until(left))
        return text, SOON_STYLE if left <= timedelta(minutes=30) else OPEN_STYLE
    if state.opens_at is None:
        return (
            _("no opening in the next weeks") if short else _("closed · no opening in the next weeks")
        ), CLOSED_STYLE
    if state.opens_later_today:
        template = _("opens at {time} ({until})") if short else _("closed · opens at {time} ({until})")
        return template.format(time=clock_time(state.opens_at), until=until(state.opens_at - now)), CLOSED_STYLE
    if short:
        template = _("next opening {day} at {time}")
    elif not row.intervals:
        template = _("closed today · next opening {day} at {time}")
    else:
        template = _("closed for today · next opening {day} at {time}")
    return template.format(day=_day_word(state.opens_at, now), time=clock_time(state.opens_at)), CLOSED_STYLE


def plain(text: str) -> Text:
    """User and file text is never read as markup (a name with '[' stays a name)."""
    return Text(text)


# --- narrow terminals (80x24) ----------------------------------------------------------

NARROW = 100  # below this many columns the screens leave out their secondary columns


def shortened(text: Text | str, width: int) -> Text:
    """At most `width` cells; what does not fit ends in '…', never cut without a sign."""
    result = text.copy() if isinstance(text, Text) else Text(text)
    result.no_wrap = True
    result.truncate(max(width, 1), overflow="ellipsis")
    return result


def room_left(total: int, widths: list[int], cell_padding: int = 1) -> int:
    """The cells left for one more DataTable column beside columns of `widths`.

    Each column takes its padding on both sides.
    """
    return total - sum(width + 2 * cell_padding for width in widths) - 2 * cell_padding
