"""`serve`: the app with uvicorn's workers (`--demo ROLE` on loopback), or a published folder
(`--static DIR`); what it refuses, each in one line, before anything starts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from benchmarks.pgserver import free_port
from tests.conftest import SAMPLE, cli

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = f"sqlite:///{tmp_path_factory.mktemp('serve') / 'store.db'}"
    assert cli("import", SAMPLE, db=db).exit_code == 0
    assert cli("check", "--as-of", "2020-06-30", db=db).exit_code == 0
    return db


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--demo", "national", "--host", "0.0.0.0"], "serves on a loopback address only, not 0.0.0.0"),
        (["--demo", "superuser"], "'superuser' is not a role"),
        ([], "add a [web] table to the configuration"),
    ],
)
def test_serve_refuses_in_one_line(args, said, demo_db):
    result = cli("serve", *args, db=demo_db)
    assert result.exit_code == 1
    assert said in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr


def test_serve_refuses_a_store_it_cannot_reach_before_starting():
    result = cli("serve", "--demo", "national", db="postgresql://monitor:s3cret@127.0.0.1:1/send")
    assert result.exit_code == 1
    assert "cannot reach the store" in result.stderr and "s3cret" not in result.stderr


def test_static_needs_a_published_site(tmp_path):
    result = cli("serve", "--static", str(tmp_path))
    assert result.exit_code == 1
    assert "holds no published site" in result.stderr


def test_serve_demo_runs_workers_that_answer_by_role_and_stop_on_sigterm(demo_db):
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "monitor",
            "--db",
            demo_db,
            "serve",
            "--demo",
            "area:851",
            "--port",
            str(port),
            "--workers",
            "2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,  # this checkout's code
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                home = httpx.get(base + "/", timeout=5)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stderr.read()
                time.sleep(0.1)
        assert home.status_code == 302 and home.headers["location"] == "/areas/851/index.html"
        assert httpx.get(base + "/areas/851/index.html").status_code == 200
        assert httpx.get(base + "/areas/850/index.html").status_code == 404
        refused = httpx.get(base + "/index.html")
        assert refused.status_code == 403
        assert "frame-ancestors 'none'" in refused.headers["content-security-policy"]
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert f"serving the dashboards on http://127.0.0.1:{port}/" in stderr
    assert "Traceback" not in stderr


def test_serve_refuses_a_web_database_of_another_version_in_one_line(tmp_path):
    import sqlite3

    db = f"sqlite:///{tmp_path / 'store.db'}"
    assert cli("import", SAMPLE, db=db).exit_code == 0
    with sqlite3.connect(tmp_path / "store.web.db") as web:
        web.execute("PRAGMA user_version = 99")
    result = cli("serve", "--demo", "national", "--port", "0", db=db)
    assert result.exit_code == 1
    assert "was made by another send-monitor version" in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr
