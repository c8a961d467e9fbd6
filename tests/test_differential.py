"""The CLI's findings equal an independent evaluator's (tests/oracle.py) on boundary-heavy random data."""

from __future__ import annotations

import importlib.util
import json
from datetime import date
from pathlib import Path

import pytest
from conftest import cli


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


oracle, boundary = _load("oracle"), _load("boundary_data")


def _without_reason(findings: list[dict]) -> list[dict]:
    return [{k: v for k, v in f.items() if k != "reason"} for f in findings]


def _compare(db: str, folder: Path, seed: int, dates: list[date] | None = None) -> None:
    assert cli("import", folder, db=db).exit_code == 0
    for as_of in dates or boundary.as_of_dates(seed):
        assert cli("check", "--as-of", as_of.isoformat(), db=db).exit_code == 0
        out = cli("findings", "--as-of", as_of.isoformat(), "--format", "json", db=db)
        exported = json.loads(out.stdout)
        assert exported["as_of"] == as_of.isoformat()
        assert _without_reason(exported["findings"]) == _without_reason(oracle.evaluate(folder, as_of)), as_of


@pytest.mark.parametrize("seed", [11, 12, 13, 14])
def test_findings_equal_the_independent_evaluator(tmp_path, sqlite_url, seed):
    boundary.write_random_folder(tmp_path / "records", seed, n_appeals=80)
    _compare(sqlite_url, tmp_path / "records", seed)


def test_checking_an_earlier_date_after_a_later_one(tmp_path, sqlite_url):
    boundary.write_random_folder(tmp_path / "records", 15, n_appeals=80)
    dates = sorted(boundary.as_of_dates(15), reverse=True)
    _compare(sqlite_url, tmp_path / "records", 15, dates + [dates[0]])


def test_findings_equal_the_independent_evaluator_on_postgresql(tmp_path, pg_url):
    boundary.write_random_folder(tmp_path / "records", 21, n_appeals=80)
    _compare(pg_url, tmp_path / "records", 21)


def test_the_demo_data_equals_the_independent_evaluator(tmp_path, sqlite_url):
    demo = Path(__file__).resolve().parent.parent / "sample_data" / "demo"
    assert cli("import", demo, db=sqlite_url).exit_code == 0
    assert cli("check", "--as-of", "2020-06-30", db=sqlite_url).exit_code == 0
    exported = json.loads(cli("findings", "--format", "json", db=sqlite_url).stdout)["findings"]
    assert _without_reason(exported) == _without_reason(oracle.evaluate(demo, date(2020, 6, 30)))
    found: dict[str, set[str]] = {}
    for f in exported:
        found.setdefault(f["duty"], set()).add(f["status"])
    timed = {"met", "late", "overdue", "due_soon", "pending", "exception"}
    assert found == {  # every status each duty can take as of 2020-06-30
        "rights-notice": {"met", "breached", "data_gap", "exception"},
        "local-offer": {"met", "late", "overdue"},  # three areas: no room for a fourth status
        "commissioner-contacted": timed | {"data_gap"},
        "la-evidence": timed | {"data_gap"},
        "commissioner-evidence": timed | {"breached"},  # a closed breach: not provided before the appeal closed
        "hearing-attendance": {"met", "breached", "data_gap", "due_soon", "pending", "exception"},
        "response-5-weeks": timed,
        "response-content": {"met", "breached", "data_gap", "exception"},
        "evaluator-return": timed - {"pending"},  # received by the as-of date: due within 7 days at most
        "funding-cap": {"met", "breached", "exception"},
        "letter-wording": {"met", "breached"},  # a good template and a deficient one
        "local-offer-wording": {"met", "breached"},
    }
