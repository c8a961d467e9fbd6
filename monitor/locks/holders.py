"""Who holds a lock: the names of the locks, the holder of one, and whether its process lives."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

STORE = "store"
SCHEDULER = "scheduler"
HOST = socket.gethostname()


class LockError(Exception):
    """A lock could not be taken."""


class LockHeld(LockError):
    """Another live `send-monitor run` holds the scheduler lock."""


class LockTimeout(LockError):
    """The writer lock was not released within the timeout."""


class LockLost(LockError):
    """A held lock was found gone (its database session ended): the holder must stop."""


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


def me(command: str) -> Holder:
    pid = os.getpid()
    return Holder(command, pid, HOST, datetime.now(UTC).replace(microsecond=0), _proc_start(pid))
