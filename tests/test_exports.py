"""Files people open: findings.csv (Excel: byte-order mark, case_ref, no formulas), .json and
.xlsx from the CLI and the site; tables that print ids as text; page file names that stay
unique and short for ids that differ only in case, very long ids and non-Latin ids."""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import SAMPLE, cli

from monitor.findings import query_findings
from monitor.paths import explanation_path
from monitor.statuses import ACTION_STATUSES
from monitor.store import open_store

AS_OF = "2020-06-30"
# rights-notice findings of area 850 that need action (so each has an explanation page)
ODD_IDS = {
    "D850-0000040": "case-id",
    "D850-0000049": "CASE-ID",
    "D850-0000055": "Case-Id",
    "D850-0000056": "審" * 40,
    "D850-0000057": "x" * 300,
    "D850-0000059": "=2+5",
    "D850-0000063": "[/]",
    "D850-0000065": "[bold red]D-2",
    "D850-0000078": "@R1",
    "D850-0000131": "-1+1",
    "D850-0000134": "+44",
}
ODD_REF = '=HYPERLINK("http://x")'


@pytest.fixture(scope="module")
def odd(tmp_path_factory):
    base = tmp_path_factory.mktemp("odd")
    folder = base / "records"
    shutil.copytree(SAMPLE, folder)
    path = folder / "decisions.csv"
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames, list(reader)
    for r in rows:
        if r["decision_id"] in ODD_IDS:
            r["decision_id"] = ODD_IDS[r["decision_id"]]
            if r["decision_id"] == "@R1":
                r["case_ref"] = ODD_REF
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    db = f"sqlite:///{base / 'store.db'}"
    assert cli("import", folder, db=db).exit_code == 0
    assert cli("check", "--as-of", AS_OF, db=db).exit_code == 0
    result = cli("publish", base / "site", db=db)
    assert result.exit_code == 0, result.output
    return {"db": db, "site": base / "site"}


def _cli_csv(db: str, *args: str) -> str:
    result = cli("findings", "--format", "csv", *args, db=db)
    assert result.exit_code == 0
    return result.stdout


def test_csv_has_a_bom_case_ref_and_no_formulas(odd):
    text = _cli_csv(odd["db"], "--area", "850", "--duty", "rights-notice")
    assert text.startswith("\ufeffduty,subject,")
    rows = list(csv.DictReader(io.StringIO(text[1:]), strict=True))
    by_id = {r["subject"].removeprefix("'"): r for r in rows}
    for odd_id in ODD_IDS.values():
        shown = by_id[odd_id]["subject"]
        if odd_id[0] in "=+-@":
            assert shown == "'" + odd_id
        else:
            assert shown == odd_id
    assert by_id["@R1"]["case_ref"] == "'" + ODD_REF
    assert by_id["case-id"]["case_ref"].startswith("C850-")
    # the JSON keeps every value as it is
    data = json.loads(cli("findings", "--format", "json", "--area", "850", db=odd["db"]).stdout)
    assert {f["subject"] for f in data["findings"]} >= set(ODD_IDS.values())
    assert next(f for f in data["findings"] if f["subject"] == "@R1")["case_ref"] == ODD_REF


def test_site_exports_equal_the_cli_and_the_workbook_holds_text(odd):
    folder = odd["site"] / "areas" / "850"
    assert (folder / "findings.csv").read_bytes() == _cli_csv(odd["db"], "--area", "850").encode("utf-8")
    assert (folder / "findings.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    from openpyxl import load_workbook

    book = load_workbook(folder / "findings.xlsx")
    sheet = book["Findings"]
    header = [c.value for c in sheet[2]]
    assert header[:2] == ["duty", "subject"] and "case_ref" in header and "acts_now" in header
    values = {row[1]: row for row in sheet.iter_rows(min_row=3, values_only=True) if row[0] == "rights-notice"}
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    expected = json.loads((folder / "findings.json").read_text())["findings"]
    assert len(rows) == len(expected)
    assert [r[:2] for r in rows] == [(f["duty"], f["subject"]) for f in expected]
    assert values["=2+5"][header.index("case_ref")].startswith("C850-")
    assert values["@R1"][header.index("case_ref")] == ODD_REF
    with zipfile.ZipFile(folder / "findings.xlsx") as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode()  # no formula cells


def test_cli_table_prints_ids_as_text(odd):
    result = cli("findings", "--area", "850", "--duty", "rights-notice", "--status", "breached", db=odd["db"])
    assert result.exit_code == 0, result.output
    flat = "".join(result.stdout.split())
    assert "[/]" in flat and "[boldred]D-2" in flat


def test_page_names_are_unique_without_case_and_short(odd):
    site = odd["site"]
    with open_store(odd["db"]).connect() as conn:
        needing = [r for r in query_findings(conn) if r["status"] in ACTION_STATUSES]
    paths = [explanation_path(r["area"], r["duty"], r["subject"]) for r in needing]
    assert len({p.lower() for p in paths}) == len(paths)
    for odd_id in ODD_IDS.values():
        page = site / explanation_path("850", "rights-notice", odd_id)
        assert page.is_file(), odd_id
        assert len(page.name.encode()) <= 255
    names = [p for p in site.rglob("*")]
    assert len({str(p).lower() for p in names}) == len(names)
    assert max(len(p.name.encode()) for p in names) <= 255
    assert len(list(site.glob("areas/*/explain/*/*.html"))) == len(needing)


def test_names_are_stable(odd):
    assert explanation_path("850", "rights-notice", "CASE-ID") == explanation_path("850", "rights-notice", "CASE-ID")
    assert explanation_path("850", "rights-notice", "case-id") == "areas/850/explain/rights-notice/case-id.html"
    assert Path(explanation_path("850", "rights-notice", "x" * 300)).name.startswith("x" * 60 + "_")


@pytest.mark.parametrize("collecting", [True, False])
def test_a_workbook_leaves_the_cycle_collector_as_it_found_it(collecting):
    import gc
    from datetime import date

    from monitor.exports import xlsx_bytes

    row = {
        "duty": "rights-notice",
        "subject": "D1",
        "area": "850",
        "owner": "850",
        "status": "met",
        "due_on": "2020-06-01",
        "done_on": None,
        "days_late": 0,
        "reason": "",
        "case_ref": "C1",
        "acts_now": "",
    }
    (gc.enable if collecting else gc.disable)()
    try:
        book = xlsx_bytes(date(2020, 6, 30), [row], "850 Example")
        assert gc.isenabled() is collecting
    finally:
        gc.enable()
    assert zipfile.ZipFile(io.BytesIO(book)).testzip() is None
