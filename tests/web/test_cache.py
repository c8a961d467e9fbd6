"""The page cache: kept until the store's stamp changes, bounded, one rendering at a time."""

from __future__ import annotations

import asyncio

from monitor.web.cache import Entry, PageCache
from monitor.web.visibility import Outcome


def page(text: str) -> Entry:
    return Entry(Outcome.SHOWN, None, text.encode())


def test_a_page_is_kept_until_the_stamp_changes():
    cache = PageCache()
    cache.put(("a.html", "k"), (1, 1), page("one"))
    assert cache.get(("a.html", "k"), (1, 1)).body == b"one"
    assert cache.get(("a.html", "other viewer"), (1, 1)) is None
    assert cache.get(("a.html", "k"), (2, 1)) is None  # a new check
    assert cache.get(("a.html", "k"), (1, 1)) is None  # and nothing of the old one comes back
    assert cache.bytes == 0


def test_the_least_recently_used_page_goes_first_when_full():
    cache = PageCache(max_bytes=3 * page("x" * 100).size)
    for name in "abc":
        cache.put(name, 0, page("x" * 100))
    cache.get("a", 0)
    cache.put("d", 0, page("x" * 100))
    assert [k for k in "abcd" if cache.get(k, 0) is not None] == ["a", "c", "d"]
    assert cache.bytes <= cache.max_bytes
    cache.put("huge", 0, page("x" * 10_000))  # bigger than the whole cache: not kept
    assert cache.get("huge", 0) is None


def test_many_asking_at_once_wait_for_one_rendering():
    cache = PageCache()
    made = []

    async def make():
        made.append(1)
        await asyncio.sleep(0)
        return page("rendered")

    async def main():
        return await asyncio.gather(*(cache.get_or_make("p", 1, make) for _ in range(20)))

    got = asyncio.run(main())
    assert len(made) == 1
    assert {e.body for e in got} == {b"rendered"}


def test_a_failed_rendering_is_not_kept_and_those_waiting_hear_of_it():
    cache = PageCache()
    calls = []

    async def make():
        calls.append(1)
        await asyncio.sleep(0)
        if len(calls) == 1:
            raise RuntimeError("store gone")
        return page("second try")

    async def main():
        return await asyncio.gather(*(cache.get_or_make("p", 1, make) for _ in range(3)), return_exceptions=True)

    got = asyncio.run(main())
    assert all(isinstance(g, RuntimeError) for g in got)
    assert asyncio.run(cache.get_or_make("p", 1, make)).body == b"second try"
    assert not cache.making
