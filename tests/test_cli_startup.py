"""A command imports only what it uses: `--version`, `--help` and `check` do not load the store's
driver layer, the pages, the workbooks, the browser or the web app they have no use for."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import SAMPLE, cli

STORE_AND_PAGES = ("sqlalchemy", "sqlmodel", "plotly", "openpyxl", "xlsxwriter", "playwright", "starlette")
NOT_FOR_CHECK = ("plotly", "openpyxl", "xlsxwriter", "playwright", "starlette", "jinja2")
MONITOR_NOT_FOR_CHECK = ("publish", "alerts", "web", "importing")  # documents: the wording duties read letters


def imported(*args: str, cwd=None) -> set[str]:
    """The modules `python -m monitor ARGS` imports (from `-X importtime`), after it succeeded."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "monitor", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    names = {m.group(1).strip() for m in re.finditer(r"^import time:\s*\d+ \|\s*\d+ \|\s*(\S+)", proc.stderr, re.M)}
    assert "monitor.cli" in names  # the report was read
    return names


def top_level(names: set[str]) -> set[str]:
    return {n.split(".")[0] for n in names}


@pytest.mark.parametrize("args", [("--version",), ("check", "--help"), ("--help",)])
def test_version_and_help_load_no_store_pages_or_browser(args):
    assert not top_level(imported(*args)) & set(STORE_AND_PAGES)


def test_version_loads_no_configuration_model():
    names = imported("--version")
    assert "pydantic" not in top_level(names)
    assert not {n for n in names if n.startswith("monitor.") and not n.startswith(("monitor.cli", "monitor.logs"))}


def test_check_loads_no_pages_alerts_web_or_import(tmp_path):
    db = f"sqlite:///{tmp_path / 'store.db'}"
    assert cli("import", SAMPLE, db=db).exit_code == 0
    names = imported("--db", db, "check", "--as-of", "2021-06-30", cwd=tmp_path)
    assert "monitor.check" in names  # it did check
    assert not top_level(names) & set(NOT_FOR_CHECK)
    loaded = {n.split(".")[1] for n in names if n.startswith("monitor.")}
    assert not loaded & set(MONITOR_NOT_FOR_CHECK)
    assert "sqlalchemy.dialects.postgresql" not in names  # an SQLite store needs no PostgreSQL dialect
