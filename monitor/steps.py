"""Run a step: import the inbox, check, publish, send alerts. Each step's work, and the one
place its outcome (ok, partial, failed), counts and detail are decided; `run_step` records a
step in the runs table. The scheduler's cycle runs every step through here, and the `alerts`
command its step, so a step ends the same way whoever starts it.

An alerts run is ``partial`` when any message was kept for a retry or failed, when the
outbox was busy (another process held it) or when a delivery was found interrupted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from monitor.alerts import AlertError, AlertReport, run_alerts
from monitor.check import run_check
from monitor.config import Config
from monitor.inbox import Binding, import_inbox
from monitor.locks import LockError
from monitor.publish import publish
from monitor.runs import finish_run, start_run
from monitor.store import store_failure


@dataclass
class StepResult:
    """How a step ended: its outcome, counts and detail (as recorded), and what it made."""

    outcome: str
    counts: dict = field(default_factory=dict)
    detail: str | None = None
    as_of: date | None = None  # the date of the findings the step used, when it learns it
    value: Any = None  # the step's own report (an AlertReport, a CheckResult, …)
    error: BaseException | None = None  # why a failed step failed
    run_id: int | None = None  # its row in the runs table, once recorded


def failure(exc: BaseException, engine: Engine) -> str:
    """One line for a failed step, with no record values (a driver's message can carry them)."""
    if isinstance(exc, LockError):
        return str(exc)
    return store_failure(exc, engine.url) or f"{type(exc).__name__} (run with --debug to see the traceback)"


def run_step(
    engine: Engine,
    step: str,
    trigger: str,
    work: Callable[[int], StepResult],
    *,
    cycle: str | None = None,
    as_of: date | None = None,
) -> StepResult:
    """Record `step` as running, do `work(run_id)` and record how it ended. A failure is
    recorded, not raised: the result carries it (`error`) — except a lost lock (LockError),
    after which nothing may be written. Call it holding the writer lock."""
    run_id = start_run(engine, step, trigger, cycle, as_of)
    try:
        result = work(run_id)
    except LockError:  # the lock is gone: nothing more may be written; its row shows interrupted
        raise
    except AlertError as exc:
        result = StepResult("failed", detail=str(exc), error=exc)
    except Exception as exc:
        result = StepResult("failed", detail=failure(exc, engine), error=exc)
    finish_run(engine, run_id, result.outcome, result.counts, result.detail, as_of=result.as_of)
    result.run_id = run_id
    return result


def import_step(engine: Engine, config: Config, rules: dict, as_of: date, trigger: str) -> StepResult:
    """Import every complete export in the inbox."""
    binding = Binding(config.inbox_by_area, config.inbox_area or None, config.inbox_national)
    done = import_inbox(
        engine,
        rules.keys(),
        config.inbox,
        settle_seconds=config.inbox_settle_seconds,
        as_of=as_of,
        trigger=trigger,
        binding=binding,
        document_limits=config.documents.limits(),
    )
    return StepResult(done.outcome, done.counts(), done.detail(), value=done)


def check_step(engine: Engine, rules: dict, as_of: date) -> StepResult:
    """Check every duty as of `as_of`; counts total the findings by status."""
    checked = run_check(engine, rules, as_of)
    totals: dict[str, int] = {}
    for per_duty in checked.counts.values():
        for status, n in per_duty.items():
            totals[status] = totals.get(status, 0) + n
    counts = {"check_id": checked.check_id, "changed": checked.changed, "statuses": totals}
    return StepResult("ok", counts, value=checked)


def publish_step(engine: Engine, config: Config, rules: dict, as_of: date) -> StepResult:
    """Publish the site into the configuration's site_dir."""
    index = publish(
        engine,
        rules,
        Path(config.site_dir),
        as_of=as_of,
        site_url=config.site_url,
        accessibility_contact=config.accessibility_contact,
    )
    return StepResult("ok", detail=f"published to {index}", value=index)


def alerts_outcome(report: AlertReport) -> str:
    """``partial`` if any message was kept or failed, the outbox was busy or a delivery was
    interrupted; else ``ok``."""
    s = report.send
    return "partial" if (s.kept or s.failed or s.busy or report.interrupted) else "ok"


def alerts_step(engine: Engine, config: Config, rules: dict, run_id: int, retry_now: bool = False) -> StepResult:
    """Queue the latest check's digests and notices and send what is due (`retry_now`: every
    message waiting for a retry too)."""
    report = run_alerts(engine, config, rules, run_id=run_id, retry_now=retry_now)
    detail = "\n".join(report.problems()) or None
    return StepResult(alerts_outcome(report), report.counts(), detail, as_of=report.as_of, value=report)
