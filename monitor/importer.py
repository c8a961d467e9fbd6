"""Import a folder of CSV exports into the store: validate everything, then write all or nothing.

Validation reports every problem (file, row, column, value, why). Writing happens
in one transaction: new records are inserted (attributed to the import batch),
changed records are updated with one audit entry per changed column, identical
records are left untouched.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import and_, bindparam, func, insert, select, tuple_, update
from sqlalchemy.engine import Connection, Engine

from monitor.models import AuditEntry, ImportBatch
from monitor.records import BY_FILE, BY_NAME, RECORD_TYPES, RecordType, parse_value
from monitor.store import bulk_insert

Progress = Callable[[str, int, int], None]
_CHUNK = 500


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    value: str | None
    why: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" row {self.row}"
        if self.column is not None:
            where += f", column {self.column}"
        if self.value is not None:
            where += f", value {self.value!r}"
        return f"{where}: {self.why}"


@dataclass
class ImportResult:
    batch_id: int | None = None
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Parsed:
    """One file's rows: typed values of the columns its header holds (None where invalid).

    Rows with problems are kept so that every problem of the folder is found;
    nothing is written when there is any."""

    rtype: RecordType
    columns: list[str]
    rows: list[tuple[int, dict]]


def import_folder(
    engine: Engine,
    folder: Path,
    duty_ids: Iterable[str],
    progress: Progress | None = None,
) -> ImportResult:
    """Validate `folder` and, if it is entirely valid, write it to the store."""
    result = ImportResult()
    parsed = _read_folder(Path(folder), result.problems, progress)
    with engine.connect() as conn:
        _check_references(conn, parsed, set(duty_ids), result.problems)
    result.problems.sort(key=lambda p: (p.file, p.row or 0))
    if result.problems:
        return result
    with engine.begin() as conn:
        started = datetime.now(timezone.utc)
        batch_id = conn.execute(
            insert(ImportBatch.__table__).values(source=str(folder), started_at=started, counts={})
        ).inserted_primary_key[0]
        for name in (rt.name for rt in RECORD_TYPES):
            if name in parsed:
                result.counts[name] = _write(conn, parsed[name], batch_id, progress)
        conn.execute(
            update(ImportBatch.__table__)
            .where(ImportBatch.__table__.c.id == batch_id)
            .values(finished_at=datetime.now(timezone.utc), counts=result.counts)
        )
    result.batch_id = batch_id
    return result


def _read_folder(folder: Path, problems: list[Problem], progress: Progress | None) -> dict[str, _Parsed]:
    if not folder.is_dir():
        problems.append(Problem(str(folder), None, None, None, "not a folder"))
        return {}
    parsed: dict[str, _Parsed] = {}
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.suffix.lower() != ".csv":
            continue
        rtype = BY_FILE.get(path.name)
        if rtype is None:
            known = ", ".join(BY_FILE)
            problems.append(Problem(path.name, None, None, None, f"unknown file: expected one of {known}"))
            continue
        parsed[rtype.name] = _read_file(path, rtype, problems, progress)
    return parsed


def _read_file(path: Path, rtype: RecordType, problems: list[Problem], progress: Progress | None) -> _Parsed:
    fname = path.name
    out = _Parsed(rtype, [], [])
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data[:exc.start].count(b"\n") + 1
        problems.append(Problem(fname, row, None, None, f"not UTF-8 text (byte {exc.start}): save the file as UTF-8"))
        return out
    total = max(text.count("\n") - 1, 0)
    reader = csv.reader(io.StringIO(text, newline=""))
    del data, text
    first = next(reader, None)
    if first is None:
        problems.append(Problem(fname, 1, None, None, "empty file: a header row is required"))
        return out
    header = [h.strip().lower() for h in first]
    known = {c.name for c in rtype.columns}
    seen: set[str] = set()
    unnamed = [i for i, name in enumerate(header) if not name]  # e.g. a trailing comma: fine while empty
    for name in header:
        if not name:
            continue
        if name not in known:
            problems.append(Problem(fname, 1, name, None, "unknown column"))
        elif name in seen:
            problems.append(Problem(fname, 1, name, None, "duplicate column"))
        seen.add(name)
    for col in rtype.columns:
        if col.required and col.name not in seen:
            problems.append(Problem(fname, 1, col.name, None, "required column is missing"))
    out.columns = [h for h in dict.fromkeys(header) if h in known]
    cols = [(i, rtype.column(h)) for i, h in enumerate(header) if h in known]
    first_row_of: dict[tuple, int] = {}
    for index, cells in enumerate(reader):
        rownum = index + 2
        if progress and index % 10000 == 0:
            progress(fname, index, total)
        if not cells or all(not c.strip() for c in cells):
            continue
        stray = [c for c in cells[len(header):] if c.strip()]
        stray += [cells[i] for i in unnamed if i < len(cells) and cells[i].strip()]
        if stray:
            problems.append(Problem(fname, rownum, None, stray[0].strip(), "value in a column with no header"))
            continue
        values: dict = {}
        for i, col in cols:
            raw = cells[i].strip() if i < len(cells) else ""
            if not raw:
                if col.required:
                    problems.append(Problem(fname, rownum, col.name, raw, "required value is blank"))
                values[col.name] = None
                continue
            try:
                values[col.name] = parse_value(col, raw)
            except ValueError as exc:
                problems.append(Problem(fname, rownum, col.name, raw, str(exc)))
                values[col.name] = None
        key = tuple(values.get(k) for k in rtype.key)
        if None not in key:
            if key in first_row_of:
                problems.append(Problem(fname, rownum, ", ".join(rtype.key), ":".join(key),
                                        f"duplicate id (first on row {first_row_of[key]})"))
                continue
            first_row_of[key] = rownum
        out.rows.append((rownum, values))
    if progress:
        progress(fname, total, total)
    return out


def _stored(conn: Connection, rtype: RecordType, keys: list[tuple], columns: Iterable[str]) -> dict[tuple, dict]:
    """The stored records among `keys`, as {key: {column: value}}."""
    table = rtype.model.__table__
    key_cols = [table.c[k] for k in rtype.key]
    wanted = list(dict.fromkeys([*rtype.key, *columns]))
    found: dict[tuple, dict] = {}
    stored_count = conn.execute(select(func.count()).select_from(table)).scalar_one()
    if not stored_count:
        return found
    query = select(*[table.c[c] for c in wanted])
    if len(keys) * 4 >= stored_count:  # most of the table: one scan beats many look-ups
        batches = [None]
    else:
        batches = [keys[i:i + _CHUNK] for i in range(0, len(keys), _CHUNK)]
    for chunk in batches:
        q = query
        if chunk is not None:
            q = q.where(tuple_(*key_cols).in_(chunk) if len(key_cols) > 1 else key_cols[0].in_([k[0] for k in chunk]))
        for row in conn.execute(q).mappings():
            found[tuple(row[k] for k in rtype.key)] = dict(row)
    return found


def _check_references(conn: Connection, parsed: dict[str, _Parsed], duty_ids: set[str], problems: list[Problem]) -> None:
    """References must exist in this import or in the store; cross-column rules."""
    imported_keys = {name: {tuple(v.get(k) for k in p.rtype.key) for _, v in p.rows}
                     for name, p in parsed.items()}
    stored_cache: dict[str, set] = {}

    def exists(target: str, value: str) -> bool:
        if (value,) in imported_keys.get(target, ()):
            return True
        cache = stored_cache.setdefault(target, set())
        return value in cache

    # Look up, per target type, every referenced id not in this import, in chunks.
    wanted: dict[str, set[str]] = {}
    for p in parsed.values():
        for col in p.rtype.columns:
            for target in col.refers_to:
                for _, values in p.rows:
                    v = values.get(col.name)
                    if v is not None and (v,) not in imported_keys.get(target, ()):
                        wanted.setdefault(target, set()).add(v)
    for target, ids in wanted.items():
        table = BY_NAME[target].model.__table__
        key = table.c[BY_NAME[target].key[0]]
        ids_list = sorted(ids)
        for i in range(0, len(ids_list), _CHUNK):
            found = conn.execute(select(key).where(key.in_(ids_list[i:i + _CHUNK]))).scalars()
            stored_cache.setdefault(target, set()).update(found)

    for p in parsed.values():
        fname = p.rtype.file
        for col in p.rtype.columns:
            if not col.refers_to or col.name not in p.columns:
                continue
            targets = " or ".join(BY_NAME[t].key[0] for t in col.refers_to)
            for rownum, values in p.rows:
                v = values.get(col.name)
                if v is not None and not any(exists(t, v) for t in col.refers_to):
                    problems.append(Problem(fname, rownum, col.name, v,
                                            f"no such {targets} in this import or the store"))

    if "exceptions" in parsed:
        for rownum, values in parsed["exceptions"].rows:
            if values.get("duty") is not None and values["duty"] not in duty_ids:
                problems.append(Problem("exceptions.csv", rownum, "duty", values["duty"],
                                        "unknown duty id: expected one of " + ", ".join(sorted(duty_ids))))
    if "appeals" in parsed:
        _check_closed_on(conn, parsed["appeals"], problems)
    if "recommendations" in parsed:
        _check_kinds(conn, parsed, problems)


def _check_closed_on(conn: Connection, p: _Parsed, problems: list[Problem]) -> None:
    """`closed_on` is required when status is not `open`, and an error when it is."""
    stored = {}
    if "closed_on" not in p.columns:
        keys = [(v["appeal_id"],) for _, v in p.rows if v.get("appeal_id") is not None]
        stored = _stored(conn, p.rtype, keys, ["closed_on"])
    for rownum, values in p.rows:
        if values.get("status") is None:
            continue
        if "closed_on" in p.columns:
            closed = values.get("closed_on")
        else:
            closed = stored.get((values["appeal_id"],), {}).get("closed_on")
        shown = closed.isoformat() if closed else ""
        if values["status"] == "open" and closed is not None:
            problems.append(Problem("appeals.csv", rownum, "closed_on", shown,
                                    "must be blank when status is open"))
        elif values["status"] != "open" and closed is None:
            problems.append(Problem("appeals.csv", rownum, "closed_on", "",
                                    f"required when status is {values['status']}"))


def _check_kinds(conn: Connection, parsed: dict[str, _Parsed], problems: list[Problem]) -> None:
    """A recommendation's kind must equal the kind of its commissioner."""
    kinds = {}
    if "commissioners" in parsed:
        kinds = {v["commissioner_code"]: v["kind"] for _, v in parsed["commissioners"].rows
                 if v.get("kind") is not None}
    recs = [(n, v) for n, v in parsed["recommendations"].rows
            if v.get("commissioner_code") is not None and v.get("kind") is not None]
    missing = sorted({v["commissioner_code"] for _, v in recs} - kinds.keys())
    table = BY_NAME["commissioners"].model.__table__
    for i in range(0, len(missing), _CHUNK):
        rows = conn.execute(select(table.c.commissioner_code, table.c.kind)
                            .where(table.c.commissioner_code.in_(missing[i:i + _CHUNK])))
        kinds.update(dict(rows.all()))
    for rownum, values in recs:
        expected = kinds.get(values["commissioner_code"])
        if expected is not None and values["kind"] != expected:
            problems.append(Problem("recommendations.csv", rownum, "kind", values["kind"],
                                    f"commissioner {values['commissioner_code']} is {expected}"))


def _text(value) -> str | None:
    return None if value is None else str(value)


def _write(conn: Connection, p: _Parsed, batch_id: int, progress: Progress | None) -> dict[str, int]:
    rtype = p.rtype
    table = rtype.model.__table__
    keys = [tuple(v[k] for k in rtype.key) for _, v in p.rows]
    stored = _stored(conn, rtype, keys, p.columns)
    new_rows, changed_rows, audit = [], [], []
    unchanged = 0
    for key, (_, values) in zip(keys, p.rows):
        old = stored.get(key)
        if old is None:
            new_rows.append({**values, "created_batch": batch_id, "updated_batch": batch_id})
            continue
        diff = [c for c in p.columns if values[c] != old[c]]
        if not diff:
            unchanged += 1
            continue
        changed_rows.append({**{f"k_{k}": v for k, v in zip(rtype.key, key)},
                             **{f"v_{c}": values[c] for c in p.columns if c not in rtype.key},
                             "v_updated_batch": batch_id})
        record_key = ":".join(key)
        audit.extend({"batch_id": batch_id, "record_type": rtype.name, "record_key": record_key,
                      "column": c, "old_value": _text(old[c]), "new_value": _text(values[c])}
                     for c in diff)
    for i in range(0, len(new_rows), 20000):
        bulk_insert(conn, table, new_rows[i:i + 20000])
        if progress:
            progress(f"writing {rtype.file}", min(i + 20000, len(new_rows)), len(new_rows))
    if changed_rows:
        assignments = {c[2:]: bindparam(c) for c in changed_rows[0] if c.startswith("v_")}
        where = and_(*[table.c[k] == bindparam(f"k_{k}") for k in rtype.key])
        conn.execute(update(table).where(where).values(assignments), changed_rows)
    bulk_insert(conn, AuditEntry.__table__, audit)
    return {"new": len(new_rows), "updated": len(changed_rows), "unchanged": unchanged}

