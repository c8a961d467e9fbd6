"""What happened: alert events from the latest check's findings, and one-off notices.

Events (each queued exactly once, keyed by (duty, subject, kind, event_on)):

- ``due_soon``   the finding is ``due_soon``; event_on = the as-of date it became so.
- ``breach``     the finding is ``overdue``, ``late`` or ``breached``; event_on = the as-of
                 date it entered that status (a breach that returns after an exception
                 expires is a new status change, so a new event).
- ``reminder``   the finding is still ``overdue`` and has been for at least
                 ``reminder_days`` checks' days; event_on = since + k * reminder_days, the
                 latest such date not after the as-of date (one reminder per cadence step).
- ``escalation`` the finding is ``overdue`` at least ``escalate_after_days`` past its due
                 date (a breach already that old on the first run is escalated at once);
                 event_on = the date it became overdue (once per breach).
- ``inherited``  the finding is ``overdue`` and the body that acts now is a successor of
                 the owner named in the records; event_on = the handover date, so the new
                 body receives each open breach once, whatever the old body was sent.
- ``resolution`` the finding went from a breach to ``met`` or ``exception``.

Clocks count in as-of days of the latest check, never wall-clock time.

Notices are the alerts that are not about a finding: a failed inbox export (a ``runs``
row of step ``import``, outcome ``failed``, with ``problems``, ``area`` and ``report`` in
its counts) and areas gone quiet (no successful import for ``quiet_after_days``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from monitor.config import AlertConfig
from monitor.findings import latest_check, query_findings, resolved_breaches
from monitor.models import AlertEvent, AlertNotice, Appeal, Area, Decision, ImportBatch, RunRecord
from monitor.statuses import BREACH_STATUSES, RESOLVED_STATUSES
from monitor.successors import Successors


class AlertError(Exception):
    """Alerts cannot be worked out (no check yet, or the store is locked)."""


@dataclass(frozen=True)
class Event:
    duty: str
    subject: str
    kind: str
    event_on: date

    @property
    def key(self) -> tuple[str, str, str, date]:
        return (self.duty, self.subject, self.kind, self.event_on)


def finding_events(finding: dict, as_of: date, alerts: AlertConfig, handover: date | None = None) -> list[Event]:
    """The events a finding's current status gives as of `as_of` (whether sent or not).

    `handover` is the date the body acting now took the duty over, when it is not the owner."""
    duty, subject, status, since = finding["duty"], finding["subject"], finding["status"], finding["status_since"]
    events = []
    if status == "due_soon":
        events.append(Event(duty, subject, "due_soon", since))
    elif status in BREACH_STATUSES:
        events.append(Event(duty, subject, "breach", since))
        if status == "overdue":
            open_days = (as_of - since).days
            if alerts.reminder_days > 0 and open_days >= alerts.reminder_days:
                step = open_days // alerts.reminder_days
                events.append(Event(duty, subject, "reminder", since + timedelta(days=step * alerts.reminder_days)))
            if alerts.escalate_after_days > 0 and (finding.get("days_late") or 0) >= alerts.escalate_after_days:
                events.append(Event(duty, subject, "escalation", since))
            if handover is not None:
                events.append(Event(duty, subject, "inherited", handover))
    elif status in RESOLVED_STATUSES and finding.get("old_status") in BREACH_STATUSES:
        events.append(Event(duty, subject, "resolution", since))
    return events


def sent_keys(conn: Connection, since: date) -> set[tuple]:
    """The keys of the events queued on or after `since`."""
    t = AlertEvent.__table__
    rows = conn.execute(select(t.c.duty, t.c.subject, t.c.kind, t.c.event_on).where(t.c.event_on >= since))
    return {tuple(r) for r in rows}


def alertable_findings(conn: Connection) -> tuple[date, int, list[dict]]:
    """The latest check's as-of date and id, and its findings that can give events."""
    check = latest_check(conn)
    if check is None:
        raise AlertError("no findings yet: run `send-monitor check` first")
    found = []
    for status in ("due_soon", *BREACH_STATUSES):
        found += query_findings(conn, status=status)
    resolved = resolved_breaches(conn, BREACH_STATUSES, RESOLVED_STATUSES)
    if resolved:  # `acts_now` as query_findings gives it
        successors = Successors.load(conn)
        for f in resolved:
            f["acts_now"] = successors.acts_now(f["owner"], f["area"], check.as_of)
    assert check.id is not None  # a stored check
    return check.as_of, check.id, found + resolved


# --- notices ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportFailure:
    run_id: int
    at: datetime
    area: str | None
    problems: int
    report: str | None

    @property
    def key(self) -> str:
        return f"export-failed:{self.run_id}"


@dataclass(frozen=True)
class QuietArea:
    code: str
    last_import: datetime

    def key(self) -> str:
        return f"quiet:{self.code}:{self.last_import.date().isoformat()}"


def notices_sent(conn: Connection) -> set[str]:
    t = AlertNotice.__table__
    return set(conn.execute(select(t.c.key)).scalars())


def export_failures(conn: Connection) -> list[ExportFailure]:
    """Failed inbox exports, as the inbox records them in the runs table, oldest first."""
    t = RunRecord.__table__
    rows = conn.execute(
        select(t.c.id, t.c.finished_at, t.c.started_at, t.c.counts)
        .where(t.c.step == "import", t.c.outcome == "failed")
        .order_by(t.c.id)
    )
    out = []
    for run_id, finished, started, counts in rows:
        if not isinstance(counts, dict) or "problems" not in counts:
            continue  # not one export's failure (e.g. a whole inbox step)
        area = counts.get("area")
        out.append(
            ExportFailure(
                run_id,
                finished or started,
                str(area) if area else None,
                int(counts.get("problems") or 0),
                counts.get("report"),
            )
        )
    return out


def last_imports(conn: Connection) -> dict[str, datetime]:
    """When each area last had a successful import: the latest import batch that created or
    changed one of its records, or a successful inbox import recorded for it in the runs table."""
    b = ImportBatch.__table__
    finished = {i: f or s for i, f, s in conn.execute(select(b.c.id, b.c.finished_at, b.c.started_at))}
    latest: dict[str, datetime] = {}

    def seen(area: str, when: datetime | None) -> None:
        if when is not None and (area not in latest or when > latest[area]):
            latest[area] = when

    for model in (Area, Decision, Appeal):
        t = model.__table__
        for column in (t.c.created_batch, t.c.updated_batch):
            for area, batch in conn.execute(select(t.c.area_code, func.max(column)).group_by(t.c.area_code)):
                seen(area, finished.get(batch))
    r = RunRecord.__table__
    for counts, at in conn.execute(
        select(r.c.counts, r.c.finished_at).where(r.c.step == "import", r.c.outcome.in_(("ok", "partial")))
    ):
        if isinstance(counts, dict) and counts.get("area") and at is not None:
            seen(str(counts["area"]), at)
    return latest


def quiet_areas(conn: Connection, now: datetime, days: int, current: set[str]) -> list[QuietArea]:
    """The `current` areas (not superseded) whose last successful import is `days` or more old."""
    if days <= 0:
        return []
    cutoff = now - timedelta(days=days)
    return [
        QuietArea(code, when) for code, when in sorted(last_imports(conn).items()) if code in current and when <= cutoff
    ]
