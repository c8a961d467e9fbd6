"""How a digest reads: its subject, its sections and the text and HTML parts of the message.

A digest opens with what needs doing today: **Act now** (overdue, most overdue first, then
due within `warning_days`, soonest first), **Escalated**, **For the record** (closed
breaches, counted by duty when there are more than a few), **Resolved**. Dates read as on
the site ("30 Jun 2020"). Messages carry case references and body names only; the reason
of an exception (which names who granted it) is never included. The notices' messages are
written with the same templates environment (`notices`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from monitor.alerts.kinds import KINDS, SECTIONS
from monitor.alerts.recipients import Digest, Item, link
from monitor.config import Config

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "email"
RECORD_LIST_MAX = 3  # more closed breaches of one duty than this are counted, not listed
PRODUCT = "SEND extended appeals"
TEMPLATE_NAMES = {k.template for k in KINDS.values()}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def uk_date(day: date | None) -> str:
    """A date as the site writes it: 30 Jun 2020."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}" if day else "not set"


def plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word if n == 1 else (words or word + 's')}"


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
        return plural(f["days_late"], "day") + " overdue"
    if status == "due_soon":
        days = (f["due_on"] - as_of).days if f["due_on"] else None
        if days is None:  # a rule may call a duty due soon without its deadline
            return "due soon"
        return "due today" if days == 0 else f"{plural(days, 'day')} left"
    if status == "late":
        return f"done {uk_date(f['done_on'])}, {plural(f['days_late'], 'day')} late"
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
            parts.append(plural(len(views["record"]), "breach", "breaches") + " for the record")
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
        "site": link(config.site_url, ""),
    }
    return write(digest, context)


def write(message: Digest, context: dict) -> Digest:
    """Fill in the message's text and HTML parts from its templates (a message's kind names them:
    `digest` for the events' digests, a notice's own)."""
    template = message.kind
    assert template in TEMPLATE_NAMES, template
    message.text = _env.get_template(f"{template}.txt").render(context)
    message.html = _env.get_template(f"{template}.html").render(context)
    return message
