"""What the store holds for a case: its records (the case page) and who has duties on it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Connection

from monitor.models import (
    Appeal,
    Decision,
    Evidence,
    Finding,
    FundingClaim,
    Recommendation,
    RecordedException,
    Response,
)

_BOOKKEEPING = ("created_batch", "updated_batch")


def case_records(conn: Connection, area: str, case_refs: set[str]) -> dict[str, list[tuple[str, str, dict]]]:
    """Everything the store holds for each of an area's case references: its decisions and
    appeals, and the appeals' evidence rows, recommendations, responses, funding claims and
    recorded exceptions, as (record type, id, fields) in that order."""

    def fields(row) -> dict:
        return {k: v for k, v in dict(row).items() if k not in _BOOKKEEPING}

    found: dict[str, list[tuple[str, str, dict]]] = {}
    refs = sorted(case_refs)
    for start in range(0, len(refs), 500):  # bound the number of query parameters
        found.update(_case_chunk(conn, area, refs[start : start + 500], fields))
    return found


def _case_chunk(conn: Connection, area: str, refs: list[str], fields) -> dict[str, list[tuple[str, str, dict]]]:
    d, a, e, r, s, c, x = (
        Decision.__table__,
        Appeal.__table__,
        Evidence.__table__,
        Recommendation.__table__,
        Response.__table__,
        FundingClaim.__table__,
        RecordedException.__table__,
    )
    found: dict[str, list[tuple[str, str, dict]]] = {ref: [] for ref in refs}
    subject_case: dict[str, str] = {}
    for row in conn.execute(
        select(d).where(d.c.area_code == area, d.c.case_ref.in_(refs)).order_by(d.c.decision_date, d.c.decision_id)
    ).mappings():
        subject_case[row["decision_id"]] = row["case_ref"]
        found[row["case_ref"]].append(("decision", row["decision_id"], fields(row)))
    appeal_case: dict[str, str] = {}
    for row in conn.execute(
        select(a).where(a.c.area_code == area, a.c.case_ref.in_(refs)).order_by(a.c.registered_on, a.c.appeal_id)
    ).mappings():
        appeal_case[row["appeal_id"]] = row["case_ref"]
        found[row["case_ref"]].append(("appeal", row["appeal_id"], fields(row)))
    appeals = sorted(appeal_case)
    rec_case: dict[str, str] = {}
    for row in conn.execute(
        select(e).where(e.c.appeal_id.in_(appeals)).order_by(e.c.appeal_id, e.c.commissioner_code)
    ).mappings():
        found[appeal_case[row["appeal_id"]]].append(
            ("evidence", f"{row['appeal_id']}:{row['commissioner_code']}", fields(row))
        )
    for row in conn.execute(
        select(r).where(r.c.appeal_id.in_(appeals)).order_by(r.c.made_on, r.c.recommendation_id)
    ).mappings():
        rec_case[row["recommendation_id"]] = appeal_case[row["appeal_id"]]
        found[appeal_case[row["appeal_id"]]].append(("recommendation", row["recommendation_id"], fields(row)))
    if rec_case:
        for row in conn.execute(
            select(s).where(s.c.recommendation_id.in_(sorted(rec_case))).order_by(s.c.recommendation_id)
        ).mappings():
            found[rec_case[row["recommendation_id"]]].append(("response", row["recommendation_id"], fields(row)))
    for row in conn.execute(
        select(c).where(c.c.appeal_id.in_(appeals)).order_by(c.c.claimed_on, c.c.claim_id)
    ).mappings():
        found[appeal_case[row["appeal_id"]]].append(("funding claim", row["claim_id"], fields(row)))
    subject_case.update(appeal_case)
    subject_case.update(rec_case)
    for row in conn.execute(select(x).order_by(x.c.exception_id)).mappings():
        case = subject_case.get(row["subject_id"]) or subject_case.get(row["subject_id"].split(":", 1)[0])
        if case:
            found[case].append(("exception", row["exception_id"], fields(row)))
    return found


def case_owners(conn: Connection, area: str, case_refs: list[str] | tuple[str, ...]) -> set[str]:
    """Who the records give a duty on these cases of an area: the owners of their current findings."""
    f = Finding.__table__
    refs = sorted(set(case_refs))
    found: set[str] = set()
    for start in range(0, len(refs), 500):
        chunk = refs[start : start + 500]
        found.update(conn.scalars(select(f.c.owner).where(f.c.area == area, f.c.case_ref.in_(chunk)).distinct()))
    return found
