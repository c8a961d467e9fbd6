"""An `.xlsx` workbook as a whole export: one sheet per record type, named for it (any case);
other sheets are noted and ignored. Excel's typed cells are read as the text the records
standard reads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

from monitor.importing.problems import Problem
from monitor.importing.readers.base import Export, Reader, Report, Rows, Table, reader
from monitor.records import BY_NAME


@reader
class XlsxReader(Reader):
    suffix = ".xlsx"
    what = "workbook"

    def read_export(self, path: Path, report: Report) -> Export:
        return _workbook(path, report)


def _workbook(path: Path, report: Report) -> Export:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    export = Export()
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        report(
            Problem(
                path.name,
                None,
                None,
                None,
                f"not a readable .xlsx workbook ({type(exc).__name__}): save it again from Excel as .xlsx",
            )
        )
        return export
    seen: dict[str, str] = {}
    for sheet in book.worksheets:
        title = sheet.title
        rtype = BY_NAME.get(title.strip().lower())
        if rtype is None:
            export.notes.append(f"{path.name}: sheet {title!r} is not a record type: ignored")
            continue
        if rtype.name in seen:
            report(
                Problem(
                    f"{path.name} sheet {title}",
                    None,
                    None,
                    None,
                    f"a second sheet for {rtype.name} (the first is {seen[rtype.name]!r})",
                )
            )
            continue
        seen[rtype.name] = title
        export.tables.append(Table(rtype, f"{path.name} sheet {title}", _sheet_reader(path, title)))
    book.close()
    return export


def _sheet_reader(path: Path, title: str) -> Callable[[Report], Rows]:
    def rows(report: Report) -> Rows:
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = book[title]
            sheet.reset_dimensions()  # some writers record wrong dimensions: read every row
            width = 0
            for rownum, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [_cell_text(v) for v in values]
                width = width or len(cells)
                if len(cells) < width:  # a sheet stores no empty cells at the end of a row: never cut off
                    cells.extend([""] * (width - len(cells)))
                yield rownum, cells
        finally:
            book.close()

    return rows


def _cell_text(value) -> str:
    """A cell as the text the records standard reads: Excel's dates, numbers and booleans
    converted exactly (a number's shortest form, so 0.1 stays 0.1)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    return str(value)
