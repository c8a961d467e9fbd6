"""A case's page: every record the store holds for it, its findings and a timeline."""

from __future__ import annotations

from datetime import date

from monitor.paths import area_path, case_path, explanation_path
from monitor.publish.charts import timeline_chart
from monitor.publish.context import appeal_closure, rel
from monitor.publish.labels import field_label, record_label
from monitor.publish.page import Page
from monitor.publish.site import Site
from monitor.publish.stamp import latest, stamp
from monitor.publish.words import day, field_value
from monitor.statuses import ACTION_STATUSES, STATUS_LABELS


def page(site: Site, area: dict, ref: str, records: list[tuple[str, str, dict]], rows: list[dict]) -> Page:
    """The page of case `ref` of `area`: its records and its findings (`rows`), as of the latest
    check that changed one of them."""
    code = area["area_code"]
    last = latest(rows)
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
    events = case_events(records, found, site.names)
    timeline = timeline_chart("chart-timeline", events)
    context = {
        **site.common,
        **stamp(site, last["as_of"], last["check_id"]),
        "title": f"Case {ref}",
        "area": area,
        "case_ref": ref,
        "closure": appeal_closure(records, last["as_of"]),
        "summary": case_summary(records),
        "events": events,
        "records": records,
        "found": found,
        "charts": {"timeline": timeline} if timeline else {},
        "back": rel(here, area_path(code) + "index.html"),
    }
    return Page("case.html", path, context, area=code, case_refs=(ref,))


def case_summary(records: list[tuple[str, str, dict]]) -> list[tuple[str, str]]:
    """The case in brief, as (label, words): the decision appealed, the appeal's status and its
    registration, hearing and closing dates."""
    found: list[tuple[str, str]] = []
    for kind, _rid, fields in records:
        if kind == "decision" and not found:
            found.append(
                (
                    "Decision",
                    f"{field_value('decision_type', fields.get('decision_type'))}, {day(fields.get('decision_date'))}",
                )
            )
        if kind == "appeal":
            status = fields.get("status") or "open"
            closed = f" on {day(fields['closed_on'])}" if fields.get("closed_on") and status != "open" else ""
            found.append(("Appeal", f"{field_value('status', status)}{closed}"))
            for name in ("registered_on", "hearing_on"):
                if fields.get(name):
                    found.append((field_label(name), day(fields[name])))
    return found


def case_events(records: list[tuple[str, str, dict]], found: list[dict], names: dict[str, str]) -> list[dict]:
    """The dated events of one case in words (every date on its records) and the deadlines of its
    findings, oldest first: {"on", "track" (the record type or "deadline"), "label"}."""
    events = []
    for kind, rid, fields in records:
        who = names.get(fields.get("commissioner_code") or "", "") or fields.get("commissioner_code") or ""
        for name, value in fields.items():
            if isinstance(value, str) and len(value) == 10 and value[4] == "-":  # records may hold ISO strings
                try:
                    value = date.fromisoformat(value)
                except ValueError:
                    continue
            if isinstance(value, date):
                label = f"{field_label(name)} ({record_label(kind).lower()} {rid}{', ' + who if who else ''})"
                events.append({"on": value, "track": record_label(kind), "label": label})
    for r in found:
        if r["due_on"] is not None:
            events.append(
                {
                    "on": r["due_on"],
                    "track": "deadline",
                    "label": f"{r['short_title']} due — {STATUS_LABELS[r['status']].lower()}",
                }
            )
    return sorted(events, key=lambda e: (e["on"], e["track"], e["label"]))
