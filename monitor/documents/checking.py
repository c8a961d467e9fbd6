"""A document (or a set of pages read together) checked against a wording file: found, missing, unread."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from monitor.documents.matching import Found, Statement, Text
from monitor.documents.model import DocumentText
from monitor.documents.wording import Wording


@dataclass(frozen=True)
class Result:
    """Each statement found (with its passage) or missing; `unread` says which text could not be read in full.

    `status`: `met` (all found), `breached` (one missing, all text read), `data_gap` (no
    readable text, or one missing where some text went unread)."""

    wording: Wording
    found: tuple[Found, ...]
    missing: tuple[Statement, ...]
    unread: tuple[str, ...]
    readable: bool

    @property
    def status(self) -> str:
        if not self.readable or (self.missing and self.unread):
            return "data_gap"
        return "breached" if self.missing else "met"

    @property
    def reason(self) -> str | None:
        if self.status == "data_gap":
            return "; ".join(self.unread)
        if self.missing:
            return "lacks: " + ", ".join(s.id for s in self.missing)
        return None


def check(wording: Wording, documents: Sequence[DocumentText]) -> Result:
    """Find each statement of `wording` in the documents (the first document holding it gives the evidence)."""
    texts = [Text(d) for d in documents if not d.gap]
    unread = tuple(f"{d.name}: {'; '.join(filter(None, (d.gap, d.cut_off)))}" for d in documents if d.gap or d.cut_off)
    found, missing = [], []
    for statement in wording.statements:
        match = next((m for m in (t.find(statement) for t in texts) if m is not None), None)
        if match is None:
            missing.append(statement)
        else:
            found.append(match)
    return Result(wording, tuple(found), tuple(missing), unread, bool(texts))
