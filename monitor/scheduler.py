"""Scheduled runs: the daily cycle (import inbox → check → publish → alerts) and the
long-running `send-monitor run` process. Each step's work and outcome are in `monitor.steps`,
the runs table in `monitor.runs`, the locks in `monitor.locks`.

**Inbox.** See :mod:`monitor.inbox`: each complete export (a subfolder or a workbook) is
imported, all-or-nothing, and moved to ``processed/`` or ``failed/``.

**Runs.** Every step of a cycle is a row in ``runs`` (start, end, outcome, counts, detail);
the steps of one cycle share a ``cycle`` id. Outcomes: ok, partial (e.g. one bad export, or
messages kept in the outbox), failed, skipped, interrupted (its process died). A failed check
skips publish and alerts (they would report stale findings as current). Each step runs under
the store-wide writer lock, taken for that step only, so commands run by hand fit in between;
a step that cannot get it within ``lock_timeout_seconds`` fails, naming the holder.

**Scheduler.** APScheduler 3.11 ``BlockingScheduler`` with a ``SQLAlchemyJobStore`` in the
store's database, one job with the fixed id ``send-monitor-daily`` calling the module-level
:func:`daily_job`, ``coalesce=True`` and a misfire grace of 23 hours in ``job_defaults``.
``replace_existing=True`` would reset a missed run's time to the next future one, so a stored
next run time that is already in the past is carried over: after downtime the cycle runs
once, straight away.

**Single instance.** ``run`` holds the scheduler lock (``monitor.locks``) for its whole life: a
second ``run`` or ``run --once`` on the same database refuses, naming the first one's pid and
host. The lock dies with its process, so a restart after ``kill -9`` works at once.

**Signals.** SIGTERM/SIGINT ask the process to stop: the current step finishes, the rest of
the cycle is recorded as skipped, the lock is released and ``run`` exits 0.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from monitor import heartbeat
from monitor.alerts import AlertError, outbox_counts
from monitor.config import Config
from monitor.findings import latest_check, latest_import, latest_runs
from monitor.locks import SCHEDULER, LockError, StoreLock
from monitor.retries import while_locked
from monitor.rules import load_rules
from monitor.runs import cycle_cut_off, record_skipped, writer_lock
from monitor.steps import StepResult, alerts_step, check_step, failure, import_step, publish_step, run_step

log = logging.getLogger("send_monitor.scheduler")

JOB_ID = "send-monitor-daily"
JOBS_TABLE = "apscheduler_jobs"
MISFIRE_GRACE = 23 * 3600


# --- the daily cycle --------------------------------------------------------------------------


@dataclass
class Runtime:
    """What the daily job needs, set by the running process (never stored in the job store)."""

    config: Config
    engine: Engine
    as_of: date | None = None  # check as of this date instead of today (tests, demos)
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
    as_of = rt.as_of or today_in(cfg.schedule.timezone)
    cycle = datetime.now(UTC).strftime("%Y%m%dT%H%M%S-") + uuid.uuid4().hex[:6]
    result = CycleResult(cycle, as_of)
    state: dict = {}
    log.info("cycle %s: as of %s", cycle, as_of)

    def rules():
        if "rules" not in state:
            state["rules"] = load_rules(cfg.rules_dir, cfg.parameters, cfg.documents.wording)
        return state["rules"]

    work: dict[str, Callable[[int], StepResult]] = {
        "import": lambda run_id: import_step(engine, cfg, rules(), as_of, rt.trigger),
        "check": lambda run_id: check_step(engine, rules(), as_of),
        "publish": lambda run_id: publish_step(engine, cfg, rules(), as_of),
        "alerts": lambda run_id: alerts_step(engine, cfg, rules(), run_id),
    }
    for step, fn in work.items():
        if rt.stop.is_set():
            record_skipped(engine, step, rt.trigger, cycle, "stopped by a signal before this step")
            result.steps[step] = "skipped"
            continue
        if step in ("publish", "alerts") and result.steps.get("check") != "ok":
            record_skipped(engine, step, rt.trigger, cycle, "the check did not succeed")
            result.steps[step] = "skipped"
            continue
        lock = writer_lock(engine, f"run {step}", timeout=cfg.lock_timeout_seconds, cancel=rt.stop, on_wait=log.info)
        try:
            lock.acquire()
        except LockError as exc:
            outcome, why = (
                ("skipped", "stopped by a signal while waiting for the store lock")
                if rt.stop.is_set()
                else ("failed", str(exc))
            )
            log.warning("step %s %s: %s", step, outcome, why)
            record_skipped(engine, step, rt.trigger, cycle, why, outcome=outcome)
            result.steps[step] = outcome
            continue
        with lock:
            done = run_step(engine, step, rt.trigger, fn, cycle=cycle, as_of=as_of)
        if done.error is not None and not isinstance(done.error, AlertError):  # recorded, and the cycle goes on
            log.error("step %s failed: %s", step, done.detail)
            log.debug("step %s failed", step, exc_info=done.error)
        result.steps[step] = done.outcome
        log.info("cycle %s: %s %s", cycle, step, done.outcome)
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
        try:
            for attempt in while_locked(rt.config.lock_timeout_seconds):  # a store busy while recording
                with attempt:
                    run_cycle(rt)
        except Exception as exc:  # e.g. the store went away while recording a step: try next time
            log.error("the cycle stopped: %s", failure(exc, rt.engine))
            log.debug("the cycle stopped", exc_info=True)


# --- the long-running process -----------------------------------------------------------------


def stored_next_run(engine: Engine, job_id: str = JOB_ID) -> datetime | None:
    """The job store's next run time of the job (None if no job or paused)."""
    if not inspect(engine).has_table(JOBS_TABLE):
        return None
    with engine.connect() as conn:
        value = conn.execute(text(f"SELECT next_run_time FROM {JOBS_TABLE} WHERE id = :id"), {"id": job_id}).scalar()
    return datetime.fromtimestamp(value, UTC) if value is not None else None


class MonitorScheduler:
    """`send-monitor run`: hold the lock, run the daily cycle on schedule, stop cleanly on a signal."""

    def __init__(
        self,
        config: Config,
        engine: Engine,
        *,
        every: float | None = None,
        as_of: date | None = None,
        install_signals: bool = True,
        on_cycle: Callable[[CycleResult], None] | None = None,
    ):
        self.config, self.engine = config, engine
        self.every, self.as_of = every, as_of
        self.lock = StoreLock(
            engine, SCHEDULER, "run", on_lost=lambda why: self.stop(f"the scheduler lock was lost: {why}")
        )
        self.install_signals = install_signals
        self.on_cycle = on_cycle
        self.stop_event = threading.Event()
        self.stop_reason: str | None = None
        self.scheduler: BlockingScheduler | None = None
        self.next_run: datetime | None = None
        self._finished = threading.Event()

    def build(self) -> BlockingScheduler:
        tz = ZoneInfo(self.config.schedule.timezone)
        scheduler = BlockingScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=self.engine, tablename=JOBS_TABLE)},
            executors={"default": ThreadPoolExecutor(1)},
            job_defaults={"coalesce": True, "misfire_grace_time": MISFIRE_GRACE, "max_instances": 1},
            timezone=tz,
        )
        if self.every:
            trigger = IntervalTrigger(seconds=self.every, timezone=tz)
        else:
            at = self.config.schedule.time
            trigger = CronTrigger(hour=at.hour, minute=at.minute, timezone=tz)
        now = datetime.now(UTC)
        kwargs = {}
        missed = stored_next_run(self.engine)
        if (missed is None or missed > now) and cycle_cut_off(self.engine):
            log.warning("the last cycle was cut off (its scheduler stopped mid-step): it runs again now")
            missed = now
        if missed is not None and missed <= now:
            kwargs["next_run_time"] = missed  # keep the missed run: it catches up once
            self.next_run = missed
        else:
            self.next_run = trigger.get_next_fire_time(None, now.astimezone(tz))
        scheduler.add_job(
            daily_job, trigger, id=JOB_ID, name="send-monitor daily cycle", replace_existing=True, **kwargs
        )
        return scheduler

    def describe(self) -> str:
        if self.every:
            return f"every {self.every:g} s"
        return f"daily at {self.config.schedule.time:%H:%M} {self.config.schedule.timezone}"

    def stop(self, reason: str = "stop requested") -> None:
        if not self.stop_event.is_set():
            self.stop_reason = reason
            log.info("stopping (%s): the current step finishes first", reason)
        self.stop_event.set()

    def _watch(self) -> None:
        """Shut the scheduler down once a stop is asked for (outside any signal handler)."""
        scheduler = self.scheduler
        assert scheduler is not None  # `run` builds it before starting this thread
        self.stop_event.wait()
        while not self._finished.is_set():
            try:
                scheduler.shutdown(wait=False)
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
            _RUNTIME = Runtime(
                self.config,
                self.engine,
                as_of=self.as_of,
                trigger="schedule",
                stop=self.stop_event,
                on_cycle=self.on_cycle,
            )
            threading.Thread(target=self._watch, name="scheduler-stop", daemon=True).start()
            log.info(
                "scheduler started (pid %s): %s; next run %s; stop with Ctrl-C or SIGTERM",
                os.getpid(),
                self.describe(),
                self.next_run.isoformat() if self.next_run else "—",
            )
            with heartbeat.Beating(self.engine, os.getpid(), datetime.now(UTC).replace(microsecond=0)):
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
    with StoreLock(engine, SCHEDULER, "run --once"):
        with _CYCLE_LOCK:
            return run_cycle(Runtime(config, engine, as_of=as_of, trigger=trigger))


# --- status -----------------------------------------------------------------------------------


def status_report(engine: Engine, limit: int = 12) -> dict:
    """What `send-monitor status` shows: scheduler, latest runs, check, import, outbox. The
    scheduler is running when it holds its lock or its heartbeat row is recent (`lock_held`
    says which)."""
    holder = StoreLock(engine, SCHEDULER).holder()
    beating = heartbeat.latest(engine)
    if holder is not None:
        scheduler = {"pid": holder.pid, "host": holder.host, "since": holder.since, "lock_held": True}
    elif beating is not None:
        scheduler = {**beating, "lock_held": False}
    else:
        scheduler = None
    with engine.connect() as conn:
        check = latest_check(conn)
        batch = latest_import(conn)
        outbox = outbox_counts(conn)
        runs = latest_runs(conn, limit)
    return {
        "scheduler": scheduler,
        "next_run": stored_next_run(engine),
        "runs": runs,
        "check": check.model_dump() if check else None,
        "import": batch.model_dump() if batch else None,
        "outbox": outbox,
    }
