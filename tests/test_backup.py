"""Backups whole or saying why, restores of a checked copy only: from the command line, in
folders with awkward names, beside a writer, on a full disk, from a damaged copy; and a
restore drill (backup, destroy, restore, the same findings) on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import resource
import signal
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from benchmarks.pgserver import pg_bin
from monitor.db import connect
from tests.conftest import REPO, SAMPLE, cli

AS_OF = "2020-06-30"


def _store(folder: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'store.db'}"
    assert cli("import", SAMPLE, db=url).exit_code == 0
    assert cli("check", "--as-of", AS_OF, db=url).exit_code == 0
    return url


def _rows(path: Path) -> dict[str, list]:
    """Every table's rows, in a stable order."""
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        tables = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"'))) for t in tables}
    finally:
        conn.close()


def _findings(url: str) -> list[dict]:
    result = cli("findings", "--as-of", AS_OF, "--format", "json", db=url)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["findings"]


def _one_error(result) -> str:
    assert result.exit_code == 1, result.output
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
    return result.stderr


@pytest.mark.parametrize("name", ["send#1", "two words", "café élève", "100% sure"])
def test_a_backup_in_an_awkwardly_named_folder_is_whole_private_and_alone(tmp_path, name):
    folder = tmp_path / name
    url = _store(folder)
    before = sorted(os.listdir(tmp_path)), sorted(os.listdir(folder))
    target = folder / f"copy {name}.db"
    result = cli("backup", target, db=url)
    assert result.exit_code == 0, result.output
    assert f"backed up the store to {target} (" in result.stdout and "rows, checked)" in result.stdout
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert _rows(target) == _rows(folder / "store.db")  # table by table, row by row
    assert sorted(os.listdir(tmp_path)) == before[0]  # no stray file beside the folder
    beside = {n for n in os.listdir(folder) if not n.startswith("store.db-")}  # the store's own -wal, -shm
    assert beside == {*before[1], target.name} - {"store.db-wal", "store.db-shm"}


def test_a_backup_never_overwrites_and_a_missing_store_is_named(tmp_path):
    url = _store(tmp_path / "s")
    target = tmp_path / "copy.db"
    target.write_text("keep me", encoding="utf-8")
    assert f"{target} exists: back up to a new file" in _one_error(cli("backup", target, db=url))
    assert target.read_text(encoding="utf-8") == "keep me"
    missing = f"sqlite:///{tmp_path / 'nowhere' / 'store.db'}"
    assert "there is no SQLite store at" in _one_error(cli("backup", tmp_path / "c2.db", db=missing))


def test_a_backup_beside_a_writer_holds_what_was_committed(tmp_path):
    url = _store(tmp_path / "s")
    store = tmp_path / "s" / "store.db"
    committed = _rows(store)
    writer = sqlite3.connect(store)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM findings")  # not committed while the backup runs
    try:
        assert cli("backup", tmp_path / "copy.db", db=url).exit_code == 0
    finally:
        writer.rollback()
        writer.close()
    assert _rows(tmp_path / "copy.db") == committed


def _limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))


def test_a_backup_that_cannot_be_written_whole_says_why_and_leaves_nothing(tmp_path):
    url = _store(tmp_path / "s")
    target = tmp_path / "out" / "copy.db"
    target.parent.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "monitor", "--db", url, "backup", str(target)],
        capture_output=True,
        text=True,
        cwd=REPO,
        preexec_fn=_limit_file_size,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(f"error: cannot back up the store to {target}: ")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert os.listdir(target.parent) == []


def test_restore_refuses_a_damaged_copy_or_a_foreign_file_and_keeps_the_store(tmp_path):
    url = _store(tmp_path / "s")
    store = tmp_path / "s" / "store.db"
    assert cli("backup", tmp_path / "copy.db", db=url).exit_code == 0
    damaged = tmp_path / "damaged.db"
    data = bytearray((tmp_path / "copy.db").read_bytes())
    data[len(data) // 2 : len(data) // 2 + 4096] = b"\xff" * 4096
    damaged.write_bytes(bytes(data))
    foreign = tmp_path / "foreign.db"
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)").connection.close()
    kept = _rows(store)
    refused = _one_error(cli("restore", damaged, db=url))
    assert f"{damaged} is not a whole SQLite store (database disk image is malformed)" in refused
    assert "is not a send-monitor store" in _one_error(cli("restore", foreign, db=url))
    assert "there is no backup at" in _one_error(cli("restore", tmp_path / "none.db", db=url))
    assert _rows(store) == kept
    assert sorted(p.name for p in store.parent.iterdir() if "before-restore" in p.name) == []


def test_restore_drill_on_sqlite(tmp_path):
    url = _store(tmp_path / "send#1 café")
    store = tmp_path / "send#1 café" / "store.db"
    findings = _findings(url)
    assert findings
    assert cli("backup", tmp_path / "copy.db", db=url).exit_code == 0
    with sqlite3.connect(store) as conn:  # destroy: the findings and the records gone
        conn.execute("DELETE FROM findings")
        conn.execute("DELETE FROM appeals")
    assert _findings(url) != findings
    result = cli("restore", tmp_path / "copy.db", db=url)
    assert result.exit_code == 0, result.output
    assert f"restored the store from {tmp_path / 'copy.db'} (" in result.stdout
    assert "the store it replaced is kept at" in result.stdout
    assert _findings(url) == findings
    assert cli("check", "--as-of", AS_OF, db=url).exit_code == 0 and _findings(url) == findings
    (kept,) = [p for p in store.parent.iterdir() if ".before-restore-" in p.name]
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600 and "appeals" in _rows(kept)


def test_restore_drill_on_postgresql_with_its_own_tools(pg_url, tmp_path):
    """PostgreSQL as docs/operations.md says: pg_dump --format=custom, then pg_restore --clean
    --if-exists --no-owner; `backup` and `restore` refuse it in one line naming those tools."""
    assert cli("import", SAMPLE, db=pg_url).exit_code == 0
    assert cli("check", "--as-of", AS_OF, db=pg_url).exit_code == 0
    findings = _findings(pg_url)
    assert "pg_dump --format=custom" in _one_error(cli("backup", tmp_path / "x.db", db=pg_url))
    assert "pg_restore" in _one_error(cli("restore", tmp_path / "x.db", db=pg_url))
    dump = tmp_path / "store.dump"
    tools = pg_bin()
    subprocess.run([tools / "pg_dump", "--format=custom", f"--file={dump}", pg_url], check=True)
    engine = connect(pg_url)
    with engine.begin() as conn:  # destroy
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    assert cli("findings", "--as-of", AS_OF, db=pg_url).exit_code != 0 or _findings(pg_url) != findings
    subprocess.run(
        [tools / "pg_restore", "--clean", "--if-exists", "--no-owner", f"--dbname={pg_url}", dump], check=True
    )
    assert _findings(pg_url) == findings


def test_restore_waits_for_a_writer_then_refuses_naming_it(tmp_path):
    from tests.test_locks import Holder

    url = _store(tmp_path / "s")
    store = tmp_path / "s" / "store.db"
    assert cli("backup", tmp_path / "copy.db", db=url).exit_code == 0
    config = tmp_path / "send-monitor.toml"
    config.write_text(f'database_url = "{url}"\nlock_timeout_seconds = 0.3\n', encoding="utf-8")
    kept = _rows(store)
    holder = Holder(url, "import")
    try:
        result = cli("restore", tmp_path / "copy.db", config=config)
    finally:
        holder.close()
    waited, refused = result.stderr.strip().splitlines()
    assert result.exit_code == 1 and waited.startswith(f"waiting for the store lock held by `import` pid {holder.pid}")
    assert refused.startswith("error: ") and f"`import` pid {holder.pid}" in refused
    assert _rows(store) == kept and not [p for p in store.parent.iterdir() if "before-restore" in p.name]


def test_a_backup_copies_the_access_log_beside_it_and_a_restore_leaves_it_alone(tmp_path):
    url = _store(tmp_path / "live")
    log = tmp_path / "live" / "store.web.db"
    conn = sqlite3.connect(log)
    conn.execute("CREATE TABLE access_log (id INTEGER PRIMARY KEY, path TEXT)")
    conn.executemany("INSERT INTO access_log (path) VALUES (?)", [("/areas/850/",), ("/cases/x.html",)])
    conn.commit()
    conn.close()
    copy = tmp_path / "copies" / "monday.db"
    copy.parent.mkdir()
    result = cli("backup", copy, db=url)
    assert result.exit_code == 0, result.output
    assert "access log" in result.output
    copied = copy.with_name("monday.web.db")
    assert _rows(copied) == _rows(log)
    assert stat.S_IMODE(copied.stat().st_mode) == 0o600
    conn = sqlite3.connect(log)
    conn.execute("INSERT INTO access_log (path) VALUES ('/after/')")
    conn.commit()
    conn.close()
    assert cli("restore", copy, db=url).exit_code == 0
    assert len(_rows(log)["access_log"]) == 3  # who looked stays recorded
