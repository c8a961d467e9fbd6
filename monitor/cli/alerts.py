"""`alerts`: e-mail each owner a digest of the latest check's new events, then send the outbox."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Optional
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from monitor.cli.options import fail, out, rules, say, store, warn, writes

if TYPE_CHECKING:
    from monitor.config import Config

commands = typer.Typer()


def _next_try(at: datetime | None, timezone: str) -> str:
    """When the kept messages are tried again, in the configured time zone."""
    from monitor.alerts.render import uk_date

    retry = "or run `send-monitor alerts --retry-now` once the mail server is mended"
    if at is None:
        return f"they are tried on the next run, {retry}"
    local = at.astimezone(ZoneInfo(timezone))
    return f"next try on the first run after {local:%H:%M} on {uk_date(local.date())} ({timezone}), {retry}"


@commands.command()
@writes("alerts")
def alerts(
    ctx: typer.Context,
    dry_run: bool = typer.Option(False, "--dry-run", help="Print what would go out; send nothing, record nothing."),
    preview: Optional[Path] = typer.Option(
        None,
        "--preview",
        help="Write each message as .eml and .html files in this folder; send nothing, record nothing.",
    ),
    retry_now: bool = typer.Option(
        False, "--retry-now", help="Also retry at once the messages waiting for a retry (e.g. after mending SMTP)."
    ),
) -> None:
    """E-mail each owner a digest of the latest check's new events, then send the outbox."""
    from monitor.alerts import AlertError, run_alerts, write_preview
    from monitor.steps import alerts_step, run_step

    cfg: Config = ctx.obj
    engine, duties = store(cfg), rules(cfg)
    if dry_run or preview is not None:
        try:
            report = run_alerts(engine, cfg, duties, dry_run=True, retry_now=retry_now)
        except AlertError as exc:
            fail(str(exc))
        if preview is not None:
            try:
                written = write_preview(report, preview, cfg.smtp.sender)
            except OSError as exc:
                fail(f"cannot write the preview into {preview}: {exc.strerror or exc}")
            say(
                f"preview as of {report.as_of}: {len(written) // 2} message(s) written to {preview} "
                f"(.eml and .html). Nothing sent or recorded."
            )
        else:
            for digest in report.messages:
                say(f"To: {digest.address}")
                say(f"Subject: {digest.subject}")
                say()
                say(digest.text)
                say("=" * 72)
            for label, listed in (
                ("from the outbox", report.outbox_due),
                ("re-sent to a corrected address", report.resend),
            ):
                for address, subject in listed:
                    say(f"To: {address} ({label})")
                    say(f"Subject: {subject}")
                    say("=" * 72)
            total = len(report.messages) + len(report.outbox_due) + len(report.resend)
            say(
                f"dry run as of {report.as_of}: a run would send {total} message(s) now: {len(report.messages)} new "
                f"with {report.events} event(s), {len(report.outbox_due)} from the outbox and {len(report.resend)} "
                f"re-sent to a corrected address; {report.outbox_later} wait for a later retry and "
                f"{report.stuck} interrupted earlier would be reported, not sent again. Nothing sent or recorded."
            )
        for problem in report.problems():
            warn(problem)
        return
    done = run_step(engine, "alerts", "cli", lambda run_id: alerts_step(engine, cfg, duties, run_id, retry_now))
    if isinstance(done.error, AlertError):
        fail(str(done.error))
    elif done.error is not None:
        raise done.error
    report, s = done.value, done.value.send
    if report.messages:
        table = Table("recipient", "items", "subject", title=f"messages queued (run {done.run_id})")
        for digest in report.messages:
            table.add_row(digest.address, str(len(digest.items)), digest.subject)
        out.print(table)
    said_below = [s.busy] if s.busy else []
    said_below += [f"{s.kept} message(s) kept in the outbox: {s.error}"] if s.error and s.kept else []
    for problem in report.problems():
        if not any(problem.endswith(line) for line in said_below):  # said once, as the error below
            warn(problem)
    say(
        f"alerts as of {report.as_of}: {report.events} new event(s) in {len(report.digests)} digest(s) and "
        f"{len(report.notices)} notice(s); sent {s.sent}, kept {s.kept}, failed {s.failed}"
    )
    if s.busy:
        fail(f"sending stopped: {s.busy}")
    if s.error and s.kept:
        fail(
            f"{s.kept} message(s) kept in the outbox: {s.error}; {_next_try(s.next_try, cfg.schedule.timezone)}", code=2
        )
    if s.failed or report.interrupted:
        fail(f"{s.failed + len(report.interrupted)} message(s) failed (see `send-monitor status`)", code=2)
