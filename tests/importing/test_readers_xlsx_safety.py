"""Workbooks read defensively: zip bombs refused before unpacking, damaged files one problem
naming the file, and the cells openpyxl would read silently wrong (merged cells, formulas with
no saved value, saved errors, dates in text columns, hidden record sheets) named with their cell."""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from conftest import cli
from openpyxl import Workbook

from importing.import_data import count, errors, query
from monitor.importing.readers import xlsx_safety

AREAS = [["area_code", "name", "region"], ["850", "Area 850", "South"], ["851", "Area 851", "North"]]
DECISIONS = [
    ["decision_id", "area_code", "case_ref", "decision_type", "decision_date"],
    ["D1", "850", "C1", "plan_issued", datetime(2019, 3, 1)],
    ["D2", "850", "C2", "plan_issued", datetime(2019, 3, 2)],
    ["D3", "851", "C3", "cease_plan", datetime(2019, 3, 3)],
]


def book_of(path: Path, sheets: dict[str, list[list]], edit=None) -> Path:
    """A workbook of these sheets; `edit(book)` changes it before it is saved."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    if edit:
        edit(book)
    book.save(path)
    return path


def rewrite(path: Path, out: Path, change) -> Path:
    """A copy of the workbook's zip with each part's bytes passed through `change(name, data)`."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, change(info.filename, src.read(info.filename)))
    return out


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path, sqlite_url):
    good = book_of(tmp_path / "good.xlsx", {"areas": AREAS})
    bomb = rewrite(good, tmp_path / "bomb.xlsx", lambda name, data: data)
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (40 << 20))  # 40 MB of zeros: a part of ~40 KB
    assert bomb.stat().st_size < 200_000
    result = cli("import", bomb, db=sqlite_url)
    assert result.exit_code == 1
    assert errors(result) == [
        "bomb.xlsx: refused: a part of the workbook (xl/media/padding.bin) would unpack to 1,028 times its "
        "packed size: a file built to exhaust memory (a zip bomb?)"
    ]
    assert len(result.output) < 1000


def test_a_workbook_too_large_to_unpack_is_refused(tmp_path, sqlite_url, monkeypatch):
    monkeypatch.setattr(xlsx_safety, "MAX_PART_BYTES", 1000)
    book = book_of(tmp_path / "big.xlsx", {"areas": AREAS * 20})
    result = cli("import", book, db=sqlite_url)
    assert result.exit_code == 1
    [line] = errors(result)
    assert line.startswith("big.xlsx: refused: a part of the workbook (xl/worksheets/sheet1.xml) would unpack to ")


@pytest.mark.parametrize(
    "damage, name",
    [
        (lambda name, data: data[: len(data) // 2] if name.endswith("sheet1.xml") else data, "ParseError"),
        (
            lambda name, data: (
                data.replace(b"<worksheet", b'<!DOCTYPE worksheet [<!ENTITY a "aaaa">]><worksheet', 1).replace(
                    b"<sheetData>", b'<sheetData><row r="9"><c r="A9" t="inlineStr"><is><t>&a;</t></is></c></row>'
                )
                if name.endswith("sheet1.xml")
                else data
            ),
            "ValueError",  # defusedxml refuses the entity; openpyxl reports it so
        ),
    ],
    ids=["sheet cut short", "entity"],
)
def test_a_damaged_sheet_is_one_problem_naming_the_file(tmp_path, sqlite_url, damage, name):
    good = book_of(tmp_path / "good.xlsx", {"areas": AREAS})
    bad = rewrite(good, tmp_path / "bad.xlsx", damage)
    result = cli("import", bad, db=sqlite_url)
    assert result.exit_code == 1
    assert "internal error" not in result.output and "Traceback" not in result.output
    assert any(
        f"not a readable .xlsx workbook ({name}): save it again from Excel as .xlsx" in e for e in errors(result)
    )
    assert count(sqlite_url, "areas") == 0


def test_a_bad_crc_is_one_problem_naming_the_file(tmp_path, sqlite_url):
    good = book_of(tmp_path / "good.xlsx", {"areas": AREAS})
    stored = tmp_path / "stored.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
    data = bytearray(stored.read_bytes())
    at = data.index(b"Area 851")
    data[at] = ord("B")  # the stored bytes change, the recorded CRC does not
    stored.write_bytes(bytes(data))
    result = cli("import", stored, db=sqlite_url)
    assert result.exit_code == 1 and "internal error" not in result.output
    assert any("not a readable .xlsx workbook (BadZipFile)" in e for e in errors(result))


def test_cells_openpyxl_would_read_wrong_are_named_with_their_cell(tmp_path, sqlite_url):
    def edit(book):
        sheet = book["decisions"]
        sheet.merge_cells("B2:B3")  # the area typed once over two rows
        sheet["C4"] = '=UPPER("c3")'  # a formula no spreadsheet has computed
        sheet["D3"] = "#N/A"  # a saved error value
        sheet["E1"].value = "decision_date"

    book = book_of(tmp_path / "b.xlsx", {"areas": AREAS, "decisions": DECISIONS}, edit)
    result = cli("import", book, db=sqlite_url)
    assert result.exit_code == 1
    found = errors(result)
    assert (
        "b.xlsx sheet decisions row 2, column area_code: cells B2:B3 are merged: a value typed once over merged "
        "cells belongs to the first of them only; unmerge them and fill in each cell" in found
    )
    assert (
        "b.xlsx sheet decisions row 4, column case_ref: cell C4 holds a formula with no saved value (the file "
        "was written by a program, never saved by a spreadsheet): open it in Excel or LibreOffice, save it and "
        "import it again" in found
    )
    assert (
        "b.xlsx sheet decisions row 3, column decision_type: cell D3 holds the error #N/A (from a formula): "
        "correct it or type the value" in found
    )
    assert count(sqlite_url, "decisions") == 0


def test_a_date_cell_in_a_text_column_is_named_and_escapes_are_decoded(tmp_path, sqlite_url):
    rows = [row[:] for row in DECISIONS]
    rows[2][2] = datetime(2019, 3, 12)  # Excel turned the case reference 12/3/2019 into a date
    book = book_of(tmp_path / "b.xlsx", {"areas": AREAS, "decisions": rows})
    result = cli("import", book, db=sqlite_url)
    assert result.exit_code == 1
    assert errors(result) == [
        "b.xlsx sheet decisions row 3, column case_ref (decisions!C3), value '2019-03-12': a date in a text column "
        "(the spreadsheet turned the value into a date): format the column as Text and type the value again"
    ]
    areas = [AREAS[0], ["850", "Area_x000D_\n850", "South"]]
    assert cli("import", book_of(tmp_path / "a.xlsx", {"areas": areas}), db=sqlite_url).exit_code == 0
    assert query(sqlite_url, "select name from areas") == [("Area\r\n850",)]


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_sheet_named_for_a_record_type_is_refused(tmp_path, sqlite_url, state):
    def edit(book):
        book["decisions"].sheet_state = state
        book["lists"].sheet_state = state  # a hidden look-up list: ignored

    sheets = {"areas": AREAS, "decisions": DECISIONS, "lists": [["plan_issued"], ["cease_plan"]]}
    book = book_of(tmp_path / "b.xlsx", sheets, edit)
    result = cli("import", book, db=sqlite_url)
    assert result.exit_code == 1
    very = "very " if state == "veryHidden" else ""
    assert errors(result) == [
        f"b.xlsx sheet decisions: a {very}hidden sheet named for a record type: make it visible to import it, "
        f"or rename or delete it"
    ]


def test_formulas_saved_by_libreoffice_are_read_as_their_values(tmp_path, sqlite_url):
    """The same formula, once LibreOffice has opened and saved the workbook, is read as the value
    it computed: only a formula no spreadsheet has computed is a problem."""
    import shutil
    import subprocess

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail("LibreOffice is missing: run scripts/system-deps")

    def edit(book):
        book["decisions"]["C4"] = '=UPPER("c3")'

    written = book_of(tmp_path / "written.xlsx", {"areas": AREAS, "decisions": DECISIONS}, edit)
    saved = tmp_path / "saved"
    subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--convert-to", "xlsx",
         "--outdir", str(saved), str(written)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    result = cli("import", saved / "written.xlsx", db=sqlite_url)
    assert result.exit_code == 0, result.output
    assert query(sqlite_url, "SELECT case_ref FROM decisions WHERE decision_id = 'D3'") == [("C3",)]
