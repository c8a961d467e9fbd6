"""Commissioners: a commissioner's kind does not change under its stored recommendations
(judged once every file is read, so that the import's own recommendations count)."""

from __future__ import annotations

from sqlalchemy import select

from monitor.importing.checks.registry import check
from monitor.importing.session import Session
from monitor.records import BY_NAME

_SHOWN_IDS = 20


@check("commissioners", when="end")
def kind_under_stored_recommendations(session: Session) -> None:
    stored = session.stored_small.get("commissioners", {})
    rec_keys = session.keys.get("recommendations", set())
    label = session.labels.get("commissioners") or "commissioners.csv"
    t = BY_NAME["recommendations"].model.__table__
    for rownum, values, _present in session.rows_small.get("commissioners", ()):
        code, kind = values.get("commissioner_code"), values.get("kind")
        old = stored.get(code, {}).get("kind") if code is not None else None
        if kind is None or old is None or kind == old:
            continue
        clash = [
            rid
            for rid in session.conn.execute(
                select(t.c.recommendation_id)
                .where(t.c.commissioner_code == code, t.c.kind != kind)
                .order_by(t.c.recommendation_id)
            ).scalars()
            if rid not in rec_keys
        ]
        if clash:
            more = len(clash) - _SHOWN_IDS
            shown = ", ".join(clash[:_SHOWN_IDS]) + (f" and {more} more" if more > 0 else "")
            session.problem(
                label,
                rownum,
                "kind",
                kind,
                f"stored {old} recommendations point at this commissioner: {shown} "
                f"(a recommendation's kind must equal its commissioner's)",
            )
