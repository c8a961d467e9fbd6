"""Builder of the funding family: trial funding claims summed per appeal."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.engine import Connection

from monitor.facts import Fact, Obligation, builder
from monitor.models import FundingClaim
from monitor.obligations.common import SCOPE, appeal_rows, each, iso, scope, with_keys


@builder(
    "trial_funding",
    key="appeal",
    facts=(
        *SCOPE,
        Fact(
            "has_trial_claims", "bool", "the appeal has funding claims dated within the trial (scope_start..trial_end)"
        ),
        Fact("claims_total", "money", "the sum of those claims, in pounds"),
        Fact("legal_claimed", "bool", "one of those claims is in category legal"),
    ),
)
def trial_funding(
    conn: Connection, as_of: date, params: dict[str, Any], keys: Iterable[str] | None = None, evidence: bool = False
) -> Iterator[Obligation]:
    f = FundingClaim.__table__
    first, last = params["scope_start"], params["trial_end"]
    stmt = select(f.c.claim_id, f.c.appeal_id, f.c.category, f.c.amount_gbp, f.c.claimed_on).where(
        and_(f.c.claimed_on <= as_of, f.c.claimed_on >= first, f.c.claimed_on <= last)
    )
    claims: dict[str, list] = {}
    for c in each(conn, with_keys(stmt, f.c.appeal_id, keys)):
        claims.setdefault(c.appeal_id, []).append(c)
    cap = Decimal(str(params["funding_cap_gbp"]))  # for the reason's excess only: the table decides
    none = _info(Decimal("0"), cap, [])  # most appeals have no claims
    for a in appeal_rows(conn, as_of, keys):
        mine = claims.get(a.appeal_id, [])
        total = sum((Decimal(c.amount_gbp).quantize(Decimal("0.01")) for c in mine), Decimal("0"))
        legal = [c.claim_id for c in mine if c.category == "legal"]
        yield Obligation(
            subject=a.appeal_id,
            key=a.appeal_id,
            area=a.area_code,
            owner=a.area_code,
            case_ref=a.case_ref,
            due_on=None,
            done_on=None,
            facts={**scope(a), "has_trial_claims": bool(mine), "claims_total": total, "legal_claimed": bool(legal)},
            records=evidence
            and [
                (
                    "funding_claim",
                    c.claim_id,
                    {"category": c.category, "amount_gbp": f"{c.amount_gbp:.2f}", "claimed_on": iso(c.claimed_on)},
                )
                for c in mine
            ]
            or [],
            info=_info(total, cap, legal) if mine else dict(none),
            deadline=evidence and "no deadline: claims dated within the trial are summed" or "",
        )


def _info(total: Decimal, cap: Decimal, legal: list[str]) -> dict[str, str]:
    """What the reasons say of an appeal's claims: their total, its excess over the cap, the legal ones."""
    return {
        "total": f"{total:,.2f}",
        "excess": f"{max(total - cap, Decimal(0)):,.2f}",
        "legal_claims": ", ".join(legal),
    }
