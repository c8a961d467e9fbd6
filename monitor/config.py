"""Configuration: one TOML file, read once at the edge and passed in.

Precedence for the database URL: `--db`, then `SEND_MONITOR_DB`, then the
config file's `database_url`, then `sqlite:///send-monitor.db`.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.db import DEFAULT_URL
from monitor.resources import rules_dir as shipped_rules_dir

CONFIG_ENV = "SEND_MONITOR_CONFIG"
DB_ENV = "SEND_MONITOR_DB"
PASSWORD_ENV = "SEND_MONITOR_SMTP_PASSWORD"
DEFAULT_CONFIG_FILE = Path("send-monitor.toml")
REPO_RULES = shipped_rules_dir()  # the rules shipped with the package (config `rules_dir` overrides)


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
    timeout: float = 30.0  # seconds the client waits for the server at each step


@dataclass
class AlertConfig:
    reminder_days: int = 7
    escalate_after_days: int = 14
    retry_max_age_hours: float = 72.0  # a message still not delivered after this long is failed
    retry_backoff_minutes: float = 5.0  # wait before a retry, doubled after each temporary failure
    admin_email: str = ""  # failed exports of unknown areas, the daily summary of quiet areas
    quiet_after_days: int = 14  # an area with no successful import for this long gets a reminder


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
    lock_timeout_seconds: float = 600.0  # how long a writer waits for the store-wide lock


def _time_of_day(value: str) -> None:
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        raise ValueError("a time of day HH:MM, e.g. 06:00")


def _time_zone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("an IANA time zone, e.g. Europe/London") from None


def _seconds(value: float) -> None:
    if value < 0:
        raise ValueError("0 or more seconds")


@dataclass(frozen=True)
class Key:
    """One key the configuration file may hold: its TOML type and any further check."""

    type: type
    check: Callable[[Any], None] | None = None  # raises ValueError("what was expected")


# Every key the file may hold, "table.key" for keys inside a [table]. Add a key: one line here.
KEYS: dict[str, Key] = {
    "database_url": Key(str),
    "rules_dir": Key(str),
    "parameters": Key(dict),  # the names and values are checked against rules/parameters.yaml
    "inbox": Key(str),
    "site_dir": Key(str),
    "site_url": Key(str),
    "schedule.time": Key(str, _time_of_day),
    "schedule.timezone": Key(str, _time_zone),
    "smtp.host": Key(str),
    "smtp.port": Key(int),
    "smtp.starttls": Key(bool),
    "smtp.username": Key(str),
    "smtp.from": Key(str),
    "smtp.timeout": Key(float),
    "alerts.reminder_days": Key(int),
    "alerts.escalate_after_days": Key(int),
    "alerts.retry_max_age_hours": Key(float),
    "alerts.retry_backoff_minutes": Key(float),
    "alerts.admin_email": Key(str),
    "alerts.quiet_after_days": Key(int),
    "lock_timeout_seconds": Key(float, _seconds),
    "inbox_settle_seconds": Key(float, _seconds),
}
_TYPE_NAMES = {
    str: "a string",
    int: "a whole number",
    bool: "true or false",
    float: "a number",
    dict: "a table",
    list: "an array",
    date: "a date",
    time: "a time",
}


def _toml_type(value: object) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__) if not isinstance(value, datetime) else "a date-time"


def validate(data: dict, path: Path) -> None:
    """Unknown keys and values of the wrong type are errors naming the file, the key and what was expected."""
    tables = {name.split(".")[0] for name in KEYS if "." in name}
    for name, value in data.items():
        if name in tables:
            if not isinstance(value, dict):
                raise ConfigError(f"config file {path}: [{name}] must be a table, not {_toml_type(value)}")
            for sub, subvalue in value.items():
                _check(path, f"{name}.{sub}", subvalue)
        else:
            _check(path, name, value)


def _check(path: Path, name: str, value: object) -> None:
    table, _, key = name.rpartition(".")
    shown = f"[{table}] {key}" if table else key
    spec = KEYS.get(name)
    if spec is None:
        known = sorted(k.rpartition(".")[2] for k in KEYS if k.rpartition(".")[0] == table)
        known += sorted(f"[{t}]" for t in {k.split(".")[0] for k in KEYS if "." in k} if not table)
        raise ConfigError(f"config file {path}: unknown key {shown} (expected one of: {', '.join(known)})")
    if type(value) is not spec.type and not (spec.type is float and type(value) is int):
        raise ConfigError(f"config file {path}: {shown} must be {_TYPE_NAMES[spec.type]}, not {_toml_type(value)}")
    if spec.check is not None:
        try:
            spec.check(value)
        except ValueError as exc:
            raise ConfigError(f"config file {path}: {shown} must be {exc}") from None


def today(cfg: Config) -> date:
    """Today in the configured time zone: the default as-of date of every command."""
    return datetime.now(ZoneInfo(cfg.timezone)).date()


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
        validate(data, Path(path))
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
            timeout=float(smtp.get("timeout", 30.0)),
        ),
        alerts=AlertConfig(
            reminder_days=int(alerts.get("reminder_days", 7)),
            escalate_after_days=int(alerts.get("escalate_after_days", 14)),
            retry_max_age_hours=float(alerts.get("retry_max_age_hours", 72.0)),
            retry_backoff_minutes=float(alerts.get("retry_backoff_minutes", 5.0)),
            admin_email=alerts.get("admin_email", ""),
            quiet_after_days=int(alerts.get("quiet_after_days", 14)),
        ),
        source=Path(path) if path is not None else None,
        lock_timeout_seconds=float(data.get("lock_timeout_seconds", 600)),
    )
    return config
