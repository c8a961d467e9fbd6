"""The alert kinds, as one table: what each is, how it ranks, where a digest files it, and
the e-mail template its message is written with.

Finding events (one per duty, subject, kind and day; see `events`) go into the digest of
the body that acts now, filed under the most important new event (`priority`, lowest
first) in its `section` (a closed breach for the record); an open item copied to another
body (an escalation to the area's SEND lead) is "escalated to you" in that body's digest.
Notices are messages of their own. A new e-mail kind is one row here and its
two templates (`templates/email/NAME.txt` and `.html`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str
    priority: int  # an item is filed under its most important new event: lowest first
    section: str | None  # the digest section of an open item of this kind (None: a notice)
    template: str  # the message it goes out in: templates/email/<template>.txt and .html


SECTIONS = (
    ("act_now", "Act now"),
    ("escalated", "Escalated to you"),
    ("record", "For the record"),
    ("resolved", "Resolved"),
)

KINDS = {
    k.name: k
    for k in (
        Kind("escalation", 0, "act_now", "digest"),
        Kind("inherited", 1, "act_now", "digest"),
        Kind("breach", 2, "act_now", "digest"),
        Kind("reminder", 3, "act_now", "digest"),
        Kind("due_soon", 4, "act_now", "digest"),
        Kind("resolution", 5, "resolved", "digest"),
        Kind("export_failed", 6, None, "export_failed"),
        Kind("quiet_area", 7, None, "quiet_area"),
        Kind("quiet_summary", 8, None, "quiet_summary"),
    )
}
EVENT_KINDS = tuple(k.name for k in KINDS.values() if k.section is not None)  # most important first
OPEN = ("overdue", "due_soon")  # someone can still act on it
CLOSED = ("late", "breached")  # a breach that can no longer be put right goes "for the record"


def leading(kinds: set[str]) -> Kind:
    """The most important of an item's new events."""
    return min((KINDS[k] for k in kinds), key=lambda k: k.priority)


def section_of(kinds: set[str], status: str) -> str:
    """Where a digest files an item: under its leading event's section; a closed breach for the record."""
    kind = leading(kinds)
    if kind.section == "act_now" and status in CLOSED:
        return "record"
    assert kind.section is not None  # finding events all have a section
    return kind.section
