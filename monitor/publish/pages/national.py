"""The national pages: the overview of every area and commissioner, and the accessibility
statement."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

from sqlalchemy.engine import Connection

from monitor.exports import national_rows
from monitor.findings import import_batches, latest_runs
from monitor.publish.charts import heatmap_chart
from monitor.publish.context import MIN_JUDGED, england_rows, region_rows
from monitor.publish.page import Page
from monitor.publish.site import Site, national_counts
from monitor.publish.summaries import area_summaries, commissioner_summaries


def overview(conn: Connection, site: Site) -> Page:
    """index.html: areas × duties, regions, England, commissioners, runs (from counts, not rows)."""
    counts = national_counts(conn, site)
    answers = site.answers(conn)
    areas, superseded = area_summaries(site, counts, answers, site.funding(conn))
    runs = latest_runs(conn)
    for r in runs:  # the publish step writing this site is not "running" on the page it writes
        r["this_publish"] = (
            r["step"] == "publish"
            and r["finished_at"] is None
            and r["pid"] == os.getpid()
            and r["host"] == socket.gethostname()
        )
    rules = site.rules
    duties = list(rules)
    heat = heatmap_chart("chart-heatmap", areas, duties, {d: rules[d].short_title for d in duties}) if areas else None
    context = {
        **site.common,
        "title": "National overview",
        "areas": areas,
        "superseded": superseded,
        "regions": region_rows(areas, counts.bench, duties),
        "england": england_rows(areas, counts.bench, rules),
        "commissioners": commissioner_summaries(site, counts, answers),
        "duties": duties,
        "charts": {"heat": heat} if heat else {},
        "batches": import_batches(conn),
        "runs": runs,
    }
    return Page("national.html", "index.html", context)


def accessibility(site: Site) -> Page:
    return Page(
        "accessibility.html", "accessibility.html", {**site.common, "title": "Accessibility statement", "charts": {}}
    )


def pages(conn: Connection, site: Site) -> Iterator[Page]:
    yield accessibility(site)
    yield overview(conn, site)


def table_rows(site: Site, overview_page: Page) -> list[dict]:
    """The national table of areas by duty, with n and rates (national.csv and .xlsx), from
    the national page's own figures."""
    titles = {d: r.short_title for d, r in site.rules.items()}
    return national_rows(overview_page.context["areas"], titles, MIN_JUDGED)
