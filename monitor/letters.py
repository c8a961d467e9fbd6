"""The "Letters and Local Offer" section of an area's page and of the inspector report: the
area's decision-letter templates in use by the as-of date, what each lacks (its
`letter-wording` finding), how many decisions were made from each, and its latest Local
Offer capture (its `local-offer-wording` finding). Read from the store's findings."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, select
from sqlalchemy.engine import Connection

from monitor.models import Decision, Finding, LocalOfferPage
from monitor.obligations.wording import template_for, templates


@dataclass(frozen=True)
class TemplateUse:
    subject: str
    template_id: str
    file: str
    in_use_from: date
    in_use_to: date | None
    decision_types: str  # "every type" when the template lists none
    status: str | None  # its letter-wording finding (None: no finding, e.g. used only before the trial)
    reason: str | None
    decisions: int  # letters made from it by the as-of date


@dataclass(frozen=True)
class LocalOfferCapture:
    captured_on: date
    pages: tuple[tuple[str, str | None], ...]  # (page id, url)
    status: str | None
    reason: str | None


@dataclass(frozen=True)
class LettersSection:
    templates: tuple[TemplateUse, ...]
    local_offer: LocalOfferCapture | None
    unmatched: int  # decisions whose template is not known (none in use, or several)


def letters_section(conn: Connection, area: str, as_of: date) -> LettersSection | None:
    """The area's section, or None when it has sent no template and no Local Offer page."""
    of_area = templates(conn, as_of, [area]).get(area, [])
    capture = _local_offer(conn, area, as_of)
    if not of_area and capture is None:
        return None
    counts: Counter[str | None] = Counter()
    d = Decision.__table__
    stmt = select(d.c.decision_type, d.c.decision_date, d.c.letter_template).where(
        and_(d.c.area_code == area, d.c.decision_date <= as_of)
    )
    for decision_type, decision_date, named in conn.execute(stmt):
        used = template_for(of_area, decision_type, decision_date, named)
        counts[used.subject if used else None] += 1
    found = _findings(conn, "letter-wording", [t.subject for t in of_area])
    uses = tuple(
        TemplateUse(
            subject=t.subject,
            template_id=t.template_id,
            file=t.file,
            in_use_from=t.in_use_from,
            in_use_to=t.in_use_to,
            decision_types=" ".join(t.decision_types) or "every type",
            status=found.get(t.subject, (None, None))[0],
            reason=found.get(t.subject, (None, None))[1],
            decisions=counts[t.subject],
        )
        for t in sorted(of_area, key=lambda t: (t.in_use_from, t.template_id))
    )
    return LettersSection(uses, capture, counts[None] if of_area else 0)


def _local_offer(conn: Connection, area: str, as_of: date) -> LocalOfferCapture | None:
    p = LocalOfferPage.__table__
    stmt = select(p.c.page_id, p.c.url, p.c.captured_on).where(and_(p.c.area_code == area, p.c.captured_on <= as_of))
    rows = list(conn.execute(stmt.order_by(p.c.captured_on.desc(), p.c.page_id)))
    if not rows:
        return None
    latest = rows[0].captured_on
    status, reason = _findings(conn, "local-offer-wording", [area]).get(area, (None, None))
    pages = tuple((r.page_id, r.url) for r in rows if r.captured_on == latest)
    return LocalOfferCapture(latest, pages, status, reason)


def _findings(conn: Connection, duty: str, subjects: list[str]) -> dict[str, tuple[str, str | None]]:
    if not subjects:
        return {}
    f = Finding.__table__
    stmt = select(f.c.subject, f.c.status, f.c.reason).where(and_(f.c.duty == duty, f.c.subject.in_(subjects)))
    return {subject: (status, reason) for subject, status, reason in conn.execute(stmt)}
