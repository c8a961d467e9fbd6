"""Alerts: events from the findings and their history, one digest per recipient, outbox, SMTP.

Events (each sent exactly once, keyed by (duty, subject, kind, event_on)):

- ``due_soon``   the finding is ``due_soon``; event_on = the as-of date it became so.
- ``breach``     the finding is ``overdue``, ``late`` or ``breached``; event_on = the as-of
                 date it entered that status (a breach that returns after an exception
                 expires is a new status change, so a new event).
- ``reminder``   the finding is still ``overdue`` (an open breach) and has been for at
                 least ``reminder_days``; event_on = since + k * reminder_days, the latest
                 such date not after the as-of date (so one reminder per cadence step).
- ``escalation`` the finding has been ``overdue`` for at least ``escalate_after_days``;
                 event_on = the date it became overdue (once per breach). It goes to the
                 owner and is copied to the area's SEND lead (the area's send_team_email).
- ``resolution`` the finding went from a breach (overdue/late/breached) to ``met`` or
                 ``exception``; event_on = the as-of date of that change.

Clocks count in as-of days of the latest check, never wall-clock time. Only the
current state of the latest check produces events: a due-soon that has already turned
into a breach is not sent late. When several events of one finding are new at once
(e.g. a breach found already 14 days open), the digest shows the finding once, under
the most important kind, and all of those events are recorded as sent.

A run builds one digest per recipient address, queues it in the ``outbox`` table
together with the events it carries (one transaction), then sends every queued
message. If the SMTP server is unreachable the messages stay queued and the next run
sends them, once. An item whose recipients have no address is reported (and recorded
in the run's detail) and kept pending, so it goes out once the address is set.

Messages carry case references, duty ids and body names (areas, commissioners) only;
the ``reason`` of an ``exception`` (which names the person who granted it) is never
included.
"""

from __future__ import annotations

import smtplib
import ssl
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection, Engine

from monitor.config import AlertConfig, Config, SmtpConfig
from monitor.findings import (
    areas_and_commissioners,
    explanation_path,
    latest_check,
    query_findings,
    resolved_breaches,
)
from monitor.models import AlertEvent, OutboxMessage

BREACH = ("overdue", "late", "breached")
RESOLVED = ("met", "exception")
KINDS = ("escalation", "breach", "reminder", "due_soon", "resolution")  # most important first
SECTIONS = {
    "breach": "New breaches",
    "escalation": "Escalations: breaches still open after {escalate_after_days} days",
    "reminder": "Reminders: breaches still open",
    "due_soon": "Due soon",
    "resolution": "Resolved",
}
SECTION_ORDER = ("breach", "escalation", "reminder", "due_soon", "resolution")
TEMPLATES = Path(__file__).resolve().parent / "templates" / "email"


class AlertError(Exception):
    """Alerts cannot be worked out (no check yet)."""


@dataclass(frozen=True)
class Event:
    duty: str
    subject: str
    kind: str
    event_on: date

    @property
    def key(self) -> tuple[str, str, str, date]:
        return (self.duty, self.subject, self.kind, self.event_on)


@dataclass
class Body:
    """An area or a commissioner: who must act, and where its alerts go."""

    code: str
    name: str
    role: str  # "area" or "commissioner" or "unknown"
    address: str | None


@dataclass
class Item:
    """One finding in a digest, under its most important new event."""

    finding: dict
    kind: str
    events: list[Event]
    owner: Body
    area: Body
    link: str
    duty_title: str
    old_status: str | None = None
    open_since: date | None = None
    recipients: list[str] = field(default_factory=list)
    unaddressed: list[str] = field(default_factory=list)


@dataclass
class Digest:
    address: str
    bodies: list[Body]
    items: list[Item]
    subject: str = ""
    text: str = ""
    html: str = ""


@dataclass
class Unaddressed:
    """A body that should receive alerts but has no address in the records."""

    code: str
    name: str
    role: str
    field: str  # the record column to fill in
    items: int
    pending: bool  # True: nothing could be sent, the items are kept for a later run

    def __str__(self) -> str:
        what = (f"{self.items} item(s) kept until it is set" if self.pending
                else f"{self.items} item(s) not copied to it")
        return f"{self.role} {self.code} ({self.name}) has no {self.field}: {what}"


@dataclass
class SendResult:
    sent: int = 0
    kept: int = 0
    failed: int = 0
    error: str | None = None


@dataclass
class AlertReport:
    as_of: date | None
    check_id: int | None
    dry_run: bool
    items: list[Item] = field(default_factory=list)
    digests: list[Digest] = field(default_factory=list)
    unaddressed: list[Unaddressed] = field(default_factory=list)
    queued: int = 0            # messages queued by this run
    waiting: int = 0           # messages already queued before this run (dry run: would be retried)
    send: SendResult = field(default_factory=SendResult)

    @property
    def events(self) -> int:
        return sum(len(i.events) for i in self.items if i.recipients)

    def counts(self) -> dict:
        by_kind: dict[str, int] = defaultdict(int)
        for item in self.items:
            if item.recipients:
                by_kind[item.kind] += 1
        return {"as_of": self.as_of.isoformat() if self.as_of else None, "check_id": self.check_id,
                "events": self.events, "items": dict(by_kind), "digests": len(self.digests),
                "queued": self.queued, "sent": self.send.sent, "kept": self.send.kept,
                "failed": self.send.failed, "unaddressed": len(self.unaddressed)}


# --- events -----------------------------------------------------------------------------------


def finding_events(finding: dict, as_of: date, alerts: AlertConfig) -> list[Event]:
    """The events a finding's current status gives as of `as_of` (whether sent or not)."""
    duty, subject, status, since = finding["duty"], finding["subject"], finding["status"], finding["status_since"]
    events = []
    if status == "due_soon":
        events.append(Event(duty, subject, "due_soon", since))
    elif status in BREACH:
        events.append(Event(duty, subject, "breach", since))
        if status == "overdue":
            open_days = (as_of - since).days
            if alerts.reminder_days > 0 and open_days >= alerts.reminder_days:
                step = open_days // alerts.reminder_days
                events.append(Event(duty, subject, "reminder", since + timedelta(days=step * alerts.reminder_days)))
            if alerts.escalate_after_days > 0 and open_days >= alerts.escalate_after_days:
                events.append(Event(duty, subject, "escalation", since))
    elif status in RESOLVED and finding.get("old_status") in BREACH:
        events.append(Event(duty, subject, "resolution", since))
    return events


def _sent_keys(conn: Connection, since: date) -> set[tuple]:
    t = AlertEvent.__table__
    rows = conn.execute(select(t.c.duty, t.c.subject, t.c.kind, t.c.event_on).where(t.c.event_on >= since))
    return {tuple(r) for r in rows}


def _bodies(conn: Connection) -> tuple[dict[str, Body], dict[str, Body]]:
    areas, commissioners = areas_and_commissioners(conn)
    return ({a["area_code"]: Body(a["area_code"], a["name"], "area", (a["send_team_email"] or "").strip() or None)
             for a in areas},
            {c["commissioner_code"]: Body(c["commissioner_code"], c["name"], "commissioner",
                                          (c["contact_email"] or "").strip() or None) for c in commissioners})


def _link(site_url: str, finding: dict) -> str:
    path = explanation_path(finding["area"], finding["duty"], finding["subject"])
    return f"{site_url.rstrip('/')}/{path}" if site_url else path


def plan_items(conn: Connection, config: Config, rules: dict | None = None) -> tuple[date, int, list[Item]]:
    """The findings with events not yet sent, as digest items with their recipients resolved."""
    check = latest_check(conn)
    if check is None:
        raise AlertError("no findings yet: run `send-monitor check` first")
    as_of = check.as_of
    candidates = []
    for status in ("due_soon", *BREACH):
        candidates += query_findings(conn, status=status)
    candidates += resolved_breaches(conn, BREACH, RESOLVED)
    per_finding = [(f, finding_events(f, as_of, config.alerts)) for f in candidates]
    per_finding = [(f, evs) for f, evs in per_finding if evs]
    if not per_finding:
        return as_of, check.id, []
    sent = _sent_keys(conn, min(e.event_on for _, evs in per_finding for e in evs))
    areas, commissioners = _bodies(conn)
    items = []
    for f, evs in per_finding:
        new = [e for e in evs if e.key not in sent]
        if not new:
            continue
        kind = min((e.kind for e in new), key=KINDS.index)
        owner = areas.get(f["owner"]) or commissioners.get(f["owner"]) or Body(f["owner"], f["owner"], "owner", None)
        area = areas.get(f["area"]) or Body(f["area"], f["area"], "area", None)
        rule = (rules or {}).get(f["duty"])
        item = Item(finding=f, kind=kind, events=new, owner=owner, area=area, link=_link(config.site_url, f),
                    duty_title=rule.title if rule else "", old_status=f.get("old_status"),
                    open_since=f["status_since"] if f["status"] == "overdue" else None)
        targets = [owner] + ([area] if any(e.kind == "escalation" for e in new) else [])
        for body in targets:
            if body.address:
                if body.address not in item.recipients:
                    item.recipients.append(body.address)
            else:
                item.unaddressed.append(body.code)
        items.append(item)
    items.sort(key=lambda i: (i.finding["due_on"] or date.max, i.finding["case_ref"] or "",
                              i.finding["duty"], i.finding["subject"]))
    return as_of, check.id, items


def _unaddressed(items: list[Item], areas: dict[str, Body], commissioners: dict[str, Body]) -> list[Unaddressed]:
    tally: dict[str, list] = {}
    for item in items:
        for code in item.unaddressed:
            body = areas.get(code) or commissioners.get(code) or Body(code, code, "owner", None)
            entry = tally.setdefault(code, [body, 0, True])
            entry[1] += 1
            entry[2] = entry[2] and not item.recipients
    out = []
    for code, (body, n, pending) in sorted(tally.items()):
        column = {"area": "send_team_email", "commissioner": "contact_email"}.get(body.role, "record")
        role = body.role if body.role != "owner" else "owner (not in areas.csv or commissioners.csv)"
        out.append(Unaddressed(code, body.name, role, column, n, pending))
    return out


# --- digests ----------------------------------------------------------------------------------

_env = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=select_autoescape(enabled_extensions=("html",), disabled_extensions=("txt",), default=True),
    undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


_SUBJECT_WORDS = {"breach": ("new breach", "new breaches"), "escalation": ("escalation", "escalations"),
                  "reminder": ("reminder", "reminders"), "due_soon": ("due soon", "due soon"),
                  "resolution": ("resolved", "resolved")}


def _item_view(item: Item, as_of: date) -> dict:
    f = item.finding
    status = f["status"]
    if status == "overdue":
        state = f"not done, {_plural(f['days_late'], 'day')} overdue"
    elif status == "late":
        state = f"done {f['done_on']}, {_plural(f['days_late'], 'day')} late"
    elif status == "breached":
        state = "breached" + (f": {f['reason']}" if f.get("reason") else "")
    elif status == "due_soon":
        days = (f["due_on"] - as_of).days if f["due_on"] else None
        state = "not done, due today" if days == 0 else f"not done, due in {_plural(days, 'day')}"
    elif status == "met":
        state = f"now met (was {item.old_status})"
    else:  # exception
        state = f"now covered by an exception (was {item.old_status})"
    return {
        "case_ref": f["case_ref"] or "—", "duty": f["duty"], "duty_title": item.duty_title,
        "subject": f["subject"], "status": status, "state": state,
        "due_on": f["due_on"].isoformat() if f["due_on"] else "not set",
        "days_overdue": f["days_late"] if status in ("overdue", "late") else 0,
        "open_since": item.open_since.isoformat() if item.open_since else None,
        "owner": f"{item.owner.name} ({item.owner.code})", "area": f"{item.area.name} ({item.area.code})",
        "link": item.link, "escalated": item.kind == "escalation",
    }


def render_digest(digest: Digest, as_of: date, alerts: AlertConfig) -> Digest:
    views: dict[str, list[dict]] = defaultdict(list)
    for item in digest.items:
        views[item.kind].append(_item_view(item, as_of))
    sections = [{"kind": k, "title": SECTIONS[k].format(escalate_after_days=alerts.escalate_after_days),
                 "entries": views[k]} for k in SECTION_ORDER if views[k]]
    counts = [f"{len(views[k])} {_SUBJECT_WORDS[k][len(views[k]) != 1]}" for k in SECTION_ORDER if views[k]]
    digest.subject = f"SEND monitor, as of {as_of.isoformat()}: " + ", ".join(counts)
    context = {"as_of": as_of.isoformat(), "bodies": [f"{b.name} ({b.code})" for b in digest.bodies],
               "sections": sections, "total": len(digest.items), "reminder_days": alerts.reminder_days,
               "escalate_after_days": alerts.escalate_after_days, "address": digest.address}
    digest.text = _env.get_template("digest.txt").render(context)
    digest.html = _env.get_template("digest.html").render(context)
    return digest


def build_digests(items: list[Item], as_of: date, alerts: AlertConfig) -> list[Digest]:
    """One digest per recipient address, listing every item addressed to it."""
    by_address: dict[str, Digest] = {}
    for item in items:
        for address in item.recipients:
            digest = by_address.setdefault(address, Digest(address, [], []))
            digest.items.append(item)
            for body in (item.owner, item.area):
                if body.address == address and body not in digest.bodies:
                    digest.bodies.append(body)
    return [render_digest(by_address[a], as_of, alerts) for a in sorted(by_address)]


# --- the run ----------------------------------------------------------------------------------


def run_alerts(engine: Engine, config: Config, rules: dict | None = None, dry_run: bool = False,
               run_id: int | None = None, now: datetime | None = None) -> AlertReport:
    """Work out the new events, queue one digest per recipient, and send everything queued.

    With `dry_run`, nothing is written and nothing is sent: the report holds what would go out.
    """
    now = now or datetime.now(timezone.utc)
    with engine.connect() as conn:
        as_of, check_id, items = plan_items(conn, config, rules)
        areas, commissioners = _bodies(conn)
        o = OutboxMessage.__table__
        waiting = conn.execute(select(func.count()).select_from(o).where(o.c.status == "queued")).scalar()
    report = AlertReport(as_of=as_of, check_id=check_id, dry_run=dry_run, items=items, waiting=waiting)
    report.unaddressed = _unaddressed(items, areas, commissioners)
    report.digests = build_digests([i for i in items if i.recipients], as_of, config.alerts)
    if dry_run:
        return report
    if report.digests:
        with engine.begin() as conn:
            for digest in report.digests:
                conn.execute(insert(o).values(
                    created_at=now, run_id=run_id, check_id=check_id, recipient=digest.address,
                    recipient_code=",".join(b.code for b in digest.bodies), subject=digest.subject,
                    body_text=digest.text, body_html=digest.html,
                    message_id=make_msgid(domain=_domain(config.smtp.sender)), items=len(digest.items),
                    status="queued", attempts=0))
            rows = []
            for item in items:
                if not item.recipients:
                    continue  # kept pending: reported, sent once an address is set
                f = item.finding
                for event in item.events:
                    rows.append({"duty": event.duty, "subject": event.subject, "kind": event.kind,
                                 "event_on": event.event_on, "check_id": check_id, "as_of": as_of,
                                 "area": f["area"], "owner": f["owner"], "case_ref": f["case_ref"],
                                 "status": f["status"], "due_on": f["due_on"], "days_late": f["days_late"],
                                 "recipients": item.recipients, "unaddressed": item.unaddressed,
                                 "run_id": run_id, "created_at": now})
            conn.execute(insert(AlertEvent.__table__), rows)
        report.queued = len(report.digests)
    report.send = send_outbox(engine, config.smtp)
    return report


def _domain(sender: str) -> str:
    return sender.rsplit("@", 1)[-1].strip("> ") or "send-monitor.local"


def queued_messages(conn: Connection) -> list[dict]:
    o = OutboxMessage.__table__
    return [dict(r) for r in conn.execute(select(o).where(o.c.status == "queued").order_by(o.c.id)).mappings()]


def email_message(row: dict, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = row["recipient"]
    msg["Subject"] = row["subject"]
    created = row["created_at"]
    if created.tzinfo is None:
        created = created.replace(tzinfo=timezone.utc)
    msg["Date"] = format_datetime(created)
    msg["Message-ID"] = row["message_id"]
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(row["body_text"])
    msg.add_alternative(row["body_html"], subtype="html")
    return msg


def send_outbox(engine: Engine, smtp: SmtpConfig, timeout: float = 15.0) -> SendResult:
    """Send every queued message, marking each sent as soon as the server accepts it.

    Unreachable server, refused login or a temporary (4xx) error: the messages stay queued
    for the next run. A message whose recipient the server refuses permanently (5xx) is
    marked failed with the server's answer."""
    result = SendResult()
    with engine.connect() as conn:
        pending = queued_messages(conn)
    if not pending:
        return result
    o = OutboxMessage.__table__

    def mark(row: dict, **values) -> None:
        with engine.begin() as conn:
            conn.execute(update(o).where(o.c.id == row["id"]).values(attempts=row["attempts"] + 1, **values))

    try:
        server = smtplib.SMTP(smtp.host, smtp.port, timeout=timeout)
    except (OSError, smtplib.SMTPException) as exc:
        result.error = f"cannot connect to the SMTP server {smtp.host}:{smtp.port}: {exc}"
        result.kept = len(pending)
        for row in pending:
            mark(row, last_error=result.error)
        return result
    position = 0
    try:
        server.ehlo()
        if smtp.starttls:
            server.starttls(context=ssl.create_default_context())
            server.ehlo()
        if smtp.username:
            server.login(smtp.username, smtp.password)
        for position, row in enumerate(pending):
            try:
                server.send_message(email_message(row, smtp.sender))
            except smtplib.SMTPRecipientsRefused as exc:
                mark(row, status="failed", last_error=f"recipient refused: {exc.recipients}")
                result.failed += 1
                continue
            except smtplib.SMTPResponseException as exc:
                if 500 <= exc.smtp_code < 600 and isinstance(exc, smtplib.SMTPDataError):
                    mark(row, status="failed", last_error=f"{exc.smtp_code} {exc.smtp_error!r}")
                    result.failed += 1
                    continue
                raise
            mark(row, status="sent", sent_at=datetime.now(timezone.utc), last_error=None)
            result.sent += 1
    except (OSError, smtplib.SMTPException) as exc:
        result.error = f"SMTP server {smtp.host}:{smtp.port}: {exc}"
        rest = pending[position:]
        result.kept = len(rest)
        for row in rest:
            mark(row, last_error=result.error)
    finally:
        try:
            server.quit()
        except (OSError, smtplib.SMTPException):
            server.close()
    return result


def outbox_counts(conn: Connection) -> dict[str, int]:
    o = OutboxMessage.__table__
    counts = {"queued": 0, "sent": 0, "failed": 0}
    for status, n in conn.execute(select(o.c.status, func.count()).group_by(o.c.status)):
        counts[status] = n
    return counts
