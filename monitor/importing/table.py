"""One file or sheet through the stages: header, cells (column-wise while every row of a batch
is plainly good, else row by row), keys, references, the record type's checks, writing."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from monitor.db import create_indexes
from monitor.importing.cells import Chunk, RowReader, batches, typed_columns
from monitor.importing.checks import STORED, Part, run_checks
from monitor.importing.headers import read_header
from monitor.importing.keys import REFERRED_TO, FileKeys, check_references, written_keys
from monitor.importing.readers.base import Table
from monitor.importing.session import Session
from monitor.importing.writing import defer_indexes, savepoint, stored_rows, write_chunk


def read_table(session: Session, table: Table) -> None:
    """Check one file and, while the import has no problem, write it."""
    rtype, label = table.rtype, table.label
    session.labels[rtype.name] = label
    if table.note:
        session.result.notes.append(f"{label}: {table.note}")
    rows = table.open_rows(session.problems.append)
    header = read_header(session, table, rows)
    if header is None:
        session.unreadable.add(rtype.name)
        return
    parsers, width, unnamed = header.parsers, header.width, header.unnamed
    counts = {"new": 0, "updated": 0, "unchanged": 0}
    keys = FileKeys(session, rtype, label, parsers)
    if rtype.small:
        session.load_small(rtype.name)
    empty = not session.conn.execute(select(func.count()).select_from(rtype.model.__table__)).scalar_one()
    deferred = defer_indexes(session, rtype) if empty else []
    dated = table.sheet is not None
    row_reader = RowReader(parsers, width, unnamed, lambda *p: session.problem(label, *p), table.sheet)
    by_column = not unnamed and not rtype.small

    # A first load of a table no other record refers to: its primary key finds an id that
    # repeats an earlier row's, and the keys (a set of up to millions of ids) stay empty until
    # then or until the writing stops; from there on they hold every id read, as for any table.
    trusting = empty and session.writing and bool(keys.key_at) and rtype.name not in REFERRED_TO

    def distrust() -> None:
        nonlocal trusting
        trusting = False
        keys.keys.update(written_keys(session, rtype))

    for rownums, cells in batches(rows):
        if session.progress:
            session.progress(label, rownums[0], None)
        if trusting and not session.writing:
            distrust()
        cols = typed_columns(cells, parsers, width, dated) if by_column else None
        if cols is None:  # some row needs reading on its own, where each problem is named
            chunk = keys.keyed(
                (n, v) for n, row in zip(rownums, cells, strict=True) if (v := row_reader(n, row)) is not None
            )
        elif trusting or keys.add_new(cols):  # the common batch: every id new (trusting: the key finds a repeat)
            if keys.area_at is not None:
                keys.note_areas(cols[keys.area_at])
            chunk = Chunk(rownums, columns=cols)
        else:
            chunk = keys.keyed(Chunk(rownums, columns=cols))
        if chunk and trusting:
            try:
                with savepoint(session):
                    _chunk(session, Part(rtype, label, parsers, chunk, sheet=table.sheet), empty, counts)
                continue
            except IntegrityError:  # an id of this chunk repeats an earlier row's: name it
                keys.keys.clear()  # (this chunk's own, if it was read row by row)
                distrust()
                chunk = keys.keyed(chunk)
        if chunk:
            _chunk(session, Part(rtype, label, parsers, chunk, sheet=table.sheet), empty, counts)
    create_indexes(session.conn, deferred)
    keys.name_first_rows(table)
    run_checks("file", rtype.name, session, Part(rtype, label, parsers))
    session.result.counts[rtype.name] = counts
    if session.progress:
        session.progress(label, 1, 1)


def _chunk(session: Session, part: Part, empty: bool, counts: dict) -> None:
    """A chunk of rows: references, the record type's checks, then writing."""
    rtype = part.rtype
    for p in part.parsers:
        targets = [t for t in p.col.refers_to if t != rtype.name]
        if not targets or any(t in session.unreadable for t in targets):
            continue
        check_references(session, part, p, targets)
    names = [p.col.name for p in part.parsers]
    needed = STORED.get(rtype.name, ())
    if not empty and (session.writing or session.result.dry_run or needed):
        keys = list(zip(*(part.chunk.columns[part.index[k]] for k in rtype.key), strict=True))
        part.stored = stored_rows(session, rtype, keys, [*names, *needed])
    run_checks("chunk", rtype.name, session, part)
    if session.problems:
        return
    write_chunk(session, rtype, names, part.chunk, part.stored, counts)
