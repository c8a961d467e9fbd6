"""`wording check`: a draft letter or Local Offer page checked from the command line."""

from __future__ import annotations

from tests.conftest import cli

GOOD = (
    "Dear parent,\n\nIf you disagree, you can appeal to the First-tier Tribunal (SEND).\n\n"
    "The Tribunal can make recommendations about the health and social care parts of the plan.\n\n"
    "Free advice: SENDIASS.\n\nYou must consider mediation first: ask for a mediation certificate.\n"
)


def test_a_good_letter_exits_0_with_each_passage(tmp_path):
    letter = tmp_path / "final-v7.txt"
    letter.write_text(GOOD, encoding="utf-8")
    result = cli("wording", "check", letter)
    assert result.exit_code == 0, result.output
    assert "checked against decision-letter" in result.stdout
    assert (
        "found    right-to-appeal, paragraph 2: \u201cIf you disagree, you can appeal to the First-tier"
        in result.stdout
    )
    assert "4 of 4 statements found: nothing missing" in result.stdout


def test_a_letter_lacking_a_statement_exits_1_saying_what_it_must_say(tmp_path):
    letter = tmp_path / "draft.txt"
    letter.write_text(GOOD.replace("Free advice: SENDIASS.", "Call us."), encoding="utf-8")
    result = cli("wording", "check", letter)
    assert result.exit_code == 1
    assert "missing  advice: it must say where to get free, independent advice and support" in result.stdout


def test_local_offer_pages_are_read_together(tmp_path):
    first, second = tmp_path / "appeals.html", tmp_path / "recommendations.htm"
    first.write_text("<p>You can appeal to the Tribunal.</p>", encoding="utf-8")
    second.write_text("<p>Ask for recommendations about health and social care when you appeal.</p>", encoding="utf-8")
    together = cli("wording", "check", "--against", "local-offer", first, second)
    assert together.exit_code == 0, together.output
    assert f"found    how-to-ask, {second}, paragraph 1" in together.stdout
    alone = cli("wording", "check", "--against", "local-offer", first)
    assert alone.exit_code == 1
    assert "missing  how-to-ask" in alone.stdout


def test_unreadable_files_exit_1_with_one_line_each(tmp_path):
    corrupt = tmp_path / "letter.docx"
    corrupt.write_bytes(b"PK\x03\x04 not really a zip")
    result = cli("wording", "check", corrupt, tmp_path / "gone.pdf", tmp_path / "letter.docm")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"error: {corrupt}: corrupt: not a Word (.docx) file",
        f"error: {tmp_path / 'gone.pdf'}: no such file",
        f"error: {tmp_path / 'letter.docm'}: a macro-enabled Word file (.docm): save it as a Word document (.docx)",
    ]
    assert "Traceback" not in result.output


def test_an_empty_document_is_not_read_in_full(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    result = cli("wording", "check", empty)
    assert result.exit_code == 1
    assert "not read in full" in result.stdout and "no text: the document is empty" in result.stdout


def test_a_broken_wording_file_is_one_line(tmp_path):
    rules = tmp_path / "rules"
    (rules / "wording").mkdir(parents=True)
    from monitor.resources import rules_dir

    for path in rules_dir().glob("*.yaml"):
        (rules / path.name).write_bytes(path.read_bytes())
    (rules / "wording" / "decision-letter.yaml").write_text("id: decision-letter\ncolour: red\n", encoding="utf-8")
    config = tmp_path / "send-monitor.toml"
    config.write_text(f'rules_dir = "{rules}"\n', encoding="utf-8")
    letter = tmp_path / "letter.txt"
    letter.write_text(GOOD, encoding="utf-8")
    result = cli("wording", "check", letter, config=config)
    assert result.exit_code == 1
    assert "decision-letter.yaml: title is missing; " in result.stderr
    assert "colour = 'red': unknown key (expected one of: id, title, source, statements)" in result.stderr


def test_duties_lists_the_wording_files():
    result = cli("duties")
    assert result.exit_code == 0
    assert "wording/decision-letter.yaml" in result.stdout and "wording/local-offer.yaml" in result.stdout
    assert "right-to-appeal, health-and-social-care, how-to-ask" in result.stdout


def test_a_local_advice_service_named_in_the_configuration(tmp_path):
    letter = tmp_path / "letter.txt"
    letter.write_text(GOOD.replace("SENDIASS", "Hantsiass"), encoding="utf-8")
    assert cli("wording", "check", letter).exit_code == 1
    config = tmp_path / "send-monitor.toml"
    config.write_text('[documents.wording.decision-letter]\nadvice = ["Hantsiass"]\n', encoding="utf-8")
    result = cli("wording", "check", letter, config=config)
    assert result.exit_code == 0, result.output
    assert (
        "found    advice, paragraph 4: \u201cFree advice: Hantsiass.\u201d (local addition: Hantsiass)" in result.stdout
    )


def test_the_page_limit_comes_from_the_configuration(tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(width=200, height=200)
    pdf = tmp_path / "long.pdf"
    writer.write(pdf)
    config = tmp_path / "send-monitor.toml"
    config.write_text("[documents]\nmax_pages = 2\n", encoding="utf-8")
    result = cli("wording", "check", pdf, config=config)
    assert result.exit_code == 1
    assert "read only the first 2 of its 3 pages (the page limit)" in result.stdout
