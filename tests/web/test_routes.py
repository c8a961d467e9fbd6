"""The page routes over a page source standing in for the store: sign-in redirect, refusals,
one access-log row per answer, 503 without it, the cache, paths that cannot be pages."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from monitor.config import Config
from monitor.paths import commissioner_path
from monitor.web.app import build_app
from monitor.web.pages import Found
from monitor.web.signin import SignIn
from monitor.web.viewer import Viewer
from monitor.web.visibility import Shown

SHOWN = {
    "index.html": Shown(national=True),
    "areas/850/index.html": Shown(area="850"),
    "areas/850/cases/C-1.html": Shown(
        area="850", case_refs=frozenset({"C-1"}), case_commissioners=frozenset({"QRL"}), case_level=True
    ),
    "areas/851/index.html": Shown(area="851", case_refs=frozenset({"C-9"})),
    "commissioners/QRL/index.html": Shown(commissioner="QRL"),
    "areas/850/findings.csv": Shown(area="850"),
}


class FakeSite:
    """Pages by path, counting renderings; `roles` of the one viewer; the access log as a list."""

    def __init__(self):
        self.rendered: list[str] = []
        self.rows: list[dict] = []
        self.roles: frozenset[str] | None = None
        self.log_fails = False

    def pages(self, path: str) -> Found | None:
        shown = SHOWN.get(path)
        if shown is None:
            return None

        def render():
            self.rendered.append(path)
            media = "text/csv; charset=utf-8" if path.endswith(".csv") else "text/html; charset=utf-8"
            return f"<p>page {path}</p>".encode(), media

        return Found(shown, render)

    def viewer(self, request) -> Viewer | None:
        return None if self.roles is None else Viewer("sub-1", "lead@example.org", self.roles)

    def log_access(self, request, viewer, *, path, area, case_refs, outcome):
        if self.log_fails:
            raise OSError("disk full")
        self.rows.append(
            {"subject": viewer.subject, "path": path, "area": area, "cases": case_refs, "outcome": outcome}
        )


@pytest.fixture
def site():
    return FakeSite()


@pytest.fixture
def client(site):
    app = build_app(Config(), engine=None, pages=site.pages, sign_in=SignIn(site.viewer, site.log_access))
    return TestClient(app, follow_redirects=False)


@pytest.fixture(autouse=True)
def fixed_stamp(monkeypatch):
    stamp = {"value": (1, 1)}
    monkeypatch.setattr("monitor.web.app.store_stamp", lambda engine: stamp["value"])
    return stamp


def test_nobody_signed_in_is_sent_to_sign_in_with_the_path(client, site):
    got = client.get("/areas/850/cases/C-1.html?x=1")
    assert got.status_code == 302
    assert got.headers["location"] == "/login?next=/areas/850/cases/C-1.html%3Fx%3D1"
    assert site.rows == [] and site.rendered == []


def test_a_case_page_shown_writes_one_row_naming_its_case(client, site):
    site.roles = frozenset({"area:850"})
    got = client.get("/areas/850/cases/C-1.html")
    assert got.status_code == 200
    assert got.text == "<p>page areas/850/cases/C-1.html</p>"
    assert got.headers["cache-control"] == "private, no-store"
    assert site.rows == [
        {"subject": "sub-1", "path": "/areas/850/cases/C-1.html", "area": "850", "cases": ["C-1"], "outcome": 200}
    ]


def test_another_areas_page_and_one_that_does_not_exist_get_the_same_answer(client, site):
    site.roles = frozenset({"area:850"})
    other, missing = client.get("/areas/851/index.html"), client.get("/areas/999/index.html")
    assert other.status_code == missing.status_code == 404
    assert other.text == missing.text
    assert "851" not in other.text
    assert [r["outcome"] for r in site.rows] == [404, 404]
    assert [r["cases"] for r in site.rows] == [[], []]  # a refusal shows, and so logs, no case
    assert site.rendered == []  # refused pages are never rendered


def test_the_national_page_is_refused_with_403_and_logged(client, site):
    site.roles = frozenset({"commissioner:QRL"})
    got = client.get("/index.html")
    assert got.status_code == 403
    assert "national" in got.text
    assert site.rows[-1]["outcome"] == 403


def test_no_role_gets_a_page_saying_so_and_no_data(client, site):
    site.roles = frozenset()
    got = client.get("/areas/850/index.html")
    assert got.status_code == 403
    assert "no role" in got.text and "page areas" not in got.text
    assert site.rows == [
        {"subject": "sub-1", "path": "/areas/850/index.html", "area": None, "cases": [], "outcome": 403}
    ]


def test_the_root_takes_each_viewer_to_their_own_pages(client, site):
    site.roles = frozenset({"commissioner:QRL"})
    assert client.get("/").headers["location"] == "/" + commissioner_path("QRL") + "index.html"
    site.roles = frozenset({"inspector:850"})
    assert client.get("/").headers["location"] == "/areas/850/index.html"
    site.roles = frozenset({"national"})
    assert client.get("/").text == "<p>page index.html</p>"


def test_without_its_access_log_row_no_page_leaves(client, site, caplog):
    site.roles = frozenset({"national"})
    site.log_fails = True
    got = client.get("/areas/850/cases/C-1.html")
    assert got.status_code == 503
    assert "C-1" not in got.text
    assert "access log not written" in caplog.text and "disk full" not in caplog.text


def test_a_page_is_rendered_once_until_the_next_check(client, site, fixed_stamp):
    site.roles = frozenset({"area:850"})
    for _ in range(3):
        assert client.get("/areas/850/index.html").status_code == 200
    assert site.rendered == ["areas/850/index.html"]
    assert len(site.rows) == 3  # but every request is logged
    fixed_stamp["value"] = (2, 1)
    client.get("/areas/850/index.html")
    assert site.rendered == ["areas/850/index.html"] * 2


def test_a_download_keeps_its_media_type(client, site):
    site.roles = frozenset({"area:850"})
    got = client.get("/areas/850/findings.csv")
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")


@pytest.mark.parametrize(
    "path", ["/areas/%2e%2e/index.html", "/areas/850/..%2f..%2findex.html", "/.git/config", "/areas/850/.x"]
)
def test_paths_that_cannot_be_pages_are_404(client, site, path):
    site.roles = frozenset({"national"})
    assert client.get(path).status_code == 404
    assert site.rendered == []


def test_assets_are_served_before_sign_in_and_hold_no_data(client):
    css = client.get("/assets/site.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert client.get("/assets/site.css", headers={"If-None-Match": css.headers["etag"]}).status_code == 304
    assert client.get("/assets/plotly.min.js").status_code == 200
    assert client.get("/assets/../index.html").status_code in (302, 404)
    assert client.get("/assets/nothing.js").status_code == 404
