"""The plain-Python floor of an import: what reading the same files costs with nothing else.

    python -m benchmarks.import_floor RECORDS_FOLDER STORE

For each CSV file of the folder: csv reading, conversion of its date columns, and the
store's plainest bulk write into an empty table of the same columns — no validation, no
references, no store layer. STORE is a SQLite file or `sqlite:///` URL (`executemany`) or a `postgresql://` URL
(`COPY`, as the import itself writes to PostgreSQL). `benchmarks.run` runs it as its own
process beside the import, on the same backend, and prints the import's time as a ratio of
this one.
"""

from __future__ import annotations

import csv
import re
import sqlite3
import sys
from datetime import date
from pathlib import Path

_UK = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")


def _date(text: str) -> str | None:
    if not text:
        return None
    if m := _UK.fullmatch(text):
        return date(int(m[3]), int(m[2]), int(m[1])).isoformat()
    return date.fromisoformat(text).isoformat()


def load(folder: Path, store: str) -> int:
    """Read every CSV file of `folder` into `store`; the number of rows written."""
    postgres = store.startswith("postgresql://")
    if postgres:
        import psycopg

        conn = psycopg.connect(store)
    else:
        conn = sqlite3.connect(store.removeprefix("sqlite:///"))
    done = 0
    for path in sorted(folder.glob("*.csv")):
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            dates = [i for i, name in enumerate(header) if name.endswith(("_on", "_date", "_from"))]
            done += (_copy if postgres else _executemany)(conn, path.stem, header, reader, dates)
    conn.commit()
    conn.close()
    return done


def _executemany(conn, table: str, header: list[str], reader, dates: list[int]) -> int:
    conn.execute(f"CREATE TABLE {table} ({', '.join(header)})")
    sql = f"INSERT INTO {table} VALUES ({', '.join('?' * len(header))})"
    done, batch = 0, []
    for row in reader:
        for i in dates:
            row[i] = _date(row[i])
        batch.append(row)
        if len(batch) == 5000:
            conn.executemany(sql, batch)
            done += len(batch)
            batch = []
    conn.executemany(sql, batch)
    return done + len(batch)


def _copy(conn, table: str, header: list[str], reader, dates: list[int]) -> int:
    conn.execute(f"CREATE TABLE {table} ({', '.join(f'{c} text' for c in header)})")
    done = 0
    with conn.cursor().copy(f"COPY {table} ({', '.join(header)}) FROM STDIN") as copy:
        for row in reader:
            for i in dates:
                row[i] = _date(row[i])
            copy.write_row(row)
            done += 1
    return done


if __name__ == "__main__":
    print(load(Path(sys.argv[1]), sys.argv[2]))
