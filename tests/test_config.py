"""The configuration file: unknown keys and wrong types are one clear error naming the file,
the key and what was expected; "today" is today in the configured time zone."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from monitor.config import KEYS, load_config
from tests.conftest import SAMPLE, cli


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('[smtp]\nhots = "mail.example.org"\n', "unknown key [smtp] hots (expected one of: from, host, port"),
        ('colour = "red"\n', "unknown key colour (expected one of: database_url,"),
        ('[smpt]\nhost = "x"\n', "unknown key smpt (expected one of:"),
        ('[smtp]\nport = "25"\n', "[smtp] port must be a whole number, not a string"),
        ("[smtp]\nport = true\n", "[smtp] port must be a whole number, not true or false"),
        ('[smtp]\nstarttls = "yes"\n', "[smtp] starttls must be true or false, not a string"),
        ("smtp = 25\n", "[smtp] must be a table, not a whole number"),
        ("[alerts]\nreminder_days = 1.5\n", "[alerts] reminder_days must be a whole number, not a number"),
        ("site_dir = 3\n", "site_dir must be a string, not a whole number"),
        ("parameters = 3\n", "parameters must be a table, not a whole number"),
        ('[schedule]\ntimezone = "Europe/Londn"\n', "[schedule] timezone must be an IANA time zone"),
        ('[schedule]\ntime = "6am"\n', "[schedule] time must be a time of day HH:MM"),
        ("[schedule]\ntime = 06:00:00\n", "[schedule] time must be a string, not a time"),
    ],
)
def test_a_bad_key_is_one_line_naming_file_key_and_expectation(tmp_path, body, expected):
    config = tmp_path / "send-monitor.toml"
    config.write_text(body, encoding="utf-8")
    result = cli("duties", config=config)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: config file {config}: ")
    assert expected in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_the_example_configurations_are_valid():
    from tests.conftest import REPO

    config = load_config(REPO / "examples" / "send-monitor.toml")
    assert config.smtp.port == 2525 and config.timezone == "Europe/London"
    assert load_config(REPO / "examples" / "container.toml").site_dir == Path("/srv/send-monitor/site")


def test_every_key_has_a_toml_type():
    assert all(spec.type in (str, int, bool, float, dict, list) for spec in KEYS.values())


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])  # UTC+14 and UTC-11
def test_check_without_as_of_uses_today_in_the_configured_zone(tmp_path, zone):
    config = tmp_path / "send-monitor.toml"
    config.write_text(
        f'database_url = "sqlite:///{tmp_path / "store.db"}"\n[schedule]\ntimezone = "{zone}"\n', encoding="utf-8"
    )
    assert cli("import", SAMPLE, config=config).exit_code == 0
    before = datetime.now(ZoneInfo(zone)).date()
    result = cli("check", config=config)
    after = datetime.now(ZoneInfo(zone)).date()
    assert result.exit_code == 0, result.output
    assert (
        f"findings as of {before.isoformat()}" in result.stdout
        or f"findings as of {after.isoformat()}" in result.stdout
    )
