"""Publishing always leaves a complete site: OUT_DIR is swapped atomically, a killed publish
leaves the old site whole and its leftovers are removed by the next, and worker processes die
with their parent."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SAMPLE, cli

from monitor.publish.write import MARKER

AS_OF = "2020-06-30"
CLI = "import sys; from monitor.cli import app; sys.argv[0] = 'send-monitor'; app()"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    base = tmp_path_factory.mktemp("atomic")
    db = f"sqlite:///{base / 'store.db'}"
    assert cli("import", SAMPLE, db=db).exit_code == 0
    assert cli("check", "--as-of", AS_OF, db=db).exit_code == 0
    return db


def _files(site: Path) -> set[str]:
    return {str(p.relative_to(site)) for p in site.rglob("*") if p.is_file()}


def _complete(site: Path, expected: set[str]) -> None:
    assert (site / MARKER).is_file(), "no complete site under OUT_DIR"
    assert _files(site) == expected


def _beside(site: Path) -> list[str]:
    return sorted(p.name for p in site.parent.iterdir() if p.name.startswith(f".{site.name}."))


def _start(db: str, site: Path, prelude: str = "") -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", prelude + CLI, "--db", db, "publish", str(site)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _version(site: Path) -> Path | None:
    current = os.readlink(site) if site.is_symlink() else None
    found = [p for p in site.parent.glob(f".{site.name}.v-*") if p.name != current]
    return found[0] if found else None


# Each step's publish kills itself there (SIGKILL, as kill -9): the moments are too short to
# hit reliably from outside on a fast machine.
_PAGE = "import os, signal; from monitor.publish.write import SiteWriter; _page = SiteWriter.page; "
KILL_AT = {
    "build started": _PAGE + "SiteWriter.page = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL); ",
    "area pages written": _PAGE
    + "SiteWriter.page = lambda self, page: "
    + "(_page(self, page), page.path == 'areas/852/index.html' and os.kill(os.getpid(), signal.SIGKILL))[0]; ",
    "build complete": "import os, signal; from monitor.publish.write import SiteFolder; "
    "SiteFolder.swap = lambda self, version: os.kill(os.getpid(), signal.SIGKILL); ",
}
LEFT = {
    "build started": lambda v: not (v / MARKER).exists(),
    "area pages written": lambda v: (v / "areas/852/index.html").exists() and not (v / MARKER).exists(),
    "build complete": lambda v: (v / MARKER).exists(),
}


def test_out_dir_is_a_link_swapped_to_a_version(store, tmp_path):
    site = tmp_path / "site"
    assert cli("publish", site, db=store).exit_code == 0
    first = os.readlink(site)
    assert site.is_symlink() and first.startswith(".site.v-") and "/" not in first
    assert cli("publish", site, db=store).exit_code == 0
    second = os.readlink(site)
    assert second != first
    _joined_threads()
    assert _beside(site) == [".site.lock", second]  # the old version is pruned


def _joined_threads() -> None:
    import threading

    for t in threading.enumerate():
        if t.name == "send-monitor-remove-old-site":
            t.join()


def test_a_real_folder_site_is_migrated(store, tmp_path):
    site = tmp_path / "site"
    assert cli("publish", site, db=store).exit_code == 0
    expected = _files(site)
    real = tmp_path / "real"
    shutil.copytree(site, real, symlinks=False)
    assert cli("publish", real, db=store).exit_code == 0
    assert real.is_symlink()
    _joined_threads()
    _complete(real, expected)
    assert [n for n in _beside(real) if not n.startswith(".real.v-")] == [".real.lock"]


@pytest.mark.parametrize("step", list(KILL_AT))
def test_killed_publish_leaves_the_old_site_and_the_next_cleans_up(store, tmp_path, step):
    site = tmp_path / "site"
    assert cli("publish", site, db=store).exit_code == 0
    expected = _files(site)
    proc = _start(store, site, KILL_AT[step])
    assert proc.wait(timeout=120) == -signal.SIGKILL, proc.stderr.read().decode()
    version = _version(site)
    assert version is not None and LEFT[step](version)
    _complete(site, expected)
    assert len(_beside(site)) > 2  # the killed publish left its version folder
    assert cli("publish", site, db=store).exit_code == 0
    _joined_threads()
    _complete(site, expected)
    assert _beside(site) == [".site.lock", os.readlink(site)]


def test_readers_always_find_a_complete_site(store, tmp_path):
    """Poll OUT_DIR while a publish runs to its end and is swapped in."""
    site = tmp_path / "site"
    assert cli("publish", site, db=store).exit_code == 0
    proc = _start(store, site)
    seen = 0
    while proc.poll() is None:
        assert (site / MARKER).is_file() and (site / "areas/851/index.html").is_file()
        seen += 1
        time.sleep(0.001)
    assert proc.returncode == 0 and seen


def test_a_second_publish_of_the_same_folder_is_refused(store, tmp_path):
    import fcntl

    site = tmp_path / "site"
    assert cli("publish", site, db=store).exit_code == 0
    with open(tmp_path / ".site.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        result = cli("publish", site, db=store)
    assert result.exit_code == 1
    assert "another publish is writing" in result.stderr and "Traceback" not in result.output


def test_workers_die_with_their_parent(store, tmp_path):
    code = (
        "import sys; from pathlib import Path; from monitor.store import open_store; "
        "from monitor.rules import load_rules; from monitor.config import REPO_RULES; "
        "from monitor.publish import publish; "
        "publish(open_store(sys.argv[1]), load_rules(REPO_RULES), Path(sys.argv[2]), workers=2)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, store, str(tmp_path / "site")])
    children: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while not children:
            assert proc.poll() is None and time.monotonic() < deadline
            found = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout
            children = [int(p) for p in found.split()]
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    deadline = time.monotonic() + 20
    while any(_alive(pid) for pid in children):
        assert time.monotonic() < deadline, "a worker outlived its parent"
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ")[-1][0] != "Z"
    except FileNotFoundError:
        return False
