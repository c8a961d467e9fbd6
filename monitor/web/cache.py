"""Rendered pages kept in memory, by path and by what the viewer may see, until the store's
latest check or import changes (`store_stamp`).

Each worker process keeps its own cache, bounded in bytes (the least recently used page goes
first). Many viewers asking at once for a page not yet rendered wait for one rendering of it.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass

from monitor.web.visibility import Outcome, Shown

DEFAULT_MAX_BYTES = 64 * 1024 * 1024  # a worker stays well under 300 MB at national scale


@dataclass(frozen=True)
class Entry:
    """One answer to one (path, viewer kind): its outcome, and for a page shown its body."""

    outcome: Outcome
    shown: Shown | None = None
    body: bytes = b""
    media_type: str = "text/html; charset=utf-8"

    @property
    def size(self) -> int:
        return len(self.body) + 512


class PageCache:
    """Answers kept until the stamp (the store's latest check and import) changes."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES):
        self.max_bytes = max_bytes
        self.stamp: Hashable = None
        self.entries: OrderedDict[Hashable, Entry] = OrderedDict()
        self.bytes = 0
        self.making: dict[Hashable, asyncio.Future[Entry]] = {}

    def _expire(self, stamp: Hashable) -> None:
        if stamp != self.stamp:  # a new check or import: everything kept shows the old one
            self.entries.clear()
            self.bytes = 0
            self.stamp = stamp

    def get(self, key: Hashable, stamp: Hashable) -> Entry | None:
        self._expire(stamp)
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
        return entry

    def put(self, key: Hashable, stamp: Hashable, entry: Entry) -> None:
        self._expire(stamp)
        if entry.size > self.max_bytes:
            return
        old = self.entries.pop(key, None)
        if old is not None:
            self.bytes -= old.size
        self.entries[key] = entry
        self.bytes += entry.size
        while self.bytes > self.max_bytes:
            _, dropped = self.entries.popitem(last=False)
            self.bytes -= dropped.size

    async def get_or_make(self, key: Hashable, stamp: Hashable, make: Callable[[], Awaitable[Entry]]) -> Entry:
        """The kept answer, or `make()`'s, made once however many ask for it at the same time."""
        entry = self.get(key, stamp)
        if entry is not None:
            return entry
        flight = (key, stamp)
        waiting = self.making.get(flight)
        if waiting is not None:
            return await asyncio.shield(waiting)
        future: asyncio.Future[Entry] = asyncio.get_running_loop().create_future()
        self.making[flight] = future
        try:
            entry = await make()
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: those waiting raise it, nobody else need
            raise
        else:
            future.set_result(entry)
            self.put(key, stamp, entry)
            return entry
        finally:
            del self.making[flight]
