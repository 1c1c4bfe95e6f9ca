"""Which backups to keep (DESIGN §1: "keeps the newest 14 daily and 12 monthly").

- daily: the newest backup of each of the newest `daily` days that have one;
- monthly: the newest backup of each of the newest `monthly` months that have one.

A backup kept by either rule stays; every other one may go. Days and months are counted among
those that have backups, not on the calendar: a workstation switched off for a fortnight keeps
its last 14 backups, not none.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

DAILY = 14
MONTHLY = 12


def backups_to_keep(taken: Iterable[datetime], daily: int = DAILY, monthly: int = MONTHLY) -> set[datetime]:
    """The moments (local time) of the backups to keep, out of those taken."""
    newest_of_day: dict[tuple[int, int, int], datetime] = {}
    newest_of_month: dict[tuple[int, int], datetime] = {}
    for moment in taken:
        day = (moment.year, moment.month, moment.day)
        month = (moment.year, moment.month)
        if day not in newest_of_day or moment > newest_of_day[day]:
            newest_of_day[day] = moment
        if month not in newest_of_month or moment > newest_of_month[month]:
            newest_of_month[month] = moment
    kept = {newest_of_day[day] for day in sorted(newest_of_day, reverse=True)[:daily]}
    kept |= {newest_of_month[month] for month in sorted(newest_of_month, reverse=True)[:monthly]}
    return kept
