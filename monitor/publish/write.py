"""Writing the site: files inside the build folder, the exports, the assets, and the swap."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
import threading
from datetime import date
from pathlib import Path

from jinja2 import Environment

from monitor.findings import EXPORT_FIELDS, export_rows
from monitor.publish.errors import PublishError
from monitor.publish.render import DASHBOARDS

MARKER = ".send-monitor-site"


class _Writer:
    def __init__(self, root: Path, env: Environment, common: dict):
        self.root = root.resolve()
        self.env = env
        self.common = common
        self.templates: dict[str, object] = {}
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

    def page(self, template: str, rel: str, **context) -> Path:
        if template not in self.templates:
            self.templates[template] = self.env.get_template(template)
        root = "../" * rel.count("/")
        self.pages += 1
        return self.text(rel, self.templates[template].render(**self.common, root=root, here=rel, **context))

    def exports(self, folder: str, as_of: date, rows: list[dict]) -> None:
        shaped = export_rows(rows)
        self.text(folder + "findings.json", json.dumps({"as_of": as_of.isoformat(), "findings": shaped}) + "\n")
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(EXPORT_FIELDS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(shaped)
        self.text(folder + "findings.csv", buffer.getvalue())




def _swap(build: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        build.rename(out_dir)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    old.rmdir()
    out_dir.rename(old)
    build.rename(out_dir)
    # removing tens of thousands of old pages takes a while: do it after returning (the
    # thread is not a daemon, so a command-line run still finishes it before exiting)
    threading.Thread(target=shutil.rmtree, args=(old,), kwargs={"ignore_errors": True},
                     name="send-monitor-remove-old-site").start()


def _write_assets(site: Path) -> None:
    import plotly.offline

    assets = site / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    (assets / "plotly.min.js").write_text(plotly.offline.get_plotlyjs(), encoding="utf-8")
    for path in (DASHBOARDS / "static").iterdir():
        if path.is_file():
            shutil.copyfile(path, assets / path.name)

