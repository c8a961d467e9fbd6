"""Each record type's checks: successors, a commissioner's kind and its recommendations."""

from __future__ import annotations

from conftest import cli, write_records

from importing.import_data import APPEAL, AREAS, COMMISSIONERS, count, errors, many_decisions

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


def test_a_check_registered_for_a_record_type_runs_on_its_rows(tmp_path, monkeypatch, sqlite_url):
    from monitor.importing.checks import registry

    monkeypatch.setattr(registry, "CHECKS", {})

    @registry.check("areas")
    def no_region_x(session, part):
        for rownum, values in part.chunk:
            if values[part.index["region"]] == "x":
                session.problem(part.label, rownum, part.source("region"), "x", "region x is refused")

    folder = write_records(tmp_path / "r", areas=[{**AREAS[0], "region": "x"}])
    result = cli("import", folder, db=sqlite_url)
    assert errors(result) == ["areas.csv row 2, column region, value 'x': region x is refused"]
    assert count(sqlite_url, "areas") == 0


def test_an_exception_matching_no_subject_is_a_warning_with_the_nearest(tmp_path, sqlite_url):
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
        areas=AREAS,
        commissioners=COMMISSIONERS,
        appeals=[{**APPEAL, "appeal_id": "EH850-19-90007"}],
        exceptions=[
            {**exception, "subject_id": "EH850-19-90007"},
            {**exception, "exception_id": "EX-TYPO", "subject_id": "EH850-19-9007"},
            {**exception, "exception_id": "X3", "duty": "commissioner-evidence", "subject_id": "nothing-like"},
        ],
    )
    result = cli("import", folder, db=sqlite_url)
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert (
        "exceptions.csv row 3: exception EX-TYPO matches no appeal of la-evidence; did you mean EH850-19-90007?" in out
    )
    assert (
        "exceptions.csv row 4: exception X3 matches no evidence row of commissioner-evidence (the subject is "
        "{appeal_id}:{commissioner_code}, e.g. EH850-19-90007:850-SC)" in out
    )
    assert "exception X1" not in out and count(sqlite_url, "recorded_exceptions") == 3


def test_an_exception_subject_stored_by_an_earlier_import_is_found(tmp_path, db_url):
    first = write_records(
        tmp_path / "1",
        areas=AREAS,
        commissioners=COMMISSIONERS,
        decisions=many_decisions(3),
        appeals=[{**APPEAL, "appeal_id": "EH850-19-90007"}],
    )
    assert cli("import", first, db=db_url).exit_code == 0
    exception = {"granted_by": "DCS", "justification": "j", "granted_on": "2019-01-01", "expires_on": "9999-12-31"}
    subjects = [
        ("rights-notice", "D00002"),
        ("la-evidence", "EH850-19-90007"),
        ("commissioner-contacted", "EH850-19-90007:health"),
        ("commissioner-contacted", "EH850-19-90007:dental"),
        ("local-offer", "850"),
        ("rights-notice", "D00009"),
    ]
    second = write_records(
        tmp_path / "2",
        exceptions=[
            {**exception, "exception_id": f"X{i}", "duty": duty, "subject_id": subject}
            for i, (duty, subject) in enumerate(subjects, start=1)
        ],
    )
    result = cli("import", second, db=db_url)
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "exception X4 matches no appeal issue of commissioner-contacted" in out
    assert "exception X6 matches no decision of rights-notice; did you mean D00003?" in out
    assert [f"X{i}" for i in range(1, 7) if f"exception X{i} " in out] == ["X4", "X6"]
