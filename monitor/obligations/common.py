"""What the builders share: the common facts (scope, closing, timing), how they are counted,
and reading records fast (named tuples, streamed, filtered by key)."""

from __future__ import annotations

import functools
from collections import namedtuple
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from monitor.dates import days_between, long_date
from monitor.facts import Fact
from monitor.models import Appeal

TIMED = (
    Fact("due_known", "bool", "the deadline is known (not blank)"),
    Fact("done", "bool", "the duty is done: its done-date is set and on or before the as-of date"),
    Fact(
        "days_left",
        "int",
        "days from the as-of date to the deadline, negative once it has passed (left out when the deadline is blank)",
        optional=True,
    ),
    Fact(
        "days_after_due",
        "int",
        "days from the deadline to the done-date, 0 or less when on time (left out unless done, with a known deadline)",
        optional=True,
    ),
)
SCOPE = (
    Fact("decision_type", "text", "the type of the appealed decision (decision_type)"),
    Fact("decision_date", "date", "the date of the appealed decision (decision_date)"),
    Fact("health_issue", "bool", "the appeal raises a health issue"),
    Fact("social_care_issue", "bool", "the appeal raises a social care issue"),
)
CLOSED = ("withdrawn", "conceded")  # an appeal's statuses that end it without a decision
CLOSING = (
    Fact("appeal_status", "text", "the appeal's status: open, withdrawn, conceded or decided"),
    Fact("closed_by_as_of", "bool", "the appeal's closed_on is set and on or before the as-of date"),
    Fact(
        "days_due_after_closing",
        "int",
        "days from the appeal's closed_on to this duty's deadline (left out when either is blank)",
        optional=True,
    ),
)


def timed(due: date | None, done: date | None, as_of: date) -> dict[str, Any]:
    """The facts of a dated duty: is it done, is the deadline known, how far from it."""
    facts: dict[str, bool | int] = {"due_known": due is not None, "done": done is not None}
    if due is not None:
        facts["days_left"] = days_between(as_of, due)
        if done is not None:
            facts["days_after_due"] = days_between(due, done)
    return facts


def known(**values: Any) -> dict[str, Any]:
    """Facts whose value is known; blanks are left out."""
    return {k: v for k, v in values.items() if v is not None}


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def with_keys(stmt: Select, column: ColumnElement, keys: Iterable[str] | None) -> Select:
    return stmt if keys is None else stmt.where(column.in_(list(keys)))


def each(conn: Connection, stmt: Select) -> Iterator[Any]:
    """The rows of a query as named tuples, fetched (streamed where the driver can) many at a time.

    Reading a field of a named tuple costs a fraction of reading one of SQLAlchemy's rows,
    and the builders read a million rows' fields several times each."""
    result = conn.execute(stmt, execution_options={"yield_per": 5000})
    return map(_record_type(tuple(result.keys()))._make, result)


@functools.cache
def _record_type(fields: tuple[str, ...]) -> Any:
    return namedtuple("Record", fields)  # the fields of a query, known at run time


def scope(appeal: Any) -> dict[str, Any]:
    """The facts the tables judge an appeal's scope by."""
    return {
        "decision_type": appeal.decision_type,
        "decision_date": appeal.decision_date,
        "health_issue": bool(appeal.health_issue),
        "social_care_issue": bool(appeal.social_care_issue),
    }


def closing(appeal: Any, deadline: date | None, as_of: date) -> dict[str, Any]:
    """The facts the tables judge a closure by: status, closed by the as-of date, and how long
    before this deadline (a blank deadline gives no such fact)."""
    closed = appeal.closed_on
    facts: dict[str, Any] = {"appeal_status": appeal.status, "closed_by_as_of": closed is not None and closed <= as_of}
    if closed is not None and deadline is not None:
        facts["days_due_after_closing"] = days_between(closed, deadline)
    return facts


def closure(appeal: Any) -> dict[str, str]:
    """What a reason says of the appeal's closure (`{closure}`: "withdrawn on 3 March 2020"),
    for an appeal withdrawn or conceded on a known date; nothing otherwise."""
    if appeal.closed_on is None or appeal.status not in CLOSED:
        return {}
    return {"closure": f"{appeal.status} on {long_date(appeal.closed_on)}"}


def appeal_record(a: Any) -> tuple[str, str, dict]:
    return (
        "appeal",
        a.appeal_id,
        {
            "decision_type": a.decision_type,
            "decision_date": iso(a.decision_date),
            "registered_on": iso(a.registered_on),
            "health_issue": a.health_issue,
            "social_care_issue": a.social_care_issue,
            "la_response_due_on": iso(a.la_response_due_on),
            "la_response_sent_on": iso(a.la_response_sent_on),
            "hearing_on": iso(a.hearing_on),
            "status": a.status,
            "closed_on": iso(a.closed_on),
        },
    )


def appeal_rows(conn: Connection, as_of: date, keys: Iterable[str] | None) -> Iterator[Any]:
    t = Appeal.__table__
    stmt = select(t).where(t.c.registered_on <= as_of).order_by(t.c.appeal_id)
    return each(conn, with_keys(stmt, t.c.appeal_id, keys))
