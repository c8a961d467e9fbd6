"""The inbox: an export is taken only when complete (settled, or marked READY); a failed export
leaves its problems report beside it and a `runs` row for the alerts step."""

from __future__ import annotations

import csv
import os
import time
from datetime import date

from conftest import SAMPLE, write_records
from importing.test_readers_xlsx import workbook_of
from sqlalchemy import select

from monitor.config import REPO_RULES
from monitor.inbox import import_inbox
from monitor.models import RunRecord
from monitor.rules import load_rules
from monitor.store import open_store

DUTIES = list(load_rules(REPO_RULES, {}))
AREAS = [{"area_code": "850", "name": "Area 850"}]


def age(path, seconds: float) -> None:
    """Make everything in `path` look `seconds` old."""
    then = time.time() - seconds
    for root, dirs, files in os.walk(path):
        for name in files + dirs:
            os.utime(os.path.join(root, name), (then, then))
    os.utime(path, (then, then))


def runs(engine) -> list[dict]:
    t = RunRecord.__table__
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(t).order_by(t.c.id)).mappings()]


def test_an_export_still_growing_waits_and_is_taken_once_settled(tmp_path, db_url):
    engine = open_store(db_url)
    inbox = tmp_path / "inbox"
    export = write_records(inbox / "2020-07-01-850", areas=AREAS)
    result = import_inbox(engine, DUTIES, inbox, settle_seconds=60)
    assert result.waiting == ["2020-07-01-850"] and not result.imported and export.is_dir()
    assert "waiting for 2020-07-01-850" in result.detail() and result.counts()["waiting"] == 1

    age(export, 120)
    with open(export / "areas.csv", "a", encoding="utf-8") as fh:  # still being copied: it grows
        fh.write("851,Area 851\n")
    assert import_inbox(engine, DUTIES, inbox, settle_seconds=60).waiting == ["2020-07-01-850"]

    age(export, 61)
    result = import_inbox(engine, DUTIES, inbox, settle_seconds=60)
    assert [name for name, _, _ in result.imported] == ["2020-07-01-850"] and not export.exists()
    assert result.imported[0][2]["areas"]["new"] == 2


def test_a_ready_marker_takes_an_export_at_once_folder_or_workbook(tmp_path, sqlite_url):
    engine = open_store(sqlite_url)
    inbox = tmp_path / "inbox"
    write_records(inbox / "a-850", areas=AREAS)
    (inbox / "a-850" / "READY").touch()
    inbox.mkdir(exist_ok=True)
    workbook_of(SAMPLE, inbox / "b-demo.xlsx")
    (inbox / "b-demo.xlsx.READY").touch()
    (inbox / "~$b-demo.xlsx").write_bytes(b"Excel's lock file")
    result = import_inbox(engine, DUTIES, inbox, settle_seconds=3600)
    assert [name for name, _, _ in result.imported] == ["a-850", "b-demo.xlsx"]
    assert result.ignored == [] and not result.waiting
    processed = sorted(p.name.split("-", 1)[1] for p in (inbox / "processed").iterdir())
    assert processed == ["a-850", "b-demo.xlsx", "b-demo.xlsx.READY"]


def test_a_failed_export_leaves_its_report_and_a_runs_row(tmp_path, db_url):
    engine = open_store(db_url)
    inbox = tmp_path / "inbox"
    export = write_records(
        inbox / "2020-07-01-850",
        areas=AREAS,
        decisions=[
            {
                "decision_id": "D1",
                "area_code": "850",
                "case_ref": "C1",
                "decision_type": "plan_issued",
                "decision_date": "2020-13-01",
            },
            {
                "decision_id": "D2",
                "area_code": "850",
                "case_ref": "C2",
                "decision_type": "=cmd",
                "decision_date": "2020-01-01",
            },
        ],
    )
    (export / "READY").touch()
    result = import_inbox(engine, DUTIES, inbox, settle_seconds=60, as_of=date(2020, 7, 1), trigger="cli")
    assert result.outcome == "failed" and [name for name, _ in result.failed] == ["2020-07-01-850"]
    [failed] = [r for r in runs(engine) if r["outcome"] == "failed"]
    assert failed["step"] == "import" and failed["as_of"] == date(2020, 7, 1) and failed["finished_at"]
    report = failed["counts"]["report"]
    assert failed["counts"] == {"problems": 2, "area": "850", "report": report}
    assert report.endswith("-2020-07-01-850.problems.csv") and os.path.isabs(report)
    with open(report, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["file", "row", "column", "value", "problem"]
    assert [r[:4] for r in rows[1:]] == [
        ["decisions.csv", "2", "decision_date", "2020-13-01"],
        ["decisions.csv", "3", "decision_type", "'=cmd"],
    ]
    assert "850" not in failed["detail"].replace("2020-07-01-850", "")  # no record values in the detail


def test_an_export_naming_several_areas_has_no_area(tmp_path, sqlite_url):
    engine = open_store(sqlite_url)
    inbox = tmp_path / "inbox"
    export = write_records(inbox / "x", areas=[*AREAS, {"area_code": "851", "name": ""}])
    (export / "READY").touch()
    import_inbox(engine, DUTIES, inbox)
    [failed] = [r for r in runs(engine) if r["outcome"] == "failed"]
    assert failed["counts"]["area"] is None and failed["counts"]["problems"] == 1
