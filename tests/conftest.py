"""Shared fixtures: the CLI runner, a real PostgreSQL server, and the store on both back ends."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from monitor.cli import app

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample_data" / "demo"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(*args: str, db: str | None = None, config: Path | None = None):
    """Run `send-monitor` in-process; returns the click Result (exit_code, stdout, stderr)."""
    prefix = []
    if db:
        prefix += ["--db", db]
    if config:
        prefix += ["--config", str(config)]
    return CliRunner().invoke(app, [*prefix, *map(str, args)], catch_exceptions=False)


def _pg_bin() -> Path | None:
    for base in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (base / "initdb").exists():
            return base
    return None


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server on 127.0.0.1, run as the `postgres` user; yields its base URL."""
    bin_dir = _pg_bin()
    if bin_dir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed (.ci/run installs it)")
        pytest.skip("PostgreSQL is not installed")
    data = Path(tempfile.mkdtemp(prefix="send-monitor-pg-"))
    shutil.chown(data, "postgres")
    port = free_port()
    as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*as_pg, str(bin_dir / "initdb"), "-D", str(data / "db"), "-U", "postgres",
                    "--auth=trust", "-E", "UTF8"], check=True, capture_output=True)
    subprocess.run([*as_pg, str(bin_dir / "pg_ctl"), "-D", str(data / "db"), "-l", str(data / "log"),
                    "-o", f"-h 127.0.0.1 -p {port} -k {data} -F", "-w", "start"], check=True, capture_output=True)
    url = f"postgresql://postgres@127.0.0.1:{port}"
    try:
        yield url
    finally:
        subprocess.run([*as_pg, str(bin_dir / "pg_ctl"), "-D", str(data / "db"), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


_db_counter = iter(range(1, 10**6))


@pytest.fixture
def pg_url(postgres_server):
    """A fresh, empty PostgreSQL database for one test."""
    import psycopg

    name = f"t{os.getpid()}_{next(_db_counter)}"
    with psycopg.connect(f"{postgres_server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{postgres_server}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """The store URL, once on SQLite and once on a real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'store.db'}"
