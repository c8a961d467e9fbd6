"""Cells to typed values: a column's parser (trim, the mapping's values, limits, the type),
the column-wise fast path for a batch of plainly good rows, and the row-by-row reading
where each problem is named."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from functools import cached_property
from itertools import islice
from typing import Any

from monitor.importing.readers.base import DateCell, column_letter
from monitor.records import EARLIEST_DATE, MAX_FIELD_CHARS, MAX_ID_CHARS, Col, parse_value

CHUNK = 5000  # rows read, checked and written together
_CACHE_MAX = 10000  # typed values remembered per column
# C0 and C1 control characters; tab, line feed and carriage return are allowed in free text only
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_ID = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# invisible characters: zero-width space, non-joiner and joiner, word joiner, a byte-order mark
# inside a value. Refused in ids (an id ending in one would be a second record), trimmed from the
# ends of other values.
_INVISIBLE_CHARS = "\u200b\u200c\u200d\u2060\ufeff"
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")
_ID_REFUSED = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{_INVISIBLE_CHARS}]")
_TRIM = re.compile(f"^[\\s{_INVISIBLE_CHARS}]+|[\\s{_INVISIBLE_CHARS}]+$")
_NAMES = {
    "\u200b": "a zero-width space",
    "\u200c": "a zero-width non-joiner",
    "\u200d": "a zero-width joiner",
    "\u2060": "a word joiner",
    "\ufeff": "a byte-order mark",
}
_UNSEEN = object()

Problem = Callable[..., None]  # row, column, value, why, the workbook cell or None


def cell_ref(sheet: str, index: int, rownum: int) -> str:
    """A workbook cell as people name it: `decisions!D3` (0-based column index)."""
    return f"{sheet}!{column_letter(index)}{rownum}"


class Parser:
    """A column's reading: trimmed text, the mapping's values, limits, then the typed value."""

    def __init__(
        self,
        col: Col,
        index: int,
        source: str,
        values: dict[str, str] | None,
        is_id: bool = False,
        latest: date | None = None,
    ):
        """`values`: the mapping's values, keyed by their trimmed, case-folded form; `latest`: the
        latest plausible date (none for a column that may hold any later date)."""
        self.col, self.index, self.source, self.values, self.is_id = col, index, source, values, is_id
        self.limit = MAX_ID_CHARS if is_id else MAX_FIELD_CHARS
        self.control = _ID_REFUSED if is_id else _CONTROL if col.free_text else _CONTROL_ID
        self.latest = None if col.any_later_date else latest
        self.dated = col.type == "date"
        self.plain = not col.cached  # taken as it is once the row has passed its checks
        # a date, yes/no or one of a list, with no mapping: its parsing refuses a cell that is
        # blank, untrimmed or holds anything else, so a batch needs no other look at it
        self.strict = values is None and col.type in ("date", "bool", "enum")
        self.cache: dict[str, object] | None = None if self.plain else {}
        self._seed()

    def _seed(self) -> None:
        if self.cache is not None and not self.col.required:
            self.cache[""] = None  # a blank optional cell

    def parse(self, raw: str):
        """The typed value of a trimmed cell (after the mapping's values), None when blank."""
        if self.values is not None:
            raw = self.values.get(raw.casefold(), raw)
        if not raw:
            return None
        return self.convert(raw)

    def convert(self, raw: str):
        """The typed value of a non-blank cell; ValueError says why it is refused."""
        if len(raw) > self.limit:
            what = "an id" if self.limit == MAX_ID_CHARS else "a value"
            raise ValueError(f"longer than {self.limit:,} characters (the most for {what})")
        if found := self.control.search(raw):
            char = found.group()
            if char in _NAMES:
                raise ValueError(f"holds an invisible character ({_NAMES[char]}, U+{ord(char):04X}): remove it")
            raise ValueError(f"holds a control character (U+{ord(char):04X}): remove it")
        value = parse_value(self.col, raw)
        if self.dated:
            if value < EARLIEST_DATE:
                raise ValueError(f"before {EARLIEST_DATE.day} {EARLIEST_DATE:%B %Y}: a mistyped year?")
            if self.latest is not None and value > self.latest:
                raise ValueError("more than a year after the day of the import: a mistyped year?")
        return value

    def _room(self, n: int) -> None:
        """Empty the cache if `n` more values would overfill it."""
        assert self.cache is not None
        if len(self.cache) + n > _CACHE_MAX:
            self.cache.clear()
            self._seed()

    def learn(self, raw: str, value) -> None:
        """Remember the typed value of a cell."""
        self._room(1)
        assert self.cache is not None
        self.cache[raw] = value

    def typed(self, cells: Sequence[str]) -> Sequence | None:
        """The typed values of trimmed, mapped cells, or None when one is refused."""
        cache = self.cache
        if cache is None:
            return cells if all(cells) else [c or None for c in cells]
        try:
            return list(map(cache.__getitem__, cells))  # every value seen before: the common batch
        except KeyError:
            pass
        unseen = set(cells).difference(cache)
        if len(cache) + len(unseen) > _CACHE_MAX:  # emptied: this batch's values are looked for again
            self._room(len(unseen))
            unseen = set(cells).difference(cache)
        try:
            cache.update({raw: self.convert(raw) for raw in unseen})
        except ValueError:
            return None
        return list(map(cache.__getitem__, cells))


def batches(rows: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[Sequence[int], list[list[str]]]]:
    """Rows in chunks of `CHUNK`: their numbers and their cells (taken many at once from a
    reader that can, such as a CSV file's)."""
    take = getattr(rows, "take", None)
    if take is None:

        def take(n: int) -> tuple[list[int], list[list[str]]]:
            batch = list(islice(rows, n))
            return [rownum for rownum, _ in batch], [cells for _, cells in batch]

    while (chunk := take(CHUNK))[1]:
        yield chunk


class Chunk:
    """Rows of one file read together: their row numbers and typed values, by row or by column
    (whichever the reading gave; the other is made when first asked for)."""

    def __init__(self, rownums: Sequence[int], *, rows: list | None = None, columns: list[Sequence] | None = None):
        self.rownums = rownums
        if rows is not None:
            self.rows = rows
        if columns is not None:
            self.columns = columns

    @cached_property
    def rows(self) -> list:
        return list(zip(*self.columns, strict=True))

    @cached_property
    def columns(self) -> list[Sequence]:
        return [list(c) for c in zip(*self.rows, strict=True)]

    def __iter__(self) -> Iterator[tuple[int, Any]]:
        return zip(self.rownums, self.rows, strict=True)

    def __len__(self) -> int:
        return len(self.rownums)


def typed_columns(
    cells: list[list[str]], parsers: list[Parser], width: int, dated: bool = False
) -> list[Sequence] | None:
    """A batch's typed values column by column (in the order of the parsers) when every row is
    plainly good: as wide as the header, required cells filled, no value too long or holding a
    control character, no date cell in a text column (`dated`: the cells may be `DateCell`s),
    every value accepted. Otherwise None: the batch is read row by row, where each problem is
    named."""
    if set(map(len, cells)) != {width}:
        return None
    raw = list(zip(*cells, strict=True))
    out = []
    for p in parsers:
        column = raw[p.index]
        if p.strict:  # a value to trim, blank or holding any other character is refused: read by row
            typed = p.typed(column)
            if typed is None:
                return None
            out.append(typed)
            continue
        if dated and p.plain and DateCell in set(map(type, column)):
            return None
        text = "".join(column)
        if " " in text or not text.isprintable():  # some cell may have spaces to trim or a control character
            column = tuple(map(str.strip, column))
            text = "".join(column)
            if not text.isprintable() and (p.control.search(text) or _INVISIBLE.search(text)):
                return None
        if p.values is not None:
            get = p.values.get
            column = tuple(get(c.casefold(), c) for c in column)
            text = "".join(column)
            if not text.isprintable():
                return None
        if p.col.required and not all(column):
            return None
        if p.plain and len(text) > p.limit and max(map(len, column)) > p.limit:  # (a cached value is within it)
            return None
        typed = p.typed(column)
        if typed is None:
            return None
        out.append(typed)
    return out


class RowReader:
    """The typed values of one row at a time (in the order of the parsers), or None for a blank
    or refused row; each problem is named through `problem`.

    The row's cells are checked together for control characters and length first (one
    search per row); only a row that has some is looked at cell by cell."""

    def __init__(
        self, parsers: list[Parser], width: int, unnamed: list[int], problem: Problem, sheet: str | None = None
    ):
        """`sheet`: a workbook sheet's title (its cells may be `DateCell`s; problems name the cell)."""
        dated = sheet is not None
        self.plan = [(p, p.index, p.values, p.cache, p.plain, dated and p.plain) for p in parsers]
        self.sheet = sheet
        self.width, self.unnamed, self.problem = width, unnamed, problem

    def __call__(self, rownum: int, cells: list[str]) -> list | None:
        plan, width, unnamed, problem = self.plan, self.width, self.unnamed, self.problem
        n = len(cells)
        if not any(c.strip() for c in cells):
            return None  # a blank row
        if n != width or unnamed:
            stray = [(j, c) for j, c in enumerate(cells) if (j >= width or j in unnamed) and c.strip()]
            if stray:
                problem(rownum, None, stray[0][1].strip(), "value in a column with no header")
                return None
            if n < width:
                missing = next((p.source for p, i, *_ in plan if i >= n), None)
                problem(
                    rownum,
                    missing,
                    None,
                    f"the row has {n} cells and the header {width}: a cut-off row (nothing was read "
                    f"from it; complete the row)",
                )
                return None
        joined = "".join(cells)
        invisible = _INVISIBLE.search(joined) is not None
        careful = invisible or len(joined) > MAX_ID_CHARS or _CONTROL_ID.search(joined) is not None
        values: list = []
        append = values.append
        bad = False
        for p, i, vmap, cache, plain, dated_text in plan:
            if dated_text and type(cells[i]) is DateCell:
                problem(
                    rownum,
                    p.source,
                    cells[i],
                    "a date in a text column (the spreadsheet turned the value into a date): format the column "
                    "as Text and type the value again",
                    cell_ref(self.sheet, i, rownum) if self.sheet else None,
                )
                bad = True
                append(None)
                continue
            raw = cells[i].strip()
            if invisible and not p.is_id:
                raw = _TRIM.sub("", raw)
            mapped = raw if vmap is None else vmap.get(raw.casefold(), raw)
            if not mapped:
                if p.col.required:
                    problem(
                        rownum, p.source, raw, "required value is blank", self.sheet and cell_ref(self.sheet, i, rownum)
                    )
                    bad = True
                append(None)
                continue
            if not careful:
                if plain:
                    append(mapped)
                    continue
                if cache is not None:
                    value = cache.get(mapped, _UNSEEN)
                    if value is not _UNSEEN:
                        append(value)
                        continue
            try:
                value = p.convert(mapped)
            except ValueError as exc:
                problem(rownum, p.source, raw, str(exc), self.sheet and cell_ref(self.sheet, i, rownum))
                bad = True
                append(None)
                continue
            if cache is not None:
                p.learn(mapped, value)
            append(value)
        if bad and all(v is None for v in values):
            return None
        return values  # with a problem, the key still counts (duplicates, references); nothing is written
