"""Builders of the appeals and evidence family: the LA's contacts and response, commissioners'
evidence and hearing witnesses."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from monitor.dates import days_between, known_by
from monitor.facts import Fact, Obligation, builder
from monitor.models import Appeal, Commissioner, Evidence
from monitor.obligations.common import (
    CLOSING,
    SCOPE,
    TIMED,
    appeal_record,
    appeal_rows,
    closing,
    closure,
    each,
    iso,
    known,
    scope,
    timed,
    with_keys,
)


@builder(
    "appeal_contact",
    key="appeal",
    facts=(
        *SCOPE,
        *CLOSING,
        *TIMED,
        Fact("issue_raised", "bool", "the appeal raises this subject's issue (health, or social care)"),
    ),
)
def appeal_contacts(
    conn: Connection, as_of: date, params: dict[str, Any], keys: Iterable[str] | None = None, evidence: bool = False
) -> Iterator[Obligation]:
    e, c = Evidence.__table__, Commissioner.__table__
    contacts: dict[tuple[str, str], list] = {}
    stmt = select(e.c.appeal_id, e.c.commissioner_code, c.c.kind, e.c.la_contacted_on).join(
        c, c.c.commissioner_code == e.c.commissioner_code
    )
    for row in each(conn, with_keys(stmt, e.c.appeal_id, keys)):
        contacts.setdefault((row.appeal_id, row.kind), []).append(row)
    for a in appeal_rows(conn, as_of, keys):
        due = a.la_response_due_on
        common, closed = {**scope(a), **closing(a, due, as_of)}, closure(a)
        for kind, raised in (("health", a.health_issue), ("social_care", a.social_care_issue)):
            rows = contacts.get((a.appeal_id, kind), [])
            dates = [r.la_contacted_on for r in rows if r.la_contacted_on is not None]
            done = known_by(min(dates), as_of) if dates else None
            yield Obligation(
                subject=f"{a.appeal_id}:{kind}",
                key=a.appeal_id,
                area=a.area_code,
                owner=a.area_code,
                case_ref=a.case_ref,
                due_on=due,
                done_on=done,
                facts={**common, "issue_raised": bool(raised), **timed(due, done, as_of)},
                info=closed,
                records=evidence
                and [appeal_record(a)]
                + [
                    (
                        "evidence",
                        f"{a.appeal_id}:{r.commissioner_code}",
                        {"kind": kind, "la_contacted_on": iso(r.la_contacted_on)},
                    )
                    for r in rows
                ]
                or [],
                deadline=evidence and "the Tribunal's deadline for the LA's response (la_response_due_on)" or "",
            )


@builder("appeal_response", key="appeal", facts=(*SCOPE, *CLOSING, *TIMED))
def appeal_responses(
    conn: Connection, as_of: date, params: dict[str, Any], keys: Iterable[str] | None = None, evidence: bool = False
) -> Iterator[Obligation]:
    for a in appeal_rows(conn, as_of, keys):
        due, done = a.la_response_due_on, known_by(a.la_response_sent_on, as_of)
        yield Obligation(
            subject=a.appeal_id,
            key=a.appeal_id,
            area=a.area_code,
            owner=a.area_code,
            case_ref=a.case_ref,
            due_on=due,
            done_on=done,
            facts={**scope(a), **closing(a, due, as_of), **timed(due, done, as_of)},
            info=closure(a),
            records=evidence and [appeal_record(a)] or [],
            deadline=evidence and "the Tribunal's deadline for the LA's response (la_response_due_on)" or "",
        )


def _evidence_rows(conn: Connection, as_of: date, keys: Iterable[str] | None) -> Iterator[Any]:
    a, e = Appeal.__table__, Evidence.__table__
    stmt = (
        select(
            e,
            a.c.area_code,
            a.c.case_ref,
            a.c.decision_type,
            a.c.decision_date,
            a.c.registered_on,
            a.c.health_issue,
            a.c.social_care_issue,
            a.c.la_response_due_on,
            a.c.la_response_sent_on,
            a.c.hearing_on,
            a.c.status,
            a.c.closed_on,
        )
        .join(a, a.c.appeal_id == e.c.appeal_id)
        .where(a.c.registered_on <= as_of)
    )
    return each(conn, with_keys(stmt, e.c.appeal_id, keys))


def _evidence_record(r: Any) -> tuple[str, str, dict]:
    return (
        "evidence",
        f"{r.appeal_id}:{r.commissioner_code}",
        {
            "la_contacted_on": iso(r.la_contacted_on),
            "evidence_due_on": iso(r.evidence_due_on),
            "evidence_provided_on": iso(r.evidence_provided_on),
            "attendance_required": r.attendance_required,
            "attended": r.attended,
        },
    )


@builder(
    "evidence_request",
    key="appeal",
    facts=(
        *SCOPE,
        *CLOSING,
        *TIMED,
        Fact("evidence_requested", "bool", "the Tribunal asked this commissioner for evidence (evidence_due_on set)"),
    ),
)
def evidence_requests(
    conn: Connection, as_of: date, params: dict[str, Any], keys: Iterable[str] | None = None, evidence: bool = False
) -> Iterator[Obligation]:
    for r in _evidence_rows(conn, as_of, keys):
        due, done = r.evidence_due_on, known_by(r.evidence_provided_on, as_of)
        yield Obligation(
            subject=f"{r.appeal_id}:{r.commissioner_code}",
            key=r.appeal_id,
            area=r.area_code,
            owner=r.commissioner_code,
            case_ref=r.case_ref,
            due_on=due,
            done_on=done,
            facts={
                **scope(r),
                **closing(r, due, as_of),
                "evidence_requested": due is not None,
                **timed(due, done, as_of),
            },
            info=closure(r),
            records=evidence and [appeal_record(r), _evidence_record(r)] or [],
            deadline=evidence and "the Tribunal's deadline for this commissioner's evidence (evidence_due_on)" or "",
        )


@builder(
    "hearing_witness",
    key="appeal",
    facts=(
        *SCOPE,
        *CLOSING,
        Fact(
            "witness_required", "bool", "the Tribunal asked for a witness from this commissioner (attendance_required)"
        ),
        Fact("hearing_set", "bool", "the hearing date (hearing_on) is known"),
        Fact(
            "days_left", "int", "days from the as-of date to the hearing (left out when no date is set)", optional=True
        ),
        Fact("attended_recorded", "bool", "attended is not blank"),
        Fact("attended", "bool", "the witness attended (left out when blank)", optional=True),
    ),
)
def hearing_witnesses(
    conn: Connection, as_of: date, params: dict[str, Any], keys: Iterable[str] | None = None, evidence: bool = False
) -> Iterator[Obligation]:
    for r in _evidence_rows(conn, as_of, keys):
        hearing = r.hearing_on
        held = hearing is not None and hearing <= as_of
        facts = {
            **scope(r),
            **closing(r, hearing, as_of),
            **known(
                witness_required=bool(r.attendance_required),
                hearing_set=hearing is not None,
                days_left=days_between(as_of, hearing) if hearing else None,
                attended_recorded=r.attended is not None,
                attended=r.attended,
            ),
        }
        yield Obligation(
            subject=f"{r.appeal_id}:{r.commissioner_code}",
            key=r.appeal_id,
            area=r.area_code,
            owner=r.commissioner_code,
            case_ref=r.case_ref,
            due_on=hearing,
            done_on=hearing if held and r.attended else None,
            facts=facts,
            records=evidence and [appeal_record(r), _evidence_record(r)] or [],
            deadline=evidence and "the hearing date (hearing_on)" or "",
        )
