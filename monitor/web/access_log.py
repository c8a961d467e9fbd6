"""The access log: who looked at which case-level page or download, when, and what they got.

Append-only: each page or download showing case-level data that is served or refused adds one
row (subject, e-mail, path, area, case references, outcome). A row that cannot be written is
an AccessLogError, and the page is then refused. Rows older than `[web] access_log_days`
are pruned, at most once a day by each process. Exported by `send-monitor access log`.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from monitor.exports import BOM, neutralise
from monitor.models import AccessLogEntry
from monitor.store import store_failure
from monitor.web.words import UK

log = logging.getLogger(__name__)
TABLE = AccessLogEntry.__table__
COLUMNS = ("when", "subject", "email", "path", "area", "case_refs", "outcome")
PRUNE_EVERY = timedelta(days=1)


class AccessLogError(Exception):
    """The access log cannot be written: the page or download must not leave."""


class AccessLog:
    """The access log of one web database (see monitor/web/webstore.py)."""

    def __init__(self, engine: Engine, keep_days: int, clock: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self.engine = engine
        self.keep_days = keep_days
        self.clock = clock
        self._next_prune: datetime | None = None

    def append(
        self,
        *,
        subject: str,
        email: str | None,
        path: str,
        area: str | None,
        case_refs: Iterable[str],
        outcome: int,
    ) -> None:
        """Write one row in a transaction of its own; AccessLogError when it cannot be written."""
        now = self.clock()
        row = dict(
            at=now, subject=subject, email=email, path=path, area=area, case_refs=list(case_refs), outcome=outcome
        )
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(TABLE).values(**row))
        except (SQLAlchemyError, OSError) as exc:
            why = store_failure(exc, self.engine.url) or f"the access log refused the row ({type(exc).__name__})"
            log.error("access log: %s", why)
            raise AccessLogError(why) from None
        if self._next_prune is None or now >= self._next_prune:
            self._next_prune = now + PRUNE_EVERY
            self.prune(now)

    def prune(self, now: datetime | None = None) -> int:
        """Delete the rows older than the retention period; returns how many (0 if it failed)."""
        cut = (now or self.clock()) - timedelta(days=self.keep_days)
        try:
            with self.engine.begin() as conn:
                deleted = conn.execute(delete(TABLE).where(TABLE.c.at < cut)).rowcount
        except (SQLAlchemyError, OSError) as exc:
            log.warning(
                "access log: old rows not pruned: %s", store_failure(exc, self.engine.url) or type(exc).__name__
            )
            return 0
        if deleted:
            log.info("access log: %d rows older than %d days pruned", deleted, self.keep_days)
        return deleted

    def entries(self, since: date | None = None) -> Iterator[AccessLogEntry]:
        """The rows from the start of `since` (UK time), oldest first."""
        query = select(TABLE).order_by(TABLE.c.at, TABLE.c.id)
        if since is not None:
            query = query.where(TABLE.c.at >= datetime.combine(since, time(), UK).astimezone(UTC))
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                yield AccessLogEntry.model_validate(row._mapping)


def _record(entry: AccessLogEntry) -> dict:
    at = entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=UTC)
    return {
        "when": at.astimezone(UK).isoformat(timespec="seconds"),
        "subject": entry.subject,
        "email": entry.email or "",
        "path": entry.path,
        "area": entry.area or "",
        "case_refs": list(entry.case_refs or []),
        "outcome": entry.outcome,
    }


def export_csv(entries: Iterable[AccessLogEntry]) -> Iterator[str]:
    """The rows as CSV for Excel too (a byte-order mark; a cell that would start a formula
    gets a leading '), case references separated by spaces."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for entry in entries:
        record = _record(entry)
        record["case_refs"] = " ".join(record["case_refs"])
        writer.writerow([neutralise(record[c]) for c in COLUMNS])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()


def export_json(entries: Iterable[AccessLogEntry]) -> Iterator[str]:
    """The rows as one JSON document {"access_log": [...]}, written row by row."""
    yield '{"access_log": ['
    for n, entry in enumerate(entries):
        yield ("," if n else "") + "\n  " + json.dumps(_record(entry), ensure_ascii=False)
    yield "\n]}\n"
