"""Values as people read them: one date style ("3 March 2020"), times in UK time ("3 March
2020, 11:07pm"), money, record values with their labels, and rule parameters written out."""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from monitor.dates import long_date
from monitor.publish.labels import value_label

UK = ZoneInfo("Europe/London")


@functools.cache
def day(value) -> str:
    """A date: "3 March 2020" ("—" for none; an ISO date string is read as a date)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return long_date(value)


@functools.lru_cache(maxsize=1024)  # every page names the check's and the import's times
def when(value: datetime | None) -> str:
    """A moment in UK time: "3 March 2020, 11:07pm" (a stored time without a zone is UTC)."""
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(UK)
    hour = local.hour % 12 or 12
    return f"{day(local.date())}, {hour}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}"


def value(v) -> str:
    """A fact's value: "yes", "no", "blank", a date, a list."""
    if v is None:
        return "blank"
    if isinstance(v, (list, tuple)):
        return ", ".join(value(x) for x in v)
    if isinstance(v, date):
        return day(v)
    if v is True:
        return "yes"
    if v is False:
        return "no"
    return str(v)


_ISO_DAY = re.compile(r"\d{4}-\d\d-\d\d")


def field_value(field: str, v) -> str:
    """A record field's value in words: its label for a coded value, dates in the one style,
    amounts in pounds."""
    label = value_label(field, v)
    if label is not None:
        return label
    if field.endswith("_gbp") and v is not None:
        return money(v)
    if isinstance(v, str) and _ISO_DAY.fullmatch(v):
        return day(v)
    return value(v)


def money(v) -> str:
    return f"£{Decimal(v or 0):,.2f}"


def written_parameter(name: str, v) -> str:
    """A parameter's value as people write it: "5 weeks", "3 April 2018", "£4,000"."""
    if isinstance(v, date):
        return day(v)
    if isinstance(v, (list, tuple)):
        if len(v) == 2 and all(isinstance(x, date) for x in v):
            return f"{day(v[0])} to {day(v[1])}"
        return ", ".join(str(x).replace("_", " ") for x in v)
    for suffix, unit in (("_weeks", "week"), ("_days", "day")):
        if name.endswith(suffix):
            return f"{v} {unit}{'' if v == 1 else 's'}"
    if name.endswith("_gbp"):
        return f"£{Decimal(v):,}"
    return str(v)


_WRITTEN: dict[tuple[str, int], tuple[dict, str]] = {}  # (text, id of the parameters) → (them, words)


def written(text: str, parameters: dict) -> str:
    """A rule's text with each parameter name replaced by its value written out
    ("response_weeks weeks beginning with…" → "5 weeks beginning with…", "7 × response_weeks" → "7 × 5").

    Kept per text and parameters (a rule's are not changed once loaded): every explanation
    page writes its duty's deadline."""
    key = (text, id(parameters))
    kept = _WRITTEN.get(key)
    if kept is not None and kept[0] is parameters:
        return kept[1]
    if len(_WRITTEN) >= 4096:
        _WRITTEN.clear()
    words = _written(text, parameters)
    _WRITTEN[key] = (parameters, words)
    return words


def _written(text: str, parameters: dict) -> str:
    for name in sorted(parameters, key=len, reverse=True):
        v = parameters[name]
        words = written_parameter(name, v)
        text = re.sub(rf"\b{re.escape(name)}\s+weeks?(\(s\))?", words, text)
        bare = str(v) if isinstance(v, int) and not name.endswith("_gbp") else words
        text = re.sub(rf"\b{re.escape(name)}\b", bare, text)
    return text
