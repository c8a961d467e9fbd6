"""What the wording builders share: letter templates and which one a decision was made from,
documents checked against a wording file, and the facts and evidence of such a check.

The wording check of a document depends only on its text and the wording's version, so its
result is remembered for the process (`_RESULTS`): a check judging every decision of an area
against its templates reads each template's text once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from monitor.documents import DocumentText
from monitor.documents.checking import Result, check
from monitor.documents.stored import texts
from monitor.documents.wording import Wording
from monitor.facts import Fact
from monitor.models import LetterTemplate

WORDING_FACTS = (
    Fact("readable", "bool", "some text of the document(s) could be read (a scan or an empty file has none)"),
    Fact("read_in_full", "bool", "every document was read to its end (not stopped by the page or time limit)"),
    Fact(
        "statements_missing",
        "int",
        "how many statements of the wording file were not found (left out when no text was read)",
        optional=True,
    ),
)
NOT_READ = "the file was not read"
_RESULTS: dict[tuple[tuple[str, ...], str], Result] = {}  # (document hashes, wording version) -> result
_REMEMBERED = 50_000


@dataclass(frozen=True)
class Template:
    area_code: str
    template_id: str
    file: str
    in_use_from: date
    in_use_to: date | None
    decision_types: tuple[str, ...]  # empty: every type
    sha256: str | None

    @property
    def subject(self) -> str:
        return f"{self.area_code}:{self.template_id}"

    def used_for(self, decision_type: str, on: date) -> bool:
        in_use = self.in_use_from <= on and (self.in_use_to is None or on <= self.in_use_to)
        return in_use and (not self.decision_types or decision_type in self.decision_types)


def templates(conn: Connection, as_of: date, areas: Iterable[str] | None = None) -> dict[str, list[Template]]:
    """The letter templates in use by the as-of date, by area."""
    t = LetterTemplate.__table__
    stmt = select(t).where(t.c.in_use_from <= as_of).order_by(t.c.area_code, t.c.template_id)
    if areas is not None:
        stmt = stmt.where(t.c.area_code.in_(sorted(set(areas))))
    found: dict[str, list[Template]] = defaultdict(list)
    for r in conn.execute(stmt):
        types = tuple((r.decision_types or "").split())
        found[r.area_code].append(
            Template(r.area_code, r.template_id, r.file, r.in_use_from, r.in_use_to, types, r.sha256)
        )
    return found


def template_for(of_area: list[Template], decision_type: str, on: date, named: str | None) -> Template | None:
    """The template a decision was made from: the one it names, else the only one in use for it."""
    if named:
        return next((t for t in of_area if t.template_id == named), None)
    fits = [t for t in of_area if t.used_for(decision_type, on)]
    return fits[0] if len(fits) == 1 else None


def judge(conn: Connection, wording: Wording, groups: list[tuple[str | None, ...]]) -> list[Result]:
    """Each group of documents (by hash; None: not read) checked against `wording`, read together."""
    if len(_RESULTS) > _REMEMBERED:
        _RESULTS.clear()
    memos = [(tuple(h or "" for h in group), wording.version) for group in groups]
    wanted = {h for memo in memos if memo not in _RESULTS for h in memo[0] if h}
    stored = texts(conn, wanted) if wanted else {}
    results = []
    for group, memo in zip(groups, memos, strict=True):
        if memo not in _RESULTS:
            documents = [stored.get(h or "") or DocumentText(h or "", h or "", (), NOT_READ) for h in group]
            _RESULTS[memo] = check(wording, documents)
        results.append(_RESULTS[memo])
    return results


def wording_facts(result: Result) -> dict[str, Any]:
    facts: dict[str, Any] = {"readable": result.readable, "read_in_full": not result.unread}
    if result.readable:
        facts["statements_missing"] = len(result.missing)
    return facts


def wording_info(result: Result) -> dict[str, str]:
    return {"lacks": ", ".join(s.id for s in result.missing), "unread": "; ".join(result.unread)}


def statement_records(result: Result) -> list[tuple[str, str, dict]]:
    """Each statement found (where, passage, the phrase and whether it is a local addition) or missing."""
    records = []
    for found in result.found:
        local = [p.text for p in found.phrases if p.local]
        fields = {"found": found.where, "passage": found.passage, "in": found.document}
        if local:
            fields["local addition"] = ", ".join(local)
        records.append(("statement", found.statement.id, fields))
    records += [("statement", s.id, {"missing": f"it must say {s.says}"}) for s in result.missing]
    records += [
        ("document", line.split(": ", 1)[0], {"not read in full": line.split(": ", 1)[-1]}) for line in result.unread
    ]
    return records
