"""A workbook looked at before and beside openpyxl: the size of every part of its zip checked
before anything is parsed (a zip bomb is refused, never unpacked), and each record sheet's
cells that openpyxl reads silently wrong — merged cells over data rows, formulas with no
saved value, saved error values — found in the sheet's XML (entities never expanded)."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from defusedxml.ElementTree import iterparse
from openpyxl.utils.cell import range_boundaries

_MIB = 1 << 20
MAX_PART_BYTES = 1024 * _MIB  # one sheet unpacked (streamed: it is never held whole)
MAX_TOTAL_BYTES = 4096 * _MIB  # the whole workbook unpacked
MAX_HELD_BYTES = 128 * _MIB  # a part openpyxl holds in memory (shared strings, styles, the workbook's list)
MAX_RATIO = 100  # unpacked / packed, for a part of more than 1 MiB: beyond this it is built to explode
_STREAMED = re.compile(r"xl/worksheets/[^/]+\.xml")
_SCAN = re.compile(rb"<(?:\w+:)?f[\s>/]|\st=\"e\"|mergeCell")  # something a closer look is needed for
_BLOCK = 1 << 20


def unsafe(path) -> str | None:
    """Why the workbook's zip must not be opened further, or None. Raises zipfile.BadZipFile
    (or OSError) for a file that is not a zip."""
    with zipfile.ZipFile(path) as archive:
        total = 0
        for info in archive.infolist():
            size = info.file_size
            total += size
            limit = MAX_PART_BYTES if _STREAMED.fullmatch(info.filename) else MAX_HELD_BYTES
            if size > limit:
                return f"a part of the workbook ({info.filename}) would unpack to {size // _MIB:,} MB (the most is {limit // _MIB:,} MB)"
            if size > _MIB and size > MAX_RATIO * max(info.compress_size, 1):
                return (
                    f"a part of the workbook ({info.filename}) would unpack to {size // max(info.compress_size, 1):,} "
                    f"times its packed size: a file built to exhaust memory (a zip bomb?)"
                )
        if total > MAX_TOTAL_BYTES:
            return f"the workbook would unpack to {total // _MIB:,} MB (the most is {MAX_TOTAL_BYTES // _MIB:,} MB)"
    return None


@dataclass(frozen=True)
class Finding:
    """A cell (or range) openpyxl would read wrong: its first row and column, and why."""

    row: int
    column: int  # 1-based
    why: str


def inspect_sheet(path, part: str) -> Iterator[Finding]:
    """The cells of one sheet's XML part that would be read wrong (a quick scan first: most
    sheets have no formula, error or merged cell and are not parsed here)."""
    with zipfile.ZipFile(path) as archive:
        if not _worth_a_look(archive, part):
            return
        with archive.open(part) as fh:
            for _, element in iterparse(fh, events=("end",)):
                tag = element.tag.rpartition("}")[2]
                if tag == "c":
                    finding = _cell(element)
                    if finding is not None:
                        yield finding
                elif tag == "row":
                    element.clear()
                elif tag == "mergeCell":
                    finding = _merged(element.get("ref", ""))
                    if finding is not None:
                        yield finding


def _worth_a_look(archive: zipfile.ZipFile, part: str) -> bool:
    tail = b""
    with archive.open(part) as fh:
        while block := fh.read(_BLOCK):
            if _SCAN.search(tail + block):
                return True
            tail = block[-32:]
    return False


def _cell(element) -> Finding | None:
    children = {child.tag.rpartition("}")[2]: child for child in element}
    ref = element.get("r", "")
    if not ref:
        return None
    col, row, _, _ = range_boundaries(ref)
    if element.get("t") == "e":
        shown = (children["v"].text or "") if "v" in children else ""
        return Finding(row, col, f"cell {ref} holds the error {shown} (from a formula): correct it or type the value")
    if "f" in children and ("v" not in children or children["v"].text is None):
        return Finding(
            row,
            col,
            f"cell {ref} holds a formula with no saved value (the file was written by a program, never saved by a "
            f"spreadsheet): open it in Excel or LibreOffice, save it and import it again",
        )
    return None


def _merged(ref: str) -> Finding | None:
    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
    except ValueError:
        return None
    if max_row is None or max_row < 2:
        return None  # a merged title over the header: nothing is read from it
    return Finding(
        max(min_row, 2),
        min_col,
        f"cells {ref} are merged: a value typed once over merged cells belongs to the first of them only; "
        f"unmerge them and fill in each cell",
    )
