"""An incremental check gives exactly what a full check gives, across dates and imports."""

from __future__ import annotations

import csv
import importlib.util
import json
from datetime import date, timedelta
from pathlib import Path

from conftest import cli

spec = importlib.util.spec_from_file_location("boundary_data", Path(__file__).with_name("boundary_data.py"))
boundary = importlib.util.module_from_spec(spec)
spec.loader.exec_module(boundary)


def _export(db: str) -> list[dict]:
    return json.loads(cli("findings", "--format", "json", db=db).stdout)["findings"]


def _check(db: str, as_of: date, *flags: str) -> str:
    result = cli("check", "--as-of", as_of.isoformat(), *flags, db=db)
    assert result.exit_code == 0, result.output
    return result.stdout


def _edit(folder: Path, name: str, change) -> None:
    path = folder / f"{name}.csv"
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    for i, row in enumerate(rows):
        change(i, row)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _keys(row: dict) -> dict:
    return {k.strip().lower(): k for k in row}


def test_incremental_equals_full_across_dates_and_imports(tmp_path):
    folder = tmp_path / "records"
    boundary.write_random_folder(folder, 31, n_appeals=80)
    incremental, full = f"sqlite:///{tmp_path / 'inc.db'}", f"sqlite:///{tmp_path / 'full.db'}"
    for db in (incremental, full):
        assert cli("import", folder, db=db).exit_code == 0

    start = date(2019, 3, 1)
    dates = [start + timedelta(days=d) for d in (0, 1, 2, 9, 30, 31, 120, 400, 401, 900)]
    modes = []
    for step, as_of in enumerate(dates):
        if step == 4:  # an import of changed records between two checks
            def send(i, row):
                k = _keys(row)
                if i % 3 == 0:
                    row[k["la_response_sent_on"]] = (as_of - timedelta(days=1)).isoformat()
                if i % 5 == 0:
                    row[k["hearing_on"]] = (as_of + timedelta(days=3)).isoformat()
            _edit(folder, "appeals", send)

            def evaluate(i, row):
                k = _keys(row)
                if i % 2 == 0:
                    row[k["sent_to_evaluators_on"]] = ""
                    row[k["steps_given"]] = "no"
            _edit(folder, "responses", evaluate)
            for db in (incremental, full):
                assert cli("import", folder, db=db).exit_code == 0, cli("import", folder, db=db).output
        summary = _check(incremental, as_of)
        modes.append("incremental" if "incremental" in summary else "full")
        _check(full, as_of, "--full")
        assert _export(incremental) == _export(full), as_of
    assert modes[0] == "full" and set(modes[1:]) == {"incremental"}


def test_an_earlier_date_or_new_parameters_mean_a_full_check(tmp_path, sqlite_url):
    boundary.write_random_folder(tmp_path / "records", 32, n_appeals=20)
    assert cli("import", tmp_path / "records", db=sqlite_url).exit_code == 0
    assert "full" in _check(sqlite_url, date(2020, 6, 30))
    assert "incremental" in _check(sqlite_url, date(2020, 7, 1))
    assert "full:" in _check(sqlite_url, date(2020, 6, 1))
    config = tmp_path / "send-monitor.toml"
    config.write_text("[parameters]\nwarning_days = 14\n")
    result = cli("check", "--as-of", "2020-06-02", db=sqlite_url, config=config)
    assert result.exit_code == 0 and "full:" in result.stdout
