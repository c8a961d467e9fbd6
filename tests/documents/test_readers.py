"""Each format read by its reader, from documents made by real tools."""

from __future__ import annotations

import pytest

from monitor.documents import SCANNED, DocumentError, read_document
from monitor.documents.checking import check
from monitor.documents.wording import load_wordings
from monitor.resources import rules_dir

from .conftest import ADVICE, APPEAL, GOOD_LETTER, HEALTH, MEDIATION


@pytest.fixture(scope="module")
def letter():
    return load_wordings(rules_dir() / "wording")["decision-letter"]


def texts(path) -> dict[str, str]:
    return {s.text: s.where for s in read_document(path).segments}


def test_word_file_body_table_header_and_footer(made, letter):
    read = texts(made.path("placed.docx"))
    assert read[APPEAL] == "paragraph 3"
    assert read[ADVICE] == "paragraph 5"  # the table's second cell, after "Advice"
    assert read[MEDIATION] == "page header"
    assert read[HEALTH] == "page footer"
    assert check(letter, [read_document(made.path("placed.docx"))]).status == "met"


@pytest.mark.parametrize("to", ["docx", "odt", "pdf"])
def test_libreoffice_conversions_keep_every_statement(made, letter, to):
    converted = made.soffice(made.path("placed.docx"), to)
    result = check(letter, [read_document(converted)])
    assert result.status == "met", result.reason
    assert not result.missing


def test_pdf_passages_name_their_page(made, letter):
    document = read_document(made.soffice(made.path("good.docx"), "pdf"))
    assert document.segments[0].where == "page 1"
    found = {f.statement.id: f for f in check(letter, [document]).found}
    assert found["right-to-appeal"].where == "page 1"
    assert "right to appeal to the First" in found["right-to-appeal"].passage


@pytest.mark.parametrize("to", ["docx", "odt"])
def test_text_boxes_read_once_and_tracked_changes_read_as_accepted(made, to):
    document = read_document(made.soffice(made.path("boxed.fodt"), to))
    read = [s.text for s in document.segments]
    assert "You have the right to appeal to the First-tier Tribunal." in read  # inserted: kept
    assert not any("SENDIASS" in text for text in read)  # deleted: left out
    box = "The Tribunal can make recommendations about the health and social care parts of the plan."
    assert read.count(box) == 1  # Word keeps each box twice (and its fallback copy is skipped)


def test_a_deficient_letter_lacks_statements(made, letter):
    result = check(letter, [read_document(made.path("deficient.docx"))])
    assert result.status == "breached"
    assert [s.id for s in result.missing] == ["health-and-social-care", "advice", "mediation"]
    assert result.reason == "lacks: health-and-social-care, advice, mediation"


def test_scanned_pdf_is_a_data_gap(made, letter):
    document = read_document(made.path("scanned.pdf"))
    assert document.gap == SCANNED
    result = check(letter, [document])
    assert result.status == "data_gap"
    assert "a scanned document? supply the Word or text version" in result.reason


def test_windows_1252_text_is_read_as_record_files_are(tmp_path, letter):
    path = tmp_path / "letter.txt"
    path.write_bytes("\r\n\r\n".join([*GOOD_LETTER, "Parents\u2019 rights \u2013 \u00a31"]).encode("cp1252"))
    document = read_document(path)
    assert document.segments[-1].text == "Parents\u2019 rights \u2013 \u00a31"
    assert document.segments[2].where == "paragraph 3"
    assert check(letter, [document]).status == "met"


def test_text_mixing_encodings_is_an_error(tmp_path):
    path = tmp_path / "letter.txt"
    path.write_bytes("caf\u00e9 ".encode() + "caf\u00e9".encode("cp1252"))
    with pytest.raises(DocumentError, match=r"letter\.txt: not readable text"):
        read_document(path, name="letter.txt")


def test_web_page_visible_text_only(tmp_path):
    path = tmp_path / "offer.html"
    path.write_text(
        "<html><head><title>SENDIASS title</title><style>p{}</style></head><body>"
        "<script>document.write('SENDIASS in a script')</script>"
        "<p hidden>SENDIASS hidden</p><div style='display: none'>SENDIASS none</div>"
        "<p aria-hidden='true'>SENDIASS aria</p><input type='hidden' value='SENDIASS'>"
        "<noscript>SENDIASS noscript</noscript><!-- SENDIASS comment -->"
        "<h1>Appeals</h1><p>You can <b>appeal</b> to the<br>Tribunal.</p><ul><li>One</li><li>Two</li></ul>"
        "</body></html>",
        encoding="utf-8",
    )
    read = [(s.where, s.text) for s in read_document(path).segments]
    assert read == [
        ("paragraph 1", "Appeals"),
        ("paragraph 2", "You can appeal to the Tribunal."),
        ("paragraph 3", "One"),
        ("paragraph 4", "Two"),
    ]


def test_web_page_encoding_from_its_meta_or_as_text_files(tmp_path):
    named = tmp_path / "named.htm"
    named.write_bytes('<html><head><meta charset="windows-1252"></head><body><p>Parents\u2019</p>'.encode("cp1252"))
    unnamed = tmp_path / "unnamed.htm"
    unnamed.write_bytes("<p>caf\u00e9 \u2013 Parents\u2019</p>".encode())
    assert read_document(named).segments[0].text == "Parents\u2019"
    assert read_document(unnamed).segments[0].text == "caf\u00e9 \u2013 Parents\u2019"


def test_each_file_is_hashed(made, tmp_path):
    import hashlib

    path = made.path("good.docx")
    assert read_document(path).sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
