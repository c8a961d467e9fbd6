"""The whole served app signed in through the real provider: a SEND lead sees their own area
and nothing else, each case-level answer is in the access log, and the pages keep to the
Content-Security-Policy in Chromium."""

from __future__ import annotations

import json

import httpx
import pytest

from benchmarks.pgserver import free_port
from monitor.paths import area_path, case_path
from monitor.statuses import ACTION_STATUSES
from monitor.store import open_store
from monitor.web.access_log import AccessLog
from monitor.web.app import build_app
from monitor.web.auth import auth_middleware, auth_routes, current_viewer, log_access
from monitor.web.signin import SignIn
from monitor.web.webstore import open_web_database
from tests.conftest import SAMPLE, cli
from tests.web.conftest import Clock, Server, web_config
from tests.web.oidc_provider import sign_in

AS_OF = "2020-06-30"


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory) -> tuple[str, list[dict]]:
    db = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'store.db'}"
    assert cli("import", SAMPLE, db=db).exit_code == 0
    assert cli("check", "--as-of", AS_OF, db=db).exit_code == 0
    found = json.loads(cli("findings", "--format", "json", db=db).stdout)["findings"]
    return db, [f for f in found if f["status"] in ACTION_STATUSES]


@pytest.fixture
def app_url(oidc_provider, demo_store):
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/"
    client_id, secret = oidc_provider.register(base_url)
    cfg = web_config(demo_store[0], issuer=oidc_provider.issuer, client_id=client_id, secret=secret, base_url=base_url)
    signing_in = SignIn(current_viewer, log_access, auth_routes(cfg), auth_middleware(cfg, clock=Clock()))
    engine = open_store(cfg.database_url)
    with Server(build_app(cfg, engine, sign_in=signing_in), port):
        yield base_url
    engine.dispose()


def test_a_send_lead_signed_in_at_the_provider_sees_their_own_area_and_nothing_else(app_url, demo_store):
    db, findings = demo_store
    own = next(f for f in findings if f["area"] == "850" and f.get("case_ref"))
    other = next(f for f in findings if f["area"] == "851" and f.get("case_ref"))
    with httpx.Client(timeout=30) as client:
        home = sign_in(client, app_url, "lead850")
        assert home.status_code == 200 and home.url.path == f"/{area_path('850')}index.html"
        assert client.get(f"{app_url}{case_path('850', own['case_ref'])}").status_code == 200
        assert client.get(f"{app_url}{area_path('851')}index.html").status_code == 404
        assert client.get(f"{app_url}{case_path('851', other['case_ref'])}").status_code == 404
        assert client.get(f"{app_url}index.html").status_code == 403
    rows = [(e.subject, e.path, e.outcome) for e in AccessLog(open_web_database(db), 400).entries()]
    assert ("lead850", f"/{case_path('850', own['case_ref'])}", 200) in rows
    assert ("lead850", f"/{case_path('851', other['case_ref'])}", 404) in rows


def test_the_area_page_in_chromium_runs_no_inline_script(app_url, chromium):
    from playwright.sync_api import sync_playwright

    refused: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.on("console", lambda m: "Content Security Policy" in m.text and refused.append(m.text))
            page.goto(f"{app_url}{area_path('850')}index.html")
            page.fill("input[name=login]", "lead850")
            page.fill("input[name=password]", "any password")
            page.click("button[type=submit]")
            page.wait_for_url(f"{app_url}{area_path('850')}index.html")
            page.wait_for_load_state("load")
            assert page.locator("h1").count() == 1
        finally:
            browser.close()
    assert refused == []
