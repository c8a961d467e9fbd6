"""The running scheduler's heartbeat row: `send-monitor run` writes who it is and when it was
last alive into the store's `meta` table every `BEAT_SECONDS`, so `status` can tell a running
scheduler by its own record, not only by its lock (a lock can vanish with a database
session while its process still runs)."""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine

from monitor.locks import HOST
from monitor.locks.holders import pid_alive
from monitor.models import Meta

log = logging.getLogger("send_monitor.scheduler")

KEY = "scheduler"
BEAT_SECONDS = 30.0
STALE_AFTER = 3  # beats missed before the row no longer counts as a running scheduler


def beat(engine: Engine, pid: int, since: datetime) -> None:
    """Write (or refresh) the row; a store busy or unreachable just misses this beat."""
    value = json.dumps({"pid": pid, "host": HOST, "since": since.isoformat(), "beat": datetime.now(UTC).isoformat()})
    t = Meta.__table__
    try:
        with engine.begin() as conn:
            conn.execute(delete(t).where(t.c.key == KEY))
            conn.execute(t.insert().values(key=KEY, value=value))
    except Exception as exc:
        log.debug("missed a heartbeat (%s)", type(exc).__name__)


def clear(engine: Engine) -> None:
    """Remove the row (the scheduler stops)."""
    t = Meta.__table__
    try:
        with engine.begin() as conn:
            conn.execute(delete(t).where(t.c.key == KEY))
    except Exception as exc:
        log.debug("could not remove the heartbeat row (%s)", type(exc).__name__)


def latest(engine: Engine, now: datetime | None = None) -> dict | None:
    """The scheduler the row names, if its last beat is recent and its process is not known
    dead: pid, host, since, beat."""
    t = Meta.__table__
    with engine.connect() as conn:
        value = conn.execute(select(t.c.value).where(t.c.key == KEY)).scalar()
    try:
        row = json.loads(value) if value else None
        if not isinstance(row, dict):
            return None
        row["since"], row["beat"] = datetime.fromisoformat(row["since"]), datetime.fromisoformat(row["beat"])
    except (ValueError, KeyError, TypeError):
        return None
    now = now or datetime.now(UTC)
    if row.get("host") == HOST and not pid_alive(int(row.get("pid") or 0)):
        return None  # its process has died here
    return row if now - row["beat"] <= timedelta(seconds=BEAT_SECONDS * STALE_AFTER) else None


class Beating:
    """Beat every BEAT_SECONDS in a thread until stopped; the row is removed at the end."""

    def __init__(self, engine: Engine, pid: int, since: datetime):
        self.engine, self.pid, self.since = engine, pid, since
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scheduler-heartbeat", daemon=True)

    def _run(self) -> None:
        beat(self.engine, self.pid, self.since)
        while not self._stop.wait(BEAT_SECONDS):
            beat(self.engine, self.pid, self.since)

    def __enter__(self) -> Beating:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        clear(self.engine)
