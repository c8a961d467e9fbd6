"""Import an export (a folder of CSV files or a workbook) into the store, all or nothing.

One pass over each file, in import order, inside one transaction: every row is parsed
and checked (values, ids unique within the file, references into this import or the
store, the cross-record rules of the records standard against import and store
together) and, while no problem has been found, written in chunks. New records are
inserted (attributed to the import batch), changed records are updated with one audit
entry per changed column, identical records are left untouched. Any problem — every
one is reported (file, row, column, value, why) — rolls the whole import back, and a
dry run always does. Memory stays bounded: rows stream, only ids are kept. The first
import into an SQLite store writes through a rollback journal (see `journal`).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, update
from sqlalchemy.engine import Engine

from monitor.documents.model import Limits
from monitor.importing.checks import run_checks
from monitor.importing.journal import first_load_journal
from monitor.importing.mapping import Mapping
from monitor.importing.problems import Problem
from monitor.importing.readers import open_export
from monitor.importing.session import ImportResult, Progress, Session
from monitor.importing.table import read_table
from monitor.models import ImportBatch
from monitor.records import RECORD_TYPES

_SQLITE_CACHE_KIB = 32768


def import_folder(
    engine: Engine,
    path: Path,
    duty_ids: Iterable[str],
    progress: Progress | None = None,
    *,
    mapping: Mapping | None = None,
    dry_run: bool = False,
    area: str | None = None,
    unchanged: Callable[[], bool] | None = None,
    document_limits: Limits | None = None,
) -> ImportResult:
    """Validate the export at `path` (a folder or a workbook) against the store and, unless it
    has a problem or this is a dry run, write it. With `area`, the export may change only
    that area's records (see `checks.area`). `unchanged()` is asked just before the commit:
    False (the files changed while they were read) rolls back and marks the result `stale`.
    Its documents are read within `document_limits`."""
    threshold = gc.get_threshold()
    gc.set_threshold(100_000, 50, 50)  # millions of short-lived rows: collect cycles less often
    try:
        return _import(
            engine, Path(path), set(duty_ids), progress, mapping or Mapping(), dry_run, area, unchanged, document_limits
        )
    finally:
        gc.set_threshold(*threshold)


def _import(
    engine: Engine,
    path: Path,
    duty_ids: set[str],
    progress: Progress | None,
    mapping: Mapping,
    dry_run: bool,
    area: str | None,
    unchanged: Callable[[], bool] | None,
    limits: Limits | None,
) -> ImportResult:
    result = ImportResult(dry_run=dry_run)
    export = open_export(path, result.problems.append)
    result.notes.extend(export.notes)
    with engine.connect() as conn, first_load_journal(conn, dry_run):
        if conn.dialect.name == "sqlite":  # the stdlib driver would begin only at the first write
            conn.exec_driver_sql(f"PRAGMA cache_size=-{_SQLITE_CACHE_KIB}")  # fewer pages spilled to the WAL
            conn.exec_driver_sql("BEGIN" if dry_run else "BEGIN IMMEDIATE")
        trans = conn.get_transaction() if conn.in_transaction() else conn.begin()
        assert trans is not None
        try:
            session = Session(conn, result, duty_ids, mapping, progress, area)
            session.folder, session.document_limits = export.folder, limits or Limits()
            if not dry_run and not result.problems:
                inserted = conn.execute(
                    insert(ImportBatch.__table__).values(source=str(path), started_at=datetime.now(UTC), counts={})
                ).inserted_primary_key
                assert inserted is not None
                session.batch_id = inserted[0]
            for table in export.tables:
                read_table(session, table)
            for rtype in RECORD_TYPES:
                run_checks("end", rtype.name, session)
            result.problems.sort(key=Problem.sort_key)
            if result.problems or dry_run:
                trans.rollback()
                return result
            if unchanged is not None and not unchanged():
                trans.rollback()
                result.stale = True
                return result
            conn.execute(
                update(ImportBatch.__table__)
                .where(ImportBatch.__table__.c.id == session.batch_id)
                .values(finished_at=datetime.now(UTC), counts=result.counts)
            )
            trans.commit()
        except BaseException:
            trans.rollback()
            raise
    result.batch_id = session.batch_id
    return result
