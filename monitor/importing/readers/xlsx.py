"""An `.xlsx` workbook as a whole export: one sheet per record type, named for it (any case);
other sheets are noted and ignored, a hidden sheet named for a record type is refused. Excel's
typed cells are read as the text the records standard reads. The workbook is read
defensively (see `xlsx_safety`): a damaged or oversized file is one problem naming it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

from monitor.importing.problems import Problem
from monitor.importing.readers.base import DateCell, Export, Reader, Report, Rows, Table, column_letter, reader
from monitor.records import BY_NAME
from monitor.template import README_SHEET

_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")  # how a workbook writes a character XML cannot hold, e.g. _x000D_


@reader
class XlsxReader(Reader):
    suffix = ".xlsx"
    what = "workbook"

    def read_export(self, path: Path, report: Report) -> Export:
        return _workbook(path, report)


def _damaged(exc: BaseException) -> str:
    return f"not a readable .xlsx workbook ({type(exc).__name__}): save it again from Excel as .xlsx"


def _workbook(path: Path, report: Report) -> Export:
    from openpyxl import load_workbook  # (only a workbook import pays for loading openpyxl)

    from monitor.importing.readers.xlsx_safety import unsafe

    export = Export()
    try:
        why = unsafe(path)
        if why is None:
            book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a damaged file in any way: one problem naming it, never an internal error
        report(Problem(path.name, None, None, None, _damaged(exc)))
        return export
    if why is not None:
        report(Problem(path.name, None, None, None, f"refused: {why}"))
        return export
    seen: dict[str, str] = {}
    for sheet in book.worksheets:
        title = sheet.title
        rtype = BY_NAME.get(title.strip().lower())
        if rtype is None:
            if title != README_SHEET:  # the template's own guide
                export.notes.append(f"{path.name}: sheet {title!r} is not a record type: ignored")
            continue
        label = f"{path.name} sheet {title}"
        if sheet.sheet_state != "visible":
            report(
                Problem(
                    label,
                    None,
                    None,
                    None,
                    f"a {'very ' if sheet.sheet_state == 'veryHidden' else ''}hidden sheet named for a record type: "
                    f"make it visible to import it, or rename or delete it",
                )
            )
            continue
        if rtype.name in seen:
            report(
                Problem(label, None, None, None, f"a second sheet for {rtype.name} (the first is {seen[rtype.name]!r})")
            )
            continue
        seen[rtype.name] = title
        part = getattr(sheet, "_worksheet_path", "")
        export.tables.append(Table(rtype, label, _sheet_reader(path, title, part), sheet=title))
    book.close()
    return export


def _sheet_reader(path: Path, title: str, part: str) -> Callable[[Report], Rows]:
    def rows(report: Report) -> Rows:
        from openpyxl import load_workbook

        from monitor.importing.readers.xlsx_safety import inspect_sheet

        label = f"{path.name} sheet {title}"
        rownum = 0
        try:
            findings = list(inspect_sheet(path, part)) if part else []
            book = load_workbook(path, read_only=True, data_only=True)
            try:
                sheet = book[title]
                sheet.reset_dimensions()  # some writers record wrong dimensions: read every row
                width = 0
                header: list[str] = []
                for rownum, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                    cells = [_cell_text(v) for v in values]
                    if rownum == 1:
                        header = [c.strip() for c in cells]
                        for f in findings:
                            named = header[f.column - 1] if f.column <= len(header) else None
                            report(Problem(label, f.row, named or column_letter(f.column - 1), None, f.why))
                    width = width or len(cells)
                    if len(cells) < width:  # a sheet stores no empty cells at the end of a row: never cut off
                        cells.extend([""] * (width - len(cells)))
                    yield rownum, cells
            finally:
                book.close()
        except Exception as exc:  # damaged inside a sheet: one problem, never an internal error
            report(Problem(label, rownum + 1 if rownum else None, None, None, _damaged(exc)))

    return rows


def _cell_text(value) -> str:
    """A cell as the text the records standard reads: Excel's dates, numbers and booleans
    converted exactly (a number's shortest form, so 0.1 stays 0.1)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), value) if "_x" in value else value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.time() == time(0):
            return DateCell(value.date().isoformat())
        return DateCell(value.isoformat(sep=" "))
    if isinstance(value, date):
        return DateCell(value.isoformat())
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    return str(value)
