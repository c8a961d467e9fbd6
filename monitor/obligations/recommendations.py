"""Builders of the recommendations and responses family: the response, its content, and its
return to the evaluators."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.engine import Connection

from monitor.dates import in_window, known_by, weeks_beginning_with
from monitor.facts import Fact, Obligation, builder
from monitor.models import Appeal, Recommendation, Response
from monitor.obligations.common import SCOPE, TIMED, each, iso, known, scope, timed, with_keys


def _recommendations(conn: Connection, as_of: date, keys: Iterable[str] | None) -> Iterator[Any]:
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
    return each(conn, with_keys(stmt, r.c.recommendation_id, keys))


SENT_ON = {"family": "sent_to_family_on", "la": "sent_to_la_on"}  # a recipient -> its sent date


def _required_dates(r: Any, as_of: date, sent_to: dict[str, list[str]]) -> list[date | None]:
    """The sent dates a response needs, by the parameter `response_sent_to` (health: the
    family and the LA; social care: the family), each known by `as_of` or None."""
    return [known_by(getattr(r, SENT_ON[who]), as_of) for who in sent_to[r.kind]]


def _response_record(r: Any) -> tuple[str, str, dict]:
    return (
        "response",
        r.recommendation_id,
        {
            "kind": r.kind,
            "made_on": iso(r.made_on),
            "sent_to_family_on": iso(r.sent_to_family_on),
            "sent_to_la_on": iso(r.sent_to_la_on),
            "outcome": r.outcome,
            "steps_given": r.steps_given,
            "reasons_given": r.reasons_given,
            "exception": r.exception,
            "sent_to_evaluators_on": iso(r.sent_to_evaluators_on),
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
def recommendation_responses(
    conn: Connection, as_of: date, params: dict[str, Any], keys: Iterable[str] | None = None, evidence: bool = False
) -> Iterator[Obligation]:
    weeks = params["response_weeks"]
    first, last = params["covid_window"]
    for r in _recommendations(conn, as_of, keys):
        due = weeks_beginning_with(r.made_on, weeks)
        required = _required_dates(r, as_of, params["response_sent_to"])
        sent = [d for d in required if d is not None]
        done = max(sent) if len(sent) == len(required) else None
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
def response_contents(
    conn: Connection, as_of: date, params: dict[str, Any], keys: Iterable[str] | None = None, evidence: bool = False
) -> Iterator[Obligation]:
    for r in _recommendations(conn, as_of, keys):
        sent = [d for d in _required_dates(r, as_of, params["response_sent_to"]) if d is not None]
        first_sent = min(sent) if sent else None
        facts = {
            **scope(r),
            **known(
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
def evaluator_returns(
    conn: Connection, as_of: date, params: dict[str, Any], keys: Iterable[str] | None = None, evidence: bool = False
) -> Iterator[Obligation]:
    weeks = params["return_weeks"]
    for r in _recommendations(conn, as_of, keys):
        received = known_by(r.sent_to_la_on if r.kind == "health" else r.sent_to_family_on, as_of)
        in_trial = in_window(received, params["scope_start"], params["trial_end"])
        due = weeks_beginning_with(received, weeks) if in_trial and received is not None else None
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
                f"({iso(received)}): + 7×{weeks} − 1 = {iso(due)}"
            )
            if evidence and due
            else "",
        )
