"""Publish the findings as a static site: national, area and commissioner dashboards,
explanation pages and inspector reports (Jinja2 templates in `dashboards/`, charts with
plotly.js written once into `assets/`).

A face: it reads the store only through `monitor.findings`. The public writer is
`publish(engine, rules, out_dir, as_of=None, pdf=False, site_url="")`; a server renders one
page on request with `render_page(page_for(engine, rules, path))`. The stages: `site`
(gathering the data, for the whole site or one page), `summaries` (the national figures),
`context` (numbers and listings from findings), `charts` (Plotly), `pages` (one generator per
page family, making `Page`s), `render` (Jinja2: `render_page`), `build` (the whole site into a
folder), `write` (files, the swap), `pdf` (Chromium).

Layout of the site (all links relative, so it works from file:// and any web server):

    index.html                         national view (areas x duties)
    assets/                            plotly.min.js, site.css, site.js, charts.js (no data)
    areas/<code>/index.html            area dashboard
    areas/<code>/report.html (.pdf)    inspector report
    areas/<code>/findings.csv, .json   the area's findings, in the CLI export shape
    areas/<code>/explain/<duty>/<subject>.html   one page per finding needing action
    commissioners/<code>/index.html    commissioner dashboard (across its areas)
    commissioners/<code>/findings.csv, .json

An area's folder holds only that area's findings and case references (after a merger, with
the LA duties it took over, whose explanation and case pages stay in the old area's
folder), so it can be published to that area alone (with `assets/`).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine

from monitor.publish import manifest
from monitor.publish.build import Built, build_site
from monitor.publish.contents import print_reports
from monitor.publish.context import rate
from monitor.publish.errors import PublishError
from monitor.publish.page import Page
from monitor.publish.pages import all_pages, page_for
from monitor.publish.pdf import chromium_path, render_pdfs
from monitor.publish.render import render_page
from monitor.publish.write import MARKER, SiteFolder
from monitor.rules import Rule

__all__ = [
    "Page",
    "PublishError",
    "all_pages",
    "chromium_path",
    "page_for",
    "publish",
    "rate",
    "render_page",
    "render_pdfs",
]


def publish(
    engine: Engine,
    rules: dict[str, Rule],
    out_dir: Path,
    as_of: date | None = None,
    pdf: bool = False,
    site_url: str = "",
    workers: int | None = None,
    progress=None,
    accessibility_contact: str = "",
    full: bool = False,
    tell: Callable[[str], None] | None = None,
) -> Path:
    """Write the static site for the latest check into `out_dir`; return the index page's path.

    `as_of` None means the latest check's date; any other date than the one the store
    holds is an error (`FindingsError`). The site is built in a version folder beside
    `out_dir` and swapped in atomically when complete (`SiteFolder`); an existing `out_dir`
    must be empty or an earlier site. Areas are
    written by `workers` forked processes (default: one per CPU, up to 8, from 20 areas up;
    `workers=1` writes everything in the calling process). `progress(name, done, total)`
    hears of each PDF printed. `accessibility_contact` is the e-mail address the accessibility
    statement gives.

    Case and explanation pages whose findings and records did not change since the version
    OUT_DIR serves are hard-linked from it (`reuse`); `full` renders every page. `tell(line)`
    hears, in one line, how many pages were rewritten and reused, or why every page was.
    """
    site = SiteFolder(out_dir)
    site.check()
    with site.lock():
        site.prune()  # what killed publishes left
        earlier = None if full else manifest.earlier(site)
        version = site.new_version()
        try:
            built = build_site(
                engine, rules, version, as_of, site_url, workers, pdf, accessibility_contact, earlier=earlier
            )
            if pdf:
                print_reports(sorted(version.glob("areas/*/report.html")), progress)
            (version / MARKER).write_text("written by send-monitor publish\n", encoding="utf-8")
            site.swap(version)
        except BaseException:
            shutil.rmtree(version, ignore_errors=True)
            raise
        site.prune(background=True)
    if tell is not None:
        tell(summary(built))
    return Path(out_dir) / "index.html"


def summary(built: Built) -> str:
    """What a publish did, in one line."""
    if built.why_full:
        return f"wrote every page ({built.rendered:,}): {built.why_full}"
    return (
        f"rewrote {built.rendered:,} pages (the dashboards, reports and the pages whose findings or records "
        f"changed) and reused {built.reused:,} unchanged pages from the last version"
    )
