"""Import an export (a folder of CSV files or a workbook) into the store, all or nothing.

One pass over each file, in import order, inside one transaction: every row is parsed
and checked (values, ids unique within the file, references into this import or the
store, the cross-record rules of the records standard against import and store
together) and, while no problem has been found, written in chunks. New records are
inserted (attributed to the import batch), changed records are updated with one audit
entry per changed column, identical records are left untouched. Any problem — every
one is reported (file, row, column, value, why) — rolls the whole import back, and a
dry run always does. Memory stays bounded: rows stream, only ids are kept.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from itertools import islice, repeat
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import and_, bindparam, func, insert, select, tuple_, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from monitor.db import bulk_insert
from monitor.mapping import Mapping
from monitor.models import AuditEntry, ImportBatch
from monitor.problems import Problem
from monitor.records import BY_NAME, MAX_FIELD_CHARS, MAX_ID_CHARS, RECORD_TYPES, Col, RecordType, parse_value
from monitor.sources import Table, open_export

Progress = Callable[[str, int, int | None], None]
_CHUNK = 5000
_CACHE_MAX = 10000  # typed values remembered per column
_LOOKUP = 500
_AUDIT = ("batch_id", "record_type", "record_key", "column", "old_value", "new_value")  # an audit row's columns
_SQLITE_CACHE_KIB = 32768
# C0 and C1 control characters; tab, line feed and carriage return are allowed in free text only
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_ID = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_FREE_TEXT = {"name", "region", "granted_by", "justification"}
_TITLE_SEARCH_ROWS = 10
_REFERRED_TO = {t for r in RECORD_TYPES for c in r.columns for t in c.refers_to}  # ids other records name


@dataclass
class ImportResult:
    batch_id: int | None = None
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # record type -> new/updated/unchanged
    labels: dict[str, str] = field(default_factory=dict)  # record type -> file or sheet read
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    areas: set[str] = field(default_factory=set)  # area codes named by areas, decisions and appeals
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def area(self) -> str | None:
        """The export's area when it names exactly one."""
        return next(iter(self.areas)) if len(self.areas) == 1 else None


def import_folder(
    engine: Engine,
    path: Path,
    duty_ids: Iterable[str],
    progress: Progress | None = None,
    *,
    mapping: Mapping | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Validate the export at `path` (a folder or a workbook) against the store and, unless it
    has a problem or this is a dry run, write it."""
    threshold = gc.get_threshold()
    gc.set_threshold(100_000, 50, 50)  # millions of short-lived rows: collect cycles less often
    try:
        return _import(engine, Path(path), duty_ids, progress, mapping, dry_run)
    finally:
        gc.set_threshold(*threshold)


def _import(
    engine: Engine,
    path: Path,
    duty_ids: Iterable[str],
    progress: Progress | None,
    mapping: Mapping | None,
    dry_run: bool,
) -> ImportResult:
    result = ImportResult(dry_run=dry_run)
    export = open_export(Path(path), result.problems.append)
    result.notes.extend(export.notes)
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":  # the stdlib driver would begin only at the first write
            conn.exec_driver_sql(f"PRAGMA cache_size=-{_SQLITE_CACHE_KIB}")  # fewer pages spilled to the WAL
            conn.exec_driver_sql("BEGIN" if dry_run else "BEGIN IMMEDIATE")
        trans = conn.get_transaction() if conn.in_transaction() else conn.begin()
        assert trans is not None
        try:
            run = _Run(conn, result, set(duty_ids), mapping or Mapping(), progress)
            if not dry_run and not result.problems:
                inserted = conn.execute(
                    insert(ImportBatch.__table__).values(source=str(path), started_at=datetime.now(UTC), counts={})
                ).inserted_primary_key
                assert inserted is not None
                run.batch_id = inserted[0]
            for table in export.tables:
                run.table(table)
            run.finish()
            result.problems.sort(key=Problem.sort_key)
            if result.problems or dry_run:
                trans.rollback()
                return result
            conn.execute(
                update(ImportBatch.__table__)
                .where(ImportBatch.__table__.c.id == run.batch_id)
                .values(finished_at=datetime.now(UTC), counts=result.counts)
            )
            trans.commit()
        except BaseException:
            trans.rollback()
            raise
    result.batch_id = run.batch_id
    return result


class _Parser:
    """A column's reading: trimmed text, the mapping's values, limits, then the typed value."""

    def __init__(self, col: Col, index: int, source: str, values: dict[str, str] | None, is_id: bool = False):
        self.col, self.index, self.source, self.values = col, index, source, values
        self.limit = MAX_ID_CHARS if is_id else MAX_FIELD_CHARS
        self.control = _CONTROL if col.name in _FREE_TEXT else _CONTROL_ID
        self.plain = col.type == "text"  # taken as it is once the row has passed its checks
        self.cache: dict[str, object] | None = None if self.plain else {}
        self._seed()

    def _seed(self) -> None:
        if self.cache is not None and not self.col.required:
            self.cache[""] = None  # a blank optional cell

    def parse(self, raw: str):
        """The typed value of a trimmed cell (after the mapping's values), None when blank."""
        if self.values is not None:
            raw = self.values.get(raw, raw)
        if not raw:
            return None
        return self.convert(raw)

    def convert(self, raw: str):
        """The typed value of a non-blank cell; ValueError says why it is refused."""
        if len(raw) > self.limit:
            what = "an id" if self.limit == MAX_ID_CHARS else "a value"
            raise ValueError(f"longer than {self.limit:,} characters (the most for {what})")
        if found := self.control.search(raw):
            raise ValueError(f"holds a control character (U+{ord(found.group()):04X}): remove it")
        return parse_value(self.col, raw)

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
            return [c or None for c in cells] if "" in cells else cells
        try:
            return list(map(cache.__getitem__, cells))  # every value seen before: the common batch
        except KeyError:
            pass
        unseen = set(cells).difference(cache)
        self._room(len(unseen))  # if emptied, this batch's values are looked for again
        unseen = set(cells).difference(cache)
        try:
            cache.update({raw: self.convert(raw) for raw in unseen})
        except ValueError:
            return None
        return list(map(cache.__getitem__, cells))


def _batches(rows: Iterable[tuple[int, list[str]]]) -> Iterator[list[tuple[int, list[str]]]]:
    """Rows in lists of `_CHUNK`."""
    rows = iter(rows)
    while batch := list(islice(rows, _CHUNK)):
        yield batch


class _Chunk:
    """Rows of one file read together: their row numbers and typed values, by row or by column
    (whichever the reading gave; the other is made when first asked for)."""

    def __init__(self, rownums: list[int], *, rows: list | None = None, columns: list[Sequence] | None = None):
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


def _columns(cells: list[list[str]], parsers: list[_Parser], width: int) -> list[Sequence] | None:
    """A batch's typed values column by column (in the order of the parsers) when every row is
    plainly good: as wide as the header, required cells filled, no value too long or holding a
    control character, every value accepted. Otherwise None: the batch is read row by row,
    where each problem is named."""
    if any(len(row) != width for row in cells):
        return None
    raw = list(zip(*cells, strict=True))
    out = []
    for p in parsers:
        column = raw[p.index]
        text = "".join(column)
        if " " in text or not text.isprintable():  # some cell may have spaces to trim or a control character
            column = tuple(map(str.strip, column))
            text = "".join(column)
            if not text.isprintable() and p.control.search(text):
                return None
        if p.values is not None:
            get = p.values.get
            column = tuple(get(c, c) for c in column)
            if not "".join(column).isprintable():
                return None
        if (p.col.required and "" in column) or max(map(len, column)) > p.limit:
            return None
        typed = p.typed(column)
        if typed is None:
            return None
        out.append(typed)
    return out


_UNSEEN = object()


class _Run:
    """The state of one import: ids seen, store look-ups, problems, the batch."""

    def __init__(
        self, conn: Connection, result: ImportResult, duty_ids: set[str], mapping: Mapping, progress: Progress | None
    ):
        self.conn, self.result, self.duty_ids, self.mapping = conn, result, duty_ids, mapping
        self.progress = progress
        self.problems = result.problems
        self.batch_id: int | None = None
        self.keys: dict[str, set] = {}  # record type -> keys in this import
        self.unreadable: set[str] = set()  # record types whose file could not be read
        self.found: dict[str, set[str]] = {}  # record type -> ids known to exist in the store
        self.missing: dict[str, set[str]] = {}  # record type -> ids known not to
        self.stored_small: dict[str, dict[str, Any]] = {}
        self.rows_small: dict[str, list[tuple[int, dict, set[str]]]] = {}
        self.labels: dict[str, str] = result.labels
        self.sqlite_forms: dict[str, dict] = {"date": {None: None}, "bool": {None: None}}  # see _stored_forms

    # --- writing allowed? ------------------------------------------------------------------

    @property
    def writing(self) -> bool:
        return self.batch_id is not None and not self.problems

    def problem(self, label: str, row: int | None, column: str | None, value: str | None, why: str) -> None:
        self.problems.append(Problem(label, row, column, value, why))

    # --- one file or sheet ---------------------------------------------------------------------

    def table(self, table: Table) -> None:
        rtype, label = table.rtype, table.label
        self.labels[rtype.name] = label
        if table.note:
            self.result.notes.append(f"{label}: {table.note}")
        rows = table.open_rows(self.problems.append)
        header = self._header(table, rows)
        if header is None:
            self.unreadable.add(rtype.name)
            return
        parsers, width, unnamed = header
        present = {p.col.name for p in parsers}
        counts = {"new": 0, "updated": 0, "unchanged": 0}
        keys = self.keys.setdefault(rtype.name, set())
        duplicates: dict = {}
        key_at = [
            next(i for i, p in enumerate(parsers) if p.col.name == k) if k in present else None for k in rtype.key
        ]
        area_at = (
            next((i for i, p in enumerate(parsers) if p.col.name == "area_code"), None)
            if rtype.name in ("areas", "decisions", "appeals")
            else None
        )
        small = rtype.name in ("areas", "commissioners")
        if small:
            self._load_small(rtype.name)
        empty = not self.conn.execute(select(func.count()).select_from(rtype.model.__table__)).scalar_one()
        deferred = self._defer_indexes(rtype) if empty else []
        if None in key_at:  # a key column is missing: rows are still checked, nothing more
            key_at = []
        key_cols = [i for i in key_at if i is not None]
        single = key_cols[0] if len(key_cols) == 1 else None
        plan = [(p, p.index, p.values, p.cache, p.plain) for p in parsers]

        def keyed(read: Iterable[tuple[int, Any]]) -> _Chunk:
            """The rows whose key is new in this import (duplicates are problems)."""
            rownums, kept = [], []
            for rownum, values in read:
                if area_at is not None and len(self.result.areas) < 2 and values[area_at]:
                    self.result.areas.add(values[area_at])
                if single is not None:
                    key = values[single]
                elif key_at:
                    key = tuple(values[i] for i in key_at)
                    if None in key:
                        key = None
                else:
                    continue
                if key is None:
                    continue
                if key in keys:
                    duplicates.setdefault(key, rownum)
                    shown = key if single is not None else ":".join(key)
                    self.problem(label, rownum, ", ".join(rtype.key), shown, "duplicate id")
                    continue
                keys.add(key)
                if small:
                    self.rows_small.setdefault(rtype.name, []).append(
                        (rownum, {p.col.name: values[i] for i, p in enumerate(parsers)}, present)
                    )
                rownums.append(rownum)
                kept.append(values)
            return _Chunk(rownums, rows=kept)

        # A first load of a table no other record refers to: its primary key finds an id that
        # repeats an earlier row's, and `keys` (a set of up to millions of ids) stays empty until
        # then or until the writing stops; from there on it holds every id read, as for any table.
        trusting = empty and self.writing and bool(key_at) and rtype.name not in _REFERRED_TO

        def distrust() -> None:
            nonlocal trusting
            trusting = False
            keys.update(self._written_keys(rtype))

        for batch in _batches(rows):
            if self.progress:
                self.progress(label, batch[0][0], None)
            if trusting and not self.writing:
                distrust()
            rownums, cells = list(map(itemgetter(0), batch)), list(map(itemgetter(1), batch))
            cols = None if unnamed or small else _columns(cells, parsers, width)
            if cols is None:  # some row needs reading on its own, where each problem is named
                chunk = keyed(
                    (n, v) for n, row in batch if (v := self._row(label, n, row, plan, width, unnamed)) is not None
                )
            else:
                ids = cols[single] if single is not None else list(zip(*(cols[i] for i in key_cols), strict=True))
                fresh = set(ids)
                if key_at and len(fresh) == len(ids) and (trusting or keys.isdisjoint(fresh)):  # the common batch
                    if not trusting:
                        keys |= fresh
                    if area_at is not None and len(self.result.areas) < 2:
                        self.result.areas.update(cols[area_at])
                    chunk = _Chunk(rownums, columns=cols)
                else:
                    chunk = keyed(_Chunk(rownums, columns=cols))
            if chunk and trusting:
                try:
                    with self._savepoint():
                        self._chunk(rtype, label, parsers, chunk, empty, counts)
                    continue
                except IntegrityError:  # an id of this chunk repeats an earlier row's: name it
                    keys.clear()  # (this chunk's own, if it was read row by row)
                    distrust()
                    chunk = keyed(chunk)
            if chunk:
                self._chunk(rtype, label, parsers, chunk, empty, counts)
        for index in deferred:
            index.create(self.conn)
        if duplicates:
            self._first_rows(table, rtype, parsers, key_at, duplicates)
        if small:
            self._successors(rtype, label, parsers)
        self.result.counts[rtype.name] = counts
        if self.progress:
            self.progress(label, 1, 1)

    @contextmanager
    def _savepoint(self) -> Iterator[None]:
        """A savepoint around a chunk's writing: an insert refused by a constraint leaves none of its rows."""
        self.conn.exec_driver_sql("SAVEPOINT import_chunk")
        try:
            yield
        except IntegrityError:  # (any other failure rolls the whole import back)
            self.conn.exec_driver_sql("ROLLBACK TO SAVEPOINT import_chunk")
            self.conn.exec_driver_sql("RELEASE SAVEPOINT import_chunk")
            raise
        self.conn.exec_driver_sql("RELEASE SAVEPOINT import_chunk")

    def _written_keys(self, rtype: RecordType) -> Iterator:
        """The keys of the rows of a table that was empty before this import."""
        table = rtype.model.__table__
        query = select(*[table.c[k] for k in rtype.key])
        if len(rtype.key) == 1:
            return iter(self.conn.execute(query).scalars())
        return (tuple(r) for r in self.conn.execute(query))

    def _defer_indexes(self, rtype: RecordType) -> list:
        """A first load of a table: drop its secondary indexes, to be built once its rows are in
        (sorting once is cheaper than a million index inserts). Inside the import's transaction,
        so a failed import leaves them as they were. SQLite's readers see the old (empty) table
        meanwhile; PostgreSQL's wait for the import to end (dropping an index locks its table),
        which only a first load does."""
        if not self.writing:
            return []
        indexes = sorted(rtype.model.__table__.indexes, key=lambda i: str(i.name))
        for index in indexes:
            index.drop(self.conn)
        return indexes

    def _header(self, table: Table, rows) -> tuple[list[_Parser], int, list[int]] | None:
        rtype, label = table.rtype, table.label
        first = next(rows, None)
        if first is None:
            if not any(p.file == label for p in self.problems):
                self.problem(label, 1, None, None, "empty: a header row (the column names) is required")
            return None
        _, cells = first
        names = [c.strip() for c in cells]
        known = {c.name for c in rtype.columns}

        def standard(name: str) -> str:
            return self.mapping.column(rtype.name, name) or name.lower()

        found = sum(standard(n) in known for n in names)
        if found == 0 or (found == 1 and sum(bool(n) for n in names) <= 1):
            layout = self._layout(rtype, label, names, rows, standard, known)
            if layout:
                self.problem(label, 1, None, None, layout)
                return None
        parsers: list[_Parser] = []
        seen: set[str] = set()
        unnamed = []
        for i, name in enumerate(names):
            if not name:
                unnamed.append(i)  # e.g. a spreadsheet's trailing comma: fine while its cells are empty
                continue
            std = standard(name)
            if std not in known:
                self.problem(label, 1, name, None, "unknown column")
                continue
            if std in seen:
                self.problem(label, 1, name, None, "duplicate column")
                continue
            seen.add(std)
            col = rtype.column(std)
            parsers.append(
                _Parser(
                    col,
                    i,
                    name,
                    self.mapping.value_map(rtype.name, std),
                    is_id=std in rtype.key or bool(col.refers_to) or std == "duty",
                )
            )
        for col in rtype.columns:
            if col.required and col.name not in seen:
                self.problem(label, 1, col.name, None, "required column is missing")
        return parsers, len(names), unnamed

    def _layout(self, rtype: RecordType, label: str, names: list[str], rows, standard, known) -> str | None:
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

    def _row(
        self,
        label: str,
        rownum: int,
        cells: list[str],
        plan: list[tuple],
        width: int,
        unnamed: list[int],
    ) -> list | None:
        """The typed values of one row (in the order of the plan: its parsers and what the loop reads
        of each), or None for a blank or refused row; each problem is named.

        The row's cells are checked together for control characters and length first (one
        search per row); only a row that has some is looked at cell by cell."""
        n = len(cells)
        if not any(c.strip() for c in cells):
            return None  # a blank row
        if n != width or unnamed:
            stray = [(j, c) for j, c in enumerate(cells) if (j >= width or j in unnamed) and c.strip()]
            if stray:
                self.problem(label, rownum, None, stray[0][1].strip(), "value in a column with no header")
                return None
            if n < width:
                missing = next((p.source for p, i, *_ in plan if i >= n), None)
                self.problem(
                    label,
                    rownum,
                    missing,
                    None,
                    f"the row has {n} cells and the header {width}: a cut-off row (nothing was read "
                    f"from it; complete the row)",
                )
                return None
        joined = "".join(cells)
        careful = len(joined) > MAX_ID_CHARS or _CONTROL_ID.search(joined) is not None
        values: list = []
        append = values.append
        bad = False
        for p, i, vmap, cache, plain in plan:
            raw = cells[i].strip()
            mapped = raw if vmap is None else vmap.get(raw, raw)
            if not mapped:
                if p.col.required:
                    self.problem(label, rownum, p.source, raw, "required value is blank")
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
                self.problem(label, rownum, p.source, raw, str(exc))
                bad = True
                append(None)
                continue
            if cache is not None:
                p.learn(mapped, value)
            append(value)
        if bad and all(v is None for v in values):
            return None
        return values  # with a problem, the key still counts (duplicates, references); nothing is written

    # --- a chunk of rows: references, rules, writing ---------------------------------------

    def _chunk(
        self, rtype: RecordType, label: str, parsers: list[_Parser], chunk: _Chunk, empty: bool, counts: dict
    ) -> None:
        names = [p.col.name for p in parsers]
        index = {name: i for i, name in enumerate(names)}
        for p in parsers:
            targets = [t for t in p.col.refers_to if t != rtype.name]
            if not targets or any(t in self.unreadable for t in targets):
                continue
            self._references(label, p, targets, chunk, index[p.col.name])
        if rtype.name == "exceptions" and "duty" in index:
            i = index["duty"]
            for rownum, values in chunk:
                if values[i] is not None and values[i] not in self.duty_ids:
                    self.problem(
                        label,
                        rownum,
                        parsers[i].source,
                        values[i],
                        "unknown duty id: expected one of " + ", ".join(sorted(self.duty_ids)),
                    )
        if rtype.name == "recommendations":
            self._recommendation_kinds(label, parsers, index, chunk)
        stored: dict[tuple, dict] = {}
        if not empty and (self.writing or self.result.dry_run or rtype.name == "appeals"):
            stored = self._stored(
                rtype,
                list(zip(*(chunk.columns[index[k]] for k in rtype.key), strict=True)),
                [*names, *(["closed_on"] if rtype.name == "appeals" else [])],
            )
        if rtype.name == "appeals":
            self._closed_on(label, parsers, index, chunk, stored)
        if self.problems:
            return
        self._write(rtype, names, index, chunk, stored, counts)

    def _references(self, label: str, p: _Parser, targets: list[str], chunk: _Chunk, i: int) -> None:
        """The ids column `i` of the chunk names exist in this import or the store."""
        distinct = set(chunk.columns[i])
        distinct.discard(None)
        for t in targets:
            distinct -= self.keys.get(t, set())
        if not distinct:
            return
        for t in targets:
            found, missing = self.found.setdefault(t, set()), self.missing.setdefault(t, set())
            ask = sorted(distinct - found - missing)
            table = BY_NAME[t].model.__table__
            key = table.c[BY_NAME[t].key[0]]
            for j in range(0, len(ask), _LOOKUP):
                part = ask[j : j + _LOOKUP]
                got = set(self.conn.execute(select(key).where(key.in_(part))).scalars())
                found |= got
                missing.update(v for v in part if v not in got)
        for t in targets:
            distinct -= self.found[t]
        if not distinct:
            return
        names = " or ".join(BY_NAME[t].key[0] for t in targets)
        for rownum, values in chunk:
            if values[i] in distinct:
                self.problem(label, rownum, p.source, values[i], f"no such {names} in this import or the store")

    def _stored(self, rtype: RecordType, keys: list[tuple], columns: list[str]) -> dict[tuple, dict]:
        table = rtype.model.__table__
        key_cols = [table.c[k] for k in rtype.key]
        wanted = list(dict.fromkeys([*rtype.key, *columns]))
        query = select(*[table.c[c] for c in wanted])
        found: dict[tuple, dict] = {}
        keys = [k for k in keys if None not in k]
        for i in range(0, len(keys), _LOOKUP):
            part = keys[i : i + _LOOKUP]
            where = tuple_(*key_cols).in_(part) if len(key_cols) > 1 else key_cols[0].in_([k[0] for k in part])
            for row in self.conn.execute(query.where(where)).mappings():
                found[tuple(row[k] for k in rtype.key)] = dict(row)
        return found

    def _load_small(self, name: str) -> None:
        rtype = BY_NAME[name]
        table = rtype.model.__table__
        cols = [table.c[c.name] for c in rtype.columns]
        self.stored_small[name] = {row[rtype.key[0]]: dict(row) for row in self.conn.execute(select(*cols)).mappings()}

    def _closed_on(self, label, parsers, index, chunk, stored) -> None:
        """`closed_on` is required when status is not `open` and refused when it is (the stored
        value counts when the file has no closed_on column)."""
        if "status" not in index:
            return
        si, ci = index["status"], index.get("closed_on")
        for rownum, values in chunk:
            status = values[si]
            if status is None:
                continue
            if ci is not None:
                closed, column = values[ci], parsers[ci].source
            else:
                closed = stored.get((values[index["appeal_id"]],), {}).get("closed_on")
                column = "closed_on"
            shown = closed.isoformat() if closed else ""
            if status == "open" and closed is not None:
                self.problem(label, rownum, column, shown, "must be blank when status is open")
            elif status != "open" and closed is None:
                self.problem(label, rownum, column, shown, f"required when status is {status}")

    def _commissioner_kinds(self) -> dict[str, str]:
        if "_kinds" not in self.stored_small:
            kinds = {c: r["kind"] for c, r in self.stored_small.get("commissioners", {}).items()}
            if "commissioners" not in self.stored_small:
                t = BY_NAME["commissioners"].model.__table__
                kinds = dict(self.conn.execute(select(t.c.commissioner_code, t.c.kind)).all())
            for _, values, _ in self.rows_small.get("commissioners", ()):
                if values.get("kind"):
                    kinds[values["commissioner_code"]] = values["kind"]
            self.stored_small["_kinds"] = kinds
        return self.stored_small["_kinds"]

    def _recommendation_kinds(self, label, parsers, index, chunk) -> None:
        """A recommendation's kind must equal the kind of its commissioner (import or store)."""
        if "kind" not in index or "commissioner_code" not in index:
            return
        kinds = self._commissioner_kinds()
        ki, cci = index["kind"], index["commissioner_code"]
        for rownum, values in chunk:
            code, kind = values[cci], values[ki]
            expected = kinds.get(code)
            if kind is not None and expected is not None and kind != expected:
                self.problem(label, rownum, parsers[ki].source, kind, f"commissioner {code} is {expected}")

    # --- areas and commissioners: successors, kinds --------------------------------------------

    def _successors(self, rtype: RecordType, label: str, parsers: list[_Parser]) -> None:
        """Both or neither; the successor exists (import or store), has the same kind (commissioners);
        chains do not loop — judged on the import and the store together."""
        name, key = rtype.name, rtype.key[0]
        stored = self.stored_small.get(name, {})
        rows = self.rows_small.get(name, [])
        source = {}  # the column names as the file spells them
        effective: dict[str, dict] = {code: dict(r) for code, r in stored.items()}
        for _, values, present in rows:
            merged = dict(stored.get(values[key], {}))
            merged.update({c: v for c, v in values.items() if c in present})
            effective[values[key]] = merged
        for p in parsers:
            source[p.col.name] = p.source
        col = lambda c: source.get(c, c)  # noqa: E731
        imported = {values[key]: rownum for rownum, values, _ in rows}
        for rownum, values, _present in rows:
            code = values[key]
            e = effective[code]
            succ, since = e.get("successor_code"), e.get("successor_from")
            if (succ is None) != (since is None):
                blank = "successor_from" if succ is not None else "successor_code"
                self.problem(
                    label, rownum, col(blank), "", "successor_code and successor_from go together: give both or neither"
                )
            if succ is None:
                continue
            if succ not in effective:
                self.problem(label, rownum, col("successor_code"), succ, f"no such {key} in this import or the store")
                continue
            if (
                name == "commissioners"
                and e.get("kind")
                and effective[succ].get("kind")
                and e["kind"] != effective[succ]["kind"]
            ):
                self.problem(
                    label,
                    rownum,
                    col("successor_code"),
                    succ,
                    f"the successor is {effective[succ]['kind']}, this body is {e['kind']}: "
                    f"a successor must be of the same kind",
                )
        if name == "commissioners":  # stored bodies naming an imported one whose kind changes
            for code, e in effective.items():
                succ = e.get("successor_code")
                if succ is None or code in imported or succ not in imported:
                    continue
                if e.get("kind") and effective[succ].get("kind") and e["kind"] != effective[succ]["kind"]:
                    self.problem(
                        label,
                        imported[succ],
                        col("kind"),
                        effective[succ]["kind"],
                        f"stored commissioner {code} ({e['kind']}) names this body as its successor: "
                        f"a successor must be of the same kind",
                    )
        reported: set[str] = set()
        for start in imported:
            chain, code = [start], effective[start].get("successor_code")
            while code is not None and code in effective and code not in chain:
                chain.append(code)
                code = effective[code].get("successor_code")
            if code is None or code not in chain:
                continue
            loop = chain[chain.index(code) :] + [code]
            if set(loop) & reported:
                continue
            reported.update(loop)
            where = ", ".join(f"row {imported[c]}" if c in imported else f"{c} (stored)" for c in loop[:-1])
            for c in loop[:-1]:
                if c in imported:
                    self.problem(
                        label,
                        imported[c],
                        col("successor_code"),
                        effective[c]["successor_code"],
                        f"successors go round in a loop: {' → '.join(loop)} ({where})",
                    )

    def finish(self) -> None:
        """Rules that need every file read: a commissioner's new kind against stored recommendations."""
        stored = self.stored_small.get("commissioners", {})
        rec_keys = self.keys.get("recommendations", set())
        label = self.labels.get("commissioners") or "commissioners.csv"
        t = BY_NAME["recommendations"].model.__table__
        for rownum, values, _present in self.rows_small.get("commissioners", ()):
            code, kind = values.get("commissioner_code"), values.get("kind")
            old = stored.get(code, {}).get("kind") if code is not None else None
            if kind is None or old is None or kind == old:
                continue
            clash = [
                rid
                for rid in self.conn.execute(
                    select(t.c.recommendation_id)
                    .where(t.c.commissioner_code == code, t.c.kind != kind)
                    .order_by(t.c.recommendation_id)
                ).scalars()
                if rid not in rec_keys
            ]
            if clash:
                shown = ", ".join(clash[:20]) + (f" and {len(clash) - 20} more" if len(clash) > 20 else "")
                self.problem(
                    label,
                    rownum,
                    "kind",
                    kind,
                    f"stored {old} recommendations point at this commissioner: {shown} "
                    f"(a recommendation's kind must equal its commissioner's)",
                )

    def _first_rows(self, table: Table, rtype, parsers, key_at, duplicates: dict[tuple, int]) -> None:
        """Name the first row of each duplicated id (a second read: only when there are duplicates)."""
        first: dict[tuple, int] = {}
        rows = table.open_rows(lambda _p: None)
        next(rows, None)
        for rownum, cells in rows:
            try:
                key = tuple(parsers[i].parse(cells[parsers[i].index].strip()) for i in key_at)
            except (ValueError, IndexError):
                continue
            if len(key) == 1:
                key = key[0]
            if key in duplicates and key not in first:
                first[key] = rownum
        label = table.label
        for i, p in enumerate(self.problems):
            if p.file == label and p.why == "duplicate id":
                shown = p.value or ""
                dup: tuple | str = tuple(shown.split(":")) if len(rtype.key) > 1 else shown
                if dup in first and first[dup] != p.row:
                    self.problems[i] = Problem(
                        p.file, p.row, p.column, p.value, f"duplicate id (first on row {first[dup]})"
                    )

    # --- writing -------------------------------------------------------------------------------

    def _write(
        self, rtype: RecordType, names: list[str], index: dict, chunk: _Chunk, stored: dict, counts: dict
    ) -> None:
        table = rtype.model.__table__
        new_rows: list = []
        changed_rows: list[dict] = []
        audit: list[tuple] = []
        batch = self.batch_id
        for _, values in chunk if stored else ():
            key = tuple(values[index[k]] for k in rtype.key)
            old = stored.get(key)
            if old is None:
                new_rows.append(values)
                continue
            diff = [c for c in names if values[index[c]] != old[c]]
            if not diff:
                counts["unchanged"] += 1
                continue
            changed_rows.append(
                {
                    **{f"k_{k}": v for k, v in zip(rtype.key, key, strict=False)},
                    **{f"v_{c}": values[index[c]] for c in names if c not in rtype.key},
                    "v_updated_batch": self.batch_id,
                }
            )
            record_key = ":".join(key)
            audit.extend(
                (self.batch_id, rtype.name, record_key, c, _text(old[c]), _text(values[index[c]])) for c in diff
            )
        new = len(new_rows) if stored else len(chunk)  # none stored: every row is new
        counts["new"] += new
        counts["updated"] += len(changed_rows)
        if not self.writing:
            return
        if new:
            columns = list(zip(*new_rows, strict=True)) if stored else list(chunk.columns)
            if self.conn.dialect.name == "sqlite":
                # dates as ISO text and booleans as 1/0, as SQLAlchemy writes them: the driver would
                # otherwise look for an adapter for every such value
                for c in names:
                    kind, i = rtype.column(c).type, index[c]
                    if kind in ("date", "bool"):
                        columns[i] = _stored_forms(columns[i], self.sqlite_forms[kind])
            rows = list(zip(*columns, repeat(batch), repeat(batch)))
            bulk_insert(self.conn, table, [*names, "created_batch", "updated_batch"], rows)
        if changed_rows:
            assignments: dict[str, Any] = {c[2:]: bindparam(c) for c in changed_rows[0] if c.startswith("v_")}
            where = and_(*[table.c[k] == bindparam(f"k_{k}") for k in rtype.key])
            self.conn.execute(update(table).where(where).values(assignments), changed_rows)
        bulk_insert(self.conn, AuditEntry.__table__, _AUDIT, audit)


def _stored_forms(column: list, forms: dict) -> list:
    """SQLite's text for each value of a date or boolean column (None stays None), converted once
    per distinct value; `forms` remembers them from chunk to chunk."""
    unseen = set(column).difference(forms)
    if unseen:
        if len(forms) > _CACHE_MAX:
            forms.clear()
            forms[None] = None
        forms.update((v, v.isoformat() if isinstance(v, date) else int(v)) for v in unseen)
    return list(map(forms.__getitem__, column))


def _text(value) -> str | None:
    return None if value is None else str(value)
