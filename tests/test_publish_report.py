"""The inspector report, to be cited: its contents list gives the page each numbered section
starts on (read from the printed PDF with pdftotext), the duties come in the order of the
process, a long table repeats its header row on every page, the first page gives the key
findings, and a closed appeal's pages say first that it closed."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import cli

from monitor.config import REPO_RULES
from monitor.publish import publish
from monitor.publish.pages.report import PROCESS, in_process_order, key_findings
from monitor.rules import load_rules
from monitor.store import open_store

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "demo"
AS_OF = "2020-06-30"
ENTRY = re.compile(r"^\s*((?:Annex )?[0-9A-Z](?:\.\d+)?)\s+(\S.*?)\s{2,}(\d+)\s*$")  # a contents line


def _store(base: Path, records: Path, as_of: str = AS_OF) -> str:
    db = f"sqlite:///{base / 'store.db'}"
    assert cli("import", records, db=db).exit_code == 0
    assert cli("check", "--as-of", as_of, db=db).exit_code == 0
    return db


@pytest.fixture(scope="module")
def rules():
    return load_rules(REPO_RULES)


@pytest.fixture(scope="module")
def printed(tmp_path_factory, rules, chromium):
    """The demo published with --pdf."""
    base = tmp_path_factory.mktemp("report")
    db = _store(base, SAMPLE)
    site = publish(open_store(db), rules, base / "site", pdf=True).parent
    return {"site": site, "db": db}


@pytest.fixture(scope="module")
def long_tables(tmp_path_factory, rules, chromium):
    """Generated records with a closed-breach listing long enough to span pages."""
    base = tmp_path_factory.mktemp("long")
    args = ["--areas", "2", "--years", "2", "--scale", "0.3", "--seed", "3"]
    subprocess.run([sys.executable, str(SAMPLE.parent / "generate.py"), str(base / "records"), *args], check=True)
    db = _store(base, base / "records")
    return publish(open_store(db), rules, base / "site", pdf=True).parent


def _pages(pdf: Path) -> list[str]:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]  # pdftotext ends every page with a form feed


def _contents(pages: list[str]) -> list[tuple[str, str, int]]:
    """The contents list's entries (number, title, page), from the page that holds it."""
    page = next(p for p in pages if re.search(r"^\s*Contents\s*$", p, re.M))
    return [(m[1], m[2].strip(), int(m[3])) for line in page.splitlines() if (m := ENTRY.match(line))]


def _starts_on(pages: list[str], number: str, title: str, after: int) -> int:
    """The first page after `after` whose text has the heading "number title" at a line's start."""
    words = r"\s+".join(map(re.escape, [*number.split(), *title.split()]))
    heading = re.compile(rf"^\s*{words}", re.M)
    return next(i for i, p in enumerate(pages, start=1) if i > after and heading.search(p))


def test_the_contents_list_gives_the_page_each_section_starts_on(printed, rules):
    pages = _pages(printed["site"] / "areas/850/report.pdf")
    entries = _contents(pages)
    contents_page = next(i for i, p in enumerate(pages, start=1) if re.search(r"^\s*Contents\s*$", p, re.M))
    numbers = [n for n, _t, _p in entries]
    assert numbers[:3] == ["1", "2", "3"] and "4" in numbers and "Annex A" in numbers
    assert [n for n in numbers if n.startswith("3.")] == [f"3.{i}" for i in range(1, len(rules) + 1)]
    for number, title, page in entries:
        after = 0 if number == "1" else contents_page
        assert _starts_on(pages, number, title, after) == page, (number, title)
    assert entries[0][2] == 1 and "Key findings" in pages[0]  # the first page: key findings


def test_duties_are_numbered_in_the_order_of_the_process(printed, rules):
    pages = _pages(printed["site"] / "areas/850/report.pdf")
    duties = [(n, t) for n, t, _p in _contents(pages) if n.startswith("3.")]
    assert [t for _n, t in duties] == [rules[d].short_title for d in in_process_order(list(rules))]
    assert in_process_order(list(rules))[:5:2] == ["rights-notice", "local-offer", "commissioner-contacted"]
    assert in_process_order(["zz-new", "funding-cap", "rights-notice"]) == ["rights-notice", "funding-cap", "zz-new"]
    assert set(PROCESS) == set(rules)


def test_the_same_data_gives_the_same_numbers(printed, rules, tmp_path):
    again = publish(open_store(printed["db"]), rules, tmp_path / "again").parent
    first = (printed["site"] / "areas/850/report.html").read_text(encoding="utf-8")
    second = (again / "areas/850/report.html").read_text(encoding="utf-8")
    heads = re.compile(r'<h[234] class="heading-[lm]" id="[^"]+">([0-9A-Z][.0-9]* [^<]+)<')
    assert heads.findall(first) == heads.findall(second) and len(heads.findall(first)) > 20


def test_a_long_table_repeats_its_header_on_every_page(long_tables):
    pages = _pages(long_tables / "areas/851/report.pdf")
    annex = next(i for i, p in enumerate(pages) if re.search(r"^\s*Annex B\s+Every closed breach\s*$", p, re.M))
    spanned = [p for p in pages[annex:] if re.search(r"^\s*C\d{3}-\d{6}", p, re.M)]  # with rows of a breach table
    assert len(spanned) >= 2
    for page in spanned:  # the header row, first on the page's table
        header = re.search(r"Case ref ·\s+Status\s+Due / done\s+Days\s+Evidence \(records used\)", page)
        assert header and header.start() < re.search(r"^\s*C\d{3}-\d{6}", page, re.M).start(), page[:300]


def test_key_findings_leave_out_duties_with_few_judged():
    def duty(name, rate, england, n):
        return {"duty": name, "short_title": name, "rate": rate, "england_rate": england, "n": n}

    rows = [
        duty("a", 0.9, 0.5, 10),
        duty("b", 0.6, 0.5, 5),
        duty("c", 1.0, 0.1, 4),  # far above, but on 4 judged
        duty("d", 0.7, 0.6, 20),
        duty("e", 0.8, 0.75, 9),
        duty("f", 0.2, 0.9, 30),
        duty("g", 0.0, 0.9, 2),  # far below, but on 2 judged
        duty("h", None, 0.5, 0),
    ]
    breaches = [{"duty": "f", "days_late": d} for d in (5, 31, 30, 400)]
    key = key_findings(rows, breaches)
    assert [d["duty"] for d in key["above"]] == ["a", "d", "b"]
    assert [d["duty"] for d in key["below"]] == ["f"]
    assert [d["duty"] for d in key["few"]] == ["c", "g"]
    assert key["long_overdue"] == 2 and key["long_overdue_by_duty"] == [("f", 2)]


def test_the_first_page_gives_the_key_findings(printed):
    first = _pages(printed["site"] / "areas/850/report.pdf")[0]
    assert "1 Key findings" in first and "furthest below England's rate" in first
    assert re.search(r"\d+ open breach(es are| is) more than 30 days overdue", first)
    assert "Contents" not in first


def test_people_read_labels_and_one_date_style(printed):
    text = "\n".join(_pages(printed["site"] / "areas/850/report.pdf"))
    text = text[: text.rindex("Annex A")]  # the decision tables state the rules' own terms
    for field in ("la_response_due_on", "evidence_due_on", "closed_on", "social_care", "rights-notice"):
        assert field not in text, field
    assert not re.search(r"\b\d{4}-\d\d-\d\d\b", text)  # no ISO dates
    assert not re.search(r"\b\d{1,2} (Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}", text)
    assert "30 June 2020" in text


def test_the_area_page_links_to_the_pdf_and_offers_a_print_button(printed, rules, tmp_path):
    page = (printed["site"] / "areas/850/index.html").read_text(encoding="utf-8")
    assert 'href="report.pdf"' in page and (printed["site"] / "areas/850/report.pdf").is_file()
    assert "data-print hidden" in page  # shown by site.js
    plain = publish(open_store(printed["db"]), rules, tmp_path / "plain").parent
    assert 'href="report.pdf"' not in (plain / "areas/850/index.html").read_text(encoding="utf-8")


def test_a_closed_appeal_says_first_that_it_closed(printed):
    area = printed["site"] / "areas/850"
    explanation = next(area.glob("explain/commissioner-evidence/eh850-19-90007-850-sc_*.html"))
    case = next(p for p in area.glob("cases/*.html") if "EH850-19-90007" in p.read_text(encoding="utf-8"))
    for page in (explanation, case):
        after_title = page.read_text(encoding="utf-8").split("</h1>", 1)[1]
        first = re.search(r"<p[^>]*>(.*?)</p>", after_title, re.S)
        assert first and "appeal was withdrawn on 1 April 2019" in first[1], page.name
    text = explanation.read_text(encoding="utf-8")
    assert "Nothing can be done on this duty any more" in text
