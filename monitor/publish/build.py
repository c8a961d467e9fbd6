"""Building the site's pages from the store: the national page, each area's pages (in forked
worker processes when there are many) and each commissioner's page."""

from __future__ import annotations

import multiprocessing
import os
import socket
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from markupsafe import Markup
from sqlalchemy.engine import URL, Engine

from monitor.findings import (
    ACTION_STATUSES,
    RATE_STATUSES,
    action_histories,
    area_batches,
    area_path,
    area_record_counts,
    areas_and_commissioners,
    case_path,
    case_records,
    commissioner_path,
    explain_stored,
    explanation_path,
    funding_claimed,
    held_as_of,
    import_batches,
    latest_check,
    latest_import,
    latest_runs,
    query_findings,
    recommendation_answers,
    status_counts,
)
from monitor.publish.charts import (
    heatmap_chart,
    outcome_chart,
    rates_chart,
    response_chart,
    timeline_chart,
    trend_chart,
)
from monitor.publish.children import die_with_parent
from monitor.publish.context import (
    FUNDING_DUTY,
    RESPONSE_DUTY,
    Benchmarks,
    Tally,
    _exception_info,
    _listing,
    _rel,
    case_events,
    duty_rows,
    england_rows,
    month_rows,
    outcome_table,
    plain_words,
    rate,
    region_rows,
    response_bins,
    who_acts,
)
from monitor.publish.render import LONG_LISTING, _environment, _Parts
from monitor.publish.write import _write_assets, _Writer
from monitor.rules import Rule
from monitor.successors import Successors


def _build(
    engine: Engine, rules: dict[str, Rule], site: Path, as_of: date | None, site_url: str, workers: int | None = None
) -> None:
    generated = datetime.now(UTC).replace(microsecond=0)
    with engine.connect() as conn:
        held = held_as_of(conn, as_of)
        check = latest_check(conn)
        last_import = latest_import(conn)
        batches = import_batches(conn)
        per_area_batches = area_batches(conn)
        counts = status_counts(conn)
        runs = latest_runs(conn)
        for r in runs:  # the publish step writing this site is not "running" on the page it writes
            r["this_publish"] = (
                r["step"] == "publish"
                and r["finished_at"] is None
                and r["pid"] == os.getpid()
                and r["host"] == socket.gethostname()
            )
        areas, commissioners = areas_and_commissioners(conn)
        record_counts = area_record_counts(conn)
        histories = action_histories(conn)
        answers = recommendation_answers(conn, held, RESPONSE_DUTY) if RESPONSE_DUTY in rules else []
        funding: dict = {}
        if FUNDING_DUTY in rules:
            params = rules[FUNDING_DUTY].parameters
            funding = funding_claimed(conn, held, params["scope_start"], params["trial_end"], FUNDING_DUTY)

        names = {a["area_code"]: a["name"] for a in areas}
        names.update({c["commissioner_code"]: c["name"] for c in commissioners})
        stale = bool(last_import and check and last_import.id is not None and last_import.id > check.last_batch)
        bench = Benchmarks.from_counts(counts, {a["area_code"]: a.get("region") for a in areas})
        common = {
            "bench": bench,
            "successors": Successors.load(conn),
            "as_of": held,
            "check": check,
            "last_import": last_import,
            "generated": generated,
            "site_url": site_url.rstrip("/"),
            "stale": stale,
            "rules": rules,
            "names": names,
        }
        writer = _Writer(site, _environment(), common)
        writer.parts = _Parts(writer.env)
        common["footer_html"] = Markup(writer.parts.module.footer(held, check, last_import, generated))
        _write_assets(site)
        weeks = int(rules[RESPONSE_DUTY].parameters.get("response_weeks", 5)) if RESPONSE_DUTY in rules else 5

        answers_by_area: dict[str, list] = defaultdict(list)
        answers_by_owner: dict[str, list] = defaultdict(list)
        for a in answers:
            answers_by_area[a["area"]].append(a)
            answers_by_owner[a["owner"]].append(a)

        commissioner_codes = {c["commissioner_code"] for c in commissioners}
        histories_by_area: dict[str, dict] = defaultdict(dict)
        for key, changes in histories.items():
            histories_by_area[changes[-1]["area"]][key] = changes
        jobs = [
            _AreaJob(
                area,
                histories_by_area.get(area["area_code"], {}),
                answers_by_area.get(area["area_code"], []),
                funding.get(area["area_code"]),
                record_counts.get(area["area_code"], {}),
                per_area_batches.get(area["area_code"], []),
            )
            for area in areas
        ]
        shared = _Shared(engine.url, rules, common, weeks, commissioner_codes, site)
        if workers is None:
            workers = min(os.cpu_count() or 1, 8) if len(jobs) >= 20 else 1
        # worker processes are forked (spawning would re-import the caller's main module); they
        # open their own database connections and only read and write files
        can_fork = "fork" in multiprocessing.get_all_start_methods()
        if workers > 1 and len(jobs) > 1 and can_fork:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(
                max_workers=min(workers, len(jobs)),
                mp_context=context,
                initializer=_init_worker,
                initargs=(shared, os.getpid()),
            ) as pool:
                results = list(pool.map(_run_area_job, jobs, chunksize=1))
        else:
            _WORKER["shared"], _WORKER["writer"], _WORKER["engine"] = shared, writer, engine
            try:
                results = [_area_job(conn, writer, shared, job) for job in jobs]
            finally:
                _WORKER.clear()
        owned: dict[str, list[dict]] = defaultdict(list)  # by the owner in the records
        acting: dict[str, list[dict]] = defaultdict(list)  # by who acts now (after mergers)
        owned_exceptions: dict = {}
        national = []
        for summary, mine, exceptions in results:
            national.append(summary)
            for r in mine:
                owned[r["owner"]].append(r)
                acting[r["acts_now"]].append(r)
            owned_exceptions.update(exceptions)
        successors: Successors = common["successors"]
        answers_acting: dict[str, list] = defaultdict(list)
        for a in answers:
            answers_acting[successors.acts_now(a["owner"], a["area"], held)].append(a)

        commissioner_summaries = []
        for c in commissioners:
            code = c["commissioner_code"]
            successor = successors.superseded(code, held, area=False)
            if successor is None:  # a current body: its own findings and those it inherited
                rows, mine = acting.get(code, []), answers_acting.get(code, [])
            else:  # a superseded body's page stays for its history
                rows, mine = owned.get(code, []), answers_by_owner.get(code, [])
            commissioner_summaries.append(
                _commissioner_page(writer, rules, c, rows, owned_exceptions, mine, weeks, successor)
            )

    duties = list(rules)
    heat = (
        heatmap_chart("chart-heatmap", national, duties, {d: rules[d].short_title for d in duties})
        if national
        else None
    )
    bench = writer.common["bench"]
    writer.page("accessibility.html", "accessibility.html", title="Accessibility statement", charts=[])
    writer.page(
        "national.html",
        "index.html",
        title="National overview",
        areas=national,
        regions=region_rows(national, bench, duties),
        england=england_rows(national, bench, rules),
        commissioners=commissioner_summaries,
        duties=duties,
        heat=heat,
        charts=[heat] if heat else [],
        batches=batches,
        runs=runs,
    )


@dataclass
class _AreaJob:
    area: dict
    histories: dict
    answers: list
    funding: object
    record_counts: dict
    batches: list  # this area's import batches only


@dataclass
class _Shared:
    url: URL
    rules: dict
    common: dict
    weeks: int
    commissioner_codes: set
    site: Path


_WORKER: dict = {}


def _init_worker(shared: _Shared, parent: int) -> None:
    """In a worker process: its own engine and template environment."""
    from sqlalchemy import create_engine

    die_with_parent(parent)

    writer = _Writer(shared.site, _environment(), shared.common)
    writer.parts = _Parts(writer.env)
    _WORKER.update(shared=shared, writer=writer, engine=create_engine(shared.url))


def _run_area_job(job: _AreaJob):
    with _WORKER["engine"].connect() as conn:
        return _area_job(conn, _WORKER["writer"], _WORKER["shared"], job)


def _area_job(conn, writer: _Writer, shared: _Shared, job: _AreaJob):
    """Everything under areas/<code>/; returns the national summary, the findings owned by
    commissioners (for their pages) and the exceptions among them."""
    code = job.area["area_code"]
    rows = query_findings(conn, area=code)
    tally = Tally()
    mine = []
    for r in rows:
        tally.add(r)
        if r["owner"] in shared.commissioner_codes:
            mine.append(r)
    actions = [r for r in rows if r["status"] in ACTION_STATUSES]
    explanations = explain_stored(conn, shared.rules, actions, shared.common["as_of"], job.histories)
    exceptions = {
        key: e.exception
        for key, e in explanations.items()
        if e.status == "exception" and e.owner in shared.commissioner_codes
    }
    refs = {r["case_ref"] for r in actions if r["case_ref"]}
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


def _dashboard(
    writer: _Writer,
    folder: str,
    rows: list[dict],
    tally: Tally,
    duties: list[dict],
    answers: list[dict],
    weeks: int,
    exceptions: dict,
    workbook: str | None = None,
) -> dict:
    """What area and commissioner dashboards share: the numbers behind their tables and
    charts, the action listings, and the findings.csv / findings.json beside the page."""
    as_of = writer.common["as_of"]
    lists = _listing(rows, folder, writer.common["names"], as_of)
    _exception_info(exceptions, lists["exceptions"])
    total = tally.total()
    writer.exports(folder, as_of, rows, workbook)
    return {
        "duties": duties,
        "months": month_rows(tally),
        "bins": response_bins(answers, weeks),
        "outcomes": outcome_table(answers),
        "lists": lists,
        "total": total,
        "overall": rate(total),
        "folder": folder,
    }


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
    board = _dashboard(
        writer,
        folder,
        rows,
        tally,
        duty_rows(tally, rules, None, bench, area.get("region")),
        answers,
        weeks,
        {k: e.exception for k, e in explanations.items()},
        workbook=f"{code} {area['name']}",
    )
    duties, bins, outcomes, total = board["duties"], board["bins"], board["outcomes"], board["total"]
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
        chart=charts,
        charts=list(charts.values()),
        **board,
    )

    parts = writer.parts
    names, successors, as_of = writer.common["names"], writer.common["successors"], writer.common["as_of"]
    for (duty, subject), e in explanations.items():
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
        if r["case_ref"] in cases:
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
    }


def _commissioner_page(
    writer: _Writer,
    rules: dict[str, Rule],
    commissioner: dict,
    rows: list[dict],
    exceptions: dict,
    answers: list[dict],
    weeks: int,
    successor=None,
) -> dict:
    code = commissioner["commissioner_code"]
    folder = commissioner_path(code)
    rows = sorted(rows, key=lambda r: (r["duty"], r["subject"]))
    names = writer.common["names"]
    split = []  # a current body's findings by the body named in the records: its own, then inherited
    by_owner: dict[str, Tally] = defaultdict(Tally)
    for r in rows:
        by_owner[r["owner"]].add(r)
    for owner in sorted(by_owner, key=lambda o: (o != code, o)):
        tot = by_owner[owner].total()
        split.append(
            {
                "code": owner,
                "name": names.get(owner, ""),
                "own": owner == code,
                "href": _rel(folder, commissioner_path(owner) + "index.html"),
                "n": sum(tot[s] for s in RATE_STATUSES),
                "rate": rate(tot),
                "open_breaches": tot["overdue"],
                "findings": sum(tot.values()),
            }
        )
    successor_info = None
    if successor is not None:
        successor_info = {
            "code": successor.code,
            "name": successor.name,
            "href": _rel(folder, commissioner_path(successor.code) + "index.html"),
            "site_href": commissioner_path(successor.code) + "index.html",
            "from": writer.common["successors"].commissioners[code].successor_from,
        }
    tally = Tally()
    per_area: dict[str, Tally] = defaultdict(Tally)
    for r in rows:
        tally.add(r)
        per_area[r["area"]].add(r)
    duties_owned = [d for d in rules if tally.duties.get(d)]
    area_rows = []
    for area_code in sorted(per_area):
        t = per_area[area_code]
        tot = t.total()
        area_rows.append(
            {
                "area_code": area_code,
                "name": writer.common["names"].get(area_code, ""),
                "href": _rel(folder, area_path(area_code) + "index.html"),
                "rates": {d: rate(t.duties.get(d, Counter())) for d in duties_owned},
                "overall": rate(tot),
                "open_breaches": tot["overdue"],
                "data_gaps": tot["data_gap"],
                "exceptions": tot["exception"],
            }
        )
    board = _dashboard(
        writer,
        folder,
        rows,
        tally,
        duty_rows(tally, rules, duties_owned, writer.common["bench"]),
        answers,
        weeks,
        exceptions,
    )
    total, outcomes = board["total"], board["outcomes"]
    charts = {}
    if board["duties"]:
        charts["rates"] = rates_chart("chart-rates", board["duties"])
        charts["trend"] = trend_chart("chart-trend", board["months"])
    if answers:
        charts["response"] = response_chart("chart-response", board["bins"])
        charts["outcomes"] = outcome_chart("chart-outcomes", outcomes)
    writer.page(
        "commissioner.html",
        folder + "index.html",
        title=f"{code} {commissioner['name']}",
        commissioner=commissioner,
        duties_owned=duties_owned,
        area_rows=area_rows,
        split=split if any(not x["own"] for x in split) else [],
        successor=successor_info,
        chart=charts,
        charts=list(charts.values()),
        has_answers=bool(answers),
        **board,
    )
    return {
        "code": code,
        "name": commissioner["name"],
        "kind": commissioner["kind"],
        "successor": successor_info,
        "inherited": sum(x["findings"] for x in split if not x["own"]),
        "href": folder + "index.html",
        "areas": [a["area_code"] for a in area_rows],
        "overall": board["overall"],
        "n": sum(total[s] for s in RATE_STATUSES),
        "below": sum(1 for d in board["duties"] if d["below"]),
        "rated": sum(1 for d in board["duties"] if d["rate"] is not None),
        "open_breaches": total["overdue"],
        "data_gaps": total["data_gap"],
        "exceptions": total["exception"],
        "declined": outcomes["declined"],
    }
