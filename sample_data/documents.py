"""The demo's documents (records standard version 3): decision-letter templates of area A3 —
one telling families all they must be told (a saved web page), one lacking three statements
(plain text), and the one that it replaced before the trial — and saved Local Offer pages: A1's tells families how to ask for
recommendations, A2's only that the Tribunal can make them. Text only, no binaries."""

from __future__ import annotations

import csv
from pathlib import Path

GOOD_LETTER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Your child's final EHC plan</title>
<style>.small { font-size: 90% }</style></head>
<body>
<p>Dear parent or young person,</p>
<p>We have now issued the final Education, Health and Care (EHC) plan. A copy is enclosed.</p>
<h2>If you disagree with the plan</h2>
<p>You have the right to appeal to the First-tier Tribunal (Special Educational Needs and
Disability) about the school or other institution named in the plan, or the special educational
provision in it. You must appeal within two months of the date of this letter.</p>
<p>Before you appeal you must consider mediation. Contact our independent mediation adviser, who
will give you a mediation certificate whether or not you choose mediation.</p>
<p>When you appeal, you can also ask the Tribunal to make recommendations about the health and
social care parts of the plan.</p>
<h2>Free, independent advice</h2>
<p>Our Special Educational Needs and Disabilities Information, Advice and Support Service
(SENDIASS) can help you, free of charge.</p>
<p class="small">Yours sincerely, the SEND team</p>
</body></html>
"""

DEFICIENT_LETTER = """Dear parent or young person,

We have decided not to issue an Education, Health and Care plan.

If you disagree with this decision you can appeal to the First-tier Tribunal
(Special Educational Needs and Disability) within two months of the date of this letter.

Yours sincerely,
the SEND team
"""

GOOD_OFFER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Local Offer: disagreeing with a decision</title>
<script>window.dataLayer = [];</script></head>
<body>
<nav aria-hidden="true">Home | Local Offer | Search</nav>
<h1>Disagreeing with a decision about an EHC plan</h1>
<p>You have the right to lodge an appeal with the First-tier Tribunal (SENDIST).</p>
<p>Since April 2018 you can ask the Tribunal to make recommendations about the health and social
care needs and provision in the plan, as part of your appeal.</p>
<div class="cookie-banner" hidden>We use cookies.</div>
</body></html>
"""

WEAK_OFFER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Local Offer: appeals</title></head>
<body>
<h1>Appeals</h1>
<p>You can appeal to the SEND Tribunal about an EHC plan.</p>
<p>The Tribunal can make recommendations about health and social care.</p>
<p>Other ways to settle a disagreement include mediation.</p>
</body></html>
"""


def write_documents(out_dir: Path, codes: list[str]) -> dict[str, int]:
    """Write the documents folders and the two files listing them; the rows written, by file."""
    a1, a2, a3 = codes[0], codes[1], codes[2]
    files = {
        "letters/final-plan-v7.html": GOOD_LETTER,
        "letters/refusal-v3.txt": DEFICIENT_LETTER,
        "letters/refusal-v2.txt": DEFICIENT_LETTER.replace("you can appeal", "you may appeal"),
        "local-offer/disagreeing.html": GOOD_OFFER,
        "local-offer/appeals.html": WEAK_OFFER,
    }
    for name, text in files.items():
        (out_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (out_dir / name).write_text(text, encoding="utf-8", newline="\n")
    templates = [
        ["template_id", "area_code", "file", "in_use_from", "in_use_to", "decision_types"],
        ["EHCP-FINAL-v7", a3, "letters/final-plan-v7.html", "2018-04-03", "", "plan_issued plan_amended"],
        ["REFUSE-v3", a3, "letters/refusal-v3.txt", "2018-04-03", "", "refuse_plan"],
        ["REFUSE-v2", a3, "letters/refusal-v2.txt", "2016-09-01", "2018-04-02", "refuse_plan"],
    ]
    pages = [
        ["page_id", "area_code", "file", "captured_on", "url"],
        [f"LO-{a1}-1", a1, "local-offer/disagreeing.html", "2020-05-01", "https://localoffer.example.org/disagreeing"],
        [f"LO-{a2}-1", a2, "local-offer/appeals.html", "2020-04-14", "https://localoffer.example.org/appeals"],
    ]
    for name, rows in (("letter_templates.csv", templates), ("local_offer_pages.csv", pages)):
        with open(out_dir / name, "w", newline="", encoding="utf-8") as f:
            csv.writer(f, lineterminator="\n").writerows(rows)
    return {"letter_templates.csv": len(templates) - 1, "local_offer_pages.csv": len(pages) - 1}
