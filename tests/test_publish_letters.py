"""The Letters and Local Offer section of the area page and the inspector report, and the
explanation page of a template's finding, published from the demo's documents."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import SAMPLE, cli


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("letters-site")
    db = f"sqlite:///{base / 'store.db'}"
    assert cli("import", SAMPLE, db=db).exit_code == 0
    assert cli("check", "--as-of", "2020-06-30", db=db).exit_code == 0
    assert cli("publish", base / "site", "--as-of", "2020-06-30", db=db).exit_code == 0
    return base / "site"


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def section(page: Path) -> str:
    html = page.read_text(encoding="utf-8")
    start = html.index('id="letters"')
    return html[start : html.index("</section>" if "report" in page.name else 'id="downloads"', start)]


@pytest.mark.parametrize("page", ["index.html", "report.html"])
def test_templates_in_use_what_each_lacks_and_how_many_letters(site, page):
    shown = section(site / "areas" / "852" / page)
    words = text(shown)
    assert "EHCP-FINAL-v7 letters/final-plan-v7.html 3 April 2018 to now plan issued plan amended Met" in words
    assert "REFUSE-v3 letters/refusal-v3.txt 3 April 2018 to now refuse plan Breached" in words
    assert "letter template REFUSE-v3 lacks: health-and-social-care, advice, mediation" in words
    (link,) = re.findall(r'href="([^"]*letter-wording[^"]*)"', shown)
    assert (site / "areas" / "852" / link).is_file()


def test_the_local_offer_line_links_to_what_it_lacks(site):
    words = text(section(site / "areas" / "851" / "index.html"))
    assert "Local Offer: 1 page saved on 14 April 2020: Breached the Local Offer lacks: how-to-ask" in words
    assert "Decision-letter templates in use" not in words


def test_the_explanation_shows_each_statement_with_its_passage(site):
    (page,) = (site / "areas" / "852" / "explain" / "letter-wording").glob("852-refuse-v3*.html")
    words = text(page.read_text(encoding="utf-8"))
    assert "right-to-appeal" in words and "paragraph 3" in words
    assert "you can appeal to the First-tier Tribunal" in words
    assert "it must say that the family must consider mediation" in words
