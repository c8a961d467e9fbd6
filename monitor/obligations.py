"""Obligation builders: the facts each duty's decision table judges.

One builder per kind of subject. Each reads its records with SQL joins (no
per-row round trips), keeps only records that exist as of the date, and yields
one `Obligation` per (duty, subject) with precomputed facts: the record values a
table tests (the appealed decision's type and date, an appeal's status, an
outcome) and day counts (`days_left`, `days_after_due`) counted by
`monitor.dates`. A fact whose value is unknown (a blank field) is left out, so
no row that tests it can match. Each builder declares its facts (name, type,
meaning) in `FACTS`; the tables decide (scope, closures, when reasons are
required, the funding cap), the builders only describe.

The evidence behind an obligation (the records used, how its deadline was
counted) is built only when asked for (`evidence=True`: explanations).
"""

from __future__ import annotations

import functools
from collections import namedtuple
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, select
from sqlalchemy.engine import Connection

from monitor.dates import days_between, in_window, known_by, weeks_beginning_with
from monitor.models import (
    Appeal,
    Area,
    Commissioner,
    Decision,
    Evidence,
    FundingClaim,
    Recommendation,
    Response,
)
from monitor.rules import Fact


@dataclass
class Obligation:
    subject: str
    key: str  # the id of the record the subject hangs on (decision, area, appeal, recommendation)
    area: str
    owner: str
    case_ref: str | None
    due_on: date | None
    done_on: date | None
    facts: dict
    records: list[tuple[str, str, dict]] = field(default_factory=list)  # (type, id, fields) used
    info: dict = field(default_factory=dict)  # values for `{placeholders}` in reasons
    deadline: str = ""  # how the deadline was counted, for `explain`


Builder = Callable[..., Iterator[Obligation]]  # (conn, as_of, params, keys=None, evidence=False)
BUILDERS: dict[str, Builder] = {}
KEY_KINDS: dict[str, str] = {}  # builder -> the record its keys identify: decision, area, appeal, recommendation
FACTS: dict[str, dict[str, Fact]] = {}  # builder -> the facts it gives, by name


def builder(name: str, key: str, facts: Iterable[Fact]):
    """Register a builder whose `keys` argument (and `Obligation.key`) are ids of `key` records,
    and which gives the facts `facts` (and no others)."""

    def register(fn: Builder) -> Builder:
        BUILDERS[name] = fn
        KEY_KINDS[name] = key
        FACTS[name] = {f.name: f for f in facts}
        return fn

    return register


TIMED = (
    Fact("due_known", "bool", "the deadline is known (not blank)"),
    Fact("done", "bool", "the duty is done: its done-date is set and on or before the as-of date"),
    Fact(
        "days_left",
        "int",
        "days from the as-of date to the deadline, negative once it has passed (left out when the deadline is blank)",
        optional=True,
    ),
    Fact(
        "days_after_due",
        "int",
        "days from the deadline to the done-date, 0 or less when on time (left out unless done, with a known deadline)",
        optional=True,
    ),
)
SCOPE = (
    Fact("decision_type", "text", "the type of the appealed decision (decision_type)"),
    Fact("decision_date", "date", "the date of the appealed decision (decision_date)"),
    Fact("health_issue", "bool", "the appeal raises a health issue"),
    Fact("social_care_issue", "bool", "the appeal raises a social care issue"),
)
CLOSING = (
    Fact("appeal_status", "text", "the appeal's status: open, withdrawn, conceded or decided"),
    Fact("closed_by_as_of", "bool", "the appeal's closed_on is set and on or before the as-of date"),
    Fact(
        "days_due_after_closing",
        "int",
        "days from the appeal's closed_on to this duty's deadline (left out when either is blank)",
        optional=True,
    ),
)


def subject_keys(subject: str) -> set[str]:
    """The record keys a subject may hang on: itself, or what comes before its last ':'
    (`{appeal_id}:health`, `{appeal_id}:{commissioner_code}`)."""
    return {subject, subject.rsplit(":", 1)[0]}


def timed(due: date | None, done: date | None, as_of: date) -> dict:
    """The facts of a dated duty: is it done, is the deadline known, how far from it."""
    facts: dict[str, bool | int] = {"due_known": due is not None, "done": done is not None}
    if due is not None:
        facts["days_left"] = days_between(as_of, due)
        if done is not None:
            facts["days_after_due"] = days_between(due, done)
    return facts


def _known(**values) -> dict:
    """Facts whose value is known; blanks are left out."""
    return {k: v for k, v in values.items() if v is not None}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _keys(stmt, column, keys: Iterable[str] | None):
    return stmt if keys is None else stmt.where(column.in_(list(keys)))


def _each(conn: Connection, stmt):
    """The rows of a query as named tuples, fetched (streamed where the driver can) many at a time.

    Reading a field of a named tuple costs a fraction of reading one of SQLAlchemy's rows,
    and the builders read a million rows' fields several times each."""
    result = conn.execute(stmt, execution_options={"yield_per": 5000})
    return map(_record_type(tuple(result.keys()))._make, result)


@functools.cache
def _record_type(fields: tuple[str, ...]):
    return namedtuple("Record", fields)  # the fields of a query, known at run time


def scope(appeal) -> dict:
    """The facts the tables judge an appeal's scope by."""
    return {
        "decision_type": appeal.decision_type,
        "decision_date": appeal.decision_date,
        "health_issue": bool(appeal.health_issue),
        "social_care_issue": bool(appeal.social_care_issue),
    }


def closing(appeal, deadline: date | None, as_of: date) -> dict:
    """The facts the tables judge a closure by: status, closed by the as-of date, and how long
    before this deadline (a blank deadline gives no such fact)."""
    closed = appeal.closed_on
    facts = {"appeal_status": appeal.status, "closed_by_as_of": closed is not None and closed <= as_of}
    if closed is not None and deadline is not None:
        facts["days_due_after_closing"] = days_between(closed, deadline)
    return facts


def _appeal_record(a) -> tuple[str, str, dict]:
    return (
        "appeal",
        a.appeal_id,
        {
            "decision_type": a.decision_type,
            "decision_date": _iso(a.decision_date),
            "registered_on": _iso(a.registered_on),
            "health_issue": a.health_issue,
            "social_care_issue": a.social_care_issue,
            "la_response_due_on": _iso(a.la_response_due_on),
            "la_response_sent_on": _iso(a.la_response_sent_on),
            "hearing_on": _iso(a.hearing_on),
            "status": a.status,
            "closed_on": _iso(a.closed_on),
        },
    )


def _appeals(conn: Connection, as_of: date, keys):
    t = Appeal.__table__
    stmt = select(t).where(t.c.registered_on <= as_of).order_by(t.c.appeal_id)
    return _each(conn, _keys(stmt, t.c.appeal_id, keys))


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
def decision_letters(conn, as_of, params, keys=None, evidence=False):
    t = Decision.__table__
    stmt = select(
        t.c.decision_id, t.c.area_code, t.c.case_ref, t.c.decision_type, t.c.decision_date, t.c.rights_notice
    ).where(t.c.decision_date <= as_of)
    for d in _each(conn, _keys(stmt, t.c.decision_id, keys)):
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
                        "decision_date": _iso(d.decision_date),
                        "rights_notice": d.rights_notice,
                    },
                )
            ]
            or [],
            deadline=evidence and "the decision letter itself: due and done on the decision date" or "",
        )


@builder("local_offer", key="area", facts=TIMED)
def local_offers(conn, as_of, params, keys=None, evidence=False):
    t = Area.__table__
    stmt = select(t.c.area_code, t.c.rights_published_on)
    due = params["local_offer_due"]
    for a in conn.execute(_keys(stmt, t.c.area_code, keys)):
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
            records=evidence and [("area", a.area_code, {"rights_published_on": _iso(a.rights_published_on)})] or [],
            deadline=evidence and f"local_offer_due = {due.isoformat()}" or "",
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
def appeal_contacts(conn, as_of, params, keys=None, evidence=False):
    e, c = Evidence.__table__, Commissioner.__table__
    contacts: dict[tuple[str, str], list] = {}
    stmt = select(e.c.appeal_id, e.c.commissioner_code, c.c.kind, e.c.la_contacted_on).join(
        c, c.c.commissioner_code == e.c.commissioner_code
    )
    for row in _each(conn, _keys(stmt, e.c.appeal_id, keys)):
        contacts.setdefault((row.appeal_id, row.kind), []).append(row)
    for a in _appeals(conn, as_of, keys):
        due = a.la_response_due_on
        common = {**scope(a), **closing(a, due, as_of)}
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
                records=evidence
                and [_appeal_record(a)]
                + [
                    (
                        "evidence",
                        f"{a.appeal_id}:{r.commissioner_code}",
                        {"kind": kind, "la_contacted_on": _iso(r.la_contacted_on)},
                    )
                    for r in rows
                ]
                or [],
                deadline=evidence and "the Tribunal's deadline for the LA's response (la_response_due_on)" or "",
            )


@builder("appeal_response", key="appeal", facts=(*SCOPE, *CLOSING, *TIMED))
def appeal_responses(conn, as_of, params, keys=None, evidence=False):
    for a in _appeals(conn, as_of, keys):
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
            records=evidence and [_appeal_record(a)] or [],
            deadline=evidence and "the Tribunal's deadline for the LA's response (la_response_due_on)" or "",
        )


def _evidence_rows(conn, as_of, keys):
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
    return _each(conn, _keys(stmt, e.c.appeal_id, keys))


def _evidence_record(r) -> tuple[str, str, dict]:
    return (
        "evidence",
        f"{r.appeal_id}:{r.commissioner_code}",
        {
            "la_contacted_on": _iso(r.la_contacted_on),
            "evidence_due_on": _iso(r.evidence_due_on),
            "evidence_provided_on": _iso(r.evidence_provided_on),
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
def evidence_requests(conn, as_of, params, keys=None, evidence=False):
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
            records=evidence and [_appeal_record(r), _evidence_record(r)] or [],
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
def hearing_witnesses(conn, as_of, params, keys=None, evidence=False):
    for r in _evidence_rows(conn, as_of, keys):
        hearing = r.hearing_on
        held = hearing is not None and hearing <= as_of
        facts = {
            **scope(r),
            **closing(r, hearing, as_of),
            **_known(
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
            records=evidence and [_appeal_record(r), _evidence_record(r)] or [],
            deadline=evidence and "the hearing date (hearing_on)" or "",
        )


def _recommendations(conn, as_of, keys):
    a, r, s = Appeal.__table__, Recommendation.__table__, Response.__table__
    stmt = (
        select(
            r,
            a.c.area_code,
            a.c.case_ref,
            a.c.decision_type,
            a.c.decision_date,
            a.c.health_issue,
            a.c.social_care_issue,
            s.c.sent_to_family_on,
            s.c.sent_to_la_on,
            s.c.outcome,
            s.c.steps_given,
            s.c.reasons_given,
            s.c.exception,
            s.c.sent_to_evaluators_on,
            (s.c.recommendation_id.is_not(None)).label("has_response"),
        )
        .join(a, a.c.appeal_id == r.c.appeal_id)
        .outerjoin(s, s.c.recommendation_id == r.c.recommendation_id)
        .where(and_(r.c.made_on <= as_of, a.c.registered_on <= as_of))
    )
    return _each(conn, _keys(stmt, r.c.recommendation_id, keys))


SENT_ON = {"family": "sent_to_family_on", "la": "sent_to_la_on"}  # a recipient -> its sent date


def _required_dates(r, as_of, sent_to: dict[str, list[str]]) -> list[date | None]:
    """The sent dates a response needs, by the parameter `response_sent_to` (health: the
    family and the LA; social care: the family), each known by `as_of` or None."""
    return [known_by(getattr(r, SENT_ON[who]), as_of) for who in sent_to[r.kind]]


def _response_record(r) -> tuple[str, str, dict]:
    return (
        "response",
        r.recommendation_id,
        {
            "kind": r.kind,
            "made_on": _iso(r.made_on),
            "sent_to_family_on": _iso(r.sent_to_family_on),
            "sent_to_la_on": _iso(r.sent_to_la_on),
            "outcome": r.outcome,
            "steps_given": r.steps_given,
            "reasons_given": r.reasons_given,
            "exception": r.exception,
            "sent_to_evaluators_on": _iso(r.sent_to_evaluators_on),
            "has_response": bool(r.has_response),
        },
    )


@builder(
    "recommendation_response",
    key="recommendation",
    facts=(
        *SCOPE,
        *TIMED,
        Fact("covid_flag", "bool", "the response carries exception=covid_2020"),
        Fact("due_in_covid_window", "bool", "the due date lies in covid_window (both ends included)"),
    ),
)
def recommendation_responses(conn, as_of, params, keys=None, evidence=False):
    weeks = params["response_weeks"]
    first, last = params["covid_window"]
    for r in _recommendations(conn, as_of, keys):
        due = weeks_beginning_with(r.made_on, weeks)
        required = _required_dates(r, as_of, params["response_sent_to"])
        done = max(required) if all(required) else None
        yield Obligation(
            subject=r.recommendation_id,
            key=r.recommendation_id,
            area=r.area_code,
            owner=r.commissioner_code,
            case_ref=r.case_ref,
            due_on=due,
            done_on=done,
            facts={
                **scope(r),
                **timed(due, done, as_of),
                "covid_flag": r.exception == "covid_2020",
                "due_in_covid_window": in_window(due, first, last),
            },
            records=evidence and [_response_record(r)] or [],
            deadline=evidence
            and f"{weeks} weeks beginning with made_on {r.made_on.isoformat()}: "
            f"made_on + 7×{weeks} − 1 = {due.isoformat()}"
            or "",
        )


@builder(
    "response_content",
    key="recommendation",
    facts=(
        *SCOPE,
        Fact("sent", "bool", "the response has been sent: a sent date on or before the as-of date"),
        Fact("steps_recorded", "bool", "steps_given is not blank"),
        Fact("steps_given", "bool", "the response states the steps decided on (left out when blank)", optional=True),
        Fact("outcome_recorded", "bool", "outcome is not blank"),
        Fact("outcome", "text", "accepted, partly_accepted or declined (left out when blank)", optional=True),
        Fact("reasons_recorded", "bool", "reasons_given is not blank"),
        Fact("reasons_given", "bool", "the response gives reasons (left out when blank)", optional=True),
    ),
)
def response_contents(conn, as_of, params, keys=None, evidence=False):
    for r in _recommendations(conn, as_of, keys):
        sent = [d for d in _required_dates(r, as_of, params["response_sent_to"]) if d is not None]
        first_sent = min(sent) if sent else None
        facts = {
            **scope(r),
            **_known(
                sent=bool(sent),
                steps_recorded=r.steps_given is not None,
                steps_given=r.steps_given,
                outcome_recorded=r.outcome is not None,
                outcome=r.outcome,
                reasons_recorded=r.reasons_given is not None,
                reasons_given=r.reasons_given,
            ),
        }
        yield Obligation(
            subject=r.recommendation_id,
            key=r.recommendation_id,
            area=r.area_code,
            owner=r.commissioner_code,
            case_ref=r.case_ref,
            due_on=first_sent,
            done_on=first_sent,
            facts=facts,
            records=evidence and [_response_record(r)] or [],
            deadline=evidence and "judged on the response itself: due and done on the earliest sent date" or "",
        )


@builder(
    "evaluator_return",
    key="recommendation",
    facts=(
        *SCOPE,
        *TIMED,
        Fact(
            "received_in_trial",
            "bool",
            "the LA received the response between scope_start and trial_end "
            "(sent_to_la_on for health, sent_to_family_on for social care)",
        ),
    ),
)
def evaluator_returns(conn, as_of, params, keys=None, evidence=False):
    weeks = params["return_weeks"]
    for r in _recommendations(conn, as_of, keys):
        received = known_by(r.sent_to_la_on if r.kind == "health" else r.sent_to_family_on, as_of)
        in_trial = in_window(received, params["scope_start"], params["trial_end"])
        due = weeks_beginning_with(received, weeks) if in_trial else None
        done = known_by(r.sent_to_evaluators_on, as_of) if in_trial else None
        yield Obligation(
            subject=r.recommendation_id,
            key=r.recommendation_id,
            area=r.area_code,
            owner=r.area_code,
            case_ref=r.case_ref,
            due_on=due,
            done_on=done,
            facts={**scope(r), "received_in_trial": in_trial, **timed(due, done, as_of)},
            records=evidence and [_response_record(r)] or [],
            deadline=(
                f"{weeks} week(s) beginning with the day the LA received the response "
                f"({_iso(received)}): + 7×{weeks} − 1 = {_iso(due)}"
            )
            if evidence and due
            else "",
        )


@builder(
    "trial_funding",
    key="appeal",
    facts=(
        *SCOPE,
        Fact(
            "has_trial_claims", "bool", "the appeal has funding claims dated within the trial (scope_start..trial_end)"
        ),
        Fact("claims_total", "money", "the sum of those claims, in pounds"),
        Fact("legal_claimed", "bool", "one of those claims is in category legal"),
    ),
)
def trial_funding(conn, as_of, params, keys=None, evidence=False):
    f = FundingClaim.__table__
    first, last = params["scope_start"], params["trial_end"]
    stmt = select(f.c.claim_id, f.c.appeal_id, f.c.category, f.c.amount_gbp, f.c.claimed_on).where(
        and_(f.c.claimed_on <= as_of, f.c.claimed_on >= first, f.c.claimed_on <= last)
    )
    claims: dict[str, list] = {}
    for c in _each(conn, _keys(stmt, f.c.appeal_id, keys)):
        claims.setdefault(c.appeal_id, []).append(c)
    cap = Decimal(str(params["funding_cap_gbp"]))  # for the reason's excess only: the table decides
    for a in _appeals(conn, as_of, keys):
        mine = claims.get(a.appeal_id, [])
        total = sum((Decimal(c.amount_gbp).quantize(Decimal("0.01")) for c in mine), Decimal("0"))
        legal = [c.claim_id for c in mine if c.category == "legal"]
        yield Obligation(
            subject=a.appeal_id,
            key=a.appeal_id,
            area=a.area_code,
            owner=a.area_code,
            case_ref=a.case_ref,
            due_on=None,
            done_on=None,
            facts={**scope(a), "has_trial_claims": bool(mine), "claims_total": total, "legal_claimed": bool(legal)},
            records=evidence
            and [
                (
                    "funding_claim",
                    c.claim_id,
                    {"category": c.category, "amount_gbp": f"{c.amount_gbp:.2f}", "claimed_on": _iso(c.claimed_on)},
                )
                for c in mine
            ]
            or [],
            info={
                "total": f"{total:,.2f}",
                "excess": f"{max(total - cap, Decimal(0)):,.2f}",
                "legal_claims": ", ".join(legal),
            },
            deadline=evidence and "no deadline: claims dated within the trial are summed" or "",
        )


def facts_markdown() -> str:
    """The facts each builder declares, as the Markdown tables of docs/duties.md
    (`python -m monitor.obligations` prints them; a test keeps the document equal to them)."""
    parts = []
    for name, facts in FACTS.items():
        parts.append(f"### `{name}` (keys: {KEY_KINDS[name]})\n\n| fact | type | meaning |\n|---|---|---|")
        parts.extend(
            f"| `{f.name}` | {f.type}{' (may be left out)' if f.optional else ''} | {f.meaning} |"
            for f in facts.values()
        )
        parts.append("")
    return "\n".join(parts)


if __name__ == "__main__":
    print(facts_markdown(), end="")
