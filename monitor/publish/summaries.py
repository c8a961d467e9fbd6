"""The national page's figures for each area and commissioner, from the findings counted by
status (`site.national_counts`), so the national page needs no finding row.

After a merger a current area's figures hold its own findings and the LA duties it took
over; a superseded area's keep every finding of its records, for their history. A current
commissioner's hold its own duties and those it took over, a superseded one's its own.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from monitor.paths import area_path, commissioner_path
from monitor.publish.context import Tally, duty_rows, outcome_table, rate, successor_info
from monitor.publish.site import Counts, Site
from monitor.statuses import RATE_STATUSES


def _by_area(counts: Counts) -> dict[str, list[tuple[str, str, dict]]]:
    found: dict[str, list[tuple[str, str, dict]]] = defaultdict(list)
    for (area, owner, duty), statuses in counts.stored.items():
        found[area].append((owner, duty, statuses))
    return found


def area_summaries(site: Site, counts: Counts, answers: list[dict], funding: dict) -> tuple[list[dict], list[dict]]:
    """Each area's row on the national page: (current areas, superseded areas), by code."""
    by_area = _by_area(counts)
    declined: dict[str, list] = defaultdict(list)
    for a in answers:
        declined[a["area"]].append(a)
    current: list[dict] = []
    superseded: list[dict] = []
    for area in site.areas:
        code = area["area_code"]
        taken = site.taken_over.get(code, [])
        tally = Tally()
        inherited = passed_on = kept_open = 0
        for owner, duty, statuses in by_area.get(code, []):
            tally.duties[duty].update(statuses)
            if owner == code and site.successors.acts_now(owner, code, site.as_of) != code:
                passed_on += sum(statuses.values())
            if owner != code:
                kept_open += statuses.get("overdue", 0)
        for p in taken:
            for owner, duty, statuses in by_area.get(p, []):
                if owner == p:
                    tally.duties[duty].update(statuses)
                    inherited += sum(statuses.values())
        duties = duty_rows(tally, site.rules, None, counts.bench, area.get("region"))
        total = tally.total()
        folder = area_path(code)
        claimed = [funding[c] for c in (code, *taken) if c in funding]
        successor = successor_info(site.successors, code, site.as_of, folder, area_path, area=True)
        summary = {
            "area_code": code,
            "name": area["name"],
            "region": area.get("region"),
            "href": folder + "index.html",
            "report": folder + "report.html",
            "rates": {d["duty"]: d["rate"] for d in duties},
            "ns": {d["duty"]: d["n"] for d in duties},
            "duties": duties,
            "overall": rate(total),
            "below": sum(1 for d in duties if d["below"]),
            "rated": sum(1 for d in duties if d["rate"] is not None and not d["few"]),
            "n": sum(total[s] for s in RATE_STATUSES),
            "open_breaches": total["overdue"],
            "closed_breaches": total["late"] + total["breached"],
            "data_gaps": total["data_gap"],
            "exceptions": total["exception"],
            "due_soon": total["due_soon"],
            "declined": outcome_table(declined.get(code, []))["declined"],
            "funding": sum(claimed) if claimed else Decimal(0),
            "successor": successor,
            "findings": sum(total.values()),
            "inherited": inherited,
            "passed_on": passed_on,
            "kept_open_breaches": kept_open,
        }
        (superseded if successor else current).append(summary)
    return current, superseded


def commissioner_summaries(site: Site, counts: Counts, answers: list[dict]) -> list[dict]:
    """Each commissioner's row on the national page, by code."""
    codes = site.commissioner_by_code
    mine: dict[str, list[tuple[str, str, str, dict]]] = defaultdict(list)  # by the owner in the records
    for (area, owner, duty), statuses in counts.stored.items():
        if owner in codes and area in site.area_by_code:
            mine[owner].append((area, owner, duty, statuses))
    answered: dict[str, list] = defaultdict(list)
    for a in answers:
        answered[a["owner"]].append(a)
    summaries = []
    for c in site.commissioners:
        code = c["commissioner_code"]
        superseded = site.successors.superseded(code, site.as_of, area=False) is not None
        owners = [code] if superseded else site.acting_owners(code)
        tally = Tally()
        areas, inherited = set(), 0
        for o in owners:
            for area, owner, duty, statuses in mine.get(o, []):
                if not superseded and site.successors.acts_now(owner, area, site.as_of) != code:
                    continue
                tally.duties[duty].update(statuses)
                areas.add(area)
                if owner != code:
                    inherited += sum(statuses.values())
        own_answers = [
            a
            for o in owners
            for a in answered.get(o, [])
            if superseded or site.successors.acts_now(a["owner"], a["area"], site.as_of) == code
        ]
        duties = duty_rows(tally, site.rules, [d for d in site.rules if tally.duties.get(d)], counts.bench)
        total = tally.total()
        folder = commissioner_path(code)
        summaries.append(
            {
                "code": code,
                "name": c["name"],
                "kind": c["kind"],
                "successor": successor_info(site.successors, code, site.as_of, folder, commissioner_path, area=False),
                "inherited": inherited,
                "href": folder + "index.html",
                "areas": sorted(areas),
                "overall": rate(total),
                "n": sum(total[s] for s in RATE_STATUSES),
                "below": sum(1 for d in duties if d["below"]),
                "rated": sum(1 for d in duties if d["rate"] is not None and not d["few"]),
                "open_breaches": total["overdue"],
                "data_gaps": total["data_gap"],
                "exceptions": total["exception"],
                "declined": outcome_table(own_answers)["declined"],
            }
        )
    return summaries
