"""The header row: each column known (by its own name or the mapping's) and given once, the
required columns present, and one clear message when the first row is not a header at all
(a title above it, or columns separated by semicolons or tabs)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from difflib import get_close_matches

from monitor.importing.cells import Parser
from monitor.importing.readers.base import Rows, Table
from monitor.importing.session import Session
from monitor.records import RecordType

_TITLE_SEARCH_ROWS = 10


@dataclass
class Header:
    parsers: list[Parser]  # one per known column, in the file's order
    width: int  # cells in the header row
    unnamed: list[int]  # positions of columns with no name (fine while their cells are empty)


def read_header(session: Session, table: Table, rows: Rows) -> Header | None:
    """The file's columns, or None when it has no usable header (the problem reported)."""
    rtype, label = table.rtype, table.label
    first = next(rows, None)
    if first is None:
        if not any(p.file == label for p in session.problems):
            session.problem(label, 1, None, None, "empty: a header row (the column names) is required")
        return None
    _, cells = first
    names = [c.strip() for c in cells]
    known = {c.name for c in rtype.columns}

    def standard(name: str) -> str:
        return session.mapping.column(rtype.name, name) or name.lower()

    found = sum(standard(n) in known for n in names)
    if found == 0 or (found == 1 and sum(bool(n) for n in names) <= 1):
        layout = _layout(names, rows, standard, known)
        if layout:
            session.problem(label, 1, None, None, layout)
            return None
    parsers: list[Parser] = []
    seen: set[str] = set()
    unnamed = []
    for i, name in enumerate(names):
        if not name:
            unnamed.append(i)  # e.g. a spreadsheet's trailing comma: fine while its cells are empty
            continue
        std = standard(name)
        if std not in known:
            near = get_close_matches(std, sorted(known), n=1, cutoff=0.75)
            session.problem(label, 1, name, None, "unknown column" + (f": did you mean {near[0]}?" if near else ""))
            continue
        if std in seen:
            session.problem(label, 1, name, None, "duplicate column")
            continue
        seen.add(std)
        col = rtype.column(std)
        values = session.mapping.value_map(rtype.name, std)
        parsers.append(Parser(col, i, name, values, is_id=rtype.is_id(col), latest=session.latest_date))
    _required(session, rtype, label, seen)
    return Header(parsers, len(names), unnamed)


def _required(session: Session, rtype: RecordType, label: str, seen: set[str]) -> None:
    for col in rtype.columns:
        if col.required and col.name not in seen:
            session.problem(label, 1, col.name, None, "required column is missing")


def _layout(names: list[str], rows: Rows, standard: Callable[[str], str], known: set[str]) -> str | None:
    """Why a header with no known column is not a header: one clear message, or None."""
    for sep, what in ((";", "semicolons (;)"), ("\t", "tabs")):
        parts = [p.strip() for name in names for p in name.split(sep)]
        if len(parts) > len(names) and any(standard(p) in known for p in parts):
            return (
                f"the columns are separated by {what}, not commas: save the file as "
                f'"CSV UTF-8 (Comma delimited)" (.csv), or import the .xlsx workbook instead'
            )
    for rownum, cells in rows:
        if rownum > _TITLE_SEARCH_ROWS:
            break
        if sum(standard(c.strip()) in known for c in cells) >= 2:
            return (
                f"not the header: the column names are on row {rownum} (a title above them?); "
                f"delete the rows above the column names so that they are row 1"
            )
    return None
