"""Configuration: one TOML file, read once at the edge and passed in.

Precedence for the database URL: `--db`, then `SEND_MONITOR_DB`, then the
config file's `database_url`, then `sqlite:///send-monitor.db`.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from monitor.store import DEFAULT_URL

CONFIG_ENV = "SEND_MONITOR_CONFIG"
DB_ENV = "SEND_MONITOR_DB"
PASSWORD_ENV = "SEND_MONITOR_SMTP_PASSWORD"
DEFAULT_CONFIG_FILE = Path("send-monitor.toml")
REPO_RULES = Path(__file__).resolve().parent.parent / "rules"


class ConfigError(Exception):
    """The configuration file is missing or malformed."""


@dataclass
class SmtpConfig:
    host: str = "127.0.0.1"
    port: int = 25
    starttls: bool = False
    username: str = ""
    password: str = ""
    sender: str = "monitor@example.org"


@dataclass
class AlertConfig:
    reminder_days: int = 7
    escalate_after_days: int = 14


@dataclass
class Config:
    database_url: str = DEFAULT_URL
    rules_dir: Path = REPO_RULES
    parameters: dict = field(default_factory=dict)
    inbox: Path = Path("inbox")
    inbox_settle_seconds: float = 60.0  # an export is taken once unchanged this long (or with READY)
    site_dir: Path = Path("site")
    site_url: str = ""
    schedule_time: str = "06:00"
    timezone: str = "Europe/London"
    smtp: SmtpConfig = field(default_factory=SmtpConfig)
    alerts: AlertConfig = field(default_factory=AlertConfig)
    source: Path | None = None


def _settle_seconds(data: dict) -> float:
    value = data.get("inbox_settle_seconds", 60)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ConfigError("inbox_settle_seconds in the configuration must be a number of seconds (0 or more)")
    return float(value)


def load_config(path: Path | None = None, db: str | None = None) -> Config:
    """Read the config file (explicit, `SEND_MONITOR_CONFIG`, or ./send-monitor.toml if present)."""
    if path is None and os.environ.get(CONFIG_ENV):
        path = Path(os.environ[CONFIG_ENV])
    if path is None and DEFAULT_CONFIG_FILE.exists():
        path = DEFAULT_CONFIG_FILE
    data: dict = {}
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file {path} does not exist") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path}: {exc}") from None
    base = Path(path).resolve().parent if path is not None else Path.cwd()
    smtp = data.get("smtp", {})
    alerts = data.get("alerts", {})
    schedule = data.get("schedule", {})
    config = Config(
        database_url=db or os.environ.get(DB_ENV) or data.get("database_url") or DEFAULT_URL,
        rules_dir=base / data["rules_dir"] if "rules_dir" in data else REPO_RULES,
        parameters=dict(data.get("parameters", {})),
        inbox=base / data.get("inbox", "inbox"),
        inbox_settle_seconds=_settle_seconds(data),
        site_dir=base / data.get("site_dir", "site"),
        site_url=data.get("site_url", ""),
        schedule_time=schedule.get("time", "06:00"),
        timezone=schedule.get("timezone", "Europe/London"),
        smtp=SmtpConfig(
            host=smtp.get("host", "127.0.0.1"),
            port=int(smtp.get("port", 25)),
            starttls=bool(smtp.get("starttls", False)),
            username=smtp.get("username", ""),
            password=os.environ.get(PASSWORD_ENV, ""),
            sender=smtp.get("from", "monitor@example.org"),
        ),
        alerts=AlertConfig(
            reminder_days=int(alerts.get("reminder_days", 7)),
            escalate_after_days=int(alerts.get("escalate_after_days", 14)),
        ),
        source=Path(path) if path is not None else None,
    )
    return config
