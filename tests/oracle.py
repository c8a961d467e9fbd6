"""Independent reference evaluator ("oracle") for send-monitor, written straight
from /work/shared/spec/duties.md and records.md, stdlib only.  It never imports
the real implementation; it is used in differential tests against it.

Interpretations made where the spec is silent or open (one per line):
- An appeal whose registered_on is after as-of does not exist: none of its duties exist, nor those of its evidence rows, recommendations, responses or funding claims.
- An appeal's own date is registered_on only; its decision_date/decision_type are used just for the in-scope test (no link to decisions.csv).
- Evidence rows and responses have no "own date"; their dates are done-dates (a date after as-of means not done / not sent).
- Closed-appeal rule: the appeal counts as closed only if status is withdrawn/conceded AND closed_on <= as-of; `decided` never removes a duty.
- Closed-appeal rule applies even if the duty was already done before closing (the rule is purely "deadline after closed_on").
- A closed appeal closes its open duties (version 3): commissioner-contacted, la-evidence and commissioner-evidence not done by as-of on a closed appeal are `breached` (due_on kept, done_on null, days_late 0) when due before closed_on, absent when due on it; recorded exceptions then excuse that breach like any other.
- hearing-attendance's deadline for the closed-appeal rule is hearing_on; a blank hearing_on stays `pending` even on a closed appeal.
- hearing-attendance `breached` and `data_gap` keep due_on = hearing date and done_on = null; only a met hearing has done_on.
- rights-notice: due_on = done_on = decision_date for met, breached and data_gap.
- commissioner-contacted: done = earliest la_contacted_on that is <= as-of among the appeal's evidence rows whose commissioner kind matches.
- data_gap for a blank la_response_due_on keeps done_on when the done-date is set and <= as-of.
- A health response is done only when both sent_to_family_on and sent_to_la_on are set and <= as-of; done = the later.
- "Any sent date" for response-content = sent_to_family_on, plus sent_to_la_on for health only (sent_to_la_on is ignored entirely for social care; sent_to_evaluators_on is not a sent date).
- response-content: reasons are required only when outcome is known and is declined/partly_accepted; reasons_given false with blank outcome is data_gap (outcome), not breached.
- response-content: due_on = done_on = the earliest sent date (<= as-of) for met, breached and data_gap.
- evaluator-return: the received date must also be <= as-of (a later date means not received yet), and within scope_start..trial_end inclusive.
- funding-cap: only claims with claimed_on <= as-of and within scope_start..trial_end count; an appeal with no such claim has no finding; `legal` claims count only if inside the trial.
- funding-cap is never removed by the closed-appeal rule; due_on/done_on are null for met and breached.
- Recorded exceptions: any row with same duty and subject_id and granted_on <= as-of <= expires_on excuses late/overdue/breached; applied after the covid rule.
- covid_2020 turns only a `late` response-5-weeks whose due date is inside covid_window (inclusive) into `exception`; overdue responses are unaffected.
- Area for appeal/recommendation duties is the appeal's area_code; owner of evaluator-return/funding-cap/commissioner-contacted/la-evidence is that area code.
- Missing CSV files and missing optional columns are read as no rows / blank values.
- Required booleans health_issue/social_care_issue blank (invalid anyway) are treated as false.
- Documents (version 3): only .txt and .html/.htm files are read here (the demo's kinds); a template or page of another kind is left out, as are the decisions made from it.
- Wording: the statements are those of duties.md, written out below; the parts of an `all` hold when their occurrences start within `within_words` words of one another (first word to first word).
- A decision's template: the one its letter_template names in its area, else the only template of its area in use on decision_date (in_use_from <= date <= in_use_to or open) listing its type (blank: every type).
"""

from __future__ import annotations

import csv
import datetime as _dt
import json
import pathlib
import re
import sys
import unicodedata
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

DEFAULT_PARAMS: dict[str, Any] = {
    "scope_start": _dt.date(2018, 4, 3),
    "trial_end": _dt.date(2021, 8, 31),
    "local_offer_due": _dt.date(2018, 4, 3),
    "response_weeks": 5,
    "return_weeks": 1,
    "warning_days": 7,
    "funding_cap_gbp": Decimal("4000"),
    "covid_window": (_dt.date(2020, 5, 1), _dt.date(2020, 9, 25)),
}

IN_SCOPE_TYPES = {
    "refuse_plan",
    "plan_issued",
    "plan_amended",
    "refuse_reassessment",
    "refuse_amendment",
    "cease_plan",
}

FILES = [
    "areas",
    "commissioners",
    "decisions",
    "appeals",
    "evidence",
    "recommendations",
    "responses",
    "funding_claims",
    "exceptions",
    "letter_templates",
    "local_offer_pages",
]

# The required statements of duties.md, "Wording": id -> (parts, within_words); one part is `any`.
APPEAL = (
    ["appeal", "appeals", "appealing"],
    ["tribunal", "sendist", "right to appeal", "right of appeal", "send appeal"],
)
HEALTH = (["recommendation", "recommendations", "recommend"], ["health"], ["social care", "care part", "care parts"])
WORDING = {
    "decision-letter": {
        "right-to-appeal": (APPEAL, 10),
        "health-and-social-care": (HEALTH, 60),
        "advice": (
            (["information advice and support", "sendiass", "iass", "siass", "independent advice and support"],),
            None,
        ),
        "mediation": (
            (
                [
                    "mediation certificate",
                    "mediation adviser",
                    "mediation advice",
                    "must consider mediation",
                    "think about mediation",
                ],
            ),
            None,
        ),
    },
    "local-offer": {
        "right-to-appeal": (APPEAL, 10),
        "health-and-social-care": (HEALTH, 60),
        "how-to-ask": (
            (
                ["request", "requesting", "ask", "asking"],
                ["recommendation", "recommendations"],
                ["appeal", "appeals", "appealing"],
            ),
            40,
        ),
    },
}

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")

TRUE_WORDS = {"true", "yes", "y", "1"}
FALSE_WORDS = {"false", "no", "n", "0"}


# ---------------------------------------------------------------- parsing


def parse_date(value: Any) -> _dt.date | None:
    if value is None:
        return None
    if isinstance(value, _dt.date):
        return value
    s = str(value).strip()
    if not s:
        return None
    m = _ISO.match(s)
    if m:
        return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _UK.match(s)
    if m:
        return _dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    raise ValueError(f"bad date {value!r}")


def parse_bool(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    s = str(value).strip().lower()
    if not s:
        return None
    if s in TRUE_WORDS:
        return True
    if s in FALSE_WORDS:
        return False
    raise ValueError(f"bad boolean {value!r}")


def parse_money(value: Any) -> Decimal | None:
    if value is None:
        return None
    s = str(value).strip()
    if not s:
        return None
    s = s.replace("£", "").replace(",", "").strip()
    return Decimal(s)


def read_csv(folder: pathlib.Path, name: str) -> list[dict[str, str]]:
    path = pathlib.Path(folder) / f"{name}.csv"
    if not path.exists():
        return []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        rows = list(reader)
    if not rows:
        return []
    header = [h.strip().lower() for h in rows[0]]
    out = []
    for raw in rows[1:]:
        if not any(c.strip() for c in raw):
            continue
        rec = {}
        for i, col in enumerate(header):
            rec[col] = raw[i].strip() if i < len(raw) else ""
        out.append(rec)
    return out


def _param_date(v: Any) -> _dt.date:
    d = parse_date(v)
    assert d is not None
    return d


def normalise_params(params: dict | None) -> dict[str, Any]:
    p = dict(DEFAULT_PARAMS)
    if params:
        p.update(params)
    for k in ("scope_start", "trial_end", "local_offer_due"):
        p[k] = _param_date(p[k])
    for k in ("response_weeks", "return_weeks", "warning_days"):
        p[k] = int(p[k])
    p["funding_cap_gbp"] = Decimal(str(p["funding_cap_gbp"]))
    cw = p["covid_window"]
    if isinstance(cw, str):
        a, b = cw.split("..")
        cw = (a, b)
    p["covid_window"] = (_param_date(cw[0]), _param_date(cw[1]))
    return p


# ---------------------------------------------------------------- helpers


def weeks_beginning_with(d: _dt.date, weeks: int) -> _dt.date:
    """Last compliant day of "N weeks beginning with D" = D + 7N - 1."""
    return d + _dt.timedelta(days=7 * weeks - 1)


def done_by(d: _dt.date | None, as_of: _dt.date) -> _dt.date | None:
    """A done-date after as-of (or blank) means not done."""
    if d is None or d > as_of:
        return None
    return d


def dated_status(due: _dt.date, done: _dt.date | None, as_of: _dt.date, warning_days: int):
    """Return (status, days_late) for a duty with a known deadline."""
    if done is not None:
        if done <= due:
            return "met", 0
        return "late", (done - due).days
    gap = (due - as_of).days
    if gap < 0:
        return "overdue", -gap
    if gap <= warning_days:
        return "due_soon", 0
    return "pending", 0


def iso(d: _dt.date | None) -> str | None:
    return d.isoformat() if d is not None else None


# ---------------------------------------------------------------- documents


class _Visible(HTMLParser):
    HIDDEN = {"script", "style", "head", "title", "noscript", "template"}

    def __init__(self) -> None:
        super().__init__()
        self.depth, self.parts = [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        hidden = tag in self.HIDDEN or "hidden" in a or (a.get("aria-hidden") or "").lower() == "true"
        hidden = hidden or re.search(r"display\s*:\s*none|visibility\s*:\s*hidden", a.get("style") or "", re.I)
        if tag not in ("br", "img", "input", "meta", "link", "hr", "wbr"):
            self.depth.append(bool(hidden) or bool(self.depth and self.depth[-1]))
        self.parts.append(" ")

    def handle_endtag(self, tag):
        if self.depth and tag not in ("br", "img", "input", "meta", "link", "hr", "wbr"):
            self.depth.pop()
        self.parts.append(" ")

    def handle_data(self, data):
        if not (self.depth and self.depth[-1]):
            self.parts.append(data)


def doc_words(path: pathlib.Path) -> list[str] | None:
    """The document's words, normalised as duties.md says; None for a kind not read here."""
    if path.suffix.lower() not in (".txt", ".html", ".htm") or not path.is_file():
        return None
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    if path.suffix.lower() != ".txt":
        parser = _Visible()
        parser.feed(text)
        text = "".join(parser.parts)
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub("[\u2018\u2019]", "'", re.sub("[\u2010-\u2015\u2212]", "-", text)).replace("\u00ad", "")
    text = re.sub(r"(?<=[^\W\d_])-[ \t]*\r?\n\s*(?=[^\W\d_])", "", text)
    return re.findall(r"[^\W_]+", text)


def _starts(words: list[str], phrase: str) -> list[int]:
    p = re.findall(r"[^\W_]+", phrase.casefold())
    return [i for i in range(len(words) - len(p) + 1) if words[i : i + len(p)] == p]


def missing_statements(words: list[str], wording: str) -> list[str]:
    missing = []
    for sid, (parts, within) in WORDING[wording].items():
        starts = [sorted(i for phrase in part for i in _starts(words, phrase)) for part in parts]
        if within is None:
            ok = bool(starts[0])
        else:
            ok = any(
                all(any(first <= j <= first + within for j in others) for others in starts)
                for first in sorted(set().union(*starts))
            )
        if not ok:
            missing.append(sid)
    return missing


# ---------------------------------------------------------------- evaluate


def evaluate(folder: pathlib.Path, as_of: _dt.date, params: dict | None = None) -> list[dict]:
    folder = pathlib.Path(folder)
    as_of = _param_date(as_of)
    p = normalise_params(params)
    scope_start = p["scope_start"]
    trial_end = p["trial_end"]
    warn = p["warning_days"]
    cov_a, cov_b = p["covid_window"]

    data = {name: read_csv(folder, name) for name in FILES}

    findings: dict[tuple[str, str], dict] = {}

    def add(duty, subject, area, owner, status, due=None, done=None, days_late=0, reason=None):
        if status == "not_applicable":
            return
        if status not in ("late", "overdue"):
            days_late = 0
        findings[(duty, subject)] = {
            "duty": duty,
            "subject": subject,
            "area": area,
            "owner": owner,
            "status": status,
            "due_on": iso(due),
            "done_on": iso(done),
            "days_late": int(days_late),
            "reason": reason,
            "case_ref": case_ref_of(duty, subject),
        }

    commissioners = {c["commissioner_code"]: c for c in data["commissioners"]}
    areas = {a["area_code"]: a for a in data["areas"]}
    decision_refs = {d["decision_id"]: d.get("case_ref") for d in data["decisions"]}
    appeal_refs = {a["appeal_id"]: a.get("case_ref") for a in data["appeals"]}
    rec_appeal = {r["recommendation_id"]: r["appeal_id"] for r in data["recommendations"]}

    def case_ref_of(duty: str, subject: str) -> str | None:
        if duty in ("local-offer", "letter-wording", "local-offer-wording"):
            return None
        if duty == "rights-notice":
            return decision_refs.get(subject)
        if duty in ("response-5-weeks", "response-content", "evaluator-return"):
            return appeal_refs.get(rec_appeal.get(subject))
        return appeal_refs.get(subject.split(":")[0])

    def acts_now(owner: str, table: dict[str, dict]) -> str:
        seen = {owner}
        while True:
            row = table.get(owner, {})
            nxt, since = row.get("successor_code") or None, parse_date(row.get("successor_from"))
            if not nxt or since is None or since > as_of or nxt in seen or nxt not in table:
                return owner
            seen.add(nxt)
            owner = nxt

    # ---- documents: letter templates, Local Offer pages
    templates: dict[str, list[dict]] = {}
    for t in data["letter_templates"]:
        start = parse_date(t.get("in_use_from"))
        words = doc_words(folder / t.get("file", ""))
        if start is None or start > as_of or words is None:
            continue
        t = {
            **t,
            "start": start,
            "end": parse_date(t.get("in_use_to")),
            "types": (t.get("decision_types") or "").split(),
        }
        t["missing"] = missing_statements(words, "decision-letter") if words else None
        templates.setdefault(t["area_code"], []).append(t)
        subject = f"{t['area_code']}:{t['template_id']}"
        if t["types"] and not set(t["types"]) & IN_SCOPE_TYPES or (t["end"] and t["end"] < scope_start):
            continue
        if t["missing"] is None:
            add("letter-wording", subject, t["area_code"], t["area_code"], "data_gap", start, None, reason="no text")
        elif t["missing"]:
            add(
                "letter-wording",
                subject,
                t["area_code"],
                t["area_code"],
                "breached",
                start,
                None,
                reason=", ".join(t["missing"]),
            )
        else:
            add("letter-wording", subject, t["area_code"], t["area_code"], "met", start, start)
    latest: dict[str, list[tuple[_dt.date, list[str] | None]]] = {}
    for pg in data["local_offer_pages"]:
        captured = parse_date(pg.get("captured_on"))
        if captured is None or captured > as_of:
            continue
        pages = latest.setdefault(pg["area_code"], [])
        if pages and pages[0][0] < captured:
            pages.clear()
        if not pages or pages[0][0] == captured:
            pages.append((captured, doc_words(folder / pg.get("file", ""))))
    for code, pages in latest.items():
        if any(w is None for _, w in pages):
            continue
        captured, words = pages[0][0], [w for _, ws in pages for w in [ws] if ws]
        if not words:
            add("local-offer-wording", code, code, code, "data_gap", captured, None, reason="no text")
            continue
        missing = set.intersection(*(set(missing_statements(w, "local-offer")) for w in words))
        if missing:
            add("local-offer-wording", code, code, code, "breached", captured, None, reason=", ".join(sorted(missing)))
        else:
            add("local-offer-wording", code, code, code, "met", captured, captured)

    def template_of(d: dict, ddate: _dt.date) -> dict | None:
        of_area = templates.get(d.get("area_code"), [])
        if d.get("letter_template"):
            return next((t for t in of_area if t["template_id"] == d["letter_template"]), None)
        fits = [
            t
            for t in of_area
            if t["start"] <= ddate
            and (t["end"] is None or ddate <= t["end"])
            and (not t["types"] or d.get("decision_type") in t["types"])
        ]
        return fits[0] if len(fits) == 1 else None

    # ---- rights-notice
    for d in data["decisions"]:
        ddate = parse_date(d.get("decision_date"))
        if ddate is None or ddate > as_of:
            continue
        if d.get("decision_type", "") not in IN_SCOPE_TYPES or ddate < scope_start:
            continue
        rn = parse_bool(d.get("rights_notice"))
        area = d.get("area_code")
        template = template_of(d, ddate)
        lacks = template["missing"] if template else None
        if lacks:
            add("rights-notice", d["decision_id"], area, area, "breached", ddate, ddate, reason="template lacks")
        elif lacks == [] and rn is None:
            add("rights-notice", d["decision_id"], area, area, "met", ddate, ddate)
        elif rn is True:
            add("rights-notice", d["decision_id"], area, area, "met", ddate, ddate)
        elif rn is False:
            add(
                "rights-notice",
                d["decision_id"],
                area,
                area,
                "breached",
                ddate,
                ddate,
                reason="letter without the rights notice",
            )
        else:
            add(
                "rights-notice", d["decision_id"], area, area, "data_gap", ddate, ddate, reason="rights_notice is blank"
            )

    # ---- local-offer
    for a in data["areas"]:
        code = a["area_code"]
        due = p["local_offer_due"]
        done = done_by(parse_date(a.get("rights_published_on")), as_of)
        st, dl = dated_status(due, done, as_of, warn)
        add("local-offer", code, code, code, st, due, done, dl)

    # ---- appeals
    appeals: dict[str, dict] = {}
    for ap in data["appeals"]:
        reg = parse_date(ap.get("registered_on"))
        if reg is None or reg > as_of:
            continue
        dtype = ap.get("decision_type", "")
        ddate = parse_date(ap.get("decision_date"))
        if dtype not in IN_SCOPE_TYPES or ddate is None or ddate < scope_start:
            continue
        health = parse_bool(ap.get("health_issue")) is True
        social = parse_bool(ap.get("social_care_issue")) is True
        if not (health or social):
            continue
        status = ap.get("status", "").lower()
        closed_on = parse_date(ap.get("closed_on"))
        closed = None
        if status in ("withdrawn", "conceded") and closed_on is not None and closed_on <= as_of:
            closed = closed_on
        appeals[ap["appeal_id"]] = {
            "row": ap,
            "area": ap.get("area_code"),
            "health": health,
            "social": social,
            "closed": closed,
            "due": parse_date(ap.get("la_response_due_on")),
            "sent": done_by(parse_date(ap.get("la_response_sent_on")), as_of),
            "hearing": parse_date(ap.get("hearing_on")),
        }

    def removed_by_closure(ap: dict, deadline: _dt.date | None) -> bool:
        return ap["closed"] is not None and deadline is not None and deadline > ap["closed"]

    def closed_undone(ap: dict, deadline: _dt.date | None, done: _dt.date | None) -> str | None:
        """Version 3: a duty not done on a closed appeal is a closed breach when due before closing,
        lapses when due that day; None when the usual reading applies."""
        if ap["closed"] is None or deadline is None or done is not None or deadline > ap["closed"]:
            return None
        return "breached" if deadline < ap["closed"] else "not_applicable"

    evidence_by_appeal: dict[str, list[dict]] = {}
    for ev in data["evidence"]:
        evidence_by_appeal.setdefault(ev["appeal_id"], []).append(ev)

    for aid, ap in appeals.items():
        area = ap["area"]
        due = ap["due"]
        # ---- la-evidence
        if not removed_by_closure(ap, due):
            if due is None:
                add("la-evidence", aid, area, area, "data_gap", None, ap["sent"], reason="la_response_due_on is blank")
            elif closed_undone(ap, due, ap["sent"]):
                add("la-evidence", aid, area, area, closed_undone(ap, due, ap["sent"]), due, None)
            else:
                st, dl = dated_status(due, ap["sent"], as_of, warn)
                add("la-evidence", aid, area, area, st, due, ap["sent"], dl)
        # ---- commissioner-contacted
        for kind, flag in (("health", ap["health"]), ("social_care", ap["social"])):
            if not flag:
                continue
            subject = f"{aid}:{kind}"
            contacted = []
            for ev in evidence_by_appeal.get(aid, []):
                com = commissioners.get(ev["commissioner_code"])
                if com is None or com.get("kind", "").lower() != kind:
                    continue
                c = done_by(parse_date(ev.get("la_contacted_on")), as_of)
                if c is not None:
                    contacted.append(c)
            done = min(contacted) if contacted else None
            if removed_by_closure(ap, due):
                continue
            if due is None:
                add(
                    "commissioner-contacted",
                    subject,
                    area,
                    area,
                    "data_gap",
                    None,
                    done,
                    reason="la_response_due_on is blank",
                )
            elif closed_undone(ap, due, done):
                add("commissioner-contacted", subject, area, area, closed_undone(ap, due, done), due, None)
            else:
                st, dl = dated_status(due, done, as_of, warn)
                add("commissioner-contacted", subject, area, area, st, due, done, dl)
        # ---- per evidence row
        for ev in evidence_by_appeal.get(aid, []):
            code = ev["commissioner_code"]
            subject = f"{aid}:{code}"
            ev_due = parse_date(ev.get("evidence_due_on"))
            if ev_due is not None and not removed_by_closure(ap, ev_due):
                done = done_by(parse_date(ev.get("evidence_provided_on")), as_of)
                closed_status = closed_undone(ap, ev_due, done)
                if closed_status:
                    add("commissioner-evidence", subject, area, code, closed_status, ev_due, None)
                else:
                    st, dl = dated_status(ev_due, done, as_of, warn)
                    add("commissioner-evidence", subject, area, code, st, ev_due, done, dl)
            if parse_bool(ev.get("attendance_required")) is True:
                hearing = ap["hearing"]
                if removed_by_closure(ap, hearing):
                    pass
                elif hearing is None:
                    add("hearing-attendance", subject, area, code, "pending", None, None, reason="no hearing date yet")
                elif hearing > as_of:
                    st, dl = dated_status(hearing, None, as_of, warn)
                    add("hearing-attendance", subject, area, code, st, hearing, None, dl)
                else:
                    att = parse_bool(ev.get("attended"))
                    if att is True:
                        add("hearing-attendance", subject, area, code, "met", hearing, hearing)
                    elif att is False:
                        add(
                            "hearing-attendance",
                            subject,
                            area,
                            code,
                            "breached",
                            hearing,
                            None,
                            reason="hearing missed",
                        )
                    else:
                        add(
                            "hearing-attendance",
                            subject,
                            area,
                            code,
                            "data_gap",
                            hearing,
                            None,
                            reason="attended is blank",
                        )

    # ---- recommendations
    responses = {r["recommendation_id"]: r for r in data["responses"]}
    covid_flagged: set[str] = set()
    for rec in data["recommendations"]:
        aid = rec["appeal_id"]
        ap = appeals.get(aid)
        if ap is None:
            continue
        made = parse_date(rec.get("made_on"))
        if made is None or made > as_of:
            continue
        rid = rec["recommendation_id"]
        kind = rec.get("kind", "").lower()
        owner = rec["commissioner_code"]
        area = ap["area"]
        resp = responses.get(rid, {})
        fam = done_by(parse_date(resp.get("sent_to_family_on")), as_of)
        la = done_by(parse_date(resp.get("sent_to_la_on")), as_of) if kind == "health" else None

        # response-5-weeks
        due = weeks_beginning_with(made, p["response_weeks"])
        if kind == "health":
            done = max(fam, la) if (fam is not None and la is not None) else None
        else:
            done = fam
        st, dl = dated_status(due, done, as_of, warn)
        reason = None
        if st == "late" and (resp.get("exception") or "").strip().lower() == "covid_2020" and cov_a <= due <= cov_b:
            st, dl, reason = "exception", 0, "covid_2020"
            covid_flagged.add(rid)
        add("response-5-weeks", rid, area, owner, st, due, done, dl, reason)

        # response-content
        sent_dates = [d for d in (fam, la) if d is not None]
        if sent_dates:
            first = min(sent_dates)
            steps = parse_bool(resp.get("steps_given"))
            outcome = (resp.get("outcome") or "").strip().lower() or None
            reasons = parse_bool(resp.get("reasons_given"))
            needs_reasons = outcome in ("declined", "partly_accepted")
            if steps is False:
                st, reason = "breached", "steps not given"
            elif needs_reasons and reasons is False:
                st, reason = "breached", "reasons not given"
            elif steps is None:
                st, reason = "data_gap", "steps_given is blank"
            elif outcome is None:
                st, reason = "data_gap", "outcome is blank"
            elif needs_reasons and reasons is None:
                st, reason = "data_gap", "reasons_given is blank"
            else:
                st, reason = "met", None
            add("response-content", rid, area, owner, st, first, first, 0, reason)

        # evaluator-return
        received = la if kind == "health" else fam
        if received is not None and scope_start <= received <= trial_end:
            due = weeks_beginning_with(received, p["return_weeks"])
            done = done_by(parse_date(resp.get("sent_to_evaluators_on")), as_of)
            st, dl = dated_status(due, done, as_of, warn)
            add("evaluator-return", rid, area, area, st, due, done, dl)

    # ---- funding-cap
    claims_by_appeal: dict[str, list[dict]] = {}
    for cl in data["funding_claims"]:
        claims_by_appeal.setdefault(cl["appeal_id"], []).append(cl)
    for aid, ap in appeals.items():
        counted = []
        for cl in claims_by_appeal.get(aid, []):
            cd = parse_date(cl.get("claimed_on"))
            if cd is None or cd > as_of or cd < scope_start or cd > trial_end:
                continue
            counted.append(cl)
        if not counted:
            continue
        total = sum((parse_money(c.get("amount_gbp")) or Decimal(0) for c in counted), Decimal(0))
        legal = [c["claim_id"] for c in counted if c.get("category", "").lower() == "legal"]
        area = ap["area"]
        if total > p["funding_cap_gbp"] or legal:
            bits = []
            if total > p["funding_cap_gbp"]:
                bits.append(f"over the cap by £{total - p['funding_cap_gbp']}")
            if legal:
                bits.append("legal claim " + ", ".join(legal))
            add("funding-cap", aid, area, area, "breached", None, None, 0, "; ".join(bits))
        else:
            add("funding-cap", aid, area, area, "met", None, None, 0)

    # ---- recorded exceptions
    active: set[tuple[str, str]] = set()
    for ex in data["exceptions"]:
        g = parse_date(ex.get("granted_on"))
        e = parse_date(ex.get("expires_on"))
        if g is None or e is None:
            continue
        if g <= as_of <= e:
            active.add((ex.get("duty", ""), ex.get("subject_id", "")))
    for key, f in findings.items():
        if key in active and f["status"] in ("late", "overdue", "breached"):
            f["status"] = "exception"
            f["days_late"] = 0
            f["reason"] = "recorded exception"

    for f in findings.values():
        f["acts_now"] = acts_now(f["owner"], areas if f["owner"] == f["area"] else commissioners)
    return [findings[k] for k in sorted(findings)]


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: python tests/oracle.py FOLDER AS_OF", file=sys.stderr)
        return 2
    as_of = parse_date(argv[2])
    out = {"as_of": as_of.isoformat(), "findings": evaluate(pathlib.Path(argv[1]), as_of)}
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
