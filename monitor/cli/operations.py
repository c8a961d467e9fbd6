"""Runs and operations: `run` (the daily cycle), `status`, `upgrade`, `backup`, `restore`,
`config`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer
from rich.table import Table

from monitor.cli.options import day, err, existing_store, fail, out, say, store, waiting, when

if TYPE_CHECKING:
    from monitor.config import Config

commands = typer.Typer()


@commands.command()
def run(
    ctx: typer.Context,
    once: bool = typer.Option(False, "--once", help="Run one cycle now and exit."),
    every: Optional[float] = typer.Option(
        None, "--every", min=1, help="Run the cycle every N seconds instead of daily (testing)."
    ),
    as_of: Optional[str] = typer.Option(
        None, "--as-of", help="Check as of this date instead of today (testing, demos)."
    ),
) -> None:
    """Run the daily cycle (import inbox → check → publish → alerts) on the configured schedule."""
    from monitor.scheduler import MonitorScheduler, run_once

    cfg: Config = ctx.obj
    on = day(as_of)
    engine = store(cfg)
    if once:
        result = run_once(cfg, engine, as_of=on)
        table = Table("step", "outcome", title=f"cycle {result.cycle} as of {result.as_of}")
        for step, outcome in result.steps.items():
            table.add_row(step, outcome)
        out.print(table)
        if not result.ok:
            raise typer.Exit(1)
        return
    scheduler = MonitorScheduler(cfg, engine, every=every, as_of=on)
    scheduler.run()
    if scheduler.lock.lost:
        fail(f"run: stopped: {scheduler.stop_reason}; start it again once the database is reachable")
    err.print(f"send-monitor run: stopped cleanly ({scheduler.stop_reason or 'scheduler shut down'})", highlight=False)


@commands.command()
def status(
    ctx: typer.Context,
    runs: int = typer.Option(12, "--runs", min=1, help="How many of the latest runs to show."),
) -> None:
    """The scheduler, the latest runs, the latest check and import, and the outbox."""
    from monitor.scheduler import status_report

    cfg: Config = ctx.obj
    report = status_report(existing_store(cfg), runs)
    lock = report["scheduler"]
    if lock:
        say(f"scheduler: running, pid {lock['pid']} on {lock['host']} since {when(lock['since'])}")
        if not lock["lock_held"]:
            say(
                f"warning: the scheduler's lock is not held (its database session ended), though it was alive at "
                f"{when(lock['beat'])}: it stops at its next step, or stop it and start it again"
            )
    else:
        say("scheduler: not running")
    if report["next_run"]:
        say(f"next scheduled run: {when(report['next_run'])}")
    check = report["check"]
    say(
        f"latest check: {check['id']} as of {check['as_of']}, finished {when(check['finished_at'])}"
        if check
        else "latest check: none"
    )
    batch = report["import"]
    say(
        f"latest import: batch {batch['id']} from {batch['source']}, finished {when(batch['finished_at'])}"
        if batch
        else "latest import: none"
    )
    o = report["outbox"]
    say(
        f"outbox: {o.get('queued', 0)} queued, {o.get('sent', 0)} sent, {o.get('failed', 0)} failed"
        + "".join(f", {o[state]} {state}" for state in ("retrying", "sending") if o.get(state))
    )
    if not report["runs"]:
        say("runs: none yet")
        return
    out.print(_runs_table(report["runs"]))


def _runs_table(runs: list[dict]) -> Table:
    table = Table(
        "run", "cycle", "step", "trigger", "as of", "started", "secs", "outcome", "counts / detail", title="latest runs"
    )
    for r in runs:
        took = ""
        if r["finished_at"] and r["started_at"]:
            took = f"{(r['finished_at'] - r['started_at']).total_seconds():.1f}"
        counts = ", ".join(
            f"{k} {v}" for k, v in (r["counts"] or {}).items() if not isinstance(v, dict) and k not in ("as_of",)
        )
        detail = (r["detail"] or "").splitlines()
        table.add_row(
            str(r["id"]),
            r["cycle"] or "",
            r["step"],
            r["trigger"],
            str(r["as_of"] or ""),
            when(r["started_at"]),
            took,
            r["outcome"],
            "; ".join(x for x in [counts, *detail[:1]] if x),
        )
    return table


@commands.command()
def upgrade(ctx: typer.Context) -> None:
    """Migrate the store to this version's schema, in one transaction (back it up first)."""
    from monitor.db import StoreError, connect
    from monitor.locks import STORE, StoreLock
    from monitor.store import upgrade_store

    cfg: Config = ctx.obj
    engine = connect(cfg.database_url)  # not open_store: that refuses a store whose schema is behind
    try:
        with StoreLock(engine, STORE, "upgrade", timeout=cfg.lock_timeout_seconds, on_wait=waiting):
            found, head = upgrade_store(cfg.database_url)
    except StoreError as exc:
        fail(str(exc))
    finally:
        engine.dispose()
    if found == head:
        out.print(f"the store is already at schema revision {head}", highlight=False)
    else:
        out.print(f"upgraded the store from schema revision {found or '(new store)'} to {head}", highlight=False)


@commands.command()
def backup(ctx: typer.Context, file: Path = typer.Argument(..., help="The new file to write the copy to.")) -> None:
    """Copy a SQLite store to FILE while it is in use, and check the copy (PostgreSQL: pg_dump)."""
    from monitor import backup as backups
    from monitor.db import StoreError

    cfg: Config = ctx.obj
    try:
        copy = backups.backup(cfg.database_url, file)
        log = backups.backup_access_log(cfg.database_url, file)
    except StoreError as exc:
        fail(str(exc))
    say(f"backed up the store to {file} ({copy.describe()})")
    if log is not None:
        say(f"backed up the access log and sessions to {log.path} ({log.describe()})")


@commands.command()
def restore(
    ctx: typer.Context, file: Path = typer.Argument(..., help="A backup made by `send-monitor backup`.")
) -> None:
    """Put the backup FILE in place of the SQLite store once it is checked whole; the store it
    replaces is kept beside it (PostgreSQL: pg_restore)."""
    from monitor import backup as backups
    from monitor.db import StoreError, connect
    from monitor.locks import STORE, StoreLock

    cfg: Config = ctx.obj
    try:
        backups.sqlite_file(cfg.database_url, "restore")
        engine = connect(cfg.database_url)
        try:
            with StoreLock(engine, STORE, "restore", timeout=cfg.lock_timeout_seconds, on_wait=waiting):
                restored, kept = backups.restore(cfg.database_url, file)
        finally:
            engine.dispose()
    except StoreError as exc:
        fail(str(exc))
    say(f"restored the store from {file} ({restored.describe()})")
    if kept:
        say(f"the store it replaced is kept at {kept.path}")


@commands.command("config")
def config_(ctx: typer.Context) -> None:
    """Print the settings in force (the file, the environment and the defaults), secrets masked."""
    from monitor.config import effective_toml

    out.print(effective_toml(ctx.obj), highlight=False, markup=False, end="", soft_wrap=True)
