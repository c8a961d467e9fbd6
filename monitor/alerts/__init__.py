"""Alerts: what happened (events), who gets what (recipients), how it reads (render, with
the alert kinds in `kinds`), the notices, the outbox and SMTP.

`run_alerts` works out the new events of the latest check and the notices (failed
exports, quiet areas), queues one message per recipient address together with the events
it carries (one transaction), then sends every message that is due. See `events`,
`recipients`, `render`, `notices` and `outbox` for the rules of each stage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import make_msgid
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine

from monitor.alerts.events import (
    AlertError,
    alertable_findings,
    export_failures,
    finding_events,
    notices_sent,
    quiet_areas,
    sent_keys,
)
from monitor.alerts.notices import export_failure_notice, quiet_notices
from monitor.alerts.outbox import (
    SendResult,
    StoreBusy,
    due_messages,
    email_message,
    outbox_counts,
    queue_messages,
    send_due,
    write,
)
from monitor.alerts.recipients import Digest, Directory, Item, Unaddressed, by_address, plan_items, unaddressed
from monitor.alerts.render import render_digest
from monitor.alerts.resends import corrected, recover_interrupted, requeue_corrected
from monitor.config import Config
from monitor.models import AlertEvent, AlertNotice, OutboxMessage

NO_SITE = "site_url is not set, so every link in the e-mails would be dead; nothing is sent"

__all__ = ["AlertError", "AlertReport", "finding_events", "outbox_counts", "run_alerts", "write_preview"]


@dataclass
class AlertReport:
    as_of: date | None
    check_id: int | None
    dry_run: bool
    items: list[Item] = field(default_factory=list)
    digests: list[Digest] = field(default_factory=list)
    notices: list[Digest] = field(default_factory=list)  # export failures, quiet areas
    unaddressed: list[Unaddressed] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)  # notices that have nobody to go to
    queued: int = 0  # messages queued by this run
    waiting: int = 0  # messages queued or retrying before this run
    interrupted: list[dict] = field(default_factory=list)  # found `sending` from a dead run
    requeued: int = 0  # failed messages re-queued to a corrected address
    no_site: bool = False  # site_url is not set: every link would be dead
    # a dry run: what the outbox would send too (recipient, subject), and what it would not
    outbox_due: list[tuple[str, str]] = field(default_factory=list)  # queued, or retries now due
    resend: list[tuple[str, str]] = field(default_factory=list)  # failed, re-sent to a corrected address
    outbox_later: int = 0  # retries still waiting out their back-off
    stuck: int = 0  # found `sending` (a run died mid-delivery): reported, never re-sent
    send: SendResult = field(default_factory=SendResult)

    @property
    def events(self) -> int:
        return sum(len(i.events) for i in self.items if i.recipients)

    @property
    def messages(self) -> list[Digest]:
        return self.digests + self.notices

    def problems(self) -> list[str]:
        """One line per thing a person should look at (no record values)."""
        lines = [NO_SITE] if self.no_site else []
        lines += [str(u) for u in self.unaddressed] + self.unreachable
        lines += [
            f"message {r['id']} ({r['message_id']}) was interrupted while sending in an earlier run: "
            f"delivery unknown, marked failed and not re-sent"
            for r in self.interrupted
        ]
        lines += self.send.problems
        if self.send.error and self.send.kept and not self.send.busy:
            lines.append(f"{self.send.kept} message(s) kept in the outbox: {self.send.error}")
        if self.send.busy:
            lines.append(f"sending stopped: {self.send.busy}")
        return lines

    def counts(self) -> dict:
        by_kind: dict[str, int] = {}
        for item in self.items:
            if item.recipients:
                by_kind[item.kind] = by_kind.get(item.kind, 0) + 1
        s = self.send
        return {
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "check_id": self.check_id,
            "events": self.events,
            "items": by_kind,
            "digests": len(self.digests),
            "notices": len(self.notices),
            "queued": self.queued,
            "sent": s.sent,
            "kept": s.kept,
            "failed": s.failed,
            "unconfirmed": s.unconfirmed,
            "interrupted": len(self.interrupted),
            "requeued": self.requeued,
            "unaddressed": len(self.unaddressed),
        }


def _warning_days(rules: dict) -> int:
    return next((r.parameters["warning_days"] for r in rules.values() if "warning_days" in r.parameters), 7)


def plan(engine: Engine, config: Config, rules: dict, now: datetime, dry_run: bool) -> tuple[AlertReport, Directory]:
    """What this run would queue: the digests and notices, and who cannot be reached."""
    with engine.connect() as conn:
        as_of, check_id, findings = alertable_findings(conn)
        directory = Directory(conn)
        directory.load_recommendations(conn, {f["record_key"] for f in findings if f.get("record_key")})
        sent = sent_keys(conn, date.min)
        announced = notices_sent(conn)
        failures = [f for f in export_failures(conn) if f.key not in announced]
        quiet = quiet_areas(conn, now, config.alerts.quiet_after_days, directory.current_areas(as_of))
        o = OutboxMessage.__table__
        waiting = conn.execute(
            select(func.count()).select_from(o).where(o.c.status.in_(("queued", "retrying")))
        ).scalar_one()
    report = AlertReport(as_of=as_of, check_id=check_id, dry_run=dry_run, waiting=waiting, no_site=not config.site_url)
    report.items = plan_items(directory, findings, as_of, sent, config, rules)
    report.unaddressed = unaddressed(report.items)
    addressed = by_address([i for i in report.items if i.recipients], directory, announced, as_of)
    report.digests = [render_digest(d, as_of, config, _warning_days(rules)) for d in addressed]
    for failure in failures:
        message, nobody = export_failure_notice(failure, directory, config)
        if message:
            report.notices.append(message)
        else:
            assert nobody is not None  # export_failure_notice names who cannot be reached
            report.unreachable.append(
                f"a failed export (run {failure.run_id}) cannot be e-mailed: area "
                f"{nobody.code} {nobody.problem} and [alerts] admin_email is not set"
            )
    quiet_messages, silent = quiet_notices(quiet, announced, directory, config, now.date())
    report.notices += quiet_messages
    report.unreachable += [
        f"area {b.code} ({b.name}) has had no import for {config.alerts.quiet_after_days} days "
        f"or more and {b.problem}: no reminder sent"
        for b in silent
    ]
    return report, directory


def run_alerts(
    engine: Engine,
    config: Config,
    rules: dict | None = None,
    dry_run: bool = False,
    run_id: int | None = None,
    now: datetime | None = None,
    retry_now: bool = False,
) -> AlertReport:
    """Work out the new events and notices, queue one message per recipient, send what is due
    (with `retry_now`, the messages waiting out a back-off too).

    With `dry_run`, nothing is written and nothing is sent: the report holds what would go out.
    Without `site_url` in the configuration nothing is sent either (AlertError): every link
    would be dead."""
    if not dry_run and not config.site_url:
        raise AlertError(f"{NO_SITE}: set site_url in the configuration and run `send-monitor alerts` again")
    now = now or datetime.now(UTC)
    report, directory = plan(engine, config, rules or {}, now, dry_run)
    addresses = {
        (b.role, b.code): b.usable for table in (directory.areas, directory.commissioners) for b in table.values()
    }
    if dry_run:
        o = OutboxMessage.__table__
        with engine.connect() as conn:
            due, report.outbox_later = due_messages(conn, now, retry_now)
            report.outbox_due = [(r["recipient"], r["subject"]) for r in due]
            report.resend = [(new, r["subject"]) for r, _, _, new in corrected(conn, addresses)]
            report.stuck = conn.execute(select(func.count()).select_from(o).where(o.c.status == "sending")).scalar_one()
        return report
    try:
        report.interrupted = recover_interrupted(engine, now)
        if report.messages:
            write(engine, lambda conn: _queue(conn, report, config, now, run_id))
            report.queued = len(report.messages)
        report.requeued = requeue_corrected(engine, addresses, now, config.smtp.sender, run_id)
    except StoreBusy as exc:
        raise AlertError(f"{exc}: nothing was queued or sent; run `send-monitor alerts` again") from None
    report.send = send_due(engine, config.smtp, config.alerts, run_id, retry_now=retry_now)
    return report


def _queue(conn, report: AlertReport, config: Config, now: datetime, run_id: int | None) -> None:
    """Queue the messages, the events they carry and the notices they give, in one transaction."""
    ids = queue_messages(conn, report.messages, config.smtp.sender, now, run_id, report.check_id)
    rows = []
    for item in report.items:
        if not item.recipients:
            continue  # kept pending: reported, sent once an address is set
        f = item.finding
        for event in item.events:
            rows.append(
                {
                    "duty": event.duty,
                    "subject": event.subject,
                    "kind": event.kind,
                    "event_on": event.event_on,
                    "check_id": report.check_id,
                    "as_of": report.as_of,
                    "area": f["area"],
                    "owner": f["owner"],
                    "case_ref": f["case_ref"],
                    "status": f["status"],
                    "due_on": f["due_on"],
                    "days_late": f["days_late"],
                    "recipients": item.recipients,
                    "unaddressed": [b.code for b in item.unaddressed],
                    "run_id": run_id,
                    "created_at": now,
                }
            )
    if rows:
        conn.execute(insert(AlertEvent.__table__), rows)
    notices, seen = [], set()
    for message, outbox_id in zip(report.messages, ids, strict=False):
        for kind, key in message.notice_keys:
            if key not in seen:
                seen.add(key)
                notices.append({"kind": kind, "key": key, "outbox_id": outbox_id, "created_at": now})
    if notices:
        conn.execute(insert(AlertNotice.__table__), notices)


def write_preview(report: AlertReport, folder: Path, sender: str, now: datetime | None = None) -> list[Path]:
    """Each message of a dry run as `NN-recipient.eml` and `.html` in `folder`; the files written."""
    now = now or datetime.now(UTC)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for n, message in enumerate(report.messages, 1):
        row = {
            "recipient": message.address,
            "subject": message.subject,
            "created_at": now,
            "message_id": make_msgid(domain="preview.invalid"),
            "kind": message.kind,
            "body_text": message.text,
            "body_html": message.html,
            "attachments": message.attachments,
        }
        stem = folder / f"{n:02d}-{message.kind}-{re.sub(r'[^A-Za-z0-9.@-]', '_', message.address)}"
        eml, html = Path(f"{stem}.eml"), Path(f"{stem}.html")
        eml.write_bytes(email_message(row, sender).as_bytes())
        html.write_text(message.html, encoding="utf-8")
        written += [eml, html]
    return written
