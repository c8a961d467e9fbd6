"""Keys and references: references into the store, a repeated id named with its first row."""

from __future__ import annotations

from conftest import cli, write_records

from importing.import_data import APPEAL, AREAS, COMMISSIONERS, count, errors, many_decisions


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


def test_a_repeated_id_far_apart_in_a_first_load_is_named(tmp_path, db_url):
    """A first load leaves the search for repeated ids to the table's primary key: the repeat is
    still named with its first row, whether the batches were read column by column or row by row,
    and nothing is written."""
    rows = many_decisions(12_000)
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
