"""Recording one duty's verdicts: compared with the stored findings, the differences written
as findings and history (see `FindingsWriter`)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import and_, delete, insert, null, select
from sqlalchemy.engine import Connection

from monitor.db import bulk_insert, bulk_update, chunks, driver_date
from monitor.models import Finding, FindingChange
from monitor.rules import Rule

if TYPE_CHECKING:
    from monitor.check import Verdict

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
# the columns the findings' secondary indexes hold: a change that leaves them as they were
# rewrites the row alone (most of a next check's changes: an overdue finding's days late)
_INDEXED = tuple(_FIELDS.index(c) for c in ("record_key", "area", "owner", "status"))
_UNINDEXED = tuple(i for i in range(len(_FIELDS)) if i not in _INDEXED)
_REWRITTEN = (*(_FIELDS[i] for i in _UNINDEXED), "as_of", "status_since", "check_id")
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
_BATCH = 20_000  # verdicts compared with the stored findings, and written, at a time


class FindingsWriter:
    """Compares one duty's verdicts with the stored findings and writes the differences in batches.

    Outcomes are compared a batch at a time with the stored findings of their subjects
    (looked up by key), so memory stays bounded however many findings are stored. Findings
    are handled as tuples in the order of `_FIELDS`: comparing and writing a million of
    them as dicts or SQLAlchemy rows costs a good part of a full check. A duty's first check
    (nothing stored) writes each finding as it comes, and their history at the end with one
    `INSERT … SELECT` from them."""

    def __init__(self, conn: Connection, duty: str, as_of: date, check_id: int, keys: set[str] | None):
        self.conn, self.duty, self.as_of, self.check_id = conn, duty, as_of, check_id
        self.keys = keys
        self.evaluated = 0
        self.seen: set[str] = set()  # subjects with a finding to store
        self.changed = 0
        self.pending: list[tuple[str, tuple]] = []  # (subject, fields) not yet compared
        self.inserts: list[tuple] = []
        self.updates: list[tuple] = []
        self.rewrites: list[tuple] = []  # updates of the `_REWRITTEN` columns alone
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
        for chunk in chunks(subjects):
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
                tail = (self.stamp[0], since, self.check_id, self.duty, subject)
                if all(before[i + 1] == values[i] for i in _INDEXED):
                    self.rewrites.append((*(values[i] for i in _UNINDEXED), *tail))
                else:
                    self.updates.append((*values, *tail))
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
        bulk_update(self.conn, f, ("duty", "subject"), _REWRITTEN, self.rewrites)
        bulk_insert(self.conn, FindingChange.__table__, _HISTORY, self.history)
        self.inserts, self.updates, self.rewrites, self.history = [], [], [], []

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
            for chunk in chunks(sorted(self.keys)):
                gone += [
                    s for s in self.conn.execute(stmt.where(f.c.record_key.in_(chunk))).scalars() if s not in self.seen
                ]
        for chunk in chunks(gone):
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
