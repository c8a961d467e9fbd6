"""What changed in the store since a site was published from it: the store's position (its
latest check and import) and the findings whose records an import changed since, for a publish
that redoes only what changed. What the checks changed since is in the findings themselves
(`check_id`, the check that last changed each)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import asc, desc, select
from sqlalchemy.engine import Connection

from monitor.db import chunks
from monitor.facts import KEY_KINDS
from monitor.models import Appeal, CheckRun, Decision, Finding, ImportBatch, Recommendation
from monitor.plan import changed_links, linked_keys, old_values
from monitor.rules import Rule


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def position(conn: Connection) -> dict:
    """Where the store stands: its latest finished check and its latest import, and when its first import started
    (which tells one store from another)."""
    c, b = CheckRun.__table__, ImportBatch.__table__
    done = c.c.finished_at.is_not(None)
    check = conn.execute(select(c.c.id, c.c.finished_at).where(done).order_by(desc(c.c.id)).limit(1)).first()
    batch = conn.execute(select(b.c.id, b.c.started_at).order_by(desc(b.c.id)).limit(1)).first()
    first = conn.execute(select(b.c.started_at).order_by(asc(b.c.id)).limit(1)).scalar()
    return {
        "store": _iso(first),
        "check": check[0] if check else 0,
        "check_finished": _iso(check[1]) if check else None,
        "batch": batch[0] if batch else 0,
        "batch_started": _iso(batch[1]) if batch else None,
    }


def same_store(conn: Connection, published: dict) -> bool:
    """Whether the position `published` was taken from this store, which has not gone back since."""
    c, b = CheckRun.__table__, ImportBatch.__table__
    now = position(conn)
    if now["store"] != published.get("store") or now["check"] < published.get("check", 0):
        return False
    finished = conn.execute(select(c.c.finished_at).where(c.c.id == published.get("check"))).first()
    started = conn.execute(select(b.c.started_at).where(b.c.id == published.get("batch"))).first()
    return (
        finished is not None
        and _iso(finished[0]) == published.get("check_finished")
        and (
            published.get("batch") == 0 or (started is not None and _iso(started[0]) == published.get("batch_started"))
        )
    )


def touched(conn: Connection, rules: dict[str, Rule], batch: int) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """What imports after `batch` created or changed records of (the records they use, now or
    before): the findings, as (duty, subject), and the cases, as (area, case reference)."""
    before = old_values(conn, batch)
    keys = linked_keys(conn, rules, changed_links(conn, batch, before))
    f = Finding.__table__
    subjects: set[tuple[str, str]] = set()
    cases = _cases(conn, keys, before)
    for rule in rules.values():
        wanted = sorted(keys.get(KEY_KINDS[rule.obligation], ()))
        for chunk in chunks(wanted):
            stmt = select(f.c.subject, f.c.area, f.c.case_ref).where(f.c.duty == rule.id, f.c.record_key.in_(chunk))
            for subject, area, case_ref in conn.execute(stmt):
                subjects.add((rule.id, subject))
                if case_ref:
                    cases.add((area, case_ref))
    return subjects, cases


def _cases(conn: Connection, keys: dict[str, set[str]], before: dict[tuple[str, str], dict]) -> set[tuple[str, str]]:
    """The cases of the decisions, appeals and recommendations `keys` names (a case page shows
    every record of its case, whether or not it has findings), and the cases that decisions and
    appeals changed since left (`before`: the changed records' old values)."""
    d, a, r = Decision.__table__, Appeal.__table__, Recommendation.__table__
    found: set[tuple[str, str]] = set()
    queries = (
        (keys.get("decision", ()), select(d.c.area_code, d.c.case_ref), d.c.decision_id),
        (keys.get("appeal", ()), select(a.c.area_code, a.c.case_ref), a.c.appeal_id),
        (
            keys.get("recommendation", ()),
            select(a.c.area_code, a.c.case_ref).join(r, r.c.appeal_id == a.c.appeal_id),
            r.c.recommendation_id,
        ),
    )
    for wanted, stmt, column in queries:
        for chunk in chunks(sorted(wanted)):
            found.update((area, ref) for area, ref in conn.execute(stmt.where(column.in_(chunk))) if ref)
    for (kind, record), old in before.items():
        if kind not in ("decisions", "appeals") or not old.keys() & {"area_code", "case_ref"}:
            continue
        t, id_column = (d, d.c.decision_id) if kind == "decisions" else (a, a.c.appeal_id)
        now = conn.execute(select(t.c.area_code, t.c.case_ref).where(id_column == record)).first()
        if now is not None:
            was_area, was_ref = old.get("area_code", now[0]), old.get("case_ref", now[1])
            if was_area and was_ref:
                found.add((was_area, was_ref))
    return found
