"""Recommendations: a recommendation's kind equals the kind of its commissioner (import or store)."""

from __future__ import annotations

from sqlalchemy import select

from monitor.importing.checks.registry import Part, check
from monitor.importing.session import Session
from monitor.records import BY_NAME


def commissioner_kinds(session: Session) -> dict[str, str]:
    """Each commissioner's kind, this import's over the store's (worked out once)."""
    if "kinds" not in session.memo:
        kinds = {c: r["kind"] for c, r in session.stored_small.get("commissioners", {}).items()}
        if "commissioners" not in session.stored_small:
            t = BY_NAME["commissioners"].model.__table__
            kinds = dict(session.conn.execute(select(t.c.commissioner_code, t.c.kind)).all())
        for _, values, _ in session.rows_small.get("commissioners", ()):
            if values.get("kind"):
                kinds[values["commissioner_code"]] = values["kind"]
        session.memo["kinds"] = kinds
    return session.memo["kinds"]


@check("recommendations")
def kind_of_commissioner(session: Session, part: Part) -> None:
    index = part.index
    if "kind" not in index or "commissioner_code" not in index:
        return
    kinds = commissioner_kinds(session)
    ki, cci = index["kind"], index["commissioner_code"]
    for rownum, values in part.chunk:
        code, kind = values[cci], values[ki]
        expected = kinds.get(code)
        if kind is not None and expected is not None and kind != expected:
            session.problem(part.label, rownum, part.source("kind"), kind, f"commissioner {code} is {expected}")
