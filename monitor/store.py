"""Opening the store: any SQLAlchemy URL, SQLite by default; schema created on first use."""

from __future__ import annotations

import sqlite3
from operator import itemgetter
from datetime import date
from decimal import Decimal

from sqlalchemy import Table, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel, create_engine, select

from monitor import models
from monitor.models import SCHEMA_VERSION, Meta

DEFAULT_URL = "sqlite:///send-monitor.db"


class StoreError(Exception):
    """The store cannot be used (wrong schema version, unreachable server)."""


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def open_store(url: str = DEFAULT_URL) -> Engine:
    """Connect to the store at `url`, creating or checking its schema."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        _ensure_schema(engine)
    except OperationalError as exc:
        shown = engine.url.render_as_string(hide_password=True)
        raise StoreError(f"cannot open the store {shown}: {str(exc.orig).strip()}") from None
    return engine


def _ensure_schema(engine: Engine) -> None:
    assert models  # the tables are registered on SQLModel.metadata by importing models
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        row = session.exec(select(Meta).where(Meta.key == "schema_version")).first()
        if row is None:
            session.add(Meta(key="schema_version", value=str(SCHEMA_VERSION)))
            session.commit()
        elif int(row.value) != SCHEMA_VERSION:
            raise StoreError(
                f"the store has schema version {row.value}; this send-monitor "
                f"expects {SCHEMA_VERSION}"
            )


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
    conn.exec_driver_sql(sql, list(map(itemgetter(*columns), rows)) if len(columns) > 1 else
                         [(r[columns[0]],) for r in rows])


def _sqlite_adapters() -> None:
    """Write dates and decimals to SQLite in the text forms SQLAlchemy itself uses."""
    sqlite3.register_adapter(date, date.isoformat)
    sqlite3.register_adapter(Decimal, str)


_sqlite_adapters()
