"""The check's yardstick: a plain single-pass evaluator of every duty that reads records.

    python -m benchmarks.evaluator FOLDER AS_OF [--count]

Reads a records folder once with the csv module and decides each duty of the duties
catalogue (version 3, closed appeals included) in plain Python: no rules engine, no
store, no validation beyond what deciding needs. It is written for speed, so that the
check's time measured against it is honest: each file is read row by row with column
positions looked up once, dates and yes/no values are parsed once per distinct text, and
decision letters (most of the rows) are judged in the loop that reads them. The document
duties (`letter-wording`, `local-offer-wording`) have their own benchmark and are not here.

`tests/test_benchmarks_evaluator.py` holds its findings equal to the check's on generated
data, so a faster yardstick cannot be a wrong one.
"""

from __future__ import annotations

import csv
import json
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

SCOPE_START = date(2018, 4, 3)
TRIAL_END = date(2021, 8, 31)
LOCAL_OFFER_DUE = date(2018, 4, 3)
RESPONSE_DAYS = 7 * 5 - 1
RETURN_DAYS = 7 * 1 - 1
WARNING_DAYS = 7
FUNDING_CAP = Decimal("4000")
COVID = (date(2020, 5, 1), date(2020, 9, 25))
IN_SCOPE = frozenset(
    {"refuse_plan", "plan_issued", "plan_amended", "refuse_reassessment", "refuse_amendment", "cease_plan"}
)
CLOSING = frozenset({"withdrawn", "conceded"})
_BOOLS = {"true": True, "yes": True, "y": True, "1": True, "false": False, "no": False, "n": False, "0": False}

# A finding: (duty, subject, area, owner, status, due_on, done_on, days_late, case_ref)
Finding = tuple


class _Dates(dict):
    """Text → date (ISO or day-first UK), parsed once per distinct text; blank → None."""

    def __missing__(self, text: str) -> date | None:
        s = text.strip()
        if not s:
            value = None
        elif "/" in s:
            d, m, y = s.split("/")
            value = date(int(y), int(m), int(d))
        else:
            value = date.fromisoformat(s)
        self[text] = value
        return value


class _Bools(dict):
    """Text → True, False or None (blank), once per distinct text."""

    def __missing__(self, text: str) -> bool | None:
        value = _BOOLS.get(text.strip().lower())
        self[text] = value
        return value


def _rows(folder: Path, name: str):
    """The rows of one file with a function giving a column's position (None when absent)."""
    path = folder / f"{name}.csv"
    if not path.exists():
        return iter(()), lambda column: None
    handle = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed when the reader is exhausted
    reader = csv.reader(handle)
    header = [h.strip().lower() for h in next(reader, [])]
    where = {h: i for i, h in enumerate(header)}

    def rows():
        with handle:
            for row in reader:
                if row and any(row):
                    yield row

    return rows(), where.get


def _cell(row: list[str], i: int | None) -> str:
    return row[i].strip() if i is not None and i < len(row) else ""


def _timed(due: date, done: date | None, as_of: date) -> tuple[str, int]:
    if done is not None:
        return ("met", 0) if done <= due else ("late", (done - due).days)
    gap = (due - as_of).days
    if gap < 0:
        return "overdue", -gap
    return ("due_soon", 0) if gap <= WARNING_DAYS else ("pending", 0)


def evaluate(folder: Path, as_of: date) -> list[Finding]:
    """Every finding as of `as_of` (not_applicable left out), sorted by duty then subject."""
    folder = Path(folder)
    dates, bools = _Dates(), _Bools()
    out: list[Finding] = []
    add = out.append

    rows, col = _rows(folder, "decisions")
    i_id, i_area, i_ref, i_type, i_date, i_rn = (
        col(c) for c in ("decision_id", "area_code", "case_ref", "decision_type", "decision_date", "rights_notice")
    )
    for row in rows:
        if row[i_type].strip() not in IN_SCOPE:
            continue
        day = dates[row[i_date]]
        if day is None or day > as_of or day < SCOPE_START:
            continue
        notice = bools[_cell(row, i_rn)]
        status = "met" if notice else "data_gap" if notice is None else "breached"
        area = row[i_area].strip()
        add(("rights-notice", row[i_id].strip(), area, area, status, day, day, 0, row[i_ref].strip()))

    areas: dict[str, tuple[str, date | None]] = {}
    rows, col = _rows(folder, "areas")
    i_code, i_pub, i_succ, i_from = (
        col("area_code"),
        col("rights_published_on"),
        col("successor_code"),
        col("successor_from"),
    )
    for row in rows:
        code = row[i_code].strip()
        areas[code] = (_cell(row, i_succ), dates[_cell(row, i_from)])
        done = dates[_cell(row, i_pub)]
        done = done if done is not None and done <= as_of else None
        status, late = _timed(LOCAL_OFFER_DUE, done, as_of)
        add(("local-offer", code, code, code, status, LOCAL_OFFER_DUE, done, late, None))

    commissioners: dict[str, tuple[str, str, date | None]] = {}
    rows, col = _rows(folder, "commissioners")
    i_code, i_kind, i_succ, i_from = col("commissioner_code"), col("kind"), col("successor_code"), col("successor_from")
    for row in rows:
        commissioners[row[i_code].strip()] = (row[i_kind].strip(), _cell(row, i_succ), dates[_cell(row, i_from)])

    appeals = _appeals(folder, as_of, dates, bools)
    _appeal_duties(folder, as_of, appeals, commissioners, dates, bools, add)
    _recommendation_duties(folder, as_of, appeals, dates, bools, add)
    _funding(folder, as_of, appeals, dates, add)
    _exceptions(folder, as_of, out, dates)
    out.sort(key=lambda f: (f[0], f[1]))
    return out


def _appeals(folder: Path, as_of: date, dates: _Dates, bools: _Bools) -> dict[str, tuple]:
    """In-scope appeals that exist as of the date: id → (area, case_ref, health, social care,
    closed_on when withdrawn or conceded by then, response due, response sent, hearing)."""
    appeals = {}
    rows, col = _rows(folder, "appeals")
    names = ("appeal_id", "area_code", "case_ref", "decision_type", "decision_date", "registered_on", "health_issue")
    i_id, i_area, i_ref, i_type, i_dd, i_reg, i_h = (col(c) for c in names)
    i_sc, i_due, i_sent, i_hear, i_st, i_closed = (
        col(c)
        for c in ("social_care_issue", "la_response_due_on", "la_response_sent_on", "hearing_on", "status", "closed_on")
    )
    for row in rows:
        registered = dates[row[i_reg]]
        if registered > as_of or row[i_type].strip() not in IN_SCOPE or dates[row[i_dd]] < SCOPE_START:
            continue
        health, social = bools[row[i_h]] is True, bools[row[i_sc]] is True
        if not (health or social):
            continue
        closed = dates[_cell(row, i_closed)]
        if closed is not None and (closed > as_of or row[i_st].strip() not in CLOSING):
            closed = None
        sent = dates[_cell(row, i_sent)]
        sent = sent if sent is not None and sent <= as_of else None
        appeals[row[i_id].strip()] = (
            row[i_area].strip(), row[i_ref].strip(), health, social, closed,
            dates[_cell(row, i_due)], sent, dates[_cell(row, i_hear)],
        )  # fmt: skip
    return appeals


def _closing(closed: date | None, due: date | None, done: date | None, as_of: date, ok_status):
    """A dated appeal duty judged with its appeal's closing: (status, days_late), None = not applicable."""
    if closed is not None and due is not None:
        if due > closed:
            return None
        if done is None:
            return None if due == closed else ("breached", 0)
    return ok_status(due, done, as_of)


def _gap_or_timed(due, done, as_of):
    return ("data_gap", 0) if due is None else _timed(due, done, as_of)


def _appeal_duties(folder, as_of, appeals, commissioners, dates, bools, add) -> None:
    """la-evidence and commissioner-contacted per appeal; commissioner-evidence and
    hearing-attendance per evidence row."""
    contacted: dict[tuple[str, str], date] = {}
    rows, col = _rows(folder, "evidence")
    names = ("appeal_id", "commissioner_code", "la_contacted_on", "evidence_due_on", "evidence_provided_on")
    i_ap, i_code, i_cont, i_due, i_prov = (col(c) for c in names)
    i_req, i_att = col("attendance_required"), col("attended")
    for row in rows:
        appeal = appeals.get(row[i_ap].strip())
        if appeal is None:
            continue
        aid, code = row[i_ap].strip(), row[i_code].strip()
        area, ref, _, _, closed, _, _, hearing = appeal
        when = dates[_cell(row, i_cont)]
        if when is not None and when <= as_of:
            kind = commissioners.get(code, ("",))[0]
            key = (aid, kind)
            if key not in contacted or when < contacted[key]:
                contacted[key] = when
        due = dates[_cell(row, i_due)]
        subject = f"{aid}:{code}"
        if due is not None:
            done = dates[_cell(row, i_prov)]
            done = done if done is not None and done <= as_of else None
            judged = _closing(closed, due, done, as_of, _timed)
            if judged:
                add(("commissioner-evidence", subject, area, code, judged[0], due, done, judged[1], ref))
        if bools[_cell(row, i_req)] is True:
            if hearing is None:
                add(("hearing-attendance", subject, area, code, "pending", None, None, 0, ref))
            elif closed is not None and hearing > closed:
                continue
            elif hearing > as_of:
                status, _ = _timed(hearing, None, as_of)
                add(("hearing-attendance", subject, area, code, status, hearing, None, 0, ref))
            else:
                attended = bools[_cell(row, i_att)]
                status = "met" if attended else "data_gap" if attended is None else "breached"
                add(("hearing-attendance", subject, area, code, status, hearing, hearing if attended else None, 0, ref))
    for aid, (area, ref, health, social, closed, due, sent, _) in appeals.items():
        judged = _closing(closed, due, sent, as_of, _gap_or_timed)
        if judged:
            add(("la-evidence", aid, area, area, judged[0], due, sent, judged[1], ref))
        for kind, raised in (("health", health), ("social_care", social)):
            if raised:
                done = contacted.get((aid, kind))
                judged = _closing(closed, due, done, as_of, _gap_or_timed)
                if judged:
                    add(("commissioner-contacted", f"{aid}:{kind}", area, area, judged[0], due, done, judged[1], ref))


def _recommendation_duties(folder, as_of, appeals, dates, bools, add) -> None:
    """response-5-weeks, response-content and evaluator-return per recommendation."""
    responses: dict[str, list[str]] = {}
    rows, rcol = _rows(folder, "responses")
    i_rid = rcol("recommendation_id")
    for row in rows:
        responses[row[i_rid].strip()] = row
    fields = (
        "sent_to_family_on",
        "sent_to_la_on",
        "outcome",
        "steps_given",
        "reasons_given",
        "exception",
        "sent_to_evaluators_on",
    )
    i_fam, i_la, i_out, i_steps, i_reasons, i_exc, i_eval = (rcol(c) for c in fields)
    empty: list[str] = []
    rows, col = _rows(folder, "recommendations")
    i_id, i_ap, i_code, i_kind, i_made = (
        col(c) for c in ("recommendation_id", "appeal_id", "commissioner_code", "kind", "made_on")
    )
    for row in rows:
        appeal = appeals.get(row[i_ap].strip())
        if appeal is None:
            continue
        made = dates[row[i_made]]
        if made > as_of:
            continue
        rid, owner, health = row[i_id].strip(), row[i_code].strip(), row[i_kind].strip() == "health"
        area, ref = appeal[0], appeal[1]
        resp = responses.get(rid, empty)
        family = dates[_cell(resp, i_fam)]
        family = family if family is not None and family <= as_of else None
        la = dates[_cell(resp, i_la)] if health else None
        la = la if la is not None and la <= as_of else None
        due = made + timedelta(RESPONSE_DAYS)
        done = (max(family, la) if family and la else None) if health else family
        status, late = _timed(due, done, as_of)
        if status == "late" and _cell(resp, i_exc).lower() == "covid_2020" and COVID[0] <= due <= COVID[1]:
            status, late = "exception", 0
        add(("response-5-weeks", rid, area, owner, status, due, done, late, ref))
        sent = [d for d in (family, la) if d is not None]
        if sent:
            first = min(sent)
            steps, reasons = bools[_cell(resp, i_steps)], bools[_cell(resp, i_reasons)]
            outcome = _cell(resp, i_out).lower()
            needs = outcome in ("declined", "partly_accepted")
            if steps is False or (needs and reasons is False):
                status = "breached"
            elif steps is None or not outcome or (needs and reasons is None):
                status = "data_gap"
            else:
                status = "met"
            add(("response-content", rid, area, owner, status, first, first, 0, ref))
        received = la if health else family
        if received is not None and SCOPE_START <= received <= TRIAL_END:
            due = received + timedelta(RETURN_DAYS)
            done = dates[_cell(resp, i_eval)]
            done = done if done is not None and done <= as_of else None
            status, late = _timed(due, done, as_of)
            add(("evaluator-return", rid, area, area, status, due, done, late, ref))


def _funding(folder, as_of, appeals, dates, add) -> None:
    """funding-cap per in-scope appeal with claims dated within the trial."""
    totals: dict[str, list] = {}
    rows, col = _rows(folder, "funding_claims")
    i_ap, i_cat, i_amt, i_on = (col(c) for c in ("appeal_id", "category", "amount_gbp", "claimed_on"))
    for row in rows:
        aid = row[i_ap].strip()
        if aid not in appeals:
            continue
        on = dates[row[i_on]]
        if on > as_of or on < SCOPE_START or on > TRIAL_END:
            continue
        entry = totals.setdefault(aid, [Decimal(0), False])
        entry[0] += Decimal(row[i_amt].strip().replace("£", "").replace(",", ""))
        entry[1] = entry[1] or row[i_cat].strip() == "legal"
    for aid, (total, legal) in totals.items():
        area, ref = appeals[aid][0], appeals[aid][1]
        status = "breached" if legal or total > FUNDING_CAP else "met"
        add(("funding-cap", aid, area, area, status, None, None, 0, ref))


def _exceptions(folder, as_of, out: list, dates) -> None:
    """Recorded exceptions in force turn late, overdue and breached findings into `exception`."""
    active = set()
    rows, col = _rows(folder, "exceptions")
    i_duty, i_subject, i_from, i_to = (col(c) for c in ("duty", "subject_id", "granted_on", "expires_on"))
    for row in rows:
        if dates[row[i_from]] <= as_of <= dates[row[i_to]]:
            active.add((row[i_duty].strip(), row[i_subject].strip()))
    if not active:
        return
    for n, f in enumerate(out):
        if f[4] in ("late", "overdue", "breached") and (f[0], f[1]) in active:
            out[n] = (*f[:4], "exception", f[5], f[6], 0, f[8])


def acts_now(folder: Path, as_of: date, findings: list[Finding]) -> list[str]:
    """The body that acts for each finding's owner on the date, successors followed."""
    dates = _Dates()
    chains: dict[str, tuple[str, date | None]] = {}
    for name, code in (("areas", "area_code"), ("commissioners", "commissioner_code")):
        rows, col = _rows(folder, name)
        i_code, i_succ, i_from = col(code), col("successor_code"), col("successor_from")
        for row in rows:
            chains[row[i_code].strip()] = (_cell(row, i_succ), dates[_cell(row, i_from)])

    def follow(owner: str) -> str:
        seen = {owner}
        while True:
            successor, since = chains.get(owner, ("", None))
            if not successor or since is None or since > as_of or successor in seen or successor not in chains:
                return owner
            seen.add(successor)
            owner = successor

    return [follow(f[3]) for f in findings]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (2, 3):
        print("usage: python -m benchmarks.evaluator FOLDER AS_OF [--count]", file=sys.stderr)
        return 2
    as_of = date.fromisoformat(args[1])
    findings = evaluate(Path(args[0]), as_of)
    if args[2:] == ["--count"]:
        print(len(findings))
        return 0
    keys = ("duty", "subject", "area", "owner", "status", "due_on", "done_on", "days_late", "case_ref")
    rows = [{k: (v.isoformat() if isinstance(v, date) else v) for k, v in zip(keys, f, strict=True)} for f in findings]
    print(json.dumps({"as_of": as_of.isoformat(), "findings": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
