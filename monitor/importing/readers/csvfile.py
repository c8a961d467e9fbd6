"""CSV record files in a folder: the encoding found (UTF-16 with a byte-order mark, UTF-8,
else Windows-1252), strict parsing, each fault of quoting named with its row."""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Callable
from itertools import islice
from pathlib import Path
from typing import TextIO

from monitor.importing.problems import Problem
from monitor.importing.readers.base import Reader, Report, Rows, Table, reader
from monitor.records import MAX_FIELD_CHARS, RecordType

# csv's own limit sits above ours, so that a long value is reported with its column;
# only a runaway field (usually a quote never closed) reaches csv's limit.
csv.field_size_limit(8 * MAX_FIELD_CHARS)


@reader
class CsvReader(Reader):
    suffix = ".csv"
    in_folder = True
    what = "CSV files"

    def read_file(self, path: Path, label: str, rtype: RecordType, report: Report) -> Table | None:
        encoding, note = _encoding(path, label, report)
        if encoding is None:
            return None
        return Table(rtype, label, _csv_reader(path, label, encoding), note)


def _encoding(path: Path, label: str, report: Report) -> tuple[str | None, str | None]:
    """UTF-16 with a byte-order mark; UTF-8 (BOM or not); Windows-1252 when the file has no
    valid UTF-8 multi-byte sequence. A file with both valid sequences and invalid bytes
    (damaged, or joined from two encodings) is not read: each row with invalid bytes is a problem."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
            if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                return "utf-16", "read as UTF-16"
            fh.seek(0)
            decoder = codecs.getincrementaldecoder("utf-8")()
            try:
                while block := fh.read(1 << 20):
                    if not block.isascii() or decoder.getstate()[0]:  # (ASCII is UTF-8 as it is)
                        decoder.decode(block)
                decoder.decode(b"", final=True)
                return "utf-8-sig", None
            except UnicodeDecodeError:
                pass
        if not _some_utf8(path):
            return "cp1252", "read as Windows-1252 (the file is not UTF-8)"
        for rownum in _rows_not_utf8(path):
            report(
                Problem(
                    label,
                    rownum,
                    None,
                    None,
                    "bytes that are not UTF-8, in a file that is otherwise UTF-8 (damaged, or joined from "
                    "files of two encodings?): save the file again as CSV UTF-8",
                )
            )
        return None, None
    except OSError as exc:
        report(Problem(label, None, None, None, f"cannot be read ({exc.strerror})"))
        return None, None


_VALID_MULTIBYTE = re.compile("[^\x00-\x7f\udc80-\udcff]")  # a character UTF-8 needs several bytes for
_INVALID_BYTE = re.compile("[\udc80-\udcff]")  # an invalid byte, as surrogateescape decodes it


def _some_utf8(path: Path) -> bool:
    """The file has a valid UTF-8 multi-byte sequence."""
    with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
        return any(_VALID_MULTIBYTE.search(block) for block in iter(lambda: fh.read(1 << 20), ""))


def _rows_not_utf8(path: Path) -> list[int]:
    """The rows (as a spreadsheet numbers them) holding bytes that are not UTF-8."""
    rows = []
    with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
        try:
            for rownum, cells in enumerate(csv.reader(fh), start=1):
                if any(_INVALID_BYTE.search(c) for c in cells):
                    rows.append(rownum)
        except csv.Error:
            pass  # a fault of quoting: the rows before it are named
    return rows or [1]


def _csv_reader(path: Path, label: str, encoding: str) -> Callable[[Report], Rows]:
    return lambda report: CsvRows(path, label, encoding, report)


class CsvRows:
    """A CSV file's rows with their numbers (the header is row 1), one at a time or many at
    once (`take`, without a pair made for every row); a fault of quoting, text or reading
    ends them, reported with the row it is on."""

    def __init__(self, path: Path, label: str, encoding: str, report: Report):
        self.label, self.report = label, report
        self.next = 1  # the number of the next row
        self.fh: TextIO | None = None
        try:
            self.fh = open(path, encoding=encoding, newline="")  # closed when the rows end
            if encoding == "cp1252" and self.fh.read(3) != "\u00ef\u00bb\u00bf":  # a UTF-8 BOM, read as 1252
                self.fh.seek(0)
            self.reader = csv.reader(self.fh, strict=True)
        except (UnicodeError, OSError) as exc:
            self._fail(exc, 1)

    def __iter__(self) -> CsvRows:
        return self

    def __next__(self) -> tuple[int, list[str]]:
        rownums, cells = self.take(1)
        if not cells:
            raise StopIteration
        return rownums[0], cells[0]

    def take(self, n: int) -> tuple[range, list[list[str]]]:
        """Up to `n` rows: their numbers and cells (none once the file is read or has failed)."""
        start, cells = self.next, list[list[str]]()
        if self.fh is not None:
            try:
                cells.extend(islice(self.reader, n))  # (on a fault, the rows read before it stay)
            except (csv.Error, UnicodeError, OSError) as exc:
                self._fail(exc, start + len(cells))
            else:
                if len(cells) < n:
                    self._close()
        self.next = start + len(cells)
        return range(start, self.next), cells

    def _fail(self, exc: Exception, rownum: int) -> None:
        if isinstance(exc, csv.Error):
            why = _csv_error(str(exc))
        elif isinstance(exc, UnicodeError):
            why = "not readable text (neither UTF-8 nor Windows-1252): save the file as CSV UTF-8"
        else:
            why = f"cannot be read ({exc.strerror})" if isinstance(exc, OSError) else str(exc)
        self.report(Problem(self.label, max(rownum, 1), None, None, why))
        self._close()

    def _close(self) -> None:
        if self.fh is not None:
            self.fh.close()
            self.fh = None


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
