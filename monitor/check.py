"""The check: build each duty's obligations, decide them with durable-rules, store the findings.

For each rule: its builder yields obligations (facts precomputed), their facts
are posted as events to the duty's ruleset, and the matching decision-table row
gives the status (each distinct set of facts is posted once per check: see
`decide.decide`). Findings that changed are written, with a history entry whenever a
finding appears or its status changes. Not-applicable findings are not stored:
one that becomes not applicable is removed, with a history entry saying so.

A check is incremental when it can be: after a previous check with the same rule
versions and an earlier or equal as-of date, only the subjects that can have
changed are re-evaluated (see `monitor.plan`). Anything else is a full check; the first
check of a store (no finding or history stored) drops their secondary indexes and builds
them once, after writing.
A check reads and writes in one transaction over one snapshot (see `snapshot`).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import desc, func, insert, select, update
from sqlalchemy.engine import Connection, Engine

from monitor.dates import days_between
from monitor.db import chunks, create_indexes, drop_indexes
from monitor.decide import decide, posted, register
from monitor.facts import BUILDERS, Obligation
from monitor.findings_writer import FindingsWriter
from monitor.models import CheckRun, Finding, FindingChange, ImportBatch
from monitor.plan import plan
from monitor.recorded_exceptions import active_exceptions, idle_exceptions
from monitor.rules import Row, Rule

Progress = Callable[[str, int, int | None], None]


@dataclass(slots=True)
class Verdict:
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
    mode: str  # full or incremental
    evaluated: int  # obligations evaluated
    decided: int  # distinct fact sets posted to durable-rules
    changed: int
    counts: dict[str, dict[str, int]]  # duty -> status -> n
    idle_exceptions: list[tuple[str, str, str]] = field(default_factory=list)  # (id, duty, subject) excusing nothing


class _Fill(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def evaluate(rule: Rule, obligation: Obligation, as_of: date, exceptions: dict, memo: dict | None = None) -> Verdict:
    """Decide one obligation with the rule's ruleset (registered by `evaluate_duty`)."""
    exception = exceptions.get((rule.id, obligation.subject))
    obligation.facts["excepted"] = exception is not None
    row = decide(rule, obligation.facts, memo)
    days_late = 0
    if row.status == "late":
        if obligation.due_on is not None and obligation.done_on is not None:
            days_late = days_between(obligation.due_on, obligation.done_on)
    elif row.status == "overdue" and obligation.due_on is not None:
        days_late = days_between(obligation.due_on, as_of)
    reason = row.reason
    if reason and "{" in reason:
        values = {**obligation.info}
        if exception:
            values.update(exception_id=exception["exception_id"], granted_by=exception["granted_by"])
        reason = reason.format_map(_Fill(values))
    return Verdict(obligation, row, row.status, days_late, reason, exception)


def evaluate_duty(
    conn: Connection,
    rule: Rule,
    as_of: date,
    keys: Iterable[str] | None = None,
    exceptions: dict | None = None,
    decided: dict | None = None,
    evidence: bool = False,
):
    """Every obligation of one duty (or of the records `keys`), decided.

    `decided`, if given, receives the number of distinct fact sets the engine decided;
    `evidence` builds each obligation's records and deadline text (for explanations)."""
    if exceptions is None:
        exceptions = active_exceptions(conn, as_of, rule.id)
    register(rule)
    memo: dict = {}
    for obligation in obligations(conn, rule, as_of, keys, evidence):
        yield evaluate(rule, obligation, as_of, exceptions, memo)
    if decided is not None:
        decided[rule.id] = posted(memo)


def obligations(conn: Connection, rule: Rule, as_of: date, keys: Iterable[str] | None = None, evidence: bool = False):
    """The duty's obligations as of `as_of`: all, or those of the records `keys` (queried in chunks);
    with `evidence`, each with the records it used and how its deadline was counted."""
    build = BUILDERS[rule.obligation]
    for chunk in [None] if keys is None else chunks(sorted(keys)):
        yield from build(conn, as_of, rule.parameters, chunk, evidence=evidence)


def last_check(conn: Connection) -> CheckRun | None:
    t = CheckRun.__table__
    row = conn.execute(select(t).where(t.c.finished_at.is_not(None)).order_by(desc(t.c.id)).limit(1)).mappings().first()
    return CheckRun(**row) if row else None


def run_check(
    engine: Engine, rules: dict[str, Rule], as_of: date, progress: Progress | None = None, full: bool = False
) -> CheckResult:
    """Evaluate the duties as of `as_of` (incrementally when possible) and store the findings.

    Everything the check decides from is read in one transaction, from one snapshot of
    the store (see `snapshot`); the check records the last import batch that snapshot
    holds, so an import committing meanwhile is picked up by the next check."""
    threshold = gc.get_threshold()
    gc.set_threshold(100_000, 50, 50)  # a million short-lived obligations: collect cycles less often
    try:
        return _check(engine, rules, as_of, progress, full)
    finally:
        gc.set_threshold(*threshold)


def _check(engine: Engine, rules: dict[str, Rule], as_of: date, progress: Progress | None, full: bool) -> CheckResult:
    changed = evaluated = 0
    with snapshot(engine) as conn:
        previous = last_check(conn)
        dirty = None if full else plan(conn, rules, as_of, previous)
        mode = "full" if dirty is None else "incremental"
        last_batch = conn.execute(select(func.max(ImportBatch.__table__.c.id))).scalar() or 0
        _planned(conn)
        key = conn.execute(
            insert(CheckRun.__table__).values(
                as_of=as_of,
                started_at=datetime.now(UTC),
                mode=mode,
                last_batch=last_batch,
                rule_versions={r.id: r.version for r in rules.values()},
                counts={},
            )
        ).inserted_primary_key
        assert key is not None  # an INSERT always has one
        check_id = key[0]
        exceptions = active_exceptions(conn, as_of)
        first = dirty is None and _empty(conn, Finding.__table__) and _empty(conn, FindingChange.__table__)
        deferred = drop_indexes(conn, [Finding.__table__, FindingChange.__table__]) if first else []
        decided: dict[str, int] = {}
        moved: dict[str, dict[str, int]] = {}  # duty -> status -> findings gained (or lost)
        for rule in rules.values():
            keys = None if dirty is None else dirty[rule.id]
            if keys is not None and not keys:
                continue
            writer = FindingsWriter(conn, rule.id, as_of, check_id, keys)
            for verdict in evaluate_duty(conn, rule, as_of, keys, exceptions, decided):
                writer.add(verdict, rule)
                if progress and writer.evaluated % 5000 == 0:
                    progress(rule.id, writer.evaluated, None)
            writer.finish()
            moved[rule.id] = writer.moved
            evaluated += writer.evaluated
            changed += writer.changed
            if progress:
                progress(rule.id, writer.evaluated, writer.evaluated)
        create_indexes(conn, deferred)
        if first:  # nothing was stored: the counts are what this check stored
            counts = carried({}, moved)
        elif previous is None or dirty is None:
            counts = status_counts(conn)
        else:
            counts = carried(previous.counts, moved)
        idle = idle_exceptions(conn, as_of)
        conn.execute(
            update(CheckRun.__table__)
            .where(CheckRun.__table__.c.id == check_id)
            .values(finished_at=datetime.now(UTC), evaluated=evaluated, counts=counts)
        )
    return CheckResult(check_id, as_of, mode, evaluated, sum(decided.values()), changed, counts, idle)


def _empty(conn: Connection, table) -> bool:
    return conn.execute(select(1).select_from(table).limit(1)).first() is None


def _planned(conn: Connection) -> None:
    """Called once the check has planned, before it writes anything (tests hold a check open here)."""


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """One transaction that reads one consistent state of the store and then writes.

    SQLite: BEGIN IMMEDIATE before the first read (the driver would begin only at the
    first write), so no import commits between the reads and the writes. PostgreSQL:
    REPEATABLE READ, so every read sees the store as of the first one."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        try:
            yield conn
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


def carried(counts: dict[str, dict[str, int]], moved: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """The previous check's counts moved by this check's changes of status (every change of a
    stored finding's status is in its history): an incremental check counts no unchanged finding."""
    total = {duty: dict(by_status) for duty, by_status in counts.items()}
    for duty, by_status in moved.items():
        for status, n in by_status.items():
            total.setdefault(duty, {})[status] = total.get(duty, {}).get(status, 0) + n
    kept = {
        duty: {status: n for status, n in sorted(by_status.items()) if n} for duty, by_status in sorted(total.items())
    }
    return {duty: by_status for duty, by_status in kept.items() if by_status}


def status_counts(conn: Connection) -> dict[str, dict[str, int]]:
    """Stored findings by duty and status."""
    f = Finding.__table__
    counts: dict[str, dict[str, int]] = {}
    stmt = select(f.c.duty, f.c.status, func.count()).group_by(f.c.duty, f.c.status)
    for duty, status, n in conn.execute(stmt):
        counts.setdefault(duty, {})[status] = n
    return counts
