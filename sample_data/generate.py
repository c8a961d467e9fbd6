"""Generate a records folder in the records standard (spec/records.md).

Stdlib only, seeded and reproducible: the same arguments always give byte-identical
files.  Usage::

    python sample_data/generate.py OUT_DIR [--seed 2018] [--areas 3] [--years 3]
                                           [--scale 1.0] [--demo]

or, from Python (repo root on sys.path)::

    from sample_data.generate import generate
    counts = generate(Path("/tmp/records"), seed=2018, areas=150, years=4)

``--areas 150 --years 4 --scale 1.0`` gives about 1,000,000 decision letters and
about 40,000 appeals.  ``--demo`` (or ``generate(..., demo=True)``) appends the
deliberately constructed cases of the committed demo set (``sample_data/demo``,
checked as of ``DEMO_AS_OF``); it needs at least 3 areas.  The committed demo is::

    python sample_data/generate.py sample_data/demo --seed 2018 --areas 3 \
        --years 3 --scale 0.04 --demo
"""
from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

if not __package__:  # run as a script (python sample_data/generate.py): the checkout's root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sample_data.documents import write_documents  # noqa: E402

DEMO_AS_OF = "2020-06-30"
DEMO_SEED = 2018
DEMO_AREAS = 3
DEMO_YEARS = 3
DEMO_SCALE = 0.04

#: decision letters per area per year at scale 1.0 (150 areas x 4 years ~ 1,000,000)
DECISIONS_PER_AREA_YEAR = 1667
P_APPEAL = 0.04          # share of decision letters that are appealed
P_EXTENDED = 0.20        # share of appeals raising health and/or social care issues
ICBS_PER_AREA = 42 / 150

COLUMNS = {
    "areas.csv": ["area_code", "name", "region", "send_team_email", "rights_published_on"],
    "commissioners.csv": ["commissioner_code", "name", "kind", "contact_email"],
    "decisions.csv": ["decision_id", "area_code", "case_ref", "decision_type",
                      "decision_date", "rights_notice"],
    "appeals.csv": ["appeal_id", "area_code", "case_ref", "decision_type", "decision_date",
                    "registered_on", "health_issue", "social_care_issue",
                    "la_response_due_on", "la_response_sent_on", "hearing_on", "status",
                    "closed_on"],
    "evidence.csv": ["appeal_id", "commissioner_code", "la_contacted_on", "evidence_due_on",
                     "evidence_provided_on", "attendance_required", "attended"],
    "recommendations.csv": ["recommendation_id", "appeal_id", "commissioner_code", "kind",
                            "made_on", "plan_section"],
    "responses.csv": ["recommendation_id", "sent_to_family_on", "sent_to_la_on", "outcome",
                      "steps_given", "reasons_given", "exception", "sent_to_evaluators_on"],
    "funding_claims.csv": ["claim_id", "appeal_id", "claimant_code", "category",
                           "amount_gbp", "claimed_on"],
    "exceptions.csv": ["exception_id", "duty", "subject_id", "granted_by", "justification",
                       "granted_on", "expires_on"],
}

DUTIES = ["rights-notice", "local-offer", "commissioner-contacted", "la-evidence",
          "commissioner-evidence", "hearing-attendance", "response-5-weeks",
          "response-content", "evaluator-return", "funding-cap"]

# 42 ICB-style codes (QRL and QSL first: the demo's two ICBs).
ICB_CODES = ["QRL", "QSL", "QU9", "QKS", "QNQ", "QT1", "QOX", "QHG", "QE1", "QF7",
             "QGH", "QHL", "QHM", "QH8", "QJ2", "QJG", "QJK", "QJM", "QK1", "QKK",
             "QM7", "QMF", "QMJ", "QNC", "QNX", "QOC", "QOP", "QOQ", "QPM", "QR1",
             "QRV", "QT6", "QUA", "QUE", "QUY", "QVV", "QWE", "QWO", "QWU", "QXU",
             "QYG", "QMM"]
ICB_PLACES = ["Example", "Northshire", "Southvale", "Eastmoor", "Westbrook", "Midfield",
              "Lakeside", "Hillcrest", "Riverside", "Coastal", "Forest", "Downs",
              "Marsh", "Valley", "Heath", "Fen", "Dale", "Wold", "Ridge", "Bay",
              "Moorland", "Estuary", "Borders", "Peaks", "Plains", "Combe", "Weald",
              "Chase", "Glen", "Haven", "Mere", "Brook", "Ford", "Wick", "Stow",
              "Holm", "Thorpe", "Burn", "Carr", "Ness", "Scar", "Tor"]
REGIONS = ["South East", "London", "East of England", "South West", "West Midlands",
           "East Midlands", "Yorkshire and the Humber", "North West", "North East"]

# decision type mix (percent)
DECISION_MIX = [("plan_issued", 30), ("plan_amended", 27), ("refuse_assessment", 16),
                ("refuse_plan", 6), ("refuse_reassessment", 4), ("refuse_amendment", 9),
                ("cease_plan", 8)]

BASE = date(2017, 1, 1)
SCOPE_START = date(2018, 4, 3)
TRIAL_END = date(2021, 8, 31)
COVID_START, COVID_END = date(2020, 5, 1), date(2020, 9, 25)
FIRST_DAY = date(2018, 1, 1)

BOOL_STYLES = [("true", "false"), ("yes", "no"), ("Y", "N"), ("1", "0"), ("TRUE", "FALSE"),
               ("Yes", "No"), ("y", "n"), ("True", "False")]


def _o(d: date) -> int:
    return (d - BASE).days


def area_code(i: int) -> str:
    """850, 851, ... 999, then 100, 101, ... (three digits, up to 900 areas)."""
    return str(100 + (750 + i) % 900)


def icb_code(j: int) -> str:
    if j < len(ICB_CODES):
        return ICB_CODES[j]
    letters = "ABCDEFGHJKLMNPRSTUVWXY"
    k = j - len(ICB_CODES)
    return "Q" + letters[(k // 10) % len(letters)] + str(k % 10)


class _Fmt:
    """Pre-computed value spellings (ISO / UK dates, booleans, money)."""

    def __init__(self, rnd: random.Random, last: date):
        n = (last - BASE).days + 1
        days = [BASE + timedelta(k) for k in range(n)]
        self.iso = [d.isoformat() for d in days]
        self.uk1 = [f"{d.day}/{d.month}/{d.year}" for d in days]
        self.uk2 = [f"{d.day:02d}/{d.month:02d}/{d.year}" for d in days]
        self.rnd = rnd
        self.r = rnd.random

    def d(self, off: int | None) -> str:
        """A date cell: ISO mostly, D/M/YYYY about 3% of the time."""
        if off is None:
            return ""
        x = self.r()
        if x < 0.97:
            return self.iso[off]
        return self.uk1[off] if x < 0.985 else self.uk2[off]

    def b(self, value: bool | None, style: tuple[str, str]) -> str:
        if value is None:
            return ""
        if self.r() < 0.04:
            style = BOOL_STYLES[int(self.r() * len(BOOL_STYLES))]
        return style[0] if value else style[1]

    def money(self, pence: int) -> str:
        pounds, p = divmod(pence, 100)
        x = self.r()
        if x < 0.06:
            return f"£{pounds:,}.{p:02d}"
        if x < 0.09:
            return f"{pounds:,}.{p:02d}"
        if x < 0.15 and p == 0:
            return str(pounds)
        return f"{pounds}.{p:02d}"


def _write(out_dir: Path, name: str, rows) -> int:
    with open(out_dir / name, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS[name])
        n = 0
        for chunk in rows:
            w.writerows(chunk)
            n += len(chunk)
    return n


def generate(out_dir: Path, seed: int = 2018, areas: int = 3, years: int = 3,
             scale: float = 1.0, demo: bool = False, appeals: float = 1.0) -> dict[str, int]:
    """Write the nine CSV files into out_dir; return row counts per file name.

    `appeals` multiplies the share of decision letters that are appealed (and so everything
    that follows from an appeal), leaving the letters as they are: 2.6 gives today's volume,
    about 25,000 appeals a year nationally."""
    out_dir = Path(out_dir)
    if not 1 <= areas <= 900:
        raise ValueError("areas must be between 1 and 900")
    if years < 1:
        raise ValueError("years must be at least 1")
    if scale < 0:
        raise ValueError("scale must be non-negative")
    if not 0 <= appeals * P_APPEAL <= 1:
        raise ValueError(f"appeals must be between 0 and {1 / P_APPEAL:g}")
    p_appeal = appeals * P_APPEAL
    if demo and areas < 3:
        raise ValueError("--demo needs at least 3 areas")
    out_dir.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(seed)
    r = rnd.random
    ri = rnd.randint
    end = date(FIRST_DAY.year + years, 1, 1)       # exclusive end of decisions
    export = _o(end) - 1                             # records reflect this day
    fmt = _Fmt(rnd, date(end.year + 2, 12, 31))
    D = fmt.d
    scope0, trial_end = _o(SCOPE_START), _o(TRIAL_END)
    cov0, cov1 = _o(COVID_START), _o(COVID_END)

    # ---------------------------------------------------------------- areas
    codes = [area_code(i) for i in range(areas)]
    n_icb = max(min(2, areas), round(areas * ICBS_PER_AREA))
    icbs = [icb_code(j) for j in range(n_icb)]
    icb_of = {c: icbs[i * n_icb // areas] for i, c in enumerate(codes)}
    weights = [0.4 + 1.2 * r() for _ in codes]
    mean_w = sum(weights) / len(weights)
    weights = [w / mean_w for w in weights]
    bool_style = {c: BOOL_STYLES[int(r() * 4)] if r() < 0.7 else BOOL_STYLES[int(r() * 8)]
                  for c in codes}

    area_rows = []
    for i, c in enumerate(codes):
        x = r()
        if x < 0.70:
            pub = scope0 - ri(0, 60)          # published on time
        elif x < 0.92:
            pub = scope0 + ri(1, 200)         # late
        else:
            pub = None                        # never recorded
        area_rows.append([c, f"Area {c}", REGIONS[i % len(REGIONS)] if r() < 0.85 else "",
                          f"send-team@area{c}.example.org" if r() < 0.95 else "",
                          D(pub)])

    comm_rows = []
    for j, q in enumerate(icbs):
        place = ICB_PLACES[j % len(ICB_PLACES)] + ("" if j < len(ICB_PLACES) else f" {j}")
        comm_rows.append([q, f"NHS {place} ICB", "health",
                          f"send@{q.lower()}.example.org" if r() < 0.95 else ""])
    for c in codes:
        comm_rows.append([f"{c}-SC", f"Area {c} Children's Social Care", "social_care",
                          f"social-care@area{c}.example.org" if r() < 0.95 else ""])

    # ------------------------------------------------------------ decisions
    type_table = [t for t, pct in DECISION_MIX for _ in range(pct)]
    assert len(type_table) == 100
    iso, uk1 = fmt.iso, fmt.uk1
    appealed: list[tuple[str, str, str, int]] = []

    def decision_chunks():
        for ai, c in enumerate(codes):
            st = bool_style[c]
            t_, f_ = st
            # 100-entry tables of rights_notice spellings, in scope / before scope
            rn_in = [t_] * 88 + ["true", "yes", "Y", "1"] + [f_] * 4 + [""] * 4
            rn_pre = [""] * 55 + [t_] * 25 + [f_] * 20
            n_year = DECISIONS_PER_AREA_YEAR * scale * weights[ai]
            n_cases = max(10, int(n_year * years * 0.6))
            seq = 0
            for y in range(years):
                y0 = _o(date(FIRST_DAY.year + y, 1, 1))
                ylen = _o(date(FIRST_DAY.year + y + 1, 1, 1)) - y0
                n = int(n_year + r())
                offs = sorted([y0 + int(r() * ylen) for _ in range(n)])
                chunk = []
                app = chunk.append
                for off in offs:
                    seq += 1
                    t = type_table[int(r() * 100)]
                    case = f"C{c}-{int(r() * n_cases) + 1:06d}"
                    rn = (rn_in if off >= scope0 else rn_pre)[int(r() * 100)]
                    ds = iso[off] if r() < 0.97 else uk1[off]
                    app((f"D{c}-{seq:07d}", c, case, t, ds, rn))
                    if r() < p_appeal:
                        appealed.append((c, case, t, off))
                yield chunk

    counts: dict[str, int] = {}
    n_dec = _write(out_dir, "decisions.csv", decision_chunks())

    # -------------------------------------------------------------- appeals
    appeal_rows, evid_rows, rec_rows, resp_rows, claim_rows, exc_rows = [], [], [], [], [], []
    seq_by_area_year: dict[tuple[str, int], int] = {}
    rec_seq = claim_seq = 0
    exc_candidates: list[tuple[str, str, int]] = []   # (duty, subject, due offset)
    sections = ["C", "D", "G", "H1", "H2"]
    for c, case, dtype, doff in appealed:
        st = bool_style[c]
        reg = doff + ri(10, 60)
        if reg > export:
            continue
        yy = (BASE + timedelta(reg)).year % 100
        k = seq_by_area_year.get((c, yy), 0) + 1
        seq_by_area_year[(c, yy)] = k
        aid = f"EH{c}-{yy:02d}-{k:05d}"
        extended = r() < P_EXTENDED
        if extended:
            x = r()
            health, social = (True, False) if x < 0.45 else (False, True) if x < 0.70 else (True, True)
        else:
            health = social = False
        due = reg + ri(38, 46) if r() > 0.03 else None
        x = r()
        due_ref = due if due is not None else reg + 42
        if x < 0.74:
            sent = due_ref - ri(0, 14)
        elif x < 0.90:
            sent = due_ref + ri(1, 30)
        else:
            sent = None
        hearing = reg + ri(84, 150)
        x = r()
        if x < 0.20:
            status, closed = "withdrawn", reg + ri(7, hearing - reg - 1)
        elif x < 0.40:
            status, closed = "conceded", reg + ri(7, hearing - reg - 1)
        else:
            status, closed = "decided", hearing + ri(3, 21)
        if closed > export:
            status, closed = "open", None
            if hearing > export and r() < 0.3:
                hearing = None            # not listed yet
        if sent is not None and (sent > export or (closed is not None and sent > closed)):
            sent = None
        appeal_rows.append([aid, c, case, dtype, D(doff), D(reg), fmt.b(health, st),
                            fmt.b(social, st), D(due), D(sent), D(hearing), status, D(closed)])
        if not extended:
            continue
        in_scope = dtype != "refuse_assessment" and doff >= scope0
        if due is not None and sent is not None and sent > due and in_scope:
            exc_candidates.append(("la-evidence", aid, due))

        # evidence
        comms = []
        if health:
            comms.append(icb_of[c])
            if r() < 0.04 and n_icb > 1:
                other = icbs[int(r() * n_icb)]
                if other != icb_of[c]:
                    comms.append(other)
        if social:
            comms.append(f"{c}-SC")
        for q in comms:
            x = r()
            if x < 0.80:
                contacted = reg + ri(1, 25)
            elif x < 0.92:
                contacted = due_ref + ri(1, 20)
            else:
                contacted = None
            ev_due = due_ref - ri(0, 7) if r() > 0.05 else None
            x = r()
            ev_ref = ev_due if ev_due is not None else due_ref
            if x < 0.75:
                provided = ev_ref - ri(0, 10)
            elif x < 0.90:
                provided = ev_ref + ri(1, 25)
            else:
                provided = None
            if contacted is not None and contacted > export:
                contacted = None
            if provided is not None and provided > export:
                provided = None
            x = r()
            att_req = True if x < 0.3 else (False if x < 0.85 else None)
            attended = None
            if att_req and status == "decided" and hearing is not None:
                x = r()
                attended = True if x < 0.85 else (False if x < 0.93 else None)
            evid_rows.append([aid, q, D(contacted), D(ev_due), D(provided),
                              fmt.b(att_req, st), fmt.b(attended, st)])
            if (in_scope and ev_due is not None and provided is not None and provided > ev_due):
                exc_candidates.append(("commissioner-evidence", f"{aid}:{q}", ev_due))

        # funding claims (trial period)
        if reg <= trial_end:
            for _ in range(0 if r() < 0.15 else ri(1, 3)):
                claimed = reg + ri(20, 220)
                if claimed > export:
                    continue
                claim_seq += 1
                x = r()
                cat = ("evidence" if x < 0.35 else "hearing" if x < 0.60 else
                       "response" if x < 0.80 else "other" if x < 0.97 else "legal")
                who = c if r() < 0.6 else comms[int(r() * len(comms))]
                claim_rows.append([f"FC-{claim_seq:07d}", aid, who, cat,
                                   fmt.money(ri(100, 1500) * 100 + (ri(0, 99) if r() < 0.4 else 0)),
                                   D(claimed)])

        # recommendations and responses
        if status != "decided":
            continue
        x = r()
        n_rec = 0 if x < 0.10 else 1 if x < 0.50 else 2 if x < 0.85 else 3
        kinds = (["health"] if health else []) + (["social_care"] if social else [])
        for m in range(n_rec):
            kind = kinds[m % len(kinds)] if m < len(kinds) else kinds[int(r() * len(kinds))]
            q = comms[0] if kind == "health" else f"{c}-SC"
            rec_seq += 1
            rid = f"R{c}-{rec_seq:07d}"
            made = closed
            rec_rows.append([rid, aid, q, kind, D(made),
                             sections[int(r() * 5)] if r() < 0.8 else ""])
            if r() < 0.08:
                continue                  # no response recorded
            rdue = made + 34
            x = r()
            if x < 0.80:
                fam = made + ri(10, 34)
            elif x < 0.95:
                fam = made + ri(35, 80)
            else:
                fam = None
            if kind == "health":
                la = (fam + ri(-3, 3)) if fam is not None and r() < 0.95 else None
            else:
                la = None
            if fam is not None and fam > export:
                fam = None
            if la is not None and la > export:
                la = None
            sent_any = fam is not None or la is not None
            outcome = steps = reasons = None
            if sent_any:
                x = r()
                outcome = ("accepted" if x < 0.58 else "partly_accepted" if x < 0.82 else
                           "declined" if x < 0.97 else None)
                x = r()
                steps = True if x < 0.90 else (False if x < 0.94 else None)
                if outcome in ("partly_accepted", "declined"):
                    x = r()
                    reasons = True if x < 0.85 else (False if x < 0.92 else None)
                elif r() < 0.2:
                    reasons = False
            done = (max(fam, la) if kind == "health" and fam is not None and la is not None
                    else fam if kind == "social_care" else None)
            exc = ""
            if done is not None and done > rdue and cov0 <= rdue <= cov1 and r() < 0.6:
                exc = "covid_2020"
            received = la if kind == "health" else fam
            to_eval = None
            if received is not None and scope0 <= received <= trial_end:
                x = r()
                if x < 0.80:
                    to_eval = received + ri(0, 6)
                elif x < 0.90:
                    to_eval = received + ri(7, 30)
                if to_eval is not None and to_eval > export:
                    to_eval = None
            resp_rows.append([rid, D(fam), D(la), outcome or "", fmt.b(steps, st),
                              fmt.b(reasons, st), exc, D(to_eval)])
            if done is not None and done > rdue and in_scope and not exc:
                exc_candidates.append(("response-5-weeks", rid, rdue))

    # recorded exceptions: a few, on real late findings
    roles = ["Director of Children's Services", "Head of SEND", "Designated Clinical Officer",
             "Assistant Director, Social Care", "SEND Compliance Lead"]
    reasons_txt = ["Tribunal granted an extension by consent",
                   "Evidence delayed by a late change of school placement",
                   "Staff absence; agreed with the Tribunal",
                   "Case transferred between areas",
                   "Commissioner restructure; deadline agreed with the family"]
    n_exc = min(len(exc_candidates), max(2, len(exc_candidates) // 25))
    for e, (duty, subject, due_off) in enumerate(sorted(rnd.sample(exc_candidates, n_exc),
                                                          key=lambda t: t[2]), 1):
        granted = due_off + ri(0, 20)
        expires = granted + ri(90, 540)
        exc_rows.append([f"EX-{e:05d}", duty, subject, roles[int(r() * len(roles))],
                         reasons_txt[int(r() * len(reasons_txt))], D(granted), D(expires)])

    if demo:
        demo_decisions = _add_demo_cases(codes, icb_of, area_rows, appeal_rows, evid_rows,
                                         rec_rows, resp_rows, claim_rows, exc_rows)
        with open(out_dir / "decisions.csv", "a", newline="", encoding="utf-8") as f:
            csv.writer(f, lineterminator="\n").writerows(demo_decisions)
        n_dec += len(demo_decisions)

    counts["areas.csv"] = _write(out_dir, "areas.csv", [area_rows])
    counts["commissioners.csv"] = _write(out_dir, "commissioners.csv", [comm_rows])
    counts["decisions.csv"] = n_dec
    counts["appeals.csv"] = _write(out_dir, "appeals.csv", [appeal_rows])
    counts["evidence.csv"] = _write(out_dir, "evidence.csv", [evid_rows])
    counts["recommendations.csv"] = _write(out_dir, "recommendations.csv", [rec_rows])
    counts["responses.csv"] = _write(out_dir, "responses.csv", [resp_rows])
    counts["funding_claims.csv"] = _write(out_dir, "funding_claims.csv", [claim_rows])
    counts["exceptions.csv"] = _write(out_dir, "exceptions.csv", [exc_rows])
    written = {name: counts[name] for name in COLUMNS}
    if demo:
        written.update(write_documents(out_dir, codes))
    return written


# --------------------------------------------------------------------------
# Constructed demo cases (see README.md for the table of what each covers).
# All values are written literally, so they are easy to read in the CSVs.
# Areas: A1 (850) and A2 (851) share ICB QRL; A3 (852) has ICB QSL.
# --------------------------------------------------------------------------

_DEMO_APPEALS = [
    # id, area#, decision_type, decision_date, registered_on, health, social,
    # la_response_due_on, la_response_sent_on, hearing_on, status, closed_on
    ("EH850-18-90001", 0, "plan_issued", "2018-09-03", "2018-10-01", "yes", "yes",
     "2018-11-12", "2018-11-12", "2019-02-15", "decided", "2019-03-01"),
    ("EH850-18-90002", 0, "refuse_plan", "2018-11-05", "2018-12-03", "yes", "no",
     "2019-01-14", "2019-01-15", "2019-04-10", "decided", "2019-04-24"),
    ("EH851-19-90003", 1, "plan_amended", "2019-10-01", "2019-10-28", "true", "true",
     "2019-12-09", "2019-12-02", "2020-03-16", "decided", "2020-04-01"),
    ("EH850-20-90004", 0, "cease_plan", "2020-04-20", "2020-05-18", "Y", "Y",
     "2020-07-07", "", "2020-09-14", "open", ""),
    ("EH851-20-90005", 1, "plan_issued", "2020-05-11", "2020-06-08", "1", "1",
     "2020-07-20", "", "", "open", ""),
    ("EH852-19-90006", 2, "refuse_amendment", "2019-06-03", "2019-07-01", "yes", "yes",
     "", "2019-08-20", "2019-11-04", "decided", "2019-11-18"),
    ("EH850-19-90007", 0, "plan_issued", "2019-02-04", "2019-03-04", "yes", "yes",
     "2019-04-15", "", "2019-07-01", "withdrawn", "2019-04-01"),
    ("EH851-19-90008", 1, "refuse_reassessment", "2019-04-01", "2019-04-29", "yes", "no",
     "", "", "", "conceded", "20/5/2019"),
    ("EH850-19-90009", 0, "plan_issued", "2019-03-01", "2019-03-25", "no", "no",
     "2019-05-06", "2019-05-20", "2019-08-01", "decided", "2019-08-12"),
    ("EH852-18-90010", 2, "plan_issued", "2018-03-20", "2018-04-16", "yes", "no",
     "2018-05-28", "2018-06-10", "2018-09-10", "decided", "2018-09-24"),
    ("EH851-19-90011", 1, "refuse_assessment", "2019-01-14", "2019-02-11", "yes", "no",
     "2019-03-25", "", "2019-05-28", "decided", "2019-06-10"),
    ("EH852-19-90012", 2, "plan_amended", "2019-05-13", "2019-06-10", "yes", "yes",
     "2019-07-22", "2019-08-05", "2019-10-14", "decided", "2019-10-28"),
    ("EH850-19-90013", 0, "plan_issued", "2019-11-04", "2019-12-02", "yes", "yes",
     "2020-01-13", "2020-01-10", "2020-05-26", "decided", "2020-06-02"),
    ("EH851-20-90014", 1, "refuse_plan", "2019-12-02", "2020-01-06", "yes", "no",
     "17/2/2020", "2020-02-17", "2020-06-08", "decided", "2020-06-10"),
    ("EH852-20-90015", 2, "plan_issued", "2020-01-20", "2020-02-17", "no", "yes",
     "2020-03-30", "", "2020-07-03", "open", ""),
    ("EH850-20-90016", 0, "plan_amended", "2020-03-02", "2020-03-30", "yes", "no",
     "2020-05-11", "", "", "withdrawn", "2020-05-04"),
]

# appeal_id, commissioner ("ICB" = the area's ICB, "SC" = the area's social care),
# la_contacted_on, evidence_due_on, evidence_provided_on, attendance_required, attended
_DEMO_EVIDENCE = [
    ("EH850-18-90001", "ICB", "2018-10-05", "2018-11-05", "2018-11-05", "yes", "yes"),
    ("EH850-18-90001", "SC", "2018-10-08", "2018-11-05", "2018-11-01", "no", ""),
    ("EH850-18-90002", "ICB", "2019-01-20", "2019-01-07", "2019-01-21", "yes", "n"),
    ("EH851-19-90003", "ICB", "2019-11-04", "2019-12-02", "2019-11-29", "", ""),
    ("EH851-19-90003", "SC", "", "2019-12-02", "2019-12-02", "no", ""),
    ("EH850-20-90004", "ICB", "", "2020-06-30", "", "yes", ""),
    ("EH850-20-90004", "SC", "2020-07-02", "2020-07-08", "", "yes", "yes"),
    ("EH851-20-90005", "ICB", "2020-06-10", "", "", "yes", ""),
    ("EH851-20-90005", "SC", "", "2020-07-13", "", "no", ""),
    ("EH852-19-90006", "ICB", "2019-07-10", "2019-08-12", "", "yes", ""),
    ("EH852-19-90006", "SC", "2019-07-10", "", "", "no", ""),
    ("EH850-19-90007", "ICB", "", "2019-04-08", "", "yes", ""),
    ("EH850-19-90007", "SC", "2019-03-08", "2019-03-25", "", "no", ""),
    ("EH851-19-90008", "ICB", "", "2019-05-27", "", "", ""),
    ("EH852-18-90010", "ICB", "2018-04-20", "2018-05-21", "2018-05-18", "no", ""),
    ("EH851-19-90011", "ICB", "", "2019-03-18", "", "yes", "no"),
    ("EH852-19-90012", "ICB", "2019-07-29", "2019-07-15", "", "yes", "no"),
    ("EH852-19-90012", "SC", "2019-06-20", "2019-07-15", "2019-07-20", "no", ""),
    ("EH850-19-90013", "ICB", "2019-12-05", "2020-01-06", "2020-01-06", "yes", "yes"),
    ("EH850-19-90013", "SC", "2019-12-05", "", "", "", ""),
    ("EH851-20-90014", "ICB", "2020-01-08", "2020-02-10", "2020-02-12", "yes", "1"),
    ("EH852-20-90015", "SC", "2020-02-20", "2020-03-23", "23/03/2020", "yes", ""),
    ("EH850-20-90016", "ICB", "2020-04-02", "2020-05-04", "", "yes", ""),
]

# recommendation_id, appeal_id, "ICB"/"SC", made_on, plan_section,
# response: None (no row) or (family, la, outcome, steps, reasons, exception, evaluators)
_DEMO_RECS = [
    ("REC-90001-1", "EH850-18-90001", "ICB", "2019-03-01", "G",
     ("2019-04-04", "2019-04-02", "accepted", "yes", "", "", "2019-04-08")),
    ("REC-90001-2", "EH850-18-90001", "SC", "2019-03-01", "H1",
     ("2019-04-05", "", "declined", "yes", "yes", "", "2019-04-20")),
    ("REC-90002-1", "EH850-18-90002", "ICB", "2019-04-24", "C",
     ("2019-06-10", "2019-06-03", "partly_accepted", "yes", "no", "covid_2020", "")),
    ("REC-90003-1", "EH851-19-90003", "ICB", "2020-04-01", "G",
     ("2020-05-20", "2020-05-20", "accepted", "true", "", "covid_2020", "2020-05-22")),
    ("REC-90003-2", "EH851-19-90003", "SC", "2020-04-01", "H2",
     ("2020-05-12", "", "declined", "true", "", "covid_2020", "")),
    ("REC-90006-1", "EH852-19-90006", "ICB", "2019-11-18", "G",
     ("2019-12-10", "", "declined", "", "false", "covid_2020", "")),
    ("REC-90006-2", "EH852-19-90006", "SC", "2019-11-18", "H1",
     ("", "", "", "", "", "", "")),
    ("REC-90010-1", "EH852-18-90010", "ICB", "2018-09-24", "G",
     ("2018-11-20", "2018-11-20", "accepted", "yes", "", "", "")),
    ("REC-90012-1", "EH852-19-90012", "ICB", "2019-10-28", "C",
     ("2019-12-20", "2019-12-20", "declined", "no", "yes", "", "2020-01-15")),
    ("REC-90012-2", "EH852-19-90012", "SC", "2019-10-28", "H2", None),
    ("REC-90013-1", "EH850-19-90013", "ICB", "2020-06-02", "G",
     ("2020-06-24", "2020-06-26", "accepted", "yes", "", "covid_2020", "")),
    ("REC-90013-2", "EH850-19-90013", "SC", "2020-06-02", "H1", None),
    ("REC-90014-1", "EH851-20-90014", "ICB", "2020-06-10", "G", None),
    ("REC-90014-2", "EH851-20-90014", "ICB", "2020-06-10", "D",
     ("2020-07-01", "2020-07-01", "accepted", "yes", "", "", "")),
]

# claim_id, appeal_id, claimant ("AREA"/"ICB"/"SC"), category, amount_gbp, claimed_on
_DEMO_CLAIMS = [
    ("FC-90001-1", "EH850-18-90001", "AREA", "evidence", "£1,500.00", "2018-11-20"),
    ("FC-90001-2", "EH850-18-90001", "ICB", "hearing", "2500", "2019-03-10"),
    ("FC-90002-1", "EH850-18-90002", "AREA", "evidence", "3,000.00", "2019-01-20"),
    ("FC-90002-2", "EH850-18-90002", "ICB", "hearing", "1200.00", "2019-04-15"),
    ("FC-90003-1", "EH851-19-90003", "AREA", "legal", "500.00", "2019-12-15"),
    ("FC-90003-2", "EH851-19-90003", "SC", "evidence", "300.00", "2019-12-16"),
    ("FC-90004-1", "EH850-20-90004", "AREA", "evidence", "400.00", "2020-06-01"),
    ("FC-90004-2", "EH850-20-90004", "AREA", "legal", "900.00", "2020-07-15"),
    ("FC-90007-1", "EH850-19-90007", "AREA", "legal", "600.00", "2019-03-20"),
    ("FC-90009-1", "EH850-19-90009", "AREA", "other", "5000.00", "2019-06-01"),
]

# exception_id, duty, subject (area placeholders {A1}{A2}{A3}), granted_by, why, granted, expires
_DEMO_EXCEPTIONS = [
    ("EX-90001", "local-offer", "{A2}", "Director of Children's Services",
     "Local Offer rebuild; interim leaflet sent to all families", "2018-06-01", "2019-03-31"),
    ("EX-90002", "rights-notice", "D{A1}-DEMO-RN4", "Head of SEND",
     "Template error; corrected letter re-sent to the family", "2019-09-01", "2020-12-31"),
    ("EX-90003", "la-evidence", "EH852-19-90012", "Head of SEND",
     "Tribunal extended the response deadline by consent", "2019-08-01", "2020-12-31"),
    ("EX-90004", "commissioner-contacted", "EH852-19-90012:health", "Head of SEND",
     "ICB contact details changed during restructure", "2019-08-01", "2020-12-31"),
    ("EX-90005", "commissioner-evidence", "EH852-19-90012:{ICB3}", "Designated Clinical Officer",
     "Evidence superseded by an agreed joint report", "2019-08-01", "2020-12-31"),
    ("EX-90006", "hearing-attendance", "EH852-19-90012:{ICB3}", "Designated Clinical Officer",
     "Witness excused by the Tribunal judge", "2019-10-20", "2020-12-31"),
    ("EX-90007", "response-5-weeks", "REC-90012-1", "Designated Clinical Officer",
     "Family asked for a meeting before the written response", "2019-12-10", "2020-12-31"),
    ("EX-90008", "response-content", "REC-90012-1", "Designated Clinical Officer",
     "Steps set out in a follow-up letter", "2020-01-10", "2020-12-31"),
    ("EX-90009", "evaluator-return", "REC-90012-1", "SEND Compliance Lead",
     "Evaluator portal unavailable", "2020-01-10", "2020-12-31"),
    ("EX-90010", "funding-cap", "EH850-19-90007", "Director of Children's Services",
     "Legal costs agreed with DfE in advance", "2019-05-01", "2021-03-31"),
    ("EX-90011", "commissioner-evidence", "EH852-19-90012:{A3}-SC", "Head of SEND",
     "Expired: social care evidence delay excused until January 2020", "2019-08-01", "2020-01-31"),
    ("EX-90012", "la-evidence", "EH850-18-90002", "Head of SEND",
     "Granted after the as-of date: not yet in force on 2020-06-30", "2020-07-10", "2021-07-10"),
]

# extra decision letters for rights-notice: (suffix, area#, type, date, rights_notice)
_DEMO_RN = [
    ("RN1", 0, "plan_issued", "2019-05-10", "yes"),
    ("RN2", 0, "plan_amended", "2019-06-11", "no"),
    ("RN3", 0, "cease_plan", "2019-07-12", ""),
    ("RN4", 0, "refuse_plan", "2019-08-13", "false"),
    ("RN5", 0, "refuse_assessment", "2019-09-14", "n"),
    ("RN6", 0, "plan_issued", "2018-03-15", "0"),
    ("RN7", 0, "plan_issued", "2018-04-03", "TRUE"),
    ("RN8", 0, "refuse_reassessment", "2020-07-15", "yes"),
]


def _add_demo_cases(codes, icb_of, area_rows, appeal_rows, evid_rows, rec_rows,
                    resp_rows, claim_rows, exc_rows) -> list[list[str]]:
    """Append the constructed cases; return the decision letters to add."""
    a = codes[:3]
    assert a == ["850", "851", "852"], a   # the constructed ids spell these codes out
    icb = [icb_of[c] for c in a]
    subst = {"A1": a[0], "A2": a[1], "A3": a[2], "ICB3": icb[2]}
    # local-offer: A1 met, A2 late (its exception expired), A3 never published (overdue)
    published = {a[0]: "2018-03-20", a[1]: "2018-06-15", a[2]: ""}
    for row in area_rows:
        if row[0] in published:
            row[4] = published[row[0]]

    area_of = {}
    decisions = []
    for (aid, ai, dtype, ddate, reg, h, s, due, sent, hear, status, closed) in _DEMO_APPEALS:
        area_of[aid] = ai
        case = f"C{a[ai]}-{900000 + int(aid[-5:]) % 10000:06d}"
        appeal_rows.append([aid, a[ai], case, dtype, ddate, reg, h, s,
                            due, sent, hear, status, closed])
        decisions.append([f"D{a[ai]}-DEMO-{aid[-5:]}", a[ai], case, dtype, ddate, "true"])
    for k, (suffix, ai, dtype, ddate, rn) in enumerate(_DEMO_RN, 1):
        decisions.append([f"D{a[ai]}-DEMO-{suffix}", a[ai], f"C{a[ai]}-{950000 + k:06d}",
                          dtype, ddate, rn])
    for (aid, who, cont, due, prov, req, att) in _DEMO_EVIDENCE:
        ai = area_of[aid]
        q = icb[ai] if who == "ICB" else f"{a[ai]}-SC"
        evid_rows.append([aid, q, cont, due, prov, req, att])
    for (rid, aid, who, made, section, resp) in _DEMO_RECS:
        ai = area_of[aid]
        q, kind = (icb[ai], "health") if who == "ICB" else (f"{a[ai]}-SC", "social_care")
        rec_rows.append([rid, aid, q, kind, made, section])
        if resp is not None:
            resp_rows.append([rid, *resp])
    for (cid, aid, who, cat, amount, claimed) in _DEMO_CLAIMS:
        ai = area_of[aid]
        claimant = a[ai] if who == "AREA" else icb[ai] if who == "ICB" else f"{a[ai]}-SC"
        claim_rows.append([cid, aid, claimant, cat, amount, claimed])
    for (eid, duty, subj, by, why, granted, expires) in _DEMO_EXCEPTIONS:
        exc_rows.append([eid, duty, subj.format(**subst), by, why, granted, expires])
    return decisions


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("out_dir", type=Path)
    p.add_argument("--seed", type=int, default=2018)
    p.add_argument("--areas", type=int, default=3)
    p.add_argument("--years", type=int, default=3)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--appeals", type=float, default=1.0,
                   help="multiply the share of letters appealed (2.6: today's volume)")
    p.add_argument("--demo", action="store_true",
                   help=f"append the constructed demo cases (checked as of {DEMO_AS_OF})")
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    counts = generate(args.out_dir, seed=args.seed, areas=args.areas, years=args.years,
                      scale=args.scale, demo=args.demo, appeals=args.appeals)
    for name, n in counts.items():
        print(f"{name:22} {n:>10,}")
    print(f"written to {args.out_dir} in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
