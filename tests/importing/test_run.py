"""One export, all or nothing: every problem reported, nothing of a failed import kept, re-imports idempotent and audited, dry runs, a busy store."""

from __future__ import annotations

import sqlalchemy as sa
from conftest import cli, write_records

from importing.import_data import APPEAL, AREAS, COMMISSIONERS, count, errors, indexes


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
        "Areas.csv: unknown file: expected one of areas.csv, commissioners.csv, letter_templates.csv, "
        "local_offer_pages.csv, decisions.csv, appeals.csv, evidence.csv, recommendations.csv, responses.csv, "
        "funding_claims.csv, exceptions.csv",
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
        "la-evidence, letter-wording, local-offer, local-offer-wording, response-5-weeks, response-content, "
        "rights-notice",
        "funding_claims.csv row 2, column amount_gbp, value '-£5.00': negative amounts are not allowed",
        "funding_claims.csv row 3, column amount_gbp, value '£1,2345': not an amount in pounds, e.g. 1250.50 or £1,250.50",
        "funding_claims.csv row 3, column claimant_code, value 'XYZ': no such area_code or commissioner_code in this "
        "import or the store",
        "recommendations.csv row 2, column kind, value 'social_care': commissioner QRL is health",
        "recommendations.csv row 3, column appeal_id, value 'A9': no such appeal_id in this import or the store",
        "responses.csv row 1, column colour: unknown column",
    ]
    assert count(sqlite_url, "decisions") == 0 and count(sqlite_url, "import_batches") == 0


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
