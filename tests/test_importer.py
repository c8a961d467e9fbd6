"""Import: validation of every kind, all-or-nothing, idempotence, updates and the audit log."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from conftest import cli, write_records

AREAS = [{"area_code": "850", "name": "Area 850"}]
COMMISSIONERS = [
    {"commissioner_code": "QRL", "name": "ICB", "kind": "health"},
    {"commissioner_code": "850-SC", "name": "SC", "kind": "social_care"},
]
APPEAL = {
    "appeal_id": "A1",
    "area_code": "850",
    "case_ref": "C1",
    "decision_type": "plan_issued",
    "decision_date": "2019-01-10",
    "registered_on": "2019-02-01",
    "health_issue": "yes",
    "social_care_issue": "no",
    "status": "open",
    "closed_on": "",
}


def query(db: str, sql: str) -> list[tuple]:
    """The rows `sql` reads from the store at `db`."""
    engine = sa.create_engine(db.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(sa.text(sql))]
    engine.dispose()
    return rows


def count(db: str, table: str) -> int:
    return query(db, f"select count(*) from {table}")[0][0]


def indexes(db: str) -> dict[str, set[str]]:
    """Each record table's index names in the store."""
    engine = sa.create_engine(db.replace("postgresql://", "postgresql+psycopg://"))
    inspector = sa.inspect(engine)
    found = {t: {i["name"] for i in inspector.get_indexes(t)} for t in ("areas", "appeals", "recorded_exceptions")}
    engine.dispose()
    return found


def errors(result) -> list[str]:
    return [line.strip() for line in result.stderr.splitlines()[1:]]


def test_every_problem_is_reported_with_file_row_column_value_and_why(tmp_path, sqlite_url):
    folder = write_records(
        tmp_path / "bad",
        areas=AREAS,
        commissioners=COMMISSIONERS,
        decisions=[
            {
                "decision_id": "D1",
                "area_code": "850",
                "case_ref": "C1",
                "decision_type": "plan_issued",
                "decision_date": "3/4/2018",
                "rights_notice": "Yes",
            },
            {
                "decision_id": "D2",
                "area_code": "999",
                "case_ref": "C2",
                "decision_type": "Plan_Issued",
                "decision_date": "04/31/2018",
                "rights_notice": "maybe",
            },
            {
                "decision_id": "D1",
                "area_code": "850",
                "case_ref": "",
                "decision_type": "cease_plan",
                "decision_date": "2018-13-01",
                "rights_notice": "",
            },
        ],
        appeals=[
            APPEAL,
            {**APPEAL, "appeal_id": "A2", "status": "withdrawn"},
            {**APPEAL, "appeal_id": "A3", "closed_on": "2019-05-01"},
        ],
        recommendations=[
            {
                "recommendation_id": "R1",
                "appeal_id": "A1",
                "commissioner_code": "QRL",
                "kind": "social_care",
                "made_on": "2019-06-01",
            },
            {
                "recommendation_id": "R2",
                "appeal_id": "A9",
                "commissioner_code": "QRL",
                "kind": "health",
                "made_on": "2019-06-01",
            },
        ],
        funding_claims=[
            {
                "claim_id": "F1",
                "appeal_id": "A1",
                "claimant_code": "QRL",
                "category": "legal",
                "amount_gbp": "-£5.00",
                "claimed_on": "2019-06-01",
            },
            {
                "claim_id": "F2",
                "appeal_id": "A1",
                "claimant_code": "XYZ",
                "category": "other",
                "amount_gbp": "£1,2345",
                "claimed_on": "2019-06-01",
            },
        ],
        exceptions=[
            {
                "exception_id": "X1",
                "duty": "la_evidence",
                "subject_id": "A1",
                "granted_by": "DCS",
                "justification": "j",
                "granted_on": "2019-01-01",
                "expires_on": "2019-02-01",
            }
        ],
    )
    (folder / "responses.csv").write_text("recommendation_id,sent_to_family_on,colour\nR1,2019-06-02,red\n")
    (folder / "Areas.csv").write_text("area_code,name\n1,x\n")
    (folder / "notes.txt").write_text("ignored: not a CSV file")
    result = cli("import", folder, db=sqlite_url)
    assert result.exit_code == 1
    assert "nothing was imported" in result.stderr
    assert errors(result) == [
        "Areas.csv: unknown file: expected one of areas.csv, commissioners.csv, decisions.csv, appeals.csv, "
        "evidence.csv, recommendations.csv, responses.csv, funding_claims.csv, exceptions.csv",
        "appeals.csv row 3, column closed_on, value '': required when status is withdrawn",
        "appeals.csv row 4, column closed_on, value '2019-05-01': must be blank when status is open",
        "decisions.csv row 3, column decision_type, value 'Plan_Issued': not one of refuse_assessment, refuse_plan, "
        "plan_issued, plan_amended, refuse_reassessment, refuse_amendment, cease_plan",
        "decisions.csv row 3, column decision_date, value '04/31/2018': not a real date",
        "decisions.csv row 3, column rights_notice, value 'maybe': not a boolean: use true/false, yes/no, y/n or 1/0",
        "decisions.csv row 3, column area_code, value '999': no such area_code in this import or the store",
        "decisions.csv row 4, column case_ref, value '': required value is blank",
        "decisions.csv row 4, column decision_date, value '2018-13-01': not a real date",
        "decisions.csv row 4, column decision_id, value 'D1': duplicate id (first on row 2)",
        "exceptions.csv row 2, column duty, value 'la_evidence': unknown duty id: expected one of "
        "commissioner-contacted, commissioner-evidence, evaluator-return, funding-cap, hearing-attendance, "
        "la-evidence, local-offer, response-5-weeks, response-content, rights-notice",
        "funding_claims.csv row 2, column amount_gbp, value '-£5.00': negative amounts are not allowed",
        "funding_claims.csv row 3, column amount_gbp, value '£1,2345': not an amount in pounds, e.g. 1250.50 or £1,250.50",
        "funding_claims.csv row 3, column claimant_code, value 'XYZ': no such area_code or commissioner_code in this "
        "import or the store",
        "recommendations.csv row 2, column kind, value 'social_care': commissioner QRL is health",
        "recommendations.csv row 3, column appeal_id, value 'A9': no such appeal_id in this import or the store",
        "responses.csv row 1, column colour: unknown column",
    ]
    assert count(sqlite_url, "decisions") == 0 and count(sqlite_url, "import_batches") == 0


def test_header_problems(tmp_path, sqlite_url):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "areas.csv").write_text("\ufeffAREA_CODE , Region,region\n850,South East,x\n", encoding="utf-8")
    (folder / "commissioners.csv").write_bytes(b"commissioner_code,name,kind\nQ\xff,x,health\n")
    result = cli("import", folder, db=sqlite_url)
    assert result.exit_code == 1
    assert errors(result) == [
        "areas.csv row 1, column region: duplicate column",
        "areas.csv row 1, column name: required column is missing",
    ]


def test_a_bad_row_in_the_last_file_leaves_nothing_of_the_first(tmp_path, db_url):
    folder = write_records(
        tmp_path / "r",
        areas=AREAS,
        commissioners=COMMISSIONERS,
        appeals=[APPEAL],
        exceptions=[
            {
                "exception_id": "X1",
                "duty": "la-evidence",
                "subject_id": "A1",
                "granted_by": "DCS",
                "justification": "j",
                "granted_on": "2019-01-01",
                "expires_on": "1/13/2019",
            }
        ],
    )
    assert cli("upgrade", db=db_url).exit_code == 0
    before = indexes(db_url)
    assert before["appeals"] >= {"ix_appeals_area_code", "ix_appeals_updated_batch"}
    result = cli("import", folder, db=db_url)
    assert result.exit_code == 1
    assert errors(result) == ["exceptions.csv row 2, column expires_on, value '1/13/2019': not a real date"]
    for table in ("areas", "commissioners", "appeals", "recorded_exceptions", "import_batches", "audit_log"):
        assert count(db_url, table) == 0
    assert indexes(db_url) == before  # a first load builds indexes after the rows; a failed one keeps them


def test_a_first_load_builds_the_indexes_after_the_rows(tmp_path, db_url):
    assert cli("upgrade", db=db_url).exit_code == 0
    before = indexes(db_url)
    folder = write_records(tmp_path / "r", areas=AREAS, commissioners=COMMISSIONERS, appeals=[APPEAL])
    assert cli("import", folder, db=db_url).exit_code == 0
    assert indexes(db_url) == before and count(db_url, "appeals") == 1
    assert cli("import", folder, "--dry-run", db=db_url).exit_code == 0
    assert indexes(db_url) == before


def test_reimport_is_idempotent_and_updates_are_audited(tmp_path, db_url):
    claim = {
        "claim_id": "F1",
        "appeal_id": "A1",
        "claimant_code": "850",
        "category": "other",
        "amount_gbp": "£1,250.50",
        "claimed_on": "1/5/2019",
    }
    folder = write_records(
        tmp_path / "r", areas=AREAS, commissioners=COMMISSIONERS, appeals=[APPEAL], funding_claims=[claim]
    )
    assert cli("import", folder, db=db_url).exit_code == 0
    again = cli("import", folder, db=db_url)
    assert again.exit_code == 0
    assert "funding_claims.csv │ 0   │ 0       │ 1" in again.stdout
    assert count(db_url, "audit_log") == 0

    write_records(
        folder,
        appeals=[{**APPEAL, "status": "withdrawn", "closed_on": "2019-04-01"}],
        funding_claims=[{**claim, "amount_gbp": "1250.5"}],
    )  # the same amount, written differently
    changed = cli("import", folder, db=db_url)
    assert changed.exit_code == 0, changed.output
    assert "appeals.csv        │ 0   │ 1       │ 0" in changed.stdout
    assert "funding_claims.csv │ 0   │ 0       │ 1" in changed.stdout
    engine = sa.create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        audit = conn.execute(
            sa.text(
                'select batch_id, record_type, record_key, "column", old_value, new_value from audit_log order by id'
            )
        ).all()
    engine.dispose()
    assert [tuple(a) for a in audit] == [
        (3, "appeals", "A1", "status", "open", "withdrawn"),
        (3, "appeals", "A1", "closed_on", None, "2019-04-01"),
    ]


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


def test_references_may_point_into_the_store(tmp_path, sqlite_url):
    assert (
        cli(
            "import",
            write_records(tmp_path / "1", areas=AREAS, commissioners=COMMISSIONERS, appeals=[APPEAL]),
            db=sqlite_url,
        ).exit_code
        == 0
    )
    later = write_records(
        tmp_path / "2",
        recommendations=[
            {
                "recommendation_id": "R1",
                "appeal_id": "A1",
                "commissioner_code": "850-SC",
                "kind": "social_care",
                "made_on": "2019-06-01",
            }
        ],
        appeals=[{**APPEAL, "appeal_id": "A2", "status": "conceded"}],
    )
    result = cli("import", later, db=sqlite_url)
    assert result.exit_code == 1
    assert errors(result) == ["appeals.csv row 2, column closed_on, value '': required when status is conceded"]
    result = cli("import", later / "recommendations.csv", db=sqlite_url)
    assert result.exit_code == 1 and "not a folder" in result.stderr
    (later / "appeals.csv").unlink()
    assert cli("import", later, db=sqlite_url).exit_code == 0


def test_trailing_empty_columns_are_ignored_but_unheaded_values_are_not(tmp_path, sqlite_url):
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "areas.csv").write_text("area_code,name,\r\n850,Area 850,\r\n851,Area 851,,\r\n852,Area 852,,x\r\n")
    result = cli("import", folder, db=sqlite_url)
    assert result.exit_code == 1
    assert errors(result) == ["areas.csv row 4, value 'x': value in a column with no header"]
    (folder / "areas.csv").write_text("area_code,name,\r\n850,Area 850,\r\n851,Area 851,,\r\n")
    assert cli("import", folder, db=sqlite_url).exit_code == 0
    assert count(sqlite_url, "areas") == 2


# --- strict parsing: each case gives its exact message and leaves the store unchanged ---------

AREAS_HEAD = b"area_code,name,region\r\n"
LONG = "x" * 40_000
STRICT = {
    "unclosed quote": (
        {"areas.csv": AREAS_HEAD + b'850,"Area 850,South\r\n851,Area 851,x\r\n'},
        [
            'areas.csv row 2: a quoted value starts on this row and is never closed (a missing "); '
            "nothing after it was read"
        ],
    ),
    "cut-off row": (
        {"areas.csv": AREAS_HEAD + b"850,Area 850,South\r\n851,Area 851\r\n"},
        [
            "areas.csv row 3, column region: the row has 2 cells and the header 3: a cut-off row "
            "(nothing was read from it; complete the row)"
        ],
    ),
    "field over the limit": (
        {"areas.csv": AREAS_HEAD + f"850,{LONG},x\r\n".encode()},
        [f"areas.csv row 2, column name, value '{'x' * 80}…': longer than 32,768 characters (the most for a value)"],
    ),
    "id over the limit": (
        {"areas.csv": AREAS_HEAD + f"{'8' * 301},A,x\r\n".encode()},
        [f"areas.csv row 2, column area_code, value '{'8' * 80}…': longer than 300 characters (the most for an id)"],
    ),
    "NUL": (
        {"areas.csv": AREAS_HEAD + b"850,Area\x00850,x\r\n"},
        ["areas.csv row 2, column name, value 'Area\\x00850': holds a control character (U+0000): remove it"],
    ),
    "control character in an id": (
        {"areas.csv": AREAS_HEAD + b"85\x1b0,Area 850,x\r\n"},
        ["areas.csv row 2, column area_code, value '85\\x1b0': holds a control character (U+001B): remove it"],
    ),
    "Arabic-Indic digits": (
        {"areas.csv": "area_code,name,rights_published_on\r\n850,A,٢٠١٨-٠٤-٠١\r\n".encode()},
        [
            "areas.csv row 2, column rights_published_on, value '٢٠١٨-٠٤-٠١': not a date: use YYYY-MM-DD or "
            "day-first D/M/YYYY"
        ],
    ),
    "huge amount": (
        {
            "areas.csv": b"area_code,name\r\n850,A\r\n",
            "appeals.csv": (
                b"appeal_id,area_code,case_ref,decision_type,decision_date,registered_on,health_issue,"
                b"social_care_issue,status\r\nA1,850,C1,plan_issued,2019-01-01,2019-02-01,y,n,open\r\n"
            ),
            "funding_claims.csv": (
                b"claim_id,appeal_id,claimant_code,category,amount_gbp,claimed_on\r\n"
                b"F1,A1,850,other,10000000000000000000000,2019-03-01\r\n"
                b"F2,A1,850,other,\xd9\xa1\xd9\xa0\xd9\xa0,2019-03-01\r\n"
            ),
        },
        [
            "funding_claims.csv row 2, column amount_gbp, value '10000000000000000000000': more than the largest "
            "amount accepted (£1,000,000)",
            "funding_claims.csv row 3, column amount_gbp, value '١٠٠': not an amount in pounds, e.g. 1250.50 or "
            "£1,250.50",
        ],
    ),
    "value beyond the header": (
        {"areas.csv": AREAS_HEAD + b"850,A,x,,\r\n851,B,y,,z\r\n"},
        ["areas.csv row 3, value 'z': value in a column with no header"],
    ),
    "title row": (
        {"areas.csv": b"Areas exported 1/7/2020\r\n\r\n" + AREAS_HEAD + b"850,A,x\r\n"},
        [
            "areas.csv row 1: not the header: the column names are on row 3 (a title above them?); "
            "delete the rows above the column names so that they are row 1"
        ],
    ),
    "title row of two cells": (
        {"areas.csv": b"Areas,exported 1/7/2020\r\n" + AREAS_HEAD + b"850,A,x\r\n"},
        [
            "areas.csv row 1: not the header: the column names are on row 2 (a title above "
            "them?); delete the rows above the column names so that they are row 1"
        ],
    ),
    "semicolons": (
        {"areas.csv": b"area_code;name;region\r\n850;A;x\r\n"},
        [
            "areas.csv row 1: the columns are separated by semicolons (;), not commas: save the file as "
            '"CSV UTF-8 (Comma delimited)" (.csv), or import the .xlsx workbook instead'
        ],
    ),
    "tabs": (
        {"areas.csv": b"area_code\tname\tregion\r\n850\tA\tx\r\n"},
        [
            "areas.csv row 1: the columns are separated by tabs, not commas: save the file as "
            '"CSV UTF-8 (Comma delimited)" (.csv), or import the .xlsx workbook instead'
        ],
    ),
    "another .csv": (
        {"areas.csv": AREAS_HEAD + b"850,A,x\r\n", "Areas.csv": AREAS_HEAD},
        [
            "Areas.csv: unknown file: expected one of areas.csv, commissioners.csv, decisions.csv, "
            "appeals.csv, evidence.csv, recommendations.csv, responses.csv, funding_claims.csv, "
            "exceptions.csv"
        ],
    ),
    "two addresses": (
        {"areas.csv": b"area_code,name,send_team_email\r\n850,A,a@x.example.org; b@x.example.org\r\n"},
        [
            "areas.csv row 2, column send_team_email, value 'a@x.example.org; b@x.example.org': not one "
            "e-mail address (the part after the @-sign contains invalid characters: ';', '@', SPACE; write "
            "one address, e.g. send-team@example.org)"
        ],
    ),
    "a domain starting with a hyphen": (
        {"areas.csv": b"area_code,name,send_team_email\r\n850,A,user@-example.org\r\n"},
        [
            "areas.csv row 2, column send_team_email, value 'user@-example.org': not one e-mail address (an "
            "email address cannot have a hyphen immediately after the @-sign; write one address, e.g. "
            "send-team@example.org)"
        ],
    ),
    "no record file": (
        {"notes.txt": b"hello"},
        [
            "r: holds no record file: expected one or more of areas.csv, commissioners.csv, "
            "decisions.csv, appeals.csv, evidence.csv, recommendations.csv, responses.csv, "
            "funding_claims.csv, exceptions.csv"
        ],
    ),
}


@pytest.mark.parametrize("case", list(STRICT))
def test_strict_parsing(case, tmp_path, db_url):
    files, expected = STRICT[case]
    folder = tmp_path / "r"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    result = cli("import", folder, db=db_url)
    assert result.exit_code == 1
    assert errors(result) == expected
    assert "Traceback" not in result.output
    for table in ("areas", "funding_claims", "import_batches"):
        assert count(db_url, table) == 0


def test_files_that_are_not_regular_files_are_errors_and_never_opened(tmp_path, sqlite_url):
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "areas.csv").symlink_to(tmp_path / "nowhere.csv")
    (folder / "commissioners.csv").mkdir()
    os.mkfifo(folder / "decisions.csv")  # opening it for reading would block: it must not be opened
    result = cli("import", folder, db=sqlite_url)
    assert result.exit_code == 1
    assert errors(result) == [
        "areas.csv: a link to a file that does not exist",
        "commissioners.csv: a folder, not a file",
        "decisions.csv: not a regular file (a pipe, socket or device)",
    ]


def test_windows_1252_and_utf16_are_read_with_the_right_text(tmp_path, db_url):
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "areas.csv").write_bytes("area_code,name,region\r\n850,Área 850,£ South\r\n".encode("cp1252"))
    (folder / "commissioners.csv").write_bytes(
        "commissioner_code,name,kind\r\nQRL,NHS Île ICB,health\r\n".encode("utf-16")
    )
    result = cli("import", folder, db=db_url)
    assert result.exit_code == 0, result.output
    assert "areas.csv: read as Windows-1252 (the file is not UTF-8)" in result.stdout
    engine = sa.create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        assert tuple(conn.execute(sa.text("select name, region from areas")).one()) == ("Área 850", "£ South")
        assert conn.execute(sa.text("select name from commissioners")).scalar_one() == "NHS Île ICB"
    engine.dispose()


def test_a_utf8_bom_and_upper_case_column_names_are_fine(tmp_path, sqlite_url):
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "areas.csv").write_bytes(b"\xef\xbb\xbfNAME,Area_Code\r\n Area 850 ,850\r\n")
    assert cli("import", folder, db=sqlite_url).exit_code == 0
    assert count(sqlite_url, "areas") == 1


# --- successors, kinds and the store ----------------------------------------------------------


def test_successor_rules(tmp_path, db_url):
    bad = write_records(
        tmp_path / "bad",
        areas=[
            {"area_code": "850", "name": "A", "successor_code": "851", "successor_from": ""},
            {"area_code": "851", "name": "B", "successor_code": "852", "successor_from": "2020-04-01"},
            {"area_code": "852", "name": "C", "successor_code": "851", "successor_from": "2020-04-01"},
            {"area_code": "853", "name": "D", "successor_code": "999", "successor_from": "2020-04-01"},
        ],
        commissioners=[
            {
                "commissioner_code": "QRL",
                "name": "ICB",
                "kind": "health",
                "successor_code": "850-SC",
                "successor_from": "2021-01-01",
            },
            {
                "commissioner_code": "850-SC",
                "name": "SC",
                "kind": "social_care",
                "successor_code": "",
                "successor_from": "",
            },
        ],
    )
    result = cli("import", bad, db=db_url)
    assert result.exit_code == 1
    assert errors(result) == [
        "areas.csv row 2, column successor_from, value '': successor_code and successor_from go together: "
        "give both or neither",
        "areas.csv row 3, column successor_code, value '852': successors go round in a loop: 851 → 852 → 851 "
        "(row 3, row 4)",
        "areas.csv row 4, column successor_code, value '851': successors go round in a loop: 851 → 852 → 851 "
        "(row 3, row 4)",
        "areas.csv row 5, column successor_code, value '999': no such area_code in this import or the store",
        "commissioners.csv row 2, column successor_code, value '850-SC': the successor is social_care, this body "
        "is health: a successor must be of the same kind",
    ]
    assert count(db_url, "areas") == 0
    # a loop through the store: 861 -> 860 is stored, 860 -> 861 arrives later
    assert (
        cli(
            "import",
            write_records(
                tmp_path / "1",
                areas=[
                    {"area_code": "860", "name": "A"},
                    {"area_code": "861", "name": "B", "successor_code": "860", "successor_from": "2020-04-01"},
                ],
            ),
            db=db_url,
        ).exit_code
        == 0
    )
    later = write_records(
        tmp_path / "2",
        areas=[{"area_code": "860", "name": "A", "successor_code": "861", "successor_from": "2020-04-01"}],
    )
    result = cli("import", later, db=db_url)
    assert errors(result) == [
        "areas.csv row 2, column successor_code, value '861': successors go round in a "
        "loop: 860 → 861 → 860 (row 2, 861 (stored))"
    ]


def test_a_commissioners_kind_cannot_change_under_stored_recommendations(tmp_path, db_url):
    first = write_records(
        tmp_path / "1",
        areas=AREAS,
        commissioners=COMMISSIONERS,
        appeals=[APPEAL],
        recommendations=[
            {
                "recommendation_id": f"R{i}",
                "appeal_id": "A1",
                "commissioner_code": "QRL",
                "kind": "health",
                "made_on": "2019-06-01",
            }
            for i in (1, 2)
        ],
    )
    assert cli("import", first, db=db_url).exit_code == 0
    change = write_records(tmp_path / "2", commissioners=[{**COMMISSIONERS[0], "kind": "social_care"}])
    result = cli("import", change, db=db_url)
    assert result.exit_code == 1
    assert errors(result) == [
        "commissioners.csv row 2, column kind, value 'social_care': stored health "
        "recommendations point at this commissioner: R1, R2 (a recommendation's kind must "
        "equal its commissioner's)"
    ]
    # changed together with its recommendations, it is accepted
    write_records(
        change,
        recommendations=[
            {
                "recommendation_id": f"R{i}",
                "appeal_id": "A1",
                "commissioner_code": "QRL",
                "kind": "social_care",
                "made_on": "2019-06-01",
            }
            for i in (1, 2)
        ],
    )
    assert cli("import", change, db=db_url).exit_code == 0


# --- dry run and the problems report ----------------------------------------------------------


def test_dry_run_writes_nothing_and_shows_what_would_change(tmp_path, db_url):
    folder = write_records(tmp_path / "r", areas=AREAS, commissioners=COMMISSIONERS, appeals=[APPEAL])
    result = cli("import", folder, "--dry-run", db=db_url)
    assert result.exit_code == 0, result.output
    assert "dry run: nothing was written" in result.stdout
    assert "appeals.csv       │ 1   │ 0       │ 0" in result.stdout
    for table in ("areas", "appeals", "import_batches"):
        assert count(db_url, table) == 0
    assert cli("import", folder, db=db_url).exit_code == 0
    write_records(folder, appeals=[{**APPEAL, "case_ref": "C2"}])
    result = cli("import", folder, "--dry-run", db=db_url)
    assert "appeals.csv       │ 0   │ 1       │ 0" in result.stdout
    assert "areas.csv         │ 0   │ 0       │ 1" in result.stdout
    assert count(db_url, "import_batches") == 1 and count(db_url, "audit_log") == 0


def test_the_problems_report_opens_in_a_spreadsheet(tmp_path, sqlite_url):
    folder = write_records(
        tmp_path / "r",
        areas=[{"area_code": "=850", "name": "A", "region": "x"}, {"area_code": "851", "name": "", "region": "y"}],
    )
    (folder / "decisions.csv").write_text(
        "decision_id,area_code,case_ref,decision_type,decision_date\nD1,@SUM(1),C1,plan_issued,-1\n", encoding="utf-8"
    )
    report = tmp_path / "problems.csv"
    result = cli("import", folder, "--dry-run", "--report", report, db=sqlite_url)
    assert result.exit_code == 1
    data = report.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    import csv as _csv

    rows = list(_csv.reader(data.decode("utf-8-sig").splitlines()))
    assert rows == [
        ["file", "row", "column", "value", "problem"],
        ["areas.csv", "3", "name", "", "required value is blank"],
        ["decisions.csv", "2", "decision_date", "'-1", "not a date: use YYYY-MM-DD or day-first D/M/YYYY"],
        ["decisions.csv", "2", "area_code", "'@SUM(1)", "no such area_code in this import or the store"],
    ]


def test_a_store_held_by_another_writer_is_one_clear_error_and_nothing_is_written(tmp_path, sqlite_url):
    import sqlite3

    folder = write_records(tmp_path / "r", areas=AREAS)
    assert cli("import", folder, "--dry-run", db=sqlite_url).exit_code == 0  # creates the schema
    other = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process is writing
    try:
        result = cli("import", folder, db=sqlite_url)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "stayed locked by another process" in result.stderr
    assert count(sqlite_url, "areas") == 0 and count(sqlite_url, "import_batches") == 0


def _many_decisions(n: int) -> list[dict]:
    """`n` decision letters with ISO and day-first dates, booleans in several spellings, blanks."""
    return [
        {
            "decision_id": f"D{i:05d}",
            "area_code": "850",
            "case_ref": f"C{i % 700:04d}",
            "decision_type": "plan_issued" if i % 3 else "refuse_assessment",
            "decision_date": f"2019-03-{1 + i % 28:02d}" if i % 2 else f"{1 + i % 28}/4/2019",
            "rights_notice": ["yes", "no", "", "TRUE"][i % 4],
        }
        for i in range(1, n + 1)
    ]


def test_a_large_file_is_read_alike_in_every_part(tmp_path, db_url):
    """Files are read in batches of thousands of rows: values are typed the same in each, and a
    problem deep in the file is named exactly as in the first rows, with nothing written."""
    rows = _many_decisions(12_000)
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


def test_a_repeated_id_far_apart_in_a_first_load_is_named(tmp_path, db_url):
    """A first load leaves the search for repeated ids to the table's primary key: the repeat is
    still named with its first row, whether the batches were read column by column or row by row,
    and nothing is written."""
    rows = _many_decisions(12_000)
    rows[8999]["decision_id"] = "D00011"  # repeats row 12 (batch 1), found in batch 2
    rows[11999]["decision_id"] = "D10001"  # repeats row 10,002 (batch 3, read row by row: see below)
    folder = write_records(tmp_path / "r", areas=AREAS, commissioners=COMMISSIONERS, decisions=rows)
    path = folder / "decisions.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[10_001] = lines[10_001].rstrip("\r\n") + ",\r\n"  # an empty cell beyond the header: read row by row
    path.write_text("".join(lines), encoding="utf-8")
    result = cli("import", folder, db=db_url)
    assert result.exit_code == 1
    assert errors(result) == [
        "decisions.csv row 9001, column decision_id, value 'D00011': duplicate id (first on row 12)",
        "decisions.csv row 12001, column decision_id, value 'D10001': duplicate id (first on row 10002)",
    ]
    assert count(db_url, "decisions") == 0 and count(db_url, "import_batches") == 0


def test_spaces_around_values_are_trimmed_in_every_column(tmp_path, db_url):
    """Spaces, tabs and no-break spaces around a value are trimmed (ids, dates, choices, yes/no);
    spaces inside free text stay."""
    folder = write_records(
        tmp_path / "r",
        areas=[{"area_code": "\u00a0850 ", "name": "  Area  850 "}],
        decisions=[
            {
                "decision_id": " D1\t",
                "area_code": "850",
                "case_ref": "\u2003C1",
                "decision_type": " plan_issued",
                "decision_date": "2/1/2019 ",
                "rights_notice": " yes ",
            }
        ],
    )
    assert cli("import", folder, db=db_url).exit_code == 0
    [area] = query(db_url, "select area_code, name from areas")
    [decision] = query(
        db_url, "select decision_id, area_code, case_ref, decision_type, decision_date, rights_notice from decisions"
    )
    assert tuple(area) == ("850", "Area  850")
    assert tuple(decision)[:4] == ("D1", "850", "C1", "plan_issued")
    assert str(decision[4]) == "2019-01-02" and bool(decision[5]) is True
