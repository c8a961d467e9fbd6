"""The command line: `send-monitor [--db URL] [--config FILE] COMMAND`."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from monitor.config import Config, ConfigError, load_config
from monitor.engine import run_check
from monitor.exports import csv_text, json_text
from monitor.findings import FindingsError, explain, export_findings
from monitor.importer import import_folder
from monitor.records import parse_date
from monitor.rules import STATUSES, RuleError, load_rules
from monitor.store import StoreError, open_store

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Compliance monitor for the SEND Tribunal's extended appeals (SI 2017/1306).")
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True)


class Format(str, Enum):
    json = "json"
    csv = "csv"
    table = "table"


def _date(value: Optional[str]) -> Optional[date]:
    if value is None:
        return None
    try:
        return parse_date(value.strip())
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r}: {exc}") from None


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


@app.callback()
def main(
    ctx: typer.Context,
    db: Optional[str] = typer.Option(None, "--db", help="SQLAlchemy URL of the store (default sqlite:///send-monitor.db)."),
    config: Optional[Path] = typer.Option(None, "--config", help="TOML configuration file (or SEND_MONITOR_CONFIG)."),
) -> None:
    try:
        ctx.obj = load_config(config, db)
    except ConfigError as exc:
        _fail(str(exc))


def _store(cfg: Config):
    try:
        return open_store(cfg.database_url)
    except StoreError as exc:
        _fail(str(exc))


def _rules(cfg: Config):
    try:
        return load_rules(cfg.rules_dir, cfg.parameters)
    except RuleError as exc:
        _fail(str(exc))


@contextmanager
def _progress(min_total: int = 0):
    """A rich progress bar (on a terminal only); yields the core's `progress(name, done, total)`
    callback, which opens one task per name (totals below `min_total` are not shown)."""
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True, disable=not err.is_terminal) as bar:
        tasks: dict[str, int] = {}

        def progress(name: str, done: int, total: int | None) -> None:
            if total is not None and total < min_total:
                return
            if name not in tasks:
                tasks[name] = bar.add_task(name, total=total)
            bar.update(tasks[name], completed=done, total=total)

        yield progress


@app.command("import")
def import_(ctx: typer.Context, folder: Path = typer.Argument(..., help="Folder of CSV exports.")) -> None:
    """Validate a folder of CSV exports and load it into the store, all or nothing."""
    cfg: Config = ctx.obj
    engine, rules = _store(cfg), _rules(cfg)
    with _progress(min_total=50_000) as progress:
        result = import_folder(engine, folder, rules.keys(), progress)
    if not result.ok:
        typer.echo(f"{len(result.problems)} problem(s) in {folder}; nothing was imported:", err=True)
        for problem in result.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(1)
    table = Table("file", "new", "updated", "unchanged", title=f"import batch {result.batch_id}")
    for name, c in result.counts.items():
        table.add_row(f"{name}.csv", str(c["new"]), str(c["updated"]), str(c["unchanged"]))
    out.print(table)


@app.command()
def check(
    ctx: typer.Context,
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Date to check as of (default today)."),
    full: bool = typer.Option(False, "--full", help="Re-evaluate every subject, not only what can have changed."),
) -> None:
    """Evaluate every duty as of a date and store the findings."""
    cfg: Config = ctx.obj
    day = _date(as_of) or date.today()
    engine, rules = _store(cfg), _rules(cfg)
    with _progress() as progress:
        result = run_check(engine, rules, day, progress, full=full)
    shown = [s for s in STATUSES if s != "not_applicable"]
    table = Table(title=f"findings as of {day.isoformat()} (check {result.check_id}, {result.mode}: "
                        f"{result.evaluated} evaluated, {result.decided} distinct fact sets, {result.changed} changed)")
    table.add_column("duty", no_wrap=True)
    for status in shown:
        table.add_column(status.replace("_", " "), justify="right")
    for duty in rules:
        counts = result.counts.get(duty, {})
        table.add_row(duty, *[str(counts.get(s, 0) or "·") for s in shown])
    out.print(table)


@app.command()
def findings(
    ctx: typer.Context,
    as_of: Optional[str] = typer.Option(None, "--as-of", help="The date of the stored findings (default: the latest check)."),
    fmt: Format = typer.Option(Format.table, "--format"),
    area: Optional[str] = typer.Option(None, "--area"),
    duty: Optional[str] = typer.Option(None, "--duty"),
    status: Optional[str] = typer.Option(None, "--status"),
) -> None:
    """Export the findings of the latest check (not_applicable left out)."""
    cfg: Config = ctx.obj
    if status is not None and status not in STATUSES:
        raise typer.BadParameter(f"{status!r}: expected one of {', '.join(STATUSES)}", param_hint="--status")
    if duty is not None and duty not in (known := _rules(cfg)):
        raise typer.BadParameter(f"{duty!r}: expected one of {', '.join(known)}", param_hint="--duty")
    try:
        held, rows = export_findings(_store(cfg), _date(as_of), area=area, duty=duty, status=status)
    except FindingsError as exc:
        _fail(str(exc))
    if fmt is Format.json:
        _write_utf8(json_text(held, rows, indent=1))
    elif fmt is Format.csv:
        _write_utf8(csv_text(rows))
    else:
        table = Table("duty", "subject", "area", "owner", "status", "due", "done", "days late",
                      title=f"findings as of {held.isoformat()}")
        for r in rows:  # Text: ids and names are shown as written, never read as markup
            table.add_row(*(Text(str(v)) for v in (r["duty"], r["subject"], r["area"], r["owner"], r["status"],
                                                    r["due_on"] or "", r["done_on"] or "", r["days_late"])))
        out.print(table)


def _write_utf8(text: str) -> None:
    """Exports are UTF-8 whatever the terminal's encoding."""
    sys.stdout.flush()
    target = getattr(sys.stdout, "buffer", None)
    if target is None:
        sys.stdout.write(text)
    else:
        target.write(text.encode("utf-8"))
        target.flush()


@app.command("explain")
def explain_(
    ctx: typer.Context,
    duty: str = typer.Argument(..., help="Duty id, e.g. response-5-weeks."),
    subject: str = typer.Argument(..., help="Subject id, e.g. a recommendation_id."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Default: the date of the latest check."),
) -> None:
    """Why a finding has its status: records, deadline, matching rule row, rule version and source."""
    cfg: Config = ctx.obj
    try:
        e = explain(_store(cfg), _rules(cfg), duty, subject, _date(as_of))
    except FindingsError as exc:
        _fail(str(exc))
    p = lambda text="": out.print(text, highlight=False, markup=False)  # noqa: E731
    p(f"{e.duty.id} · {e.subject} — {e.duty.title}")
    p(f"status as of {e.as_of.isoformat()}: {e.status}" + (f" ({e.reason})" if e.reason else ""))
    p(f"area {e.area} · owner {e.owner}" + (f" · case {e.case_ref}" if e.case_ref else ""))
    p(f"due {e.due_on or '—'} · done {e.done_on or '—'} · days late {e.days_late}")
    if e.deadline:
        p(f"deadline: {e.deadline}")
    if e.bank_holiday:
        p(f"note: the due date is a bank holiday ({e.bank_holiday}); the duty counts calendar days")
    p("records used:")
    for kind, rid, fields in e.records or [("—", "none", {})]:
        shown = ", ".join(f"{k}={v}" for k, v in fields.items() if v is not None)
        p(f"  {kind} {rid}: {shown}")
    p("facts: " + ", ".join(f"{k}={json.dumps(v)}" for k, v in e.facts.items()))
    p(f"matched row {e.row_number} of {len(e.duty.rows)}: when {e.row_text} → {e.status}")
    if e.exception:
        x = e.exception
        p(f"exception {x['exception_id']}: granted by {x['granted_by']} on {x['granted_on']}, "
          f"expires {x['expires_on']}: {x['justification']}")
    p(f"rule {e.duty.path.name} version {e.duty.version}")
    p(f"source: {e.duty.source}")
    if e.history:
        p("history:")
        for h in e.history:
            p(f"  {h['as_of']}: {h['old_status'] or '(new)'} → {h['new_status']}")


@app.command()
def duties(ctx: typer.Context) -> None:
    """List the duties: id, owner, deadline, rule version."""
    cfg: Config = ctx.obj
    table = Table("duty", "owner", "deadline", "version")
    for rule in _rules(cfg).values():
        table.add_row(rule.id, rule.owner, rule.deadline, rule.version)
    out.print(table)


@app.command()
def publish(
    ctx: typer.Context,
    out_dir: Optional[Path] = typer.Argument(None, help="Folder to write the site into (default: the config's site_dir)."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="The date of the stored findings (default: the latest check)."),
    pdf: bool = typer.Option(False, "--pdf", help="Also print each area's inspector report to report.pdf (headless Chromium)."),
) -> None:
    """Write the static site: national, area and commissioner dashboards, explanations, inspector reports."""
    from monitor.publish import PublishError, publish as publish_site

    cfg: Config = ctx.obj
    target = out_dir or cfg.site_dir
    engine, rules = _store(cfg), _rules(cfg)
    try:
        with _progress() as progress:
            index = publish_site(engine, rules, target, _date(as_of), pdf=pdf, site_url=cfg.site_url,
                                 progress=progress)
    except (FindingsError, PublishError) as exc:
        _fail(str(exc))
    out.print(str(index.absolute()), highlight=False, markup=False, soft_wrap=True)  # not resolved: OUT_DIR is a link


@app.command()
def serve(
    ctx: typer.Context,
    out_dir: Optional[Path] = typer.Argument(None, help="The published site (default: the config's site_dir)."),
    port: int = typer.Option(8000, "--port", help="Port on 127.0.0.1."),
) -> None:
    """Serve a published site on http://127.0.0.1:PORT/ for a quick look (Ctrl-C stops)."""
    import functools
    import http.server

    cfg: Config = ctx.obj
    folder = out_dir or cfg.site_dir
    if not (folder / "index.html").is_file():
        _fail(f"{folder} holds no published site: run `send-monitor publish {folder}` first")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        _fail(f"cannot listen on 127.0.0.1:{port}: {exc}")
    err.print(f"serving {folder} on http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C stops)", highlight=False, markup=False)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


# --- alerts, scheduled runs and status (issue 5) ----------------------------------------------


def _when(value) -> str:
    if value is None:
        return "—"
    if hasattr(value, "tzinfo") and value.tzinfo is None:
        from datetime import timezone as _tz
        value = value.replace(tzinfo=_tz.utc)
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S") if hasattr(value, "astimezone") else str(value)


@app.command()
def alerts(
    ctx: typer.Context,
    dry_run: bool = typer.Option(False, "--dry-run", help="Print what would go out; send nothing, record nothing."),
) -> None:
    """E-mail each owner a digest of the latest check's new events, then send the outbox."""
    from monitor.alerts import AlertError, run_alerts
    from monitor.scheduler import ALERTS_LOCK, DbLock, LockHeld, finish_run, start_run

    cfg: Config = ctx.obj
    engine, rules = _store(cfg), _rules(cfg)
    p = lambda text="": out.print(text, highlight=False, markup=False, soft_wrap=True)  # noqa: E731
    if dry_run:
        try:
            report = run_alerts(engine, cfg, rules, dry_run=True)
        except AlertError as exc:
            _fail(str(exc))
        for digest in report.digests:
            p(f"To: {digest.address}")
            p(f"Subject: {digest.subject}")
            p()
            p(digest.text)
            p("=" * 72)
        for problem in report.unaddressed:
            err.print(f"[yellow]no address:[/] {problem}", highlight=False)
        p(f"dry run as of {report.as_of}: {len(report.digests)} digest(s) with {report.events} event(s) would be "
          f"queued; {report.waiting} message(s) already in the outbox would be retried. Nothing sent or recorded.")
        return
    try:
        with DbLock(engine, ALERTS_LOCK):
            run_id = start_run(engine, "alerts", "cli")
            try:
                report = run_alerts(engine, cfg, rules, run_id=run_id)
            except AlertError as exc:
                finish_run(engine, run_id, "failed", detail=str(exc))
                _fail(str(exc))
            except Exception as exc:
                finish_run(engine, run_id, "failed", detail=f"{type(exc).__name__}: {exc}")
                raise
            notes = [str(u) for u in report.unaddressed]
            if report.send.error:
                notes.append(f"{report.send.kept} message(s) kept in the outbox: {report.send.error}")
            outcome = "partial" if (report.send.kept or report.send.failed) else "ok"
            finish_run(engine, run_id, outcome, report.counts(), "\n".join(notes) or None, as_of=report.as_of)
    except LockHeld as exc:
        _fail(str(exc))
    if report.digests:
        table = Table("recipient", "items", "subject", title=f"digests queued (run {run_id})")
        for digest in report.digests:
            table.add_row(digest.address, str(len(digest.items)), digest.subject)
        out.print(table)
    for problem in report.unaddressed:
        err.print(f"[yellow]no address:[/] {problem}", highlight=False)
    s = report.send
    p(f"alerts as of {report.as_of}: {report.events} new event(s) in {len(report.digests)} digest(s); "
      f"sent {s.sent}, kept {s.kept}, failed {s.failed}")
    if s.error:
        _fail(f"{s.kept} message(s) kept in the outbox for the next run: {s.error}", code=2)
    if s.failed:
        _fail(f"{s.failed} message(s) refused by the SMTP server (see `send-monitor status`)", code=2)


@app.command()
def run(
    ctx: typer.Context,
    once: bool = typer.Option(False, "--once", help="Run one cycle now and exit."),
    every: Optional[float] = typer.Option(None, "--every", min=1, help="Run the cycle every N seconds instead of daily (testing)."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Check as of this date instead of today (testing, demos)."),
) -> None:
    """Run the daily cycle (import inbox → check → publish → alerts) on the configured schedule."""
    import logging

    from monitor.scheduler import LockHeld, MonitorScheduler, parse_time, run_once

    cfg: Config = ctx.obj
    day = _date(as_of)
    try:
        parse_time(cfg.schedule_time)
        from zoneinfo import ZoneInfo
        ZoneInfo(cfg.timezone)
    except Exception as exc:
        _fail(f"[schedule] in the configuration: {exc}")
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    engine = _store(cfg)
    if once:
        try:
            result = run_once(cfg, engine, as_of=day)
        except LockHeld as exc:
            _fail(str(exc))
        table = Table("step", "outcome", title=f"cycle {result.cycle} as of {result.as_of}")
        for step, outcome in result.steps.items():
            table.add_row(step, outcome)
        out.print(table)
        if not result.ok:
            raise typer.Exit(1)
        return
    scheduler = MonitorScheduler(cfg, engine, every=every, as_of=day)
    try:
        scheduler.run()
    except LockHeld as exc:
        _fail(str(exc))
    err.print(f"send-monitor run: stopped cleanly ({scheduler.stop_reason or 'scheduler shut down'})", highlight=False)


@app.command()
def status(
    ctx: typer.Context,
    runs: int = typer.Option(12, "--runs", min=1, help="How many of the latest runs to show."),
) -> None:
    """The scheduler, the latest runs, the latest check and import, and the outbox."""
    from monitor.scheduler import status_report

    cfg: Config = ctx.obj
    report = status_report(_store(cfg), runs)
    p = lambda text="": out.print(text, highlight=False, markup=False, soft_wrap=True)  # noqa: E731
    lock = report["scheduler"]
    if lock:
        p(f"scheduler: running, pid {lock['pid']} on {lock['host']} since {_when(lock['acquired_at'])} "
          f"(heartbeat {_when(lock['heartbeat'])})")
    else:
        p("scheduler: not running")
    if report["next_run"]:
        p(f"next scheduled run: {_when(report['next_run'])}")
    check = report["check"]
    p(f"latest check: {check['id']} as of {check['as_of']}, finished {_when(check['finished_at'])}" if check
      else "latest check: none")
    batch = report["import"]
    p(f"latest import: batch {batch['id']} from {batch['source']}, finished {_when(batch['finished_at'])}" if batch
      else "latest import: none")
    o = report["outbox"]
    p(f"outbox: {o.get('queued', 0)} queued, {o.get('sent', 0)} sent, {o.get('failed', 0)} failed")
    if not report["runs"]:
        p("runs: none yet")
        return
    table = Table("run", "cycle", "step", "trigger", "as of", "started", "secs", "outcome", "counts / detail",
                  title="latest runs")
    for r in report["runs"]:
        took = ""
        if r["finished_at"] and r["started_at"]:
            took = f"{(r['finished_at'] - r['started_at']).total_seconds():.1f}"
        counts = ", ".join(f"{k} {v}" for k, v in (r["counts"] or {}).items()
                           if not isinstance(v, dict) and k not in ("as_of",))
        detail = (r["detail"] or "").splitlines()
        table.add_row(str(r["id"]), r["cycle"] or "", r["step"], r["trigger"], str(r["as_of"] or ""),
                      _when(r["started_at"]), took, r["outcome"], "; ".join(x for x in [counts, *detail[:1]] if x))
    out.print(table)
