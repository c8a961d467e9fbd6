"""Documents in an export: letter templates and Local Offer pages read from the export's
folders, all or nothing; a re-import of unchanged files parses none of them."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import SAMPLE, cli, write_records

from importing.import_data import AREAS, count, errors, query

GOOD = (
    "Dear parent,\n\nYou can appeal to the First-tier Tribunal (SEND).\n\n"
    "The Tribunal can make recommendations about the health and social care parts of the plan.\n\n"
    "Free advice: SENDIASS.\n\nYou must consider mediation first.\n"
)
TEMPLATE = {
    "template_id": "EHCP-FINAL-v7",
    "area_code": "850",
    "file": "letters/final-v7.txt",
    "in_use_from": "2018-04-03",
    "in_use_to": "",
    "decision_types": "",
}
DECISIONS = [
    {"decision_id": "D1", "area_code": "850", "case_ref": "C1", "decision_type": "plan_issued",
     "decision_date": "2019-05-01", "rights_notice": "", "letter_template": ""},
    {"decision_id": "D2", "area_code": "850", "case_ref": "C2", "decision_type": "cease_plan",
     "decision_date": "2019-05-02", "rights_notice": "yes", "letter_template": "EHCP-FINAL-v7"},
]  # fmt: skip


def export(tmp_path, letter: str = GOOD, **files):
    folder = write_records(tmp_path / "export", areas=AREAS, letter_templates=[TEMPLATE], decisions=DECISIONS, **files)
    (folder / "letters").mkdir(exist_ok=True)
    (folder / "letters" / "final-v7.txt").write_text(letter, encoding="utf-8")
    return folder


def findings(db: str, as_of: str = "2020-01-31") -> dict[tuple[str, str], dict]:
    assert cli("check", "--as-of", as_of, db=db).exit_code == 0
    out = json.loads(cli("findings", "--format", "json", db=db).stdout)["findings"]
    return {(f["duty"], f["subject"]): f for f in out}


def test_templates_are_read_and_their_hash_kept(tmp_path, db_url):
    folder = export(tmp_path)
    result = cli("import", folder, db=db_url)
    assert result.exit_code == 0, result.output
    assert "documents: 1 read, 0 unchanged since an earlier import (not read again)" in result.stdout
    (sha,) = query(db_url, "select sha256 from letter_templates")[0]
    assert query(db_url, "select sha256, name from documents") == [(sha, "letters/final-v7.txt")]
    found = findings(db_url)
    assert found[("letter-wording", "850:EHCP-FINAL-v7")]["status"] == "met"
    assert found[("rights-notice", "D1")]["status"] == "met"  # blank notice: the template is the evidence


def test_a_reimport_of_unchanged_files_parses_none(tmp_path, db_url):
    folder = export(tmp_path)
    assert cli("import", folder, db=db_url).exit_code == 0
    again = cli("import", folder, db=db_url)
    assert again.exit_code == 0
    assert "documents: 0 read, 1 unchanged since an earlier import (not read again)" in again.stdout
    assert count(db_url, "audit_log") == 0


def test_a_changed_document_updates_its_template_and_its_findings(tmp_path, db_url):
    folder = export(tmp_path)
    assert cli("import", folder, db=db_url).exit_code == 0
    assert findings(db_url)[("rights-notice", "D2")]["status"] == "met"
    (folder / "letters" / "final-v7.txt").write_text(GOOD.replace("SENDIASS", "us"), encoding="utf-8")
    result = cli("import", folder, db=db_url)
    assert result.exit_code == 0, result.output
    assert "documents: 1 read, 0 unchanged" in result.stdout
    assert [r[0] for r in query(db_url, 'select "column" from audit_log')] == ["sha256"]
    found = findings(db_url)  # an incremental check sees the change
    assert found[("letter-wording", "850:EHCP-FINAL-v7")]["status"] == "breached"
    assert found[("rights-notice", "D2")]["status"] == "breached"  # the record says yes; the template lacks advice


@pytest.mark.parametrize(
    "change, problem",
    [
        ({"file": "letters/gone.docx"}, "column file, value 'letters/gone.docx': listed but missing"),
        ({"file": "../secret.txt"}, "must be a path under letters/"),
        ({"file": "local-offer/final-v7.txt"}, "must be a path under letters/"),
        ({"file": "letters/final-v7.docm"}, "a macro-enabled Word file (.docm)"),
        ({"file": "letters/final-v7.rtf"}, "not a document the monitor reads"),
        ({"decision_types": "plan_issued plan_isued"}, "not a decision type: plan_isued"),
        ({"in_use_to": "2018-01-01"}, "column in_use_to, value '2018-01-01': is before in_use_from"),
    ],
)
def test_bad_template_rows_are_refused_and_nothing_is_imported(tmp_path, sqlite_url, change, problem):
    folder = export(tmp_path)
    write_records(folder, letter_templates=[{**TEMPLATE, **change}])
    result = cli("import", folder, db=sqlite_url)
    assert result.exit_code == 1
    assert any(problem in line and line.startswith("letter_templates.csv row 2") for line in errors(result)), errors(
        result
    )
    assert count(sqlite_url, "decisions") == 0


def test_an_unreadable_document_is_an_error_naming_the_file(tmp_path, sqlite_url):
    folder = export(tmp_path)
    (folder / "letters" / "final-v7.docx").write_bytes(b"PK\x03\x04 not a Word file")
    write_records(folder, letter_templates=[{**TEMPLATE, "file": "letters/final-v7.docx"}])
    result = cli("import", folder, db=sqlite_url)
    assert result.exit_code == 1
    assert errors(result) == ["letters/final-v7.docx: corrupt: not a Word (.docx) file"]
    assert count(sqlite_url, "documents") == 0 and count(sqlite_url, "letter_templates") == 0


def test_a_decision_naming_another_areas_template_is_refused(tmp_path, sqlite_url):
    folder = export(tmp_path)
    write_records(folder, areas=[*AREAS, {"area_code": "851", "name": "B"}])
    write_records(folder, decisions=[{**DECISIONS[1], "area_code": "851"}])
    result = cli("import", folder, db=sqlite_url)
    assert result.exit_code == 1
    assert errors(result) == [
        "decisions.csv row 2, column letter_template, value 'EHCP-FINAL-v7': no letter template of area 851 "
        "with this template_id in this import or the store"
    ]


def test_a_template_named_by_a_later_export_is_found_in_the_store(tmp_path, sqlite_url):
    folder = export(tmp_path)
    assert cli("import", folder, db=sqlite_url).exit_code == 0
    later = write_records(tmp_path / "later", decisions=[{**DECISIONS[1], "decision_id": "D3"}])
    assert cli("import", later, db=sqlite_url).exit_code == 0


def test_unlisted_files_are_noted_not_refused(tmp_path, sqlite_url):
    folder = export(tmp_path)
    (folder / "letters" / "old").mkdir()
    (folder / "letters" / "old" / "draft.docx").write_bytes(b"anything")
    result = cli("import", folder, db=sqlite_url)
    assert result.exit_code == 0, result.output
    assert "letters/old/draft.docx: not listed in letter_templates.csv, so not read" in result.stdout


def test_local_offer_pages_latest_capture_read_together(tmp_path, sqlite_url):
    folder = export(tmp_path)
    pages = folder / "local-offer"
    pages.mkdir()
    (pages / "old.html").write_text("<p>Nothing about appeals.</p>", encoding="utf-8")
    (pages / "appeals.html").write_text("<p>You can appeal to the Tribunal (SENDIST).</p>", encoding="utf-8")
    (pages / "asking.htm").write_text(
        "<p>Ask for recommendations about health and social care as part of your appeal.</p>", encoding="utf-8"
    )
    rows = [
        {"page_id": "P0", "area_code": "850", "file": "local-offer/old.html", "captured_on": "2019-01-01", "url": ""},
        {
            "page_id": "P1",
            "area_code": "850",
            "file": "local-offer/appeals.html",
            "captured_on": "2019-06-01",
            "url": "",
        },
        {"page_id": "P2", "area_code": "850", "file": "local-offer/asking.htm", "captured_on": "2019-06-01", "url": ""},
    ]
    write_records(folder, local_offer_pages=rows)
    assert cli("import", folder, db=sqlite_url).exit_code == 0
    assert findings(sqlite_url)[("local-offer-wording", "850")]["status"] == "met"
    assert findings(sqlite_url, "2019-03-01")[("local-offer-wording", "850")]["status"] == "breached"
    explained = cli("explain", "local-offer-wording", "850", "--as-of", "2019-06-30", db=sqlite_url)
    assert "statement how-to-ask: found=paragraph 1" in explained.stdout
    assert "in=local-offer/asking.htm" in explained.stdout


def test_a_scanned_template_is_a_data_gap_and_changes_no_letter(tmp_path, sqlite_url):
    from PIL import Image

    folder = export(tmp_path)
    Image.new("L", (400, 300), 255).save(folder / "letters" / "scan.pdf", "PDF")
    write_records(folder, letter_templates=[{**TEMPLATE, "file": "letters/scan.pdf"}])
    assert cli("import", folder, db=sqlite_url).exit_code == 0
    found = findings(sqlite_url)
    letter = found[("letter-wording", "850:EHCP-FINAL-v7")]
    assert letter["status"] == "data_gap"
    assert letter["reason"] == "letters/scan.pdf: no text: a scanned document? supply the Word or text version"
    assert found[("rights-notice", "D1")]["status"] == "data_gap"  # as the record says: blank
    assert found[("rights-notice", "D2")]["status"] == "met"


def test_a_folder_holding_a_workbook_and_its_documents(tmp_path, sqlite_url):
    from importing.test_readers_xlsx import workbook_of

    folder = tmp_path / "inbox-export"
    folder.mkdir()
    workbook_of(SAMPLE, folder / "export.xlsx")
    for name in ("letters", "local-offer"):
        shutil.copytree(SAMPLE / name, folder / name)
    result = cli("import", folder, db=sqlite_url)
    assert result.exit_code == 0, result.output
    assert count(sqlite_url, "letter_templates") == 3 and count(sqlite_url, "documents") == 5
