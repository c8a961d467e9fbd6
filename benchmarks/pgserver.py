"""A throw-away PostgreSQL server on 127.0.0.1, for the tests and the benchmarks.

`initdb` refuses to run as root, so as root the server runs as the `postgres` user.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bin() -> Path | None:
    """The newest installed PostgreSQL server's bin folder, if any."""
    for base in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (base / "initdb").exists():
            return base
    return None


@contextmanager
def temporary_server() -> Iterator[str]:
    """Start a server in a temporary folder; yield its URL without a database name."""
    bin_dir = pg_bin()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
    data = Path(tempfile.mkdtemp(prefix="send-monitor-pg-"))
    as_pg: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(data, "postgres")
        as_pg = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    pg_ctl = [*as_pg, str(bin_dir / "pg_ctl"), "-D", str(data / "db")]
    subprocess.run([*as_pg, str(bin_dir / "initdb"), "-D", str(data / "db"), "-U", "postgres",
                    "--auth=trust", "-E", "UTF8"], check=True, capture_output=True)
    subprocess.run([*pg_ctl, "-l", str(data / "log"), "-o", f"-h 127.0.0.1 -p {port} -k {data} -F",
                    "-w", "start"], check=True, capture_output=True)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run([*pg_ctl, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


def create_database(server: str, name: str) -> str:
    """Create database `name` on `server`; return its URL."""
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"
