"""Opening the store: any SQLAlchemy URL, SQLite by default; schema created on first use."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from sqlalchemy import JSON, Table, event
from sqlalchemy.engine import Connection, Engine
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
    _ensure_schema(engine)
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

    All rows must have the keys of the first. On SQLite, dates and decimals are
    written in the text forms SQLAlchemy itself uses.
    """
    if not rows:
        return
    columns = list(rows[0])
    quote = conn.dialect.identifier_preparer.quote
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
           f"VALUES ({', '.join([mark] * len(columns))})")
    convert = [_sqlite_value if conn.dialect.name == "sqlite" else _pg_value] * len(columns)
    json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
    for i, c in enumerate(columns):
        if c in json_columns:
            convert[i] = _json_value
    conn.exec_driver_sql(sql, [tuple(f(r[c]) for f, c in zip(convert, columns)) for r in rows])


def _sqlite_value(value):
    if isinstance(value, (date, Decimal)):
        return str(value)
    return value


def _pg_value(value):
    return value


def _json_value(value):
    return None if value is None else json.dumps(value)
