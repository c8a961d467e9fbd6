"""Page numbers for the inspector reports' contents lists.

Chromium has no `target-counter()`, so a report is printed twice: the first PDF says on
which page each section starts (every contents entry links to its section, and Chromium
writes each link target as a named destination, read with pypdf); the numbers are written
into the report's contents list, whose page-number column is as wide empty as full, and the
report printed again. The contents list takes the same room both times, so the numbers hold;
a report is printed once more if they moved.
"""

from __future__ import annotations

import re
from pathlib import Path

from pypdf import PdfReader

from monitor.publish.pdf import render_pdfs

PLACE = re.compile(r'(<span class="toc__page" data-section="([^"]+)">)([^<]*)(</span>)')
PRINTS = 3  # at most: the first, one with the numbers, one more if they moved


def section_pages(pdf: Path) -> dict[str, int]:
    """The page (1 = the first) on which each linked section of a printed report starts."""
    reader = PdfReader(str(pdf))
    pages = {
        name.lstrip("/"): reader.get_destination_page_number(dest) for name, dest in reader.named_destinations.items()
    }
    return {name: page + 1 for name, page in pages.items() if page is not None}


def fill(html: Path, pages: dict[str, int]) -> bool:
    """Write `pages` into the report's contents list; True when a number changed."""
    text = html.read_text(encoding="utf-8")
    filled = PLACE.sub(lambda m: f"{m[1]}{pages.get(m[2], '')}{m[4]}", text)
    if filled == text:
        return False
    html.write_text(filled, encoding="utf-8")
    return True


def print_reports(reports: list[Path], progress=None) -> None:
    """Print each report to PDF beside it, with its contents list's page numbers filled in
    (all the printing in one browser)."""

    def moved(printed: list[tuple[Path, Path]]) -> list[Path]:
        return [html for html, pdf in printed if fill(html, section_pages(pdf))]

    render_pdfs(list(reports), progress, again=moved, rounds=PRINTS)
