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
