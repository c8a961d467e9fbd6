"""Cells: strict typing of every value, each refusal named; trimming; columns with no header."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from conftest import cli, write_records

from importing.import_data import count, errors, many_decisions, query


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
            "Areas.csv: unknown file: expected one of areas.csv, commissioners.csv, letter_templates.csv, "
            "local_offer_pages.csv, decisions.csv, appeals.csv, evidence.csv, recommendations.csv, "
            "responses.csv, funding_claims.csv, exceptions.csv"
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
            "letter_templates.csv, local_offer_pages.csv, decisions.csv, appeals.csv, evidence.csv, "
            "recommendations.csv, responses.csv, funding_claims.csv, exceptions.csv"
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


def test_implausible_dates_are_refused_but_an_exception_may_never_expire(tmp_path, sqlite_url):
    far = (date.today() + timedelta(days=400)).isoformat()
    soon = (date.today() + timedelta(days=300)).isoformat()
    exception = {
        "exception_id": "X1",
        "duty": "la-evidence",
        "subject_id": "A1",
        "granted_by": "DCS",
        "justification": "j",
        "granted_on": "2019-01-01",
        "expires_on": "9999-12-31",
    }
    folder = write_records(
        tmp_path / "r",
        areas=[
            {"area_code": "850", "name": "A", "rights_published_on": "1999-12-31"},
            {"area_code": "851", "name": "B", "rights_published_on": "3/4/0019"},
            {"area_code": "852", "name": "C", "rights_published_on": far},
            {"area_code": "853", "name": "D", "rights_published_on": soon},
        ],
        exceptions=[exception, {**exception, "exception_id": "X2", "expires_on": "1019-01-01"}],
    )
    result = cli("import", folder, db=sqlite_url)
    assert result.exit_code == 1
    assert errors(result) == [
        "areas.csv row 2, column rights_published_on, value '1999-12-31': before 1 January 2000: a mistyped year?",
        "areas.csv row 3, column rights_published_on, value '3/4/0019': before 1 January 2000: a mistyped year?",
        f"areas.csv row 4, column rights_published_on, value '{far}': more than a year after the day of the "
        f"import: a mistyped year?",
        "exceptions.csv row 3, column expires_on, value '1019-01-01': before 1 January 2000: a mistyped year?",
    ]


def test_invisible_characters_are_refused_in_ids_and_trimmed_from_other_values(tmp_path, db_url):
    decisions = many_decisions(6000)  # a batch read column-wise and one read row by row
    decisions[10]["case_ref"] = "\u200bC1\ufeff"
    decisions[5500]["rights_notice"] = "yes\u200d"
    folder = write_records(
        tmp_path / "r",
        areas=[{"area_code": "850", "name": "\ufeffArea 850\u200b"}],
        decisions=decisions,
    )
    assert cli("import", folder, db=db_url).exit_code == 0
    assert query(db_url, "select name from areas") == [("Area 850",)]
    assert query(db_url, "select case_ref from decisions where decision_id = 'D00011'") == [("C1",)]
    [(notice,)] = query(db_url, "select rights_notice from decisions where decision_id = 'D05501'")
    assert bool(notice) is True
    decisions[20]["decision_id"] = "D00021\u200b"
    decisions[5600]["area_code"] = "\u2060850"
    write_records(folder, decisions=decisions)
    result = cli("import", folder, db=db_url)
    assert result.exit_code == 1
    assert errors(result) == [
        "decisions.csv row 22, column decision_id, value 'D00021\\u200b': holds an invisible character (a "
        "zero-width space, U+200B): remove it",
        "decisions.csv row 5602, column area_code, value '\\u2060850': holds an invisible character (a word "
        "joiner, U+2060): remove it",
    ]
    assert count(db_url, "decisions") == 6000
