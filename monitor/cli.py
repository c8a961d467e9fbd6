"""The command line: `send-monitor [--db URL] [--config FILE] COMMAND`."""

from __future__ import annotations

import functools
import json
import sys
from contextlib import contextmanager
from datetime import UTC, date
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from monitor import __version__, logs
from monitor.config import Config, ConfigError, effective_toml, load_config, today
from monitor.engine import run_check
from monitor.exports import csv_text, json_text
from monitor.findings import FindingsError, explain, export_findings
from monitor.importer import import_folder
from monitor.records import parse_date
from monitor.rules import STATUSES, RuleError, describe_parameters, load_rules
from monitor.runs import STORE, LockError, StoreLock
from monitor.store import StoreError, backup_sqlite, connect, open_store, store_failure, upgrade_store

out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True)


class _Commands(TyperGroup):
    """Every command: a failure of the store, the disk or a lock ends in one line on stderr and
    exit 1, never a traceback or a driver's message (they can carry record values); `--debug`
    shows the traceback instead."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except Exception as exc:
            if ctx.params.get("debug") or type(exc).__module__.split(".")[0] in ("typer", "click"):
                raise
            command = ctx.invoked_subcommand or "send-monitor"
            url = getattr(ctx.obj, "database_url", "")
            if isinstance(exc, (LockError, StoreError)):
                message = str(exc)
            else:
                message = store_failure(exc, url) or (
                    f"internal error ({type(exc).__name__}): run "
                    f"`send-monitor --debug {command} …` to see the traceback"
                )
            _fail(f"{command}: {message}")
        finally:
            _close_store()


app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    cls=_Commands,
    pretty_exceptions_show_locals=False,
    help="Compliance monitor for the SEND Tribunal's extended appeals (SI 2017/1306).",
)


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
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"send-monitor {__version__}")
        raise typer.Exit()


class LogLevel(str, Enum):
    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


@app.callback()
def main(
    ctx: typer.Context,
    db: Optional[str] = typer.Option(
        None, "--db", help="SQLAlchemy URL of the store (default sqlite:///send-monitor.db)."
    ),
    config: Optional[Path] = typer.Option(None, "--config", help="TOML configuration file (or SEND_MONITOR_CONFIG)."),
    log_level: LogLevel = typer.Option(
        LogLevel.INFO,
        "--log-level",
        envvar="SEND_MONITOR_LOG_LEVEL",
        case_sensitive=False,
        help="Log this level and above to stderr.",
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of an error instead of one line."),
) -> None:
    logs.configure("DEBUG" if debug else log_level.value)
    try:
        ctx.obj = load_config(config, db)
    except ConfigError as exc:
        for problem in exc.problems[:-1]:
            err.print(f"[bold red]error:[/] {escape(problem)}", highlight=False)
        _fail(exc.problems[-1])


_opened: list = []  # (config, engine) of the running command, disposed when it ends


def _store(cfg: Config):
    """The command's store (opened once per command)."""
    for config, engine in _opened:
        if config is cfg:
            return engine
    try:
        engine = open_store(cfg.database_url)
    except StoreError as exc:
        _fail(str(exc))
    _opened.append((cfg, engine))
    return engine


def _close_store() -> None:
    while _opened:
        _opened.pop()[1].dispose()


def _waiting(message: str) -> None:
    """Say on stderr whom a writer waits for."""
    err.print(escape(message), highlight=False)


def _writes(command: str):
    """Run the command under the store-wide writer lock, waiting (with a message on stderr) up to
    the configuration's lock_timeout_seconds for another writer to finish."""

    def decorate(fn):
        @functools.wraps(fn)
        def locked(*args, **kwargs):
            cfg: Config = kwargs["ctx"].obj
            with StoreLock(_store(cfg), STORE, command, timeout=cfg.lock_timeout_seconds, on_wait=_waiting):
                return fn(*args, **kwargs)

        return locked

    return decorate


def _rules(cfg: Config):
    try:
        return load_rules(cfg.rules_dir, cfg.parameters)
    except RuleError as exc:
        _fail(str(exc))


@contextmanager
def _progress(min_total: int = 0):
    """A rich progress bar (on a terminal only); yields the core's `progress(name, done, total)`
    callback, which opens one task per name (totals below `min_total` are not shown)."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(name: str, done: int, total: int | None) -> None:
            if total is not None and total < min_total:
                return
            if name not in tasks:
                tasks[name] = bar.add_task(name, total=total)
            bar.update(tasks[name], completed=done, total=total)

        yield progress


@app.command("import")
@_writes("import")
def import_(
    ctx: typer.Context,
    folder: Path = typer.Argument(
        ..., help="A folder of CSV exports, or an .xlsx workbook (one sheet per record type)."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Validate against the store and show what would change; write nothing."
    ),
    report: Optional[Path] = typer.Option(
        None, "--report", help="Also write the problems to this CSV file (for a spreadsheet)."
    ),
    mapping: Optional[Path] = typer.Option(
        None, "--mapping", help="TOML file renaming the source's columns and values."
    ),
) -> None:
    """Validate an export (CSV folder or workbook) and load it into the store, all or nothing."""
    from monitor.mapping import MappingError, load_mapping
    from monitor.problems import write_report

    cfg: Config = ctx.obj
    try:
        mapped = load_mapping(mapping) if mapping is not None else None
    except MappingError as exc:
        _fail(str(exc))
    engine, rules = _store(cfg), _rules(cfg)
    with _progress(min_total=50_000) as progress:
        result = import_folder(engine, folder, rules.keys(), progress, mapping=mapped, dry_run=dry_run)
    if report is not None:
        try:
            write_report(report, result.problems)
        except OSError as exc:
            _fail(f"cannot write the report {report}: {exc.strerror}")
    for note in result.notes:
        out.print(f"note: {note}", highlight=False, markup=False, soft_wrap=True)
    if not result.ok:
        typer.echo(f"{len(result.problems)} problem(s) in {folder}; nothing was imported:", err=True)
        for problem in result.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(1)
    title = "dry run: nothing was written" if dry_run else f"import batch {result.batch_id}"
    table = Table("file", "new", "updated", "unchanged", title=title)
    for name, c in result.counts.items():
        table.add_row(result.labels.get(name, f"{name}.csv"), str(c["new"]), str(c["updated"]), str(c["unchanged"]))
    out.print(table)


@app.command()
def template(
    ctx: typer.Context,
    target: Path = typer.Argument(..., help="OUT.xlsx for a workbook, or a folder for blank CSV files."),
) -> None:
    """Write a blank export to fill in: a workbook (one sheet per record type) or CSV files."""
    from monitor.template import TemplateError, write_template

    try:
        written = write_template(target)
    except TemplateError as exc:
        _fail(str(exc))
    out.print(str(written), highlight=False, markup=False, soft_wrap=True)


@app.command()
@_writes("check")
def check(
    ctx: typer.Context,
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Date to check as of (default today)."),
    full: bool = typer.Option(False, "--full", help="Re-evaluate every subject, not only what can have changed."),
) -> None:
    """Evaluate every duty as of a date and store the findings."""
    cfg: Config = ctx.obj
    day = _date(as_of) or today(cfg)
    engine, rules = _store(cfg), _rules(cfg)
    with _progress() as progress:
        result = run_check(engine, rules, day, progress, full=full)
    shown = [s for s in STATUSES if s != "not_applicable"]
    table = Table(
        title=f"findings as of {day.isoformat()} (check {result.check_id}, {result.mode}: "
        f"{result.evaluated} evaluated, {result.decided} distinct fact sets, {result.changed} changed)"
    )
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
    as_of: Optional[str] = typer.Option(
        None, "--as-of", help="The date of the stored findings (default: the latest check)."
    ),
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
        table = Table(
            "duty",
            "subject",
            "area",
            "owner",
            "status",
            "due",
            "done",
            "days late",
            title=f"findings as of {held.isoformat()}",
        )
        for r in rows:  # Text: ids and names are shown as written, never read as markup
            table.add_row(
                *(
                    Text(str(v))
                    for v in (
                        r["duty"],
                        r["subject"],
                        r["area"],
                        r["owner"],
                        r["status"],
                        r["due_on"] or "",
                        r["done_on"] or "",
                        r["days_late"],
                    )
                )
            )
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
    for hop in e.handovers:
        p(
            f"acts now: {hop.to_body.code} ({hop.to_body.name}) took over the duties of "
            f"{hop.from_body.code} ({hop.from_body.name}) on {hop.on.isoformat()}"
        )
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
        p(
            f"exception {x['exception_id']}: granted by {x['granted_by']} on {x['granted_on']}, "
            f"expires {x['expires_on']}: {x['justification']}"
        )
    p(f"rule {e.duty.path.name} version {e.duty.version}")
    p(f"source: {e.duty.source}")
    if e.history:
        p("history:")
        for h in e.history:
            p(f"  {h['as_of']}: {h['old_status'] or '(new)'} → {h['new_status']}")


@app.command()
def duties(
    ctx: typer.Context,
    rules_dir: Optional[Path] = typer.Argument(None, help="A rules folder (default: the configuration's rules_dir)."),
    check: bool = typer.Option(False, "--check", help="Only validate the rules folder (e.g. one being edited)."),
) -> None:
    """List the duties: id, owner, deadline and the values they use, rule version. With --check: validate."""
    cfg: Config = ctx.obj
    folder = rules_dir or cfg.rules_dir
    try:
        rules = load_rules(folder, cfg.parameters)
    except RuleError as exc:
        _fail(str(exc))
    if check:
        out.print(f"{folder}: {len(rules)} duties, every decision table valid", highlight=False, markup=False)
        return
    table = Table("duty", "owner", "deadline", "values", "version")
    for rule in rules.values():
        table.add_row(rule.id, rule.owner, rule.deadline, describe_parameters(rule), rule.version)
    out.print(table)


@app.command()
@_writes("publish")
def publish(
    ctx: typer.Context,
    out_dir: Optional[Path] = typer.Argument(
        None, help="Folder to write the site into (default: the config's site_dir)."
    ),
    as_of: Optional[str] = typer.Option(
        None, "--as-of", help="The date of the stored findings (default: the latest check)."
    ),
    pdf: bool = typer.Option(
        False, "--pdf", help="Also print each area's inspector report to report.pdf (headless Chromium)."
    ),
) -> None:
    """Write the static site: national, area and commissioner dashboards, explanations, inspector reports."""
    from monitor.publish import PublishError
    from monitor.publish import publish as publish_site

    cfg: Config = ctx.obj
    target = out_dir or cfg.site_dir
    engine, rules = _store(cfg), _rules(cfg)
    try:
        with _progress() as progress:
            index = publish_site(engine, rules, target, _date(as_of), pdf=pdf, site_url=cfg.site_url, progress=progress)
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
    err.print(
        f"serving {folder} on http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C stops)",
        highlight=False,
        markup=False,
    )
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
        value = value.replace(tzinfo=UTC)
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S") if hasattr(value, "astimezone") else str(value)


@app.command()
@_writes("alerts")
def alerts(
    ctx: typer.Context,
    dry_run: bool = typer.Option(False, "--dry-run", help="Print what would go out; send nothing, record nothing."),
    preview: Optional[Path] = typer.Option(
        None,
        "--preview",
        help="Write each message as .eml and .html files in this folder; send nothing, record nothing.",
    ),
) -> None:
    """E-mail each owner a digest of the latest check's new events, then send the outbox."""
    from monitor.alerts import AlertError, run_alerts, write_preview
    from monitor.runs import finish_run, start_run

    cfg: Config = ctx.obj
    engine, rules = _store(cfg), _rules(cfg)
    p = lambda text="": out.print(text, highlight=False, markup=False, soft_wrap=True)  # noqa: E731
    if dry_run or preview is not None:
        try:
            report = run_alerts(engine, cfg, rules, dry_run=True)
        except AlertError as exc:
            _fail(str(exc))
        if preview is not None:
            try:
                written = write_preview(report, preview, cfg.smtp.sender)
            except OSError as exc:
                _fail(f"cannot write the preview into {preview}: {exc.strerror or exc}")
            p(
                f"preview as of {report.as_of}: {len(written) // 2} message(s) written to {preview} "
                f"(.eml and .html). Nothing sent or recorded."
            )
        else:
            for digest in report.messages:
                p(f"To: {digest.address}")
                p(f"Subject: {digest.subject}")
                p()
                p(digest.text)
                p("=" * 72)
            p(
                f"dry run as of {report.as_of}: {len(report.messages)} message(s) with {report.events} event(s) would "
                f"be queued; {report.waiting} message(s) already in the outbox would be retried. Nothing sent or "
                f"recorded."
            )
        for problem in report.problems():
            err.print(f"warning: {problem}", highlight=False, markup=False)
        return
    run_id = start_run(engine, "alerts", "cli")
    try:
        report = run_alerts(engine, cfg, rules, run_id=run_id)
    except AlertError as exc:
        finish_run(engine, run_id, "failed", detail=str(exc))
        _fail(str(exc))
    except Exception as exc:
        finish_run(engine, run_id, "failed", detail=store_failure(exc, engine.url) or type(exc).__name__)
        raise
    s = report.send
    outcome = "partial" if (s.kept or s.failed or s.busy or report.interrupted) else "ok"
    finish_run(engine, run_id, outcome, report.counts(), "\n".join(report.problems()) or None, as_of=report.as_of)
    if report.messages:
        table = Table("recipient", "items", "subject", title=f"messages queued (run {run_id})")
        for digest in report.messages:
            table.add_row(digest.address, str(len(digest.items)), digest.subject)
        out.print(table)
    for problem in report.problems():
        if not (s.busy and problem.endswith(s.busy)):  # said once, as the error below
            err.print(f"warning: {problem}", highlight=False, markup=False)
    p(
        f"alerts as of {report.as_of}: {report.events} new event(s) in {len(report.digests)} digest(s) and "
        f"{len(report.notices)} notice(s); sent {s.sent}, kept {s.kept}, failed {s.failed}"
    )
    if s.busy:
        _fail(f"sending stopped: {s.busy}")
    if s.error and s.kept:
        _fail(f"{s.kept} message(s) kept in the outbox for the next run: {s.error}", code=2)
    if s.failed or report.interrupted:
        _fail(f"{s.failed + len(report.interrupted)} message(s) failed (see `send-monitor status`)", code=2)


@app.command()
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
    day = _date(as_of)
    engine = _store(cfg)
    if once:
        result = run_once(cfg, engine, as_of=day)
        table = Table("step", "outcome", title=f"cycle {result.cycle} as of {result.as_of}")
        for step, outcome in result.steps.items():
            table.add_row(step, outcome)
        out.print(table)
        if not result.ok:
            raise typer.Exit(1)
        return
    scheduler = MonitorScheduler(cfg, engine, every=every, as_of=day)
    scheduler.run()
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
        p(f"scheduler: running, pid {lock['pid']} on {lock['host']} since {_when(lock['since'])}")
    else:
        p("scheduler: not running")
    if report["next_run"]:
        p(f"next scheduled run: {_when(report['next_run'])}")
    check = report["check"]
    p(
        f"latest check: {check['id']} as of {check['as_of']}, finished {_when(check['finished_at'])}"
        if check
        else "latest check: none"
    )
    batch = report["import"]
    p(
        f"latest import: batch {batch['id']} from {batch['source']}, finished {_when(batch['finished_at'])}"
        if batch
        else "latest import: none"
    )
    o = report["outbox"]
    p(
        f"outbox: {o.get('queued', 0)} queued, {o.get('sent', 0)} sent, {o.get('failed', 0)} failed"
        + "".join(f", {o[state]} {state}" for state in ("retrying", "sending") if o.get(state))
    )
    if not report["runs"]:
        p("runs: none yet")
        return
    table = Table(
        "run", "cycle", "step", "trigger", "as of", "started", "secs", "outcome", "counts / detail", title="latest runs"
    )
    for r in report["runs"]:
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
            _when(r["started_at"]),
            took,
            r["outcome"],
            "; ".join(x for x in [counts, *detail[:1]] if x),
        )
    out.print(table)


# --- upgrades and backups (issue 12) ---------------------------------------------------------


@app.command()
def upgrade(ctx: typer.Context) -> None:
    """Migrate the store to this version's schema, in one transaction (back it up first)."""
    cfg: Config = ctx.obj
    engine = connect(cfg.database_url)  # not open_store: that refuses a store whose schema is behind
    try:
        with StoreLock(engine, STORE, "upgrade", timeout=cfg.lock_timeout_seconds, on_wait=_waiting, tidy=False):
            found, head = upgrade_store(cfg.database_url)
    except StoreError as exc:
        _fail(str(exc))
    finally:
        engine.dispose()
    if found == head:
        out.print(f"the store is already at schema revision {head}", highlight=False)
    else:
        out.print(f"upgraded the store from schema revision {found or '(new store)'} to {head}", highlight=False)


@app.command()
def backup(ctx: typer.Context, file: Path = typer.Argument(..., help="The new file to write the copy to.")) -> None:
    """Copy a SQLite store to FILE while it is in use (SQLite's online backup; PostgreSQL: pg_dump)."""
    cfg: Config = ctx.obj
    try:
        backup_sqlite(cfg.database_url, file)
    except StoreError as exc:
        _fail(str(exc))
    out.print(f"backed up the store to {file}", highlight=False, markup=False)


@app.command("config")
def config_(ctx: typer.Context) -> None:
    """Print the settings in force (the file, the environment and the defaults), secrets masked."""
    out.print(effective_toml(ctx.obj), highlight=False, markup=False, end="", soft_wrap=True)
