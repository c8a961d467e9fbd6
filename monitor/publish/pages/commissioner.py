"""A commissioner's dashboard: the duties it owns, across the areas it serves."""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy.engine import Connection

from monitor.paths import area_path, commissioner_path
from monitor.publish.charts import board_charts
from monitor.publish.context import Benchmarks, Tally, board, duty_rows, rate, rel, split_rows, successor_info
from monitor.publish.page import Page
from monitor.publish.site import CommissionerData, Site, commissioner_data, national_counts


def dashboard(site: Site, data: CommissionerData, bench: Benchmarks) -> Page:
    commissioner = data.commissioner
    code = commissioner["commissioner_code"]
    folder = commissioner_path(code)
    rows = data.rows
    tally = Tally()
    per_area: dict[str, Tally] = defaultdict(Tally)
    for r in rows:
        tally.add(r)
        per_area[r["area"]].add(r)
    duties_owned = [d for d in site.rules if tally.duties.get(d)]
    area_rows = []
    for area_code in sorted(per_area):
        t = per_area[area_code]
        tot = t.total()
        area_rows.append(
            {
                "area_code": area_code,
                "name": site.names.get(area_code, ""),
                "href": rel(folder, area_path(area_code) + "index.html"),
                "rates": {d: rate(t.duties.get(d, Counter())) for d in duties_owned},
                "overall": rate(tot),
                "open_breaches": tot["overdue"],
                "data_gaps": tot["data_gap"],
                "exceptions": tot["exception"],
            }
        )
    exceptions = {k: x for r in rows if (x := site.exceptions.get(k := (r["duty"], r["subject"])))}
    numbers = board(
        rows,
        tally,
        duty_rows(tally, site.rules, duties_owned, bench),
        data.answers,
        site.weeks,
        exceptions,
        folder=folder,
        here=code,
        names=site.names,
        as_of=site.as_of,
        warning_days=site.warning_days,
    )
    context = {
        **site.common,
        "title": f"{code} {commissioner['name']}",
        "commissioner": commissioner,
        "duties_owned": duties_owned,
        "area_rows": area_rows,
        "split": split_rows(rows, code, "owner", site.names, folder, commissioner_path),
        "successor": successor_info(site.successors, code, site.as_of, folder, commissioner_path, area=False),
        "charts": board_charts(numbers, responses=bool(data.answers)),
        "has_answers": bool(data.answers),
        **numbers,
    }
    lists = numbers["lists"]
    shown = (*lists["open_breaches"], *lists["upcoming"], *lists["gaps"], *lists["exceptions"])
    refs = tuple(sorted({r["case_ref"] for r in shown if r["case_ref"]}))
    return Page("commissioner.html", folder + "index.html", context, commissioner=code, case_refs=refs)


def page(conn: Connection, site: Site, code: str) -> Page | None:
    """The commissioner's dashboard, read on request; None for an unknown commissioner."""
    data = commissioner_data(conn, site, code)
    return dashboard(site, data, national_counts(conn, site).bench) if data else None
