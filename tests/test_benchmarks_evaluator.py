"""The check's yardstick (benchmarks/evaluator.py) decides every finding as the check does."""

from __future__ import annotations

import importlib.util
import json
from datetime import date
from pathlib import Path

import pytest
from conftest import cli

from benchmarks.evaluator import acts_now, evaluate
from sample_data.generate import generate

KEYS = ("duty", "subject", "area", "owner", "status", "due_on", "done_on", "days_late", "case_ref")


def _boundary():
    spec = importlib.util.spec_from_file_location("boundary_data", Path(__file__).with_name("boundary_data.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _plain(folder: Path, as_of: date) -> list[dict]:
    findings = evaluate(folder, as_of)
    return [
        {**{k: (v.isoformat() if isinstance(v, date) else v) for k, v in zip(KEYS, f, strict=True)}, "acts_now": a}
        for f, a in zip(findings, acts_now(folder, as_of, findings), strict=True)
    ]


def _checked(db: str, as_of: date) -> list[dict]:
    assert cli("check", "--as-of", as_of.isoformat(), db=db).exit_code == 0
    out = json.loads(cli("findings", "--as-of", as_of.isoformat(), "--format", "json", db=db).stdout)
    return [{k: f[k] for k in (*KEYS, "acts_now")} for f in out["findings"]]


def _same(db: str, folder: Path, dates: list[date]) -> None:
    assert cli("import", folder, db=db).exit_code == 0
    for as_of in dates:
        expected = _checked(db, as_of)
        assert expected, as_of
        assert _plain(folder, as_of) == expected, as_of


def test_generated_national_data_at_todays_appeal_volume(tmp_path, sqlite_url):
    folder = tmp_path / "national"
    generate(folder, seed=7, areas=4, years=4, scale=0.15, appeals=2.6)
    _same(sqlite_url, folder, [date(2019, 3, 31), date(2020, 6, 30), date(2021, 6, 30)])


@pytest.mark.parametrize("seed", [31, 32])
def test_boundary_data(tmp_path, sqlite_url, seed):
    boundary = _boundary()
    boundary.write_random_folder(tmp_path / "records", seed, n_appeals=80)
    _same(sqlite_url, tmp_path / "records", boundary.as_of_dates(seed))


def test_the_volume_multiplier_leaves_the_letters_alone(tmp_path):
    one = generate(tmp_path / "one", seed=3, areas=3, years=2, scale=0.2)
    more = generate(tmp_path / "more", seed=3, areas=3, years=2, scale=0.2, appeals=2.6)
    assert more["decisions.csv"] == one["decisions.csv"]
    assert (tmp_path / "one" / "decisions.csv").read_bytes() == (tmp_path / "more" / "decisions.csv").read_bytes()
    assert more["appeals.csv"] > 2 * one["appeals.csv"]
