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


# --- records that move between subjects (issue 10, item 1) -------------------------

AREA = {"area_code": "850", "name": "Area 850"}
HEALTH = {"commissioner_code": "QRL", "name": "ICB", "kind": "health"}


def _appeal(appeal_id: str, sent: str = "2019-03-10") -> dict:
    return {"appeal_id": appeal_id, "area_code": "850", "case_ref": f"C-{appeal_id}", "decision_type": "plan_issued",
            "decision_date": "2019-01-10", "registered_on": "2019-02-01", "health_issue": "yes",
            "social_care_issue": "no", "la_response_due_on": "2019-03-15", "la_response_sent_on": sent,
            "status": "open"}


def _contacted(appeal_id: str, on: str = "2019-03-01") -> dict:  # with _appeal: no open finding (which would
    return {"appeal_id": appeal_id, "commissioner_code": "QRL", "la_contacted_on": on}  # hide a missed subject)


def _status(db: str, duty: str, subject: str) -> str | None:
    return next((f["status"] for f in _export(db) if (f["duty"], f["subject"]) == (duty, subject)), None)


def test_a_claim_moved_to_another_appeal_re_evaluates_the_appeal_it_left(tmp_path, db_url):
    from conftest import write_records

    def claim(claim_id, appeal_id, amount):
        return {"claim_id": claim_id, "appeal_id": appeal_id, "claimant_code": "850", "category": "evidence",
                "amount_gbp": amount, "claimed_on": "2019-05-01"}

    first = write_records(tmp_path / "first", areas=[AREA], commissioners=[HEALTH],
                          appeals=[_appeal("A1"), _appeal("A2")], evidence=[_contacted("A1"), _contacted("A2")],
                          funding_claims=[claim("F1", "A1", "3000.00"), claim("F2", "A1", "2000.00")])
    assert cli("import", first, db=db_url).exit_code == 0
    _check(db_url, date(2019, 6, 30))
    assert _status(db_url, "funding-cap", "A1") == "breached"
    moved = write_records(tmp_path / "moved", funding_claims=[claim("F2", "A2", "2000.00")])
    assert cli("import", moved, db=db_url).exit_code == 0
    assert "incremental" in _check(db_url, date(2019, 7, 1))
    assert _status(db_url, "funding-cap", "A1") == "met"
    assert _status(db_url, "funding-cap", "A2") == "met"
    moved_back = write_records(tmp_path / "back", funding_claims=[claim("F1", "A2", "3000.00")])
    assert cli("import", moved_back, db=db_url).exit_code == 0
    _check(db_url, date(2019, 7, 2))
    assert _status(db_url, "funding-cap", "A1") is None  # no claims left: no finding
    assert _status(db_url, "funding-cap", "A2") == "breached"


def test_an_exception_moved_to_another_subject_or_duty_stops_excusing_the_old_one(tmp_path, db_url):
    from conftest import write_records

    def exception(duty, subject):
        return {"exception_id": "X1", "duty": duty, "subject_id": subject, "granted_by": "DCS",
                "justification": "agreed", "granted_on": "2019-01-01", "expires_on": "2019-12-31"}

    first = write_records(tmp_path / "first", areas=[AREA], commissioners=[HEALTH],
                          appeals=[_appeal("A1", "2019-03-20"), _appeal("A2", "2019-03-20")],
                          evidence=[_contacted("A1", "2019-03-20"), _contacted("A2", "2019-03-20")],
                          exceptions=[exception("la-evidence", "A1")])
    assert cli("import", first, db=db_url).exit_code == 0
    _check(db_url, date(2019, 6, 30))
    assert _status(db_url, "la-evidence", "A1") == "exception"
    for step, (duty, subject) in enumerate([("la-evidence", "A2"), ("commissioner-contacted", "A2:health"),
                                            ("la-evidence", "A1")], start=1):
        folder = write_records(tmp_path / f"step{step}", exceptions=[exception(duty, subject)])
        assert cli("import", folder, db=db_url).exit_code == 0
        assert "incremental" in _check(db_url, date(2019, 6, 30) + timedelta(days=step))
        excused = {(f["duty"], f["subject"]) for f in _export(db_url) if f["status"] == "exception"}
        assert excused == {(duty, subject)}, step
