"""SQLite's locks: ``flock`` on a file beside the database, or a thread lock for a store in memory."""

from __future__ import annotations

import fcntl
import json
import os
import threading
import weakref
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from monitor.locks.holders import Holder, LockError


def sqlite_file(engine: Engine) -> Path | None:
    database = engine.url.database
    if database and database.startswith("file:"):  # a URI filename: file:path?mode=ro
        database = database[len("file:") :].split("?", 1)[0]
    if not database or database == ":memory:":
        return None
    return Path(database).resolve()


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


class FileLock:
    lost: str | None = None  # a file lock is never lost while its process lives

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

    def held(self) -> bool:
        return self.fd is not None  # a file lock lasts as long as its process

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


class MemoryLock:
    """An in-memory SQLite store lives in one process: a thread lock is enough."""

    lost: str | None = None

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

    def held(self) -> bool:
        return self.lock.locked()

    def unlock(self) -> None:
        self._holders.pop(self.name, None)
        self.lock.release()

    def close(self) -> None:
        pass
