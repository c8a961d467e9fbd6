"""Reusing the last version's case and explanation pages: a page whose findings and records did
not change is hard-linked from the last version into the new one (copied where a link cannot be
made) instead of being rendered again.

A page is fingerprinted by what the store says of its findings (the check that last changed each)
and is changed when its fingerprint differs from the last version's or an import since changed a
record it shows (`monitor.changed.touched`). A reused file is never written to: every rendered page
is written to a path of the new version that no link was made at, as a new file.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
from pathlib import Path

from monitor.paths import area_path, case_path, explanation_path
from monitor.publish.write import SiteWriter

MARKS = ".send-monitor-pages"  # in a version folder: a file per area of its pages' fingerprints


def marks_path(area: str) -> str:
    """Where a version keeps the fingerprints of area `area`'s case and explanation pages."""
    return f"{MARKS}/{area_path(area).split('/')[1]}.json"


class Reuse:
    """Which case and explanation pages of the last version (`old`, None: none) the new version,
    written by `writer`, takes unchanged: an area at a time (`area`, then `done`, which writes the
    fingerprints of the area's pages into the new version). `subjects` and `cases` are the
    findings and cases whose records changed since (`monitor.changed.touched`); `reused` counts
    the area's pages taken."""

    def __init__(
        self,
        writer: SiteWriter,
        old: Path | None = None,
        subjects: set[tuple[str, str]] | frozenset = frozenset(),
        cases: set[tuple[str, str]] | frozenset = frozenset(),
    ):
        self.writer = writer
        self.old = old
        self.subjects = subjects
        self.cases = cases
        self.old_pages: dict[str, str] = {}
        self.pages: dict[str, str] = {}
        self.reused = 0

    def area(self, code: str) -> None:
        """Start on area `code`: read its pages' fingerprints in the last version (none: render them all)."""
        self.old_pages, self.pages, self.reused = {}, {}, 0
        if self.old is None:
            return
        try:
            found = json.loads((self.old / marks_path(code)).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if isinstance(found, dict):
            self.old_pages = {k: v for k, v in found.items() if isinstance(k, str) and isinstance(v, str)}

    def done(self, code: str) -> None:
        """Write the fingerprints of area `code`'s pages into the new version."""
        self.writer.text(marks_path(code), json.dumps(dict(sorted(self.pages.items())), separators=(",", ":")) + "\n")

    def explanation(self, row: dict) -> bool:
        """Take the explanation page of finding `row` from the last version (False: render it)."""
        path = explanation_path(row["area"], row["duty"], row["subject"])
        changed = (row["duty"], row["subject"]) in self.subjects
        return self._take(path, str(row["check_id"]), changed)

    def case(self, area: str, ref: str, rows: list[dict]) -> bool:
        """Take the page of case `ref` of `area`, with findings `rows`, from the last version (False: render it)."""
        found = sorted(f"{r['duty']}\x00{r['subject']}\x00{r['check_id']}" for r in rows)
        mark = hashlib.blake2b("\x01".join(found).encode(), digest_size=12).hexdigest()
        return self._take(case_path(area, ref), mark, (area, ref) in self.cases)

    def _take(self, path: str, mark: str, changed: bool) -> bool:
        self.pages[path] = mark
        if self.old is None or changed or self.old_pages.get(path) != mark:
            return False
        source, target = self.old / path, self.writer.path(path)
        try:
            os.link(source, target)
        except FileNotFoundError:
            return False  # gone from the last version: render it
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
                raise
            shutil.copyfile(source, target)
        self.reused += 1
        return True
