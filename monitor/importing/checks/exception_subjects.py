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

_SUGGESTED = 50  # exceptions given a nearest subject (each one looks through every id of its kind)
_ISSUES = ("health", "social_care")
_KEYS = {"appeal": "appeals", "decision": "decisions", "recommendation": "recommendations", "area": "areas"}
_WORDS = {"appeal_issue": "appeal issue", "evidence": "evidence row", "template": "letter template"}


def _subjects(session: Session, kind: str) -> set[str]:
    """Every subject of a kind, stored or imported (worked out once per import)."""
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


@check("exceptions")
def subject_exists(session: Session, part: Part) -> None:
    if "duty" not in part.index or "subject_id" not in part.index:
        return
    d, s = part.index["duty"], part.index["subject_id"]
    eid = part.index.get("exception_id")
    for rownum, values in part.chunk:
        subject = EXCEPTION_SUBJECTS.get(values[d] or "")
        if subject is None or values[s] is None:
            continue
        known = _subjects(session, subject.kind)
        if values[s] in known:
            continue
        suggested = session.memo.setdefault("suggested", [0])
        near = []
        if suggested[0] < _SUGGESTED:
            suggested[0] += 1
            near = get_close_matches(values[s], known, n=1, cutoff=0.6)
        name = values[eid] if eid is not None and values[eid] else f"row {rownum}"
        what = _WORDS.get(subject.kind, subject.kind)
        hint = f"; did you mean {near[0]}?" if near else f" (the subject is {subject.pattern}, e.g. {subject.example})"
        session.result.notes.append(
            f"{part.label} row {rownum}: exception {name} matches no {what} of {values[d]}{hint}"
        )
