"""`send-monitor alerts` refuses to send without site_url (every link would be dead); a dry run
and a preview warn instead."""

from __future__ import annotations

from conftest import SAMPLE
from sqlalchemy import func, select
from test_alerts import ok, write_config

from monitor.models import OutboxMessage
from monitor.store import open_store


def test_without_site_url_alerts_refuses_and_a_dry_run_or_preview_warns(sqlite_url, smtp, tmp_path):
    config = write_config(tmp_path, sqlite_url, smtp.port)
    config.write_text(
        "\n".join(line for line in config.read_text(encoding="utf-8").splitlines() if not line.startswith("site_url"))
    )
    ok("import", SAMPLE, config=config)
    ok("check", "--as-of", "2020-06-30", config=config)
    refused = ok("alerts", config=config, code=1)
    assert refused.stderr.strip().splitlines() == [
        "error: site_url is not set, so every link in the e-mails would be dead; nothing is sent: set site_url "
        "in the configuration and run `send-monitor alerts` again"
    ]
    assert smtp.take() == []
    with open_store(sqlite_url).connect() as conn:
        assert conn.execute(select(func.count()).select_from(OutboxMessage.__table__)).scalar() == 0
    for args in (("--dry-run",), ("--preview", str(tmp_path / "preview"))):
        warned = ok("alerts", *args, config=config)
        assert "warning: site_url is not set, so every link in the e-mails would be dead" in warned.stderr
    assert smtp.take() == []


def test_a_dry_run_reports_exactly_what_a_run_would_send(sqlite_url, smtp, tmp_path):
    """New digests, kept messages now due for a retry, and those still waiting, counted apart;
    the run that follows sends exactly the number the dry run said."""
    config = write_config(tmp_path, sqlite_url, smtp.port)
    ok("import", SAMPLE, config=config)
    ok("check", "--as-of", "2020-06-30", config=config)
    first = ok("alerts", "--dry-run", config=config)
    assert "a run would send 7 message(s) now: 7 new with" in first.stdout
    smtp.stop()
    ok("alerts", config=config, code=2)  # all 7 kept for a retry (no back-off in this config)
    smtp.start()
    again = ok("alerts", "--dry-run", config=config)
    assert "a run would send 7 message(s) now: 0 new with 0 event(s), 7 from the outbox" in again.stdout
    assert again.stdout.count("(from the outbox)") == 7 and "0 wait for a later retry" in again.stdout
    sent = ok("alerts", config=config)
    assert "sent 7, kept 0, failed 0" in sent.stdout and len(smtp.take()) == 7
    assert "a run would send 0 message(s) now" in ok("alerts", "--dry-run", config=config).stdout
