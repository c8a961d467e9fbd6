"""Reading an export into raw rows: a folder of CSV files or an `.xlsx` workbook.

Each record file or sheet is a `Table`: its record type, its label for problems
(`decisions.csv`, `book.xlsx sheet decisions`), an optional note (`read as
Windows-1252`) and a way to read its rows — lists of text cells numbered as a
spreadsheet shows them (the header is row 1), read lazily so a large file is never
held in memory. Problems of reading are reported through a callback, never raised.
"""

from __future__ import annotations

import codecs
import csv
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from itertools import count
from pathlib import Path

from monitor.problems import Problem
from monitor.records import BY_FILE, BY_NAME, MAX_FIELD_CHARS, RECORD_TYPES, RecordType

Report = Callable[[Problem], None]
Rows = Iterator[tuple[int, list[str]]]

# csv's own limit sits above ours, so that a long value is reported with its column;
# only a runaway field (usually a quote never closed) reaches csv's limit.
csv.field_size_limit(8 * MAX_FIELD_CHARS)

_EXPECTED = ", ".join(BY_FILE)


@dataclass
class Table:
    rtype: RecordType
    label: str
    open_rows: Callable[[Report], Rows]
    note: str | None = None


@dataclass
class Export:
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def open_export(path: Path, report: Report) -> Export:
    """The record tables of a folder or workbook, in import order."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        report(Problem(str(path), None, None, None, "does not exist"))
        return Export()
    except OSError as exc:
        report(Problem(str(path), None, None, None, f"cannot be read ({exc.strerror})"))
        return Export()
    reported: list[Problem] = []

    def note(problem: Problem) -> None:
        reported.append(problem)
        report(problem)

    if stat.S_ISDIR(mode):
        export = _folder(path, note)
        empty = "holds no record file: expected one or more of " + _EXPECTED
    elif stat.S_ISREG(mode) and path.suffix.lower() == ".xlsx":
        export = _workbook(path, note)
        empty = "has no record sheet: expected one or more of " + ", ".join(BY_NAME)
    else:
        report(
            Problem(
                str(path),
                None,
                None,
                None,
                "not a folder or an .xlsx workbook: import a folder of CSV files or a workbook",
            )
        )
        return Export()
    if not export.tables and not reported:
        report(Problem(path.name, None, None, None, empty))
    order = {rt.name: i for i, rt in enumerate(RECORD_TYPES)}
    export.tables.sort(key=lambda t: order[t.rtype.name])
    return export


# --- a folder of CSV files ---------------------------------------------------------------------


def _folder(folder: Path, report: Report) -> Export:
    export = Export()
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        report(Problem(folder.name, None, None, None, f"cannot be read ({exc.strerror})"))
        return export
    for entry in entries:
        if not entry.name.lower().endswith(".csv"):
            continue  # files of other kinds are ignored
        rtype = BY_FILE.get(entry.name)
        if rtype is None:
            report(Problem(entry.name, None, None, None, f"unknown file: expected one of {_EXPECTED}"))
            continue
        path = Path(entry.path)
        try:
            mode = os.stat(path).st_mode  # follows a link, never opens
        except FileNotFoundError:
            report(Problem(entry.name, None, None, None, "a link to a file that does not exist"))
            continue
        except OSError as exc:
            report(Problem(entry.name, None, None, None, f"cannot be read ({exc.strerror})"))
            continue
        if stat.S_ISDIR(mode):
            report(Problem(entry.name, None, None, None, "a folder, not a file"))
            continue
        if not stat.S_ISREG(mode):
            report(Problem(entry.name, None, None, None, "not a regular file (a pipe, socket or device)"))
            continue
        encoding, note = _encoding(path, entry.name, report)
        if encoding is None:
            continue
        export.tables.append(Table(rtype, entry.name, _csv_reader(path, entry.name, encoding), note))
    return export


def _encoding(path: Path, label: str, report: Report) -> tuple[str | None, str | None]:
    """UTF-16 with a byte-order mark; UTF-8 (BOM or not); else Windows-1252."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
            if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                return "utf-16", "read as UTF-16"
            fh.seek(0)
            decoder = codecs.getincrementaldecoder("utf-8")()
            try:
                while block := fh.read(1 << 20):
                    decoder.decode(block)
                decoder.decode(b"", final=True)
                return "utf-8-sig", None
            except UnicodeDecodeError:
                return "cp1252", "read as Windows-1252 (the file is not UTF-8)"
    except OSError as exc:
        report(Problem(label, None, None, None, f"cannot be read ({exc.strerror})"))
        return None, None


def _csv_reader(path: Path, label: str, encoding: str) -> Callable[[Report], Rows]:
    def rows(report: Report) -> Rows:
        numbers = count(1)  # zip takes a row's number before reading it: a failed row has the last one taken

        def failed_row() -> int:
            return max(next(numbers) - 1, 1)

        try:
            with open(path, encoding=encoding, newline="") as fh:
                if encoding == "cp1252" and fh.read(3) != "\u00ef\u00bb\u00bf":  # a UTF-8 BOM, read as 1252
                    fh.seek(0)
                try:
                    yield from zip(numbers, csv.reader(fh, strict=True), strict=False)
                except csv.Error as exc:
                    report(Problem(label, failed_row(), None, None, _csv_error(str(exc))))
        except UnicodeError:
            report(
                Problem(
                    label,
                    failed_row(),
                    None,
                    None,
                    "not readable text (neither UTF-8 nor Windows-1252): save the file as CSV UTF-8",
                )
            )
        except OSError as exc:
            report(Problem(label, failed_row(), None, None, f"cannot be read ({exc.strerror})"))

    return rows


def _csv_error(message: str) -> str:
    tail = "; nothing after it was read"
    if "field larger than field limit" in message:
        return (
            f"a value longer than {8 * MAX_FIELD_CHARS:,} characters starts on this row: usually a quote "
            f"that is never closed" + tail
        )
    if "unexpected end of data" in message:
        return 'a quoted value starts on this row and is never closed (a missing ")' + tail
    if "NUL" in message:
        return "a NUL character (a control character) on this row" + tail
    return f'badly quoted row ({message}): a quote inside a value must be doubled ("")' + tail


# --- a workbook --------------------------------------------------------------------------------


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
