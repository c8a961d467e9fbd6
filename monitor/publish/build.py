"""Building the site's pages from the store: the national page, each area's pages (by
`areas`, in forked worker processes when there are many) and each commissioner's page.

After a merger each finding is counted once, under the body acting for it now: the national
tables list current bodies (superseded ones apart, their pages kept for their history), and
the region and England figures count an LA's duty under the current area that acts on it now
and a commissioner's duty under its case's area (which a merger does not change)."""

from __future__ import annotations

import multiprocessing
import os
import socket
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path

from markupsafe import Markup
from sqlalchemy.engine import Engine

from monitor.findings import (
    action_histories,
    area_batches,
    area_record_counts,
    areas_and_commissioners,
    funding_claimed,
    held_as_of,
    import_batches,
    latest_check,
    latest_import,
    latest_runs,
    recommendation_answers,
    status_counts,
)
from monitor.paths import area_path, commissioner_path
from monitor.publish.areas import WORKER, AreaJob, Shared, area_job, init_worker, run_area_job
from monitor.publish.charts import (
    heatmap_chart,
    outcome_chart,
    rates_chart,
    response_chart,
    trend_chart,
)
from monitor.publish.context import (
    FUNDING_DUTY,
    RESPONSE_DUTY,
    Benchmarks,
    Tally,
    _rel,
    duty_rows,
    england_rows,
    rate,
    region_rows,
    split_rows,
    successor_info,
)
from monitor.publish.dashboard import dashboard
from monitor.publish.render import _environment, _Parts
from monitor.publish.write import _write_assets, _Writer
from monitor.rules import Rule
from monitor.statuses import RATE_STATUSES
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
        successors = Successors.load(conn)
        counted: dict[tuple[str, str], Counter] = defaultdict(Counter)  # each finding once, by who acts now
        for (area_code, owner, duty), statuses in counts.items():
            where = successors.acts_now(owner, area_code, held) if owner == area_code else area_code
            counted[(where, duty)].update(statuses)
        bench = Benchmarks.from_counts(counted, {a["area_code"]: a.get("region") for a in areas})
        common = {
            "bench": bench,
            "successors": successors,
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
        predecessors: dict[str, list[str]] = defaultdict(list)  # a current area: the areas it took over
        for area in areas:
            code = area["area_code"]
            if successors.superseded(code, held, area=True) is not None:
                predecessors[successors.acts_now(code, code, held)].append(code)
        jobs = []
        for area in areas:
            code = area["area_code"]
            taken = predecessors.get(code, [])
            claimed = [funding[c] for c in (code, *taken) if c in funding]  # the funding cap is the LA's duty
            jobs.append(
                AreaJob(
                    area,
                    {k: v for c in (code, *taken) for k, v in histories_by_area.get(c, {}).items()},
                    answers_by_area.get(code, []),
                    sum(claimed) if claimed else None,
                    record_counts.get(code, {}),
                    per_area_batches.get(code, []),
                    taken,
                )
            )
        shared = Shared(engine.url, rules, common, weeks, commissioner_codes, site)
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
                initializer=init_worker,
                initargs=(shared, os.getpid()),
            ) as pool:
                results = list(pool.map(run_area_job, jobs, chunksize=1))
        else:
            WORKER["shared"], WORKER["writer"], WORKER["engine"] = shared, writer, engine
            try:
                results = [area_job(conn, writer, shared, job) for job in jobs]
            finally:
                WORKER.clear()
        owned: dict[str, list[dict]] = defaultdict(list)  # by the owner in the records
        acting: dict[str, list[dict]] = defaultdict(list)  # by who acts now (after mergers)
        owned_exceptions: dict = {}
        national: list[dict] = []  # current areas
        superseded: list[dict] = []  # areas whose duties passed to a successor
        for summary, mine, exceptions in results:
            (superseded if summary["successor"] else national).append(summary)
            for r in mine:
                owned[r["owner"]].append(r)
                acting[r["acts_now"]].append(r)
            owned_exceptions.update(exceptions)
        answers_acting: dict[str, list] = defaultdict(list)
        for a in answers:
            answers_acting[successors.acts_now(a["owner"], a["area"], held)].append(a)

        commissioner_summaries = []
        for c in commissioners:
            code = c["commissioner_code"]
            if successors.superseded(code, held, area=False) is None:  # its own findings and those it inherited
                rows, mine = acting.get(code, []), answers_acting.get(code, [])
            else:  # a superseded body's page stays for its history
                rows, mine = owned.get(code, []), answers_by_owner.get(code, [])
            commissioner_summaries.append(_commissioner_page(writer, rules, c, rows, owned_exceptions, mine, weeks))

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
        superseded=superseded,
        regions=region_rows(national, bench, duties),
        england=england_rows(national, bench, rules),
        commissioners=commissioner_summaries,
        duties=duties,
        heat=heat,
        charts=[heat] if heat else [],
        batches=batches,
        runs=runs,
    )


def _commissioner_page(
    writer: _Writer,
    rules: dict[str, Rule],
    commissioner: dict,
    rows: list[dict],
    exceptions: dict,
    answers: list[dict],
    weeks: int,
) -> dict:
    code = commissioner["commissioner_code"]
    folder = commissioner_path(code)
    rows = sorted(rows, key=lambda r: (r["duty"], r["subject"]))
    names, successors = writer.common["names"], writer.common["successors"]
    split = split_rows(rows, code, "owner", names, folder, commissioner_path)
    successor = successor_info(successors, code, writer.common["as_of"], folder, commissioner_path, area=False)
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
    board = dashboard(
        writer,
        folder,
        code,
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
        split=split,
        successor=successor,
        chart=charts,
        charts=list(charts.values()),
        has_answers=bool(answers),
        **board,
    )
    return {
        "code": code,
        "name": commissioner["name"],
        "kind": commissioner["kind"],
        "successor": successor,
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
