"""The first import into an SQLite store: a kill leaves the store as it was and in WAL mode
afterwards, and a store another connection has open keeps its write-ahead log."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from conftest import cli, write_records

from importing.import_data import AREAS, COMMISSIONERS, count, many_decisions

# the import kills itself (SIGKILL, as kill -9) once its second chunk of decisions is written
KILL_AFTER_TWO_CHUNKS = (
    "import os, signal, sys; import monitor.importing.table as t; _chunk = t._chunk; calls = []; "
    "t._chunk = lambda session, part, *a: (_chunk(session, part, *a), "
    "part.rtype.name == 'decisions' and calls.append(1), len(calls) == 2 and os.kill(os.getpid(), signal.SIGKILL)); "
    "from monitor.cli import app; sys.argv[0] = 'send-monitor'; app()"
)


def _journal_mode(store: Path) -> str:
    conn = sqlite3.connect(store)
    try:
        return conn.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        conn.close()


def test_a_killed_first_import_leaves_nothing_and_the_next_one_loads_all(tmp_path):
    store = tmp_path / "store.db"
    url = f"sqlite:///{store}"
    folder = write_records(tmp_path / "r", areas=AREAS, commissioners=COMMISSIONERS, decisions=many_decisions(12_000))
    proc = subprocess.run(
        [sys.executable, "-c", KILL_AFTER_TWO_CHUNKS, "--db", url, "import", str(folder)],
        capture_output=True,
        timeout=300,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]
    assert (tmp_path / "store.db-journal").exists()  # it was writing through a rollback journal
    assert count(url, "decisions") == count(url, "areas") == count(url, "import_batches") == 0
    result = cli("import", folder, db=url)
    assert result.exit_code == 0, result.output
    assert count(url, "decisions") == 12_000 and count(url, "import_batches") == 1
    assert _journal_mode(store) == "wal"


def test_a_first_import_beside_an_open_reader_keeps_the_log(tmp_path):
    store = tmp_path / "store.db"
    url = f"sqlite:///{store}"
    assert cli("upgrade", db=url).exit_code == 0  # a new, empty store
    reader = sqlite3.connect(store)
    try:
        assert reader.execute("SELECT count(*) FROM decisions").fetchone() == (0,)
        folder = write_records(tmp_path / "r", areas=AREAS, commissioners=COMMISSIONERS, decisions=many_decisions(10))
        result = cli("import", folder, db=url)
        assert result.exit_code == 0, result.output
        assert reader.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert reader.execute("SELECT count(*) FROM decisions").fetchone() == (10,)
    finally:
        reader.close()
