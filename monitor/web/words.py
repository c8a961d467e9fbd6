"""Dates and times in words, the one style of the pages and the command line: "3 March 2020",
"3 March 2020 at 14:05" (UK time)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def long_date(value: date) -> str:
    return f"{value.day} {value.strftime('%B %Y')}"


def long_time(value: datetime) -> str:
    """A moment in UK time (a naive value is taken as UTC, as SQLite returns stored ones)."""
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UK)
    return f"{long_date(local.date())} at {local.strftime('%H:%M')}"
