"""Printing inspector reports to PDF: one headless Chromium (Debian's, driven by Playwright)
prints every report, a few at a time, each within its own time limit.

Chromium is found on the PATH (`chromium`, `chromium-browser`, `google-chrome`) or named by
`SEND_MONITOR_CHROMIUM`; nothing is downloaded. A report that does not print in time, or a
browser that cannot start, is one clear `PublishError`.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from monitor.publish.errors import PublishError

CHROMIUM_ENV = "SEND_MONITOR_CHROMIUM"
REPORT_TIMEOUT = 120.0  # seconds one report may take to load and print
_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def chromium_path() -> str:
    found = os.environ.get(CHROMIUM_ENV) or next(
        (p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None
    )
    if not found:
        raise PublishError(f"--pdf needs Chromium: install it or set {CHROMIUM_ENV}")
    return found


def render_pdfs(
    pages: list[Path],
    progress=None,
    timeout: float = REPORT_TIMEOUT,
    again: Callable[[list[tuple[Path, Path]]], list[Path]] | None = None,
    rounds: int = 1,
) -> list[Path]:
    """Print each HTML page beside itself as PDF (its print stylesheet applies), all in one
    browser; `progress(name, done, total)` hears of each one done. With `again`, which is
    given each round's (page, PDF) pairs and names the pages to print once more, up to
    `rounds` rounds are printed in that same browser."""
    if not pages:
        return []
    return asyncio.run(_print_all(pages, progress, timeout, again, rounds))


async def _print_all(pages: list[Path], progress, timeout: float, again, rounds: int) -> list[Path]:
    from playwright.async_api import Error, async_playwright

    executable = chromium_path()
    done: list[Path] = []
    if progress:
        progress("PDF reports", 0, len(pages))
    async with async_playwright() as playwright:
        try:
            browser = await playwright.chromium.launch(executable_path=executable, args=_ARGS)
        except Error as exc:
            raise PublishError(f"Chromium ({executable}) did not start: {str(exc).splitlines()[0]}") from None
        try:
            context = await browser.new_context()
            slots = asyncio.Semaphore(max(1, min(4, os.cpu_count() or 1)))

            async def one(html: Path) -> Path:
                async with slots:
                    pdf = await _print(context, html, timeout)
                if pdf not in done:
                    done.append(pdf)
                    if progress:
                        progress("PDF reports", len(done), len(pages))
                return pdf

            printed = list(await asyncio.gather(*(one(p) for p in pages)))
            pending = again(list(zip(pages, printed, strict=True))) if again else []
            for _ in range(rounds - 1):
                if not pending:
                    break
                reprinted = list(await asyncio.gather(*(one(p) for p in pending)))
                pending = again(list(zip(pending, reprinted, strict=True)))
            return printed
        finally:
            await browser.close()


async def _print(context, html: Path, timeout: float) -> Path:
    from playwright.async_api import Error
    from playwright.async_api import TimeoutError as PageTimeout

    pdf = html.with_suffix(".pdf")
    page = await context.new_page()
    try:
        async with asyncio.timeout(timeout):
            await page.goto(html.resolve().as_uri(), wait_until="load", timeout=timeout * 1000)
            await page.pdf(path=str(pdf), print_background=True, prefer_css_page_size=True, tagged=True, outline=True)
    except (TimeoutError, PageTimeout):
        raise PublishError(f"{html.parent.name}/{html.name} did not print within {timeout:g} s") from None
    except Error as exc:
        raise PublishError(f"{html.parent.name}/{html.name} did not print: {str(exc).splitlines()[0]}") from None
    finally:
        await page.close()
    if not pdf.exists() or pdf.stat().st_size == 0:
        raise PublishError(f"Chromium wrote no PDF for {html.parent.name}/{html.name}")
    return pdf
