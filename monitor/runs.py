"""The runs table. Every step of a scheduled cycle, and each ``alerts`` run, is a row in
``runs`` (start, end, outcome, counts, detail). The locks are in :mod:`monitor.locks`.

Outcomes: running, ok, partial, failed, skipped,
interrupted. A row is only ever ``running`` while its process holds the writer lock, so when a
writer takes the lock, rows still ``running`` were left by a process that died: they become
``interrupted``. Until then they are *shown* as interrupted (``reported_runs``) unless their
process holds the writer lock.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, date, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Engine

from monitor.locks import HOST, STORE, StoreLock, store_holder
from monitor.models import RunRecord

log = logging.getLogger("send_monitor.runs")


def writer_lock(engine: Engine, command: str, **options) -> StoreLock:
    """The store-wide writer lock for `command`; once taken, steps left running by dead
    processes are marked interrupted (see `StoreLock` for the options)."""
    return StoreLock(engine, STORE, command, on_acquired=interrupt_stale_runs, **options)


def start_run(engine: Engine, step: str, trigger: str, cycle: str | None = None, as_of: date | None = None) -> int:
    """Record a step as running (call it while holding the writer lock); returns its id."""
    with engine.begin() as conn:
        key = conn.execute(
            insert(RunRecord.__table__).values(
                cycle=cycle,
                step=step,
                trigger=trigger,
                as_of=as_of,
                started_at=datetime.now(UTC),
                outcome="running",
                counts={},
                host=HOST,
                pid=os.getpid(),
            )
        ).inserted_primary_key
        assert key is not None  # an INSERT always has one
        return key[0]


def finish_run(
    engine: Engine,
    run_id: int,
    outcome: str,
    counts: dict | None = None,
    detail: str | None = None,
    as_of: date | None = None,
) -> None:
    values = {"finished_at": datetime.now(UTC), "outcome": outcome, "counts": counts or {}, "detail": detail}
    if as_of is not None:
        values["as_of"] = as_of
    t = RunRecord.__table__
    with engine.begin() as conn:
        conn.execute(update(t).where(t.c.id == run_id).values(**values))


def record_skipped(engine: Engine, step: str, trigger: str, cycle: str, why: str, outcome: str = "skipped") -> None:
    """Record a step that did not run (one row, never `running`)."""
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(RunRecord.__table__).values(
                cycle=cycle,
                step=step,
                trigger=trigger,
                started_at=now,
                finished_at=now,
                outcome=outcome,
                counts={},
                detail=why,
                host=HOST,
                pid=os.getpid(),
            )
        )


def _interrupted(row) -> str:
    return f"interrupted: its process (pid {row['pid']} on host {row['host']}) ended before the step finished"


def interrupt_stale_runs(engine: Engine) -> int:
    """Mark `interrupted` every row still `running` (call it just after taking the writer lock:
    no live process can have one then)."""
    t = RunRecord.__table__
    with engine.connect() as conn:
        stale = [
            dict(r) for r in conn.execute(select(t.c.id, t.c.pid, t.c.host).where(t.c.outcome == "running")).mappings()
        ]
    for row in stale:
        with engine.begin() as conn:
            conn.execute(
                update(t)
                .where(t.c.id == row["id"], t.c.outcome == "running")
                .values(outcome="interrupted", detail=_interrupted(row))
            )
    if stale:
        log.warning("%d step(s) left running by a process that died are marked interrupted", len(stale))
    return len(stale)


def cycle_cut_off(engine: Engine) -> bool:
    """Whether the latest scheduled cycle was cut off: one of its steps left `running` by a
    scheduler that died, or already marked `interrupted`."""
    t = RunRecord.__table__
    with engine.connect() as conn:
        cycle = conn.execute(
            select(t.c.cycle).where(t.c.trigger == "schedule").order_by(t.c.id.desc()).limit(1)
        ).scalar()
        if cycle is None:
            return False
        cut = select(t.c.id).where(t.c.cycle == cycle, t.c.outcome.in_(("running", "interrupted"))).limit(1)
        return conn.execute(cut).first() is not None


def reported_runs(conn: Connection, rows: list[dict]) -> list[dict]:
    """The rows as they should be shown: `running` only while its process holds the writer lock."""
    if not any(r["outcome"] == "running" for r in rows):
        return rows
    holder = store_holder(conn)
    live = (holder.host, holder.pid) if holder else None
    return [
        {**r, "outcome": "interrupted", "detail": _interrupted(r)}
        if r["outcome"] == "running" and (r["host"], r["pid"]) != live
        else r
        for r in rows
    ]
