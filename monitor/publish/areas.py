"""Each local area's pages: its dashboard, explanation and case pages and inspector report,
built by `area_job` (in forked worker processes when there are many; `build` runs the pool).

After a merger the current area's pages hold its own findings and the LA's duties it took
over (`AreaJob.predecessors`), each marked with the area named in the records; a superseded
area's pages keep every finding of its records, for their history, and name its successor.
Commissioners' duties for a merged area's cases stay on that area's pages: an LA merger does
not move them. An inherited finding's explanation and case pages stay in its own area's
folder, where the rows on the successor's page link."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy.engine import URL

from monitor.cases import case_records
from monitor.explanations import explain_stored
from monitor.findings import query_findings
from monitor.paths import area_path, case_path, explanation_path
from monitor.publish.charts import outcome_chart, rates_chart, response_chart, timeline_chart, trend_chart
from monitor.publish.children import die_with_parent
from monitor.publish.context import (
    Tally,
    _rel,
    case_events,
    duty_rows,
    plain_words,
    split_rows,
    successor_info,
    who_acts,
)
from monitor.publish.dashboard import dashboard
from monitor.publish.render import LONG_LISTING, _environment, _Parts
from monitor.publish.write import _Writer
from monitor.rules import Rule
from monitor.statuses import ACTION_STATUSES, RATE_STATUSES


@dataclass
class AreaJob:
    area: dict
    histories: dict
    answers: list
    funding: object
    record_counts: dict
    batches: list  # this area's import batches only
    predecessors: list[str] = field(default_factory=list)  # the areas whose LA duties it acts on now


@dataclass
class Shared:
    url: URL
    rules: dict
    common: dict
    weeks: int
    commissioner_codes: set
    site: Path


WORKER: dict = {}


def init_worker(shared: Shared, parent: int) -> None:
    """In a worker process: its own engine and template environment."""
    from sqlalchemy import create_engine

    die_with_parent(parent)

    writer = _Writer(shared.site, _environment(), shared.common)
    writer.parts = _Parts(writer.env)
    WORKER.update(shared=shared, writer=writer, engine=create_engine(shared.url))


def run_area_job(job: AreaJob):
    with WORKER["engine"].connect() as conn:
        return area_job(conn, WORKER["writer"], WORKER["shared"], job)


def area_job(conn, writer: _Writer, shared: Shared, job: AreaJob):
    """Everything under areas/<code>/; returns the national summary, the findings owned by
    commissioners for this area's cases (for their pages) and the exceptions among them."""
    code = job.area["area_code"]
    own = query_findings(conn, area=code)
    inherited = [r for p in job.predecessors for r in query_findings(conn, area=p, owner=p)]
    rows = sorted(own + inherited, key=lambda r: (r["duty"], r["subject"]))
    tally = Tally()
    for r in rows:
        tally.add(r)
    mine = [r for r in own if r["owner"] in shared.commissioner_codes]
    actions = [r for r in rows if r["status"] in ACTION_STATUSES]
    explanations = explain_stored(conn, shared.rules, actions, shared.common["as_of"], job.histories)
    exceptions = {
        key: e.exception
        for key, e in explanations.items()
        if e.status == "exception" and e.owner in shared.commissioner_codes
    }
    refs = {r["case_ref"] for r in actions if r["case_ref"] and r["area"] == code}
    cases = case_records(conn, code, refs)
    summary = _area_pages(
        writer,
        shared.rules,
        job.area,
        rows,
        tally,
        explanations,
        cases,
        job.answers,
        job.funding,
        shared.weeks,
        job.record_counts,
        job.batches,
    )
    return summary, mine, exceptions


def _area_pages(
    writer: _Writer,
    rules: dict[str, Rule],
    area: dict,
    rows: list[dict],
    tally: Tally,
    explanations: dict,
    cases: dict,
    answers: list[dict],
    funding,
    weeks: int,
    record_counts: dict,
    batches: list[dict],
) -> dict:
    code = area["area_code"]
    folder = area_path(code)
    bench = writer.common["bench"]
    names, successors, as_of = writer.common["names"], writer.common["successors"], writer.common["as_of"]
    board = dashboard(
        writer,
        folder,
        code,
        rows,
        tally,
        duty_rows(tally, rules, None, bench, area.get("region")),
        answers,
        weeks,
        {k: e.exception for k, e in explanations.items()},
        workbook=f"{code} {area['name']}",
    )
    duties, bins, outcomes, total = board["duties"], board["bins"], board["outcomes"], board["total"]
    split = split_rows(rows, code, "area", names, folder, area_path)
    successor = successor_info(successors, code, as_of, folder, area_path, area=True)
    charts = {
        "rates": rates_chart("chart-rates", duties),
        "trend": trend_chart("chart-trend", board["months"]),
        "response": response_chart("chart-response", bins),
        "outcomes": outcome_chart("chart-outcomes", outcomes),
    }
    writer.page(
        "area.html",
        folder + "index.html",
        title=f"{code} {area['name']}",
        area=area,
        funding=funding,
        split=split,
        successor=successor,
        chart=charts,
        charts=list(charts.values()),
        **board,
    )

    parts = writer.parts
    for (duty, subject), e in explanations.items():
        if e.area != code:  # inherited: its page is in its own area's folder
            continue
        rel = explanation_path(e.area, duty, subject)
        acts = who_acts(successors, names, e.owner, e.area, as_of)
        case_href = _rel(rel.rsplit("/", 1)[0] + "/", case_path(code, e.case_ref)) if e.case_ref in cases else None
        writer.page(
            "explain.html",
            rel,
            title=f"{rules[duty].short_title} · {subject}",
            e=e,
            area=area,
            charts=[],
            acts=acts,
            plain=plain_words(e, acts),
            case_href=case_href,
            back=_rel(rel.rsplit("/", 1)[0] + "/", folder + "index.html"),
            decision_table=parts.decision_table,
            rule_source=parts.rule_source,
        )

    # a page per case with a finding needing action: every record and finding, and a timeline
    by_case: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        if r["area"] == code and r["case_ref"] in cases:
            by_case[r["case_ref"]].append(r)
    for ref, records in cases.items():
        rel = case_path(code, ref)
        here = rel.rsplit("/", 1)[0] + "/"
        found = [
            {
                **r,
                "short_title": rules[r["duty"]].short_title,
                "href": _rel(here, explanation_path(code, r["duty"], r["subject"]))
                if r["status"] in ACTION_STATUSES
                else None,
            }
            for r in by_case[ref]
        ]
        timeline = timeline_chart("chart-timeline", case_events(records, found))
        writer.page(
            "case.html",
            rel,
            title=f"Case {ref}",
            area=area,
            case_ref=ref,
            records=records,
            found=found,
            timeline=timeline,
            charts=[timeline] if timeline else [],
            back=_rel(here, folder + "index.html"),
        )

    # the inspector report: per duty, the breaches with their evidence, exceptions and data gaps
    by_duty: dict[str, dict[str, list]] = {d: defaultdict(list) for d in rules}
    for (duty, _subject), e in sorted(explanations.items()):
        by_duty[duty][e.status].append(e)
    writer.page(
        "report.html",
        folder + "report.html",
        title=f"Inspector report: {code} {area['name']}",
        area=area,
        duties=duties,
        by_duty=by_duty,
        total=total,
        overall=board["overall"],
        long_closed=[d for d in rules if len(by_duty[d]["late"]) + len(by_duty[d]["breached"]) > LONG_LISTING],
        record_counts=record_counts,
        batches=batches,
        charts=[],
        bins=bins,
        outcomes=outcomes,
        funding=funding,
        href_of=lambda e: _rel(folder, explanation_path(e.area, e.duty.id, e.subject)),
    )

    kept = [r for r in rows if r["owner"] != code and r["area"] == code]  # commissioners' duties
    return {
        "area_code": code,
        "name": area["name"],
        "region": area.get("region"),
        "href": folder + "index.html",
        "report": folder + "report.html",
        "rates": {d["duty"]: d["rate"] for d in duties},
        "overall": board["overall"],
        "below": sum(1 for d in duties if d["below"]),
        "rated": sum(1 for d in duties if d["rate"] is not None),
        "n": sum(total[s] for s in RATE_STATUSES),
        "open_breaches": total["overdue"],
        "closed_breaches": total["late"] + total["breached"],
        "data_gaps": total["data_gap"],
        "exceptions": total["exception"],
        "due_soon": total["due_soon"],
        "declined": outcomes["declined"],
        "funding": funding or Decimal(0),
        "successor": successor,
        "findings": sum(total.values()),
        "inherited": sum(x["findings"] for x in split if not x["own"]),
        "passed_on": sum(1 for r in rows if r["owner"] == code != r["acts_now"]),
        "kept_open_breaches": sum(1 for r in kept if r["status"] == "overdue"),
    }
