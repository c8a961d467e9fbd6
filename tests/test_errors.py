"""Failures of the store and the disk: one line on stderr naming the store (password hidden),
what failed and what to do; exit 1; no traceback and no record values; `--debug` shows the
traceback instead."""

from __future__ import annotations

import csv
import logging
import os
import shutil
import subprocess
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from conftest import SAMPLE, cli, findings_of
from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from test_alerts import write_config

from benchmarks.pgserver import free_port
from monitor.config import load_config
from monitor.db import shown_url
from monitor.models import RunRecord
from monitor.scheduler import Runtime, run_cycle
from monitor.store import open_store

AS_OF = "2020-06-30"


def record_values() -> set[str]:
    """Case references and ids of the demo records: none may appear in an error or a log line."""
    values = set()
    for name, column in (("appeals", "case_ref"), ("appeals", "appeal_id"), ("recommendations", "recommendation_id")):
        with open(SAMPLE / f"{name}.csv", newline="", encoding="utf-8") as fh:
            values |= {row[column] for row in csv.DictReader(fh)}
    return values


VALUES = record_values()


def one_line_error(result, *expected: str) -> str:
    """The error of a failed command: exit 1, one line on stderr, no traceback, no record values."""
    assert result.exit_code == 1, (result.stdout, result.stderr)
    message = result.stderr.strip()
    assert message.startswith("error: ") and "\n" not in message, message
    assert "Traceback" not in result.output and "[SQL" not in message and "INSERT" not in message
    leaked = [v for v in VALUES if v in result.output]
    assert not leaked, leaked
    for text in expected:
        assert text in message, message
    return message


@contextmanager
def tmpfs(path: Path, size: str):
    """A small tmpfs at `path` (skips the test where mounting is not allowed)."""
    path.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN)")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)


def remount(path: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(path)], check=True)


@contextmanager
def sqlite_limited_to(pages: int):
    """Every new SQLite connection may grow its database to `pages` pages only: SQLite's own
    "database or disk is full" (SQLITE_FULL), as on a full disk."""

    def limit(dbapi_connection, _record):
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(Engine, "connect", limit)
    try:
        yield
    finally:
        event.remove(Engine, "connect", limit)


# --- unreachable server -----------------------------------------------------------------------


def test_an_unreachable_server_is_named_with_its_password_hidden():
    port = free_port()  # nothing listens there
    url = f"postgresql://monitor:p@ss@127.0.0.1:{port}/send"
    for command in (("check", "--as-of", AS_OF), ("import", str(SAMPLE)), ("status",)):
        message = one_line_error(
            cli(*command, db=url),
            f"monitor:***@127.0.0.1:{port}/send",
            "connection refused",
            "check that the server is running",
        )
        assert "p@ss" not in message and "ss@" not in message


def test_a_password_with_at_is_hidden_everywhere():
    for url, shown in (
        ("postgresql://u:p@ss@db.example/x", "postgresql://u:***@db.example/x"),
        ("postgresql://u:a@b@c@db.example:5433/x", "postgresql://u:***@db.example:5433/x"),
        ("postgresql://u:p%40ss@db.example/x", "postgresql://u:***@db.example/x"),
        ("sqlite:////srv/a@b/store.db", "sqlite:////srv/a@b/store.db"),
    ):
        assert shown_url(url) == shown


# --- disk full ------------------------------------------------------------------------------


def test_disk_full_stops_the_import_with_one_line_and_loses_nothing(sqlite_url, tmp_path):
    engine = open_store(sqlite_url)
    with engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
    engine.dispose()
    with sqlite_limited_to(pages + 2):
        one_line_error(cli("import", SAMPLE, db=sqlite_url), sqlite_url, "is full", "free some space")
    # space again: the import goes through and the findings equal those of a store never full
    assert cli("import", SAMPLE, db=sqlite_url).exit_code == 0
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert cli("import", SAMPLE, db=fresh).exit_code == 0
    assert findings_of(sqlite_url, AS_OF) == findings_of(fresh, AS_OF)


def test_disk_full_during_the_check(sqlite_url):
    assert cli("import", SAMPLE, db=sqlite_url).exit_code == 0
    engine = open_store(sqlite_url)
    with engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
    engine.dispose()
    with sqlite_limited_to(pages + 1):
        one_line_error(cli("check", "--as-of", AS_OF, db=sqlite_url), sqlite_url, "is full")
    full = findings_of(sqlite_url, AS_OF)
    assert cli("check", "--as-of", AS_OF, "--full", db=sqlite_url).exit_code == 0
    assert findings_of(sqlite_url, AS_OF) == full


def test_a_real_full_disk(tmp_path):
    """The store on a tmpfs just big enough for its empty schema."""
    seed = tmp_path / "seed.db"
    open_store(f"sqlite:///{seed}").dispose()
    with tmpfs(tmp_path / "small", f"{seed.stat().st_size + 96 * 1024}") as disk:
        shutil.copy(seed, disk / "store.db")
        url = f"sqlite:///{disk / 'store.db'}"
        one_line_error(cli("import", SAMPLE, db=url), url, "is full", "free some space")
        remount(disk, "size=32m")
        assert cli("import", SAMPLE, db=url).exit_code == 0
        fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
        assert cli("import", SAMPLE, db=fresh).exit_code == 0
        assert findings_of(url, AS_OF) == findings_of(fresh, AS_OF)


def test_a_full_disk_under_the_site(sqlite_url, tmp_path):
    assert cli("import", SAMPLE, db=sqlite_url).exit_code == 0
    assert cli("check", "--as-of", AS_OF, db=sqlite_url).exit_code == 0
    with tmpfs(tmp_path / "small", "64k") as disk:
        one_line_error(cli("publish", disk / "site", db=sqlite_url), "publish:", "the disk is full")


# --- read-only store --------------------------------------------------------------------------


def test_a_read_only_store(sqlite_url, tmp_path):
    assert cli("import", SAMPLE, db=sqlite_url).exit_code == 0
    path = sqlite_url.removeprefix("sqlite:///")
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"
    for command in (("import", str(SAMPLE)), ("check", "--as-of", AS_OF)):
        one_line_error(cli(*command, db=read_only), read_only, "is read-only", "make the database file")


def test_a_store_on_a_read_only_file_system(tmp_path):
    with tmpfs(tmp_path / "disk", "8m") as disk:
        url = f"sqlite:///{disk / 'store.db'}"
        assert cli("import", SAMPLE, db=url).exit_code == 0
        remount(disk, "ro")
        for command in (("import", str(SAMPLE)), ("check", "--as-of", AS_OF)):
            one_line_error(cli(*command, db=url), url, "is read-only", "writable")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through file modes")
def test_a_read_only_file_in_a_read_only_folder(tmp_path):
    folder = tmp_path / "store"
    folder.mkdir()
    url = f"sqlite:///{folder / 'store.db'}"
    assert cli("import", SAMPLE, db=url).exit_code == 0
    for f in folder.iterdir():
        f.chmod(0o444)
    folder.chmod(0o555)
    try:
        one_line_error(cli("import", SAMPLE, db=url), "read-only")
    finally:
        folder.chmod(0o755)


def test_debug_shows_the_traceback(sqlite_url):
    assert cli("import", SAMPLE, db=sqlite_url).exit_code == 0
    read_only = f"sqlite:///file:{sqlite_url.removeprefix('sqlite:///')}?mode=ro&uri=true"
    with pytest.raises(OperationalError, match="readonly"):
        cli("--debug", "check", "--as-of", AS_OF, db=read_only)


# --- no record values, ever -------------------------------------------------------------------


def test_an_unexpected_error_is_named_by_its_class_only(sqlite_url, monkeypatch):
    import monitor.check

    def broken(*args, **kwargs):
        raise KeyError(sorted(VALUES)[0])

    monkeypatch.setattr(monitor.check, "run_check", broken)
    assert cli("import", SAMPLE, db=sqlite_url).exit_code == 0
    one_line_error(cli("check", db=sqlite_url), "check: internal error (KeyError)", "--debug")


def test_a_failed_scheduled_step_records_and_logs_no_values(sqlite_url, tmp_path, monkeypatch, caplog):
    import monitor.steps as steps

    config = load_config(write_config(tmp_path, sqlite_url, free_port()))
    engine = open_store(sqlite_url)
    ref = sorted(VALUES)[0]

    def refused(*args, **kwargs):
        raise IntegrityError(
            "INSERT INTO finding (case_ref) VALUES (?)",
            {"case_ref": ref},
            Exception(f"Key (case_ref)=({ref}) already exists"),
        )

    monkeypatch.setattr(steps, "run_check", refused)
    with caplog.at_level(logging.DEBUG, logger="send_monitor"):
        result = run_cycle(Runtime(config, engine, as_of=date(2020, 6, 30), trigger="test"))
    assert result.steps["check"] == "failed"
    t = RunRecord.__table__
    with engine.connect() as conn:
        detail = conn.execute(select(t.c.detail).where(t.c.step == "check")).scalar()
    assert "refused an operation (Exception)" in detail and ref not in detail
    shown = [r.getMessage() for r in caplog.records]
    assert any("step check failed" in m for m in shown)
    assert not [m for m in shown if ref in m]
