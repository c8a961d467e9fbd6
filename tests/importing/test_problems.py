"""The problems report opens safely in a spreadsheet."""

from __future__ import annotations

from conftest import cli, write_records

from importing.import_data import causes, errors


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


def test_problems_are_grouped_by_cause_first(tmp_path, sqlite_url):
    """A folder without areas.csv: one cause, with the codes, the rows and the likely fix."""
    decisions = [
        {
            "decision_id": f"D{i}",
            "area_code": str(850 + i % 4),
            "case_ref": f"C{i}",
            "decision_type": "plan_issued",
            "decision_date": "2019-01-01",
        }
        for i in range(40)
    ]
    decisions[7]["decision_type"] = "plan_isued"
    folder = write_records(tmp_path / "r", decisions=decisions)
    result = cli("import", folder, db=sqlite_url)
    assert result.exit_code == 1
    assert causes(result) == [
        "4 unknown area_code values (850, 851, 852, …) on 40 rows of decisions.csv, column area_code — is areas.csv "
        "missing from the export?",
        "1 row of decisions.csv, column decision_type: not one of refuse_assessment, refuse_plan, plan_issued, "
        "plan_amended, refuse_reassessment, refuse_amendment, cease_plan (e.g. plan_isued)",
    ]
    assert len(errors(result)) == 41


def test_a_misspelt_column_gets_the_nearest_name(tmp_path, sqlite_url):
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "decisions.csv").write_text(
        "decision_id,area_code,case_ref,decision_type,decison_date,colour\n", encoding="utf-8"
    )
    result = cli("import", folder, db=sqlite_url)
    assert errors(result) == [
        "decisions.csv row 1, column decison_date: unknown column: did you mean decision_date?",
        "decisions.csv row 1, column colour: unknown column",
        "decisions.csv row 1, column decision_date: required column is missing",
    ]
