"""An export bound to an area (`import --area CODE`) changes only that area's records."""

from __future__ import annotations

from conftest import cli, write_records

from importing.import_data import APPEAL, COMMISSIONERS, count, errors, query

AREAS = [{"area_code": "850", "name": "Area 850"}, {"area_code": "851", "name": "Area 851"}]
REC = {
    "recommendation_id": "R2",
    "appeal_id": "A2",
    "commissioner_code": "QRL",
    "kind": "health",
    "made_on": "2019-06-01",
}


def national(tmp_path, db):
    folder = write_records(
        tmp_path / "national",
        areas=AREAS,
        commissioners=[{**c, "contact_email": "icb@x.example.org"} for c in COMMISSIONERS],
        appeals=[APPEAL, {**APPEAL, "appeal_id": "A2", "area_code": "851", "case_ref": "C2"}],
        recommendations=[REC],
    )
    assert cli("import", folder, db=db).exit_code == 0


def test_an_area_export_with_rows_for_another_area_is_refused(tmp_path, sqlite_url):
    national(tmp_path, sqlite_url)
    folder = write_records(
        tmp_path / "850",
        areas=[{"area_code": "850", "name": "Area 850 renamed"}, {"area_code": "851", "name": "Taken over"}],
        commissioners=[
            {
                "commissioner_code": "QRL",
                "name": "Another name",
                "kind": "health",
                "contact_email": "icb@x.example.org",
            },
            {"commissioner_code": "NEW", "name": "A new ICB", "kind": "health"},
        ],
        appeals=[{**APPEAL, "case_ref": "C9"}, {**APPEAL, "appeal_id": "A3", "area_code": "851"}],
        evidence=[{"appeal_id": "A2", "commissioner_code": "NEW"}, {"appeal_id": "A1", "commissioner_code": "NEW"}],
        responses=[{"recommendation_id": "R2", "sent_to_family_on": "2019-07-01"}],
        exceptions=[
            {
                "exception_id": f"X{i}",
                "duty": duty,
                "subject_id": subject,
                "granted_by": "DCS",
                "justification": "j",
                "granted_on": "2019-01-01",
                "expires_on": "2020-01-01",
            }
            for i, (duty, subject) in enumerate(
                [("la-evidence", "A2"), ("local-offer", "851"), ("response-5-weeks", "R2"), ("la-evidence", "A1")]
            )
        ],
        funding_claims=[
            {
                "claim_id": f"F{i}",
                "appeal_id": "A1",
                "claimant_code": who,
                "category": "other",
                "amount_gbp": "10",
                "claimed_on": "2019-08-01",
            }
            for i, who in ((1, "851"), (2, "QRL"), (3, "850"))
        ],
    )
    result = cli("import", folder, "--area", "850", db=sqlite_url)
    assert result.exit_code == 1
    assert errors(result) == [
        "appeals.csv row 3, column area_code, value '851': a row for area 851: this export is for area 850 only",
        "areas.csv row 3, column area_code, value '851': areas holds only this export's own row; a row for area "
        "851: this export is for area 850 only",
        "commissioners.csv row 2, column name, value 'Another name': commissioner QRL exists: its name changes "
        "only in a national import",
        "evidence.csv row 2, column appeal_id, value 'A2': appeal of area 851: this export is for area 850 only",
        "exceptions.csv row 2, column subject_id, value 'A2': a subject of area 851: this export is for area 850 only",
        "exceptions.csv row 3, column subject_id, value '851': a subject of area 851: this export is for area 850 only",
        "exceptions.csv row 4, column subject_id, value 'R2': a subject of area 851: this export is for area 850 only",
        "funding_claims.csv row 2, column claimant_code, value '851': a claim by area 851: this export is for "
        "area 850 only",
        "responses.csv row 2, column recommendation_id, value 'R2': a recommendation of area 851: this export is "
        "for area 850 only",
    ]
    assert query(sqlite_url, "select name from areas order by area_code") == [("Area 850",), ("Area 851",)]
    assert cli("import", folder, db=sqlite_url).exit_code == 0  # the operator's national import may


def test_an_area_export_of_its_own_records_is_imported(tmp_path, sqlite_url):
    national(tmp_path, sqlite_url)
    folder = write_records(
        tmp_path / "850",
        areas=[{"area_code": "850", "name": "Area 850", "send_team_email": "send@850.example.org"}],
        commissioners=[{"commissioner_code": "NEW", "name": "A new ICB", "kind": "health"}],
        appeals=[{**APPEAL, "case_ref": "C9"}],
        evidence=[{"appeal_id": "A1", "commissioner_code": "NEW"}],
    )
    result = cli("import", folder, "--area", "850", db=sqlite_url)
    assert result.exit_code == 0, result.output
    assert count(sqlite_url, "commissioners") == 3 and count(sqlite_url, "evidence") == 1
