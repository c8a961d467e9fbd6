"""Reading an export into raw rows: a folder of record files, or one file holding every record type.

Each format is a `Reader` registered by its file suffix (`@reader`), one module each
(`csvfile`, `xlsx`): a new format is one new module, imported here. A reader gives
`Table`s: a record type, its label for problems (`decisions.csv`, `book.xlsx sheet
decisions`), an optional note (`read as Windows-1252`) and a way to read its rows — lists
of text cells numbered as a spreadsheet shows them (the header is row 1), read lazily so
a large file is never held in memory. Problems of reading are reported through a
callback, never raised.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from monitor.importing.problems import Problem
from monitor.importing.readers import csvfile, xlsx  # noqa: F401  (the formats register themselves)
from monitor.importing.readers.base import READERS, Export, Reader, Report
from monitor.records import BY_FILE, RECORD_TYPES


def _whole() -> dict[str, Reader]:
    return {s: r for s, r in READERS.items() if not r.in_folder}


def _in_folder() -> dict[str, Reader]:
    return {s: r for s, r in READERS.items() if r.in_folder}


def open_export(path: Path, report: Report) -> Export:
    """The record tables of a folder or a whole-export file, in import order."""
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

    whole = _whole()
    book = _only_whole_export(path) if stat.S_ISDIR(mode) else None
    if book is not None:
        path = book  # a folder holding one workbook (and its documents folders), no record file
    if book is None and stat.S_ISDIR(mode):
        export = _folder(path, note)
        export.folder = path
        empty = "holds no record file: expected one or more of " + ", ".join(BY_FILE)
    elif (book is not None or stat.S_ISREG(mode)) and path.suffix.lower() in whole:
        export = whole[path.suffix.lower()].read_export(path, note)
        export.folder = path.parent
        empty = "has no record sheet: expected one or more of " + ", ".join(rt.name for rt in RECORD_TYPES)
    else:
        kinds = " or ".join(f"an {s} {r.what}" for s, r in whole.items())
        folders = " or ".join(r.what for r in _in_folder().values())
        report(
            Problem(str(path), None, None, None, f"not a folder or {kinds}: import a folder of {folders} or a workbook")
        )
        return Export()
    if not export.tables and not reported:
        report(Problem(path.name, None, None, None, empty))
    order = {rt.name: i for i, rt in enumerate(RECORD_TYPES)}
    export.tables.sort(key=lambda t: order[t.rtype.name])
    return export


def _only_whole_export(folder: Path) -> Path | None:
    """The one whole-export file (a workbook) of a folder holding no record file of a folder export."""
    try:
        names = [e.name for e in os.scandir(folder) if e.is_file()]
    except OSError:
        return None
    if any(Path(n).suffix.lower() in _in_folder() for n in names):
        return None
    books = [n for n in names if Path(n).suffix.lower() in _whole() and not n.startswith("~$")]
    return folder / books[0] if len(books) == 1 else None


def _folder(folder: Path, report: Report) -> Export:
    export = Export()
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        report(Problem(folder.name, None, None, None, f"cannot be read ({exc.strerror})"))
        return export
    formats = _in_folder()
    for entry in entries:
        fmt = formats.get(Path(entry.name).suffix.lower())
        if fmt is None:
            continue  # files of other kinds are ignored
        rtype = BY_FILE.get(entry.name)
        if rtype is None:
            report(Problem(entry.name, None, None, None, "unknown file: expected one of " + ", ".join(BY_FILE)))
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
        table = fmt.read_file(path, entry.name, rtype, report)
        if table is not None:
            export.tables.append(table)
    return export
