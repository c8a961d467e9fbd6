"""Child processes (area workers, Chromium) that never outlive a killed publish."""

from __future__ import annotations

import ctypes
import os
import signal

PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """In a child process: be killed when the parent dies (Linux PR_SET_PDEATHSIG), so no
    worker outlives a killed publish with the database open; exit now if it already died."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the pool notices a dead parent itself
        pass
    if os.getppid() != parent:
        os._exit(1)
