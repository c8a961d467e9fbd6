"""Date arithmetic for the duties: calendar dates in England, no times, no zones.

The one place where deadlines are counted. Pure functions, used by the obligation builders.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache


def weeks_beginning_with(start: date, weeks: int) -> date:
    """Last compliant day of "N weeks beginning with D": D is day 1, so D + 7N - 1."""
    return start + timedelta(days=7 * weeks - 1)


def days_between(earlier: date, later: date) -> int:
    """Whole days from `earlier` to `later` (negative when `later` comes first)."""
    return (later - earlier).days


def in_window(day: date | None, first: date, last: date) -> bool:
    """True when `day` lies in the window, both end dates included."""
    return day is not None and first <= day <= last


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(day: date) -> str:
    """A date as people read it in a sentence: 3 March 2020 (no locale involved)."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def known_by(day: date | None, as_of: date) -> date | None:
    """A done-date counts only once it has happened: after `as_of` it is "not done yet"."""
    return day if day is not None and day <= as_of else None


def bank_holiday(day: date) -> str | None:
    """The English bank holiday on `day`, if any, for display beside deadlines
    (the duties count calendar days)."""
    return _bank_holidays(day.year).get(day)


@cache
def _bank_holidays(year: int) -> dict[date, str]:
    import holidays  # slow to import: only when a deadline is shown

    return dict(holidays.country_holidays("GB", subdiv="ENG", years=year))
