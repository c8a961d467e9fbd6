"""PostgreSQL's locks: a session advisory lock on a dedicated autocommit connection."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from monitor.locks.holders import SCHEDULER, STORE, Holder

_PG_CLASS = 0x53454E44  # "SEND": the first key of our advisory locks
_PG_KEYS = {STORE: 1, SCHEDULER: 2}
_PG_KEEPALIVES = {"tcp_keepalives_idle": "30", "tcp_keepalives_interval": "10", "tcp_keepalives_count": "3"}


def _pg_tag(me: Holder) -> str:
    return f"send-monitor|{me.command}|{me.pid}|{int(me.since.timestamp())}|{me.host}"[:63]


def pg_holder(conn: Connection, name: str) -> Holder | None:
    row = conn.execute(
        text(
            "SELECT a.application_name, a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            f"WHERE l.locktype = 'advisory' AND l.granted AND l.classid = {_PG_CLASS} "
            f"AND l.objid = {_PG_KEYS[name]} AND l.objsubid = 2 "
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
    ).first()
    if row is None:
        return None
    parts = (row[0] or "").split("|", 4)
    if len(parts) == 5 and parts[0] == "send-monitor":
        try:
            return Holder(parts[1], int(parts[2]), parts[4], datetime.fromtimestamp(int(parts[3]), UTC), backend=row[1])
        except ValueError:
            pass
    return Holder("unknown", 0, "unknown", datetime.now(UTC), backend=row[1])


class AdvisoryLock:
    def __init__(self, engine: Engine, name: str):
        self.engine, self.name = engine, name
        self.conn: Connection | None = None

    def _session(self) -> Connection:
        if self.conn is None:
            conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            conn.detach()  # closing it ends the session (and the lock) instead of pooling it
            conn.execute(
                text("SELECT " + ", ".join(f"set_config('{k}', '{v}', false)" for k, v in _PG_KEEPALIVES.items()))
            )
            self.conn = conn
        return self.conn

    def try_lock(self, me: Holder) -> bool:
        conn = self._session()
        conn.execute(text("SELECT set_config('application_name', :v, false)"), {"v": _pg_tag(me)})
        return bool(conn.execute(text(f"SELECT pg_try_advisory_lock({_PG_CLASS}, {_PG_KEYS[self.name]})")).scalar())

    def holder(self) -> Holder | None:
        return pg_holder(self._session(), self.name)

    def take_over(self, holder: Holder) -> bool:
        if holder.backend is None:
            return False
        return bool(self._session().execute(text("SELECT pg_terminate_backend(:p)"), {"p": holder.backend}).scalar())

    def unlock(self) -> None:
        if self.conn is not None:
            try:
                self.conn.execute(text(f"SELECT pg_advisory_unlock({_PG_CLASS}, {_PG_KEYS[self.name]})"))
            finally:
                self.close()

    def close(self) -> None:
        """End the session (which releases the lock, if held)."""
        if self.conn is not None:
            try:
                self.conn.close()
            finally:
                self.conn = None
