"""Who gets what: the bodies (areas and commissioners) and their addresses, the items a
check's new events make, and one message per recipient address.

Open items (due soon, overdue, escalations, inherited breaches) go to the body that acts
now (`acts_now`: the owner named in the records, or its successor after a merger); so do
closed breaches and resolutions, since that body now answers for the duty's record. An
escalation is also copied to the area's SEND lead (the send_team_email of the area, or of
its successor). A body without a usable address is reported; its items are kept and go
out once the address is set. A body that took over another's duties is told so once, in
its next digest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from monitor.addresses import valid_address
from monitor.alerts.events import Event, finding_events
from monitor.alerts.kinds import OPEN, leading, section_of
from monitor.config import Config
from monitor.findings import areas_and_commissioners
from monitor.models import Recommendation
from monitor.paths import explanation_path
from monitor.successors import Successors

KIND_LABELS = {"health": "Health", "social_care": "Social care"}
_EITHER = re.compile(r"health or social care", re.I)
_NAMED = re.compile(r"\b(health|social care)\b", re.I)


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
        self.kinds = {c["commissioner_code"]: c["kind"] for c in commissioners}  # health or social_care
        self.successors = Successors.load(conn)
        self.recommendations: dict[str, tuple[str, str]] = {}  # id -> (kind, commissioner), see `about`

    def load_recommendations(self, conn, ids: set[str]) -> None:
        """The kind and commissioner of the recommendations `ids` (the findings' record keys)."""
        r = Recommendation.__table__
        wanted = sorted(ids)
        for start in range(0, len(wanted), 1000):
            chunk = wanted[start : start + 1000]
            rows = conn.execute(
                select(r.c.recommendation_id, r.c.kind, r.c.commissioner_code).where(r.c.recommendation_id.in_(chunk))
            )
            self.recommendations.update({rid: (kind, code) for rid, kind, code in rows})

    def about(self, finding: dict) -> tuple[str | None, Body | None]:
        """What a finding is about beyond its duty: the kind (health or social_care) and the
        commissioner, where its subject or its recommendation names them."""
        kind, code = None, None
        suffix = finding["subject"].rpartition(":")[2] if ":" in finding["subject"] else None
        if suffix in KIND_LABELS:
            kind = suffix
        elif suffix in self.commissioners:
            code = suffix
        if finding.get("record_key") in self.recommendations:
            kind, code = self.recommendations[finding["record_key"]]
        if code is not None and kind is None:
            kind = self.kinds.get(code)
        return kind, self.commissioners.get(code) if code else None

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
    section: str  # the section of the body that acts now (`filed_under` for another recipient)
    acts: Body  # the body that acts now
    area: Body
    title: str  # the duty, for this subject: "Health lead contacted"
    next_step: str
    link: str
    inherited: tuple[Body, date] | None = None
    targets: list[Body] = field(default_factory=list)
    about: list[str] = field(default_factory=list)  # the kind, when the title does not say it; the commissioner

    def acts_for(self, bodies: list[Body]) -> bool:
        """Whether the body that acts now is one of `bodies` (a digest's)."""
        return any((b.role, b.code) == (self.acts.role, self.acts.code) for b in bodies)

    def filed_under(self, bodies: list[Body]) -> str:
        """The section of a digest to `bodies`: an open item they do not act on is escalated to them."""
        if self.finding["status"] in OPEN and not self.acts_for(bodies):
            return "escalated"
        return self.section

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


def titled(title: str, kind: str | None) -> str:
    """A duty's title for one kind: "Health or social care lead contacted" → "Health lead contacted"."""
    label = KIND_LABELS.get(kind or "")
    if label is None:
        return title
    return _EITHER.sub(lambda m: label if m.start() == 0 else label.lower(), title, count=1)


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
        kind, commissioner = directory.about(f)
        title = titled(rule.short_title if rule else f["duty"], kind)
        about = [KIND_LABELS.get(kind, kind)] if kind and not _NAMED.search(title) else []
        if commissioner is not None:
            about.append(commissioner.label)
        item = Item(
            finding=f,
            kind=leading(kinds).name,
            events=new,
            section=section_of(kinds, f["status"]),
            acts=directory.body(f["acts_now"], f),
            area=directory.area(f["area"]),
            title=title,
            next_step=rule.next_step_at(f["rule_row"]) if rule and f["status"] in OPEN else "",
            link=link(config.site_url, explanation_path(f["area"], f["duty"], f["subject"])),
            inherited=handover,
            about=about,
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


def link(site_url: str, path: str) -> str:
    return f"{site_url.rstrip('/')}/{path}" if site_url else path


def by_address(items: list[Item], directory: Directory, announced: set[str], as_of: date) -> list[Digest]:
    """One digest per recipient address (in address order), with every item addressed to it and
    the handovers not yet announced to its bodies."""
    found: dict[str, Digest] = {}
    for item in items:
        for body in item.targets:
            if not body.usable:
                continue
            digest = found.setdefault(body.usable, Digest(body.usable, []))
            if item not in digest.items:
                digest.items.append(item)
            if body not in digest.bodies:
                digest.bodies.append(body)
    for digest in found.values():
        for body in digest.bodies:
            for old, on in directory.inherited_from(body, as_of):
                key = handover_key(body, old, on)
                if key not in announced:
                    digest.notes.append((body, old, on))
                    digest.notice_keys.append(("handover", key))
    return [found[a] for a in sorted(found)]


def handover_key(heir: Body, old: Body, on: date) -> str:
    return f"handover:{heir.role}:{old.code}>{heir.code}:{on.isoformat()}"
