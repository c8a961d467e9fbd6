"""Connecting to a database: URLs, engines, SQLite's settings, and fast bulk writes.

Below `monitor.store` (which opens and upgrades the store) and the migrations; knows
nothing of the schema.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Index, Table, event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlmodel import create_engine

from monitor.config import DEFAULT_URL


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
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    try:
        # PostgreSQL: a pooled session the server ended while idle (idle_session_timeout, a
        # failover) is replaced on checkout instead of failing the next statement
        engine = create_engine(parse_url(url), pool_pre_ping=url.startswith("postgresql"))
    except (ArgumentError, ImportError) as exc:
        if isinstance(exc, ImportError) and url.startswith("postgresql"):
            raise StoreError(
                "a PostgreSQL store needs its driver: install send-monitor with the postgres extra "
                "(pip install 'send-monitor[postgres]')"
            ) from None
        raise StoreError(
            f"the database URL {shown_url(url)} is not one send-monitor can use: give "
            "sqlite:///FILE or postgresql://USER@HOST/DB"
        ) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def parse_url(url: str | URL) -> URL:
    """The URL, reading a password that contains `@` (`postgresql://u:p@ss@host/db`) as one."""
    if isinstance(url, URL):
        return url
    scheme, sep, rest = url.partition("://")
    head = rest.split("?", 1)[0]
    last = head.rfind("@")
    if sep and not scheme.startswith("sqlite") and last > head.find("@") >= 0:
        rest = rest[:last].replace("@", "%40") + rest[last:]
    return make_url(scheme + sep + rest)


def shown_url(url: str | URL) -> str:
    """The URL with its password hidden, for messages."""
    if isinstance(url, str) and url.startswith("sqlite"):
        return url  # no password; rendering would escape the path
    try:
        return parse_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(an unreadable database URL)"


@contextmanager
def driver_cursor(conn: Connection, sql: str) -> Iterator[Any]:
    """A cursor of the driver itself, for `sql` run without per-row SQLAlchemy work; the
    driver's errors are raised as SQLAlchemy's, as every other statement's are."""
    dbapi = conn.dialect.loaded_dbapi
    driver = conn.connection.driver_connection
    assert driver is not None
    cursor = driver.cursor()
    try:
        yield cursor
    except dbapi.Error as exc:
        raise DBAPIError.instance(sql, None, exc, dbapi.Error) from exc
    finally:
        cursor.close()


IN_CHUNK = 2000  # values in the IN list of one query
T = TypeVar("T")


def chunks(items: list[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    """`items` in slices of `size`: one query each, with an IN list of them."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


def bulk_insert(conn: Connection, table: Table, columns: Sequence[str], rows: list) -> None:
    """Insert many rows (sequences in the order of `columns`) through the driver itself:
    PostgreSQL's COPY, else `executemany`. Values are plain Python values (dates and
    decimals are adapted by the driver: see `_sqlite_adapters`)."""
    if not rows:
        return
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    if conn.dialect.name == "postgresql":
        sql = f"COPY {quote(table.name)} ({names}) FROM STDIN"
        with driver_cursor(conn, sql) as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
        return
    sql = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({', '.join(['?'] * len(columns))})"
    with driver_cursor(conn, sql) as cursor:
        cursor.executemany(sql, rows)


def bulk_update(conn: Connection, table: Table, keys: Sequence[str], columns: Sequence[str], rows: list) -> None:
    """Update many rows through the driver's `executemany`, each row a sequence of the new
    values of `columns` followed by the values of `keys` that pick the row to update (values
    as for `bulk_insert`)."""
    if not rows:
        return
    quote, mark = conn.dialect.identifier_preparer.quote, "?" if conn.dialect.name == "sqlite" else "%s"
    sql = (
        f"UPDATE {quote(table.name)} SET {', '.join(f'{quote(c)} = {mark}' for c in columns)} "
        f"WHERE {' AND '.join(f'{quote(k)} = {mark}' for k in keys)}"
    )
    with driver_cursor(conn, sql) as cursor:
        cursor.executemany(sql, rows)


def driver_date(conn: Connection, day: date) -> date | str:
    """`day` as `bulk_insert` passes it to the driver: SQLite's text form, converted once for
    the many rows that share it (the driver's adapter would convert it in every row)."""
    return day.isoformat() if conn.dialect.name == "sqlite" else day


def drop_indexes(conn: Connection, tables: Sequence[Table]) -> list[Index]:
    """Drop the tables' secondary indexes before a first bulk load (building an index once,
    sorted, is cheaper than a million inserts into it); give them to `create_indexes` once
    the rows are in. Inside the caller's transaction, so a failed load leaves them as they
    were; PostgreSQL's readers of the tables wait meanwhile (dropping an index locks its table)."""
    indexes = [index for table in tables for index in sorted(table.indexes, key=lambda i: str(i.name))]
    for index in indexes:
        index.drop(conn)
    return indexes


def create_indexes(conn: Connection, indexes: Sequence[Index]) -> None:
    """Build the indexes `drop_indexes` dropped."""
    for index in indexes:
        index.create(conn)


def _sqlite_adapters() -> None:
    """Write dates and decimals to SQLite in the text forms SQLAlchemy itself uses."""
    sqlite3.register_adapter(date, date.isoformat)
    sqlite3.register_adapter(Decimal, str)


_sqlite_adapters()


def web_database_file(store: Path) -> Path:
    """The file beside an SQLite store that holds the served app's sessions and access log
    (`store.db` → `store.web.db`)."""
    return store.with_name(f"{store.stem}.web{store.suffix or '.db'}")
