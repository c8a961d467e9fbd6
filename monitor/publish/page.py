"""One page of the site: what to render, where it goes, and whose data it shows."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Page:
    """A page to render with `render_page`: its template, its site-relative path and the
    template's context. `area`, `commissioner` and `case_refs` say whose data it shows (the
    area whose records it comes from, the commissioner whose duties it lists, the cases it
    names), for a server's access control and log; national pages name none."""

    template: str
    path: str
    context: dict
    area: str | None = None
    commissioner: str | None = None
    case_refs: tuple[str, ...] = ()
