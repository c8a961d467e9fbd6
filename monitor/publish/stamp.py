"""The stamp of a case or explanation page: the date and check of the latest check that changed
a finding it shows, not the site's, so that a page whose findings did not change stays the same
from one publish to the next (and can be reused unchanged)."""

from __future__ import annotations

import functools
from datetime import date, datetime

from markupsafe import Markup

from monitor.publish.render import parts


def stamp(site, as_of: date, check_id: int) -> dict:
    """Template context for a page whose findings last changed in check `check_id`, as of `as_of`:
    the header's and footer's date and the time that check finished."""
    return {
        "as_of": as_of,
        "own_stamp": True,
        "footer_html": _footer(as_of, site.check_finished.get(check_id), site.generated),
    }


@functools.lru_cache(maxsize=256)
def _footer(as_of: date, finished: datetime | None, generated: datetime) -> Markup:
    """The footer (rendered once for each date and check: tens of thousands of pages share a few)."""
    return Markup(parts().module.content_footer(as_of, finished, generated))


def latest(rows: list[dict]) -> dict:
    """Of a page's findings, the one the latest check changed."""
    return max(rows, key=lambda r: (r["check_id"], r["as_of"]))
