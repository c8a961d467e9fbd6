"""Self-check for generated records folders (stdlib only).

    python sample_data/coverage.py [FOLDER] [--as-of 2020-06-30] [--no-require]

1. Validates FOLDER against spec/records.md (columns, required values, value
   formats, enums, unique ids, references, closed_on rule, recommendation kind).
2. Computes every duty's status per spec/duties.md as of the date - a small,
   direct, independent reading of the spec, NOT the monitor's implementation -
   and prints a duty x status count table.
3. For the demo (default FOLDER = sample_data/demo, as of DEMO_AS_OF) it also
   checks that every (duty, status) reachable on that date occurs, and that each
   constructed case listed in EXPECTED gets the status the README promises.
Exit status 1 on any problem.
"""
from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sample_data.generate import COLUMNS, DEMO_AS_OF, DUTIES  # noqa: E402

REQUIRED = {
    "areas.csv": ["area_code", "name"],
    "commissioners.csv": ["commissioner_code", "name", "kind"],
    "decisions.csv": ["decision_id", "area_code", "case_ref", "decision_type", "decision_date"],
    "appeals.csv": ["appeal_id", "area_code", "case_ref", "decision_type", "decision_date",
                    "registered_on", "health_issue", "social_care_issue", "status"],
    "evidence.csv": ["appeal_id", "commissioner_code"],
    "recommendations.csv": ["recommendation_id", "appeal_id", "commissioner_code", "kind",
                            "made_on"],
    "responses.csv": ["recommendation_id"],
    "funding_claims.csv": ["claim_id", "appeal_id", "claimant_code", "category",
                           "amount_gbp", "claimed_on"],
    "exceptions.csv": ["exception_id", "duty", "subject_id", "granted_by", "justification",
                       "granted_on", "expires_on"],
}
DATE_COLS = {"rights_published_on", "decision_date", "registered_on", "la_response_due_on",
             "la_response_sent_on", "hearing_on", "closed_on", "la_contacted_on",
             "evidence_due_on", "evidence_provided_on", "made_on", "sent_to_family_on",
             "sent_to_la_on", "sent_to_evaluators_on", "claimed_on", "granted_on",
             "expires_on"}
BOOL_COLS = {"rights_notice", "health_issue", "social_care_issue", "attendance_required",
             "attended", "steps_given", "reasons_given"}
ENUMS = {
    "decision_type": {"refuse_assessment", "refuse_plan", "plan_issued", "plan_amended",
                      "refuse_reassessment", "refuse_amendment", "cease_plan"},
    "kind": {"health", "social_care"},
    "status": {"open", "withdrawn", "conceded", "decided"},
    "outcome": {"accepted", "partly_accepted", "declined"},
    "category": {"evidence", "hearing", "response", "legal", "other"},
    "exception": {"covid_2020"},
    "plan_section": {"C", "D", "G", "H1", "H2"},
}
KEYS = {"areas.csv": ("area_code",), "commissioners.csv": ("commissioner_code",),
        "decisions.csv": ("decision_id",), "appeals.csv": ("appeal_id",),
        "evidence.csv": ("appeal_id", "commissioner_code"),
        "recommendations.csv": ("recommendation_id",), "responses.csv": ("recommendation_id",),
        "funding_claims.csv": ("claim_id",), "exceptions.csv": ("exception_id",)}
TRUE = {"true", "yes", "y", "1"}
FALSE = {"false", "no", "n", "0"}
ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
MONEY = re.compile(r"^£?(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?$")

SCOPE_START, TRIAL_END = date(2018, 4, 3), date(2021, 8, 31)
LOCAL_OFFER_DUE = date(2018, 4, 3)
COVID = (date(2020, 5, 1), date(2020, 9, 25))
CAP = Decimal("4000")
IN_SCOPE_TYPES = ENUMS["decision_type"] - {"refuse_assessment"}


def pdate(v: str) -> date | None:
    v = v.strip()
    if not v:
        return None
    m = ISO.match(v)
    if m:
        return date(int(m[1]), int(m[2]), int(m[3]))
    m = UK.match(v)
    if m:
        return date(int(m[3]), int(m[2]), int(m[1]))
    raise ValueError("bad date")


def pbool(v: str) -> bool | None:
    v = v.strip().lower()
    if not v:
        return None
    if v in TRUE:
        return True
    if v in FALSE:
        return False
    raise ValueError("bad boolean")


def pmoney(v: str) -> Decimal:
    v = v.strip()
    if not MONEY.match(v):
        raise ValueError("bad money")
    return Decimal(v.lstrip("£").replace(",", ""))


def load(folder: Path, problems: list[str]) -> dict[str, list[dict]]:
    data: dict[str, list[dict]] = {}
    for p in folder.glob("*.csv"):
        if p.name not in COLUMNS:
            problems.append(f"{p.name}: unexpected csv file")
    for name, cols in COLUMNS.items():
        p = folder / name
        rows: list[dict] = []
        data[name] = rows
        if not p.exists():
            continue
        with open(p, newline="", encoding="utf-8-sig") as f:
            rd = csv.reader(f)
            header = [h.strip().lower() for h in next(rd)]
            for h in header:
                if h not in cols:
                    problems.append(f"{name}: unknown column {h}")
            for req in REQUIRED[name]:
                if req not in header:
                    problems.append(f"{name}: missing column {req}")
            keys = set()
            for n, raw in enumerate(rd, start=2):
                row = {h: v.strip() for h, v in zip(header, raw)}
                if len(raw) != len(header):
                    problems.append(f"{name}:{n}: {len(raw)} cells")
                for req in REQUIRED[name]:
                    if not row.get(req):
                        problems.append(f"{name}:{n}:{req}: required value blank")
                parsed = dict(row)
                for h, v in row.items():
                    try:
                        if h in DATE_COLS:
                            parsed[h] = pdate(v)
                        elif h in BOOL_COLS:
                            parsed[h] = pbool(v)
                        elif h == "amount_gbp":
                            parsed[h] = pmoney(v) if v else None
                        elif h in ENUMS and v and v not in ENUMS[h]:
                            raise ValueError("not an allowed value")
                    except ValueError as e:
                        problems.append(f"{name}:{n}:{h}: {v!r}: {e}")
                        parsed[h] = None
                key = tuple(row.get(k) for k in KEYS[name])
                if key in keys:
                    problems.append(f"{name}:{n}: duplicate id {key}")
                keys.add(key)
                parsed["_row"] = n
                rows.append(parsed)
    return data


def check_refs(d: dict[str, list[dict]], problems: list[str]) -> None:
    areas = {r["area_code"] for r in d["areas.csv"]}
    comm = {r["commissioner_code"]: r["kind"] for r in d["commissioners.csv"]}
    appeals = {r["appeal_id"] for r in d["appeals.csv"]}
    recs = {r["recommendation_id"] for r in d["recommendations.csv"]}
    for f in ("decisions.csv", "appeals.csv"):
        for r in d[f]:
            if r["area_code"] not in areas:
                problems.append(f"{f}:{r['_row']}: unknown area {r['area_code']}")
    for r in d["appeals.csv"]:
        if (r["status"] == "open") != (r.get("closed_on") is None):
            problems.append(f"appeals.csv:{r['_row']}: closed_on vs status {r['status']}")
    for r in d["evidence.csv"]:
        if r["appeal_id"] not in appeals or r["commissioner_code"] not in comm:
            problems.append(f"evidence.csv:{r['_row']}: bad reference")
    for r in d["recommendations.csv"]:
        if r["appeal_id"] not in appeals or r["commissioner_code"] not in comm:
            problems.append(f"recommendations.csv:{r['_row']}: bad reference")
        elif comm[r["commissioner_code"]] != r["kind"]:
            problems.append(f"recommendations.csv:{r['_row']}: kind differs from commissioner")
    for r in d["responses.csv"]:
        if r["recommendation_id"] not in recs:
            problems.append(f"responses.csv:{r['_row']}: unknown recommendation")
    for r in d["funding_claims.csv"]:
        if r["appeal_id"] not in appeals:
            problems.append(f"funding_claims.csv:{r['_row']}: unknown appeal")
        if r["claimant_code"] not in areas and r["claimant_code"] not in comm:
            problems.append(f"funding_claims.csv:{r['_row']}: unknown claimant")
    for r in d["exceptions.csv"]:
        if r["duty"] not in DUTIES:
            problems.append(f"exceptions.csv:{r['_row']}: unknown duty {r['duty']}")
        if r["granted_on"] and r["expires_on"] and r["granted_on"] > r["expires_on"]:
            problems.append(f"exceptions.csv:{r['_row']}: expires before granted")


# ------------------------------------------------------------------ duties
def dated(due: date | None, done: date | None, asof: date, blank_due_gap: bool = True):
    """(status, due, done, days_late) for a dated duty, before exceptions."""
    if done is not None and done > asof:
        done = None
    if due is None:
        return ("data_gap" if blank_due_gap else "pending"), None, done, 0
    if done is not None:
        return ("met", due, done, 0) if done <= due else ("late", due, done, (done - due).days)
    if due < asof:
        return "overdue", due, None, (asof - due).days
    if (due - asof).days <= 7:
        return "due_soon", due, None, 0
    return "pending", due, None, 0


def evaluate(d: dict[str, list[dict]], asof: date) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    exc = defaultdict(list)
    for e in d["exceptions.csv"]:
        exc[(e["duty"], e["subject_id"])].append(e)

    def put(duty, subject, status):
        if status in ("late", "overdue", "breached"):
            for e in exc.get((duty, subject), []):
                if e["granted_on"] and e["expires_on"] and e["granted_on"] <= asof <= e["expires_on"]:
                    status = "exception"
        out[(duty, subject)] = status

    for r in d["decisions.csv"]:
        if r["decision_date"] is None or r["decision_date"] > asof:
            continue
        if r["decision_type"] not in IN_SCOPE_TYPES or r["decision_date"] < SCOPE_START:
            out[("rights-notice", r["decision_id"])] = "not_applicable"
            continue
        rn = r.get("rights_notice")
        put("rights-notice", r["decision_id"],
            "met" if rn is True else "breached" if rn is False else "data_gap")
    for r in d["areas.csv"]:
        put("local-offer", r["area_code"],
            dated(LOCAL_OFFER_DUE, r.get("rights_published_on"), asof)[0])

    comm_kind = {r["commissioner_code"]: r["kind"] for r in d["commissioners.csv"]}
    appeals = {}
    for a in d["appeals.csv"]:
        if a["registered_on"] is None or a["registered_on"] > asof:
            continue
        a["in_scope"] = (a["decision_type"] in IN_SCOPE_TYPES and a["decision_date"] is not None
                         and a["decision_date"] >= SCOPE_START
                         and bool(a["health_issue"] or a["social_care_issue"]))
        appeals[a["appeal_id"]] = a
    ev_by = defaultdict(list)
    for e in d["evidence.csv"]:
        ev_by[e["appeal_id"]].append(e)

    def removed(a, due):
        c = a.get("closed_on")
        return (a["status"] in ("withdrawn", "conceded") and c is not None and c <= asof
                and due is not None and due > c)

    for aid, a in appeals.items():
        if not a["in_scope"]:
            out[("la-evidence", aid)] = "not_applicable"
            continue
        due = a.get("la_response_due_on")
        for kind, flag in (("health", a["health_issue"]), ("social_care", a["social_care_issue"])):
            if not flag:
                continue
            subj = f"{aid}:{kind}"
            if removed(a, due):
                out[("commissioner-contacted", subj)] = "not_applicable"
                continue
            dones = [e["la_contacted_on"] for e in ev_by[aid]
                     if comm_kind.get(e["commissioner_code"]) == kind
                     and e.get("la_contacted_on") is not None and e["la_contacted_on"] <= asof]
            put("commissioner-contacted", subj, dated(due, min(dones) if dones else None, asof)[0])
        if removed(a, due):
            out[("la-evidence", aid)] = "not_applicable"
        else:
            put("la-evidence", aid, dated(due, a.get("la_response_sent_on"), asof)[0])
        for e in ev_by[aid]:
            subj = f"{aid}:{e['commissioner_code']}"
            edue = e.get("evidence_due_on")
            if edue is not None:
                if removed(a, edue):
                    out[("commissioner-evidence", subj)] = "not_applicable"
                else:
                    put("commissioner-evidence", subj,
                        dated(edue, e.get("evidence_provided_on"), asof)[0])
            if e.get("attendance_required") is True:
                h = a.get("hearing_on")
                if removed(a, h):
                    out[("hearing-attendance", subj)] = "not_applicable"
                elif h is None:
                    put("hearing-attendance", subj, "pending")
                elif h > asof:
                    put("hearing-attendance", subj, dated(h, None, asof)[0])
                else:
                    att = e.get("attended")
                    put("hearing-attendance", subj,
                        "met" if att is True else "breached" if att is False else "data_gap")

    resp = {r["recommendation_id"]: r for r in d["responses.csv"]}
    for rec in d["recommendations.csv"]:
        rid, made = rec["recommendation_id"], rec["made_on"]
        a = appeals.get(rec["appeal_id"])
        if made is None or made > asof:
            continue
        if a is None or not a["in_scope"]:
            for duty in ("response-5-weeks", "response-content", "evaluator-return"):
                out[(duty, rid)] = "not_applicable"
            continue
        r = resp.get(rid, {})
        fam = r.get("sent_to_family_on")
        la = r.get("sent_to_la_on") if rec["kind"] == "health" else None
        fam = fam if fam is not None and fam <= asof else None
        la = la if la is not None and la <= asof else None
        due = made + timedelta(34)
        if rec["kind"] == "health":
            done = max(fam, la) if fam and la else None
        else:
            done = fam
        st = dated(due, done, asof)[0]
        if st == "late" and r.get("exception") == "covid_2020" and COVID[0] <= due <= COVID[1]:
            out[("response-5-weeks", rid)] = "exception"
        else:
            put("response-5-weeks", rid, st)
        sent = [x for x in (fam, la) if x is not None]
        if sent:
            steps, reasons, outcome = r.get("steps_given"), r.get("reasons_given"), r.get("outcome")
            need = outcome in ("declined", "partly_accepted")
            if steps is False or (need and reasons is False):
                st = "breached"
            elif steps is None or not outcome or (need and reasons is None):
                st = "data_gap"
            else:
                st = "met"
            put("response-content", rid, st)
        received = la if rec["kind"] == "health" else fam
        if received is not None and SCOPE_START <= received <= TRIAL_END:
            put("evaluator-return", rid,
                dated(received + timedelta(6), r.get("sent_to_evaluators_on"), asof)[0])

    claims = defaultdict(list)
    for c in d["funding_claims.csv"]:
        if c["claimed_on"] and SCOPE_START <= c["claimed_on"] <= TRIAL_END and c["claimed_on"] <= asof:
            claims[c["appeal_id"]].append(c)
    for aid, cs in claims.items():
        a = appeals.get(aid)
        if a is None or not a["in_scope"]:
            out[("funding-cap", aid)] = "not_applicable"
            continue
        total = sum(c["amount_gbp"] for c in cs)
        put("funding-cap", aid,
            "breached" if total > CAP or any(c["category"] == "legal" for c in cs) else "met")
    return out


# Statuses reachable as of DEMO_AS_OF (see README for why the others are not).
REACHABLE = {
    "rights-notice": {"met", "breached", "data_gap", "exception", "not_applicable"},
    "local-offer": {"met", "late", "overdue"},
    "commissioner-contacted": {"met", "late", "overdue", "due_soon", "pending", "data_gap",
                               "exception", "not_applicable"},
    "la-evidence": {"met", "late", "overdue", "due_soon", "pending", "data_gap", "exception",
                    "not_applicable"},
    "commissioner-evidence": {"met", "late", "overdue", "due_soon", "pending", "exception",
                              "not_applicable"},
    "hearing-attendance": {"met", "breached", "due_soon", "pending", "data_gap", "exception",
                           "not_applicable"},
    "response-5-weeks": {"met", "late", "overdue", "due_soon", "pending", "exception",
                         "not_applicable"},
    "response-content": {"met", "breached", "data_gap", "exception", "not_applicable"},
    "evaluator-return": {"met", "late", "overdue", "due_soon", "exception", "not_applicable"},
    "funding-cap": {"met", "breached", "exception", "not_applicable"},
}

# The constructed cases and the status each must have as of DEMO_AS_OF.
EXPECTED = {
    ("local-offer", "850"): "met",
    ("local-offer", "851"): "late",
    ("local-offer", "852"): "overdue",
    ("rights-notice", "D850-DEMO-RN1"): "met",
    ("rights-notice", "D850-DEMO-RN2"): "breached",
    ("rights-notice", "D850-DEMO-RN3"): "data_gap",
    ("rights-notice", "D850-DEMO-RN4"): "exception",
    ("rights-notice", "D850-DEMO-RN5"): "not_applicable",
    ("rights-notice", "D850-DEMO-RN6"): "not_applicable",
    ("rights-notice", "D850-DEMO-RN7"): "met",
    ("commissioner-contacted", "EH850-18-90001:health"): "met",
    ("commissioner-contacted", "EH850-18-90002:health"): "late",
    ("commissioner-contacted", "EH851-19-90003:social_care"): "overdue",
    ("commissioner-contacted", "EH850-20-90004:health"): "due_soon",
    ("commissioner-contacted", "EH850-20-90004:social_care"): "due_soon",
    ("commissioner-contacted", "EH851-20-90005:health"): "met",
    ("commissioner-contacted", "EH851-20-90005:social_care"): "pending",
    ("commissioner-contacted", "EH852-19-90006:health"): "data_gap",
    ("commissioner-contacted", "EH851-19-90008:health"): "data_gap",
    ("commissioner-contacted", "EH852-19-90012:health"): "exception",
    ("commissioner-contacted", "EH850-19-90007:health"): "not_applicable",
    ("commissioner-contacted", "EH850-20-90016:health"): "not_applicable",
    ("la-evidence", "EH850-18-90001"): "met",
    ("la-evidence", "EH850-18-90002"): "late",
    ("la-evidence", "EH852-20-90015"): "overdue",
    ("la-evidence", "EH850-20-90004"): "due_soon",
    ("la-evidence", "EH851-20-90005"): "pending",
    ("la-evidence", "EH852-19-90006"): "data_gap",
    ("la-evidence", "EH851-19-90008"): "data_gap",
    ("la-evidence", "EH852-19-90012"): "exception",
    ("la-evidence", "EH850-19-90007"): "not_applicable",
    ("la-evidence", "EH850-19-90009"): "not_applicable",
    ("la-evidence", "EH852-18-90010"): "not_applicable",
    ("la-evidence", "EH851-19-90011"): "not_applicable",
    ("la-evidence", "EH851-20-90014"): "met",
    ("commissioner-evidence", "EH850-18-90001:QRL"): "met",
    ("commissioner-evidence", "EH850-18-90002:QRL"): "late",
    ("commissioner-evidence", "EH852-19-90006:QSL"): "overdue",
    ("commissioner-evidence", "EH850-19-90007:850-SC"): "overdue",
    ("commissioner-evidence", "EH850-20-90016:QRL"): "overdue",
    ("commissioner-evidence", "EH850-20-90004:QRL"): "due_soon",
    ("commissioner-evidence", "EH850-20-90004:850-SC"): "pending",
    ("commissioner-evidence", "EH852-19-90012:QSL"): "exception",
    ("commissioner-evidence", "EH852-19-90012:852-SC"): "late",
    ("commissioner-evidence", "EH850-19-90007:QRL"): "not_applicable",
    ("commissioner-evidence", "EH851-19-90008:QRL"): "not_applicable",
    ("commissioner-evidence", "EH852-20-90015:852-SC"): "met",
    ("hearing-attendance", "EH850-18-90001:QRL"): "met",
    ("hearing-attendance", "EH850-18-90002:QRL"): "breached",
    ("hearing-attendance", "EH852-20-90015:852-SC"): "due_soon",
    ("hearing-attendance", "EH850-20-90004:QRL"): "pending",
    ("hearing-attendance", "EH850-20-90004:850-SC"): "pending",
    ("hearing-attendance", "EH851-20-90005:QRL"): "pending",
    ("hearing-attendance", "EH850-20-90016:QRL"): "pending",
    ("hearing-attendance", "EH852-19-90006:QSL"): "data_gap",
    ("hearing-attendance", "EH852-19-90012:QSL"): "exception",
    ("hearing-attendance", "EH850-19-90007:QRL"): "not_applicable",
    ("hearing-attendance", "EH851-20-90014:QRL"): "met",
    ("response-5-weeks", "REC-90001-1"): "met",
    ("response-5-weeks", "REC-90001-2"): "late",
    ("response-5-weeks", "REC-90002-1"): "late",
    ("response-5-weeks", "REC-90006-1"): "overdue",
    ("response-5-weeks", "REC-90006-2"): "overdue",
    ("response-5-weeks", "REC-90012-2"): "overdue",
    ("response-5-weeks", "REC-90013-1"): "met",
    ("response-5-weeks", "REC-90013-2"): "due_soon",
    ("response-5-weeks", "REC-90014-1"): "pending",
    ("response-5-weeks", "REC-90014-2"): "pending",
    ("response-5-weeks", "REC-90003-1"): "exception",
    ("response-5-weeks", "REC-90003-2"): "exception",
    ("response-5-weeks", "REC-90012-1"): "exception",
    ("response-5-weeks", "REC-90010-1"): "not_applicable",
    ("response-content", "REC-90001-1"): "met",
    ("response-content", "REC-90001-2"): "met",
    ("response-content", "REC-90002-1"): "breached",
    ("response-content", "REC-90006-1"): "breached",
    ("response-content", "REC-90003-2"): "data_gap",
    ("response-content", "REC-90012-1"): "exception",
    ("evaluator-return", "REC-90001-1"): "met",
    ("evaluator-return", "REC-90003-1"): "met",
    ("evaluator-return", "REC-90001-2"): "late",
    ("evaluator-return", "REC-90002-1"): "overdue",
    ("evaluator-return", "REC-90003-2"): "overdue",
    ("evaluator-return", "REC-90013-1"): "due_soon",
    ("evaluator-return", "REC-90012-1"): "exception",
    ("funding-cap", "EH850-18-90001"): "met",
    ("funding-cap", "EH850-20-90004"): "met",
    ("funding-cap", "EH850-18-90002"): "breached",
    ("funding-cap", "EH851-19-90003"): "breached",
    ("funding-cap", "EH850-19-90007"): "exception",
    ("funding-cap", "EH850-19-90009"): "not_applicable",
}
# subjects that must have no finding at all (absent = not applicable / does not exist)
ABSENT = [("rights-notice", "D850-DEMO-RN8"), ("response-content", "REC-90014-2"),
          ("response-content", "REC-90006-2"), ("response-content", "REC-90012-2"),
          ("evaluator-return", "REC-90006-1"), ("evaluator-return", "REC-90010-1"),
          ("funding-cap", "EH852-19-90012"), ("commissioner-evidence", "EH851-20-90005:QRL")]


def main(argv=None) -> int:
    here = Path(__file__).resolve().parent
    p = argparse.ArgumentParser()
    p.add_argument("folder", nargs="?", type=Path, default=here / "demo")
    p.add_argument("--as-of", default=DEMO_AS_OF)
    p.add_argument("--no-require", action="store_true",
                   help="only validate and print the table (for non-demo folders)")
    a = p.parse_args(argv)
    asof = date.fromisoformat(a.as_of)
    problems: list[str] = []
    data = load(a.folder, problems)
    check_refs(data, problems)
    res = evaluate(data, asof)
    table = Counter((duty, st) for (duty, _), st in res.items())
    statuses = ["met", "late", "overdue", "breached", "due_soon", "pending", "exception",
                "data_gap", "not_applicable"]
    print(f"{'as of ' + a.as_of:24}" + "".join(f"{s[:8]:>9}" for s in statuses))
    for duty in DUTIES:
        print(f"{duty:24}" + "".join(f"{table[(duty, s)]:>9}" for s in statuses))
    if not a.no_require:
        for duty, sts in REACHABLE.items():
            for s in sts:
                if not table[(duty, s)]:
                    problems.append(f"coverage: no {duty} finding is {s}")
        for key, want in EXPECTED.items():
            if res.get(key, "not_applicable") != want:
                problems.append(f"expected {key} {want}, got {res.get(key)}")
        for key in ABSENT:
            if res.get(key, "not_applicable") != "not_applicable":
                problems.append(f"expected no finding for {key}, got {res[key]}")
    for pr in problems[:50]:
        print("PROBLEM", pr)
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
