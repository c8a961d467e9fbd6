"""Recorded exceptions (exceptions.csv): which are in force on a date, and which excused nothing."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, select
from sqlalchemy.engine import Connection

from monitor.models import Finding, RecordedException


def active_exceptions(conn: Connection, as_of: date, duty: str | None = None) -> dict[tuple[str, str], dict]:
    """Recorded exceptions in force on `as_of` (granted_on <= as_of <= expires_on), by (duty, subject)."""
    t = RecordedException.__table__
    stmt = select(t).where(and_(t.c.granted_on <= as_of, t.c.expires_on >= as_of)).order_by(t.c.exception_id)
    if duty is not None:
        stmt = stmt.where(t.c.duty == duty)
    found: dict[tuple[str, str], dict] = {}
    for row in conn.execute(stmt).mappings():
        found.setdefault((row["duty"], row["subject_id"]), dict(row))
    return found


def idle_exceptions(conn: Connection, as_of: date) -> list[tuple[str, str, str]]:
    """Recorded exceptions in force on `as_of` that excuse nothing: no stored finding of their duty
    and subject is an `exception` (a mistyped duty or subject, or a duty that is not breached),
    as (exception_id, duty, subject_id) by id."""
    x, f = RecordedException.__table__, Finding.__table__
    excusing = (
        select(f.c.subject)
        .where(and_(f.c.duty == x.c.duty, f.c.subject == x.c.subject_id, f.c.status == "exception"))
        .exists()
    )
    stmt = (
        select(x.c.exception_id, x.c.duty, x.c.subject_id)
        .where(and_(x.c.granted_on <= as_of, x.c.expires_on >= as_of, ~excusing))
        .order_by(x.c.exception_id)
    )
    return [(i, d, s) for i, d, s in conn.execute(stmt)]
