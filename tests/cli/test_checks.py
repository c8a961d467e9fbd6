"""check, findings, explain end to end: exit codes, export formats and filters."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.conftest import SAMPLE, cli


@pytest.fixture
def demo_db(sqlite_url):
    assert cli("import", SAMPLE, db=sqlite_url).exit_code == 0
    result = cli("check", "--as-of", "2020-06-30", db=sqlite_url)
    assert result.exit_code == 0
    assert "findings as of 2020-06-30" in result.stdout and "response-5-weeks" in result.stdout
    return sqlite_url


def test_findings_before_any_check_is_a_clear_error(sqlite_url):
    result = cli("findings", "--format", "json", db=sqlite_url)
    assert result.exit_code == 1
    assert "no findings yet: run `send-monitor check` first" in result.stderr


def test_asking_for_another_date_names_the_date_held(demo_db):
    result = cli("findings", "--as-of", "2020-07-01", "--format", "json", db=demo_db)
    assert result.exit_code == 1
    assert "the store holds the findings as of 2020-06-30, not 2020-07-01" in result.stderr


def test_json_export_shape_sorting_and_filters(demo_db):
    everything = json.loads(cli("findings", "--as-of", "2020-06-30", "--format", "json", db=demo_db).stdout)
    assert everything["as_of"] == "2020-06-30"
    rows = everything["findings"]
    assert rows == sorted(rows, key=lambda f: (f["duty"], f["subject"]))
    assert all(
        list(f)
        == [
            "duty",
            "subject",
            "area",
            "owner",
            "status",
            "due_on",
            "done_on",
            "days_late",
            "reason",
            "case_ref",
            "acts_now",
        ]
        for f in rows
    )
    assert "not_applicable" not in {f["status"] for f in rows}
    overdue = json.loads(
        cli(
            "findings", "--format", "json", "--area", "852", "--status", "overdue", "--duty", "la-evidence", db=demo_db
        ).stdout
    )["findings"]
    assert overdue == [
        f for f in rows if f["area"] == "852" and f["status"] == "overdue" and f["duty"] == "la-evidence"
    ]
    assert overdue and all(f["days_late"] > 0 for f in overdue)


def test_csv_export_has_the_same_rows(demo_db):
    rows = json.loads(cli("findings", "--format", "json", db=demo_db).stdout)["findings"]
    text = cli("findings", "--format", "csv", db=demo_db).stdout
    assert text.startswith("\ufeff")  # Excel reads UTF-8 with a byte-order mark
    exported = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [(r["duty"], r["subject"], r["status"]) for r in exported] == [
        (r["duty"], r["subject"], r["status"]) for r in rows
    ]


def test_bad_options_are_usage_errors(demo_db):
    assert cli("findings", "--status", "naughty", db=demo_db).exit_code == 2
    assert cli("findings", "--duty", "la_evidence", db=demo_db).exit_code == 2
    empty = cli("findings", "--format", "csv", "--area", "999", db=demo_db)
    assert empty.stdout == "\ufeffduty,subject,area,owner,status,due_on,done_on,days_late,reason,case_ref,acts_now\n"
    assert cli("check", "--as-of", "06/31/2020", db=demo_db).exit_code == 2


def test_explain_shows_records_deadline_row_version_and_source(demo_db):
    result = cli("explain", "response-5-weeks", "REC-90012-1", db=demo_db)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "status as of 2020-06-30:" in text
    assert "made_on + 7×5 − 1" in text
    assert "matched row" in text and "response-5-weeks.yaml version" in text
    assert "SI 2017/1306" in text
    assert "records used:" in text


def test_explain_at_another_date_and_unknown_subjects(demo_db):
    late = json.loads(
        cli("findings", "--format", "json", "--duty", "la-evidence", "--status", "overdue", db=demo_db).stdout
    )["findings"][0]
    earlier = cli("explain", "la-evidence", late["subject"], "--as-of", late["due_on"], db=demo_db)
    assert earlier.exit_code == 0
    assert f"status as of {late['due_on']}: due_soon" in earlier.stdout
    missing = cli("explain", "la-evidence", "NO-SUCH-APPEAL", db=demo_db)
    assert missing.exit_code == 1 and "no subject 'NO-SUCH-APPEAL'" in missing.stderr
    assert cli("explain", "no-such-duty", "X", db=demo_db).exit_code == 1
