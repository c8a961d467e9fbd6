"""Writing a chunk: new rows inserted in bulk (attributed to the batch), changed rows updated
with one audit entry per changed column, identical rows counted and left alone. A first load
of a table builds its secondary indexes after its rows, and may write each chunk under a
savepoint so that the table's primary key finds a repeated id."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from itertools import repeat
from typing import Any

from sqlalchemy import Index, Table, and_, bindparam, select, tuple_, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from monitor.db import bulk_insert, driver_cursor, drop_indexes
from monitor.importing.cells import Chunk
from monitor.importing.session import Session
from monitor.models import AuditEntry
from monitor.records import RecordType

_LOOKUP = 500  # keys asked of the store at once
_FORMS_MAX = 10000  # SQLite forms remembered per type
_AUDIT = ("batch_id", "record_type", "record_key", "column", "old_value", "new_value")  # an audit row's columns


@contextmanager
def savepoint(session: Session) -> Iterator[None]:
    """A savepoint around a chunk's writing: an insert refused by a constraint leaves none of its rows."""
    session.conn.exec_driver_sql("SAVEPOINT import_chunk")
    try:
        yield
    except IntegrityError:  # (any other failure rolls the whole import back)
        session.conn.exec_driver_sql("ROLLBACK TO SAVEPOINT import_chunk")
        session.conn.exec_driver_sql("RELEASE SAVEPOINT import_chunk")
        raise
    session.conn.exec_driver_sql("RELEASE SAVEPOINT import_chunk")


def defer_indexes(session: Session, rtype: RecordType) -> list[Index]:
    """A first load of a table: drop its secondary indexes, to be built (`create_indexes`) once
    its rows are in. SQLite's readers see the old (empty) table meanwhile; PostgreSQL's wait
    for the import to end, which only a first load does."""
    return drop_indexes(session.conn, [rtype.model.__table__]) if session.writing else []


def stored_rows(session: Session, rtype: RecordType, keys: list[tuple], columns: list[str]) -> dict[tuple, dict]:
    """The stored values of `columns` (and the key) of the records with these keys."""
    table = rtype.model.__table__
    key_cols = [table.c[k] for k in rtype.key]
    wanted = list(dict.fromkeys([*rtype.key, *columns]))
    query = select(*[table.c[c] for c in wanted])
    found: dict[tuple, dict] = {}
    keys = [k for k in keys if None not in k]
    for i in range(0, len(keys), _LOOKUP):
        part = keys[i : i + _LOOKUP]
        where = tuple_(*key_cols).in_(part) if len(key_cols) > 1 else key_cols[0].in_([k[0] for k in part])
        for row in session.conn.execute(query.where(where)).mappings():
            found[tuple(row[k] for k in rtype.key)] = dict(row)
    return found


def write_chunk(
    session: Session, rtype: RecordType, names: list[str], chunk: Chunk, stored: dict, counts: dict
) -> None:
    """Count the chunk's rows as new, updated or unchanged and, while writing, write them."""
    index = {name: i for i, name in enumerate(names)}
    table = rtype.model.__table__
    new_rows: list = []
    changed_rows: list[dict] = []
    audit: list[tuple] = []
    batch = session.batch_id
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
                "v_updated_batch": batch,
            }
        )
        record_key = ":".join(key)
        audit.extend((batch, rtype.name, record_key, c, _text(old[c]), _text(values[index[c]])) for c in diff)
    new = len(new_rows) if stored else len(chunk)  # none stored: every row is new
    counts["new"] += new
    counts["updated"] += len(changed_rows)
    if not session.writing:
        return
    if new:
        columns: list[Sequence] = list(zip(*new_rows, strict=True)) if stored else list(chunk.columns)
        if session.conn.dialect.name == "sqlite":
            # dates as ISO text and booleans as 1/0, as SQLAlchemy writes them: the driver would
            # otherwise look for an adapter for every such value
            for c in names:
                kind, i = rtype.column(c).type, index[c]
                if kind in ("date", "bool"):
                    columns[i] = stored_forms(columns[i], session.sqlite_forms[kind])
            assert batch is not None  # (writing: the import has its batch)
            insert_sqlite(session.conn, table, names, columns, batch)
        else:
            rows = list(zip(*columns, repeat(batch), repeat(batch), strict=False))
            bulk_insert(session.conn, table, [*names, "created_batch", "updated_batch"], rows)
    if changed_rows:
        assignments: dict[str, Any] = {c[2:]: bindparam(c) for c in changed_rows[0] if c.startswith("v_")}
        where = and_(*[table.c[k] == bindparam(f"k_{k}") for k in rtype.key])
        session.conn.execute(update(table).where(where).values(assignments), changed_rows)
    bulk_insert(session.conn, AuditEntry.__table__, _AUDIT, audit)


def insert_sqlite(conn: Connection, table: Table, names: list[str], columns: list[Sequence], batch: int) -> None:
    """New rows into an SQLite table, given column by column, through the driver itself: the
    batch that creates them is written into the statement (one value for every row) and the
    rows go to the driver as they are zipped. A driver error is raised as SQLAlchemy's (a
    repeated key as its IntegrityError)."""
    quote = conn.dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(map(quote, [*names, 'created_batch', 'updated_batch']))}) "
        f"VALUES ({', '.join('?' * len(names))}, {int(batch)}, {int(batch)})"
    )
    with driver_cursor(conn, sql) as cursor:
        cursor.executemany(sql, zip(*columns, strict=True))


def stored_forms(column: Sequence, forms: dict) -> list:
    """SQLite's text for each value of a date or boolean column (None stays None), converted once
    per distinct value; `forms` remembers them from chunk to chunk."""
    try:
        return list(map(forms.__getitem__, column))  # every value seen before: the common chunk
    except KeyError:
        pass
    unseen = set(column).difference(forms)
    if unseen:
        if len(forms) > _FORMS_MAX:
            forms.clear()
            forms[None] = None
        forms.update((v, v.isoformat() if isinstance(v, date) else int(v)) for v in unseen)
    return list(map(forms.__getitem__, column))


def _text(value) -> str | None:
    return None if value is None else str(value)
