"""An export bound to one area (`import --area CODE`, an area's inbox folder) changes only that
area: each row of decisions and appeals is for it, `areas` holds only its own row, the rows
hanging off an appeal (evidence, recommendations, funding claims; responses through their
recommendation) are for its appeals, a funding claim is made by it or a commissioner, an
exception's subject is one of its records, and a
commissioner it names may be added but an existing one's name and contact address are kept
(they change only in a national import). A national import (no area) is not checked here."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from monitor.importing.checks.registry import Part, check
from monitor.importing.session import Session
from monitor.models import Appeal, Decision, Recommendation
from monitor.subjects import EXCEPTION_SUBJECTS

_LOOKUP = 500
_KEPT = ("name", "contact_email")  # a commissioner's details only a national import changes


def _other(session: Session, part: Part, column: str, codes: Iterable[tuple[int, str | None]], what: str) -> None:
    for rownum, code in codes:
        if code is not None and code != session.area:
            session.problem(
                part.label,
                rownum,
                part.source(column),
                code,
                f"{what} {code}: this export is for area {session.area} only",
            )


@check("areas", "decisions", "appeals")
def own_area(session: Session, part: Part) -> None:
    """Rows naming an area name this export's."""
    if session.area is None or "area_code" not in part.index:
        return
    i = part.index["area_code"]
    what = "a row for area" if part.rtype.name != "areas" else "areas holds only this export's own row; a row for area"
    _other(session, part, "area_code", ((n, v[i]) for n, v in part.chunk), what)
    key = {"appeals": "appeal_id", "decisions": "decision_id"}.get(part.rtype.name)
    if key is not None and key in part.index:
        known = session.memo.setdefault(f"{key.split('_')[0]}_area", {})
        k = part.index[key]
        known.update((v[k], v[i]) for _, v in part.chunk)


def _areas_of(session: Session, ids: set[str], known: dict[str, str], query) -> dict[str, str]:
    """The area of each id: this import's (`known`) or the store's (`query(part)` gives (id, area) rows)."""
    found = {i: known[i] for i in ids if i in known}
    ask = sorted(ids - found.keys())
    for j in range(0, len(ask), _LOOKUP):
        found.update(session.conn.execute(query(ask[j : j + _LOOKUP])).all())
    return found


def _appeal_areas(session: Session, ids: set[str]) -> dict[str, str]:
    t = Appeal.__table__
    return _areas_of(
        session,
        ids,
        session.memo.get("appeal_area", {}),
        lambda part: select(t.c.appeal_id, t.c.area_code).where(t.c.appeal_id.in_(part)),
    )


@check("evidence", "recommendations", "funding_claims")
def appeals_of_the_area(session: Session, part: Part) -> None:
    """Rows hanging off an appeal are for the area's appeals."""
    if session.area is None or "appeal_id" not in part.index:
        return
    a = part.index["appeal_id"]
    areas = _appeal_areas(session, {v[a] for _, v in part.chunk if v[a] is not None})
    for rownum, values in part.chunk:
        area = areas.get(values[a])
        if area is not None and area != session.area:
            session.problem(
                part.label,
                rownum,
                part.source("appeal_id"),
                values[a],
                f"appeal of area {area}: this export is for area {session.area} only",
            )
    if part.rtype.name == "recommendations" and "recommendation_id" in part.index:
        r = part.index["recommendation_id"]
        session.memo.setdefault("recommendation_area", {}).update(
            (v[r], areas[v[a]]) for _, v in part.chunk if v[a] in areas
        )
    if part.rtype.name == "funding_claims" and "claimant_code" in part.index:
        c = part.index["claimant_code"]
        known = session.keys.get("areas", set()) | session.found.get("areas", set())
        _other(session, part, "claimant_code", ((n, v[c]) for n, v in part.chunk if v[c] in known), "a claim by area")


@check("responses")
def recommendations_of_the_area(session: Session, part: Part) -> None:
    """Responses are to recommendations made in the area's appeals."""
    if session.area is None or "recommendation_id" not in part.index:
        return
    r = part.index["recommendation_id"]
    rec, app = Recommendation.__table__, Appeal.__table__
    areas = _areas_of(
        session,
        {v[r] for _, v in part.chunk if v[r] is not None},
        session.memo.get("recommendation_area", {}),
        lambda ids: (
            select(rec.c.recommendation_id, app.c.area_code)
            .join(app, app.c.appeal_id == rec.c.appeal_id)
            .where(rec.c.recommendation_id.in_(ids))
        ),
    )
    for rownum, values in part.chunk:
        area = areas.get(values[r])
        if area is not None and area != session.area:
            session.problem(
                part.label,
                rownum,
                part.source("recommendation_id"),
                values[r],
                f"a recommendation of area {area}: this export is for area {session.area} only",
            )


@check("commissioners")
def commissioners_kept(session: Session, part: Part) -> None:
    """A commissioner may be added; an existing one's name and contact address are kept."""
    if session.area is None or "commissioner_code" not in part.index:
        return
    stored = session.stored_small.get("commissioners", {})
    k = part.index["commissioner_code"]
    for rownum, values in part.chunk:
        old = stored.get(values[k])
        if old is None:
            continue
        for column in _KEPT:
            if column in part.index and values[part.index[column]] != old[column]:
                session.problem(
                    part.label,
                    rownum,
                    part.source(column),
                    values[part.index[column]] or "",
                    f"commissioner {values[k]} exists: its {column.replace('_', ' ')} changes only in a national "
                    f"import",
                )


@check("exceptions")
def exceptions_of_the_area(session: Session, part: Part) -> None:
    """An exception excuses a finding of the area's own records only."""
    if session.area is None or "duty" not in part.index or "subject_id" not in part.index:
        return
    d, s = part.index["duty"], part.index["subject_id"]
    for rownum, values in part.chunk:
        subject = EXCEPTION_SUBJECTS.get(values[d] or "")
        if subject is None or values[s] is None:
            continue
        area = _subject_area(session, subject.kind, values[s])
        if area is not None and area != session.area:
            session.problem(
                part.label,
                rownum,
                part.source("subject_id"),
                values[s],
                f"a subject of area {area}: this export is for area {session.area} only",
            )


def _subject_area(session: Session, kind: str, subject: str) -> str | None:
    """The area of an exception's subject, None when unknown (no such record yet)."""
    if kind == "area":
        return subject
    if kind in ("appeal", "appeal_issue", "evidence"):
        appeal = subject if kind == "appeal" else subject.rsplit(":", 1)[0]
        return _appeal_areas(session, {appeal}).get(appeal)
    if kind == "recommendation":
        rec, app = Recommendation.__table__, Appeal.__table__
        query = (
            select(rec.c.recommendation_id, app.c.area_code)
            .join(app, app.c.appeal_id == rec.c.appeal_id)
            .where(rec.c.recommendation_id.in_([subject]))
        )
        return dict(session.conn.execute(query).all()).get(subject) or session.memo.get("recommendation_area", {}).get(
            subject
        )
    if kind == "decision":
        t = Decision.__table__
        stored = session.conn.execute(select(t.c.area_code).where(t.c.decision_id == subject)).scalar()
        return stored or session.memo.get("decision_area", {}).get(subject)
    return None
