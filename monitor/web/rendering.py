"""The store's pages for the app: found by path and rendered on request by the publish's own
page generators (`StorePages`), with what each shows (`visibility.Shown`); and the stamp that
tells the cache when a check or import has changed them."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from monitor.cases import case_owners
from monitor.findings import FindingsError, latest_ids
from monitor.paths import area_path
from monitor.publish.page import Page
from monitor.publish.pages import page_in
from monitor.publish.render import render_page
from monitor.publish.site import Site, open_site
from monitor.rules import Rule
from monitor.store import store_failure
from monitor.web.downloads import download_in, is_download
from monitor.web.pages import Found, NotReady, PageUnavailable, heirs
from monitor.web.visibility import Shown

OWN = re.compile(r"areas/([^/]+)/(index\.html|report\.html|report\.pdf|findings\.(?:csv|json|xlsx))")
CASE_LEVEL = re.compile(r"areas/[^/]+/(cases|explain)/")  # a case's page, or a finding's on a case
PUBLIC = {"accessibility.html"}  # pages with no data, shown to every signed-in viewer
HTML = "text/html; charset=utf-8"


def store_stamp(engine: Engine) -> tuple[int | None, int | None]:
    """The latest finished check's and the latest import's ids: pages kept with another stamp are stale."""
    with reading(engine), engine.connect() as conn:
        return _stamp(conn)


@contextmanager
def reading(engine: Engine) -> Iterator[None]:
    """Turn a failure to read the store into PageUnavailable, in one line without values."""
    try:
        yield
    except (SQLAlchemyError, OSError) as exc:
        why = store_failure(exc, engine.url) or f"the store could not be read ({type(exc).__name__})"
        raise PageUnavailable(why) from None


def _stamp(conn: Connection) -> tuple[int | None, int | None]:
    return latest_ids(conn)


class StorePages:
    """The pages and downloads of the store's latest check, gathered and rendered on request
    (a `PageSource`). What every page shares (`publish.site.Site`) is read once per check
    and import, and kept."""

    def __init__(self, engine: Engine, rules: dict[str, Rule], site_url: str = ""):
        self.engine = engine
        self.rules = rules
        self.site_url = site_url
        self._lock = threading.Lock()
        self._kept: tuple[tuple[int | None, int | None], Site] | None = None

    def _site(self, conn: Connection) -> Site:
        stamp = _stamp(conn)
        with self._lock:
            if self._kept is not None and self._kept[0] == stamp:
                return self._kept[1]
        site = open_site(conn, self.rules, None, self.site_url)
        with self._lock:
            self._kept = (stamp, site)
        return site

    def outline(self, path: str) -> Shown | None:
        """Who may see an area's dashboard, report or download, known without gathering it, so
        that another area's is refused at no cost (None: the page must be gathered to know)."""
        m = OWN.fullmatch(path)
        if m is None:
            return None
        try:
            with reading(self.engine), self.engine.connect() as conn:
                site = self._site(conn)
        except FindingsError as exc:
            raise NotReady(str(exc)) from None
        code = next((a for a in site.area_by_code if area_path(a) == f"areas/{m[1]}/"), None)
        if code is None:
            return None
        return Shown(area=code, area_heirs=heirs(site, code))

    def __call__(self, path: str) -> Found | None:
        try:
            with reading(self.engine), self.engine.connect() as conn:
                site = self._site(conn)
                if is_download(path):
                    return download_in(conn, site, path)
                page = page_in(conn, site, path)
                if page is None:
                    return None
                shown = shown_by(conn, site, page)
        except FindingsError as exc:  # no check yet
            raise NotReady(str(exc)) from None
        return Found(shown, lambda: (render_page(page).encode("utf-8"), HTML))


def shown_by(conn: Connection, site: Site, page: Page) -> Shown:
    """What `page` shows, for `visibility.decide`: with, for a case-level page, the
    commissioners with a duty on its cases, and for an area's page, the areas that took it over."""
    refs = frozenset(page.case_refs)
    area, path = page.area, page.path
    if area is None and page.commissioner is None:
        return Shown(national=path not in PUBLIC, public=path in PUBLIC, case_refs=refs)
    area_heirs: frozenset[str] = frozenset()
    case_commissioners: frozenset[str] = frozenset()
    if area is not None:
        area_heirs = heirs(site, area)
    case_level = area is not None and bool(refs) and CASE_LEVEL.match(path) is not None
    if case_level and area is not None:
        owners = case_owners(conn, area, tuple(refs)) - {area}
        acting = {site.successors.acts_now(o, None, site.as_of) for o in owners}
        case_commissioners = frozenset(owners | acting)
    return Shown(
        area=area,
        commissioner=page.commissioner,
        case_refs=refs,
        case_commissioners=case_commissioners,
        area_heirs=area_heirs,
        case_level=case_level,
    )
