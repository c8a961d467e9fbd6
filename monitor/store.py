"""Opening the store: any SQLAlchemy URL, SQLite by default; schema created on first use."""

from __future__ import annotations

import errno
import os
import sqlite3
from datetime import date
from decimal import Decimal

from sqlalchemy import Table, event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
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
    try:
        engine = create_engine(parse_url(url))
    except (ArgumentError, ImportError):
        raise StoreError(f"the database URL {shown_url(url)} is not one send-monitor can use: give "
                         "sqlite:///FILE or postgresql://USER@HOST/DB") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        _ensure_schema(engine)
    except DBAPIError as exc:
        raise StoreError(store_failure(exc, engine.url) or f"cannot open the store {shown_url(url)}") from None
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


# failures of the store, by SQLite result code and PostgreSQL SQLSTATE class: (what, what to do)
_FULL = ("the disk holding the store {url} is full", "free some space and run the command again")
_READ_ONLY = ("the store {url} is read-only", "make the database file and its folder writable for this "
              "user (or use a writable copy) and run the command again")
_BUSY = ("the store {url} stayed locked by another process for too long",
         "wait for it to finish and run the command again")
_SQLITE = {13: _FULL, 8: _READ_ONLY, 5: _BUSY, 6: _BUSY,
           14: ("cannot open the store {url}", "check that its folder exists and is writable"),
           10: ("a disk input/output error stopped the store {url}", "check the disk, then run the command again"),
           11: ("the store {url} is damaged", "restore it from a backup"),
           26: ("{url} is not an SQLite database", "point --db at the store's file")}
_PG = {"53100": _FULL, "25006": _READ_ONLY, "55P03": _BUSY,
       "53": ("the database server of the store {url} ran out of resources", "try again later"),
       "57": ("the database server of the store {url} is shutting down or starting",
              "run the command again when it is up"),
       "08": ("lost the connection to the store {url}", "check the server and the network, then run the command again"),
       "40": ("another process changed the store {url} at the same time", "run the command again"),
       "28": ("the database server refused the login to the store {url}", "check the user and password"),
       "3D": ("the database of the store {url} does not exist", "create it, or correct the URL")}
_UNREACHABLE = ("cannot open the store {url} ({why})", "check that the server is running and the URL is "
                "right, then run the command again")


def _read_only_file(database: str | None) -> bool:
    """Whether an existing SQLite file, or its folder, cannot be written (read-only mount or mode)."""
    if not database or database.startswith("file:") or not os.path.exists(database):
        return False
    folder = os.path.dirname(os.path.abspath(database))
    return bool(os.statvfs(folder).f_flag & os.ST_RDONLY) or not (os.access(database, os.W_OK)
                                                                   and os.access(folder, os.W_OK))


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
    if not isinstance(exc, DBAPIError):
        return None
    orig = exc.orig
    code = getattr(orig, "sqlite_errorcode", None)
    state = getattr(orig, "sqlstate", None) or ""
    if code is not None and code & 0xFF in (8, 14) and _read_only_file(parse_url(url).database):
        what, todo = _READ_ONLY
    elif code is not None:
        what, todo = _SQLITE.get(code & 0xFF, (f"the store {{url}} failed ({getattr(orig, 'sqlite_errorname', code)})",
                                               "run the command again with --debug for details"))
    elif state:
        what, todo = _PG.get(state, _PG.get(state[:2], (f"the store {{url}} refused an operation (SQLSTATE {state})",
                                                        "run the command again with --debug for details")))
    elif isinstance(exc, OperationalError):  # no code: the driver could not connect
        message = str(orig).lower()
        why = next((w for k, w in (("refused", "connection refused"), ("timeout", "timed out"),
                                   ("timed out", "timed out"), ("resolve", "unknown host"),
                                   ("translate host", "unknown host"), ("password", "login refused"),
                                   ("does not exist", "no such database or user"),
                                   ("closed", "the server closed the connection")) if k in message),
                   "no connection")
        what, todo = _UNREACHABLE[0].replace("{why}", why), _UNREACHABLE[1]
    else:
        what, todo = (f"the store {{url}} refused an operation ({type(orig).__name__})",
                      "run the command again with --debug for details")
    return f"{what.format(url=shown)}: {todo}"


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
    conn.exec_driver_sql(sql, [tuple(r[c] for c in columns) for r in rows])


def _sqlite_adapters() -> None:
    """Write dates and decimals to SQLite in the text forms SQLAlchemy itself uses."""
    sqlite3.register_adapter(date, date.isoformat)
    sqlite3.register_adapter(Decimal, str)


_sqlite_adapters()
