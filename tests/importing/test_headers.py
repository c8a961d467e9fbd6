"""The header row: unknown, duplicate and missing columns."""

from __future__ import annotations

from conftest import cli

from importing.import_data import errors


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
