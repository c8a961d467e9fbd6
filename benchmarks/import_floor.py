"""The plain-Python floor of an import: what reading the same files costs with nothing else.

    python -m benchmarks.import_floor RECORDS_FOLDER STORE.db

For each CSV file of the folder: csv reading, conversion of its date columns, and
`executemany` into an empty SQLite table of the same columns — no validation, no
references, no store layer. `benchmarks.run` runs it as its own process beside the
import and prints the import's time as a ratio of this one.
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


def load(folder: Path, db: Path) -> int:
    conn = sqlite3.connect(db)
    rows_done = 0
    for path in sorted(folder.glob("*.csv")):
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            dates = [i for i, name in enumerate(header) if name.endswith(("_on", "_date", "_from"))]
            table = path.stem
            conn.execute(f"CREATE TABLE {table} ({', '.join(header)})")
            sql = f"INSERT INTO {table} VALUES ({', '.join('?' * len(header))})"
            batch = []
            for row in reader:
                for i in dates:
                    row[i] = _date(row[i])
                batch.append(row)
                if len(batch) == 5000:
                    conn.executemany(sql, batch)
                    rows_done += len(batch)
                    batch = []
            conn.executemany(sql, batch)
            rows_done += len(batch)
    conn.commit()
    conn.close()
    return rows_done


if __name__ == "__main__":
    print(load(Path(sys.argv[1]), Path(sys.argv[2])))
