"""Recorded exceptions whose subject matches nothing: an exception whose (duty, subject) names
no record stored or imported (a decision, appeal, evidence row, recommendation or area) would
never apply. It is a warning (the subject may arrive later), with the nearest subject that does
exist: "EX-TYPO matches no appeal of la-evidence; did you mean EH850-19-90007?"."""

from __future__ import annotations

from difflib import get_close_matches

from sqlalchemy import select

from monitor.importing.checks.registry import Part, check
from monitor.importing.session import Session
from monitor.models import Evidence, LetterTemplate
from monitor.records import BY_NAME
from monitor.subjects import EXCEPTION_SUBJECTS

_LOOKUP = 500  # ids asked of the store at once
_SUGGESTED = 50  # exceptions given a nearest subject (each one looks through every id of its kind)
_ISSUES = ("health", "social_care")
_KEYS = {"appeal": "appeals", "decision": "decisions", "recommendation": "recommendations", "area": "areas"}
_WORDS = {"appeal_issue": "appeal issue", "evidence": "evidence row", "template": "letter template"}


def _subjects(session: Session, kind: str) -> set[str]:
    """Every subject of a kind, stored or imported (worked out once per import, when needed)."""
    memo = session.memo.setdefault("subjects", {})
    if kind not in memo:
        if kind == "evidence":
            t = Evidence.__table__
            found = {f"{a}:{c}" for a, c in session.conn.execute(select(t.c.appeal_id, t.c.commissioner_code))}
            found |= {f"{a}:{c}" for a, c in session.keys.get("evidence", ())}
        elif kind == "template":
            t = LetterTemplate.__table__
            found = {f"{a}:{i}" for a, i in session.conn.execute(select(t.c.area_code, t.c.template_id))}
            found |= {f"{a}:{i}" for a, i in session.keys.get("letter_templates", ())}
            found |= {f"{a}:{i}" for (name, (a, i)) in session.memo.get("documents", {}) if name == "letter_templates"}
        elif kind == "appeal_issue":
            found = {f"{a}:{issue}" for a in _subjects(session, "appeal") for issue in _ISSUES}
        else:
            rtype = BY_NAME[_KEYS[kind]]
            key = rtype.model.__table__.c[rtype.key[0]]
            found = set(session.conn.execute(select(key)).scalars()) | set(session.keys.get(rtype.name, ()))
        memo[kind] = found
    return memo[kind]


def _existing(session: Session, kind: str, ids: set[str]) -> set[str]:
    """Those of `ids` that are subjects of a kind, stored or imported: looked up one by one
    where the kind is a record's key, rather than reading every id of a big table."""
    if kind == "appeal_issue":
        appeals = _existing(session, "appeal", {i.rpartition(":")[0] for i in ids})
        return {i for i in ids if i.rpartition(":")[2] in _ISSUES and i.rpartition(":")[0] in appeals}
    if kind not in _KEYS:
        return ids & _subjects(session, kind)
    rtype = BY_NAME[_KEYS[kind]]
    found = ids & session.keys.get(rtype.name, set())
    ask = sorted(ids - found)
    key = rtype.model.__table__.c[rtype.key[0]]
    for j in range(0, len(ask), _LOOKUP):
        found.update(session.conn.execute(select(key).where(key.in_(ask[j : j + _LOOKUP]))).scalars())
    return found


@check("exceptions")
def subject_exists(session: Session, part: Part) -> None:
    if "duty" not in part.index or "subject_id" not in part.index:
        return
    d, s = part.index["duty"], part.index["subject_id"]
    eid = part.index.get("exception_id")
    named: dict[str, set[str]] = {}  # kind -> subjects named
    for _, values in part.chunk:
        subject = EXCEPTION_SUBJECTS.get(values[d] or "")
        if subject is not None and values[s] is not None:
            named.setdefault(subject.kind, set()).add(values[s])
    existing = {kind: _existing(session, kind, ids) for kind, ids in named.items()}
    for rownum, values in part.chunk:
        subject = EXCEPTION_SUBJECTS.get(values[d] or "")
        if subject is None or values[s] is None or values[s] in existing[subject.kind]:
            continue
        suggested = session.memo.setdefault("suggested", [0])
        near = []
        if suggested[0] < _SUGGESTED:
            suggested[0] += 1
            near = get_close_matches(values[s], _subjects(session, subject.kind), n=1, cutoff=0.6)
        name = values[eid] if eid is not None and values[eid] else f"row {rownum}"
        what = _WORDS.get(subject.kind, subject.kind)
        hint = f"; did you mean {near[0]}?" if near else f" (the subject is {subject.pattern}, e.g. {subject.example})"
        session.result.notes.append(
            f"{part.label} row {rownum}: exception {name} matches no {what} of {values[d]}{hint}"
        )
