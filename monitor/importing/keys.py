"""Keys and references: each record's key new in this import (a repeat is a problem naming the
first row), the export's area read from its area columns, and every reference found in this
import or the store."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import select

from monitor.importing.cells import Chunk, Parser
from monitor.importing.checks.registry import Part
from monitor.importing.problems import Problem
from monitor.importing.readers.base import Table
from monitor.importing.session import Session
from monitor.records import BY_NAME, RECORD_TYPES, RecordType

_LOOKUP = 500  # ids asked of the store at once
REFERRED_TO = {t for r in RECORD_TYPES for c in r.columns for t in c.refers_to}  # types other records name


class FileKeys:
    """One file's keys. `key_at` holds the key's positions among the parsers (empty when a key
    column is missing: rows are still checked, nothing more); `single` the one position of a
    one-column key."""

    def __init__(self, session: Session, rtype: RecordType, label: str, parsers: list[Parser]):
        self.session, self.rtype, self.label, self.parsers = session, rtype, label, parsers
        self.present = {p.col.name for p in parsers}
        at = {p.col.name: i for i, p in enumerate(parsers)}
        self.key_at: list[int] = [at[k] for k in rtype.key] if all(k in at for k in rtype.key) else []
        self.single = self.key_at[0] if len(self.key_at) == 1 else None
        self.area_at = at.get(rtype.area_column) if rtype.area_column else None
        self.keys = session.keys.setdefault(rtype.name, set())
        self.duplicates: dict = {}  # key -> first repeating row

    def add_new(self, cols: list[Sequence]) -> bool:
        """Keep a column-wise batch's keys when every one is new (none repeats another or an
        earlier row's); False, keeping none, when some is not or the key is incomplete."""
        if not self.key_at:
            return False
        ids = cols[self.single] if self.single is not None else list(zip(*(cols[i] for i in self.key_at), strict=True))
        fresh = set(ids)
        if len(fresh) != len(ids) or not self.keys.isdisjoint(fresh):
            return False
        self.keys |= fresh
        return True

    def note_areas(self, codes: Iterable) -> None:
        areas = self.session.result.areas
        if len(areas) < 2:
            areas.update(c for c in codes if c)

    def keyed(self, read: Iterable[tuple[int, Any]]) -> Chunk:
        """The rows whose key is new in this import (duplicates are problems)."""
        rownums, kept = [], []
        keys, single, key_at, area_at = self.keys, self.single, self.key_at, self.area_at
        areas = self.session.result.areas
        small = self.session.rows_small.setdefault(self.rtype.name, []) if self.rtype.small else None
        for rownum, values in read:
            if area_at is not None and len(areas) < 2 and values[area_at]:
                areas.add(values[area_at])
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
                self.duplicates.setdefault(key, rownum)
                shown = key if single is not None else ":".join(key)
                self.session.problem(self.label, rownum, ", ".join(self.rtype.key), shown, "duplicate id")
                continue
            keys.add(key)
            if small is not None:
                small.append((rownum, {p.col.name: values[i] for i, p in enumerate(self.parsers)}, self.present))
            rownums.append(rownum)
            kept.append(values)
        return Chunk(rownums, rows=kept)

    def name_first_rows(self, table: Table) -> None:
        """Name the first row of each duplicated id (a second read: only when there are duplicates)."""
        if not self.duplicates:
            return
        first: dict = {}
        rows = table.open_rows(lambda _p: None)
        next(rows, None)
        parsers = self.parsers
        for rownum, cells in rows:
            try:
                key = tuple(parsers[i].parse(cells[parsers[i].index].strip()) for i in self.key_at)
            except (ValueError, IndexError):
                continue
            if len(key) == 1:
                key = key[0]
            if key in self.duplicates and key not in first:
                first[key] = rownum
        problems = self.session.problems
        for i, p in enumerate(problems):
            if p.file == table.label and p.why == "duplicate id":
                shown = p.value or ""
                dup: tuple | str = tuple(shown.split(":")) if len(self.rtype.key) > 1 else shown
                if dup in first and first[dup] != p.row:
                    problems[i] = Problem(p.file, p.row, p.column, p.value, f"duplicate id (first on row {first[dup]})")


def check_references(session: Session, part: Part, p: Parser, targets: list[str]) -> None:
    """The ids the column of `p` names in the chunk exist in this import or the store."""
    chunk, i = part.chunk, part.index[p.col.name]
    distinct = set(chunk.columns[i])
    distinct.discard(None)
    for t in targets:
        distinct -= session.keys.get(t, set())
    if not distinct:
        return
    for t in targets:
        found, missing = session.found.setdefault(t, set()), session.missing.setdefault(t, set())
        ask = sorted(distinct - found - missing)
        table = BY_NAME[t].model.__table__
        key = table.c[BY_NAME[t].key[0]]
        for j in range(0, len(ask), _LOOKUP):
            some = ask[j : j + _LOOKUP]
            got = set(session.conn.execute(select(key).where(key.in_(some))).scalars())
            found |= got
            missing.update(v for v in some if v not in got)
    for t in targets:
        distinct -= session.found[t]
    if not distinct:
        return
    names = " or ".join(BY_NAME[t].key[0] for t in targets)
    for rownum, values in chunk:
        if values[i] in distinct:
            session.problem(
                part.label,
                rownum,
                p.source,
                values[i],
                f"no such {names} in this import or the store",
                part.cell(p.col.name, rownum),
            )


def written_keys(session: Session, rtype: RecordType) -> Iterator:
    """The keys of the rows of a table that was empty before this import."""
    table = rtype.model.__table__
    query = select(*[table.c[k] for k in rtype.key])
    if len(rtype.key) == 1:
        return iter(session.conn.execute(query).scalars())
    return (tuple(r) for r in session.conn.execute(query))
