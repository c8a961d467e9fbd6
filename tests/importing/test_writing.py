"""Writing: a first load builds its indexes after the rows, an absent column keeps stored values, a large file is written alike in every part."""

from __future__ import annotations

import sqlalchemy as sa
from conftest import cli, write_records

from importing.import_data import APPEAL, AREAS, COMMISSIONERS, count, errors, indexes, many_decisions, query


def test_a_first_load_builds_the_indexes_after_the_rows(tmp_path, db_url):
    assert cli("upgrade", db=db_url).exit_code == 0
    before = indexes(db_url)
    folder = write_records(tmp_path / "r", areas=AREAS, commissioners=COMMISSIONERS, appeals=[APPEAL])
    assert cli("import", folder, db=db_url).exit_code == 0
    assert indexes(db_url) == before and count(db_url, "appeals") == 1
    assert cli("import", folder, "--dry-run", db=db_url).exit_code == 0
    assert indexes(db_url) == before


def test_an_absent_optional_column_keeps_stored_values_a_blank_cell_clears_them(tmp_path, sqlite_url):
    first = write_records(
        tmp_path / "1",
        areas=[{**AREAS[0], "send_team_email": "send@a.example.org", "rights_published_on": "2018-04-01"}],
    )
    assert cli("import", first, db=sqlite_url).exit_code == 0
    partial = write_records(tmp_path / "2", areas=[{**AREAS[0], "rights_published_on": ""}])
    assert cli("import", partial, db=sqlite_url).exit_code == 0
    engine = sa.create_engine(sqlite_url)
    with engine.connect() as conn:
        row = conn.execute(sa.text("select send_team_email, rights_published_on from areas")).one()
    assert tuple(row) == ("send@a.example.org", None)


def test_a_large_file_is_read_alike_in_every_part(tmp_path, db_url):
    """Files are read in batches of thousands of rows: values are typed the same in each, and a
    problem deep in the file is named exactly as in the first rows, with nothing written."""
    rows = many_decisions(12_000)
    folder = write_records(tmp_path / "good", areas=AREAS, commissioners=COMMISSIONERS, decisions=rows)
    assert cli("import", folder, db=db_url).exit_code == 0
    stored = dict(
        query(
            db_url,
            "select decision_id, decision_date from decisions where decision_id in ('D00001', 'D11998', 'D11999')",
        )
    )
    notices = dict(
        query(
            db_url,
            "select decision_id, rights_notice from decisions where decision_id in "
            "('D11997', 'D11998', 'D11999', 'D12000')",
        )
    )
    assert {k: str(v) for k, v in stored.items()} == {
        "D00001": "2019-03-02",
        "D11998": "2019-04-15",
        "D11999": "2019-03-16",
    }
    assert {k: None if v is None else bool(v) for k, v in notices.items()} == {
        "D11997": False,
        "D11998": None,
        "D11999": True,
        "D12000": True,
    }

    rows[7000]["decision_date"] = "31/02/2019"
    rows[9499]["decision_id"] = "D00010"
    rows[10999]["case_ref"] = "C\x07"
    rows[11500]["decision_type"] = "plan_refused"
    rows[11998]["decision_type"] = "cease_plan"  # a change: not written, as the import fails
    folder = write_records(tmp_path / "bad", decisions=rows)
    with open(folder / "decisions.csv", "a", encoding="utf-8") as fh:
        fh.write("D20000,850,C0001\r\n")
    result = cli("import", folder, db=db_url)
    assert result.exit_code == 1
    assert errors(result) == [
        "decisions.csv row 7002, column decision_date, value '31/02/2019': not a real date",
        "decisions.csv row 9501, column decision_id, value 'D00010': duplicate id (first on row 11)",
        "decisions.csv row 11001, column case_ref, value 'C\\x07': holds a control character (U+0007): remove it",
        "decisions.csv row 11502, column decision_type, value 'plan_refused': not one of refuse_assessment, "
        "refuse_plan, plan_issued, plan_amended, refuse_reassessment, refuse_amendment, cease_plan",
        "decisions.csv row 12002, column decision_type: the row has 3 cells and the header 6: a cut-off row "
        "(nothing was read from it; complete the row)",
    ]
    assert count(db_url, "decisions") == 12_000 and count(db_url, "import_batches") == 1
    assert count(db_url, "audit_log") == 0
