"""A problem found in an export (where, which value, why) and the problems report as CSV."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

_SHOWN_CHARS = 80
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Problem:
    """`file` is the file's name, or the workbook's and its sheet's (`book.xlsx sheet areas`);
    `row` is the row as a spreadsheet shows it (the header is row 1); `cell` the cell in a
    workbook (`decisions!D3`)."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    why: str
    cell: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" row {self.row}"
        if self.column is not None:
            where += f", column {self.column}"
        if self.cell is not None:
            where += f" ({self.cell})"
        if self.value is not None:
            where += f", value {shown(self.value)!r}"
        return f"{where}: {self.why}"

    def sort_key(self) -> tuple:
        return (self.file, self.row or 0)


def shown(value: str) -> str:
    """A value as problems show it: cut to a readable length."""
    return value if len(value) <= _SHOWN_CHARS else value[:_SHOWN_CHARS] + "…"


def _cell(text: str) -> str:
    """Neutralise a cell a spreadsheet would run as a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_report(path: Path, problems: Iterable[Problem]) -> int:
    """Write the problems as CSV a spreadsheet opens (UTF-8 with a byte-order mark);
    returns how many were written."""
    n = 0
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "row", "column", "value", "problem"])
        for p in problems:
            writer.writerow(
                [
                    _cell(p.file),
                    "" if p.row is None else p.row,
                    _cell(p.column or ""),
                    _cell(shown(p.value) if p.value is not None else ""),
                    _cell(p.why),
                ]
            )
            n += 1
    return n
