"""The web database: where the access log and the sign-in sessions are written.

An import holds the store's one writer for its whole run. On SQLite these rows therefore go to
a database file of their own beside the store (`store.db` → `store.web.db`), so that pages
and their access-log rows never wait for an import; on PostgreSQL they go to the store's own
tables, each write in a short transaction of its own.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

from monitor.db import StoreError, connect, parse_url, web_database_file
from monitor.models import AccessLogEntry, WebSession

TABLES = [AccessLogEntry.__table__, WebSession.__table__]
SCHEMA = 1  # PRAGMA user_version of the web database file; raise it when TABLES change
BUSY_SECONDS = 5.0  # a write waits this long for another process's, then fails


def web_database_url(store_url: str) -> str:
    """The URL the web database is at, for the store at `store_url`."""
    url = parse_url(store_url)
    if not url.drivername.startswith("sqlite"):
        return store_url
    if not url.database or url.database == ":memory:":
        raise StoreError("the served dashboards need a store in a file (sqlite:///FILE), not in memory")
    store = Path(url.database)
    return str(url.set(database=str(web_database_file(store))))


def open_web_database(store_url: str) -> Engine:
    """An engine for the web database of the store at `store_url` (on SQLite: created if new)."""
    url = web_database_url(store_url)
    engine = connect(url)
    if engine.dialect.name != "sqlite":
        return engine
    event.listen(engine, "connect", _busy_timeout)
    with engine.begin() as conn:
        version = conn.exec_driver_sql("PRAGMA user_version").scalar()
        if version not in (0, SCHEMA):
            raise StoreError(
                f"the web database {url} was made by another send-monitor version (schema {version}): "
                "install that version, or move the file away to start a new access log"
            )
        if version == 0:
            for table in TABLES:
                table.create(conn, checkfirst=True)
            conn.exec_driver_sql(f"PRAGMA user_version = {SCHEMA}")
    return engine


def _busy_timeout(dbapi_connection, _record) -> None:
    dbapi_connection.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")
