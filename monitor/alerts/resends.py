"""Before sending: messages a dead run left `sending` are failed, never re-sent blindly (at
most once); failed messages go once more to a body's corrected address, with a new
Message-ID, unless they may have been delivered."""

from __future__ import annotations

from datetime import datetime
from email.utils import make_msgid

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Engine

from monitor.alerts.outbox import domain, write
from monitor.models import OutboxAttempt, OutboxMessage


def recover_interrupted(engine: Engine, now: datetime) -> list[dict]:
    """Messages left `sending` by a dead run: failed (delivery unknown), never re-sent blindly."""
    o, a = OutboxMessage.__table__, OutboxAttempt.__table__

    def work(conn):
        rows = [
            dict(r)
            for r in conn.execute(
                select(o.c.id, o.c.message_id, o.c.recipient_code).where(o.c.status == "sending")
            ).mappings()
        ]
        error = "interrupted while sending (an earlier run stopped): delivery unknown, not re-sent"
        for r in rows:
            conn.execute(update(o).where(o.c.id == r["id"]).values(status="failed", last_error=error))
            conn.execute(
                update(a)
                .where(a.c.outbox_id == r["id"], a.c.outcome == "sending")
                .values(outcome="interrupted", finished_at=now, error=error)
            )
        return rows

    return write(engine, work)


def corrected(conn: Connection, addresses: dict[tuple[str, str], str | None]) -> list[tuple[dict, str, str, str]]:
    """The failed messages to re-queue once to a body's changed address: (row, role, code, address).

    Not a message that may have been delivered (unconfirmed or interrupted): at most once."""
    o, a = OutboxMessage.__table__, OutboxAttempt.__table__
    rows = [
        dict(r)
        for r in conn.execute(
            select(o).where(o.c.status == "failed", o.c.requeued_as.is_(None)).order_by(o.c.id)
        ).mappings()
    ]
    maybe_delivered = set(
        conn.execute(
            select(a.c.outbox_id).where(
                a.c.outcome.in_(("unconfirmed", "interrupted")), a.c.outbox_id.in_([r["id"] for r in rows])
            )
        ).scalars()
    )
    found = []
    for r in rows:
        if r["id"] in maybe_delivered:
            continue
        for role, code in r["bodies"] or []:
            new = addresses.get((role, code))
            if new and new != r["recipient"]:
                found.append((r, role, code, new))
                break
    return found


def requeue_corrected(
    engine: Engine, addresses: dict[tuple[str, str], str | None], now: datetime, sender: str, run_id: int | None
) -> int:
    """Re-queue, once, each failed message whose body's address has changed since (a new Message-ID)."""
    o = OutboxMessage.__table__

    def work(conn):
        moved = corrected(conn, addresses)
        for r, role, code, new in moved:
            copy = {k: r[k] for k in ("check_id", "subject", "body_text", "body_html", "items", "kind", "attachments")}
            new_id = conn.execute(
                insert(o).values(
                    **copy,
                    created_at=now,
                    run_id=run_id,
                    recipient=new,
                    recipient_code=code,
                    message_id=make_msgid(domain=domain(sender)),
                    status="queued",
                    attempts=0,
                    bodies=[[role, code]],
                    resend_of=r["id"],
                )
            ).inserted_primary_key[0]
            conn.execute(update(o).where(o.c.id == r["id"]).values(requeued_as=new_id))
        return len(moved)

    return write(engine, work)
