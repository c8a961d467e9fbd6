"""The downloads beside an area's page follow a merger as its pages do: the successor gets the
merged area's findings, another area gets 404."""

from __future__ import annotations

import csv
import shutil

import pytest
from starlette.testclient import TestClient

from monitor.config import load_config
from monitor.store import open_store
from monitor.web.app import build_app
from monitor.web.signin import SignIn
from monitor.web.viewer import Viewer
from tests.conftest import SAMPLE, cli


@pytest.fixture(scope="module")
def merged(tmp_path_factory):
    """The demo records with 852 taken over by 851 from 1 April 2020, checked."""
    base = tmp_path_factory.mktemp("merged")
    folder = base / "records"
    shutil.copytree(SAMPLE, folder)
    with open(folder / "areas.csv", encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames, list(reader)
    for r in rows:
        r["successor_code"], r["successor_from"] = ("851", "2020-04-01") if r["area_code"] == "852" else ("", "")
    with open(folder / "areas.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=[*fields, "successor_code", "successor_from"])
        writer.writeheader()
        writer.writerows(rows)
    db = f"sqlite:///{base / 'store.db'}"
    assert cli("import", folder, db=db).exit_code == 0
    assert cli("check", "--as-of", "2020-06-30", db=db).exit_code == 0
    return db


def _client(db: str, role: str) -> TestClient:
    viewer = Viewer("s", None, frozenset({role}))
    return TestClient(
        build_app(load_config(db=db), open_store(db), sign_in=SignIn(lambda r: viewer, lambda *a, **k: None))
    )


@pytest.mark.parametrize("path", ["areas/852/index.html", "areas/852/findings.csv", "areas/852/findings.json"])
def test_the_successor_gets_the_merged_areas_page_and_downloads_and_another_area_does_not(merged, path):
    assert _client(merged, "area:851").get("/" + path).status_code == 200
    assert _client(merged, "area:850").get("/" + path).status_code == 404
