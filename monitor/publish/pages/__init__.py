"""The site's pages, one module per family (national, area, commissioner, case, explanation,
report), each making `Page`s from the data `monitor.publish.site` gathers.

`all_pages(conn, site)` yields every page of a static publish; `page_for(engine, rules,
path)` makes the one page at a site path, reading only what that page shows (None when the
site has no such page), for a server rendering pages on request (`page_in(conn, site, path)`
when the server keeps the `Site` between requests). Either way
`render.render_page(page)` renders it, so both give the same HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from sqlalchemy.engine import Connection, Engine

from monitor.cases import case_records
from monitor.findings import action_keys, query_findings
from monitor.paths import area_path, case_path, commissioner_path, explanation_path
from monitor.publish.page import Page
from monitor.publish.pages import area, case, commissioner, explanation, national
from monitor.publish.site import Site, area_data, bulk, commissioner_data, finding, national_counts, open_site
from monitor.publish.site import explanation as explain_one
from monitor.rules import Rule

__all__ = ["Page", "all_pages", "page_for", "page_in"]

_AREA = re.compile(r"areas/([^/]+)/(index\.html|report\.html|cases/[^/]+\.html|explain/[^/]+/[^/]+\.html)")
_COMMISSIONER = re.compile(r"commissioners/([^/]+)/index\.html")


def all_pages(conn: Connection, site: Site) -> Iterator[Page]:
    """Every page of the site: the national pages, each area's folder, each commissioner's page."""
    yield from national.pages(conn, site)
    bench = national_counts(conn, site).bench
    together = bulk(conn, site)
    for a in site.areas:
        data = area_data(conn, site, a["area_code"])
        assert data is not None
        yield from area.family(conn, site, data, bench, together.extras(data))
    for c in site.commissioners:
        found = commissioner_data(conn, site, c["commissioner_code"], together)
        assert found is not None
        yield commissioner.dashboard(site, found, bench)


def page_for(
    engine: Engine,
    rules: dict[str, Rule],
    path: str,
    as_of: date | None = None,
    site_url: str = "",
    pdf: bool = False,
    accessibility_contact: str = "",
) -> Page | None:
    """The page at site-relative `path` (e.g. "areas/850/index.html"), gathered from the store
    on request; None when the site has no such page. `as_of` other than the stored findings'
    date is a `FindingsError`; `pdf` says the reports' PDFs are beside their pages."""
    with engine.connect() as conn:
        site = open_site(conn, rules, as_of, site_url, pdf=pdf, accessibility_contact=accessibility_contact)
        return page_in(conn, site, path)


def page_in(conn: Connection, site: Site, path: str) -> Page | None:
    """The page at `path` of `site` (what every page shares, which a server keeps between requests)."""
    if path == "index.html":
        return national.overview(conn, site)
    if path == "accessibility.html":
        return national.accessibility(site)
    if m := _COMMISSIONER.fullmatch(path):
        code = next((c for c in site.commissioner_by_code if commissioner_path(c) == f"commissioners/{m[1]}/"), None)
        return commissioner.page(conn, site, code) if code else None
    m = _AREA.fullmatch(path)
    code = next((a for a in site.area_by_code if area_path(a) == f"areas/{m[1]}/"), None) if m else None
    if code is None:
        return None
    if path.endswith("/index.html"):
        return area.page(conn, site, code)
    if path.endswith("/report.html"):
        return area.report_page(conn, site, code)
    keys = action_keys(conn, code)
    if "/cases/" in path:
        ref = next((r for _d, _s, r in keys if r and case_path(code, r) == path), None)
        if ref is None:
            return None
        records = case_records(conn, code, {ref})[ref]
        return case.page(site, site.area_by_code[code], ref, records, query_findings(conn, area=code, case_ref=ref))
    wanted = next(((d, s) for d, s, _r in keys if d in site.rules and explanation_path(code, d, s) == path), None)
    row = finding(conn, *wanted) if wanted else None
    return explanation.page(site, explain_one(conn, site, row)) if row else None
