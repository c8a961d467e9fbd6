"""One place decides how a step ends: an alerts run is `partial` when a message was kept or
failed, the outbox was busy or a delivery was interrupted, whether `send-monitor alerts` or the
scheduler ran it."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import SAMPLE
from sqlalchemy import select, update
from test_alerts import ok, write_config

from monitor.alerts import AlertReport
from monitor.alerts.outbox import SendResult
from monitor.config import load_config
from monitor.models import OutboxMessage, RunRecord
from monitor.scheduler import Runtime, run_cycle
from monitor.steps import alerts_outcome
from monitor.store import open_store


@pytest.mark.parametrize(
    "send, interrupted, outcome",
    [
        (SendResult(sent=3), [], "ok"),
        (SendResult(sent=2, kept=1, error="451 try later"), [], "partial"),
        (SendResult(sent=2, failed=1), [], "partial"),
        (SendResult(sent=1, busy="the store stayed locked"), [], "partial"),
        (SendResult(sent=3), [{"id": 1, "message_id": "<m@x>"}], "partial"),
    ],
)
def test_an_alerts_run_is_partial_unless_every_message_went(send, interrupted, outcome):
    report = AlertReport(as_of=date(2020, 6, 30), check_id=1, dry_run=False, send=send, interrupted=interrupted)
    assert alerts_outcome(report) == outcome


def _leave_one_sending(db: str) -> None:
    """As a run killed while the server held the data leaves it."""
    o = OutboxMessage.__table__
    with open_store(db).begin() as conn:
        first = conn.execute(select(o.c.id).order_by(o.c.id).limit(1)).scalar_one()
        conn.execute(update(o).where(o.c.id == first).values(status="sending"))


def _alerts_runs(db: str) -> list[tuple[str, str]]:
    t = RunRecord.__table__
    with open_store(db).connect() as conn:
        return [tuple(r) for r in conn.execute(select(t.c.trigger, t.c.outcome).where(t.c.step == "alerts"))]


def test_an_interrupted_delivery_makes_the_run_partial_by_hand_and_on_schedule(sqlite_url, smtp, tmp_path):
    config = write_config(tmp_path, sqlite_url, smtp.port)
    ok("import", SAMPLE, config=config)
    ok("check", "--as-of", "2020-06-30", config=config)
    ok("alerts", config=config)
    _leave_one_sending(sqlite_url)
    by_hand = ok("alerts", config=config, code=2)
    assert "interrupted while sending in an earlier run" in by_hand.stderr
    _leave_one_sending(sqlite_url)
    cycle = run_cycle(Runtime(load_config(config), open_store(sqlite_url), as_of=date(2020, 6, 30)))
    assert cycle.steps["alerts"] == "partial"
    assert _alerts_runs(sqlite_url) == [("cli", "ok"), ("cli", "partial"), ("schedule", "partial")]
