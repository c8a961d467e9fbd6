"""How a digest reads: its subject, its sections and the text and HTML parts of the message.

A digest opens with what needs doing today: **Act now** (overdue, most overdue first, then
due within `warning_days`, soonest first), **Escalated**, **For the record** (closed
breaches, counted by duty when there are more than a few), **Resolved**. Dates read
"30 June 2020". Messages carry case references and body names only; the reason
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
from monitor.dates import long_date
from monitor.rules import next_step_in_words
from monitor.statuses import STATUS_LABELS

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "email"
RECORD_LIST_MAX = 3  # more closed breaches of one duty than this are counted, not listed
PRODUCT = "SEND extended appeals"
TEMPLATE_NAMES = {k.template for k in KINDS.values()}


def uk_date(day: date | None) -> str:
    """A date as people read it: 30 June 2020 ("not set" for none)."""
    return long_date(day) if day else "not set"


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
    """Overdue first, most days overdue first; then due soon, fewest days left first."""
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
    heading = f"Case {f['case_ref']}" if f["case_ref"] else f"{item.area.label} (whole area)"
    step, field = next_step_in_words(item.next_step)
    mine = item.acts_for(digest.bodies)
    return {
        "heading": heading,
        "title": item.title,
        "about": " · ".join(item.about) or None,
        "due": uk_date(f["due_on"]),
        "state": _state(f, as_of, f.get("old_status")),
        "status": f["status"],
        "next_step": step,
        "field": field,
        "link": item.link,
        "acts": None if mine else item.acts.label,
        "area": item.area.label if ("area", item.area.code) not in _codes(digest) and f["case_ref"] else None,
        "inherited": (
            f"inherited from {item.inherited[0].label} on {uk_date(item.inherited[1])}" if item.inherited else None
        ),
    }


def _codes(digest: Digest) -> set[tuple[str, str]]:
    return {(b.role, b.code) for b in digest.bodies}


def _record_groups(items: list[Item], digest: Digest, as_of: date) -> list[dict]:
    by_duty: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        by_duty[item.title].append(item)
    groups = []
    for title, members in sorted(by_duty.items()):
        counts: dict[str, int] = defaultdict(int)
        for m in members:
            counts[STATUS_LABELS.get(m.finding["status"], m.finding["status"]).lower()] += 1
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        listed = [_entry(m, digest, as_of) for m in members] if len(members) <= RECORD_LIST_MAX else []
        groups.append({"title": title, "count": len(members), "summary": summary, "entries": listed})
    return groups


def subject(digest: Digest, counts: dict[str, int]) -> str:
    """The bodies' names and each section's count, in the sections' own words."""
    parts = [f"{title}: {counts[key]}" for key, title in SECTIONS if counts.get(key)]
    names = " and ".join(b.name for b in digest.bodies) or digest.address
    return " ".join(f"{names} — {' · '.join(parts)} ({PRODUCT})".split())


def sections(digest: Digest) -> dict[str, list[Item]]:
    """The digest's items by section (for its bodies), each in reading order."""
    views: dict[str, list[Item]] = {key: [] for key, _ in SECTIONS}
    for item in digest.items:
        views[item.filed_under(digest.bodies)].append(item)
    for key in views:
        views[key].sort(key=_sort_key)
    return views


def render_digest(digest: Digest, as_of: date, config: Config, warning_days: int) -> Digest:
    views = sections(digest)
    shown = []
    for key, title in SECTIONS:
        if not views[key]:
            continue
        section = {"key": key, "title": title, "count": len(views[key]), "groups": [], "entries": []}
        if key == "record":
            section["groups"] = _record_groups(views[key], digest, as_of)
        else:
            section["entries"] = [_entry(i, digest, as_of) for i in views[key]]
        shown.append(section)
    digest.subject = subject(digest, {key: len(items) for key, items in views.items()})
    context = {
        "subject": digest.subject,
        "as_of": uk_date(as_of),
        "sections": shown,
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
