"""The outbox: each message's state, its attempts, retries and back-off.

States: ``queued`` → ``sending`` → ``sent``; or ``retrying`` (a temporary failure: tried
again on a later run, after a back-off) and finally ``failed``. Every attempt is a row in
``outbox_attempts`` (when, outcome, the server's reply).

- A message is marked ``sending`` (and its attempt opened) in one transaction *before* the
  SMTP transaction, and ``sent`` with the time right after the server accepts it. Its
  Message-ID is fixed when it is queued, so every attempt carries the same one.
- 4xx replies, timeouts and dropped connections before the end of the data are temporary:
  ``retrying``, next attempt after ``retry_backoff_minutes`` × 2^(attempts − 1) (at most a
  day), until the message is ``retry_max_age_hours`` old; then ``failed``.
- A 5xx reply is permanent for that message (that recipient): ``failed``; the other
  messages are still sent. When the owner's address later differs from the failed
  message's, the message is re-queued once to the new address (a new Message-ID) —
  unless it may have been delivered (below).
- **At most once.** When the data was sent but no reply came (timeout or dropped
  connection while waiting), the server may have delivered it: the message is ``failed``
  with the outcome ``unconfirmed`` and never re-sent automatically. The same holds for a
  message found ``sending`` at the start of a run (its run died mid-transaction; runs are
  serialised by the store's writer lock, so nothing else can be sending it): ``failed``, attempt
  ``interrupted``. Both are reported with the Message-ID, so the recipient can be asked.
  A repeat would be recognisable by its Message-ID, but a missing alert is reported, while
  a duplicate could not be taken back.
- The store locked while recording (SQLite "database is locked"): each write is retried
  for up to LOCK_WAIT_SECONDS; if the lock outlasts that, the run stops sending and says
  so. A message delivered but not recorded stays ``sending`` and is handled as above, so
  it is never sent twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

from monitor.addresses import valid_address
from monitor.alerts.recipients import Digest
from monitor.alerts.smtp import Outcome, SmtpTransport
from monitor.config import AlertConfig, SmtpConfig
from monitor.models import OutboxAttempt, OutboxMessage
from monitor.retries import locked_or_busy, while_locked

STATES = ("queued", "sending", "sent", "retrying", "failed")
LOCK_WAIT_SECONDS = 30.0
MAX_BACKOFF = timedelta(days=1)


class StoreBusy(Exception):
    """The store stayed locked by another process longer than LOCK_WAIT_SECONDS."""


def write(engine: Engine, work):
    """Run `work(conn)` in one transaction, waiting while another process holds the store's lock."""
    try:
        for attempt in while_locked(LOCK_WAIT_SECONDS):
            with attempt, engine.begin() as conn:
                result = work(conn)
    except OperationalError as exc:
        if not locked_or_busy(exc):
            raise
        raise StoreBusy(f"the store stayed locked by another process for over {LOCK_WAIT_SECONDS:g} s") from None
    return result


def domain(sender: str) -> str:
    return sender.rsplit("@", 1)[-1].strip("> ") or "send-monitor.local"


def queue_messages(
    conn: Connection, digests: list[Digest], sender: str, now: datetime, run_id: int | None, check_id: int | None
) -> list[int]:
    """Insert one queued message per digest (in the caller's transaction); their ids."""
    o = OutboxMessage.__table__
    ids = []
    for d in digests:
        key = conn.execute(
            insert(o).values(
                created_at=now,
                run_id=run_id,
                check_id=check_id,
                recipient=d.address,
                recipient_code=",".join(b.code for b in d.bodies),
                subject=d.subject,
                body_text=d.text,
                body_html=d.html,
                message_id=make_msgid(domain=domain(sender)),
                items=len(d.items),
                status="queued",
                attempts=0,
                kind=d.kind,
                bodies=[[b.role, b.code] for b in d.bodies],
                attachments=d.attachments,
            )
        ).inserted_primary_key
        assert key is not None  # an INSERT always has one
        ids.append(key[0])
    return ids


def email_message(row: dict, sender: str) -> EmailMessage:
    """The MIME message of an outbox row: text and HTML alternatives, attachments, fixed Message-ID."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = row["recipient"]
    msg["Subject"] = row["subject"]
    msg["Date"] = format_datetime(row["created_at"])
    msg["Message-ID"] = row["message_id"]
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Send-Monitor-Kind"] = row.get("kind") or "digest"
    msg.set_content(row["body_text"])
    msg.add_alternative(row["body_html"], subtype="html")
    for a in row.get("attachments") or []:
        maintype, subtype = a.get("content_type", "text/plain").split("/", 1)
        msg.add_attachment(a["content"].encode("utf-8"), maintype=maintype, subtype=subtype, filename=a["filename"])
    return msg


# --- sending --------------------------------------------------------------------------------------


@dataclass
class SendResult:
    sent: int = 0
    kept: int = 0  # still queued or retrying after this run
    failed: int = 0  # failed by this run (permanent, expired, unusable address, unconfirmed)
    unconfirmed: int = 0  # of which: no reply came after the data (at most once)
    error: str | None = None  # why messages are kept (the server's last temporary error)
    busy: str | None = None  # the store stayed locked: sending stopped
    next_try: datetime | None = None  # the earliest retry of a kept message (None: the next run)
    problems: list[str] = field(default_factory=list)  # one line per failed message


def due_messages(conn: Connection, now: datetime, retry_now: bool = False) -> tuple[list[dict], int]:
    """Queued messages and retries whose back-off has passed (every retry, with `retry_now`),
    oldest first; and how many wait longer."""
    o = OutboxMessage.__table__
    rows = [
        dict(r)
        for r in conn.execute(select(o).where(o.c.status.in_(("queued", "retrying"))).order_by(o.c.id)).mappings()
    ]
    due = [r for r in rows if r["status"] == "queued" or retry_now or _utc(r["next_attempt_at"] or now) <= now]
    return due, len(rows) - len(due)


def _who(row: dict) -> str:
    bodies = row.get("bodies") or []
    names = ", ".join(f"{role} {code}" for role, code in bodies) or "the administrator"
    return f"message {row['id']} ({row.get('kind') or 'digest'} to {names}, {row['message_id']})"


def send_due(
    engine: Engine,
    smtp: SmtpConfig,
    alerts: AlertConfig,
    run_id: int | None,
    clock=lambda: datetime.now(UTC),
    retry_now: bool = False,
) -> SendResult:
    """Send every due message once, recording each attempt; see the module docstring."""
    result = SendResult()
    with engine.connect() as conn:
        due, _ = due_messages(conn, clock(), retry_now)
    transport = SmtpTransport(smtp)
    o, a = OutboxMessage.__table__, OutboxAttempt.__table__
    try:
        for position, row in enumerate(due):
            if not valid_address(row["recipient"]):
                _finish(
                    engine,
                    row,
                    run_id,
                    clock(),
                    Outcome("permanent", None, "unusable recipient address"),
                    alerts,
                    result,
                    opened=False,
                )
                continue
            try:
                message = email_message(row, smtp.sender)
            except (ValueError, TypeError) as exc:
                _finish(
                    engine,
                    row,
                    run_id,
                    clock(),
                    Outcome("permanent", None, f"cannot build the message: {type(exc).__name__}"),
                    alerts,
                    result,
                    opened=False,
                )
                continue
            if transport.server is None:
                failed = transport.connect()
                if failed:  # the server is unreachable: every message left is kept (or expires)
                    for rest in due[position:]:
                        _finish(engine, rest, run_id, clock(), failed, alerts, result, opened=False)
                    break
            started = clock()

            def mark_sending(conn, row=row, started=started):
                conn.execute(
                    update(o).where(o.c.id == row["id"]).values(status="sending", attempts=row["attempts"] + 1)
                )
                conn.execute(
                    insert(a).values(outbox_id=row["id"], run_id=run_id, started_at=started, outcome="sending")
                )

            write(engine, mark_sending)
            row["attempts"] += 1
            outcome = transport.send(message, smtp.sender, row["recipient"])
            try:
                _finish(engine, row, run_id, clock(), outcome, alerts, result, opened=True)
            except StoreBusy as exc:
                if outcome.status == "sent":
                    raise StoreBusy(
                        f"{exc}; message {row['id']} was delivered but is not recorded as sent: the "
                        f"next run reports it as interrupted and does not send it again"
                    ) from None
                raise
    except StoreBusy as exc:
        result.busy = result.error = str(exc)
    finally:
        transport.close()
    with engine.connect() as conn:
        kept = o.c.status.in_(("queued", "retrying"))
        result.kept, next_try = conn.execute(select(func.count(), func.min(o.c.next_attempt_at)).where(kept)).one()
    result.next_try = _utc(next_try) if next_try is not None else None
    return result


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _finish(
    engine: Engine,
    row: dict,
    run_id: int | None,
    now: datetime,
    outcome: Outcome,
    alerts: AlertConfig,
    result: SendResult,
    opened: bool,
) -> None:
    """Record an attempt's outcome and the message's new state."""
    o, a = OutboxMessage.__table__, OutboxAttempt.__table__
    values: dict = {"last_error": outcome.error}
    attempt = "temporary" if outcome.status == "temporary" else outcome.status
    if outcome.status == "sent":
        values.update(status="sent", sent_at=now, last_error=None, next_attempt_at=None)
    elif outcome.status == "temporary":
        tries = row["attempts"] if opened else row["attempts"] + 1
        age = now - row["created_at"]
        if age >= timedelta(hours=alerts.retry_max_age_hours):
            values.update(
                status="failed",
                next_attempt_at=None,
                last_error=f"gave up after {tries} attempt(s) in {age.total_seconds() / 3600:.0f} h: {outcome.error}",
            )
        else:
            backoff = timedelta(minutes=alerts.retry_backoff_minutes) * (2 ** max(tries - 1, 0))
            values.update(status="retrying", next_attempt_at=now + min(backoff, MAX_BACKOFF))
    else:  # permanent, unconfirmed
        values.update(status="failed", next_attempt_at=None)
    if not opened:
        values["attempts"] = row["attempts"] + 1

    def work(conn):
        conn.execute(update(o).where(o.c.id == row["id"]).values(**values))
        if opened:
            conn.execute(
                update(a)
                .where(a.c.outbox_id == row["id"], a.c.outcome == "sending")
                .values(outcome=attempt, finished_at=now, smtp_code=outcome.code, error=outcome.error)
            )
        else:
            conn.execute(
                insert(a).values(
                    outbox_id=row["id"],
                    run_id=run_id,
                    started_at=now,
                    finished_at=now,
                    outcome=attempt,
                    smtp_code=outcome.code,
                    error=outcome.error,
                )
            )

    write(engine, work)
    if outcome.status == "sent":
        result.sent += 1
    elif values["status"] == "failed":
        result.failed += 1
        if outcome.status == "unconfirmed":
            result.unconfirmed += 1
            result.problems.append(
                f"{_who(row)}: {outcome.error}; not re-sent (at most once), ask the recipient whether it arrived"
            )
        else:
            result.problems.append(f"{_who(row)}: failed: {values['last_error']}")
    else:
        result.error = outcome.error


def outbox_counts(conn: Connection) -> dict[str, int]:
    """Messages per state."""
    o = OutboxMessage.__table__
    counts = {state: 0 for state in STATES}
    for status, n in conn.execute(select(o.c.status, func.count()).group_by(o.c.status)):
        counts[status] = n
    return counts
