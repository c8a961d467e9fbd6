"""Wording files: validated when loaded (errors name the file), versioned by hash, extended locally."""

from __future__ import annotations

import re

import pytest

from monitor.documents.wording import WordingError, load_wording, load_wordings
from monitor.resources import rules_dir

GOOD = """id: letter
title: A letter
source: a source
statements:
  - id: one
    says: something
    any: [a phrase]
  - id: two
    says: something else
    all: [{any: [x]}, {any: [y, z]}]
    within_words: WITHIN
"""


def write(tmp_path, text: str, name: str = "letter.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_wording_files_load():
    wordings = load_wordings(rules_dir() / "wording")
    assert sorted(wordings) == ["decision-letter", "local-offer"]
    assert [s.id for s in wordings["decision-letter"].statements] == [
        "right-to-appeal", "health-and-social-care", "advice", "mediation",
    ]  # fmt: skip
    assert [s.id for s in wordings["local-offer"].statements] == [
        "right-to-appeal",
        "health-and-social-care",
        "how-to-ask",
    ]
    assert wordings["local-offer"].statements[2].within_words == 40


@pytest.mark.parametrize(
    "change, message",
    [
        (
            ("title: A letter", "title: A letter\ncolour: red"),
            "colour = 'red': unknown key (expected one of: id, title, source, statements)",
        ),
        (("any: [a phrase]", "any: []"), "statement 1: any = (a list): must not be empty"),
        (("{any: [y, z]}", "{any: []}"), "statement 2: all.2.any = (a list): must not be empty"),
        (("id: two", "id: one"), "statement id 'one' is repeated"),
        (("    any: [a phrase]", "    any: [a phrase]\n    within_words: 3"), "`within_words` goes with `all`"),
        (("    within_words: 5\n", ""), "`all` needs `within_words`"),
        (("within_words: 5", "within_words: 0"), "`within_words` must be a whole number"),
        (("within_words: 5", "within_words: $nowhere"), "unknown parameter $nowhere"),
        (("a phrase", "'\u2014'"), "is not a phrase"),
        (("says: something\n", "says: ''\n"), "statement 1: says = '': must not be empty"),
        (
            ("    says: something\n    any", "    says: something\n    spelling: [a]\n    any"),
            "statement 1: spelling = (a list): unknown key (expected one of: id, says, any, all, within_words)",
        ),
        (("statements:", "statements: 3\nx:"), "x = (a list): unknown key"),
        (("title: A letter", "title: [A letter"), "letter.yaml"),
    ],
)
def test_malformed_files_are_refused_naming_the_file(tmp_path, change, message):
    old, new = change
    path = write(tmp_path, GOOD.replace("WITHIN", "5").replace(old, new))
    with pytest.raises(WordingError) as caught:
        load_wording(path)
    assert str(caught.value).startswith(str(path))
    assert message in str(caught.value)


def test_version_follows_the_file_its_parameters_and_additions(tmp_path):
    path = write(tmp_path, GOOD.replace("WITHIN", "$window"))
    base = load_wording(path, parameters={"window": 5})
    assert base.statements[1].within_words == 5
    assert load_wording(path, parameters={"window": 5}).version == base.version
    assert load_wording(path, parameters={"window": 6}).version != base.version
    assert load_wording(path, parameters={"window": 5}, additions={"one": ["b"]}).version != base.version
    path.write_text(GOOD.replace("WITHIN", "$window").replace("a phrase", "another phrase"))
    assert load_wording(path, parameters={"window": 5}).version != base.version


@pytest.mark.parametrize(
    "additions, message",
    [
        ({"three": ["a"]}, "'three': no such statement"),
        ({"two": ["a"]}, "name the part of `all`, e.g. two.1"),
        ({"two.3": ["a"]}, "no part 3 (the statement has 2)"),
        ({"one": []}, "`any` must be a list of one or more phrases"),
    ],
)
def test_bad_additions_are_refused(tmp_path, additions, message):
    path = write(tmp_path, GOOD.replace("WITHIN", "5"))
    with pytest.raises(WordingError, match=re.escape(message)):
        load_wording(path, additions=additions)


def test_additions_to_a_part_of_all(tmp_path):
    path = write(tmp_path, GOOD.replace("WITHIN", "5"))
    wording = load_wording(path, additions={"two.2": ["w"]})
    assert [(p.text, p.local) for p in wording.statements[1].parts[1]] == [("y", False), ("z", False), ("w", True)]


def test_additions_to_an_unknown_wording_file(tmp_path):
    with pytest.raises(WordingError, match="unknown wording files: leaflet"):
        load_wordings(rules_dir() / "wording", additions={"leaflet": {"advice": ["x"]}})


def test_a_file_named_other_than_its_id(tmp_path):
    write(tmp_path, GOOD.replace("WITHIN", "5"), name="other.yaml")
    with pytest.raises(WordingError, match="must be the file's name"):
        load_wordings(tmp_path)
