"""The store-wide locks: writers wait for each other and then refuse naming the holder; a dead
holder is taken over at once; the scheduler takes the writer lock per step."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path

from conftest import REPO, SAMPLE, cli, findings_of
from test_alerts import write_config
from test_outbox import N, exactly_once, faulty, sample  # noqa: F401 (faulty: a fixture)
from test_scheduler import Background, cycles, runs, wait_for

from monitor.config import load_config
from monitor.locks import SCHEDULER, STORE, StoreLock
from monitor.scheduler import MonitorScheduler
from monitor.store import open_store

AS_OF = "2020-06-30"
HOST = socket.gethostname()

HOLD = """
import os, sys, time
from monitor.locks import STORE, StoreLock
from monitor.store import open_store
lock = StoreLock(open_store(sys.argv[1]), STORE, sys.argv[2]).acquire()
child = 0
if sys.argv[4] == "fork":  # a forked child that outlives its parent, as a stuck worker would
    child = os.fork()
    if child == 0:
        time.sleep(120)
        os._exit(0)
print("held", child, flush=True)
time.sleep(float(sys.argv[3]))
lock.release()
"""


class Holder:
    """Another process holding the store-wide lock for `seconds` (optionally with a forked child)."""

    def __init__(self, url: str, command: str = "import", seconds: float = 120, fork: bool = False):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", HOLD, url, command, str(seconds), "fork" if fork else "-"],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )
        line = self.proc.stdout.readline().split()
        assert line[:1] == ["held"], line
        self.pid, self.child = self.proc.pid, int(line[1])

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()

    def close(self) -> None:
        for pid in (self.proc.pid, self.child):
            try:
                os.kill(pid, signal.SIGKILL) if pid else None
            except ProcessLookupError:
                pass
        self.proc.wait()


def config_with(tmp_path: Path, url: str, smtp_port: int = 25, timeout: float = 600) -> Path:
    path = write_config(tmp_path, url, smtp_port)
    path.write_text(f"lock_timeout_seconds = {timeout}\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def command(config: Path, *args: str) -> subprocess.Popen:
    code = "import sys; from monitor.cli import app; sys.argv[0] = 'send-monitor'; app()"
    return subprocess.Popen(
        [sys.executable, "-c", code, "--config", str(config), *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# --- waiting and refusing ---------------------------------------------------------------------


def test_every_writer_waits_then_refuses_naming_the_holder(db_url, tmp_path):
    config = config_with(tmp_path, db_url, timeout=0.5)
    assert cli("import", SAMPLE, config=config).exit_code == 0
    assert cli("check", "--as-of", AS_OF, config=config).exit_code == 0
    holder = Holder(db_url, "import")
    try:
        named = f"`import` pid {holder.pid} on host {HOST} since "
        for args in (
            ("import", SAMPLE),
            ("check", "--as-of", AS_OF),
            ("publish", tmp_path / "site"),
            ("alerts",),
            ("alerts", "--dry-run"),
            ("upgrade",),
        ):
            result = cli(*args, config=config)
            assert result.exit_code == 1, result.output
            waited, refused = result.stderr.strip().splitlines()
            assert waited.startswith(f"waiting for the store lock held by {named}") and "up to 0.5 s" in waited
            assert refused.startswith(f"error: {args[0]}: the store ") and f"is locked by {named}" in refused
            assert "still after 0.5 s" in refused and "lock_timeout_seconds" in refused
            assert "Traceback" not in result.output
        # readers do not wait
        assert cli("findings", "--format", "csv", config=config).exit_code == 0
        assert cli("status", config=config).exit_code == 0
        assert not (tmp_path / "site").exists()
    finally:
        holder.close()
    assert cli("check", "--as-of", AS_OF, config=config).exit_code == 0  # released when it ended


def test_a_scheduled_step_that_cannot_get_the_lock_fails_naming_the_holder(sqlite_url, smtp, tmp_path):
    config = config_with(tmp_path, sqlite_url, smtp.port, timeout=0.3)
    shutil.copytree(SAMPLE, tmp_path / "inbox" / "export-1")
    holder = Holder(sqlite_url, "check")
    try:
        result = cli("run", "--once", "--as-of", AS_OF, config=config)
    finally:
        holder.close()
    assert result.exit_code == 1
    engine = open_store(sqlite_url)
    [(cycle, steps)] = cycles(engine).items()
    assert steps == [("import", "failed"), ("check", "failed"), ("publish", "skipped"), ("alerts", "skipped")]
    detail = runs(engine)[0]["detail"]
    assert f"is locked by `check` pid {holder.pid} on host {HOST}" in detail
    assert (tmp_path / "inbox" / "export-1").is_dir()  # not imported: still waiting in the inbox


def test_a_dead_holder_is_taken_over_at_once(db_url, tmp_path):
    """Killed while its forked child still runs (on PostgreSQL the child keeps the session open)."""
    config = config_with(tmp_path, db_url, timeout=0)
    holder = Holder(db_url, "check", fork=True)
    try:
        holder.kill()
        result = cli("import", SAMPLE, config=config)
        assert result.exit_code == 0, result.output
        assert "waiting" not in result.stderr
    finally:
        holder.close()


# --- two writers at once ----------------------------------------------------------------------


def test_two_writers_started_together_run_one_after_the_other(db_url, tmp_path):
    config = config_with(tmp_path, db_url)
    assert cli("import", SAMPLE, config=config).exit_code == 0  # a check wants records to check
    holder = Holder(db_url, "publish")
    try:
        started = [command(config, "import", str(SAMPLE)), command(config, "check", "--as-of", AS_OF)]
        for p in started:  # both wait for the lock
            assert p.stderr.readline().startswith(f"waiting for the store lock held by `publish` pid {holder.pid}")
    finally:
        holder.close()
    for p in started:
        _, stderr = p.communicate(timeout=120)
        assert p.returncode == 0, stderr
    incremental = findings_of(db_url, AS_OF)
    assert cli("check", "--as-of", AS_OF, "--full", db=db_url).exit_code == 0
    assert findings_of(db_url, AS_OF) == incremental and incremental


def test_the_scheduler_takes_the_lock_per_step_not_for_its_life(sqlite_url, smtp, tmp_path):
    config = load_config(config_with(tmp_path, sqlite_url, smtp.port))
    shutil.copytree(SAMPLE, config.inbox / "export-1")
    engine = open_store(sqlite_url)
    done = []
    held = StoreLock(engine, STORE, "test").acquire()
    with Background(
        MonitorScheduler(config, engine, every=1, as_of=date(2020, 6, 30), on_cycle=done.append, install_signals=False)
    ):
        wait_for(lambda: StoreLock(engine, SCHEDULER).holder())
        assert runs(engine) == [] and not done  # the first step waits for the lock
        held.release()
        wait_for(lambda: len(done) >= 1)
        # between cycles a command run by hand gets the lock
        assert cli("check", "--as-of", AS_OF, "--full", db=sqlite_url).exit_code == 0
        wait_for(lambda: len(done) >= 2)
    assert done[0].steps == {"import": "ok", "check": "ok", "publish": "ok", "alerts": "ok"}


def test_a_holder_on_another_host_holds_until_its_session_ends(pg_url, tmp_path):
    """PostgreSQL: the lock lives with the holder's session, which the server ends when that host
    stops answering (keepalives); a dead-looking pid on another host is not taken over."""
    import time

    from sqlalchemy import create_engine, text

    from monitor.db import parse_url

    config = config_with(tmp_path, pg_url, timeout=0.3)
    assert cli("import", SAMPLE, config=config).exit_code == 0
    other = create_engine(parse_url(pg_url.replace("postgresql://", "postgresql+psycopg://")))
    session = other.connect().execution_options(isolation_level="AUTOCOMMIT")
    tag = f"send-monitor|check|999999|{int(time.time())}|elsewhere"
    session.execute(text("SELECT set_config('application_name', :t, false)"), {"t": tag})
    session.execute(text("SELECT pg_advisory_lock(1397050948, 1)"))
    try:
        refused = cli("check", "--as-of", AS_OF, config=config)
        assert refused.exit_code == 1 and "is locked by `check` pid 999999 on host elsewhere" in refused.stderr
    finally:
        session.close()
        other.dispose()
    assert cli("check", "--as-of", AS_OF, config=config).exit_code == 0


def test_a_stale_holder_record_never_blocks(sqlite_url, tmp_path):
    """SQLite: the lock file still names a holder from elsewhere, but nobody holds the lock."""
    config = config_with(tmp_path, sqlite_url, timeout=0)
    lock_file = Path(sqlite_url.removeprefix("sqlite:///") + ".lock")
    lock_file.write_text(
        '{"command": "check", "pid": 999999, "host": "elsewhere", '
        '"since": "2020-01-01T00:00:00+00:00", "proc_start": null}',
        encoding="utf-8",
    )
    result = cli("import", SAMPLE, config=config)
    assert result.exit_code == 0 and "waiting" not in result.stderr
    assert lock_file.read_text(encoding="utf-8") == ""  # released: nobody named


def test_the_lock_timeout_is_a_number_of_seconds(sqlite_url, tmp_path):
    config = config_with(tmp_path, sqlite_url, timeout=-1)
    result = cli("check", config=config)
    assert result.exit_code == 1 and "lock_timeout_seconds = -1: must be 0 or more" in result.stderr


# --- a lock lost while held (PostgreSQL) --------------------------------------------------------


def _end_lock_sessions(admin, command: str) -> int:
    """End the database sessions holding `command`'s locks, as a failover or a network cut would."""
    from sqlalchemy import text

    with admin.connect() as conn:
        return conn.execute(
            text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name LIKE :tag"),
            {"tag": f"send-monitor|{command}|%"},
        ).scalar()


def _admin(pg_url: str):
    from sqlalchemy import create_engine

    from monitor.db import parse_url

    return create_engine(
        parse_url(pg_url.replace("postgresql://", "postgresql+psycopg://")), isolation_level="AUTOCOMMIT"
    )


def test_a_writer_lock_lost_mid_alerts_stops_the_holder_and_nothing_is_sent_twice(pg_url, faulty, tmp_path):  # noqa: F811
    """The lock's session is ended just after the second message is delivered: the holder
    notices before its next commit, says so in one line and stops; the next runs send the
    rest, and every message arrives exactly once."""
    admin = _admin(pg_url)
    config = sample(tmp_path, pg_url, faulty)

    async def data(server, envelope, attempt):
        reply = await faulty.collector.store(server, None, envelope)
        if len(faulty.collector.ids) == 2:
            assert _end_lock_sessions(admin, "alerts") == 1
        return reply

    faulty.collector.on_data = data
    first = cli("alerts", config=config)
    ours = [line for line in first.stderr.splitlines() if "mail.log" not in line]
    assert first.exit_code == 1 and len(ours) == 1, first.stderr
    assert ours[0].startswith("error: alerts: the store lock was lost while `alerts` ran (its database session ended")
    assert "Traceback" not in first.output and len(faulty.collector.ids) == 2
    faulty.collector.on_data = None
    second = cli("alerts", config=config)
    assert second.exit_code == 2 and "interrupted while sending in an earlier run" in second.stderr
    assert cli("alerts", config=config).exit_code == 0
    exactly_once(faulty, pg_url)
    admin.dispose()


def test_an_idle_session_timeout_is_outlived_by_the_heartbeat_or_noticed(pg_url, faulty, tmp_path, monkeypatch):  # noqa: F811
    """With idle_session_timeout shorter than the time between two messages: without a heartbeat
    inside it the lock's session is ended and the holder stops, saying so; with one, the run
    completes. No message is sent twice."""
    import asyncio

    from sqlalchemy import text

    import monitor.locks.advisory as advisory

    admin = _admin(pg_url)
    config = sample(tmp_path, pg_url, faulty)
    with admin.connect() as conn:
        database = conn.execute(text("SELECT current_database()")).scalar()
        conn.execute(text(f"ALTER DATABASE {database} SET idle_session_timeout = '1s'"))

    async def slow(server, envelope, attempt):
        await asyncio.sleep(1.5)
        return None

    faulty.collector.on_data = slow
    monkeypatch.setattr(advisory, "HEARTBEAT_SECONDS", 60.0)
    lost = cli("alerts", config=config)
    ours = [line for line in lost.stderr.splitlines() if "mail.log" not in line]
    assert lost.exit_code == 1 and len(ours) == 1 and "the store lock was lost while `alerts` ran" in ours[0]
    assert 1 <= len(faulty.collector.ids) < N
    monkeypatch.setattr(advisory, "HEARTBEAT_SECONDS", 0.3)
    kept = cli("alerts", config=config)
    assert "the store lock was lost" not in kept.stderr and kept.exit_code in (0, 2), kept.stderr
    assert cli("alerts", config=config).exit_code == 0
    exactly_once(faulty, pg_url)
    with admin.connect() as conn:
        conn.execute(text(f"ALTER DATABASE {database} RESET idle_session_timeout"))
    admin.dispose()


def test_a_scheduler_that_lost_its_lock_stops_and_status_knows_it_by_its_heartbeat(pg_url, smtp, tmp_path, monkeypatch):
    """`status` tells a running scheduler by its heartbeat row even when its lock is gone; a
    scheduler whose lock's session is ended stops itself instead of running beside a second one."""
    import os
    from datetime import UTC, datetime

    import monitor.locks.advisory as advisory
    from monitor import heartbeat

    monkeypatch.setattr(advisory, "HEARTBEAT_SECONDS", 0.2)
    config = load_config(config_with(tmp_path, pg_url, smtp.port))
    engine = open_store(pg_url)
    heartbeat.beat(engine, os.getpid(), datetime(2026, 1, 5, 6, 0, tzinfo=UTC))  # alive, lock not held
    status = cli("status", config=config_with(tmp_path, pg_url, smtp.port)).stdout
    assert f"scheduler: running, pid {os.getpid()}" in status and "the scheduler's lock is not held" in status
    heartbeat.clear(engine)

    admin = _admin(pg_url)
    scheduler = MonitorScheduler(config, engine, every=3600, as_of=date(2020, 6, 30), install_signals=False)
    with Background(scheduler) as running:
        wait_for(lambda: StoreLock(engine, SCHEDULER).holder())
        assert _end_lock_sessions(admin, "run") == 1
        running.thread.join(15)
        assert not running.thread.is_alive()
    assert scheduler.stop_reason.startswith("the scheduler lock was lost: its database session ended")
    assert scheduler.lock.lost == "its database session ended"  # `run` exits 1 saying so
    assert "scheduler: not running" in cli("status", config=config_with(tmp_path, pg_url, smtp.port)).stdout
    admin.dispose()
