"""The scheduler: inbox flow, the daily cycle on a short schedule, catch-up after downtime,
the single-instance lock and a clean stop on SIGTERM."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from conftest import REPO, SAMPLE, cli
from sqlalchemy import select
from test_alerts import by_recipient, ok, write_config

from monitor.config import load_config
from monitor.locks import SCHEDULER, StoreLock
from monitor.models import RunRecord
from monitor.scheduler import JOB_ID, JOBS_TABLE, MonitorScheduler, Runtime, daily_job, run_cycle, stored_next_run
from monitor.store import open_store

BAD_APPEALS = (
    "appeal_id,area_code,case_ref,decision_type,decision_date,registered_on,health_issue,"
    "social_care_issue,la_response_due_on,status\n"
    "A9,850,C850-000009,plan_issued,2020-03-01,2020-05-01,true,false,2020-13-45,open\n"
)


def runs(engine) -> list[dict]:
    t = RunRecord.__table__
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(t).order_by(t.c.id)).mappings()]


def cycles(engine) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for r in runs(engine):
        if r["cycle"]:
            out.setdefault(r["cycle"], []).append((r["step"], r["outcome"]))
    return out


def wait_for(condition, timeout: float = 20.0, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError("timed out waiting")


class Background:
    """A MonitorScheduler running in a thread (signals are the main thread's: not installed)."""

    def __init__(self, scheduler: MonitorScheduler):
        self.scheduler = scheduler
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        try:
            self.scheduler.run()
        except BaseException as exc:  # noqa: BLE001 - reported by stop()
            self.error = exc

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.scheduler.stop("test over")
        self.thread.join(15)
        assert not self.thread.is_alive(), "the scheduler did not stop"
        if self.error and not exc[0]:
            raise self.error


# --- the inbox --------------------------------------------------------------------------------


def test_inbox_good_and_bad_export(sqlite_url, smtp, tmp_path):
    config = write_config(tmp_path, sqlite_url, smtp.port)
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLE, inbox / "2020-06-30-demo")
    (inbox / "2020-06-30-demo" / "READY").touch()
    (inbox / "2020-07-01-bad").mkdir()
    (inbox / "2020-07-01-bad" / "appeals.csv").write_text(BAD_APPEALS, encoding="utf-8")
    (inbox / "2020-07-01-bad" / "apeals.csv").write_text("x\n", encoding="utf-8")
    (inbox / "2020-07-01-bad" / "READY").touch()  # complete: no need to wait for it to settle
    (inbox / ".incoming-851").mkdir()  # still being copied: left alone
    (inbox / "notes.txt").write_text("loose file\n", encoding="utf-8")

    result = ok("run", "--once", "--as-of", "2020-06-30", config=config, code=1)  # 1: an export failed
    assert "import" in result.stdout and "partial" in result.stdout

    processed = list((inbox / "processed").iterdir())
    assert [p.name.split("-", 1)[1] for p in processed] == ["2020-06-30-demo"]
    assert (processed[0] / "appeals.csv").is_file()
    failed = sorted(p.name for p in (inbox / "failed").iterdir())
    assert len(failed) == 3 and failed[0].endswith("-2020-07-01-bad") and failed[1] == failed[0] + ".errors.txt"
    assert failed[2] == failed[0] + ".problems.csv"
    report = (inbox / "failed" / failed[1]).read_text(encoding="utf-8")
    assert "could not import 2020-07-01-bad" in report and "nothing from this export was imported" in report
    assert "appeals.csv row 2, column la_response_due_on, value '2020-13-45'" in report
    assert "apeals.csv" in report  # every problem, not just the first
    assert (inbox / ".incoming-851").is_dir() and (inbox / "notes.txt").is_file()
    assert not (inbox / "2020-06-30-demo").exists() and not (inbox / "2020-07-01-bad").exists()

    engine = open_store(sqlite_url)
    [(cycle, steps)] = cycles(engine).items()
    assert steps == [("import", "partial"), ("check", "ok"), ("publish", "ok"), ("alerts", "ok")]
    imp = next(r for r in runs(engine) if r["step"] == "import")
    assert imp["counts"]["imported"] == 1 and imp["counts"]["failed"] == 1 and imp["counts"]["ignored"] == 1
    assert imp["counts"]["records"]["new"] > 600
    assert "failed 2020-07-01-bad" in imp["detail"] and "ignored notes.txt" in imp["detail"]
    assert all(r["as_of"] == date(2020, 6, 30) and r["finished_at"] for r in runs(engine))
    messages = smtp.take()
    notices = [m for m in messages if "export not imported" in str(m.message["Subject"])]
    assert [m.to for m in notices] == ["send-team@area850.example.org"]  # the failed export's area
    attached = [part.get_filename() for part in notices[0].message.iter_attachments()]
    assert attached == [failed[2]]  # its problems report, as a CSV
    assert len(by_recipient([m for m in messages if m not in notices])) == 7
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    runs_table = index.split('id="table-runs"', 1)[1].split("</table>", 1)[0]
    assert "import" in runs_table and "partial" in runs_table and "check" in runs_table

    status = ok("status", config=config).stdout
    assert "scheduler: not running" in status
    for step in ("import", "check", "publish", "alerts"):
        assert step in status
    assert "outbox: 0 queued, 8 sent, 0 failed" in status


# --- the daily cycle on a short schedule ------------------------------------------------------


def test_daily_cycle_on_a_short_schedule(sqlite_url, smtp, tmp_path):
    config = load_config(write_config(tmp_path, sqlite_url, smtp.port))
    shutil.copytree(SAMPLE, config.inbox / "export-1")
    (config.inbox / "export-1" / "READY").touch()
    engine = open_store(sqlite_url)
    done = []
    scheduler = MonitorScheduler(
        config, engine, every=1, as_of=date(2020, 6, 30), on_cycle=done.append, install_signals=False
    )
    with Background(scheduler):
        wait_for(lambda: len(done) >= 2)
    first, second = done[:2]
    assert first.steps == {"import": "ok", "check": "ok", "publish": "ok", "alerts": "ok"}
    assert second.steps == first.steps
    order = [[step for step, _ in steps] for steps in cycles(engine).values()]
    assert order[:2] == [["import", "check", "publish", "alerts"]] * 2
    alerts = [r for r in runs(engine) if r["step"] == "alerts"]
    assert alerts[0]["counts"]["sent"] == 7 and alerts[1]["counts"]["sent"] == 0
    imports = [r for r in runs(engine) if r["step"] == "import"]
    assert imports[0]["counts"]["imported"] == 1 and imports[1]["counts"]["imported"] == 0
    assert len(by_recipient(smtp.take())) == 7  # the second cycle sent nothing new
    assert StoreLock(engine, SCHEDULER).holder() is None  # released on stop


# --- catching up once after downtime ----------------------------------------------------------


def _seed_missed_job(engine, hour: int, minute: int, tz: str, missed: datetime) -> None:
    """A job store as a process that died days ago leaves it: next run time in the past."""
    scheduler = BackgroundScheduler(timezone=ZoneInfo(tz))  # never started: only to build the job
    job = Job(
        scheduler,
        id=JOB_ID,
        func=daily_job,
        trigger=CronTrigger(hour=hour, minute=minute, timezone=ZoneInfo(tz)),
        executor="default",
        args=(),
        kwargs={},
        name="send-monitor daily cycle",
        misfire_grace_time=3600,
        coalesce=True,
        max_instances=1,
        next_run_time=missed,
    )
    store = SQLAlchemyJobStore(engine=engine, tablename=JOBS_TABLE)
    store.start(scheduler, "default")
    store.add_job(job)


def test_restart_after_missed_runs_catches_up_exactly_once(sqlite_url, smtp, tmp_path):
    config = load_config(write_config(tmp_path, sqlite_url, smtp.port))
    tz = ZoneInfo(config.schedule.timezone)
    due = datetime.now(tz) - timedelta(hours=1)  # today's run was an hour ago, while we were down
    config.schedule.time = f"{due.hour:02d}:{due.minute:02d}"
    engine = open_store(sqlite_url)
    _seed_missed_job(engine, due.hour, due.minute, config.schedule.timezone, datetime.now(UTC) - timedelta(days=3))
    assert stored_next_run(engine) < datetime.now(UTC)

    done = []
    with Background(MonitorScheduler(config, engine, on_cycle=done.append, install_signals=False)):
        wait_for(lambda: done)
        time.sleep(1.5)  # three missed days, coalesced: no second run
    assert len(done) == 1 and len(cycles(engine)) == 1
    next_run = stored_next_run(engine)
    assert timedelta(hours=22) < next_run - datetime.now(UTC) < timedelta(hours=24)

    # a plain restart: nothing missed, nothing runs
    with Background(MonitorScheduler(config, engine, on_cycle=done.append, install_signals=False)):
        time.sleep(1.0)
    assert len(done) == 1 and stored_next_run(engine) == next_run


def test_a_cycle_cut_off_runs_again_at_start_even_before_its_next_time(sqlite_url, smtp, tmp_path):
    """A scheduler killed mid-cycle and restarted at once (before its next fire time) runs the
    cycle again now, once; a cycle that finished does not."""
    config = load_config(write_config(tmp_path, sqlite_url, smtp.port))
    later = datetime.now(ZoneInfo(config.schedule.timezone)) + timedelta(hours=2)
    config.schedule.time = f"{later.hour:02d}:{later.minute:02d}"
    engine = open_store(sqlite_url)
    with engine.begin() as conn:
        start = datetime.now(UTC) - timedelta(minutes=1)
        conn.execute(
            RunRecord.__table__.insert(),
            [
                {
                    "cycle": "cut",
                    "step": "import",
                    "trigger": "schedule",
                    "started_at": start,
                    "outcome": "ok",
                    "finished_at": start,
                    "counts": {},
                    "host": socket.gethostname(),
                    "pid": 1,
                },
                {
                    "cycle": "cut",
                    "step": "check",
                    "trigger": "schedule",
                    "started_at": start,
                    "outcome": "running",
                    "finished_at": None,
                    "counts": {},
                    "host": socket.gethostname(),
                    "pid": 999_999,
                },
            ],
        )
    done = []
    with Background(MonitorScheduler(config, engine, on_cycle=done.append, install_signals=False)):
        wait_for(lambda: done)
        time.sleep(1.0)
    assert len(done) == 1
    assert timedelta(hours=1) < stored_next_run(engine) - datetime.now(UTC) < timedelta(hours=3)

    with Background(MonitorScheduler(config, engine, on_cycle=done.append, install_signals=False)):
        time.sleep(1.0)
    assert len(done) == 1  # the last cycle finished: nothing to run again


# --- single instance and signals --------------------------------------------------------------


def _start_run(config: Path) -> subprocess.Popen:
    code = "import sys; from monitor.cli import app; sys.argv[0] = 'send-monitor'; app()"
    return subprocess.Popen(
        [sys.executable, "-c", code, "--config", str(config), "run"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_second_run_refuses_while_the_first_is_alive(db_url, smtp, tmp_path):
    config = write_config(tmp_path, db_url, smtp.port)
    engine = open_store(db_url)
    first = _start_run(config)
    try:
        holder = wait_for(lambda: first.poll() is None and StoreLock(engine, SCHEDULER).holder(), timeout=30)
        assert holder.pid == first.pid
        second = cli("run", config=config)
        assert second.exit_code == 1
        assert "another send-monitor process holds the scheduler lock on this database" in second.stderr
        assert f"pid {first.pid} on host {socket.gethostname()}" in second.stderr
        assert cli("run", "--once", config=config).exit_code == 1  # a manual cycle is refused too
        assert f"scheduler: running, pid {first.pid}" in ok("status", config=config).stdout
        first.send_signal(signal.SIGTERM)
        _, err = first.communicate(timeout=20)
    finally:
        if first.poll() is None:
            first.kill()
            first.communicate()
    assert first.returncode == 0, err
    assert "stopped cleanly (SIGTERM)" in err
    assert StoreLock(engine, SCHEDULER).holder() is None
    assert "scheduler: not running" in ok("status", config=config).stdout


def test_a_stop_request_ends_the_cycle_between_steps(sqlite_url, smtp, tmp_path, monkeypatch):
    config = load_config(write_config(tmp_path, sqlite_url, smtp.port))
    engine = open_store(sqlite_url)
    rt = Runtime(config, engine, as_of=date(2020, 6, 30), trigger="test")
    import monitor.steps as steps

    real_check = steps.run_check

    def check_then_signal(*args, **kwargs):
        result = real_check(*args, **kwargs)
        rt.stop.set()  # as the SIGTERM handler does, in the middle of the check step
        return result

    monkeypatch.setattr(steps, "run_check", check_then_signal)
    result = run_cycle(rt)
    assert result.steps == {"import": "ok", "check": "ok", "publish": "skipped", "alerts": "skipped"}
    skipped = [r for r in runs(engine) if r["outcome"] == "skipped"]
    assert [r["detail"] for r in skipped] == ["stopped by a signal before this step"] * 2
