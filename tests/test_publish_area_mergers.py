"""Dashboards follow a local-authority merger (852 taken over by 851 from 1 Apr 2020): the
successor's page holds its own findings and the LA duties it inherited, marked and split; the
superseded area's page keeps its history and links on; the national page lists it apart and
counts every finding once; a chain of two ends with the last successor; a merger after the
as-of date changes nothing."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest
from conftest import SAMPLE, cli

from monitor.findings import query_findings
from monitor.paths import area_path
from monitor.publish.manifest import MANIFEST
from monitor.store import open_store

AS_OF = "2020-06-30"
OLD, NEW = "852", "851"


def _site(base: Path, successors: dict[str, tuple[str, str]]) -> dict:
    """The demo records with `successors` ({area: (successor, from)}), checked and published once."""
    folder = base / "records"
    shutil.copytree(SAMPLE, folder)
    if successors:
        path = folder / "areas.csv"
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            fields, rows = reader.fieldnames, list(reader)
        for r in rows:
            r["successor_code"], r["successor_from"] = successors.get(r["area_code"], ("", ""))
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=[*fields, "successor_code", "successor_from"])
            writer.writeheader()
            writer.writerows(rows)
    db = f"sqlite:///{base / 'store.db'}"
    for args in (("import", folder), ("check", "--as-of", AS_OF), ("publish", base / "site")):
        result = cli(*args, db=db)
        assert result.exit_code == 0, result.output
    with open_store(db).connect() as conn:
        rows = query_findings(conn)
    return {"site": base / "site", "rows": rows}


@pytest.fixture(scope="module")
def before(tmp_path_factory):
    return _site(tmp_path_factory.mktemp("before"), {})


@pytest.fixture(scope="module")
def merged(tmp_path_factory):
    return _site(tmp_path_factory.mktemp("merged"), {OLD: (NEW, "2020-04-01")})


@pytest.fixture(scope="module")
def later(tmp_path_factory):
    return _site(tmp_path_factory.mktemp("later"), {OLD: (NEW, "2020-07-01")})


@pytest.fixture(scope="module")
def chain(tmp_path_factory):  # 850 taken over by 852 in 2019, then 852 by 851
    return _site(tmp_path_factory.mktemp("chain"), {"850": (OLD, "2019-01-01"), OLD: (NEW, "2020-04-01")})


def _page(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


def _table(page: str, table_id: str) -> str:
    start = page.index(f'id="{table_id}"')
    return page[start : page.index("</table>", start)]


def _rows(table: str) -> list[str]:
    return re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S)


def _text(cell: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", cell).split())


def _column(page: str, table_id: str, header: str) -> list[str]:
    """The text of each cell in one column of a table, found by its heading."""
    table = _table(page, table_id)
    heads = [_text(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", table.split("<tbody>", 1)[0], re.S)]
    index = heads.index(header)
    return [_text(re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)[index]) for row in _rows(table)]


def _sum(page: str, table_id: str, header: str) -> int:
    return sum(int(cell.split()[0]) for cell in _column(page, table_id, header))


def test_the_successor_shows_its_own_and_inherited_la_duties(merged):
    inherited = [r for r in merged["rows"] if r["area"] == OLD and r["owner"] == OLD]
    kept = [r for r in merged["rows"] if r["area"] == OLD and r["owner"] != OLD]
    own = [r for r in merged["rows"] if r["area"] == NEW]
    assert inherited and kept and own and all(r["acts_now"] == NEW for r in inherited)
    page = _page(merged["site"], area_path(NEW) + "index.html")
    split = _table(page, "table-split")
    assert f"{NEW} Area {NEW} (own)" in split and f">{OLD} Area {OLD}</a> (inherited" in split
    assert f'<td class="num">{len(inherited)}</td>' in split and f'<td class="num">{len(own)}</td>' in split
    # every inherited open breach is listed and marked with the body it came from; the
    # commissioners' duties for the old area's cases stay on its own page
    breaches = _table(page, "table-open-breaches")
    open_inherited = [r for r in inherited if r["status"] == "overdue"]
    assert open_inherited
    for r in open_inherited:
        row = next(row for row in _rows(breaches) if r["subject"] in row)
        assert f'Inherited</strong> <span class="hint">from Area {OLD} ({OLD})' in row
        assert f'href="../{OLD}/explain/' in row  # its explanation stays in the old area's folder
    assert not [r for r in kept if r["status"] == "overdue" and r["subject"] in page]
    own_open = sum(1 for r in own if r["status"] == "overdue")
    assert f'<p class="card__value">{own_open + len(open_inherited)}</p>' in page
    # the exports beside the page hold the same findings, each with who acts now
    with open(merged["site"] / area_path(NEW) / "findings.csv", encoding="utf-8-sig", newline="") as fh:
        exported = list(csv.DictReader(fh))
    assert sorted((r["duty"], r["subject"]) for r in exported) == sorted(
        (r["duty"], r["subject"]) for r in own + inherited
    )
    assert {r["acts_now"] for r in exported if r["area"] == OLD} == {NEW}
    # and the inspector report lists the inherited breaches with the successor's own
    report = _page(merged["site"], area_path(NEW) + "report.html")
    assert all(r["subject"] in report for r in open_inherited)


def test_the_superseded_area_keeps_its_history_and_links_on(merged, before):
    page = _page(merged["site"], area_path(OLD) + "index.html")
    notice = page[page.index('id="superseded"') :]
    assert f"Replaced by {NEW} Area {NEW}" in notice and "1 April 2020" in notice
    assert f'href="../{NEW}/index.html"' in notice
    assert 'id="table-split"' not in page
    for r in merged["rows"]:
        if r["area"] == OLD and r["status"] == "overdue":
            assert r["subject"] in page
    old_open = sum(1 for r in before["rows"] if r["area"] == OLD and r["status"] == "overdue")
    assert f'<p class="card__value">{old_open}</p>' in page  # its history, as before the merger


def test_national_page_lists_the_old_area_apart_and_counts_once(merged, before):
    page, earlier = _page(merged["site"], "index.html"), _page(before["site"], "index.html")
    current = _table(page, "table-areas")
    assert f">{OLD} Area {OLD}<" not in current and f">{NEW} Area {NEW}<" in current
    replaced = _table(page, "table-superseded-areas")
    assert f">{OLD} Area {OLD}<" in replaced and f">{NEW} Area {NEW}<" in replaced and "1 April 2020" in replaced
    # each finding counted once: England, the regions and the areas' rows add up as before
    assert _column(page, "table-england", "England (of n judged)") == _column(
        earlier, "table-england", "England (of n judged)"
    )
    for column in ("Open breaches", "Data gaps"):
        assert _sum(page, "table-regions", column) == _sum(earlier, "table-regions", column)
    open_now = _sum(page, "table-areas", "Open breaches")
    kept = _sum(page, "table-superseded-areas", "Commissioners' open breaches")
    assert open_now + kept == _sum(earlier, "table-areas", "Open breaches")
    assert kept == sum(1 for r in merged["rows"] if r["area"] == OLD != r["owner"] and r["status"] == "overdue")
    # the inherited LA duties count in the successor's region, the commissioners' in the old area's
    passed = sum(1 for r in merged["rows"] if r["area"] == r["owner"] == OLD and r["status"] == "overdue")
    now, then = (
        dict(zip(_column(p, "table-regions", "Region"), _column(p, "table-regions", "Open breaches"), strict=True))
        for p in (page, earlier)
    )
    assert int(now["London"]) == int(then["London"]) + passed and int(now["East of England"]) == kept


def test_a_chain_of_two_ends_with_the_last_successor(chain, before):
    page = _page(chain["site"], area_path(NEW) + "index.html")
    split = _table(page, "table-split")
    inherited = 0
    for code in ("850", OLD):
        la = [r for r in chain["rows"] if r["area"] == r["owner"] == code]
        assert la and all(r["acts_now"] == NEW for r in la)
        assert f">{code} Area {code}</a> (inherited" in split and f'<td class="num">{len(la)}</td>' in split
        inherited += len(la)
    first = _page(chain["site"], area_path("850") + "index.html")
    assert f"Replaced by {OLD} Area {OLD}" in first and f'href="../{OLD}/index.html"' in first
    national, earlier = _page(chain["site"], "index.html"), _page(before["site"], "index.html")
    assert _column(national, "table-areas", "Area") == [
        f"{NEW} Area {NEW} London includes {inherited} inherited findings"
    ]
    kept = _sum(national, "table-superseded-areas", "Commissioners' open breaches")
    assert _sum(national, "table-areas", "Open breaches") + kept == _sum(earlier, "table-areas", "Open breaches")


def _files(site: Path) -> dict[str, str]:
    stamp = re.compile(r"\d{1,2} [A-Z][a-z]+ \d{4}, \d{1,2}:\d\d[ap]m")  # when made, in UK time
    return {
        str(p.relative_to(site)): stamp.sub("", p.read_text(encoding="utf-8")).replace(str(site.parent), "")
        for p in site.rglob("*")
        if p.is_file() and p.suffix in (".html", ".json", ".csv") and p.name != MANIFEST  # it names its store
    }


def test_a_merger_after_the_as_of_date_changes_nothing(later, before):
    assert all(r["acts_now"] == r["owner"] for r in later["rows"])
    got, expected = _files(later["site"]), _files(before["site"])
    assert got.keys() == expected.keys()
    assert [name for name in got if got[name] != expected[name]] == []


def _violations(page) -> list:
    """axe-core's findings on the page (every impact level), as (rule, first nodes)."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in found]


def test_successor_page_in_chromium(merged, chromium):
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.on("console", lambda m: m.type == "error" and errors.append(m.text))
            page.on("pageerror", lambda e: errors.append(str(e)))

            def checked(page) -> None:  # no console errors, then axe-core (whose fetches fail on file://)
                assert not errors, errors
                assert not _violations(page)
                errors.clear()

            page.goto((merged["site"] / area_path(NEW) / "index.html").resolve().as_uri())
            page.wait_for_load_state("load")
            charts = page.locator(".chart__plot")
            assert charts.count() == 4
            for i in range(4):  # each drew
                charts.nth(i).locator("svg.main-svg").first.wait_for(state="attached", timeout=10_000)
            assert page.locator("#table-open-breaches .tag--grey", has_text="Inherited").count() >= 1
            checked(page)
            page.locator("#table-split a").click()
            page.wait_for_load_state("load")
            assert page.locator("h1").inner_text() == f"{OLD} Area {OLD}"
            checked(page)
            page.locator("#superseded a").click()
            page.wait_for_load_state("load")
            assert page.locator("h1").inner_text() == f"{NEW} Area {NEW}"
            page.goto((merged["site"] / "index.html").resolve().as_uri())
            assert page.locator("#table-superseded-areas tbody tr").count() == 1
            checked(page)
        finally:
            browser.close()
