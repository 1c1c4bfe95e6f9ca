"""What tells citizens apart at the counter: the name said aloud, the label a list shows, the
birth date a dialog asks for (DESIGN §1 "Safe at the window", §4)."""

from __future__ import annotations

from datetime import date


def full_name(first_name: str, last_name: str, alias: str, citizen_id: str) -> str:
    """The name a toast or a dialog says: first and last name, else the alias, else the id."""
    return f"{first_name} {last_name}".strip() or alias or citizen_id


def display_name(first_name: str, last_name: str, alias: str, citizen_id: str) -> str:
    """Alias, else initials: what a list at the counter shows (DESIGN §4)."""
    if alias:
        return alias
    initials = "".join(part[0] for part in f"{first_name} {last_name}".split() if part).upper()
    return initials or citizen_id


def birth_date_of(cpr: str | None) -> date | None:
    """The birth date in a CPR number (the 7th digit gives the century, as CPR does)."""
    if not cpr or len(cpr) != 10 or not cpr.isdigit():
        return None
    day, month, year, serial = int(cpr[0:2]), int(cpr[2:4]), int(cpr[4:6]), int(cpr[6])
    if serial <= 3:
        century = 1900
    elif serial in (4, 9):
        century = 2000 if year <= 36 else 1900
    else:
        century = 2000 if year <= 57 else 1800
    try:
        return date(century + year, month, day)
    except ValueError:
        return None
