"""What an incremental check re-evaluates: every subject whose finding can have changed.

After a previous check (same rule versions, as-of date not later), a finding can
change only if:

1. a record it uses was created or changed by an import the previous check did not
   see. The subjects a record links to are read from its values **now and as they
   were** before those imports (the audit log's old values), so a record that moves
   (a claim to another appeal, an exception to another subject or duty, a
   recommendation to another appeal) re-evaluates the subject it left as well as the
   one it joined. `LINKS` says, for every record type, which subjects its values
   link to — the one place that knows;
2. a date of one of its records falls in (previous as-of, as-of]: records coming
   into existence, things done, hearings, closures, claims;
3. a recorded exception comes into force or expires in between;
4. its status is open (`pending`, `due_soon`, `overdue`), which moves with the date alone.

Records (1–3) make every duty judging them re-evaluate; an open finding (4) only its own duty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.engine import Connection

from monitor.db import chunks
from monitor.facts import KEY_KINDS, subject_keys
from monitor.models import AuditEntry, CheckRun, Decision, Evidence, Finding, Recommendation, RecordedException
from monitor.records import BY_NAME
from monitor.rules import Rule
from monitor.statuses import OPEN_STATUSES

KINDS = ("decision", "area", "appeal", "recommendation", "template")  # what obligation keys identify

Dirty = dict[str, set[str]]  # key kind -> record keys
ByDuty = dict[str, set[str]]  # duty -> the record keys of its obligations to re-evaluate

# record type -> the (key kind, key) its values link to. Exceptions link through their
# duty (see `_exception_links`); a commissioner through the evidence rows naming it
# (its kind decides which of an appeal's contacts it counts for).
LINKS: dict[str, Callable[[Mapping], Iterable[tuple[str, str]]]] = {
    "areas": lambda v: [("area", v["area_code"])],
    "commissioners": lambda v: [("commissioner", v["commissioner_code"])],
    "decisions": lambda v: [("decision", v["decision_id"])],
    "appeals": lambda v: [("appeal", v["appeal_id"]), ("appeal_recommendations", v["appeal_id"])],
    "evidence": lambda v: [("appeal", v["appeal_id"])],
    "recommendations": lambda v: [("recommendation", v["recommendation_id"])],
    "responses": lambda v: [("recommendation", v["recommendation_id"])],
    "funding_claims": lambda v: [("appeal", v["appeal_id"])],
    "exceptions": lambda v: [("exception", f"{v['duty']}\x00{v['subject_id']}")],
    # a template (its dates, its document) can change which template each decision of its
    # area was made from, and so every such decision's rights-notice
    "letter_templates": lambda v: [
        ("template", f"{v['area_code']}:{v['template_id']}"),
        ("area_decisions", v["area_code"]),
    ],
    "local_offer_pages": lambda v: [("area", v["area_code"])],
}

# record type -> its date columns: a date in (previous as-of, as-of] can change a finding
DATES: dict[str, tuple[str, ...]] = {
    "decisions": ("decision_date",),
    "areas": ("rights_published_on",),
    "appeals": ("registered_on", "la_response_due_on", "la_response_sent_on", "hearing_on", "closed_on"),
    "evidence": ("la_contacted_on", "evidence_due_on", "evidence_provided_on"),
    "funding_claims": ("claimed_on",),
    "recommendations": ("made_on",),
    "responses": ("sent_to_family_on", "sent_to_la_on", "sent_to_evaluators_on"),
    "letter_templates": ("in_use_from", "in_use_to"),
    "local_offer_pages": ("captured_on",),
}


def plan(conn: Connection, rules: dict[str, Rule], as_of: date, previous: CheckRun | None) -> ByDuty | None:
    """The record keys to re-evaluate, by duty; None when the check must be full."""
    versions = {r.id: r.version for r in rules.values()}
    if previous is None or previous.rule_versions != versions or as_of < previous.as_of:
        return None
    links: set[tuple[str, str]] = set()
    links |= changed_links(conn, previous.last_batch)
    links |= dated_links(conn, previous.as_of, as_of)
    return _resolve(conn, rules, links, previous.as_of, as_of)


def changed_links(
    conn: Connection, batch: int, before: dict[tuple[str, str], dict] | None = None
) -> set[tuple[str, str]]:
    """What the records created or changed after import `batch` link to, now and before
    (`before`: their `old_values`, when the caller has read them)."""
    found: set[tuple[str, str]] = set()
    if before is None:
        before = old_values(conn, batch)
    for name, link in LINKS.items():
        rtype = BY_NAME[name]
        t = rtype.model.__table__
        for row in conn.execute(select(t).where(t.c.updated_batch > batch)).mappings():
            found.update(link(row))
            old = before.get((name, ":".join(str(row[k]) for k in rtype.key)))
            if old and (row["created_batch"] or 0) <= batch:
                found.update(link({**row, **old}))
    return found


def old_values(conn: Connection, batch: int) -> dict[tuple[str, str], dict]:
    """Each changed record's values as the previous check saw them: the old value of the first
    change to each column after `batch`."""
    a = AuditEntry.__table__
    old: dict[tuple[str, str], dict] = {}
    stmt = select(a.c.record_type, a.c.record_key, a.c.column, a.c.old_value).where(a.c.batch_id > batch)
    for record_type, record_key, column, value in conn.execute(stmt.order_by(a.c.id)):
        old.setdefault((record_type, record_key), {}).setdefault(column, value)
    return old


def dated_links(conn: Connection, since: date, as_of: date) -> set[tuple[str, str]]:
    """What records with a date in (since, as_of], and exceptions starting or ending in between, link to."""
    found: set[tuple[str, str]] = set()
    for name, columns in DATES.items():
        t = BY_NAME[name].model.__table__
        window = or_(*[and_(t.c[c] > since, t.c[c] <= as_of) for c in columns])
        for row in conn.execute(select(t).where(window)).mappings():
            found.update(LINKS[name](row))
    x = RecordedException.__table__
    stmt = select(x).where(
        or_(
            and_(x.c.granted_on > since, x.c.granted_on <= as_of), and_(x.c.expires_on >= since, x.c.expires_on < as_of)
        )
    )
    for row in conn.execute(stmt).mappings():
        found.update(LINKS["exceptions"](row))
    return found


def _resolve(conn: Connection, rules: dict[str, Rule], links: set[tuple[str, str]], since: date, as_of: date) -> ByDuty:
    """Turn links into obligation keys by kind, then by duty: those of its kind, and the
    keys of its own open findings."""
    dirty = linked_keys(conn, rules, links)
    kind_of = {rule.id: KEY_KINDS[rule.obligation] for rule in rules.values()}
    by_duty: ByDuty = {duty: set(dirty[kind]) for duty, kind in kind_of.items()}
    f = Finding.__table__
    for duty, key in conn.execute(select(f.c.duty, f.c.record_key).where(f.c.status.in_(OPEN_STATUSES))):
        if duty in by_duty:
            by_duty[duty].add(key)
    return by_duty


def linked_keys(conn: Connection, rules: dict[str, Rule], links: set[tuple[str, str]]) -> Dirty:
    """The obligation keys, by key kind, of the subjects `links` (from `changed_links`) reach."""
    dirty: Dirty = {kind: set() for kind in KINDS}
    kind_of = {rule.id: KEY_KINDS[rule.obligation] for rule in rules.values()}
    commissioners, appeals_of_recs, areas_of_decisions = set(), set(), set()
    for kind, key in links:
        if kind in dirty:
            dirty[kind].add(key)
        elif kind == "commissioner":
            commissioners.add(key)
        elif kind == "appeal_recommendations":
            appeals_of_recs.add(key)
        elif kind == "area_decisions":
            areas_of_decisions.add(key)
        elif kind == "exception":
            duty, subject = key.split("\x00", 1)
            if duty in kind_of:
                dirty[kind_of[duty]].update(subject_keys(subject))
    e, r = Evidence.__table__, Recommendation.__table__
    for chunk in chunks(sorted(commissioners)):  # a commissioner's kind decides the contacts it counts for
        dirty["appeal"].update(
            conn.execute(select(e.c.appeal_id).where(e.c.commissioner_code.in_(chunk)).distinct()).scalars()
        )
    for chunk in chunks(sorted(appeals_of_recs)):  # recommendations take scope, area and date from their appeal
        dirty["recommendation"].update(
            conn.execute(select(r.c.recommendation_id).where(r.c.appeal_id.in_(chunk))).scalars()
        )
    d = Decision.__table__
    for chunk in chunks(sorted(areas_of_decisions)):  # a template's area's decisions may be made from it
        dirty["decision"].update(conn.execute(select(d.c.decision_id).where(d.c.area_code.in_(chunk))).scalars())
    return dirty
