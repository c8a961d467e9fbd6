"""Builders of the documents family: each letter template, and each area's latest Local Offer
capture, checked for the statements of the rule's wording file (`wording: decision-letter`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from monitor.facts import Fact, Obligation, builder
from monitor.models import LocalOfferPage
from monitor.obligations.common import iso
from monitor.obligations.wording import WORDING_FACTS, judge, statement_records, templates, wording_facts, wording_info


def _wanted(keys: Iterable[str] | None) -> tuple[set[str] | None, set[str] | None]:
    """Subjects and areas asked for: a key is a template's subject or an area code."""
    if keys is None:
        return None, None
    keys = set(keys)
    return keys, {k.split(":", 1)[0] for k in keys}


@builder(
    "letter_wording",
    key="template",
    facts=(
        Fact("in_use_from", "date", "the first day letters were made from the template (in_use_from)"),
        Fact("in_use_to", "date", "the last day it was used (in_use_to; left out when still in use)", optional=True),
        Fact("serves_in_scope", "bool", "it is used for at least one decision type in scope (scope_decision_types)"),
        *WORDING_FACTS,
    ),
)
def letter_wordings(
    conn: Connection, as_of: date, params: dict[str, Any], keys: Iterable[str] | None = None, evidence: bool = False
) -> Iterator[Obligation]:
    subjects, areas = _wanted(keys)
    scope = set(params["scope_decision_types"])
    found = [t for ts in templates(conn, as_of, areas).values() for t in ts]
    found = [t for t in found if subjects is None or t.subject in subjects or t.area_code in subjects]
    results = judge(conn, params["wording"], [(t.sha256,) for t in found])
    for t, result in zip(found, results, strict=True):
        facts = {
            "in_use_from": t.in_use_from,
            "serves_in_scope": not t.decision_types or bool(scope & set(t.decision_types)),
            **wording_facts(result),
        }
        if t.in_use_to is not None:
            facts["in_use_to"] = t.in_use_to
        record = {
            "file": t.file,
            "sha256": t.sha256,
            "in_use_from": iso(t.in_use_from),
            "in_use_to": iso(t.in_use_to),
            "decision_types": " ".join(t.decision_types) or None,
        }
        yield Obligation(
            subject=t.subject,
            key=t.subject,
            area=t.area_code,
            owner=t.area_code,
            case_ref=None,
            due_on=t.in_use_from,
            done_on=t.in_use_from if result.status == "met" else None,
            facts=facts,
            records=[("letter template", t.subject, record), *statement_records(result)] if evidence else [],
            info={"template": t.template_id, **wording_info(result)},
            deadline="the template itself: due on the first day it was in use" if evidence else "",
        )


@builder("local_offer_wording", key="area", facts=WORDING_FACTS)
def local_offer_wordings(
    conn: Connection, as_of: date, params: dict[str, Any], keys: Iterable[str] | None = None, evidence: bool = False
) -> Iterator[Obligation]:
    p = LocalOfferPage.__table__
    stmt = select(p.c.area_code, p.c.page_id, p.c.file, p.c.url, p.c.captured_on, p.c.sha256)
    stmt = stmt.where(p.c.captured_on <= as_of).order_by(p.c.area_code, p.c.captured_on.desc(), p.c.page_id)
    if keys is not None:
        stmt = stmt.where(p.c.area_code.in_(sorted(set(keys))))
    latest: dict[str, list[Any]] = {}
    for page in conn.execute(stmt):
        pages = latest.setdefault(page.area_code, [])
        if not pages or pages[0].captured_on == page.captured_on:
            pages.append(page)
    areas = list(latest)
    results = judge(conn, params["wording"], [tuple(pg.sha256 for pg in latest[a]) for a in areas])
    for area, result in zip(areas, results, strict=True):
        captured = latest[area][0].captured_on
        pages = [
            (
                "Local Offer page",
                pg.page_id,
                {"file": pg.file, "url": pg.url, "captured_on": iso(pg.captured_on), "sha256": pg.sha256},
            )
            for pg in latest[area]
        ]
        yield Obligation(
            subject=area,
            key=area,
            area=area,
            owner=area,
            case_ref=None,
            due_on=captured,
            done_on=captured if result.status == "met" else None,
            facts=wording_facts(result),
            records=[*pages, *statement_records(result)] if evidence else [],
            info=wording_info(result),
            deadline=f"the pages saved on {iso(captured)}, the latest capture" if evidence else "",
        )
