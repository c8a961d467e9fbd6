"""check, findings, explain end to end: exit codes, export formats and filters."""

from __future__ import annotations

import csv
import io
import json
import re

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
    assert cli("import", SAMPLE, db=sqlite_url).exit_code == 0
    result = cli("findings", "--format", "json", db=sqlite_url)
    assert result.exit_code == 1
    assert "no findings yet: run `send-monitor check` first" in result.stderr


def test_readers_never_create_a_store_and_check_wants_records(tmp_path):
    missing = tmp_path / "nothing-here.db"
    for args in (("status",), ("findings",), ("explain", "la-evidence", "A1")):
        result = cli(*args, db=f"sqlite:///{missing}")
        assert result.exit_code == 1 and result.stderr.strip().splitlines() == [
            f"error: no store at {missing}: run `send-monitor import` first, or give --db before the command"
        ], args
        assert not missing.exists()
    empty = cli("check", "--as-of", "2020-06-30", db=f"sqlite:///{tmp_path / 'empty.db'}")
    assert empty.exit_code == 1
    assert empty.stderr.strip() == "error: check: no records imported yet: run `send-monitor import` first"


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


def test_an_unknown_code_in_a_filter_is_named_never_an_empty_all_clear(demo_db):
    for args, named in (
        (("--status", "naughty"), "no status 'naughty'"),
        (("--duty", "la_evidence"), "no duty 'la_evidence'"),
        (("--area", "999"), "no area '999' in the store"),
        (("--commissioner", "QZZ"), "no commissioner 'QZZ' in the store"),
    ):
        result = cli("findings", "--format", "csv", *args, db=demo_db)
        assert result.exit_code == 1 and result.stdout == "" and named in result.stderr, args
    only = cli("findings", "--format", "csv", "--commissioner", "QRL", db=demo_db)
    owners = {r["owner"] for r in csv.DictReader(io.StringIO(only.stdout.removeprefix("\ufeff")))}
    assert only.exit_code == 0 and owners == {"QRL"}
    assert cli("check", "--as-of", "06/31/2020", db=demo_db).exit_code == 2


def test_the_findings_table_names_the_case_and_the_days_most_urgent_first(demo_db):
    table = cli("findings", db=demo_db).stdout
    assert "most urgent first" in table
    lines = [line for line in table.splitlines() if re.search(r"\b(overdue|due_soon|breached)\b", line)]
    overdue = [int(m.group(1)) for line in lines if (m := re.search(r"│\s*(\d+) overdue", line))]
    assert overdue and overdue == sorted(overdue, reverse=True)
    first_due_soon = next(i for i, line in enumerate(lines) if "due_soon" in line)
    assert all("overdue" in line for line in lines[:first_due_soon])
    assert sum(bool(re.match(r"│ C8\d\d-\d+\s+│", line)) for line in lines) > len(lines) // 2  # the case first
    assert re.search(r"\d+ left|due today", lines[first_due_soon])


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
