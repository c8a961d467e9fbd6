"""Opening the store: any SQLAlchemy URL, SQLite by default.

A new store is created at the current schema revision; a store at an older revision is
refused until `send-monitor upgrade` migrates it (Alembic: monitor/migrations/).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Table, event, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlmodel import SQLModel, create_engine

from monitor import migrations, models

DEFAULT_URL = "sqlite:///send-monitor.db"
UPGRADE_HINT = "back it up, then run `send-monitor upgrade`"
_PG_LOCK = 7_310_613  # pg_advisory_xact_lock key: one schema change at a time


class StoreError(Exception):
    """The store cannot be used (out-of-date schema, unreachable server)."""


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def connect(url: str = DEFAULT_URL) -> Engine:
    """An engine for the store at `url`, its schema unchecked (postgres:// URLs use psycopg 3)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def open_store(url: str = DEFAULT_URL) -> Engine:
    """Connect to the store at `url`, creating its schema if it is new, refusing it if it is out of date."""
    engine = connect(url)
    with _errors(engine):
        with engine.connect() as conn:
            state = schema_state(conn)
        if state.revision is not None:
            _refuse_unless_current(state.revision)
        if state.revision is None or state.legacy:
            with _exclusive(engine.url.render_as_string(hide_password=False)) as conn:
                state = schema_state(conn)
                if state.revision is None:
                    _create(conn)
                else:
                    _refuse_unless_current(state.revision)
                    if state.legacy:  # made before Alembic, at the current schema
                        migrations.stamp(conn, state.revision)
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
        raise StoreError(f"the store has schema version {row[0] if row else 'none'}, which this "
                         f"send-monitor does not know")
    if tables & set(SQLModel.metadata.tables):
        raise StoreError("the store has send-monitor tables but no schema revision")
    return SchemaState(None)


def _refuse_unless_current(revision: str) -> None:
    head = migrations.head()
    if revision != head:
        _check_known(revision)
        raise StoreError(f"the store is at schema revision {revision}; this send-monitor "
                         f"needs {head}: {UPGRADE_HINT}")


def _create(conn: Connection) -> None:
    assert models  # the tables are registered on SQLModel.metadata by importing models
    SQLModel.metadata.create_all(conn)
    migrations.stamp(conn, migrations.head())


def _check_known(revision: str) -> None:
    if not migrations.is_known(revision):
        raise StoreError(f"the store is at schema revision {revision}, made by a newer "
                         f"send-monitor; install that version (the store is unchanged)")


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
    except (OperationalError, ProgrammingError) as exc:
        shown = engine.url.render_as_string(hide_password=True)
        raise StoreError(f"cannot open the store {shown}: {str(exc.orig).strip()}") from None


def backup_sqlite(url: str, target: Path) -> None:
    """Copy the SQLite store at `url` to the new file `target` with SQLite's online backup
    (consistent while other processes write); a partial copy is removed."""
    engine = connect(url)
    database = engine.url.database
    engine.dispose()
    if engine.dialect.name != "sqlite":
        raise StoreError(f"`backup` copies SQLite stores; back up {engine.dialect.name} with its own "
                         f"tools (PostgreSQL: pg_dump --format=custom)")
    if not database or database == ":memory:" or not Path(database).is_file():
        raise StoreError(f"there is no SQLite store at {database or '(memory)'}")
    if target.exists():
        raise StoreError(f"{target} exists: back up to a new file")
    partial = target.with_name(f".{target.name}.partial")
    try:
        source = sqlite3.connect(f"file:{Path(database).resolve()}?mode=ro", uri=True)
        try:
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)
            finally:
                copy.close()
        finally:
            source.close()
        partial.rename(target)
    except (sqlite3.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise StoreError(f"cannot back up the store to {target}: {exc}") from None


def bulk_insert(conn: Connection, table: Table, rows: list[dict]) -> None:
    """Insert many rows through the driver's executemany, skipping per-row ORM work.

    All rows must have the keys of the first; values are plain Python values
    (dates and decimals are adapted by the driver: see `_sqlite_adapters`).
    """
    if not rows:
        return
    columns = list(rows[0])
    quote = conn.dialect.identifier_preparer.quote
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
           f"VALUES ({', '.join([mark] * len(columns))})")
    conn.exec_driver_sql(sql, [tuple(r[c] for c in columns) for r in rows])


def _sqlite_adapters() -> None:
    """Write dates and decimals to SQLite in the text forms SQLAlchemy itself uses."""
    sqlite3.register_adapter(date, date.isoformat)
    sqlite3.register_adapter(Decimal, str)


_sqlite_adapters()
