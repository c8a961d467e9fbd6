"""Settings: one TOML file read into one typed model, checked whole at load and passed in.

Every key, its type, its range and its default is written once, in the models below: to
add a setting, add one field to the section it belongs to (a new [section] is one more
`_Section` class and one field of `Config`). Unknown keys are refused. A file that cannot
work is refused at load with one line per problem naming the key, the value given and what
is allowed: `[smtp] port = 99999: must be 1–65535`.

Precedence for the database URL: `--db`, then `SEND_MONITOR_DB`, then the file's
`database_url`, then `sqlite:///send-monitor.db`. Folders are relative to the file's folder.
The SMTP password comes only from `SEND_MONITOR_SMTP_PASSWORD`, and the OpenID client secret
of the served dashboards (`[web]`) only from `SEND_MONITOR_OIDC_CLIENT_SECRET`, never from the
file.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, get_args
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    AnyUrl,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    HttpUrl,
    PlainSerializer,
    SecretStr,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from monitor.addresses import check_address
from monitor.documents.model import Limits
from monitor.resources import rules_dir as shipped_rules_dir

CONFIG_ENV = "SEND_MONITOR_CONFIG"
DB_ENV = "SEND_MONITOR_DB"
PASSWORD_ENV = "SEND_MONITOR_SMTP_PASSWORD"
CLIENT_SECRET_ENV = "SEND_MONITOR_OIDC_CLIENT_SECRET"
SECRETS = ("password", "client_secret")  # keys never read from the file nor shown
DEFAULT_CONFIG_FILE = Path("send-monitor.toml")
DEFAULT_URL = "sqlite:///send-monitor.db"
REPO_RULES = shipped_rules_dir()  # the rules shipped with the package (config `rules_dir` overrides)


class ConfigError(Exception):
    """The configuration cannot work: one line per problem."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


# --- value types: each check written once ---------------------------------------------------


def parse_time_of_day(value: object) -> dt.time:
    """`"06:00"` → 06:00: the one reading of a time of day."""
    if not isinstance(value, str) or not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        raise ValueError('must be a time of day "HH:MM", e.g. "06:00"')
    return dt.time(int(value[:2]), int(value[3:]))


def _time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError('must be an IANA time zone, e.g. "Europe/London"') from None
    return value


def _between(low: int, high: int):
    def check(value: int) -> int:
        if not low <= value <= high:
            raise ValueError(f"must be {low}–{high}")
        return value

    return check


def _address(value: str) -> str:
    try:
        return check_address(value)
    except ValueError as exc:
        raise ValueError(f"must be one e-mail address ({exc})") from None


def _address_or_blank(value: str) -> str:
    return value and _address(value)


def _database_url(value: str) -> str:
    try:
        TypeAdapter(AnyUrl).validate_python(value)
    except ValidationError:
        raise ValueError('must be a database address, e.g. "sqlite:///send-monitor.db" or "postgresql://…"') from None
    if not value.startswith(("sqlite:", "postgresql:", "postgresql+", "postgres:")):
        raise ValueError('must be a SQLite or PostgreSQL address ("sqlite:///…" or "postgresql://…")')
    return value


def _site_url(value: str) -> str:
    if not value:
        return value
    try:
        TypeAdapter(HttpUrl).validate_python(value)
    except ValidationError:
        raise ValueError('must be the site\'s web address, e.g. "https://send-monitor.example.org/"') from None
    return value


def _web_address(value: str, *, root: bool) -> str:
    """An https address (plain http only on this machine); `root`: the site's root, nothing after."""
    example = "https://send-monitor.example.org/" if root else "https://login.example.org/"
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f'must be a web address, e.g. "{example}"')
    if parts.scheme != "https" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("must be an https address (plain http only on this machine: 127.0.0.1 or localhost)")
    if root and (parts.path not in ("", "/") or parts.query or parts.fragment):
        raise ValueError(f'must be the site\'s root address, e.g. "{example}" (it is served at /, not below)')
    return value.rstrip("/") + "/" if root else value


def _networks(value: list[str]) -> list[str]:
    for item in value:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ValueError(f'{item!r} is no address or network: give e.g. "10.0.0.5" or "10.0.0.0/24"') from None
    return value


Port = Annotated[int, AfterValidator(_between(1, 65535))]
NonNegative = Annotated[float, Field(ge=0)]
Positive = Annotated[float, Field(gt=0)]
Count = Annotated[int, Field(ge=0)]
Folder = Annotated[Path, Field(strict=False, validate_default=True)]  # relative to the file's folder
Address = Annotated[str, AfterValidator(_address)]
OptionalAddress = Annotated[str, AfterValidator(_address_or_blank)]
TimeOfDay = Annotated[
    dt.time, BeforeValidator(parse_time_of_day), PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str)
]
TimeZone = Annotated[str, AfterValidator(_time_zone)]
DatabaseUrl = Annotated[str, AfterValidator(_database_url)]
SiteUrl = Annotated[str, AfterValidator(_site_url)]
Issuer = Annotated[str, AfterValidator(lambda v: _web_address(v, root=False))]
BaseUrl = Annotated[str, AfterValidator(lambda v: _web_address(v, root=True))]
Networks = Annotated[list[str], AfterValidator(_networks)]


# --- the settings ---------------------------------------------------------------------------


class _Section(BaseModel):
    """Typed as TOML writes it (no "25" for 25), unknown keys refused, checked on assignment too."""

    model_config = ConfigDict(
        extra="forbid", strict=True, validate_assignment=True, validate_by_name=True, defer_build=True
    )


class ScheduleConfig(_Section):
    time: TimeOfDay = dt.time(6, 0)  # the daily cycle: import inbox → check as of today → publish → alerts
    timezone: TimeZone = "Europe/London"  # "today" and the time above are in this zone


class SmtpConfig(_Section):
    host: str = "127.0.0.1"
    port: Port = 25
    starttls: bool = False  # STARTTLS after connecting (usually port 587)
    ssl: bool = False  # SMTPS: TLS from the start (usually port 465)
    allow_plain_auth: bool = False  # log in without TLS, the password in clear (only if you mean it)
    username: str = ""
    password: SecretStr = SecretStr("")  # from SEND_MONITOR_SMTP_PASSWORD only
    sender: Address = Field(default="monitor@example.org", alias="from")
    timeout: Positive = 30.0  # seconds the client waits for the server at each step

    @field_validator("ssl")
    @classmethod
    def _one_kind_of_tls(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("starttls"):
            raise ValueError("choose one: starttls = true (port 587) or ssl = true (port 465)")
        return value

    @field_validator("username")
    @classmethod
    def _login_over_tls(cls, value: str, info: ValidationInfo) -> str:
        d = info.data
        if value and not (d.get("starttls") or d.get("ssl") or d.get("allow_plain_auth")):
            raise ValueError(
                "logging in without TLS sends the password in clear: set starttls = true or ssl = true, "
                "or allow_plain_auth = true if you mean it"
            )
        return value

    @field_validator("password", mode="before")
    @classmethod
    def _not_in_the_file(cls, value: Any, info: ValidationInfo) -> Any:
        if info.context and info.context.get("file"):
            raise ValueError(f"must not be in the file: set it in the environment variable {PASSWORD_ENV}")
        return SecretStr(value) if isinstance(value, str) else value


class AlertConfig(_Section):
    reminder_days: Count = 7  # repeat an open breach at most this often
    escalate_after_days: Count = 14  # copy the area's SEND lead this many days past a breach's due date
    retry_max_age_hours: NonNegative = 72.0  # a message still not delivered after this long is failed
    retry_backoff_minutes: NonNegative = 5.0  # wait before a retry, doubled after each temporary failure
    admin_email: OptionalAddress = ""  # failed exports of unknown areas, the daily summary of quiet areas
    quiet_after_days: Count = 14  # an area with no successful import for this long gets a reminder


class DocumentsConfig(_Section):
    max_pages: Annotated[int, Field(ge=1)] = 100  # a longer PDF is read this far; a statement not found is a data gap
    max_seconds: Positive = 30.0  # a PDF is read for at most this long, likewise
    # local phrases a statement also accepts: wording file -> statement id (`id.N`: part N of an
    # `all`) -> phrases, e.g. [documents.wording.decision-letter] advice = ["Hantsiass"]
    wording: dict[str, dict[str, list[str]]] = {}

    def limits(self) -> Limits:
        return Limits(max_pages=self.max_pages, max_seconds=self.max_seconds)


class WebConfig(_Section):
    """The served dashboards' sign-in (OpenID Connect) and access log; absent: no served app."""

    issuer: Issuer  # the provider: discovery at {issuer}/.well-known/openid-configuration
    client_id: Annotated[str, Field(min_length=1)]
    client_secret: SecretStr = SecretStr("")  # from SEND_MONITOR_OIDC_CLIENT_SECRET only
    base_url: BaseUrl  # the app's address; the provider returns to {base_url}auth/callback
    roles_claim: str = ""  # an ID-token claim listing roles ("" for none: grants only)
    session_idle_minutes: Annotated[int, Field(gt=0)] = 30  # a session unused this long ends
    session_max_hours: Annotated[int, Field(gt=0)] = 8  # and any session after this long
    access_log_days: Annotated[int, Field(gt=0)] = 400  # access-log rows older than this are pruned
    trusted_proxies: Networks = []  # X-Forwarded-For/-Proto are honoured from these only

    @field_validator("client_secret", mode="before")
    @classmethod
    def _not_in_the_file(cls, value: Any, info: ValidationInfo) -> Any:
        if info.context and info.context.get("file"):
            raise ValueError(f"must not be in the file: set it in the environment variable {CLIENT_SECRET_ENV}")
        return SecretStr(value) if isinstance(value, str) else value


class Config(_Section):
    database_url: DatabaseUrl = DEFAULT_URL
    rules_dir: Folder = REPO_RULES
    parameters: dict[str, Any] = {}  # names and values are checked against rules/parameters.yaml
    inbox: Folder = Path("inbox")
    inbox_settle_seconds: NonNegative = 60.0  # an export is taken once unchanged this long (or with READY)
    inbox_by_area: bool = False  # each sub-folder of the inbox is an area's drop folder, named by its code
    inbox_area: str = ""  # exports in the inbox itself belong to this area (a single-area install)
    inbox_national: bool = False  # exports in the inbox itself are national (may change any area)
    site_dir: Folder = Path("site")
    site_url: SiteUrl = ""  # the site's public address, for links in alert e-mails
    accessibility_contact: str = ""  # the e-mail address the accessibility statement gives for problems
    lock_timeout_seconds: NonNegative = 600.0  # how long a writer waits for the store-wide lock
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    smtp: SmtpConfig = Field(default_factory=SmtpConfig)
    alerts: AlertConfig = Field(default_factory=AlertConfig)
    documents: DocumentsConfig = Field(default_factory=DocumentsConfig)
    web: WebConfig | None = None

    @model_validator(mode="before")
    @classmethod
    def _site_url_from_web(cls, data: Any) -> Any:
        """With [web], alert e-mails link to the served pages unless `site_url` says otherwise."""
        if isinstance(data, dict) and not data.get("site_url") and isinstance(data.get("web"), dict):
            base_url = data["web"].get("base_url")
            if isinstance(base_url, str):
                return {**data, "site_url": base_url.rstrip("/") + "/"}
        return data

    @field_validator("rules_dir", "inbox", "site_dir")
    @classmethod
    def _beside_the_file(cls, value: Path, info: ValidationInfo) -> Path:
        base = info.context.get("base") if info.context else None
        return base / value if base is not None else value


# --- loading --------------------------------------------------------------------------------


def today(cfg: Config) -> dt.date:
    """Today in the configured time zone: the default as-of date of every command."""
    return dt.datetime.now(ZoneInfo(cfg.schedule.timezone)).date()


def load_config(path: Path | None = None, db: str | None = None) -> Config:
    """Read the config file (explicit, `SEND_MONITOR_CONFIG`, or ./send-monitor.toml if present)."""
    if path is None and os.environ.get(CONFIG_ENV):
        path = Path(os.environ[CONFIG_ENV])
    if path is None and DEFAULT_CONFIG_FILE.exists():
        path = DEFAULT_CONFIG_FILE
    data: dict = {}
    where = "configuration"
    if path is not None:
        where = f"config file {path}"
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError([f"config file {path} does not exist"]) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError([f"config file {path} cannot be read ({type(exc).__name__})"]) from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError([f"config file {path}: {exc}"]) from None
    url = db or os.environ.get(DB_ENV)
    if url:
        data["database_url"] = url
    base = Path(path).resolve().parent if path is not None else Path.cwd()
    try:
        config = Config.model_validate(data, context={"base": base, "file": True})
        config.smtp.password = SecretStr(os.environ.get(PASSWORD_ENV, ""))
        if config.web is not None:
            config.web.client_secret = SecretStr(os.environ.get(CLIENT_SECRET_ENV, ""))
    except ValidationError as exc:
        raise ConfigError([f"{where}: {line}" for line in problems(exc)]) from None
    return config


# --- saying what is wrong -------------------------------------------------------------------

_EXPECTED = {
    "int_type": "must be a whole number",
    "float_type": "must be a number",
    "bool_type": "must be true or false",
    "string_type": "must be text in quotes",
    "dict_type": "must be a table",
    "model_type": "must be a table",
    "is_instance_of": "must be a folder in quotes",
    "path_type": "must be a folder in quotes",
}


def section_model(annotation: Any) -> type[BaseModel] | None:
    """The model of a [section] field (`WebConfig` of `WebConfig | None`), or None."""
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


_SECTIONS = {name: model for name, f in Config.model_fields.items() if (model := section_model(f.annotation))}


def problems(exc: ValidationError) -> list[str]:
    """One line per problem: `[smtp] port = 99999: must be 1–65535`."""
    lines = []
    for error in exc.errors(include_url=False):
        loc = [str(part) for part in error["loc"]]
        key = f"[{loc[0]}] {'.'.join(loc[1:])}" if len(loc) > 1 and loc[0] in _SECTIONS else ".".join(loc)
        if len(loc) == 1 and loc[0] in _SECTIONS:
            key = f"[{loc[0]}]"
        if error["type"] == "missing":
            lines.append(f"{key}: must be given")
            continue
        shown = "…" if loc[-1] in SECRETS else _shown(error["input"])
        lines.append(f"{key} = {shown}: {_allowed(error, loc)}")
    return lines


def _allowed(error: Any, loc: list[str]) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "extra_forbidden":
        model = _SECTIONS.get(loc[0], Config) if len(loc) > 1 else Config
        known = sorted(f.alias or name for name, f in model.model_fields.items() if name not in _SECTIONS)
        if model is Config:
            known += [f"[{name}]" for name in sorted(_SECTIONS)]
        return f"unknown key (expected one of: {', '.join(k for k in known if k not in SECRETS)})"
    if kind in _EXPECTED:
        return _EXPECTED[kind]
    if kind == "greater_than":
        return f"must be more than {ctx['gt']:g}"
    if kind == "greater_than_equal":
        return f"must be {ctx['ge']:g} or more"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return str(error["msg"])


def _shown(value: object) -> str:
    """The value as the file wrote it, cut short."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "(a table)"
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)
    return text if len(text) <= 80 else text[:77] + "…"


# --- showing the settings in force ----------------------------------------------------------


def effective_toml(cfg: Config) -> str:
    """The settings in force as a TOML file would write them, with secrets masked."""
    data = cfg.model_dump(mode="json", by_alias=True)
    data["database_url"] = _masked_url(cfg.database_url)
    password = "set" if cfg.smtp.password.get_secret_value() else "not set"
    data["smtp"].pop("password")
    data["parameters"] = cfg.parameters  # TOML dates stay dates
    lines = [f"{key} = {_toml(value)}" for key, value in data.items() if key not in _SECTIONS and key != "parameters"]
    if cfg.web is not None:
        client_secret = "set" if cfg.web.client_secret.get_secret_value() else "not set"
        data["web"].pop("client_secret")
    for section in (*_SECTIONS, "parameters"):
        if data[section] is None:
            continue
        lines += ["", f"[{section}]"] + [f"{key} = {_toml(value)}" for key, value in data[section].items()]
        if section == "smtp":
            lines.append(f"# password: {password} (from {PASSWORD_ENV})")
        if section == "web":
            lines.append(f"# client_secret: {client_secret} (from {CLIENT_SECRET_ENV})")
    return "\n".join(lines) + "\n"


def _masked_url(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    userinfo, at, host = rest.rpartition("@")
    if not at or ":" not in userinfo:
        return url
    return f"{scheme}{sep}{userinfo.split(':', 1)[0]}:***@{host}"


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)
