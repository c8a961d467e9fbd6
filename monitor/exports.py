"""The export files people open: the findings as CSV (for Excel too), JSON and a workbook;
the national table of areas by duty as CSV and a workbook.

One writer for the CLI (`findings --format csv|json`) and the site (`findings.csv`,
`.json`, `.xlsx` in each area's folder), so both give the same bytes. Rows are in the
shape of `findings.export_rows`.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import io
import json
from datetime import date, datetime, time

from monitor.findings import EXPORT_FIELDS

BOM = "\ufeff"  # Excel reads the file as UTF-8 only with it (else £ shows as Â£)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EXCEL_EPOCH = date(1899, 12, 30).toordinal()  # a date is its days since this day in a workbook


def neutralise(value):
    """A text cell a spreadsheet would run as a formula gets a leading ' (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_text(rows: list[dict]) -> str:
    """The CSV export: a UTF-8 byte-order mark, the header, one line per finding."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EXPORT_FIELDS)
    writer.writerows([neutralise(row[k]) for k in EXPORT_FIELDS] for row in rows)
    return buffer.getvalue()


def json_text(as_of: date, rows: list[dict], indent: int | None = None) -> str:
    """The JSON export in the records.md shape: {"as_of": ..., "findings": [...]}."""
    return json.dumps({"as_of": as_of.isoformat(), "findings": rows}, indent=indent) + "\n"


@contextlib.contextmanager
def cells_kept():
    """Build a workbook with the cycle collector paused: XlsxWriter keeps each cell (a small
    object, in no cycle) until the book is saved, and the collector would walk them all
    again and again as they pile up (a third of a national publish's workbook time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def xlsx_bytes(as_of: date, rows: list[dict], title: str) -> bytes:
    """A workbook with one sheet of findings: dates as dates, every text cell as text.

    Written with XlsxWriter, which streams a sheet several times faster than openpyxl
    builds one: every national publish writes a workbook per area."""
    with cells_kept():
        return _findings_book(as_of, rows, title)


def _findings_book(as_of: date, rows: list[dict], title: str) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    book = xlsxwriter.Workbook(buffer, options)
    book.set_properties({"created": datetime.combine(as_of, time())})  # the same bytes for the same findings
    sheet = book.add_worksheet("Findings")
    bold, day = book.add_format({"bold": True}), book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_string(0, 0, f"{title}: findings as of {as_of.isoformat()}")
    for i, field in enumerate(EXPORT_FIELDS):
        sheet.set_column(i, i, 40 if field == "reason" else 16)
        sheet.write_string(1, i, field, bold)
    sheet.freeze_panes(2, 0)
    # a national publish writes millions of cells: the loop stays lean (dates written as
    # Excel's day numbers with the date format, as write_datetime would)
    write_string, write_number = sheet.write_string, sheet.write_number
    columns = [(i, field, field in ("due_on", "done_on")) for i, field in enumerate(EXPORT_FIELDS)]
    for r, row in enumerate(rows, start=2):
        for i, field, dated in columns:
            value = row[field]
            if value is None or value == "":
                continue
            if dated:
                write_number(r, i, date.fromisoformat(value).toordinal() - EXCEL_EPOCH, day)
            elif isinstance(value, str):
                write_string(r, i, value)  # never a formula, whatever the text starts with
            else:
                write_number(r, i, value)
    if rows:
        sheet.autofilter(1, 0, len(rows) + 1, len(EXPORT_FIELDS) - 1)
    book.close()
    return buffer.getvalue()


NATIONAL_FIELDS = (
    "area_code",
    "area",
    "region",
    "duty",
    "duty_title",
    "judged",
    "met",
    "late",
    "overdue",
    "breached",
    "rate_percent",
    "few_judged",
)


def national_rows(areas: list[dict], titles: dict[str, str], min_judged: int) -> list[dict]:
    """The national table, one row per area and duty: the judged count (n), its parts and the
    rate (blank when nothing was judged), `few_judged` when n is under `min_judged`."""
    rows = []
    for a in areas:
        for d in a["duties"]:
            rows.append(
                {
                    "area_code": a["area_code"],
                    "area": a["name"],
                    "region": a.get("region") or "",
                    "duty": d["duty"],
                    "duty_title": titles[d["duty"]],
                    "judged": d["n"],
                    **{s: d[s] for s in ("met", "late", "overdue", "breached")},
                    "rate_percent": None if d["rate"] is None else round(d["rate"] * 100, 1),
                    "few_judged": "yes" if 0 < d["n"] < min_judged else "no",
                }
            )
    return rows


def national_csv(rows: list[dict]) -> str:
    """The national table as CSV (a UTF-8 byte-order mark for Excel, text cells neutralised)."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.DictWriter(buffer, fieldnames=list(NATIONAL_FIELDS), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: neutralise(v) for k, v in row.items()})
    return buffer.getvalue()


def national_xlsx(as_of: date, rows: list[dict]) -> bytes:
    """The national table as a workbook: numbers as numbers, text as text."""
    import xlsxwriter

    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    book = xlsxwriter.Workbook(buffer, options)
    book.set_properties({"created": datetime.combine(as_of, time())})  # the same bytes for the same findings
    sheet = book.add_worksheet("Areas by duty")
    bold = book.add_format({"bold": True})
    sheet.write_string(0, 0, f"Compliance by area and duty, findings as of {as_of.isoformat()}")
    for i, field in enumerate(NATIONAL_FIELDS):
        sheet.set_column(i, i, 30 if field in ("area", "duty_title") else 14)
        sheet.write_string(1, i, field, bold)
    sheet.freeze_panes(2, 0)
    for r, row in enumerate(rows, start=2):
        for i, field in enumerate(NATIONAL_FIELDS):
            v = row[field]
            if v is None or v == "":
                continue
            if isinstance(v, str):
                sheet.write_string(r, i, v)
            else:
                sheet.write_number(r, i, v)
    if rows:
        sheet.autofilter(1, 0, len(rows) + 1, len(NATIONAL_FIELDS) - 1)
    book.close()
    return buffer.getvalue()
