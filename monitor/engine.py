"""The engine: build each duty's obligations, decide them with durable-rules, store the findings.

For each rule: its builder yields obligations (facts precomputed), each is posted
as one event to the duty's ruleset, and the matching decision-table row gives
the status. Findings that changed are written, with a history entry whenever a
finding appears or its status changes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import and_, bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Connection, Engine

from monitor.dates import days_between
from monitor.models import CheckRun, Finding, FindingChange, ImportBatch, RecordedException
from monitor.obligations import BUILDERS, Obligation
from monitor.rules import Row, Rule, decide, register

Progress = Callable[[str, int, int | None], None]
_FIELDS = ("area", "owner", "case_ref", "status", "due_on", "done_on", "days_late", "reason",
           "rule_version", "rule_row")


@dataclass
class Outcome:
    """What the decision table made of one obligation."""

    obligation: Obligation
    row: Row
    status: str
    days_late: int
    reason: str | None
    exception: dict | None


@dataclass
class CheckResult:
    check_id: int
    as_of: date
    counts: dict[str, dict[str, int]]  # duty -> status -> n
    changed: int


class _Fill(dict):
    def __missing__(self, key):
        return "{" + key + "}"


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


def evaluate(rule: Rule, obligation: Obligation, as_of: date, exceptions: dict) -> Outcome:
    """Decide one obligation with the rule's ruleset (registered on first use)."""
    register(rule)
    exception = exceptions.get((rule.id, obligation.subject))
    row = decide(rule, {**obligation.facts, "excepted": exception is not None})
    days_late = 0
    if row.status == "late":
        days_late = days_between(obligation.due_on, obligation.done_on)
    elif row.status == "overdue":
        days_late = days_between(obligation.due_on, as_of)
    reason = None
    if row.reason:
        values = {**obligation.info}
        if exception:
            values.update(exception_id=exception["exception_id"], granted_by=exception["granted_by"])
        reason = row.reason.format_map(_Fill(values))
    return Outcome(obligation, row, row.status, days_late, reason, exception)


def evaluate_duty(conn: Connection, rule: Rule, as_of: date, keys=None, exceptions=None):
    """Every obligation of one duty (or of the records `keys`), decided."""
    if exceptions is None:
        exceptions = active_exceptions(conn, as_of, rule.id)
    for obligation in BUILDERS[rule.obligation](conn, as_of, rule.parameters, keys):
        yield evaluate(rule, obligation, as_of, exceptions)


def _finding(outcome: Outcome, rule: Rule) -> dict:
    ob = outcome.obligation
    return {"area": ob.area, "owner": ob.owner, "case_ref": ob.case_ref, "status": outcome.status,
            "due_on": ob.due_on, "done_on": ob.done_on, "days_late": outcome.days_late,
            "reason": outcome.reason, "rule_version": rule.version, "rule_row": outcome.row.number}


def run_check(engine: Engine, rules: dict[str, Rule], as_of: date, progress: Progress | None = None) -> CheckResult:
    """Evaluate every duty as of `as_of` and store the findings, in one transaction."""
    counts: dict[str, dict[str, int]] = {}
    changed = 0
    with engine.begin() as conn:
        last_batch = conn.execute(select(func.max(ImportBatch.__table__.c.id))).scalar() or 0
        check_id = conn.execute(insert(CheckRun.__table__).values(
            as_of=as_of, started_at=datetime.now(timezone.utc), mode="full", last_batch=last_batch,
            rule_versions={r.id: r.version for r in rules.values()}, counts={},
        )).inserted_primary_key[0]
        exceptions = active_exceptions(conn, as_of)
        evaluated = 0
        for rule in rules.values():
            tally: Counter[str] = Counter()
            new: dict[str, dict] = {}
            for i, outcome in enumerate(evaluate_duty(conn, rule, as_of, exceptions=exceptions)):
                new[outcome.obligation.subject] = _finding(outcome, rule)
                tally[outcome.status] += 1
                if progress and i % 5000 == 0:
                    progress(rule.id, i, None)
            evaluated += len(new)
            changed += _store(conn, rule.id, new, as_of, check_id)
            counts[rule.id] = dict(tally)
            if progress:
                progress(rule.id, len(new), len(new))
        conn.execute(update(CheckRun.__table__).where(CheckRun.__table__.c.id == check_id).values(
            finished_at=datetime.now(timezone.utc), evaluated=evaluated, counts=counts))
    return CheckResult(check_id, as_of, counts, changed)


def _store(conn: Connection, duty: str, new: dict[str, dict], as_of: date, check_id: int) -> int:
    """Write the duty's findings that changed; record history for new findings and status changes."""
    f = Finding.__table__
    old = {r.subject: r for r in conn.execute(
        select(f.c.subject, f.c.status_since, *[f.c[c] for c in _FIELDS]).where(f.c.duty == duty))}
    inserts, updates, history = [], [], []
    for subject, values in new.items():
        before = old.pop(subject, None)
        if before is None:
            inserts.append({"duty": duty, "subject": subject, **values, "as_of": as_of,
                            "status_since": as_of, "check_id": check_id})
        elif any(getattr(before, c) != values[c] for c in _FIELDS):
            since = as_of if before.status != values["status"] else before.status_since
            updates.append({"k_subject": subject, **{f"v_{c}": v for c, v in values.items()},
                            "v_as_of": as_of, "v_check_id": check_id, "v_status_since": since})
        else:
            continue
        if before is None or before.status != values["status"]:
            history.append({"check_id": check_id, "as_of": as_of, "duty": duty, "subject": subject,
                            "area": values["area"], "owner": values["owner"],
                            "old_status": before.status if before else None,
                            "new_status": values["status"], "due_on": values["due_on"],
                            "done_on": values["done_on"], "days_late": values["days_late"],
                            "reason": values["reason"], "rule_version": values["rule_version"]})
    for subject, before in old.items():  # its record no longer exists as of this date
        history.append({"check_id": check_id, "as_of": as_of, "duty": duty, "subject": subject,
                        "area": before.area, "owner": before.owner, "old_status": before.status,
                        "new_status": "not_applicable", "due_on": None, "done_on": None,
                        "days_late": 0, "reason": "the record does not exist as of this date",
                        "rule_version": before.rule_version})
    for gone in _chunks(list(old), 500):
        conn.execute(delete(f).where(and_(f.c.duty == duty, f.c.subject.in_(gone))))
    for chunk in _chunks(inserts, 20000):
        conn.execute(insert(f), chunk)
    if updates:
        cols = {k[2:]: bindparam(k) for k in updates[0] if k.startswith("v_")}
        conn.execute(update(f).where(and_(f.c.duty == duty, f.c.subject == bindparam("k_subject")))
                     .values(cols), updates)
    for chunk in _chunks(history, 20000):
        conn.execute(insert(FindingChange.__table__), chunk)
    return len(inserts) + len(updates) + len(old)


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]
