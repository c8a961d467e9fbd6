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
    """A workbook with one sheet of findings: dates as dates, every text cell as text.

    Written with XlsxWriter, which streams a sheet several times faster than openpyxl
    builds one: every national publish writes a workbook per area."""
    import xlsxwriter

    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    book = xlsxwriter.Workbook(buffer, options)
    sheet = book.add_worksheet("Findings")
    bold, day = book.add_format({"bold": True}), book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_string(0, 0, f"{title}: findings as of {as_of.isoformat()}")
    for i, field in enumerate(EXPORT_FIELDS):
        sheet.set_column(i, i, 40 if field == "reason" else 16)
        sheet.write_string(1, i, field, bold)
    sheet.freeze_panes(2, 0)
    dated = {"due_on", "done_on"}
    for r, row in enumerate(rows, start=2):
        for i, field in enumerate(EXPORT_FIELDS):
            value = row[field]
            if value is None or value == "":
                continue
            if field in dated:
                sheet.write_datetime(r, i, date.fromisoformat(value), day)
            elif isinstance(value, str):
                sheet.write_string(r, i, value)  # never a formula, whatever the text starts with
            else:
                sheet.write_number(r, i, value)
    if rows:
        sheet.autofilter(1, 0, len(rows) + 1, len(EXPORT_FIELDS) - 1)
    book.close()
    return buffer.getvalue()
