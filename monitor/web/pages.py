"""The pages the app serves, found by path and rendered on request by the static publish's
own page generators (one renderer for both), with what each shows for `visibility`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from monitor.publish.site import Site
from monitor.web.visibility import Shown


@dataclass(frozen=True)
class Found:
    """A page that exists: what it shows, and how to render it (body, media type)."""

    shown: Shown
    render: Callable[[], tuple[bytes, str]]


class PageSource(Protocol):
    """Finds the page at a site path (None: no such page). Called in a worker thread."""

    def __call__(self, path: str) -> Found | None: ...


class NotReady(Exception):
    """The store has no pages to show yet (no check has run): the message says what to do."""


class PageUnavailable(Exception):
    """The page cannot be made just now (the store does not answer, a report does not
    print): the message says what failed, in one line."""


def heirs(site: Site, area: str) -> frozenset[str]:
    """The areas acting now on `area`'s duties, after mergers: they see its pages and downloads."""
    return frozenset(hop.to_body.code for hop in site.successors.chain(area, area, site.as_of))
