"""Reading findings: the one query module the faces (CLI, publish, alerts) use.

The store holds the findings of the latest check; `check_runs` says which date
that was, and `finding_history` keeps what earlier checks found.
"""

from __future__ import annotations

import re

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, desc, select
from sqlalchemy.engine import Connection, Engine

from monitor.dates import english_bank_holidays
from monitor.engine import active_exceptions, evaluate_duty
from monitor.models import CheckRun, Finding, FindingChange, ImportBatch
from monitor.rules import Rule

EXPORT_FIELDS = ("duty", "subject", "area", "owner", "status", "due_on", "done_on", "days_late", "reason")


class FindingsError(Exception):
    """The findings asked for are not in the store."""


def latest_check(conn: Connection) -> CheckRun | None:
    t = CheckRun.__table__
    row = conn.execute(select(t).where(t.c.finished_at.is_not(None)).order_by(desc(t.c.id)).limit(1)).mappings().first()
    return CheckRun(**row) if row else None


def latest_import(conn: Connection) -> ImportBatch | None:
    t = ImportBatch.__table__
    row = conn.execute(select(t).order_by(desc(t.c.id)).limit(1)).mappings().first()
    return ImportBatch(**row) if row else None


def held_as_of(conn: Connection, as_of: date | None) -> date:
    """The as-of date of the stored findings; an error if `as_of` asks for another."""
    check = latest_check(conn)
    if check is None:
        raise FindingsError("no findings yet: run `send-monitor check` first")
    if as_of is not None and as_of != check.as_of:
        raise FindingsError(
            f"the store holds the findings as of {check.as_of.isoformat()}, not {as_of.isoformat()}: "
            f"run `send-monitor check --as-of {as_of.isoformat()}` first"
        )
    return check.as_of


def query_findings(conn: Connection, area: str | None = None, duty: str | None = None,
                   status: str | None = None, owner: str | None = None,
                   include_not_applicable: bool = False) -> list[dict]:
    """Current findings as dicts (export fields plus case_ref and rule details), sorted by duty, subject."""
    f = Finding.__table__
    stmt = select(f)
    for column, value in (("area", area), ("duty", duty), ("status", status), ("owner", owner)):
        if value is not None:
            stmt = stmt.where(f.c[column] == value)
    if not include_not_applicable:
        stmt = stmt.where(f.c.status != "not_applicable")
    rows = [dict(r) for r in conn.execute(stmt).mappings()]
    rows.sort(key=lambda r: (r["duty"], r["subject"]))
    return rows


def export_rows(rows: list[dict]) -> list[dict]:
    """The contract's shape: export fields only, dates as ISO strings."""
    out = []
    for r in rows:
        item = {k: r[k] for k in EXPORT_FIELDS}
        for k in ("due_on", "done_on"):
            item[k] = item[k].isoformat() if item[k] else None
        out.append(item)
    return out


def export_findings(engine: Engine, as_of: date | None, **filters) -> tuple[date, list[dict]]:
    """The findings of the latest check in the export shape, with the date they hold as of."""
    with engine.connect() as conn:
        held = held_as_of(conn, as_of)
        return held, export_rows(query_findings(conn, **filters))


def history(conn: Connection, duty: str, subject: str) -> list[dict]:
    t = FindingChange.__table__
    stmt = select(t).where(and_(t.c.duty == duty, t.c.subject == subject)).order_by(t.c.id)
    return [dict(r) for r in conn.execute(stmt).mappings()]


@dataclass
class Explanation:
    duty: Rule
    subject: str
    as_of: date
    status: str
    area: str
    owner: str
    case_ref: str | None
    due_on: date | None
    done_on: date | None
    days_late: int
    reason: str | None
    deadline: str
    facts: dict
    row_number: int
    row_text: str
    records: list[tuple[str, str, dict]]
    exception: dict | None
    bank_holiday: str | None
    stored: dict | None
    history: list[dict]


def explain(engine: Engine, rules: dict[str, Rule], duty: str, subject: str,
            as_of: date | None = None) -> Explanation:
    """Re-evaluate one (duty, subject) and say why: records, deadline, matching row, rule."""
    if duty not in rules:
        raise FindingsError(f"unknown duty {duty!r}: expected one of {', '.join(sorted(rules))}")
    rule = rules[duty]
    with engine.connect() as conn:
        check = latest_check(conn)
        if as_of is None:
            if check is None:
                raise FindingsError("no check has run yet: give --as-of")
            as_of = check.as_of
        exceptions = active_exceptions(conn, as_of, duty)
        keys = {subject, subject.rsplit(":", 1)[0]}
        outcome = next((o for o in evaluate_duty(conn, rule, as_of, keys=keys, exceptions=exceptions)
                        if o.obligation.subject == subject), None)
        if outcome is None:
            raise FindingsError(f"no subject {subject!r} for duty {duty} as of {as_of.isoformat()}")
        f = Finding.__table__
        stored = conn.execute(select(f).where(and_(f.c.duty == duty, f.c.subject == subject))).mappings().first()
        changes = history(conn, duty, subject)
    ob = outcome.obligation
    holiday = None
    if ob.due_on is not None:
        holiday = english_bank_holidays(range(ob.due_on.year, ob.due_on.year + 1)).get(ob.due_on)
    return Explanation(
        duty=rule, subject=subject, as_of=as_of, status=outcome.status, area=ob.area, owner=ob.owner,
        case_ref=ob.case_ref, due_on=ob.due_on, done_on=ob.done_on, days_late=outcome.days_late,
        reason=outcome.reason, deadline=ob.deadline, facts={**ob.facts, "excepted": outcome.exception is not None},
        row_number=outcome.row.number, row_text=outcome.row.describe(), records=ob.records,
        exception=outcome.exception, bank_holiday=holiday,
        stored=dict(stored) if stored else None, history=changes,
    )


def explanation_path(area: str, duty: str, subject: str) -> str:
    """Where the site keeps one finding's explanation, relative to the site root."""
    return f"areas/{_slug(area)}/explain/{duty}/{_slug(subject)}.html"


def _slug(text: str) -> str:
    """A file-name-safe, reversible form: characters outside [A-Za-z0-9.-] become _hh."""
    return re.sub(r"[^A-Za-z0-9.-]", lambda m: "".join(f"_{b:02x}" for b in m.group().encode()), text)
