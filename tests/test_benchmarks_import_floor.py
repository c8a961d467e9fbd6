"""The import's yardstick (benchmarks/import_floor.py) stores every row of every file, as dated
text, on either backend."""

from __future__ import annotations

import csv
import sqlite3

import psycopg
import pytest

from benchmarks.import_floor import load
from sample_data.generate import generate


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("national")
    generate(out, seed=3, areas=2, years=1, scale=0.05)
    return out


def _expected(folder) -> dict[str, int]:
    counts = {}
    for path in folder.glob("*.csv"):
        with open(path, newline="", encoding="utf-8-sig") as fh:
            counts[path.stem] = sum(1 for _ in csv.reader(fh)) - 1
    return counts


def test_the_floor_writes_every_row_into_sqlite_with_dates_as_iso(folder, tmp_path):
    expected = _expected(folder)
    assert load(folder, f"sqlite:///{tmp_path / 'floor.db'}") == sum(expected.values())
    conn = sqlite3.connect(tmp_path / "floor.db")
    for table, n in expected.items():
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == n
    assert conn.execute("SELECT count(*) FROM decisions WHERE decision_date LIKE '%/%'").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM decisions WHERE decision_date LIKE '____-__-__'").fetchone()[0] > 0


def test_the_floor_copies_every_row_into_postgresql(folder, pg_url):
    expected = _expected(folder)
    assert load(folder, pg_url) == sum(expected.values())
    with psycopg.connect(pg_url) as conn:
        for table, n in expected.items():
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == n
