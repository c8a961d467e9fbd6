"""A Local Offer page saved by Chromium and letters printed to PDF by Chromium, read and checked."""

from __future__ import annotations

import pytest

from monitor.documents import read_document
from monitor.documents.checking import check
from monitor.documents.wording import load_wordings
from monitor.resources import rules_dir

OFFER = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Local Offer</title>
<script>window.addEventListener('DOMContentLoaded', () => {
  document.getElementById('later').textContent =
    'You can ask the Tribunal to make recommendations about health and social care as part of your appeal.';
});</script></head><body>
<nav aria-hidden="true">Menu: ask about recommendations for your appeal</nav>
<h1>Disagreeing with a decision</h1>
<p>You have the right to lodge an appeal with the First-tier Tribunal (SENDIST).</p>
<p id="later"></p>
<p>The Tribunal can recommend changes to the health or care parts of a plan, and to the social care parts.</p>
<div class="cookie" style="display:none">We ask you to accept cookies before you appeal recommendations.</div>
</body></html>"""

LETTER = """<!doctype html><html lang="en"><head><meta charset="utf-8"><style>
body { font: 12pt serif; width: 11cm } .page { break-after: page }</style></head><body>
<div class="page"><p>Dear parent,</p><p>We have decided to issue the final plan. If you disagree you can appeal
to the First&#8209;tier Tribunal (SEND) within two months.</p></div>
<div class="page"><p>The Tribunal can also make recom-<br>mendations about the health and social care parts of the plan.</p>
<p>For free, independent advice contact SENDIASS.</p>
<p>You must consider mediation before you appeal: ask our mediation adviser for a &ldquo;mediation certificate&rdquo;.</p></div>
</body></html>"""


@pytest.fixture(scope="module")
def wordings():
    return load_wordings(rules_dir() / "wording")


@pytest.fixture(scope="module")
def page(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        yield browser.new_page()
        browser.close()


def test_local_offer_page_saved_by_chromium(page, tmp_path, wordings):
    page.set_content(OFFER)
    saved = tmp_path / "appeals.html"
    saved.write_text(page.content(), encoding="utf-8")  # what "Save page as" keeps: the page as shown
    result = check(wordings["local-offer"], [read_document(saved)])
    found = {f.statement.id: f for f in result.found}
    assert result.status == "met", result.reason
    assert "right to lodge an appeal" in found["right-to-appeal"].passage
    assert "ask the Tribunal to make recommendations" in found["how-to-ask"].passage  # written by the page's script
    read = " ".join(s.text for s in read_document(saved).segments)
    assert "Menu" not in read and "cookies" not in read  # hidden from people: not read


def test_letter_printed_by_chromium(page, tmp_path, wordings):
    page.set_content(LETTER)
    printed = tmp_path / "letter.pdf"
    printed.write_bytes(page.pdf(format="A4"))
    document = read_document(printed)
    assert [s.where for s in document.segments] == ["page 1", "page 2"]
    result = check(wordings["decision-letter"], [document])
    found = {f.statement.id: f for f in result.found}
    assert result.status == "met", result.reason
    assert found["right-to-appeal"].where == "page 1"
    assert found["health-and-social-care"].where == "page 2"
    assert "recommendations about the health and social care" in found["health-and-social-care"].passage
    assert '"mediation certificate"' in found["mediation"].passage or "mediation adviser" in found["mediation"].passage
