"""The inbox: an export is taken only when complete (settled, or marked READY); a failed export
leaves its problems report beside it and a `runs` row for the alerts step."""

from __future__ import annotations

import csv
import os
import shutil
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
    records = tmp_path / "records"  # the demo's records without its documents (a workbook alone has none)
    records.mkdir()
    for path in SAMPLE.glob("*.csv"):
        if path.stem not in ("letter_templates", "local_offer_pages"):
            shutil.copy(path, records)
    workbook_of(records, inbox / "b-demo.xlsx")
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


def good(inbox, name: str = "b-good"):
    export = write_records(inbox / name, areas=AREAS)
    (export / "READY").touch()
    return export


def test_a_damaged_export_fails_alone_and_the_next_is_imported_in_the_same_cycle(tmp_path, sqlite_url):
    engine = open_store(sqlite_url)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a-damaged.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (inbox / "a-damaged.xlsx.READY").touch()
    good(inbox)
    result = import_inbox(engine, DUTIES, inbox)
    assert [n for n, _ in result.failed] == ["a-damaged.xlsx"] and [n for n, _, _ in result.imported] == ["b-good"]
    [failed] = [r for r in runs(engine) if r["outcome"] == "failed"]
    assert failed["counts"]["problems"] == 1
    errors_txt = next((inbox / "failed").glob("*.errors.txt")).read_text()
    assert "not a readable .xlsx workbook" in errors_txt


def test_an_export_failing_inside_the_import_is_failed_not_retried(tmp_path, sqlite_url, monkeypatch):
    import monitor.inbox

    engine = open_store(sqlite_url)
    inbox = tmp_path / "inbox"
    good(inbox, "a-bad")
    good(inbox, "b-good")
    real = monitor.inbox.import_folder

    def breaks_on_a(engine, path, duty_ids, **kw):
        if path.name == "a-bad":
            raise RecursionError("deep")
        return real(engine, path, duty_ids, **kw)

    monkeypatch.setattr(monitor.inbox, "import_folder", breaks_on_a)
    result = import_inbox(engine, DUTIES, inbox)
    assert [n for n, _ in result.failed] == ["a-bad"] and [n for n, _, _ in result.imported] == ["b-good"]
    assert not result.retry and not (inbox / "a-bad").exists()


def test_an_export_changed_while_it_is_imported_is_left_to_settle(tmp_path, sqlite_url, monkeypatch):
    """A copy that stalled past the settle time and goes on while the import reads it."""
    import monitor.inbox

    engine = open_store(sqlite_url)
    inbox = tmp_path / "inbox"
    export = write_records(inbox / "a-850", areas=AREAS)
    age(export, 120)
    real = monitor.inbox.import_folder

    def copy_goes_on(engine, path, duty_ids, unchanged, **kw):
        def then():
            with open(path / "areas.csv", "a", encoding="utf-8") as fh:
                fh.write("851,Area 851\n")
            return unchanged()

        return real(engine, path, duty_ids, unchanged=then, **kw)

    monkeypatch.setattr(monitor.inbox, "import_folder", copy_goes_on)
    result = import_inbox(engine, DUTIES, inbox, settle_seconds=60)
    assert result.waiting == ["a-850"] and not result.imported and export.is_dir()
    engine_rows = runs(engine)
    assert engine_rows == []
    monkeypatch.setattr(monitor.inbox, "import_folder", real)
    age(export, 120)
    assert [c["areas"]["new"] for _, _, c in import_inbox(engine, DUTIES, inbox).imported] == [2]


def test_a_long_export_name_is_shortened_where_it_is_moved(tmp_path, sqlite_url):
    engine = open_store(sqlite_url)
    inbox = tmp_path / "inbox"
    long = "export-" + "é" * 120  # 247 bytes: with a stamp and a report suffix, over a file name's 255
    good(inbox, long)
    bad = write_records(inbox / ("x" * 250), areas=[{"area_code": "850", "name": ""}])
    (bad / "READY").touch()
    result = import_inbox(engine, DUTIES, inbox)
    assert [n for n, _, _ in result.imported] == [long] and [n for n, _ in result.failed] == ["x" * 250]
    assert not (inbox / long).exists() and not bad.exists()
    assert len(list((inbox / "failed").iterdir())) == 3  # the export, .errors.txt, .problems.csv


def test_an_area_drop_folder_binds_its_exports_to_the_area(tmp_path, sqlite_url):
    from monitor.inbox import Binding

    engine = open_store(sqlite_url)
    inbox = tmp_path / "inbox"
    export = write_records(
        inbox / "850" / "a", areas=[{"area_code": "850", "name": "A"}, {"area_code": "851", "name": "B"}]
    )
    (export / "READY").touch()
    good(inbox / "851", "b")
    good(inbox, "c-loose")
    result = import_inbox(engine, DUTIES, inbox, binding=Binding(by_area=True))
    assert sorted(n for n, _ in result.failed) == ["a", "b", "c-loose"]
    failures = {r["detail"].split(":")[0]: r["counts"] for r in runs(engine) if r["outcome"] == "failed"}
    assert failures["export a"]["area"] == "850" and failures["export b"]["area"] == "851"
    assert failures["export c-loose"]["area"] is None
    assert "put it in its area's folder" in next((inbox / "failed").glob("*.errors.txt")).read_text()
    assert (inbox / "850" / "failed").is_dir() and (inbox / "851" / "failed").is_dir()
    good(inbox / "850", "d")
    assert [n for n, _, _ in import_inbox(engine, DUTIES, inbox, binding=Binding(by_area=True)).imported] == ["d"]


def test_an_inbox_with_no_area_and_no_national_exports_fails_them(tmp_path, sqlite_url):
    from monitor.inbox import Binding

    engine = open_store(sqlite_url)
    inbox = tmp_path / "inbox"
    good(inbox, "a")
    result = import_inbox(engine, DUTIES, inbox, binding=Binding())
    assert [n for n, _ in result.failed] == ["a"]
    assert "inbox_national" in next((inbox / "failed").glob("*.errors.txt")).read_text()
    good(inbox, "b")
    assert import_inbox(engine, DUTIES, inbox, binding=Binding(area="850")).imported


def test_reports_are_bounded_where_people_read_them(tmp_path, sqlite_url):
    engine = open_store(sqlite_url)
    inbox = tmp_path / "inbox"
    rows = [{"area_code": f"{i}", "name": "", "region": "r" * 300} for i in range(5000)]
    export = write_records(inbox / "a", areas=rows)
    (export / "READY").touch()
    import_inbox(engine, DUTIES, inbox)
    [failed] = [r for r in runs(engine) if r["outcome"] == "failed"]
    assert failed["counts"]["problems"] == 5000
    folder = inbox / "failed"
    full = next(folder.glob("*.problems.csv"))
    with open(full, newline="", encoding="utf-8-sig") as fh:
        assert sum(1 for _ in csv.reader(fh)) == 5001
    text = next(folder.glob("*.errors.txt")).read_text()
    assert "… and 4,000 more" in text and text.count("required value is blank") <= 1002
    attach = failed["counts"]["report"]
    if full.stat().st_size > (1 << 20):
        assert attach.endswith(".problems-first-1000.csv")
    else:
        assert attach == str(full.resolve())
