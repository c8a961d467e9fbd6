"""Dashboards that do not mislead: a rate on fewer than 5 judged findings is marked "few
judged" and left out of rankings and comparisons, every rate shows its n, the national table
can be downloaded; the case page tells the case's story; the accessibility statement gives a
contact; every page carries the phase banner."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import cli

from monitor.config import REPO_RULES
from monitor.publish import publish
from monitor.publish.charts import heatmap_chart
from monitor.publish.context import MIN_JUDGED, Benchmarks, england_rows
from monitor.rules import load_rules
from monitor.store import open_store

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "demo"


@pytest.fixture(scope="module")
def rules():
    return load_rules(REPO_RULES)


@pytest.fixture(scope="module")
def site(tmp_path_factory, rules):
    base = tmp_path_factory.mktemp("dashboards")
    db = f"sqlite:///{base / 'store.db'}"
    assert cli("import", SAMPLE, db=db).exit_code == 0
    assert cli("check", "--as-of", "2020-06-30", db=db).exit_code == 0
    return publish(open_store(db), rules, base / "site", accessibility_contact="access@example.org").parent


def _area(code: str, rate: float | None, n: int, duty: str = "la-evidence") -> dict:
    return {"area_code": code, "name": f"Area {code}", "rates": {duty: rate}, "ns": {duty: n}}


def test_a_rate_on_few_judged_is_ranked_with_nothing(rules):
    """The area with 2 judged findings has the lowest and the highest rate, yet is neither."""
    duty = "la-evidence"
    areas = [_area("1", 0.0, 2), _area("2", 0.5, 10), _area("3", 0.9, 7), _area("4", 1.0, 2)]
    bench = Benchmarks()
    bench.england[duty] = Counter(met=12, late=9)
    row = next(r for r in england_rows(areas, bench, {duty: rules[duty]}) if r["duty"] == duty)
    assert (row["lowest"]["area_code"], row["highest"]["area_code"]) == ("2", "3")
    alone = england_rows([_area("1", 0.0, 2)], bench, {duty: rules[duty]})[0]
    assert alone["lowest"] is None and alone["highest"] is None


def test_the_heat_map_marks_few_judged_and_its_key_is_whole():
    chart = heatmap_chart("h", [_area("1", 0.5, 2), _area("2", 0.5, 9)], ["la-evidence"], {"la-evidence": "LA"})
    figure = chart["figure"]
    assert '"50% few"' in figure and '"50%"' in figure
    assert '"lenmode":"fraction","len":1' in figure.replace(" ", "")
    assert "#f9d8cf" not in figure and "#e8f1f8" not in figure  # no pale, neutral-looking middle


def test_few_judged_is_marked_everywhere_on_the_national_page(site):
    page = (site / "index.html").read_text(encoding="utf-8")
    table = list(csv.DictReader(io.StringIO((site / "national.csv").read_text(encoding="utf-8-sig"))))
    few = [r for r in table if r["few_judged"] == "yes"]
    assert few and all(0 < int(r["judged"]) < MIN_JUDGED for r in few)
    areas = page[page.index('id="table-areas"') : page.index("</table>", page.index('id="table-areas"'))]
    assert areas.count("few judged") == len(few)  # each few-judged rate in the areas table
    england = page[page.index('id="table-england"') : page.index("</table>", page.index('id="table-england"'))]
    for r in few:  # never the lowest or highest area on its duty
        cells = re.findall(rf"<th scope=\"row\">{re.escape(r['duty_title'])}</th>(.*?)</tr>", england, re.S)
        assert cells and f">{r['area_code']} {r['area']}</a>" not in cells[0], r
    assert all(
        re.search(r"of \d+", cell) for cell in re.findall(r'<td class="num"[^>]*>(.*?)</td>', areas) if "%" in cell
    )


def test_the_national_table_downloads_with_n_and_rates(site, rules):
    import openpyxl

    table = list(csv.DictReader(io.StringIO((site / "national.csv").read_text(encoding="utf-8-sig"))))
    assert len(table) == 3 * len(rules)  # every current area and duty
    assert set(table[0]) >= {"area_code", "duty", "judged", "met", "rate_percent", "few_judged"}
    for r in table:
        judged = int(r["judged"])
        assert judged == sum(int(r[s]) for s in ("met", "late", "overdue", "breached"))
        assert (r["rate_percent"] == "") == (judged == 0)
        if judged:
            assert float(r["rate_percent"]) == round(100 * int(r["met"]) / judged, 1)
    sheet = openpyxl.load_workbook(site / "national.xlsx").active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == len(table) and isinstance(rows[0][5], int)
    page = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="national.csv"' in page and 'href="national.xlsx"' in page


def test_the_case_page_tells_the_story(site):
    case = next(p for p in (site / "areas/850/cases").glob("*.html") if "EH850-19-90007" in p.read_text("utf-8"))
    text = case.read_text(encoding="utf-8")
    summary = text[text.index('id="case-summary"') : text.index("</dl>", text.index('id="case-summary"'))]
    assert "withdrawn on 1 April 2019" in summary and "4 March 2019" in summary and "1 July 2019" in summary
    story = text[text.index('id="case-timeline"') : text.index("</ol>", text.index('id="case-timeline"'))]
    dates = re.findall(r"<strong>(\d{1,2} \w+ \d{4})</strong>", story)
    assert dates and "25 March 2019</strong></span>: Evidence due" in story
    assert "Commissioner evidence to the Tribunal due — breached" in story
    for name in ("evidence_due_on", "la_response_due_on", "closed_on", "registered_on"):
        assert name not in text


def test_the_accessibility_statement_gives_a_contact_status_and_review_date(site):
    text = (site / "accessibility.html").read_text(encoding="utf-8")
    assert 'href="mailto:access@example.org"' in text
    assert "partially compliant" in text and "last reviewed on" in text


def test_every_page_carries_the_phase_banner(site):
    for page in site.rglob("*.html"):
        assert '<strong class="tag tag--blue">Beta</strong>' in page.read_text(encoding="utf-8"), page


def test_due_soon_is_the_warning_window_and_every_row_explains_itself(site):
    """The dashboards' due-soon table holds the findings the checks and e-mails call due soon
    (within warning_days), each linking to its explanation page, with its next step in the
    words of whoever does it (the export's field as a detail); nothing later."""
    from lxml import html as lxml_html

    rows = 0
    for page in sorted(site.glob("areas/*/index.html")) + sorted(site.glob("commissioners/*/index.html")):
        table = lxml_html.fromstring(page.read_text(encoding="utf-8")).get_element_by_id("table-upcoming", None)
        if table is None:
            continue
        for tr in table.findall(".//tbody/tr"):
            rows += 1
            assert tr.find('.//td[@data-label="Status"]').text_content().strip() == "Due soon"
            step = tr.find('.//td[@data-label="Next step"]')
            if step is not None and "in the export:" in step.text_content():  # the field is a detail, not the words
                assert "in your case-management system" in step.text_content()
            links = [a.get("href") for a in tr.findall('.//td[@data-label="Explanation"]//a')]
            assert links and all((page.parent / href).resolve().is_file() for href in links)
    assert rows  # the demo has findings due soon on its as-of date
