"""Shared fixtures: the CLI runner, a real PostgreSQL server, the store on both back ends,
and a real SMTP server."""

from __future__ import annotations

import email
import email.policy
import os
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from typer.testing import CliRunner

from benchmarks.pgserver import create_database, free_port, pg_bin, temporary_server
from monitor.cli import app

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample_data" / "demo"


# --- markers by fixture use: `make test-fast` deselects `browser` and `postgres` ----------------

POSTGRES_FIXTURES = {"postgres_server", "pg_url"}
BROWSER_FIXTURES = {"chromium", "browser", "playwright"}


def pytest_collection_modifyitems(config, items):
    """Mark each test by what it needs: a PostgreSQL server (`postgres`) or Chromium (`browser`)."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        params = getattr(getattr(item, "callspec", None), "params", {})
        if names & POSTGRES_FIXTURES or params.get("db_url") == "postgresql":
            item.add_marker(pytest.mark.postgres)
        if names & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium() -> str:
    """The path of the installed Chromium; fixtures and tests that need it depend on this one."""
    import shutil

    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed (scripts/system-deps installs it)")
        pytest.skip("Chromium is not installed (scripts/system-deps installs it)")
    return found


def cli(*args: str, db: str | None = None, config: Path | None = None):
    """Run `send-monitor` in-process; returns the click Result (exit_code, stdout, stderr)."""
    prefix = []
    if db:
        prefix += ["--db", db]
    if config:
        prefix += ["--config", str(config)]
    return CliRunner().invoke(app, [*prefix, *map(str, args)], catch_exceptions=False)


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server on 127.0.0.1, run as the `postgres` user; yields its base URL."""
    if pg_bin() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed (.ci/run installs it)")
        pytest.skip("PostgreSQL is not installed")
    with temporary_server() as url:
        yield url


_db_counter = iter(range(1, 10**6))


@pytest.fixture
def pg_url(postgres_server):
    """A fresh, empty PostgreSQL database for one test."""
    return create_database(postgres_server, f"t{os.getpid()}_{next(_db_counter)}")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """The store URL, once on SQLite and once on a real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'store.db'}"


def write_records(folder: Path, **files: list[dict]) -> Path:
    """Write a records folder: one CSV per keyword (`areas=[{...}, ...]`), header from the first row."""
    import csv

    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in files.items():
        columns = list(dict.fromkeys(k for row in rows for k in row))
        with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
    return folder


def findings_of(db: str, as_of: str) -> dict[tuple[str, str], dict]:
    """Check as of `as_of` and return the exported findings by (duty, subject)."""
    import json

    result = cli("check", "--as-of", as_of, db=db)
    assert result.exit_code == 0, result.output
    result = cli("findings", "--as-of", as_of, "--format", "json", db=db)
    assert result.exit_code == 0, result.output
    return {(f["duty"], f["subject"]): f for f in json.loads(result.stdout)["findings"]}


# --- a real SMTP server -----------------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def to(self) -> str:
        return str(self.message["To"])

    @property
    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(("html",)).get_content()


class _Collector:
    def __init__(self):
        self.messages: list[Received] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd on 127.0.0.1 at a port chosen first; stop() and start() simulate an outage."""

    def __init__(self):
        self.port = free_port()
        self.collector = _Collector()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def take(self) -> list[Received]:
        """The messages received since the last take()."""
        got, self.collector.messages = self.collector.messages, []
        return got


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
