"""Pages one at a time: `page_for` gathers one page from the store on request and renders the
same HTML as the static publish; `all_pages` yields every page of the site, each naming whose
data it shows; no page needs an inline script (a server's Content-Security-Policy forbids it)."""

from __future__ import annotations

import functools
import http.server
import re
import threading
from pathlib import Path

import pytest
from conftest import cli

from monitor.config import REPO_RULES
from monitor.findings import FindingsError
from monitor.paths import commissioner_path
from monitor.publish import all_pages, page_for, publish, render_page
from monitor.publish.site import open_site
from monitor.rules import load_rules
from monitor.store import open_store

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "demo"
AS_OF = "2020-06-30"
STAMP = re.compile(r"\d{1,2} [A-Z][a-z]+ \d{4}, \d{1,2}:\d\d[ap]m")  # when the page was made, in UK time


@pytest.fixture(scope="module")
def rules():
    return load_rules(REPO_RULES)


@pytest.fixture(scope="module")
def demo(tmp_path_factory, rules):
    base = tmp_path_factory.mktemp("pages")
    db = f"sqlite:///{base / 'store.db'}"
    assert cli("import", SAMPLE, db=db).exit_code == 0
    assert cli("check", "--as-of", AS_OF, db=db).exit_code == 0
    engine = open_store(db)
    site = publish(engine, rules, base / "site").parent
    return {"engine": engine, "site": site}


def _html_files(site: Path) -> list[str]:
    return sorted(str(p.relative_to(site)) for p in site.rglob("*.html"))


def test_every_page_on_request_is_the_published_one(demo, rules):
    site = demo["site"]
    paths = _html_files(site)
    assert {"index.html", "accessibility.html", "areas/850/index.html", "areas/850/report.html"} <= set(paths)
    assert any("/cases/" in p for p in paths) and any("/explain/" in p for p in paths)
    assert any(p.startswith("commissioners/") for p in paths)
    for path in paths:
        page = page_for(demo["engine"], rules, path)
        assert page is not None, path
        assert page.path == path
        published = (site / path).read_text(encoding="utf-8")
        assert STAMP.sub("", render_page(page)) == STAMP.sub("", published), path


def test_all_pages_are_the_site_and_name_whose_data_they_show(demo, rules):
    engine = demo["engine"]
    with engine.connect() as conn:
        pages = list(all_pages(conn, open_site(conn, rules)))
    assert sorted(p.path for p in pages) == _html_files(demo["site"])
    for p in pages:
        if "/explain/" in p.path:  # a commissioner's duty names it: its staff may read the explanation
            e = p.context["e"]
            assert p.area == e.area and p.commissioner == (e.owner if e.owner != e.area else None)
        elif p.path.startswith("areas/"):
            assert p.path.startswith(f"areas/{p.area}/") and p.commissioner is None
        elif p.path.startswith("commissioners/"):
            assert p.path == commissioner_path(p.commissioner) + "index.html" and p.area is None
        else:
            assert (p.area, p.commissioner, p.case_refs) == (None, None, ())
        if "/cases/" in p.path:
            assert p.case_refs == (p.context["case_ref"],)
        if "/explain/" in p.path:
            assert p.case_refs == ((p.context["e"].case_ref,) if p.context["e"].case_ref else ())
    dashboard = next(p for p in pages if p.path == "areas/850/index.html")
    assert dashboard.case_refs and all(ref.startswith("C850-") for ref in dashboard.case_refs)


@pytest.mark.parametrize(
    "path",
    [
        "areas/999/index.html",  # no such area
        "areas/850/cases/c850-999999.html",
        "areas/850/explain/rights-notice/nothing.html",
        "areas/850/explain/no-such-duty/x.html",
        "commissioners/nobody/index.html",
        "areas/850/../851/index.html",
        "../index.html",
        "areas/850/findings.csv",
        "areas/850/",
        "",
        "index.htm",
    ],
)
def test_no_page_for_a_path_the_site_does_not_have(demo, rules, path):
    assert page_for(demo["engine"], rules, path) is None


def test_page_for_another_date_than_the_stored_findings_is_refused(demo, rules):
    from datetime import date

    with pytest.raises(FindingsError, match="2020-06-30"):
        page_for(demo["engine"], rules, "index.html", as_of=date(2020, 7, 1))


def test_charts_draw_under_a_policy_without_inline_script(demo, chromium):
    """Served with `script-src 'self'`, every chart still draws and nothing is refused."""
    from playwright.sync_api import sync_playwright

    class Handler(http.server.SimpleHTTPRequestHandler):
        def end_headers(self):
            self.send_header("Content-Security-Policy", "script-src 'self'; object-src 'none'")
            super().end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(demo["site"])))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page()
            errors: list[str] = []
            page.on(
                "console",
                lambda m: m.type == "error" and "Failed to load resource" not in m.text and errors.append(m.text),
            )
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on(  # the browser asks for /favicon.ico, which the site does not have
                "response",
                lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico") and errors.append(r.url),
            )
            charted = [p for p in _html_files(demo["site"]) if p.startswith("commissioners/")]
            charted = [p for p in charted if "data-plot" in (demo["site"] / p).read_text(encoding="utf-8")]
            for path in ("index.html", "areas/850/index.html", charted[0]):
                page.goto(base + path)
                plots = page.locator("[data-plot]")
                assert plots.count() > 0, path
                page.wait_for_function("document.querySelectorAll('[data-plot] .main-svg').length > 0")
                drawn = page.locator("[data-plot]:has(.main-svg)").count()
                assert drawn == plots.count(), path
            case = next(p for p in _html_files(demo["site"]) if "/cases/" in p)
            page.goto(base + case)
            page.wait_for_function("document.querySelectorAll('[data-plot] .main-svg').length > 0")
            browser.close()
        assert not errors, errors
    finally:
        server.shutdown()
