"""Mappings: a source's columns and values renamed to the standard; errors in the mapping name
its line; problems in the data name the source's own columns."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from conftest import REPO, cli

from importing.import_data import errors

EXPORT_AREAS = "LA Number,Local Authority\n850,Area 850\n"
EXPORT_DECISIONS = (
    "Decision ID,la number,Case Reference,Decision,Date of decision,Right to request H&SC recs in letter\n"
    "D1,850,C1,EHC plan issued,1/4/2019,Y\n"
    "D2,850,C2,Refused to assess,2019-05-02,\n"
)


def export(tmp_path, decisions=EXPORT_DECISIONS):
    folder = tmp_path / "export"
    folder.mkdir(exist_ok=True)
    (folder / "areas.csv").write_text(EXPORT_AREAS, encoding="utf-8")
    (folder / "decisions.csv").write_text(decisions, encoding="utf-8")
    return folder


def test_the_example_mapping_renames_columns_and_values(tmp_path, db_url):
    folder = export(tmp_path)
    result = cli("import", folder, "--mapping", REPO / "examples" / "mapping.toml", db=db_url)
    assert result.exit_code == 0, result.output
    assert "decisions.csv │ 2" in result.stdout
    engine = sa.create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("select decision_id, decision_type, rights_notice from decisions order by decision_id")
        ).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("D1", "plan_issued", True), ("D2", "refuse_assessment", None)]


def test_problems_in_mapped_data_name_the_source_columns(tmp_path, sqlite_url):
    folder = export(
        tmp_path, EXPORT_DECISIONS.replace("Refused to assess", "Refused (other)").replace("1/4/2019", "4/31/2019")
    )
    result = cli("import", folder, "--mapping", REPO / "examples" / "mapping.toml", db=sqlite_url)
    assert result.exit_code == 1
    lines = errors(result)
    assert lines == [
        "decisions.csv row 2, column Date of decision, value '4/31/2019': not a real date",
        "decisions.csv row 3, column Decision, value 'Refused (other)': not one of refuse_assessment, refuse_plan, "
        "plan_issued, plan_amended, refuse_reassessment, refuse_amendment, cease_plan",
    ]


@pytest.mark.parametrize(
    "text, line, why",
    [
        (
            '[decisions.columns]\n"Decision ID" = "decision_id"\n"Date" = "decision_day"\n',
            3,
            "'decision_day' is not a column of decisions.csv",
        ),
        (
            '[decisions.columns]\n"Decision ID" = "decision_id"\n\n[decisions.values.decision_type]\n'
            '"EHC plan issued" = "plan_issued"\n"Refused" = "refused"\n',
            6,
            "'refused' is not a value of decision_type: not one of",
        ),
        ('# comment\n[decision.columns]\n"A" = "decision_id"\n', 2, "[decision] is not a record type"),
        (
            '[appeals.values.state]\n"Live" = "open"\n',
            1,
            "[appeals.values.state]: 'state' is not a column of appeals.csv",
        ),
        (
            '[decisions.values.decision_type]\n"EHC plan issued" = "plan_issued"\n"ehc plan issued " = "cease_plan"\n',
            3,
            "'EHC plan issued' and 'ehc plan issued ' are the same after trimming and ignoring case: keep one",
        ),
        (
            '[decisions.columns]\n"Decision ID" = "decision_id"\n" DECISION id" = "case_ref"\n',
            3,
            "'Decision ID' and ' DECISION id' are the same after trimming and ignoring case: keep one",
        ),
    ],
)
def test_errors_in_the_mapping_file_name_its_line(tmp_path, sqlite_url, text, line, why):
    mapping = tmp_path / "m.toml"
    mapping.write_text(text, encoding="utf-8")
    result = cli("import", export(tmp_path), "--mapping", mapping, db=sqlite_url)
    assert result.exit_code == 1
    assert f"mapping file {mapping} line {line}: {why}" in result.stderr.replace("\n", "")
    assert "Traceback" not in result.output


def test_a_mapping_that_is_not_toml_is_an_error(tmp_path, sqlite_url):
    mapping = tmp_path / "m.toml"
    mapping.write_text("[decisions.columns\n", encoding="utf-8")
    result = cli("import", export(tmp_path), "--mapping", mapping, db=sqlite_url)
    assert result.exit_code == 1 and "line 1" in result.stderr


def test_source_values_match_ignoring_case_and_surrounding_spaces(tmp_path, sqlite_url):
    folder = export(tmp_path, EXPORT_DECISIONS.replace("EHC plan issued", " ehc PLAN Issued "))
    result = cli("import", folder, "--mapping", REPO / "examples" / "mapping.toml", db=sqlite_url)
    assert result.exit_code == 0, result.output
    engine = sa.create_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("select decision_type from decisions where decision_id = 'D1'")).scalar() == (
            "plan_issued"
        )
    engine.dispose()
