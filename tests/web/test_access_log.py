"""The access log: one row per case-level page served or refused, none lost, pruned after its
retention, and beside an SQLite store so that pages never wait for an import."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from monitor.store import open_store
from monitor.web.access_log import AccessLog, export_csv, export_json
from monitor.web.webstore import open_web_database, web_database_url
from tests.web.oidc_provider import sign_in

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def _rows(site) -> list[dict]:
    log = AccessLog(open_web_database(site.cfg.database_url), 400)
    return [e.model_dump(exclude={"id"}) for e in log.entries()]


def test_each_case_page_served_and_each_refusal_writes_one_row(site):
    with site.client() as client:
        sign_in(client, site.base_url, "lead850", "/case/R-1")
        client.get(f"{site.base_url}case/R-2")
        client.get(site.base_url)  # not case-level: the page itself logs nothing
    with site.client() as client:
        sign_in(client, site.base_url, "norole", "/case/R-3")
    rows = _rows(site)
    assert [(r["subject"], r["email"], r["path"], r["area"], r["case_refs"], r["outcome"]) for r in rows] == [
        ("lead850", "lead850@example.org", "/case/R-1", "850", ["R-1"], 200),
        ("lead850", "lead850@example.org", "/case/R-2", "850", ["R-2"], 200),
        ("norole", "norole@example.org", "/case/R-3", None, [], 403),
    ]
    assert all(r["at"] is not None for r in rows)


def test_a_page_whose_row_cannot_be_written_is_refused(site):
    with site.client() as client:
        sign_in(client, site.base_url, "lead850")
        web_db = web_database_url(site.cfg.database_url).removeprefix("sqlite:///")
        with sqlite3.connect(web_db) as conn:
            conn.execute("DROP TABLE access_log")
        response = client.get(f"{site.base_url}case/R-1")
    assert response.status_code == 503 and "case R-1" not in response.text


def test_a_no_role_refusal_whose_row_cannot_be_written_is_a_503(site):
    web_db = web_database_url(site.cfg.database_url).removeprefix("sqlite:///")
    with site.client() as client:
        sign_in(client, site.base_url, "norole")
        with sqlite3.connect(web_db) as conn:
            conn.execute("DROP TABLE access_log")
        response = client.get(f"{site.base_url}case/R-1")
    assert response.status_code == 503
    assert "This page cannot be shown at the moment" in response.text


def test_on_sqlite_the_log_is_written_while_an_import_holds_the_stores_writer(tmp_path):
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    open_store(store_url).dispose()
    log = AccessLog(open_web_database(store_url), 400)
    held = sqlite3.connect(tmp_path / "store.db", isolation_level=None)
    held.execute("BEGIN IMMEDIATE")  # as an import does, for its whole run
    try:
        log.append(subject="s", email=None, path="/case/R-1", area="850", case_refs=["R-1"], outcome=200)
    finally:
        held.execute("ROLLBACK")
        held.close()
    assert web_database_url(store_url).endswith("store.web.db")
    assert [e.path for e in log.entries()] == ["/case/R-1"]


def test_on_postgresql_the_log_is_a_table_of_the_store(pg_url):
    open_store(pg_url).dispose()
    assert web_database_url(pg_url) == pg_url
    log = AccessLog(open_web_database(pg_url), 400, clock=lambda: NOW)
    log.append(subject="s", email="e@x.org", path="/case/R-1", area="850", case_refs=["R-1"], outcome=404)
    with open_store(pg_url).connect() as conn:
        assert conn.execute(text("SELECT path, outcome FROM access_log")).all() == [("/case/R-1", 404)]


def test_rows_older_than_the_retention_are_pruned(tmp_path):
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    clock = {"now": NOW - timedelta(days=401)}
    log = AccessLog(open_web_database(store_url), 400, clock=lambda: clock["now"])
    log.append(subject="old", email=None, path="/case/A", area="850", case_refs=["A"], outcome=200)
    clock["now"] = NOW - timedelta(days=399)
    log.append(subject="kept", email=None, path="/case/B", area="850", case_refs=["B"], outcome=200)
    clock["now"] = NOW
    log.append(subject="new", email=None, path="/case/C", area="850", case_refs=["C"], outcome=200)
    assert [e.subject for e in log.entries()] == ["kept", "new"]


def test_a_second_web_database_schema_is_refused_in_one_line(tmp_path):
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    with sqlite3.connect(tmp_path / "store.web.db") as conn:
        conn.execute("PRAGMA user_version = 99")
    from monitor.db import StoreError

    with pytest.raises(StoreError, match="made by another send-monitor version"):
        open_web_database(store_url)


def test_the_export_gives_every_row_as_csv_and_json(tmp_path):
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    log = AccessLog(open_web_database(store_url), 400, clock=lambda: NOW)
    log.append(subject="s1", email="a@x.org", path="/case/R-1", area="850", case_refs=["R-1", "R-2"], outcome=200)
    log.append(subject="=cmd", email=None, path="/area/851/", area="851", case_refs=[], outcome=404)
    rows = list(csv.DictReader(io.StringIO("".join(export_csv(log.entries())).lstrip("\ufeff"))))
    assert rows[0] == {
        "when": "2026-12-07T09:00:00+00:00",
        "subject": "s1",
        "email": "a@x.org",
        "path": "/case/R-1",
        "area": "850",
        "case_refs": "R-1 R-2",
        "outcome": "200",
    }
    assert rows[1]["subject"] == "'=cmd"  # never run as a formula
    document = json.loads("".join(export_json(log.entries(since=date(2026, 12, 7)))))
    assert [r["case_refs"] for r in document["access_log"]] == [["R-1", "R-2"], []]
    assert json.loads("".join(export_json(log.entries(since=date(2026, 12, 8))))) == {"access_log": []}
