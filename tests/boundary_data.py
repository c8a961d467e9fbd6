"""Random but VALID records folders that sit on the boundaries of duties.md.

`write_random_folder(folder, seed, n_appeals)` writes the nine CSV files of
records.md; `as_of_dates(seed)` gives the as-of dates the folder was built
around.  Dates are placed at due-1 / due / due+1, around the as-of dates, the
scope start, the trial end and the Covid window; values use every accepted
spelling (booleans, D/M/YYYY dates, money with £ and commas, header case,
surrounding spaces, a BOM).  Every validation rule of records.md holds.
Stdlib only.
"""

from __future__ import annotations

import csv
import datetime as dt
import pathlib
import random
from decimal import Decimal

D = dt.date
DAY = dt.timedelta(days=1)

SCOPE_START = D(2018, 4, 3)
TRIAL_END = D(2021, 8, 31)
COVID = (D(2020, 5, 1), D(2020, 9, 25))

IN_SCOPE = ["refuse_plan", "plan_issued", "plan_amended", "refuse_reassessment", "refuse_amendment", "cease_plan"]
DUTIES = [
    "rights-notice",
    "local-offer",
    "commissioner-contacted",
    "la-evidence",
    "commissioner-evidence",
    "hearing-attendance",
    "response-5-weeks",
    "response-content",
    "evaluator-return",
    "funding-cap",
]

COLUMNS = {
    "areas": ["area_code", "name", "region", "send_team_email", "rights_published_on"],
    "commissioners": ["commissioner_code", "name", "kind", "contact_email"],
    "decisions": ["decision_id", "area_code", "case_ref", "decision_type", "decision_date", "rights_notice"],
    "appeals": [
        "appeal_id",
        "area_code",
        "case_ref",
        "decision_type",
        "decision_date",
        "registered_on",
        "health_issue",
        "social_care_issue",
        "la_response_due_on",
        "la_response_sent_on",
        "hearing_on",
        "status",
        "closed_on",
    ],
    "evidence": [
        "appeal_id",
        "commissioner_code",
        "la_contacted_on",
        "evidence_due_on",
        "evidence_provided_on",
        "attendance_required",
        "attended",
    ],
    "recommendations": ["recommendation_id", "appeal_id", "commissioner_code", "kind", "made_on", "plan_section"],
    "responses": [
        "recommendation_id",
        "sent_to_family_on",
        "sent_to_la_on",
        "outcome",
        "steps_given",
        "reasons_given",
        "exception",
        "sent_to_evaluators_on",
    ],
    "funding_claims": ["claim_id", "appeal_id", "claimant_code", "category", "amount_gbp", "claimed_on"],
    "exceptions": ["exception_id", "duty", "subject_id", "granted_by", "justification", "granted_on", "expires_on"],
}
REQUIRED = {
    "areas": {"area_code", "name"},
    "commissioners": {"commissioner_code", "name", "kind"},
    "decisions": {"decision_id", "area_code", "case_ref", "decision_type", "decision_date"},
    "appeals": {
        "appeal_id",
        "area_code",
        "case_ref",
        "decision_type",
        "decision_date",
        "registered_on",
        "health_issue",
        "social_care_issue",
        "status",
    },
    "evidence": {"appeal_id", "commissioner_code"},
    "recommendations": {"recommendation_id", "appeal_id", "commissioner_code", "kind", "made_on"},
    "responses": {"recommendation_id"},
    "funding_claims": {"claim_id", "appeal_id", "claimant_code", "category", "amount_gbp", "claimed_on"},
    "exceptions": {"exception_id", "duty", "subject_id", "granted_by", "justification", "granted_on", "expires_on"},
}

TRUE_SPELLINGS = ["true", "TRUE", "True", "yes", "Yes", "YES", "y", "Y", "1"]
FALSE_SPELLINGS = ["false", "FALSE", "False", "no", "No", "NO", "n", "N", "0"]

# offsets (days) around a deadline for a done-date: last compliant day, +1, ...
DONE_OFFSETS = [-10, -1, 0, 0, 1, 1, 2, 6, 7, 8, 30]
# offsets of a deadline around an as-of date: due_soon/pending/overdue boundaries
DUE_AROUND_ASOF = [-8, -1, 0, 0, 1, 6, 7, 7, 8, 9, 20, -40]


def as_of_dates(seed: int) -> list[dt.date]:
    """About six interesting as-of dates for the folder of `seed` (sorted)."""
    rng = random.Random(seed * 7919 + 17)
    picks = [
        rng.choice([D(2018, 4, 2), D(2018, 4, 3), D(2018, 4, 10), D(2018, 3, 1), D(2018, 9, 14)]),
        D(2018, 10, 1) + dt.timedelta(days=rng.randrange(0, 540)),
        rng.choice([D(2020, 4, 30), D(2020, 5, 1), D(2020, 7, 15), D(2020, 9, 25), D(2020, 9, 26), D(2020, 11, 2)]),
        rng.choice([D(2021, 8, 30), D(2021, 8, 31), D(2021, 9, 1), D(2021, 9, 7)]),
        D(2021, 10, 1) + dt.timedelta(days=rng.randrange(0, 272)),
        D(2018, 3, 1) + dt.timedelta(days=rng.randrange(0, (D(2022, 6, 30) - D(2018, 3, 1)).days + 1)),
    ]
    return sorted(set(picks))


class _Gen:
    def __init__(self, seed: int, n_appeals: int):
        self.rng = random.Random(seed)
        self.seed = seed
        self.n = n_appeals
        self.asofs = as_of_dates(seed)
        # anchors: the as-of dates plus the legal boundaries
        self.anchors = self.asofs * 3 + [SCOPE_START, TRIAL_END, TRIAL_END + DAY, COVID[0], COVID[1], COVID[1] + DAY]
        self.uk_dates = self.rng.random() < 0.7  # this folder uses D/M/YYYY sometimes
        self.rows: dict[str, list[dict]] = {k: [] for k in COLUMNS}
        self.subjects: list[tuple[str, str]] = []

    # ---------------------------------------------------------------- values
    def date(self, d: dt.date | None) -> str:
        if d is None:
            return ""
        r = self.rng.random()
        if self.uk_dates and r < 0.2:
            s = f"{d.day}/{d.month}/{d.year}"
        elif self.uk_dates and r < 0.35:
            s = f"{d.day:02d}/{d.month:02d}/{d.year}"
        else:
            s = d.isoformat()
        if self.rng.random() < 0.05:
            s = f" {s} "
        return s

    def boolean(self, v: bool | None) -> str:
        if v is None:
            return self.rng.choice(["", "", " "])
        return self.rng.choice(TRUE_SPELLINGS if v else FALSE_SPELLINGS)

    def tri(self, p_true=0.55, p_blank=0.2) -> bool | None:
        r = self.rng.random()
        if r < p_blank:
            return None
        return r < p_blank + (1 - p_blank) * p_true

    def money(self, amount: Decimal) -> str:
        r = self.rng.random()
        q = amount.quantize(Decimal("0.01"))
        if r < 0.25:
            return f"£{q:,}"
        if r < 0.4:
            return f"{q:,}"
        if r < 0.55:
            return f"£{q}"
        if r < 0.7 and q == q.to_integral_value():
            return str(int(q))
        return str(q)

    def maybe(self, p: float, v):
        return v if self.rng.random() < p else None

    def anchor(self) -> dt.date:
        return self.rng.choice(self.anchors)

    # ---------------------------------------------------------------- records
    def build(self):
        rng = self.rng
        n_areas = rng.choice([2, 3])
        areas = [str(850 + i) for i in range(n_areas)]
        local_offer_choices = [None, SCOPE_START - DAY, SCOPE_START, SCOPE_START + DAY, D(2018, 3, 27), D(2018, 3, 26)]
        for a in areas:
            pub = rng.choice(local_offer_choices + [self.anchor() + rng.choice([-1, 0, 1]) * DAY])
            self.rows["areas"].append(
                {
                    "area_code": a,
                    "name": f"Area {a}",
                    "region": rng.choice(["", "South East", "North West"]),
                    "send_team_email": rng.choice(["", f"send@{a}.example"]),
                    "rights_published_on": self.date(pub),
                }
            )
            self.subjects.append(("local-offer", a))
        health = ["QRL", "QRM", "11J"]
        self.health = health
        self.sc = {a: f"{a}-SC" for a in areas}
        for h in health:
            self.rows["commissioners"].append(
                {
                    "commissioner_code": h,
                    "name": f"ICB {h}",
                    "kind": "health",
                    "contact_email": rng.choice(["", f"{h.lower()}@nhs.example"]),
                }
            )
        for a, c in self.sc.items():
            self.rows["commissioners"].append(
                {
                    "commissioner_code": c,
                    "name": f"Social care {a}",
                    "kind": "social_care",
                    "contact_email": rng.choice(["", f"sc@{a}.example"]),
                }
            )

        # decisions
        for i in range(max(4, self.n // 2)):
            r = rng.random()
            if r < 0.3:
                ddate = rng.choice([D(2018, 4, 2), D(2018, 4, 3), D(2018, 4, 4), D(2018, 3, 30)])
            else:
                ddate = self.anchor() + rng.choice([-30, -8, -7, -1, 0, 1, 2, 10]) * DAY
            dtype = rng.choice(IN_SCOPE + ["refuse_assessment", "refuse_assessment"])
            did = f"DEC-{i + 1}"
            self.rows["decisions"].append(
                {
                    "decision_id": did,
                    "area_code": rng.choice(areas),
                    "case_ref": f"C{rng.randrange(1000, 9999)}",
                    "decision_type": dtype,
                    "decision_date": self.date(ddate),
                    "rights_notice": self.boolean(self.tri(0.7, 0.2)),
                }
            )
            self.subjects.append(("rights-notice", did))

        for i in range(self.n):
            self.appeal(i + 1, areas)

        self.exceptions()

    def appeal(self, n: int, areas: list[str]):
        rng = self.rng
        aid = f"AP-{n:03d}"
        area = rng.choice(areas)
        A = self.anchor()
        mode = rng.random()
        if mode < 0.12:
            # decision right on the scope boundary
            ddate = rng.choice([D(2018, 4, 2), D(2018, 4, 3), D(2018, 4, 3), D(2018, 4, 4)])
            reg = ddate + rng.randrange(10, 60) * DAY
            due = reg + rng.randrange(20, 70) * DAY if rng.random() < 0.9 else None
        elif mode < 0.25:
            # registered right around an as-of date
            reg = rng.choice(self.asofs) + rng.choice([-1, 0, 1]) * DAY
            ddate = reg - rng.randrange(5, 60) * DAY
            due = reg + rng.randrange(3, 50) * DAY if rng.random() < 0.9 else None
        else:
            # deadline around an anchor
            due = A + rng.choice(DUE_AROUND_ASOF) * DAY
            reg = due - rng.randrange(14, 80) * DAY
            ddate = reg - rng.randrange(5, 90) * DAY
            if rng.random() < 0.1:
                due = None
        if ddate < D(2018, 4, 3) and rng.random() < 0.5:
            ddate = D(2018, 4, 3)
            if reg < ddate:
                reg = ddate
        dtype = rng.choice(IN_SCOPE * 3 + ["refuse_assessment"])
        r = rng.random()
        if r < 0.12:
            hi, si = False, False  # education only
        elif r < 0.5:
            hi, si = True, False
        elif r < 0.75:
            hi, si = False, True
        else:
            hi, si = True, True
        sent = None
        if due is not None and rng.random() < 0.7:
            sent = due + rng.choice(DONE_OFFSETS) * DAY
            sent = max(sent, reg)
        elif due is None and rng.random() < 0.5:
            sent = reg + rng.randrange(5, 40) * DAY
        base = due or reg + 40 * DAY
        hearing = None
        if rng.random() < 0.8:
            if rng.random() < 0.5:
                hearing = rng.choice(self.asofs) + rng.choice([-1, 0, 1, 6, 7, 8, 9, 30]) * DAY
                if hearing <= base:
                    hearing = base + rng.randrange(10, 80) * DAY
            else:
                hearing = base + rng.randrange(10, 80) * DAY
        r = rng.random()
        closed = None
        if r < 0.55:
            status = "open"
        else:
            status = rng.choice(["withdrawn", "withdrawn", "conceded", "conceded", "decided"])
            choices = [reg + rng.randrange(0, 30) * DAY, rng.choice(self.asofs) + rng.choice([-1, 0, 1]) * DAY]
            if due is not None:
                choices += [due - DAY, due, due + DAY, due + DAY]
            if hearing is not None:
                choices += [hearing - DAY, hearing, hearing + DAY]
            closed = max(rng.choice(choices), reg)
        self.rows["appeals"].append(
            {
                "appeal_id": aid,
                "area_code": area,
                "case_ref": f"C{rng.randrange(1000, 9999)}",
                "decision_type": dtype,
                "decision_date": self.date(ddate),
                "registered_on": self.date(reg),
                "health_issue": self.boolean(hi),
                "social_care_issue": self.boolean(si),
                "la_response_due_on": self.date(due),
                "la_response_sent_on": self.date(sent),
                "hearing_on": self.date(hearing),
                "status": status,
                "closed_on": self.date(closed),
            }
        )
        for s in (aid,):
            self.subjects += [
                ("la-evidence", s),
                ("funding-cap", s),
                ("commissioner-contacted", f"{s}:health"),
                ("commissioner-contacted", f"{s}:social_care"),
            ]

        # evidence rows
        pool = self.health + [self.sc[area]]
        if rng.random() < 0.15:
            pool.append(rng.choice(list(self.sc.values())))  # another area's social care
        pool = list(dict.fromkeys(pool))
        k = rng.choice([0, 1, 1, 2, 2, 3])
        for code in rng.sample(pool, min(k, len(pool))):
            contacted = None
            if rng.random() < 0.7:
                contacted = (due + rng.choice(DONE_OFFSETS) * DAY) if due else reg + rng.randrange(1, 30) * DAY
                contacted = max(contacted, reg)
            ev_due = None
            if rng.random() < 0.7:
                ev_due = rng.choice(
                    [
                        (due or base) - rng.randrange(0, 10) * DAY,
                        rng.choice(self.asofs) + rng.choice(DUE_AROUND_ASOF) * DAY,
                    ]
                )
                ev_due = max(ev_due, reg + DAY)
            provided = None
            if ev_due is not None and rng.random() < 0.65:
                provided = max(ev_due + rng.choice(DONE_OFFSETS) * DAY, reg)
            elif ev_due is None and rng.random() < 0.2:
                provided = reg + rng.randrange(1, 30) * DAY
            att_req = self.tri(0.6, 0.2)
            attended = self.tri(0.65, 0.3)
            self.rows["evidence"].append(
                {
                    "appeal_id": aid,
                    "commissioner_code": code,
                    "la_contacted_on": self.date(contacted),
                    "evidence_due_on": self.date(ev_due),
                    "evidence_provided_on": self.date(provided),
                    "attendance_required": self.boolean(att_req),
                    "attended": self.boolean(attended),
                }
            )
            self.subjects += [("commissioner-evidence", f"{aid}:{code}"), ("hearing-attendance", f"{aid}:{code}")]

        # recommendations
        if hearing is not None or rng.random() < 0.3:
            kinds = []
            if hi or rng.random() < 0.2:
                kinds.append("health")
            if si or rng.random() < 0.2:
                kinds.append("social_care")
            nrec = rng.choice([0, 1, 1, 2, 3])
            for j in range(nrec):
                if not kinds:
                    break
                kind = rng.choice(kinds)
                self.recommendation(aid, area, reg, hearing, kind, j + 1)

        # funding claims
        if rng.random() < 0.45:
            self.claims(aid, area, reg)

    def recommendation(self, aid, area, reg, hearing, kind, j):
        rng = self.rng
        rid = f"REC-{aid[3:]}-{j}"
        code = rng.choice(self.health) if kind == "health" else self.sc[area]
        cands = []
        if hearing is not None:
            cands += [hearing + rng.randrange(0, 15) * DAY] * 2
        for tgt in [COVID[0] - DAY, COVID[0], COVID[1], COVID[1] + DAY]:
            cands.append(tgt - 34 * DAY)  # response due exactly on a covid boundary
        for _ in range(3):
            cands.append(rng.choice(self.asofs) + (rng.choice(DUE_AROUND_ASOF) - 34) * DAY)
        cands.append(TRIAL_END - rng.randrange(0, 20) * DAY)
        cands = [c for c in cands if c >= reg]
        made = rng.choice(cands) if cands else reg + rng.randrange(30, 90) * DAY
        self.rows["recommendations"].append(
            {
                "recommendation_id": rid,
                "appeal_id": aid,
                "commissioner_code": code,
                "kind": kind,
                "made_on": self.date(made),
                "plan_section": rng.choice(["", "C", "D", "G", "H1", "H2"]),
            }
        )
        self.subjects += [("response-5-weeks", rid), ("response-content", rid), ("evaluator-return", rid)]
        if rng.random() < 0.15:
            return  # no response row at all
        due = made + 34 * DAY

        def sent_date():
            r = rng.random()
            if r < 0.2:
                return None
            if r < 0.3:
                c = rng.choice([TRIAL_END - DAY, TRIAL_END, TRIAL_END + DAY])
                return c if c >= made else due
            if r < 0.45:
                return rng.choice(self.asofs) + rng.choice([-1, 0, 1]) * DAY
            return due + rng.choice(DONE_OFFSETS) * DAY

        fam = sent_date()
        if fam is not None and fam < made:
            fam = made
        la = None
        if kind == "health" or rng.random() < 0.3:  # social care: value is ignored
            la = sent_date()
            if la is not None and la < made:
                la = made
        received = la if kind == "health" else fam
        evals = None
        if rng.random() < 0.6:
            base = received or fam or due
            evals = base + rng.choice([0, 5, 6, 6, 7, 8, 20, -1]) * DAY
        outcome = rng.choice(["", "accepted", "partly_accepted", "declined", "declined"])
        cov = due and COVID[0] - 10 * DAY <= due <= COVID[1] + 10 * DAY
        exc = "covid_2020" if rng.random() < (0.6 if cov else 0.15) else ""
        self.rows["responses"].append(
            {
                "recommendation_id": rid,
                "sent_to_family_on": self.date(fam),
                "sent_to_la_on": self.date(la),
                "outcome": outcome,
                "steps_given": self.boolean(self.tri(0.75, 0.2)),
                "reasons_given": self.boolean(self.tri(0.6, 0.3)),
                "exception": exc,
                "sent_to_evaluators_on": self.date(evals),
            }
        )

    def claims(self, aid, area, reg):
        rng = self.rng
        totals = [
            Decimal("4000.00"),
            Decimal("4000.01"),
            Decimal("3999.99"),
            Decimal("1250.50"),
            Decimal("12000"),
            Decimal("0.01"),
        ]
        total = rng.choice(totals)
        k = rng.choice([1, 2, 2, 3])
        cuts = sorted(Decimal(rng.randrange(1, 100)) / 100 for _ in range(k - 1))
        parts, prev = [], Decimal(0)
        for c in cuts + [Decimal(1)]:
            parts.append((total * (c - prev)).quantize(Decimal("0.01")))
            prev = c
        parts[-1] = total - sum(parts[:-1])
        if any(p < 0 for p in parts):
            parts = [total]
        claimants = [area] + self.health + [self.sc[area]]
        for i, amount in enumerate(parts):
            cid = f"CL-{aid[3:]}-{i + 1}"
            r = rng.random()
            if r < 0.15:
                when = rng.choice(
                    [SCOPE_START - DAY, SCOPE_START, TRIAL_END, TRIAL_END + DAY, D(2018, 3, 1), D(2022, 1, 5)]
                )
            elif r < 0.45:
                when = rng.choice(self.asofs) + rng.choice([-1, 0, 1]) * DAY
            else:
                when = reg + rng.randrange(0, 200) * DAY
            cat = rng.choice(
                ["evidence", "hearing", "response", "other", "legal"]
                if rng.random() < 0.25
                else ["evidence", "hearing", "response", "other"]
            )
            self.rows["funding_claims"].append(
                {
                    "claim_id": cid,
                    "appeal_id": aid,
                    "claimant_code": rng.choice(claimants),
                    "category": cat,
                    "amount_gbp": self.money(amount),
                    "claimed_on": self.date(when),
                }
            )

    def exceptions(self):
        rng = self.rng
        n = max(4, self.n // 2)
        for i in range(n):
            duty, subject = rng.choice(self.subjects)
            if rng.random() < 0.1:
                subject = subject + "-X"  # not (yet) an existing subject
            a = rng.choice(self.asofs)
            kind = rng.choice(["active", "active", "expired", "future", "edge"])
            if kind == "active":
                g, e = a - rng.randrange(0, 100) * DAY, a + rng.randrange(0, 100) * DAY
            elif kind == "expired":
                e = a - rng.choice([1, 1, 30]) * DAY
                g = e - rng.randrange(0, 200) * DAY
            elif kind == "future":
                g = a + rng.choice([1, 1, 30]) * DAY
                e = g + rng.randrange(0, 200) * DAY
            else:
                g = e = a
            self.rows["exceptions"].append(
                {
                    "exception_id": f"EX-{i + 1}",
                    "duty": duty,
                    "subject_id": subject,
                    "granted_by": rng.choice(["SEND manager", "Director of Children's Services"]),
                    "justification": rng.choice(["Tribunal extended time", "agreed, see minutes, item 4"]),
                    "granted_on": self.date(g),
                    "expires_on": self.date(e),
                }
            )

    # ---------------------------------------------------------------- write
    def write(self, folder: pathlib.Path):
        rng = self.rng
        folder.mkdir(parents=True, exist_ok=True)
        for name, cols in COLUMNS.items():
            rows = self.rows[name]
            if not rows and rng.random() < 0.5:
                continue  # an absent file means nothing of that type
            cols = list(cols)
            # drop optional columns that are wholly blank (absent == blank on a fresh store)
            for c in list(cols):
                if c not in REQUIRED[name] and all(not r[c].strip() for r in rows) and rng.random() < 0.5:
                    cols.remove(c)
            rng.shuffle(cols)
            header = [self.header_case(c) for c in cols]
            enc = "utf-8-sig" if rng.random() < 0.3 else "utf-8"
            with open(folder / f"{name}.csv", "w", encoding=enc, newline="") as fh:
                w = csv.writer(fh)
                w.writerow(header)
                for r in rows:
                    w.writerow([r[c] for c in cols])

    def header_case(self, c: str) -> str:
        r = self.rng.random()
        if r < 0.1:
            return c.upper()
        if r < 0.15:
            return c.title()
        return c


def write_random_folder(folder: pathlib.Path, seed: int, n_appeals: int = 60) -> None:
    g = _Gen(seed, n_appeals)
    g.build()
    g.write(pathlib.Path(folder))


if __name__ == "__main__":
    import sys

    out = pathlib.Path(sys.argv[1])
    s = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    write_random_folder(out, s)
    print(" ".join(d.isoformat() for d in as_of_dates(s)))
