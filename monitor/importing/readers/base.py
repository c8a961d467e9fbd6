"""What every format gives and the registry of formats by suffix."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from monitor.importing.problems import Problem
from monitor.records import RecordType

Report = Callable[[Problem], None]
Rows = Iterator[tuple[int, list[str]]]


def column_letter(index: int) -> str:
    """A spreadsheet's name for a column (0-based index): A, B, …, Z, AA, …"""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


class DateCell(str):
    """The text of a spreadsheet's date cell: a date where text is expected is a problem."""

    __slots__ = ()


@dataclass
class Table:
    """One record file or sheet. `sheet`: a workbook sheet's title (its rows may hold
    `DateCell`s, and its problems name their cell)."""

    rtype: RecordType
    label: str
    open_rows: Callable[[Report], Rows]
    note: str | None = None
    sheet: str | None = None


@dataclass
class Export:
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    folder: Path | None = None  # where its documents folders (letters/, local-offer/) are looked for


class Reader:
    """A format. `in_folder`: its files are record files of a folder export (one record type
    each, named for it); otherwise one file is a whole export (`read_export`)."""

    suffix = ""
    in_folder = False
    what = ""  # the format in words, for "import a folder of CSV files or a workbook"

    def read_file(self, path: Path, label: str, rtype: RecordType, report: Report) -> Table | None:
        """One record file of a folder."""
        raise NotImplementedError

    def read_export(self, path: Path, report: Report) -> Export:
        """A file that is a whole export."""
        raise NotImplementedError


READERS: dict[str, Reader] = {}


def reader(cls: type[Reader]) -> type[Reader]:
    """Register a format by its suffix."""
    READERS[cls.suffix] = cls()
    return cls
