"""Printing inspector reports to PDF with headless Chromium."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from monitor.publish.children import die_with_parent
from monitor.publish.errors import PublishError

CHROMIUM_ENV = "SEND_MONITOR_CHROMIUM"


def chromium_path() -> str:
    found = os.environ.get(CHROMIUM_ENV) or next(
        (p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None
    )
    if not found:
        raise PublishError(f"--pdf needs Chromium: install it or set {CHROMIUM_ENV}")
    return found


def render_pdf(html_path: Path, pdf_path: Path | None = None, timeout: int = 120) -> Path:
    """Print one page to PDF with headless Chromium (its print stylesheet applies)."""
    pdf_path = pdf_path or html_path.with_suffix(".pdf")
    with tempfile.TemporaryDirectory(prefix="send-monitor-chromium-") as profile:
        cmd = [
            chromium_path(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            "--print-to-pdf-no-header",
            f"--print-to-pdf={pdf_path}",
            html_path.resolve().as_uri(),
        ]
        result = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            timeout=timeout,
            preexec_fn=functools.partial(die_with_parent, os.getpid()),
        )
    if not pdf_path.exists() or pdf_path.stat().st_size == 0:
        raise PublishError(
            f"Chromium did not write {pdf_path} (exit {result.returncode}): {result.stderr.strip()[-500:]}"
        )
    return pdf_path


def render_pdfs(pages: list[Path], progress=None) -> list[Path]:
    """Print many pages, four at a time; `progress(name, done, total)` hears of each one done."""
    workers = max(1, min(4, os.cpu_count() or 1))
    done: list[Path] = []
    if progress:
        progress("PDF reports", 0, len(pages))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for path in pool.map(render_pdf, pages):
            done.append(path)
            if progress:
                progress("PDF reports", len(done), len(pages))
    return done
