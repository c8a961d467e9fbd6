"""The findings export files people open: CSV (for Excel too), JSON, and a workbook.

One writer for the CLI (`findings --format csv|json`) and the site (`findings.csv`,
`.json`, `.xlsx` in each area's folder), so both give the same bytes. Rows are in the
shape of `findings.export_rows`.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from monitor.findings import EXPORT_FIELDS

BOM = "\ufeff"  # Excel reads the file as UTF-8 only with it (else £ shows as Â£)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell a spreadsheet would run as a formula gets a leading ' (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_text(rows: list[dict]) -> str:
    """The CSV export: a UTF-8 byte-order mark, the header, one line per finding."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.DictWriter(buffer, fieldnames=list(EXPORT_FIELDS), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: neutralise(v) for k, v in row.items()})
    return buffer.getvalue()


def json_text(as_of: date, rows: list[dict], indent: int | None = None) -> str:
    """The JSON export in the records.md shape: {"as_of": ..., "findings": [...]}."""
    return json.dumps({"as_of": as_of.isoformat(), "findings": rows}, indent=indent) + "\n"


def xlsx_bytes(as_of: date, rows: list[dict], title: str) -> bytes:
    """A workbook with one sheet of findings: dates as dates, every text cell as text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "Findings"
    sheet.append([f"{title}: findings as of {as_of.isoformat()}"])
    sheet.append(list(EXPORT_FIELDS))
    for row in rows:
        cells = []
        for field in EXPORT_FIELDS:
            value = row[field]
            if field in ("due_on", "done_on") and value:
                value = date.fromisoformat(value)
            cells.append(value)
        sheet.append(cells)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
    for cell in sheet[1] + sheet[2]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for i, field in enumerate(EXPORT_FIELDS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = 40 if field == "reason" else 16
        if field in ("due_on", "done_on"):
            for (cell,) in sheet.iter_rows(min_row=3, min_col=i, max_col=i):
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A3"
    if rows:
        sheet.auto_filter.ref = f"A2:{get_column_letter(len(EXPORT_FIELDS))}{sheet.max_row}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
