"""The store-wide locks every writer takes.

**The writer lock.** ``import``, ``check``, ``publish``, ``alerts`` and each step of a scheduled
cycle hold ``StoreLock(engine, STORE, command)`` (through ``monitor.runs.writer_lock``) while they work, so they never interleave. A
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

``holders`` names the locks and their holders; ``files`` and ``advisory`` hold them on SQLite
and on PostgreSQL.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from monitor.locks.advisory import AdvisoryLock, pg_holder
from monitor.locks.files import FileLock, MemoryLock, sqlite_file
from monitor.locks.holders import (
    HOST,
    SCHEDULER,
    STORE,
    Holder,
    LockError,
    LockHeld,
    LockLost,
    LockTimeout,
    me,
)

__all__ = [
    "HOST",
    "SCHEDULER",
    "STORE",
    "Holder",
    "LockError",
    "LockHeld",
    "LockLost",
    "LockTimeout",
    "StoreLock",
    "store_holder",
]

log = logging.getLogger("send_monitor.locks")


def _shown_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _backend(engine: Engine, name: str, on_lost: Callable[[str], None] | None = None):
    if engine.dialect.name == "postgresql":
        return AdvisoryLock(engine, name, on_lost)
    path = sqlite_file(engine)
    if path is None:
        return MemoryLock(name)
    suffix = ".lock" if name == STORE else f".{name}.lock"
    return FileLock(path.with_name(path.name + suffix), _shown_url(engine))


class StoreLock:
    """A store-wide lock (`STORE` for writers, `SCHEDULER` for `run`); see the module docstring.

    `timeout` is how long to wait for a live holder (0: refuse at once); `on_wait` is told,
    once per holder, whom it waits for; `cancel` (an event) stops the wait early;
    `on_acquired(engine)` runs once the lock is held (`monitor.runs.writer_lock` uses it);
    `on_lost(why)` is told if a held lock is found gone.

    While the writer lock is held, every commit through `engine` first checks it (`check`):
    a commit after the lock was lost raises LockLost and is rolled back."""

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
        on_acquired: Callable[[Engine], object] | None = None,
        on_lost: Callable[[str], None] | None = None,
    ):
        self.engine, self.name, self.command, self.on_acquired = engine, name, command, on_acquired
        self.timeout, self.on_wait, self.cancel, self.poll = timeout, on_wait, cancel, poll
        self._impl = _backend(engine, name, on_lost)
        self._held = False
        self._guarding = False

    def holder(self) -> Holder | None:
        """The live holder of the lock, if any (a dead holder on this host is none)."""
        holder = self._impl.holder()
        if holder is None or holder.dead_here():
            return None
        return holder

    def acquire(self) -> StoreLock:
        try:
            self._wait()
            if self.name == STORE and isinstance(self._impl, AdvisoryLock):
                event.listen(self.engine, "commit", self._before_commit)
                self._guarding = True
            if self.on_acquired is not None:
                self.on_acquired(self.engine)
        except BaseException:
            self.release() if self._held else self._impl.close()
            raise
        return self

    def _wait(self) -> None:
        deadline = time.monotonic() + self.timeout
        told = None
        while not self._impl.try_lock(me(self.command)):
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
            f"the store {_shown_url(self.engine)} is locked by {holder or 'another process'}"
            + (" (stopped waiting)" if cancelled else f", still after {self.timeout:g} s")
            + ": wait for it to finish (or stop it) and run the command again; "
            "lock_timeout_seconds in the configuration sets how long to wait"
        )

    @property
    def lost(self) -> str | None:
        """Why the lock was found gone while held (None: not lost)."""
        return self._impl.lost

    def check(self) -> None:
        """Raise LockLost unless the lock is still held (asked of the database now)."""
        if self._held and not self._impl.held():
            raise LockLost(
                f"the {self.name} lock was lost while `{self.command}` ran ({self._impl.lost}): it stopped; "
                "what it had committed stands, nothing after that was written or sent; run it again"
            )

    def _before_commit(self, conn: Connection) -> None:
        if getattr(self._impl, "conn", None) is not conn:  # not the lock's own session
            self.check()

    def release(self) -> None:
        if self._guarding:
            self._guarding = False
            event.remove(self.engine, "commit", self._before_commit)
        if self._held:
            self._held = False
            self._impl.unlock()

    def __enter__(self) -> StoreLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def store_holder(conn: Connection) -> Holder | None:
    """The live holder of the writer lock, read through `conn`."""
    if conn.dialect.name == "postgresql":
        return pg_holder(conn, STORE)
    path = sqlite_file(conn.engine)
    if path is None:
        return MemoryLock(STORE).holder()
    holder = FileLock(path.with_name(path.name + ".lock"), "").holder()
    return None if holder is None or holder.dead_here() else holder
