"""Opening the store: any SQLAlchemy URL, SQLite by default (connecting: `monitor.db`).

A new store is created at the current schema revision; a store at an older revision is
refused until `send-monitor upgrade` migrates it (Alembic: monitor/migrations/).
"""

from __future__ import annotations

import errno
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

from monitor import migrations, models
from monitor.db import DEFAULT_URL, StoreError, connect, parse_url, shown_url
from monitor.retries import locked_or_busy

UPGRADE_HINT = "back it up, then run `send-monitor upgrade`"
_PG_LOCK = 7_310_613  # pg_advisory_xact_lock key: one schema change at a time


def open_store(url: str = DEFAULT_URL) -> Engine:
    """Connect to the store at `url`, creating its schema if it is new, refusing it if it is out of date."""
    engine = connect(url)
    with _errors(engine):
        with engine.connect() as conn:
            state = schema_state(conn)
        if state.revision is not None:
            _refuse_unless_current(state.revision)
        else:
            with _exclusive(engine.url.render_as_string(hide_password=False)) as conn:
                state = schema_state(conn)  # another process may have created it meanwhile
                if state.revision is None:
                    _create(conn)
                else:
                    _refuse_unless_current(state.revision)
    return engine


def upgrade_store(url: str = DEFAULT_URL) -> tuple[str | None, str]:
    """Bring the store to the current revision in one transaction; returns (from, to) revisions."""
    engine = connect(url)
    with _errors(engine), _exclusive(engine.url.render_as_string(hide_password=False)) as conn:
        state = schema_state(conn)
        if state.revision is None:
            _create(conn)
        else:
            _check_known(state.revision)
            if state.legacy:
                migrations.stamp(conn, state.revision)
            migrations.upgrade(conn)
    engine.dispose()
    return state.revision, migrations.head()


@dataclass(frozen=True)
class SchemaState:
    revision: str | None  # None: a new, empty store
    legacy: bool = False  # made before Alembic: the revision comes from meta.schema_version


def schema_state(conn: Connection) -> SchemaState:
    """Which revision the store is at, read from `alembic_version` or a pre-Alembic `meta`."""
    tables = set(inspect(conn).get_table_names())
    if "alembic_version" in tables:
        revision = migrations.current(conn)
        if revision is not None:
            return SchemaState(revision)
    if "meta" in tables:
        row = conn.execute(text("SELECT value FROM meta WHERE key = 'schema_version'")).first()
        if row is not None and row[0] in migrations.LEGACY:
            return SchemaState(migrations.LEGACY[row[0]], legacy=True)
        raise StoreError(
            f"the store has schema version {row[0] if row else 'none'}, which this send-monitor does not know"
        )
    if tables & set(SQLModel.metadata.tables):
        raise StoreError("the store has send-monitor tables but no schema revision")
    return SchemaState(None)


def _refuse_unless_current(revision: str) -> None:
    head = migrations.head()
    if revision != head:
        _check_known(revision)
        raise StoreError(f"the store is at schema revision {revision}; this send-monitor needs {head}: {UPGRADE_HINT}")


# failures of the store, by SQLite result code and PostgreSQL SQLSTATE class: (what, what to do)
_FULL = ("the disk holding the store {url} is full", "free some space and run the command again")
_READ_ONLY = (
    "the store {url} is read-only",
    "make the database file and its folder writable for this user (or use a writable copy) and run the command again",
)
_BUSY = (
    "the store {url} stayed locked by another process for too long",
    "wait for it to finish and run the command again",
)
_SQLITE = {
    13: _FULL,
    8: _READ_ONLY,
    14: ("cannot open the store {url}", "check that its folder exists and is writable"),
    10: ("a disk input/output error stopped the store {url}", "check the disk, then run the command again"),
    11: ("the store {url} is damaged", "restore it from a backup"),
    26: ("{url} is not an SQLite database", "point --db at the store's file"),
}
_PG = {
    "53100": _FULL,
    "25006": _READ_ONLY,
    "53": ("the database server of the store {url} ran out of resources", "try again later"),
    "57": (
        "the database server of the store {url} is shutting down or starting",
        "run the command again when it is up",
    ),
    "08": ("lost the connection to the store {url}", "check the server and the network, then run the command again"),
    "40": ("another process changed the store {url} at the same time", "run the command again"),
    "28": ("the database server refused the login to the store {url}", "check the user and password"),
    "3D": ("the database of the store {url} does not exist", "create it, or correct the URL"),
}
_UNREACHABLE = (
    "cannot reach the store {url} ({why})",
    "check that the server is running and the URL is right, then run the command again",
)


def _read_only_file(database: str | None) -> bool:
    """Whether an existing SQLite file, or its folder, cannot be written (read-only mount or mode)."""
    if not database or database.startswith("file:") or not os.path.exists(database):
        return False
    folder = os.path.dirname(os.path.abspath(database))
    return bool(os.statvfs(folder).f_flag & os.ST_RDONLY) or not (
        os.access(database, os.W_OK) and os.access(folder, os.W_OK)
    )


def _driver_errors(name: str) -> tuple[type[Exception], ...]:
    """The drivers' exception classes called `name` (psycopg's only once it is loaded: it is
    imported when a PostgreSQL store is opened, not before)."""
    drivers = [sqlite3, sys.modules.get("psycopg")]
    return tuple(getattr(d, name) for d in drivers if d is not None)


def store_failure(exc: BaseException, url: str | URL) -> str | None:
    """One line for a failure of the store or the disk: what failed and what to do, naming the
    store with its password hidden. Never the SQL, its values or the driver's message (they can
    carry record values). None if `exc` is no such failure."""
    shown = shown_url(url)
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return "the disk is full (no space left on device): free some space and run the command again"
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return f"a file could not be written ({exc.strerror}): make the folder writable and run the command again"
        return None
    if isinstance(exc, DBAPIError):
        orig = exc.orig
    elif isinstance(exc, _driver_errors("Error")):  # raised by the driver itself
        orig = exc
    else:
        return None
    code = getattr(orig, "sqlite_errorcode", None)
    state = getattr(orig, "sqlstate", None) or ""
    if locked_or_busy(exc):
        what, todo = _BUSY
    elif code is not None and code & 0xFF in (8, 14) and _read_only_file(parse_url(url).database):
        what, todo = _READ_ONLY
    elif code is not None:
        what, todo = _SQLITE.get(
            code & 0xFF,
            (
                f"the store {{url}} failed ({getattr(orig, 'sqlite_errorname', code)})",
                "run the command again with --debug for details",
            ),
        )
    elif state:
        what, todo = _PG.get(
            state,
            _PG.get(
                state[:2],
                (
                    f"the store {{url}} refused an operation (SQLSTATE {state})",
                    "run the command again with --debug for details",
                ),
            ),
        )
    elif isinstance(orig, _driver_errors("OperationalError")):  # no code: could not connect
        message = str(orig).lower()
        why = next(
            (
                w
                for k, w in (
                    ("refused", "connection refused"),
                    ("timeout", "timed out"),
                    ("timed out", "timed out"),
                    ("resolve", "unknown host"),
                    ("translate host", "unknown host"),
                    ("password", "login refused"),
                    ("does not exist", "no such database or user"),
                    ("closed", "the server closed the connection"),
                )
                if k in message
            ),
            "no connection",
        )
        what, todo = _UNREACHABLE[0].replace("{why}", why), _UNREACHABLE[1]
    else:
        what, todo = (
            f"the store {{url}} refused an operation ({type(orig).__name__})",
            "run the command again with --debug for details",
        )
    return f"{what.format(url=shown)}: {todo}"


def _create(conn: Connection) -> None:
    assert models  # the tables are registered on SQLModel.metadata by importing models
    SQLModel.metadata.create_all(conn)
    migrations.stamp_new(conn)


def _check_known(revision: str) -> None:
    if not migrations.is_known(revision):
        raise StoreError(
            f"the store is at schema revision {revision}, made by a newer "
            f"send-monitor; install that version (the store is unchanged)"
        )


@contextmanager
def _exclusive(url: str) -> Iterator[Connection]:
    """One transaction that holds the store's write lock, for changing its schema."""
    engine = connect(url)
    if engine.dialect.name == "sqlite":
        # The stdlib driver would commit around DDL: take over its transactions.
        event.listen(engine, "connect", lambda dbapi, _record: setattr(dbapi, "isolation_level", None))
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
    try:
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
            yield conn
    finally:
        engine.dispose()


@contextmanager
def _errors(engine: Engine) -> Iterator[None]:
    try:
        yield
    except DBAPIError as exc:
        raise StoreError(store_failure(exc, engine.url) or f"cannot open the store {shown_url(engine.url)}") from None
