"""The store's pages: a store that cannot be read, or holds no check yet, answers 503 with a
page saying so and one log line without the password or any value."""

from __future__ import annotations

from starlette.testclient import TestClient

from monitor.config import load_config
from monitor.db import connect
from monitor.store import open_store
from monitor.web import rendering
from monitor.web.app import build_app
from monitor.web.signin import SignIn
from monitor.web.viewer import Viewer
from tests.conftest import SAMPLE, cli

NATIONAL = Viewer("s", None, frozenset({"national"}))


def _client(db: str, engine) -> tuple[TestClient, list]:
    rows: list = []
    app = build_app(
        load_config(db=db), engine, sign_in=SignIn(lambda r: NATIONAL, lambda r, v, **row: rows.append(row))
    )
    return TestClient(app), rows


def test_a_store_that_does_not_answer_is_a_503_and_one_line(caplog):
    url = "postgresql://monitor:s3cret@127.0.0.1:1/send"
    client, rows = _client(url, connect(url))
    got = client.get("/areas/850/index.html")
    assert got.status_code == 503
    assert "cannot be shown just now" in got.text
    (line,) = [r.getMessage() for r in caplog.records if r.name == "send_monitor.web"]
    assert line.startswith("page not made: cannot reach the store postgresql+psycopg://monitor:***@127.0.0.1:1/send")
    assert "s3cret" not in caplog.text
    assert rows == []


def test_a_store_with_no_check_yet_says_so(tmp_path):
    db = f"sqlite:///{tmp_path / 'store.db'}"
    client, rows = _client(db, open_store(db))
    got = client.get("/index.html")
    assert got.status_code == 503
    assert "No check has run" in got.text


def test_another_areas_dashboard_and_downloads_are_refused_without_being_gathered(tmp_path, monkeypatch):
    db = f"sqlite:///{tmp_path / 'store.db'}"
    assert cli("import", SAMPLE, db=db).exit_code == 0
    assert cli("check", "--as-of", "2020-06-30", db=db).exit_code == 0
    gathered: list[str] = []
    for name in ("page_in", "download_in"):
        real = getattr(rendering, name)
        monkeypatch.setattr(
            rendering, name, lambda conn, site, path, real=real: gathered.append(path) or real(conn, site, path)
        )
    rows: list = []
    lead = Viewer("s", None, frozenset({"area:850"}))
    app = build_app(
        load_config(db=db), open_store(db), sign_in=SignIn(lambda r: lead, lambda r, v, **row: rows.append(row))
    )
    client = TestClient(app)
    for path in ("areas/851/index.html", "areas/851/report.html", "areas/851/findings.csv", "areas/851/findings.xlsx"):
        assert client.get("/" + path).status_code == 404
    assert gathered == []
    assert [(r["area"], r["outcome"], r["case_refs"]) for r in rows] == [("851", 404, [])] * 4
    assert client.get("/areas/850/index.html").status_code == 200
    assert gathered == ["areas/850/index.html"]
