"""Reading findings: the query module the faces (CLI, publish, alerts) read findings through.

The store holds the findings of the latest check; `check_runs` says which date
that was, and `finding_history` keeps what earlier checks found.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, desc, func, select
from sqlalchemy.engine import Connection, Engine

from monitor.check import last_check as latest_check  # the date the stored findings hold as of
from monitor.models import (
    Appeal,
    Area,
    CheckRun,
    Commissioner,
    Decision,
    Evidence,
    Finding,
    FindingChange,
    FundingClaim,
    ImportBatch,
    Recommendation,
    Response,
    RunRecord,
)
from monitor.runs import reported_runs
from monitor.statuses import ACTION_STATUSES
from monitor.successors import Successors

EXPORT_FIELDS = (
    "duty",
    "subject",
    "area",
    "owner",
    "status",
    "due_on",
    "done_on",
    "days_late",
    "reason",
    "case_ref",
    "acts_now",
)


class FindingsError(Exception):
    """The findings asked for are not in the store."""


def latest_import(conn: Connection) -> ImportBatch | None:
    t = ImportBatch.__table__
    row = conn.execute(select(t).order_by(desc(t.c.id)).limit(1)).mappings().first()
    return ImportBatch(**row) if row else None


def check_times(conn: Connection) -> dict[int, datetime | None]:
    """When each check finished, by its id (None: it did not finish)."""
    t = CheckRun.__table__
    return {i: at for i, at in conn.execute(select(t.c.id, t.c.finished_at))}


def latest_runs(conn: Connection, limit: int = 12) -> list[dict]:
    """The latest steps of scheduled and manual runs (import, check, publish, alerts), newest first."""
    t = RunRecord.__table__
    rows = [dict(r) for r in conn.execute(select(t).order_by(desc(t.c.id)).limit(limit)).mappings()]
    return reported_runs(conn, rows)  # a step left `running` by a dead process shows as interrupted


def held_as_of(conn: Connection, as_of: date | None) -> date:
    """The as-of date of the stored findings; an error if `as_of` asks for another."""
    check = latest_check(conn)
    if check is None:
        raise FindingsError("no findings yet: run `send-monitor check` first")
    if as_of is not None and as_of != check.as_of:
        raise FindingsError(
            f"the store holds the findings as of {check.as_of.isoformat()}, not {as_of.isoformat()}: "
            f"run `send-monitor check --as-of {as_of.isoformat()}` first"
        )
    return check.as_of


def query_findings(
    conn: Connection,
    area: str | None = None,
    duty: str | None = None,
    status: str | None = None,
    owner: str | None = None,
    case_ref: str | None = None,
    subject: str | None = None,
    owners: list[str] | None = None,
) -> list[dict]:
    """Current findings as dicts (export fields and rule details), sorted by duty, subject.

    `acts_now` is the body responsible on the latest check's date after following successors."""
    f = Finding.__table__
    stmt = select(f)
    filters = (("area", area), ("duty", duty), ("status", status), ("owner", owner), ("case_ref", case_ref))
    for column, value in (*filters, ("subject", subject)):
        if value is not None:
            stmt = stmt.where(f.c[column] == value)
    if owners is not None:
        stmt = stmt.where(f.c.owner.in_(owners))
    result = conn.execute(stmt)
    keys = list(result.keys())
    rows = [dict(zip(keys, r, strict=True)) for r in result]  # a third faster than dict() of each mapping
    if rows:
        check = latest_check(conn)
        assert check is not None  # findings are written by a check
        successors, held = Successors.load(conn), check.as_of
        for r in rows:
            r["acts_now"] = successors.acts_now(r["owner"], r["area"], held)
    rows.sort(key=lambda r: (r["duty"], r["subject"]))  # plain strings: not the database's collation
    return rows


def export_rows(rows: list[dict]) -> list[dict]:
    """The contract's shape: export fields only, dates as ISO strings."""
    out = []
    for r in rows:
        item = {k: r[k] for k in EXPORT_FIELDS}
        for k in ("due_on", "done_on"):
            item[k] = item[k].isoformat() if item[k] else None
        out.append(item)
    return out


def export_findings(engine: Engine, as_of: date | None, **filters) -> tuple[date, list[dict]]:
    """The findings of the latest check in the export shape, with the date they hold as of."""
    with engine.connect() as conn:
        held = held_as_of(conn, as_of)
        return held, export_rows(query_findings(conn, **filters))


def history(conn: Connection, duty: str, subject: str) -> list[dict]:
    t = FindingChange.__table__
    stmt = select(t).where(and_(t.c.duty == duty, t.c.subject == subject)).order_by(t.c.id)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def resolved_breaches(conn: Connection, breaches: tuple[str, ...], resolved: tuple[str, ...]) -> list[dict]:
    """Current findings in a `resolved` status whose latest status change came from one of `breaches`
    (each with that change's `old_status`)."""
    f, h = Finding.__table__, FindingChange.__table__
    stmt = (
        select(f, h.c.old_status)
        .join(
            h,
            and_(
                h.c.duty == f.c.duty,
                h.c.subject == f.c.subject,
                h.c.as_of == f.c.status_since,
                h.c.new_status == f.c.status,
            ),
        )
        .where(f.c.status.in_(resolved), h.c.old_status.in_(breaches))
    )
    seen: dict[tuple[str, str], dict] = {}
    for row in conn.execute(stmt).mappings():
        seen.setdefault((row["duty"], row["subject"]), dict(row))
    return list(seen.values())


# --- Queries for the published site (monitor.publish) ----------------------------


def areas_and_commissioners(conn: Connection) -> tuple[list[dict], list[dict]]:
    """Every area and every commissioner (as dicts), sorted by code."""
    a, c = Area.__table__, Commissioner.__table__
    areas = [dict(r) for r in conn.execute(select(a).order_by(a.c.area_code)).mappings()]
    commissioners = [dict(r) for r in conn.execute(select(c).order_by(c.c.commissioner_code)).mappings()]
    return areas, commissioners


def area_record_counts(conn: Connection, area: str | None = None) -> dict[str, dict[str, int]]:
    """How many records of each type each area (or the one `area`) holds: {area: {type: n}}."""
    d, a, e, r, s, c = (
        Decision.__table__,
        Appeal.__table__,
        Evidence.__table__,
        Recommendation.__table__,
        Response.__table__,
        FundingClaim.__table__,
    )
    queries = {
        "decisions": select(d.c.area_code, func.count()).group_by(d.c.area_code),
        "appeals": select(a.c.area_code, func.count()).group_by(a.c.area_code),
        "evidence": select(a.c.area_code, func.count()).join(e, e.c.appeal_id == a.c.appeal_id).group_by(a.c.area_code),
        "recommendations": select(a.c.area_code, func.count())
        .join(r, r.c.appeal_id == a.c.appeal_id)
        .group_by(a.c.area_code),
        "responses": select(a.c.area_code, func.count())
        .join(r, r.c.appeal_id == a.c.appeal_id)
        .join(s, s.c.recommendation_id == r.c.recommendation_id)
        .group_by(a.c.area_code),
        "funding_claims": select(a.c.area_code, func.count())
        .join(c, c.c.appeal_id == a.c.appeal_id)
        .group_by(a.c.area_code),
    }
    found: dict[str, dict[str, int]] = {}
    for kind, stmt in queries.items():
        if area is not None:
            stmt = stmt.where((d if kind == "decisions" else a).c.area_code == area)
        for code, n in conn.execute(stmt):
            found.setdefault(code, {})[kind] = n
    return found


def import_batches(conn: Connection) -> list[dict]:
    """Every import batch, oldest first."""
    t = ImportBatch.__table__
    return [dict(r) for r in conn.execute(select(t).order_by(t.c.id)).mappings()]


def area_batches(conn: Connection, area: str | None = None) -> dict[str, list[dict]]:
    """Per area (or for the one `area`), the import batches that created or last updated its records, oldest first:
    {area: [{"id", "finished_at", "source_name", "new", "updated"}]} with this area's counts
    only, and only the last part of the batch's source (no server paths)."""
    a, d, e, r, s, c = (
        Appeal.__table__,
        Decision.__table__,
        Evidence.__table__,
        Recommendation.__table__,
        Response.__table__,
        FundingClaim.__table__,
    )
    ar = Area.__table__
    sources = [
        (ar, ar.c.area_code, None),
        (d, d.c.area_code, None),
        (a, a.c.area_code, None),
        (e, a.c.area_code, (a, e.c.appeal_id == a.c.appeal_id)),
        (r, a.c.area_code, (a, r.c.appeal_id == a.c.appeal_id)),
        (c, a.c.area_code, (a, c.c.appeal_id == a.c.appeal_id)),
    ]
    tally: dict[str, dict[int, dict[str, int]]] = {}
    for table, area_col, join in sources:
        for kind, col in (("new", table.c.created_batch), ("updated", table.c.updated_batch)):
            stmt = select(area_col, col, func.count()).select_from(table)
            if join is not None:
                stmt = stmt.select_from(table.join(*join))
            if kind == "updated":
                stmt = stmt.where(table.c.updated_batch != table.c.created_batch)
            if area is not None:
                stmt = stmt.where(area_col == area)
            for code, batch, n in conn.execute(stmt.where(col.is_not(None)).group_by(area_col, col)):
                counts = tally.setdefault(code, {}).setdefault(batch, {"new": 0, "updated": 0})
                counts[kind] += n
    resp = (
        select(a.c.area_code, s.c.created_batch, s.c.updated_batch, func.count())
        .select_from(s.join(r, r.c.recommendation_id == s.c.recommendation_id).join(a, a.c.appeal_id == r.c.appeal_id))
        .group_by(a.c.area_code, s.c.created_batch, s.c.updated_batch)
    )
    if area is not None:
        resp = resp.where(a.c.area_code == area)
    for code, created, updated, n in conn.execute(resp):
        if created is not None:
            tally.setdefault(code, {}).setdefault(created, {"new": 0, "updated": 0})["new"] += n
        if updated is not None and updated != created:
            tally.setdefault(code, {}).setdefault(updated, {"new": 0, "updated": 0})["updated"] += n
    batches = {b["id"]: b for b in import_batches(conn)}
    out: dict[str, list[dict]] = {}
    for code, per_batch in tally.items():
        rows = []
        for batch_id in sorted(per_batch):
            b = batches.get(batch_id)
            source = (b["source"] if b else "").replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
            rows.append(
                {
                    "id": batch_id,
                    "finished_at": b["finished_at"] if b else None,
                    "source_name": source,
                    **per_batch[batch_id],
                }
            )
        out[code] = rows
    return out


def status_counts(conn: Connection) -> dict[tuple[str, str, str], dict[str, int]]:
    """How many current findings of each status each (area, owner, duty) has."""
    f = Finding.__table__
    found: dict[tuple[str, str, str], dict[str, int]] = {}
    for area, owner, duty, status, n in conn.execute(
        select(f.c.area, f.c.owner, f.c.duty, f.c.status, func.count()).group_by(
            f.c.area, f.c.owner, f.c.duty, f.c.status
        )
    ):
        found.setdefault((area, owner, duty), {})[status] = n
    return found


def action_keys(conn: Connection, area: str) -> list[tuple[str, str, str | None]]:
    """(duty, subject, case_ref) of each of an area's findings in ACTION_STATUSES (those with pages)."""
    f = Finding.__table__
    stmt = select(f.c.duty, f.c.subject, f.c.case_ref).where(f.c.area == area, f.c.status.in_(ACTION_STATUSES))
    return [tuple(r) for r in conn.execute(stmt)]


def action_histories(conn: Connection, areas: list[str] | None = None) -> dict[tuple[str, str], list[dict]]:
    """The history of every finding (or of those of `areas`) whose current status is in
    ACTION_STATUSES, by (duty, subject)."""
    t, f = FindingChange.__table__, Finding.__table__
    stmt = (
        select(t)
        .join(f, and_(f.c.duty == t.c.duty, f.c.subject == t.c.subject))
        .where(f.c.status.in_(ACTION_STATUSES))
        .order_by(t.c.id)
    )
    if areas is not None:
        stmt = stmt.where(f.c.area.in_(areas))
    if areas is not None:
        stmt = stmt.where(f.c.area.in_(areas))
    found: dict[tuple[str, str], list[dict]] = {}
    for r in conn.execute(stmt).mappings():
        found.setdefault((r["duty"], r["subject"]), []).append(dict(r))
    return found


def recommendation_answers(
    conn: Connection,
    as_of: date,
    duty: str = "response-5-weeks",
    area: str | None = None,
    owners: list[str] | None = None,
) -> list[dict]:
    """Each recommendation judged by `duty` (of `area`, of `owners`, when given): area, owner,
    kind, made_on, the finding's status and done_on, and the response's outcome once a
    response was sent by `as_of`."""
    f, r, s = Finding.__table__, Recommendation.__table__, Response.__table__
    stmt = (
        select(
            f.c.area,
            f.c.owner,
            f.c.subject,
            f.c.status,
            f.c.due_on,
            f.c.done_on,
            r.c.kind,
            r.c.made_on,
            s.c.outcome,
            s.c.sent_to_family_on,
            s.c.sent_to_la_on,
        )
        .join(r, r.c.recommendation_id == f.c.subject)
        .outerjoin(s, s.c.recommendation_id == r.c.recommendation_id)
        .where(f.c.duty == duty)
    )
    if area is not None:
        stmt = stmt.where(f.c.area == area)
    if owners is not None:
        stmt = stmt.where(f.c.owner.in_(owners))
    out = []
    for row in conn.execute(stmt).mappings():
        item = dict(row)
        sent = [d for d in (item.pop("sent_to_family_on"), item.pop("sent_to_la_on")) if d and d <= as_of]
        item["answered"] = bool(sent)
        if not sent:
            item["outcome"] = None
        out.append(item)
    return out


def funding_claimed(
    conn: Connection, as_of: date, first: date, last: date, duty: str = "funding-cap", areas: list[str] | None = None
) -> dict[str, object]:
    """Trial funding claimed (claims dated first..last and by `as_of`) per area (of `areas`,
    when given), for appeals judged by `duty`."""
    f, c = Finding.__table__, FundingClaim.__table__
    stmt = (
        select(f.c.area, func.sum(c.c.amount_gbp))
        .join(f, and_(f.c.duty == duty, f.c.subject == c.c.appeal_id))
        .where(and_(c.c.claimed_on >= first, c.c.claimed_on <= last, c.c.claimed_on <= as_of))
        .group_by(f.c.area)
    )
    if areas is not None:
        stmt = stmt.where(f.c.area.in_(areas))
    return {area: total for area, total in conn.execute(stmt)}


def latest_ids(conn: Connection) -> tuple[int | None, int | None]:
    """The ids of the latest finished check and of the latest import: pages showing the
    findings change only when one of them does."""
    c, b = CheckRun.__table__, ImportBatch.__table__
    check = conn.scalar(select(func.max(c.c.id)).where(c.c.finished_at.is_not(None)))
    return check, conn.scalar(select(func.max(b.c.id)))
