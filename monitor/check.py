"""The check: build each duty's obligations, decide them with durable-rules, store the findings.

For each rule: its builder yields obligations (facts precomputed), their facts
are posted as events to the duty's ruleset, and the matching decision-table row
gives the status (each distinct set of facts is posted once per check: see
`decide.decide`). Findings that changed are written, with a history entry whenever a
finding appears or its status changes. Not-applicable findings are not stored:
one that becomes not applicable is removed, with a history entry saying so.

A check is incremental when it can be: after a previous check with the same rule
versions and an earlier or equal as-of date, only the subjects that can have
changed are re-evaluated (see `monitor.plan`). Anything else is a full check.
A check reads and writes in one transaction over one snapshot (see `snapshot`).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import and_, delete, desc, func, insert, null, select, update
from sqlalchemy.engine import Connection, Engine

from monitor.dates import days_between
from monitor.db import bulk_insert, bulk_update, create_indexes, driver_date, drop_indexes
from monitor.decide import decide, posted, register
from monitor.facts import BUILDERS, Obligation
from monitor.models import CheckRun, Finding, FindingChange, ImportBatch
from monitor.plan import plan
from monitor.recorded_exceptions import active_exceptions, idle_exceptions
from monitor.rules import Row, Rule

Progress = Callable[[str, int, int | None], None]
_FIELDS = (
    "record_key",
    "area",
    "owner",
    "case_ref",
    "status",
    "due_on",
    "done_on",
    "days_late",
    "reason",
    "rule_version",
    "rule_row",
)
_STATUS = _FIELDS.index("status")
_INSERTED = ("duty", "subject", *_FIELDS, "as_of", "status_since", "check_id")  # a new finding's columns
_HISTORY = (  # a history row's columns
    "check_id",
    "as_of",
    "duty",
    "subject",
    "area",
    "owner",
    "old_status",
    "new_status",
    "due_on",
    "done_on",
    "days_late",
    "reason",
    "rule_version",
)
_CHUNK = 2000
_BATCH = 20_000  # verdicts compared with the stored findings, and written, at a time


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
    for chunk in [None] if keys is None else _chunks(sorted(keys), _CHUNK):
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
            writer = _FindingsWriter(conn, rule.id, as_of, check_id, keys)
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


class _FindingsWriter:
    """Compares one duty's verdicts with the stored findings and writes the differences in batches.

    Outcomes are compared a batch at a time with the stored findings of their subjects
    (looked up by key), so memory stays bounded however many findings are stored. Findings
    are handled as tuples in the order of `_FIELDS`: comparing and writing a million of
    them as dicts or SQLAlchemy rows costs a good part of a full check."""

    def __init__(self, conn: Connection, duty: str, as_of: date, check_id: int, keys: set[str] | None):
        self.conn, self.duty, self.as_of, self.check_id = conn, duty, as_of, check_id
        self.keys = keys
        self.evaluated = 0
        self.seen: set[str] = set()  # subjects with a finding to store
        self.changed = 0
        self.pending: list[tuple[str, tuple]] = []  # (subject, fields) not yet compared
        self.inserts: list[tuple] = []
        self.updates: list[tuple] = []
        self.history: list[tuple] = []
        self.moved: dict[str, int] = {}  # status -> stored findings gained (or lost)
        day = driver_date(conn, as_of)
        self.stamp = (day, day, check_id)  # a new finding's as_of, status_since and check_id
        self.text_dates = isinstance(day, str)
        f = Finding.__table__
        self.none_stored = conn.execute(select(f.c.subject).where(f.c.duty == duty).limit(1)).first() is None
        self.stored = select(f.c.subject, f.c.status_since, *[f.c[c] for c in _FIELDS]).where(f.c.duty == duty)

    def _stored(self, subjects: list[str]) -> dict[str, tuple]:
        """The stored findings of `subjects`: subject -> (status_since, *fields)."""
        if self.none_stored:  # the duty's first check: nothing to look up
            return {}
        subject = Finding.__table__.c.subject
        found: dict[str, tuple] = {}
        for chunk in _chunks(subjects, _CHUNK):
            found.update((r[0], tuple(r[1:])) for r in self.conn.execute(self.stored.where(subject.in_(chunk))))
        return found

    def add(self, verdict: Verdict, rule: Rule) -> None:
        self.evaluated += 1
        status = verdict.status
        if status == "not_applicable":  # not stored: a stored finding that becomes one is retired
            return
        ob = verdict.obligation
        if self.none_stored:  # the duty's first check: each finding appears (its history: see `_appeared`)
            due: date | str | None = ob.due_on
            done: date | str | None = ob.done_on
            if self.text_dates:  # SQLite's text form, made here: cheaper than the driver's adapter
                due, done = ob.due_on and ob.due_on.isoformat(), ob.done_on and ob.done_on.isoformat()
            self.inserts.append(
                (self.duty, ob.subject, ob.key, ob.area, ob.owner, ob.case_ref, status, due, done, verdict.days_late)
                + (verdict.reason, rule.version, verdict.row.number, *self.stamp)
            )
            self.moved[status] = self.moved.get(status, 0) + 1
            if len(self.inserts) >= _BATCH:
                self._flush()
            return
        values = (
            ob.key,
            ob.area,
            ob.owner,
            ob.case_ref,
            status,
            ob.due_on,
            ob.done_on,
            verdict.days_late,
            verdict.reason,
            rule.version,
            verdict.row.number,
        )
        self.seen.add(ob.subject)
        self.pending.append((ob.subject, values))
        if len(self.pending) >= _BATCH:
            self._compare()

    def _compare(self) -> None:
        old = self._stored([subject for subject, _ in self.pending])
        for subject, values in self.pending:
            before = old.get(subject)
            status = values[_STATUS]
            if before is None:
                self.inserts.append((self.duty, subject, *values, *self.stamp))
            elif before[1:] != values:
                since = self.stamp[1] if before[_STATUS + 1] != status else before[0]
                self.updates.append((*values, self.stamp[0], since, self.check_id, self.duty, subject))
            else:
                continue
            self.changed += 1
            if before is None or before[_STATUS + 1] != status:
                self._history(subject, values, before[_STATUS + 1] if before is not None else None)
        self.pending = []
        self._flush()

    def _history(self, subject: str, values: tuple, old_status: str | None) -> None:
        _key, area, owner, _case, status, due_on, done_on, days_late, reason, version, _row = values
        if old_status is not None:
            self.moved[old_status] = self.moved.get(old_status, 0) - 1
        if status != "not_applicable":
            self.moved[status] = self.moved.get(status, 0) + 1
        self.history.append(
            (
                self.check_id,
                self.as_of,
                self.duty,
                subject,
                area,
                owner,
                old_status,
                status,
                due_on,
                done_on,
                days_late,
                reason,
                version,
            )
        )

    def _flush(self) -> None:
        f = Finding.__table__
        bulk_insert(self.conn, f, _INSERTED, self.inserts)
        bulk_update(self.conn, f, ("duty", "subject"), _INSERTED[2:], self.updates)
        bulk_insert(self.conn, FindingChange.__table__, _HISTORY, self.history)
        self.inserts, self.updates, self.history = [], [], []

    def finish(self) -> None:
        """Compare and write what is pending, and retire stored findings that are now not
        applicable (or whose record does not exist as of this date)."""
        if self.none_stored:
            self._flush()
            self._appeared()
            self.changed = sum(self.moved.values())
            return
        self._compare()
        f = Finding.__table__
        # the findings this check wrote were all seen
        stmt = select(f.c.subject).where(and_(f.c.duty == self.duty, f.c.check_id != self.check_id))
        if self.keys is None:
            stored = self.conn.execute(stmt, execution_options={"yield_per": 10_000}).scalars()
            gone = [s for s in stored if s not in self.seen]
        else:
            gone = []
            for chunk in _chunks(sorted(self.keys), _CHUNK):
                gone += [
                    s for s in self.conn.execute(stmt.where(f.c.record_key.in_(chunk))).scalars() if s not in self.seen
                ]
        for chunk in _chunks(gone, _CHUNK):
            for subject, old in self._stored(chunk).items():
                _since, _key, area, owner, case_ref, status, *_rest, version, row = old
                retired = (None, area, owner, case_ref, "not_applicable", None, None, 0)
                self._history(subject, (*retired, "not applicable as of this date", version, row), status)
            self._flush()
            self.conn.execute(delete(f).where(and_(f.c.duty == self.duty, f.c.subject.in_(chunk))))
        self.changed += len(gone)

    def _appeared(self) -> None:
        """The history of a duty's first check, from its findings just written: each appeared."""
        f = Finding.__table__
        columns = [f.c[c] if c in f.c else null() for c in _HISTORY]
        columns[_HISTORY.index("new_status")] = f.c.status
        rows = select(*columns).where(f.c.duty == self.duty).order_by(f.c.subject)
        self.conn.execute(insert(FindingChange.__table__).from_select(_HISTORY, rows))


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]
