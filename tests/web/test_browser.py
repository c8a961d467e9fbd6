"""The served pages in Chromium: they open, draw their charts with no script error, link to
one another, and show the latest check as soon as it ends, without a publish."""

from __future__ import annotations

import re
import threading
import time

import pytest
import uvicorn

from benchmarks.pgserver import free_port
from monitor.config import load_config
from monitor.paths import area_path
from monitor.store import open_store
from monitor.web.app import build_app
from monitor.web.signin import SignIn
from monitor.web.viewer import Viewer
from tests.conftest import SAMPLE, cli


class Served:
    """The app on 127.0.0.1 in a thread, every visitor signed in with `roles`."""

    def __init__(self, db: str, roles: set[str]):
        viewer = Viewer("subject-1", None, frozenset(roles))
        app = build_app(load_config(db=db), open_store(db), sign_in=SignIn(lambda r: viewer, lambda *a, **k: None))
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.05)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def demo_db(tmp_path):
    db = f"sqlite:///{tmp_path / 'store.db'}"
    assert cli("import", SAMPLE, db=db).exit_code == 0
    assert cli("check", "--as-of", "2020-06-30", db=db).exit_code == 0
    return db


@pytest.fixture
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


def _open(browser, url: str):
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: r.status >= 400 and r.request.resource_type != "document" and errors.append(r.url))
    page.goto(url)
    page.wait_for_load_state("load")
    return page, errors


def _charts(page) -> int:
    return page.locator(".js-plotly-plot .main-svg").count()


def test_the_pages_open_and_show_the_latest_check_without_a_publish(browser, demo_db):
    with Served(demo_db, {"national"}) as base:
        page, errors = _open(browser, base + "/")
        assert page.locator("h1").inner_text().startswith("SEND extended appeals")
        assert page.locator("text=30 June 2020").first.is_visible()
        assert _charts(page) >= 1
        page.locator("#table-areas tbody th a").first.click()
        page.wait_for_load_state("load")
        assert page.url == base + "/" + area_path("850") + "index.html"
        assert _charts(page) >= 1
        page.locator("#table-open-breaches tbody a[href^='explain/']").first.click()
        page.wait_for_load_state("load")
        assert page.locator("h1 .tag").inner_text() == "Overdue"
        assert not errors, errors

        assert cli("check", "--as-of", "2020-07-01", db=demo_db).exit_code == 0  # no publish
        page.goto(base + "/index.html")
        assert page.locator("text=1 July 2020").first.is_visible()
        page.context.close()


def test_an_area_user_lands_on_their_area_and_is_refused_the_national_page(browser, demo_db):
    with Served(demo_db, {"area:851"}) as base:
        page, errors = _open(browser, base + "/")
        assert page.url == base + "/" + area_path("851") + "index.html"
        assert page.locator("h1").inner_text().startswith("851")
        assert not errors, errors
        response = page.goto(base + "/index.html")
        assert response.status == 403
        assert "national" in page.locator("h1").inner_text()
        response = page.goto(base + "/" + area_path("850") + "index.html")
        assert response.status == 404
        page.context.close()


def test_the_report_prints_to_pdf_on_request_for_its_area_only(chromium, demo_db):
    from starlette.testclient import TestClient

    rows: list[dict] = []
    for roles, status in (({"area:850"}, 200), ({"area:851"}, 404)):
        viewer = Viewer("subject-1", None, frozenset(roles))
        app = build_app(
            load_config(db=demo_db),
            open_store(demo_db),
            sign_in=SignIn(lambda r, v=viewer: v, lambda r, w, **row: rows.append(row)),
        )
        got = TestClient(app).get("/" + area_path("850") + "report.pdf")
        assert got.status_code == status
        if status == 200:
            assert got.content.startswith(b"%PDF") and got.headers["content-type"] == "application/pdf"
            assert got.headers["content-disposition"] == 'attachment; filename="850-report.pdf"'
            contents = _contents_page(got.content)
            assert re.search(r"Key findings\s*\.*\s*1\b", contents), contents  # numbered, as in the static report
    assert [(r["path"], r["outcome"]) for r in rows] == [("/areas/850/report.pdf", 200), ("/areas/850/report.pdf", 404)]
    assert rows[0]["case_refs"]  # the cases the report names


def _contents_page(pdf: bytes) -> str:
    """The text of the printed report's contents page."""
    import io

    from pypdf import PdfReader

    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    return next(text for text in pages if "Contents" in text)
