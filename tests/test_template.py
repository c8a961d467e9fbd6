"""`template`: a blank workbook or CSV folder; a filled-in template imports as it is."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from conftest import cli
from openpyxl import load_workbook

from monitor.records import BY_NAME, RECORD_TYPES
from monitor.subjects import EXCEPTION_SUBJECTS


def test_the_workbook_template_has_its_sheets_lists_formats_and_read_me(tmp_path, sqlite_url):
    out = tmp_path / "blank.xlsx"
    result = cli("template", out, db=sqlite_url)
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert book.sheetnames == ["Read me", *[rt.name for rt in RECORD_TYPES]]
    appeals = book["appeals"]
    assert [c.value for c in appeals[1]] == [c.name for c in BY_NAME["appeals"].columns]
    assert [c.value for c in book["letter_templates"][1]] == [
        "template_id", "area_code", "file", "in_use_from", "in_use_to", "decision_types",
    ]  # fmt: skip
    assert [c.value for c in book["local_offer_pages"][1]] == ["page_id", "area_code", "file", "captured_on", "url"]
    assert appeals.freeze_panes == "A2"
    lists = {
        str(dv.sqref).split(":")[0]: dv.formula1 for dv in appeals.data_validations.dataValidation if dv.type == "list"
    }
    assert lists["G2"] == '"yes,no"' and lists["L2"] == '"open,withdrawn,conceded,decided"'
    assert appeals.column_dimensions["E"].number_format == "yyyy-mm-dd"
    readme = [tuple(c.value for c in row) for row in book["Read me"].iter_rows(min_row=5)]
    assert (
        "appeals",
        "closed_on",
        "no",
        "date",
        None,
        "required when status is not open, refused when it is",
    ) in readme
    columns = sum(len(rt.columns) for rt in RECORD_TYPES)
    assert len(readme) == columns + 3 + len(EXCEPTION_SUBJECTS)  # a blank row, a title, a header, the duties
    assert ("la-evidence", "{appeal_id}", None, None, "EH850-19-90007", None) in readme
    duty = {
        str(dv.sqref).split(":")[0]: dv.formula1
        for dv in book["exceptions"].data_validations.dataValidation
        if dv.type == "list"
    }
    assert duty["B2"] == '"' + ",".join(EXCEPTION_SUBJECTS) + '"'
    again = cli("template", out, db=sqlite_url)
    assert again.exit_code == 1 and "already exists" in again.stderr


def test_a_filled_in_template_imports_as_it_is(tmp_path, db_url):
    out = tmp_path / "export.xlsx"
    assert cli("template", out, db=db_url).exit_code == 0
    book = load_workbook(out)
    book["areas"].append(["0850", "Area 850", "South East", "send@area850.example.org", datetime(2018, 4, 3)])
    book["commissioners"].append(["QRL", "NHS Example ICB", "health"])
    book["appeals"].append(
        [
            "A1",
            "0850",
            "C1",
            "plan_issued",
            datetime(2019, 1, 10),
            datetime(2019, 2, 1),
            "yes",
            "no",
            None,
            None,
            None,
            "decided",
            datetime(2019, 6, 1),
        ]
    )
    book["funding_claims"].append(["F1", "A1", "QRL", "hearing", 1250.5, datetime(2019, 6, 2)])
    book.save(out)
    result = cli("import", out, db=db_url)
    assert result.exit_code == 0, result.output
    assert "Read me" not in result.stdout  # the template's own guide is not reported
    engine = sa.create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        code, published = conn.execute(sa.text("select area_code, rights_published_on from areas")).one()
        assert (code, str(published)) == ("0850", "2018-04-03")
        assert Decimal(str(conn.execute(sa.text("select amount_gbp from funding_claims")).scalar_one())) == Decimal(
            "1250.50"
        )
        assert str(conn.execute(sa.text("select closed_on from appeals")).scalar_one()) == "2019-06-01"
    engine.dispose()


def test_the_folder_template_is_blank_csv_files_that_import(tmp_path, sqlite_url):
    folder = tmp_path / "blank"
    assert cli("template", folder, db=sqlite_url).exit_code == 0
    assert (
        folder / "decisions.csv"
    ).read_bytes() == b"decision_id,area_code,case_ref,decision_type,decision_date,rights_notice,letter_template\r\n"
    assert (folder / "letters").is_dir() and (folder / "local-offer").is_dir()
    assert cli("import", folder, db=sqlite_url).exit_code == 0
    again = cli("template", folder, db=sqlite_url)
    assert again.exit_code == 1 and "already holds" in again.stderr
