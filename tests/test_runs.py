"""The runs table: a step killed with its process shows as interrupted, and a `run` killed
with SIGKILL restarts at once and catches up."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys

from conftest import REPO, SAMPLE, cli
from sqlalchemy import select
from test_locks import AS_OF, command, config_with
from test_scheduler import cycles, runs, wait_for

from monitor.locks import SCHEDULER, StoreLock
from monitor.models import RunRecord
from monitor.store import open_store

SLOW_CHECK = """
import sys, time
import monitor.steps as steps
def slow_check(*args, **kwargs):
    print("checking", flush=True)
    time.sleep(120)
steps.run_check = slow_check
from monitor.cli import app
sys.argv[0] = "send-monitor"
app()
"""


def test_run_killed_mid_step_restarts_at_once_and_shows_the_step_interrupted(db_url, smtp, tmp_path):
    config = config_with(tmp_path, db_url, smtp.port)
    shutil.copytree(SAMPLE, tmp_path / "inbox" / "export-1")
    engine = open_store(db_url)
    first = subprocess.Popen(
        [sys.executable, "-c", SLOW_CHECK, "--config", str(config), "run", "--every", "1", "--as-of", AS_OF],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert first.stdout.readline().strip() == "checking"
        first.kill()
        first.wait()
    finally:
        if first.poll() is None:
            first.kill()
    status = cli("status", config=config).stdout
    assert "scheduler: not running" in status
    assert "running" not in status.split("latest runs", 1)[1]
    assert "interrupted" in status
    t = RunRecord.__table__
    with engine.connect() as conn:
        assert conn.execute(select(t.c.outcome).where(t.c.step == "check")).scalar() == "running"

    again = command(config, "run", "--every", "3600", "--as-of", AS_OF)
    try:
        holder = wait_for(lambda: StoreLock(engine, SCHEDULER).holder(), timeout=30)
        assert holder.pid == again.pid  # no wait for a heartbeat to go stale
        assert f"scheduler: running, pid {again.pid}" in cli("status", config=config).stdout
        wait_for(
            lambda: (
                [len(c) for c in cycles(engine).values()] == [2, 4]  # the missed run catches up
                and all(r["finished_at"] or r["outcome"] == "interrupted" for r in runs(engine))
            ),
            timeout=90,
        )
        again.send_signal(signal.SIGTERM)
        _, err = again.communicate(timeout=30)
    finally:
        if again.poll() is None:
            again.kill()
    assert again.returncode == 0, err
    killed = [r for r in runs(engine) if r["step"] == "check"][0]
    assert killed["outcome"] == "interrupted" and f"pid {first.pid}" in killed["detail"]
    second = list(cycles(engine).values())[1]
    assert second == [("import", "ok"), ("check", "ok"), ("publish", "ok"), ("alerts", "ok")]
