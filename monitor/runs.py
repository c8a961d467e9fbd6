"""The runs table and the store-wide locks, used by every writer.

**The writer lock.** ``import``, ``check``, ``publish``, ``alerts`` and each step of a scheduled
cycle hold ``StoreLock(engine, STORE, command)`` while they work, so they never interleave. A
second writer waits for it (saying whom it waits for) up to a timeout, then refuses naming the
holder. ``send-monitor run`` also holds ``StoreLock(engine, SCHEDULER)`` for its whole life, so
only one runs per database; it takes the writer lock per step, so commands run by hand fit in
between cycles.

**How a lock is held.** Nothing is stored in the database, so nothing stale can be left there:

- SQLite: ``flock`` on a file beside the database (``<db>.lock``, ``<db>.scheduler.lock``) holding
  the holder's command, pid, host and start as JSON. The kernel releases it when the process
  dies, so a killed holder is taken over at once; forked children close their copy at fork.
  (An SQLite store belongs to one machine.)
- PostgreSQL: a session advisory lock on a dedicated autocommit connection whose
  ``application_name`` names the holder. The server releases it when the session ends; TCP
  keepalives (30 s idle, then 3 probes 10 s apart) end the session of a host that died, so a
  lock held from another host expires about a minute after its holder stops answering. A
  holder on this host whose pid is dead (a session not yet closed) is terminated and taken
  over at once.

**Runs.** Every step of a scheduled cycle, and each ``alerts`` run, is a row in ``runs``
(start, end, outcome, counts, detail). Outcomes: running, ok, partial, failed, skipped,
interrupted. A row is only ever ``running`` while its process holds the writer lock, so when a
writer takes the lock, rows still ``running`` were left by a process that died: they become
``interrupted``. Until then they are *shown* as interrupted (``reported_runs``) unless their
process holds the writer lock.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import insert, select, text, update
from sqlalchemy.engine import Connection, Engine

from monitor.models import RunRecord

log = logging.getLogger("send_monitor.runs")

STORE = "store"
SCHEDULER = "scheduler"
_PG_CLASS = 0x53454E44  # "SEND": the first key of our advisory locks
_PG_KEYS = {STORE: 1, SCHEDULER: 2}
_PG_KEEPALIVES = {"tcp_keepalives_idle": "30", "tcp_keepalives_interval": "10", "tcp_keepalives_count": "3"}
HOST = socket.gethostname()


class LockError(Exception):
    """A lock could not be taken."""


class LockHeld(LockError):
    """Another live `send-monitor run` holds the scheduler lock."""


class LockTimeout(LockError):
    """The writer lock was not released within the timeout."""


# --- processes --------------------------------------------------------------------------------


def _proc_start(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), to tell a reused pid apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def pid_alive(pid: int, proc_start: str | None = None) -> bool:
    """Whether process `pid` exists on this host (and, if given, started at `proc_start`)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    if proc_start is not None:
        start = _proc_start(pid)
        return start is None or start == proc_start
    return True


@dataclass
class Holder:
    """Who holds a lock: the command, its process and since when (UTC)."""

    command: str
    pid: int
    host: str
    since: datetime
    proc_start: str | None = None
    backend: int | None = None  # PostgreSQL: the server process of the lock's session

    def dead_here(self) -> bool:
        """True if the holder ran on this host and its process is gone."""
        return self.host == HOST and not pid_alive(self.pid, self.proc_start)

    def __str__(self) -> str:
        return f"`{self.command}` pid {self.pid} on host {self.host} since {self.since:%Y-%m-%d %H:%M:%S} UTC"


def _me(command: str) -> Holder:
    pid = os.getpid()
    return Holder(command, pid, HOST, datetime.now(UTC).replace(microsecond=0), _proc_start(pid))


# --- SQLite: a file lock beside the database ---------------------------------------------------


_open_files: weakref.WeakSet = weakref.WeakSet()


def _close_in_child() -> None:
    """A forked child must not keep its parent's file locks alive."""
    for lock in list(_open_files):
        if lock.fd is not None:
            try:
                os.close(lock.fd)
            except OSError:
                pass
            lock.fd = None


os.register_at_fork(after_in_child=_close_in_child)


class _FileLock:
    def __init__(self, path: Path, store: str):
        self.path, self.store = path, store
        self.fd: int | None = None

    def try_lock(self, me: Holder) -> bool:
        if self.fd is None:
            try:
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            except OSError as exc:
                raise LockError(
                    f"cannot open the lock file {self.path} beside the store {self.store} "
                    f"({exc.strerror}): make the store's folder writable for this user"
                ) from None
            _open_files.add(self)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        data = json.dumps(
            {
                "command": me.command,
                "pid": me.pid,
                "host": me.host,
                "since": me.since.isoformat(),
                "proc_start": me.proc_start,
            }
        ).encode()
        try:
            os.ftruncate(self.fd, 0)
            os.pwrite(self.fd, data, 0)
        except OSError:
            pass  # a full disk: the lock is held all the same, its holder just goes unnamed
        return True

    def holder(self) -> Holder | None:
        try:
            data = json.loads(self.path.read_bytes() or b"null")
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict):
            return None
        try:
            return Holder(
                str(data["command"]),
                int(data["pid"]),
                str(data["host"]),
                datetime.fromisoformat(data["since"]),
                data.get("proc_start"),
            )
        except (KeyError, TypeError, ValueError):
            return None

    def take_over(self, holder: Holder) -> bool:
        return False  # the kernel already released a dead holder's lock

    def unlock(self) -> None:
        if self.fd is not None:
            try:
                os.ftruncate(self.fd, 0)
            except OSError:
                pass  # a full or read-only disk: the lock goes anyway
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        self.close()

    def close(self) -> None:
        """Close the file without touching the lock (held by someone else)."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class _MemoryLock:
    """An in-memory SQLite store lives in one process: a thread lock is enough."""

    _locks: dict[str, threading.Lock] = {}
    _holders: dict[str, Holder] = {}

    def __init__(self, name: str):
        self.name = name
        self.lock = self._locks.setdefault(name, threading.Lock())

    def try_lock(self, me: Holder) -> bool:
        if self.lock.acquire(blocking=False):
            self._holders[self.name] = me
            return True
        return False

    def holder(self) -> Holder | None:
        return self._holders.get(self.name) if self.lock.locked() else None

    def take_over(self, holder: Holder) -> bool:
        return False

    def unlock(self) -> None:
        self._holders.pop(self.name, None)
        self.lock.release()

    def close(self) -> None:
        pass


# --- PostgreSQL: a session advisory lock -------------------------------------------------------


def _pg_tag(me: Holder) -> str:
    return f"send-monitor|{me.command}|{me.pid}|{int(me.since.timestamp())}|{me.host}"[:63]


def _pg_holder(conn: Connection, name: str) -> Holder | None:
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


class _AdvisoryLock:
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
        return _pg_holder(self._session(), self.name)

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


def _sqlite_file(engine: Engine) -> Path | None:
    database = engine.url.database
    if database and database.startswith("file:"):  # a URI filename: file:path?mode=ro
        database = database[len("file:") :].split("?", 1)[0]
    if not database or database == ":memory:":
        return None
    return Path(database).resolve()


def shown_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _backend(engine: Engine, name: str):
    if engine.dialect.name == "postgresql":
        return _AdvisoryLock(engine, name)
    path = _sqlite_file(engine)
    if path is None:
        return _MemoryLock(name)
    suffix = ".lock" if name == STORE else f".{name}.lock"
    return _FileLock(path.with_name(path.name + suffix), shown_url(engine))


# --- the lock ---------------------------------------------------------------------------------


class StoreLock:
    """A store-wide lock (`STORE` for writers, `SCHEDULER` for `run`); see the module docstring.

    `timeout` is how long to wait for a live holder (0: refuse at once); `on_wait` is told,
    once per holder, whom it waits for; `cancel` (an event) stops the wait early. Taking the
    writer lock marks steps left running by dead processes interrupted, unless `tidy` is
    False (`upgrade`: the runs table may not exist yet)."""

    def __init__(
        self,
        engine: Engine,
        name: str = STORE,
        command: str = "send-monitor",
        *,
        timeout: float = 0.0,
        on_wait: Callable[[str], None] | None = None,
        cancel: threading.Event | None = None,
        poll: float = 0.25,
        tidy: bool = True,
    ):
        self.engine, self.name, self.command, self.tidy = engine, name, command, tidy
        self.timeout, self.on_wait, self.cancel, self.poll = timeout, on_wait, cancel, poll
        self._impl = _backend(engine, name)
        self._held = False

    def holder(self) -> Holder | None:
        """The live holder of the lock, if any (a dead holder on this host is none)."""
        holder = self._impl.holder()
        if holder is None or holder.dead_here():
            return None
        return holder

    def acquire(self) -> StoreLock:
        try:
            self._wait()
            if self.name == STORE and self.tidy:
                interrupt_stale_runs(self.engine)
        except BaseException:
            self.release() if self._held else self._impl.close()
            raise
        return self

    def _wait(self) -> None:
        deadline = time.monotonic() + self.timeout
        told = None
        while not self._impl.try_lock(_me(self.command)):
            holder = self._impl.holder()
            if holder is not None and holder.dead_here() and self._impl.take_over(holder):
                log.warning("took over the %s lock of %s (its process has died)", self.name, holder)
                deadline = max(deadline, time.monotonic() + 5)  # the server ends that session at once
            elif time.monotonic() >= deadline or (self.cancel is not None and self.cancel.is_set()):
                raise self._refusal(holder)
            elif self.on_wait is not None and str(holder) != told:
                told = str(holder)
                self.on_wait(
                    f"waiting for the {self.name} lock held by {holder or 'another process'} (up to {self.timeout:g} s)"
                )
            time.sleep(max(0.0, min(self.poll, deadline - time.monotonic())))
        self._held = True

    def _refusal(self, holder: Holder | None) -> LockError:
        if self.name == SCHEDULER:
            who = (
                f"pid {holder.pid} on host {holder.host}, since {holder.since:%Y-%m-%d %H:%M:%S} UTC"
                if holder
                else "its holder is starting"
            )
            return LockHeld(
                f"another send-monitor process holds the scheduler lock on this database: {who}. "
                f"Stop it first, or wait for it to finish."
            )
        cancelled = self.cancel is not None and self.cancel.is_set()
        return LockTimeout(
            f"the store {shown_url(self.engine)} is locked by {holder or 'another process'}"
            + (" (stopped waiting)" if cancelled else f", still after {self.timeout:g} s")
            + ": wait for it to finish (or stop it) and run the command again; "
            "lock_timeout_seconds in the configuration sets how long to wait"
        )

    def release(self) -> None:
        if self._held:
            self._held = False
            self._impl.unlock()

    def __enter__(self) -> StoreLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


# --- the runs table ---------------------------------------------------------------------------


def start_run(engine: Engine, step: str, trigger: str, cycle: str | None = None, as_of: date | None = None) -> int:
    """Record a step as running (call it while holding the writer lock); returns its id."""
    with engine.begin() as conn:
        key = conn.execute(
            insert(RunRecord.__table__).values(
                cycle=cycle,
                step=step,
                trigger=trigger,
                as_of=as_of,
                started_at=datetime.now(UTC),
                outcome="running",
                counts={},
                host=HOST,
                pid=os.getpid(),
            )
        ).inserted_primary_key
        assert key is not None  # an INSERT always has one
        return key[0]


def finish_run(
    engine: Engine,
    run_id: int,
    outcome: str,
    counts: dict | None = None,
    detail: str | None = None,
    as_of: date | None = None,
) -> None:
    values = {"finished_at": datetime.now(UTC), "outcome": outcome, "counts": counts or {}, "detail": detail}
    if as_of is not None:
        values["as_of"] = as_of
    t = RunRecord.__table__
    with engine.begin() as conn:
        conn.execute(update(t).where(t.c.id == run_id).values(**values))


def record_skipped(engine: Engine, step: str, trigger: str, cycle: str, why: str, outcome: str = "skipped") -> None:
    """Record a step that did not run (one row, never `running`)."""
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(RunRecord.__table__).values(
                cycle=cycle,
                step=step,
                trigger=trigger,
                started_at=now,
                finished_at=now,
                outcome=outcome,
                counts={},
                detail=why,
                host=HOST,
                pid=os.getpid(),
            )
        )


def _interrupted(row) -> str:
    return f"interrupted: its process (pid {row['pid']} on host {row['host']}) ended before the step finished"


def interrupt_stale_runs(engine: Engine) -> int:
    """Mark `interrupted` every row still `running` (call it just after taking the writer lock:
    no live process can have one then)."""
    t = RunRecord.__table__
    with engine.connect() as conn:
        stale = [
            dict(r) for r in conn.execute(select(t.c.id, t.c.pid, t.c.host).where(t.c.outcome == "running")).mappings()
        ]
    for row in stale:
        with engine.begin() as conn:
            conn.execute(
                update(t)
                .where(t.c.id == row["id"], t.c.outcome == "running")
                .values(outcome="interrupted", detail=_interrupted(row))
            )
    if stale:
        log.warning("%d step(s) left running by a process that died are marked interrupted", len(stale))
    return len(stale)


def cycle_cut_off(engine: Engine) -> bool:
    """Whether the latest scheduled cycle was cut off: one of its steps left `running` by a
    scheduler that died, or already marked `interrupted`."""
    t = RunRecord.__table__
    with engine.connect() as conn:
        cycle = conn.execute(
            select(t.c.cycle).where(t.c.trigger == "schedule").order_by(t.c.id.desc()).limit(1)
        ).scalar()
        if cycle is None:
            return False
        cut = select(t.c.id).where(t.c.cycle == cycle, t.c.outcome.in_(("running", "interrupted"))).limit(1)
        return conn.execute(cut).first() is not None


def _store_holder(conn: Connection) -> Holder | None:
    """The live holder of the writer lock, read through `conn`."""
    if conn.dialect.name == "postgresql":
        return _pg_holder(conn, STORE)
    path = _sqlite_file(conn.engine)
    if path is None:
        return _MemoryLock(STORE).holder()
    holder = _FileLock(path.with_name(path.name + ".lock"), "").holder()
    return None if holder is None or holder.dead_here() else holder


def reported_runs(conn: Connection, rows: list[dict]) -> list[dict]:
    """The rows as they should be shown: `running` only while its process holds the writer lock."""
    if not any(r["outcome"] == "running" for r in rows):
        return rows
    holder = _store_holder(conn)
    live = (holder.host, holder.pid) if holder else None
    return [
        {**r, "outcome": "interrupted", "detail": _interrupted(r)}
        if r["outcome"] == "running" and (r["host"], r["pid"]) != live
        else r
        for r in rows
    ]
