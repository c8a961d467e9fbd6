"""Backups that are whole or say why, and restores of a checked copy only (SQLite stores).

`backup` copies the store with SQLite's online backup (consistent while others write) to a
new file, readable by its owner only (mode 0600), and checks the copy before reporting
success: `PRAGMA integrity_check`, and every table's row count equal to the store's as the
copy saw it (counted inside the same read transaction as the copy). A copy that fails is
removed and the reason given. `restore` checks a copy the same way, keeps the store it
replaces as a checked backup beside it, and only then copies it in (SQLite's backup API
again: readers never see half a store).

Files are opened by `file:` URIs built by `Path.as_uri()`, so any legal path works (`#`,
`?`, spaces, accents). PostgreSQL stores are backed up and restored with PostgreSQL's own
tools (`pg_dump --format=custom`, `pg_restore`), as docs/operations.md says.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from monitor.db import StoreError, parse_url, web_database_file

PG_TOOLS = "back up PostgreSQL with pg_dump --format=custom and restore with pg_restore (docs/operations.md)"


@dataclass(frozen=True)
class Copy:
    """A checked copy: its file and the row count of each of its tables."""

    path: Path
    rows: dict[str, int]

    def describe(self) -> str:
        return f"{len(self.rows)} tables, {sum(self.rows.values()):,} rows, checked"


def backup(url: str, target: Path) -> Copy:
    """Copy the SQLite store at `url` to the new file `target` and check the copy."""
    store = sqlite_file(url, "backup")
    if not store.is_file():
        raise StoreError(f"there is no SQLite store at {store}")
    if target.exists():
        raise StoreError(f"{target} exists: back up to a new file")
    return _copy(store, target)


def backup_access_log(url: str, target: Path) -> Copy | None:
    """Copy the served app's database beside the SQLite store (its sessions and the access
    log) beside `target`, checked the same way; None when there is none. A restore leaves
    the live access log as it is: it records who looked at what, before and after."""
    source = web_database_file(sqlite_file(url, "backup"))
    if not source.is_file():
        return None
    copy = web_database_file(target)
    if copy.exists():
        raise StoreError(f"{copy} exists: back up to a new file")
    return _copy(source, copy)


def restore(url: str, source: Path) -> tuple[Copy, Copy | None]:
    """Put the checked copy `source` in place of the SQLite store at `url`; the store it
    replaces is first kept as a checked backup beside it. Returns (restored, kept)."""
    store = sqlite_file(url, "restore")
    if not source.is_file():
        raise StoreError(f"there is no backup at {source}")
    try:
        with _opened(source) as conn:
            if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone():
                raise StoreError(f"{source} is not a send-monitor store (it has no schema revision)")
            expected = _check(conn, source)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{source} is not a whole SQLite store ({exc})") from None
    kept = None
    if store.is_file():
        kept = _copy(store, store.with_name(f"{store.name}.before-restore-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"))
    try:
        with _opened(source) as src, _opened(store, read_only=False) as dest:
            src.backup(dest)
            restored = _check(dest, store)
    except (sqlite3.Error, OSError) as exc:
        raise StoreError(f"cannot restore {source} to {store}: {_reason(exc)}") from None
    if restored != expected:
        raise StoreError(f"the restored store does not match {source}{_kept(kept)}")
    return Copy(store, restored), kept


def _kept(kept: Copy | None) -> str:
    return f"; the store it replaced is kept at {kept.path}" if kept else ""


def sqlite_file(url: str, command: str) -> Path:
    """The file of the SQLite store at `url`; a StoreError for any other store."""
    parsed = parse_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise StoreError(f"`{command}` is for SQLite stores; {PG_TOOLS}")
    if not parsed.database or parsed.database == ":memory:":
        raise StoreError(f"`{command}` needs a SQLite store in a file, not {parsed.database or 'memory'}")
    return Path(parsed.database).resolve()


@contextmanager
def _opened(path: Path, read_only: bool = True) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True) if read_only else sqlite3.connect(path)
    try:
        yield conn
    finally:
        conn.close()


def _copy(store: Path, target: Path) -> Copy:
    """SQLite's online backup of `store` to `target` (new, mode 0600), checked; removed if not whole."""
    partial = target.with_name(f".{target.name}.partial")
    try:
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        with _opened(store) as source, _opened(partial, read_only=False) as copy:
            source.execute("BEGIN")  # one read transaction: the counts and the copy see one snapshot
            tables = _tables(source)
            counted = {t: source.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
            source.backup(copy)
            source.rollback()
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            found = _check(copy, target)
        if found != counted:
            table = next(t for t in sorted(set(found) | set(counted)) if found.get(t) != counted.get(t))
            raise StoreError(
                f"the copy is not whole: table {table} has {found.get(table, 0):,} rows in the copy and "
                f"{counted.get(table, 0):,} in the store"
            )
        _sync(partial)
        partial.rename(target)
        _sync(target.parent)
    except StoreError as exc:
        partial.unlink(missing_ok=True)
        raise StoreError(f"cannot back up the store to {target}: {exc}") from None
    except (sqlite3.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise StoreError(f"cannot back up the store to {target}: {_reason(exc)}") from None
    finally:
        for suffix in ("-journal", "-wal", "-shm"):
            partial.with_name(partial.name + suffix).unlink(missing_ok=True)
    return Copy(target, found)


def _tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return sorted(name for (name,) in rows)


def _check(conn: sqlite3.Connection, path: Path) -> dict[str, int]:
    """The row count of every table of a copy whose `PRAGMA integrity_check` passes."""
    problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    if problems != ["ok"]:
        raise StoreError(f"{path} is damaged (SQLite's integrity check: {problems[0]})")
    return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in _tables(conn)}


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return str(exc)
