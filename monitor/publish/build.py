"""Building the whole site into a folder: the national pages, each area's folder (in forked
worker processes when there are many) and each commissioner's page, with the findings
exports beside the dashboards and the assets."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

from sqlalchemy.engine import Connection, Engine

from monitor.paths import area_path, commissioner_path
from monitor.publish.children import die_with_parent
from monitor.publish.pages import area, commissioner, national
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
) -> None:
    """Write every page and file of the site into `folder` (its pages link to the reports'
    PDFs when `pdf`)."""
    writer = SiteWriter(folder)
    with engine.connect() as conn:
        site = open_site(conn, rules, as_of, site_url, pdf=pdf, accessibility_contact=accessibility_contact)
        write_assets(folder)
        for page in national.pages(conn, site):
            writer.page(page)
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
        WORKER.update(site=site, writer=writer, engine=engine, bulk=together, bench=bench)
        try:
            if workers > 1 and len(codes) > 1 and can_fork:
                with ProcessPoolExecutor(
                    max_workers=min(workers, len(codes)),
                    mp_context=multiprocessing.get_context("fork"),
                    initializer=_init_worker,
                    initargs=(os.getpid(),),
                ) as pool:
                    list(pool.map(_run_area, codes, chunksize=1))
            else:
                for code in codes:
                    _write_area(conn, code)
        finally:
            WORKER.clear()
        for c in site.commissioners:
            data = commissioner_data(conn, site, c["commissioner_code"], together)
            assert data is not None
            writer.page(commissioner.dashboard(site, data, bench))
            writer.exports(commissioner_path(data.commissioner["commissioner_code"]), site.as_of, data.rows)


def _init_worker(parent: int) -> None:
    """In a worker process: its own engine (the parent's connections are not shared)."""
    from sqlalchemy import create_engine

    die_with_parent(parent)
    WORKER["engine"] = create_engine(WORKER["engine"].url)


def _run_area(code: str) -> None:
    with WORKER["engine"].connect() as conn:
        _write_area(conn, code)


def _write_area(conn: Connection, code: str) -> None:
    """Everything under areas/<code>/: its pages and its findings exports."""
    site: Site = WORKER["site"]
    writer: SiteWriter = WORKER["writer"]
    data = area_data(conn, site, code)
    assert data is not None
    for page in area.family(conn, site, data, WORKER["bench"], WORKER["bulk"].extras(data)):
        writer.page(page)
    writer.exports(area_path(code), site.as_of, data.rows, f"{code} {data.area['name']}")
