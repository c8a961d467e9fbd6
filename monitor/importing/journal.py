"""The first import into an SQLite store writes through a rollback journal, not the write-ahead log.

Every page of a first load is new: through the log it is written twice (to the log, then
copied into the database file by the checkpoint), through a rollback journal once, and a
new page needs no journal entry. The switch is made only when nothing else has the store
open (SQLite refuses it at once otherwise, and the import keeps the log); meanwhile the
journal is synced on every commit (`synchronous=FULL`), so a kill or a power cut leaves
the store as it was before the import (the journal is rolled back when the store is next
opened). The log is back once the import has committed or rolled back, and every
connection asks for it when it opens the store, so a killed import leaves it for the next.
A reader that opens the store during a first load is told it is locked until the load ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from monitor.models import ImportBatch


@contextmanager
def first_load_journal(conn: Connection, dry_run: bool) -> Iterator[None]:
    """Around an import's transaction (`conn` has none open yet): a rollback journal when this
    is the first import into an SQLite store that no one else has open."""
    first = (
        not dry_run
        and conn.dialect.name == "sqlite"
        and conn.execute(select(ImportBatch.__table__.c.id).limit(1)).first() is None
    )
    switched = first and _journal(conn, "delete", "FULL")
    try:
        yield
    finally:
        if switched:
            _journal(conn, "wal", "NORMAL")


def _journal(conn: Connection, mode: str, synchronous: str) -> bool:
    """Set the journal mode (and the syncing that makes it safe); False when SQLite refuses it
    because another connection has the store open."""
    if conn.in_transaction():
        conn.rollback()  # (what read the store before: the mode changes only outside a transaction)
    try:
        if conn.exec_driver_sql(f"PRAGMA journal_mode={mode}").scalar() != mode:
            return False
    except OperationalError:  # "database is locked": someone else has it open
        conn.rollback()
        return False
    conn.exec_driver_sql(f"PRAGMA synchronous={synchronous}")
    conn.rollback()  # (ends SQLAlchemy's own transaction: no statement of SQLite's is open)
    return True
