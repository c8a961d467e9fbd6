"""Workbooks: an .xlsx with real Excel cells imports like the CSV folder; its problems name
workbook, sheet, row and column."""

from __future__ import annotations

import csv
import shutil
from datetime import datetime
from pathlib import Path

from conftest import SAMPLE, cli, findings_of
from openpyxl import Workbook

from importing.import_data import errors
from monitor.records import BY_NAME, parse_bool, parse_date, parse_money


def workbook_of(folder: Path, out: Path, sheet_case=str.title) -> Path:
    """The CSV folder as a workbook of typed cells: dates as dates, booleans as booleans, numbers as numbers."""
    book = Workbook()
    book.remove(book.active)
    book.create_sheet("Notes").append(["anything the area keeps here is ignored"])
    for path in sorted(folder.glob("*.csv")):
        rtype = BY_NAME[path.stem]
        sheet = book.create_sheet(sheet_case(path.stem))
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.reader(fh))
        sheet.append(rows[0])
        for row in rows[1:]:
            cells = []
            for name, text in zip(rows[0], row, strict=False):
                col, text = rtype.column(name), text.strip()
                if not text:
                    cells.append(None)
                elif col.type == "date":
                    cells.append(datetime.combine(parse_date(text), datetime.min.time()))
                elif col.type == "bool":
                    cells.append(parse_bool(text))
                elif col.type == "money":
                    cells.append(float(parse_money(text)))
                elif text.isdigit() and not text.startswith("0"):
                    cells.append(int(text))
                else:
                    cells.append(text)
            sheet.append(cells)
        sheet.append([])  # empty rows at the end are ignored
        sheet.append([None, None])
    book.save(out)
    return out


def test_a_workbook_imports_to_the_same_findings_as_the_csv_folder(tmp_path, db_url):
    book = workbook_of(SAMPLE, tmp_path / "demo.xlsx")
    for folder in ("letters", "local-offer"):  # a workbook's documents are in folders beside it
        shutil.copytree(SAMPLE / folder, tmp_path / folder)
    result = cli("import", book, db=db_url)
    assert result.exit_code == 0, result.output
    assert "demo.xlsx: sheet 'Notes' is not a record type: ignored" in result.stdout
    assert "demo.xlsx sheet Decisions" in result.stdout
    csv_db = f"sqlite:///{tmp_path / 'csv.db'}"
    assert cli("import", SAMPLE, db=csv_db).exit_code == 0
    from_book = findings_of(db_url, "2020-06-30")
    assert from_book == findings_of(csv_db, "2020-06-30") and len(from_book) > 500
    again = cli("import", book, db=db_url)
    assert again.exit_code == 0 and "│ 0   │ 0       │ 626" in again.stdout


def test_workbook_problems_name_workbook_sheet_row_and_column(tmp_path, sqlite_url):
    book = Workbook()
    sheet = book.active
    sheet.title = "AREAS"
    sheet.append(["area_code", "name", "rights_published_on"])
    sheet.append([850, "Area 850", datetime(2018, 4, 1)])
    sheet.append([851, "Area 851", datetime(2018, 4, 1, 9, 30)])
    sheet.append([852, None, 43191])  # a date typed as a plain number
    claims = book.create_sheet("funding_claims")
    claims.append(["claim_id", "appeal_id", "claimant_code", "category", "amount_gbp", "claimed_on"])
    claims.append(["F1", "A1", 850, "other", 12.345, datetime(2019, 1, 1)])
    book.save(tmp_path / "book.xlsx")
    result = cli("import", tmp_path / "book.xlsx", db=sqlite_url)
    assert result.exit_code == 1
    lines = errors(result)
    assert lines == [
        "book.xlsx sheet AREAS row 3, column rights_published_on (AREAS!C3), value '2018-04-01 09:30:00': not a date: "
        "use YYYY-MM-DD or day-first D/M/YYYY",
        "book.xlsx sheet AREAS row 4, column name (AREAS!B4), value '': required value is blank",
        "book.xlsx sheet AREAS row 4, column rights_published_on (AREAS!C4), value '43191': not a date: use YYYY-MM-DD or "
        "day-first D/M/YYYY",
        "book.xlsx sheet funding_claims row 2, column amount_gbp (funding_claims!E2), value '12.345': not an amount "
        "in pounds, e.g. 1250.50 or £1,250.50",
        "book.xlsx sheet funding_claims row 2, column appeal_id (funding_claims!B2), value 'A1': no such appeal_id in this import "
        "or the store",
    ]


def test_a_workbook_without_record_sheets_and_a_broken_workbook_are_errors(tmp_path, sqlite_url):
    book = Workbook()
    book.active.title = "Summary"
    book.save(tmp_path / "empty.xlsx")
    result = cli("import", tmp_path / "empty.xlsx", db=sqlite_url)
    assert result.exit_code == 1 and "empty.xlsx: has no record sheet" in result.stderr
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    result = cli("import", tmp_path / "broken.xlsx", db=sqlite_url)
    assert result.exit_code == 1 and "broken.xlsx: not a readable .xlsx workbook" in result.stderr
    assert "Traceback" not in result.output


def test_the_templates_own_read_me_sheet_is_not_reported(tmp_path, sqlite_url):
    assert cli("template", tmp_path / "t.xlsx").exit_code == 0
    result = cli("import", tmp_path / "t.xlsx", db=sqlite_url)
    assert result.exit_code == 0, result.output
    assert "Read me" not in result.output
