"""The configuration file: a file that cannot work is refused at load, one line per problem
naming the key, the value given and what is allowed; the documented examples load; "today"
is today in the configured time zone; `config` shows the settings in force, secrets masked."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from monitor.config import SECRETS, Config, load_config, section_model
from monitor.importing.mapping import load_mapping
from tests.conftest import REPO, SAMPLE, cli


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("[smtp]\nport = 99999\n", "[smtp] port = 99999: must be 1–65535"),
        ("[smtp]\nport = 0\n", "[smtp] port = 0: must be 1–65535"),
        ("[smtp]\ntimeout = 0\n", "[smtp] timeout = 0: must be more than 0"),
        ('[alerts]\nadmin_email = "not-an-address"\n', '[alerts] admin_email = "not-an-address": must be one e-mail'),
        ('[alerts]\nadmin_email = "user@-example.org"\n', "cannot have a hyphen immediately after the @-sign"),
        ('[smtp]\nfrom = "Monitor <m@example.org>"\n', '[smtp] from = "Monitor <m@example.org>": must be one e-mail'),
        ("[alerts]\nretry_backoff_minutes = -5\n", "[alerts] retry_backoff_minutes = -5: must be 0 or more"),
        ("[alerts]\nreminder_days = -1\n", "[alerts] reminder_days = -1: must be 0 or more"),
        ("inbox_settle_seconds = -1\n", "inbox_settle_seconds = -1: must be 0 or more"),
        (
            '[smtp]\nhots = "mail.example.org"\n',
            '[smtp] hots = "mail.example.org": unknown key (expected one of: allow_plain_auth, from, host',
        ),
        ('colour = "red"\n', 'colour = "red": unknown key (expected one of: accessibility_contact, database_url,'),
        ('[smpt]\nhost = "x"\n', "smpt = (a table): unknown key (expected one of:"),
        ('[smtp]\nport = "25"\n', '[smtp] port = "25": must be a whole number'),
        ("[smtp]\nport = true\n", "[smtp] port = true: must be a whole number"),
        ('[smtp]\nstarttls = "yes"\n', '[smtp] starttls = "yes": must be true or false'),
        ("smtp = 25\n", "[smtp] = 25: must be a table"),
        ("[alerts]\nreminder_days = 1.5\n", "[alerts] reminder_days = 1.5: must be a whole number"),
        ("site_dir = 3\n", "site_dir = 3: must be a folder in quotes"),
        ('site_url = "send-monitor.example.org"\n', 'site_url = "send-monitor.example.org": must be the site\'s web'),
        ('database_url = "send-monitor.db"\n', 'database_url = "send-monitor.db": must be a database address'),
        ('database_url = "mysql://h/db"\n', "must be a SQLite or PostgreSQL address"),
        ("parameters = 3\n", "parameters = 3: must be a table"),
        ('[schedule]\ntimezone = "Europe/Londn"\n', '[schedule] timezone = "Europe/Londn": must be an IANA time zone'),
        ('[schedule]\ntime = "6am"\n', '[schedule] time = "6am": must be a time of day "HH:MM"'),
        ('[schedule]\ntime = "24:00"\n', '[schedule] time = "24:00": must be a time of day "HH:MM"'),
        ("[schedule]\ntime = 06:00:00\n", '[schedule] time = 06:00:00: must be a time of day "HH:MM"'),
    ],
)
def test_a_bad_key_is_one_line_naming_key_value_and_what_is_allowed(tmp_path, body, expected):
    config = tmp_path / "send-monitor.toml"
    config.write_text(body, encoding="utf-8")
    result = cli("duties", config=config)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: config file {config}: ")
    assert expected in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_every_problem_is_named_at_once_before_any_work(tmp_path):
    config = tmp_path / "send-monitor.toml"
    db = tmp_path / "store.db"
    config.write_text(
        f'database_url = "sqlite:///{db}"\n[smtp]\nport = 99999\ntimeout = 0\n[alerts]\nadmin_email = "not-an-address"\n',
        encoding="utf-8",
    )
    result = cli("import", SAMPLE, config=config)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert [line.split(": ", 2)[2].split(" = ")[0] for line in lines] == [
        "[smtp] port",
        "[smtp] timeout",
        "[alerts] admin_email",
    ]
    assert all(line.startswith(f"error: config file {config}: ") for line in lines)
    assert not db.exists()  # nothing was done


def test_the_smtp_password_is_never_read_from_the_file_nor_shown(tmp_path):
    config = tmp_path / "send-monitor.toml"
    config.write_text('[smtp]\npassword = "hunter2"\n', encoding="utf-8")
    result = cli("duties", config=config)
    assert result.exit_code == 1
    assert "[smtp] password = …: must not be in the file: set it in the environment variable" in result.stderr
    assert "hunter2" not in result.output


def test_the_url_from_the_command_line_is_checked_too(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("duties", db="store.db")
    assert result.exit_code == 1 and 'database_url = "store.db": must be a database address' in result.stderr


def test_each_default_is_written_once_in_the_model(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("SEND_MONITOR_CONFIG", "SEND_MONITOR_DB", "SEND_MONITOR_SMTP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    loaded = load_config()
    assert loaded.model_dump(exclude={"inbox", "site_dir"}) == Config().model_dump(exclude={"inbox", "site_dir"})
    assert loaded.inbox == tmp_path / "inbox" and loaded.site_dir == tmp_path / "site"
    assert loaded.schedule.time == time(6, 0) and loaded.smtp.port == 25


def test_folders_are_relative_to_the_file_and_settings_are_checked_when_changed(tmp_path):
    folder = tmp_path / "etc"
    folder.mkdir()
    (folder / "send-monitor.toml").write_text('inbox = "../var/inbox"\n', encoding="utf-8")
    loaded = load_config(folder / "send-monitor.toml")
    assert loaded.inbox == folder / "../var/inbox" and loaded.site_dir == folder / "site"
    loaded.schedule.time = "07:30"
    assert loaded.schedule.time == time(7, 30)
    with pytest.raises(ValueError, match="must be 1–65535"):
        loaded.smtp.port = 70000


def _toml_blocks(text: str) -> list[str]:
    return re.findall(r"^ *```toml\n(.*?)^ *```", text, flags=re.S | re.M)


def _documents() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def _examples() -> list[tuple[str, str]]:
    found = [(path.name, block) for path in _documents() for block in _toml_blocks(path.read_text(encoding="utf-8"))]
    found += [(path.name, path.read_text(encoding="utf-8")) for path in sorted((REPO / "examples").glob("*.toml"))]
    return found


def _is_mapping(data: dict) -> bool:
    return bool(data) and all(isinstance(v, dict) and set(v) <= {"columns", "values"} for v in data.values())


@pytest.mark.parametrize(("where", "text"), _examples(), ids=lambda v: v if v.endswith((".md", ".toml")) else "")
def test_every_documented_configuration_loads(tmp_path, where, text):
    """Each TOML example in README.md, docs/ and examples/ is a configuration (or a column
    mapping) the program accepts as written, with its comments' keys uncommented too."""
    path = tmp_path / "example.toml"
    for body in (text, re.sub(r"^# (\w+ = )", r"\1", text, flags=re.M)):
        path.write_text(dedent_block(body), encoding="utf-8")
        if _is_mapping(tomllib.loads(path.read_text(encoding="utf-8"))):
            load_mapping(path)
        else:
            load_config(path)


def dedent_block(text: str) -> str:
    indent = min((len(line) - len(line.lstrip()) for line in text.splitlines() if line.strip()), default=0)
    return "\n".join(line[indent:] for line in text.splitlines()) + "\n"


def test_the_documents_name_only_keys_that_exist():
    """A `[section] key` or a top-level key written in the documents is one the model has."""
    sections = {name: model for name, f in Config.model_fields.items() if (model := section_model(f.annotation))}
    named = []
    for path in _documents():
        named += re.findall(r"`\[(\w+)\] (\w+)", path.read_text(encoding="utf-8"))
    assert named, "the documents name no [section] key"
    for section, key in named:
        if section == "parameters":
            continue
        assert section in sections, f"[{section}] is no section of the configuration"
        fields = sections[section].model_fields
        assert key in {f.alias or n for n, f in fields.items()}, f"[{section}] {key} is no key of the configuration"


def test_the_configuration_reference_documents_every_key():
    reference = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    data = tomllib.loads(dedent_block(_toml_blocks(reference)[0]))
    for name, field in Config.model_fields.items():
        if model := section_model(field.annotation):
            documented = set(data.get(name, {}))
            keys = {f.alias or n for n, f in model.model_fields.items() if n not in SECRETS}
            assert keys <= documented, f"[{name}] lacks {keys - documented} in docs/configuration.md"
        else:
            assert name in data, f"{name} is not in docs/configuration.md"


def test_the_example_configurations_are_valid():
    config = load_config(REPO / "examples" / "send-monitor.toml")
    assert config.smtp.port == 2525 and config.schedule.timezone == "Europe/London"
    assert load_config(REPO / "examples" / "container.toml").site_dir == Path("/srv/send-monitor/site")


def test_config_shows_the_settings_in_force_with_secrets_masked(tmp_path, monkeypatch):
    monkeypatch.setenv("SEND_MONITOR_SMTP_PASSWORD", "hunter2")
    config = tmp_path / "send-monitor.toml"
    config.write_text(
        'database_url = "postgresql://monitor:s3cret@db.example.org/send"\n[smtp]\nport = 587\n'
        "[parameters]\ntrial_end = 2021-08-31\n",
        encoding="utf-8",
    )
    result = cli("config", config=config)
    assert result.exit_code == 0, result.output
    assert "s3cret" not in result.stdout and "hunter2" not in result.stdout
    shown = tomllib.loads(result.stdout)
    assert shown["database_url"] == "postgresql://monitor:***@db.example.org/send"
    assert shown["smtp"]["port"] == 587 and shown["smtp"]["from"] == "monitor@example.org"
    assert shown["schedule"] == {"time": "06:00", "timezone": "Europe/London"}
    assert shown["parameters"]["trial_end"].isoformat() == "2021-08-31"
    assert "# password: set (from SEND_MONITOR_SMTP_PASSWORD)" in result.stdout
    again = tmp_path / "again.toml"  # what it prints is a configuration the program accepts
    again.write_text(result.stdout.replace("***", "x"), encoding="utf-8")
    assert load_config(again).smtp.port == 587


def test_reading_the_configuration_loads_no_database_library():
    code = "import sys, monitor.config; print(sorted(m for m in ('sqlalchemy', 'sqlmodel') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert result.stdout.strip() == "[]"


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


# --- [web]: the served dashboards' sign-in -------------------------------------------------------

WEB = '[web]\nissuer = "https://login.example.org/"\nclient_id = "send-monitor"\n'


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('[web]\nclient_id = "x"\nbase_url = "https://a.example.org/"\n', "[web] issuer: must be given"),
        (WEB + 'base_url = "http://send-monitor.example.org/"\n', "must be an https address (plain http only on"),
        (WEB + 'base_url = "https://a.example.org/monitor/"\n', "must be the site's root address"),
        (WEB + 'base_url = "a.example.org"\n', '[web] base_url = "a.example.org": must be a web address'),
        (WEB + 'base_url = "https://a.example.org/"\nclient_secret = "s3cret"\n', "[web] client_secret = …: must not"),
        (WEB + 'base_url = "https://a.example.org/"\ntrusted_proxies = ["10.0.0.0/33"]\n', "is no address or"),
        (WEB + 'base_url = "https://a.example.org/"\nsession_idle_minutes = 0\n', "must be more than 0"),
    ],
)
def test_a_web_section_that_cannot_work_is_refused_in_one_line(tmp_path, body, expected):
    config = tmp_path / "send-monitor.toml"
    config.write_text(body, encoding="utf-8")
    result = cli("duties", config=config)
    assert result.exit_code == 1 and expected in result.stderr
    assert "s3cret" not in result.stderr


def test_with_web_the_client_secret_comes_from_the_environment_and_site_url_from_base_url(tmp_path, monkeypatch):
    monkeypatch.setenv("SEND_MONITOR_OIDC_CLIENT_SECRET", "from-env")
    config = tmp_path / "send-monitor.toml"
    config.write_text(WEB + 'base_url = "https://send-monitor.example.org"\n', encoding="utf-8")
    cfg = load_config(config)
    assert cfg.web is not None and cfg.web.client_secret.get_secret_value() == "from-env"
    assert cfg.web.base_url == "https://send-monitor.example.org/"
    assert cfg.site_url == "https://send-monitor.example.org/"
    assert cfg.web.session_idle_minutes == 30 and cfg.web.access_log_days == 400
    shown = cli("config", config=config).stdout
    assert "from-env" not in shown and "# client_secret: set (from SEND_MONITOR_OIDC_CLIENT_SECRET)" in shown
    assert tomllib.loads(shown)["web"]["issuer"] == "https://login.example.org/"
    plain = tmp_path / "plain.toml"
    plain.write_text('site_url = ""\n', encoding="utf-8")
    assert load_config(plain).web is None and "[web]" not in cli("config", config=plain).stdout
