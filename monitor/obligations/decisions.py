"""Builders of the decisions and areas family: decision letters and the local offer."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from monitor.dates import known_by
from monitor.facts import Fact, Obligation, builder
from monitor.models import Area, Decision
from monitor.obligations.common import TIMED, each, iso, timed, with_keys


@builder(
    "decision_letter",
    key="decision",
    facts=(
        Fact("decision_type", "text", "the decision's type (decision_type)"),
        Fact("decision_date", "date", "the decision's date (decision_date)"),
        Fact("notice_recorded", "bool", "rights_notice is not blank"),
        Fact(
            "notice_given",
            "bool",
            "the letter told the family of the right (rights_notice; left out when blank)",
            optional=True,
        ),
    ),
)
def decision_letters(
    conn: Connection, as_of: date, params: dict[str, Any], keys: Iterable[str] | None = None, evidence: bool = False
) -> Iterator[Obligation]:
    t = Decision.__table__
    stmt = select(
        t.c.decision_id, t.c.area_code, t.c.case_ref, t.c.decision_type, t.c.decision_date, t.c.rights_notice
    ).where(t.c.decision_date <= as_of)
    for d in each(conn, with_keys(stmt, t.c.decision_id, keys)):
        yield Obligation(
            subject=d.decision_id,
            key=d.decision_id,
            area=d.area_code,
            owner=d.area_code,
            case_ref=d.case_ref,
            due_on=d.decision_date,
            done_on=d.decision_date,
            facts={
                "decision_type": d.decision_type,
                "decision_date": d.decision_date,
                "notice_recorded": d.rights_notice is not None,
            }
            if d.rights_notice is None
            else {
                "decision_type": d.decision_type,
                "decision_date": d.decision_date,
                "notice_recorded": True,
                "notice_given": d.rights_notice,
            },
            records=evidence
            and [
                (
                    "decision",
                    d.decision_id,
                    {
                        "decision_type": d.decision_type,
                        "decision_date": iso(d.decision_date),
                        "rights_notice": d.rights_notice,
                    },
                )
            ]
            or [],
            deadline=evidence and "the decision letter itself: due and done on the decision date" or "",
        )


@builder("local_offer", key="area", facts=TIMED)
def local_offers(
    conn: Connection, as_of: date, params: dict[str, Any], keys: Iterable[str] | None = None, evidence: bool = False
) -> Iterator[Obligation]:
    t = Area.__table__
    stmt = select(t.c.area_code, t.c.rights_published_on)
    due = params["local_offer_due"]
    for a in conn.execute(with_keys(stmt, t.c.area_code, keys)):
        done = known_by(a.rights_published_on, as_of)
        yield Obligation(
            subject=a.area_code,
            key=a.area_code,
            area=a.area_code,
            owner=a.area_code,
            case_ref=None,
            due_on=due,
            done_on=done,
            facts=timed(due, done, as_of),
            records=evidence and [("area", a.area_code, {"rights_published_on": iso(a.rights_published_on)})] or [],
            deadline=evidence and f"local_offer_due = {due.isoformat()}" or "",
        )
