"""A case's page: every record the store holds for it, its findings and a timeline."""

from __future__ import annotations

from datetime import date

from monitor.paths import area_path, case_path, explanation_path
from monitor.publish.charts import timeline_chart
from monitor.publish.context import appeal_closure, rel
from monitor.publish.page import Page
from monitor.publish.site import Site
from monitor.statuses import ACTION_STATUSES, STATUS_LABELS


def page(site: Site, area: dict, ref: str, records: list[tuple[str, str, dict]], rows: list[dict]) -> Page:
    """The page of case `ref` of `area`: its records and its findings (`rows`)."""
    code = area["area_code"]
    path = case_path(code, ref)
    here = path.rsplit("/", 1)[0] + "/"
    found = [
        {
            **r,
            "short_title": site.rules[r["duty"]].short_title,
            "href": rel(here, explanation_path(code, r["duty"], r["subject"]))
            if r["status"] in ACTION_STATUSES
            else None,
        }
        for r in rows
    ]
    timeline = timeline_chart("chart-timeline", case_events(records, found))
    context = {
        **site.common,
        "title": f"Case {ref}",
        "area": area,
        "case_ref": ref,
        "closure": appeal_closure(records, site.as_of),
        "records": records,
        "found": found,
        "charts": {"timeline": timeline} if timeline else {},
        "back": rel(here, area_path(code) + "index.html"),
    }
    return Page("case.html", path, context, area=code, case_refs=(ref,))


def case_events(records: list[tuple[str, str, dict]], found: list[dict]) -> list[dict]:
    """The dated events of one case (every date on its records) and the deadlines of its findings."""
    events = []
    for kind, rid, fields in records:
        for name, value in fields.items():
            if isinstance(value, date):
                events.append({"on": value, "track": kind, "label": f"{kind} {rid}: {name.replace('_', ' ')}"})
    for r in found:
        if r["due_on"] is not None:
            events.append(
                {
                    "on": r["due_on"],
                    "track": "deadline",
                    "label": f"{r['short_title']} due ({STATUS_LABELS[r['status']].lower()})",
                }
            )
    return sorted(events, key=lambda e: (e["on"], e["track"], e["label"]))
