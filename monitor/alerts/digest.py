"""Who gets what, and how it reads: one digest per recipient address, plus the notices.

Open items (due soon, overdue, escalations, inherited breaches) go to the body that acts
now (`acts_now`: the owner named in the records, or its successor after a merger); so do
closed breaches and resolutions, since that body now answers for the duty's record. An
escalation is also copied to the area's SEND lead (the send_team_email of the area, or of
its successor). A body without a usable address is reported; its items are kept and go
out once the address is set.

A digest opens with what needs doing today: **Act now** (overdue, most overdue first, then
due within `warning_days`, soonest first), **Escalated**, **For the record** (closed
breaches, counted by duty when there are more than a few), **Resolved**. Dates read as on
the site ("30 Jun 2020"). Messages carry case references and body names only; the reason
of an exception (which names who granted it) is never included.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from monitor.alerts.events import KINDS, Event, ExportFailure, QuietArea, finding_events
from monitor.config import Config
from monitor.findings import areas_and_commissioners
from monitor.paths import explanation_path
from monitor.successors import Successors

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "email"
SECTIONS = (("act_now", "Act now"), ("escalated", "Escalated"), ("record", "For the record"), ("resolved", "Resolved"))
RECORD_LIST_MAX = 3  # more closed breaches of one duty than this are counted, not listed
PRODUCT = "SEND extended appeals"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ADDRESS = re.compile(r"[^@\s<>()\[\],;:\"\\]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")


def uk_date(day: date | None) -> str:
    """A date as the site writes it: 30 Jun 2020."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}" if day else "not set"


def valid_address(address: str | None) -> bool:
    """One plain e-mail address: no display name, list, spaces or control characters."""
    if not address:
        return False
    return _ADDRESS.fullmatch(address) is not None and address.isprintable()


def _plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word if n == 1 else (words or word + 's')}"


@dataclass(frozen=True)
class Body:
    """An area or a commissioner: who must act, and where its alerts go."""

    code: str
    name: str
    role: str  # "area", "commissioner", or "owner" (not in the records)
    address: str | None

    @property
    def label(self) -> str:
        return self.name if self.name == self.code or self.code in self.name else f"{self.name} ({self.code})"

    @property
    def column(self) -> str:
        return {"area": "send_team_email", "commissioner": "contact_email"}.get(self.role, "record")

    @property
    def usable(self) -> str | None:
        return self.address if valid_address(self.address) else None

    @property
    def problem(self) -> str:
        if self.role == "owner":
            return "is not in areas.csv or commissioners.csv"
        if not self.address:
            return f"has no {self.column}"
        return f"has an unusable {self.column} (one address, no spaces, line breaks or lists)"


class Directory:
    """The areas and commissioners with their addresses and successors, read once."""

    def __init__(self, conn):
        areas, commissioners = areas_and_commissioners(conn)
        self.areas = {
            a["area_code"]: Body(a["area_code"], a["name"], "area", _clean(a["send_team_email"])) for a in areas
        }
        self.commissioners = {
            c["commissioner_code"]: Body(c["commissioner_code"], c["name"], "commissioner", _clean(c["contact_email"]))
            for c in commissioners
        }
        self.successors = Successors.load(conn)

    def body(self, code: str, finding: dict) -> Body:
        """The body `code` (a finding's owner or acts_now) names: an area for the LA's duties
        (owned by the area's code, as successors.py reads them), else a commissioner."""
        table = self.areas if finding["owner"] == finding["area"] else self.commissioners
        return table.get(code) or Body(code, code, "owner", None)

    def area(self, code: str) -> Body:
        return self.areas.get(code) or Body(code, code, "area", None)

    def send_lead(self, area: str, on: date) -> Body:
        """The SEND lead of an area on a date: its own, or its successor's after a merger."""
        return self.area(self.successors.acts_now(area, area, on))

    def handover(self, finding: dict, on: date) -> tuple[Body, date] | None:
        """(the owner in the records, the day its duty reached the body acting now), if they differ."""
        hops = self.successors.chain(finding["owner"], finding["area"], on)
        return (self.body(finding["owner"], finding), hops[-1].on) if hops else None

    def inherited_from(self, body: Body, on: date) -> list[tuple[Body, date]]:
        """The bodies whose duties `body` holds on `on` through successors, with the day they reached it."""
        table = self.successors.areas if body.role == "area" else self.successors.commissioners
        bodies = self.areas if body.role == "area" else self.commissioners
        out = []
        for code in table:
            if code == body.code:
                continue
            hops = self.successors.chain(code, code if body.role == "area" else None, on)
            if hops and hops[-1].to_body.code == body.code:
                out.append((bodies[code], hops[-1].on))
        return sorted(out, key=lambda x: (x[1], x[0].code))

    def current_areas(self, on: date) -> set[str]:
        return {code for code in self.areas if self.successors.acts_now(code, code, on) == code}


def _clean(address: str | None) -> str | None:
    return (address or "").strip() or None


@dataclass
class Item:
    """One finding in a digest, under its most important new event."""

    finding: dict
    kind: str
    events: list[Event]
    section: str
    acts: Body  # the body that acts now
    area: Body
    title: str
    next_step: str
    link: str
    inherited: tuple[Body, date] | None = None
    targets: list[Body] = field(default_factory=list)

    @property
    def recipients(self) -> list[str]:
        return list(dict.fromkeys(b.usable for b in self.targets if b.usable))

    @property
    def unaddressed(self) -> list[Body]:
        return [b for b in self.targets if not b.usable]


@dataclass
class Digest:
    """One message: a digest of items, or a notice (export failure, quiet area)."""

    address: str
    bodies: list[Body]
    items: list[Item] = field(default_factory=list)
    kind: str = "digest"
    subject: str = ""
    text: str = ""
    html: str = ""
    attachments: list[dict] = field(default_factory=list)
    notes: list[tuple[Body, Body, date]] = field(default_factory=list)  # (heir, from, on): handovers announced
    notice_keys: list[tuple[str, str]] = field(default_factory=list)  # (kind, key) recorded with the message


@dataclass
class Unaddressed:
    """A body that should receive alerts but has no usable address in the records."""

    body: Body
    items: int
    pending: bool  # True: nothing could be sent, the items are kept for a later run

    def __str__(self) -> str:
        b = self.body
        fix = "corrected" if b.address else "set"
        what = (
            f"{self.items} item(s) kept until it is {fix}" if self.pending else f"{self.items} item(s) not copied to it"
        )
        return f"{b.role} {b.code} ({b.name}) {b.problem}: {what}"


def _section(kinds: set[str], status: str) -> str:
    if "escalation" in kinds:
        return "escalated"
    if status in ("overdue", "due_soon"):
        return "act_now"
    return "record" if status in ("late", "breached") else "resolved"


def plan_items(
    directory: Directory, findings: list[dict], as_of: date, sent: set[tuple], config: Config, rules: dict
) -> list[Item]:
    """The findings with events not yet sent, as items with the bodies they go to."""
    items = []
    for f in findings:
        handover = directory.handover(f, as_of) if f["acts_now"] != f["owner"] else None
        new = [
            e for e in finding_events(f, as_of, config.alerts, handover[1] if handover else None) if e.key not in sent
        ]
        if not new:
            continue
        rule = rules.get(f["duty"])
        kinds = {e.kind for e in new}
        item = Item(
            finding=f,
            kind=min(kinds, key=KINDS.index),
            events=new,
            section=_section(kinds, f["status"]),
            acts=directory.body(f["acts_now"], f),
            area=directory.area(f["area"]),
            title=rule.short_title if rule else f["duty"],
            next_step=rule.next_step_at(f["rule_row"]) if rule else "",
            link=_link(config.site_url, explanation_path(f["area"], f["duty"], f["subject"])),
            inherited=handover,
        )
        item.targets.append(item.acts)
        if "escalation" in kinds:
            lead = directory.send_lead(f["area"], as_of)
            if lead.code != item.acts.code or lead.role != item.acts.role:
                item.targets.append(lead)
        items.append(item)
    return items


def unaddressed(items: list[Item]) -> list[Unaddressed]:
    tally: dict[tuple[str, str], Unaddressed] = {}
    for item in items:
        for body in item.unaddressed:
            entry = tally.setdefault((body.role, body.code), Unaddressed(body, 0, True))
            entry.items += 1
            entry.pending = entry.pending and not item.recipients
    return [tally[k] for k in sorted(tally)]


def _link(site_url: str, path: str) -> str:
    return f"{site_url.rstrip('/')}/{path}" if site_url else path


# --- rendering ----------------------------------------------------------------------------------

_env = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=select_autoescape(enabled_extensions=("html",), disabled_extensions=("txt",), default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def _state(f: dict, as_of: date, old_status: str | None) -> str:
    status = f["status"]
    if status == "overdue":
        return _plural(f["days_late"], "day") + " overdue"
    if status == "due_soon":
        days = (f["due_on"] - as_of).days if f["due_on"] else None
        if days is None:  # a rule may call a duty due soon without its deadline
            return "due soon"
        return "due today" if days == 0 else f"{_plural(days, 'day')} left"
    if status == "late":
        return f"done {uk_date(f['done_on'])}, {_plural(f['days_late'], 'day')} late"
    if status == "breached":
        return "not done as the duty requires"
    return f"now {'met' if status == 'met' else 'covered by an exception'} (was {old_status or 'a breach'})"


def _sort_key(item: Item) -> tuple:
    f = item.finding
    overdue = f["status"] == "overdue"
    return (
        0 if overdue else 1,
        -(f["days_late"] or 0) if overdue else 0,
        f["due_on"] or date.max,
        f["case_ref"] or "",
        f["duty"],
        f["subject"],
    )


def _entry(item: Item, digest: Digest, as_of: date) -> dict:
    f = item.finding
    codes = {(b.role, b.code) for b in digest.bodies}
    heading = f"Case {f['case_ref']}" if f["case_ref"] else f"{item.area.label} (whole area)"
    return {
        "heading": heading,
        "title": item.title,
        "due": uk_date(f["due_on"]),
        "state": _state(f, as_of, f.get("old_status")),
        "status": f["status"],
        "next_step": item.next_step,
        "link": item.link,
        "acts": item.acts.label if (item.acts.role, item.acts.code) not in codes else None,
        "area": item.area.label if ("area", item.area.code) not in codes and f["case_ref"] else None,
        "inherited": (
            f"inherited from {item.inherited[0].label} on {uk_date(item.inherited[1])}" if item.inherited else None
        ),
    }


def _record_groups(items: list[Item], digest: Digest, as_of: date) -> list[dict]:
    by_duty: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        by_duty[item.title].append(item)
    groups = []
    for title, members in sorted(by_duty.items()):
        counts: dict[str, int] = defaultdict(int)
        for m in members:
            counts[m.finding["status"]] += 1
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        listed = [_entry(m, digest, as_of) for m in members] if len(members) <= RECORD_LIST_MAX else []
        groups.append({"title": title, "count": len(members), "summary": summary, "entries": listed})
    return groups


def _subject(digest: Digest, views: dict[str, list[Item]], warning_days: int) -> str:
    """The bodies' names and what needs action now: their own overdue and due-soon items, then
    breaches of others escalated to them; otherwise what is there for the record."""
    own = {(b.role, b.code) for b in digest.bodies}
    opened = views["act_now"] + views["escalated"]
    mine = [i for i in opened if (i.acts.role, i.acts.code) in own]
    overdue = sum(1 for i in mine if i.finding["status"] == "overdue")
    due = len(mine) - overdue
    copies = len(opened) - len(mine)
    parts = []
    if overdue:
        parts.append(f"{overdue} overdue")
    if due:
        parts.append(f"{due} due " + ("this week" if warning_days == 7 else f"within {warning_days} days"))
    if copies:
        parts.append(f"{copies} escalated to you")
    if not parts:
        if views["record"]:
            parts.append(_plural(len(views["record"]), "breach", "breaches") + " for the record")
        if views["resolved"]:
            parts.append(f"{len(views['resolved'])} resolved")
    names = " and ".join(b.name for b in digest.bodies) or digest.address
    return " ".join(f"{names} — {', '.join(parts)} ({PRODUCT})".split())


def render_digest(digest: Digest, as_of: date, config: Config, warning_days: int) -> Digest:
    views: dict[str, list[Item]] = {key: [] for key, _ in SECTIONS}
    for item in digest.items:
        views[item.section].append(item)
    for key in views:
        views[key].sort(key=_sort_key)
    sections = []
    for key, title in SECTIONS:
        if not views[key]:
            continue
        section = {"key": key, "title": title, "count": len(views[key]), "groups": [], "entries": []}
        if key == "record":
            section["groups"] = _record_groups(views[key], digest, as_of)
        else:
            section["entries"] = [_entry(i, digest, as_of) for i in views[key]]
        sections.append(section)
    digest.subject = _subject(digest, views, warning_days)
    context = {
        "subject": digest.subject,
        "as_of": uk_date(as_of),
        "sections": sections,
        "notes": [
            f"{heir.label} now holds the duties of {old.label}, inherited on {uk_date(on)}; "
            f"each inherited item below says so."
            for heir, old, on in digest.notes
        ],
        "escalate_after_days": config.alerts.escalate_after_days,
        "reminder_days": config.alerts.reminder_days,
        "warning_days": warning_days,
        "site": _link(config.site_url, ""),
    }
    digest.text = _env.get_template("digest.txt").render(context)
    digest.html = _env.get_template("digest.html").render(context)
    return digest


def build_digests(
    items: list[Item], directory: Directory, announced: set[str], as_of: date, config: Config, warning_days: int
) -> list[Digest]:
    """One digest per recipient address, with every item addressed to it."""
    by_address: dict[str, Digest] = {}
    for item in items:
        for body in item.targets:
            if not body.usable:
                continue
            digest = by_address.setdefault(body.usable, Digest(body.usable, []))
            if item not in digest.items:
                digest.items.append(item)
            if body not in digest.bodies:
                digest.bodies.append(body)
    for digest in by_address.values():
        for body in digest.bodies:
            for old, on in directory.inherited_from(body, as_of):
                key = handover_key(body, old, on)
                if key not in announced:
                    digest.notes.append((body, old, on))
                    digest.notice_keys.append(("handover", key))
    return [render_digest(by_address[a], as_of, config, warning_days) for a in sorted(by_address)]


def handover_key(heir: Body, old: Body, on: date) -> str:
    return f"handover:{heir.role}:{old.code}>{heir.code}:{on.isoformat()}"


# --- notices ------------------------------------------------------------------------------------


def export_failure_notice(
    failure: ExportFailure, directory: Directory, config: Config
) -> tuple[Digest | None, Body | None]:
    """The e-mail about a failed export: to the area's SEND team, else to the administrator.

    Returns (message, None), or (None, the area without a usable address) when neither can be reached."""
    area = directory.areas.get(failure.area) if failure.area else None
    if area is not None and area.usable:
        address, bodies = area.usable, [area]
    elif valid_address(config.alerts.admin_email):
        address, bodies = config.alerts.admin_email, []
    else:
        return None, area or Body(failure.area or "?", failure.area or "an unknown area", "area", None)
    attachments, missing = [], False
    if failure.report:
        try:
            content = Path(failure.report).read_text(encoding="utf-8")
            attachments.append({"filename": Path(failure.report).name, "content_type": "text/csv", "content": content})
        except (OSError, UnicodeDecodeError):
            missing = True
    who = area.name if area else (f"Area {failure.area}" if failure.area else "An export of unknown area")
    context = {
        "who": who,
        "at": uk_date(failure.at.date()),
        "time": failure.at.strftime("%H:%M UTC"),
        "problems": failure.problems,
        "attached": bool(attachments),
        "missing": missing,
        "to_admin": not bodies,
        "area": failure.area,
    }
    digest = Digest(
        address,
        bodies,
        kind="export_failed",
        subject=f"{who} — export not imported: {_plural(failure.problems, 'problem')} to fix ({PRODUCT})",
        attachments=attachments,
        notice_keys=[("export_failed", failure.key)],
    )
    digest.text = _env.get_template("export_failed.txt").render(context)
    digest.html = _env.get_template("export_failed.html").render(context)
    return digest, None


def quiet_notices(
    quiet: list[QuietArea], announced: set[str], directory: Directory, config: Config, now_day: date
) -> tuple[list[Digest], list[Body]]:
    """One reminder per quiet area (once per quiet spell) and the administrator's daily summary."""
    days = config.alerts.quiet_after_days
    out, unreachable = [], []
    for q in quiet:
        if q.key() in announced:
            continue
        area = directory.area(q.code)
        if not area.usable:
            unreachable.append(area)
            continue
        context = {
            "who": area.name,
            "last": uk_date(q.last_import.date()),
            "days": days,
            "since": (now_day - q.last_import.date()).days,
        }
        digest = Digest(
            area.usable,
            [area],
            kind="quiet_area",
            subject=f"{area.name} — no records received for {context['since']} days ({PRODUCT})",
            notice_keys=[("quiet_area", q.key())],
        )
        digest.text = _env.get_template("quiet_area.txt").render(context)
        digest.html = _env.get_template("quiet_area.html").render(context)
        out.append(digest)
    summary_key = f"quiet-summary:{now_day.isoformat()}"
    if quiet and valid_address(config.alerts.admin_email) and summary_key not in announced:
        rows: list[dict[str, Any]] = [
            {
                "area": directory.area(q.code).label,
                "last": uk_date(q.last_import.date()),
                "since": (now_day - q.last_import.date()).days,
            }
            for q in quiet
        ]
        rows.sort(key=lambda r: -r["since"])
        context = {"rows": rows, "days": days, "today": uk_date(now_day)}
        digest = Digest(
            config.alerts.admin_email,
            [],
            kind="quiet_summary",
            subject=f"{_plural(len(rows), 'area')} gone quiet ({PRODUCT}, {uk_date(now_day)})",
            notice_keys=[("quiet_summary", summary_key)],
        )
        digest.text = _env.get_template("quiet_summary.txt").render(context)
        digest.html = _env.get_template("quiet_summary.html").render(context)
        out.append(digest)
    return out, unreachable
