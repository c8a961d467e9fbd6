"""PostgreSQL's locks: a session advisory lock on a dedicated autocommit connection.

The server ends a session it thinks idle or gone (`idle_session_timeout`, a failover, a
network cut, a pooler) and the lock with it, while its holder may still be working. So a
held lock's session is kept busy: TCP keepalives, and a heartbeat query every
`HEARTBEAT_SECONDS` (well inside any idle timeout) that also checks the lock is still this
session's. `held()` asks the server now; once the lock is found gone, `lost` says why and
`on_lost` is told (once)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from monitor.locks.holders import SCHEDULER, STORE, Holder

_PG_CLASS = 0x53454E44  # "SEND": the first key of our advisory locks
_PG_KEYS = {STORE: 1, SCHEDULER: 2}
log = logging.getLogger("send_monitor.locks")

HEARTBEAT_SECONDS = 10.0
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
    def __init__(self, engine: Engine, name: str, on_lost: Callable[[str], None] | None = None):
        self.engine, self.name, self.on_lost = engine, name, on_lost
        self.conn: Connection | None = None
        self.lost: str | None = None  # why the lock was found gone while held
        self._use = threading.Lock()  # one statement at a time on the session
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None

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
        with self._use:
            conn = self._session()
            conn.execute(text("SELECT set_config('application_name', :v, false)"), {"v": _pg_tag(me)})
            got = bool(conn.execute(text(f"SELECT pg_try_advisory_lock({_PG_CLASS}, {_PG_KEYS[self.name]})")).scalar())
        if got:
            self.lost = None
            self._stop.clear()
            self._beat = threading.Thread(target=self._heartbeat, name=f"{self.name}-lock-heartbeat", daemon=True)
            self._beat.start()
        return got

    def held(self) -> bool:
        """Whether this session still holds the lock, asked of the server now."""
        if self.lost is not None:
            return False
        try:
            with self._use:
                ours = (
                    self._session()
                    .execute(
                        text(
                            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                            f"AND pid = pg_backend_pid() AND classid = {_PG_CLASS} AND objid = {_PG_KEYS[self.name]} "
                            "AND objsubid = 2"
                        )
                    )
                    .scalar()
                )
        except Exception as exc:  # the session ended: the server released the lock with it
            self._lose("its database session ended")
            log.debug("the %s lock's session: %s", self.name, type(exc).__name__)
            return False
        if not ours:
            self._lose("the server no longer shows it held by this session")
        return bool(ours)

    def _lose(self, why: str) -> None:
        if self.lost is None:
            self.lost = why
            log.debug("the %s lock was lost: %s", self.name, why)
            if self.on_lost is not None:
                self.on_lost(why)

    def _heartbeat(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            if not self.held():
                return

    def holder(self) -> Holder | None:
        with self._use:
            return pg_holder(self._session(), self.name)

    def take_over(self, holder: Holder) -> bool:
        if holder.backend is None:
            return False
        with self._use:
            return bool(
                self._session().execute(text("SELECT pg_terminate_backend(:p)"), {"p": holder.backend}).scalar()
            )

    def unlock(self) -> None:
        """Release the lock; a session already ended released it already (not an error)."""
        self._stop.set()
        if self.conn is not None and self.lost is None:
            try:
                with self._use:
                    self.conn.execute(text(f"SELECT pg_advisory_unlock({_PG_CLASS}, {_PG_KEYS[self.name]})"))
            except Exception:
                log.debug("the %s lock's session had ended before its release", self.name)
        self.close()

    def close(self) -> None:
        """End the session (which releases the lock, if held)."""
        self._stop.set()
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:
                log.debug("the %s lock's session could not be closed cleanly", self.name)
            finally:
                self.conn = None
