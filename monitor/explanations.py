"""Explanations of findings: the records, deadline, facts and decision-table row behind a status.

`explain` re-decides one (duty, subject); `explain_stored` explains many stored findings at
once without re-deciding them (the published site's explanation pages).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, select
from sqlalchemy.engine import Connection, Engine

from monitor.check import evaluate_duty, last_check, obligations
from monitor.dates import bank_holiday
from monitor.facts import subject_keys
from monitor.findings import FindingsError, history
from monitor.models import Finding
from monitor.recorded_exceptions import active_exceptions
from monitor.rules import Rule
from monitor.successors import Hop, Successors


@dataclass
class Explanation:
    duty: Rule
    subject: str
    as_of: date
    status: str
    area: str
    owner: str
    case_ref: str | None
    due_on: date | None
    done_on: date | None
    days_late: int
    reason: str | None
    deadline: str
    facts: dict
    row_number: int
    row_text: str
    records: list[tuple[str, str, dict]]
    exception: dict | None
    bank_holiday: str | None
    stored: dict | None
    history: list[dict]
    handovers: list[Hop]  # the owner's duties passed on by the as-of date (mergers), in order

    @property
    def acts_now(self) -> str:
        """The body responsible on the as-of date: the owner, or its successor."""
        return self.handovers[-1].to_body.code if self.handovers else self.owner


def explain(engine: Engine, rules: dict[str, Rule], duty: str, subject: str, as_of: date | None = None) -> Explanation:
    """Re-evaluate one (duty, subject) and say why: records, deadline, matching row, rule."""
    if duty not in rules:
        raise FindingsError(f"unknown duty {duty!r}: expected one of {', '.join(sorted(rules))}")
    rule = rules[duty]
    with engine.connect() as conn:
        check = last_check(conn)
        if as_of is None:
            if check is None:
                raise FindingsError("no check has run yet: give --as-of")
            as_of = check.as_of
        exceptions = active_exceptions(conn, as_of, duty)
        verdicts = evaluate_duty(conn, rule, as_of, keys=subject_keys(subject), exceptions=exceptions, evidence=True)
        verdict = next((o for o in verdicts if o.obligation.subject == subject), None)
        if verdict is None:
            raise FindingsError(f"no subject {subject!r} for duty {duty} as of {as_of.isoformat()}")
        f = Finding.__table__
        stored = conn.execute(select(f).where(and_(f.c.duty == duty, f.c.subject == subject))).mappings().first()
        changes = history(conn, duty, subject)
        handovers = Successors.load(conn).chain(verdict.obligation.owner, verdict.obligation.area, as_of)
    ob = verdict.obligation
    return Explanation(
        duty=rule,
        subject=subject,
        as_of=as_of,
        status=verdict.status,
        area=ob.area,
        owner=ob.owner,
        case_ref=ob.case_ref,
        due_on=ob.due_on,
        done_on=ob.done_on,
        days_late=verdict.days_late,
        reason=verdict.reason,
        deadline=ob.deadline,
        facts=_plain({**ob.facts, "excepted": verdict.exception is not None}),
        row_number=verdict.row.number,
        row_text=verdict.row.describe(),
        records=ob.records,
        exception=verdict.exception,
        bank_holiday=bank_holiday(ob.due_on) if ob.due_on else None,
        stored=dict(stored) if stored else None,
        history=changes,
        handovers=handovers,
    )


def _plain(facts: dict) -> dict:
    """Facts as people and JSON read them: dates in ISO form, money as pounds and pence."""
    return {
        k: v.isoformat() if isinstance(v, date) else f"{v:.2f}" if isinstance(v, Decimal) else v
        for k, v in facts.items()
    }


def explain_stored(
    conn: Connection,
    rules: dict[str, Rule],
    rows: list[dict],
    as_of: date | None,
    histories: dict[tuple[str, str], list[dict]] | None = None,
) -> dict[tuple[str, str], Explanation]:
    """Explanations of many stored findings at once, without re-deciding them.

    The status, dates, reason and matching row are the stored finding's; the records,
    facts and deadline come from the duty's obligation builder, run once per duty and date
    over the findings' records. `as_of` None explains each finding as of its own stored
    date (that of the check that last changed it), so an unchanged finding's explanation
    stays the same from one check to the next. Same shape as `explain`.
    """
    exceptions: dict[date, dict] = {}
    successors = Successors.load(conn)
    by_duty: dict[tuple[str, date], dict[str, dict]] = {}
    for row in rows:
        by_duty.setdefault((row["duty"], as_of or row["as_of"]), {})[row["subject"]] = row
    out: dict[tuple[str, str], Explanation] = {}
    for (duty, day), wanted in sorted(by_duty.items()):
        rule = rules[duty]
        keys = set().union(*map(subject_keys, wanted))
        built = {ob.subject: ob for ob in obligations(conn, rule, day, keys, evidence=True) if ob.subject in wanted}
        if day not in exceptions:
            exceptions[day] = active_exceptions(conn, day)
        for subject, stored in wanted.items():
            ob = built.get(subject)
            exception = exceptions[day].get((duty, subject))
            due = stored["due_on"]
            number = stored["rule_row"]
            row_text = rule.rows[number - 1].describe() if 0 < number <= len(rule.rows) else "?"
            facts = _plain({**(ob.facts if ob else {}), "excepted": exception is not None})
            changes = histories.get((duty, subject), []) if histories is not None else history(conn, duty, subject)
            out[(duty, subject)] = Explanation(
                duty=rule,
                subject=subject,
                as_of=day,
                status=stored["status"],
                area=stored["area"],
                owner=stored["owner"],
                case_ref=stored["case_ref"],
                due_on=due,
                done_on=stored["done_on"],
                days_late=stored["days_late"],
                reason=stored["reason"],
                deadline=ob.deadline if ob else "",
                facts=facts,
                row_number=number,
                row_text=row_text,
                records=ob.records if ob else [],
                exception=exception,
                bank_holiday=bank_holiday(due) if due else None,
                stored=stored,
                history=changes,
                handovers=successors.chain(stored["owner"], stored["area"], day),
            )
    return out
