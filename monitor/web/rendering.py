"""The store's pages for the app: found by path and rendered on request by the publish's own
page generators, with what each shows (`visibility.Shown`); and the stamp that tells the
cache when a check or import has changed them."""

from __future__ import annotations

import re

from sqlalchemy.engine import Connection, Engine

from monitor.findings import FindingsError, case_owners, latest_check, latest_import
from monitor.publish.pages import page_for
from monitor.publish.render import render_page
from monitor.rules import Rule
from monitor.successors import Successors
from monitor.web.downloads import download_for, is_download
from monitor.web.pages import Found, NotReady, PageSource
from monitor.web.visibility import Shown

CASE_LEVEL = re.compile(r"areas/[^/]+/(cases|explain)/")  # a case's page, or a finding's on a case
PUBLIC = {"accessibility.html"}  # pages with no data, shown to every signed-in viewer
HTML = "text/html; charset=utf-8"


def store_pages(engine: Engine, rules: dict[str, Rule], site_url: str = "") -> PageSource:
    """The pages and downloads of the store's latest check, gathered and rendered on request."""

    def find(path: str) -> Found | None:
        try:
            if is_download(path):
                return download_for(engine, rules, path, site_url)
            page = page_for(engine, rules, path, site_url=site_url)
        except FindingsError as exc:
            raise NotReady(str(exc)) from None
        if page is None:
            return None
        with engine.connect() as conn:
            shown = shown_by(conn, path, page.area, page.commissioner, tuple(page.case_refs))
        return Found(shown, lambda: (render_page(page).encode("utf-8"), HTML))

    return find


def store_stamp(engine: Engine) -> tuple[int | None, int | None]:
    """The latest finished check's and the latest import's ids: pages kept with another stamp are stale."""
    with engine.connect() as conn:
        check, batch = latest_check(conn), latest_import(conn)
    return (check.id if check else None, batch.id if batch else None)


def shown_by(
    conn: Connection, path: str, area: str | None, commissioner: str | None, case_refs: tuple[str, ...]
) -> Shown:
    """What the page at `path` shows, for `visibility.decide`: with, for a case-level page, the
    commissioners with a duty on its cases, and for an area's page, the areas that took it over."""
    refs = frozenset(case_refs)
    if area is None and commissioner is None:
        return Shown(national=path not in PUBLIC, public=path in PUBLIC, case_refs=refs)
    check = latest_check(conn)
    successors = Successors.load(conn)
    heirs: frozenset[str] = frozenset()
    case_commissioners: frozenset[str] = frozenset()
    if area is not None and check is not None:
        heirs = frozenset(hop.to_body.code for hop in successors.chain(area, area, check.as_of))
    case_level = area is not None and bool(refs) and CASE_LEVEL.match(path) is not None
    if case_level and area is not None:
        owners = case_owners(conn, area, case_refs) - {area}
        acting = {successors.acts_now(o, None, check.as_of) for o in owners} if check else set()
        case_commissioners = frozenset(owners | acting)
    return Shown(
        area=area,
        commissioner=commissioner,
        case_refs=refs,
        case_commissioners=case_commissioners,
        area_heirs=heirs,
        case_level=case_level,
    )
