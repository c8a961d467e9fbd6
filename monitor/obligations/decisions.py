"""Builders of the decisions and areas family: decision letters (with the template each was made\nfrom) and the local offer."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from monitor.dates import known_by
from monitor.documents.checking import Result
from monitor.facts import Fact, Obligation, builder
from monitor.models import Area, Decision
from monitor.obligations.common import TIMED, iso, timed, with_keys
from monitor.obligations.wording import Template, judge, statement_records, template_for, templates, wording_info


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
        Fact(
            "template_lacks",
            "int",
            "how many statements of the wording file the letter's template lacks (left out when its template "
            "is unknown, or its text could not be read in full with one missing)",
            optional=True,
        ),
    ),
)
def decision_letters(
    conn: Connection, as_of: date, params: dict[str, Any], keys: Iterable[str] | None = None, evidence: bool = False
) -> Iterator[Obligation]:
    t = Decision.__table__
    stmt = select(
        t.c.decision_id,
        t.c.area_code,
        t.c.case_ref,
        t.c.decision_type,
        t.c.decision_date,
        t.c.rights_notice,
        t.c.letter_template,
    ).where(t.c.decision_date <= as_of)
    by_area = templates(conn, as_of) if "wording" in params else {}
    judged = _judged(conn, params, by_area)
    deadline = "the decision letter itself: due and done on the decision date" if evidence else ""
    rows = conn.execute(with_keys(stmt, t.c.decision_id, keys), execution_options={"yield_per": 5000})
    for decision_id, area, case_ref, decision_type, decided_on, notice, named in rows:  # a million: kept lean
        facts: dict[str, Any] = {
            "decision_type": decision_type,
            "decision_date": decided_on,
            "notice_recorded": notice is not None,
        }
        if notice is not None:
            facts["notice_given"] = notice
        info: dict[str, str] = {}
        template = template_for(by_area.get(area, []), decision_type, decided_on, named) if by_area else None
        if template:
            result = judged[template.subject]
            info = {"template": template.template_id, **wording_info(result)}
            if result.status != "data_gap":
                facts["template_lacks"] = len(result.missing)
        records = []
        if evidence:
            fields = {
                "decision_type": decision_type,
                "decision_date": iso(decided_on),
                "rights_notice": notice,
                "letter_template": named or (template.template_id if template else None),
            }
            records = [("decision", decision_id, fields)]
            if template:
                records.append(
                    ("letter template", template.subject, {"file": template.file, "sha256": template.sha256})
                )
                records += statement_records(judged[template.subject])
        yield Obligation(
            decision_id, decision_id, area, area, case_ref, decided_on, decided_on, facts, records, info, deadline
        )


def _judged(conn: Connection, params: dict[str, Any], by_area: dict[str, list[Template]]) -> dict[str, Result]:
    """Each template's wording check, by the template's subject."""
    every = [t for ts in by_area.values() for t in ts]
    if not every:
        return {}
    results = judge(conn, params["wording"], [(t.sha256,) for t in every])
    return {t.subject: r for t, r in zip(every, results, strict=True)}


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
