"""Each required statement's matching: what passes and what does not (duties.md, "Wording")."""

from __future__ import annotations

import pytest

from monitor.documents import DocumentText, Segment
from monitor.documents.checking import check
from monitor.documents.wording import load_wordings
from monitor.resources import rules_dir

WORDING = rules_dir() / "wording"
FAR = " ".join(["word"] * 70)


def text(*paragraphs: str) -> DocumentText:
    segments = tuple(Segment(p, f"paragraph {n}") for n, p in enumerate(paragraphs, start=1))
    return DocumentText("letter.txt", "0" * 64, segments)


def found(wording: str, statement: str, *paragraphs: str, additions: dict | None = None):
    wordings = load_wordings(WORDING, additions={wording: additions} if additions else None)
    result = check(wordings[wording], [text(*paragraphs)])
    return next((f for f in result.found if f.statement.id == statement), None)


@pytest.mark.parametrize(
    "words",
    [
        "You can appeal to the First-tier Tribunal (SEND).",
        "appealing to the Special Educational Needs and Disability Tribunal (SENDIST)",
        "You have the right to lodge an appeal with the First-tier Tribunal.",
        "You have a right of appeal.",
        "The Tribunal hears appeals about plans.",  # the words in another order
        "You can APPEAL to the\nfirst-tier\ntribunal",  # line breaks, case
        "you can \u2018appeal\u2019 \u2014 to the \u201cTribunal\u201d",  # curly quotes and dashes
        "appeal\u2026to the Tribunal",  # punctuation between words
        "ap-\npeal to the Tribunal",  # hyphenated across a line
        "appeal to the \uff34\uff52\uff49\uff42\uff55\uff4e\uff41\uff4c",  # full-width letters (NFKC)
    ],
)
def test_right_to_appeal_found(words):
    assert found("decision-letter", "right-to-appeal", words) is not None


@pytest.mark.parametrize(
    "words",
    [
        f"You can appeal. {FAR} The Tribunal is far away.",  # the words far apart
        "You may appeal this decision.",  # no Tribunal
        "The Tribunals service.",  # "tribunals" is not a listed word
        "Write to the tribunal.",  # no appeal
        "ap-peal to the Tribunal",  # a hyphen inside a line is not a line break
    ],
)
def test_right_to_appeal_not_found(words):
    assert found("decision-letter", "right-to-appeal", words) is None


def test_within_words_counts_from_each_part_start():
    nine, ten = " ".join(["x"] * 9), " ".join(["x"] * 10)
    assert found("decision-letter", "right-to-appeal", f"appeal {nine} tribunal") is not None  # 10 words on
    assert found("decision-letter", "right-to-appeal", f"appeal {ten} tribunal") is None  # 11 words on


@pytest.mark.parametrize(
    "words",
    [
        "The Tribunal can make recommendations about the health and social care parts of the plan.",
        "The Tribunal can recommend changes to the health or care parts of a plan.",  # a real council's words
        "Recommendations may now cover social care and health needs too.",  # another order
        "The Tribunal can make recom-\nmendations about health and social care.",
    ],
)
def test_health_and_social_care_found(words):
    assert found("decision-letter", "health-and-social-care", words) is not None


@pytest.mark.parametrize(
    "words",
    [
        "Your plan covers health and social care needs.",  # no recommendation
        f"The Tribunal can make recommendations. {FAR} Health and social care.",  # far apart
        "The Tribunal can make recommendations about health.",  # no care
        "We recommend social care.",  # no health
    ],
)
def test_health_and_social_care_not_found(words):
    assert found("decision-letter", "health-and-social-care", words) is None


@pytest.mark.parametrize(
    "words",
    [
        "Contact the Information, Advice and Support Service.",
        "Contact our information advice and support service",
        "Hampshire SENDIASS can help.",
        "SENDIASS\u2019s advisers can help.",
        "Free, independent advice and support is available.",
    ],
)
def test_advice_found(words):
    assert found("decision-letter", "advice", words) is not None


@pytest.mark.parametrize("words", ["Ask us for advice.", "Information, Advice & Support", "Contact SENDIASSHants."])
def test_advice_not_found(words):
    assert found("decision-letter", "advice", words) is None


@pytest.mark.parametrize(
    "words",
    [
        "You must consider mediation before you appeal.",
        "You will need a \u2018mediation certificate\u2019 to appeal.",
        "Speak to a mediation adviser.",
        "Please think about mediation first.",
        "You will need a medi-\nation certificate.",
    ],
)
def test_mediation_found(words):
    assert found("decision-letter", "mediation", words) is not None


@pytest.mark.parametrize(
    "words",
    [
        "Other ways to settle a disagreement include mediation and disagreement resolution.",
        "Mediation is an option you may choose.",
    ],
)
def test_mediation_only_as_an_option_is_not_enough(words):
    assert found("decision-letter", "mediation", words) is None


def test_how_to_ask_needs_more_than_can_make_recommendations():
    can = "The Tribunal can make recommendations about the health and social care parts of the plan, in an appeal."
    assert found("local-offer", "how-to-ask", can) is None
    ask = "When you appeal, you can ask the Tribunal to make recommendations about health and social care."
    assert found("local-offer", "how-to-ask", ask) is not None
    assert found("local-offer", "how-to-ask", "Requesting recommendations as part of appeals") is not None


def test_passage_and_where():
    long = "Background. " * 40 + "You can appeal to the First-tier Tribunal. " + "More text. " * 40
    match = found("decision-letter", "right-to-appeal", "Dear parent.", long)
    assert match.where == "paragraph 2"
    assert len(match.passage) <= 300
    assert "You can appeal to the First-tier Tribunal." in match.passage
    assert match.passage.startswith("…") and match.passage.endswith("…")
    across = found("decision-letter", "right-to-appeal", "You can appeal.", "The Tribunal decides.")
    assert across.where == "paragraphs 1–2"


def test_a_local_addition_is_found_and_shown_as_such():
    plain = found("decision-letter", "advice", "Ring Hantsiass for help.")
    assert plain is None
    match = found("decision-letter", "advice", "Ring Hantsiass for help.", additions={"advice": ["Hantsiass"]})
    assert [(p.text, p.local) for p in match.phrases] == [("Hantsiass", True)]
    listed = found("decision-letter", "advice", "SENDIASS", additions={"advice": ["Hantsiass"]})
    assert [(p.text, p.local) for p in listed.phrases] == [("SENDIASS", False)]


def test_statements_found_across_pages_read_together():
    wordings = load_wordings(WORDING)
    pages = [
        text("You can appeal to the Tribunal."),
        text("You can ask for recommendations about health and social care when you appeal."),
    ]
    result = check(wordings["local-offer"], pages)
    assert result.status == "met"
    assert check(wordings["local-offer"], pages[:1]).status == "breached"
