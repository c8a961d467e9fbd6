"""Writing the site: files inside the build folder, the exports, the assets, and the swap."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import shutil
import tempfile
import threading
from datetime import UTC, date, datetime
from pathlib import Path

from monitor.exports import csv_text, json_text, national_csv, national_xlsx, xlsx_bytes
from monitor.findings import export_rows
from monitor.publish.errors import PublishError
from monitor.publish.page import Page
from monitor.publish.render import DASHBOARDS, render_page

MARKER = ".send-monitor-site"


class SiteWriter:
    """Writes pages and files into a site folder (creating folders as needed, refusing paths
    that would leave it)."""

    def __init__(self, root: Path):
        self.root = root.resolve()
        self.folders: set[str] = set()
        self.pages = 0

    def path(self, rel: str) -> str:
        parts = rel.split("/")
        if any(part in ("", ".", "..") for part in parts):
            raise PublishError(f"refusing to write {rel!r}: not a plain path inside the site folder")
        folder = "/".join(parts[:-1])
        if folder not in self.folders:
            (self.root / folder).mkdir(parents=True, exist_ok=True)
            self.folders.add(folder)
        return os.path.join(self.root, rel)

    def text(self, rel: str, content: str) -> Path:
        target = self.path(rel)
        with open(target, "w", encoding="utf-8") as fh:
            fh.write(content)
        return Path(target)

    def page(self, page: Page) -> Path:
        self.pages += 1
        return self.text(page.path, render_page(page))

    def exports(self, folder: str, as_of: date, rows: list[dict], title: str | None = None) -> None:
        """findings.csv and .json as the CLI exports them; an area's folder gets findings.xlsx too."""
        shaped = export_rows(rows)
        self.text(folder + "findings.json", json_text(as_of, shaped))
        self.text(folder + "findings.csv", csv_text(shaped))
        if title is not None:
            with open(self.path(folder + "findings.xlsx"), "wb") as fh:
                fh.write(xlsx_bytes(as_of, shaped, title))

    def national(self, as_of: date, rows: list[dict]) -> None:
        """national.csv and national.xlsx: the national table of areas by duty, with n and rates."""
        self.text("national.csv", national_csv(rows))
        with open(self.path("national.xlsx"), "wb") as fh:
            fh.write(national_xlsx(as_of, rows))


class SiteFolder:
    """OUT_DIR as a symbolic link to a complete versioned folder beside it (`.NAME.v-…`).

    A new site is built in a new version folder; a temporary link to it is renamed over
    OUT_DIR (one atomic rename), so readers find the complete old or the complete new site
    at every instant. A site written as a real folder by earlier versions is exchanged for
    the link atomically too (renameat2 RENAME_EXCHANGE; elsewhere two renames). Publishes
    of one OUT_DIR take turns (a lock file beside it); each removes what killed publishes
    left and every version but the one it swapped in.
    """

    def __init__(self, out_dir: Path):
        out_dir = Path(out_dir).absolute()
        if out_dir.is_symlink() and not self._ours(out_dir, os.readlink(out_dir)):
            out_dir = out_dir.resolve()  # a link someone else made: publish where it points
        self.out_dir = out_dir
        self.parent = out_dir.parent
        self.prefix = f".{out_dir.name}."

    @staticmethod
    def _ours(link: Path, target: str) -> bool:
        return "/" not in target and target.startswith(f".{link.name}.v-")

    def check(self) -> None:
        """Refuse an OUT_DIR that is neither empty, nor missing, nor a site written by send-monitor."""
        out = self.out_dir
        if out.is_symlink():
            return
        if out.exists() and not out.is_dir():
            raise PublishError(f"{out} is a file, not a folder: choose an empty or new folder")
        if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
            raise PublishError(
                f"{out} is not empty and is not a site written by send-monitor: choose an empty or new folder"
            )

    @contextlib.contextmanager
    def lock(self):
        """Hold the lock file beside OUT_DIR (released by the kernel if the process dies)."""
        self.parent.mkdir(parents=True, exist_ok=True)
        with open(self.parent / f"{self.prefix}lock", "a") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise PublishError(f"another publish is writing {self.out_dir}: try again when it ends") from None
            yield

    def current(self) -> str | None:
        """The name of the version folder OUT_DIR points at (None: no link yet)."""
        return os.readlink(self.out_dir) if self.out_dir.is_symlink() else None

    def new_version(self) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        return Path(tempfile.mkdtemp(prefix=f"{self.prefix}v-{stamp}-", dir=self.parent))

    def swap(self, version: Path) -> None:
        """Point OUT_DIR at `version` (complete, with its marker) in one atomic step."""
        os.chmod(version, 0o755)
        link = self.parent / f"{self.prefix}link-{version.name.rsplit('-', 1)[-1]}"
        os.symlink(version.name, link)
        if self.out_dir.is_dir() and not self.out_dir.is_symlink():
            if not _exchange(link, self.out_dir):  # no renameat2: a brief moment without a site
                os.rename(self.out_dir, self.parent / f"{self.prefix}old-{version.name.rsplit('-', 1)[-1]}")
                os.rename(link, self.out_dir)
        else:
            os.rename(link, self.out_dir)
        _fsync_dir(self.parent)

    def leftovers(self) -> list[Path]:
        """Everything beside OUT_DIR that earlier or killed publishes left, but the current version."""
        keep = self.current()
        return [
            p
            for p in self.parent.glob(f"{self.prefix}*")
            if p.name != keep
            and p.name != f"{self.prefix}lock"
            and p.name.startswith(tuple(f"{self.prefix}{k}-" for k in ("v", "new", "old", "link")))
        ]

    def prune(self, background: bool = False) -> None:
        """Remove the leftovers; tens of thousands of old pages take a while, so after a swap
        this runs in a (non-daemon) thread that a command-line run still finishes."""

        def remove(paths: list[Path]) -> None:
            for p in paths:
                if p.is_symlink() or p.is_file():
                    p.unlink(missing_ok=True)
                else:
                    shutil.rmtree(p, ignore_errors=True)

        paths = self.leftovers()
        if background and paths:
            threading.Thread(target=remove, args=(paths,), name="send-monitor-remove-old-site").start()
        else:
            remove(paths)


def _exchange(a: Path, b: Path) -> bool:
    """Exchange two paths atomically (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_assets(site: Path) -> None:
    import plotly.offline

    assets = site / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    (assets / "plotly.min.js").write_text(plotly.offline.get_plotlyjs(), encoding="utf-8")
    for path in (DASHBOARDS / "static").iterdir():
        if path.is_file():
            shutil.copyfile(path, assets / path.name)


def copy_site(out_dir: Path, dest: Path) -> Path:
    """Copy the published site (OUT_DIR is a link to its version folder) to `dest` as a plain
    folder with no links, for a web server or a USB stick. `dest` must be missing or empty; the
    copy is made beside it and renamed into place, so `dest` is never half written."""
    source = Path(out_dir).resolve()
    dest = Path(dest).absolute()
    if not (source / MARKER).exists():
        raise PublishError(f"{out_dir} holds no published site to copy")
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise PublishError(f"{dest} is not an empty folder: choose an empty or new folder to copy the site to")
    if dest == source or dest.is_relative_to(source):
        raise PublishError(f"{dest} is inside the site: choose a folder outside it")
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{dest.name}.copy-", dir=dest.parent))
    try:
        shutil.copytree(source, partial, dirs_exist_ok=True)
        os.chmod(partial, 0o755)
        if dest.exists():
            dest.rmdir()
        os.rename(partial, dest)
    except OSError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise PublishError(f"could not copy the site to {dest}: {exc.strerror or exc}") from None
    return dest
