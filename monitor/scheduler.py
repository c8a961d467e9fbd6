"""Scheduled runs: the daily cycle (import inbox → check → publish → alerts), the runs table,
the single-instance lock, and the long-running `send-monitor run` process.

**Inbox.** See :mod:`monitor.inbox`: each complete export (a subfolder or a workbook) is
imported, all-or-nothing, and moved to ``processed/`` or ``failed/``.

**Runs.** Every step of a cycle is a row in ``runs`` (start, end, outcome, counts, detail);
the steps of one cycle share a ``cycle`` id. Outcomes: ok, partial (e.g. one bad export, or
messages kept in the outbox), failed, skipped. A failed check skips publish and alerts (they
would report stale findings as current).

**Scheduler.** APScheduler 3.11 ``BlockingScheduler`` with a ``SQLAlchemyJobStore`` in the
store's database, one job with the fixed id ``send-monitor-daily`` calling the module-level
:func:`daily_job`, ``coalesce=True`` and a misfire grace of 23 hours in ``job_defaults``.
``replace_existing=True`` would reset a missed run's time to the next future one, so a stored
next run time that is already in the past is carried over: after downtime the cycle runs
once, straight away.

**Lock.** A row in ``process_locks`` (host, pid, process start, heartbeat) makes a second
``run`` against the same database refuse while the first is alive. It is alive while its
heartbeat is fresh, or — on the same host — while its process exists (so a long SQLite write
that delays the heartbeat is not mistaken for a crash). A stale lock is taken over with a
compare-and-swap on its token. It works the same on SQLite and PostgreSQL.

**Signals.** SIGTERM/SIGINT ask the process to stop: the current step finishes, the rest of
the cycle is recorded as skipped, the lock is released and ``run`` exits 0.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import delete, insert, inspect, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from monitor.alerts import AlertError, outbox_counts, run_alerts
from monitor.config import Config
from monitor.engine import run_check
from monitor.findings import latest_check, latest_import, latest_runs
from monitor.inbox import import_inbox
from monitor.models import ProcessLock, RunRecord
from monitor.publish import publish
from monitor.rules import load_rules

log = logging.getLogger("send_monitor.scheduler")

JOB_ID = "send-monitor-daily"
JOBS_TABLE = "apscheduler_jobs"
MISFIRE_GRACE = 23 * 3600
SCHEDULER_LOCK = "scheduler"
ALERTS_LOCK = "alerts"


# --- the single-instance lock -----------------------------------------------------------------


class LockHeld(Exception):
    """Another live process holds the lock."""


def _proc_start(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), to tell a reused pid apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


class DbLock:
    """A named lock row in the store, with a heartbeat; see the module docstring."""

    def __init__(self, engine: Engine, name: str, stale_after: float = 120.0, heartbeat_every: float = 15.0):
        self.engine, self.name = engine, name
        self.stale_after, self.heartbeat_every = stale_after, heartbeat_every
        self.token = uuid.uuid4().hex
        self.host, self.pid = socket.gethostname(), os.getpid()
        self._held = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _alive(self, row) -> bool:
        if datetime.now(timezone.utc) - _utc(row.heartbeat) < timedelta(seconds=self.stale_after):
            return True
        if row.host == self.host:
            if row.pid == self.pid:
                return False  # our own pid: a leftover of this process (or of a reused pid)
            if _pid_alive(row.pid):
                start = _proc_start(row.pid)
                return row.proc_start is None or start is None or start == row.proc_start
        return False

    def holder(self) -> dict | None:
        t = ProcessLock.__table__
        with self.engine.connect() as conn:
            row = conn.execute(select(t).where(t.c.name == self.name)).first()
        return dict(row._mapping) if row else None

    def acquire(self) -> None:
        t = ProcessLock.__table__
        now = datetime.now(timezone.utc)
        values = {"token": self.token, "host": self.host, "pid": self.pid,
                  "proc_start": _proc_start(self.pid), "acquired_at": now, "heartbeat": now}
        for _ in range(3):
            with self.engine.connect() as conn:
                row = conn.execute(select(t).where(t.c.name == self.name)).first()
            if row is None:
                try:
                    with self.engine.begin() as conn:
                        conn.execute(insert(t).values(name=self.name, **values))
                except IntegrityError:
                    continue  # someone else inserted it first: look again
                self._held = True
                return
            if self._alive(row):
                raise LockHeld(
                    f"another send-monitor process holds the {self.name} lock on this database: "
                    f"pid {row.pid} on host {row.host}, since {_utc(row.acquired_at):%Y-%m-%d %H:%M:%S} UTC "
                    f"(last heartbeat {_utc(row.heartbeat):%H:%M:%S} UTC). Stop it first, or wait for it to finish.")
            with self.engine.begin() as conn:  # stale: take it over, unless someone else just did
                taken = conn.execute(update(t).where(t.c.name == self.name, t.c.token == row.token)
                                     .values(**values)).rowcount
            if taken == 1:
                log.warning("took over a stale %s lock of pid %s on %s", self.name, row.pid, row.host)
                self._held = True
                return
        raise LockHeld(f"could not take the {self.name} lock: it keeps changing hands")

    def beat(self) -> bool:
        """Refresh the heartbeat; False if the lock is no longer ours."""
        t = ProcessLock.__table__
        try:
            with self.engine.begin() as conn:
                n = conn.execute(update(t).where(t.c.name == self.name, t.c.token == self.token)
                                 .values(heartbeat=datetime.now(timezone.utc))).rowcount
        except SQLAlchemyError as exc:  # e.g. SQLite busy during a long check: try again later
            log.debug("heartbeat failed: %s", exc)
            return True
        return n == 1

    def start_heartbeat(self, on_lost: Callable[[], None]) -> None:
        def loop():
            while not self._stop.wait(self.heartbeat_every):
                if not self.beat():
                    log.error("the %s lock was taken over by another process", self.name)
                    on_lost()
                    return

        self._thread = threading.Thread(target=loop, name=f"{self.name}-lock-heartbeat", daemon=True)
        self._thread.start()

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._held:
            t = ProcessLock.__table__
            with self.engine.begin() as conn:
                conn.execute(delete(t).where(t.c.name == self.name, t.c.token == self.token))
            self._held = False

    def __enter__(self) -> DbLock:
        self.acquire()
        self.start_heartbeat(lambda: None)
        return self

    def __exit__(self, *exc) -> None:
        self.release()


# --- the runs table ---------------------------------------------------------------------------


def start_run(engine: Engine, step: str, trigger: str, cycle: str | None = None, as_of: date | None = None) -> int:
    with engine.begin() as conn:
        return conn.execute(insert(RunRecord.__table__).values(
            cycle=cycle, step=step, trigger=trigger, as_of=as_of, started_at=datetime.now(timezone.utc),
            outcome="running", counts={}, host=socket.gethostname(), pid=os.getpid(),
        )).inserted_primary_key[0]


def finish_run(engine: Engine, run_id: int, outcome: str, counts: dict | None = None,
               detail: str | None = None, as_of: date | None = None) -> None:
    values = {"finished_at": datetime.now(timezone.utc), "outcome": outcome, "counts": counts or {},
              "detail": detail}
    if as_of is not None:
        values["as_of"] = as_of
    t = RunRecord.__table__
    with engine.begin() as conn:
        conn.execute(update(t).where(t.c.id == run_id).values(**values))


def record_skipped(engine: Engine, step: str, trigger: str, cycle: str, why: str) -> None:
    finish_run(engine, start_run(engine, step, trigger, cycle), "skipped", detail=why)


# --- the daily cycle --------------------------------------------------------------------------


@dataclass
class Runtime:
    """What the daily job needs, set by the running process (never stored in the job store)."""

    config: Config
    engine: Engine
    as_of: date | None = None            # check as of this date instead of today (tests, demos)
    trigger: str = "schedule"
    stop: threading.Event = field(default_factory=threading.Event)
    on_cycle: Callable[[CycleResult], None] | None = None


@dataclass
class CycleResult:
    cycle: str
    as_of: date
    steps: dict[str, str] = field(default_factory=dict)  # step -> outcome

    @property
    def ok(self) -> bool:
        return all(v in ("ok", "skipped") for v in self.steps.values())


def today_in(tz: str) -> date:
    return datetime.now(ZoneInfo(tz)).date()


def run_cycle(rt: Runtime) -> CycleResult:
    """One cycle: import the inbox, check as of today, publish, send alerts; each step recorded."""
    cfg, engine = rt.config, rt.engine
    as_of = rt.as_of or today_in(cfg.timezone)
    cycle = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S-") + uuid.uuid4().hex[:6]
    result = CycleResult(cycle, as_of)
    state: dict = {}
    log.info("cycle %s: as of %s", cycle, as_of)

    def rules():
        if "rules" not in state:
            state["rules"] = load_rules(cfg.rules_dir, cfg.parameters)
        return state["rules"]

    def step_import(run_id):
        res = import_inbox(engine, rules().keys(), cfg.inbox, settle_seconds=cfg.inbox_settle_seconds,
                           as_of=as_of, trigger=rt.trigger)
        return res.outcome, res.counts(), res.detail()

    def step_check(run_id):
        checked = run_check(engine, rules(), as_of)
        totals: dict[str, int] = {}
        for per_duty in checked.counts.values():
            for status, n in per_duty.items():
                totals[status] = totals.get(status, 0) + n
        return "ok", {"check_id": checked.check_id, "changed": checked.changed, "statuses": totals}, None

    def step_publish(run_id):
        out = publish(engine, rules(), Path(cfg.site_dir), as_of=as_of, site_url=cfg.site_url)
        return "ok", {}, f"published to {out}"

    def step_alerts(run_id):
        with DbLock(engine, ALERTS_LOCK):
            report = run_alerts(engine, cfg, rules(), run_id=run_id)
        lines = [str(u) for u in report.unaddressed]
        if report.send.error:
            lines.append(f"{report.send.kept} message(s) kept in the outbox: {report.send.error}")
        outcome = "partial" if (report.send.kept or report.send.failed) else "ok"
        return outcome, report.counts(), "\n".join(lines) or None

    for step, fn in (("import", step_import), ("check", step_check),
                     ("publish", step_publish), ("alerts", step_alerts)):
        if rt.stop.is_set():
            record_skipped(engine, step, rt.trigger, cycle, "stopped by a signal before this step")
            result.steps[step] = "skipped"
            continue
        if step in ("publish", "alerts") and result.steps.get("check") != "ok":
            record_skipped(engine, step, rt.trigger, cycle, "the check did not succeed")
            result.steps[step] = "skipped"
            continue
        run_id = start_run(engine, step, rt.trigger, cycle, as_of)
        try:
            outcome, counts, detail = fn(run_id)
        except (LockHeld, AlertError) as exc:
            outcome, counts, detail = "failed", {}, str(exc)
        except Exception as exc:  # recorded, and the cycle goes on
            log.exception("step %s failed", step)
            outcome, counts, detail = "failed", {}, f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}"
        finish_run(engine, run_id, outcome, counts, detail)
        result.steps[step] = outcome
        log.info("cycle %s: %s %s", cycle, step, outcome)
    if rt.on_cycle:
        rt.on_cycle(result)
    return result


_RUNTIME: Runtime | None = None
_CYCLE_LOCK = threading.Lock()


def daily_job() -> None:
    """The scheduled job (module level, so the job store holds only its name)."""
    rt = _RUNTIME
    if rt is None:
        log.warning("daily job fired with no running monitor: ignored")
        return
    with _CYCLE_LOCK:
        run_cycle(rt)


# --- the long-running process -----------------------------------------------------------------


def parse_time(value: str) -> tuple[int, int]:
    try:
        hour, minute = (int(x) for x in value.split(":"))
        if not (0 <= hour < 24 and 0 <= minute < 60):
            raise ValueError
    except ValueError:
        raise ValueError(f"schedule time {value!r}: expected HH:MM, e.g. 06:00") from None
    return hour, minute


def stored_next_run(engine: Engine, job_id: str = JOB_ID) -> datetime | None:
    """The job store's next run time of the job (None if no job or paused)."""
    if not inspect(engine).has_table(JOBS_TABLE):
        return None
    with engine.connect() as conn:
        value = conn.execute(text(f"SELECT next_run_time FROM {JOBS_TABLE} WHERE id = :id"),
                             {"id": job_id}).scalar()
    return datetime.fromtimestamp(value, timezone.utc) if value is not None else None


class MonitorScheduler:
    """`send-monitor run`: hold the lock, run the daily cycle on schedule, stop cleanly on a signal."""

    def __init__(self, config: Config, engine: Engine, *, every: float | None = None, as_of: date | None = None,
                 lock_stale_after: float = 120.0, heartbeat_every: float = 15.0,
                 install_signals: bool = True, on_cycle: Callable[[CycleResult], None] | None = None):
        self.config, self.engine = config, engine
        self.every, self.as_of = every, as_of
        self.lock = DbLock(engine, SCHEDULER_LOCK, lock_stale_after, heartbeat_every)
        self.install_signals = install_signals
        self.on_cycle = on_cycle
        self.stop_event = threading.Event()
        self.stop_reason: str | None = None
        self.scheduler: BlockingScheduler | None = None
        self.next_run: datetime | None = None
        self._finished = threading.Event()

    def build(self) -> BlockingScheduler:
        tz = ZoneInfo(self.config.timezone)
        scheduler = BlockingScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=self.engine, tablename=JOBS_TABLE)},
            executors={"default": ThreadPoolExecutor(1)},
            job_defaults={"coalesce": True, "misfire_grace_time": MISFIRE_GRACE, "max_instances": 1},
            timezone=tz,
        )
        if self.every:
            trigger = IntervalTrigger(seconds=self.every, timezone=tz)
        else:
            hour, minute = parse_time(self.config.schedule_time)
            trigger = CronTrigger(hour=hour, minute=minute, timezone=tz)
        now = datetime.now(timezone.utc)
        kwargs = {}
        missed = stored_next_run(self.engine)
        if missed is not None and missed <= now:
            kwargs["next_run_time"] = missed  # keep the missed run: it catches up once
            self.next_run = missed
        else:
            self.next_run = trigger.get_next_fire_time(None, now.astimezone(tz))
        scheduler.add_job(daily_job, trigger, id=JOB_ID, name="send-monitor daily cycle",
                          replace_existing=True, **kwargs)
        return scheduler

    def describe(self) -> str:
        if self.every:
            return f"every {self.every:g} s"
        return f"daily at {self.config.schedule_time} {self.config.timezone}"

    def stop(self, reason: str = "stop requested") -> None:
        if not self.stop_event.is_set():
            self.stop_reason = reason
            log.info("stopping (%s): the current step finishes first", reason)
        self.stop_event.set()

    def _watch(self) -> None:
        """Shut the scheduler down once a stop is asked for (outside any signal handler)."""
        self.stop_event.wait()
        while not self._finished.is_set():
            try:
                self.scheduler.shutdown(wait=False)
                return
            except SchedulerNotRunningError:
                self._finished.wait(0.05)

    def run(self) -> None:
        """Block until stopped. Raises LockHeld if another `run` is alive on the same database."""
        global _RUNTIME
        self.lock.acquire()
        previous = {}
        try:
            self.scheduler = self.build()
            if self.install_signals and threading.current_thread() is threading.main_thread():
                for sig in (signal.SIGTERM, signal.SIGINT):
                    previous[sig] = signal.signal(sig, lambda signum, _frame: self.stop(signal.Signals(signum).name))
            _RUNTIME = Runtime(self.config, self.engine, as_of=self.as_of, trigger="schedule",
                               stop=self.stop_event, on_cycle=self.on_cycle)
            self.lock.start_heartbeat(lambda: self.stop("lost the scheduler lock"))
            threading.Thread(target=self._watch, name="scheduler-stop", daemon=True).start()
            log.info("scheduler started (pid %s): %s; next run %s; stop with Ctrl-C or SIGTERM", os.getpid(),
                     self.describe(), self.next_run.isoformat() if self.next_run else "—")
            self.scheduler.start()  # blocks until shut down
            with _CYCLE_LOCK:  # let a running cycle finish its current step
                pass
        finally:
            self._finished.set()
            self.stop_event.set()
            _RUNTIME = None
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self.lock.release()
        log.info("scheduler stopped")


def run_once(config: Config, engine: Engine, as_of: date | None = None, trigger: str = "cli") -> CycleResult:
    """One cycle now, under the scheduler lock (refused while `run` is alive)."""
    with DbLock(engine, SCHEDULER_LOCK):
        with _CYCLE_LOCK:
            return run_cycle(Runtime(config, engine, as_of=as_of, trigger=trigger))


# --- status -----------------------------------------------------------------------------------


def status_report(engine: Engine, limit: int = 12) -> dict:
    """What `send-monitor status` shows: scheduler, latest runs, check, import, outbox."""
    with engine.connect() as conn:
        check = latest_check(conn)
        batch = latest_import(conn)
        outbox = outbox_counts(conn)
        runs = latest_runs(conn, limit)
    return {
        "scheduler": DbLock(engine, SCHEDULER_LOCK).holder(),
        "next_run": stored_next_run(engine),
        "runs": runs,
        "check": check.model_dump() if check else None,
        "import": batch.model_dump() if batch else None,
        "outbox": outbox,
    }
