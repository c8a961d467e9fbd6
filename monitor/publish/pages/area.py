"""An area's pages: its dashboard, and (`family`) with it every page in its folder.

After a merger the current area's pages hold its own findings and the LA duties it took
over, each marked with the area named in the records; a superseded area's pages keep every
finding of its records, for their history, and name its successor. Commissioners' duties for
a merged area's cases stay on that area's pages: an LA merger does not move them. An
inherited finding's explanation and case pages stay in its own area's folder, where the rows
on the successor's page link."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from sqlalchemy.engine import Connection

from monitor.cases import case_records
from monitor.findings import action_histories
from monitor.letters import LettersSection, letters_section
from monitor.paths import area_path, explanation_path
from monitor.publish.charts import board_charts
from monitor.publish.context import Benchmarks, board, duty_rows, rel, split_rows, successor_info
from monitor.publish.page import Page
from monitor.publish.pages import case, explanation, report
from monitor.publish.reuse import Reuse
from monitor.publish.site import AreaData, AreaExtras, Site, area_data, area_explanations, area_extras, national_counts


def area_board(site: Site, data: AreaData, bench: Benchmarks, answers: list[dict]) -> dict:
    """The numbers and listings of the area's dashboard (its report uses them too)."""
    return board(
        data.rows,
        data.tally,
        duty_rows(data.tally, site.rules, None, bench, data.area.get("region")),
        answers,
        site.weeks,
        data.own_exceptions(site),
        folder=area_path(data.code),
        here=data.code,
        names=site.names,
        as_of=site.as_of,
        warning_days=site.warning_days,
    )


def dashboard(site: Site, data: AreaData, numbers: dict, funding, letters: LettersSection | None = None) -> Page:
    code, area = data.code, data.area
    folder = area_path(code)
    charts = board_charts(numbers, responses=True)
    context = {
        **site.common,
        "title": f"{code} {area['name']}",
        "area": area,
        "funding": funding,
        "split": split_rows(data.rows, code, "area", site.names, folder, area_path),
        "successor": successor_info(site.successors, code, site.as_of, folder, area_path, area=True),
        "charts": charts,
        "letters": letters,
        "letters_href": lambda duty, subject: rel(folder, explanation_path(code, duty, subject)),
        **numbers,
    }
    lists = numbers["lists"]
    shown = (*lists["open_breaches"], *lists["upcoming"], *lists["gaps"], *lists["exceptions"])
    refs = tuple(sorted({r["case_ref"] for r in shown if r["case_ref"]}))
    return Page("area.html", folder + "index.html", context, area=code, case_refs=refs)


def family(
    conn: Connection, site: Site, data: AreaData, bench: Benchmarks, extras: AreaExtras, reuse: Reuse | None = None
) -> Iterator[Page]:
    """Every page in the area's folder: dashboard, explanations, cases, inspector report; the
    case and explanation pages `reuse` takes from the last version are left out."""
    numbers = area_board(site, data, bench, extras.answers)
    extras.letters = letters_section(conn, data.code, site.as_of)
    if extras.histories is None:  # read per area: all areas' at once would be held by every worker
        extras.histories = action_histories(conn, [data.code, *data.predecessors])
    yield dashboard(site, data, numbers, extras.funding, extras.letters)
    explanations = area_explanations(conn, site, data, extras.histories)
    for e in explanations.values():
        # inherited: its page is in its own area's folder
        if e.area == data.code and not (reuse and reuse.explanation(e.stored)):
            yield explanation.page(site, e)
    refs = {r["case_ref"] for r in data.actions if r["case_ref"] and r["area"] == data.code}
    by_case: dict[str, list[dict]] = defaultdict(list)  # grouped once: an area has thousands of rows
    for r in data.rows:
        if r["area"] == data.code and r["case_ref"] in refs:
            by_case[r["case_ref"]].append(r)
    if reuse:
        refs = {ref for ref in refs if not reuse.case(data.code, ref, by_case[ref])}
    for ref, records in case_records(conn, data.code, refs).items():
        yield case.page(site, data.area, ref, records, by_case[ref])
    yield report.page(site, data, numbers, explanations, extras)


def page(conn: Connection, site: Site, code: str) -> Page | None:
    """The area's dashboard alone, read on request; None for an unknown area."""
    data = area_data(conn, site, code)
    if data is None:
        return None
    extras = area_extras(conn, site, data)
    return dashboard(
        site,
        data,
        area_board(site, data, national_counts(conn, site).bench, extras.answers),
        extras.funding,
        extras.letters,
    )


def report_page(conn: Connection, site: Site, code: str) -> Page | None:
    """The area's inspector report alone, read on request; None for an unknown area."""
    data = area_data(conn, site, code)
    if data is None:
        return None
    extras = area_extras(conn, site, data, report=True)
    numbers = area_board(site, data, national_counts(conn, site).bench, extras.answers)
    return report.page(site, data, numbers, area_explanations(conn, site, data, extras.histories), extras)
