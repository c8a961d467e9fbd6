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
import os
import shutil
from pathlib import Path

from monitor.paths import case_path, explanation_path
from monitor.publish.write import SiteWriter


class Reuse:
    """Which pages of the last version (`old`, None: none) the new version, written by `writer`,
    takes unchanged.

    `pages` collects every case and explanation page's fingerprint for the new manifest;
    `reused` counts the pages taken."""

    def __init__(
        self,
        writer: SiteWriter,
        old: Path | None = None,
        old_pages: dict[str, str] | None = None,
        subjects: set[tuple[str, str]] | frozenset = frozenset(),
        cases: set[tuple[str, str]] | frozenset = frozenset(),
    ):
        self.writer = writer
        self.old = old
        self.old_pages = old_pages or {}
        self.subjects = subjects
        self.cases = cases
        self.pages: dict[str, str] = {}
        self.reused = 0

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
