"""The problems report opens safely in a spreadsheet."""

from __future__ import annotations

from conftest import cli, write_records


def test_the_problems_report_opens_in_a_spreadsheet(tmp_path, sqlite_url):
    folder = write_records(
        tmp_path / "r",
        areas=[{"area_code": "=850", "name": "A", "region": "x"}, {"area_code": "851", "name": "", "region": "y"}],
    )
    (folder / "decisions.csv").write_text(
        "decision_id,area_code,case_ref,decision_type,decision_date\nD1,@SUM(1),C1,plan_issued,-1\n", encoding="utf-8"
    )
    report = tmp_path / "problems.csv"
    result = cli("import", folder, "--dry-run", "--report", report, db=sqlite_url)
    assert result.exit_code == 1
    data = report.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    import csv as _csv

    rows = list(_csv.reader(data.decode("utf-8-sig").splitlines()))
    assert rows == [
        ["file", "row", "column", "value", "problem"],
        ["areas.csv", "3", "name", "", "required value is blank"],
        ["decisions.csv", "2", "decision_date", "'-1", "not a date: use YYYY-MM-DD or day-first D/M/YYYY"],
        ["decisions.csv", "2", "area_code", "'@SUM(1)", "no such area_code in this import or the store"],
    ]
