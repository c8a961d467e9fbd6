"""Delivery semantics against real SMTP servers that misbehave (aiosmtpd on 127.0.0.1 with custom
handlers), counting what arrives by Message-ID: a 450 then success; a 550 for one recipient then
the address corrected; a server slower than the client timeout before and after the data; a
connection dropped mid-batch before and after the data; a database lock while sending; a run
killed while sending; an unusable address; back-off and the maximum age of retries.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import SAMPLE, SmtpServer, _Collector, write_records
from sqlalchemy import func, select, update
from test_alerts import ok, write_config

from monitor.alerts.render import uk_date
from monitor.models import OutboxAttempt, OutboxMessage
from monitor.store import open_store

N = 7  # digests of the sample data as of 2020-06-30
QRL = "send@qrl.example.org"


class Faulty(_Collector):
    """An SMTP handler that records every Message-ID it stores and can misbehave on cue.

    `on_rcpt(server, address, attempt)` / `on_data(server, envelope, attempt)` may return a reply
    (or None to carry on); `attempt` counts the times that address was seen at that stage."""

    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.seen: Counter = Counter()
        self.on_rcpt = self.on_data = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.seen["rcpt", address] += 1
        if self.on_rcpt:
            reply = await self.on_rcpt(server, address, self.seen["rcpt", address])
            if reply:
                return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        address = envelope.rcpt_tos[0]
        self.seen["data", address] += 1
        if self.on_data:
            reply = await self.on_data(server, envelope, self.seen["data", address])
            if reply:
                return reply
        return await self.store(server, session, envelope)

    async def store(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        self.ids.append(str(self.messages[-1].message["Message-ID"]))
        return reply

    def delivered(self) -> Counter:
        return Counter(self.ids)


@pytest.fixture
def faulty():
    # the slow and dropping handlers log after the in-process CLI has closed its stderr
    mail_log = logging.getLogger("mail.log")
    propagate, mail_log.propagate = mail_log.propagate, False
    server = SmtpServer()
    server.collector = Faulty()
    server.start()
    try:
        yield server
    finally:
        server.stop()
        mail_log.propagate = propagate


def store_ids(db: str) -> list[str]:
    with open_store(db).connect() as conn:
        o = OutboxMessage.__table__
        return list(conn.execute(select(o.c.message_id).order_by(o.c.id)).scalars())


def states(db: str) -> Counter:
    with open_store(db).connect() as conn:
        o = OutboxMessage.__table__
        return Counter(conn.execute(select(o.c.status)).scalars())


def attempts(db: str, recipient: str) -> list[tuple]:
    with open_store(db).connect() as conn:
        o, a = OutboxMessage.__table__, OutboxAttempt.__table__
        return [
            tuple(r)
            for r in conn.execute(
                select(a.c.outcome, a.c.smtp_code)
                .join(o, o.c.id == a.c.outbox_id)
                .where(o.c.recipient == recipient)
                .order_by(a.c.id)
            )
        ]


def sample(tmp_path, db, server, **config):
    path = write_config(tmp_path, db, server.port, **config)
    ok("import", SAMPLE, config=path)
    ok("check", "--as-of", "2020-06-30", config=path)
    return path


def exactly_once(server, db):
    """Every message of the outbox arrived once, and nothing else arrived."""
    assert server.collector.delivered() == Counter({mid: 1 for mid in store_ids(db)})


def test_450_then_success_is_delivered_exactly_once(db_url, faulty, tmp_path):
    async def busy(server, address, attempt):
        return "450 4.2.1 Mailbox busy, try later" if address == QRL and attempt == 1 else None

    faulty.collector.on_rcpt = busy
    config = sample(tmp_path, db_url, faulty)
    first = ok("alerts", config=config, code=2)
    assert f"sent {N - 1}, kept 1, failed 0" in first.stdout
    assert "1 message(s) kept in the outbox: 450 4.2.1 Mailbox busy" in first.stderr
    assert states(db_url) == Counter({"sent": N - 1, "retrying": 1})
    ok("alerts", config=config)
    ok("alerts", config=config)
    exactly_once(faulty, db_url)
    assert attempts(db_url, QRL) == [("temporary", 450), ("sent", 250)]
    assert "outbox: 0 queued, 7 sent, 0 failed" in ok("status", config=config).stdout


def test_550_for_one_recipient_others_sent_then_resent_once_to_the_corrected_address(db_url, faulty, tmp_path):
    async def unknown(server, address, attempt):
        return "550 5.1.1 No such mailbox" if address == QRL else None

    faulty.collector.on_rcpt = unknown
    config = sample(tmp_path, db_url, faulty)
    first = ok("alerts", config=config, code=2)
    assert f"sent {N - 1}, kept 0, failed 1" in first.stdout
    assert "failed: 550 5.1.1 No such mailbox" in first.stderr and "commissioner QRL" in first.stderr
    ok("alerts", config=config)  # a permanent refusal is not retried
    assert faulty.collector.seen["rcpt", QRL] == 1
    # the address is corrected by the next import: the failed digest goes there, once
    write_records(
        tmp_path / "fix",
        commissioners=[
            {
                "commissioner_code": "QRL",
                "name": "NHS Example ICB",
                "kind": "health",
                "contact_email": "send-team@qrl.example.org",
            }
        ],
    )
    ok("import", tmp_path / "fix", config=config)
    ok("alerts", config=config)
    ok("alerts", config=config)
    got = [m for m in faulty.take() if m.to == "send-team@qrl.example.org"]
    assert len(got) == 1 and str(got[0].message["Subject"]).startswith("NHS Example ICB — ")
    with open_store(db_url).connect() as conn:
        o = OutboxMessage.__table__
        refused, resent = conn.execute(select(o.c.message_id, o.c.requeued_as).where(o.c.recipient == QRL)).one()
        assert conn.execute(select(o.c.resend_of).where(o.c.id == resent)).scalar() is not None
    expected = Counter({mid: 1 for mid in store_ids(db_url) if mid != refused})
    assert faulty.collector.delivered() == expected and len(expected) == N
    assert states(db_url) == Counter({"sent": N, "failed": 1})


def test_server_slower_than_the_timeout_before_and_after_the_data(sqlite_url, faulty, tmp_path):
    """Slow to answer RCPT (nothing accepted yet): retried. Slow to answer after storing the data:
    delivered already, so never sent again (at most once) and reported as unconfirmed."""
    slow_rcpt, slow_data = QRL, "send-team@area851.example.org"

    async def rcpt(server, address, attempt):
        if address == slow_rcpt and attempt == 1:
            await asyncio.sleep(2.5)
        return None

    async def data(server, envelope, attempt):
        if envelope.rcpt_tos[0] == slow_data:
            reply = await faulty.collector.store(server, None, envelope)
            await asyncio.sleep(2.5)
            return reply
        return None

    faulty.collector.on_rcpt, faulty.collector.on_data = rcpt, data
    config = sample(tmp_path, sqlite_url, faulty, smtp={"timeout": 1})
    first = ok("alerts", config=config, code=2)
    assert "no reply after the message was sent: timed out" in first.stderr
    assert "not re-sent (at most once)" in first.stderr
    for _ in range(3):
        time.sleep(1.6)  # let the slow handlers finish
        ok("alerts", config=config)
    exactly_once(faulty, sqlite_url)
    assert attempts(sqlite_url, slow_rcpt) == [("temporary", None), ("sent", 250)]
    assert attempts(sqlite_url, slow_data) == [("unconfirmed", None)]
    # a new address does not bring back a message that may have been delivered
    write_records(
        tmp_path / "fix",
        areas=[
            {
                "area_code": "851",
                "name": "Area 851",
                "region": "London",
                "send_team_email": "new@area851.example.org",
                "rights_published_on": "2018-06-15",
            }
        ],
    )
    ok("import", tmp_path / "fix", config=config)
    ok("alerts", config=config)
    exactly_once(faulty, sqlite_url)


def test_connection_dropped_mid_batch_before_and_after_the_data(db_url, faulty, tmp_path):
    dropped_rcpt, dropped_data = QRL, "send-team@area851.example.org"

    async def rcpt(server, address, attempt):
        if address == dropped_rcpt and attempt <= 2:  # twice: over two runs
            server.transport.abort()
            await asyncio.sleep(0.1)
        return None

    async def data(server, envelope, attempt):
        if envelope.rcpt_tos[0] == dropped_data:
            await faulty.collector.store(server, None, envelope)
            server.transport.abort()
            await asyncio.sleep(0.1)
        return None

    faulty.collector.on_rcpt, faulty.collector.on_data = rcpt, data
    config = sample(tmp_path, db_url, faulty)
    first = ok("alerts", config=config, code=2)
    assert "the server closed the connection" in first.stderr
    ok("alerts", config=config, code=2)
    ok("alerts", config=config)
    ok("alerts", config=config)
    exactly_once(faulty, db_url)
    assert [a[0] for a in attempts(db_url, dropped_rcpt)] == ["temporary", "temporary", "sent"]
    assert [a[0] for a in attempts(db_url, dropped_data)] == ["unconfirmed"]


def _lock_sqlite(path: str, seconds: float) -> None:
    """Hold SQLite's write lock from another connection for `seconds`, starting now."""
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")

    def release():
        conn.execute("ROLLBACK")
        conn.close()

    threading.Timer(seconds, release).start()


@pytest.mark.parametrize("hold, wait, code", [(2.0, 30.0, 0), (7.0, 0.1, 1)])
def test_database_locked_while_sending_no_traceback_no_repeat(
    sqlite_url, faulty, tmp_path, monkeypatch, hold, wait, code
):
    """The store is locked just as the server accepts a message. A short lock: waited for.
    A lock longer than the wait: the run stops with one line, and the delivered message,
    left `sending`, is never sent again."""
    import monitor.alerts.outbox as outbox

    monkeypatch.setattr(outbox, "LOCK_WAIT_SECONDS", wait)
    path = sqlite_url.removeprefix("sqlite:///")
    victim = QRL

    async def data(server, envelope, attempt):
        reply = await faulty.collector.store(server, None, envelope)
        if envelope.rcpt_tos[0] == victim and attempt == 1:
            _lock_sqlite(path, hold)
        return reply

    faulty.collector.on_data = data
    config = sample(tmp_path, sqlite_url, faulty)
    first = ok("alerts", config=config, code=code)
    assert "Traceback" not in first.stderr + first.stdout
    if code:
        ours = [line for line in first.stderr.splitlines() if "mail.log" not in line]  # aiosmtpd logs in-process
        assert len(ours) == 1, ours  # one line
        assert "sending stopped: the store stayed locked by another process" in first.stderr
        assert "delivered but is not recorded as sent" in first.stderr
        time.sleep(hold)
        second = ok("alerts", config=config, code=2)
        assert "interrupted while sending in an earlier run" in second.stderr
        assert attempts(sqlite_url, victim) == [("interrupted", None)]
    ok("alerts", config=config)
    exactly_once(faulty, sqlite_url)


def test_run_killed_while_sending_is_not_sent_again(sqlite_url, faulty, tmp_path):
    """kill -9 while the server holds the data: the next run finds the message `sending`,
    reports it and does not send it again (at most once)."""
    arrived = threading.Event()

    async def data(server, envelope, attempt):
        if envelope.rcpt_tos[0] == QRL and attempt == 1:
            reply = await faulty.collector.store(server, None, envelope)
            arrived.set()
            await asyncio.sleep(30)
            return reply
        return None

    faulty.collector.on_data = data
    config = sample(tmp_path, sqlite_url, faulty, smtp={"timeout": 60})
    command = Path(sys.executable).parent / "send-monitor"
    proc = subprocess.Popen(
        [str(command), "--config", str(config), "alerts"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert arrived.wait(60), proc.stderr.read() if proc.poll() is not None else "no message arrived"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert states(sqlite_url)["sending"] == 1
    second = ok("alerts", config=config, code=2)
    assert "interrupted while sending in an earlier run: delivery unknown" in second.stderr
    ok("alerts", config=config)
    exactly_once(faulty, sqlite_url)
    assert attempts(sqlite_url, QRL) == [("interrupted", None)]


def test_newline_in_an_address_is_reported_and_the_others_are_sent(sqlite_url, faulty, tmp_path):
    config = sample(tmp_path, sqlite_url, faulty)
    engine = open_store(sqlite_url)
    from monitor.models import Commissioner

    c = Commissioner.__table__
    with engine.begin() as conn:  # as an older import could have stored it
        conn.execute(
            update(c)
            .where(c.c.commissioner_code == "QRL")
            .values(contact_email="send@qrl.example.org\nBcc: all@example.org")
        )
    first = ok("alerts", config=config)
    assert f"sent {N - 1}, kept 0, failed 0" in first.stdout
    assert "commissioner QRL (NHS Example ICB) has an unusable contact_email" in first.stderr
    assert "Bcc" not in first.stderr and "Traceback" not in first.stderr
    with engine.begin() as conn:
        conn.execute(update(c).where(c.c.commissioner_code == "QRL").values(contact_email=QRL))
    ok("alerts", config=config)
    ok("alerts", config=config)
    exactly_once(faulty, sqlite_url)
    assert len(store_ids(sqlite_url)) == N


def test_unusable_address_in_a_queued_message_fails_that_message_only(sqlite_url, faulty, tmp_path):
    config = sample(tmp_path, sqlite_url, faulty)
    faulty.stop()
    ok("alerts", config=config, code=2)
    engine = open_store(sqlite_url)
    o = OutboxMessage.__table__
    with engine.begin() as conn:
        conn.execute(update(o).where(o.c.recipient == QRL).values(recipient=QRL + "\r\nBcc: x@example.org"))
    faulty.start()
    result = ok("alerts", config=config, code=2)
    assert f"sent {N - 1}, kept 0, failed 1" in result.stdout
    assert "unusable recipient address" in result.stderr and "Traceback" not in result.stderr
    assert states(sqlite_url) == Counter({"sent": N - 1, "failed": 1})


def test_back_off_then_retry(sqlite_url, faulty, tmp_path):
    config = sample(tmp_path, sqlite_url, faulty, alerts={"retry_backoff_minutes": 60})
    faulty.stop()
    down = ok("alerts", config=config, code=2)
    assert states(sqlite_url) == Counter({"retrying": N})
    with open_store(sqlite_url).connect() as conn:
        o = OutboxMessage.__table__
        first_retry = conn.execute(select(func.min(o.c.next_attempt_at))).scalar_one()
    local = first_retry.replace(tzinfo=first_retry.tzinfo or UTC).astimezone(ZoneInfo("Europe/London"))
    said = [line for line in down.stderr.splitlines() if "mail.log" not in line]
    assert len(said) == 1 and f"next try on the first run after {local:%H:%M} on {uk_date(local.date())}" in said[0]
    assert "`send-monitor alerts --retry-now`" in said[0]
    faulty.start()
    waiting = ok("alerts", config=config)  # within the back-off: not tried again
    assert "sent 0, kept 7, failed 0" in waiting.stdout and faulty.take() == []
    with open_store(sqlite_url).connect() as conn:
        o = OutboxMessage.__table__
        waits = {(t - c).total_seconds() for t, c in conn.execute(select(o.c.next_attempt_at, o.c.created_at))}
    assert all(3590 < w < 3700 for w in waits)  # 60 minutes after the first attempt
    retried = ok("alerts", "--retry-now", config=config)  # the operator has mended the server
    assert "sent 7, kept 0, failed 0" in retried.stdout
    exactly_once(faulty, sqlite_url)
    assert [a[0] for a in attempts(sqlite_url, QRL)] == ["temporary", "sent"]
    with open_store(sqlite_url).begin() as conn:  # an hour later: nothing left to retry
        conn.execute(update(o).values(next_attempt_at=o.c.created_at))
    ok("alerts", config=config)
    exactly_once(faulty, sqlite_url)


def test_temporary_failures_give_up_after_the_maximum_age(sqlite_url, faulty, tmp_path):
    config = sample(tmp_path, sqlite_url, faulty, alerts={"retry_max_age_hours": 0})
    faulty.stop()
    result = ok("alerts", config=config, code=2)
    assert result.stderr.count("gave up after 1 attempt(s)") == N
    assert states(sqlite_url) == Counter({"failed": N})
    faulty.start()
    ok("alerts", config=config)
    assert faulty.take() == []
