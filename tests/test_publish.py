"""The published site: layout, exports, isolation, escaping, PDF, and every page type in real
headless Chromium (no console errors, charts rendered, expected rows, axe-core clean)."""

from __future__ import annotations

import csv
import html
import json
import re
import shutil
import subprocess
import time
from datetime import UTC, date
from pathlib import Path

import pytest
from conftest import SAMPLE, cli

from monitor.config import REPO_RULES
from monitor.explanations import explain, explain_stored
from monitor.findings import query_findings
from monitor.paths import case_path, commissioner_path, explanation_path
from monitor.publish import PublishError, publish, rate
from monitor.rules import load_rules
from monitor.statuses import ACTION_STATUSES
from monitor.store import open_store

AS_OF = "2020-06-30"
CHROMIUM = "/usr/bin/chromium"
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
HOSTILE_NAME = '<script>alert("name")</script> & "NHS"'
HOSTILE_REF = '"><img src=x onerror=alert(1)>'
HOSTILE_ID = "D<script>alert(2)</script>"


def _load(folder: Path, db: str) -> None:
    result = cli("import", folder, db=db)
    assert result.exit_code == 0, result.output
    result = cli("check", "--as-of", AS_OF, db=db)
    assert result.exit_code == 0, result.output


def _publish(db: str, out: Path, *extra: str) -> Path:
    result = cli("publish", out, *extra, db=db)
    assert result.exit_code == 0, result.output
    index = Path(result.stdout.strip())
    assert index == (out / "index.html").absolute()
    return index


@pytest.fixture(scope="module")
def demo(tmp_path_factory, chromium):  # publishes with --pdf: a `browser` test
    """The demo records, checked as of 2020-06-30 and published with --pdf."""
    base = tmp_path_factory.mktemp("demo")
    db = f"sqlite:///{base / 'store.db'}"
    _load(SAMPLE, db)
    _publish(db, base / "site", "--pdf")
    return {"db": db, "site": base / "site", "engine": open_store(db)}


@pytest.fixture(scope="module")
def rules():
    return load_rules(REPO_RULES)


def _rows(db: str, area: str | None = None) -> list[dict]:
    with open_store(db).connect() as conn:
        return query_findings(conn, area=area)


def _area_refs(db: str) -> dict[str, set[str]]:
    refs: dict[str, set[str]] = {}
    for name in ("decisions", "appeals"):
        with open(SAMPLE / f"{name}.csv", encoding="utf-8-sig") as fh:
            for row in csv.DictReader(fh):
                refs.setdefault(row["area_code"], set()).add(row["case_ref"])
    return refs


# --- files -------------------------------------------------------------------------


def test_site_layout(demo, rules):
    site = demo["site"]
    rows = _rows(demo["db"])
    areas = sorted({r["area"] for r in rows})
    assert (site / "index.html").is_file()
    assets = sorted(p.name for p in (site / "assets").iterdir())
    assert assets == ["charts.js", "plotly.min.js", "site.css", "site.js"]
    assert len(list(site.rglob("plotly*.js"))) == 1
    for area in areas:
        folder = site / "areas" / area
        for name in ("index.html", "report.html", "report.pdf", "findings.csv", "findings.json", "findings.xlsx"):
            assert (folder / name).is_file(), folder / name
    for code in ("QRL", "QSL", "850-SC", "851-SC", "852-SC"):
        assert (site / commissioner_path(code) / "index.html").is_file()
    # one explanation page per finding needing action, where the alerts link to
    needing = [r for r in rows if r["status"] in ACTION_STATUSES]
    assert needing and {r["status"] for r in needing} == set(ACTION_STATUSES)
    for r in needing:
        assert (site / explanation_path(r["area"], r["duty"], r["subject"])).is_file()
    assert len(list(site.glob("areas/*/explain/*/*.html"))) == len(needing)


def test_pages_are_offline_and_relative(demo):
    for page in demo["site"].rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for attr, url in re.findall(r'\b(src|href)="([^"]*)"', text):
            assert not re.match(r"^(https?:)?//", url), f"{page}: external {attr} {url}"
            if not url.startswith("#"):
                target = (page.parent / url.split("#")[0]).resolve()
                assert target.exists(), f"{page}: broken link {url}"
        scripts = re.findall(r'<script src="([^"]+)"', text)
        assert all(s.endswith(("assets/plotly.min.js", "assets/site.js", "assets/charts.js")) for s in scripts)
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), f"{page}: inline script"
        assert not re.search(r"<[^>]+\son[a-z]+=", text), f"{page}: inline event handler"
        assert scripts.count(scripts[0]) == 1 if scripts else True
        assert "cdn.plot.ly" not in text and "GDS Transport" not in text


def test_area_exports_match_the_cli(demo):
    for area in ("850", "851", "852"):
        expected = cli("findings", "--area", area, "--format", "json", db=demo["db"])
        assert json.loads((demo["site"] / "areas" / area / "findings.json").read_text()) == json.loads(expected.stdout)
        expected_csv = cli("findings", "--area", area, "--format", "csv", db=demo["db"])
        assert (demo["site"] / "areas" / area / "findings.csv").read_text() == expected_csv.stdout


def test_publish_on_postgresql_matches(pg_url, tmp_path):
    _load(SAMPLE, pg_url)
    _publish(pg_url, tmp_path / "site")
    expected = cli("findings", "--area", "851", "--format", "json", db=pg_url)
    assert json.loads((tmp_path / "site/areas/851/findings.json").read_text()) == json.loads(expected.stdout)
    assert "Area 851" in (tmp_path / "site/index.html").read_text()


def test_as_of_must_be_the_checks(demo, tmp_path, rules):
    result = cli("publish", tmp_path / "x", "--as-of", "2020-01-01", db=demo["db"])
    assert result.exit_code == 1
    assert "not 2020-01-01" in result.stderr
    assert not (tmp_path / "x").exists()
    index = publish(demo["engine"], rules, tmp_path / "y", as_of=date(2020, 6, 30))
    assert index == tmp_path / "y" / "index.html" and index.is_file()


def test_publish_replaces_its_own_site_only(demo, tmp_path, rules):
    site = tmp_path / "site"
    publish(demo["engine"], rules, site)
    stale = site / "areas" / "850" / "explain" / "stale.html"
    stale.write_text("old")
    publish(demo["engine"], rules, site)
    assert not stale.exists()
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep")
    with pytest.raises(PublishError):
        publish(demo["engine"], rules, foreign)
    assert (foreign / "notes.txt").read_text() == "keep"
    assert not list(tmp_path.glob(".*new-*"))


def test_worker_processes_write_the_same_site(demo, tmp_path, rules, monkeypatch):
    import monitor.publish.build as publishing

    pools = []

    class Pool(publishing.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            pools.append(kwargs.get("max_workers"))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(publishing, "ProcessPoolExecutor", Pool)
    serial = publish(demo["engine"], rules, tmp_path / "serial", workers=1).parent
    assert pools == []
    forked = publish(demo["engine"], rules, tmp_path / "forked", workers=2).parent
    assert pools == [2]

    def files(root: Path) -> dict[str, str]:
        stamp = re.compile(r"\d{1,2} [A-Z][a-z]+ \d{4}, \d{1,2}:\d\d[ap]m")  # when made, in UK time
        return {
            str(p.relative_to(root)): stamp.sub("", p.read_text(encoding="utf-8"))
            for p in root.rglob("*")
            if p.is_file() and p.suffix in (".html", ".json", ".csv")
        }

    assert files(serial) == files(forked)


def test_serve_on_localhost(demo):
    import sys
    import urllib.request

    from conftest import free_port

    port = free_port()
    code = "import sys; from monitor.cli import app; sys.argv[0] = 'send-monitor'; app()"
    server = subprocess.Popen(
        [sys.executable, "-c", code, "serve", "--static", str(demo["site"]), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60  # a generous wait for a slow start, not a timing check
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/areas/850/index.html", timeout=5) as r:
                    body = r.read().decode()
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"serve stopped: {server.stderr.read().decode()[-500:]}")
                if time.monotonic() > deadline:
                    pytest.fail("serve did not answer within a minute")
                time.sleep(0.1)
        assert "850 Area 850" in body
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_no_publish_before_a_check(tmp_path):
    db = f"sqlite:///{tmp_path / 'store.db'}"
    assert cli("import", SAMPLE, db=db).exit_code == 0
    result = cli("publish", tmp_path / "site", db=db)
    assert result.exit_code == 1 and "check" in result.stderr


def test_batch_explanations_agree_with_explain(demo, rules):
    engine = demo["engine"]
    with engine.connect() as conn:
        rows = [r for r in query_findings(conn) if r["status"] in ACTION_STATUSES]
        batch = explain_stored(conn, rules, rows, date(2020, 6, 30))
    assert len(batch) == len(rows)
    for r in rows:
        one = explain(engine, rules, r["duty"], r["subject"])
        many = batch[(r["duty"], r["subject"])]
        for attr in (
            "status",
            "area",
            "owner",
            "case_ref",
            "due_on",
            "done_on",
            "days_late",
            "reason",
            "deadline",
            "facts",
            "row_number",
            "row_text",
            "records",
            "exception",
            "bank_holiday",
            "history",
        ):
            assert getattr(many, attr) == getattr(one, attr), (r["duty"], r["subject"], attr)


def test_rate():
    from collections import Counter

    assert rate(Counter()) is None
    assert rate(Counter(pending=3, exception=2, data_gap=1)) is None
    assert rate(Counter(met=3, late=1, overdue=0, breached=0, pending=9)) == 0.75


# --- isolation and escaping ----------------------------------------------------------


def test_area_folder_holds_only_its_own_case_refs(demo):
    refs = _area_refs(demo["db"])
    assert set(refs) == {"850", "851", "852"}
    for area in refs:
        others = set().union(*(refs[a] for a in refs if a != area))
        mine = refs[area]
        texts = [_text_of(p) for p in (demo["site"] / "areas" / area).rglob("*") if p.is_file() and p.suffix != ".pdf"]
        assert texts
        blob = "\n".join(texts)
        leaked = sorted(ref for ref in others if ref in blob)
        assert not leaked, f"area {area} folder shows other areas' case refs: {leaked[:5]}"
        assert any(ref in blob for ref in mine)
    # the PDF too
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(demo["site"] / "areas/851/report.pdf"), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert not [ref for ref in refs["850"] | refs["852"] if ref in text]


def _text_of(path: Path) -> str:
    """A file's text; a workbook's is the text of its parts."""
    if path.suffix == ".xlsx":
        import zipfile

        with zipfile.ZipFile(path) as z:
            return "\n".join(z.read(name).decode("utf-8") for name in z.namelist())
    return path.read_bytes().decode("utf-8")


def _hostile_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "records"
    shutil.copytree(SAMPLE, folder)

    def edit(file: str, key: str, match: str, **changes):
        path = folder / f"{file}.csv"
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            fields, rows = reader.fieldnames, list(reader)
        hits = [r for r in rows if r[key] == match]
        assert hits, (file, match)
        for r in hits:
            r.update(changes)
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)

    edit("commissioners", "commissioner_code", "QRL", name=HOSTILE_NAME)
    edit("areas", "area_code", "852", name="Area <b>852</b>")
    edit("appeals", "appeal_id", "EH850-19-90007", case_ref=HOSTILE_REF)
    edit("decisions", "decision_id", "D850-0000049", decision_id=HOSTILE_ID)
    return folder


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    db = f"sqlite:///{base / 'store.db'}"
    _load(_hostile_folder(base), db)
    _publish(db, base / "site")
    return {"db": db, "site": base / "site"}


def test_hostile_values_are_escaped_in_files(hostile):
    site = hostile["site"]
    pages = {p: p.read_text(encoding="utf-8") for p in site.rglob("*.html")}
    for page, text in pages.items():
        for raw in (HOSTILE_NAME, HOSTILE_REF, HOSTILE_ID, "<b>852</b>", "<script>alert"):
            assert raw not in text, f"{page} holds raw {raw!r}"
    national = pages[site / "index.html"]
    assert "&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt; &amp; &#34;NHS&#34;" in national
    gap = site / explanation_path("850", "rights-notice", HOSTILE_ID)
    assert gap.is_file() and gap.parent == site / "areas/850/explain/rights-notice"
    assert "D&lt;script&gt;alert(2)&lt;/script&gt;" in pages[gap]


# --- PDF ---------------------------------------------------------------------------


def _pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [p for p in text.split("\f") if p.strip()]


def test_report_pdf_is_numbered_marked_and_complete(demo, rules):
    pdf = demo["site"] / "areas" / "850" / "report.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    pages = _pdf_pages(pdf)
    text = "\n".join(pages)
    headings = re.findall(r"^3\.(\d+) +(\S.+?)\s*$", text, re.M)
    titles = {r.short_title for r in rules.values()}
    assert sorted({h[1] for h in headings if h[1] in titles}) == sorted(titles)
    assert "Where the figures come from" in text
    assert "⇅" not in text  # the sort buttons do not print
    for number, page in enumerate(pages, start=1):
        assert "850 Area 850" in page and "Findings as of 30 June 2020" in page and "OFFICIAL" in page, number
        assert f"Page {number} of {len(pages)}" in page
    for name in ("response_weeks", "return_weeks", "local_offer_due", "funding_cap_gbp", "week(s)", "scope_start"):
        assert name not in text
    # no page is left nearly blank by a forced break
    assert all(len(p.split()) > 60 for p in pages[:-1])


def test_long_closed_breach_listings_are_summarised_by_month(generated):
    report = (generated["site"] / "areas/851/report.html").read_text(encoding="utf-8")
    rows = [r for r in _rows(generated["db"], "851") if r["status"] in ("late", "breached")]
    long = {d for d in {r["duty"] for r in rows} if sum(1 for r in rows if r["duty"] == d) > 20}
    assert long
    for duty in long:
        assert f'id="months-{duty}"' in report and f'id="appendix-{duty}"' in report
        appendix = report[report.index(f'id="appendix-{duty}"') :]
        for r in rows:
            if r["duty"] == duty:
                assert html.escape(r["subject"]) in appendix
    assert report.count('id="appendix-') == len(long)


# --- in the browser ------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(demo):  # after the demo's publish: its PDFs print with Playwright's own event loop
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        yield b
        b.close()


class Page:
    def __init__(self, browser, path: Path, width: int = 1280):
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_load_state("load")

    def __enter__(self):
        return self.page

    def __exit__(self, *exc):
        self.context.close()


def _charts_rendered(page) -> int:
    charts = page.locator(".chart__plot")
    n = charts.count()
    for i in range(n):
        chart = charts.nth(i)
        chart.locator("svg.main-svg").first.wait_for(state="attached", timeout=10_000)
    return n


def _axe(page) -> list:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return results.response["violations"]  # every impact level, minor included


def _body_rows(page, table_id: str) -> int:
    return page.locator(f"#{table_id} tbody tr").count()


def _page_types(demo) -> dict[str, Path]:
    site = demo["site"]
    rows = _rows(demo["db"], "850")
    overdue = next(r for r in rows if r["status"] == "overdue")
    exception = next(r for r in rows if r["status"] == "exception")
    return {
        "national": site / "index.html",
        "area": site / "areas/850/index.html",
        "commissioner": site / commissioner_path("QRL") / "index.html",
        "social care commissioner": site / commissioner_path("850-SC") / "index.html",
        "explanation (overdue)": site / explanation_path("850", overdue["duty"], overdue["subject"]),
        "explanation (exception)": site / explanation_path("850", exception["duty"], exception["subject"]),
        "report": site / "areas/850/report.html",
        "case": site / case_path("850", overdue["case_ref"]),
        "accessibility statement": site / "accessibility.html",
    }


PAGE_TYPES = [
    "national",
    "area",
    "commissioner",
    "social care commissioner",
    "explanation (overdue)",
    "explanation (exception)",
    "report",
    "case",
    "accessibility statement",
]


@pytest.mark.parametrize("width", [320, 390, 1280])
@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_page_in_chromium(browser, demo, kind, width):
    checker = Page(browser, _page_types(demo)[kind], width)
    try:
        page = checker.page
        charts = _charts_rendered(page)
        expected = {"national": 1, "area": 4, "commissioner": 4, "social care commissioner": 4, "case": 1}.get(kind, 0)
        assert charts == expected
        assert page.locator("h1").count() == 1
        assert not checker.errors, checker.errors  # before axe, whose stylesheet fetches fail on file://
        violations = _axe(page)
        assert not violations, json.dumps(
            [(v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations], indent=1
        )
    finally:
        checker.context.close()


@pytest.mark.parametrize("width", [320, 390, 1280])
@pytest.mark.parametrize("kind", ["area", "commissioner", "social care commissioner", "case"])
def test_action_tables_fit_the_screen(browser, demo, kind, width):
    """On a phone an action table is a card per row: no cell, link or tag outside the screen,
    captions whole, case references and dates on one line."""
    with Page(browser, _page_types(demo)[kind], width) as page:
        tables = page.locator("table.table--cards")
        assert tables.count() > 0, kind
        outside = page.evaluate(
            """(width) => [...document.querySelectorAll('table.table--cards, table.table--cards tbody *')]
                .filter(e => !e.closest('.visually-hidden'))  // read by screen readers, not shown
                .map(e => e.getBoundingClientRect())
                .filter(r => r.width > 0 && (r.left < -0.5 || r.right > width + 0.5)).length""",
            width,
        )
        assert outside == 0, (kind, width)
        cut = page.evaluate(
            """() => [...document.querySelectorAll('table.table--cards caption')]
                .filter(c => c.scrollWidth > c.clientWidth + 1).length"""
        )
        assert cut == 0, (kind, width)
        broken = page.evaluate(
            """() => [...document.querySelectorAll('table.table--cards td.nowrap')]
                .filter(td => td.textContent.trim() && td.textContent.trim() !== '—')
                .filter(td => { const r = document.createRange(); r.selectNodeContents(td);
                                const tops = new Set([...r.getClientRects()].map(x => Math.round(x.top)));
                                return tops.size > 1; }).length"""
        )
        assert broken == 0, (kind, width)
        if width < 641:  # the labels stand in for the hidden column headings
            label = page.evaluate(
                "getComputedStyle(document.querySelector('table.table--cards td[data-label]'), '::before').content"
            )
            assert label.strip('"') != "none"


def test_national_page_rows_and_sorting(browser, demo):
    with Page(browser, demo["site"] / "index.html") as page:
        assert _body_rows(page, "table-areas") == 3
        assert _body_rows(page, "table-commissioners") == 5
        links = page.locator("#table-areas tbody th a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
        assert links == ["areas/850/index.html", "areas/851/index.html", "areas/852/index.html"]
        header = page.locator("#table-areas thead th").filter(has_text="Open breaches")
        header.locator("button").click()
        assert header.get_attribute("aria-sort") == "ascending"
        header.locator("button").click()
        assert header.get_attribute("aria-sort") == "descending"
        first = page.locator("#table-areas tbody tr").first.locator("th").inner_text()
        assert first.startswith("852")  # the most open breaches in the demo
        assert page.locator("text=30 June 2020").first.is_visible()


def test_area_page_rows(browser, demo):
    rows = _rows(demo["db"], "850")
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in ("overdue", "data_gap", "exception")}
    with Page(browser, demo["site"] / "areas/850/index.html") as page:
        assert _body_rows(page, "table-open-breaches") == counts["overdue"]
        assert _body_rows(page, "table-data-gaps") == counts["data_gap"]
        assert _body_rows(page, "table-exceptions") == counts["exception"]
        # every open breach links to its explanation, which opens
        link = page.locator("#table-open-breaches tbody a[href^='explain/']").first
        link.click()
        page.wait_for_load_state("load")
        assert page.locator("h1 .tag").inner_text() == "Overdue"
        assert page.locator("#table-decision tr.row--matched").count() == 1
        # the explanation opens with what happened and the next step, then evidence, then the trace
        assert "overdue" in page.locator("#plain").inner_text()
        assert page.locator("#next-step p").inner_text().strip()
        h1 = page.locator("h1").inner_text().strip()
        assert not h1.endswith(":") and ": " not in h1
        # and links to the case's page, which tells the whole story with a timeline
        ref = page.locator("text=Case reference").locator("xpath=..").locator("a").inner_text()
        page.locator("text=Case reference").locator("xpath=..").locator("a").click()
        page.wait_for_load_state("load")
        assert page.locator("h1").inner_text() == f"Case {ref}"
        assert _charts_rendered(page) == 1
        assert page.locator("#table-case-findings tbody tr").count() >= 1
        assert page.locator("#table-case-records tbody tr").count() >= 1
        assert page.locator("#table-case-findings a").first.get_attribute("href").startswith("../explain/")


def test_hostile_values_show_as_text_in_chromium(browser, hostile):
    site = hostile["site"]
    for path, shown in (
        (site / "index.html", HOSTILE_NAME),
        (site / "index.html", "Area <b>852</b>"),
        (site / "areas/850/index.html", HOSTILE_REF),
        (site / commissioner_path("QRL") / "index.html", HOSTILE_NAME),
    ):
        checker = Page(browser, path)
        page = checker.page
        _charts_rendered(page)
        assert shown in page.locator("main").inner_text()
        assert page.locator("main img").count() == 0 and page.locator("main b").count() == 0
        assert page.locator("main script").count() == 0
        checker.context.close()
        assert not checker.dialogs and not checker.errors, (checker.dialogs, checker.errors)
    # the heat map labels show the name as text
    checker = Page(browser, site / "index.html")
    labels = checker.page.locator(".chart__plot svg .ytick text").evaluate_all("els => els.map(e => e.textContent)")
    checker.context.close()
    assert "852 Area <b>852</b>" in labels


def test_area_folder_names_only_its_own_import_batches(tmp_path):
    db = f"sqlite:///{tmp_path / 'store.db'}"
    first = tmp_path / "exports" / "national-first"
    shutil.copytree(SAMPLE, first)
    assert cli("import", first, db=db).exit_code == 0
    second = tmp_path / "exports" / "secret-852-drop"
    shutil.copytree(SAMPLE, second)
    path = second / "decisions.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    changed = next(i for i, line in enumerate(lines) if line.startswith("D852-") and line.endswith(","))
    lines[changed] = lines[changed] + "true"  # rights_notice given
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert cli("import", second, db=db).exit_code == 0
    assert cli("check", "--as-of", AS_OF, db=db).exit_code == 0
    _publish(db, tmp_path / "site")
    for area in ("850", "851", "852"):
        blob = "\n".join(_text_of(p) for p in (tmp_path / "site/areas" / area).rglob("*") if p.is_file())
        assert str(tmp_path) not in blob  # no server paths
        assert ("secret-852-drop" in blob) == (area == "852")
        assert "national-first" in blob
    report = (tmp_path / "site/areas/852/report.html").read_text(encoding="utf-8")
    row = re.search(r"<tr><td class=\"num\">2</td>.*?</tr>", report, re.S).group(0)
    assert re.findall(r'class="num">(\d+)</td>', row) == ["2", "0", "1"]


@pytest.mark.parametrize("width", [320, 390, 768, 1280])
def test_no_page_is_wider_than_the_screen(browser, demo, width):
    for kind, path in _page_types(demo).items():
        with Page(browser, path, width) as page:
            _charts_rendered(page)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (kind, width)
            # every wide table scrolls inside a focusable, labelled region
            loose = page.evaluate("""() => [...document.querySelectorAll('table')].filter(t =>
                !(t.parentElement.matches('.table-scroll[role=region][tabindex="0"][aria-label]'))).length""")
            assert loose == 0, kind
            h1 = page.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)")
            assert h1 == (32 if width < 641 else 48), (kind, h1)


def test_narrow_national_page_shows_a_table_for_the_heat_map(browser, demo):
    with Page(browser, demo["site"] / "index.html", 390) as page:
        assert not page.locator("#chart-heatmap").is_visible()
        assert page.locator("#table-england").is_visible()
    with Page(browser, demo["site"] / "index.html", 1280) as page:
        assert page.locator("#chart-heatmap").is_visible()


def test_headline_figures_are_honest(demo, rules):
    area = (demo["site"] / "areas/850/index.html").read_text(encoding="utf-8")
    national = (demo["site"] / "index.html").read_text(encoding="utf-8")
    for text in (area, national):
        assert "Overall compliance" not in text
    assert "Duties below England's rate" in area
    for card in ("Open breaches", "Due soon", "Data gaps to fix", "Exceptions in force"):
        assert card in area
    rows = _rows(demo["db"])
    judged = [r for r in rows if r["status"] in ("met", "late", "overdue", "breached")]
    for duty in rules:
        n = sum(1 for r in judged if r["duty"] == duty)
        if n:
            assert f"of {n}</span>" in national  # England's rate with its n
    mine = [r for r in judged if r["area"] == "850"]
    few = [d for d in rules if 0 < sum(1 for r in mine if r["duty"] == d) < 5]
    assert few and area.count("few judged</span>") == len(few)
    assert "South East" in area  # the region's rate beside
    assert 'id="table-regions"' in national and "London" in national


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """Generated records with listings longer than 20 rows."""
    import sys

    base = tmp_path_factory.mktemp("generated")
    subprocess.run(
        [
            sys.executable,
            str(SAMPLE.parent / "generate.py"),
            str(base / "records"),
            "--areas",
            "2",
            "--years",
            "2",
            "--scale",
            "0.3",
            "--seed",
            "3",
        ],
        check=True,
        capture_output=True,
    )
    db = f"sqlite:///{base / 'store.db'}"
    _load(base / "records", db)
    _publish(db, base / "site")
    return {"db": db, "site": base / "site"}


def test_long_listings_get_a_filter_box(browser, generated):
    rows = [r for r in _rows(generated["db"], "851") if r["status"] == "data_gap"]
    assert len(rows) > 20
    path = generated["site"] / "areas/851/index.html"
    with Page(browser, path) as page:
        box = page.get_by_label("Filter these rows (case ref, duty, subject, status)")
        assert box.count() == 1  # only the long listing has one
        box.fill(rows[0]["subject"])
        shown = page.locator("#table-data-gaps tbody tr:not([hidden])")
        assert shown.count() == sum(1 for r in rows if rows[0]["subject"] in r["subject"])
        assert "rows shown" in page.locator(".filter__count").inner_text()
        box.fill("")
        assert shown.count() == len(rows)
        assert not _axe(page)
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(path.resolve().as_uri())
        assert page.locator("input[type=search]").count() == 0  # without JavaScript: the full table
        assert page.locator("#table-data-gaps tbody tr").count() == len(rows)
    finally:
        context.close()


def test_runs_are_shown_as_they_are(tmp_path, rules):
    import os
    import socket
    from datetime import datetime

    from sqlmodel import Session

    from monitor.models import RunRecord

    db = f"sqlite:///{tmp_path / 'store.db'}"
    _load(SAMPLE, db)
    engine = open_store(db)
    now = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
    report = "inbox/failed/export-2026-11-30.errors.txt"
    with Session(engine) as session:
        session.add(
            RunRecord(
                cycle="c1",
                step="import",
                trigger="schedule",
                started_at=now,
                finished_at=now,
                outcome="failed",
                counts={"problems": 3, "report": report},
            )
        )
        session.add(
            RunRecord(
                cycle="c1",
                step="publish",
                trigger="schedule",
                started_at=now,
                host=socket.gethostname(),
                pid=os.getpid(),
            )
        )
        session.commit()
    publish(engine, rules, tmp_path / "site")
    page = (tmp_path / "site/index.html").read_text(encoding="utf-8")
    runs = page[page.index('id="table-runs"') :]
    runs = runs[: runs.index("</table>")]
    assert "writing this site" in runs and ">running<" not in runs
    assert "3 problems" in runs and report in runs


def test_copy_to_writes_the_site_as_plain_files(demo, tmp_path):
    out, copy = tmp_path / "site", tmp_path / "upload" / "site"
    result = cli("publish", out, "--copy-to", copy, db=demo["db"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == f"copied to {copy.absolute()}"
    assert out.is_symlink() and not copy.is_symlink()
    published = sorted(p.relative_to(out.resolve()) for p in out.resolve().rglob("*"))
    copied = sorted(p.relative_to(copy) for p in copy.rglob("*"))
    assert copied == published and not any(p.is_symlink() for p in copy.rglob("*"))
    assert (copy / "areas/850/index.html").read_bytes() == (out / "areas/850/index.html").read_bytes()


def test_copy_to_refuses_a_folder_holding_files(demo, tmp_path):
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine", encoding="utf-8")
    result = cli("publish", tmp_path / "site", "--copy-to", busy, db=demo["db"])
    assert result.exit_code == 1
    assert "not an empty folder" in result.output and "Traceback" not in result.output
    assert [p.name for p in busy.iterdir()] == ["keep.txt"]


def test_report_pdf_is_tagged_with_an_outline(demo):
    from pypdf import PdfReader

    reader = PdfReader(demo["site"] / "areas" / "850" / "report.pdf")
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]
    assert reader.outline
