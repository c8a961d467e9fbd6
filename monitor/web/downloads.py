"""The downloads beside an area's and a commissioner's page, made on request from the same
rows as the static publish's: findings.csv and findings.json (and findings.xlsx for an area),
and an area's inspector report printed to report.pdf by headless Chromium."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from sqlalchemy.engine import Connection

from monitor.exports import csv_text, json_text, national_csv, national_xlsx, xlsx_bytes
from monitor.findings import export_rows
from monitor.paths import area_path, commissioner_path
from monitor.publish.contents import print_reports
from monitor.publish.errors import PublishError
from monitor.publish.pages import page_in
from monitor.publish.pages.national import table_rows
from monitor.publish.pdf import chromium_path
from monitor.publish.render import DASHBOARDS, render_page
from monitor.publish.site import AreaData, CommissionerData, Site, area_data, commissioner_data
from monitor.web.pages import Found, PageUnavailable, heirs
from monitor.web.visibility import Shown

DOWNLOAD = re.compile(r"(areas|commissioners)/([^/]+)/(findings\.csv|findings\.json|findings\.xlsx|report\.pdf)")
NATIONAL = ("national.csv", "national.xlsx")  # the national table of areas by duty
MEDIA = {
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pdf": "application/pdf",
}


def is_download(path: str) -> bool:
    return path in NATIONAL or DOWNLOAD.fullmatch(path) is not None


def download_in(conn: Connection, site: Site, path: str) -> Found | None:
    """The download at `path`, or None when the site has none there (an unknown body, a
    report.pdf without Chromium on this server, a commissioner's workbook: the static site
    has none)."""
    if path in NATIONAL:
        return _national(conn, site, path)
    m = DOWNLOAD.fullmatch(path)
    if m is None:
        return None
    family, slug, name = m.groups()
    if name == "report.pdf":
        return _report_pdf(conn, site, path)
    data: AreaData | CommissionerData | None = None
    code, shown = None, Shown()
    if family == "areas":
        code = next((a for a in site.area_by_code if area_path(a) == f"areas/{slug}/"), None)
        data = area_data(conn, site, code) if code else None
        shown = Shown(area=code, area_heirs=heirs(site, code) if code else frozenset())
    elif name != "findings.xlsx":
        code = next((c for c in site.commissioner_by_code if commissioner_path(c) == f"commissioners/{slug}/"), None)
        data = commissioner_data(conn, site, code) if code else None
        shown = Shown(commissioner=code)
    if data is None:
        return None
    rows = export_rows(data.rows)
    shown = replace(shown, case_refs=frozenset(r["case_ref"] for r in data.rows if r.get("case_ref")))
    as_of, title = site.as_of, f"{code} {site.names.get(code or '', '')}"
    makers: dict[str, Callable[[], bytes]] = {
        "findings.csv": lambda: csv_text(rows).encode("utf-8"),
        "findings.json": lambda: json_text(as_of, rows).encode("utf-8"),
        "findings.xlsx": lambda: xlsx_bytes(as_of, rows, title),
    }
    make = makers[name]
    return Found(shown, lambda: (make(), MEDIA[Path(name).suffix]))


def _report_pdf(conn: Connection, site: Site, path: str) -> Found | None:
    try:
        chromium_path()
    except PublishError:  # no Chromium on this server: no PDFs, as a publish without --pdf
        return None
    page = page_in(conn, site, path.removesuffix(".pdf") + ".html")
    if page is None:
        return None

    def render() -> tuple[bytes, str]:
        with tempfile.TemporaryDirectory(prefix="send-monitor-report-") as tmp:
            html = Path(tmp) / page.path
            html.parent.mkdir(parents=True)
            html.write_text(render_page(page), encoding="utf-8")
            (Path(tmp) / "assets").mkdir()
            for asset in (DASHBOARDS / "static").iterdir():
                if asset.is_file():
                    shutil.copyfile(asset, Path(tmp) / "assets" / asset.name)
            try:
                print_reports([html])
            except PublishError as exc:
                raise PageUnavailable(f"report.pdf not printed: {exc}") from None
            return html.with_suffix(".pdf").read_bytes(), MEDIA[".pdf"]

    assert page.area is not None  # a report is an area's
    return Found(Shown(area=page.area, area_heirs=heirs(site, page.area), case_refs=frozenset(page.case_refs)), render)


def _national(conn: Connection, site: Site, path: str) -> Found | None:
    """national.csv or national.xlsx, made from the national page's table as the publish does."""
    page = page_in(conn, site, "index.html")
    if page is None:
        return None
    rows = table_rows(site, page)
    if path == "national.csv":
        return Found(Shown(national=True), lambda: (national_csv(rows).encode("utf-8"), MEDIA[".csv"]))
    return Found(Shown(national=True), lambda: (national_xlsx(site.as_of, rows), MEDIA[".xlsx"]))
