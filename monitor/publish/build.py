"""Building the whole site into a folder: the national pages, each area's folder (in forked
worker processes when there are many) and each commissioner's page, with the findings
exports beside the dashboards and the assets. Case and explanation pages whose findings and
records did not change since the last version are taken from it (`reuse`) unless a full
build is asked for or the last version cannot be reused (`manifest.why_full`)."""

from __future__ import annotations

import gc
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.engine import Connection, Engine

from monitor.changed import position, touched
from monitor.paths import area_path, commissioner_path
from monitor.publish import manifest
from monitor.publish.children import die_with_parent
from monitor.publish.pages import area, commissioner, national
from monitor.publish.reuse import Reuse
from monitor.publish.site import Site, area_data, bulk, commissioner_data, national_counts, open_site
from monitor.publish.write import SiteWriter, write_assets
from monitor.rules import Rule

WORKER: dict = {}  # in a worker process: its site, writer and engine


def build_site(
    engine: Engine,
    rules: dict[str, Rule],
    folder: Path,
    as_of: date | None,
    site_url: str,
    workers: int | None = None,
    pdf: bool = False,
    accessibility_contact: str = "",
    earlier: tuple[Path, dict] | str | None = None,
) -> Built:
    """Write every page and file of the site into `folder` (its pages link to the reports'
    PDFs when `pdf`), with its manifest. `earlier` is the last version's folder and manifest,
    whose unchanged pages are reused, or why there is none (None: a full build was asked for)."""
    writer = SiteWriter(folder)
    with engine.connect() as conn:
        where = position(conn)  # before reading: what is imported meanwhile is redone next time
        site = open_site(conn, rules, as_of, site_url, pdf=pdf, accessibility_contact=accessibility_contact)
        key = manifest.site_key(site)
        reuse, why = _reuse(conn, site, key, writer, earlier)
        built = Built(why_full=why)
        write_assets(folder)
        for page in national.pages(conn, site):
            writer.page(page)
            built.rendered += 1
            if page.path == "index.html":
                writer.national(site.as_of, national.table_rows(site, page))
        codes = [a["area_code"] for a in site.areas]
        together = bulk(conn, site)
        bench = national_counts(conn, site).bench  # counted once, before the fork
        if workers is None:
            workers = min(os.cpu_count() or 1, 8) if len(codes) >= 20 else 1
        # worker processes are forked (spawning would re-import the caller's main module); they
        # open their own database connections and only read and write files
        can_fork = "fork" in multiprocessing.get_all_start_methods()
        WORKER.update(site=site, writer=writer, engine=engine, bulk=together, bench=bench, reuse=reuse)
        try:
            if workers > 1 and len(codes) > 1 and can_fork:
                with ProcessPoolExecutor(
                    max_workers=min(workers, len(codes)),
                    mp_context=multiprocessing.get_context("fork"),
                    initializer=_init_worker,
                    initargs=(os.getpid(),),
                ) as pool:
                    done = list(pool.map(_run_area, codes, chunksize=1))
            else:
                done = [_write_area(conn, code) for code in codes]
        finally:
            WORKER.clear()
        for rendered, reused in done:
            built.rendered += rendered
            built.reused += reused
        for c in site.commissioners:
            data = commissioner_data(conn, site, c["commissioner_code"], together)
            assert data is not None
            writer.page(commissioner.dashboard(site, data, bench))
            built.rendered += 1
            writer.exports(commissioner_path(data.commissioner["commissioner_code"]), site.as_of, data.rows)
        manifest.write(folder, key, where, site.as_of)
    return built


@dataclass
class Built:
    """What a build did: why it rendered every page ("" when it reused the unchanged ones), and how
    many pages it rendered and reused."""

    why_full: str
    rendered: int = 0
    reused: int = 0


def _reuse(
    conn: Connection, site: Site, key: dict, writer: SiteWriter, earlier: tuple[Path, dict] | str | None
) -> tuple[Reuse, str]:
    """What the build may take from the last version, and why it renders every page ("": it need not)."""
    if earlier is None:
        return Reuse(writer), "a full publish was asked for"
    if isinstance(earlier, str):
        return Reuse(writer), earlier
    old, found = earlier
    why = manifest.why_full(conn, site, key, found)
    if why:
        return Reuse(writer), why
    subjects, cases = touched(conn, site.rules, found["position"].get("batch", 0))
    return Reuse(writer, old, subjects, cases), ""


def _init_worker(parent: int) -> None:
    """In a worker process: the parent's engine, with its settings, opening connections of its own
    (the parent's pooled connections are left to the parent, unclosed)."""
    die_with_parent(parent)
    gc.freeze()  # what the worker inherited lives as long as it does: the collector need not walk it
    WORKER["engine"].dispose(close=False)


def _run_area(code: str) -> tuple[int, int]:
    with WORKER["engine"].connect() as conn:
        return _write_area(conn, code)


def _write_area(conn: Connection, code: str) -> tuple[int, int]:
    """Everything under areas/<code>/: its pages and its findings exports. Returns how many
    pages it rendered and reused."""
    site: Site = WORKER["site"]
    writer: SiteWriter = WORKER["writer"]
    reuse: Reuse = WORKER["reuse"]
    reuse.area(code)
    data = area_data(conn, site, code)
    assert data is not None
    rendered = 0
    for page in area.family(conn, site, data, WORKER["bench"], WORKER["bulk"].extras(data), reuse):
        writer.page(page)
        rendered += 1
    writer.exports(area_path(code), site.as_of, data.rows, f"{code} {data.area['name']}")
    reuse.done(code)
    return rendered, reuse.reused
