"""The package: one version, everything it reads shipped inside the wheel, and the installed
wheel running the daily cycle from another folder."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest

import monitor
from tests.conftest import REPO, SAMPLE, cli

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def test_one_version_everywhere():
    assert cli("--version").stdout == f"send-monitor {monitor.__version__}\n"
    assert version("send-monitor") == monitor.__version__
    module = subprocess.run([sys.executable, "-m", "monitor", "--version"], capture_output=True, text=True, cwd=REPO)
    assert module.stdout == f"send-monitor {monitor.__version__}\n"
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {monitor.__version__} " in changelog


def test_every_package_folder_is_listed_in_pyproject():
    """setuptools ships only the packages listed in pyproject.toml: a new folder needs a line there."""
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    mapped = PYPROJECT["tool"]["setuptools"]["package-dir"]
    folders = {
        ".".join(p.parent.relative_to(REPO).parts)
        for p in (REPO / "monitor").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    for package, folder in mapped.items():
        folders |= {
            package + "".join("." + part for part in p.parent.relative_to(REPO / folder).parts)
            for p in (REPO / folder).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }
    assert folders - listed == set()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    shutil.rmtree(REPO / "build" / "lib", ignore_errors=True)  # setuptools never removes files gone from the tree
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(out),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    (found,) = out.glob("send_monitor-*.whl")
    return found


def test_the_wheel_holds_the_rules_templates_and_migrations(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"monitor/rules_data/{p.relative_to(REPO / 'rules')}" for p in (REPO / "rules").rglob("*.yaml")}
    shipped |= {
        f"monitor/dashboards/{p.relative_to(REPO / 'dashboards')}"
        for p in (REPO / "dashboards").rglob("*.*")
        if "__pycache__" not in p.parts
    }
    shipped |= {
        "monitor/templates/email/digest.txt",
        "monitor/templates/email/digest.html",
        "monitor/migrations/env.py",
        "monitor/migrations/script.py.mako",
    }
    shipped |= {f"monitor/migrations/versions/{p.name}" for p in (REPO / "monitor/migrations/versions").glob("*.py")}
    assert shipped - names == set()
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/", "sample_data/"))]


def test_the_installed_wheel_runs_the_daily_cycle_elsewhere(wheel, tmp_path, smtp):
    """Install the wheel alone into a new venv (its dependencies borrowed from this one's
    site-packages) and run import, check, publish and alerts from an unrelated folder."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(site, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")

    work = tmp_path / "elsewhere"
    work.mkdir()
    (work / "send-monitor.toml").write_text(
        f'database_url = "sqlite:///{work / "store.db"}"\nsite_dir = "site"\n'
        f'site_url = "https://monitor.example.org/"\n[smtp]\nport = {smtp.port}\n',
        encoding="utf-8",
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(work)}

    def run(*args: str) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [str(venv / "bin" / "send-monitor"), *args], cwd=work, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return done

    where = subprocess.run(
        [str(python), "-c", "import monitor.resources as r; print(r.__file__); print(r.rules_dir())"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert all(path.startswith(str(venv)) for path in where)
    run("import", str(SAMPLE))
    run("check", "--as-of", "2020-06-30")
    run("publish", "--as-of", "2020-06-30")
    assert (work / "site" / "index.html").is_file() and (work / "site" / "assets" / "site.css").is_file()
    run("alerts")
    assert smtp.take()


def _name(requirement: str) -> str:
    """The normalised project name of a requirement line (`psycopg[binary]>=3.1` → psycopg)."""
    return re.split(r"[\[<>=!~; ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-").replace(".", "-")


def test_the_lock_pins_every_dependency():
    """A dependency added to pyproject.toml needs `make lock` (then commit requirements.lock);
    every pin carries the SHA-256 of its files (`make lock-check` compares the whole lock)."""
    project = PYPROJECT["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    wanted |= {_name(r) for extra in project["optional-dependencies"].values() for r in extra}
    text = (REPO / "requirements.lock").read_text(encoding="utf-8")
    pins = re.findall(r"^([A-Za-z0-9][^ ;\\]*)[^\n]*\n((?:\s+--hash=sha256:[0-9a-f]{64}[^\n]*\n)*)", text, flags=re.M)
    assert pins and all("==" in pin and hashes for pin, hashes in pins)  # each pinned, with its SHA-256s
    assert wanted - {_name(pin) for pin, _ in pins} == set()


def test_the_commit_hooks_refuse_a_large_file_and_a_missing_final_newline(tmp_path):
    """The pre-commit hooks (pre-commit-hooks from PyPI, as local hooks) would have caught a
    stray wheel at the root and a file without its last newline."""
    import yaml

    hooks = {
        h["id"]: h for r in yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text())["repos"] for h in r["hooks"]
    }
    assert {"check-added-large-files", "end-of-file-fixer"} <= set(hooks)
    bin_dir = Path(sys.executable).parent

    def run(hook: str, *files: str) -> int:
        tool, *args = hooks[hook]["entry"].split()
        return subprocess.run([bin_dir / Path(tool).name, *args, *files], cwd=tmp_path, capture_output=True).returncode

    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "py_spy-0.4.0.whl").write_bytes(os.urandom(600 * 1024))
    subprocess.run(["git", "add", "py_spy-0.4.0.whl"], cwd=tmp_path, check=True)
    assert run("check-added-large-files", "py_spy-0.4.0.whl") == 1
    (tmp_path / "notes.md").write_text("no newline at the end", encoding="utf-8")
    assert run("end-of-file-fixer", "notes.md") == 1
    assert (tmp_path / "notes.md").read_text(encoding="utf-8") == "no newline at the end\n"
